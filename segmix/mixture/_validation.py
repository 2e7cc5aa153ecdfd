"""Input checks shared by the mixture estimators: clear messages that name the parameter."""

from __future__ import annotations

import numbers
import sys
import warnings

import numpy as np

from segmix.held_warnings import caller_level


class NotFittedError(RuntimeError, ValueError, AttributeError):
    """A scoring method called before ``fit``.

    A RuntimeError, as documented since the first release, and a ValueError and an
    AttributeError too, as scikit-learn's ``sklearn.exceptions.NotFittedError``: code written
    for scikit-learn's estimators (``except NotFittedError``-like ``except (ValueError,
    AttributeError)``) did not catch segmix's (a library trial). When scikit-learn is in use
    (``sklearn.exceptions`` imported) the error raised is also
    ``sklearn.exceptions.NotFittedError`` (:func:`not_fitted`).
    """

    __module__ = "segmix.mixture"  # where it is imported from (logs, tracebacks, pickles)


class ConvergenceWarning(UserWarning):
    """EM stopped at ``max_iter`` before the mean log-likelihood changed by less than ``tol``
    (``GaussianMixture.fit``; ``converged_`` is False). A UserWarning, as scikit-learn's
    ``sklearn.exceptions.ConvergenceWarning``; when scikit-learn is in use the warning is also
    that class (:func:`convergence_warning`), so that a filter written for scikit-learn's
    estimators silences segmix's too. segmix's own fits, whose ``max_iter`` is a budget (a
    GrabCut round of 10 EM steps), do not warn (``segmix.mixture.fit_quietly``)."""

    __module__ = "segmix.mixture"


def convergence_warning() -> type:
    """The ConvergenceWarning class to warn with: also ``sklearn.exceptions.ConvergenceWarning``
    when scikit-learn is in use (``sklearn.exceptions`` imported), as :func:`not_fitted`."""
    if "sklearn.exceptions" in sys.modules:
        return globals().get("SklearnConvergenceWarning") or __getattr__("SklearnConvergenceWarning")
    return ConvergenceWarning


#: Largest magnitude the estimators take in data: its square, and sums of many squares, stay
#: finite in float64 (as a model file's mixture, segmix.mixture.gmm._LARGEST_VALUE).
LARGEST_DATA_VALUE = 1e150


def not_fitted(message: str) -> NotFittedError:
    """The NotFittedError to raise: when scikit-learn is in use (``sklearn.exceptions``
    imported), one that is also ``sklearn.exceptions.NotFittedError``, so that
    ``except NotFittedError`` written for scikit-learn's estimators catches it and
    scikit-learn's ``check_estimator`` sees its own error; otherwise segmix's alone
    (segmix does not import scikit-learn, 2 s of a command's start)."""
    if "sklearn.exceptions" in sys.modules:
        cls = globals().get("SklearnNotFittedError") or __getattr__("SklearnNotFittedError")
        return cls(message)
    return NotFittedError(message)


def __getattr__(name: str):
    # The classes with scikit-learn's bases, made on first use and kept under their names, so
    # that they pickle (a Dask or joblib worker's error) and unpickle where scikit-learn is installed.
    own = {"SklearnNotFittedError": (NotFittedError, "NotFittedError", "not_fitted"),
           "SklearnConvergenceWarning": (ConvergenceWarning, "ConvergenceWarning", "convergence_warning")}
    if name in own:
        import sklearn.exceptions

        base, sklearn_name, maker = own[name]
        # Named as the public class (segmix.mixture.ConvergenceWarning): logs and tracebacks
        # showed segmix.mixture._validation.SklearnConvergenceWarning, a name nobody imports
        # (a library trial). Pickled through _rebuild, as pickle would look the public name up
        # and find the class without scikit-learn's base.
        cls = type(name, (base, getattr(sklearn.exceptions, sklearn_name)), {
            "__module__": "segmix.mixture",
            "__qualname__": sklearn_name,
            "__doc__": f"segmix's {sklearn_name} that is scikit-learn's too (see {maker}).",
            "__reduce__": lambda self, _name=name: (_rebuild, (_name, self.args), self.__dict__ or None),
        })
        cls.__name__ = sklearn_name
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _rebuild(name: str, args: tuple):
    """An instance of the class of scikit-learn's bases kept under ``name`` (unpickling)."""
    return (globals().get(name) or __getattr__(name))(*args)


