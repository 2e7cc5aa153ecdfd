"""skin apply's one-pass per-photo checks and colour lookup (segmix.kernels.photo_checks)
against the NumPy forms they replace: the same counts, booleans and float32 values, so no
mask, probability map or note changes (session 57: those NumPy forms were about half of the
plain per-pixel rule's time on SFA val)."""

from __future__ import annotations

import numpy as np
import pytest

from segmix.kernels import photo_checks


def _photo(rng, shape=(37, 53)):
    """Random colours with many clipped channels (0 and 255) and some pure white / black."""
    image = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    image[rng.random(image.shape) < 0.2] = 255
    image[rng.random(image.shape) < 0.1] = 0
    image[rng.random(shape) < 0.05] = 255
    image[rng.random(shape) < 0.05] = (250, 40, 0)
    return image


def _clipped_reference(image, transparent=None):
    at_top = image >= 255
    clipped = at_top.any(axis=-1) & ~at_top.all(axis=-1)
    if transparent is not None:
        clipped = clipped[~np.asarray(transparent, bool)]
    return float(clipped.mean()) if clipped.size else 0.0


def _tone_clips_reference(pixels, clip):
    top = (pixels >= 255 - clip).any(axis=1)
    bottom = (pixels <= clip).any(axis=1)
    return not ((top & (pixels.min(axis=1) < 64)).any() or (bottom & (pixels.max(axis=1) > 192)).any())


@pytest.mark.parametrize("seed", range(4))
def test_clipped_share_equals_the_numpy_form(seed):
    from segmix.skin_photo_notes import clipped_share

    rng = np.random.default_rng(seed)
    image = _photo(rng)
    hidden = rng.random(image.shape[:2]) < 0.3
    assert clipped_share(image) == _clipped_reference(image)
    assert clipped_share(image, hidden) == _clipped_reference(image, hidden)
    # a strided view (a crop) and a wholly hidden photo
    view = image[::2, 1::3]
    assert clipped_share(view) == _clipped_reference(view)
    assert clipped_share(image, np.ones(image.shape[:2], bool)) == 0.0
    assert clipped_share(np.zeros((0, 4, 3), np.uint8)) == 0.0


def test_clipped_count_counts_one_or_two_channels_at_255_only():
    pixels = np.array([[255, 255, 255], [255, 0, 0], [255, 255, 0], [254, 254, 254], [0, 0, 255]], np.uint8)
    assert photo_checks.clipped_count(pixels, np.zeros(0, bool)) == (3, 5)
    assert photo_checks.clipped_count(pixels, np.array([0, 1, 0, 0, 1], bool)) == (1, 3)


@pytest.mark.parametrize("clip", [0, 2, 6])
def test_tone_clip_test_equals_the_numpy_form(clip):
    from segmix.features import _clipped_as_a_tone_clips

    rng = np.random.default_rng(clip)
    for _ in range(30):
        # mostly toned-looking pixels (channels close together), sometimes a colour at a clip
        base = rng.integers(0, 256, (200, 1))
        pixels = np.clip(base + rng.integers(-3, 4, (200, 3)), 0, 255).astype(np.uint8)
        if rng.random() < 0.5:
            pixels[rng.integers(200)] = rng.choice([(255, 60, 10), (0, 200, 250), (255, 64, 64), (0, 192, 192),
                                                    (255 - clip, 63, 63), (clip, 193, 100)])
        assert _clipped_as_a_tone_clips(pixels, clip) == _tone_clips_reference(pixels, clip)
        assert _clipped_as_a_tone_clips(pixels[::3], clip) == _tone_clips_reference(pixels[::3], clip)
    empty = np.zeros((0, 3), np.uint8)
    assert _clipped_as_a_tone_clips(empty, clip) == _tone_clips_reference(empty, clip)


def test_table_lookup_equals_numpy_gather():
    rng = np.random.default_rng(5)
    table = np.full(1 << 24, np.nan, np.float32)
    known = rng.integers(0, 1 << 24, 50_000)
    table[known] = rng.random(known.size).astype(np.float32)
    image = _photo(rng, (64, 80))
    flat = image.reshape(-1, 3)
    flat[: 3000] = np.stack([(known[:3000] >> 16) & 255, (known[:3000] >> 8) & 255, known[:3000] & 255], 1)
    codes = (flat[:, 0].astype(np.int32) << 16) | (flat[:, 1].astype(np.int32) << 8) | flat[:, 2]
    out = np.empty(flat.shape[0], np.float32)
    missing = photo_checks.table_lookup(flat, table, out)
    np.testing.assert_array_equal(out, table[codes])  # NaN where NaN
    assert missing == int(np.isnan(table[codes]).sum())


def test_missing_codes_and_fill_missing_equal_numpy():
    rng = np.random.default_rng(6)
    pixels = _photo(rng, (50, 70)).reshape(-1, 3)
    values = rng.random(pixels.shape[0]).astype(np.float32)
    values[rng.random(values.size) < 0.3] = np.nan
    codes = (pixels[:, 0].astype(np.int32) << 16) | (pixels[:, 1].astype(np.int32) << 8) | pixels[:, 2]
    missing = np.isnan(values)
    found = photo_checks.missing_codes(pixels, values, int(missing.sum()))
    assert found.dtype == np.int32
    np.testing.assert_array_equal(found, codes[missing])
    table = rng.random(1 << 24).astype(np.float32)
    expected = values.copy()
    expected[missing] = table[codes[missing]]
    photo_checks.fill_missing(pixels, table, values)
    np.testing.assert_array_equal(values, expected)


