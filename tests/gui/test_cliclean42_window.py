"""Session 42 (cliclean): Skin mode's Load of a skin model trained on inverted masks (skin 0)
made it the active model without a word; it now says so (segmix.skin.inverted_model_words)."""

import numpy as np
from PIL import Image

from segmix.cli import main
from tests.conftest import write_skin_pairs


def test_loading_an_inverted_skin_model_is_said(qtbot, make_window, photo_path, tmp_path, messages):
    write_skin_pairs(tmp_path, [f"p{i}" for i in range(3)], np.random.default_rng(0))
    (tmp_path / "inverted").mkdir()
    for path in (tmp_path / "masks").iterdir():
        Image.fromarray(255 - np.asarray(Image.open(path))).save(tmp_path / "inverted" / path.name)
    for masks, name in (("masks", "good.json"), ("inverted", "inverted.json")):
        assert main(["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / masks),
                     "-o", str(tmp_path / name), "--quiet", "--inverted-ok"]) in (0, 1)
    window = make_window(photo_path)
    skin_mode = window.modes["skin"]
    assert skin_mode.load_skin_model(tmp_path / "good.json")
    assert not [m for m in messages if "inverted" in m[1]]
    assert skin_mode.load_skin_model(tmp_path / "inverted.json")
    said = [m for m in messages if m[0] == "Skin model may be inverted"]
    assert len(said) == 1 and "inverted.json: " in said[0][1] and "trained on inverted masks" in said[0][1]
    assert skin_mode.skin_model_name == "inverted.json"  # loaded all the same: the user decides
