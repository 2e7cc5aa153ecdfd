"""Session 56's skin faults (a new user's trial): every trained model's lost Monk tones, notes for
lifted, clipped and skin-filled photos, inverted training masks refused, and others."""

import numpy as np
import pytest
from PIL import Image

from segmix import skin
from segmix.cli import main
from tests.test_skin_init import scene


def _write_set(folder, n: int = 3, **kw):
    for sub in ("images", "masks"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        image, mask = scene(i, **kw)
        Image.fromarray(image).save(folder / "images" / f"s{i}.png")
        Image.fromarray(mask).save(folder / "masks" / f"s{i}.png")
    return folder


def test_plain_training_names_the_lost_tones(tmp_path, capsys):
    """Without --init, a model of one tone's photos loses most of the chart; the trial's 30-photo
    fit was told only "trained on 30 photos only"."""
    data = _write_set(tmp_path / "set")
    out = tmp_path / "plain.json"
    assert main(["skin", "train", "--images", str(data / "images"), "--masks", str(data / "masks"), "-o", str(out),
                 "--quiet", "--seed", "0"]) == 0
    err = capsys.readouterr().err
    assert f"segmix skin train: warning: {out}: no longer detects MST-" in err, err
    assert "(the built-in model does)" in err and "--init builtin" in err, err
