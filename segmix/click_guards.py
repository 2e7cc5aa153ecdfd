"""The click steps' guards: what a new click's refit and cut may change, and how far.

Refitting the colour mixtures after every click and re-solving a global cut breaks the
nesting of minimum cuts (Kolmogorov & Zabih, PAMI 2004): a click that fixes one place can
break another far away. These functions compare a step's new mask with the previous one
and the marks: :func:`local_corrections` and :func:`monotone_step` keep only the changes a
correction asked for; :func:`stripped_objects`, :func:`flooded_background` and
:func:`removed_near_foreground` find the pixels that the caller (``segment.apply_model``)
re-cuts with :func:`previous_mask_log_odds`'s lean. Measured on the DAVIS click protocol:
docs/clicks_development.md ("Stability and drop-backs", "One-signed steps", "Floods after a
positive click", "Removals next to foreground clicks").
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from segmix import graphcut
from segmix.io import BACKGROUND, FOREGROUND

# Changes within this share of the image diagonal from a corrective mark are the click's own.
FAR_REACH = 0.05


def far_change(mask, previous_mask, scribbles, reach: float = FAR_REACH) -> int:
    """Pixels whose label changed farther than ``reach`` x diagonal from every corrective mark."""
    previous_mask = np.asarray(previous_mask, bool)
    corrective = ((scribbles == FOREGROUND) & ~previous_mask) | ((scribbles == BACKGROUND) & previous_mask)
    changed = mask != previous_mask
    if not corrective.any():
        return int(np.count_nonzero(changed))
    h, w = mask.shape
    factor = max(1, math.ceil(math.sqrt(h * w / 100_000)))
    small = graphcut._block_reduce(corrective, factor, "any")
    near = ndimage.distance_transform_edt(~small) * factor <= reach * math.hypot(h, w)
    near = np.repeat(np.repeat(near, factor, axis=0), factor, axis=1)[:h, :w]
    return int(np.count_nonzero(changed & ~near))


def local_corrections(mask: np.ndarray, previous_mask: np.ndarray, scribbles: np.ndarray,
                      connectivity: int = 8, far_share: float = 0.0) -> np.ndarray:
    """Accept only the changes a correction asked for: (H, W) bool.

    A user (and the click protocol) marks where the previous mask was wrong: a foreground
    mark on previous background or a background mark on previous foreground. The new mask
    may differ from the previous one anywhere (new colour models, a new global cut); this
    keeps each connected region of change that touches such a corrective mark and reverts
    the others, so a click never breaks the mask far from where it was made. Without a
    corrective mark (e.g. a mark on an already correct place) nothing changes but the
    marked pixels.

    Parameters
    ----------
    mask, previous_mask : (H, W) bool; scribbles : (H, W) uint8 labels
    connectivity : {4, 8, 16}, of the regions of change (16 counts as 8)
    far_share : float
        A region of change that touches no corrective mark is reverted only if its area is
        more than this share of the previous mask's (0: always): small changes elsewhere
        (a better colour model fixing another place) are kept, a break is not.
    """
    previous_mask = np.asarray(previous_mask, bool)
    if previous_mask.shape != mask.shape:
        raise ValueError(f"previous_mask shape {previous_mask.shape} does not match the mask {mask.shape}")
    corrective = ((scribbles == FOREGROUND) & ~previous_mask) | ((scribbles == BACKGROUND) & previous_mask)
    changed = mask != previous_mask
    structure = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    labels, count = ndimage.label(changed, structure=structure)
    keep = np.zeros(count + 1, bool)
    if far_share > 0:
        sizes = np.bincount(labels.ravel(), minlength=count + 1)
        keep = sizes <= far_share * max(1, int(np.count_nonzero(previous_mask)))
    keep[np.unique(labels[corrective])] = True
    keep[0] = False
    out = np.where(keep[labels], mask, previous_mask)
    out[scribbles == FOREGROUND] = True
    out[scribbles == BACKGROUND] = False
    return out


def _step_sign(previous_mask: np.ndarray, scribbles: np.ndarray,
               previous_scribbles: np.ndarray | None = None) -> tuple[bool, bool]:
    """(adds foreground, removes foreground) of the step from ``previous_mask`` to ``scribbles``,
    or None when the step's marks all agree with the previous mask.

    With ``previous_scribbles`` (of the same shape): whether the marks added since are
    foreground / background; (False, False) when marks were erased; None when marks were
    added and none of them contradicts the previous mask. Without: whether marks correct
    the previous mask, foreground marks on its background / background marks on its
    foreground.
    """
    if previous_scribbles is not None and np.shape(previous_scribbles) == np.shape(scribbles):
        new = scribbles != previous_scribbles
        if (new & (scribbles == 0)).any():
            return False, False  # marks erased: not a step of added marks
        adds, removes = new & (scribbles == FOREGROUND), new & (scribbles == BACKGROUND)
        if new.any() and not ((adds & ~previous_mask).any() or (removes & previous_mask).any()):
            return None
        return bool(adds.any()), bool(removes.any())
    return (bool(((scribbles == FOREGROUND) & ~previous_mask).any()),
            bool(((scribbles == BACKGROUND) & previous_mask).any()))


def monotone_step(mask: np.ndarray, previous_mask: np.ndarray, scribbles: np.ndarray,
                  previous_scribbles: np.ndarray | None = None) -> np.ndarray:
    """Keep a step of corrections one-signed: (H, W) bool.

    With the colour models fixed, a graph cut's minimum cut is monotone in its unaries: a new
    foreground constraint can only add to the foreground and a background one only take from
    it (the nesting of minimum cuts; Kolmogorov & Zabih, PAMI 2004). Refitting the mixtures
    after every click breaks that, and a click that fixes one place removes the object
    somewhere else. This restores the property across refits: when the step's marks are all
    foreground, the previous foreground is kept; when they are all background, the previous
    background is kept; mixed, erased or no marks: ``mask`` as is. The step's marks are
    those added since ``previous_scribbles`` when it is given (a foreground click on what is
    already foreground counts: after a box, one removed the face and hair), and when none of
    them contradicts the previous mask, the previous mask stays (a satisfied constraint
    leaves a minimum cut unchanged); otherwise the marks that correct the previous mask
    (foreground marks on its background, background marks on its foreground), all a click
    protocol places.

    Parameters
    ----------
    mask, previous_mask : (H, W) bool; scribbles : (H, W) uint8 labels (marks win)
    previous_scribbles : (H, W) uint8, optional, the marks of the previous result

    Raises
    ------
    ValueError
        When ``previous_mask`` has another shape.
    """
    previous_mask = np.asarray(previous_mask, bool)
    if previous_mask.shape != mask.shape:
        raise ValueError(f"previous_mask shape {previous_mask.shape} does not match the mask {mask.shape}")
    sign = _step_sign(previous_mask, scribbles, previous_scribbles)
    if sign is None:
        # Marks that agree with the mask: with fixed models a satisfied constraint leaves the
        # minimum cut as it was, so only the refit could move it. After a box, a click on the
        # suit and then one on the wall (both agreeing) removed the face and hair.
        return (previous_mask | (scribbles == FOREGROUND)) & (scribbles != BACKGROUND)
    adds, removes = sign
    if adds == removes:
        return mask
    if adds:
        return mask | (previous_mask & (scribbles != BACKGROUND))
    return mask & (previous_mask | (scribbles == FOREGROUND))


#: A previous object counts as stripped when the new mask keeps less than this share of it
#: around one of its positive mark groups.
STRIP_SHARE = 0.5
#: ... and the new component around the group is under this many times its marked pixels.
STRIP_ISLAND = 12.0


def stripped_objects(mask: np.ndarray, previous_mask: np.ndarray, scribbles: np.ndarray,
                     stroke=False) -> np.ndarray | None:
    """The previous mask's objects that a background-only step stripped, (H, W) bool, or None.

    After marks that only remove foreground (background marks on the previous foreground),
    a previous object (8-connected component of ``previous_mask``) is stripped when one of
    its positive marks now lies in an island: a component of ``mask`` under
    :data:`STRIP_SHARE` of the object and under :data:`STRIP_ISLAND` times the marked
    pixels in it. The click's colours also covered the object, and the refit removed it
    around the user's own earlier clicks (DAVIS 065, click 20: the elephant's body, leaving
    its positive discs, IoU 0.904 -> 0.061). Used by ``SegmentationSettings.strip_guard``.

    A stroke (``stroke``, :func:`segmix.local_colour.adds_stroke`) says more than a click: a
    background stroke across a region of the previous object says the region is not the
    object. Then only the stripped objects' pixels nearer (Euclidean) to a foreground mark
    than to the step's marks are returned, as :func:`removed_near_foreground` does. Whole
    objects were protected before session 31, and a stroke across the sand that two
    foreground strokes on an elephant had taken with it (DAVIS 066, bench_segment's "quick"
    strokes, foreground first, each a step) brought the sand back: IoU 0.443, 0.668 now
    (quick strokes on 50 even / odd frames, mean IoU 0.699 -> 0.705 / 0.686 -> 0.693; sparse
    and dense strokes and the click protocol unchanged).

    Parameters
    ----------
    mask, previous_mask : (H, W) bool; scribbles : (H, W) uint8 labels
    stroke : bool or callable returning bool
        Whether the step's marks hold a stroke; a callable is asked only when an object was
        stripped (most steps strip nothing, and the test looks at the whole label image).

    Returns
    -------
    (H, W) bool, the stripped previous objects (with ``stroke``, their part nearer to a
    foreground mark), or None when there are none (or the step is not background-only).
    """
    previous_mask = np.asarray(previous_mask, bool)
    adds, removes = _step_sign(previous_mask, scribbles)
    if adds or not removes:
        return None
    positive = (scribbles == FOREGROUND) & previous_mask
    if not positive.any():
        return None
    structure = np.ones((3, 3), bool)
    old_labels, _ = ndimage.label(previous_mask, structure=structure)
    new_labels, _ = ndimage.label(mask, structure=structure)
    old_sizes = np.bincount(old_labels.ravel())
    new_sizes = np.bincount(new_labels.ravel())
    # Each positive mark pixel: the previous object and the new component it lies in (marks
    # are fixed, so it lies in both).
    old_at, new_at = old_labels[positive], new_labels[positive]
    # An island: the new component is little more than the marks in it.
    marks_in = np.bincount(new_at, minlength=new_sizes.size)
    island = new_sizes[new_at] < STRIP_ISLAND * marks_in[new_at]
    stripped = np.unique(old_at[island & (new_sizes[new_at] < STRIP_SHARE * old_sizes[old_at])])
    if stripped.size == 0:
        return None
    objects = np.isin(old_labels, stripped)
    step = (scribbles == BACKGROUND) & previous_mask
    if not step.any() or not (stroke() if callable(stroke) else stroke):
        return objects
    nearer = ndimage.distance_transform_edt(~(scribbles == FOREGROUND)) < ndimage.distance_transform_edt(~step)
    objects &= nearer
    return objects if objects.any() else None


#: A foreground-only step floods when it adds more than this share of the previous mask's area.
FLOOD_SHARE = 0.5


def flooded_background(mask: np.ndarray, previous_mask: np.ndarray, scribbles: np.ndarray,
                       previous_scribbles: np.ndarray | None = None) -> np.ndarray | None:
    """The previous background a foreground-only step may have flooded, (H, W) bool, or None.

    A positive click marks a missed part of the object. When its colours also cover a large
    background region, refitting the foreground mixture on them can turn that region into
    foreground far from the click (DAVIS 008, click 5: the ground around a dancer, IoU 0.955
    -> 0.291). This flags the step when its marks only add foreground (see
    :func:`monotone_step` for the step's sign) and the mask grew by more than
    :data:`FLOOD_SHARE` of its previous area; the caller redoes the cut leaning towards the
    previous background, more the farther from the click, so a growth the colours support
    strongly near the click stays. Used by ``SegmentationSettings.flood_guard``.

    Parameters
    ----------
    mask, previous_mask : (H, W) bool; scribbles : (H, W) uint8 labels
    previous_scribbles : (H, W) uint8, optional, the marks of the previous result

    Returns
    -------
    (H, W) bool, the previous background (where the lean applies), or None when the step is
    not foreground-only or grew the mask by at most the share.
    """
    previous_mask = np.asarray(previous_mask, bool)
    sign = _step_sign(previous_mask, scribbles, previous_scribbles)
    if sign is None or sign != (True, False):
        return None
    grown = mask & ~previous_mask
    if np.count_nonzero(grown) <= FLOOD_SHARE * max(1, int(np.count_nonzero(previous_mask))):
        return None
    # Only where the step added foreground (and two pixels around, the 16-neighbourhood's
    # reach): lowering a pixel's foreground unary cannot turn it foreground, so a minimum cut
    # with the lean elsewhere keeps the rest of the previous background anyway (the nesting
    # of minimum cuts), and a local change keeps the warm-started re-cut cheap.
    return ndimage.binary_dilation(grown, iterations=2) & ~previous_mask


#: A background-only step's removal is checked when it takes more than this share of the mask
#: and at most REMOVAL_MAX_SHARE of it: a larger removal takes back a flood or a spill, which is
#: what the user said (a trial's right click on a green barrier that a first click on a car had
#: spilled into was held back next to the car's foreground click: IoU 0.522 against 0.850; on
#: the even DAVIS half 27 of the 172 good negative steps and 4 of the 36 harmful ones removed
#: more than half the mask).
REMOVAL_SHARE = 0.1
REMOVAL_MAX_SHARE = 0.5


def removed_near_foreground(mask: np.ndarray, previous_mask: np.ndarray, scribbles: np.ndarray,
                            image: np.ndarray | None = None, colour_weight: float = 0.0) -> np.ndarray | None:
    """What a background-only step removed nearer to a foreground mark than to its own marks,
    (H, W) bool, or None.

    A background click says that its place is not the object. When the object shares the
    click's colours, refitting the background mixture on them removes parts of the object far
    from the click, next to the user's own foreground clicks (DAVIS 038, click 2: the red sign
    in front of the bus took its white roof, IoU 0.881 -> 0.536). A removed pixel nearer to a
    foreground mark than to every mark of the step is more plausibly what that foreground
    mark described (the nearest-mark rule of the distance prior): the caller redoes the cut
    leaning towards the previous mask on those pixels. Only for steps whose marks only remove
    foreground (the step's sign as in :func:`stripped_objects`) and that removed more than
    :data:`REMOVAL_SHARE` of the previous mask. On the negative steps of the even DAVIS half
    (default settings otherwise), the share of removed pixels nearer to a foreground mark was
    above 0.7 for 19 of the 36 steps that lowered IoU by more than 0.1 and for 9 of the 172
    that raised it. Used by ``SegmentationSettings.removal_guard``.

    "Nearer" is Euclidean with ``colour_weight`` 0 (as until session 25); then the border of
    the leaned-on pixels is the straight bisector between the marks, and in a region of even
    colour the redone cut followed it (a trial: a car's shadow cut by a vertical line between
    a background click on it and a foreground click on the car). With ``colour_weight`` > 0
    the distances are geodesic on the grid of block-mean colours
    (:func:`segmix.graphcut.geodesic_grid_distances`, at most 100,000 cells): a colour edge
    between a mark and a region counts as distance, so the border moves towards the marks
    whose way into the region crosses an edge, out of the region when the edge is strong
    (the car's shadow); inside a region that both marks reach without crossing an edge it
    stays a straight line.

    Parameters
    ----------
    mask, previous_mask : (H, W) bool; scribbles : (H, W) uint8 labels
    image : (H, W, 3) uint8, optional (needed for ``colour_weight`` > 0)
    colour_weight : float >= 0

    Returns
    -------
    (H, W) bool, the removed pixels nearer to a foreground mark, or None.
    """
    previous_mask = np.asarray(previous_mask, bool)
    adds, removes = _step_sign(previous_mask, scribbles)
    if adds or not removes:
        return None
    removed = previous_mask & ~mask
    area = max(1, int(np.count_nonzero(previous_mask)))
    if not REMOVAL_SHARE * area < np.count_nonzero(removed) <= REMOVAL_MAX_SHARE * area:
        return None
    positive = scribbles == FOREGROUND
    if not positive.any():
        return None
    # The step's marks: the background marks on the previous foreground (all a click
    # protocol places; older background marks lie on the previous background).
    step = (scribbles == BACKGROUND) & previous_mask
    if image is not None and colour_weight > 0:
        nearer = _geodesically_nearer(image, positive, step, colour_weight)
    else:
        nearer = ndimage.distance_transform_edt(~positive) < ndimage.distance_transform_edt(~step)
    region = removed & nearer
    return region if region.any() else None


def _geodesically_nearer(image, first, second, colour_weight: float, max_pixels: int = 100_000) -> np.ndarray:
    """(H, W) bool: pixels geodesically nearer to the ``first`` marks than to the ``second``,
    on the grid of block-mean colours (a cell holding marks of both counts for ``first``)."""
    h, w = first.shape
    factor = max(1, math.ceil(math.sqrt(h * w / max(1, int(max_pixels)))))
    seeds = np.stack([graphcut._block_reduce(first, factor, "any"), graphcut._block_reduce(second, factor, "any")])
    d_first, d_second = graphcut.geodesic_grid_distances(image, seeds, factor, colour_weight)
    near = d_first <= d_second
    return np.repeat(np.repeat(near, factor, axis=0), factor, axis=1)[:h, :w]


def previous_mask_log_odds(previous_mask: np.ndarray, scribbles: np.ndarray, weight: float,
                           reach: float = 0.05, max_pixels: int = 100_000) -> np.ndarray:
    """Keep the previous result where the user did not correct it, as foreground log-odds.

    A user (and the click protocol) marks where the mask is wrong; elsewhere the previous
    mask was accepted. Without memory, every new mark refits global colour models and
    re-solves a global cut, and a click that fixes one place can break another far away.
    This term leans each pixel towards its previous label with ``weight * (1 - exp(-d /
    R))`` nats, d the distance to the nearest *corrective* mark (a foreground mark on
    previous background or a background mark on previous foreground), R = ``reach`` times
    the image diagonal: near a correction the colours decide, far from it the previous
    mask holds unless the evidence against it is strong.

    Parameters
    ----------
    previous_mask : (H, W) bool; scribbles : (H, W) uint8 labels
    weight : float, nats
    reach : float, share of the image diagonal
    max_pixels : int, size bound of the grid the distances are taken on

    Returns
    -------
    (H, W) float32
    """
    previous_mask = np.asarray(previous_mask, bool)
    if previous_mask.shape != scribbles.shape:
        raise ValueError(f"previous_mask shape {previous_mask.shape} does not match the scribbles {scribbles.shape}")
    h, w = scribbles.shape
    factor = max(1, math.ceil(math.sqrt(h * w / max(1, int(max_pixels)))))
    corrective = ((scribbles == FOREGROUND) & ~previous_mask) | ((scribbles == BACKGROUND) & previous_mask)
    sign = np.where(previous_mask, np.float32(weight), np.float32(-weight))
    if not corrective.any():
        return sign
    small = graphcut._block_reduce(corrective, factor, "any")
    d = ndimage.distance_transform_edt(~small) * factor
    scale = reach * math.hypot(h, w)
    lean = (1.0 - np.exp(-d / scale)).astype(np.float32)
    lean = np.repeat(np.repeat(lean, factor, axis=0), factor, axis=1)[:h, :w]
    return sign * lean



def removed_without_foreground(mask: np.ndarray, previous_mask: np.ndarray, scribbles: np.ndarray,
                               previous_scribbles: np.ndarray | None = None) -> np.ndarray | None:
    """What a background-only step removed when no foreground mark exists, (H, W) bool, or None.

    After a box alone, the previous mask is the box's finding, and nothing but it says where
    the object is: :func:`removed_near_foreground` has no foreground mark to measure "nearer"
    from. A background click on hair next to a face then refitted the background on the hair's
    colours (its local colour model reaching the face, segmix.local_colour), the face's log
    odds fell to about +1 nat, and the cut's smoothness emptied the whole box: a new user's
    ``--box 192,61,267,209 --background-click 242,184 --background-click 249,131`` on
    ccp_0511 gave IoU 0.47 -> 0.000 ("no pixel came out foreground"). Every removed pixel is
    returned, so that the caller's lean (:func:`previous_mask_log_odds`, growing with the
    distance from the step's marks) keeps the previous finding far from the click unless its
    colours are clearly background, and frees it near the click. Only for steps whose marks
    only remove foreground (the step's sign as in :func:`monotone_step`), with no foreground
    mark anywhere, that left less than :data:`REMOVAL_SHARE` of the previous mask's unmarked
    pixels: a collapse. Smaller removals are the click's correction (the box's finding spilt
    onto background): fired from a tenth of the mask removed, the guard held them back on the
    box-then-clicks protocol (docs/clicks_development.md, session 54). With a foreground mark the mask cannot empty (the mark stays foreground)
    and :func:`removed_near_foreground` applies, so the click protocol, whose first click is
    a foreground one, never gets here.

    Parameters
    ----------
    mask, previous_mask : (H, W) bool; scribbles : (H, W) uint8 labels
    previous_scribbles : (H, W) uint8, optional, the marks of the previous result

    Returns
    -------
    (H, W) bool, the removed unmarked pixels, or None.
    """
    previous_mask = np.asarray(previous_mask, bool)
    if (scribbles == FOREGROUND).any():
        return None
    sign = _step_sign(previous_mask, scribbles, previous_scribbles)
    if sign is None or sign[0] or not sign[1]:
        return None
    unmarked = scribbles == 0
    removed = previous_mask & ~mask & unmarked
    area = max(1, int(np.count_nonzero(previous_mask & unmarked)))
    if np.count_nonzero(removed) < (1.0 - REMOVAL_SHARE) * area:
        return None
    return removed
