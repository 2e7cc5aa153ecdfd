"""Faults a new user of segmix as a Python library found (session 52)."""

from __future__ import annotations

import inspect
import math
import tracemalloc

import numpy as np
import pytest

from segmix.clicks import Click, clicks_to_scribbles, disc_offsets, paint_disc
from segmix.point_marks import add_point_marks, disc_keeps


# ---------------------------------------------------------------- 1. click radius checked
BAD_RADII = [-3, -0.5, math.nan, math.inf, -math.inf, "5", b"5", True, np.bool_(False), None, [5], object()]


@pytest.mark.parametrize("radius", BAD_RADII, ids=repr)
def test_add_point_marks_refuses_bad_radius_naming_it(radius):
    labels = np.zeros((48, 64), np.uint8)
    if radius is None:  # None is add_point_marks's default: the window's radius
        out, _ = add_point_marks(labels, None, clicks=[(1, 10, 10)], radius=None)
        assert (out == 1).sum() > 0
        return
    with pytest.raises((ValueError, TypeError), match=r"radius.*>= 0"):
        add_point_marks(labels, None, clicks=[(1, 10, 10)], radius=radius)


@pytest.mark.parametrize("radius", [r for r in BAD_RADII if r is not None], ids=repr)
@pytest.mark.parametrize("call", ["disc_offsets", "paint_disc", "clicks_to_scribbles", "disc_keeps"])
def test_sibling_disc_functions_refuse_bad_radius(call, radius):
    labels = np.zeros((20, 30), np.uint8)
    calls = {"disc_offsets": lambda: disc_offsets(radius),
             "paint_disc": lambda: paint_disc(labels, 5, 5, 1, radius),
             "clicks_to_scribbles": lambda: clicks_to_scribbles((20, 30), [Click(5, 5, True)], radius),
             "disc_keeps": lambda: disc_keeps(labels, 5, 5, 1, radius)}
    with pytest.raises((ValueError, TypeError), match=r"radius.*>= 0"):
        calls[call]()


@pytest.mark.parametrize("radius", [5000, 1e6, 1e300])
def test_huge_radius_costs_no_more_than_the_photo(radius):
    labels = np.zeros((48, 64), np.uint8)
    tracemalloc.start()
    try:
        out, order = add_point_marks(labels, None, clicks=[(1, 10, 10)], radius=radius)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (out == 1).all() and (order == 1).all()  # the disc covers the whole photo
    assert peak < 2_000_000  # bytes; a (2r+1)^2 grid was 3.2 GB at 5000
    painted = paint_disc(np.zeros((48, 64), np.uint8), 47, 63, 2, radius)
    assert painted.shape == (2, 48 * 64)
    assert (clicks_to_scribbles((48, 64), [Click(0, 0, False)], radius) == 2).all()
    assert disc_keeps(out, 10, 10, 1, radius)


def test_disc_offsets_refuses_a_disc_beyond_any_photo():
    with pytest.raises(ValueError, match="radius"):
        disc_offsets(1e6)
    with pytest.raises(ValueError, match="radius"):
        disc_offsets(1e300)


@pytest.mark.parametrize("radius", [0, 0.5, 1, 2.5, 5, np.float32(7.3), np.int64(12), np.array(3.0), 40])
def test_valid_radius_paints_the_disc_as_before(radius):
    """The disc of the mgrid the functions built before, pixel for pixel and in the same order."""
    r = int(np.floor(float(radius)))
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    inside = dy * dy + dx * dx <= float(radius) ** 2
    ref_dy, ref_dx = dy[inside], dx[inside]
    got_dy, got_dx = disc_offsets(radius)
    np.testing.assert_array_equal(got_dy, ref_dy)
    np.testing.assert_array_equal(got_dx, ref_dx)
    for row, col in [(0, 0), (7, 11), (19, 29), (3, 28)]:
        labels = np.zeros((20, 30), np.uint8)
        rr, cc = ref_dy + row, ref_dx + col
        keep = (rr >= 0) & (rr < 20) & (cc >= 0) & (cc < 30)
        painted = paint_disc(labels, row, col, 1, radius)
        np.testing.assert_array_equal(painted, np.stack([rr[keep], cc[keep]]))
        assert labels.sum() == keep.sum()


# ---------------------------------------------------------------- 2. the classes' signatures
def _public_classes():
    import importlib
    import pkgutil

    import segmix

    for info in pkgutil.walk_packages(segmix.__path__, "segmix."):
        if info.name.startswith(("segmix.gui", "segmix.distributed", "segmix.__main__")):
            continue  # Qt / Dask; the library's classes are the rest
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and not name.startswith("_") and obj.__module__ == info.name
                    and not issubclass(obj, BaseException)):
                yield obj


