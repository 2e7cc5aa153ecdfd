"""The real window on a real X server (issue 13 section 1): Xvfb, Qt's xcb plug-in, X input.

Every other GUI test runs offscreen, which cannot see a missing system library of Qt's xcb
platform plug-in (README's Debian packages once lacked libxcb-icccm4 and libxcb-keysyms1 and
the window did not open on a desktop). This test starts ``segmix`` as a user would, on the
bundled photo, under Xvfb with ``QT_QPA_PLATFORM=xcb``; paints a foreground and a
background stroke with real pointer and key events (xdotool, through the X server's XTEST
extension); waits until the overlay has tinted the photo; closes the window with Ctrl+Q,
discarding the marks in the dialog that asks; and checks the process ended cleanly.

Needs Xvfb and xdotool (``.ci/run`` installs them with README's packages). Skipped when
they are missing, except under ``CI=true``, where it fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

TOOLS = ("Xvfb", "xdotool")
WINDOW_TIMEOUT = 180.0  # a loaded machine took over 90 s once
# A cold Numba cache compiles the kernels on the first stroke (issue 12 section 3).
OVERLAY_TIMEOUT = 300.0
QUESTION_TITLE = "Unsaved marks"  # the close question's title (main_window.confirm_discard)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install xvfb xdotool)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the X11 smoke test must run in CI: {message}")
        pytest.skip(message)


class Display:
    """An Xvfb server on a free display number."""

    def __init__(self, width: int = 1280, height: int = 800):
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.process.kill()
            raise RuntimeError(f"Xvfb did not start: {self.process.stderr.read().decode(errors='replace')[-500:]}")
        self.name = f":{number}"
        # Under load a client connecting right after -displayfd answered was once refused
        # ("could not connect to display :0"); wait until one gets through.
        deadline = time.monotonic() + 30
        while subprocess.run(["xdotool", "getdisplaygeometry"], env={**os.environ, "DISPLAY": self.name},
                             capture_output=True, timeout=60).returncode != 0:
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"Xvfb on {self.name} accepted no client within 30 s")
            time.sleep(0.25)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def xdotool(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": self.name},
                                capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def grab(self) -> np.ndarray:
        from PIL import ImageGrab

        return np.asarray(ImageGrab.grab(xdisplay=self.name).convert("RGB")).astype(np.int16)

    def wait_for_window(self, name: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.xdotool("search", "--onlyvisible", "--name", name, check=False)
            if found:
                return found.splitlines()[0]
            time.sleep(0.25)
        raise AssertionError(f"no window named {name!r} within {timeout:.0f} s")


def _locate_photo(screen: np.ndarray, photo: np.ndarray) -> tuple[int, int, float]:
    """(left, top, scale) of ``photo`` shown at "fit" zoom in ``screen``, by normalised
    cross-correlation over display sizes at a quarter of the resolution."""
    from skimage.feature import match_template
    from skimage.transform import resize

    step = 4
    small = screen[::step, ::step].mean(axis=2) / 255.0
    grey = photo.mean(axis=2) / 255.0
    best = (-1.0, 0, 0, 1.0)
    for size in range(40, min(small.shape) + 1, 2):
        template = resize(grey, (size, round(size * photo.shape[1] / photo.shape[0])), anti_aliasing=True)
        if template.shape[1] > small.shape[1]:
            break
        score = match_template(small, template)
        index = np.unravel_index(np.argmax(score), score.shape)
        if score[index] > best[0]:
            best = (float(score[index]), int(index[1]) * step, int(index[0]) * step, size * step / photo.shape[0])
    score, left, top, scale = best
    assert score > 0.8, f"the photo was not found on the screen (best correlation {score:.2f})"
    return left, top, scale


def _drag(display: Display, points: list[tuple[int, int]]) -> None:
    display.xdotool("mousemove", "--sync", str(points[0][0]), str(points[0][1]))
    display.xdotool("mousedown", "1")
    for x, y in points[1:]:
        display.xdotool("mousemove", "--sync", str(x), str(y))
        time.sleep(0.02)
    display.xdotool("mouseup", "1")


def _stroke(left: int, top: int, scale: float, start: tuple[float, float], end: tuple[float, float], n: int = 12):
    """Screen points along a stroke given in photo pixel coordinates."""
    return [(round(left + scale * (start[0] + t * (end[0] - start[0]))),
             round(top + scale * (start[1] + t * (end[1] - start[1])))) for t in np.linspace(0, 1, n)]


def _open_window(display, tmp_path):
    """``_launch`` and wait for the main window: (process, log, window id). A start that
    failed to reach the X server (the shared CI machine under load, once) is tried again;
    any other early exit fails at once with the application's log."""
    for attempt in range(2):
        app, log = _launch(display, tmp_path)
        deadline = time.monotonic() + WINDOW_TIMEOUT
        while time.monotonic() < deadline:
            found = display.xdotool("search", "--onlyvisible", "--name", "segmix", check=False)
            if found:
                return app, log, found.splitlines()[0]
            if app.poll() is not None:
                break
            time.sleep(0.25)
        else:
            app.kill()
            app.wait(10)
            raise AssertionError(f"no window named 'segmix' within {WINDOW_TIMEOUT:.0f} s:\n"
                                 + log.read_text(errors="replace")[-2000:])
        text = log.read_text(errors="replace")
        if attempt == 0 and "could not connect to display" in text:
            time.sleep(2.0)
            continue
        raise AssertionError(f"segmix exited ({app.returncode}) before its window showed:\n{text[-2000:]}")
    raise AssertionError("unreachable")


