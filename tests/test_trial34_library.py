"""Trial 34: the library as a new user with NumPy arrays calls it (README "Library", docs).

Each test pins a fault the trial found: an input cast or read silently into a wrong result,
or a traceback that named no parameter.
"""

from __future__ import annotations

import numpy as np
import pytest

from segmix.mark_order import step_marks
from segmix.point_marks import add_point_marks


# ------------------------------------------------------------------ marks (point_marks, mark_order)
@pytest.mark.parametrize("labels, words", [
    (np.full((30, 40), 257, np.int64), "found [257]"),   # was wrapped to 1: all foreground
    (np.full((30, 40), -1, np.int8), "found [-1]"),      # was wrapped to 255
    (np.full((30, 40), 1.7), "got dtype float64"),       # was truncated to 1
    (np.ones((30, 40), bool), "mask.astype(np.uint8)"),
    (np.zeros((30, 40, 3), np.uint8), "shape (30, 40, 3)"),  # was "too many values to unpack"
])
def test_add_point_marks_refuses_marks_a_cast_would_change(labels, words):
    with pytest.raises(ValueError, match="labels") as info:
        add_point_marks(labels, None, clicks=[(1, 5, 5)])
    assert words in str(info.value)


def test_step_marks_refuses_other_label_values():
    labels = np.zeros((30, 40), np.int64)
    labels[5, 5] = 257
    with pytest.raises(ValueError, match=r"found \[257\]"):
        step_marks(labels, (labels > 0).astype(np.uint16))


def test_add_point_marks_refuses_a_negative_order_and_keeps_inputs():
    labels = np.zeros((30, 40), np.uint8)
    with pytest.raises(ValueError, match="order map's steps"):
        add_point_marks(labels, np.full((30, 40), -1), clicks=[(2, 5, 5)])
    marked, order = add_point_marks(labels, None, box=(5.0, 5, 30, 25), clicks=[(1, 15, 15)])
    assert not labels.any()  # the caller's marks are not painted on
    assert marked[0, 0] == 2 and marked[15, 15] == 1 and order.max() == 2


@pytest.mark.parametrize("kwargs, words", [
    ({"clicks": [(5, 5)]}, "each click must be (label, x, y)"),
    ({"clicks": (1, 5, 5)}, "give [(1, 5, 5)]"),
    ({"clicks": [(True, 5, 5)]}, "label must be 1 or 2"),
    ({"box": (1, 2, 3)}, "box must be (left, top, right, bottom)"),
    ({"box": (float("nan"), 2, 30, 20)}, "four finite numbers"),
])
def test_add_point_marks_names_a_malformed_click_or_box(kwargs, words):
    with pytest.raises(ValueError) as info:
        add_point_marks(np.zeros((30, 40), np.uint8), None, **kwargs)
    assert words in str(info.value)


# ------------------------------------------------------------------ SkinEvaluator.add
def _scores():
    rng = np.random.default_rng(0)
    return rng.random((20, 30)).astype(np.float32), (rng.random((20, 30)) > 0.5).astype(np.int8)


def test_skin_evaluator_refuses_a_posterior_given_as_the_mask():
    from segmix.skin_eval import SkinEvaluator

    posterior, labels = _scores()
    with pytest.raises(ValueError, match="mask must be the detector's decision"):
        SkinEvaluator(0.5).add(posterior, labels, posterior)  # was: every p > 0 counted as detected


@pytest.mark.parametrize("mask", [lambda p: p > 0.5, lambda p: (p > 0.5).astype(int),
                                  lambda p: (p > 0.5).astype(np.uint8) * 255, lambda p: (p > 0.5).astype(float)])
def test_skin_evaluator_takes_a_decision_as_bool_0_1_or_0_255(mask):
    from segmix.skin_eval import SkinEvaluator

    posterior, labels = _scores()
    plain, given = SkinEvaluator(0.5), SkinEvaluator(0.5)
    plain.add(posterior, labels)
    given.add(posterior, labels, mask(posterior))
    assert given.result().f1 == plain.result().f1


