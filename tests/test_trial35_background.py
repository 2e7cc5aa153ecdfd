"""Session 35's new-user trial of `segmix background`: damaged frames of folders and videos.

* A JPEG frame damaged in the middle of its coded data, its end marker in place, decoded in
  silence through Pillow (garbage from the damage on, learnt by the model); now said and
  skipped like a truncated frame (segmix.jpeg_scan, segmix.kernels.jpeg).
* An MJPEG AVI with a damaged frame: a frame whose chunk the demuxer passed over shifted every
  later mask's number by one (masks one frame off their ground truth), and a frame that could
  not be decoded stopped the whole run; now the frame is said and skipped, the others keep
  their numbers, in the command line and the window's reader alike.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.frames import DamagedFrameError, FrameReader, FrameSequence
from segmix.jpeg_scan import jpeg_damage

HIGHWAY = Path(__file__).resolve().parents[2] / "shared" / "data" / "background" / "highway" / "input"


def _frames(count: int, size=(64, 48)) -> list[np.ndarray]:
    """A still noisy scene with a bright square moving across it (deterministic)."""
    rng = np.random.default_rng(35)
    width, height = size
    scene = rng.integers(40, 200, (height, width, 3)).astype(np.uint8)
    frames = []
    for i in range(count):
        frame = scene.copy()
        x = (3 * i) % (width - 10)
        frame[10:20, x:x + 10] = (250, 250, 40)
        frames.append(frame)
    return frames


def _jpeg(pixels: np.ndarray, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def _scan_start(data: bytes) -> int:
    sos = data.find(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2: sos + 4], "big")


def _damaged_but_complete(data: bytes) -> bytes:
    """``data`` with two bytes changed in the middle of its coded data, end marker in place,
    such that Pillow still decodes it without an error and the walk finds the damage (the
    first of a fixed set of places that gives both)."""
    start, end = _scan_start(data), len(data) - 2
    for step in range(40):
        at = start + (end - start) * (step + 10) // 60
        damaged = bytearray(data)
        if 0xFF in damaged[at - 1: at + 3]:
            continue
        damaged[at] ^= 0x5A
        damaged[at + 1] ^= 0x33
        if 0xFF in damaged[at: at + 2]:
            continue
        try:
            Image.open(io.BytesIO(bytes(damaged))).load()
        except OSError:
            continue
        if jpeg_damage(bytes(damaged)) is not None:
            return bytes(damaged)
    pytest.fail("no place in the coded data gave a damage the walk finds")


# ---------------------------------------------------------------- the JPEG walk itself


@pytest.mark.parametrize("options", [{}, {"subsampling": 0}, {"subsampling": 1}, {"optimize": True},
                                     {"restart_marker_rows": 1}, {"restart_marker_blocks": 3}, {"quality": 5},
                                     {"quality": 100, "subsampling": 0}])
@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
@pytest.mark.parametrize("size", [(64, 48), (33, 17), (1, 1)])
def test_whole_jpegs_are_whole(options, mode, size):
    pixels = _frames(1, size=(max(size[0], 11), max(size[1], 21)))[0][: size[1], : size[0]]
    image = Image.fromarray(pixels).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    assert jpeg_damage(buffer.getvalue()) is None


def test_progressive_and_non_jpeg_data_are_left_to_the_decoder():
    pixels = _frames(1)[0]
    progressive = _jpeg(pixels, progressive=True)
    assert jpeg_damage(progressive) is None
    assert jpeg_damage(_damaged_but_complete(_jpeg(pixels))[:10]) is None  # not a whole header: not checked
    assert jpeg_damage(b"\x89PNG\r\n\x1a\n") is None


def test_highway_frames_are_whole():
    if not HIGHWAY.is_dir():
        pytest.skip("shared/data/background/highway is not here")
    paths = sorted(HIGHWAY.glob("*.jpg"))[::17]
    assert paths
    assert [p.name for p in paths if jpeg_damage(p.read_bytes()) is not None] == []


def test_damage_in_the_coded_data_is_found():
    data = _jpeg(_frames(1, size=(160, 120))[0])
    damaged = _damaged_but_complete(data)
    assert damaged[-2:] == b"\xff\xd9" and len(damaged) == len(data)
    assert jpeg_damage(damaged).startswith("corrupt JPEG data: ")


def test_damage_libjpeg_does_not_warn_of_is_found_by_the_values():
    # Eight bytes changed in the middle of a highway frame: libjpeg (OpenCV's imread) warned
    # of nothing, Pillow decoded it 60 % wrong; the DC predictions run beyond any picture's.
    if not HIGHWAY.is_dir():
        pytest.skip("shared/data/background/highway is not here")
    data = bytearray((HIGHWAY / "in000500.jpg").read_bytes())
    middle = (_scan_start(bytes(data)) + len(data) - 2) // 2
    for at in range(middle, middle + 8):
        data[at] ^= 0x5A
    assert 0xFF not in data[middle - 1: middle + 9]
    assert "a coefficient no picture has" in jpeg_damage(bytes(data))


def test_a_restart_marker_out_of_order_is_found():
    data = bytearray(_jpeg(_frames(1)[0], restart_marker_rows=1))
    at = data.find(b"\xff\xd1")
    assert at > 0 and jpeg_damage(bytes(data)) is None
    data[at + 1] = 0xD3
    assert "restart marker" in jpeg_damage(bytes(data))


# ---------------------------------------------------------------- a folder of JPEG frames


def test_a_damaged_jpeg_frame_is_said_and_skipped(tmp_path, capsys):
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, pixels in enumerate(_frames(12), start=1):
        (folder / f"in{i:06d}.jpg").write_bytes(_jpeg(pixels))
    broken = folder / "in000007.jpg"
    broken.write_bytes(_damaged_but_complete(broken.read_bytes()))
    out = tmp_path / "masks"
    status = main(["background", str(folder), "--output-dir", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"skipped {broken}: corrupt JPEG data: " in err
    assert "in000007.png" not in {p.name for p in out.iterdir()}
    assert len(list(out.glob("in*.png"))) == 11
    # The window's reader refuses it too (its Video mode passes over it as unreadable).
    from segmix.frames import FrameError

    with pytest.raises(FrameError, match="corrupt JPEG data"):
        FrameReader(FrameSequence(folder)).read(7)


# ---------------------------------------------------------------- an MJPEG AVI with a damaged frame


def _mjpeg_avi(path: Path, count: int = 12) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mjpeg", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
        for pixels in _frames(count):
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _chunks(data: bytes) -> list[int]:
    """Offsets of the AVI's video chunks ("00dc") in its movi list."""
    movi, index = data.find(b"movi"), data.rfind(b"idx1")
    found, at = [], movi
    while True:
        at = data.find(b"00dc", at + 1)
        if at < 0 or at > index:
            return found
        found.append(at)


