"""Faults a demanding library user (scripts, notebooks) met (session 43, apitrial43), one test per kind."""

import numpy as np
import pytest

from segmix.change_detection import confusion


def test_confusion_takes_bool_masks_and_refuses_other_codes_instead_of_scoring_them_as_nothing():
    # A researcher scoring their own method's mask (bool, or 0 / 1 from an OpenCV threshold)
    # with segmix's CDnet rules: mask == 255 read it as detecting nothing, recall 0 in silence.
    truth = np.zeros((10, 10), np.uint8)
    truth[2:6, 2:6] = 255
    truth[0] = 170
    detected = truth == 255
    c = confusion(detected, truth)
    assert (c.tp, c.fp, c.fn, c.tn) == (16, 0, 0, 74)
    assert confusion(detected.astype(np.uint8) * 255, truth) == c
    assert confusion(detected, truth == 255) == confusion(detected, np.where(truth == 255, 255, 0).astype(np.uint8))
    with pytest.raises(ValueError, match=r"mask must hold only 0, 127, 255.*0 / 1 mask\? give mask.astype\(bool\)"):
        confusion(detected.astype(np.uint8), truth)
    with pytest.raises(ValueError, match=r"mask must be uint8 codes.*float64 \(a probability map"):
        confusion(detected.astype(float), truth)
    with pytest.raises(ValueError, match=r"groundtruth must hold only 0, 50, 85, 170, 255.*found 1:"):
        confusion(detected, (truth == 255).astype(np.uint8))
    with pytest.raises(ValueError, match="shape"):
        confusion(detected, truth[:, :3])


def test_threshold_map_refuses_a_posterior_that_is_not_probabilities():
    # A 16-bit probability PNG read back (0..65535) or an 8-bit map was thresholded at 0.5 as
    # it was: True nearly everywhere, in silence.
    from segmix.bayes import threshold_map

    p = np.array([[0.1, 0.6], [0.4, 0.9]], np.float32)
    assert threshold_map(p, 0.5).tolist() == [[False, True], [False, True]]
    for bad, words in (((p * 65535).astype(np.uint16), "uint16"), (p * 255, "from 25.5 to 229.5"),
                       (np.where(p > 0.5, np.nan, p), "from nan")):
        with pytest.raises(ValueError, match=f"posterior must be.*{words}"):
            threshold_map(bad, 0.5)


@pytest.mark.parametrize("mode", ["P", "YCbCr", "HSV", "LAB", "L", "RGBA", "CMYK", "I;16"])
def test_pil_images_in_other_modes_than_rgb_are_refused_naming_the_mode(mode):
    # np.asarray of a PIL image holds its bands in its mode: a YCbCr / HSV / LAB image was
    # segmented, scored and quantised as R, G, B, and a palette image's indices were taken as
    # grey frames (BackgroundMixture) or called greyscale with a recipe that made them grey,
    # all in silence.
    from PIL import Image

    from segmix.background import BackgroundMixture
    from segmix.quantize import quantize_image
    from segmix.segment import segment
    from segmix.skin import detect, load_skin_model

    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8))
    image = rgb.convert("L").convert(mode) if mode == "I;16" else rgb.convert(mode)
    marks = np.zeros((12, 16), np.uint8)
    marks[5, 5], marks[0, 0] = 1, 2
    calls = {"image": [lambda: segment(image, marks), lambda: detect(load_skin_model(), image),
                       lambda: quantize_image(image, 4)]}
    if mode != "L":  # a grey frame is one
        calls["frame"] = [lambda: BackgroundMixture().apply(image)]
    for name, funcs in calls.items():
        for call in funcs:
            with pytest.raises(ValueError, match=f"^{name} is a PIL image in mode '{mode}'"):
                call()
    # RGB (and a grey frame) are their arrays, as before
    assert quantize_image(rgb, 4).image.shape == (12, 16, 3)
    assert BackgroundMixture().apply(rgb.convert("L")).shape == (12, 16)


