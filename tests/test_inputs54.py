"""Session 54 (inputs54): files moving between segmix and other tools.

1. Scribbles (or a trimap) JPEG'd and saved again as PNG hold a few 3s (ringing beside the
   2s): they were called an OpenCV grabCut mask with a recoding that destroyed the marks.
2. Cut-outs kept the whole photo's colours under alpha 0.
3. A 0 / 1 mask JPEG'd and back held a few isolated 2s inside the object, which hid the
   "0 / 1 mask given as scribbles?" warning.
"""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from segmix.io import ImageLoadError
from segmix.labelmaps import load_scribbles, mask_like_marks


def _through_jpeg(labels, quality=95):
    """``labels`` (H, W) uint8 saved as JPEG at ``quality`` and decoded: what a PNG re-saved
    from it holds."""
    buffer = io.BytesIO()
    Image.fromarray(labels).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("L"))


def _strokes(width=20):
    """The trial's scribbles: label 1 and 2 lines of ``width`` px on an 854 x 480 map."""
    im = Image.new("L", (854, 480), 0)
    draw = ImageDraw.Draw(im)
    draw.line([(300, 200), (500, 250), (550, 350)], fill=1, width=width)
    draw.line([(50, 50), (800, 60), (820, 450)], fill=2, width=width)
    return np.asarray(im)


def _trimap():
    trimap = np.full((480, 854), 2, np.uint8)
    trimap[100:380, 250:600] = 0
    trimap[150:330, 300:550] = 1
    return trimap


def _grabcut_mask():
    """An OpenCV grabCut mask after a rectangle's start: 0 outside the rectangle, 2 / 3 in it
    (3 the object, an ellipse, with a speck or two), and a GC_FGD stroke (1)."""
    mask = np.zeros((480, 854), np.uint8)
    mask[80:420, 200:650] = 2
    rows, cols = np.mgrid[:480, :854]
    mask[((rows - 250) / 150.0) ** 2 + ((cols - 425) / 200.0) ** 2 <= 1] = 3
    mask[100, 220] = 3  # grabCut's own specks
    mask[240:250, 380:470] = 1
    return mask


@pytest.mark.parametrize("quality", [90, 95, 100])
@pytest.mark.parametrize("width", [3, 8, 20])
def test_jpegd_scribbles_are_called_lossy_not_a_grabcut_mask(tmp_path, quality, width):
    decoded = _through_jpeg(_strokes(width), quality)
    assert 3 in decoded and decoded.max() == 3  # the case: 0-3, as a grabCut mask's values
    path = tmp_path / "s.png"
    Image.fromarray(decoded).save(path)
    with pytest.raises(ImageLoadError) as info:
        load_scribbles(path, decoded.shape)
    words = str(info.value)
    assert words.startswith(f"{path}: ")
    assert "lossily compressed" in words and "JPEG" in words
    assert "recode" not in words and "numpy.array([2, 1, 0, 0]" not in words


def test_jpegd_trimap_is_called_lossy_not_a_grabcut_mask(tmp_path):
    decoded = _through_jpeg(_trimap())
    assert 3 in decoded
    path = tmp_path / "t.png"
    Image.fromarray(decoded).save(path)
    with pytest.raises(ImageLoadError, match="lossily compressed") as info:
        load_scribbles(path, decoded.shape)
    assert "recode" not in str(info.value)


def test_a_grabcut_mask_is_still_told_as_one(tmp_path):
    path = tmp_path / "gc.png"
    Image.fromarray(_grabcut_mask()).save(path)
    with pytest.raises(ImageLoadError, match="grabCut") as info:
        load_scribbles(path, (480, 854))
    assert "numpy.array([2, 1, 0, 0], numpy.uint8)[mask]" in str(info.value)
    assert "lossily" not in str(info.value)


def test_segment_refuses_jpegd_scribbles_in_one_line(tmp_path):
    from segmix.cli import main

    photo = tmp_path / "p.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (480, 854, 3), dtype=np.uint8)).save(photo)
    marks = tmp_path / "s.png"
    Image.fromarray(_through_jpeg(_strokes())).save(marks)
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "segmix", "segment", str(photo), "--scribbles", str(marks),
                          "-o", str(tmp_path / "m.png")], capture_output=True, text=True)
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "lossily compressed" in lines[0] and "grabCut mask?" not in lines[0]
    assert not (tmp_path / "m.png").exists()
    del main


# --------------------------------------------------------------------------- 3
def _object_mask():
    mask = np.zeros((480, 854), np.uint8)
    rows, cols = np.mgrid[:480, :854]
    mask[((rows - 240) / 120.0) ** 2 + ((cols - 420) / 90.0) ** 2 <= 1] = 1
    return mask


def test_isolated_background_pixels_in_a_mask_are_called_compression_noise():
    marks = _object_mask()
    marks[200, 400] = marks[260, 430] = marks[230, 380] = 2  # JPEG's specks inside the object
    marks[231, 380] = 2
    words = mask_like_marks(marks)
    assert words is not None
    assert "4 isolated" in words and "compression" in words
    assert "0 / 1 mask" in words  # the specks no longer hide it


def test_isolated_foreground_pixels_in_background_are_noise_too():
    marks = np.zeros((480, 854), np.uint8)
    marks[100:200, 100:300] = 2
    marks[300:400, 500:600] = 1
    marks[150, 150] = marks[120, 250] = 1
    words = mask_like_marks(marks)
    assert words is not None and "2 isolated" in words and "foreground (1)" in words


def test_jpegd_mask_names_the_file_and_the_count(tmp_path):
    decoded = _through_jpeg(_object_mask())
    path = tmp_path / "mask01.png"
    Image.fromarray(decoded).save(path)
    labels = load_scribbles(path, decoded.shape)
    words = mask_like_marks(labels, path)
    assert words is not None and "compression" in words and "0 / 1 mask" in words


def test_scribbles_without_specks_say_nothing_new():
    assert mask_like_marks(_strokes()) is None
