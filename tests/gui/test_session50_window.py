"""Session 50's own fixes in the window."""

from PIL import Image

from gui_helpers import make_two_colour_image, paint_two_classes


def test_the_other_photo_note_goes_when_the_load_is_undone_or_cleared(qtbot, window, tmp_path):
    """Marks saved on another photo, loaded: the banner says so; after Undo of the load (the
    marks before it back on screen) or Clear, the banner still said "... holds marks drawn on
    two.png" over marks that were not those (session 49's spot check)."""
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    marks = tmp_path / "two_scribbles.png"
    assert window.export("scribbles", marks)
    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=1)).save(other)
    assert window.open_image(other)
    said = "holds marks drawn on two.png, not on other.png"
    assert said not in window.hint_label.text()
    assert window.load_scribbles(marks)
    assert said in window.hint_label.text()
    steps = window.undo_stack.index()  # one per saved step (the saved order is replayed)
    for _ in range(steps - 1):
        window.undo_stack.undo()
    assert window.layer.labels.any() and said in window.hint_label.text()  # some of them still shown
    window.undo_stack.undo()  # the banner follows the undo itself (no update_hint called here)
    assert not window.layer.labels.any()
    assert said not in window.hint_label.text()
    window.undo_stack.redo()
    assert said in window.hint_label.text()
    # a new stroke after the undo drops the load from the history: no note either
    window.undo_stack.undo()
    paint_two_classes(qtbot, window)
    window.update_hint()
    assert window.layer.labels.any() and said not in window.hint_label.text()
    # loaded again (the stroke undone: it drew the file's very marks), then cleared
    window.undo_stack.undo()
    assert window.load_scribbles(marks)
    window.update_hint()
    assert said in window.hint_label.text()
    window.clear_scribbles()
    window.update_hint()
    assert not window.layer.labels.any() and said not in window.hint_label.text()


def test_the_convergence_plot_shows_black_curves_on_its_dark_ground(qtbot):
    """With View > Colours > Colour-blind Safe the background class is black, and its EM
    curve on the plot's near-black ground could not be seen (session 50's own look)."""

    from segmix.gui.modes.segment_panels import ConvergencePlot
    from segmix.gui.overlay import set_palette
    from segmix.gui.qimage import qimage_to_rgb

    plot = ConvergencePlot()
    qtbot.addWidget(plot)
    plot.resize(220, 120)
    for i in range(6):
        plot.add_point(1, i, -10 + i * 0.3)
    try:
        set_palette("safe")
        shown = qimage_to_rgb(plot.grab().toImage())
    finally:
        set_palette("standard")
    plot_area = shown[:-16]  # above the caption
    assert (plot_area.min(axis=2) >= 200).sum() > 100  # the light halo along the curve


def test_a_failed_export_of_all_masks_is_not_remembered_as_the_save_folder(make_window, qtbot, messages, tmp_path,
                                                                            monkeypatch):
    """Video mode's Export All Masks onto a full disk: the message is good and the folder is
    removed, but the settings kept it as the last save folder, where the next dialog opened
    (a new user, session 50). Remembered once the masks are written."""
    import errno

    import segmix.background_run
    from tests.gui.modes.test_video_window_trial import _open, _trial_folder

    folder = _trial_folder(tmp_path)
    window = make_window()
    video = _open(qtbot, window, folder)
    before = window.settings.value("files/last_save_folder")
    out = tmp_path / "full" / "masks"
    monkeypatch.setattr(video, "ask_export_folder", lambda: out)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "f1.png"))

    monkeypatch.setattr(segmix.background_run, "run_sequence", full_disk)
    with qtbot.waitSignal(video.export_finished, timeout=60000) as blocker:
        video.panel.export_button.click()
    assert blocker.args[0] is None and messages  # said, in a message box
    assert window.settings.value("files/last_save_folder") == before
    monkeypatch.undo()
    monkeypatch.setattr(video, "ask_export_folder", lambda: tmp_path / "good" / "masks")
    with qtbot.waitSignal(video.export_finished, timeout=60000) as blocker:
        video.panel.export_button.click()
    assert blocker.args[0] is not None
    assert str(tmp_path / "good") in str(window.settings.value("files/last_save_folder"))


def test_a_palette_change_repaints_the_model_docks_class_colours(window):
    """View > Colours > Colour-blind Safe left the Model dock's "Foreground" / "Background" in
    red / blue (blue being the safe palette's mask) until the next fit: only the dock was
    asked to repaint, not its swatches and plot (the re-check, session 50)."""
    from segmix.gui.modes.segment_panels import ConvergencePlot, SwatchStrip

    widgets = [w for dock in window.docks.values() for kind in (SwatchStrip, ConvergencePlot) for w in dock.findChildren(kind)]
    assert widgets
    asked = []
    for widget in widgets:
        widget.update = lambda *args, _w=widget: asked.append(_w)
    try:
        window.set_palette("safe")
    finally:
        window.set_palette("standard")
    assert set(map(id, asked)) >= set(map(id, widgets))


def test_a_refused_name_is_said_before_the_save_dialog_comes_back(window, tmp_path, monkeypatch):
    """A refused export name (x.jpg for a mask) went back to the save dialog at once, its modal
    dialog over the message, whose OK did nothing while it was open (the spot check): the
    dialog now comes back once the message is closed."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from segmix.gui import file_dialogs
    from segmix.gui.main_window import MainWindow

    window.show_message = MainWindow.show_message.__get__(window)  # the real, non-blocking box
    seen = []

    def close_the_message():
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible():
                seen.append(box.text())
                box.button(QMessageBox.StandardButton.Ok).click()

    answers = iter([str(tmp_path / "x.jpg"), ""])

    def dialog(*args, **kwargs):
        open_boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert open_boxes == [], "the save dialog came back over the message"
        QTimer.singleShot(50, close_the_message)
        return next(answers)

    monkeypatch.setattr(file_dialogs, "save_file_name", dialog)
    from segmix.gui import files

    assert window.ask_save_path("Save mask", tmp_path / "m.png", files.EXPORTS["mask"][2]) == ""
    assert seen and "x.jpg" in seen[0] and ".png" in seen[0]


def test_esc_on_a_control_says_the_photo_has_the_keys(qtbot, window):
    """Esc on the Threshold slider gave the keys back to the photo, but the status bar said
    "Esc: nothing to cancel now", as if Esc had done nothing (the spot check)."""
    from test_a11y50 import _esc_on

    _esc_on(qtbot, window, window.overlay_panel.threshold_slider)
    qtbot.waitUntil(lambda: "the photo has the keys again" in window.statusBar().currentMessage(), timeout=2000)
