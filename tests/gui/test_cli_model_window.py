"""``segmix segment --model`` gives the mask the window shows for the same model and marks.

A new-user trial found no command-line way to use a saved model: ``segment --save-model``
wrote one, and only the window's File > Load Model used it.
"""

import numpy as np
from PIL import Image

from segmix.cli import main
from segmix.io import load_image, save_labels
from segmix.segment import BACKGROUND
from tests.gui.test_mark_order_window import _final
from tests.test_cli_trial24 import _marks, _photo


def test_segment_model_gives_the_windows_mask(qtbot, make_window, tmp_path):
    photo = tmp_path / "photo.png"
    Image.fromarray(_photo()).save(photo)
    marks = tmp_path / "marks.png"
    save_labels(marks, _marks())
    model = tmp_path / "model.json"
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "fit.png"),
                 "--save-model", str(model), "-k", "2"]) == 0

    window = make_window(photo, smoothing=True)
    assert window.modes["segment"].load_model(model)
    shown = _final(qtbot, window)
    assert main(["segment", str(photo), "--model", str(model), "-o", str(tmp_path / "cli.png")]) == 0
    assert np.array_equal(load_image(tmp_path / "cli.png")[..., 0] > 127, shown.mask)

    # With marks (hard constraints): a background stroke inside the object.
    other = np.zeros(_marks().shape, np.uint8)
    other[25:28, 20:30] = BACKGROUND
    save_labels(tmp_path / "other.png", other)
    assert window.load_scribbles(tmp_path / "other.png")
    shown = _final(qtbot, window)
    assert window.modes["segment"].loaded_model is not None and np.array_equal(shown.scribbles, other)
    assert main(["segment", str(photo), "--model", str(model), "--scribbles", str(tmp_path / "other.png"),
                 "-o", str(tmp_path / "cli2.png")]) == 0
    mask = load_image(tmp_path / "cli2.png")[..., 0] > 127
    assert np.array_equal(mask, shown.mask) and not mask[other == BACKGROUND].any()
