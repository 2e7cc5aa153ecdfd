"""How frames skipped in a run are told (session 42, vidnote).

* ``FrameSequence(on_skip=)`` is called once for every frame skipped; a video's frames skipped
  in a row for one reason are said by the run's first call ("frames 21-23 (3 frames)"), its
  later frames as :class:`segmix.frames.RepeatedSkip` lines, which the command line counts and
  does not print. An MJPEG clip's damaged frames in a row were a line each (three lines where
  an H.264 clip's run was one), and the later frames' lines repeated the run's reason as lines
  of their own to a caller that printed every line.
* A folder's files broken in a row for one reason are one line too ("skipped DIR/in000021.png
  ... in000023.png (3 files, frames 21-23): ..."; a folder of 30 broken files was 30 lines), each
  file still one call (a :class:`segmix.frames.FrameSkip` naming it).
* The counts of the command line's lines, its summary and the masks written agree, for runs at
  a video's start, middle and end, and for a folder's broken PNG / JPEG files (first, last,
  all), with ``--quiet`` too; every mask keeps its frame's number.
"""

from pathlib import Path

import pytest
from PIL import Image

from segmix.cli import main
from tests.synthetic_photos import moving_square_frames
from tests.test_trial35_background import _chunks, _mjpeg_avi
from tests.test_vidpkt40 import _decoded, _encode, _refused

av = pytest.importorskip("av")


def _damaged_mjpeg(path: Path, frames, count: int = 30) -> Path:
    """An MJPEG AVI of ``count`` frames whose frames ``frames`` have their JPEG header overwritten:
    FFmpeg refuses each (one damaged frame each, numbered by the file's index)."""
    whole = _mjpeg_avi(path.with_name("whole.avi"), count)
    data = bytearray(whole.read_bytes())
    chunks = _chunks(bytes(data))
    for frame in frames:
        at = chunks[frame - 1]
        data[at + 8: at + 208] = b"\x11" * 200
    path.write_bytes(bytes(data))
    return path


def _refused_h264(path: Path, frames) -> Path:
    video = _encode(path)
    for frame in frames:
        _refused(video, frame)
    if _decoded(video)[1] is None:
        pytest.skip("this FFmpeg decodes the damaged packets")
    return video


def _calls(video) -> list:
    from segmix.frames import FrameSequence

    said = []
    indices = [frame.index for frame in FrameSequence(video, on_skip=said.append)]
    return said, indices


@pytest.mark.parametrize("kind, frames, total", [("mjpeg", (21, 22, 23), 30), ("h264", (21, 22, 23), 40),
                                                 ("h264", (38, 39, 40), 40), ("mjpeg", (1, 2), 30),
                                                 ("mjpeg", (29, 30), 30)])
def test_a_run_of_lost_video_frames_is_one_line_and_each_frame_one_call(tmp_path, kind, frames, total):
    from segmix.frames import RepeatedSkip

    suffix = "avi" if kind == "mjpeg" else "mkv"
    video = (_damaged_mjpeg(tmp_path / f"cam.{suffix}", frames) if kind == "mjpeg"
             else _refused_h264(tmp_path / f"cam.{suffix}", frames))
    said, indices = _calls(video)
    first, last = frames[0], frames[-1]
    # One call per frame skipped; the first names the run, the others are to count, not to show.
    assert len(said) == len(frames), said
    shown = [line for line in said if not isinstance(line, RepeatedSkip)]
    assert shown == [said[0]]
    assert said[0].startswith(f"skipped {video} frames {first}-{last} ({len(frames)} frames): "), said[0]
    assert all(f"(of frames {first}-{last}, said with frame {first})" in line for line in said[1:]), said
    # Every frame keeps its number.
    assert indices == [k for k in range(1, total + 1) if k not in frames]


@pytest.mark.parametrize("quiet", [False, True])
def test_the_command_line_says_a_video_run_once_and_counts_each_frame(tmp_path, capsys, quiet):
    video = _damaged_mjpeg(tmp_path / "cam.avi", (21, 22, 23))
    out = tmp_path / "masks"
    status = main(["background", str(video), "--output-dir", str(out)] + (["--quiet"] if quiet else []))
    captured = capsys.readouterr()
    assert status == 1
    skipped = [line for line in captured.err.splitlines() if "skipped" in line]
    assert skipped == [f"segmix background: skipped {video} frames 21-23 (3 frames): the frame is damaged (its JPEG "
                       "header is missing)"], captured.err
    assert "27 frames" in captured.out and "3 frames skipped" in captured.out, captured.out
    assert sorted(p.name for p in out.glob("*.png")) == [f"frame_{k:06d}.png" for k in range(1, 31)
                                                          if k not in (21, 22, 23)]