def _launch(display, tmp_path):
    """Start ``python -m segmix`` on ``display`` with the xcb platform and a fresh home in
    ``tmp_path``; returns the process and its log file."""
    env = {**os.environ, "DISPLAY": display.name, "QT_QPA_PLATFORM": "xcb", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONUNBUFFERED": "1"}
    env.pop("WAYLAND_DISPLAY", None)
    log = tmp_path / "segmix.log"
    with open(log, "wb") as out:
        app = subprocess.Popen([sys.executable, "-m", "segmix"], env=env, stdout=out, stderr=subprocess.STDOUT,
                               cwd=tmp_path)
    return app, log


def test_window_paints_and_overlays_on_a_real_x_server(tmp_path):
    _require_tools()
    from segmix.io import load_image
    from segmix.resources import sample_image_path

    photo = load_image(sample_image_path())  # the bundled astronaut, 512 x 512
    display = Display()
    app, log, window = _open_window(display, tmp_path)
    try:
        display.xdotool("windowactivate", "--sync", window, check=False)
        time.sleep(1.0)  # first paint
        before = display.grab()
        left, top, scale = _locate_photo(before, photo)

        # Foreground across the orange suit, background down the wall right of the head.
        display.xdotool("key", "--window", window, "1")
        _drag(display, _stroke(left, top, scale, (110, 370), (230, 390)))
        display.xdotool("key", "--window", window, "2")
        _drag(display, _stroke(left, top, scale, (330, 50), (335, 190)))

        # Wait for the overlay: the photo away from the strokes changes colour.
        region = (slice(top + round(20 * scale), top + round(330 * scale)),
                  slice(left + round(20 * scale), left + round(300 * scale)))
        deadline = time.monotonic() + OVERLAY_TIMEOUT
        change = 0.0
        while time.monotonic() < deadline and app.poll() is None:
            after = display.grab()
            change = float(np.abs(after[region] - before[region]).mean())
            if change > 8.0:
                break
            time.sleep(1.0)
        assert app.poll() is None, f"segmix exited early:\n{log.read_text(errors='replace')[-2000:]}"
        assert change > 8.0, f"no overlay within {OVERLAY_TIMEOUT:.0f} s (mean change {change:.1f})"
        from PIL import Image

        Image.fromarray(after.astype(np.uint8)).save(tmp_path / "overlay.png")

        # Close as a user would: Ctrl+Q, then Alt+D (Discard) in the question (titled "Unsaved
        # marks" since session 58, "Unsaved scribbles" before). Without a
        # window manager the dialog may not have the keyboard focus when it first maps, so the
        # focus is set explicitly and the key is sent again while the dialog is still up.
        display.xdotool("key", "--window", window, "ctrl+q")
        dialog = display.wait_for_window(QUESTION_TITLE, 30)
        time.sleep(0.5)
        from PIL import Image

        Image.fromarray(display.grab().astype(np.uint8)).save(tmp_path / "dialog.png")
        status = None
        deadline = time.monotonic() + 60
        while status is None and time.monotonic() < deadline:
            if display.xdotool("search", "--onlyvisible", "--name", QUESTION_TITLE, check=False):
                display.xdotool("windowfocus", "--sync", dialog, check=False)
                display.xdotool("key", "--clearmodifiers", "alt+d", check=False)
            try:
                status = app.wait(5)
            except subprocess.TimeoutExpired:
                status = None
        if status is None:
            raise AssertionError(f"segmix did not exit after Ctrl+Q and Alt+D (Discard):\n{log.read_text(errors='replace')[-2000:]}")
        output = log.read_text(errors="replace")
        assert status == 0, output[-2000:]
        assert "Traceback" not in output and "could not load the Qt platform plugin" not in output, output[-2000:]
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
        display.close()


def test_keyboard_works_without_a_click_and_after_a_dialog(tmp_path):
    """New-user trial under Xvfb: with no window manager nothing activated the window, so no
    shortcut worked (Ctrl+K, P) until a click into it, nor after the Open dialog closed. Here
    only keys are sent, to whatever has the X keyboard focus: Ctrl+O must open the dialog,
    Esc close it, and Ctrl+Q then close the window."""
    _require_tools()
    display = Display()
    app, log, _ = _open_window(display, tmp_path)
    try:
        time.sleep(2.0)  # first paint; no click, no windowactivate
        display.xdotool("key", "ctrl+o")
        display.wait_for_window("Open Photo", 30)
        time.sleep(0.5)
        display.xdotool("key", "Escape")
        deadline = time.monotonic() + 30
        while display.xdotool("search", "--onlyvisible", "--name", "Open Photo", check=False):
            assert time.monotonic() < deadline, "Esc did not close the Open dialog"
            time.sleep(0.25)
        time.sleep(1.0)
        display.xdotool("key", "ctrl+q")
        try:
            status = app.wait(30)
        except subprocess.TimeoutExpired:
            raise AssertionError("Ctrl+Q after the dialog did not close the window (no active window?):\n"
                                 + log.read_text(errors="replace")[-2000:]) from None
        assert status == 0, log.read_text(errors="replace")[-2000:]
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
        display.close()
