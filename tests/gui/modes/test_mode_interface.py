"""The shell / mode interface: a mode added by one registry line gets its docks, menu, hooks,
its own input and its own compute jobs, without changing the shell."""

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from segmix.gui.modes import MODES, Mode, NothingToExport, SegmentMode, SkinMode

from gui_helpers import drag


class EchoMode(Mode):
    """A test mode: records the hooks the shell calls, owns a ``.frames`` input."""

    name = "echo"
    title = "Echo"
    description = "Test mode"
    shortcut = "Ctrl+Alt+J"
    menu_title = "&Echo"
    tool_texts = {"foreground": "Thing (1)"}
    uses_overlay_threshold = False
    export_names = {"mask": "mask"}
    open_filter = "Frames (*.frames)"

    def __init__(self, shell):
        super().__init__(shell)
        self.calls = []
        self.label = QLabel("echo dock")
        self.results = []
        shell.controller.call_ready.connect(self._on_call)

    def docks(self):
        return [("echo", "Echo", self.label)]

    def populate_menu(self, menu):
        self.menu_action = self.shell.add_action("&Ping", lambda: self.calls.append("ping"), menu=menu)

    def activate(self):
        self.calls.append("activate")

    def deactivate(self):
        self.calls.append("deactivate")

    def open_path(self, path):
        if path.suffix != ".frames":
            return None
        self.calls.append(("open", path.name))
        self.shell.set_image(np.zeros((8, 9, 3), np.uint8), path)
        return True

    def on_image_changed(self):
        self.calls.append("image")

    def on_labels_changed(self, rect):
        self.calls.append("labels")

    def hint(self):
        return "echo hint"

    def pixel_info(self, x, y):
        return f"echo {x},{y}"

    def export_arrays(self, kind):
        raise NothingToExport("no echo yet")

    def run_job(self, value):
        def work(check):
            check()
            return value * 2

        return self.shell.controller.request_call(work, tag=self.name)

    def _on_call(self, outcome):
        if outcome.tag == self.name:
            self.results.append(outcome.value)


def test_the_registry_lists_segment_then_skin():
    assert MODES[:2] == (SegmentMode, SkinMode)
    assert len({cls.name for cls in MODES}) == len(MODES)


@pytest.fixture
def echo_window(make_window, photo_path, monkeypatch):
    import segmix.gui.main_window as main_window

    monkeypatch.setattr(main_window, "MODES", (*MODES, EchoMode))
    return make_window(photo_path)


def test_a_registered_mode_plugs_into_the_shell(qtbot, echo_window, tmp_path, messages):
    window = echo_window
    echo = window.modes["echo"]
    assert window.mode == "segment" and echo.calls == ["image"]  # told of the photo while inactive
    assert [window.mode_combo.itemData(i) for i in range(window.mode_combo.count())] == [*(m.name for m in MODES), "echo"]
    assert "&Echo" in [a.text() for a in window.menuBar().actions()]
    assert not window.docks["echo"].isVisible()

    window.set_mode("echo")
    assert echo.calls[-1] == "activate" and window.mode == "echo"
    assert window.docks["echo"].isVisible() and not window.docks["model"].isVisible()
    assert not window.docks["skin"].isVisible()
    assert window.tool_panel.buttons["foreground"].text() == "Thing (1)"
    assert window.tool_panel.buttons["background"].text() == "Background (2)"
    assert window.hint_label.text() == "echo hint"
    assert window.export_actions["mask"].isEnabled() is False
    assert not window.export_actions["probability"].isEnabled()

    drag(window, [(10, 10), (20, 20)])
    assert echo.calls[-1] == "labels"
    window._show_pixel_info(3, 4)
    assert window.posterior_label.text() == "echo 3,4"
    assert not window.export("mask", tmp_path / "m.png")
    assert messages[-1] == ("Nothing to export yet", "no echo yet")

    frames = tmp_path / "clip.frames"
    frames.write_bytes(b"")
    assert window.open_image(frames)  # the mode's own input, not a photo
    assert ("open", "clip.frames") in echo.calls and window.image.shape == (8, 9, 3)

    with qtbot.waitSignal(window.controller.call_ready, timeout=20000):
        echo.run_job(21)
    assert echo.results == [42]

    window.set_mode("segment")
    assert echo.calls[-1] == "deactivate"
    assert window.tool_panel.buttons["foreground"].text() == "Foreground (1)"


def test_a_stale_call_job_never_reports(qtbot, make_window, photo_path):
    window = make_window(photo_path)
    results = []
    window.controller.call_ready.connect(lambda outcome: results.append(outcome.value))

    def slow(check):
        for _ in range(200):
            check()
            __import__("time").sleep(0.005)
        return "old"

    window.controller.request_call(slow, tag="t")
    with qtbot.waitSignal(window.controller.call_ready, timeout=20000):
        window.controller.request_call(lambda check: "new", tag="t")
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=20000)
    assert results == ["new"]

