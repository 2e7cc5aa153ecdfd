"""Start the desktop app: ``segmix`` (bundled sample), ``segmix IMAGE`` or ``segmix FOLDER_OR_VIDEO``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

ORGANIZATION = "segmix"
APPLICATION = "segmix"


def create_window(image_path: str | Path | None = None, settings: QSettings | None = None, warm_up: bool = True):
    """Make the main window and open a photo (the bundled sample when ``image_path`` is None).

    A folder of frames or a video opens in Video mode (:meth:`MainWindow.open_image`).

    Returns
    -------
    (MainWindow, bool)
        The window and whether the photo opened (when not, a message is already shown
        and the window stays usable).
    """
    from segmix.gui.main_window import MainWindow
    from segmix.resources import sample_image_path

    window = MainWindow(settings=settings, warm_up=warm_up)
    path = Path(image_path) if image_path is not None else sample_image_path()
    opened = window.open_image(path)
    return window, opened


#: Exit statuses after SIGTERM and SIGINT (Ctrl+C in the terminal), as the command line's.
TERMINATED, INTERRUPTED = 143, 130


def end_on_signals(app: QApplication, window):
    """End the app on SIGTERM (``kill``, a logout) and on Ctrl+C in its terminal as the command
    line does: the job in flight stops at its next check, the file being written is finished,
    and the event loop exits with :data:`TERMINATED` or :data:`INTERRUPTED`. SIGTERM's
    default action killed the process in the middle of Export All Masks, leaving
    ``.in000470.png.<random>.tmp`` in the folder; Ctrl+C printed a KeyboardInterrupt
    traceback from an event filter and the window stayed. No question is asked (a close
    would ask about unsaved work and wait for an answer no one gives).

    Returns
    -------
    QTimer or None
        The timer that lets Python's handlers run while Qt's loop idles (Python runs a
        signal handler only between its own bytecodes); None when no handler was set (not
        the main thread, or a caller set its own).
    """
    import signal
    import threading

    from PySide6.QtCore import QTimer

    if threading.current_thread() is not threading.main_thread():
        return None
    defaults = {signal.SIGTERM: (signal.SIG_DFL, TERMINATED), signal.SIGINT: (signal.default_int_handler, INTERRUPTED)}
    ours = [signum for signum, (default, _) in defaults.items() if signal.getsignal(signum) is default]
    if not ours:
        return None

    def end(signum, frame):
        for each in ours:  # a second signal ends it at once
            signal.signal(each, defaults[each][0])
        # the command line's line (segmix.cli._said_interruption): the window ended in silence
        print(f"segmix: {'terminated' if signum == signal.SIGTERM else 'interrupted'}", file=sys.stderr)
        controller = window.controller
        # segmix's own process ends below (run_app's os._exit while a compile runs), not 10 s
        # later; another program that shows the window waits, as the window's close does
        # (a QThread destroyed while running would abort it).
        compiling = controller.any_busy or not controller.is_warm
        controller.shutdown(0 if compiling and getattr(window, "ends_process_on_close", False) else 10000)
        app.exit(defaults[signum][1])

    for signum in ours:
        signal.signal(signum, end)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


def home_from_the_password_file() -> None:
    """Set HOME from the user's entry in the password file when it is unset (``env -u HOME``,
    a service's environment): Qt then wrote the settings at the file system's root,
    ``/.config/segmix/segmix.conf`` (a new user's). Nothing when HOME is set or on Windows."""
    if os.name != "posix" or os.environ.get("HOME"):
        return
    try:
        import pwd

        home = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError, OSError):
        return
    if home:
        os.environ["HOME"] = home


