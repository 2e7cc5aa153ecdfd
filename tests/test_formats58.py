"""Model files carry a format version that a reader checks first (session 58): an older segmix
refused a newer background model (one holding a parameter it did not know) as "unknown
parameter", without a word that the file was newer, and segmix's own version had stayed 0.1.0
through the sessions that changed the file, so nothing in the file told it either."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import segmix
from segmix.cli import main

OLD_FILE = Path(__file__).parent / "data" / "background_model_session56.json"


def _background_file(tmp_path):
    from tests.test_inputs54 import _background_model

    return _background_model(tmp_path)


def _edited(path, edit, name):
    from tests.test_inputs53 import _edited as edited

    return edited(path, edit, name)


def test_segmix_version_moved_on():
    assert segmix.__version__ == "0.2.0"


def test_a_background_model_written_now_is_format_2(tmp_path):
    from segmix.background import SCHEMA_VERSION

    data = json.loads(_background_file(tmp_path).read_text())
    assert SCHEMA_VERSION == 2 and data["version"] == 2 and data["segmix_version"] == "0.2.0"
    assert "light_compensation" in data["params"]


def test_a_newer_background_model_is_refused_as_newer_in_one_line(tmp_path, capsys):
    from segmix.background import BackgroundModelError, load_background_model

    path = _background_file(tmp_path)
    newer = _edited(path, lambda d: (d.__setitem__("version", 3),
                                     d["params"].__setitem__("brand_new", 1)), "newer.json")
    with pytest.raises(BackgroundModelError) as info:
        load_background_model(newer)
    words = str(info.value)
    assert words == (f"{newer} was written by a newer segmix (format 3); this one reads formats up to 2: "
                     "update segmix"), words
    # The command line: the one line, exit non-zero, no traceback.
    capsys.readouterr()
    code = main(["background", str(tmp_path / "frames"), "--model", str(newer), "--output-dir",
                 str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code != 0 and "was written by a newer segmix (format 3)" in err and "Traceback" not in err, err
    assert "unknown parameter" not in err and len(err.strip().splitlines()) == 1, err


def test_older_background_files_still_load(tmp_path):
    from segmix.background import load_background_model

    old = load_background_model(OLD_FILE)  # session 56: format 1 without light_compensation
    assert old.light_compensation is False and old.frame_count_ == 5
    # Session 57 wrote format 1 with light_compensation (before the format moved on).
    data = json.loads(OLD_FILE.read_text())
    data["params"]["light_compensation"] = True
    data["stabilised"] = False
    path = tmp_path / "s57.json"
    path.write_text(json.dumps(data))
    model = load_background_model(path)
    assert model.light_compensation is True and model.stabilised_ is False


@pytest.mark.parametrize("version", [0, "2", 2.5, None])
def test_a_format_that_is_no_format_is_refused(tmp_path, version):
    from segmix.background import BackgroundModelError, load_background_model

    data = json.loads(OLD_FILE.read_text())
    data["version"] = version
    path = tmp_path / "v.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BackgroundModelError, match="'version'|unsupported background model version"):
        load_background_model(path)


def test_a_format_2_file_must_hold_light_compensation(tmp_path):
    from segmix.background import BackgroundModelError, load_background_model

    data = json.loads(OLD_FILE.read_text())
    data["version"] = 2  # only a format-1 file ran without it when it does not say
    path = tmp_path / "v.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BackgroundModelError, match="lacks the parameter light_compensation"):
        load_background_model(path)


def test_a_newer_skin_model_is_refused_as_newer_before_its_keys(tmp_path, capsys):
    from segmix.modelfile import read_model
    from segmix.skin import builtin_model_path

    data = json.loads(Path(builtin_model_path()).read_text())
    data["version"] = 7
    data["texture"] = {"weight": 1}  # what that newer format adds: not blamed
    path = tmp_path / "skin.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError) as info:
        read_model(path)
    words = str(info.value)
    assert words == f"{path} was written by a newer segmix (format 7); this one reads formats up to 1: update segmix", \
        words
    capsys.readouterr()
    photo = tmp_path / "p.png"
    from PIL import Image
    import numpy as np

    Image.fromarray(np.full((8, 8, 3), 128, np.uint8)).save(photo)
    code = main(["skin", "apply", str(photo), "--model", str(path), "--output-dir", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code != 0 and "newer segmix (format 7)" in err and "unknown key" not in err, err


def test_a_newer_segmentation_model_is_refused_as_newer(tmp_path):
    from segmix.segment_modelfile import read_segmentation_model
    from tests.test_inputs53 import _segment_model

    path = _segment_model(tmp_path)
    newer = _edited(path, lambda d: d.__setitem__("version", 2), "newer.json")
    with pytest.raises(ValueError) as info:
        read_segmentation_model(newer)
    assert re.search(r"was written by a newer segmix \(format 2\); this one reads formats up to 1: update segmix$",
                     str(info.value)), str(info.value)