def _damage(path: Path, how: str, frame: int = 5) -> Path:
    data = bytearray(path.read_bytes())
    chunk = _chunks(bytes(data))[frame - 1]
    if how == "chunk":  # the chunk's header: the demuxer passes over it, later time stamps renumbered
        data[chunk: chunk + 4] = b"xxxx"
    else:  # the JPEG's header: the decoder refuses the packet
        data[chunk + 8: chunk + 8 + 200] = b"\x11" * 200
    damaged = path.with_name(f"{how}.avi")
    damaged.write_bytes(bytes(data))
    return damaged


@pytest.mark.parametrize("how", ["chunk", "decoder"])
def test_a_damaged_mjpeg_frame_is_skipped_and_the_others_keep_their_numbers(tmp_path, how):
    whole = _mjpeg_avi(tmp_path / "clip.avi")
    damaged = _damage(whole, how)
    lines = []
    frames = {frame.index: frame.pixels for frame in FrameSequence(damaged, on_skip=lines.append)}
    reference = {frame.index: frame.pixels for frame in FrameSequence(whole)}
    assert sorted(frames) == [i for i in range(1, 13) if i != 5]
    assert all(np.array_equal(frames[i], reference[i]) for i in frames)
    assert len(lines) == 1 and lines[0].startswith(f"skipped {damaged} frame 5: ")
    # The window's reader: frame 5 is damaged, the others are the same pictures, in order, by
    # seeking back and forward too.
    reader = FrameReader(FrameSequence(damaged))
    for index in (1, 4, 6, 12, 3, 6, 11, 2):
        assert np.array_equal(reader.read(index), reference[index]), index
    with pytest.raises(DamagedFrameError, match="frame 5"):
        reader.read(5)
    assert np.array_equal(reader.read(6), reference[6])