def test_skin_evaluator_names_nan_and_empty_posteriors():
    from segmix.skin_eval import SkinEvaluator

    posterior, labels = _scores()
    posterior[0, :3] = np.nan
    with pytest.raises(ValueError, match="holds NaN at 3 pixels"):
        SkinEvaluator(0.5).add(posterior, labels)
    with pytest.raises(ValueError, match="posterior is empty"):
        SkinEvaluator(0.5).add(np.zeros((0, 4), np.float32), np.zeros((0, 4), np.int8))


# ------------------------------------------------------------------ transparent, settings, thresholds
def _photo():
    rng = np.random.default_rng(3)
    image = np.full((40, 50, 3), (40, 90, 160), np.uint8)
    image[10:30, 15:35] = (200, 150, 120)
    return np.clip(image + rng.integers(-8, 9, image.shape), 0, 255).astype(np.uint8)


def _marks():
    marks = np.zeros((40, 50), np.uint8)
    marks[18:22, 22:28] = 1
    marks[:3] = 2
    return marks


def test_an_alpha_channel_given_as_transparent_is_refused():
    from segmix.segment import segment
    from segmix.skin import detect, load_skin_model

    alpha = np.full((40, 50), 255, np.uint8)  # opaque: was read as "every pixel transparent"
    with pytest.raises(ValueError, match="transparent_pixels"):
        detect(load_skin_model(), _photo(), transparent=alpha)
    with pytest.raises(ValueError, match="transparent_pixels"):
        segment(_photo(), _marks(), transparent=alpha)
    with pytest.raises(ValueError, match="transparent must be 40 x 50"):  # was a broadcasting error
        detect(load_skin_model(), _photo(), transparent=np.ones((3, 3), bool))


def test_transparent_as_0_1_integers_is_the_bool_mask():
    from segmix.skin import detect, load_skin_model

    hidden = np.zeros((40, 50), bool)
    hidden[:, :10] = True
    model = load_skin_model()
    as_bool = detect(model, _photo(), transparent=hidden)
    as_int = detect(model, _photo(), transparent=hidden.astype(np.int64))
    assert np.array_equal(as_bool.mask, as_int.mask) and not as_int.mask[:, :10].any()


def test_segment_names_settings_given_as_a_dict():
    from segmix.segment import segment

    with pytest.raises(TypeError, match="settings must be a SegmentationSettings"):
        segment(_photo(), _marks(), {"n_components": 3})


def test_with_threshold_and_detect_skin_refuse_what_they_would_misread():
    from segmix.skin import detect_skin, load_skin_model, with_threshold

    model = load_skin_model()
    for bad in (2, -1, float("nan")):
        with pytest.raises(ValueError, match="threshold must be a number in"):
            with_threshold(model, bad)
    assert with_threshold(model, 0.25).threshold == 0.25
    with pytest.raises(TypeError, match="adapt must be True or False"):
        detect_skin(model, _photo(), 0.5)  # was: adaptation turned on


# ------------------------------------------------------------------ mixtures, Bayes, background
@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_random_state_refusals_name_the_parameter(seed):
    from segmix.mixture import GaussianMixture, KMeans
    from segmix.segment import SegmentationSettings

    X = np.random.default_rng(0).normal(size=(50, 2))
    for estimator in (GaussianMixture(2, random_state=seed), KMeans(2, random_state=seed)):
        with pytest.raises(ValueError, match="random_state must be None, an integer >= 0"):
            estimator.fit(X)  # was NumPy's "expected non-negative integer"
    with pytest.raises(ValueError, match="random_state must be None or an integer >= 0"):
        SegmentationSettings(random_state=seed).validate()


