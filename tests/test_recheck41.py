"""Session 41 re-check of session 40's fixes on other inputs of the same kinds (each test
failed before its fix)."""

import sys

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


# ---------------------------------------------------------------- Source-Relative, drive-like folders
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_a_relative_record_from_a_drive_like_or_another_users_folder_is_left_out():
    """Masks on WSL's D: drive (/mnt/d/masks) of photos on C: recorded
    ../../c/Users/alice/Pictures/IMG.jpg, and masks in /home/bob of photos in /home/alice
    ../../alice/...: the absolute path but for its first folder. The digest alone is recorded,
    as where only the root is shared; a project's own folders keep the relative path."""
    from segmix.source_record import DIGEST_KEY, RELATIVE_SOURCE_KEY, source_digest, source_text

    for photo, output in (("/mnt/c/Users/alice/Pictures/IMG.jpg", "/mnt/d/masks/IMG_skin.png"),
                          ("/home/alice/Pictures/IMG.jpg", "/home/bob/masks/IMG_skin.png"),
                          ("/Volumes/Card/DCIM/IMG.jpg", "/Volumes/Backup/masks/IMG_skin.png")):
        assert source_text(photo, output) == {DIGEST_KEY: source_digest(photo)}, (photo, output)
    near = source_text("/home/alice/Clients/ACME/IMG.jpg", "/home/alice/Clients/masks/IMG_skin.png")
    assert near[RELATIVE_SOURCE_KEY] == "../ACME/IMG.jpg"


def test_a_digest_only_record_still_tells_its_photo_from_another(tmp_path, monkeypatch, capsys):
    """With the relative path left out (as from a drive-like folder), a rerun on the same photo
    replaces its masks and another folder's photo of the same name is refused."""
    import segmix.source_record as record
    from tests.conftest import skin_photo

    monkeypatch.setattr(record, "_relative", lambda absolute, folder: None)
    image, _ = skin_photo(np.random.default_rng(5))
    for day, photo in (("day1", image), ("day2", image[::-1].copy())):
        (tmp_path / day).mkdir()
        Image.fromarray(photo).save(tmp_path / day / "IMG_0001.png")
    out = tmp_path / "masks"
    for _ in range(2):
        assert main(["skin", "apply", str(tmp_path / "day1"), "--output-dir", str(out), "--quiet"]) == 0
    with Image.open(out / "IMG_0001_skin.png") as im:
        assert record.RELATIVE_SOURCE_KEY not in im.info and record.DIGEST_KEY in im.info
    capsys.readouterr()
    assert main(["skin", "apply", str(tmp_path / "day2"), "--output-dir", str(out), "--quiet"]) == 2
    assert "another photo of the same name" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_a_project_whose_masks_folder_links_elsewhere_is_renamed_and_rerun(tmp_path, capsys):
    """proj/masks a symbolic link to a folder on another disk, proj/photos the photos: the masks
    recorded the path from the link's target (../proj/photos/a.png), so after proj was renamed
    the rerun was refused as of "another photo of the same name". The path is now the one the
    user reaches (../photos/a.png); another folder's photo of the same name is still refused."""
    from segmix.source_record import RELATIVE_SOURCE_KEY
    from tests.conftest import skin_photo

    image, _ = skin_photo(np.random.default_rng(6))
    (tmp_path / "proj" / "photos").mkdir(parents=True)
    (tmp_path / "disk").mkdir()
    Image.fromarray(image).save(tmp_path / "proj" / "photos" / "a.png")
    (tmp_path / "proj" / "masks").symlink_to(tmp_path / "disk", target_is_directory=True)
    assert main(["skin", "apply", str(tmp_path / "proj" / "photos"), "--output-dir", str(tmp_path / "proj" / "masks"),
                 "--quiet"]) == 0
    with Image.open(tmp_path / "disk" / "a_skin.png") as im:
        assert im.info[RELATIVE_SOURCE_KEY] == "../photos/a.png"
    (tmp_path / "proj").rename(tmp_path / "proj2")
    capsys.readouterr()
    assert main(["skin", "apply", str(tmp_path / "proj2" / "photos"), "--output-dir",
                 str(tmp_path / "proj2" / "masks"), "--quiet"]) == 0, capsys.readouterr().err
    (tmp_path / "other").mkdir()
    Image.fromarray(image[::-1].copy()).save(tmp_path / "other" / "a.png")
    assert main(["skin", "apply", str(tmp_path / "other"), "--output-dir", str(tmp_path / "proj2" / "masks"),
                 "--quiet"]) == 2
    assert "another photo of the same name" in capsys.readouterr().err


