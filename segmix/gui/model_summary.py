"""What the model panel shows about a trained model (no Qt here).

This is the ONE place that knows how a SegmentationModel exposes its mixtures: the EM model
gives per-class component weights and mean colours in sRGB through
``SegmentationModel.class_swatches()`` (alias ``class_components_rgb``).
"""

from __future__ import annotations

import numpy as np

Swatch = tuple[tuple[int, int, int], float]  # (RGB 0..255, weight)


def _as_rgb255(means: np.ndarray) -> np.ndarray:
    means = np.atleast_2d(np.asarray(means, dtype=np.float64))[:, :3]
    if means.size and means.max() <= 1.0 + 1e-9:
        means = means * 255.0
    return np.clip(np.round(means), 0, 255).astype(int)


def class_swatches(model) -> list[list[Swatch]]:
    """Colour swatches of each class's mixture, heaviest component first.

    Parameters
    ----------
    model : SegmentationModel

    Returns
    -------
    list of two lists (foreground, background) of ((r, g, b), weight); weights sum to 1.
    """
    # Preferred: a model that reports its components in RGB directly.
    getter = getattr(model, "class_components_rgb", None)
    if callable(getter):
        per_class = getter()  # [(weights (K,), means_rgb (K, 3) uint8/float)] per class
    else:
        per_class = []
        weights_by_class = getattr(model, "weights", None)
        for index, means in enumerate(model.means):
            means = np.atleast_2d(np.asarray(means, dtype=np.float64))
            if weights_by_class is not None and index < len(weights_by_class):
                weights = np.asarray(weights_by_class[index], dtype=np.float64).ravel()
            else:
                weights = np.full(len(means), 1.0 / len(means))
            per_class.append((weights, means))
    swatches = []
    for weights, means in per_class:
        weights = np.asarray(weights, dtype=np.float64).ravel()
        rgb = _as_rgb255(means)
        total = weights.sum() or 1.0
        order = np.argsort(-weights, kind="stable")
        swatches.append([(tuple(int(v) for v in rgb[k]), float(weights[k] / total)) for k in order])
    return swatches