def test_random_state_takes_numpy_generators_and_sample_is_checked():
    from segmix.mixture import GaussianMixture

    X = np.random.default_rng(0).normal(size=(200, 2))
    a = GaussianMixture(2, random_state=np.random.default_rng(4)).fit(X)
    b = GaussianMixture(2, random_state=np.random.RandomState(4)).fit(X)
    assert a.predict(X).shape == b.predict(X).shape == (200,)
    assert np.array_equal(a.sample(5, random_state=1)[0], a.sample(5, random_state=1)[0])
    with pytest.raises(ValueError, match="random_state"):
        a.sample(5, random_state=-3)


def test_complex_data_is_refused_not_cut_to_its_real_part():
    from segmix.mixture import GaussianMixture, KMeans

    X = np.random.default_rng(0).normal(size=(50, 2)) * (1 + 1j)
    for estimator in (GaussianMixture(2), KMeans(2)):
        with pytest.raises(ValueError, match="X must be real numbers"):
            estimator.fit(X)


def test_bayes_classifier_names_an_unfitted_mixture_and_a_bad_class_index():
    from segmix.bayes import BayesClassifier
    from segmix.mixture import GaussianMixture

    X = np.random.default_rng(0).normal(size=(100, 2))
    fitted = GaussianMixture(1, random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"mixtures\[1\] is not fitted"):
        BayesClassifier([fitted, GaussianMixture()])  # was AttributeError 'means_'
    classifier = BayesClassifier([fitted, GaussianMixture(1, random_state=0).fit(X + 3)])
    for index in (True, 1.7):
        with pytest.raises(ValueError, match="positive must be a class index"):
            classifier.decide(X, positive=index)  # int() took both as class 1
    assert classifier.decide(X, positive=np.int64(1)).shape == (100,)


def test_background_mixture_clones_and_sets_params():
    from sklearn.base import clone

    from segmix.background import BackgroundMixture

    model = BackgroundMixture(n_components=4, median_size=5)
    model.apply(np.zeros((6, 8, 3), np.uint8))
    copy = clone(model)  # was TypeError: get_params() got an unexpected keyword argument 'deep'
    assert copy.get_params() == model.get_params() and copy.frame_count_ == 0
    with pytest.raises(ValueError, match="median_size"):
        copy.set_params(median_size=4, learning_rate=0.5)
    assert copy.median_size == 5 and copy.learning_rate == 0.01  # all or nothing
    with pytest.raises(ValueError, match="invalid parameter 'alpha'"):
        copy.set_params(alpha=0.1)
    assert copy.set_params(learning_rate=0.02) is copy and copy.learning_rate == 0.02


@pytest.mark.parametrize("image, words", [
    (np.full((4, 5, 3), 40000, ">u2"), "(image >> 8)"),  # was told image.astype(np.uint8), which wraps
    (np.zeros((4, 5, 3), bool), "a bool mask, not a photo"),
    (np.full((4, 5, 3), np.nan), "np.nan_to_num first"),
])
def test_image_refusal_hints_fit_the_array(image, words):
    from segmix.bayes import check_image

    with pytest.raises(ValueError) as info:
        check_image(image)
    assert words in str(info.value)


def test_a_failed_refit_keeps_the_model_consistent():
    from segmix.mixture import GaussianMixture, KMeans

    X = np.random.default_rng(0).normal(size=(100, 2))
    for estimator in (GaussianMixture(2, random_state=0), KMeans(2, random_state=0)):
        estimator.fit(X)
        assert estimator.n_features_in_ == 2
        with pytest.raises(ValueError, match="lower n_"):
            estimator.fit(np.ones((1, 5)))
        assert estimator.n_features_in_ == 2  # was 5 on a model of 2-feature means
        assert estimator.predict(X[:3]).shape == (3,)


# ------------------------------------------------------------------ replay and previous results
def test_replay_steps_checks_every_step_before_fitting():
    from segmix.mark_steps import replay_steps

    first = _marks()
    second = first.copy()
    second[25:28, 25:28] = 1
    for bad, words in ((first.astype(float), "steps[0] must be integer marks"),
                       (np.where(first == 2, 255, first).astype(np.uint8), r"steps[0] must hold 0"),
                       (first[:-1], "steps[0] is 50 x 39 pixels")):
        with pytest.raises(ValueError) as info:  # the bad step was passed over without a word
            replay_steps(_photo(), [bad, second])
        assert words in str(info.value)
    with pytest.raises(ValueError, match="steps must be a sequence"):
        replay_steps(_photo(), second)  # was "truth value of an array is ambiguous"


