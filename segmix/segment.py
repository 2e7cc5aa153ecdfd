"""Scribbles -> class mixtures -> posterior map -> (smoothed) foreground mask.

PROVISIONAL: the signatures below are the contract the GUI, the CLI and the library share.
The bodies are a plain single-Gaussian placeholder until the EM engine and the graph cut land.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import numpy as np

FOREGROUND = 1
BACKGROUND = 2


@dataclass
class SegmentationSettings:
    """Everything that decides a segmentation (shared by GUI, CLI and library)."""

    n_components: int = 5
    covariance_type: str = "full"
    color_space: str = "lab"
    position_weight: float = 0.0
    smoothing: str = "graphcut"  # "none" | "graphcut"
    threshold: float = 0.5
    random_state: int = 0


@dataclass
class TrainingProgress:
    """One EM iteration of one class, reported while training."""

    class_index: int  # 0 = foreground, 1 = background
    iteration: int
    mean_log_likelihood: float


@dataclass
class SegmentationModel:
    """Trained per-class colour models plus how features are made."""

    settings: SegmentationSettings
    means: list = field(default_factory=list)
    covariances: list = field(default_factory=list)
    priors: np.ndarray | None = None


@dataclass
class SegmentationResult:
    """probability: (H, W) float32 foreground posterior; mask: (H, W) bool final decision."""

    probability: np.ndarray
    mask: np.ndarray
    model: SegmentationModel


def _check(image: np.ndarray, scribbles: np.ndarray) -> None:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError("image must be an (H, W, 3) uint8 array")
    if scribbles.shape != image.shape[:2]:
        raise ValueError(f"scribbles shape {scribbles.shape} does not match image {image.shape[:2]}")
    for label, name in ((FOREGROUND, "foreground"), (BACKGROUND, "background")):
        if not np.any(scribbles == label):
            raise ValueError(f"no {name} scribbles: paint some {name} pixels first")


def iter_train_model(
    image: np.ndarray, scribbles: np.ndarray, settings: SegmentationSettings | None = None
) -> Generator[TrainingProgress, None, SegmentationModel]:
    """Train both class models, yielding progress after every EM iteration.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    scribbles : (H, W) uint8 array, 0 unlabelled, 1 foreground, 2 background

    Yields
    ------
    TrainingProgress
    Returns (StopIteration.value) the SegmentationModel. Callers may stop iterating at any
    yield to cancel.
    """
    settings = settings or SegmentationSettings()
    _check(image, scribbles)
    model = SegmentationModel(settings=settings)
    counts = []
    for index, label in enumerate((FOREGROUND, BACKGROUND)):
        pixels = image[scribbles == label].astype(np.float64) / 255.0
        model.means.append(pixels.mean(axis=0))
        model.covariances.append(np.cov(pixels.T) + 1e-4 * np.eye(3))
        counts.append(len(pixels))
        yield TrainingProgress(index, 1, 0.0)
    model.priors = np.array([0.5, 0.5])
    return model


def train_model(image, scribbles, settings=None) -> SegmentationModel:
    """Train without progress reports (see iter_train_model)."""
    gen = iter_train_model(image, scribbles, settings)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def apply_model(
    image: np.ndarray,
    model: SegmentationModel,
    scribbles: np.ndarray | None = None,
    settings: SegmentationSettings | None = None,
) -> SegmentationResult:
    """Posterior map and final mask for ``image`` (scribbles, if given, are hard constraints).

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    model : SegmentationModel
    scribbles : (H, W) uint8 array, optional
    settings : SegmentationSettings, optional; defaults to ``model.settings``.
        Threshold and smoothing may differ from training without retraining.
    """
    settings = settings or model.settings
    x = image.reshape(-1, 3).astype(np.float64) / 255.0
    logs = []
    for mean, cov in zip(model.means, model.covariances):
        d = x - mean
        inv = np.linalg.inv(cov)
        logs.append(-0.5 * np.einsum("ni,ij,nj->n", d, inv, d) - 0.5 * np.log(np.linalg.det(cov)))
    prob = 1.0 / (1.0 + np.exp(np.clip(logs[1] - logs[0], -50, 50)))
    prob = prob.reshape(image.shape[:2]).astype(np.float32)
    mask = prob > settings.threshold
    if scribbles is not None:
        mask[scribbles == FOREGROUND] = True
        mask[scribbles == BACKGROUND] = False
    return SegmentationResult(probability=prob, mask=mask, model=model)


def segment(image, scribbles, settings=None) -> SegmentationResult:
    """Train and apply in one call: the function GUI, CLI and library all use."""
    model = train_model(image, scribbles, settings)
    return apply_model(image, model, scribbles, settings)
