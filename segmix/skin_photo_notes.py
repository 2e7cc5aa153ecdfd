"""Notes on how a photo's exposure or content bears on its skin mask (``skin apply``).

A new user's trial (session 56) found three kinds of photo whose masks came out wrong without
a word on the command line:

- a dim photo lifted by the exposure lift (:mod:`segmix.exposure`): the window said "A dim
  photo: its colours were scored lifted 1.24x (the exposure lift)", ``skin apply`` nothing;
- an over-exposed photo (ccp_0630 x 1.6: 32 % of its pixels with a channel at 255, F1 0.456 ->
  0.124; ccp_0556's face lost): skin colour is lost where a channel clips;
- a photo filled with a surface of skin colour (terracotta tiles 92.8 % skin, synthetic wood
  grain 100 %), while sand (98.1 %) was noted only as "one tone".

The shares are chosen from the dev photos (docs/skin_development.md, "Notes for lifted,
clipped and skin-filled photos").
"""
from __future__ import annotations

import numpy as np

__all__ = ["CLIPPED_SHARE", "SKIN_FILLED_SHARE", "WARM_GREY_WORLD", "WARM_WHITE_PATCH", "clipped_share",
           "clipped_words", "lifted_words", "skin_filled_words", "warm_cast_words", "warm_casts"]

#: A photo with at least this share of its (visible) pixels clipped in one or two channels (a
#: colour lost, :func:`clipped_share`) is noted as clipped. Pure white (all three at 255) is not
#: counted: at first (any channel at 255, 0.30) 17 of the first 20 SFA val photos, portraits on a
#: white backdrop, were told they were over-exposed, 40 of 111 in all (session 56). This share on
#: dev photos: ccp largest 0.070 (150 photos), hgr1 0.002 (150); the trial's x1.6 ccp photos 0.121
#: (noted) and 0.064 (not: within normal street photos); SFA val 12 of 111 at 0.10 or more (studio
#: light clips the faces' highlights), abdomen val 2 of 31.
CLIPPED_SHARE = 0.10

#: A photo whose mask marks at least this share of its (visible) pixels skin gets the note of
#: :func:`skin_filled_words`. Of the built-in detector's masks on dev photos: ccp at most 0.537
#: (100 photos), hgr1 0.748 (100), SFA val 0.534 (56); abdomen val close-ups, mostly skin,
#: 12 of 61 (hence a question); the trial's terracotta 0.928, wood 1.0, sand 0.981.
SKIN_FILLED_SHARE = 0.80


def lifted_words(gain: float) -> str:
    """The words for a photo the exposure lift scored lifted by ``gain`` (> 1): Skin mode's
    status line and ``skin apply`` say them alike (capitalised where they start a line)."""
    return f"a dim photo: its colours were scored lifted {gain:.2f}x (the exposure lift)"


def clipped_share(image: np.ndarray, transparent: np.ndarray | None = None) -> float:
    """The share of ``image``'s pixels with one or two channels at 255 (over-exposed: their
    colour is lost). Pure white is left out: a white backdrop has no colour to lose.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    transparent : (H, W) bool, optional
        Pixels left out (fully transparent).

    Returns
    -------
    float in [0, 1]; 0.0 for an image without visible pixels.
    """
    image = np.asarray(image)
    if image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3:
        # One pass over the pixels (segmix.kernels.photo_checks): the (H, W, 3) comparison and
        # its any / all along the channels were a quarter of the plain rule's time. The share
        # is the same float: a mean of booleans is their exact count over their number.
        from segmix.kernels.photo_checks import clipped_count

        hidden = (np.zeros(0, bool) if transparent is None
                  else np.ascontiguousarray(np.asarray(transparent, bool)).reshape(-1))
        if hidden.size and hidden.size != image.shape[0] * image.shape[1]:
            raise ValueError(f"transparent pixels of shape {np.shape(transparent)} for an image of {image.shape[:2]}")
        clipped, visible = clipped_count(image.reshape(-1, 3), hidden)
        return clipped / visible if visible else 0.0
    at_top = image >= 255
    clipped = at_top.any(axis=-1) & ~at_top.all(axis=-1)
    if transparent is not None:
        clipped = clipped[~np.asarray(transparent, bool)]
    return float(clipped.mean()) if clipped.size else 0.0


def clipped_words(share: float) -> str | None:
    """A note for a photo whose :func:`clipped_share` is ``share``, or None below
    :data:`CLIPPED_SHARE`."""
    if not share >= CLIPPED_SHARE:
        return None
    return (f"{100 * share:.0f} % of its pixels are clipped (one or two channels at 255: over-exposed?): skin colour "
            "is lost where the photo is clipped, and skin there may be missed")


