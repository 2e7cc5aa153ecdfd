"""Faults of the window's first start and small faults found in session 44's check (a trial of
session 43): the brush keys with a tool that takes no brush, the photo's place when the mode
changes, the settings a session keeps."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _press(qtbot, window, key):
    window.activateWindow()
    window.focus_canvas()
    QApplication.processEvents()
    QTest.keyClick(QApplication.focusWidget() or window, key)


def test_the_brush_keys_do_nothing_to_the_slider_while_the_click_tool_is_in_hand(make_window, photo_path, qtbot):
    """With the Click tool (its disc follows the photo) the slider is greyed out; [ and ]
    moved it all the same, and the click disc stayed as it was. Now they are greyed out with
    it, and pressing them says why in the status bar."""
    window = make_window(photo_path)
    panel = window.tool_panel
    for tool in ("click", "rectangle"):
        window.set_tool(tool)
        assert not panel.size_slider.isEnabled()
        before = (window.canvas.brush_size, panel.size_slider.value(), panel.size_label.text())
        for key in (Qt.Key.Key_BracketRight, Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight):
            _press(qtbot, window, key)
        assert (window.canvas.brush_size, panel.size_slider.value(), panel.size_label.text()) == before
        assert "takes no brush" in window.statusBar().currentMessage()
        assert all(not action.isEnabled() for action in window._brush_actions)
    # A brush tool again: the keys act, on the brush the tool uses.
    window.set_tool("foreground")
    size = window.canvas.brush_size
    _press(qtbot, window, Qt.Key.Key_BracketRight)
    assert window.canvas.brush_size > size
    assert panel.size_label.text() == f"{window.canvas.brush_size} px"


def test_the_brush_keys_stay_greyed_out_with_the_click_tool_across_modes(make_window, photo_path):
    """Leaving Video mode (no marks) enables the marking actions again: not the brush keys
    while the tool in hand is the Click tool."""
    window = make_window(photo_path)
    window.set_tool("click")
    window.set_mode("skin")
    window.set_mode("segment")
    assert window.canvas.tool == "click"
    assert all(not action.isEnabled() for action in window._brush_actions)


def test_the_banner_keeps_room_for_every_modes_everyday_hint_so_the_photo_stays_put(make_window, photo_path):
    """At 1024 x 600 Skin mode's hint after its detection took three lines where Segment's
    took two: the banner grew on the switch to Skin mode, the canvas shrank by 12 px and the
    photo fitted to it moved by 6 px (85 % -> 82 %). The banner now has room for every mode's
    everyday hint from the start, at every width."""
    from segmix.gui.modes.skin import SkinMode

    window = make_window(photo_path)
    assert SkinMode.reference_hint
    moved = []
    for width in range(700, 1500, 40):
        window.resize(width, 600)
        QApplication.processEvents()
        before = window.hint_label.height()
        window.hint_label.setText(SkinMode.reference_hint)
        QApplication.processEvents()
        if window.hint_label.height() != before:
            moved.append((width, before, window.hint_label.height()))
        window.hint_label.setText(window.active_mode.hint())
    assert not moved


def test_closing_during_the_first_start_compile_does_not_wait_for_it(make_window, monkeypatch):
    """Closed while the engine compiled, the window went and segmix's process stayed 10 s more
    (15-20 s for a trial on a loaded machine), waiting for a compile it would not use. run_app
    ends the process right after the window, so the window no longer waits there; a window
    shown by another program still does (a QThread destroyed while running aborts)."""
    window = make_window()
    window.controller.is_warm = False  # the first start's warm-up is compiling
    asked = []
    real = window.controller.shutdown
    monkeypatch.setattr(window.controller, "shutdown", lambda timeout_ms=10000: asked.append(timeout_ms) or real(timeout_ms))
    window.ends_process_on_close = True  # as segmix.gui.app.run_app sets it
    window.close()
    assert asked == [0] and not window.isVisible()

    other = make_window()
    other.controller.is_warm = False
    asked.clear()
    real_other = other.controller.shutdown
    monkeypatch.setattr(other.controller, "shutdown",
                        lambda timeout_ms=10000: asked.append(timeout_ms) or real_other(timeout_ms))
    other.close()
    assert asked[0] == 10000  # not segmix's own process: the window waits for its thread


def test_closing_ends_the_process_that_compiles_the_graph_cut(make_window):
    """The first start compiles the graph cut's kernels in a second process; closing the
    window left it compiling for a minute or more, unasked. It is ended with the window."""
    import subprocess
    import sys

    window = make_window()
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        window.controller._worker._graph_cut_helper = helper
        window.close()
        assert helper.wait(timeout=30) is not None
    finally:
        if helper.poll() is None:
            helper.kill()
            helper.wait()


def test_the_first_start_says_the_time_so_far_and_about_how_long_is_left(qtbot, make_window):
    """The first start said "(once; a minute or more in all)" for the 5 to 7 minutes it took on
    a loaded 2-core machine (over 3.5 for a trial), nothing moving but the bar. The line now
    counts the time so far and, once compiling steps have taken 20 s, says about how long is
    left, at the pace of the steps that compiled."""
    import time

    from segmix.gui.worker import WARM_UP_SHARES, warm_up_time_words

    window = make_window()
    bar = window.statusBar()
    worker = window.controller._worker
    worker._first_use, worker._warm_up_total = True, 8
    window.controller.is_warm = False  # still warming up, as on a first start
    window._warm_up_clock = time.perf_counter() - 0.5
    with qtbot.waitSignal(window.controller.warm_up_progress, timeout=5000):
        worker._say_warm_up_step(1, "{verb} the segmentation kernels")  # step 1 took 0.5 s
    message = bar.currentMessage()
    assert message.startswith("First start: compiling (once), step 2 of 8, 0:00 so far, estimating time left.")
    assert message.endswith("You can draw meanwhile.") and window._warm_up_ticker.isActive()
    window._warm_up_clock = time.perf_counter() - 100.5  # step 2 took 100 s
    with qtbot.waitSignal(window.controller.warm_up_progress, timeout=5000):
        worker._say_warm_up_step(2, "{verb} the graph-cut kernels")
    whole = 100 / WARM_UP_SHARES[1]  # 769 s at this pace
    assert round((whole - 100) / 60) == 11
    assert "step 3 of 8, 1:40 so far, about 11 min left. You can draw" in bar.currentMessage()
    # It counts down within a step; a step running over its share slows the pace as if it
    # ended now (session 45: it stood at 10 min, then jumped; the window's WarmUpEstimate
    # lets the figure it says rise only slowly, tests/gui/test_window45.py).
    assert warm_up_time_words(150.0, 2, 8, [0.5, 99.5]) == ", 2:30 so far, about 10 min left"
    assert warm_up_time_words(400.0, 2, 8, [0.5, 99.5]) == ", 6:40 so far, about 21 min left"
    assert warm_up_time_words(2000.0, 7, 8, [0.3, 50, 50, 50, 100, 60, 60]).endswith("under a minute left")
    # Steps that loaded their kernels (a first start cut short before) set no pace.
    assert warm_up_time_words(10.0, 3, 8, [0.3, 2.0, 2.5]) == ", 0:10 so far, estimating time left"
    assert warm_up_time_words(35.0, 4, 8, [0.3, 2.0, 11.0, 17.0]) == ", 0:35 so far, about 2 min left"
    window.controller._on_warmed_up(1.0)
    assert not window._warm_up_ticker.isActive()


def test_open_dialogs_start_in_a_folder_that_is_there(make_window, qsettings, tmp_path, monkeypatch):
    """The open dialogs start in the last session's folder. One deleted since (or a USB stick
    taken out), or a damaged setting ("42"), started Qt's dialog in the current folder,
    wherever segmix was started from: now the nearest folder above it that is there, else home."""
    from segmix.gui import files

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setattr(files, "home_folder", lambda: home)
    elsewhere = tmp_path / "started_here"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    kept = tmp_path / "photos"
    kept.mkdir()
    for stored, expected in ((str(kept), kept), (str(kept / "gone" / "deeper"), kept), ("42", home),
                             ("/segmix-no-such-folder", home), ("", home)):
        qsettings.setValue("files/last_folder", stored)
        window = make_window()
        assert window.last_folder() == str(expected), stored
        window.close()


def test_a_damaged_window_size_opens_the_window_at_the_first_starts_size(make_window, qsettings, tmp_path):
    """A settings file whose window geometry is not Qt's record (hand-edited, another
    program's) opened the window at Qt's default 640 x 480, not at the size of a first start."""
    from segmix.gui.main_window import MainWindow

    sizes = []
    for geometry in (None, "hello"):
        settings = type(qsettings)(str(tmp_path / f"{geometry}.ini"), type(qsettings).Format.IniFormat)
        if geometry is not None:
            settings.setValue("window/geometry", geometry)
        window = MainWindow(settings=settings, warm_up=False)
        sizes.append(window.size().toTuple())
        window.controller.shutdown()
        window.deleteLater()
    assert sizes[1] == sizes[0]


def test_about_names_the_settings_file_and_how_to_start_afresh(make_window, settings_path):
    """Nothing in the window said that sizes, folders and sliders come back from the last
    session, or from which file: Help > About names it and says how to start afresh."""
    window = make_window()
    box = window.show_about()
    text = box.text()
    assert str(settings_path) in text and "delete it while segmix is closed" in text
    assert "folders last used" in text
    box.close()


def test_the_warm_up_compiles_the_large_photos_contrast_kernel(monkeypatch):
    """After a first start's warm-up had run all its steps, the first click on a 7 MP photo
    still compiled the parallel variant of the graph cut's contrast kernel
    (graphs.sampled_neighbour_sq_diff; numba's compile event named it): the warm-up's large
    photo step ran the cut on two threads, where its parallel variants are not chosen. It now
    runs that kernel's parallel variant itself."""
    from segmix.gui.worker import ComputeWorker
    from segmix.kernels import cache, graphs

    real = graphs.sampled_neighbour_sq_diff
    used = []

    class Spy:
        serial = staticmethod(lambda *args: used.append("serial") or real.serial(*args))

        def __call__(self, *args):
            used.append("parallel")
            return real.serial(*args)  # the same numbers; no compile in a test

    monkeypatch.setattr(graphs, "sampled_neighbour_sq_diff", Spy())
    monkeypatch.setattr(cache, "is_cached", lambda *kernels: False)  # as on a first start
    steps = ComputeWorker()._warm_up_steps()
    for _label, step in steps[:2]:  # the photo and the model the later steps use
        step()
    dict(steps)["{verb} the large photos' kernels"]()
    assert "parallel" in used


def test_a_job_compiling_during_the_first_start_leaves_the_first_starts_line(qtbot, make_window):
    """A mark made during the first start ran a job that compiled too: its "Compiling what this
    job needs ..." and the first start's line (step, time so far and left) took turns in the
    status bar for a minute, the progress bar going on without words. The first start's line
    stays; after the first start a compiling job says so as before."""
    from segmix.gui.main_window import COMPILING_MESSAGE

    window = make_window()
    bar = window.statusBar()
    worker = window.controller._worker
    worker._first_use, worker._warm_up_total = True, 8
    window.controller.is_warm = False
    with qtbot.waitSignal(window.controller.warm_up_progress, timeout=5000):
        worker._say_warm_up_step(2, "{verb} the graph-cut kernels")
    line = bar.currentMessage()
    assert line.startswith("First start: compiling (once), step 3 of 8")
    window.controller.compiling.emit()
    assert bar.currentMessage() == line
    window.controller._on_warmed_up(1.0)
    window.controller.compiling.emit()
    assert bar.currentMessage() == COMPILING_MESSAGE
