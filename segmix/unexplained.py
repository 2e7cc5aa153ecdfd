"""The background's "rest of the photo": colours the marked background does not explain.

A background mixture fitted on the background marks knows only the marked colours. Once the
user marks, say, the road, every other colour of the photo that is neither road nor object
(trees, pavement, sky) is decided by whichever class mixture happens to be less unlikely
there, and a correct background mark can turn half the photo foreground. Before any
background is marked the background model borrows the photo's unmarked colours
(:func:`segmix.segment.unlabelled_evidence`), but that evidence fades with the *number* of
marked background pixels, not with how much of the photo the marks explain.

This module gives the background an extra component for the unexplained rest:

    p(x | bg) = (1 - eps) p_marked(x | bg) + eps p_rest(x),

where ``p_rest`` is a mixture fitted on the unmarked pixels (a sample) that the marked
background does not explain, and ``eps`` grows with their share of the photo's unmarked
pixels beyond a threshold (:func:`segmix.segment._with_unexplained_rest`): it fades as the marks
come to cover the photo's colours, however many pixels that takes, and is 0 when the marks
explain most of the photo. "Unexplained by a mixture" means a log-density below the
``quantile`` of the mixture's log-densities on its own marked pixels: as unlikely as the
least typical pixels the user marked. Unmarked pixels of a colour marked foreground are never
borrowed (as for the zero-marks prior). Like GrabCut's "outside the box is background" and
the zero-marks prior, it rests on one assumption: most of what is unmarked and unlike the
marked background is not the object either -- the object's own unmarked colours are in the
sample too, which is why the component enters only when much of the photo is unexplained.
"""

from __future__ import annotations

import numpy as np

from segmix.mixture import GaussianMixture

#: The "came out foreground by mistake" advice (command line and window) needs a mask holding at
#: least this share of the unmarked pixels whose colours are unlike the background marks: a mask
#: far smaller than them did not take them (a trial's DAVIS 016 clicks: 2.2 % foreground, 5.4 %
#: true, against 27 % such colours, was told to click background while the object was missing).
ADVICE_MASK_SHARE = 0.25


def unmarked_foreground_share(mask: np.ndarray, scribbles) -> float | None:
    """The share of the unmarked pixels that ``mask`` holds.

    Parameters
    ----------
    mask : (H, W) bool array
    scribbles : (H, W) uint8 array (0 unmarked) or None

    Returns
    -------
    float in [0, 1], or None when there are no marks given or nothing is unmarked.
    """
    if scribbles is None:
        return None
    unmarked = np.asarray(scribbles) == 0
    count = np.count_nonzero(unmarked)
    if count == 0:
        return None
    return np.count_nonzero(np.asarray(mask, dtype=bool) & unmarked) / count


def advice_applies(share: float, foreground_share: float | None) -> bool:
    """Whether "parts you did not mark came out foreground by mistake: mark them background" may
    be said, given the ``share`` (in [0, 1]) of the unmarked photo unlike the background marks and
    the mask's share of the unmarked pixels (None: unknown, the advice may be said): not when the
    mask is far smaller than those colours (:data:`ADVICE_MASK_SHARE`), as they came out
    background and the object may be what is missing."""
    return foreground_share is None or float(foreground_share) >= ADVICE_MASK_SHARE * float(share)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, quantile: float) -> float:
    """The ``quantile`` of ``values`` (N,) under sample ``weights`` (N,) (lower interpolation).

    Raises
    ------
    ValueError
        On empty input, mismatched shapes, a quantile outside [0, 1] or weights that do not
        sum to a positive number.
    """
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    weights = np.asarray(weights, dtype=np.float64).reshape(-1)
    if values.size == 0 or values.shape != weights.shape:
        raise ValueError(f"values and weights must be non-empty and of one shape; got {values.shape} and {weights.shape}")
    if not 0.0 <= quantile <= 1.0:
        raise ValueError(f"quantile must lie in [0, 1]; got {quantile!r}")
    total = weights.sum()
    if not total > 0:
        raise ValueError("weights must sum to a positive number")
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    position = int(np.searchsorted(cumulative, quantile * total, side="left"))
    return float(values[order[min(position, values.size - 1)]])


def explained_threshold(mixture: GaussianMixture, X: np.ndarray, weights: np.ndarray, quantile: float) -> float:
    """Log-density below which ``mixture`` does not explain a row: the ``quantile`` of its
    log-density over its own training rows ``X`` (N, D) with sample ``weights`` (N,)."""
    return weighted_quantile(mixture.score_samples(X), weights, quantile)


def unexplained(X: np.ndarray, mixtures, thresholds) -> np.ndarray:
    """Rows of ``X`` (N, D) whose log-density is below the threshold under every mixture: (N,) bool."""
    out = np.ones(np.asarray(X).shape[0], bool)
    for mixture, threshold in zip(mixtures, thresholds):
        if out.any():
            out[out] = mixture.score_samples(X[out]) < threshold
    return out


def mix(first: GaussianMixture, second: GaussianMixture, eps: float) -> GaussianMixture:
    """The mixture ``(1 - eps) first + eps second`` as one fitted :class:`GaussianMixture`.

    A mixture of two mixtures is a mixture over both sets of components, the weights scaled:
    ``first``'s components come first (so its ``n_components`` rows can be recovered). Both
    must have the same features and covariance type.

    Raises
    ------
    ValueError
        If ``eps`` is outside [0, 1] or the mixtures disagree on features or covariance type.
    """
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"eps must lie in [0, 1]; got {eps!r}")
    if first.means_.shape[1] != second.means_.shape[1] or first.covariance_type != second.covariance_type:
        raise ValueError("the mixtures must have the same number of features and covariance type")
    weights = np.concatenate([(1.0 - eps) * first.weights_, eps * second.weights_])
    out = GaussianMixture(weights.size, covariance_type=first.covariance_type, reg_covar=first.reg_covar,
                          max_iter=first.max_iter, n_init=first.n_init, random_state=first.random_state)
    out._set_parameters(weights / weights.sum(), np.concatenate([first.means_, second.means_]),
                        np.concatenate([first._full_covariances, second._full_covariances]))
    out.n_features_in_ = first.means_.shape[1]
    out.converged_ = bool(getattr(first, "converged_", True)) and bool(getattr(second, "converged_", True))
    out.n_iter_ = int(getattr(first, "n_iter_", 0))
    out.lower_bound_ = float("nan")
    out.log_likelihood_history_ = []
    return out


def share_percent(share: float, limit: float) -> str:
    """``share`` (a fraction) in percent for a message beside ``limit``: whole percent, or one
    decimal within a point of the limit, so that a share just over it does not read as the
    limit itself (a trial saw "20 %" said both as within and as over the 20 % limit)."""
    percent = 100.0 * float(share)
    return f"{percent:.1f}" if abs(percent - 100.0 * float(limit)) < 1.0 else f"{percent:.0f}"