def _own_init(cls):
    """The nearest __init__ written in Python (a dataclass's too), or None."""
    for base in cls.__mro__:
        init = base.__dict__.get("__init__")
        if inspect.isfunction(init):
            return init
    return None


def test_public_classes_show_their_parameters():
    """help() and notebook tooltips read inspect.signature: a __new__(cls, *args, **kwargs) that
    refuses other libraries' names hid BackgroundMixture's and SegmentationSettings' parameters."""
    hidden = []
    checked = 0
    for cls in _public_classes():
        init = _own_init(cls)
        if init is None:
            continue
        expected = list(inspect.signature(init).parameters.values())[1:]
        if list(inspect.signature(cls).parameters.values()) != expected:
            hidden.append(f"{cls.__module__}.{cls.__name__}{inspect.signature(cls)}")
        checked += 1
    assert checked > 20
    assert not hidden, hidden


def test_named_classes_signature_and_refusals_kept():
    from segmix.background import BackgroundMixture
    from segmix.segment import SegmentationSettings

    assert "learning_rate" in inspect.signature(BackgroundMixture).parameters
    assert "n_components" in inspect.signature(SegmentationSettings).parameters
    with pytest.raises(TypeError, match="did you mean n_components"):
        SegmentationSettings(n_component=3)
    with pytest.raises(TypeError):
        BackgroundMixture(history=500)  # MOG2's name, refused saying so
    assert SegmentationSettings(n_components=3).n_components == 3


# ---------------------------------------------------------------- 3. clearer words for marks and data
def _photo_and_marks():
    rng = np.random.default_rng(0)
    image = np.zeros((40, 50, 3), np.uint8)
    image[:, :25] = (200, 40, 40)
    image[:, 25:] = (30, 60, 200)
    image = np.clip(image + rng.integers(-10, 10, image.shape), 0, 255).astype(np.uint8)
    marks = np.zeros((40, 50), np.uint8)
    marks[15:25, 5:15] = 1
    marks[15:25, 35:45] = 2
    return image, marks


def _marks_callers():
    from segmix.mark_steps import steps_result
    from segmix.segment import segment

    return {"segment": lambda image, marks: segment(image, marks),
            "steps_result": lambda image, marks: steps_result(image, marks, (np.asarray(marks)[..., 0] > 0
                                                                              if np.ndim(marks) == 3 else
                                                                              np.asarray(marks) > 0).astype(np.uint16)),
            "add_point_marks": lambda image, marks: add_point_marks(marks, None, clicks=[(1, 10, 20)])}


@pytest.mark.parametrize("caller", ["segment", "add_point_marks"])
def test_float_marks_of_whole_labels_are_told_the_conversion(caller):
    image, marks = _photo_and_marks()
    call = _marks_callers()[caller]
    with pytest.raises(ValueError, match=r"float64.*astype\(np\.uint8\)"):
        call(image, marks.astype(float))
    odd = marks.astype(float)
    odd[0, 0] = 1.7  # not a label: no conversion offered (astype would cut it to 1)
    with pytest.raises(ValueError) as info:
        call(image, odd)
    assert "astype(np.uint8)" not in str(info.value)


@pytest.mark.parametrize("caller", ["segment", "steps_result", "add_point_marks"])
def test_marks_with_a_third_axis_of_one_are_told_to_take_it(caller):
    image, marks = _photo_and_marks()
    with pytest.raises(ValueError, match=r"\[\.\.\., 0\]"):
        _marks_callers()[caller](image, marks[..., None])


@pytest.mark.parametrize("caller", ["segment", "steps_result", "add_point_marks"])
def test_red_blue_stroke_image_is_told_how_to_make_labels(caller):
    image, marks = _photo_and_marks()
    strokes = np.dstack([(marks == 1) * 255, marks * 0, (marks == 2) * 255]).astype(np.uint8)
    with pytest.raises(ValueError) as info:
        _marks_callers()[caller](image, strokes)
    words = str(info.value)
    assert "red" in words and "blue" in words and "np.select" in words and "take one channel" not in words
    # The words' conversion gives the marks back.
    expression = words.split("labels = ")[1].split(".astype(np.uint8)")[0] + ".astype(np.uint8)"
    made = eval(expression.replace("scribbles", "s").replace("labels", "s"), {"np": np, "s": strokes})
    np.testing.assert_array_equal(made, marks)
    grey = np.dstack([marks] * 3)  # a grey label PNG read as 3 channels keeps its words
    with pytest.raises(ValueError, match=r"cv2\.IMREAD_UNCHANGED"):
        _marks_callers()[caller](image, grey)


