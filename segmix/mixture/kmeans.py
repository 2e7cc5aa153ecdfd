"""k-means with k-means++ seeding and restarts: EM initialisation and colour quantisation.

k-means is EM with hard assignments and Sigma = sigma^2 I: it minimises the objective
J = sum_n sum_k r_nk ||x_n - mu_k||^2. ``n_init`` restarts keep the run with the lowest J.

A caller that may stop a fit (the window's compute thread) wraps it in
:func:`segmix.cancel_points.stoppable`: each centre of a seeding and each Lloyd iteration is a
:func:`segmix.cancel_points.checkpoint` (at k = 256 a k-means took 30-40 s, and a newer request
waited behind it). The steps, and so the result, are those of a fit that nothing stops.
"""

from __future__ import annotations

import numpy as np

from segmix.cancel_points import checkpoint
from segmix.kernels import mixture as mixture_kernels, threads
from segmix.mixture._params import ParamsMixin
from segmix.mixture._validation import (
    not_fitted,
    check_choice,
    check_data,
    check_feature_names,
    feature_names,
    set_feature_names,
    check_non_negative,
    check_positive_int,
    check_random_state,
    check_sample_weight,
    normalise_sample_weight,
)

KMEANS_INITS = ("k-means++", "random")

class TooFewDistinctPointsError(ValueError):
    """Raised when the data has fewer distinct points than requested clusters."""


def _too_few(found: str, n_clusters: int, parameter: str, w: np.ndarray | None = None) -> TooFewDistinctPointsError:
    """The error for fewer (distinct) points than clusters; ``w``, the sample weights, names
    sample_weight when rows weighted 0 left too few (299 of 300 rows weighted 0 read "the data
    has 1 point(s)", which a new user's 300 rows were not)."""
    noun = "components" if parameter == "n_components" else "clusters"
    zero = 0 if w is None else int(np.count_nonzero(w <= 0))
    weighted = (f" of nonzero sample_weight ({zero:,} of its {w.size:,} rows are weighted 0)" if zero else "")
    return TooFewDistinctPointsError(
        f"the data has {found} point(s){weighted} but {n_clusters} {noun} were requested; lower {parameter}"
        + (" or give more rows a weight" if zero else ""))


def kmeans_plusplus(X, w, n_clusters, rng, parameter: str = "n_clusters", n_local_trials: int = 1) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007), weighted; greedy with ``n_local_trials`` > 1.

    Parameters
    ----------
    X : (N, D) float64
    w : (N,) float64 sample weights
    n_clusters : int
    rng : numpy.random.Generator
    parameter : str
        The caller's name for ``n_clusters`` (GaussianMixture's ``n_components``), for the error.
    n_local_trials : int, default 1
        Candidates drawn (D^2-weighted) for each centre after the first; the one that lowers the
        weighted potential sum w min-distance^2 most is kept (greedy k-means++, as in Arthur &
        Vassilvitskii's paper and scikit-learn's ``KMeans``, 2 + ln K trials there). 1: plain
        k-means++, one draw per centre.

    Returns
    -------
    centers : (K, D) float64, distinct rows of X

    Raises
    ------
    TooFewDistinctPointsError
        When X has fewer than ``n_clusters`` distinct rows of positive weight.
    """
    n, d = X.shape
    centers = np.empty((n_clusters, d))
    p = w / w.sum()
    first = rng.choice(n, p=p)
    centers[0] = X[first]
    min_dist = np.full(n, np.inf)
    update = threads.for_rows(mixture_kernels.min_sq_dist_update, n)
    if n_local_trials > 1:
        potential = threads.for_rows(mixture_kernels.trial_potential, n)
        chunks = mixture_kernels.chunking(n)
        update(X, centers[0], min_dist)
    for k in range(1, n_clusters):
        checkpoint()
        if n_local_trials <= 1:
            update(X, centers[k - 1], min_dist)
        score = min_dist * w
        total = score.sum()
        if not total > 0:
            raise _too_few(f"only {k} distinct", n_clusters, parameter, w)
        # Inverse-CDF sampling is stable for large N where rng.choice(p=...) rejects
        # probabilities that do not sum to 1 to the last bit.
        cumulative = np.cumsum(score)
        if n_local_trials <= 1:
            pick = int(np.searchsorted(cumulative, rng.random() * total, side="right"))
            centers[k] = X[min(pick, n - 1)]
            continue
        picks = np.minimum(np.searchsorted(cumulative, rng.random(n_local_trials) * total, side="right"), n - 1)
        potentials = [potential(X, w, X[pick], min_dist, *chunks) for pick in picks]
        centers[k] = X[picks[int(np.argmin(potentials))]]
        update(X, centers[k], min_dist)
    return centers


def greedy_trials(n_clusters: int) -> int:
    """scikit-learn's number of greedy k-means++ candidates per centre, 2 + int(ln K)."""
    return 2 + int(np.log(max(1, n_clusters)))


