"""The shell (menus, files, canvas, keys, settings, compute thread) driven with mouse and keys, offscreen."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from segmix.segment import BACKGROUND, FOREGROUND

from gui_helpers import HEIGHT, WIDTH, drag, make_two_colour_image, paint_two_classes, viewport_point


def test_opens_photo_with_title(window, photo_path):
    assert window.windowTitle() == "two.png - segmix"
    assert window.image.shape == (HEIGHT, WIDTH, 3)
    assert window.canvas.has_image
    assert window.layer.counts() == (0, 0)


def test_create_window_opens_bundled_sample(qtbot, qsettings):
    from segmix.gui.app import create_window

    window, opened = create_window(None, settings=qsettings, warm_up=False)
    qtbot.addWidget(window)
    try:
        assert opened
        assert window.windowTitle() == "astronaut.png - segmix"
    finally:
        window.controller.shutdown()


def test_exports_write_the_right_files(qtbot, window, photo_path, tmp_path):
    paint_two_classes(qtbot, window)
    out = tmp_path / "out"
    out.mkdir()
    assert window.export("mask", out / "mask.png")
    mask = np.asarray(Image.open(out / "mask.png"))
    assert mask.dtype == np.uint8 and mask.shape == (HEIGHT, WIDTH)
    assert set(np.unique(mask)) <= {0, 255}
    np.testing.assert_array_equal(mask == 255, window.current_mask())
    assert window.export("probability", out / "prob.png")
    assert Image.open(out / "prob.png").mode.startswith("I")
    assert window.export("probability", out / "prob.npy")
    np.testing.assert_allclose(np.load(out / "prob.npy"), window.modes["segment"].outcome.probability, atol=1e-6)
    assert window.export("cutout", out / "cut.png")
    cut = np.asarray(Image.open(out / "cut.png"))
    assert cut.shape == (HEIGHT, WIDTH, 4)
    np.testing.assert_array_equal(cut[..., 3] == 255, window.current_mask())
    # Exported: the result is the work, nothing to lose (session 58); a change makes it unsaved.
    assert not window.windowTitle().startswith("*")
    window.set_tool("background")
    drag(window, [(WIDTH - 5, HEIGHT - 20), (WIDTH - 5, HEIGHT - 5)])
    assert window.windowTitle().startswith("*")
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60000)
    assert window.export("scribbles", out / "scribbles.png")
    assert window.windowTitle() == "two.png - segmix"  # saved: nothing to lose any more
    saved = window.layer.labels.copy()
    window.clear_scribbles()
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        assert window.load_scribbles(out / "scribbles.png")
    np.testing.assert_array_equal(window.layer.labels, saved)


def test_default_export_path_is_beside_the_photo_and_never_the_photo(qtbot, window, photo_path, messages):
    paint_two_classes(qtbot, window)
    offered = []
    window.ask_save_path = lambda title, default, name_filter: offered.append(default) or ""
    window.export("mask")
    assert offered == [photo_path.with_name("two_mask.png")]
    before = photo_path.read_bytes()
    assert not window.export("mask", photo_path)
    assert photo_path.read_bytes() == before
    assert messages and "Cannot save" in messages[-1][0]


def test_closing_during_the_warm_up_hides_the_window_before_waiting_for_the_thread(qtbot, window, monkeypatch):
    """A trial's Ctrl+Q during the warm-up took 4 s with the window standing: the compute
    thread was inside a Numba compile, which cannot be interrupted. The window now goes
    first; the thread is still stopped."""
    window.show()
    qtbot.waitExposed(window)
    monkeypatch.setattr(window.controller, "is_warm", False)
    visible_at_shutdown = []
    shutdown = window.controller.shutdown

    def recording_shutdown(*args, **kwargs):
        visible_at_shutdown.append(window.isVisible())
        return shutdown(*args, **kwargs)

    monkeypatch.setattr(window.controller, "shutdown", recording_shutdown)
    window.close()
    assert visible_at_shutdown == [False]
    assert not window.controller.thread_running


def test_closing_leaves_no_running_thread(qtbot, window):
    paint_two_classes(qtbot, window)
    drag(window, [(30, 30), (35, 35)])  # a fit may still be running
    window.close()
    assert not window.controller.thread_running


def test_close_with_unsaved_scribbles_asks(qtbot, window):
    paint_two_classes(qtbot, window)
    asked = []
    window.confirm_discard = lambda: asked.append(1) or False
    window.close()
    assert asked and window.isVisible() and window.controller.thread_running
    window.confirm_discard = lambda: True
    window.close()
    assert not window.isVisible()


@pytest.mark.parametrize("key, modifier, expected", [
    (Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier, True),  # the Discard button's mnemonic
    (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier, False),
    (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, False),  # Cancel is the default button
])
def test_the_discard_question_answers_to_the_keyboard(qtbot, window, key, modifier, expected):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):  # not shown yet
            QTimer.singleShot(20, answer)
            return
        seen.append(box.windowTitle())
        box.activateWindow()  # shortcuts (the mnemonic) need the active window

        def press(tries=0):
            # Under load the activation can lag behind; key only once the box is active.
            if not box.isActiveWindow() and tries < 200:
                box.activateWindow()
                QTimer.singleShot(25, box, lambda: press(tries + 1))
                return
            QTest.keyClick(box, key, modifier)

        QTimer.singleShot(0, box, press)
        # If the key did nothing the test fails on the answer instead of hanging in exec().
        # The box is the timer's context: once it is deleted the timer never fires (it used
        # to fire seconds later inside another test and fail it with "already deleted").
        QTimer.singleShot(10000, box, lambda: box.isVisible() and box.done(-1))

    QTimer.singleShot(0, answer)
    assert type(window).confirm_discard(window) is expected
    assert seen == ["Unsaved marks"]


def test_corrupt_file_shows_a_message_and_keeps_the_photo(qtbot, window, tmp_path, messages):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    assert not window.open_image(bad)
    assert len(messages) == 1 and "broken.png" in messages[0][1]
    assert "Pillow" not in messages[0][1] and "PNG" in messages[0][1] and "damaged" in messages[0][1]
    assert window.windowTitle() == "two.png - segmix"
    paint_two_classes(qtbot, window)  # still usable


def test_drop_a_file_opens_it(qtbot, window, tmp_path):
    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=3)[:40, :50]).save(other)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    position = viewport_point(window, 20, 20)
    enter = QDragEnterEvent(position, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.canvas.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(position), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.canvas.viewport(), drop)
    assert window.windowTitle() == "other.png - segmix"
    assert window.image.shape == (40, 50, 3)


def test_recent_files_and_settings_persist(qtbot, make_window, photo_path, qsettings, settings_path):
    from PySide6.QtCore import QSettings

    first = make_window(photo_path)
    first.canvas.set_brush_size(33)
    first.overlay_panel.opacity_slider.setValue(70)
    first.modes["segment"].model_panel.components_spin.setValue(3)
    first.close()
    again = make_window(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert again.canvas.brush_size == 33
    assert again.tool_panel.size_label.text() == "33 px"
    assert again.overlay_panel.opacity == pytest.approx(0.7)
    assert again.modes["segment"].model_panel.components_spin.value() == 3
    assert again.recent_menu.actions()[0].toolTip() == str(photo_path.resolve())
    assert again.last_folder() == str(photo_path.parent.resolve())


def test_keys_change_brush_tool_and_zoom(qtbot, window):
    window.activateWindow()
    window.canvas.setFocus()
    size = window.canvas.brush_size
    QTest.keyClick(window.canvas, Qt.Key.Key_BracketRight)
    assert window.canvas.brush_size > size
    QTest.keyClick(window.canvas, Qt.Key.Key_BracketLeft)
    QTest.keyClick(window.canvas, Qt.Key.Key_BracketLeft)
    assert window.canvas.brush_size < size
    QTest.keyClick(window.canvas, Qt.Key.Key_2)
    assert window.canvas.tool == "background" and window.tool_panel.buttons["background"].isChecked()
    QTest.keyClick(window.canvas, Qt.Key.Key_E)
    assert window.canvas.tool == "eraser"
    window.canvas.zoom_100()
    assert window.canvas.zoom == pytest.approx(1.0)
    QTest.keyClick(window.canvas, Qt.Key.Key_Plus)
    assert window.canvas.zoom == pytest.approx(1.25)
    window.canvas.fit_to_window()
    assert window.canvas.zoom > 1.25  # a 80 x 60 photo is enlarged to fit


def test_rectangle_start_marks_outside_as_background(qtbot, window):
    window.set_tool("rectangle")
    drag(window, [(10, 10), (30, 50)])
    labels = window.layer.labels
    assert (labels[:8] == BACKGROUND).all() and (labels[:, 32:] == BACKGROUND).all()
    assert not labels[12:48, 12:28].any()
    window.set_tool("foreground")
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        drag(window, [(20, 20), (20, 40)])


def test_status_bar_shows_pixel_colour_and_posterior(qtbot, window):
    paint_two_classes(qtbot, window)
    position = viewport_point(window, 5.5, 20.5)
    QTest.mouseMove(window.canvas.viewport(), position)
    under = window.canvas.mapToScene(position)
    x, y = int(under.x()), int(under.y())
    assert window.position_label.text() == f"x {x}, y {y}"
    r, g, b = window.image[y, x]
    assert window.colour_label.text() == f"RGB {r}, {g}, {b}"
    assert window.posterior_label.text().startswith("P(foreground) 0.9") or window.posterior_label.text() == "P(foreground) 1.00"


def test_warm_up_runs_on_the_compute_thread(qtbot):
    from segmix.gui.worker import TrainingController

    controller = TrainingController(warm_up=True)
    try:
        with qtbot.waitSignal(controller.warmed_up, timeout=60000):
            pass
        assert controller.is_warm
    finally:
        assert controller.shutdown()


def _wheel(window, position, notches=1):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    viewport = window.canvas.viewport()
    event = QWheelEvent(QPointF(position), QPointF(viewport.mapToGlobal(position)), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


@pytest.mark.parametrize("image_point", [(12.5, 9.5), (70.5, 50.5), (40.0, 30.0)])
def test_wheel_zoom_keeps_the_point_under_the_cursor(qtbot, window, image_point):
    window.canvas.zoom_100()
    window.canvas.set_zoom(12.0)  # the photo is larger than the view: scroll bars exist
    window.canvas.centerOn(*image_point)
    position = viewport_point(window, *image_point)
    QTest.mouseMove(window.canvas.viewport(), position)
    QApplication.processEvents()  # the status bar fills in and may shift the view
    target = window.canvas.mapToScene(position)
    for notches in (1, 2, -1, 3):
        before = window.canvas.zoom
        _wheel(window, position, notches)
        assert window.canvas.zoom == pytest.approx(before * 1.25**notches)
        under = window.canvas.mapToScene(position)
        # within a screen pixel and a half (scroll bars and mapToScene work in whole pixels)
        assert abs(under.x() - target.x()) <= 1.5 / window.canvas.zoom
        assert abs(under.y() - target.y()) <= 1.5 / window.canvas.zoom


def test_tool_keys_work_while_a_spin_box_has_focus_and_do_not_type_into_it(qtbot, window, tmp_path):
    segment = window.modes["segment"]
    paint_two_classes(qtbot, window)
    spin = segment.model_panel.components_spin
    window.activateWindow()
    spin.setFocus()
    spin.selectAll()
    generation = window.controller.generation
    window.set_tool("foreground")
    QTest.keyClick(spin, Qt.Key.Key_2)
    assert window.canvas.tool == "background" and spin.value() == 5
    QTest.keyClick(spin, Qt.Key.Key_1)
    assert window.canvas.tool == "foreground" and spin.value() == 5
    QTest.keyClick(spin, Qt.Key.Key_E)
    assert window.canvas.tool == "eraser"
    visible = window.overlay_panel.visible_box.isChecked()
    QTest.keyClick(spin, Qt.Key.Key_O)
    assert window.overlay_panel.visible_box.isChecked() is not visible
    assert window.controller.generation == generation  # nothing retrained
    offered = []
    window.ask_save_path = lambda title, default, name_filter: offered.append(default) or ""
    QTest.keyClick(spin, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert offered and offered[0].name == "two_mask.png"  # Ctrl+E reached Export Mask


def test_a_typed_value_commits_on_enter_not_per_keystroke(qtbot, window):
    segment = window.modes["segment"]
    paint_two_classes(qtbot, window)
    spin = segment.model_panel.components_spin
    window.activateWindow()
    spin.setFocus()
    spin.selectAll()
    generation = window.controller.generation
    QTest.keyClick(spin, Qt.Key.Key_4)
    assert window.controller.generation == generation  # typing does not retrain
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        QTest.keyClick(spin, Qt.Key.Key_Return)
    assert spin.value() == 4 and window.controller.generation > generation
    assert segment.outcome.model.settings.n_components == 4


def test_each_mode_keeps_its_own_scribbles_and_undo(qtbot, window):
    segment = window.modes["segment"]
    paint_two_classes(qtbot, window)
    segment_labels = window.layer.labels.copy()
    outcome = segment.outcome
    with qtbot.waitSignal(window.modes["skin"].skin_updated, timeout=60000):
        window.set_mode("skin")
    assert not window.layer.labels.any()  # skin mode starts with no strokes
    assert not window.canvas.layer.labels.any()
    window.set_tool("foreground")
    drag(window, [(50, 10), (50, 50)])
    skin_labels = window.layer.labels.copy()
    assert (skin_labels == FOREGROUND).sum() > 0
    assert not (skin_labels[:, :30] == FOREGROUND).any()
    window.set_mode("segment")
    np.testing.assert_array_equal(window.layer.labels, segment_labels)
    np.testing.assert_array_equal(window.canvas.layer.labels, segment_labels)
    assert segment.outcome is outcome  # the skin strokes did not make the result stale
    window.set_mode("skin")
    np.testing.assert_array_equal(window.layer.labels, skin_labels)
    window.undo_action.trigger()  # undoes the skin stroke only
    assert not window.layer.labels.any()
    window.set_mode("segment")
    np.testing.assert_array_equal(window.layer.labels, segment_labels)


def test_every_control_has_a_tooltip(window):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QScrollBar

    missing = []
    for kind in (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox):
        for widget in window.findChildren(kind):
            if widget.objectName().startswith("qt_") or isinstance(widget, QScrollBar):
                continue  # Qt's own parts: dock title buttons, scroll bars
            if not widget.toolTip():
                missing.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}")
    assert missing == []


def test_save_dialogs_never_open_inside_the_package_and_remember_the_folder(qtbot, window, tmp_path, monkeypatch):
    from segmix.gui import files
    from segmix.resources import sample_image_path

    home = tmp_path / "home"
    (home / "Pictures").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    offered = []
    window.ask_save_path = lambda title, default, name_filter: offered.append(default) or ""
    assert window.open_sample()
    paint_two_classes(qtbot, window)
    window.export("mask")
    assert offered[-1] == home / "Pictures" / "astronaut_mask.png"
    assert not files.is_bundled(offered[-1]) and files.is_bundled(sample_image_path())
    out = tmp_path / "exports"
    out.mkdir()
    assert window.export("mask", out / "mine.png")
    for kind in ("mask", "probability", "scribbles"):
        window.export(kind)
        assert offered[-1].parent == out  # the folder last saved to
    window.modes["segment"].save_model()
    assert offered[-1] == out / "astronaut_model.json"
    assert window.last_folder() != str(sample_image_path().parent)  # open dialogs neither
    # A photo of the user's own: beside it, until the user saves it elsewhere.
    photo = tmp_path / "own" / "cat.png"
    photo.parent.mkdir()
    Image.fromarray(make_two_colour_image(seed=3)).save(photo)
    assert window.open_image(photo)
    paint_two_classes(qtbot, window)
    window.export("mask")
    assert offered[-1] == photo.with_name("cat_mask.png")
    assert window.export("cutout", out / "cat_cut.png")
    window.export("mask")
    assert offered[-1] == out / "cat_mask.png"


def test_open_recent_lists_each_photo_once(qtbot, make_window, photo_path, qsettings, tmp_path):
    link = tmp_path / "link.png"
    link.symlink_to(photo_path)
    (photo_path.parent / "sub").mkdir()
    spelled = str(photo_path.parent / "sub" / ".." / photo_path.name)
    qsettings.setValue("files/recent", [str(photo_path), spelled, str(link)])
    window = make_window()
    assert [a.toolTip() for a in window.recent_menu.actions() if a.statusTip().startswith("Open ")] == [
        str(photo_path.resolve())]
    assert window.open_image(link)
    assert window.open_image(spelled)
    assert [a.toolTip() for a in window.recent_menu.actions() if a.statusTip().startswith("Open ")] == [
        str(photo_path.resolve())]


@pytest.mark.parametrize("mode", ["segment", "skin"])
def test_the_window_fits_a_768_pixel_screen_and_panels_leave_no_gaps(qtbot, window, mode):
    if mode == "skin":
        with qtbot.waitSignal(window.modes["skin"].skin_updated, timeout=60000):
            window.set_mode("skin")
    assert window.minimumSizeHint().height() < 600
    window.resize(1024, 640)  # 768 minus a task bar and the title bar, with room to spare
    QApplication.processEvents()
    assert window.height() == 640
    window.resize(1280, 900)
    QApplication.processEvents()
    for key, dock in window.docks.items():
        if dock.isVisible() and key in ("tools", "overlay", "model"):
            panel = dock.widget().widget()
            # A panel's dock is no taller than the panel needs (plus the dock's title bar).
            assert dock.height() <= panel.sizeHint().height() + 40, key


def test_a_dock_grows_when_its_panel_does(qtbot, window):
    window.resize(1280, 900)
    QApplication.processEvents()
    dock = window.docks["overlay"]
    window.overlay_panel.set_mode("heatmap")  # the legend row appears
    scroll = dock.widget()
    # The scroll bar hides one layout pass after the dock grew.
    qtbot.waitUntil(lambda: scroll.viewport().height() >= window.overlay_panel.sizeHint().height()
                    and not scroll.verticalScrollBar().isVisible(), timeout=20000)


def _canvas_geometry(window):
    viewport = window.canvas.viewport()
    return viewport.mapTo(window, viewport.rect().topLeft()).toTuple(), viewport.size().toTuple()


@pytest.fixture
def app_font_size(request):
    """Run with the application font at ``request.param`` points (None: as it is), then restore it."""
    app = QApplication.instance()
    font = app.font()
    if request.param is not None:
        bigger = app.font()
        bigger.setPointSize(request.param)
        app.setFont(bigger)
    yield request.param
    app.setFont(font)


# At 14 pt (Fusion style, DejaVu Sans) a bar sized for empty labels grew by 1 px when they
# filled; other styles and fonts grow more.
@pytest.mark.parametrize("app_font_size", [None, 14], indirect=True)
@pytest.mark.parametrize("first", ["message", "pixel readout"])
def test_the_canvas_does_not_move_when_the_status_bar_first_fills(qtbot, make_window, photo_path, first, app_font_size):
    window = make_window()  # no photo yet: the zoom readout is empty too
    bar = window.statusBar()
    bar.clearMessage()
    for label in (window.position_label, window.colour_label, window.posterior_label, window.zoom_label):
        label.setText("")
    QApplication.processEvents()
    before, bar_height = _canvas_geometry(window), bar.height()
    assert window.open_image(photo_path)
    if first == "message":
        bar.showMessage(f"Saved {photo_path.parent / 'résumé 日本語 ✓.png'}")
    else:
        QTest.mouseMove(window.canvas.viewport(), viewport_point(window, 5.5, 20.5))
        assert window.position_label.text().startswith("x ")
    QApplication.processEvents()
    assert (_canvas_geometry(window), bar.height()) == (before, bar_height)
    # ... and stays put as the other texts arrive and go
    bar.showMessage("Preparing the engine: compiling the graph-cut kernels")
    window._show_pixel_info(1, 2)
    QApplication.processEvents()
    assert (_canvas_geometry(window), bar.height()) == (before, bar_height)
    window._on_warm_up_progress(2, 5, True)  # the first-use warm-up's progress bar appears
    QApplication.processEvents()
    assert window.warm_up_bar.isVisible()
    assert (_canvas_geometry(window), bar.height()) == (before, bar_height)
    window._on_warm_up_progress(5, 5, True)
    QApplication.processEvents()
    assert not window.warm_up_bar.isVisible()
    bar.clearMessage()
    window._show_pixel_info(-1, -1)
    QApplication.processEvents()
    assert (_canvas_geometry(window), bar.height()) == (before, bar_height)


def test_first_use_warm_up_shows_its_steps_and_what_to_do_meanwhile(qtbot, make_window):
    """On a cold cache the window said only "Preparing the engine" for half a minute or more:
    it now says that this is the first start, which step of how many, that marks can be drawn
    meanwhile, and shows the steps in a progress bar; a warm start shows no bar.

    A trial then found the line cut off by the pixel readouts at 1366 px ("...You can draw
    marks meanwhil"), "about a minute" read as each step's time (the whole took well over a
    minute) and the bar's text "engine: step 4 of 5" drawn over its own 14-px bar."""
    window = make_window()
    window.show()
    bar = window.statusBar()
    worker = window.controller._worker
    worker._first_use, worker._warm_up_total = True, 5
    with qtbot.waitSignal(window.controller.warm_up_progress, timeout=5000):
        worker._say_warm_up_step(2, "{verb} the graph-cut kernels")
    qtbot.waitUntil(lambda: "step 3 of 5" in bar.currentMessage(), timeout=5000)
    message = bar.currentMessage()
    assert message.startswith("First start: compiling (once), step 3 of 5")
    assert "You can draw meanwhile" in message and "once" in message and "estimating time left" in message
    # The whole line fits beside the readouts at their widest, in the window a 1366 x 768
    # screen gets (1280 px), with room to spare for a slightly larger font (a larger one
    # wraps in the notice area above the bar, in full: test_window45).
    window.resize(1280, 720)
    for label, widest in ((window.position_label, "x 99999, y 99999"), (window.colour_label, "RGB 255, 255, 255"),
                          (window.posterior_label, "P(foreground) 0.00"), (window.zoom_label, "Zoom 1000%")):
        label.setText(widest)
    QApplication.processEvents()
    permanent = sum(w.width() + 6 for w in (window.position_label, window.colour_label, window.posterior_label,
                                            window.zoom_label, window.warm_up_bar) if w.isVisible())
    assert 1.15 * bar.fontMetrics().horizontalAdvance(message) < bar.width() - permanent - 20
    assert window.warm_up_bar.isVisible() and window.warm_up_bar.value() == 2
    # No text drawn over the bar's chunk; the step's kernels are named in its tooltip.
    assert not window.warm_up_bar.isTextVisible()
    qtbot.waitUntil(lambda: "graph-cut" in window.warm_up_bar.toolTip(), timeout=5000)
    tip = window.warm_up_bar.toolTip()
    assert tip.startswith("Step 3 of 5: compiling the graph-cut kernels.") and "draw marks" in tip
    # A menu's status tip replaces the line and clears it when the menu closes (a trial saw
    # the bar without its words): the step comes back while the engine warms up.
    window.controller.is_warm = False
    bar.showMessage("Open a photo")
    bar.clearMessage()
    qtbot.waitUntil(lambda: bar.currentMessage() == message, timeout=5000)
    worker._first_use = False
    with qtbot.waitSignal(window.controller.warm_up_progress, timeout=5000):
        worker._say_warm_up_step(3, "{verb} the click kernels")
    qtbot.waitUntil(lambda: "step 4 of 5" in bar.currentMessage(), timeout=5000)
    assert bar.currentMessage() == "Preparing the engine, step 4 of 5: loading the click kernels..."
    assert not window.warm_up_bar.isVisible()


