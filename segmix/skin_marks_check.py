"""A trained skin model judged on the marks it was trained on, beside the model it started from.

A trial (session 57) trained on the marks of one photo (a dark-toned man before grey stone,
``skin train --init builtin``, and the window's Train from the built-in model) and got a model
whose default detector found none of the skin marked on that very photo, without a word; and
strokes on another photo gave a model that scored below the built-in one on those strokes
(F1 0.914 -> 0.893; with a second photo's strokes 0.561). The training said only how far the
Gaussians moved. This module runs the default detector with both models on (a few of) the
training photos (all of them up to :data:`MAX_PIXELS`; a sample of 6 reversed a session-58
trial's verdict) and compares them on the labelled pixels themselves, so the user is told:

- when the trained model does worse on its own marks than the model it started from, beyond
  what the photos judged can tell (a paired bootstrap over photos: keep that one), and
- when it finds (almost) none of the skin marked on a photo, and why: whether the colours
  alone, scored per pixel, take the marked skin (then the detector's photo-wide steps, which
  learn each photo's own colours, removed it: apply with the per-pixel rule) or not, and then
  the likely cause: an inverted mask, a colour cast, a dim photo, a dark tone, marks mixing
  skin with the non-skin's colours (mark bare skin only: said only when measured so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: A model that finds less than this share of the skin marked on a photo "finds none of it".
FOUND_NONE = 0.05
#: Fewer marked skin pixels on a photo than this: "none found" is not said of it (a speck).
MIN_MARKED = 100
#: The trained model is said to do worse on the marks when its pooled F1 there is this much
#: below the initial model's (the default detector's masks differ a little from run to run of
#: training on the same marks: a smaller gap is not a verdict).
WORSE_BY = 0.01
#: The per-pixel rule is offered for a photo whose marked skin the default detector lost when it
#: takes at least this share of that skin with at least this precision on the photo's marks.
PER_PIXEL_USABLE = 0.5
#: The photos judged are read until their pixels reach this many (in an order that spreads any
#: prefix evenly over the training photos, :func:`spread_order`): the check runs the default
#: detector twice a photo (the trained and the initial model; a third time, per pixel, on a
#: photo whose marked skin it finds none of). 25 photos of 0.2-0.46 MP (8.8 MP) took 2.9 s
#: beside training's 4 s; 40 MP is about 12 s at the default detector's 13 MP/s.
MAX_PIXELS = 40_000_000
#: The trained model is said to do worse on the marks only when it does so in at least this
#: share of resamplings of the photos judged (a bootstrap over photos, :data:`RESAMPLES`,
#: fixed seed): a trial's 6 photos of 25 gave 0.670 against the built-in model's 0.683 and the
#: verdict "keep the built-in model", while all 25 gave 0.735 against 0.720 (held-out photos
#: 0.759 against 0.739).
SURE = 0.95
#: Resamplings of the photos for :data:`SURE`.
RESAMPLES = 2000
#: Photos named at most when the check judged a sample of the training photos.
NAMED = 12


def spread_order(n: int) -> list[int]:
    """The indices 0..n-1 in an order whose every prefix is spread evenly over them (the ends,
    the middle, the quarters, ...): the check reads photos in this order until
    :data:`MAX_PIXELS` and judges a spread sample of the training photos, whatever their sizes."""
    order, seen, halves = [], set(), 1
    while len(order) < n:
        # the ends, then the points halving each gap: 2, 3, 5, 9, ... evenly spaced
        for i in np.linspace(0, n - 1, min(halves + 1, n)).round().astype(int):
            if int(i) not in seen:
                seen.add(int(i))
                order.append(int(i))
        halves *= 2
    return order


#: A photo is "dim" to the none-found words when the median of its pixels' brightest channel is
#: below this (a x0.5 copy of ccp_0100: 92; the ccp / hgr1 photos of the trial 97-202) and
#: so is its marked skin's (:data:`DIM_SKIN`; ccp_0042, 97 overall, has skin at 188).
DIM_PHOTO = 100
#: See :data:`DIM_PHOTO`.
DIM_SKIN = 120
#: Marked skin whose brightest channel's upper quartile is below this is "of a dark tone" to the
#: none-found words (ccp_0617, MST-10: median 41; the trial's other ccp photos' medians 88-188).
DARK_SKIN = 80
#: The marked skin "shares its colours with the non-skin marked" when at least this share of it
#: has colours (16 levels a channel) the photo's non-skin marks have on as many pixels or more
#: (:func:`colour_overlap`). Judged after a cast, a dim photo and a dark tone, which make the
#: colours shared too (the trial's x0.5 copy 0.99, ccp_0617 0.96; its other photos 0.01-0.86).
OVERLAP = 0.5


@dataclass
class MarksCheck:
    """What :func:`check_on_marks` found.

    Attributes
    ----------
    trained, initial : (3,) int64
        True positives, false positives, false negatives of the default detector's masks on
        the labelled pixels of the photos judged, with the trained / the initial model.
    per_pixel : (3,) int64
        The same for the trained model scored per pixel (no regions, adaptation, texture cue,
        second pass: ``--plain --no-adapt``), on the photos of ``none_found`` only.
    photos : int
        Photos judged.
    none_found : list of (name, per-pixel recall, per-pixel precision, initial's share found, cause)
        Photos with marked skin of which the trained model's default detector found less than
        :data:`FOUND_NONE`, with what its per-pixel rule does on that photo's marks, the share
        of that skin the initial model's default detector found and a dict of what
        :func:`none_found_words` reads for the cause (:func:`photo_cause`).
    rows : list of (name, (3,) trained counts, (3,) initial counts)
        Each photo judged, in name order: the paired evidence of :func:`surely_worse`.
    offered : int
        The training photos with labelled pixels offered (``photos`` of them judged: all, or
        a spread sample when their pixels exceed :data:`MAX_PIXELS`).
    """

    trained: np.ndarray
    initial: np.ndarray
    per_pixel: np.ndarray
    photos: int = 0
    none_found: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    offered: int = 0


def f1_of(counts) -> float:
    """F1 of (tp, fp, fn) counts; 0 with nothing found or marked."""
    tp, fp, fn = (float(c) for c in counts)
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _counts(mask: np.ndarray, labels: np.ndarray) -> np.ndarray:
    skin, non = labels == 1, labels == 0
    return np.array([(mask & skin).sum(), (mask & non).sum(), (~mask & skin).sum()], np.int64)


def colour_overlap(image: np.ndarray, skin: np.ndarray, non_skin: np.ndarray, bits: int = 4) -> float:
    """The share of the ``skin`` marked on ``image`` whose colour (``bits`` bits a channel) the
    ``non_skin`` marked has on at least as many pixels: hair, beard or clothes marked as skin
    beside the same marked as non-skin (a colour rule learnt from the photo's own marks would
    call them non-skin). 0 without marks of both kinds.

    Parameters
    ----------
    image : (H, W, 3) uint8
    skin, non_skin : (H, W) bool
    """
    if not skin.any() or not non_skin.any():
        return 0.0
    q = (image >> (8 - bits)).astype(np.int32)
    code = (q[..., 0] << (2 * bits)) | (q[..., 1] << bits) | q[..., 2]
    on_skin = np.bincount(code[skin], minlength=1 << (3 * bits))
    on_non = np.bincount(code[non_skin], minlength=1 << (3 * bits))
    return float(on_skin[on_non >= on_skin].sum() / skin.sum())


def photo_cause(model, image: np.ndarray, labels: np.ndarray) -> dict:
    """What :func:`none_found_words` reads to say why a photo's marked skin was not found:
    ``overlap`` (:func:`colour_overlap`), ``photo_level`` and ``skin_level`` (the medians of
    the brightest channel of the photo and of its marked skin) and ``cast`` (the gains the
    detector's white balance would apply, None when it would not: a cast it takes out).

    Parameters
    ----------
    model : SegmixModel (skin), the model the cast is judged for
    image : (H, W, 3) uint8
    labels : (H, W) 1 skin, 0 non-skin
    """
    from segmix import skin_detect

    skin, non = labels == 1, labels == 0
    brightest = image.max(axis=2)
    decision = skin_detect.cast_decision(model, image, skin_detect.with_options(skin_detect.DEFAULT_SETTINGS,
                                                                                 white_balance=True))
    return {"overlap": colour_overlap(image, skin, non), "photo_level": float(np.median(brightest)),
            "skin_level": float(np.median(brightest[skin])) if skin.any() else 255.0,
            # the upper quartile: marks of pale skin that took in dark hair or clothes are not "dark"
            "skin_upper": float(np.percentile(brightest[skin], 75)) if skin.any() else 255.0,
            "cast": [float(g) for g in decision.proposed] if decision.applied else None}


def check_on_marks(trained, initial, photos, max_pixels: int = MAX_PIXELS) -> MarksCheck:
    """Score ``trained`` and ``initial`` with the default detector on the labelled pixels.

    Parameters
    ----------
    trained, initial : segmix.modelfile.SegmixModel (skin)
    photos : sequence of (name, image, labels), or of callables returning one (or None: a
        photo that cannot be read)
        ``image`` (H, W, 3) uint8 RGB as the detector reads it; ``labels`` (H, W) integers, 1
        skin, 0 non-skin, anything else unlabelled (:func:`segmix.skin.read_skin_labels`).
        Photos without a labelled pixel are passed over. A callable is called only for a photo
        judged (the photos are not all held at once).
    max_pixels : int
        Photos are judged in :func:`spread_order` until their pixels reach this: all of them,
        or a sample spread evenly over them.

    Returns
    -------
    MarksCheck
    """
    from segmix import skin, skin_detect

    plain = skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, adapt=False, photo_density=0.0, texture=0.0,
                                     second_pass=0.0, spatial=False)
    out = MarksCheck(np.zeros(3, np.int64), np.zeros(3, np.int64), np.zeros(3, np.int64))
    photos = list(photos)
    out.offered, pixels, judged = len(photos), 0, []
    for index in spread_order(len(photos)):
        if pixels >= max_pixels:
            break
        item = photos[index]() if callable(photos[index]) else photos[index]
        if item is None or not ((item[2] == 0) | (item[2] == 1)).any():
            out.offered -= 1  # unreadable or unlabelled: not a photo the check could judge
            continue
        name, image, labels = item
        pixels += labels.size
        mine = _counts(skin.detect(trained, image).mask, labels)
        theirs = _counts(skin.detect(initial, image).mask, labels)
        judged.append((index, str(name), mine, theirs))
        out.trained += mine
        out.initial += theirs
        out.photos += 1
        marked = int((labels == 1).sum())
        if marked >= MIN_MARKED and mine[0] < FOUND_NONE * marked:
            # the per-pixel rule and the cause: for such photos only (a third detection)
            per_pixel = _counts(skin.detect(trained, image, plain).mask, labels)
            out.per_pixel += per_pixel
            called = per_pixel[0] + per_pixel[1]
            out.none_found.append((index, str(name), per_pixel[0] / marked,
                                   per_pixel[0] / called if called else 0.0, theirs[0] / marked,
                                   photo_cause(trained, image, labels)))
    out.rows = [row[1:] for row in sorted(judged, key=lambda row: row[0])]
    out.none_found = [row[1:] for row in sorted(out.none_found, key=lambda row: row[0])]
    return out


def surely_worse(check: MarksCheck, seed: int = 0) -> bool:
    """Whether the trained model's pooled F1 on the marks is below the initial model's by more
    than :data:`WORSE_BY` and beyond what the photos judged can tell: below it in at least
    :data:`SURE` of :data:`RESAMPLES` resamplings of those photos (a paired bootstrap; one
    photo: its own difference)."""
    if f1_of(check.trained) >= f1_of(check.initial) - WORSE_BY or not check.rows:
        return False
    mine = np.array([row[1] for row in check.rows], np.float64)
    theirs = np.array([row[2] for row in check.rows], np.float64)
    pick = np.random.default_rng(seed).integers(0, len(mine), (RESAMPLES, len(mine)))

    def f1(counts):  # (RESAMPLES, 3) pooled counts -> (RESAMPLES,) F1
        tp, fp, fn = counts[:, 0], counts[:, 1], counts[:, 2]
        return np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)

    below = f1(mine[pick].sum(axis=1)) < f1(theirs[pick].sum(axis=1))
    return float(below.mean()) >= SURE


#: A training photo whose F1 on its own labels falls to at most this share of the starting
#: model's (from at least :data:`HALVED_FROM`) is named, whatever the pooled verdict: a re-check's
#: 16 photos pooled 0.716 against 0.790, not surely worse (77 % of resamples), and said nothing,
#: while ccp_0527 fell 0.883 -> 0.441 and an hgr1 hand 0.881 -> 0.331.
HALVED = 0.5
#: See :data:`HALVED`.
HALVED_FROM = 0.3


def halved(check: MarksCheck) -> list[tuple[str, float, float]]:
    """The judged photos (name, trained F1, initial F1) whose F1 fell to :data:`HALVED` x the
    initial model's or less, from at least :data:`HALVED_FROM`; worst first."""
    rows = [(row[0], f1_of(row[1]), f1_of(row[2])) for row in check.rows]
    return sorted([r for r in rows if r[2] >= HALVED_FROM and r[1] <= HALVED * r[2]], key=lambda r: r[1] - r[2])


def scores_words(check: MarksCheck) -> str:
    """The pooled F1 of both models on the marks and how many photos are lower:
    "F1 0.716 against 0.790, lower on 7 of the 16 photos"."""
    lower = sum(f1_of(mine) < f1_of(theirs) for _, mine, theirs in check.rows)
    return (f"F1 {f1_of(check.trained):.3f} against {f1_of(check.initial):.3f}"
            + (f", lower on {lower} of the {check.photos} photos" if check.photos > 1 else ""))


def judged_words(check: MarksCheck) -> str:
    """"its 25 training photos", "its training photo", or the sample's words naming the photos
    judged when the check judged some of them only."""
    if check.photos == check.offered:
        return "its training photo" if check.photos == 1 else f"its {check.photos} training photos"
    names = [row[0] for row in check.rows]
    shown = ", ".join(names[:NAMED]) + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")
    return (f"{check.photos} of its {check.offered} training photos ({shown}: spread over them by name, as "
            f"judging all would run the detector on more than {MAX_PIXELS / 1e6:g} MP)")


def marks_words(check: MarksCheck, name: str = "the trained model", than: str = "the initial model",
                plain_words: str = "--plain --no-adapt", inverted=(), remedy: str = "--white-balance") -> list[str]:
    """The warnings of a :class:`MarksCheck` (none when the trained model does as well).

    Parameters
    ----------
    check : MarksCheck
    name : str
        The trained model, as the words name it (a file name, "the trained model").
    than : str
        The model it started from ("the built-in model", "the initial model").
    plain_words : str
        How the caller names the per-pixel rule (the command line's options, the window's).
    inverted : collection of str
        The training photos whose masks look inverted (their names as in the check).
    remedy : str
        What turns the white balance on, in the caller's words.

    Returns
    -------
    list of str
    """
    words = []
    if check.photos == 0:
        return words
    f_new, f_old = f1_of(check.trained), f1_of(check.initial)
    if surely_worse(check):
        lower = sum(f1_of(mine) < f1_of(theirs) for _, mine, theirs in check.rows)
        paired = f" (lower on {lower} of the {check.photos} photos)" if check.photos > 1 else ""
        words.append(f"{name} scores F1 {f_new:.3f} on the pixels labelled on {judged_words(check)}, and {than} "
                     f"{f_old:.3f} on the same pixels{paired}: these labels made the detector worse where they "
                     f"were drawn; keep {than}, or label more photos of the kind you will apply it to")
    fell = [row for row in halved(check) if row[0] not in {entry[0] for entry in check.none_found}]
    if fell:
        shown = ", ".join(f"{photo} {mine:.3f} (was {theirs:.3f})" for photo, mine, theirs in fell[:NAMED])
        more = f" and {len(fell) - NAMED} more" if len(fell) > NAMED else ""
        words.append(f"{name} scores half or less of {than}'s F1 on the labels of {shown}{more}: check it on "
                     f"photos of that kind it was not trained on before you use it there")
    for photo, recall, precision, *rest in check.none_found:
        words.append(none_found_words(name, photo, recall, precision, plain_words, than,
                                      rest[0] if rest else None, rest[1] if len(rest) > 1 else None,
                                      inverted, remedy))
    return words


def none_found_words(name: str, photo: str, recall: float, precision: float,
                     plain_words: str = "--plain --no-adapt", than: str = "the initial model",
                     initial_found: float | None = None, cause: dict | None = None, inverted=(),
                     remedy: str = "--white-balance") -> str:
    """Why ``name`` (a trained model) finds none of the skin marked on ``photo`` and what to do:
    ``recall`` and ``precision`` are its per-pixel rule's on that photo's marks. Per pixel it
    takes most of the marked skin and little else: the detector's photo-wide steps removed it
    (apply per pixel). Otherwise the cause ``cause`` (:func:`photo_cause`) and ``inverted``
    (the photos whose masks look inverted) tell, first that holds: this photo's mask inverted;
    another photo's mask inverted (when ``than`` found it); a colour cast (``remedy``); a dim
    photo; marked skin sharing its colours with the non-skin marked (:data:`OVERLAP`: mark bare
    skin only); skin of a dark tone; the training's doing (``than`` found it); else that the
    model cannot find it. A trial was told "mark bare skin only" of a dim copy, a cool copy
    and a dark-toned man, all marked bare, and of a photo whose skin another photo's inverted
    mask had taught the model as non-skin. ``initial_found``: the share of that skin ``than``
    found, said beside; None: not said."""
    cause = cause or {}
    others = sorted(n for n in inverted if n != photo)
    found_before = initial_found is not None and initial_found >= FOUND_NONE
    per_pixel = f"per pixel ({plain_words}) it takes {recall:.0%} of that skin, and {precision:.0%} of what it takes there is marked skin"
    if photo in inverted:
        # First: with an inverted mask the "skin" its colours take is the mask's background (a
        # re-check's wall, --inverted-ok, was to be applied per pixel as skin).
        why = f"{per_pixel}; its mask looks inverted (skin marked 0): invert it and train again"
    elif recall >= PER_PIXEL_USABLE and precision >= PER_PIXEL_USABLE:
        why = (f"its colours alone, per pixel ({plain_words}), take {recall:.0%} of that skin, and of what they "
               f"take there {precision:.0%} is marked skin: the detector's photo-wide steps (the adaptation to the "
               f"photo, the texture cue, the second pass) learn the photo's own colours and removed it; apply this "
               f"model with {plain_words} to such photos")
    elif others and found_before:
        why = (f"{per_pixel}; the mask{'s' if len(others) > 1 else ''} of {', '.join(others)} look"
               f"{'' if len(others) > 1 else 's'} inverted and taught the model skin as non-skin: invert "
               f"{'them' if len(others) > 1 else 'it'} and train again")
    elif cause.get("cast") is not None:
        from segmix.white_balance import cast_words

        why = (f"{per_pixel}; the photo has {cast_words(np.asarray(cause['cast']))}, which moves its skin's colours "
               f"away from skin's: apply with {remedy}, which takes it out before the colours are scored")
    elif cause.get("photo_level", 255) < DIM_PHOTO and cause.get("skin_level", 255) < DIM_SKIN:
        why = (f"{per_pixel}; the photo is dim (the median of its pixels' brightest channel {cause['photo_level']:.0f} "
               f"of 255, of its marked skin {cause['skin_level']:.0f}), which darkens its skin towards the "
               f"shadows' and clothes' colours: expose it brighter, or mark photos exposed as those you will apply "
               f"the model to")
    elif cause.get("skin_upper", 255) < DARK_SKIN:
        why = (f"{per_pixel}; the skin marked there is of a dark tone (the median of its brightest channel "
               f"{cause['skin_level']:.0f} of 255, its upper quartile {cause['skin_upper']:.0f}) close to the dark clothes, hair and shadows around it, which the "
               f"model cannot tell apart from it; more marked photos of such skin may help")
    elif cause.get("overlap", 0.0) >= OVERLAP:  # not claimed unless measured
        why = (f"{per_pixel}; {cause['overlap']:.0%} of the skin marked there has colours the non-skin "
               f"marked there has as often or more (dark hair, beard, clothes or shadow of the skin's tone), which no colour model "
               f"tells apart; mark bare skin only, leaving out hair, beard and glasses")
    elif found_before:
        why = (f"{per_pixel}; {than} found it: the other photos' labels moved the model away from this skin's "
               f"colours (non-skin of its colours there); check those labels, or keep {than}")
    elif cause:
        why = (f"{per_pixel}; the photo is neither dim nor cast and its marks are not mixed: the model cannot find "
               f"skin of these colours here")
    else:
        why = f"{per_pixel}: the model cannot find skin of these colours here"
    before = ""
    if initial_found is not None:
        before = (f" ({than} finds none of it either)" if initial_found < FOUND_NONE
                  else f" ({than} finds {initial_found:.0%} of it)")
    return f"{name} finds none of the skin marked on {photo} with the default detector{before}: {why}"


def per_pixel_on_marks(model, image: np.ndarray, skin: np.ndarray, non_skin: np.ndarray) -> tuple[float, float]:
    """(recall, precision) of ``model``'s per-pixel rule (p(skin) above its threshold, the photo
    as stored) on the (H, W) bool ``skin`` / ``non_skin`` marks of ``image`` (H, W, 3) uint8."""
    from segmix import skin as skin_lib, skin_detect

    plain = skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, adapt=False, photo_density=0.0, texture=0.0,
                                     second_pass=0.0, spatial=False)
    called = skin_lib.detect(model, image, plain).mask
    tp, fp = int((called & skin).sum()), int((called & non_skin).sum())
    marked = int(skin.sum())
    return (tp / marked if marked else 0.0), (tp / (tp + fp) if tp + fp else 0.0)
