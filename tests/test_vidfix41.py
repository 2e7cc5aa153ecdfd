"""Damaged videos read by one rule (session 41).

* The frames a Matroska demuxer passes over were counted by two rules: the window's frame count
  (its packets, :meth:`FrameReader.count_frames`) and the numbering of the frames
  (:func:`segmix.frames._pictures`). A frame FFmpeg refuses right before the data passed over
  left the frames passed over uncounted in the numbering: frames 21-40 of a 40-frame clip came
  out as frames 10-29, in silence, while the window counted 40.
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.test_vidpkt40 import _decoded, _encode, _front, _passed_over, _refused, _square_front

av = pytest.importorskip("av")


# ------------------------------------------------ one rule for the frames passed over
def test_a_refused_frame_before_frames_passed_over_keeps_the_later_numbers(tmp_path, capsys):
    from segmix.frames import DamagedFrameError, FrameReader, FrameSequence, RepeatedSkip

    video = _passed_over(_refused(_encode(tmp_path / "cam.mkv"), 9), 10)
    count, error = _decoded(video)
    if error is None:
        pytest.skip("this FFmpeg decodes the damaged packet")
    said = []
    frames = {frame.index: frame.pixels for frame in FrameSequence(video, on_skip=said.append)}
    assert sorted(frames) == [k for k in range(1, 41) if not 9 <= k <= 20]  # were 1-8, 10-29
    lines = [line for line in said if not isinstance(line, RepeatedSkip)]
    assert lines == [f"skipped {video} frame 9: the frame cannot be decoded (Invalid data found when processing "
                     "input)",
                     f"skipped {video} frames 10-20 (11 frames): the file holds no data FFmpeg can read there (the "
                     "demuxer passed over damaged data)"], lines
    # The window: the same count, the same frame under each number, across seeks too.
    reader = FrameReader(FrameSequence(video))
    assert reader.count_frames() == 40
    for k in list(range(1, 41)) + [30, 5, 22, 40, 21, 8]:
        if 9 <= k <= 20:
            with pytest.raises(DamagedFrameError):
                reader.read(k)
        else:
            assert np.array_equal(reader.read(k), frames[k]), k
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out), "--quiet"]) == 1
    for k in (21, 30, 40):
        mask = np.asarray(Image.open(out / f"frame_{k:06d}.png"))
        assert abs(_square_front(mask) - _front(k)) <= 2, (k, _square_front(mask), _front(k))


# ------------------------------------------------ one check of another input's masks
def _frames(folder: Path, names) -> Path:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(len(names))
    for name in names:
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(folder / f"{name}.png")
    return folder


def test_distributed_runs_look_at_the_masks_as_the_one_machine_command_does(tmp_path):
    """`background --distributed` replaces a sequence's output folder whole, and looked at its
    first three masks only: a folder whose first masks were of the input itself (a one-machine
    run of it beside another camera's masks of other names) was replaced, the other camera's
    masks with it, in silence. Both commands now sample the masks by one rule."""
    from segmix.background_run import save_foreground_mask, sequence_source
    from segmix.distributed.background_jobs import plan_sequences
    from segmix.frames import FrameSequence

    cam1 = _frames(tmp_path / "cam1" / "day1", [f"b{k:03d}" for k in range(8)])
    cam2 = _frames(tmp_path / "cam2" / "day1", [f"a{k:03d}" for k in range(3)])
    masks = tmp_path / "out" / "day1"
    masks.mkdir(parents=True)
    mask = np.zeros((24, 32), np.uint8)
    for cam in (cam2, cam1):
        source = sequence_source(FrameSequence(cam))
        for frame in sorted(cam.iterdir()):
            save_foreground_mask(masks / frame.name, mask, source=source)
    with pytest.raises(ValueError, match="another input") as caught:
        plan_sequences([str(cam2)], tmp_path / "out")
    assert str(cam1.resolve()) in str(caught.value), caught.value
    plan_sequences([str(cam2)], tmp_path / "elsewhere")  # no masks there: nothing refused


def test_one_sample_rule_for_both_commands(tmp_path, monkeypatch):
    """The one-machine command's check and the --distributed one call one function."""
    import segmix.source_record as record
    from segmix.background_run import refuse_other_sources
    from segmix.distributed.background_jobs import _refuse_other_input

    calls = []
    monkeypatch.setattr(record, "first_other_source", lambda outputs, source: calls.append(list(outputs)))
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"")
    refuse_other_sources([(folder / "a.png", "the mask of a")], "/x", "choose another --output-dir")
    _refuse_other_input(folder, folder, tmp_path / "x", tmp_path / "x")
    assert calls == [[folder / "a.png"], [folder / "a.png"]]