def test_the_replace_question_comes_only_for_a_name_the_export_takes(tmp_path):
    """A trial exported a mask as the open photo 033.jpg: the dialog asked "Replace?" and then
    segmix refused the name. segmix now asks itself, only for a file the export would write."""
    from segmix.gui.files import replace_question_due

    photo = tmp_path / "033.jpg"
    photo.write_bytes(b"x")
    mask = tmp_path / "033_mask.png"
    mask.write_bytes(b"x")
    png = "8-bit PNG mask (*.png)"
    assert not replace_question_due(photo, png, photo)  # the open photo: the export refuses it
    assert not replace_question_due(photo, png, None)  # .jpg for a mask: refused by its own message
    assert replace_question_due(mask, png, photo)
    assert not replace_question_due(tmp_path / "new.png", png, photo)  # nothing to replace
    assert not replace_question_due(tmp_path, png, photo)  # a folder
    several = "16-bit PNG (*.png);;float32 NumPy (*.npy);;float32 TIFF (*.tif *.tiff)"
    tiff = tmp_path / "p.TIFF"
    tiff.write_bytes(b"x")
    assert replace_question_due(tiff, several, photo)


def test_a_threshold_kept_from_an_earlier_photo_is_said_when_the_next_opens(make_window, photo_path, tmp_path):
    """A trial set 0.95 on one photo and took the next photo's thin mask for segmix's."""
    window = make_window(photo_path)
    window.overlay_panel.threshold_slider.setValue(95)
    other = tmp_path / "other.png"
    other.write_bytes(photo_path.read_bytes())
    assert window.open_image(other)
    message = window.statusBar().currentMessage()
    assert "threshold is still 0.95" in message and "0.50 by default" in message
    # The banner too, until the slider moves (session 53: it went at the first mark).
    assert "Threshold 0.95 kept from an earlier photo (default 0.50" in window.hint_label.text()
    window.overlay_panel.threshold_slider.setValue(50)
    assert window.open_image(photo_path)
    assert "threshold" not in window.statusBar().currentMessage()


