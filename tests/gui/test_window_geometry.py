"""The window fits a small laptop screen: first launch, a geometry saved on a larger screen, short docks."""

import shutil

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QScrollArea

from segmix.gui import files, window_geometry
from segmix.resources import sample_image_path

SMALL_SCREEN = QRect(0, 0, 1366, 728)  # a 1366 x 768 laptop with a 40 px task bar


@pytest.fixture
def small_screen(monkeypatch):
    monkeypatch.setattr(window_geometry, "available_geometry", lambda widget: QRect(SMALL_SCREEN))


def _new_window(qtbot, settings, messages):
    from segmix.gui.main_window import MainWindow

    window = MainWindow(settings=settings, warm_up=False)
    window.show_message = messages
    window.confirm_discard = lambda: True
    qtbot.addWidget(window)
    return window


def _fits(window, free: QRect) -> None:
    frame = window.frameGeometry()
    assert free.contains(frame), (frame.getRect(), free.getRect())
    # Room left for a real window manager's title bar and borders (offscreen adds 2 px).
    margins = window_geometry.FRAME_ESTIMATE
    assert window.height() + margins.top() + margins.bottom() <= free.height()
    assert window.width() + margins.left() + margins.right() <= free.width()


def _reachable(qtbot, widget) -> None:
    """Shown in full, after scrolling its dock when the dock scrolls."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        parent.ensureWidgetVisible(widget)
    qtbot.waitUntil(lambda: widget.visibleRegion().boundingRect() == widget.rect(), timeout=20000)


def test_first_window_fits_a_small_screen_and_retrain_stays_reachable(qtbot, qsettings, messages, small_screen):
    window = _new_window(qtbot, qsettings, messages)
    window.open_image(sample_image_path())
    window.show()
    qtbot.waitExposed(window)
    window.overlay_panel.set_mode("heatmap")  # the legend row makes the Overlay dock taller
    for _ in range(10):
        QApplication.processEvents()
    _fits(window, SMALL_SCREEN)
    assert window.statusBar().isVisible()
    _reachable(qtbot, window.modes["segment"].training_panel.retrain_button)


def test_first_window_takes_the_preferred_size_on_a_large_screen(qtbot, qsettings, messages, monkeypatch):
    large = QRect(0, 0, 2560, 1400)
    monkeypatch.setattr(window_geometry, "available_geometry", lambda widget: QRect(large))
    window = _new_window(qtbot, qsettings, messages)
    assert (window.width(), window.height()) == window_geometry.PREFERRED_SIZE
    assert large.contains(window.frameGeometry())


def test_a_geometry_saved_on_a_larger_screen_is_clamped(qtbot, qsettings, messages, small_screen):
    big = _new_window(qtbot, qsettings, messages)
    big.setGeometry(900, 500, 1600, 1000)  # saved on a large monitor, partly right of the laptop's
    big.save_settings()
    qsettings.sync()
    window = _new_window(qtbot, qsettings, messages)
    window.show()
    qtbot.waitExposed(window)
    _fits(window, SMALL_SCREEN)


def test_recent_files_with_the_same_name_show_their_folders(qtbot, make_window, qsettings, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    sample = sample_image_path()
    copy = tmp_path / "photos" / sample.name
    copy.parent.mkdir()
    shutil.copyfile(sample, copy)
    other = tmp_path / "photos" / "cat & dog.png"
    shutil.copyfile(sample, other)
    qsettings.setValue("files/recent", [str(copy), str(sample), str(other)])
    window = make_window()
    actions = [a for a in window.recent_menu.actions() if a.statusTip().startswith("Open ")]  # not Clear Recent
    texts = [a.text() for a in actions]
    sample_folder = files.recent_labels([files.normalised(sample), files.normalised(copy)])[0]
    assert texts == [f"&1 {sample.name} — ~/photos", f"&2 {sample_folder}", "&3 cat && dog.png"]
    assert sample_folder.startswith(f"{sample.name} — ") and sample_folder.endswith("sample_images")
    assert "~" not in sample_folder
    # Full paths in the tooltips.
    assert [a.toolTip() for a in actions] == [files.normalised(p) for p in (copy, sample, other)]


def test_recent_labels_name_only_when_names_differ(tmp_path):
    paths = [str(tmp_path / "a" / "x.png"), str(tmp_path / "b" / "y.png")]
    assert files.recent_labels(paths) == ["x.png", "y.png"]
    twins = [str(tmp_path / "a" / "x.png"), str(tmp_path / "b" / "x.png")]
    labels = files.recent_labels(twins)
    assert labels[0] != labels[1] and all(label.startswith("x.png — ") for label in labels)
    assert labels[0].endswith("a") and labels[1].endswith("b")
