"""Faults a reviewer found in session 43's changes (the canonical turn's caches, the inputs it
skipped, a compressed planar 16-bit TIFF's cut-out, a HEIC's damaged tiles)."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

from segmix import canonical_turn as turns
from segmix.segment import segment


def _identity_photo(seed: int = 0) -> np.ndarray:
    """A landscape photo brighter towards its bottom-right: its canonical turn is the identity."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 100, (30, 40, 3)).astype(np.uint8)
    image[15:, 20:] += 120
    assert turns.canonical_turn(image).identity
    return image


def test_the_canonical_cache_does_not_keep_a_photo_in_its_orientation_alive():
    image = _identity_photo()
    ref = weakref.ref(image)
    turn, same = turns.canonical_photo(image)
    assert turn.identity and same is image
    del image, same
    gc.collect()
    assert ref() is None


def test_a_photo_freed_while_another_thread_replaces_the_entry_does_not_deadlock():
    # Before: the entry held the photo itself; replaced under the (non-reentrant) lock, the
    # photo was freed there and its weak reference's callback waited for that same lock.
    big = np.random.default_rng(1).integers(0, 256, (600, 800, 3), dtype=np.uint8)
    done = threading.Event()

    def other():
        for _ in range(5):
            copy = big.copy()
            turns.canonical_photo(copy)
            del copy
        done.set()

    thread = threading.Thread(target=other, daemon=True)
    thread.start()
    for seed in range(40):
        image = _identity_photo(seed)
        turns.canonical_photo(image)
        del image
    thread.join(timeout=60)
    assert done.is_set(), "canonical_photo deadlocked"
    # and with the entry replaced on this thread while it holds the photo's last reference
    image = _identity_photo(3)
    turns.canonical_photo(image)
    del image
    turns.canonical_photo(big.copy())


def test_a_pil_image_a_memmap_and_list_marks_give_the_mask_of_the_array(tmp_path):
    from PIL import Image

    from tests.test_turn_invariance43 import blob_scene, centre_click

    image, _ = blob_scene(3, h=220, w=190)  # portrait: worked out turned
    marks = centre_click(image.shape[:2])
    reference = segment(image, marks).mask
    assert np.array_equal(segment(Image.fromarray(image), marks).mask, reference)
    assert np.array_equal(segment(image, marks.tolist()).mask, reference)
    mapped = np.lib.format.open_memmap(tmp_path / "photo.npy", mode="w+", dtype=np.uint8, shape=image.shape)
    mapped[:] = image
    assert np.array_equal(segment(mapped, marks).mask, reference)
    turned = np.ascontiguousarray(np.rot90(image))
    assert np.array_equal(np.rot90(segment(Image.fromarray(turned), np.rot90(marks)).mask, -1), reference)


def test_masked_marks_are_still_refused_by_name():
    from tests.test_turn_invariance43 import blob_scene, centre_click

    image, _ = blob_scene(3, h=220, w=190)
    marks = np.ma.masked_array(centre_click(image.shape[:2]), mask=False)
    marks.mask[0, 0] = True
    with pytest.raises(ValueError, match="masked array"):
        segment(image, marks)


@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_a_compressed_planar_16_bit_tiff_is_not_given_a_wrong_16_bit_cutout(tmp_path, byteorder):
    # Before: libtiff ignored the swapped raw mode, so each sample came back as high * 257
    # and the cut-out was written as 16-bit in silence; now the 8-bit one is written, said.
    tifffile = pytest.importorskip("tifffile")
    from segmix.deep_pixels import sixteen_bit_samples
    from segmix.io import load_image_info

    truth = np.random.default_rng(2).integers(0, 65536, (21, 33, 3), dtype=np.uint16)
    path = tmp_path / "planar.tif"
    tifffile.imwrite(path, np.moveaxis(truth, 2, 0), byteorder=byteorder, photometric="rgb",
                     planarconfig="separate", compression="zlib")
    loaded = load_image_info(path)
    read = sixteen_bit_samples(path, loaded.pixels)
    assert read is None or np.array_equal(read[0], truth)
    contiguous = tmp_path / "contiguous.tif"
    tifffile.imwrite(contiguous, truth, byteorder=byteorder, photometric="rgb", compression="zlib")
    read = sixteen_bit_samples(contiguous, load_image_info(contiguous).pixels)
    assert read is not None and np.array_equal(read[0], truth)


def test_a_grid_heics_damage_counts_every_damaged_tile(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    from PIL import Image

    from segmix.heif_scan import _libde265, _meta, _pictures, heif_damage

    if _libde265() is None:
        pytest.skip("libde265 not found in pi-heif")
    rng = np.random.default_rng(4)
    photo = np.clip(rng.normal(128, 40, (256, 256, 3)), 0, 255).astype(np.uint8)
    path = tmp_path / "grid.heic"
    pillow_heif.from_pillow(Image.fromarray(photo)).save(path, quality=90, tile_size=64)
    data = bytearray(path.read_bytes())
    with open(path, "rb") as handle:
        pictures = _pictures(_meta(handle, len(data)))
    if len(pictures) < 8:
        pytest.skip("this pillow-heif writes no grid")
    for k in (1, 3, 5):
        offset, length = pictures[k][1][0]
        for j in range(8):
            data[offset + length // 2 + j] ^= 0x5A
    damaged = tmp_path / "damaged.heic"
    damaged.write_bytes(bytes(data))
    words = heif_damage(damaged)
    assert words is not None and f"in 3 of its {len(pictures)} tiles" in words