def random_centers(X, w, n_clusters, rng, parameter: str = "n_clusters") -> np.ndarray:
    """Centres drawn among the distinct rows of positive weight, each with a probability
    proportional to its weight (uniformly when the weights are equal), without replacement.

    Weighted as scikit-learn's ``init="random"`` is: drawn uniformly by row, a colour of
    count 1000 given as one weighted row was as likely a seed as one of count 1, whereas
    the same data as repeated rows made it 1000 times likelier, so the weighted fit was
    not the repeated rows' fit its documentation promises. Sequential weighted sampling
    without replacement by Efraimidis & Spirakis (2006): the order of the keys u^(1/w).

    Returns
    -------
    centers : (K, D) float64
    """
    candidates = np.flatnonzero(w > 0)
    weights = w[candidates]
    if weights.size and weights.min() == weights.max():
        order = rng.permutation(candidates)  # equal weights: the draw of earlier versions
    else:
        # log(u) / w is increasing in u^(1/w) and has no underflow for large weights.
        keys = np.log(rng.random(candidates.size)) / weights
        order = candidates[np.argsort(-keys, kind="stable")]
    chosen = []
    for row in order:
        if not any(np.array_equal(X[row], X[c]) for c in chosen):
            chosen.append(row)
            if len(chosen) == n_clusters:
                return X[np.array(chosen)].copy()
    raise _too_few(f"only {len(chosen)} distinct", n_clusters, parameter, w)


def lloyd(X, w, centers, max_iter, tol_abs):
    """Lloyd iterations from ``centers`` until the squared centre shift is <= ``tol_abs``.

    An empty cluster is re-seeded at the point farthest from its centre, so no centre is
    ever NaN.

    Returns
    -------
    centers : (K, D) float64
    labels : (N,) int32
    inertia : float
        The objective J of the returned labels and the centres they were assigned to.
    n_iter : int
    """
    n = X.shape[0]
    n_chunks, chunk_rows = mixture_kernels.chunking(n)
    lloyd_pass = threads.for_rows(mixture_kernels.lloyd_pass, n)
    labels = np.empty(n, dtype=np.int32)
    centers = centers.copy()
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        checkpoint()
        weight_sum, coord_sum, inertia = lloyd_pass(X, w, centers, labels, n_chunks, chunk_rows)
        new_centers = centers.copy()
        filled = weight_sum > 0
        new_centers[filled] = coord_sum[filled] / weight_sum[filled, None]
        if not filled.all():
            dist = ((X - centers[labels]) ** 2).sum(axis=1) * (w > 0)
            for k in np.flatnonzero(~filled):
                far = int(np.argmax(dist))
                new_centers[k] = X[far]
                dist[far] = -1.0
        shift = float(((new_centers - centers) ** 2).sum())
        centers = new_centers
        if shift <= tol_abs and filled.all():
            break
    # Labels and J must describe the returned centres.
    _, _, inertia = lloyd_pass(X, w, centers, labels, n_chunks, chunk_rows)
    return centers, labels, float(inertia), n_iter


