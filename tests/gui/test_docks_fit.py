"""At 1366 x 768 (README's Xvfb screen) every control of the active mode's docks is shown in full.

A new user found "Clear scribbles" and the Threshold row cut in half in Segment mode, each dock
scrolling on its own. Here the window is sized as on that screen (window_geometry), and every
button, slider, box and label of every visible dock must lie inside its dock's viewport
without scrolling, in each mode and with the heat map's legend shown.
"""

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QWidget,
)

from segmix.gui import window_geometry
from segmix.resources import sample_image_path

XVFB_SCREEN = QRect(0, 0, 1366, 768)  # xvfb-run -s "-screen 0 1366x768x24": no task bar
CONTROLS = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLabel, QLineEdit)


def _shown_window(qtbot, qsettings, messages, monkeypatch, screen: QRect):
    """A first-launch window on the sample photo, on a screen whose free area is ``screen``."""
    from segmix.gui.main_window import MainWindow

    monkeypatch.setattr(window_geometry, "available_geometry", lambda widget: QRect(screen))
    window = MainWindow(settings=qsettings, warm_up=False)
    window.show_message = messages
    window.confirm_discard = lambda: True
    qtbot.addWidget(window)
    assert window.open_image(sample_image_path())
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def laptop_window(qtbot, qsettings, messages, monkeypatch):
    window = _shown_window(qtbot, qsettings, messages, monkeypatch, XVFB_SCREEN)
    yield window
    window.close()
    window.controller.shutdown()


def _settle():
    for _ in range(20):
        QApplication.processEvents()


def _cut_controls(window):
    """(dock, control, its rectangle in the viewport) for every visible control not shown in full."""
    cut = []
    bottom = window.statusBar().geometry().top()
    for key, dock in window.docks.items():
        if not dock.isVisible():
            continue
        assert dock.geometry().bottom() < bottom, f"dock {key} runs under the status bar"
        scroll = dock.widget()
        assert isinstance(scroll, QScrollArea)
        viewport = scroll.viewport()
        shown = viewport.rect()
        for control in scroll.widget().findChildren(QWidget):
            if not isinstance(control, CONTROLS) or not control.isVisibleTo(scroll.widget()) or (isinstance(control, QLabel) and not control.text()):
                continue
            if isinstance(control.parentWidget(), (QAbstractSpinBox, QComboBox)):
                continue  # the line edit inside a spin box / combo box: its box is checked
            rect = QRect(control.mapTo(viewport, QPoint(0, 0)), control.size())
            if not shown.contains(rect):
                cut.append((key, control.text() if hasattr(control, "text") else type(control).__name__,
                            rect.getRect(), shown.getRect()))
    return cut


@pytest.mark.parametrize("mode", ["segment", "skin", "video"])
@pytest.mark.parametrize("style", ["tint", "heatmap"])
def test_every_dock_control_is_shown_in_full_at_1366x768(laptop_window, mode, style):
    window = laptop_window
    assert (window.width(), window.height()) == (1280, 720)  # what a 1366 x 768 screen gets
    window.set_mode(mode)
    window.overlay_panel.set_mode(style)
    _settle()
    visible = [key for key, dock in window.docks.items() if dock.isVisible()]
    assert len(visible) >= 3
    assert _cut_controls(window) == []
    for key in visible:  # nothing to scroll: the docks fit
        assert window.docks[key].widget().verticalScrollBar().maximum() == 0, key
    if mode == "segment":  # the plot has the leftover height, more than its minimum
        plot = window.modes["segment"].training_panel.plot
        assert plot.height() >= plot.minimumHeight()


