"""pytest-qt fixtures for the GUI tests: offscreen, temporary settings, synthetic photos."""

import os
import threading

# Before anything imports Qt: no display is needed or used.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402

# Even a test that forgets its fixture writes its settings under a test-only name.
QCoreApplication.setOrganizationName("segmix-tests")
QCoreApplication.setApplicationName("segmix-tests")

from gui_helpers import make_two_colour_image  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def warm_kernels():
    """Load / compile the Numba kernels once, before any window waits for a result with a timeout.

    Sequential use of the kernels from this thread and later from a window's compute thread
    is fine; only concurrent parallel kernels from two threads are not.
    """
    from segmix.gui.worker import ComputeWorker

    ComputeWorker().warm_up()
    yield


@pytest.fixture(autouse=True)
def no_real_file_dialog(monkeypatch):
    """A real modal file dialog waits for a user no test has: fail instead of hanging the suite
    (a test that patched QFileDialog's static functions hung once the window ran its own
    dialogs, segmix.gui.file_dialogs). Tests answer through file_dialogs' functions."""
    from PySide6.QtWidgets import QFileDialog

    def refuse(dialog):
        raise AssertionError(f"a test opened a real file dialog ({dialog.windowTitle()!r}); "
                             "patch segmix.gui.file_dialogs instead")

    monkeypatch.setattr(QFileDialog, "exec", refuse)


@pytest.fixture
def settings_path(tmp_path):
    return tmp_path / "settings" / "segmix.ini"


@pytest.fixture
def qsettings(settings_path):
    return QSettings(str(settings_path), QSettings.Format.IniFormat)


@pytest.fixture
def photo_path(tmp_path):
    path = tmp_path / "two.png"
    Image.fromarray(make_two_colour_image()).save(path)
    return path


class MessageLog(list):
    def __call__(self, title, text):
        self.append((title, text))


@pytest.fixture
def messages():
    return MessageLog()


@pytest.fixture
def make_window(qtbot, qsettings, messages, monkeypatch):
    """Factory for main windows wired for tests (no blocking dialogs, temp settings)."""
    from segmix.gui.main_window import MainWindow

    created = []

    def make(photo=None, smoothing=False, settings=None):
        window = MainWindow(settings=settings if settings is not None else qsettings, warm_up=False)
        window.show_message = messages
        window.confirm_discard = lambda: True
        window.confirm_marks_replaced = lambda path: True
        window.confirm_open_anyway = lambda title, question: True  # a mask segmix wrote, opened as a photo
        qtbot.addWidget(window)
        window.resize(900, 600)
        window.show()
        qtbot.waitExposed(window)
        window.modes["segment"].model_panel.smoothing_box.setChecked(smoothing)
        # Exports are written on the export thread (segmix.gui.export_writer); tests that read
        # the file right after export() wait for it here, True only if it was written.
        # Tests of the waiting itself call MainWindow.export(window, ...).
        asynchronous = window.export
        window.export = lambda kind, path=None: asynchronous(kind, path) and window.wait_for_exports()
        if photo is not None:
            assert window.open_image(photo)
        created.append(window)
        return window

    yield make
    for window in created:
        window.confirm_discard = lambda: True
        window.close()
        window.controller.shutdown()


@pytest.fixture
def window(make_window, photo_path):
    return make_window(photo_path)


@pytest.fixture
def held_writes(monkeypatch):
    """files.write_export held until ``release`` is set: (release, calls), calls recording
    (kind, file name, thread) of each write as it starts. A write that runs on the GUI thread
    (the fault) is let go after 3 s instead of hanging the test."""
    from segmix.gui import files

    release, calls = threading.Event(), []
    real = files.write_export

    def held(kind, path, **kwargs):
        calls.append((kind, path.name, threading.current_thread()))
        release.wait(3)
        return real(kind, path, **kwargs)

    monkeypatch.setattr(files, "write_export", held)
    return release, calls
