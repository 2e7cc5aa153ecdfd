"""Session 47's library trial: GaussianMixture's fitted attributes assigned as scikit-learn users
assign them (read at every call, checked when assigned), bic / aic with weights as counts, and
the mixture package's exceptions importable from where its docstrings say."""

import inspect
import pickle
import re
import warnings

import numpy as np
import pytest

import segmix.mixture
from segmix.mixture import GaussianMixture, KMeans

sklearn_mixture = pytest.importorskip("sklearn.mixture")


def _data(d=2):
    rng = np.random.default_rng(0)
    centres = np.array([[0.0] * d, [3.0] + [1.0] * (d - 1), [0.0, 4.0] + [2.0] * (d - 2)])
    scales = np.array([[1.0] * d, [0.5] * d, [1.5] + [0.7] * (d - 1)])
    return np.concatenate([rng.normal(c, s, (300, d)) for c, s in zip(centres, scales)])


def _sklearn_form(model):
    """model's fitted attributes in scikit-learn's forms: (weights, means, covariances, factor)."""
    factor = model.precisions_cholesky_
    if model.covariance_type == "diag":
        factor = np.diagonal(factor, axis1=1, axis2=2).copy()
    elif model.covariance_type == "spherical":
        factor = factor[:, 0, 0].copy()
    return model.weights_.copy(), model.means_.copy(), np.array(model.covariances_), factor


def _twin(model):
    """A scikit-learn GaussianMixture holding model's parameters."""
    twin = sklearn_mixture.GaussianMixture(model.means_.shape[0], covariance_type=model.covariance_type)
    twin.weights_, twin.means_, twin.covariances_, twin.precisions_cholesky_ = _sklearn_form(model)
    return twin


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_assigned_weights_and_means_score_as_in_sklearn(covariance_type):
    X = _data()
    ours = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    theirs = _twin(ours)
    before = ours.predict_proba(X)
    for model in (ours, theirs):
        model.weights_ = np.array([0.8, 0.15, 0.05])
        model.means_ = model.means_ + 0.5
    assert not np.allclose(ours.predict_proba(X), before)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=1e-10)
    assert (ours.predict(X) == theirs.predict(X)).all()
    # A change in place would bypass the assignment that drops the derived log-weights: it is
    # refused (read-only), and the caller's own array is copied.
    with pytest.raises(ValueError, match="read-only"):
        ours.weights_[0] = 0.5
    weights = np.array([0.2, 0.2, 0.6])
    ours.weights_ = theirs.weights_ = weights
    weights[:] = [0.6, 0.2, 0.2]
    np.testing.assert_allclose(ours.score_samples(X), _twin(ours).score_samples(X), rtol=1e-10)
    assert list(ours.weights_) == [0.2, 0.2, 0.6]


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_assigned_covariances_and_factors_score_and_sample_the_new_model(covariance_type):
    X = _data()
    ours = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    theirs = _twin(ours)
    for model in (ours, theirs):
        model.covariances_ = model.covariances_ * 4
        model.precisions_cholesky_ = model.precisions_cholesky_ / 2
    np.testing.assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=1e-10)
    factor = theirs.precisions_cholesky_   # scikit-learn sets precisions_ in fit only: its rule
    expected = factor @ np.swapaxes(factor, 1, 2) if covariance_type == "full" else factor ** 2
    np.testing.assert_allclose(ours.precisions_, expected, rtol=1e-12)
    # sample draws from covariances_ as they are now (it drew from the fitted ones).
    ours.weights_ = np.array([1.0, 0.0, 0.0])
    samples, labels = ours.sample(20_000, random_state=0)
    assert (labels == 0).all()
    full = ours._full_covariances[0]
    np.testing.assert_allclose(np.cov(samples.T), full, rtol=0.06, atol=0.03 * np.abs(full).max())
    saved = GaussianMixture.from_dict(ours.to_dict())
    np.testing.assert_allclose(saved.score_samples(X), ours.score_samples(X), rtol=1e-9)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_sklearn_recipe_on_an_unfitted_estimator(covariance_type):
    # scikit-learn's way to a mixture of known parameters: assign the fitted attributes to an
    # unfitted estimator, then score (segmix failed: AttributeError '_log_weights'; for "diag" /
    # "spherical", scikit-learn's (K, D) / (K,) factors were a numba TypingError).
    X = _data(3)
    reference = sklearn_mixture.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    ours = GaussianMixture(3, covariance_type=covariance_type)
    ours.weights_, ours.means_ = reference.weights_, reference.means_
    ours.covariances_, ours.precisions_cholesky_ = reference.covariances_, reference.precisions_cholesky_
    np.testing.assert_allclose(ours.score_samples(X), reference.score_samples(X), rtol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.bic(X), reference.bic(X), rtol=1e-10)
    assert ours.precisions_cholesky_.shape == (3, 3, 3)
    assert ours.sample(5, random_state=0)[0].shape == (5, 3)
    check_is_fitted = pytest.importorskip("sklearn.utils.validation").check_is_fitted
    check_is_fitted(ours)


