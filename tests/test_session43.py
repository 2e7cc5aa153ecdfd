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