def _folder(path: Path, broken, suffix: str = "png", count: int = 30) -> Path:
    path.mkdir()
    for k, pixels in enumerate(moving_square_frames(count, (64, 48), seed=42), start=1):
        file = path / f"in{k:06d}.{suffix}"
        Image.fromarray(pixels).save(file)
        if k in broken:
            file.write_bytes(file.read_bytes()[:60])
    return path


def _runs(broken) -> list[tuple[int, int]]:
    runs = []
    for k in broken:
        if runs and runs[-1][1] == k - 1:
            runs[-1][1] = k
        else:
            runs.append([k, k])
    return [tuple(run) for run in runs]


@pytest.mark.parametrize("suffix", ["png", "jpg"])
@pytest.mark.parametrize("broken", [(21, 22, 23), (1, 2), (29, 30), (5, 21, 22, 23, 30)])
def test_a_folder_with_broken_frames_says_a_run_once_counts_each_and_keeps_the_numbers(tmp_path, capsys, suffix,
                                                                                        broken):
    from segmix.frames import FrameSequence, FrameSkip, RepeatedFileSkip, RepeatedSkip

    folder = _folder(tmp_path / "frames", broken, suffix)
    said = []
    indices = [frame.index for frame in FrameSequence(folder, on_skip=said.append)]
    assert indices == [k for k in range(1, 31) if k not in broken]
    # One call per file, each naming its file; files in a row broken alike are one line (each
    # was a line of its own: 300 lines for a copy that left 300 empty files).
    assert [line.path.name for line in said] == [f"in{k:06d}.{suffix}" for k in broken]
    assert all(isinstance(line, FrameSkip) for line in said)
    shown = [line for line in said if not isinstance(line, RepeatedSkip)]
    runs = _runs(broken)
    assert len(shown) == len(runs), shown
    for line, (first, last) in zip(shown, runs):
        if first == last:
            assert line.startswith(f"skipped {folder / f'in{first:06d}.{suffix}'}: "), line
        else:
            assert line.startswith(f"skipped {folder / f'in{first:06d}.{suffix}'} ... in{last:06d}.{suffix} "
                                   f"({last - first + 1} files, frames {first}-{last}): "), line
    assert all(isinstance(line, RepeatedFileSkip) for line in said if line not in shown)
    out = tmp_path / "masks"
    assert main(["background", str(folder), "--output-dir", str(out), "--quiet"]) == 1
    captured = capsys.readouterr()
    # The command line says the first line of a reason at once and folds the later runs of the
    # same reason into one line after the run, counting their frames (tests/test_cliclean42.py).
    lines = [line for line in captured.err.splitlines() if "skipped" in line]
    assert lines[0] == f"segmix background: {shown[0]}", captured.err
    if len(runs) == 1:
        assert len(lines) == 1, captured.err
    else:
        later = ", ".join(f"in{a:06d}.{suffix}" if a == b else f"in{a:06d}.{suffix} ... in{b:06d}.{suffix}"
                          for a, b in runs[1:])
        more = sum(b - a + 1 for a, b in runs[1:])
        assert len(lines) == 2 and lines[1].startswith(
            f"segmix background: skipped {folder / later} ({more} more frames alike): "), captured.err
    n = len(broken)
    assert f"masks of {30 - n} frames" in captured.out and f"{n} frames skipped" in captured.out, captured.out
    assert sorted(p.name for p in out.glob("*.png")) == [f"in{k:06d}.png" for k in range(1, 31) if k not in broken]


def test_broken_files_in_a_row_for_other_reasons_are_said_each(tmp_path):
    from segmix.frames import FrameSequence, RepeatedSkip

    folder = _folder(tmp_path / "frames", (10,))
    (folder / "in000011.png").write_bytes(b"")  # empty: another reason than frame 10's
    said = []
    list(FrameSequence(folder, on_skip=said.append))
    assert len(said) == 2 and not any(isinstance(line, RepeatedSkip) for line in said), said


def test_a_folder_of_broken_frames_only_is_refused_with_nothing_written(tmp_path, capsys):
    folder = _folder(tmp_path / "frames", set(range(1, 31)))
    out = tmp_path / "masks"
    assert main(["background", str(folder), "--output-dir", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"segmix background: skipped {folder / 'in000001.png'} ... in000030.png (30 files, "
                                "frames 1-30): truncated image: the file ends before the picture does, 60 bytes on "
                                "disk (an interrupted download or copy?)",
                                f"segmix background: error: {folder}: no readable frame"], err
    assert not out.exists()
