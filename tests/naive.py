"""Plain NumPy reference implementations the kernels and estimators are tested against.

Everything here is written straight from the lecture formulas, with no attempt at speed:
densities come from the covariance through ``np.linalg.slogdet`` / ``np.linalg.solve``
(never through a precision Cholesky factor), responsibilities are materialised as an
(N, K) matrix, and statistics are plain weighted sums.
"""

from __future__ import annotations

import numpy as np

LOG_2PI = np.log(2.0 * np.pi)


def full_covariances(covariances, covariance_type, n_features):
    """Stored covariances ((K,D,D), (K,D) or (K,)) -> (K, D, D)."""
    cov = np.asarray(covariances, dtype=np.float64)
    if covariance_type == "full":
        return cov.copy()
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([c * np.eye(n_features) for c in cov])


def covariances_from_precision_chol(prec_chol):
    """(K, D, D) P with P P^T = Sigma^-1 -> (K, D, D) Sigma (via np.linalg.inv)."""
    return np.stack([np.linalg.inv(p @ p.T) for p in prec_chol])


def log_gaussian(X, mean, cov):
    """log N(x_n | mean, cov) for every row of (N, D) X, from slogdet and solve."""
    X = np.asarray(X, dtype=np.float64)
    d = X.shape[1]
    sign, logdet = np.linalg.slogdet(cov)
    assert sign > 0, "covariance must be positive definite"
    diff = X - mean
    maha = np.einsum("nd,nd->n", diff, np.linalg.solve(cov, diff.T).T)
    return -0.5 * (d * LOG_2PI + logdet + maha)


def component_log_prob(X, weights, means, covs):
    """(N, K) matrix log pi_k + log N(x_n | mu_k, Sigma_k)."""
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=np.float64))
    return np.stack([log_w[k] + log_gaussian(X, means[k], covs[k]) for k in range(len(weights))], axis=1)


def logsumexp_rows(a):
    top = a.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return (top + np.log(np.exp(a - top).sum(axis=1, keepdims=True)))[:, 0]


def log_density(X, weights, means, covs):
    """(N,) log p(x_n) = log sum_k pi_k N(x_n | k)."""
    return logsumexp_rows(component_log_prob(X, weights, means, covs))


def responsibilities(X, weights, means, covs):
    """(N, K) gamma_k(x_n) = pi_k N(x_n|k) / sum_j pi_j N(x_n|j)."""
    lp = component_log_prob(X, weights, means, covs)
    return np.exp(lp - logsumexp_rows(lp)[:, None])


def log_likelihood(X, weights, means, covs, w=None):
    """sum_n w_n log p(x_n)."""
    ld = log_density(X, weights, means, covs)
    w = np.ones(len(ld)) if w is None else np.asarray(w, dtype=np.float64)
    return float(np.sum(w * ld))


def shifted_statistics(X, w, gamma, centers):
    """Weighted statistics about ``centers`` (the convention of the EM kernels).

    Returns resp_sum (K,) = sum w gamma, diff_sum (K, D) = sum w gamma (x - c_k),
    scatter (K, D, D) = sum w gamma (x - c_k)(x - c_k)^T.
    """
    X = np.asarray(X, dtype=np.float64)
    r = gamma * np.asarray(w, dtype=np.float64)[:, None]
    k_count = gamma.shape[1]
    resp_sum = r.sum(axis=0)
    diff_sum = np.empty((k_count, X.shape[1]))
    scatter = np.empty((k_count, X.shape[1], X.shape[1]))
    for k in range(k_count):
        diff = X - centers[k]
        diff_sum[k] = r[:, k] @ diff
        scatter[k] = (r[:, k, None] * diff).T @ diff
    return resp_sum, diff_sum, scatter