# ---------------------------------------------------------------- a video's refused first key frame
@pytest.mark.parametrize("fmt, suffix", [("matroska", "mkv"), ("mp4", "mp4")])
def test_a_refused_first_key_frame_keeps_the_later_frames_in_their_places(tmp_path, capsys, fmt, suffix):
    """Frame 1 (the key frame) refused: FFmpeg then gives no picture for frames 2-20, which
    refer to it, and said only of 3 of them that they failed. The others were not counted:
    frame 21's mask was named frame_000004, every later mask 17 frames early (frame 9's mask
    showed frame 26), and the video "ends after frame 23 of the 40 its header announces"."""
    pytest.importorskip("av")
    from tests.test_vidpkt40 import _decoded, _encode, _front, _refused, _square_front

    video = _refused(_encode(tmp_path / f"cam.{suffix}", fmt=fmt), 1)
    count, error = _decoded(video)
    if error is None:
        pytest.skip("this FFmpeg decodes the damaged packet")
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"skipped {video} frame 1: the frame cannot be decoded" in err, err
    assert f"skipped {video} frames 2-20 (19 frames): the frame cannot be decoded: the key frame it depends on" in err, err
    assert "ends after" not in err, err
    assert sorted(p.name for p in out.glob("*.png")) == [f"frame_{k:06d}.png" for k in range(21, 41)]
    for k in (30, 40):
        mask = np.asarray(Image.open(out / f"frame_{k:06d}.png"))
        assert abs(_square_front(mask) - _front(k)) <= 2, (k, _square_front(mask), _front(k))


def test_a_frame_an_mpeg_ts_demuxer_drops_keeps_the_later_frames_in_their_places(tmp_path, capsys):
    """An MPEG-TS clip whose frame 10 lost its first transport packet (a broadcast or camera
    stream's dropped packet): the demuxer drops the frame in silence and flags a packet before
    it corrupt; the later masks were named a frame early (frame 21's showed frame 22), exit 0,
    not a word. The frame is said and skipped, the others keep their numbers."""
    av = pytest.importorskip("av")
    from tests.test_vidpkt40 import _encode, _front, _square_front

    video = _encode(tmp_path / "cam.ts", 40, "mpegts")
    with av.open(str(video)) as container:
        position = [p.pos for p in container.demux(video=0) if p.size][9]
    data = bytearray(video.read_bytes())
    data[position:position + 40] = bytes(40)  # a transport packet's header and the start of its payload
    video.write_bytes(bytes(data))
    with av.open(str(video)) as container:
        stamps = [p.pts for p in container.demux(video=0) if p.size]
    if len(stamps) != 39:
        pytest.skip("this FFmpeg's demuxer keeps the damaged frame")
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"skipped {video} frame 10: the file holds no data FFmpeg can read there" in err, err
    assert sorted(p.name for p in out.glob("*.png")) == [f"frame_{k:06d}.png" for k in range(1, 41) if k != 10]
    for k in (9, 21, 30, 40):
        mask = np.asarray(Image.open(out / f"frame_{k:06d}.png"))
        assert abs(_square_front(mask) - _front(k)) <= 2, (k, _square_front(mask), _front(k))