class NAType:
    """A stand-in for pandas' NA (float() refuses it with the same words) where pandas is absent."""

    def __repr__(self):
        return "<NA>"


@pytest.mark.parametrize("missing", [NAType(), "pandas"])
def test_missing_values_in_data_are_named(missing):
    from segmix.mixture import GaussianMixture, KMeans

    if missing == "pandas":
        pd = pytest.importorskip("pandas")
        X = pd.DataFrame({"x": pd.array([1, None] * 20, dtype="Int64"), "y": np.arange(40.0)})
    else:
        X = np.array([[float(i), 1.0] for i in range(40)], dtype=object)
        X[3, 1] = missing
    for estimator in (GaussianMixture(2, random_state=0), KMeans(2, random_state=0)):
        with pytest.raises(ValueError, match=r"X has missing values.*<NA>.*row [13]"):
            estimator.fit(X)
    fitted = GaussianMixture(2, random_state=0).fit(np.random.default_rng(0).normal(size=(40, 2)))
    weights = np.ones(40, dtype=object)
    weights[5] = NAType()
    with pytest.raises(ValueError, match=r"sample_weight has missing values"):
        fitted.score(np.zeros((40, 2)), sample_weight=weights)


def test_all_zero_weights_in_scoring_are_said_as_scoring():
    from segmix.mixture import GaussianMixture, KMeans

    X = np.random.default_rng(0).normal(size=(60, 2))
    zero = np.zeros(60)
    gmm = GaussianMixture(2, random_state=0).fit(X)
    kmeans = KMeans(2, random_state=0).fit(X)
    for call in (lambda: gmm.score(X, sample_weight=zero), lambda: gmm.bic(X, sample_weight=zero),
                 lambda: gmm.aic(X, sample_weight=zero), lambda: kmeans.score(X, sample_weight=zero)):
        with pytest.raises(ValueError, match="sample_weight sums to zero") as info:
            call()
        assert "fit" not in str(info.value) and "scor" in str(info.value)
    with pytest.raises(ValueError, match="nothing to fit"):
        GaussianMixture(2).fit(X, sample_weight=zero)


def test_few_colours_warning_has_its_class():
    from segmix.segment import FewColoursWarning, segment

    image, marks = _photo_and_marks()
    image[:] = (120, 120, 120)
    image[:, 25:] = (20, 200, 20)
    assert issubclass(FewColoursWarning, UserWarning)
    with pytest.warns(FewColoursWarning, match="hold only 1 distinct colour"):
        segment(image, marks)


def test_both_classes_marked_on_one_colour_is_warned():
    from segmix.segment import SameColoursWarning, segment

    flat = np.full((30, 40, 3), 120, np.uint8)
    marks = np.zeros((30, 40), np.uint8)
    marks[5:10, 5:10] = 1
    marks[20:25, 25:35] = 2
    with pytest.warns(SameColoursWarning, match="cannot tell") as record:
        result = segment(flat, marks)
    assert np.allclose(result.probability[marks == 0], 0.5)
    assert sum(issubclass(w.category, SameColoursWarning) for w in record) == 1
    # Two colours, each marked both ways: the same.
    two = flat.copy()
    two[:, ::2] = 200
    with pytest.warns(SameColoursWarning):
        segment(two, marks)
    # Marks on different colours: no such warning.
    image, marks = _photo_and_marks()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", SameColoursWarning)
        segment(image, marks)


def test_same_colours_words_need_one_and_the_same_set():
    from segmix.segment import same_colours_words

    flat = np.full((90, 120, 3), 120, np.uint8)
    marks = np.zeros((90, 120), np.uint8)
    marks[40:45, 40:45] = 1
    marks[:, 80:] = 2
    assert "same colour" in same_colours_words(flat, marks)
    odd = flat.copy()
    odd[89, 119] = (10, 200, 10)  # one background pixel of another colour, off the probe's grid
    assert same_colours_words(odd, marks) is None
    odd = flat.copy()
    odd[42, 42] = (10, 200, 10)  # one foreground pixel of a colour the background lacks
    assert same_colours_words(odd, marks) is None
    assert same_colours_words(flat, np.where(marks == 2, 0, marks).astype(np.uint8)) is None  # one class