def run_kmeans(X, w, n_clusters, *, init, n_init, max_iter, tol, rng, parameter="n_clusters", greedy=False):
    """Best of ``n_init`` k-means runs by the objective J.

    Parameters
    ----------
    X : (N, D) float64
    w : (N,) float64
    init : {"k-means++", "random"} or (K, D) float64 ndarray
        A seeding, or the starting centres (one run from them; ``n_init`` unused).
    greedy : bool
        "k-means++" draws :func:`greedy_trials` candidates per centre (:class:`KMeans`); the
        mixtures' initialisation keeps the plain seeding its measured defaults were chosen with.

    Returns
    -------
    centers : (K, D) float64
    labels : (N,) int32
    inertia : float
    n_iter : int
    """
    if np.count_nonzero(w > 0) < n_clusters:
        raise _too_few(str(np.count_nonzero(w > 0)), n_clusters, parameter, w)
    mean = np.average(X, axis=0, weights=w)
    variance = float(np.average(((X - mean) ** 2).sum(axis=1), weights=w))
    tol_abs = tol * variance / X.shape[1]
    if isinstance(init, np.ndarray):
        # Given centres: one run, as scikit-learn does (restarts from them would repeat it).
        return lloyd(X, w, init, max_iter, tol_abs)
    best = None
    for _ in range(n_init):
        if init == "k-means++":
            seeds = kmeans_plusplus(X, w, n_clusters, rng, parameter, greedy_trials(n_clusters) if greedy else 1)
        else:
            seeds = random_centers(X, w, n_clusters, rng, parameter)
        result = lloyd(X, w, seeds, max_iter, tol_abs)
        if best is None or result[2] < best[2]:
            best = result
    return best