def test_a_lower_triangular_factor_is_the_same_precision():
    # numpy.linalg.cholesky(precision) is lower-triangular; scikit-learn's dense products take
    # it, segmix's kernels read the upper triangle (it scored another model in silence).
    X = _data(3)
    covariances = np.array([[[1.0, 0.6, 0.2], [0.6, 2.0, -0.3], [0.2, -0.3, 0.5]], np.eye(3) * 0.7])
    lower = np.linalg.cholesky(np.linalg.inv(covariances))
    ours, theirs = GaussianMixture(2), sklearn_mixture.GaussianMixture(2)
    for model in (ours, theirs):
        model.weights_, model.means_ = np.array([0.4, 0.6]), np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 1.0]])
        model.covariances_, model.precisions_cholesky_ = covariances, lower
    np.testing.assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=1e-10)
    np.testing.assert_allclose(ours.precisions_, np.linalg.inv(covariances), rtol=1e-10)
    assert np.allclose(np.tril(ours.precisions_cholesky_, -1), 0)


def test_assignments_of_the_wrong_shape_name_the_attribute_and_the_shape():
    X = _data()
    model = GaussianMixture(3, random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"weights_ must have shape \(n_components,\)"):
        model.weights_ = np.ones((3, 1)) / 3
    with pytest.raises(ValueError, match=r"weights_ must be non-negative"):
        model.weights_ = np.array([1.2, -0.1, -0.1])
    with pytest.raises(ValueError, match=r"means_ contains NaN"):
        model.means_ = np.full((3, 2), np.nan)
    with pytest.raises(ValueError, match=r"precisions_cholesky_ must have shape \(n_components, n_features, "
                                         r"n_features\) for covariance_type='full'; got shape \(3, 2\)"):
        model.precisions_cholesky_ = np.ones((3, 2))
    with pytest.raises(ValueError, match=r"covariances_ must have shape .* for covariance_type='full'"):
        model.covariances_ = np.ones((3, 2))
    with pytest.raises(ValueError, match=r"precisions_cholesky_\[0\] must be triangular"):
        model.precisions_cholesky_ = np.ones((3, 2, 2))
    with pytest.raises(ValueError, match=r"precisions_cholesky_\[1\] must have a positive diagonal"):
        model.precisions_cholesky_ = np.array([np.eye(2), -np.eye(2), np.eye(2)])
    spherical = GaussianMixture(3, covariance_type="spherical", random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"precisions_cholesky_ must be positive"):
        spherical.precisions_cholesky_ = np.array([1.0, 0.0, 2.0])
    # A count that disagrees with means_ is said when the model is used (the order of the
    # assignments is the user's: weights_ may come before the means_ it matches).
    model.weights_ = np.array([0.25, 0.25, 0.25, 0.25])
    with pytest.raises(ValueError, match=r"weights_ must have shape \(3,\), one weight per component"):
        model.score(X)
    model.weights_ = np.array([0.5, 0.3, 0.2])
    model.precisions_cholesky_ = np.array([np.eye(2)] * 2)
    with pytest.raises(ValueError, match=r"precisions_cholesky_ must have shape \(3, 2, 2\)"):
        model.predict(X)


def test_a_model_file_is_not_written_from_attributes_that_disagree():
    X = _data()
    model = GaussianMixture(3, random_state=0).fit(X)
    model.covariances_ = model.covariances_ * 4       # precisions_cholesky_ left as it was
    with pytest.raises(ValueError, match="covariances_ and precisions_cholesky_ are not of the same"):
        model.to_dict()
    model.precisions_cholesky_ = np.linalg.cholesky(np.linalg.inv(model.covariances_))
    np.testing.assert_allclose(GaussianMixture.from_dict(model.to_dict()).score_samples(X), model.score_samples(X),
                               rtol=1e-9)
    # Weights that do not sum to 1 are refused when assigned since session 50 (the file's check stays).
    with pytest.raises(ValueError, match="weights_ must sum to 1"):
        model.weights_ = model.weights_ * 2


