"""Background subtraction, session 45 (video45b): one test per kind of fault found.

1. A Matroska or WebM clip (no frame count in its header) with ``--roi`` wholly past its end
   was decoded whole, its masks, ``--background-image`` and ``--save-model`` written, and only
   then refused (exit 2), the files left behind.
2. The frame-rate warning called a steady clip with dropped frames "a variable rate".
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main

H, W = 32, 48


def _clip(path, n=30, codec="mpeg4"):
    """A clip of ``n`` frames of a yellow square moving right from frame 12, in a container
    whose header gives no frame count (Matroska, WebM)."""
    av = pytest.importorskip("av")
    try:
        with av.open(str(path), "w") as container:
            stream = container.add_stream(codec, rate=10)
            stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
            for t in range(n):
                frame = np.full((H, W, 3), 100, np.uint8)
                if t > 10:
                    frame[8:16, t:t + 8] = (240, 240, 20)
                for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
    except Exception as exc:  # an FFmpeg build without the encoder
        pytest.skip(f"PyAV cannot write {codec} here: {exc}")
    return path


def _groundtruth(folder, n=100):
    folder.mkdir()
    for t in range(1, n + 1):
        truth = np.zeros((H, W), np.uint8)
        truth[8:16, :8] = 255
        Image.fromarray(truth).save(folder / f"gt{t:06d}.png")
    return folder


def _outputs(tmp_path):
    return tmp_path / "masks", tmp_path / "bg.png", tmp_path / "model.json"


# --- 1. a --roi wholly past the end of a clip without a frame count ------------------------------

@pytest.mark.parametrize("name, codec", [("clip.mkv", "mpeg4"), ("clip.webm", "libvpx")])
def test_a_roi_past_the_end_of_a_clip_without_a_frame_count_is_refused_before_anything_is_written(
        tmp_path, capsys, monkeypatch, name, codec):
    """`--roi 50 60` on a 30-frame Matroska or WebM clip wrote its 30 masks, the background image
    and the model, then refused the range (exit 2), the files left behind. The packets are
    counted first (no decoding) and the run is refused before any frame is decoded."""
    import segmix.background_run as background_run

    video, gt = _clip(tmp_path / name, codec=codec), _groundtruth(tmp_path / "gt")
    masks, image, model = _outputs(tmp_path)

    def no_run(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(background_run, "run_sequence", no_run)
    assert main(["background", str(video), "--output-dir", str(masks), "--groundtruth", str(gt), "--roi", "50", "60",
                 "--background-image", str(image), "--save-model", str(model)]) == 2
    err = capsys.readouterr().err
    assert "the input frames are 1..30" in err, err
    assert not masks.exists() and not image.exists() and not model.exists()


def test_a_run_refused_after_it_leaves_nothing_behind_and_puts_back_the_masks_it_replaced(tmp_path, capsys,
                                                                                           monkeypatch):
    """Where the frames are known only once decoded (a count the packets do not give), the
    refusal after the run removes its new masks, puts back those of an earlier run it replaced,
    and writes no --background-image or --save-model."""
    import segmix.frames as frames

    video, gt = _clip(tmp_path / "clip.mkv", n=30), _groundtruth(tmp_path / "gt")
    masks, image, model = _outputs(tmp_path)
    assert main(["background", str(video), "--output-dir", str(masks), "--quiet"]) == 0  # an earlier run
    before = {path.name: path.read_bytes() for path in masks.iterdir()}
    assert len(before) == 30
    masks_new = tmp_path / "new_masks"
    monkeypatch.setattr(frames, "counted_frames", lambda sequence: None, raising=False)
    for out in (masks, masks_new):
        capsys.readouterr()
        assert main(["background", str(video), "--output-dir", str(out), "--groundtruth", str(gt),
                     "--roi", "50", "60", "--background-image", str(image), "--save-model", str(model),
                     "--learning-rate", "0.05"]) == 2
        captured = capsys.readouterr()
        assert "the input frames are 1..30" in captured.err, captured.err
        assert "wrote" not in captured.out, captured.out
        assert not image.exists() and not model.exists()
    assert {path.name: path.read_bytes() for path in masks.iterdir()} == before
    assert not masks_new.exists()


def test_a_roi_within_a_clip_without_a_frame_count_is_scored(tmp_path, capsys):
    video, gt = _clip(tmp_path / "clip.mkv", n=30), _groundtruth(tmp_path / "gt")
    assert main(["background", str(video), "--groundtruth", str(gt), "--roi", "20", "60"]) == 0
    out = capsys.readouterr().out
    assert "scored 11 frames" in out and "the input's frames are 1..30: 30 frames of the range lie after them" in out


# --- 2. a steady clip with dropped frames is no variable rate ---------------------------------------

def _timed(path, stamps_ms):
    pytest.importorskip("av")
    from tests.synthetic_photos import timed_square_clip

    try:
        return timed_square_clip(path, stamps_ms)
    except Exception as exc:  # no libx264 in this FFmpeg build
        pytest.skip(f"PyAV cannot encode H.264 here: {exc}")


def _extracted(folder, truths, stamps_ms, rate, first=1):
    """Ground truth numbered as `ffmpeg -i VIDEO %06d.png` numbers its frames: by time at the
    nominal rate, a picture repeated until the next one's time, from ``first`` (a clip cut from
    a sequence at its frame ``first``: offset 1 - first)."""
    folder.mkdir()
    slots = [round(t / 1000 * rate) + 1 for t in stamps_ms]
    for k in range(1, slots[-1] + 1):
        picture = max(j for j, slot in enumerate(slots) if slot <= k)
        Image.fromarray(truths[picture]).save(folder / f"gt{k + first - 1:06d}.png")
    return folder


@pytest.mark.parametrize("dropped, words", [
    ({20, 21, 41}, "frames are missing after frame 20 (2 frames) and frame 39 (1 frame), numbered as they come"),
    ({8, 9}, "frames are missing after frame 8 (2 frames), numbered as they come"),
    ({10, 11, 12, 25, 38, 50}, "frames are missing after frame 10 (3 frames), frame 22 (1 frame) and frame 34 "
                               "(1 frame) and 1 more places")])
def test_a_steady_clip_with_dropped_frames_is_said_to_miss_frames_not_to_vary_its_rate(tmp_path, capsys, dropped,
                                                                                        words):
    """30 fps time stamps with gaps (a recorder that dropped frames) were said to come "at a
    variable rate": the warning names where frames are missing, in the numbers of the masks."""
    from segmix.frames import FrameSequence

    stamps = [round(i * 1000 / 30) for i in range(60) if i not in dropped]
    video, truths = _timed(tmp_path / "steady.mp4", stamps)
    rate = FrameSequence(video).nominal_rate
    assert rate == 30
    gt = _extracted(tmp_path / "gt", truths, stamps, rate)
    assert main(["background", str(video), "--groundtruth", str(gt)]) == 0
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if "numbered by their times" in line]
    assert len(said) == 1, err
    assert words in said[0], said[0]
    assert "variable rate" not in said[0]
    assert "-fps_mode passthrough" in said[0]


def test_a_variable_rate_is_still_said_to_be_one(tmp_path, capsys):
    rng = np.random.default_rng(44)
    stamps = np.cumsum([0, *rng.choice([17, 33, 50, 67], 29)]).tolist()
    video, truths = _timed(tmp_path / "phone.mp4", stamps)
    from segmix.frames import FrameSequence

    gt = _extracted(tmp_path / "gt", truths, stamps, FrameSequence(video).nominal_rate)
    assert main(["background", str(video), "--groundtruth", str(gt)]) == 0
    err = capsys.readouterr().err
    assert "its frames come at a variable rate" in err, err
    assert "frames are missing" not in err
