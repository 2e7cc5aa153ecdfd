"""A trained skin model judged on the marks it was trained on, beside the model it started from.

A trial (session 57) trained on the marks of one photo (a dark-toned man before grey stone,
``skin train --init builtin``, and the window's Train from the built-in model) and got a model
whose default detector found none of the skin marked on that very photo, without a word; and
strokes on another photo gave a model that scored below the built-in one on those strokes
(F1 0.914 -> 0.893; with a second photo's strokes 0.561). The training said only how far the
Gaussians moved. This module runs the default detector with both models on (a few of) the
training photos and compares them on the labelled pixels themselves, so the user is told:

- when the trained model does worse on its own marks than the model it started from (keep
  that one), and
- when it finds (almost) none of the skin marked on a photo, and why: whether the colours
  alone, scored per pixel, take the marked skin (then the detector's photo-wide steps, which
  learn each photo's own colours, removed it: apply with the per-pixel rule) or not (the
  marked skin shares its colours with the marked non-skin: mark bare skin only).
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
#: The photos judged at most (evenly spaced over the training photos): the check runs the
#: detector three times a photo.
MAX_PHOTOS = 6


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
        second pass: ``--plain --no-adapt``).
    photos : int
        Photos judged.
    none_found : list of (name, per-pixel recall, per-pixel precision, initial's share found)
        Photos with marked skin of which the trained model's default detector found less than
        :data:`FOUND_NONE`, with what its per-pixel rule does on that photo's marks and the share
        of that skin the initial model's default detector found.
    """

    trained: np.ndarray
    initial: np.ndarray
    per_pixel: np.ndarray
    photos: int = 0
    none_found: list = field(default_factory=list)


def f1_of(counts) -> float:
    """F1 of (tp, fp, fn) counts; 0 with nothing found or marked."""
    tp, fp, fn = (float(c) for c in counts)
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _counts(mask: np.ndarray, labels: np.ndarray) -> np.ndarray:
    skin, non = labels == 1, labels == 0
    return np.array([(mask & skin).sum(), (mask & non).sum(), (~mask & skin).sum()], np.int64)


def _spread(items: list, n: int) -> list:
    if len(items) <= n:
        return list(items)
    return [items[i] for i in np.linspace(0, len(items) - 1, n).round().astype(int)]


def check_on_marks(trained, initial, photos, max_photos: int = MAX_PHOTOS) -> MarksCheck:
    """Score ``trained`` and ``initial`` with the default detector on the labelled pixels.

    Parameters
    ----------
    trained, initial : segmix.modelfile.SegmixModel (skin)
    photos : sequence of (name, image, labels)
        ``image`` (H, W, 3) uint8 RGB as the detector reads it; ``labels`` (H, W) integers, 1
        skin, 0 non-skin, anything else unlabelled (:func:`segmix.skin.read_skin_labels`).
        Photos without a labelled pixel are passed over.
    max_photos : int
        At most this many photos are judged, evenly spaced over ``photos``.

    Returns
    -------
    MarksCheck
    """
    from segmix import skin, skin_detect

    plain = skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, adapt=False, photo_density=0.0, texture=0.0,
                                     second_pass=0.0, spatial=False)
    out = MarksCheck(np.zeros(3, np.int64), np.zeros(3, np.int64), np.zeros(3, np.int64))
    usable = [p for p in photos if ((p[2] == 0) | (p[2] == 1)).any()]
    for name, image, labels in _spread(usable, max_photos):
        mine = _counts(skin.detect(trained, image).mask, labels)
        out.trained += mine
        theirs = _counts(skin.detect(initial, image).mask, labels)
        out.initial += theirs
        marked = int((labels == 1).sum())
        per_pixel = _counts(skin.detect(trained, image, plain).mask, labels)
        out.per_pixel += per_pixel
        out.photos += 1
        if marked >= MIN_MARKED and mine[0] < FOUND_NONE * marked:
            called = per_pixel[0] + per_pixel[1]
            out.none_found.append((str(name), per_pixel[0] / marked, per_pixel[0] / called if called else 0.0,
                                   theirs[0] / marked))
    return out


def marks_words(check: MarksCheck, name: str = "the trained model", than: str = "the initial model",
                plain_words: str = "--plain --no-adapt") -> list[str]:
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

    Returns
    -------
    list of str
    """
    words = []
    if check.photos == 0:
        return words
    f_new, f_old = f1_of(check.trained), f1_of(check.initial)
    of = "its training photo" if check.photos == 1 else f"{check.photos} of its training photos"
    if f_new < f_old - WORSE_BY:
        words.append(f"{name} scores F1 {f_new:.3f} on the pixels labelled on {of}, and {than} {f_old:.3f} on the "
                     f"same pixels: these labels made the detector worse where they were drawn; keep {than}, or "
                     f"label more photos of the kind you will apply it to")
    for photo, recall, precision, *initial in check.none_found:
        words.append(none_found_words(name, photo, recall, precision, plain_words, than,
                                      initial[0] if initial else None))
    return words


def none_found_words(name: str, photo: str, recall: float, precision: float,
                     plain_words: str = "--plain --no-adapt", than: str = "the initial model",
                     initial_found: float | None = None) -> str:
    """Why ``name`` (a trained model) finds none of the skin marked on ``photo`` and what to do:
    ``recall`` and ``precision`` are its per-pixel rule's on that photo's marks. Per pixel it
    takes most of the marked skin and little else: the detector's photo-wide steps removed it
    (apply per pixel); otherwise the marked skin and non-skin share their colours (mark bare
    skin only). ``initial_found``: the share of that skin the model it started from (``than``)
    found, said beside (a re-check read "finds none" as the labels' doing where the built-in
    model found none either); None: not said."""
    if recall >= PER_PIXEL_USABLE and precision >= PER_PIXEL_USABLE:
        why = (f"its colours alone, per pixel ({plain_words}), take {recall:.0%} of that skin, and of what they "
               f"take there {precision:.0%} is marked skin: the detector's photo-wide steps (the adaptation to the "
               f"photo, the texture cue, the second pass) learn the photo's own colours and removed it; apply this "
               f"model with {plain_words} to such photos")
    else:
        why = (f"per pixel ({plain_words}) it takes {recall:.0%} of that skin, but only {precision:.0%} of what it "
               f"takes there is marked skin: the skin marked there shares its colours with the non-skin marked (dark "
               f"hair, beard, clothes or shadow of the skin's tone), which no colour model tells apart; mark bare "
               f"skin only, leaving out hair, beard and glasses")
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
