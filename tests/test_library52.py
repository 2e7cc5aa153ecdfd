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
