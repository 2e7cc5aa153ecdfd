"""``skin eval`` on masks of one class: skin-free photos checked for false alarms.

A new user's trial (session 45): masks without skin were refused ("hold no skin (255) pixels
... need both classes", exit 2), with no figure at all, though the false positive rate is the
figure such a check wants. It is reported (pooled and per photo), and recall, precision, F1 and
ROC are left out with a line saying why, exit 0; masks without non-skin give recall alone;
``--roc`` is skipped with a warning.
"""

import json

import numpy as np
import pytest
from PIL import Image

from segmix import skin
from segmix.cli import main
from segmix.skin_eval import SkinEvaluator, evaluate_folder, save_roc


def _set(tmp_path, value):
    """Two photos, a skin-tone square on blue, with masks all ``value`` (0: no skin, 255: all skin)."""
    images, masks = tmp_path / "img", tmp_path / "msk"
    images.mkdir()
    masks.mkdir()
    for i in range(2):
        photo = np.zeros((24, 32, 3), np.uint8)
        photo[:] = (40, 90, 160)
        photo[6:18, 8 + 4 * i:20 + 4 * i] = (205, 150, 125)
        Image.fromarray(photo).save(images / f"p{i}.png")
        Image.fromarray(np.full((24, 32), value, np.uint8)).save(masks / f"p{i}.png")
    return images, masks


def test_skin_free_masks_give_the_false_positive_rate(tmp_path, capsys):
    images, masks = _set(tmp_path, 0)
    roc, report, table = tmp_path / "roc.png", tmp_path / "r.json", tmp_path / "r.csv"
    code = main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet",
                 "--roc", str(roc), "--json", str(report), "--per-image", str(table)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = captured.out
    assert "pooled     false positive rate" in out and "non-skin pixels called skin" in out
    assert "per-image  false positive rate mean" in out
    assert ("recall, precision, F1 and ROC left out: the 2 masks used label no skin (255), so there is no "
            "skin to find") in out
    assert "F1 0." not in out and "ROC AUC" not in out
    err = captured.err.strip().splitlines()
    assert err == [f"segmix skin eval: warning: --roc {roc} skipped: a ROC needs skin and non-skin pixels, and "
                   "the 2 masks used label no skin (255)"]
    assert not roc.exists()
    data = json.loads(report.read_text())
    assert data["recall"] is None and data["auc"] is None and data["missing_class"] == "skin"
    rows = table.read_text().splitlines()
    assert len(rows) == 3 and all(row.split(",")[7] for row in rows[1:])  # each photo's rate
    # the figure itself: the squares (12 x 12 of 24 x 32) are skin-coloured and called skin
    pooled = data["false_positive_rate"]
    assert 0.02 < pooled < 0.4
    assert pooled == pytest.approx(np.mean([row["false_positive_rate"] for row in data["per_image"]]))


def test_skin_only_masks_give_recall_alone(tmp_path, capsys):
    images, masks = _set(tmp_path, 255)
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "pooled     recall 0." in out and "per-image  recall mean" in out
    assert "false positive rate, precision, F1 and ROC left out: the 2 masks used label no non-skin (0)" in out


def test_the_library_gives_the_figures_one_class_allows(tmp_path):
    images, masks = _set(tmp_path, 0)
    result = evaluate_folder(skin.load_skin_model(), images, masks)
    assert result.missing_class == "skin" and result.recall is None and result.f1 is None
    assert 0 < result.false_positive_rate < 1 and result.n_skin == 0
    with pytest.raises(ValueError, match="no ROC: it needs skin and non-skin pixels"):
        save_roc(tmp_path / "roc.png", result)
    evaluator = SkinEvaluator(0.5)
    posterior = np.zeros((4, 5), np.float32)
    posterior[0, :2] = 0.9
    evaluator.add(posterior, np.ones((4, 5), np.int8))
    alone = evaluator.result()  # all skin: recall 2 / 20
    assert alone.missing_class == "non-skin" and alone.recall == pytest.approx(0.1)
    assert alone.false_positive_rate is None and alone.precision is None