def check_data(X, name: str = "X", n_features: int | None = None, for_fit: bool = False) -> np.ndarray:
    """Return ``X`` as a C-contiguous (N, D) float64 array, or raise ValueError (naming
    ``name``: sparse, not numeric, complex, not 2-D, empty, of other than ``n_features``
    columns, NaN or infinity, a magnitude over 1e150, whose square would overflow: in a fit
    and in scoring alike, as scoring such a row gave NaN probabilities and label 0 in silence).

    Parameters
    ----------
    X : array-like of shape (N, D)
    name : str
        Name used in error messages.
    n_features : int, optional
        Required D (for data scored by an already fitted model).
    for_fit : bool, default False
        ``X`` is to be fitted (kept for callers: since session 51 the magnitude is checked for
        scoring too).
    """
    given_array = isinstance(X, np.ndarray)  # the hints call an ndarray's methods on it
    if isinstance(X, np.ma.MaskedArray) and np.ma.is_masked(X):
        # np.asarray drops the mask: the masked-out values were fitted as data, without a word.
        raise ValueError(f"{name} is a masked array with masked values, which would be used as data: give the rows "
                         f"to use, e.g. {name}.data[~{name}.mask.any(axis=1)]")
    if callable(getattr(X, "toarray", None)) and hasattr(X, "nnz"):
        # A scipy.sparse matrix / array: NumPy's cast said "setting an array element with a
        # sequence", naming neither sparse data nor what to do.
        raise ValueError(f"{name} is a sparse matrix ({type(X).__name__}); the mixtures fit dense data: "
                         f"give {name}.toarray()")
    if not isinstance(X, np.ndarray):
        try:  # once: an array-like is read once, and np.iscomplexobj sees the array's dtype
            X = np.asarray(X)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be a numeric array: {_ragged_words(X) or exc}") from None
    if X.dtype.kind in "US" and X.ndim == 0:
        # A file name given as the data (a trial: "data.csv").
        raise ValueError(f"{name} must be a numeric array, not the string {X.item()!r}: read a file's data first "
                         "(np.loadtxt, pandas.read_csv)")
    if X.dtype.kind in "US":
        # NumPy's cast read "1.5" as 1.5 without a word, so a column of text read from a CSV was
        # fitted as numbers (scikit-learn refuses arrays of strings).
        raise ValueError(f"{name} holds strings (dtype {X.dtype}), not numbers: convert the columns you mean to "
                         f"numbers first, e.g. np.asarray({name}, dtype=float) if they are written numbers")
    if np.iscomplexobj(X):
        # NumPy's cast dropped the imaginary part with only a ComplexWarning, and the model
        # was fitted to the real parts (scikit-learn refuses complex data too).
        raise ValueError(f"{name} must be real numbers; got complex values (np.abs(X) or X.real, as you mean it)")
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(missing_words(X, name) or f"{name} must be a numeric array: {exc}") from None
    if arr.ndim != 2:
        # np.asarray first: a pandas Series or a list has no reshape (a new user's Series).
        shown = name if given_array else f"np.asarray({name})"
        hint = (f": {shown}.reshape(-1, 1) if it is one feature, {shown}.reshape(1, -1) if one sample"
                if arr.ndim == 1 else "")
        if arr.ndim == 3:
            # An (H, W, C) image scored as it is (gmm.predict(image)), the commonest slip with
            # pixel data (a library trial): said how to make its rows and the map of the result.
            hint = (f": an image? {name}.reshape(-1, {arr.shape[2]}) makes its pixels rows, and the result "
                    f".reshape({arr.shape[0]}, {arr.shape[1]}) a map of the image")
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features); got shape {arr.shape}{hint}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{name} has {arr.shape[1]} features but the model was fitted with {n_features}")
    finite = np.isfinite(arr)
    if not finite.all():
        row = int(np.argwhere(~finite)[0, 0])
        raise ValueError(f"{name} contains NaN or infinity (first at row {row})")
    # The largest magnitude from max and min, which make no copy: np.abs(arr) was a temporary the
    # size of the data (24 MB more peak memory in a 1M-pixel fit; docs/performance.md, session 42).
    largest = max(float(arr.max()), -float(arr.min()))
    if largest > LARGEST_DATA_VALUE:
        # Squares and outer products overflow float64 past ~1.3e154: KMeans gave wrong
        # centres with only NumPy's "overflow encountered in square" warnings, and
        # GaussianMixture blamed reg_covar and n_components. In scoring, predict_proba gave
        # NaN and predict label 0, KMeans.transform NaN distances (a library trial, session 51).
        row, column = (int(v) for v in np.argwhere(np.abs(arr) > LARGEST_DATA_VALUE)[0])
        # The first such value, named with its row (the largest was named with the first row:
        # "holds 1e+300 (first beyond 1e+150 at row 0)" where row 0 holds 1e+200; a re-check).
        value = float(arr[row, column]) if arr.ndim == 2 else float(arr[row])
        advice = (f"scale it first (e.g. {name} / np.abs({name}).max())" if for_fit else
                  "beyond what segmix can compute with: leave such rows out, or scale the data (and refit) first")
        raise ValueError(f"{name} holds {value:.3g} at row {row} (the first value beyond {LARGEST_DATA_VALUE:.0e}), too large "
                         f"to square in float64: {advice}")
    return np.ascontiguousarray(arr)


