"""GaussianMixture: a mixture of Gaussians fitted by EM with a fused Numba pass.

p(x) = sum_j pi_j N(x | mu_j, Sigma_j). Each EM iteration is one parallel pass over the data
(:func:`segmix.kernels.mixture.em_pass`) that yields the log-likelihood and the sufficient
statistics together; the N x K responsibility matrix is never stored.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Generator

import numpy as np

from segmix.held_warnings import caller_level
from segmix.kernels import mixture as mixture_kernels, threads
from segmix.mixture._params import ParamsMixin
from segmix.mixture._validation import (
    check_feature_names,
    feature_names,
    set_feature_names,
    convergence_warning,
    not_fitted,
    check_choice,
    check_data,
    check_non_negative,
    check_positive_int,
    check_random_state,
    check_sample_weight,
    normalise_sample_weight,
    weight_total,
    weighted_mean,
    _short_repr,
)
from segmix.mixture.kmeans import TooFewDistinctPointsError, run_kmeans

COVARIANCE_TYPES = ("full", "diag", "spherical")
GMM_INITS = ("kmeans", "k-means++", "random")

# k-means initialisation on more rows than this works on a random subsample: the initial
# parameters do not need every pixel of a 12-megapixel photo, EM itself does.
INIT_SUBSAMPLE = 100_000
# Lloyd iterations per k-means run of the initialisation: EM refines the start, so a rough
# k-means optimum is enough, and the long tail of tiny Lloyd moves was most of a fit's time.
INIT_LLOYD_ITERATIONS = 30

#: Largest magnitude a model file's mixture may hold: its square stays far below float64's
#: 1.8e308, so sums of squares and outer products of means stay finite.
_LARGEST_VALUE = 1e150
#: Smallest variance (eigenvalue of a covariance) a model file's mixture may hold. Features
#: span about 0..1 per channel (positions up to the --position-weight cap), so a squared
#: Mahalanobis distance stays below 1e12 / 1e-20 = 1e32, within the float32 the
#: log-likelihoods are kept in; a hand-edited variance of 1e-300 passed as positive definite
#: and its -inf log-likelihoods turned every posterior into NaN ("overflow encountered in
#: cast" warnings and an all-background mask). Fitting adds reg_covar (1e-6 or more) to every
#: variance, so no fitted model comes near it.
_SMALLEST_VARIANCE = 1e-20

_SINGULAR_MESSAGE = (
    "Fitting the mixture model failed because some components have an ill-defined covariance "
    "(for instance caused by singleton or collapsed samples). Try to decrease n_components "
    "or increase reg_covar."
)


class SingularCovarianceError(ValueError):
    """A fit's covariance is not positive definite (a component collapsed onto too few
    distinct points for its ``reg_covar``): callers that know their options' names say which
    to change (``segmix skin train`` names -k and --reg-covar)."""


def covariances_to_full(covariances, covariance_type: str, n_features: int) -> np.ndarray:
    """Expand stored covariances to (K, D, D) full matrices.

    Parameters
    ----------
    covariances : (K, D, D) for "full", (K, D) for "diag", (K,) for "spherical"
    """
    cov = np.asarray(covariances, dtype=np.float64)
    if covariance_type == "full":
        return cov.copy()
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return cov[:, None, None] * np.eye(n_features)[None]


def precision_cholesky(full_covariances: np.ndarray) -> np.ndarray:
    """Upper-triangular P with P P^T = Sigma^-1 for each (D, D) covariance.

    Parameters
    ----------
    full_covariances : (K, D, D)

    Returns
    -------
    (K, D, D) float64

    Raises
    ------
    ValueError
        When a covariance is not positive definite (message says what to change).
    """
    try:
        cov_chol = np.linalg.cholesky(full_covariances)
    except np.linalg.LinAlgError:
        raise SingularCovarianceError(_SINGULAR_MESSAGE) from None
    if not np.isfinite(cov_chol).all() or (np.diagonal(cov_chol, axis1=1, axis2=2) <= 0).any():
        raise SingularCovarianceError(_SINGULAR_MESSAGE)
    return np.swapaxes(_inverse_lower_triangular(cov_chol), 1, 2).copy()


def _inverse_lower_triangular(lower: np.ndarray) -> np.ndarray:
    """Inverse of each (D, D) lower-triangular matrix by forward substitution: (K, D, D).

    Done in a few vectorised NumPy steps over K rather than one LAPACK call per component:
    for D = 3 a threaded BLAS spends far longer waking its threads than solving (measured
    12 ms per 3 x 3 solve on a loaded 2-core machine, against microseconds here).
    """
    d = lower.shape[1]
    inverse = np.zeros_like(lower)
    for i in range(d):
        inverse[:, i, i] = 1.0 / lower[:, i, i]
        for j in range(i):
            inverse[:, i, j] = -np.einsum("kr,kr->k", lower[:, i, j:i], inverse[:, j:i, j]) / lower[:, i, i]
    return inverse


def _log_det_chol(prec_chol: np.ndarray) -> np.ndarray:
    return np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)


def _n_parameters(n_components: int, n_features: int, covariance_type: str) -> int:
    cov_params = {
        "full": n_components * n_features * (n_features + 1) // 2,
        "diag": n_components * n_features,
        "spherical": n_components,
    }[covariance_type]
    return int(cov_params + n_components * n_features + n_components - 1)


def _finite_or_none(value):
    return float(value) if value is not None and math.isfinite(value) else None


def _reduce_covariance(full: np.ndarray, covariance_type: str) -> np.ndarray:
    """(K, D, D) -> the stored form for ``covariance_type``."""
    if covariance_type == "full":
        return full
    diag = np.diagonal(full, axis1=1, axis2=2).copy()
    return diag if covariance_type == "diag" else diag.mean(axis=1)


def _em_pass_for(shape):
    """The EM kernel for ``shape`` rows x features: the SIMD kernels for D = 3 (colour) and
    D = 4 (colour and texture level), the generic one otherwise.

    The generic ``em_pass`` compiles in a quarter of ``em_pass_3d``'s time, but on the
    scribbled colours of a 1080p photo it made every per-pixel segmentation 0.1 s slower
    (0.25-0.27 s against 0.14-0.16 s): a cost paid on every stroke, not once.
    """
    kernel = _BLOCK_EM_PASS.get(shape[1], mixture_kernels.em_pass)
    return threads.for_rows(kernel, shape[0])


def _log_density_kernel(n_features):
    """The mixture density kernel for D features (block-vectorised for D = 3 and 4)."""
    return _BLOCK_LOG_DENSITY.get(n_features, mixture_kernels.mixture_log_density)


_BLOCK_EM_PASS = {3: mixture_kernels.em_pass_3d, 4: mixture_kernels.em_pass_4d}
_BLOCK_LOG_DENSITY = {3: mixture_kernels.mixture_log_density_3d, 4: mixture_kernels.mixture_log_density_4d}


#: The fitted attributes held as properties (see GaussianMixture._attribute).
_FITTED_ATTRIBUTES = ("weights_", "means_", "covariances_", "precisions_cholesky_")
_FORM_SHAPES = {"full": "(n_components, n_features, n_features)", "diag": "(n_components, n_features)",
                "spherical": "(n_components,)"}


def _assigned_array(value, name: str, shape: str, ndim: int, context: str = "") -> np.ndarray:
    """An assigned fitted attribute as a C-contiguous float64 array of ``ndim`` dimensions, a
    copy (a later change to the caller's array must not bypass the setter); a ValueError names
    ``name`` and ``shape``."""
    try:
        array = np.array(value, dtype=np.float64, order="C", copy=True)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers of shape {shape}{context}; got "
                         f"{type(value).__name__}") from None
    if array.ndim != ndim:
        raise ValueError(f"{name} must have shape {shape}{context}; got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must have shape {shape}{context} with at least one component; got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


def _diagonal_factor(roots: np.ndarray, n_features: int) -> np.ndarray:
    """(K, D) or (K,) square roots of diagonal precisions -> (K, D, D) diagonal factors."""
    roots = np.broadcast_to(roots[:, None] if roots.ndim == 1 else roots, (roots.shape[0], n_features))
    factor = np.zeros((roots.shape[0], n_features, n_features))
    factor[:, np.arange(n_features), np.arange(n_features)] = roots
    return factor


def _checked_factor(value, form: str) -> np.ndarray:
    """An assigned precisions_cholesky_ as (K, D, D) upper-triangular factors (or scikit-learn's
    spherical (K,), expanded once D is known); a ValueError names what is wrong."""
    forms = {"full": "(n_components, n_features, n_features)",
             "diag": "(n_components, n_features, n_features) or scikit-learn's (n_components, n_features)",
             "spherical": "(n_components, n_features, n_features) or scikit-learn's (n_components,)"}[form]
    context = f" for covariance_type={form!r}"
    array = np.asarray(value) if isinstance(value, np.ndarray) else value
    ndim = np.ndim(array)
    allowed = {"full": (3,), "diag": (3, 2), "spherical": (3, 1)}[form]
    if ndim not in allowed:
        raise ValueError(f"precisions_cholesky_ must have shape {forms}{context}; got shape {np.shape(array)}")
    factor = _assigned_array(value, "precisions_cholesky_", forms, ndim, context)
    if ndim < 3:
        if (factor <= 0).any():
            raise ValueError("precisions_cholesky_ must be positive (square roots of precisions)")
        return factor if ndim == 1 else _diagonal_factor(factor, factor.shape[1])
    if factor.shape[1] != factor.shape[2]:
        raise ValueError(f"precisions_cholesky_ must have shape {forms}{context}; got shape {factor.shape}")
    scale = np.abs(factor).max(axis=(1, 2)) * 1e-12
    below = (np.abs(np.tril(factor, -1)).max(axis=(1, 2)) <= scale)
    above = (np.abs(np.triu(factor, 1)).max(axis=(1, 2)) <= scale)
    if not (below | above).all():
        k = int(np.flatnonzero(~(below | above))[0])
        raise ValueError(f"precisions_cholesky_[{k}] must be triangular: the Cholesky factor of a precision "
                         "(scikit-learn's precisions_cholesky_, or numpy.linalg.cholesky(precision))")
    diagonal = np.diagonal(factor, axis1=1, axis2=2)
    if (diagonal <= 0).any():
        k = int(np.flatnonzero((diagonal <= 0).any(axis=1))[0])
        raise ValueError(f"precisions_cholesky_[{k}] must have a positive diagonal (a Cholesky factor)")
    if below.all():
        return factor
    # The kernels read the upper triangle only: a lower factor L (L L^T the precision, as
    # numpy.linalg.cholesky gives it, and as scikit-learn's dense products take it) is
    # replaced by the upper factor of the same precision.
    lower = ~below
    factor = factor.copy()
    precision = factor[lower] @ np.swapaxes(factor[lower], 1, 2)
    factor[lower] = precision_cholesky(np.linalg.inv(precision))
    return factor


class GaussianMixture(ParamsMixin):
    """Mixture of Gaussians fitted by EM, initialised by k-means restarts.

    scikit-learn's ``GaussianMixture`` interface (parameter and attribute names, ``fit``,
    ``fit_predict``, ``predict``, ``predict_proba``, ``score_samples``, ``score``, ``sample``,
    ``bic``, ``aic``, ``get_params`` / ``set_params``, so ``sklearn.base.clone`` takes it), with
    sample weights, ``iter_fit`` and JSON serialisation added; not ``covariance_type="tied"``,
    ``warm_start`` or ``init_params``. EM after Dempster, Laird & Rubin (1977); Bishop, *Pattern
    Recognition and Machine Learning*, section 9.2.

    Parameters
    ----------
    n_components : int, default 1
    covariance_type : {"full", "diag", "spherical"}, default "full"
    reg_covar : float, default 1e-6
        Added to every covariance diagonal (the lecture's Sigma + sigma_min I) so that no
        component can collapse onto a point and send the likelihood to infinity.
    tol : float, default 1e-3
        EM stops when the mean log-likelihood changes by less than ``tol``.
    max_iter : int, default 100
    n_init : int, default 10
        k-means runs for the initialisation; the one with the lowest objective J is kept.
    init : {"kmeans", "k-means++", "random"}, default "kmeans"
        "kmeans": k-means++ seeding then Lloyd iterations; "k-means++": seeding only (best J
        of ``n_init``); "random": distinct data points as seeds then Lloyd iterations. In every
        case means, covariances and weights come from the hard clusters.
    random_state : None, int >= 0 or numpy.random.Generator / RandomState
        The k-means initialisation's seed; a ValueError names any other value.
    weights_init : (K,) array, optional
    means_init : (K, D) array, optional
    precisions_init : array, optional
        Precisions in the stored form of ``covariance_type`` ((K, D, D), (K, D) or (K,)).
        Initial parameters the user provides replace those k-means would give (as in
        scikit-learn); those not given are estimated from the hard clusters around the means.

    Attributes
    ----------
    weights_ : (K,) float64
    means_ : (K, D) float64
    covariances_ : (K, D, D), (K, D) or (K,) float64 by ``covariance_type``
    precisions_ : (K, D, D), (K, D) or (K,) float64, the inverse covariances in the stored
        form, from ``precisions_cholesky_``
    precisions_cholesky_ : (K, D, D) float64, upper-triangular factors, for every
        ``covariance_type`` (scikit-learn's is (K, D) for "diag" and (K,) for "spherical")
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float, mean log-likelihood at the last iteration
    log_likelihood_history_ : list of float, mean log-likelihood at every iteration
    lower_bounds_ : the same list, under scikit-learn's name
    n_features_in_ : int, D
    feature_names_in_ : (D,) object array of str
        The column names of a data frame ``X`` (pandas, polars; only when all are strings), as
        scikit-learn stores them; scoring a frame whose names differ or come in another order
        raises ValueError, and a frame scored by a model fitted on an array (or the reverse)
        warns a UserWarning, in scikit-learn's words. Absent after a fit on an array.

    Notes
    -----
    The four fitted arrays can be assigned as in scikit-learn, on a fitted or an unfitted
    estimator: scoring reads ``weights_``, ``means_`` and ``precisions_cholesky_``,
    :meth:`sample` reads ``covariances_``. Assignments are checked (a ValueError names the
    attribute and its shape) and copied; scikit-learn's diag / spherical factors and a
    lower-triangular factor are taken. The arrays read back are read-only views: assign a
    new array rather than changing one in place.
    """

    _estimator_type = "density_estimator"
    _sklearn_only = {
        "init_params": "segmix's is init, the k-means initialisation: init='kmeans' (scikit-learn's 'kmeans'), "
                       "'k-means++' or 'random' (data points as seeds, then Lloyd iterations)",
        "warm_start": "to go on from a fitted model, give means_init=model.means_, weights_init=model.weights_, "
                      "precisions_init=model.precisions_",
        "verbose": "iter_fit(X) yields (iteration, mean log-likelihood) at every EM step",
        "verbose_interval": "iter_fit(X) yields (iteration, mean log-likelihood) at every EM step",
    }

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        reg_covar=1e-6,
        tol=1e-3,
        max_iter=100,
        n_init=10,
        init="kmeans",
        random_state=None,
        weights_init=None,
        means_init=None,
        precisions_init=None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init = init
        self.random_state = random_state
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init

    # ------------------------------------------------------------------ checks
    def _check_parameters(self) -> None:
        check_positive_int(self.n_components, "n_components")
        check_choice(self.covariance_type, "covariance_type", COVARIANCE_TYPES)
        check_non_negative(self.reg_covar, "reg_covar")
        check_non_negative(self.tol, "tol")
        check_positive_int(self.max_iter, "max_iter", minimum=0)
        check_positive_int(self.n_init, "n_init")
        check_choice(self.init, "init", GMM_INITS,
                     hint="starting means go in means_init (an (n_components, n_features) array)"
                     if not isinstance(self.init, str) else "")

    def _check_fitted(self) -> None:
        if "_means" not in self.__dict__:
            self._attribute("means_")  # raises, saying what is missing

    # ------------------------------------------------------------- parameters
    def _set_parameters(self, weights, means, full_covariances) -> None:
        full_covariances = np.ascontiguousarray(full_covariances, dtype=np.float64)
        # The form the fitted parameters are in: set_params(covariance_type=...) before a refit
        # must not change how they are read (precisions_ came out as 1 / each entry of the full
        # matrices, bic / aic counted other parameters, and to_dict wrote an unreadable file).
        self._fitted_covariance_type = self.covariance_type
        self._fitted_n_components = len(weights)
        # Straight into the stored fields: fit's own parameters need none of the checks an
        # assignment gets, and EM sets them at every iteration.
        # Copies: a caller's read-only array (another model's means_, given as means_init)
        # would reach the kernels as another numba type, compiled again.
        self._weights = np.array(weights, dtype=np.float64)
        self._means = np.array(means, dtype=np.float64, order="C")
        self._covariances = _reduce_covariance(full_covariances, self.covariance_type)
        self._precisions_cholesky = np.ascontiguousarray(precision_cholesky(full_covariances))
        self._derived = self._derive_kernel_args()

    def _fitted_form(self) -> str:
        """The covariance type the fitted parameters are in (a model pickled before it was
        recorded: the parameter's)."""
        form = getattr(self, "_fitted_covariance_type", None)
        if form is None:
            # Assigned to an unfitted estimator: its parameter, checked as fit checks it (a
            # "tied" one failed with a bare KeyError: 'tied').
            check_choice(self.covariance_type, "covariance_type", COVARIANCE_TYPES)
            form = self.covariance_type
        return form

    # --------------------------------------------------------- fitted attributes
    # The fitted attributes are assignable, as in scikit-learn, whose scoring (score_samples,
    # predict, predict_proba, bic, aic) reads weights_, means_ and precisions_cholesky_ and
    # whose sample() reads covariances_. Copies made at fit time (log-weights,
    # log-determinants, full covariances) ignored an assigned weights_ without a word, scored
    # a covariances_ * 4 with precisions_cholesky_ / 2 with the old log-determinant (a density
    # of neither model), and failed with AttributeError '_log_weights' on scikit-learn's recipe
    # of assigning the four to an unfitted estimator. Now an assignment is checked (shape,
    # finiteness) and copied in the form the kernels read, and the derived values (``_derived``:
    # log-weights, log-determinants, K numbers) are recomputed with it, so fit and score cost
    # what they did. The getters return read-only views: a change in
    # place (``weights_[0] = 0.9``) would bypass the setters and score the old model, so it
    # raises NumPy's "assignment destination is read-only" instead.
    def _attribute(self, name: str):
        try:
            return self.__dict__["_" + name[:-1]]
        except KeyError:
            pass
        if any("_" + other[:-1] in self.__dict__ for other in _FITTED_ATTRIBUTES):
            raise not_fitted(f"this GaussianMixture's {name} is not set: call fit, or assign {name} as the other "
                             "fitted attributes were")
        raise not_fitted("this GaussianMixture is not fitted yet: call fit first")

    def _assign(self, name: str, array: np.ndarray) -> None:
        self.__dict__["_" + name[:-1]] = array
        # Derived now when the attributes agree (scoring then leaves the instance's __dict__
        # as it was, as scikit-learn's check_dict_unchanged asks); when they do not yet
        # (weights_ of 3 assigned before the means_ of 3), at the first call, which names
        # the one that disagrees.
        try:
            derived = self._derive_kernel_args()
        except (ValueError, AttributeError):
            derived = None
        self.__dict__["_derived"] = derived

    @property
    def weights_(self) -> np.ndarray:
        """Component weights pi_k: (K,) float64, read-only (assign a new array to change it)."""
        return _read_only(self._attribute("weights_"))

    @weights_.setter
    def weights_(self, value) -> None:
        weights = _assigned_array(value, "weights_", "(n_components,)", 1)
        if (weights < 0).any():
            first = int(np.flatnonzero(weights < 0)[0])
            raise ValueError(f"weights_ must be non-negative; weights_[{first}] is {weights[first]:.6g}")
        if not math.isclose(weights.sum(), 1.0, abs_tol=1e-6):
            # Taken, [2, 2] made score_samples log(4) higher than any density (a library trial);
            # to_dict refused it only when the model was written.
            raise ValueError(f"weights_ must sum to 1 (sum {weights.sum():.6g}): assign weights_ / weights_.sum()")
        self._assign("weights_", weights)

    @property
    def means_(self) -> np.ndarray:
        """Component means: (K, D) float64, read-only (assign a new array to change it)."""
        return _read_only(self._attribute("means_"))

    @means_.setter
    def means_(self, value) -> None:
        self._assign("means_", _assigned_array(value, "means_", "(n_components, n_features)", 2))

    @property
    def covariances_(self) -> np.ndarray:
        """Covariances in the form of ``covariance_type``: (K, D, D), (K, D) or (K,) float64, read-only.

        Assignable; :meth:`sample` and :meth:`to_dict` read it, scoring reads
        ``precisions_cholesky_`` (as in scikit-learn: assign both to change the model).
        """
        return _read_only(self._attribute("covariances_"))

    @covariances_.setter
    def covariances_(self, value) -> None:
        form = self._fitted_form()
        shape = _FORM_SHAPES[form]
        self._assign("covariances_", _assigned_array(value, "covariances_", shape,
                                                      shape.count(",") + 1 - shape.count(",)"),
                                                      f" for covariance_type={form!r}"))

    @property
    def precisions_cholesky_(self) -> np.ndarray:
        """Upper-triangular P_k with P_k P_k^T the inverse of covariance k: (K, D, D) float64, read-only.

        Assignable, as in scikit-learn; scoring reads it. Taken in (K, D, D) for every
        ``covariance_type``, and in scikit-learn's forms too: (K, D) for "diag", (K,) for
        "spherical" (the square roots of the precisions), and a lower-triangular factor
        (``numpy.linalg.cholesky(precision)``), each kept as the (K, D, D) upper-triangular
        factor of the same precisions. A ValueError names the attribute and the shape it needs.
        """
        factor = self._attribute("precisions_cholesky_")
        if factor.ndim == 1 and "_means" in self.__dict__:
            # scikit-learn's spherical form needs D, which means_ gives.
            factor = self._precisions_cholesky = _diagonal_factor(factor, self._means.shape[1])
        return _read_only(factor)

    @precisions_cholesky_.setter
    def precisions_cholesky_(self, value) -> None:
        self._assign("precisions_cholesky_", _checked_factor(value, self._fitted_form()))

    def __sklearn_is_fitted__(self) -> bool:
        # scikit-learn's check_is_fitted reads the instance's names ending in "_"; these are
        # properties over private fields.
        return "_means" in self.__dict__

    def __setstate__(self, state: dict) -> None:
        # A model pickled before the fitted attributes were properties holds them under their
        # own names, beside copies that are now derived on demand.
        state = dict(state)
        for name in _FITTED_ATTRIBUTES:
            if name in state:
                state["_" + name[:-1]] = np.array(state.pop(name), dtype=np.float64, order="C")
        for stale in ("_full_covariances", "_log_det", "_log_weights", "_derived"):
            state.pop(stale, None)
        self.__dict__.update(state)

    @property
    def _full_covariances(self) -> np.ndarray:
        """covariances_ as (K, D, D) full matrices."""
        return covariances_to_full(self.covariances_, self._fitted_form(), self.means_.shape[1])

    def _kernel_args(self):
        """(log-weights, means, precision factors, log-determinants) for the mixture kernels,
        derived from the fitted attributes once per assignment."""
        derived = self.__dict__.get("_derived")
        if derived is None:
            derived = self._derived = self._derive_kernel_args()
        return derived

    def _derive_kernel_args(self):
        """:meth:`_kernel_args` computed; a ValueError names an attribute whose shape disagrees
        with means_ (assignments may come in any order, so they are compared here)."""
        self.precisions_cholesky_  # noqa: B018 -- expands scikit-learn's spherical form
        weights, means, factor = (self._attribute(name) for name in ("weights_", "means_", "precisions_cholesky_"))
        k_count, d = means.shape
        counts = {self.n_components, self.__dict__.get("_fitted_n_components", self.n_components)}
        if k_count not in counts:
            # An unfitted GaussianMixture(2) given 3 components' parameters gave 3-column
            # predict_proba with n_components 2 (a library trial). The fitted count is taken too:
            # set_params(n_components=4) before a refit leaves the fitted model scoring.
            raise ValueError(f"means_ has {k_count} components but n_components is {self.n_components}: "
                             f"set_params(n_components={k_count}) to score {k_count} assigned components")
        if weights.shape != (k_count,):
            raise ValueError(f"weights_ has shape {weights.shape} but means_ {means.shape}: weights_ must have "
                             f"shape ({k_count},), one weight per component")
        if factor.shape != (k_count, d, d):
            raise ValueError(f"precisions_cholesky_ has shape {factor.shape} but means_ {means.shape}: "
                             f"precisions_cholesky_ must have shape ({k_count}, {d}, {d})"
                             + {"diag": f" (or ({k_count}, {d}), scikit-learn's diag form)",
                                "spherical": f" (or ({k_count},), scikit-learn's spherical form)"}.get(self._fitted_form(), ""))
        with np.errstate(divide="ignore"):
            log_weights = np.log(weights)
        return log_weights, means, factor, _log_det_chol(factor)

    def _hard_cluster_parameters(self, X, w, labels, centers):
        """Weights, means, (K, D, D) covariances (+ reg) of hard clusters, and which are empty."""
        n_chunks, chunk_rows = mixture_kernels.chunking(X.shape[0])
        weight_sum, diff_sum, scatter = threads.for_rows(mixture_kernels.cluster_scatter, X.shape[0])(
            X, w, labels.astype(np.int32), np.ascontiguousarray(centers), n_chunks, chunk_rows
        )
        return (*self._m_step(weight_sum, diff_sum, scatter, centers), weight_sum <= 0)

    def _m_step(self, resp_sum, diff_sum, scatter, old_means):
        """New weights, means and full covariances from statistics shifted by ``old_means``.

        Mirrors scikit-learn's M-step exactly (including its 10 * eps added to N_k, which is
        relative because fit scales the weights so that the largest is about 1), but from
        statistics about the old means: with delta = mu_new - mu_old,
        sum r (x - mu_new)(x - mu_new)^T = S - S1 delta^T - delta S1^T + R delta delta^T.
        """
        d = old_means.shape[1]
        nk = resp_sum + 10 * np.finfo(np.float64).eps
        means = (diff_sum + resp_sum[:, None] * old_means) / nk[:, None]
        delta = means - old_means
        cov = (
            scatter
            - diff_sum[:, :, None] * delta[:, None, :]
            - delta[:, :, None] * diff_sum[:, None, :]
            + resp_sum[:, None, None] * delta[:, :, None] * delta[:, None, :]
        ) / nk[:, None, None]
        cov = 0.5 * (cov + np.swapaxes(cov, 1, 2))
        cov[:, np.arange(d), np.arange(d)] += self.reg_covar
        if self.covariance_type != "full":
            cov = covariances_to_full(_reduce_covariance(cov, self.covariance_type), self.covariance_type, d)
        weights = nk / nk.sum()
        return weights, means, cov

    def _initialize(self, X, w, rng) -> None:
        k_count, d = self.n_components, X.shape[1]
        given = [p is not None for p in (self.weights_init, self.means_init, self.precisions_init)]
        if all(given):
            self._set_parameters(
                self._checked_weights_init(), self._checked_means_init(d), self._covariances_from_precisions_init(d)
            )
            return
        if self.means_init is not None:
            centers = self._checked_means_init(d)
            labels = np.empty(X.shape[0], dtype=np.int32)
            n_chunks, chunk_rows = mixture_kernels.chunking(X.shape[0])
            threads.for_rows(mixture_kernels.lloyd_pass, X.shape[0])(X, w, centers, labels, n_chunks, chunk_rows)
            Xs, ws = X, w
        else:
            Xs, ws = X, w
            if X.shape[0] > INIT_SUBSAMPLE:
                rows = np.sort(rng.choice(X.shape[0], INIT_SUBSAMPLE, replace=False))
                Xs, ws = np.ascontiguousarray(X[rows]), np.ascontiguousarray(w[rows])
                if not ws.sum() > 0:
                    Xs, ws = X, w
            def kmeans(rows_x, rows_w):
                # "k-means++" keeps the seeds as they are (no Lloyd iterations).
                return run_kmeans(
                    rows_x, rows_w, k_count, init="random" if self.init == "random" else "k-means++",
                    n_init=self.n_init, max_iter=0 if self.init == "k-means++" else INIT_LLOYD_ITERATIONS,
                    tol=1e-4, rng=rng, parameter="n_components",
                )

            try:
                centers, labels, _, _ = kmeans(Xs, ws)
            except TooFewDistinctPointsError:
                if Xs is X:
                    raise
                # The subsample missed rare points: 600,000 rows of 3 values and one row of
                # a 4th were refused for 4 components as "the data has only 3 distinct
                # point(s)", which it does not (scikit-learn fits them). All the rows then.
                Xs, ws = X, w
                centers, labels, _, _ = kmeans(Xs, ws)
        weights, means, cov, empty = self._hard_cluster_parameters(Xs, ws, labels, centers)
        if empty.any():
            # A cluster without points: give it the pooled covariance rather than reg_covar alone.
            pooled = np.cov(Xs.T, aweights=ws).reshape(d, d) + self.reg_covar * np.eye(d)
            cov[empty] = pooled
            means[empty] = centers[empty]
            weights = np.where(empty, 1.0 / Xs.shape[0], weights)
            weights /= weights.sum()
        if self.weights_init is not None:
            weights = self._checked_weights_init()
        if self.precisions_init is not None:
            cov = self._covariances_from_precisions_init(d)
        self._set_parameters(weights, means, cov)

    def _checked_weights_init(self) -> np.ndarray:
        weights = np.asarray(self.weights_init, dtype=np.float64)
        if weights.shape != (self.n_components,) or not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError(f"weights_init must be {self.n_components} non-negative finite numbers")
        if not math.isclose(weights.sum(), 1.0, rel_tol=0, abs_tol=1e-6):
            raise ValueError(f"weights_init must sum to 1; sums to {weights.sum():.6g}")
        return weights / weights.sum()

    def _checked_means_init(self, d) -> np.ndarray:
        means = np.array(self.means_init, dtype=np.float64, order="C")  # a writable copy (see _set_parameters)
        if means.shape != (self.n_components, d) or not np.isfinite(means).all():
            raise ValueError(f"means_init must be a finite array of shape ({self.n_components}, {d})")
        return means

    def _covariances_from_precisions_init(self, d) -> np.ndarray:
        prec = np.asarray(self.precisions_init, dtype=np.float64)
        expected = {"full": (self.n_components, d, d), "diag": (self.n_components, d), "spherical": (self.n_components,)}
        if prec.shape != expected[self.covariance_type] or not np.isfinite(prec).all():
            raise ValueError(f"precisions_init must be finite with shape {expected[self.covariance_type]}")
        full_prec = covariances_to_full(prec, self.covariance_type, d)
        # A precision must be symmetric positive definite: an indefinite one was inverted and
        # failed later as "some components have an ill-defined covariance ... increase reg_covar"
        # (a valid one rounded to a tiny negative eigenvalue is let through, as before).
        for k, p in enumerate(full_prec):
            scale = float(np.abs(p).max())  # rounding in p = L L^T leaves ~1e-16 of it asymmetric
            if not np.allclose(p, p.T, rtol=0.0, atol=1e-8 * scale) or np.linalg.eigvalsh((p + p.T) / 2).min() < -1e-12 * scale:
                raise ValueError(f"precisions_init[{k}] must be symmetric positive definite (an inverse covariance)")
        try:
            return np.stack([np.linalg.inv(p) for p in full_prec])
        except np.linalg.LinAlgError:
            raise ValueError("precisions_init contains a singular matrix") from None

    def _reseed_empty(self, weights, means, cov, resp_sum, X, w, worst_row, rng):
        """Move components that lost all their mass onto badly explained points.

        An empty component would otherwise divide 0 by ~0 in the next M-step.
        """
        empty = resp_sum < 1e-8 * w.sum()
        if not empty.any():
            return weights, means, cov
        d = X.shape[1]
        pooled = np.cov(X.T, aweights=w).reshape(d, d) + self.reg_covar * np.eye(d)
        positive = np.flatnonzero(w > 0)
        total = float(w.sum())
        for i, k in enumerate(np.flatnonzero(empty)):
            row = worst_row if i == 0 and worst_row >= 0 else int(rng.choice(positive))
            means[k] = X[row]
            cov[k] = pooled
            # The row's own share of the weight total (1 / N for unit weights, as before): only
            # the weights' ratios may matter. 1 / max(w.sum(), 1) gave all-1 and all-1/400
            # weights different fits (scores -4.1061 and -4.1424; session 51).
            weights[k] = (w[row] if w[row] > 0 else w[positive].min()) / total
        return weights / weights.sum(), means, cov

    # -------------------------------------------------------------------- fit
    def iter_fit(self, X, sample_weight=None) -> Generator[tuple[int, float], None, "GaussianMixture"]:
        """Fit by EM, yielding ``(iteration, mean_log_likelihood)`` after every iteration.

        Stop iterating at any point to cancel (the model then holds the parameters of the
        last completed iteration). The generator's return value is ``self``.

        Parameters
        ----------
        X : (N, D) array-like
        sample_weight : (N,) array-like, optional
            Non-negative weights; a weighted fit equals the fit on rows repeated that often,
            which lets callers compress millions of pixels into unique colours with counts.
            From the same start (``means_init``, or one k-means seeding that picks the same
            points) EM's steps are the same; the random k-means seeding draws by row, so
            the two can start apart and end in different local optima (scikit-learn's
            ``check_sample_weight_equivalence`` sees that on 15 points in 30-D).
            Only relative weights matter to the fit: ``w`` and ``c * w`` give the same fit
            for any c > 0 (bit for bit when c is a power of two). Not to :meth:`bic` and
            :meth:`aic`, which take weights as counts (N = their sum): give them counts.

        Yields
        ------
        iteration : int, from 1
        mean_log_likelihood : float
            sum_n w_n log p(x_n) / sum_n w_n under the parameters at the start of the iteration.

        Raises
        ------
        ValueError
            Naming the parameter: an invalid hyper-parameter or ``random_state``; ``X`` not a
            2-D real numeric array, empty, or holding NaN / infinity (its first row named);
            ``sample_weight`` of another length, negative, NaN or all zero; initial
            parameters of the wrong shape.
        TooFewDistinctPointsError (a ValueError)
            Fewer (distinct) points than ``n_components``.
        SingularCovarianceError (a ValueError)
            A component collapsed (raise ``reg_covar`` or lower ``n_components``).
        """
        self._check_parameters()
        names = feature_names(X)
        X = check_data(X, for_fit=True)
        # Fits are invariant to the unit of the weights; see normalise_sample_weight.
        w, _ = normalise_sample_weight(check_sample_weight(sample_weight, X.shape[0]))
        rng = check_random_state(self.random_state)
        with threads.threads_for_rows(X.shape[0]):
            self._initialize(X, w, rng)
        # Only once the new parameters are in: a refit that failed in the initialisation (too
        # few points) left n_features_in_ = 5 on a model still holding 2-feature means.
        self.n_features_in_ = X.shape[1]
        set_feature_names(self, names)
        self.converged_ = False
        self.n_iter_ = 0
        self.log_likelihood_history_ = []
        self.lower_bound_ = -np.inf
        total_weight = w.sum()
        n_chunks, chunk_rows = mixture_kernels.chunking(X.shape[0])
        em_pass = _em_pass_for(X.shape)
        previous = -np.inf
        for iteration in range(1, self.max_iter + 1):
            with threads.threads_for_rows(X.shape[0]):
                resp_sum, diff_sum, scatter, log_likelihood, worst_row = em_pass(
                    X, w, *self._kernel_args(), n_chunks, chunk_rows
                )
            mean_ll = log_likelihood / total_weight
            weights, means, cov = self._m_step(resp_sum, diff_sum, scatter, self.means_)
            weights, means, cov = self._reseed_empty(weights, means, cov, resp_sum, X, w, worst_row, rng)
            self._set_parameters(weights, means, cov)
            self.n_iter_ = iteration
            self.lower_bound_ = mean_ll
            self.log_likelihood_history_.append(mean_ll)
            yield iteration, mean_ll
            if abs(mean_ll - previous) < self.tol:
                self.converged_ = True
                break
            previous = mean_ll
        return self

    def fit(self, X, y=None, sample_weight=None) -> "GaussianMixture":
        """Fit by EM (see :meth:`iter_fit`, whose errors it raises) and return self.

        ``sample_weight`` : (N,) non-negative weights; a weighted fit is the fit on rows
        repeated that often, and only relative weights matter to it (see :meth:`iter_fit`).
        To compare fits with :meth:`bic` / :meth:`aic`, give them the same weights as counts
        (their N is the weights' sum; weights that sum to 1 make BIC pick the largest K).

        ``y`` is ignored, as by scikit-learn's ``GaussianMixture.fit(X, y=None)``: a pipeline,
        ``GridSearchCV`` or ``cross_val_score`` given labels passes them there. Weights go in
        ``sample_weight`` (by keyword, or third): when it was the second parameter, a
        pipeline's labels 0 / 1 were taken as weights and the rows labelled 0 left out of
        the fit, without a word.

        Warns
        -----
        ConvergenceWarning
            EM stopped at ``max_iter`` without converging (``converged_`` False), as
            scikit-learn warns; :func:`fit_quietly` fits without the warning.
        """
        fit_quietly(self, X, sample_weight)
        if not self.converged_:
            warnings.warn(f"EM did not converge in max_iter={self.max_iter} iterations (the mean log-likelihood "
                          f"still changed by more than tol={self.tol}): increase max_iter or tol, or check for "
                          "degenerate data", convergence_warning(), stacklevel=2)
        return self

    def fit_predict(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit by EM, then the most responsible component per row of (N, D) ``X``: (N,) int64.

        Equal to ``fit(X).predict(X)`` (scikit-learn's guarantee: the labels come from the
        fitted parameters, not from the last E-step before them). ``y`` is ignored (see :meth:`fit`).
        """
        return self.fit(X, sample_weight=sample_weight).predict(X)

    @property
    def lower_bounds_(self) -> list:
        """``log_likelihood_history_`` under scikit-learn's name (1.7 and later): the mean
        log-likelihood at every iteration (code written for scikit-learn's plots of EM's
        progress failed with an AttributeError)."""
        self._check_fitted()
        return self.log_likelihood_history_

    @property
    def precisions_(self) -> np.ndarray:
        """Inverse covariances, in the form of ``covariance_type``: (K, D, D), (K, D) or (K,) float64."""
        self._check_fitted()
        factor = self.precisions_cholesky_
        if self._fitted_form() == "full":
            return factor @ np.swapaxes(factor, 1, 2)
        diagonal = np.diagonal(factor, axis1=1, axis2=2) ** 2
        return diagonal if self._fitted_form() == "diag" else diagonal.mean(axis=1)

    # ----------------------------------------------------------------- scoring
    def score_samples(self, X) -> np.ndarray:
        """log p(x_n) for each row: (N, D) -> (N,) float64.

        This and the other scoring methods (``score``, ``predict``, ``predict_proba``, ``bic``,
        ``aic``) raise NotFittedError (a RuntimeError, ValueError and AttributeError) before
        :meth:`fit`, and ValueError for ``X`` of another number of features than the fit's, or
        not a 2-D finite real array.
        """
        self._check_fitted()
        check_feature_names(self, X)
        X = check_data(X, n_features=self._means.shape[1])
        out = np.empty(X.shape[0])
        kernel = threads.for_rows(_log_density_kernel(X.shape[1]), X.shape[0], threads.PARALLEL_MIN_PIXELS)
        kernel(X, *self._kernel_args(), out)
        return out

    def score(self, X, y=None, sample_weight=None) -> float:
        """Weighted mean log-likelihood of (N, D) ``X``; ``y`` is ignored (see :meth:`fit`:
        ``GridSearchCV`` scores held-out data with its labels)."""
        values = self.score_samples(X)
        return weighted_mean(values, check_sample_weight(sample_weight, values.shape[0], scoring=True))

    def _estimate_weighted_log_prob(self, X) -> np.ndarray:
        self._check_fitted()
        check_feature_names(self, X)
        X = check_data(X, n_features=self._means.shape[1])
        out = np.empty((X.shape[0], self._means.shape[0]))
        threads.for_rows(mixture_kernels.component_log_prob, X.shape[0], threads.PARALLEL_MIN_PIXELS)(X, *self._kernel_args(), out)
        return out

    def predict_proba(self, X) -> np.ndarray:
        """Responsibilities gamma_k(x_n): (N, D) -> (N, K) float64, rows summing to 1."""
        log_prob = self._estimate_weighted_log_prob(X)
        top = log_prob.max(axis=1, keepdims=True)
        prob = np.exp(log_prob - top)
        return prob / prob.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """Most responsible component per row: (N,) int64."""
        return self._estimate_weighted_log_prob(X).argmax(axis=1)

    def sample(self, n_samples=1, random_state=None):
        """Draw samples by the generative procedure: pick k ~ pi, then x ~ N(mu_k, Sigma_k).

        Parameters
        ----------
        n_samples : int >= 1, default 1
        random_state : None, int >= 0 or numpy.random.Generator / RandomState, optional
            Default: the model's ``random_state`` (so equal calls draw equal samples).

        Returns
        -------
        X : (n_samples, D) float64
        labels : (n_samples,) int64, the component each sample came from

        Raises
        ------
        RuntimeError
            Before :meth:`fit`.
        ValueError
            ``n_samples`` not an integer >= 1, or a ``random_state`` NumPy cannot seed from.
        """
        self._check_fitted()
        check_positive_int(n_samples, "n_samples")
        rng = (check_random_state(self.random_state) if random_state is None
               else check_random_state(random_state))
        weights, means, covariances = self.weights_, self.means_, self._full_covariances
        if weights.shape != (means.shape[0],) or covariances.shape[0] != means.shape[0]:
            raise ValueError(f"weights_ {weights.shape}, means_ {means.shape} and covariances_ "
                             f"{np.shape(self.covariances_)} must have one entry per component")
        counts = rng.multinomial(n_samples, weights / weights.sum())
        parts, labels = [], []
        for k, count in enumerate(counts):
            parts.append(rng.multivariate_normal(means[k], covariances[k], size=count))
            labels.append(np.full(count, k))
        return np.concatenate(parts), np.concatenate(labels)

    def _n_parameters(self) -> int:
        return _n_parameters(self.means_.shape[0], self.means_.shape[1], self._fitted_form())

    def bic(self, X, sample_weight=None) -> float:
        """Bayesian information criterion (lower is better): -2 log L + p log N (Schwarz 1978).

        Parameters
        ----------
        X : (N, D) array-like
        sample_weight : (N,) array-like, optional
            Counts: row n stands for ``sample_weight[n]`` observations, so log L is the
            weighted sum of log p(x_n) and N = sum of the weights (the BIC of the rows repeated
            that often). Unlike the fit, BIC depends on the weights' scale: weights normalised
            to sum 1 make N = 1, the penalty p log N zero, and BIC picks the largest K. Give
            counts (a colour's pixel count), not frequencies.

        Warns
        -----
        UserWarning
            Naming ``sample_weight``, when the weights sum to less than the model's number of
            parameters p (fewer observations than parameters: BIC says nothing then).
        """
        mean_log_likelihood, n = self._mean_log_likelihood_and_total(X, sample_weight)
        return -2.0 * mean_log_likelihood * n + self._n_parameters() * math.log(n)

    def aic(self, X, sample_weight=None) -> float:
        """Akaike information criterion (lower is better): -2 log L + 2 p (Akaike 1974).

        ``sample_weight`` are counts, as in :meth:`bic`: log L is the weighted sum of
        log p(x_n), so weights normalised to sum 1 shrink -2 log L to a mean next to the
        unchanged 2 p, and AIC picks the smallest K. A UserWarning names ``sample_weight``
        when the weights sum to less than the number of parameters p.
        """
        mean_log_likelihood, n = self._mean_log_likelihood_and_total(X, sample_weight)
        return -2.0 * mean_log_likelihood * n + 2.0 * self._n_parameters()

    def _mean_log_likelihood_and_total(self, X, sample_weight) -> tuple[float, float]:
        """The weighted mean log-likelihood of ``X`` and its number of rows (or total weight).

        ``X`` is checked (as :meth:`score_samples` checks it) before its rows are counted:
        counting them first gave an IndexError ("tuple index out of range") for a scalar,
        None, a file name or a sparse matrix, and before ``fit`` in place of NotFittedError.
        """
        values = self.score_samples(X)
        w = check_sample_weight(sample_weight, values.shape[0], scoring=True)
        n = float(values.shape[0]) if sample_weight is None else weight_total(w)
        if sample_weight is not None and n < self._n_parameters():
            # Weights that sum to 1 (frequencies) count as one observation: BIC then chose the
            # largest K offered, AIC the smallest, without a word.
            warnings.warn(f"sample_weight sums to {n:.6g}, fewer observations than the model's "
                          f"{self._n_parameters()} parameters: bic / aic take the weights as counts (N = their "
                          "sum), so give counts (e.g. pixels per colour), not frequencies that sum to 1",
                          UserWarning, stacklevel=caller_level())
        return weighted_mean(values, w), n

    # ---------------------------------------------------------- serialisation
    def to_dict(self) -> dict:
        """JSON-able parameters: the fitted ones (weights, means, covariances), ``covariance_type``,
        ``reg_covar``, training facts (``converged``, ``n_iter``, ``lower_bound``) and the data
        frame's column names when it was fitted on one (``feature_names_in``).

        The other hyper-parameters (``tol``, ``max_iter``, ``n_init``, ``init``,
        ``random_state``, the initial parameters) are not kept: :meth:`from_dict` gives a model
        with their defaults, so set them (``set_params``) before refitting it if they matter
        (``random_state`` above all, for a refit that repeats).

        Raises
        ------
        ValueError
            When assigned attributes disagree: ``covariances_`` and ``precisions_cholesky_``
            not of the same covariances (the file keeps the covariances, the model scores with
            the factors), or ``weights_`` not summing to 1 (:meth:`from_dict` refuses it).
        """
        self._check_fitted()
        self._kernel_args()  # the shapes agree
        full = self._full_covariances
        if full.shape != self.precisions_cholesky_.shape:
            raise ValueError(f"covariances_ has shape {np.shape(self.covariances_)} but means_ {self.means_.shape}")
        try:
            same = np.allclose(precision_cholesky(full), self.precisions_cholesky_, rtol=1e-6, atol=0.0)
        except SingularCovarianceError:
            same = False
        if not same:
            raise ValueError("covariances_ and precisions_cholesky_ are not of the same covariances: scoring reads "
                             "precisions_cholesky_, the file would keep covariances_; assign both (as scikit-learn "
                             "needs too): precisions_cholesky_ = " + ("numpy.linalg.cholesky(numpy.linalg.inv(covariances_))"
                             if self._fitted_form() == "full" else "1 / numpy.sqrt(covariances_)"))
        if not math.isclose(self.weights_.sum(), 1.0, abs_tol=1e-6):
            raise ValueError(f"weights_ must sum to 1 to be written (sum {self.weights_.sum():.6g}): "
                             "assign weights_ / weights_.sum()")
        return {
            "n_components": int(self.means_.shape[0]),
            "n_features": int(self.means_.shape[1]),
            "covariance_type": self._fitted_form(),
            "reg_covar": float(self.reg_covar),
            "weights": self.weights_.tolist(),
            "means": self.means_.tolist(),
            "covariances": np.asarray(self.covariances_).tolist(),
            "converged": bool(getattr(self, "converged_", False)),
            "n_iter": int(getattr(self, "n_iter_", 0)),
            # JSON has no NaN/inf: an unknown bound is written as null.
            "lower_bound": _finite_or_none(getattr(self, "lower_bound_", None)),
            # The column names of a data frame it was fitted on: a model read back from its
            # file scored frames of other columns in silence (the names were not kept).
            **({"feature_names_in": [str(name) for name in self.feature_names_in_]}
               if getattr(self, "feature_names_in_", None) is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "GaussianMixture":
        """Rebuild a fitted mixture from :meth:`to_dict` output, validating every field.

        Raises
        ------
        ValueError
            Naming the field that is missing, mis-shaped, non-finite, or not a valid
            (positive-definite, symmetric) covariance, or weights that do not sum to one.
        """
        if not isinstance(data, dict):
            raise ValueError("mixture must be a JSON object")
        missing = [key for key in ("covariance_type", "weights", "means", "covariances") if key not in data]
        if missing:
            raise ValueError(f"mixture is missing {', '.join(map(repr, missing))}")
        covariance_type = data["covariance_type"]
        check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)

        def as_array(key, shape):
            # Every entry a number, at the array's depth: NumPy's float conversion took the
            # text "0.9" and true for numbers (a trial's hand-edited model was applied).
            _check_numbers(data[key], shape, key)
            arr = np.asarray(data[key], dtype=np.float64)
            if not np.isfinite(arr).all():
                raise ValueError(f"mixture {key!r} contains NaN or infinity")
            # Finite but beyond what EM and MAP adaptation can square (x x^T, mu mu^T
            # overflow past 1.3e154): a hand-edited mean of 1e308 gave NaN covariances.
            if arr.size and np.abs(arr).max() > _LARGEST_VALUE:
                raise ValueError(f"mixture {key!r} holds {np.abs(arr).max():.3g}, beyond the "
                                 f"{_LARGEST_VALUE:.0e} segmix can compute with")
            return arr

        shapes = {"full": "(K, D, D)", "diag": "(K, D)", "spherical": "(K,)"}
        cov_shape = shapes[covariance_type]
        weights, means = as_array("weights", "(K,)"), as_array("means", "(K, D)")
        # A covariance_type edited by hand ('full' -> 'diag') was told "covariances[0][0] is a
        # list, not a number", of the covariances, which were right.
        fits = _covariance_kinds(data["covariances"], weights, means)
        if fits and covariance_type not in fits:
            raise ValueError(f"mixture 'covariance_type' is {covariance_type!r}, but its 'covariances' have the shape "
                             f"of {fits[0]!r} ones {shapes[fits[0]]}, not {cov_shape}: the covariance_type does not "
                             f"match the covariances' shape (edited?); set it to {fits[0]!r}")
        cov = as_array("covariances", cov_shape)
        if weights.ndim != 1 or weights.size == 0:
            raise ValueError("mixture 'weights' must be a non-empty list")
        k_count = weights.size
        if means.ndim != 2:
            raise ValueError(f"mixture 'means' must have shape ({k_count}, D); got {means.shape}")
        # A count that disagrees names both fields: which one is wrong is the user's to say
        # (a trial's 'weights' cut to [0.5] was refused as "'means' must have shape (1, D)").
        if means.shape[0] != k_count:
            raise ValueError(f"mixture 'weights' has {_entries(k_count, 'entry', 'entries')} but 'means' has "
                             f"{_entries(means.shape[0], 'row', 'rows')}: both have one per component")
        d = means.shape[1]
        expected = {"full": (k_count, d, d), "diag": (k_count, d), "spherical": (k_count,)}[covariance_type]
        if cov.shape != expected:
            what = {"full": ("matrix", "matrices"), "diag": ("row", "rows"), "spherical": ("entry", "entries")}
            if cov.ndim == len(expected) and cov.shape[0] != k_count:
                raise ValueError(f"mixture 'covariances' has {_entries(cov.shape[0], *what[covariance_type])} but "
                                 f"'weights' has {_entries(k_count, 'entry', 'entries')} and 'means' "
                                 f"{_entries(k_count, 'row', 'rows')}: all have one per component")
            if cov.ndim == len(expected) and cov.shape[1:] != expected[1:]:
                size = " x ".join(map(str, cov.shape[1:]))
                shape = "matrices" if covariance_type == "full" else "rows"
                raise ValueError(f"mixture 'covariances' {shape} are {size} but 'means' rows have {d} features "
                                 f"({covariance_type} covariances of {d} features are "
                                 f"{' x '.join(map(str, expected[1:]))})")
            raise ValueError(f"mixture 'covariances' must have shape {expected}; got {cov.shape}")
        if (weights < 0).any():
            # Said apart from the sum: weights [1.5, -0.5] were refused "(sum 1)", which sums to 1.
            first = int(np.flatnonzero(weights < 0)[0])
            raise ValueError(f"mixture 'weights' must be non-negative; weights[{first}] is {weights[first]:.6g}")
        if not math.isclose(weights.sum(), 1.0, abs_tol=1e-6):
            raise ValueError(f"mixture 'weights' must be non-negative and sum to 1 (sum {weights.sum():.6g})")
        full = covariances_to_full(cov, covariance_type, d)
        if not np.allclose(full, np.swapaxes(full, 1, 2), rtol=1e-9, atol=1e-12):
            raise ValueError("mixture 'covariances' must be symmetric")
        smallest = np.linalg.eigvalsh(full).min(axis=1)
        if (smallest > 0).all() and (smallest < _SMALLEST_VARIANCE).any():
            k = int(np.argmin(smallest))
            raise ValueError(f"mixture 'covariances' of component {k} has a variance of {smallest[k]:.3g} (its "
                             f"smallest eigenvalue), below the {_SMALLEST_VARIANCE:.0e} segmix can compute with: "
                             "every colour but its mean would have zero likelihood")
        # The optional fields are a stranger's too: each is named when it is wrong, and a count
        # that disagrees with the arrays is refused rather than silently ignored.
        for key, count in (("n_components", k_count), ("n_features", d)):
            if key in data and (not _is_int(data[key]) or data[key] != count):
                raise ValueError(f"mixture {key!r} is {data[key]!r} but the arrays hold {count}")
        reg_covar = data.get("reg_covar", 1e-6)
        if not _is_number(reg_covar) or not math.isfinite(reg_covar) or reg_covar < 0:
            raise ValueError(f"mixture 'reg_covar' must be a finite number >= 0; got {reg_covar!r}")
        n_iter = data.get("n_iter", 0)
        if not _is_int(n_iter) or n_iter < 0:
            raise ValueError(f"mixture 'n_iter' must be an integer >= 0; got {n_iter!r}")
        converged = data.get("converged", True)
        if not isinstance(converged, bool):
            raise ValueError(f"mixture 'converged' must be true or false; got {converged!r}")
        model = cls(n_components=k_count, covariance_type=covariance_type, reg_covar=float(reg_covar))
        try:
            # Weights written by to_dict sum to 1 up to rounding: keep them as written, so a
            # model read back is bit for bit the one saved.
            if abs(weights.sum() - 1.0) > 1e-12:
                weights = weights / weights.sum()
            model._set_parameters(weights, means, full)
        except ValueError:
            raise ValueError("mixture 'covariances' must be positive definite") from None
        model.n_features_in_ = d
        model.converged_ = converged
        model.n_iter_ = int(n_iter)
        bound = data.get("lower_bound")
        model.lower_bound_ = float(bound) if isinstance(bound, (int, float)) else float("nan")
        model.log_likelihood_history_ = []
        names = data.get("feature_names_in")
        if names is not None:
            if (not isinstance(names, list) or len(names) != d or not all(isinstance(n, str) for n in names)
                    or len(set(names)) != d):
                raise ValueError(f"mixture 'feature_names_in' must be a list of {d} different texts (one per "
                                 f"feature), or be left out; got {_short_repr(names)}")
            model.feature_names_in_ = np.asarray(names, dtype=object)
        return model


def _covariance_kinds(covariances, weights: np.ndarray, means: np.ndarray) -> list[str]:
    """The covariance types whose shape ``covariances`` has, given K weights and (K, D) means;
    [] when it has none's (or is no regular array of numbers: said by the checks after)."""
    if weights.ndim != 1 or means.ndim != 2 or means.shape[0] != weights.size:
        return []
    k, d = means.shape
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shape = np.asarray(covariances, dtype=np.float64).shape
    except (TypeError, ValueError):
        return []
    return [kind for kind, expected in (("full", (k, d, d)), ("diag", (k, d)), ("spherical", (k,)))
            if shape == expected]


def _check_numbers(value, shape: str, key: str, where: str = "") -> None:
    """ValueError unless ``value`` is nested lists of the depth of ``shape`` (``"(K, D)"``)
    whose entries are JSON numbers (not text, true / false or null), naming the first entry
    that is not by its path: ``mixture 'means' must be numbers; means[0][2] is '0.9'``. A
    NumPy array of numbers passes. The sizes are checked by the caller."""
    depth = shape.count(",") + 1 - shape.count(",)")  # "(K,)" is 1 deep, "(K, D)" 2
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        value = value.tolist()
    if not where and not isinstance(value, (list, tuple)):
        raise ValueError(f"mixture {key!r} must be a list of shape {shape}; got {_shown(value)}")
    if isinstance(value, (list, tuple)):
        if where.count("[") == depth:
            raise ValueError(f"mixture {key!r} must have shape {shape}: {key}{where} is a list, not a number")
        for i, item in enumerate(value):
            _check_numbers(item, shape, key, f"{where}[{i}]")
        # Rows of unequal length: NumPy's own words ("setting an array element with a
        # sequence. The requested array has an inhomogeneous shape ...") named neither.
        rows = [len(item) for item in value if isinstance(item, (list, tuple))]
        for i, n in enumerate(rows):
            if n != rows[0]:
                raise ValueError(f"mixture {key!r} must have shape {shape}: {key}{where}[0] has "
                                 f"{_entries(rows[0], 'entry', 'entries')} but {key}{where}[{i}] has {n}")
        return
    if where.count("[") < depth:
        raise ValueError(f"mixture {key!r} must have shape {shape}: {key}{where} is {_shown(value)}, not a list")
    if not (_is_number(value) or isinstance(value, (np.integer, np.floating))):
        raise ValueError(f"mixture {key!r} must be numbers; {key}{where} is {_shown(value)}")


def _shown(value) -> str:
    """A JSON value as the message shows it: text quoted, true / false / null as JSON writes
    them, a list or object by its kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


def _entries(n: int, one: str, several: str) -> str:
    """``n`` with its noun: "1 entry", "2 entries"."""
    return f"{n} {one if n == 1 else several}"

def _is_int(value) -> bool:
    """A JSON integer (``true`` / ``false`` are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    """A JSON number, integer or not (not a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


__all__ = ["GaussianMixture", "SingularCovarianceError", "TooFewDistinctPointsError", "COVARIANCE_TYPES"]


def fit_quietly(model: GaussianMixture, X, sample_weight=None) -> GaussianMixture:
    """``model.fit(X, sample_weight=sample_weight)`` without the ConvergenceWarning: for segmix's
    own fits, whose ``max_iter`` is a budget (a GrabCut round's 10 EM steps, a refit between
    clicks), not a promise of convergence. Raises what :meth:`GaussianMixture.iter_fit` raises."""
    for _ in model.iter_fit(X, sample_weight):
        pass
    return model
