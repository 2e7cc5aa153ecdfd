"""Shared fixtures for the non-GUI tests."""

import numba
import numpy as np
import pytest
from PIL import Image
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="module")
def single_threaded():
    """Run a module with one numba thread and one BLAS thread.

    Results do not depend on the thread count (test_kernels_mixture and
    test_fit_identical_with_one_or_two_threads check that bit for bit), but on a loaded
    2-core machine every parallel kernel launch pays a thread hand-off, which made the
    engine test modules take minutes instead of seconds.
    """
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    with threadpool_limits(1):
        yield
    numba.set_num_threads(before)


@pytest.fixture(autouse=True)
def _first_run_notice_silenced(request, monkeypatch):
    """The command line prints one stderr line when a kernel compiles (a cold cache). Whether a
    kernel is still uncompiled depends on which tests ran before and on the machine's cache,
    so tests that count a command's stderr lines would pass or fail with the order they run
    in: the notice is silenced, except in the tests marked ``first_run_notice`` that check it."""
    if request.node.get_closest_marker("first_run_notice") is None:
        from segmix import cli

        monkeypatch.setattr(cli, "_say_first_run", lambda name: None)


#: A skin colour (sRGB) the built-in model calls skin: the labelled photos below.
SKIN_RGB = (200, 140, 120)


def skin_photo(rng, h=30, w=40):
    """(h, w, 3) uint8 photo whose left half is skin-coloured, the rest far from skin; its 0/255 mask."""
    image = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
    far = np.linalg.norm(image.astype(float) - SKIN_RGB, axis=2) > 60
    image[~far] = (20, 200, 30)
    mask = np.zeros((h, w), np.uint8)
    mask[:, : w // 2] = 255
    image[:, : w // 2] = np.clip(rng.normal(SKIN_RGB, 6, (h, w // 2, 3)), 0, 255).astype(np.uint8)
    return image, mask


def write_skin_pairs(folder, names, rng):
    """``folder``/images/NAME.png (:func:`skin_photo`) and ``folder``/masks/NAME.png for each
    of ``names``, drawn from ``rng`` in that order; returns ``folder``."""
    for sub in ("images", "masks"):
        (folder / sub).mkdir(exist_ok=True)
    for name in names:
        image, mask = skin_photo(rng)
        Image.fromarray(image).save(folder / "images" / f"{name}.png")
        Image.fromarray(mask).save(folder / "masks" / f"{name}.png")
    return folder


@pytest.fixture()
def skin_dataset(tmp_path):
    """images/p0..p3.png (40 x 30 photos, left half skin) and masks/p0..p3.png."""
    return write_skin_pairs(tmp_path, [f"p{i}" for i in range(4)], np.random.default_rng(0))


@pytest.fixture(scope="module")
def client():
    """A local Dask cluster of 2 worker processes, one per test module (starting one costs
    seconds); the tests of ``--distributed`` connect to it by :func:`address`."""
    pytest.importorskip("distributed")
    from segmix.distributed.cluster import connect

    with connect(None, n_workers=2, threads_per_worker=1, quiet=True) as client:
        client.wait_for_workers(2, timeout=120)
        yield client


@pytest.fixture(scope="module")
def address(client):
    return client.scheduler.address
