"""One cancel mechanism for the engine (segmix.cancel_points): k-means' steps are its checkpoints.

k-means had a thread-local checkpoint of its own (``segmix.mixture.kmeans.checkpoints``), used by
the window's Quantise mode only, so Esc during a segmentation's k-means initialisation, its EM or
a skin training ran on to the fit's end. Now every k-means step is a
:func:`segmix.cancel_points.checkpoint`: these tests check that a cancel raised inside a fit
comes out as that cancel (never a fallback's retry, never an error of the fit), that nothing of a
stopped fit is kept, and that fits outside a stoppable block (or inside one that never stops)
are bit for bit those of the code before.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from segmix import cancel_points
from segmix.mixture import GaussianMixture, KMeans
from segmix.quantize import quantize_image
from segmix.segment import SegmentationSettings, train_model


class _Cancel(Exception):
    pass


def _digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:20]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(c, 1.0, (400, 3)) for c in (0, 4, 9)])


def _scene(seed=1):
    rng = np.random.default_rng(seed)
    image = np.empty((60, 80, 3), np.uint8)
    image[:] = (60, 90, 160)
    image[15:45, 20:60] = (200, 120, 60)
    image = np.clip(image + rng.normal(0.0, 25.0, image.shape), 0, 255).astype(np.uint8)
    scribbles = np.zeros((60, 80), np.uint8)
    scribbles[28:32, 35:45] = 1
    scribbles[2:6, 2:20] = 2
    return image, scribbles


def _fits() -> dict[str, str]:
    X = _data()
    out = {}
    km = KMeans(5, n_init=3, random_state=0).fit(X)
    out["kmeans"] = _digest(km.cluster_centers_, km.labels_, np.float64(km.inertia_))
    for init in ("k-means++", "random"):
        g = GaussianMixture(4, init=init, random_state=0, n_init=2).fit(X)
        out["gmm-" + init] = _digest(g.weights_, g.means_, g.covariances_)
    image, scribbles = _scene()
    model = train_model(image, scribbles, SegmentationSettings(n_components=3))
    out["train_model"] = _digest(*[a for m in model.classifier.mixtures for a in (m.weights_, m.means_, m.covariances_)])
    q = quantize_image(image, 7, random_state=0)
    out["quantize"] = _digest(q.image, q.palette)
    return out


# The same fits by the code before the checkpoints were unified (main at 5b4107ea).
PREVIOUS_CODE = {
    "kmeans": "9dc0271b4f04cfdbd2ba",
    "gmm-k-means++": "9cb8cf341a071429b0a3",
    "gmm-random": "f79499eac0cbde7e5575",
    "train_model": "5d462d817bfbe8a27380",
    "quantize": "05bd0932ad1fd2224294",
}


def test_fits_outside_a_stoppable_block_are_the_previous_codes_bit_for_bit():
    assert _fits() == PREVIOUS_CODE


def test_fits_in_a_block_that_never_stops_are_the_same_and_reach_checkpoints():
    calls = []
    with cancel_points.stoppable(lambda: calls.append(1)):
        assert _fits() == PREVIOUS_CODE
    assert len(calls) > 20


def test_a_segmentations_kmeans_initialisation_stops_on_the_cancel():
    """Esc during a click's fit: the k-means initialisation of the mixtures reaches the
    window's check (before, it ran on to the end of the fit with no checkpoint)."""
    image, scribbles = _scene()
    settings = SegmentationSettings(n_components=3)
    calls = []
    with cancel_points.stoppable(lambda: calls.append(1)):
        expected = train_model(image, scribbles, settings)
    assert calls  # training alone (no cut) reaches checkpoints: its k-means steps
    for stop_at in range(0, len(calls), max(1, len(calls) // 6)):
        seen = []

        def check():
            seen.append(1)
            if len(seen) > stop_at:
                raise _Cancel

        with pytest.raises(_Cancel), cancel_points.stoppable(check):
            train_model(image, scribbles, settings)
        assert len(seen) == stop_at + 1  # stopped at once: no retry of the fit went on
        again = train_model(image, scribbles, settings)  # nothing of the stopped fit is kept
        for old, new in zip(expected.classifier.mixtures, again.classifier.mixtures):
            np.testing.assert_array_equal(old.means_, new.means_)
            np.testing.assert_array_equal(old.covariances_, new.covariances_)


def test_a_cancel_in_the_subsample_kmeans_is_not_taken_for_too_few_points():
    """GaussianMixture retries its initial k-means on all rows when a subsample holds too few
    distinct points; a cancel there must not be retried (nor a cancel mistaken for the error)."""
    from segmix.mixture import gmm

    rng = np.random.default_rng(2)
    X = rng.normal(0.0, 1.0, (gmm.INIT_SUBSAMPLE + 500, 2))
    seen = []

    def check():
        seen.append(1)
        raise _Cancel

    with pytest.raises(_Cancel), cancel_points.stoppable(check):
        GaussianMixture(3, random_state=0).fit(X)
    assert len(seen) == 1


def test_a_skin_training_stops_on_the_cancel_not_as_a_fit_error():
    from segmix import skin

    rng = np.random.default_rng(3)
    codes = np.sort(rng.choice(1 << 24, 3000, replace=False)).astype(np.int64)
    skin_counts = rng.integers(0, 5, codes.size)
    counts = skin.ColorCounts(codes, skin_counts, 5 - skin_counts)

    def check():
        raise _Cancel

    with pytest.raises(_Cancel), cancel_points.stoppable(check):
        skin.train_skin_model(counts, n_components=3)


def test_quantise_stops_by_its_check_and_by_an_enclosing_block():
    image, _ = _scene()
    seen = []

    def check():
        seen.append(1)
        raise _Cancel

    with pytest.raises(_Cancel):
        quantize_image(image, 7, random_state=0, check=check)
    with pytest.raises(_Cancel), cancel_points.stoppable(check):
        quantize_image(image, 7, random_state=0)  # the window's compute thread's block
    assert len(seen) == 2
    assert _digest(*(lambda q: (q.image, q.palette))(quantize_image(image, 7, random_state=0))) == PREVIOUS_CODE["quantize"]