def test_scikit_learn_only_parameters_are_refused_with_what_to_do_instead():
    # A script written for scikit-learn's estimators met Python's "got an unexpected keyword
    # argument 'init_params'", which says neither that segmix calls it init nor what to give.
    import pickle

    from sklearn.base import clone

    from segmix.mixture import GaussianMixture, KMeans

    with pytest.raises(TypeError, match=r"GaussianMixture has no parameter init_params \(scikit-learn's\): "
                                        r"segmix's is init"):
        GaussianMixture(2, init_params="random_from_data")
    with pytest.raises(TypeError, match="warm_start.*means_init=model.means_"):
        GaussianMixture(2, warm_start=True)
    with pytest.raises(ValueError, match="no parameter verbose .*iter_fit"):
        GaussianMixture(2).set_params(verbose=2)
    with pytest.raises(TypeError, match="KMeans has no parameter algorithm .*Lloyd"):
        KMeans(2, algorithm="elkan")
    with pytest.raises(TypeError, match="unexpected keyword argument 'n_component'"):  # a typo: Python's words
        GaussianMixture(n_component=2)
    # the protocol is as before: clone, pickle, repr
    X = np.random.default_rng(0).normal(size=(60, 2))
    fitted = GaussianMixture(2, random_state=0).fit(X)
    assert repr(clone(fitted)) == "GaussianMixture(n_components=2, random_state=0)"
    assert np.array_equal(pickle.loads(pickle.dumps(fitted)).means_, fitted.means_)
    assert pickle.loads(pickle.dumps(KMeans(2, random_state=0).fit(X))).cluster_centers_.shape == (2, 2)


def test_a_loaded_image_given_as_the_image_is_told_to_give_its_pixels(tmp_path):
    # segmix.io.load_image_info's result given to segment / detect was "got object ()".
    from PIL import Image

    from segmix.io import load_image_info
    from segmix.skin import detect, load_skin_model

    Image.fromarray(np.full((8, 8, 3), 120, np.uint8)).save(tmp_path / "p.png")
    loaded = load_image_info(tmp_path / "p.png")
    with pytest.raises(ValueError, match=r"got object \(\): a LoadedImage .*give loaded.pixels"):
        detect(load_skin_model(), loaded)
    assert detect(load_skin_model(), loaded.pixels).mask.shape == (8, 8)


def test_frames_in_memory_given_to_frame_sequence_or_run_sequence_are_told_what_takes_them(tmp_path):
    # A list of arrays failed in Path() ("expected str, bytes or os.PathLike object, not
    # ndarray") and run_sequence(path) as "'str' object has no attribute 'paths'".
    from PIL import Image

    from segmix.background import BackgroundMixture
    from segmix.background_run import run_sequence
    from segmix.frames import FrameSequence

    frames = [np.full((6, 8, 3), 100, np.uint8)] * 3
    for source in (frames, frames[0], np.stack(frames)):
        with pytest.raises(TypeError, match=r"^source must be .*frames in memory \(ndarray\).*BackgroundMixture.apply"):
            FrameSequence(source)
    with pytest.raises(TypeError, match=r"^source must be .*paths\); got int"):
        FrameSequence([1, 2])
    for i, frame in enumerate(frames):
        Image.fromarray(frame).save(tmp_path / f"in{i:06d}.png")
    for wrong in (str(tmp_path), frames):
        with pytest.raises(TypeError, match=r"^sequence must be a FrameSequence, got (str|list): FrameSequence\(source\)"):
            run_sequence(wrong, BackgroundMixture())
    assert run_sequence(FrameSequence(tmp_path), BackgroundMixture()).frames == 3
    assert len(FrameSequence([tmp_path / "in000000.png", str(tmp_path / "in000001.png")]).paths) == 2


