"""Video mode: faults of session 36's trial (t36c), on GIFs of a fixed camera.

* A GIF dithered in a coarse fixed palette (FFmpeg's GIF encoder, Pillow's ``convert("P")``):
  its dither moves from frame to frame where the scene does not, and the window showed 14-20 %
  of a still scene as moving, as the command line wrote it. Both low-pass such frames now.
* An animation's frame was read by its number, decoding every frame before it each time:
  playing a 400-frame GIF fell to 1.7 s a frame by its end (249 s for 390 frames at 25 fps).
"""

from pathlib import Path

import numpy as np
from PIL import Image, GifImagePlugin

from gui_helpers import play_folder


def _scene(count: int, size=(128, 40)) -> list[np.ndarray]:
    """A smooth still scene with a little noise and a dark square jumping right 8 px a frame."""
    rng = np.random.default_rng(36)
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    scene = np.stack([60 + 120 * x / width, 80 + 90 * y / height, 140 - 60 * x / width + 30 * y / height], -1)
    frames = []
    for i in range(count):
        frame = scene + rng.normal(0, 2.0, scene.shape)
        frame[14:22, 4 + 8 * i:12 + 8 * i] = (30, 30, 30)
        frames.append(np.clip(np.rint(frame), 0, 255).astype(np.uint8))
    return frames


def test_coarse_dithered_gif_plays_as_the_command_line_reads_it(make_window, qtbot, messages, tmp_path, monkeypatch):
    pictures = [Image.fromarray(f).convert("P") for f in _scene(14)]
    gif = tmp_path / "cam.gif"
    pictures[0].save(gif, save_all=True, append_images=pictures[1:], duration=40, loop=0)
    seeks = []
    original = GifImagePlugin.GifImageFile._seek
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_seek",
                        lambda self, frame, *a, **k: (seeks.append(frame), original(self, frame, *a, **k))[1])
    window, mode, shown, _ = play_folder(qtbot, make_window, gif, 14)
    assert shown == list(range(1, 15))
    # Each frame decoded once while playing, besides the few counts of its frames on opening
    # (95 seeks in all); reading each by its number, from the first frame, took 364.
    assert len(seeks) < 14 * 10
    mask = mode.current.mask
    still = np.ones(mask.shape, bool)
    still[10:26, 4 + 8 * 13 - 4:12 + 8 * 13 + 4] = False
    assert (mask[still] == 255).mean() < 0.01  # was 14-20 % in the command line's masks
    assert (mask[16:20, 4 + 8 * 13 + 2:12 + 8 * 13 - 2] == 255).all()
    from segmix.cli import main

    assert main(["background", str(gif), "--output-dir", str(tmp_path / "cli"), "--quiet"]) == 0
    assert np.array_equal(mask, np.asarray(Image.open(tmp_path / "cli" / "frame_000014.png")))
    assert messages == []