def missing_words(values, name: str) -> str | None:
    """"X has missing values (<NA> at row 3): ..." for an object array (a data frame's
    ``np.asarray``) holding a missing-value marker float() refuses, pandas' ``pd.NA`` or
    ``pd.NaT``; None otherwise. A nullable column (``Int64``) with a gap was refused as "float()
    argument must be a string or a real number, not 'NAType'" (a new user), where NaN is refused
    as missing data.

    Parameters
    ----------
    values : array-like, as given
    name : str, the parameter's name in the words
    """
    try:
        values = np.asarray(values)
    except (TypeError, ValueError):
        return None
    if values.dtype != object:
        return None
    for index, value in np.ndenumerate(values):
        # By the marker's type: pandas is no dependency, and float() refuses these alone.
        if type(value).__name__ in ("NAType", "NaTType"):
            where = f" at row {index[0]}" if index else ""
            return (f"{name} has missing values ({value!r}{where}), as NaN is refused: leave those rows out "
                    f"or fill them first (a data frame's dropna() or fillna())")
    return None


def _ragged_words(X) -> str | None:
    """"rows of different lengths (row 0 has 3 values, row 2 has 2)" for a list of rows whose
    lengths differ (NumPy says "inhomogeneous shape after 1 dimensions"); None otherwise."""
    try:
        lengths = [len(row) for row in X]
    except TypeError:
        return None
    if len(set(lengths)) < 2:
        return None
    odd = next(i for i, n in enumerate(lengths) if n != lengths[0])
    return f"rows of different lengths (row 0 has {lengths[0]} values, row {odd} has {lengths[odd]})"


def check_sample_weight(sample_weight, n_samples: int, scoring: bool = False) -> np.ndarray:
    """Return (N,) float64 weights: ones when None; finite, non-negative, positive total.

    ``scoring``: the weights of data scored (``score``, ``bic``, ``aic``), not fitted, as the
    refusal of all-zero weights says ("nothing to fit" was said of a score).
    """
    if sample_weight is None:
        return np.ones(n_samples)
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(missing_words(sample_weight, "sample_weight")
                         or f"sample_weight must be a numeric array: {exc}") from None
    if w.shape != (n_samples,):
        raise ValueError(f"sample_weight must have shape ({n_samples},); got {w.shape}")
    if not np.isfinite(w).all():
        raise ValueError("sample_weight contains NaN or infinity")
    if (w < 0).any():
        raise ValueError("sample_weight must be non-negative")
    if w.max(initial=0.0) <= 0:  # non-negative: all zero (w.sum() overflows near 1e308, with a warning)
        raise ValueError("sample_weight sums to zero: no row counts, so there is no score; give some rows a "
                         "positive weight" if scoring else "sample_weight sums to zero: there is nothing to fit")
    return np.ascontiguousarray(w)


def weighted_mean(values: np.ndarray, w: np.ndarray) -> float:
    """sum(values * w) / sum(w) for checked weights, scaled by their largest first, so that
    weights near the largest float neither overflow nor warn."""
    w = w / w.max()
    return float(np.dot(values, w) / w.sum())


def weight_total(w: np.ndarray) -> float:
    """sum(w) for checked weights, without NumPy's overflow warning (inf when it overflows)."""
    top = float(w.max())
    return top * float((w / top).sum())


def normalise_sample_weight(w: np.ndarray) -> tuple[np.ndarray, float]:
    """Scale checked weights by a power of two so that the largest lies in [1, 2).

    A weighted fit must not depend on the unit of the weights (scikit-learn#10933): the
    estimators add small constants to weight totals (scikit-learn's ``10 * eps`` on N_k) and
    test totals against thresholds, which only works when a unit weight means about one
    sample. Scaling by a power of two is exact (no rounding), so ``w`` and ``w * 2**j`` give
    bit-identical fits, and unit weights are left as they are.

    Returns
    -------
    w : (N,) float64, the scaled weights
    scale : float
        The power of two the weights were divided by (multiply totals back by it).
    """
    _, exponent = np.frexp(w.max())
    shift = int(exponent) - 1  # max(w) = m * 2**exponent with m in [0.5, 1)
    if shift == 0:
        return w, 1.0
    return np.ldexp(w, -shift), float(np.ldexp(1.0, shift))


