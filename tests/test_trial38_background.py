"""``segmix background`` as a user coming from OpenCV's MOG2 scripts tried it (session 38, bgvid).

1. Ground truth saved as a 0/1 mask (a boolean mask written as uint8 by OpenCV or NumPy): every
   file holding foreground was skipped as "(resized with interpolation or lossily
   compressed?)", and the run scored only the files without foreground (all 0). It is now
   named as a 0/1 mask, to multiply by 255, as the other commands' masks are.
2. Scored frames whose ground truth marks no moving pixel (a still stretch, the files above)
   printed "recall 0.0000 ... F-measure 0.0000", a detector that missed everything, where
   recall has no value (nothing to find); now said n/a, and why (as skin eval says it).
3. A video of 16-bit samples holding 12-bit data (FFV1 gray16le, as a machine-vision camera
   records) was read at 8-bit levels 0..16 in silence: its masks held a quarter of the moving
   pixels of the same video at 8 bits. A folder of such frames was warned about (session 37);
   the video is now warned about likewise, once.
4. An MPEG transport stream (cam.ts, or AVCHD's .mts / .m2ts: what IP cameras, recorders and
   camcorders write) was run by ``segmix background cam.ts`` but not known as a video by
   name: ``segmix cam.ts`` said "is not an image although its name ends in .ts ... the file
   may be damaged", and a folder holding one was said to hold "no image frames" (an .mp4 in
   its place is named as the video to give).
5. The progress bar of a Matroska / WebM video (no frame count in its header) had no total:
   no share done, no time left on an hour's recording. Its header's duration x frame rate
   stands in.
6. A run of a camera's next clip into the --output-dir of the first (`--model` resumed on
   hour2.mp4, the masks named frame_000001.png ... as hour1.mp4's) replaced the first clip's
   masks in silence, exit 0: a rerun of a command replaces its own masks, whatever they were
   of. Masks now record the input they are of (a PNG text chunk), and a run of another input
   that would replace them is refused before the work; a rerun of the same input replaces them.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.change_detection import Confusion
from segmix.cli import main
from segmix.source_record import source_digest
from synthetic_photos import moving_square_frames


def _frames(folder, count=12):
    folder.mkdir()
    for i, frame in enumerate(moving_square_frames(count, (48, 32), seed=38), 1):
        Image.fromarray(frame).save(folder / f"in{i:06d}.png")
    return folder


def _groundtruth(folder, count=12, scale=255, moving=True):
    """The square of :func:`moving_square_frames` (rows 10..18, columns 2 + 3i ..), as
    ``scale`` on 0."""
    folder.mkdir()
    for i in range(1, count + 1):
        plane = np.zeros((32, 48), np.uint8)
        if moving:
            left = 2 + 3 * (i - 1)
            plane[10:18, left:left + 8] = scale
        Image.fromarray(plane).save(folder / f"gt{i:06d}.png")
    return folder


def test_ground_truth_of_0_and_1_is_named_as_a_0_1_mask(tmp_path, capsys):
    frames = _frames(tmp_path / "input")
    truth = _groundtruth(tmp_path / "gt", scale=1)
    assert main(["background", str(frames), "--groundtruth", str(truth), "--roi", "6", "12", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "this looks like a 0/1 mask" in err and "multiply it by 255" in err, err
    assert "resized with interpolation" not in err, err


def test_other_values_in_ground_truth_still_suggest_resizing(tmp_path, capsys):
    frames = _frames(tmp_path / "input")
    truth = _groundtruth(tmp_path / "gt", scale=200)
    assert main(["background", str(frames), "--groundtruth", str(truth), "--roi", "6", "12", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "found 200 (resized with interpolation or lossily compressed?)" in err, err


def test_ground_truth_without_moving_pixels_gives_no_recall_of_0(tmp_path, capsys):
    frames = _frames(tmp_path / "input")
    truth = _groundtruth(tmp_path / "gt", moving=False)
    assert main(["background", str(frames), "--groundtruth", str(truth), "--roi", "6", "12", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "recall n/a (the ground truth marks no moving pixel)" in out, out
    assert "F-measure n/a" in out and "recall 0.0000" not in out, out


def test_the_summary_says_which_metric_has_no_value():
    assert "precision n/a (nothing detected)" in Confusion(tp=0, fp=0, fn=10, tn=90).summary()
    assert "F-measure 0.0000" in Confusion(tp=0, fp=0, fn=10, tn=90).summary()  # nothing found of 10
    assert Confusion(tp=5, fp=5, fn=5, tn=85).summary().startswith("recall 0.5000  precision 0.5000  F-measure 0.5000")


def _gray16_video(path, count=8, scale=16):
    av = pytest.importorskip("av")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("ffv1", rate=25)
        stream.width, stream.height, stream.pix_fmt = 48, 32, "gray16le"
        for frame in moving_square_frames(count, (48, 32), seed=38):
            grey = (frame.mean(axis=2).astype(np.uint16) * scale).astype(np.uint16)
            for packet in stream.encode(av.VideoFrame.from_ndarray(grey, format="gray16le")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_16_bit_video_of_12_bit_data_is_warned_about_once(tmp_path, capsys):
    video = _gray16_video(tmp_path / "cam.mkv")
    assert main(["background", str(video), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "12-bit data?" in line]
    assert len(lines) == 1, lines
    assert "cam.mkv frame 1" in lines[0] and "multiply by 16" in lines[0], lines


def test_a_16_bit_video_of_full_range_data_is_not_warned_about(tmp_path, capsys):
    video = _gray16_video(tmp_path / "cam.mkv", scale=257)
    assert main(["background", str(video), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    assert "12-bit" not in capsys.readouterr().err


def _ts_video(path, count=6):
    av = pytest.importorskip("av")
    with av.open(str(path), "w", format="mpegts") as container:
        stream = container.add_stream("mpeg2video", rate=25)
        stream.width, stream.height, stream.pix_fmt = 48, 32, "yuv420p"
        for frame in moving_square_frames(count, (48, 32), seed=38):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_folder_holding_a_transport_stream_names_it_as_the_video_to_give(tmp_path, capsys):
    folder = tmp_path / "recorder"
    folder.mkdir()
    _ts_video(folder / "cam.ts")
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "masks")]) == 2
    err = capsys.readouterr().err
    assert "holds no image frames but a video (cam.ts)" in err, err


def test_the_window_command_takes_a_transport_stream_for_a_video(tmp_path, capsys, monkeypatch):
    import segmix.cli

    video = _ts_video(tmp_path / "cam.mts")
    monkeypatch.setattr(segmix.cli, "display_missing", lambda: True)  # stops before the window
    assert main([str(video)]) == 2
    err = capsys.readouterr().err
    assert "is not an image" not in err and "display" in err, err


def test_the_progress_bar_of_a_video_without_a_frame_count_has_a_total(tmp_path, monkeypatch):
    import sys

    import segmix.skin

    av = pytest.importorskip("av")
    video = tmp_path / "cam.webm"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("libvpx-vp9", rate=25)
        stream.width, stream.height, stream.pix_fmt = 48, 32, "yuv420p"
        for frame in moving_square_frames(20, (48, 32), seed=38):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    totals = []

    class Bar:
        def __init__(self, total):
            totals.append(total)

        def __call__(self, done, total):
            totals.append(total)

        def write(self, text):
            pass

        def close(self):
            pass

    monkeypatch.setattr(segmix.skin, "progress_bar", lambda description, total=None, **kwargs: Bar(total))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(["background", str(video), "--output-dir", str(tmp_path / "masks")]) == 0
    assert totals and set(totals) == {20}, totals


def _clip(path, count=6, seed=38):
    av = pytest.importorskip("av")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 48, 32, "yuv420p"
        for frame in moving_square_frames(count, (48, 32), seed=seed):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_run_of_another_clip_does_not_replace_the_masks_of_the_first(tmp_path, capsys):
    first, second = _clip(tmp_path / "hour1.mp4"), _clip(tmp_path / "hour2.mp4", seed=39)
    out, model = tmp_path / "masks", tmp_path / "cam.json"
    assert main(["background", str(first), "--output-dir", str(out), "--save-model", str(model), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["background", str(second), "--output-dir", str(out), "--model", str(model),
                 "--save-model", str(model), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "frame_000001.png: is the mask an earlier run made of" in err and "hour1.mp4, another input" in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing replaced
    # A rerun of the same input replaces its own masks, as before.
    assert main(["background", str(first), "--output-dir", str(out), "--quiet"]) == 0
    assert main(["background", str(second), "--output-dir", str(tmp_path / "masks2"), "--quiet"]) == 0


def test_masks_record_the_input_they_are_of(tmp_path):
    frames = _frames(tmp_path / "input")
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    with Image.open(tmp_path / "masks" / "in000003.png") as im:
        assert im.info["Software"] == "segmix background"
        assert im.info["Source-Digest"] == source_digest(str(frames.resolve())) and "Source" not in im.info
