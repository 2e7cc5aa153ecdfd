"""Faults a new user met in session 43 and mended the same session."""

from __future__ import annotations

from pathlib import Path

import pytest

from segmix import skin_eval
from segmix.cli import main


def _titles(monkeypatch):
    seen = []
    monkeypatch.setattr(skin_eval, "save_roc", lambda path, result, title="", **kw: seen.append(title))
    return seen


def test_the_roc_title_names_a_short_folder_whole_and_marks_a_cut_one(skin_dataset, monkeypatch, tmp_path):
    # Before: "Skin detection ROC: tmp/w/skin_ccp" for /tmp/w/skin_ccp, read as a relative path.
    seen = _titles(monkeypatch)
    images = skin_dataset / "images"
    assert main(["skin", "eval", "--images", str(images), "--masks", str(skin_dataset / "masks"),
                 "--roc", str(tmp_path / "r.png"), "--quiet"]) == 0
    resolved = images.resolve()
    if len(resolved.parts) <= 4:
        assert seen == [f"Skin detection ROC: {resolved}"]
    else:
        assert seen == ["Skin detection ROC: .../" + "/".join(resolved.parts[-3:])]
        assert not seen[0].startswith("Skin detection ROC: " + resolved.parts[1])


def test_segment_says_a_greyscale_photo_is_told_by_grey_level_alone(tmp_path, capsys):
    # Before: a greyscale copy of a DAVIS frame gave IoU 0.34 (0.83 in colour) without a word.
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, (60, 80)).astype(np.uint8)
    Image.fromarray(grey).convert("RGB").save(tmp_path / "g.png")
    colour = rng.integers(0, 256, (60, 80, 3)).astype(np.uint8)
    Image.fromarray(colour).save(tmp_path / "c.png")
    assert main(["segment", str(tmp_path / "g.png"), "--click", "40,30", "-o", str(tmp_path / "gm.png")]) == 0
    err = capsys.readouterr().err
    assert "g.png is a greyscale photo: the models tell the object by grey level alone" in err
    assert main(["segment", str(tmp_path / "g.png"), "--click", "40,30", "-o", str(tmp_path / "gm.png"),
                 "--quiet"]) == 0
    assert "by grey level alone" not in capsys.readouterr().err
    assert main(["segment", str(tmp_path / "c.png"), "--click", "40,30", "-o", str(tmp_path / "cm.png")]) == 0
    assert "by grey level alone" not in capsys.readouterr().err
