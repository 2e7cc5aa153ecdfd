"""Faults fixed in session 30 outside the trial helpers' areas.

1. ``segmix background`` on a folder of 16-bit frames holding 12-bit data printed the
   "12-bit data?" warning once per frame (1,700 lines for a CDnet-length folder); it is said
   once per sequence, naming the first such frame. A single photo still warns as before.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


def _twelve_bit_frames(folder, n=5):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for t in range(n):
        Image.fromarray(rng.integers(0, 4096, (24, 32)).astype(np.uint16)).save(folder / f"f{t}.png")
    return folder


def test_a_folder_of_twelve_bit_frames_is_warned_about_once(tmp_path, capsys):
    frames = _twelve_bit_frames(tmp_path / "frames")
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "12-bit data?" in line]
    assert len(lines) == 1, lines
    assert "f0.png" in lines[0] and "first such frame of the sequence only" in lines[0]
    assert len(list((tmp_path / "masks").iterdir())) == 5


def test_a_single_twelve_bit_photo_still_warns(tmp_path):
    from segmix.io import NarrowSamplesWarning, load_image, load_image_info

    path = _twelve_bit_frames(tmp_path / "one", n=1) / "f0.png"
    with pytest.warns(NarrowSamplesWarning, match="12-bit data"):
        load_image(path)
    said = []
    pixels = load_image_info(path, on_narrow=said.append).pixels  # said to the caller, not warned
    assert len(said) == 1 and "f0.png" in said[0] and pixels.max() <= 16


def test_a_video_whose_frames_change_size_keeps_the_masks_of_the_first_size(tmp_path, capsys, monkeypatch):
    """2. Found by a trial (a 320 x 240 clip joined to a 160 x 120 one): ``background`` stopped
    at the first smaller frame with exit 2 and removed the 30 masks it had written. The frames of
    another size are skipped, said once per size, and counted, as a folder's are; exit 1."""
    av = pytest.importorskip("av")
    from segmix.frames import FrameSequence

    video = tmp_path / "clip.mkv"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuv420p"
        for t in range(12):
            frame = av.VideoFrame.from_ndarray(np.full((24, 32, 3), 10 * t, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    decode = FrameSequence._iter_video

    def switching(self):  # the encoder cannot switch sizes: the decoder's frames are cut instead
        for frame in decode(self):
            if frame.index > 8:
                frame.pixels = np.ascontiguousarray(frame.pixels[:12, :16])
            yield frame

    monkeypatch.setattr(FrameSequence, "_iter_video", switching)
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out)]) == 1
    captured = capsys.readouterr()
    said = [line for line in captured.err.splitlines() if "frame is 16 x 12" in line]
    assert len(said) == 1 and "frame 9: frame is 16 x 12, not the 32 x 24 of its first frame" in said[0], said
    assert "4 frames skipped" in captured.out
    assert len(list(out.glob("*.png"))) == 8


def test_a_photo_name_a_spreadsheet_would_run_is_written_as_text():
    """3. Found by a trial: ``skin eval --per-image`` wrote a photo named ``=cmd()...png`` as is,
    a formula to a spreadsheet that opens the table (CSV injection); such cells start with '."""
    import csv
    import io

    from segmix import skin_eval

    ev = skin_eval.SkinEvaluator(0.5)
    labels = np.zeros((4, 4), np.uint8)
    labels[:2] = 1
    posterior = labels.astype(np.float64)
    for name in ("=cmd|' /C calc'!A0.png", "+1.png", "@sum.png", "-x.png", "plain.png", "a=b.png"):
        ev.add(posterior, labels, posterior > 0.5, name=name)
    table = list(csv.DictReader(io.StringIO(skin_eval.per_image_csv(ev.result()))))
    assert [row["image"] for row in table] == ["'=cmd|' /C calc'!A0.png", "'+1.png", "'@sum.png", "'-x.png",
                                               "plain.png", "a=b.png"]
    assert float(table[0]["f1"]) == 1.0  # the figures are numbers as before


