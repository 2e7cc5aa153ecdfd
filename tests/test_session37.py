"""Session 37's own fixes (not a trial's): each test names the fault it stands for."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, features

from segmix import frames, io as segmix_io, skin


def _photo(seed=0, shape=(48, 64, 3)):
    return (np.random.default_rng(seed).random(shape) * 255).astype(np.uint8)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "segmix", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_one_list_of_photo_names_and_it_holds_avif_and_jfif():
    # Two hand-written lists (skin's and frames') both left out AVIF, which Pillow reads: an
    # AVIF photo opened alone was segmented, but a folder of them was "no photos found".
    assert skin.IMAGE_SUFFIXES is frames.IMAGE_SUFFIXES is segmix_io.IMAGE_SUFFIXES
    for suffix in (".avif", ".jfif", ".jpg", ".png", ".gif", ".webp", ".tif"):
        assert suffix in segmix_io.IMAGE_SUFFIXES


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF codec")
def test_folders_of_avif_and_jfif_photos_are_listed(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(_photo(1)).save(photos / "a.avif")
    Image.fromarray(_photo(2)).save(photos / "b.jfif", "JPEG")
    assert [p.name for p in frames.frame_files(photos)] == ["a.avif", "b.jfif"]
    done = _cli("skin", "apply", photos, "--output-dir", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a_skin.png", "b_skin.png"]


def test_an_avif_photo_this_pillow_cannot_decode_is_not_called_corrupt(tmp_path, monkeypatch):
    # With a Pillow without the AVIF codec (before 11.2, which our requirement allows), a sound
    # AVIF photo was "looks like an AVIF image but its header is damaged; the file is corrupt".
    path = tmp_path / "holiday.avif"
    path.write_bytes(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64))
    assert "damaged" in segmix_io._why_unreadable(path) or not features.check("avif")
    monkeypatch.setattr(segmix_io, "_pillow_reads", lambda feature: False)
    words = segmix_io._why_unreadable(path)
    assert "AVIF" in words and "cannot decode" in words and "corrupt" not in words
    assert "convert it to PNG" in words


def test_a_cutout_of_a_16_bit_photo_says_it_holds_8_bits(tmp_path):
    # segment --cutout of a 16-bit PNG wrote an 8-bit RGBA PNG without a word.
    import cv2

    pixels = np.zeros((40, 50, 3), np.uint16)
    pixels[10:30, 15:35] = (60000, 2000, 2000)
    cv2.imwrite(str(tmp_path / "deep.png"), pixels)
    Image.fromarray(_photo(3, (40, 50, 3))).save(tmp_path / "flat.png")
    for name, said in (("deep.png", True), ("flat.png", False)):
        done = _cli("segment", tmp_path / name, "--click", "25,20", "-o", tmp_path / f"{name}_m.png",
                    "--cutout", tmp_path / f"{name}_c.png")
        assert done.returncode == 0, done.stderr
        assert ("holds 16 bits per sample" in done.stderr and "the cut-out holds 8" in done.stderr) is said
        with Image.open(tmp_path / f"{name}_c.png") as cut:
            assert cut.mode == "RGBA"
    assert segmix_io.cutout_depth_note(tmp_path / "missing.png") == ""
