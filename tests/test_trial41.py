"""Faults found by session 41's new-user trial (trial41), command line and library.

* ``segmix skin eval --images hgr1/images --masks inverted/`` with masks marking skin 0 and
  non-skin 255 (HGR's original release marks skin black) printed ROC AUC 0.024 and F1 0.09 with
  no word, while ``skin train`` on the same folders asks whether the masks are inverted.
"""

import numpy as np
from PIL import Image

from segmix.cli import main


def _invert_masks(folder):
    for path in (folder / "masks").iterdir():
        labels = np.asarray(Image.open(path))
        Image.fromarray(np.where(labels == 128, 128, 255 - labels).astype(np.uint8)).save(path)


def test_skin_eval_asks_whether_inverted_masks_are_inverted(skin_dataset, capsys):
    _invert_masks(skin_dataset)
    code = main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--quiet"])
    captured = capsys.readouterr()
    assert code == 0
    assert "are the masks inverted?" in captured.err, captured.err
    assert str(skin_dataset / "masks") in captured.err


def test_skin_eval_of_masks_as_documented_asks_nothing(skin_dataset, capsys):
    code = main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--quiet"])
    captured = capsys.readouterr()
    assert code == 0
    assert "inverted" not in captured.err, captured.err


def test_evaluate_folder_carries_the_inverted_masks_warning(skin_dataset):
    from segmix import skin
    from segmix.skin_eval import evaluate_folder

    _invert_masks(skin_dataset)
    result = evaluate_folder(skin.load_skin_model(), skin_dataset / "images", skin_dataset / "masks")
    assert result.auc < 0.25
    assert any("are the masks inverted?" in line for line in result.warnings), result.warnings