def test_previous_mask_and_scribbles_are_checked():
    from segmix.segment import segment

    first = segment(_photo(), _marks())
    with pytest.raises(ValueError, match="not its probability"):
        segment(_photo(), _marks(), previous_mask=first.probability)  # was: foreground wherever p > 0
    with pytest.raises(ValueError, match=r"previous_scribbles must hold .* found \[7\]"):
        segment(_photo(), _marks(), previous_mask=first.mask, previous_scribbles=np.full((40, 50), 7, np.uint8))
    as_bool = segment(_photo(), _marks(), previous_mask=first.mask, previous_scribbles=_marks())
    as_255 = segment(_photo(), _marks(), previous_mask=first.mask.astype(np.uint8) * 255, previous_scribbles=_marks())
    assert np.array_equal(as_bool.mask, as_255.mask)


# ------------------------------------------------------------------ threads, background frames
@pytest.mark.parametrize("bad", [0, -1, "2", 1.5, True])
def test_set_num_threads_refuses_what_it_quietly_made_one_thread(bad):
    from segmix.mixture import set_num_threads

    with pytest.raises(ValueError, match="n_threads must be an integer >= 1, or None"):
        set_num_threads(bad)  # -1 (joblib's "all cores") ran on one thread


@pytest.mark.parametrize("frame, words", [
    (np.zeros((3, 20, 30), np.uint8), "np.moveaxis(frame, 0, -1)"),
    (np.zeros((20, 30, 3), np.int64), "frame.astype(np.uint8) if its values are 0..255"),
])
def test_background_frame_refusals_say_how_to_convert(frame, words):
    from segmix.background import BackgroundMixture

    with pytest.raises(ValueError) as info:
        BackgroundMixture().apply(frame)
    assert words in str(info.value)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_skin_workers_are_checked_by_name(bad):
    from segmix.skin import check_workers

    with pytest.raises(ValueError, match="workers must be an integer >= 1"):
        check_workers(bad)  # -1 was "max_workers must be greater than 0", 0 and 2.5 taken
    assert check_workers(None) >= 1 and check_workers(np.int64(3)) == 3


def test_a_posterior_cache_of_another_model_is_refused():
    from segmix.modelfile import model_from_dict, model_to_dict
    from segmix.skin import ColorCounts, PosteriorCache, detect_skin, load_skin_model, train_skin_model, with_threshold

    model = load_skin_model()
    cache = PosteriorCache(model)
    photo = _photo()
    plain = detect_skin(model, photo)
    # the same scoring: the model itself, a threshold moved, the model read again
    for same in (model, with_threshold(model, 0.3), model_from_dict(model_to_dict(model))):
        assert np.array_equal(detect_skin(same, photo, cache=cache), plain)
    rng = np.random.default_rng(0)
    codes = np.unique(rng.integers(0, 2**24, 400))
    other = train_skin_model(ColorCounts(codes, np.r_[np.ones(200, np.int64), np.zeros(codes.size - 200, np.int64)],
                                         np.r_[np.zeros(200, np.int64), np.ones(codes.size - 200, np.int64)]), seed=0)
    with pytest.raises(ValueError, match="cache was made for another skin model"):
        detect_skin(other, photo, cache=cache)  # answered with the built-in model's p(skin)


@pytest.mark.parametrize("field, value", [
    ("keep_connected", "no"),    # a true string: kept on
    ("fill_holes", None),        # false: turned off
    ("refine_rounds", 1.5),      # int(): one round
    ("connectivity", 8.0),
    ("threshold", "0.5"),
    ("max_exact_pixels", 0),
])
def test_segmentation_settings_of_the_wrong_kind_are_named(field, value):
    from segmix.segment import SegmentationSettings, segment

    with pytest.raises(ValueError, match=f"^{field} must be"):
        segment(_photo(), _marks(), SegmentationSettings(**{field: value}))