def skin_filled_words(share: float) -> str | None:
    """A note for a photo whose mask marks ``share`` of its pixels skin, or None below
    :data:`SKIN_FILLED_SHARE`. A question: close-ups of skin are mostly skin."""
    if not share >= SKIN_FILLED_SHARE:
        return None
    return (f"{100 * share:.0f} % of this photo came out skin: a surface of skin colour (wood, sand, tiles, a wall)? "
            "Right for a close-up of skin; else the mask marks the surface")


#: A warm cast is noted (:func:`warm_cast_words`) when the grey world (the mean linear R over the
#: mean linear B, natural log) and the white patch (their 99th percentiles' ratio) both reach
#: these, and the detector's white balance would correct a warm cast there. Measured (session 58,
#: every other photo: ccp 350, hgr1 299): grey world 95th percentile 0.33 (ccp) and 1.17 (hgr1,
#: hands filling the photo), white patch 0.14 / 0.85; the balance alone corrects a warm cast in
#: 1.4 % / 1.3 % of them; all three tests together fire on none (0 of 649). The trial's warm copies
#: (x(1.15, 1, 0.75)) ccp_0250 0.98 / 0.66 and hgr1 id06_1 0.94 / 0.85: noted (F1 0.230 -> 0.132
#: and 0.826 -> 0.638 without the balance; with --white-balance 0.524 / 0.916).
WARM_GREY_WORLD = 0.7
#: See :data:`WARM_GREY_WORLD`.
WARM_WHITE_PATCH = 0.4


def _red_and_blue(image: np.ndarray, transparent: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Linear R and B (N,) float of ``image`` on a grid of about 256 x 256 pixels, without the
    ``transparent`` ones (green is not read: the casts' ratios do not use it)."""
    from segmix.white_balance import _LINEAR

    step = max(1, int(np.sqrt(image.shape[0] * image.shape[1] / 256 ** 2)))
    red, blue = image[::step, ::step, 0], image[::step, ::step, 2]
    if transparent is not None:
        kept = ~np.asarray(transparent, bool)[::step, ::step]
        red, blue = red[kept], blue[kept]
    return _LINEAR[red.ravel()], _LINEAR[blue.ravel()]


def _log_ratio(red: float, blue: float) -> float:
    tiny = 1e-6
    return float(np.log(max(red, tiny) / max(blue, tiny)))


def warm_casts(image: np.ndarray, transparent: np.ndarray | None = None) -> tuple[float, float]:
    """(grey world, white patch) of ``image`` (H, W, 3) uint8: the natural log of linear R over
    linear B, of the means and of the 99th percentiles, on a grid of about 256 x 256 pixels
    (``transparent`` (H, W) bool pixels left out); (0, 0) without pixels."""
    red, blue = _red_and_blue(image, transparent)
    if not len(red):
        return 0.0, 0.0
    return (_log_ratio(red.mean(), blue.mean()),
            _log_ratio(np.percentile(red, 99), np.percentile(blue, 99)))


def warm_cast_words(model, image: np.ndarray, settings=None, transparent: np.ndarray | None = None,
                    remedy: str = "--white-balance") -> str | None:
    """A note for a photo scored without the white balance that has a warm (orange) cast by the
    grey world and the white patch (:data:`WARM_GREY_WORLD`, :data:`WARM_WHITE_PATCH`) and that
    the balance would correct as one; None otherwise (the balance on, or no such cast). The
    cool and green casts' hint is said when the mask is (nearly) empty
    (:func:`segmix.skin.unused_cast`); a warm cast moves colours towards skin's and leaves a
    mask, wrong (ccp_0250 warm: F1 0.230 -> 0.132), without a word until session 58. Costs the
    grid's two ratios (a few ms), and one cast decision (about 14 ms) for photos past them.

    Parameters
    ----------
    model : SegmixModel (skin)
    image : (H, W, 3) uint8 RGB, as the detector scored it
    settings : SkinSettings or None (the default)
    transparent : (H, W) bool or None
    remedy : str
        What turns the balance on, in the caller's words.
    """
    from dataclasses import replace

    from segmix import skin_detect
    from segmix.white_balance import cast_words

    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    if settings.white_balance or image.ndim != 3:
        return None
    # The grey world first: it rules out nearly every photo (its 95th percentile 0.33 on street
    # photos), and the percentiles are most of this note's cost on the plain per-pixel path.
    red, blue = _red_and_blue(image, transparent)
    if not len(red):
        return None
    grey = _log_ratio(red.mean(), blue.mean())
    if grey < WARM_GREY_WORLD:
        return None
    white = _log_ratio(np.percentile(red, 99), np.percentile(blue, 99))
    if white < WARM_WHITE_PATCH:
        return None
    decision = skin_detect.cast_decision(model, image, replace(settings, white_balance=True), transparent)
    if decision is None or not decision.applied or cast_words(decision.proposed) != "a warm (orange) cast":
        return None
    return (f"it has a warm (orange) cast (red over blue {np.exp(grey):.2f}x on average, {np.exp(white):.2f}x in its "
            f"brightest parts), which moves colours towards skin's: {remedy} takes it out before the colours "
            f"are scored")