class KMeans(ParamsMixin):
    """k-means clustering with k-means++ seeding, restarts and sample weights.

    scikit-learn's ``KMeans`` interface for these parameters (``fit``, ``predict``,
    ``fit_predict``, ``transform``, ``fit_transform``, ``score``, ``get_params`` /
    ``set_params``). Lloyd (1982); k-means++ seeding after Arthur & Vassilvitskii (2007).

    Parameters
    ----------
    n_clusters : int, default 8
    init : {"k-means++", "random"} or (n_clusters, n_features) array-like, default "k-means++"
        Seeding: greedy D^2-weighted sampling (2 + ln K candidates per centre, the best kept,
        as scikit-learn's; plain k-means++ left an inertia 3 % higher than scikit-learn's on
        average, up to 16.5 %), or distinct data points drawn uniformly; or the
        starting centres, as scikit-learn takes them (one run from them: ``n_init`` is not
        used; the array is not modified).
    n_init : int or "auto", default 10
        Independent runs; the one with the lowest objective J is kept. "auto" as
        scikit-learn's (its default since 1.4): 1 run for "k-means++" (or starting centres),
        10 for "random".
    max_iter : int, default 300
    tol : float, default 1e-4
        Convergence when the summed squared centre shift falls below ``tol`` times the mean
        per-feature variance of the data (scikit-learn's convention).
    random_state : None, int >= 0 or numpy.random.Generator / RandomState
        The seeding's; a ValueError names any other value.

    Attributes
    ----------
    cluster_centers_ : (K, D) float64
    labels_ : (N,) int32
    inertia_ : float, the objective J
    n_iter_ : int
    n_features_in_ : int, D
    feature_names_in_ : (D,) object array of str
        The column names of a data frame ``X``, checked when scoring as
        :class:`segmix.mixture.GaussianMixture` checks them.
    """

    _estimator_type = "clusterer"
    _sklearn_only = {
        "algorithm": "segmix runs Lloyd's iterations (scikit-learn's 'lloyd')",
        "copy_x": "X is never modified",
        "verbose": "none: fit prints nothing",
    }

    def __init__(self, n_clusters=8, *, init="k-means++", n_init=10, max_iter=300, tol=1e-4, random_state=None):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None):
        """Cluster (N, D) ``X``; optional (N,) ``sample_weight`` (weighted == repeated rows:
        the same Lloyd steps from the same centres, e.g. ``init`` as an array; the random
        seedings draw by row, so the two can start, and end, apart).

        ``y`` is ignored, as by scikit-learn's ``KMeans.fit(X, y=None, sample_weight=None)``
        (a pipeline given labels passes them there; they were taken as weights). The same
        holds for ``fit_predict``, ``fit_transform`` and ``score``.

        Raises
        ------
        ValueError
            Naming the parameter: an invalid hyper-parameter or ``random_state``, ``X`` or
            ``sample_weight`` as :meth:`segmix.mixture.GaussianMixture.iter_fit` refuses them.
        TooFewDistinctPointsError (a ValueError)
            Fewer (distinct) points than ``n_clusters``.

        ``predict``, ``transform`` and ``score`` raise RuntimeError before ``fit``, and
        ValueError for ``X`` of another number of features.
        """
        check_positive_int(self.n_clusters, "n_clusters")
        n_init = self._checked_n_init()
        check_positive_int(self.max_iter, "max_iter")
        check_non_negative(self.tol, "tol")
        names = feature_names(X)
        X = check_data(X, for_fit=True)
        init = self._checked_init(X.shape[1])
        # Invariant to the unit of the weights (scikit-learn#10933); inertia_ in the caller's unit.
        w, scale = normalise_sample_weight(check_sample_weight(sample_weight, X.shape[0]))
        rng = check_random_state(self.random_state)
        with threads.threads_for_rows(X.shape[0]):
            centers, labels, inertia, n_iter = run_kmeans(
                X, w, self.n_clusters, init=init, n_init=n_init,
                max_iter=self.max_iter, tol=self.tol, rng=rng, greedy=True,
            )
        self.cluster_centers_ = centers
        self.n_features_in_ = X.shape[1]  # scikit-learn's attribute, as GaussianMixture sets it
        set_feature_names(self, names)
        self.labels_ = labels
        self.inertia_ = inertia * scale
        self.n_iter_ = n_iter
        return self

    def _checked_n_init(self) -> int:
        """The number of runs: ``n_init``, or scikit-learn's choice for "auto" (code written
        for scikit-learn >= 1.4, whose examples and default give n_init="auto", was refused)."""
        if isinstance(self.n_init, str) and self.n_init == "auto":
            return 10 if isinstance(self.init, str) and self.init == "random" else 1
        if isinstance(self.n_init, str):
            raise ValueError(f"n_init must be an integer >= 1 or 'auto'; got {self.n_init!r}")
        return check_positive_int(self.n_init, "n_init")

    def _checked_init(self, n_features: int):
        """``init`` as run_kmeans takes it: a seeding's name, or the (K, D) float64 centres."""
        if isinstance(self.init, str) or callable(self.init):
            return check_choice(self.init, "init", KMEANS_INITS,
                                hint="or an (n_clusters, n_features) array of starting centres")
        try:
            centers = np.array(self.init, dtype=np.float64)  # a copy: Lloyd never moves the user's array
        except (TypeError, ValueError):
            centers = None
        expected = (self.n_clusters, n_features)
        if centers is None or centers.shape != expected or not np.isfinite(centers).all():
            got = (repr(self.init)[:60] if centers is None else f"shape {centers.shape}" if centers.shape != expected
                   # the right shape: "got shape (2, 3)" read as no reason at all
                   else f"{int(np.size(centers) - np.isfinite(centers).sum())} NaN or infinite value(s)")
            raise ValueError(f"init given as starting centres must be a finite array of shape {expected} "
                             f"(n_clusters, n_features); got {got}")
        return np.ascontiguousarray(centers)

    def predict(self, X) -> np.ndarray:
        """Index of the nearest centre for each row of (N, D) ``X``: (N,) int32."""
        if not hasattr(self, "cluster_centers_"):
            raise not_fitted("KMeans is not fitted yet: call fit first")
        check_feature_names(self, X)
        X = check_data(X, n_features=self.cluster_centers_.shape[1])
        labels = np.empty(X.shape[0], dtype=np.int32)
        n_chunks, chunk_rows = mixture_kernels.chunking(X.shape[0])
        threads.for_rows(mixture_kernels.lloyd_pass, X.shape[0])(
            X, np.ones(X.shape[0]), self.cluster_centers_, labels, n_chunks, chunk_rows
        )
        return labels

    def fit_predict(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit, then the cluster of each row of (N, D) ``X``: (N,) int32 (``labels_``)."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def transform(self, X) -> np.ndarray:
        """Euclidean distance of each row of (N, D) ``X`` to each centre: (N, K) float64."""
        if not hasattr(self, "cluster_centers_"):
            raise not_fitted("KMeans is not fitted yet: call fit first")
        check_feature_names(self, X)
        X = check_data(X, n_features=self.cluster_centers_.shape[1])
        # One centre at a time: exact (||x||^2 - 2 x.c + ||c||^2 cancels badly near a centre far
        # from the origin) without an (N, K, D) temporary.
        return np.stack([np.sqrt(((X - center) ** 2).sum(axis=1)) for center in self.cluster_centers_], axis=1)

    def fit_transform(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit, then :meth:`transform` ``X``: (N, K) float64."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X, y=None, sample_weight=None) -> float:
        """Minus the objective J of (N, D) ``X`` under the fitted centres (scikit-learn's sign:
        higher is better)."""
        distances = self.transform(X)
        w = check_sample_weight(sample_weight, distances.shape[0], scoring=True)
        return -float(np.dot(w, distances.min(axis=1) ** 2))