def test_an_empty_result_at_a_high_threshold_points_at_the_threshold(make_window, photo_path):
    """A re-check set 0.95 on one photo, clicked the bear on the next and saw no green, no word why."""
    from types import SimpleNamespace

    import numpy as np

    window = make_window(photo_path)
    mode = window.modes["segment"]
    marks = np.zeros((4, 4), np.uint8)
    marks[1, 1] = 1  # a click: always foreground, so the mask is never empty
    mode.outcome = SimpleNamespace(final=True, mask=marks == 1, scribbles=marks)
    window.overlay_panel.threshold_slider.setValue(95)
    hint = mode.hint()
    assert "Nothing but your marks came out foreground" in hint and "threshold 0.95" in hint and "lower it" in hint
    mode.outcome = SimpleNamespace(final=True, mask=np.ones((4, 4), bool), scribbles=marks)
    assert "lower it" not in mode.hint()
    mode.outcome = SimpleNamespace(final=True, mask=marks == 1, scribbles=marks)
    window.overlay_panel.threshold_slider.setValue(50)
    assert "lower it" not in mode.hint()
    mode.outcome = None


def test_model_settings_kept_from_earlier_are_said_when_a_photo_opens(make_window, photo_path, tmp_path):
    """A trial's next session opened with 3 components and diag covariance, unsaid (only a
    threshold away from 0.50 was): the command line uses the defaults for marks from other tools."""
    from types import SimpleNamespace

    window = make_window(photo_path, smoothing=True)
    mode = window.modes["segment"]
    mode.model_panel.load(SimpleNamespace(n_components=3, covariance_type="diag", color_space="lab",
                                          smoothing="graphcut", unexplained_weight=0.0))
    other = tmp_path / "other.png"
    other.write_bytes(photo_path.read_bytes())
    assert window.open_image(other)
    assert window.statusBar().currentMessage() == ("The model settings are not the defaults: 3 components, diag "
                                                   "covariance (Model dock)")
    assert "Model: 3 components, diag covariance (not the defaults)." in window.hint_label.text()
    window.overlay_panel.threshold_slider.setValue(70)
    assert window.open_image(photo_path)
    assert window.statusBar().currentMessage().startswith("The threshold is still 0.70")
    assert "; the model settings are not the defaults: 3 components" in window.statusBar().currentMessage()


def test_a_double_click_on_the_threshold_slider_returns_it_to_0_50(make_window, photo_path, qtbot):
    window = make_window(photo_path)
    slider = window.overlay_panel.threshold_slider
    slider.setValue(80)
    qtbot.mouseDClick(slider, Qt.MouseButton.LeftButton, pos=slider.rect().center())
    assert slider.value() == 50 and window.overlay_panel.threshold_label.text() == "0.50"