def em_statistics(X, w, weights, means, covs):
    """What one fused E-step pass computes: (resp_sum, diff_sum, scatter, log_likelihood).

    Rows of zero weight contribute nothing (not even to the log-likelihood).
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    keep = w > 0
    Xk, wk = X[keep], w[keep]
    gamma = responsibilities(Xk, weights, means, covs)
    resp_sum, diff_sum, scatter = shifted_statistics(Xk, wk, gamma, means)
    ll = log_likelihood(Xk, weights, means, covs, wk)
    return resp_sum, diff_sum, scatter, ll


def m_step(X, gamma, reg_covar, w=None, covariance_type="full"):
    """The lecture's M-step (weighted): N_j, pi_j, mu_j, Sigma_j (+ reg I).

    N_j = sum_n w_n gamma_nj; pi_j = N_j / N; mu_j = sum w gamma x / N_j;
    Sigma_j = sum w gamma (x - mu_j)(x - mu_j)^T / N_j + reg I.
    Returns weights (K,), means (K, D), full covariances (K, D, D).
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    r = gamma * w[:, None]
    nk = r.sum(axis=0)
    weights = nk / nk.sum()
    means = (r.T @ X) / nk[:, None]
    d = X.shape[1]
    covs = np.empty((len(nk), d, d))
    for k in range(len(nk)):
        diff = X - means[k]
        covs[k] = (r[:, k, None] * diff).T @ diff / nk[k]
        if covariance_type == "diag":
            covs[k] = np.diag(np.diag(covs[k]))
        elif covariance_type == "spherical":
            covs[k] = np.mean(np.diag(covs[k])) * np.eye(d)
        covs[k] += reg_covar * np.eye(d)
    return weights, means, covs


def em_step(X, weights, means, covs, reg_covar, w=None, covariance_type="full"):
    """One EM iteration; returns (new weights, means, covs, mean log-likelihood before)."""
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    gamma = responsibilities(X, weights, means, covs)
    ll = log_likelihood(X, weights, means, covs, w) / w.sum()
    new = m_step(X, gamma, reg_covar, w, covariance_type)
    return (*new, ll)


def kmeans_assign(X, centers, w=None):
    """Nearest-centre labels (N,) and the objective J = sum_n w_n ||x_n - c_{label}||^2."""
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    d2 = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    labels = d2.argmin(axis=1)
    return labels, float(np.sum(w * d2[np.arange(X.shape[0]), labels]))


def kmeans_objective(X, centers, labels, w=None):
    """J for given labels: sum_n w_n ||x_n - c_{label_n}||^2."""
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    return float(np.sum(w * ((X - centers[labels]) ** 2).sum(axis=1)))


def cluster_sums(X, w, labels, k_count):
    """Per-cluster weight sums (K,) and weighted coordinate sums (K, D)."""
    X = np.asarray(X, dtype=np.float64)
    ws = np.zeros(k_count)
    xs = np.zeros((k_count, X.shape[1]))
    for k in range(k_count):
        m = labels == k
        ws[k] = w[m].sum()
        xs[k] = (w[m, None] * X[m]).sum(axis=0)
    return ws, xs


def cluster_scatter(X, w, labels, centers):
    """Per-cluster weight sums, sum w (x - c_k), sum w (x - c_k)(x - c_k)^T."""
    k_count = centers.shape[0]
    gamma = np.zeros((X.shape[0], k_count))
    gamma[np.arange(X.shape[0]), labels] = 1.0
    return shifted_statistics(X, w, gamma, centers)


def random_spd(rng, k_count, d, scale=1.0, min_eig=0.05):
    """(K, D, D) random symmetric positive-definite matrices."""
    out = np.empty((k_count, d, d))
    for k in range(k_count):
        a = rng.normal(size=(d, d)) * scale
        out[k] = a @ a.T / d + min_eig * scale**2 * np.eye(d)
    return out


def precision_cholesky_from_cov(covs):
    """Upper-triangular P with P P^T = Sigma^-1 (scikit-learn's convention), via NumPy."""
    out = np.empty_like(covs)
    for k, c in enumerate(covs):
        lower = np.linalg.cholesky(c)
        out[k] = np.linalg.inv(lower).T
    return out