def test_segmentation_settings_take_numpy_scalars():
    from segmix.segment import SegmentationSettings, segment

    given = SegmentationSettings(n_components=np.int64(3), smoothness=np.float32(25), keep_connected=np.bool_(True),
                                 threshold=1, random_state=None)
    given.validate()
    plain = segment(_photo(), _marks(), SegmentationSettings(n_components=3)).mask
    assert np.array_equal(segment(_photo(), _marks(), SegmentationSettings(n_components=np.int64(3))).mask, plain)


@pytest.mark.parametrize("field, value", [("faces", "no"), ("adapt", None), ("texture_window", 1.5),
                                          ("skin_share", "0.3")])
def test_skin_settings_of_the_wrong_kind_are_named(field, value):
    from segmix.skin_detect import DEFAULT_SETTINGS, with_options

    with pytest.raises(ValueError, match=f"^{field} must be"):
        # with_options drops None (a command-line option not given): SkinSettings itself then
        with_options(DEFAULT_SETTINGS, **{field: value}) if value is not None else \
            type(DEFAULT_SETTINGS)(**{field: value})


def test_face_boxes_without_face_calibration_are_said_to_change_nothing():
    from segmix.skin import detect, load_skin_model

    model = load_skin_model()
    with pytest.warns(UserWarning, match="face_boxes are used by the face calibration"):
        given = detect(model, _photo(), face_boxes=np.array([[15, 10, 20, 20]]))
    assert np.array_equal(given.mask, detect(model, _photo()).mask)


def test_posterior_map_names_a_colour_space_given_as_features():
    from segmix.bayes import BayesClassifier
    from segmix.features import FeatureSpace
    from segmix.mixture import GaussianMixture

    rng = np.random.default_rng(0)
    classifier = BayesClassifier([GaussianMixture(1, random_state=0).fit(rng.random((100, 3))),
                                  GaussianMixture(1, random_state=0).fit(rng.random((100, 3)) + 0.5)])
    image = rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)
    with pytest.raises(TypeError, match=r"FeatureSpace\('rgb'\) makes one"):
        classifier.posterior_map(image, "rgb")  # was AttributeError 'n_features'
    assert classifier.posterior_map(image, FeatureSpace("rgb")).shape == (6, 7)


def test_an_array_or_a_loaded_model_given_as_a_path_is_named():
    from segmix.io import load_image
    from segmix.segment import segment
    from segmix.skin import load_skin_model

    with pytest.raises(TypeError, match="path must be a file path .* not ndarray: an array is an image already"):
        load_image(_photo())  # was Path()'s "expected str, bytes or os.PathLike object"
    with pytest.raises(TypeError, match="not SegmixModel: it is loaded already"):
        load_skin_model(load_skin_model())
    with pytest.raises(ValueError, match="a file name. segmix.io.load_image"):
        segment("photo.jpg", _marks())


def test_a_model_trained_with_numpy_scalar_settings_is_saved_and_read_back(tmp_path):
    import json

    from segmix.modelfile import read_model, write_model
    from segmix.segment import SegmentationModel, SegmentationSettings, apply_model, train_model

    settings = SegmentationSettings(n_components=np.int64(2), smoothness=np.float64(20), random_state=np.int64(1),
                                    keep_connected=np.bool_(True), threshold=np.float32(0.5))
    json.dumps(settings.to_dict())  # plain Python values
    model = train_model(_photo(), _marks(), settings)
    write_model(tmp_path / "m.json", model.to_segmix_model())  # was "Object of type int64 is not JSON serializable"
    again = SegmentationModel.from_segmix_model(read_model(tmp_path / "m.json"))
    assert again.settings.n_components == 2
    assert np.array_equal(apply_model(_photo(), again, _marks()).mask, apply_model(_photo(), model, _marks()).mask)


