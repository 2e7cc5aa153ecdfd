"""Session 37's re-check (helper recheck37) of the window's fixes of that session."""

from gui_helpers import drag


def test_wide_foreground_strokes_saved_and_loaded_again_are_not_called_a_mask(qtbot, make_window, tmp_path):
    """Foreground strokes alone with a wide brush, File > Save Scribbles, then Load Scribbles:
    the status said 'is it a 0 / 1 mask given as scribbles?' of the window's own marks file."""
    import numpy as np
    from PIL import Image

    photo = np.full((240, 320, 3), (40, 120, 60), np.uint8)
    photo[40:200, 80:240] = (200, 60, 50)
    Image.fromarray(photo).save(tmp_path / "p.png")
    window = make_window(tmp_path / "p.png")
    window.set_tool("foreground")
    window.canvas.set_brush_size(60)
    with qtbot.waitSignal(window.overlay_updated, timeout=60000):
        drag(window, [(160, 70), (160, 120), (160, 170)])
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    assert window.load_scribbles(marks)
    note = window.statusBar().currentMessage()
    assert "0 / 1 mask" not in note, note