def test_color_counts_refuse_a_code_given_twice_and_put_codes_in_order():
    # A researcher's own counts with a colour twice: ``+`` kept one of its counts, in silence.
    from segmix.skin import ColorCounts

    with pytest.raises(ValueError, match=r"codes must be distinct; code 5 \(r, g, b = \(0, 0, 5\)\)"):
        ColorCounts(np.array([5, 5, 9]), np.array([1, 1, 0]), np.array([0, 0, 3]))
    counts = ColorCounts(np.array([9, 5]), np.array([0, 2]), np.array([3, 0]))
    assert counts.codes.tolist() == [5, 9] and counts.skin.tolist() == [2, 0] and counts.non_skin.tolist() == [0, 3]
    total = counts + ColorCounts(np.array([5]), np.array([1]), np.array([1]))
    assert (total.codes.tolist(), total.skin.tolist(), total.non_skin.tolist()) == ([5, 9], [3, 0], [1, 3])


def test_quantize_image_names_n_colors_and_checks_its_parameters_on_a_photo_of_few_colours_too():
    # "number of colours must be ..." named no parameter of the function; random_state="a" and
    # n_init=0 were taken without a word where the photo had no more colours than n_colors.
    from segmix.quantize import quantize_image

    two = np.zeros((4, 4, 3), np.uint8)
    two[2:] = 200
    with pytest.raises(ValueError, match=r"^n_colors \(the number of colours\) must be an integer from 1 to 65536"):
        quantize_image(two, 0)
    with pytest.raises(ValueError, match="^random_state must be"):
        quantize_image(two, 8, random_state="a")
    for bad in (0, "x"):
        with pytest.raises(ValueError, match="^n_init must be an integer >= 1"):
            quantize_image(two, 8, n_init=bad)
    assert quantize_image(two, 8, random_state=np.random.RandomState(0), n_init="auto").palette.shape == (2, 3)


def test_a_previous_model_that_is_not_a_segmentation_model_is_refused_not_ignored():
    # previous_model=result (not result.model) was dropped without a word: the refit and the
    # far-change guard went on as if no previous model were given.
    from segmix.segment import apply_model, segment, train_model

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    marks = np.zeros((30, 40), np.uint8)
    marks[5, 5], marks[25, 30] = 1, 2
    result = segment(image, marks)
    with pytest.raises(TypeError, match=r"^previous_model must be a SegmentationModel, not SegmentationResult: "
                                        r"the previous result's model is result.model"):
        segment(image, marks, previous_mask=result.mask, previous_model=result)
    with pytest.raises(TypeError, match=r"^previous must be a SegmentationModel, not str"):
        train_model(image, marks, previous="model.json")
    with pytest.raises(TypeError, match=r"^previous_model must be a SegmentationModel, not SegmixModel: "
                                        r"SegmentationModel.from_segmix_model"):
        apply_model(image, result.model, marks, previous_model=result.model.to_segmix_model())
    assert segment(image, marks, previous_mask=result.mask, previous_model=result.model).mask.shape == (30, 40)


def test_to_dict_keeps_what_its_docstring_says_and_from_dict_scores_as_the_original():
    # The docstring said "hyper-parameters" were kept; tol, max_iter, n_init, init and
    # random_state are not (a refit of the model read back was not repeatable): now said.
    import json

    from segmix.mixture import GaussianMixture

    X = np.random.default_rng(0).normal(size=(200, 3))
    for covariance_type in ("full", "diag", "spherical"):
        model = GaussianMixture(2, covariance_type=covariance_type, reg_covar=1e-4, tol=1e-5, random_state=3).fit(X)
        back = GaussianMixture.from_dict(json.loads(json.dumps(model.to_dict())))
        assert np.array_equal(back.score_samples(X), model.score_samples(X))
        params = back.get_params()
        assert (params["covariance_type"], params["reg_covar"]) == (covariance_type, 1e-4)
        assert (params["tol"], params["random_state"]) == (1e-3, None)
    doc = GaussianMixture.to_dict.__doc__
    assert "random_state" in doc and "not kept" in doc


