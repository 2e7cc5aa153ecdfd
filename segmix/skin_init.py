"""Training from labelled photos that starts from a skin model (``segmix skin train --init``).

A user's 20-40 labelled photos of one scene (their hands on their desk, their camera's white
balance) hold a few tones and colours. A model fitted on them alone knows only those; the
built-in model's paler and darker tone Gaussians (:func:`segmix.skin.train_builtin_model`) and
its detector settings are lost. Here the skin and non-skin mixtures of an initial model (the
built-in one, or a model file) are instead adapted to the labelled pixels by MAP adaptation
(Reynolds, Quatieri & Dunn, "Speaker verification using adapted Gaussian mixture models", DSP
2000): each Gaussian moves by ``n_k / (n_k + relevance)`` towards the labelled pixels'
weighted statistics (n_k = pixels it is responsible for), the same step
(:func:`segmix.skin_detect.map_adapt`) the detector takes per photo. The skin side's fixed
Gaussians (``training["core_skin_components"]``: the built-in model's tone ladder and dark
tone curve) do not move; the model's prior, threshold and detector keys are kept.

The relevance factor is in pixels, so a photo set's weight against the initial model grows
with its pixel count: chosen by measurement (docs/skin_development.md, "Training from
labelled photos: starting from the built-in model").
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

#: The relevance factor of ``skin train --init`` (pixels): docs/skin_development.md,
#: "Training from labelled photos: starting from the built-in model".
DEFAULT_RELEVANCE = 1e6

#: The relevance factor of the window's Train from a model (pixels): a training set of scribbles
#: holds a few thousand to a hundred thousand pixels, against which DEFAULT_RELEVANCE moves
#: nothing (n / (n + r) < 0.01). Of 1e3 .. 3e4 and 0.1 x the marked pixels, measured on simulated
#: scribbles of 3 photos (docs/skin_development.md, "The window's Train: starting from the
#: built-in model"), the one whose held-out F1 beats the window's new fit on both hgr1 and ccp.
SCRIBBLE_RELEVANCE = 1e4

#: The largest share of the way to the labelled skin (n / (n + relevance)) under which ``skin train
#: --init`` (and the window's Train from a model) says the model barely moved: 48,000 skin pixels of
#: two photos against the default relevance moved it 0.05 at most, and it missed the skin of a photo
#: it was trained on (F1 0.000; 0.903 with --relevance 1e4), with only the note to say so (a
#: re-check, session 55).
ADAPTED_LITTLE = 0.1

#: The name ``--init`` takes for the built-in model.
BUILTIN_NAME = "builtin"

__all__ = ["DEFAULT_RELEVANCE", "SCRIBBLE_RELEVANCE", "BUILTIN_NAME", "MONK_TONES", "adapt_skin_model", "load_init_model", "tone_chart",
           "lost_tones", "lost_tones_words"]

#: The Monk Skin Tone scale MST-1 .. MST-10, the sRGB values published with the scale (Monk,
#: 2019; skintone.google), as in ../shared/cases/c20_skin_tones and tests/test_skin_detect.py.
MONK_TONES = ("f6ede4", "f3e7db", "f7ead0", "eadaba", "d7bd96", "a07e56", "825c43", "604134", "3a312a", "292420")
#: The chart's non-skin materials (the case's): beige wall, light wood, dark wood, sand, sky,
#: grass, white, grey.
CHART_MATERIALS = ((225, 205, 170), (193, 154, 107), (101, 67, 33), (214, 190, 150), (135, 206, 235),
                   (60, 140, 60), (245, 245, 245), (128, 128, 128))


def load_init_model(init):
    """The model ``skin train --init`` starts from.

    Parameters
    ----------
    init : str or path-like
        ``"builtin"`` (the built-in model) or a skin model file ``skin train`` wrote.

    Returns
    -------
    segmix.modelfile.SegmixModel of kind "skin"

    Raises
    ------
    ValueError
        One line naming ``--init`` and the file: an unknown name that is no file, an unreadable
        or invalid file, a segmentation model.
    """
    from segmix import skin

    text = str(init)
    if text == BUILTIN_NAME:
        return skin.load_skin_model()
    path = Path(text)
    if not path.exists():
        raise ValueError(f"--init {text}: no such file, and not {BUILTIN_NAME!r} (the built-in model); give "
                         f"--init {BUILTIN_NAME} or a skin model file (MODEL.json) that skin train wrote")
    if path.is_dir():
        raise ValueError(f"--init {text}: is a folder; give --init {BUILTIN_NAME} or a skin model file (MODEL.json)")
    try:
        return skin.load_skin_model(path, segmentation_hint="--init takes a skin model")
    except ValueError as exc:
        words = str(exc)
        return _raise(f"--init {words}" if words.startswith(text) else f"--init {text}: {words}")


def _raise(message: str):
    raise ValueError(message)


def _check_relevance(relevance) -> float:
    from segmix.arguments import as_number, string_hint

    value = as_number(relevance)
    if not (value > 0 and np.isfinite(value)):
        raise ValueError(f"relevance must be a finite number > 0 (pixels); got {relevance!r}{string_hint(relevance)}")
    return float(value)


def adapt_skin_model(init, counts, relevance: float = DEFAULT_RELEVANCE, *, prior: float | None = None,
                     threshold: float | None = None, init_name: str = BUILTIN_NAME, luma_floor: float = 0.0):
    """A skin model adapted from ``init`` to labelled colours by one MAP step per class.

    Parameters
    ----------
    init : segmix.modelfile.SegmixModel
        The initial skin model (:func:`load_init_model`).
    counts : segmix.skin.ColorCounts
        Labelled colours; both classes must be present.
    relevance : float > 0
        Relevance factor r in pixels: a Gaussian responsible for n_k of the labelled pixels
        moves n_k / (n_k + r) of the way to their statistics (weight, mean, covariance).
    prior, threshold : float, optional
        p(skin) and the decision threshold of the result; None keeps ``init``'s.
    init_name : str
        How the result's record names ``init`` ("builtin" or the file's name).
    luma_floor : float >= 0
        As :func:`segmix.skin_detect.map_adapt`'s, for the skin core (0 = off).

    Returns
    -------
    segmix.modelfile.SegmixModel
        Same features, class layout, fixed skin Gaussians, prior and threshold (unless given)
        and detector keys as ``init``; mixtures in full covariance. ``training["data"]`` is
        this training's data; ``training["adapted_from"]`` records the initial model, its
        data, ``relevance``, the pixels of each class and the Monk tones lost
        (``lost_tones``, :func:`lost_tones`).

    Raises
    ------
    ValueError
        A class without pixels, or a parameter out of range, named.
    """
    from segmix import __version__, skin
    from segmix.bayes import BayesClassifier
    from segmix.mixture import GaussianMixture
    from segmix.skin_detect import _adapt_core, _core_count, _full_params, check_skin_model, map_adapt

    check_skin_model(init, "init")
    r = _check_relevance(relevance)
    if counts.n_skin == 0 or counts.n_non_skin == 0:
        raise ValueError(f"adapting a model needs both skin and non-skin pixels; got {counts.n_skin:,} skin and "
                         f"{counts.n_non_skin:,} non-skin from {skin._describe_sources(counts.sources)}")
    pos = init.positive_class
    mixtures = list(init.classifier.mixtures)
    moved = {}
    for cls_index, index in ((skin.SKIN, pos), (skin.NON_SKIN, 1 - pos)):
        colors, weights = counts.class_colors(cls_index)
        X, w = skin._binned_features(colors, weights, init.features)
        gmm = mixtures[index]
        params = _full_params(gmm)
        if cls_index == skin.SKIN:
            n_core = _core_count(init, params[0].size)
            # reg_by_share: the initial covariances hold their fit's regularisation already
            adapted = _adapt_core(X, w, params, n_core, r, luma_floor=luma_floor, reg_by_share=True)
            total = params[0][:n_core].sum()
            moving = (params[0][:n_core] / total, params[1][:n_core], params[2][:n_core])
        else:
            adapted = map_adapt(X, w, params, r, reg_by_share=True)
            moving = params
        # How far each moving Gaussian went (its alpha), for the record: the user's data's say.
        moved[skin.CLASS_NAMES[cls_index]] = [round(float(a), 4) for a in _alphas(X, w, moving, r)]
        data = gmm.to_dict()
        data.update(n_components=int(adapted[0].size), covariance_type="full", weights=adapted[0].tolist(),
                    means=adapted[1].tolist(), covariances=adapted[2].tolist())
        mixtures[index] = GaussianMixture.from_dict(data)
    priors = list(init.classifier.priors)
    if prior is not None:
        priors[pos], priors[1 - pos] = float(prior), 1.0 - float(prior)
    classifier = BayesClassifier(mixtures, priors, list(init.classifier.class_names))
    before = dict(init.training) if isinstance(init.training, dict) else {}
    training = dict(before)
    training.update({
        "segmix_version": __version__,
        skin.TRAINED_FORMAT_KEY: skin.TRAINED_FORMAT,
        "data": {"sources": counts.sources, "skin_pixels": counts.n_skin, "non_skin_pixels": counts.n_non_skin,
                 "distinct_colors": int(counts.codes.size)},
        "prior": float(priors[pos]),
        "prior_from_data": counts.n_skin / (counts.n_skin + counts.n_non_skin),
        "adapted_from": {
            "model": init_name,
            "method": "MAP adaptation, one step per class (Reynolds, Quatieri & Dunn 2000)",
            "relevance": r,
            "skin_pixels": counts.n_skin,
            "non_skin_pixels": counts.n_non_skin,
            "alpha": moved,
            "initial_data": before.get("data"),
            "initial_prior": float(init.classifier.priors[pos]),
            "initial_threshold": float(init.threshold),
        },
    })
    if "adapted_from" in before:  # adapted again: the chain is kept, not lost
        training["adapted_from"]["initial_adapted_from"] = before["adapted_from"]
    adapted = replace(init, classifier=classifier, training=training,
                      threshold=float(init.threshold) if threshold is None else float(threshold))
    # What the labelled pixels took from the initial model, kept with the model: ``skin train``
    # and the window's Train warn of it from here (the window's on its compute thread).
    training["adapted_from"]["lost_tones"] = lost_tones(init, adapted)
    return adapted


def tone_chart() -> np.ndarray:
    """The Monk chart of ../shared/cases/c20_skin_tones: (80, 360, 3) uint8, 18 patches of
    40 x 40 (the 10 tones, then the 8 materials, row by row, 9 a row), noise sigma 3, seed 0."""
    return _patch_chart(list(CHART_MATERIALS), rows=2, fill=0.0)


def _patch_chart(others, rows: int, fill: float) -> np.ndarray:
    """(40 x rows, 360, 3) uint8: the Monk tones then ``others`` (RGB triples) as 40 x 40 patches,
    9 a row, on ``fill``, noise sigma 3, seed 0."""
    colours = [tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) for h in MONK_TONES] + list(others)
    image = np.full((40 * rows, 360, 3), fill)
    for i, colour in enumerate(colours):
        row, col = divmod(i, 9)
        image[row * 40:(row + 1) * 40, col * 40:(col + 1) * 40] = colour
    image = np.clip(image + np.random.default_rng(0).normal(0, 3, image.shape), 0, 255)
    return image.round().astype(np.uint8)


def tone_shares(model) -> np.ndarray:
    """(10,) float64: the share of each Monk tone's patch of :func:`tone_chart` that the default
    detector marks as skin with ``model``."""
    from segmix import skin

    mask = skin.detect(model, tone_chart()).mask
    return np.array([mask[(i // 9) * 40:(i // 9 + 1) * 40, (i % 9) * 40:(i % 9 + 1) * 40].mean() for i in range(10)])


def lost_tones(init, adapted, share: float = 0.9) -> list[str]:
    """The Monk tones ("MST-1" .. "MST-10") that ``init`` detects on at least ``share`` of their
    patch of :func:`tone_chart` and ``adapted`` does not: what a photo set took from the initial
    model (30 street photos' white walls and shirts took MST-1 and MST-2 at every relevance
    tried; docs/skin_development.md)."""
    before, after = tone_shares(init), tone_shares(adapted)
    return [f"MST-{i + 1}" for i in range(10) if before[i] >= share > after[i]]


def lost_tones_words(name, lost, than: str = "the initial model does", cure: str = "") -> str:
    """The warning of a trained model (``skin train``, with or without ``--init``, or the
    window's Train) that no longer detects the Monk tones ``lost`` (:func:`lost_tones`);
    ``name``: the model's file or how the window names it; ``than``: the model it is judged
    against; ``cure``: what to do instead ("; or ..."), if anything."""
    return (f"{name}: no longer detects {', '.join(lost)} of the Monk skin tone chart ({than}): the "
            f"labelled photos moved it away from those tones (non-skin of their colours, as white walls and clothes "
            f"for the palest, or skin of other tones only); check it on photos of people of those tones before use{cure}")


def _alphas(X, w, params, relevance: float) -> np.ndarray:
    """n_k / (n_k + r) of each Gaussian of ``params`` on the weighted data (the whole mixture's
    responsibilities)."""
    from segmix.skin_detect import _component_log_pdf, _logsumexp

    weights, means, covs = params
    with np.errstate(divide="ignore"):
        log_resp = _component_log_pdf(X, means, covs) + np.log(weights)
    nk = (np.exp(log_resp - _logsumexp(log_resp)[:, None]) * w[:, None]).sum(axis=0)
    return nk / (nk + relevance)


#: Common surfaces a skin model must not call skin (besides the Monk tones): the chart's
#: materials and whites, greys and black. The "calls non-skin colours skin" check of
#: segmix.skin.skin_model_doubt judged saturated greens and blues only, and a model of 15 hgr1
#: photos (--init builtin --relevance 1e3) called the chart's white 100 % skin in silence.
SURFACES = (("white", (245, 245, 245)), ("light grey", (200, 200, 200)), ("grey", (128, 128, 128)),
            ("dark grey", (60, 60, 60)), ("black", (15, 15, 15)), ("beige wall", (225, 205, 170)),
            ("light wood", (193, 154, 107)), ("dark wood", (101, 67, 33)), ("sand", (214, 190, 150)),
            ("sky", (135, 206, 235)), ("grass", (60, 140, 60)))


def surface_chart() -> np.ndarray:
    """(120, 360, 3) uint8: the Monk tones (first row and the start of the second) and
    :data:`SURFACES` (the rest, in order), 40 x 40 patches, 9 a row, noise sigma 3, seed 0; the
    slots left over are mid grey."""
    return _patch_chart([c for _, c in SURFACES], rows=3, fill=128.0)


def surface_shares(model) -> np.ndarray:
    """(len(SURFACES),) float64: the share of each surface's patch of :func:`surface_chart` that
    the default detector marks as skin with ``model``."""
    from segmix import skin

    mask = skin.detect(model, surface_chart()).mask
    first = len(MONK_TONES)
    return np.array([mask[(i // 9) * 40:(i // 9 + 1) * 40, (i % 9) * 40:(i % 9 + 1) * 40].mean()
                     for i in range(first, first + len(SURFACES))])


def surfaces_called_skin(init, trained, share: float = 0.5) -> list[str]:
    """The :data:`SURFACES` (by name) that ``trained`` marks as skin on at least ``share`` of
    their patch and ``init`` (the model it replaces: the built-in one, or ``--init``'s) on less."""
    before, after = surface_shares(init), surface_shares(trained)
    return [name for (name, _), b, a in zip(SURFACES, before, after) if a >= share > b]
