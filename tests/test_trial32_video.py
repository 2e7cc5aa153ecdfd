"""Background subtraction on videos and frame folders: faults of new-user trial 32."""

from fractions import Fraction

import numpy as np
import pytest

from segmix.cli import main
from segmix.frames import FrameReader, FrameSequence, SequenceEnd

av = pytest.importorskip("av")


def _trimmed_mp4(path, frames=24, lead=5, rate=10, options=None):
    """An MP4 whose first ``lead`` frames an edit list hides, as `ffmpeg -ss T -c copy` writes
    it: the packets are shifted to negative times, and the muxer keeps the count of every frame
    in the header while the edited duration covers ``frames - lead``. Frame i is red 10 i (mod 250)."""
    source = path.with_name(path.stem + "_source.mp4")
    with av.open(str(source), "w") as out:
        stream = out.add_stream("mpeg4", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            pixels = np.zeros((48, 64, 3), np.uint8)
            pixels[..., 0] = 10 * i % 250
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(stream.encode())
    with av.open(str(source)) as src, av.open(str(path), "w", options=options or {}) as out:
        given = src.streams.video[0]
        # PyAV 12 (pyproject's oldest) has add_stream(template=) only; 13 on, add_stream_from_template
        stream = (out.add_stream_from_template(given) if hasattr(out, "add_stream_from_template")
                  else out.add_stream(template=given))
        shift = lead * int(1 / (Fraction(rate) * given.time_base))
        for packet in src.demux(given):
            if packet.dts is None:
                continue
            packet.pts -= shift
            packet.dts -= shift
            packet.stream = stream
            out.mux(packet)
    source.unlink()
    return path


def test_a_trimmed_mp4_is_whole_not_truncated(tmp_path, capsys):
    # `ffmpeg -ss 1.1 -i clip.mp4 -c copy cut.mp4` of a 300-frame H.264 clip: 267 frames, the
    # header's count 276; "the video ends 9 frames early (truncated or damaged)", exit 1.
    video = _trimmed_mp4(tmp_path / "cut.mp4")
    with av.open(str(video)) as container:
        assert container.streams.video[0].frames == 24  # the header still counts the hidden frames
    lines = []
    decoded = [frame.pixels[0, 0, 0] for frame in FrameSequence(video, on_skip=lines.append)]
    assert len(decoded) == 19 and decoded[0] >= 45  # the first frame shown is the 6th made
    assert not [line for line in lines if isinstance(line, SequenceEnd)]
    assert main(["background", str(video), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    assert len(list((tmp_path / "out").iterdir())) == 19
    assert "early" not in capsys.readouterr().err


def test_the_window_reader_of_a_trimmed_mp4_counts_its_shown_frames(tmp_path):
    video = _trimmed_mp4(tmp_path / "cut.mp4")
    reader = FrameReader(FrameSequence(video))
    try:
        assert len(reader) == 19  # the timeline's length before the count: not the header's 24
        assert reader.count_frames() == 19 and reader.short_of_estimate is None
        order = [frame.pixels for frame in FrameSequence(video)]
        for index in (19, 3, 12, 1, 19):
            np.testing.assert_array_equal(reader.read(index), order[index - 1])
    finally:
        reader.close()


def _matroska(path, n=12, size=(48, 64)):
    """A Matroska video (its header gives no frame count) of ``n`` grey frames."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.height, stream.width = size
        stream.pix_fmt = "yuv420p"
        for i in range(n):
            pixels = np.full((*size, 3), 60 + 5 * i, np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(stream.encode())
    return path


def test_ground_truth_of_another_size_than_a_matroska_video_is_refused_before_the_run(tmp_path, capsys):
    # highway's frames 400-699 as a 321 x 241 Matroska clip, scored against highway's 320 x
    # 240 ground truth: the 300 frames were decoded and their masks written, then 230 lines,
    # one per ground-truth file, said the size was wrong, and the run stopped with exit 2.
    from PIL import Image

    video = _matroska(tmp_path / "clip.mkv")
    with av.open(str(video)) as container:
        assert not container.streams.video[0].frames  # no count: the numbers are known after the run
    truth = tmp_path / "gt"
    truth.mkdir()
    for k in range(1, 11):
        Image.fromarray(np.zeros((40, 60), np.uint8)).save(truth / f"gt{k:06d}.png")
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--groundtruth", str(truth), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert not out.exists()  # refused before any mask
    assert err.count("\n") == 1, err
    assert "ground-truth masks are 60 x 40 pixels but the frame is 64 x 48" in err
    # Its packets counted before the run (session 45), the 10 are known to be the video's frames.
    assert "(and 9 more of the 10 matched frames)" in err
    # Ground truth of its size is scored as before; numbers past its end are no refusal.
    for k in range(1, 31):
        Image.fromarray(np.zeros((48, 64), np.uint8)).save(truth / f"gt{k:06d}.png")
    assert main(["background", str(video), "--groundtruth", str(truth), "--quiet"]) == 0
    assert "scored 12 frames" in capsys.readouterr().out


def test_image_files_given_in_a_shell_s_order_are_read_in_frame_order(tmp_path, capsys):
    # `segmix background frames/*.png` of 1.png .. 12.png: the shell gives 1, 10, 11, 12, 2,
    # ..., and the model was fed so, in silence (frame 10 right after frame 1).
    from PIL import Image

    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(1, 13):
        pixels = np.full((24, 32, 3), 90, np.uint8)
        pixels[8:16, 2 * t:2 * t + 6] = 220  # a square moving right
        Image.fromarray(pixels).save(folder / f"{t}.png")
    shell = sorted(folder.iterdir())  # the shell's (lexical) order
    assert [p.name for p in shell[:3]] == ["1.png", "10.png", "11.png"]
    sequence = FrameSequence(shell)
    assert [p.name for p in sequence.paths] == [f"{t}.png" for t in range(1, 13)]
    assert sequence.given_order == shell
    assert FrameSequence(sequence.paths).given_order is None
    # Files of several folders keep the order given.
    (tmp_path / "day1").mkdir()
    (tmp_path / "day2").mkdir()
    later = [tmp_path / "day1" / "frame9.png", tmp_path / "day2" / "frame1.png"]
    for path in later:
        path.write_bytes((folder / "1.png").read_bytes())
    assert FrameSequence(later).paths == later and FrameSequence(later).given_order is None
    assert FrameSequence(later[::-1]).paths == later[::-1]
    assert main(["background", *map(str, shell), "--output-dir", str(tmp_path / "list")]) == 0
    err = capsys.readouterr().err
    assert ("note: the 12 frames are read in the natural order of their names (1.png, 2.png, 3.png, ...), not as "
            "given (1.png, 10.png, 11.png, ...: a shell's order)") in err
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "folder"), "--quiet"]) == 0
    for t in range(1, 13):  # the masks of the folder, read in its natural order
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "list" / f"{t}.png")),
                                      np.asarray(Image.open(tmp_path / "folder" / f"{t}.png")))


def test_a_data_set_s_own_folder_names_its_frames_subfolder(tmp_path, capsys):
    # Wallflower's wavingtrees/ (groundtruth/ with one file, input/ with 287 frames, a README):
    # "the folder holds no image frames (...); it holds 2 subfolders (first: groundtruth), which
    # are not searched", where highway/ (one ROI.bmp beside input/) named input/.
    from PIL import Image

    root = tmp_path / "wavingtrees"
    for sub, count in (("groundtruth", 1), ("input", 3)):
        (root / sub).mkdir(parents=True)
        for k in range(count):
            Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(root / sub / f"b{k:05d}.bmp")
    (root / "README.txt").write_text("Moving tree in background\n")
    assert main(["background", str(root), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{root}: the folder holds no image frames; its subfolder input holds 3 frames: give {root / 'input'}" in err
    # A subfolder without frames: the old words, in the singular where there is one.
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    assert main(["background", str(tmp_path / "empty"), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 2
    assert "it holds the subfolder sub, which is not searched: give it by name" in capsys.readouterr().err


def test_learning_rate_0_is_said_to_keep_the_mean_not_to_freeze(capsys):
    # `--model M.json --learning-rate 0`, to freeze a model as OpenCV's learningRate 0 does,
    # learnt at 1/t: highway's frames 101-200 on a model of frames 1-100 came out as with the
    # default rate but for 0.2 % of the pixels. --help said only "1/t for the first frames".
    from segmix.background import BackgroundMixture

    model = BackgroundMixture(learning_rate=0.0)
    assert model.learning_rate_at(101) == pytest.approx(1 / 101)
    assert main(["background", "--help"]) == 0
    words = " ".join(capsys.readouterr().out.split())
    assert "0 keeps the mean of all frames seen (it does not freeze a --model" in words


def test_a_sequence_s_own_folder_given_as_ground_truth_names_its_subfolder(tmp_path, capsys):
    # `--groundtruth highway` (CDnet's ROI.bmp beside groundtruth/ and input/): ROI.bmp was
    # taken for the ground truth of frame 1, and the refusal advised "--roi FIRST LAST" for
    # frames 1..1.
    from PIL import Image

    root = tmp_path / "highway"
    (root / "groundtruth").mkdir(parents=True)
    (root / "input").mkdir()
    Image.fromarray(np.zeros((24, 32), np.uint8)).save(root / "ROI.bmp")
    for k in range(1, 13):
        Image.fromarray(np.full((24, 32, 3), 80 + k, np.uint8)).save(root / "input" / f"in{k:06d}.png")
        Image.fromarray(np.zeros((24, 32), np.uint8)).save(root / "groundtruth" / f"gt{k:06d}.png")
    assert main(["background", str(root / "input"), "--groundtruth", str(root), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{root}: holds 1 image but its subfolder groundtruth holds 12: give --groundtruth {root / 'groundtruth'}" in err
    assert "--roi" not in err
    assert main(["background", str(root / "input"), "--groundtruth", str(root / "groundtruth"), "--quiet"]) == 0
