"""Session 38's trial at the sizes users bring (12-100 MP photos, panoramas, long frame
sequences): memory that grew far beyond the photo's own size, and what the limits say.

The faults were seen on 50-100 MP photos; these tests reproduce the kind of fault on small
synthetic inputs, with tracemalloc (NumPy's arrays are traced) and small block sizes."""

import tracemalloc

import numpy as np
from PIL import Image

from segmix import io, quantize


def _traced_peak(function, *args, **kwargs):
    """(result, peak bytes allocated through Python/NumPy while ``function`` ran)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        result = function(*args, **kwargs)
        return result, tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


def _few_colour_photo(height=600, width=500, colours=12, channels=3, seed=0):
    rng = np.random.default_rng(seed)
    table = rng.integers(0, 256, (colours, channels), dtype=np.uint8)
    if channels == 4:
        table[:, 3] = rng.choice([0, 128, 255], colours)
    return table[rng.integers(0, colours, (height, width))]


def test_quantize_error_is_measured_without_float_copies_of_the_photo(monkeypatch):
    # quantize's mean squared error made two float64 copies of the photo (24 bytes a pixel):
    # `segmix quantize` of a 100-MP JPEG peaked at 4.3 GB, and a 196-MP one ran out of memory.
    monkeypatch.setattr(quantize, "_MSE_BLOCK", 1 << 14)
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (1000, 1000, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (1000, 1000, 3), dtype=np.uint8)
    visible = rng.random(1000 * 1000) < 0.7
    expected = float(np.mean((a.astype(np.float64) - b) ** 2))
    expected_visible = float(np.mean(((a.astype(np.float64) - b) ** 2).reshape(-1, 3)[visible]))
    mse, peak = _traced_peak(quantize._mse, a, b)
    assert abs(mse - expected) <= 1e-9 * expected
    assert peak < a.nbytes // 2, peak
    mse_visible, peak = _traced_peak(quantize._mse, a, b, visible)
    assert abs(mse_visible - expected_visible) <= 1e-9 * expected_visible
    assert peak < a.nbytes // 2, peak
    assert np.isnan(quantize._mse(a, b, np.zeros(1000 * 1000, bool)))


def test_palette_png_is_built_block_by_block_with_the_same_pixels(monkeypatch, tmp_path):
    # save_image(palette=True) sorted every pixel with np.unique(return_inverse): about 9
    # bytes of temporaries per byte of photo (2.2 GB over a 50-MP photo's 150 MB).
    monkeypatch.setattr(io, "_PALETTE_BLOCK", 1 << 14)
    photo = _few_colour_photo(1000, 1000)
    path = tmp_path / "p.png"
    mode, peak = _traced_peak(io.save_image, path, photo, palette=True)
    assert mode == "P"
    assert peak < 2 * photo.nbytes, peak
    codes = np.unique((photo[..., 0].astype(np.int64) << 16) | (photo[..., 1].astype(np.int64) << 8) | photo[..., 2])
    with Image.open(path) as im:
        assert im.mode == "P"
        assert np.array_equal(np.asarray(im.convert("RGB")), photo)
        # the palette is the distinct colours in increasing order, as before
        entries = np.frombuffer(bytes(im.getpalette()[: 3 * codes.size]), np.uint8).reshape(-1, 3)
    assert np.array_equal((entries[:, 0].astype(np.int64) << 16) | (entries[:, 1].astype(np.int64) << 8) | entries[:, 2],
                          codes)
    # with alpha (a GIF's on/off transparency, a palette's tRNS): entries ordered by (A, R, G, B)
    rgba = _few_colour_photo(300, 200, channels=4)
    im = io._palette_image(rgba)
    palette = np.frombuffer(bytes(im.getpalette()), np.uint8).reshape(-1, 3)
    alpha = np.frombuffer(im.info["transparency"], np.uint8)
    index = np.asarray(im)
    assert np.array_equal(np.dstack([palette[index], alpha[index]]), rgba)
    keys = (alpha.astype(np.int64) << 24) | (palette[: alpha.size, 0].astype(np.int64) << 16) \
        | (palette[: alpha.size, 1].astype(np.int64) << 8) | palette[: alpha.size, 2]
    assert np.all(np.diff(keys) > 0)


def test_palette_refused_for_more_colours_across_blocks(monkeypatch):
    # 300 colours, none of the blocks holding more than 256: refused as before.
    monkeypatch.setattr(io, "_PALETTE_BLOCK", 1 << 12)
    photo = np.zeros((100, 300, 3), np.uint8)
    photo[:, :, 0] = (np.arange(300) % 256)[None, :]
    photo[:, 256:, 1] = 9
    assert io._palette_image(photo) is None
    assert io._palette_image(photo[:, :250]).mode == "P"


def test_mask_check_of_a_photo_needs_no_8_byte_copy_of_it(monkeypatch):
    # looks_like_a_mask (every photo the window opens, and segment's / skin apply's "a mask
    # given as a photo?") took an int64 copy of the photo's grey channel for np.bincount: the
    # window ran out of memory there on a 196-MP grey photo it had already read.
    from segmix import skin

    monkeypatch.setattr(skin, "_MASK_VALUES_BLOCK", 1 << 14)
    mask = np.zeros((1000, 1000, 3), np.uint8)
    mask[200:700, 300:900] = 255
    result, peak = _traced_peak(skin.looks_like_a_mask, mask)
    assert result is True
    assert peak < 2 * mask.shape[0] * mask.shape[1], peak
    mask[5, 5] = 128
    assert skin.looks_like_a_mask(mask)
    mask[6, 6] = 7  # a value no mask holds, in a later block than the first
    assert not skin.looks_like_a_mask(mask)
    flat = np.zeros((1000, 1000), np.uint8)
    assert not skin.looks_like_a_mask(flat)  # one flat grey is no mask
    flat[-1, -1] = 1
    assert skin.looks_like_a_mask(flat)  # a 0 / 1 label map, its 1 in the last block


def test_a_job_out_of_memory_is_said_in_words_not_as_a_fault():
    # The window showed "MemoryError: Unable to allocate 1.20 GiB for an array with shape
    # (161000000,) and data type float64" for a job on a large photo: a fault of ours, in
    # NumPy's words. It says what happened and what to do instead.
    from segmix.gui.worker import _failure_message

    said = _failure_message(MemoryError("Unable to allocate 1.20 GiB for an array with shape (161000000,) and data "
                                        "type float64"))
    assert said == ("Not enough memory for this photo (unable to allocate 1.20 GiB). Close other programs, or use a "
                    "smaller copy of the photo (fewer megapixels).")
    assert _failure_message(MemoryError()).startswith("Not enough memory for this photo. ")


def test_out_of_memory_says_the_size_as_a_user_reads_it_and_what_to_do(tmp_path, monkeypatch, capsys):
    # `segmix segment p50.jpg` under a memory limit printed "out of memory (unable to allocate
    # 381. MiB)" (NumPy's point after a whole number) and nothing about what to do.
    from segmix import cli
    from segmix.io import allocation_words

    assert allocation_words(MemoryError("Unable to allocate 381. MiB for an array with shape (100000000,) and "
                                        "data type float32")) == "unable to allocate 381 MiB"
    assert allocation_words(MemoryError("Unable to allocate 1.61 GiB for an array")) == "unable to allocate 1.61 GiB"
    assert allocation_words(MemoryError()) == ""
    photo = tmp_path / "p.png"
    Image.fromarray(_few_colour_photo(40, 50)).save(photo)

    def no_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 381. MiB for an array with shape (100000000,) and data type float32")

    monkeypatch.setattr(quantize, "quantize_image", no_memory)
    assert cli.main(["quantize", str(photo), "-k", "4", "-o", str(tmp_path / "q.png")]) == 2
    err = capsys.readouterr().err
    assert err == (f"segmix quantize: error: {photo}: out of memory (unable to allocate 381 MiB); close other programs, or give "
                   "a smaller copy of the photo\n")
    assert not (tmp_path / "q.png").exists()


def test_a_panoramas_scale_follows_its_height_not_its_length():
    # A 20000 x 1000 panorama was scaled by its diagonal, 20.4x a DAVIS frame's, and so was
    # the cut's gamma: a click on the bear gave the click's own disc and nothing more (1,626
    # pixels; 8.7 % at the scale of its height). Photos up to 4 : 1 keep the diagonal's scale.
    import math

    from segmix.clicks import photo_scale

    def diagonal(shape):
        return max(1.0, math.hypot(*shape) / math.hypot(480, 854))

    for shape in [(480, 854), (3000, 4000), (4000, 6000), (6000, 4000), (1000, 4000), (4000, 1000), (960, 1708),
                  (100, 100), (2000, 2000)]:
        assert photo_scale(shape) == diagonal(shape), shape
    assert photo_scale((1000, 20000)) == photo_scale((20000, 1000)) == 2.03 * 1000 / 480
    assert photo_scale((1000, 20000)) < diagonal((1000, 20000)) / 4
    assert photo_scale((120, 3000)) == 1.0  # a strip under a DAVIS frame's height: unscaled