def utf8_character_type() -> None:
    """Switch the character type (LC_CTYPE) to UTF-8 when the locale's is not, as Qt does.

    Qt needs a UTF-8 locale: under ``LC_ALL=C`` (a script's, a service's, a minimal
    container's) it switches by itself, but says so in four lines on every start ("Detected
    locale "C" with character encoding "ANSI_X3.4-1968", which is not UTF-8. ... If this
    causes problems, reconfigure your locale ..."), which read as a fault of segmix's. The
    same switch made first (the language's own UTF-8 variant, else C.UTF-8) leaves Qt nothing
    to say; Python's own encodings are set at its start and do not change. It is made in the
    environment (``LC_ALL`` when set, else ``LC_CTYPE``): Qt reads the locale from it again.
    """
    import locale

    if sys.platform in ("win32", "darwin"):
        return
    try:
        if locale.nl_langinfo(locale.CODESET).replace("-", "").upper() == "UTF8":
            return
        name = locale.setlocale(locale.LC_CTYPE) or "C"
    except (AttributeError, locale.Error, ValueError):
        return
    base = name.split("@", 1)[0].split(".", 1)[0]
    for candidate in (f"{base}.UTF-8", "C.UTF-8"):
        try:
            locale.setlocale(locale.LC_CTYPE, candidate)
        except locale.Error:
            continue
        os.environ["LC_ALL" if os.environ.get("LC_ALL") else "LC_CTYPE"] = candidate
        return


def report_faults_in(window) -> None:
    """Show in ``window`` an exception that reached Qt's event loop unhandled, besides its
    traceback on stderr: the window stays alive, but said nothing (a click on a 196 MP photo
    that ran out of memory on the GUI thread left its mark and no result without a word, a
    trial of session 38). Out of memory is said as the other jobs say it; anything else as a
    fault of segmix's, once per kind of exception, so a fault in a paint event does not
    open dialog after dialog."""
    previous = sys.excepthook
    said: set[str] = set()

    def hook(kind, value, traceback) -> None:
        previous(kind, value, traceback)  # the traceback, for a report
        try:
            if issubclass(kind, MemoryError):
                from segmix.gui.files import out_of_memory_words

                window.show_message("Not enough memory", out_of_memory_words(value))
            elif kind.__name__ not in said and not issubclass(kind, KeyboardInterrupt):
                said.add(kind.__name__)
                window.show_message("Internal error", f"segmix met an error it did not expect ({kind.__name__}: "
                                    f"{str(value)[:300]}). Your marks and photo are kept; save your work, and "
                                    "please report it with the lines printed on the terminal.")
        except Exception:  # noqa: BLE001 - the window may be closing: the traceback was printed
            pass

    sys.excepthook = hook


def run_app(image_path: str | Path | None = None, max_pixels: int | None = None) -> int:
    """Run the app until the window closes.

    Parameters
    ----------
    image_path : str or Path, optional
        Photo to open, or a folder of frames or a video (opened in Video mode); None opens
        the bundled astronaut sample.
    max_pixels : int, optional
        The largest photo the window opens (``segmix PHOTO --max-megapixels N``); default
        segmix.io's limit.

    Returns
    -------
    int
        Exit status for the command line.
    """
    if max_pixels is not None:
        from segmix.gui import files

        files.window_max_pixels = int(max_pixels)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    home_from_the_password_file()
    utf8_character_type()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window, _opened = create_window(image_path)
    window.ends_process_on_close = True  # closing does not wait for a compile (os._exit below)
    report_faults_in(window)
    window.show()
    heartbeat = end_on_signals(app, window)  # lets Python's signal handlers run during the loop
    status = int(app.exec())
    if heartbeat is not None:
        heartbeat.stop()
    finish_exports = getattr(window, "wait_for_exports", None)
    if finish_exports is not None:
        # Ended by SIGTERM or Ctrl+C (no closeEvent): an export being written on its own
        # thread (segmix.gui.export_writer) is finished, as the docstring of end_on_signals
        # promises; os._exit below would cut it off and leave its temporary file.
        finish_exports()
    controller = getattr(window, "controller", None)
    if controller is not None and controller.thread_running:
        # Closed while the compute thread is inside a Numba kernel, which cannot be
        # interrupted (a first graph cut on a cold cache compiles for up to a minute);
        # destroying its QThread would abort the process ("QThread: Destroyed while thread
        # is still running", found by tests/test_x11_smoke.py in CI). Settings were saved
        # in closeEvent and nothing else is pending: end the process here.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status