def test_a_classifier_of_scikit_learn_mixtures_scores_and_says_it_is_not_written():
    from sklearn.mixture import GaussianMixture as ScikitMixture

    from segmix.bayes import BayesClassifier

    rng = np.random.default_rng(0)
    classifier = BayesClassifier([ScikitMixture(1, random_state=0).fit(rng.random((50, 3))),
                                  ScikitMixture(1, random_state=0).fit(rng.random((50, 3)) + 0.5)])
    assert classifier.predict_proba(rng.random((4, 3))).shape == (4, 2)
    with pytest.raises(TypeError, match=r"mixtures\[0\] is a sklearn.mixture"):
        classifier.to_dict()  # was AttributeError 'to_dict'


def test_skin_evaluator_result_before_add_says_so():
    from segmix.skin_eval import SkinEvaluator

    with pytest.raises(ValueError, match="no photo has been added"):
        SkinEvaluator(0.5).result()


@pytest.mark.parametrize("codes, skin, words", [
    ([5, 3, 9], [1, 2], "skin must hold one count per code"),   # was IndexError in training
    ([5, 1 << 24], [1, 1], "codes must lie in 0..16777215"),     # was trained as another colour
    ([5, -1], [1, 1], "codes must lie in"),
    ([5, 6], [1, -2], "skin counts must be finite numbers >= 0"),
])
def test_color_counts_are_checked(codes, skin, words):
    from segmix.skin import ColorCounts

    with pytest.raises(ValueError) as info:
        ColorCounts(np.array(codes), np.array(skin), np.ones(len(codes), np.int64))
    assert words in str(info.value)


def test_apply_model_skin_evaluator_and_replay_name_a_missing_argument(tmp_path):
    from segmix.mark_steps import replay_steps
    from segmix.modelfile import read_model, write_model
    from segmix.segment import apply_model, train_model
    from segmix.skin_eval import SkinEvaluator

    with pytest.raises(TypeError, match="model must be a SegmentationModel, not NoneType"):
        apply_model(_photo(), None, _marks())  # was AttributeError 'settings'
    write_model(tmp_path / "m.json", train_model(_photo(), _marks()).to_segmix_model())
    with pytest.raises(TypeError, match="from_segmix_model"):
        apply_model(_photo(), read_model(tmp_path / "m.json"), _marks())
    with pytest.raises(ValueError, match="got None: model.threshold"):
        SkinEvaluator(None)  # was TypeError '<' not supported
    with pytest.raises(ValueError, match="steps must be a sequence .* got None"):
        replay_steps(_photo(), None)  # was "the order map marks no pixel"


@pytest.mark.parametrize("covariance_type, precisions", [
    ("full", np.array([[[1.0, 2.0], [2.0, 1.0]]] * 2)),  # indefinite
    ("diag", np.array([[1.0, -1.0], [1.0, 1.0]])),
    ("spherical", np.array([1.0, -1.0])),
])
def test_precisions_init_that_is_no_precision_is_named(covariance_type, precisions):
    from segmix.mixture import GaussianMixture

    X = np.random.default_rng(0).normal(size=(100, 2))
    with pytest.raises(ValueError, match="must be symmetric positive definite"):
        GaussianMixture(2, covariance_type=covariance_type, precisions_init=precisions).fit(X)


def test_masked_arrays_with_masked_values_are_refused():
    from segmix.bayes import check_image
    from segmix.mixture import GaussianMixture

    X = np.random.default_rng(0).normal(size=(100, 2))
    with pytest.raises(ValueError, match="X is a masked array"):
        GaussianMixture(2).fit(np.ma.masked_greater(X, 1.5))  # the masked values were fitted
    assert GaussianMixture(1, random_state=0).fit(np.ma.masked_array(X, mask=False)).means_.shape == (1, 2)
    with pytest.raises(ValueError, match="image is a masked array"):
        check_image(np.ma.masked_equal(_photo(), 0) if (_photo() == 0).any() else np.ma.masked_less(_photo(), 50))