def test_more_section_folds_the_rarely_changed_settings(laptop_window):
    panel = laptop_window.modes["segment"].model_panel
    assert not panel.more.expanded and not panel.covariance_combo.isVisibleTo(panel)
    assert panel.more.toggle.text() == "More: full covariance, CIE Lab"
    panel.color_space_combo.setCurrentIndex(panel.color_space_combo.findData("rgb"))
    assert panel.more.toggle.text() == "More: full covariance, RGB"
    panel.more.toggle.click()
    assert panel.more.expanded and panel.covariance_combo.isVisibleTo(panel)
    assert panel.more.toggle.text() == "More"
    laptop_window.overlay_panel.set_mode("heatmap")  # the tallest Overlay dock too
    _settle()
    # Unfolded, the Training dock (it takes the height left over) shrinks and scrolls its
    # plot; the other docks keep every control in full.
    assert _cut_controls(laptop_window) == []
    for key in ("tools", "overlay", "model"):
        assert laptop_window.docks[key].widget().verticalScrollBar().maximum() == 0, key


def test_switching_modes_keeps_the_canvas_its_zoom_and_centre(laptop_window):
    """A trial saw the zoom jump from 120 % to 111 % on a switch to Skin mode: its dock was
    80 px wider than Segment mode's, the canvas narrower, and the fitted photo was zoomed
    again. Every mode's docks now share one width: the canvas, zoom and centre stay."""
    window = laptop_window
    _settle()
    canvas = window.canvas

    def view():
        return (canvas.viewport().size(), round(canvas.zoom, 6),
                canvas.mapToScene(canvas.viewport().rect().center()))

    fitted = view()
    for mode in ("skin", "video", "segment"):
        window.set_mode(mode)
        _settle()
        assert view() == fitted, mode
    canvas.set_zoom(1.5)  # zoomed in by the user (not fitted): the same
    _settle()
    zoomed = view()
    for mode in ("skin", "segment"):
        window.set_mode(mode)
        _settle()
        assert view() == zoomed, mode
    widths = {dock.width() for dock in window.docks.values() if dock.isVisible()}
    assert len(widths) == 1


def _wrapped_height(label):
    """The height the label's text needs when wrapped at the label's width (pixels)."""
    return label.fontMetrics().boundingRect(QRect(0, 0, label.width(), 10_000), 0x1000 | 0x0001,
                                            label.text()).height()  # Qt.TextWordWrap | AlignLeft


def test_the_longest_training_and_skin_status_texts_fit_their_labels(laptop_window):
    """A trial read "Trained and applied in 29.2 s (compiling included: first use, once)" and
    the unexplained-colours tip with its last words ("Keep unmarked colours") cut off."""
    from segmix.gui.modes.base import COMPILED_NOTE

    window = laptop_window
    _settle()
    panel = window.modes["segment"].training_panel
    label = panel.status_label
    usual = label.height()
    panel.set_status(f"Trained and applied in 29.2 s ({COMPILED_NOTE})\n"
                     "If unmarked background is in the mask: More > Keep unmarked colours")
    _settle()
    assert _wrapped_height(label) <= label.height()
    assert label.height() > usual  # the rare 4th line
    assert _cut_controls(window) == [] and window.docks["training"].widget().verticalScrollBar().maximum() == 0
    panel.set_status("Trained and applied in 412 ms")
    _settle()
    assert label.height() == usual
    window.set_mode("skin")
    _settle()
    label = window.modes["skin"].skin_panel.status_label
    label.setText(f"Skin detected in 25.3 s (full detection; {COMPILED_NOTE})\n"
                  "A dim photo: its colours were scored lifted 1.35x (the exposure lift)")
    _settle()
    assert _wrapped_height(label) <= label.height()


def _window_on(qtbot, qsettings, messages, monkeypatch, width, height):
    """A first-launch window on a screen whose free area gives a ``width`` x ``height`` client area."""
    frame = window_geometry.FRAME_ESTIMATE
    screen = QRect(0, 0, width + frame.left() + frame.right(), height + frame.top() + frame.bottom())
    window = _shown_window(qtbot, qsettings, messages, monkeypatch, screen)
    assert (window.width(), window.height()) == (width, height)
    return window


def _in_view(window, widget):
    """Whether ``widget`` is shown in full inside its dock's visible viewport."""
    for dock in window.docks.values():
        scroll = dock.widget()
        if dock.isVisible() and scroll.widget().isAncestorOf(widget):
            viewport = scroll.viewport()
            rect = QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())
            return widget.isVisibleTo(scroll.widget()) and viewport.rect().contains(rect)
    return False