def test_a_setting_given_as_a_keyword_of_segment_or_detect_is_told_where_it_goes():
    # segment(image, marks, n_components=3) met Python's "unexpected keyword argument".
    import inspect

    from segmix.segment import segment
    from segmix.skin import detect, load_skin_model

    image = np.random.default_rng(0).integers(0, 256, (20, 24, 3), dtype=np.uint8)
    marks = np.zeros((20, 24), np.uint8)
    marks[3, 3], marks[15, 20] = 1, 2
    with pytest.raises(TypeError, match=r"^segment\(\) takes the setting n_components in settings: give "
                                        r"settings=SegmentationSettings\(n_components=3\)"):
        segment(image, marks, n_components=3)
    with pytest.raises(TypeError, match=r"^detect\(\) takes the setting boundary_prior in settings: give "
                                        r"settings=segmix.skin_detect.with_options\(DEFAULT_SETTINGS, boundary_prior=True\)"):
        detect(load_skin_model(), image, boundary_prior=True)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):  # no setting: Python's words
        segment(image, marks, colour=1)
    assert list(inspect.signature(segment).parameters)[:3] == ["image", "scribbles", "settings"]
    assert segment.__name__ == "segment" and "Returns" in segment.__doc__


def test_step_marks_without_an_order_map_says_what_to_give():
    # step_marks(labels, None) said "the order map is () but the marks are 40 x 30 pixels".
    from segmix.mark_order import step_marks

    labels = np.zeros((30, 40), np.uint8)
    labels[5, 5], labels[25, 30] = 1, 2
    with pytest.raises(ValueError, match=r"^order is None: .*\[labels\]"):
        step_marks(labels, None)
    assert len(step_marks(labels, (labels > 0).astype(np.uint16))) == 1


def test_segmentation_settings_with_a_misspelt_name_suggest_the_setting():
    # SegmentationSettings(n_component=3) met the dataclass's "unexpected keyword argument",
    # where skin_detect.with_options offers the names close to a misspelt one.
    import copy
    import dataclasses
    import pickle

    from segmix.segment import SegmentationSettings

    with pytest.raises(TypeError, match=r"^SegmentationSettings: 'colour_space' is no segmentation setting; "
                                        r"did you mean color_space"):
        SegmentationSettings(colour_space="rgb")
    settings = SegmentationSettings(n_components=3)
    assert pickle.loads(pickle.dumps(settings)) == settings == copy.deepcopy(settings)
    assert dataclasses.replace(settings, smoothness=2.0).smoothness == 2.0
    assert SegmentationSettings.from_dict(settings.to_dict()) == settings


def test_an_image_given_to_a_mixture_is_told_how_to_make_its_pixels_rows():
    # gmm.predict(image) said only "must be a 2-D array ...; got shape (H, W, 3)".
    from segmix.mixture import GaussianMixture, KMeans

    image = np.random.default_rng(0).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    gmm = GaussianMixture(2, random_state=0).fit(image.reshape(-1, 3))
    with pytest.raises(ValueError, match=r"got shape \(6, 8, 3\): an image\? X.reshape\(-1, 3\) makes its pixels rows, "
                                         r"and the result .reshape\(6, 8\)"):
        gmm.predict(image)
    with pytest.raises(ValueError, match=r"an image\? X.reshape\(-1, 3\)"):
        KMeans(2).fit(image)
    assert gmm.predict(image.reshape(-1, 3)).reshape(6, 8).shape == (6, 8)


def test_the_refusal_stands_after_the_window_kept_a_fit():
    # Session 58's kept fit (segment._FIT_STAGE, the window's keeping_fits) keyed the inputs
    # before the fit checked them: a file name as the previous model raised AttributeError
    # ('str' object has no attribute 'features') once any fit had been kept in the process.
    from segmix import segment

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    marks = np.zeros((30, 40), np.uint8)
    marks[5, 5], marks[25, 30] = 1, 2
    with segment.keeping_fits():
        segment.train_model(image, marks)
    assert segment._FIT_STAGE.get_any() is not None
    with pytest.raises(TypeError, match=r"^previous must be a SegmentationModel, not str"):
        segment.train_model(image, marks, previous="model.json")
