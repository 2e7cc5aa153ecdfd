"""A --box whose mask keeps almost none of the box was said only when the mask was empty: a new
user's 150-px thumbnail of DAVIS 020's boat kept 2 pixels of its box's 2,146 with "2 pixels
foreground, under 0.1%" and no word (session 45)."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from segmix.cli import _box_kept_little, main
from segmix.io import BACKGROUND

DAVIS = Path(__file__).resolve().parents[2] / "shared" / "data" / "interactive" / "davis"


def _box(shape, top, bottom, left, right):
    labels = np.full(shape, BACKGROUND, np.uint8)
    labels[top:bottom, left:right] = 0
    return labels


def test_a_box_that_keeps_under_a_hundredth_of_its_inside_is_said():
    labels = _box((60, 80), 10, 50, 20, 70)  # 2,000 unmarked pixels
    args = SimpleNamespace(box=(20, 10, 70, 50), output="m.png")
    mask = np.zeros((60, 80), bool)
    mask[30, 40:42] = True
    words = _box_kept_little(args, SimpleNamespace(mask=mask), labels)
    assert words is not None and "the box kept 2 of its 2,000 unmarked pixels (0.1 %)" in words
    assert "--click X,Y" in words
    mask[20:40, 30:31] = True  # 22 pixels: over a hundredth
    assert _box_kept_little(args, SimpleNamespace(mask=mask), labels) is None
    assert _box_kept_little(SimpleNamespace(box=None, output="m.png"), SimpleNamespace(mask=mask), labels) is None


@pytest.mark.skipif(not (DAVIS / "images" / "020.jpg").exists(), reason="needs ../shared/data (DAVIS)")
def test_the_boats_thumbnail_box_is_said(tmp_path, capsys):
    image = Image.open(DAVIS / "images" / "020.jpg").convert("RGB")
    image.resize((150, 84), Image.LANCZOS).save(tmp_path / "t.png")
    assert main(["segment", str(tmp_path / "t.png"), "--box", "25.1,26.3,98.2,55.0", "-o", str(tmp_path / "m.png")]) == 0
    err = capsys.readouterr().err
    mask = np.asarray(Image.open(tmp_path / "m.png")) > 0
    if mask[26:56, 25:99].mean() < 0.01:
        assert "the box kept" in err or "no pixel came out foreground" in err
