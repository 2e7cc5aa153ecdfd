"""Session 37's trial of Segment mode over a longer working session (helper trial37a): marks
saved while a loaded model made the mask, and what the window and ``segmix segment`` then say."""

import numpy as np
from PIL import Image


def _wait(qtbot, window):
    seg = window.modes["segment"]
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)


def test_marks_saved_under_a_loaded_model_say_the_model_in_the_window_and_to_segment(
        qtbot, make_window, photo_path, tmp_path, capsys):
    """A user saved a model, applied it (File > Load Model) to the photo with marks as hard
    constraints, and saved the marks: "Saved marks.png (with the model settings)". `segmix
    segment --scribbles marks.png` then fitted the marks and gave another mask (22,539 px of a
    DAVIS frame) without a word, and so did File > Load Scribbles in a later window."""
    from gui_helpers import drag, paint_two_classes

    from segmix.cli import main as cli_main

    window = make_window(photo_path, smoothing=True)
    seg = window.modes["segment"]
    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    assert seg.save_model(tmp_path / "m.json")
    assert seg.load_model(tmp_path / "m.json")
    _wait(qtbot, window)
    window.set_tool("foreground")
    drag(window, [(25, 15), (30, 20)])
    _wait(qtbot, window)
    assert window.export("scribbles", tmp_path / "marks.png")
    saved = window.statusBar().currentMessage()
    assert "loaded model m.json" in saved and "--model m.json" in saved, saved
    assert window.export("mask", tmp_path / "shown.png")

    capsys.readouterr()
    assert cli_main(["segment", str(photo_path), "--scribbles", str(tmp_path / "marks.png"),
                     "-o", str(tmp_path / "fitted.png")]) == 0
    err = capsys.readouterr().err
    assert "loaded model m.json" in err and "add --model m.json" in err, err
    # With the model, no note, and the window's mask to the bit.
    assert cli_main(["segment", str(photo_path), "--scribbles", str(tmp_path / "marks.png"), "--model",
                     str(tmp_path / "m.json"), "-o", str(tmp_path / "modelled.png")]) == 0
    assert "loaded model" not in capsys.readouterr().err
    assert np.array_equal(np.asarray(Image.open(tmp_path / "modelled.png")),
                          np.asarray(Image.open(tmp_path / "shown.png")))

    # A later window without the model: Load Scribbles says so.
    later = make_window(photo_path, smoothing=True)
    assert later.load_scribbles(tmp_path / "marks.png")
    note = later.statusBar().currentMessage()
    assert "loaded model m.json" in note and "Load Model" in note, note
    # Marks fitted as usual record no model, and say none.
    assert window.modes["segment"].fit_new_model() is None
    _wait(qtbot, window)
    assert window.export("scribbles", tmp_path / "fitted_marks.png")
    assert "loaded model" not in window.statusBar().currentMessage()
    assert cli_main(["segment", str(photo_path), "--scribbles", str(tmp_path / "fitted_marks.png"),
                     "-o", str(tmp_path / "again.png")]) == 0
    assert "loaded model" not in capsys.readouterr().err


def test_an_export_says_it_is_saving_while_it_writes(qtbot, window, tmp_path, monkeypatch):
    """A 40-megapixel photo's cut-out took 7-17 s to write (PNG compression), and the window
    stood frozen with the earlier status line and the arrow cursor: it looked hung."""
    from gui_helpers import paint_two_classes
    from PySide6.QtWidgets import QApplication

    from segmix.gui import files

    paint_two_classes(qtbot, window)
    _wait(qtbot, window)
    seen = []
    real = files.write_export

    def watched(*args, **kwargs):
        cursor = QApplication.overrideCursor()
        seen.append((window.statusBar().currentMessage(), None if cursor is None else cursor.shape()))
        return real(*args, **kwargs)

    monkeypatch.setattr(files, "write_export", watched)
    for kind in ("cutout", "probability", "scribbles"):
        assert window.export(kind, tmp_path / f"{kind}.png")
    # Written off the GUI thread since (segmix.gui.export_writer): no wait cursor over a window
    # that takes marks meanwhile (it hid the brush's outline).
    assert seen == [(f"Saving {kind}.png...", None) for kind in ("cutout", "probability", "scribbles")], seen
    assert QApplication.overrideCursor() is None
    assert window.statusBar().currentMessage().startswith("Saved ")


def test_load_scribbles_of_a_0_1_mask_says_what_it_looks_like(qtbot, make_window, tmp_path):
    """File > Load Scribbles of a 0 / 1 object mask loaded it as foreground marks over the whole
    object, nothing background, without a word (as `segment --scribbles` did)."""
    from gui_helpers import HEIGHT, WIDTH, make_two_colour_image

    big = np.kron(make_two_colour_image(), np.ones((3, 3, 1), np.uint8))  # 180 x 240
    Image.fromarray(big).save(tmp_path / "p.png")
    mask = np.zeros((HEIGHT * 3, WIDTH * 3), np.uint8)
    mask[30:150, 10:110] = 1
    Image.fromarray(mask).save(tmp_path / "mask01.png")
    window = make_window(tmp_path / "p.png")
    assert window.load_scribbles(tmp_path / "mask01.png")
    note = window.statusBar().currentMessage()
    assert "mask01.png" in note and "0 / 1 mask" in note, note