@pytest.mark.parametrize("more", [False, True])
def test_a_1024x600_window_keeps_the_everyday_controls_in_view(qtbot, qsettings, messages, monkeypatch, more):
    """A trial at 1024 x 600: the Scribbles and Overlay docks scrolled, and the Threshold slider
    and Clear were out of view. A short column now keeps the upper docks whole and lets the
    lowest scroll (with its scroll bar), and Training's buttons come before its status."""
    window = _window_on(qtbot, qsettings, messages, monkeypatch, 1024, 600)
    segment = window.modes["segment"]
    if more:
        segment.model_panel.more.toggle.click()
    tools, overlay = window.tool_panel, window.overlay_panel
    everyday = {
        "segment": [*tools.buttons.values(), tools.clear_button, tools.size_slider, overlay.threshold_slider,
                    overlay.opacity_slider, overlay.visible_box, segment.model_panel.components_spin,
                    segment.model_panel.more.toggle, segment.training_panel.retrain_button,
                    segment.training_panel.cancel_button],
        "skin": [*tools.buttons.values(), tools.clear_button, tools.size_slider, overlay.opacity_slider,
                 window.modes["skin"].skin_panel.threshold_slider, window.modes["skin"].skin_panel.train_button,
                 window.modes["skin"].skin_panel.add_button],
        "video": [overlay.opacity_slider, window.modes["video"].panel.open_button,
                  window.modes["video"].panel.folder_button, window.modes["video"].panel.export_button],
    }
    for mode, widgets in everyday.items():
        window.set_mode(mode)
        _settle()
        hidden = [getattr(w, "text", lambda: type(w).__name__)() or type(w).__name__
                  for w in widgets if not _in_view(window, w)]
        assert hidden == [], (mode, hidden)
        for key in ("tools", "overlay"):  # the docks above never scroll
            if window.docks[key].isVisible():
                assert window.docks[key].widget().verticalScrollBar().maximum() == 0, (mode, key)
        if mode == "video":  # no video open: nothing to scroll (it scrolled by 14 px)
            assert window.docks["video"].widget().verticalScrollBar().maximum() == 0
    window.close()
    window.controller.shutdown()


def test_more_unfolded_at_1264x720_scrolls_no_dock(qtbot, qsettings, messages, monkeypatch):
    """A trial at 1264 x 720: unfolding More gave the Training dock a scroll bar and cut the EM
    plot off; the plot now shrinks to its minimum height first."""
    window = _window_on(qtbot, qsettings, messages, monkeypatch, 1264, 720)
    window.modes["segment"].model_panel.more.toggle.click()
    _settle()
    assert _cut_controls(window) == []
    for key in ("tools", "overlay", "model", "training"):
        assert window.docks[key].widget().verticalScrollBar().maximum() == 0, key
    plot = window.modes["segment"].training_panel.plot
    assert _in_view(window, plot) and plot.height() >= plot.minimumHeight()
    window.close()
    window.controller.shutdown()



# A re-fit note, a first start's compiling note, the empty-mask line and a tip at once.
LONG_STATUS = ("Re-fitted your 2 steps with the panel's settings, in the order you made them.\n"
               "Trained and applied in 14.2 s (includes 12.9 s compiling, once per installation)\n"
               "No pixel came out foreground (see the banner).\n"
               "If unmarked background is in the mask: More > Keep unmarked colours")


def test_the_training_dock_shows_a_re_fit_compile_and_tip_status_whole_at_1366x768(laptop_window):
    panel = laptop_window.modes["segment"].training_panel
    panel.set_status(LONG_STATUS)  # a trial saw it cut off mid-line by the plot
    QApplication.processEvents()
    assert not panel.status_label.is_elided()
    assert panel.plot.height() >= panel.plot.minimumHeight()
    assert panel.cancel_button.isVisible() and panel.retrain_button.isVisible()
