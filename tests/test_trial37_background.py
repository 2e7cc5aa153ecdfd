"""``segmix background`` as a demanding user with a fixed camera tried it (session 37, t37c).

1. A folder of 16-bit RGB frames holding 12-bit data (a machine-vision camera's PNGs, 0..4095 in
   16 bits) was read near-black (8-bit levels 0..15) in silence: the frame reader's fast path
   took Pillow's 8-bit "RGB" of a 16-bit RGB PNG for a plain frame and skipped the "12-bit
   data?" check that the general loader makes (a greyscale 16-bit folder was warned about).
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


def _scene(count: int, size=(48, 32), seed=37) -> list[np.ndarray]:
    """A still textured scene with a little noise and a dark square moving right 3 px a frame."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    scene = np.stack([60 + 120 * x / width, 80 + 90 * y / height, 140 - 60 * x / width + 30 * y / height], -1)
    frames = []
    for i in range(count):
        frame = scene + rng.normal(0, 2.0, scene.shape)
        frame[10:18, 2 + 3 * i:10 + 3 * i] = (30, 30, 30)
        frames.append(np.clip(np.rint(frame), 0, 255).astype(np.uint8))
    return frames


def test_a_folder_of_16_bit_rgb_frames_of_12_bit_data_is_warned_about(tmp_path, capsys):
    cv2 = pytest.importorskip("cv2")
    folder = tmp_path / "cam"
    folder.mkdir()
    for i, frame in enumerate(_scene(6), 1):  # 12-bit data: 0..4080 in 16-bit samples
        cv2.imwrite(str(folder / f"f{i:03d}.png"), (frame[..., ::-1].astype(np.uint16) * 16))
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "12-bit data?" in line]
    assert len(lines) == 1, lines
    assert "f001.png" in lines[0] and "first such frame of the sequence only" in lines[0]
    # The full 16-bit range reads as the 8-bit frames do, without a word.
    full = tmp_path / "full"
    full.mkdir()
    for i, frame in enumerate(_scene(6), 1):
        cv2.imwrite(str(full / f"f{i:03d}.png"), (frame[..., ::-1].astype(np.uint16) * 257))
    assert main(["background", str(full), "--output-dir", str(tmp_path / "masks16"), "--quiet"]) == 0
    assert "12-bit" not in capsys.readouterr().err


def test_load_frame_checks_16_bit_rgb_as_load_image_does(tmp_path):
    cv2 = pytest.importorskip("cv2")
    from segmix.io import load_frame

    path = tmp_path / "f.png"
    cv2.imwrite(str(path), (_scene(1)[0][..., ::-1].astype(np.uint16) * 16))
    said = []
    pixels = load_frame(path, on_narrow=said.append)
    assert len(said) == 1 and "12-bit data?" in said[0]
    assert pixels.max() <= 16
    # An 8-bit RGB frame still takes the fast path, with nothing said.
    Image.fromarray(_scene(1)[0]).save(tmp_path / "g.png")
    said.clear()
    assert load_frame(tmp_path / "g.png", on_narrow=said.append).shape == (32, 48, 3) and said == []
