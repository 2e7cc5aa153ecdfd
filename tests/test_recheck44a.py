"""Session 44 re-check (helper recheck44a) of the fixes merged this session, on other inputs.

A video's display matrix (helper video44) is checked here against FFmpeg's own player logic:
the ``ffmpeg`` command applies a display matrix with its autorotate filters (transpose /
hflip / vflip, chosen from the matrix's angle and signs), an oracle written apart from
segmix's reading and from PyAV's writer.
"""

import shutil
import subprocess

import numpy as np
import pytest

from segmix.frames import FrameReader, FrameSequence


def _marked_clip(path, degrees, hflip, vflip, size, n=4):
    import av

    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        if not hasattr(stream, "set_display_rotation"):
            pytest.skip("this PyAV writes no display matrix")
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.set_display_rotation(degrees, hflip=hflip, vflip=vflip)
        for i in range(n):
            frame = np.full((height, width, 3), 60, np.uint8)
            frame[:height // 3, :width // 4] = (255, 0, 0)  # three corners told apart
            frame[-height // 4:, -width // 3:] = (0, 0, 255)
            frame[:height // 5, -width // 5:] = (0, 255, 0)
            frame[height // 2, i] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg command")
@pytest.mark.parametrize("size", [(48, 32), (45, 9)])
@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
@pytest.mark.parametrize("hflip, vflip", [(False, False), (True, False), (False, True), (True, True)])
def test_every_display_matrix_is_read_as_ffmpeg_shows_it(tmp_path, size, degrees, hflip, vflip):
    video = _marked_clip(tmp_path / "clip.mp4", degrees, hflip, vflip, size)
    frames = [frame.pixels for frame in FrameSequence(video)]
    height, width = frames[0].shape[:2]
    shown = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                           capture_output=True, check=True).stdout
    shown = np.frombuffer(shown, np.uint8)
    assert shown.size % (height * width * 3) == 0, (shown.size, height, width)  # the same shape
    shown = shown.reshape(-1, height, width, 3)
    assert len(shown) == len(frames)
    for frame, expected in zip(frames, shown):
        assert np.abs(frame.astype(int) - expected).mean() < 6  # colour conversion apart; a wrong turn is 40 or more
    reader = FrameReader(FrameSequence(video))  # the window's
    assert np.abs(reader.read(3).astype(int) - shown[2]).mean() < 6  # colour conversion apart; a wrong turn is 40 or more


def test_ground_truth_of_a_turned_and_mirrored_portrait_video_is_told_to_mirror_too(tmp_path, capsys):
    # A portrait video its header turns 90 degrees and mirrors, ground truth drawn on its stored
    # pictures: the refusal said "it looks rotated by 90 degrees: rotate the ground-truth masks
    # back" and "turn the ground truth alike"; ground truth turned back alone then scored
    # F 0.0000 with no warning (it matches neither the frames nor their stored pictures).
    from segmix.cli import main
    from tests.test_video44 import _turned_clip, _write_truths

    video, truths = _turned_clip(tmp_path / "selfie.mp4", degrees=90, hflip=True, n=30)
    assert main(["background", str(video), "--groundtruth", str(_write_truths(tmp_path / "gt", truths))]) == 2
    err = capsys.readouterr().err
    assert "turned 90 degrees counter-clockwise and mirrored left to right by its header" in err, err
    assert "mirror included (turned alone, it stays mirrored against the frames)" in err, err
    # As shown (turned, then mirrored): scored.
    shown = _write_truths(tmp_path / "gt_shown", truths, lambda t: np.rot90(t, 1)[:, ::-1])
    assert main(["background", str(video), "--groundtruth", str(shown)]) == 0
    assert float(capsys.readouterr().out.split("F-measure ")[1].split()[0]) > 0.5


def test_ground_truth_of_a_turned_portrait_video_is_not_told_of_a_mirror(tmp_path, capsys):
    from segmix.cli import main
    from tests.test_video44 import _turned_clip, _write_truths

    video, truths = _turned_clip(tmp_path / "portrait.mp4", degrees=270, n=12)
    assert main(["background", str(video), "--groundtruth", str(_write_truths(tmp_path / "gt", truths))]) == 2
    err = capsys.readouterr().err
    assert "turn the ground truth alike" in err and "mirror" not in err, err
