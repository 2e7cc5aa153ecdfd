"""The numerical core: Gaussian mixtures fitted by EM, and k-means. Usable without Qt."""

from segmix.kernels.threads import set_num_threads
from segmix.mixture.gmm import (COVARIANCE_TYPES, GaussianMixture, SingularCovarianceError, TooFewDistinctPointsError,
                                fit_quietly)
from segmix.mixture._validation import ConvergenceWarning, NotFittedError
from segmix.mixture.kmeans import KMeans

__all__ = ["ConvergenceWarning", "GaussianMixture", "KMeans", "NotFittedError", "fit_quietly", "SingularCovarianceError", "TooFewDistinctPointsError", "COVARIANCE_TYPES", "set_num_threads"]