# ---------------------------------------------------------------- pipes and sockets in a frame folder
@pytest.mark.skipif(sys.platform == "win32", reason="pipes and Unix sockets in a folder")
def test_a_pipe_or_socket_named_like_a_frame_is_named_in_the_note(tmp_path, capsys):
    """skin apply's folders name pipes and sockets (session 40); background left a pipe named
    in000003.png and a socket in000004.png out in silence, exit 0, their masks missing."""
    import os
    import socket

    frames = tmp_path / "cam"
    frames.mkdir()
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 6):
        Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(frames / f"in{n:06d}.png")
    os.mkfifo(frames / "in000003.png")
    server = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    try:
        os.chdir(frames)  # a Unix socket's path is short: bind it by its name
        server.bind("in000004.png")
    finally:
        os.chdir(here)
    try:
        assert main(["background", str(frames), "--output-dir", str(tmp_path / "out")]) == 0
        err = capsys.readouterr().err
        assert (f"segmix background: note: ignored in {frames}: 2 pipes, sockets or other non-regular files "
                "(in000003.png, in000004.png)") in err, err
    finally:
        server.close()


# ---------------------------------------------------------------- a pipe given by name
def _run_with_deadline(argv, seconds=120.0):
    """main(argv) in a thread: a run that waits for ever on a pipe fails the test instead of
    hanging it."""
    import threading

    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("status", main(argv)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{argv} did not finish in {seconds} s"
    return result["status"]


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes")
@pytest.mark.parametrize("given", ["skin apply", "background", "segment scribbles", "segment model",
                                   "skin apply model", "background model", "skin train uci", "background list"])
def test_a_pipe_given_by_name_is_refused_not_waited_on(given, tmp_path, capsys):
    """A pipe in a skin folder hung skin apply (session 40: named now). Given by name it still
    waited for a writer for ever: skin apply's and background's input, segment's --scribbles,
    a --model of segment, skin apply and background (and skin train's --uci was "not found").
    Each is refused in one line naming it."""
    import os

    from tests.conftest import skin_photo

    image, mask = skin_photo(np.random.default_rng(2))
    photo = tmp_path / "p.png"
    Image.fromarray(image).save(photo)
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    Image.fromarray(image).save(tmp_path / "images" / "a.png")
    Image.fromarray(mask).save(tmp_path / "masks" / "a.png")
    pipe = tmp_path / ("pipe.json" if "model" in given else "pipe.txt" if "uci" in given else "pipe.png")
    os.mkfifo(pipe)
    out = str(tmp_path / "out")
    argv = {"skin apply": ["skin", "apply", str(pipe), "--output-dir", out],
            "background": ["background", str(pipe), "--output-dir", out],
            "segment scribbles": ["segment", str(photo), "--scribbles", str(pipe), "-o", str(tmp_path / "m.png")],
            "segment model": ["segment", str(photo), "--model", str(pipe), "-o", str(tmp_path / "m.png")],
            "skin apply model": ["skin", "apply", str(photo), "--model", str(pipe), "--output-dir", out],
            "background model": ["background", str(photo), str(photo.with_name("q.png")), "--model", str(pipe),
                                 "--output-dir", out],
            "skin train uci": ["skin", "train", "--images", str(tmp_path / "images"), "--masks",
                               str(tmp_path / "masks"), "--uci", str(pipe), "-o", str(tmp_path / "t.json")],
            "background list": ["background", str(photo), str(pipe), "--output-dir", out]}[given]
    Image.fromarray(image[::-1].copy()).save(photo.with_name("q.png"))
    status = _run_with_deadline(argv)
    err = capsys.readouterr().err
    assert status == (1 if given == "background list" else 2), err
    assert f"{pipe}: is not a regular file (a device, pipe or socket)" in err, err
    assert "Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes")
def test_the_header_look_ups_do_not_open_a_pipe(tmp_path):
    """The window's File > Load Scribbles on a pipe waited for ever in the look-up of the photo
    the marks were drawn on (io.saved_marks_photo), before the loader could refuse it; the mark
    look-up (io.segmix_mark) did the same to skin apply."""
    import os
    import threading

    from segmix.io import saved_marks_photo, segmix_mark

    pipe = tmp_path / "marks.png"
    os.mkfifo(pipe)
    found = {}
    worker = threading.Thread(target=lambda: found.update(photo=saved_marks_photo(pipe), mark=segmix_mark(pipe)),
                              daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "a header look-up waited on the pipe"
    assert found == {"photo": {}, "mark": None}