@pytest.mark.parametrize("many", [False, True])
def test_posterior_cache_gives_the_model_posterior_map(many, monkeypatch):
    """Both branches: a few new colours (scored in NumPy) and many (the presence-table kernel
    and the model's own scoring, from SMALL_IMAGE_PIXELS new pixels: lowered here)."""
    from segmix import skin

    model = skin.load_skin_model()
    if many:
        monkeypatch.setattr(skin, "SMALL_IMAGE_PIXELS", 500)
    rng = np.random.default_rng(1)
    cache = skin.PosteriorCache(model)
    first, second = _photo(rng, (40, 60)), _photo(rng, (40, 60))
    second[:20] = first[:20]  # colours the table already holds, and new ones
    for image in (first, second, first):
        if many:
            expected = model.posterior_map(image)
        else:
            expected = skin._posterior_map(model, image)  # no cache: every colour scored in NumPy
        np.testing.assert_array_equal(cache(image), expected)


def test_apply_batch_syncs_its_folder_once_not_every_file(tmp_path, monkeypatch):
    """A batch's masks and maps are not fsynced one by one (two fsyncs a file and one of the
    folder were a tenth of the plain rule's wall time on SFA val): the folder is synced once
    at the end (segmix.io.sync_folder), and every output is still whole and read back."""
    import os

    from PIL import Image

    from segmix import io, skin, skin_detect

    rng = np.random.default_rng(2)
    photos = []
    for i in range(4):
        path = tmp_path / f"p{i}.png"
        Image.fromarray(_photo(rng, (30, 40))).save(path)
        photos.append(path)
    calls, synced = [], []
    real_fsync = os.fsync
    monkeypatch.setattr(io.os, "fsync", lambda fd: (calls.append(fd), real_fsync(fd))[1])
    real_sync_folder = io.sync_folder
    monkeypatch.setattr(skin, "sync_folder", lambda folder: (synced.append(folder), real_sync_folder(folder))[1])
    out = tmp_path / "out"
    status = skin.apply_batch(skin.load_skin_model(), photos, out, probability=True, quiet=True,
                              settings=skin_detect.PLAIN_SETTINGS, workers=1)
    assert status == 0
    assert synced == [out]
    assert len(calls) <= 1  # the folder's own, in sync_folder (16 before: each of 8 files and its folder)
    for path in photos:
        assert np.asarray(Image.open(out / f"{path.stem}_skin.png")).shape == (30, 40)
        assert np.asarray(Image.open(out / f"{path.stem}_skin_prob.png")).shape == (30, 40)


def test_marked_share_is_the_mean_of_the_mask():
    from segmix.skin import marked_share

    rng = np.random.default_rng(3)
    for shape in ((1, 1), (7, 13), (480, 640), (0, 5)):
        for p in (0.0, 0.003, 0.5, 0.8, 1.0):
            mask = rng.random(shape) < p
            assert marked_share(mask) == (float(mask.mean()) if mask.size else 0.0)
    assert marked_share(np.array([[0, 2], [0, 0]], np.uint8)) == 0.5  # not boolean: its mean


def test_probability_levels_equal_numpy_rounding():
    from segmix.skin import _probability_levels

    rng = np.random.default_rng(7)
    p = rng.random((300, 211)).astype(np.float32)
    # levels near and at halves (float64 products n + 0.5 exactly: p = (2k + 1) / 131070 in float32
    # seldom is, so also the float32 neighbours of such values), 0, 1 and the tiniest values
    halves = ((2 * np.arange(4000) + 1) / 131070).astype(np.float32)
    p.flat[:4000] = halves
    p.flat[4000:8000] = np.nextafter(halves, np.float32(1))
    p.flat[8000:8004] = (0.0, 1.0, 7.6e-6, 7.7e-6)
    p.flat[8004] = np.float32(0.5) / np.float32(65535)  # a product of exactly 0.5 -> 0 (half to even)
    p.flat[8005] = np.float32(1.5) / np.float32(65535)
    expected = np.round(p.astype(np.float64) * 65535).astype(np.uint16)
    np.testing.assert_array_equal(_probability_levels(p), expected)
    np.testing.assert_array_equal(_probability_levels(p[::2, ::3]), expected[::2, ::3])
    odd = p.copy()
    odd[0, 0] = np.nan  # not in [0, 1]: the NumPy form, whatever it gives
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(_probability_levels(odd),
                                      np.round(odd.astype(np.float64) * 65535).astype(np.uint16))
    # the one float32 p in [0, 1] whose product is exactly a half (65535 is odd: p = 1/2 alone),
    # 32767.5, rounds to the even 32768 as np.round does
    assert _probability_levels(np.full((1, 3), 0.5, np.float32)).tolist() == [[32768] * 3]
    assert np.round(np.float64(np.float32(0.5)) * 65535) == 32768
