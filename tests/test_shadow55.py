"""The shadow test's range said and set (session 55, a new user's trial: CDnet highway's dark car
shadows, about 0.13 times the road's brightness, always came out moving, while --help said only
"mark shadows as 127")."""

import json

import numpy as np
from PIL import Image

from segmix.cli import main


def _frames(tmp_path, ratio):
    """A grey road; from frame 21 a shadow ``ratio`` times as bright covers its middle."""
    folder = tmp_path / "in"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for t in range(1, 31):
        frame = np.full((40, 40, 3), (150, 140, 130), np.float64) + rng.normal(0, 1.5, (40, 40, 3))
        if t > 20:
            frame[10:30, 10:30] *= ratio
        Image.fromarray(np.clip(frame, 0, 255).astype(np.uint8)).save(folder / f"in{t:04d}.png")
    return folder


def _centre(path):
    return int(np.array(Image.open(path))[20, 20])


def test_the_help_says_which_shadows_are_caught(capsys):
    try:
        main(["background", "--help"])
    except SystemExit:
        pass
    text = " ".join(capsys.readouterr().out.split())
    assert "light shadows only" in text and "0.7 to 1 times its brightness" in text
    assert "--shadow-threshold TAU" in text


def test_shadow_threshold_takes_darker_shadows(tmp_path, capsys):
    folder = _frames(tmp_path, 0.5)
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "a"), "--quiet"]) == 0
    assert _centre(tmp_path / "a" / "in0022.png") == 255  # half as bright: moving at the default 0.7
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "b"), "--quiet",
                 "--shadow-threshold", "0.4", "--save-model", str(tmp_path / "m.json")]) == 0
    assert _centre(tmp_path / "b" / "in0022.png") == 127
    saved = json.loads((tmp_path / "m.json").read_text())
    assert json.dumps(saved).count('"shadow_threshold": 0.4') == 1
    for bad in ("0", "1", "1.5", "x"):
        assert main(["background", str(folder), "--output-dir", str(tmp_path / "c"), "--shadow-threshold", bad]) == 2
        assert "--shadow-threshold" in capsys.readouterr().err