def test_scoring_leaves_the_instance_as_it_was():
    # scikit-learn's check_dict_unchanged: the derived log-weights are made with the attributes,
    # not by the first predict (a first version of the properties did that).
    X = _data()
    model = GaussianMixture(3, random_state=0).fit(X)
    model.weights_ = np.array([0.5, 0.3, 0.2])
    before = {key: (value if not isinstance(value, np.ndarray) else value.copy()) for key, value in vars(model).items()}
    model.predict(X), model.predict_proba(X), model.score(X), model.bic(X)
    assert vars(model).keys() == before.keys()
    assert all(vars(model)[key] is value or np.array_equal(vars(model)[key], value) for key, value in before.items()
               if key != "_derived")
    assert vars(model)["_derived"] is before["_derived"]


def test_partly_assigned_model_names_what_is_missing():
    model = GaussianMixture(2)
    with pytest.raises(segmix.mixture.NotFittedError, match="not fitted yet"):
        model.score(np.zeros((3, 2)))
    model.weights_ = np.array([0.5, 0.5])
    model.means_ = np.zeros((2, 2))
    with pytest.raises(segmix.mixture.NotFittedError, match="precisions_cholesky_ is not set"):
        model.score(np.zeros((3, 2)))


def test_a_model_pickled_with_the_earlier_layout_loads():
    # Before session 47 the fitted attributes were plain instance attributes beside fit-time
    # copies (_log_weights, _log_det, _full_covariances).
    X = _data()
    model = GaussianMixture(3, random_state=0).fit(X)
    old = {key: value for key, value in vars(model).items()
           if key not in ("_weights", "_means", "_covariances", "_precisions_cholesky")}
    old.update(weights_=model.weights_, means_=model.means_, covariances_=model.covariances_,
               precisions_cholesky_=model.precisions_cholesky_, _log_weights=np.log(model.weights_),
               _log_det=np.zeros(3), _full_covariances=model.covariances_)
    revived = GaussianMixture.__new__(GaussianMixture)
    revived.__setstate__(old)
    np.testing.assert_array_equal(revived.score_samples(X), model.score_samples(X))
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.score_samples(X), model.score_samples(X))


