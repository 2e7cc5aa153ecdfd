"""A saved background model records whether its frames were stabilised (session 57): a model
learnt with --stabilise sits where the aligned frames put the background, and resumed without
it (or the other way round) nothing said so."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.background import BackgroundMixture, load_background_model, save_background_model
from segmix.cli import main
from segmix.stabilise import Stabiliser
from test_stabilise56 import _shaken

#: Written by session 56's segmix (before the record): five frames fed through the stabiliser.
OLD_FILE = Path(__file__).parent / "data" / "background_model_session56.json"


def _folder(tmp_path, name="frames", n=24):
    folder = tmp_path / name
    folder.mkdir()
    frames, _ = _shaken(n, 3)
    for index, frame in enumerate(frames, 1):
        Image.fromarray(frame).save(folder / f"in{index:06d}.png")
    return folder


def test_the_model_file_records_whether_its_frames_were_stabilised(tmp_path):
    frames, _ = _shaken(6, 3)
    stabilised, plain = BackgroundMixture(), BackgroundMixture()
    assert stabilised.stabilised_ is None  # no frame yet
    stabiliser = Stabiliser()
    for frame in frames:
        stabiliser.apply(stabilised, frame)
        plain.apply(frame)
    assert stabilised.stabilised_ is True and plain.stabilised_ is False
    for model, name in ((stabilised, "s.json"), (plain, "p.json")):
        save_background_model(tmp_path / name, model)
    assert json.loads((tmp_path / "s.json").read_text())["stabilised"] is True
    assert json.loads((tmp_path / "p.json").read_text())["stabilised"] is False
    assert load_background_model(tmp_path / "s.json").stabilised_ is True
    assert load_background_model(tmp_path / "p.json").stabilised_ is False
    # No reference frame is kept: the stabiliser aligns with the model's background, which the
    # saved state gives back whole.
    again = load_background_model(tmp_path / "s.json")
    np.testing.assert_array_equal(again.background_image(), stabilised.background_image())
    np.testing.assert_array_equal(Stabiliser().apply(again, frames[0]), Stabiliser().apply(stabilised, frames[0]))


def test_a_model_file_from_before_the_record_still_loads(tmp_path):
    data = json.loads(OLD_FILE.read_text())
    assert "stabilised" not in data
    model = load_background_model(OLD_FILE)
    assert model.stabilised_ is None and model.frame_count_ == 5
    save_background_model(tmp_path / "again.json", model)  # written back: still unknown, not "false"
    assert json.loads((tmp_path / "again.json").read_text())["stabilised"] is None


@pytest.mark.parametrize("value", ["yes", 1, [True]])
def test_a_bad_record_is_refused_in_one_line(tmp_path, value):
    from segmix.background import BackgroundModelError

    data = json.loads(OLD_FILE.read_text())
    data["stabilised"] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BackgroundModelError, match="'stabilised' must be true, false or null"):
        load_background_model(path)


def _run(capsys, *args):
    capsys.readouterr()
    code = main(["background", *map(str, args)])
    return code, capsys.readouterr().err


def test_resuming_a_stabilised_model_stabilises_and_says_so(tmp_path, capsys):
    folder = _folder(tmp_path)
    code, _ = _run(capsys, folder, "--save-model", tmp_path / "m.json", "--stabilise")
    assert code == 0
    code, err = _run(capsys, folder, "--model", tmp_path / "m.json", "--output-dir", tmp_path / "out")
    assert code == 0
    assert ("m.json was learnt from stabilised frames (--stabilise): these frames are stabilised too; "
            "--no-stabilise feeds them as they come") in err, err
    assert "stabilised: " in err and "camera seems to shake" not in err
    # The masks are those of a run given --stabilise.
    code, _ = _run(capsys, folder, "--model", tmp_path / "m.json", "--output-dir", tmp_path / "given", "--stabilise")
    for path in sorted((tmp_path / "given").iterdir()):
        np.testing.assert_array_equal(np.asarray(Image.open(path)), np.asarray(Image.open(tmp_path / "out" / path.name)))


def test_resuming_with_the_other_setting_says_it_differs(tmp_path, capsys):
    folder = _folder(tmp_path)
    _run(capsys, folder, "--save-model", tmp_path / "s.json", "--stabilise")
    code, err = _run(capsys, folder, "--model", tmp_path / "s.json", "--output-dir", tmp_path / "o1", "--no-stabilise")
    assert code == 0
    assert ("warning: " in err and "s.json was learnt from stabilised frames (--stabilise), but --no-stabilise feeds "
            "these as they come") in err, err
    _run(capsys, folder, "--save-model", tmp_path / "p.json", "--no-stabilise")
    code, err = _run(capsys, folder, "--model", tmp_path / "p.json", "--output-dir", tmp_path / "o2", "--stabilise")
    assert code == 0
    assert "p.json was learnt from frames as they came (without --stabilise); --stabilise aligns these" in err, err
    # Neither said when they agree, nor of an old file that does not tell.
    code, err = _run(capsys, folder, "--model", tmp_path / "p.json", "--output-dir", tmp_path / "o3")
    assert "learnt from" not in err


# -- the stabiliser's background in a crop and a strip only (session 57, its cost) ---------------

def test_the_background_windows_are_the_whole_images_parts():
    frames, _ = _shaken(5, 3)
    model = BackgroundMixture()
    for frame in frames:
        model.apply(frame)
    whole = model.background_image()
    np.testing.assert_array_equal(model.background_window(10, 20, 30, 40), whole[10:40, 20:60])
    np.testing.assert_array_equal(model.background_window(0, 0, *whole.shape[:2]), whole)
    np.testing.assert_array_equal(model.background_grey_window(10, 20, 30, 40),
                                  whole[10:40, 20:60].astype(np.float32).sum(axis=2))
    np.testing.assert_array_equal(model.background_grey_window(5, 0, 7, 192, channels=1),
                                  whole[5:12, :, 0].astype(np.float32))
    with pytest.raises(ValueError, match="outside the model's 192 x 144 frames"):
        model.background_window(140, 0, 10, 10)


@pytest.mark.parametrize("grey", [False, True])
@pytest.mark.parametrize("shift", [(3, -2), (-5, 0), (0, 7), (-1, -1), (200, 0)])
def test_a_frame_moved_back_takes_the_background_in_its_strip(shift, grey):
    from segmix.stabilise import _moved_back, shift_image

    frames, _ = _shaken(5, 3)
    if grey:
        frames = [frame[..., 1].copy() for frame in frames]
    model = BackgroundMixture()
    for frame in frames[:4]:
        model.apply(frame)
    whole = model.background_image()
    expected = shift_image(frames[4], -shift[0], -shift[1], whole[..., 0] if grey else whole)
    np.testing.assert_array_equal(_moved_back(model, frames[4], *shift), expected)


def test_distributed_warns_of_a_model_learnt_stabilised(tmp_path, capsys, monkeypatch):
    import contextlib

    import segmix.cli as cli
    import segmix.distributed.background_jobs as jobs

    folder = _folder(tmp_path)
    _run(capsys, folder, "--save-model", tmp_path / "s.json", "--stabilise")
    _run(capsys, folder, "--save-model", tmp_path / "p.json")
    monkeypatch.setattr(cli, "_dask_client", lambda args: contextlib.nullcontext(None))  # no cluster: the words only
    monkeypatch.setattr(jobs, "run_background", lambda *args, **kwargs: 0)
    for name, warned in (("s.json", True), ("p.json", False)):
        code, err = _run(capsys, folder, "--model", tmp_path / name, "--output-dir", tmp_path / f"out_{name}",
                         "--distributed", "--quiet")
        assert code == 0
        assert ("s.json was learnt from stabilised frames (--stabilise), but --distributed feeds the frames as they "
                "come" in err) is warned, err