def test_a_damaged_mjpeg_frame_on_the_command_line(tmp_path, capsys):
    damaged = _damage(_mjpeg_avi(tmp_path / "clip.avi"), "chunk")
    out = tmp_path / "masks"
    status = main(["background", str(damaged), "--output-dir", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    names = sorted(p.name for p in out.glob("frame_*.png"))
    assert names == [f"frame_{i:06d}.png" for i in range(1, 13) if i != 5]
    assert f"skipped {damaged} frame 5: " in err
    assert "truncated" not in err and "ends after" not in err


# ---------------------------------------------------------------- a video FFmpeg cannot open


def _empty_matroska(path: Path) -> Path:
    import av

    container = av.open(str(path), "w")  # a recording stopped before its first frame
    stream = container.add_stream("ffv1", rate=25)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    container.start_encoding()  # the header, with its stream, and no frame
    container.close()
    return path


@pytest.mark.parametrize("kind", ["empty.mkv", "cut.avi"])
def test_a_video_that_cannot_be_opened_is_not_called_no_video(tmp_path, capsys, kind):
    if kind == "empty.mkv":
        video, words = _empty_matroska(tmp_path / kind), "starts like a Matroska/WebM video"
    else:
        video, words = tmp_path / kind, "starts like an AVI video"
        video.write_bytes(_mjpeg_avi(tmp_path / "clip.avi").read_bytes()[:3000])
    status = main(["background", str(video), "--output-dir", str(tmp_path / "masks"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and f"{video}: {words} but cannot be opened" in err[0]
    assert "not a video file" not in err[0]
    assert not (tmp_path / "masks").exists()
    # A file that is no video at all keeps its words.
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"hello, not a video" * 10)
    assert main(["background", str(junk), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 2
    assert "not a video file FFmpeg can read" in capsys.readouterr().err


# ---------------------------------------------------------------- --distributed


def test_a_damaged_video_frame_on_dask_is_named_as_given(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from segmix.distributed.cluster import connect

    monkeypatch.chdir(tmp_path)
    _damage(_mjpeg_avi(tmp_path / "clip.avi"), "chunk")  # chunk.avi
    with connect(None, n_workers=1, threads_per_worker=1, quiet=True) as client:
        address = client.scheduler.address
        status = main(["background", "chunk.avi", "--output-dir", "masks", "--quiet", "--distributed", address])
    err = capsys.readouterr().err
    assert status == 1
    # As the one-machine command says it (it said the resolved path: /tmp/.../chunk.avi frame 5).
    assert "skipped chunk.avi frame 5: " in err and str(tmp_path) not in err
    assert sorted(p.name for p in (tmp_path / "masks" / "chunk").glob("frame_*.png")) == [
        f"frame_{i:06d}.png" for i in range(1, 13) if i != 5]


def test_a_dropped_frame_of_an_avi_keeps_the_later_numbers(tmp_path):
    """A recorder's dropped frame (an empty packet: the index leaves it out, its time stamp
    too): the frames after it were numbered one early, and the video was said to be truncated."""
    import av

    path = tmp_path / "dropped.avi"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mjpeg", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
        for t, pixels in enumerate(_frames(8), start=1):
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                if t == 5:
                    empty = av.Packet(b"")
                    empty.pts, empty.dts = packet.pts, packet.dts
                    empty.time_base, empty.stream = packet.time_base, stream
                    packet = empty
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    lines = []
    assert [frame.index for frame in FrameSequence(path, on_skip=lines.append)] == [1, 2, 3, 4, 6, 7, 8]
    assert lines == [f"skipped {path} frame 5: the file holds no picture for it (an empty frame: a recorder's "
                     "dropped frame)"]
    reader = FrameReader(FrameSequence(path))
    assert np.array_equal(reader.read(6), {f.index: f.pixels for f in FrameSequence(path)}[6])
    with pytest.raises(DamagedFrameError):
        reader.read(5)


# ---------------------------------------------------------------- ground truth of a clip


def _clip_and_groundtruth(tmp_path: Path, suffix: str) -> tuple[Path, Path]:
    """A 6-frame clip (frames 1..6) and a CDnet-like ground truth of 20 frames whose frames
    1..10 are all 85 (outside the region of interest), temporalROI.txt 11 20: the clip is cut
    from frame 11 of the sequence, so it needs --groundtruth-offset -10."""
    import av

    clip = tmp_path / f"clip{suffix}"
    with av.open(str(clip), "w") as container:
        stream = container.add_stream("ffv1", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv444p"
        for pixels in _frames(6):
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    root = tmp_path / "seq"
    truth = root / "groundtruth"
    truth.mkdir(parents=True)
    for number in range(1, 21):
        label = np.full((48, 64), 85 if number <= 10 else 0, np.uint8)
        Image.fromarray(label).save(truth / f"gt{number:06d}.png")
    (root / "temporalROI.txt").write_text("11 20\n")
    return clip, truth


def test_a_matroska_clip_is_told_the_offset_not_roi(tmp_path, capsys):
    # A Matroska file gives no frame count: matched after its run, where it was told to give
    # --roi, whose frames score no pixel; a counted video was already told the offset.
    clip, truth = _clip_and_groundtruth(tmp_path, ".mkv")
    assert main(["background", str(clip), "--groundtruth", str(truth), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "so --roi cannot help" in err and "give --groundtruth-offset N" in err
    assert "give --roi FIRST LAST in the input's frame numbers, or" not in err
    # The advised offset scores the clip.
    assert main(["background", str(clip), "--groundtruth", str(truth), "--groundtruth-offset", "-10", "--quiet"]) == 0
    assert "scored 6 frames" in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".mkv", ".avi"])
def test_roi_over_unscored_frames_of_a_clip_names_the_offset(tmp_path, capsys, suffix):
    clip, truth = _clip_and_groundtruth(tmp_path, suffix)
    assert main(["background", str(clip), "--groundtruth", str(truth), "--roi", "1", "6", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "scores no pixel" in err and "give --groundtruth-offset N instead" in err
    # With an offset given, the offset is not advised again.
    assert main(["background", str(clip), "--groundtruth", str(truth), "--roi", "1", "6",
                 "--groundtruth-offset", "-2", "--quiet"]) == 2
    assert "--groundtruth-offset N instead" not in capsys.readouterr().err


def test_fill_bytes_before_a_restart_marker_are_no_damage():
    data = _jpeg(_frames(1)[0], restart_marker_rows=1)
    at = data.find(b"\xff\xd1")
    filled = data[:at] + b"\xff\xff" + data[at:]  # T.81 B.1.1.2: 0xFF fill bytes before a marker
    Image.open(io.BytesIO(filled)).load()
    assert jpeg_damage(filled) is None


def test_damaged_headers_never_raise():
    data = _jpeg(_frames(1)[0], restart_marker_rows=2)
    rng = np.random.default_rng(7)
    for _ in range(400):
        damaged = bytearray(data)
        for at in rng.integers(0, _scan_start(data) + 40, size=3):
            damaged[at] = rng.integers(0, 256)
        result = jpeg_damage(bytes(damaged))
        assert result is None or result.startswith("corrupt JPEG data: ")
    for cut in range(0, len(data), 37):
        jpeg_damage(data[:cut])


@pytest.mark.first_run_notice
def test_a_local_cluster_run_on_jpeg_frames_counts_the_jpeg_kernel(tmp_path, monkeypatch, capsys):
    """With --distributed on a local cluster the notice comes from the on-disk cache's files:
    the JPEG check's kernel, which JPEG frames compile, is one of them (its first compile took
    seconds unsaid)."""
    from segmix import cli
    from segmix.distributed import cluster
    from segmix.kernels import cache

    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "in000001.jpg").write_bytes(_jpeg(_frames(1)[0]))
    monkeypatch.setattr(cluster, "connect", lambda *args, **kwargs: None)
    monkeypatch.setattr(cli, "_cmd_background", lambda args: cli._dask_client(args) and 0)
    asked = []
    monkeypatch.setattr(cache, "is_cached", lambda *kernels: asked.append({k.__name__ for k in kernels}) or True)
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "bg"), "--distributed"]) == 0
    assert "scan_damage" in asked[-1]
    png = tmp_path / "png"
    png.mkdir()
    Image.fromarray(_frames(1)[0]).save(png / "f1.png")
    assert main(["background", str(png), "--output-dir", str(tmp_path / "bg2"), "--distributed"]) == 0
    assert "scan_damage" not in asked[-1]
    capsys.readouterr()


def test_a_damaged_mjpeg_frame_of_a_matroska_file_is_skipped_and_counted(tmp_path):
    """A Matroska file gives no frame count and no index of its frames: its packets are
    counted, so a damaged frame is skipped with its number (it ended the run before, the
    later frames unread), in the window's reader too, seeking back and forth."""
    import av

    path = tmp_path / "clip.mkv"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mjpeg", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
        for pixels in _frames(12):
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    reference = {frame.index: frame.pixels for frame in FrameSequence(path)}
    data = bytearray(path.read_bytes())
    starts = [i for i in range(len(data) - 2) if data[i: i + 3] == b"\xff\xd8\xff"]
    data[starts[4]: starts[4] + 40] = b"\x11" * 40  # frame 5's JPEG header
    damaged = tmp_path / "damaged.mkv"
    damaged.write_bytes(bytes(data))
    lines = []
    frames = {frame.index: frame.pixels for frame in FrameSequence(damaged, on_skip=lines.append)}
    assert sorted(frames) == [i for i in range(1, 13) if i != 5]
    assert all(np.array_equal(frames[i], reference[i]) for i in frames)
    assert lines == [f"skipped {damaged} frame 5: the frame is damaged (its JPEG header is missing)"]
    reader = FrameReader(FrameSequence(damaged))
    reader.count_frames()
    for index in (2, 9, 4, 12, 6, 3, 11):
        assert np.array_equal(reader.read(index), reference[index]), index
    with pytest.raises(DamagedFrameError):
        reader.read(5)