# ----------------------------------------------------------------------- bic / aic weights
def test_bic_and_aic_take_weights_as_counts_and_warn_on_frequencies():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (300, 2)), rng.normal(6, 1, (300, 2))]
    counts = rng.integers(1, 5, 600)
    model = GaussianMixture(2, means_init=[[0, 0], [6, 6]], random_state=0).fit(X, sample_weight=counts)
    repeated = np.repeat(X, counts, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(model.bic(X, sample_weight=counts), model.bic(repeated), rtol=1e-10)
        np.testing.assert_allclose(model.aic(X, sample_weight=counts), model.aic(repeated), rtol=1e-10)
    for method in (model.bic, model.aic):
        with pytest.warns(UserWarning, match=r"sample_weight sums to 1, fewer observations than the model's 11 "
                                             r"parameters") as record:
            method(X, sample_weight=counts / counts.sum())
        assert record[0].filename == __file__
    for method in (GaussianMixture.bic, GaussianMixture.aic, GaussianMixture.fit, GaussianMixture.iter_fit):
        assert re.search(r"\bcounts\b", method.__doc__), method.__name__
    assert "Not to :meth:`bic`" in GaussianMixture.iter_fit.__doc__


# ----------------------------------------------------------------------------- exceptions
def test_exceptions_the_mixture_docstrings_name_are_importable_from_segmix_mixture():
    # SingularCovarianceError was listed under iter_fit's Raises but not exported.
    named = set()
    for cls in (GaussianMixture, KMeans):
        for _, member in inspect.getmembers(cls):
            doc = inspect.getdoc(member) or ""
            for section in re.findall(r"(?:Raises|Warns)\n-+\n(.*?)(?:\n\n[A-Z][a-z]+\n-+|\Z)", doc, re.S):
                named.update(re.findall(r"^(\w+(?:Error|Warning))\b", section, re.M))
    named -= {name for name in named if hasattr(__builtins__, name) or name in dir(__import__("builtins"))}
    assert {"SingularCovarianceError", "TooFewDistinctPointsError", "ConvergenceWarning"} <= named
    for name in named:
        assert name in segmix.mixture.__all__ and hasattr(segmix.mixture, name), name


# ------------------------------------------------------------------ SegmentationSettings
def test_settings_given_as_a_dict_point_to_the_constructor_that_checks_keys():
    from segmix.segment import SegmentationSettings, segment

    image = np.zeros((20, 20, 3), np.uint8)
    scribbles = np.pad(np.ones((4, 4), np.uint8), 8)
    with pytest.raises(TypeError, match=r"SegmentationSettings\(\*\*d\)") as caught:
        segment(image, scribbles, {"smoothness": 10})
    assert "from_dict" not in str(caught.value)
    with pytest.raises(TypeError, match="did you mean smoothness"):
        SegmentationSettings(**{"smoothnes": 10})


def test_from_dict_warns_of_a_misspelt_key_but_model_files_stay_quiet():
    from segmix.segment import SegmentationSettings, stored_settings

    with pytest.warns(UserWarning, match=r"'smoothnes' is no segmentation setting and is ignored; did you mean "
                                         r"'smoothness'\?") as record:
        settings = SegmentationSettings.from_dict({"smoothnes": 10, "n_components": 2})
    assert settings.n_components == 2 and len(record) == 1 and record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Keys unlike any field (another program's), and to_dict's own, pass without a word.
        assert SegmentationSettings.from_dict(dict(SegmentationSettings().to_dict(), note="x")) == SegmentationSettings()
        # A model file of another version: its unknown settings are the file's, not a typo.
        assert stored_settings({"smoothnes": 10, "snapcut_windows": 3, "n_components": 2}).n_components == 2


def test_every_setting_has_an_entry_in_the_class_docstring():
    import dataclasses

    from segmix.segment import SegmentationSettings

    doc = SegmentationSettings.__doc__
    missing = [f.name for f in dataclasses.fields(SegmentationSettings)
               if not re.search(rf"^    {f.name} : \S.*\n        \S", doc, re.M)]
    assert missing == []
    # The nine named nowhere else (README, docs) say what they do, not only their type.
    for name in ("star_colour_weight", "unexplained_quantile", "unexplained_components", "snapcut_window",
                 "snapcut_margin", "snapcut_recut", "snapcut_combine", "snapcut_rounds", "snapcut_mark_weight"):
        entry = re.search(rf"^    {name} : .*\n((?:        .*\n)+)", doc, re.M).group(1)
        assert len(entry.split()) >= 12, name


# ------------------------------------------------------------------ background absorption
def _absorbed_after(alpha, ratio, c_t, rng):
    """The frame of a stopped object from which its pixels are background (1: its first)."""
    from segmix.background import BackgroundMixture

    # light_compensation off: the "object" fills the whole 8 x 8 frame, which is also a change of
    # light over the whole scene, and the model's means would follow it at once (session 57)
    model = BackgroundMixture(learning_rate=alpha, background_ratio=ratio, complexity_reduction=c_t,
                              median_size=0, detect_shadows=False, light_compensation=False)
    noise = lambda: rng.normal(0, 2, (8, 8, 3))  # noqa: E731
    for _ in range(int(2 / alpha) + 200):   # past fast_start's 1/t, the old background's weight ~1
        model.apply(np.clip(100 + noise(), 0, 255).astype(np.uint8))
    for t in range(1, 1000):
        mask = model.apply(np.clip(200 + noise(), 0, 255).astype(np.uint8))
        if (mask != 255).all():
            return t, model
        assert (mask == 255).all(), "the pixels are absorbed together"
    raise AssertionError("never absorbed")


@pytest.mark.parametrize("alpha, ratio, c_t", [(0.01, 0.9, 0.05), (0.02, 0.9, 0.05), (0.05, 0.9, 0.05),
                                                (0.01, 0.9, 0.0), (0.03, 0.7, 0.0), (0.1, 0.6, 0.2)])
def test_a_stopped_object_joins_the_background_after_the_documented_frames(alpha, ratio, c_t):
    # The docstring said log T / log(1 - alpha) frames (10.5 for the defaults); the model took 12
    # (7 at alpha 0.02, 4 at 0.05): the docstring's formula now, computed here from its text.
    import math

    u_star = -c_t / (1 - 2 * c_t)
    u_1 = (1 - alpha - alpha * c_t) / (1 - alpha * c_t)
    r = (1 - alpha) / (1 - 2 * alpha * c_t)
    formula = 1 + max(1, math.floor(math.log((ratio - u_star) / (u_1 - u_star)) / math.log(r)) + 2)
    frames, model = _absorbed_after(alpha, ratio, c_t, np.random.default_rng(0))
    assert frames == formula == model.frames_to_absorb()
    if c_t == 0:
        assert formula == 1 + math.ceil(math.log(ratio) / math.log(1 - alpha))


def test_frames_to_absorb_of_the_defaults_is_what_the_docstring_says():
    from segmix.background import BackgroundMixture

    assert [BackgroundMixture(learning_rate=a).frames_to_absorb() for a in (0.01, 0.02, 0.05)] == [12, 7, 4]
    assert "12 for the defaults, 7 at alpha 0.02, 4 at 0.05" in " ".join(BackgroundMixture.__doc__.split())
    assert BackgroundMixture(learning_rate=0).frames_to_absorb() == 0
    assert BackgroundMixture(learning_rate=1.0).frames_to_absorb() == 2
    assert BackgroundMixture(complexity_reduction=0.6).frames_to_absorb() >= 2


# ------------------------------------------------------------------ RGB order, first call
def _library_section():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Library\n", 1)[1].split("\n## ", 1)[0]


def test_the_photo_functions_say_they_take_rgb_and_how_to_convert_bgr():
    # A cv2.imread (BGR) array gave an empty skin mask in silence (F1 0.73-0.92 -> 0.000 on
    # hgr1); the docstrings said "(H, W, 3) uint8" only.
    from segmix import segment, skin, skin_detect

    for function in (skin.detect, skin.detect_skin, skin.color_counts, skin_detect.detect, skin_detect.skin_log_odds,
                     segment.segment, segment.apply_model, segment.iter_train_model):
        doc = " ".join(inspect.getdoc(function).split())
        assert "RGB order (an OpenCV BGR array: cv2.cvtColor(a, cv2.COLOR_BGR2RGB))" in doc, function.__qualname__
    library = " ".join(_library_section().split())
    assert "RGB order" in library and "cv2.cvtColor(a, cv2.COLOR_BGR2RGB)" in library


def test_the_library_section_says_the_first_call_compiles_and_how_to_avoid_it():
    library = " ".join(_library_section().split())
    assert "The first call of a process on a fresh install compiles" in library
    assert "python -m segmix.precompile" in library and "NUMBA_CACHE_DIR" in library
    assert "SingularCovarianceError" in library and "counts" in library


def test_read_only_attributes_given_as_initial_parameters_compile_nothing_new():
    # The fitted arrays read back are read-only views; given as means_init (segment's warm
    # refits do so) they must not reach the kernels as numba's read-only array type, another
    # compilation of every kernel they meet.
    from segmix.kernels import mixture as mixture_kernels

    X = _data(3)
    first = GaussianMixture(3, random_state=0).fit(X)
    assert not first.means_.flags.writeable
    GaussianMixture(3, means_init=first.means_, random_state=0).fit(X).score_samples(X)
    GaussianMixture(3, weights_init=first.weights_, means_init=first.means_, precisions_init=first.precisions_,
                    random_state=0).fit(X).predict_proba(X)
    for kernel in (mixture_kernels.em_pass_3d, mixture_kernels.mixture_log_density_3d,
                   mixture_kernels.component_log_prob, mixture_kernels.lloyd_pass):
        for dispatcher in (kernel, getattr(kernel, "serial", None)):
            for signature in getattr(dispatcher, "signatures", []):
                assert all(t.mutable for t in signature if hasattr(t, "ndim")), (kernel, signature)  # arrays


@pytest.mark.parametrize("name", ["covariances_", "precisions_cholesky_"])
def test_an_assignment_under_an_unknown_covariance_type_names_the_parameter(name):
    # Session 47's re-check: covariance_type="tied" failed with a bare KeyError: 'tied'.
    model = GaussianMixture(2, covariance_type="tied")
    with pytest.raises(ValueError, match="covariance_type"):
        setattr(model, name, np.stack([np.eye(2)] * 2))