def check_random_state(value, name: str = "random_state") -> np.random.Generator:
    """A NumPy Generator from ``value``: None (fresh entropy), an integer >= 0, a Generator,
    RandomState, BitGenerator or SeedSequence (what ``np.random.default_rng`` takes).

    NumPy's own refusal named no parameter ("expected non-negative integer", "SeedSequence
    expects int or sequence of ints for entropy not 1.5"), and a float seed 2.0 would have
    been no seed scikit-learn takes either.

    Raises
    ------
    ValueError
        Naming ``name`` and the value, for anything else (negative, float, bool, str).
    """
    seeds = (np.random.Generator, np.random.RandomState, np.random.BitGenerator, np.random.SeedSequence)
    if value is None or isinstance(value, seeds) or (
            isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= 0):
        return np.random.default_rng(value)
    raise ValueError(f"{name} must be None, an integer >= 0 or a numpy.random.Generator / RandomState; got {value!r}")


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def check_non_negative(value, name: str) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    return float(value)


def check_choice(value, name: str, choices, hint: str = "") -> str:
    """``value`` if it is one of the strings ``choices``, else a ValueError naming ``name``,
    the choices and what was given (``hint``, when given, is added after a semicolon).

    Only a string is compared: an array given where a name is expected (scikit-learn's
    ``KMeans(init=centres)``) failed in ``value not in choices`` with NumPy's "The truth
    value of an array with more than one element is ambiguous", naming no parameter.
    """
    if not isinstance(value, str) or value not in choices:
        shown = (f"an array of shape {np.shape(value)}" if isinstance(value, np.ndarray)
                 else _short_repr(value))
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {shown}"
                         + (f"; {hint}" if hint else ""))
    return value


def _short_repr(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def feature_names(X) -> np.ndarray | None:
    """The column names of a data frame ``X`` (anything 2-D with ``columns``: pandas, polars),
    as scikit-learn's ``feature_names_in_`` holds them: an object array when every name is a
    string, None otherwise (an array, integer column names). Duck-typed: segmix does not depend
    on pandas.

    Raises
    ------
    TypeError
        Column names that mix strings and other types (scikit-learn's refusal and words).
    """
    if isinstance(X, np.ndarray):
        return None
    columns = getattr(X, "columns", None)
    if columns is None or len(np.shape(X)) != 2:
        return None
    names = np.asarray(list(columns), dtype=object)
    if names.size == 0:
        return None
    types = sorted({type(name).__qualname__ for name in names})
    if len(types) > 1 and "str" in types:
        raise TypeError("Feature names are only supported if all input features have string names, but your input "
                        f"has {types} as feature name / column name types. If you want feature names to be stored "
                        "and validated, you must convert them all to strings, by using X.columns = "
                        "X.columns.astype(str) for example. Otherwise you can remove feature / column names from "
                        "your input data, or convert them all to a non-string data type.")
    return names if types == ["str"] else None


def check_feature_names(estimator, X) -> None:
    """Compare the column names of ``X`` with those ``estimator`` was fitted on
    (``feature_names_in_``), as scikit-learn's estimators do (``_check_feature_names``, whose
    words these are): a ValueError when both have names that differ, or come in another order
    (columns in another order were scored as the fitted ones, and changed half the labels
    without a word, a library trial); a UserWarning when only one of the two has names."""
    fitted = getattr(estimator, "feature_names_in_", None)
    given = feature_names(X)
    kind = type(estimator).__name__
    if fitted is None and given is None:
        return
    if fitted is None:
        warnings.warn(f"X has feature names, but {kind} was fitted without feature names", UserWarning, stacklevel=caller_level())
        return
    if given is None:
        warnings.warn(f"X does not have valid feature names, but {kind} was fitted with feature names",
                      UserWarning, stacklevel=caller_level())
        return
    if len(fitted) == len(given) and (fitted == given).all():
        return
    message = "The feature names should match those that were passed during fit.\n"
    unseen, missing = sorted(set(given) - set(fitted)), sorted(set(fitted) - set(given))

    def listed(names):
        return "".join(f"- {name}\n" for name in names[:5]) + ("- ...\n" if len(names) > 5 else "")

    if unseen:
        message += "Feature names unseen at fit time:\n" + listed(unseen)
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + listed(missing)
    if not unseen and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    raise ValueError(message)


def set_feature_names(estimator, names: np.ndarray | None) -> None:
    """Store ``names`` (:func:`feature_names` of the fitted data) as ``feature_names_in_``, or
    remove an earlier fit's when the data has none (scikit-learn's ``reset``)."""
    if names is not None:
        estimator.feature_names_in_ = names
    else:
        estimator.__dict__.pop("feature_names_in_", None)