def test_an_empty_cut_of_a_foreground_posterior_is_not_called_the_models_verdict(tmp_path, capsys, monkeypatch):
    """4. Found by a trial: a saved model applied to a small photo gave 37.7 % foreground per
    pixel and none after the graph cut, and the warning said "the model calls no unmarked colour
    of this photo foreground". It now gives the posterior's share and points to the smoothing."""
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(tmp_path / "noise.png")
    marks = np.zeros((48, 64), np.uint8)
    marks[10:14, 5:60], marks[30:34, 5:60] = 1, 2
    Image.fromarray(marks).save(tmp_path / "marks.png")
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "noise.png", "--scribbles", "marks.png", "-o", "m.png", "--save-model", "m.json"]) == 0
    capsys.readouterr()
    assert main(["segment", "noise.png", "--model", "m.json", "-o", "cut.png", "--threshold", "0.55",
                 "--probability", "p.npy"]) == 0
    err = capsys.readouterr().err
    share = 100 * np.mean(np.load(tmp_path / "p.npy") > 0.55)
    assert not (np.array(Image.open(tmp_path / "cut.png")) > 0).any() and share > 5
    assert f"the foreground posterior (--probability) is over the threshold on {share:.1f} % of the photo" in err
    assert "--smoothness 25" in err and "calls no unmarked colour" not in err


@pytest.mark.parametrize("shape", [(480, 854), (1080, 1920), (3000, 4000), (6000, 8000)])
def test_a_window_click_is_click_sized_on_a_photo_of_any_size(shape):
    """5. Found by a fresh new-user check: the window's click disc grows with the photo
    (segmix.clicks.click_radius), but a mark group counted as a click only up to a fixed 603 px,
    so on a phone's 4000 x 3000 photo (a disc of 2,043 px) a click was a stroke: no local colour
    model, and a background click counted as a stroke. Box, click and background click on DAVIS
    090 scaled 4x: IoU 0.436, 0.596 now (0.804 at its own size, 0.604 at 2x)."""
    from segmix.clicks import click_radius, paint_disc
    from segmix.local_colour import CLICK_MAX_AREA, click_max_area, has_stroke

    labels = np.zeros(shape, np.uint8)
    paint_disc(labels, shape[0] // 2, shape[1] // 2, 2, click_radius(shape))
    assert not has_stroke(labels, 2)
    labels[10:14, 10:shape[1] - 10] = 2  # a long thin stroke stays one
    assert has_stroke(labels, 2)
    assert click_max_area((480, 854)) == click_max_area((100, 100)) == CLICK_MAX_AREA  # the protocol's size


def test_skin_apply_masks_keep_the_photos_resolution(tmp_path):
    """6. As segment's masks (trial D found them without it): skin apply's mask and probability
    map of a 300 dpi photo carried none, placed by editors at 72 dpi."""
    rng = np.random.default_rng(0)
    photo = np.full((40, 60, 3), (200, 150, 120), np.uint8) + rng.integers(0, 5, (40, 60, 3), dtype=np.uint8)
    Image.fromarray(photo).save(tmp_path / "hand.jpg", quality=95, dpi=(300, 300))
    Image.fromarray(photo).save(tmp_path / "plain.png")
    assert main(["skin", "apply", str(tmp_path / "hand.jpg"), str(tmp_path / "plain.png"), "--output-dir",
                 str(tmp_path / "out"), "--probability", "--quiet"]) == 0
    for name in ("hand_skin.png", "hand_skin_prob.png"):
        with Image.open(tmp_path / "out" / name) as im:
            assert np.allclose(im.info.get("dpi", (0, 0)), (300, 300), atol=0.05), (name, im.info)
    with Image.open(tmp_path / "out" / "plain_skin.png") as im:
        assert "dpi" not in im.info
