"""Marks given to ``segmix segment`` by coordinates and saved (``--save-scribbles``) open in the
window as its own saved marks do: the same mask, one undo step per box or click."""

import numpy as np
from PIL import Image

from segmix.cli import main
from tests.gui.test_mark_order_window import _final
from tests.test_segment_box import two_tone_scene


def test_marks_made_on_the_command_line_reopen_in_the_window_to_its_mask(qtbot, make_window, tmp_path):
    image, _ = two_tone_scene()
    photo = tmp_path / "scene.png"
    Image.fromarray(image).save(photo)
    marks, mask = tmp_path / "marks.png", tmp_path / "mask.png"
    assert main(["segment", str(photo), "--box", "30,20,130,100", "--click", "80,45", "--background-click", "35,25",
                 "-o", str(mask), "--save-scribbles", str(marks)]) == 0
    window = make_window(photo, smoothing=True)
    assert window.load_scribbles(marks)
    reopened = _final(qtbot, window)
    assert np.array_equal(reopened.mask, np.array(Image.open(mask)) > 0)
    assert reopened.mark_order.max() == 3
    assert "Replayed your marks in the 3 steps they were made in" in \
        window.modes["segment"].training_panel.status_label.text()
