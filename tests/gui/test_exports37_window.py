"""Exports written off the GUI thread (helper exports37, session 37): a 40-megapixel photo's
mask, cut-out and scribbles froze the window for 17-31 s while PNG compression ran on the GUI
thread. These tests call ``MainWindow.export(window, ...)``, the export itself, not the
conftest's wrapper that waits for the file."""

import errno
import threading

import numpy as np
import pytest
from PIL import Image

from segmix.gui.main_window import MainWindow


def _segmented(qtbot, window):
    from gui_helpers import paint_two_classes

    paint_two_classes(qtbot, window)
    seg = window.modes["segment"]
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)
    return seg


def test_an_export_is_written_off_the_gui_thread_and_the_window_says_saving_then_saved(
        qtbot, window, tmp_path, held_writes):
    release, calls = held_writes
    _segmented(qtbot, window)
    assert MainWindow.export(window, "cutout", tmp_path / "cut.png")
    # export() is back while the write is held: the window keeps its event loop.
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    assert calls[0][2] is not threading.main_thread()
    assert window.statusBar().currentMessage() == "Saving cut.png..."
    assert not (tmp_path / "cut.png").exists()
    release.set()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Saved "), timeout=10000)
    assert window.statusBar().currentMessage() == f"Saved {tmp_path / 'cut.png'}"
    assert Image.open(tmp_path / "cut.png").mode == "RGBA"


def test_what_is_written_is_what_was_shown_when_the_export_was_asked_for(qtbot, window, tmp_path, held_writes):
    """The user goes on marking (and the result changes) while the write waits its turn."""
    release, calls = held_writes
    seg = _segmented(qtbot, window)
    shown_mask = seg.current_mask().copy()
    shown_marks = window.layer.labels.copy()
    assert MainWindow.export(window, "mask", tmp_path / "mask.png")
    assert MainWindow.export(window, "scribbles", tmp_path / "marks.png")
    # Changed in place, as a stroke changes the label layer; and the result's mask likewise.
    window.layer.labels[:10, :10] = 1
    seg.current_mask()[:] = ~seg.current_mask()
    release.set()
    assert window.wait_for_exports()
    written = np.asarray(Image.open(tmp_path / "mask.png")) == 255
    assert np.array_equal(written, shown_mask)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "marks.png")), shown_marks)
    assert [(kind, name) for kind, name, _ in calls] == [("mask", "mask.png"), ("scribbles", "marks.png")]


def test_two_exports_in_a_row_are_both_written_in_order(qtbot, window, tmp_path, held_writes):
    release, calls = held_writes
    _segmented(qtbot, window)
    assert MainWindow.export(window, "mask", tmp_path / "mask.png")
    assert MainWindow.export(window, "cutout", tmp_path / "cut.png")
    assert window.statusBar().currentMessage() == "Saving mask.png... (1 more waiting)"
    release.set()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == f"Saved {tmp_path / 'cut.png'}", timeout=10000)
    assert [name for _, name, _ in calls] == ["mask.png", "cut.png"]
    assert (tmp_path / "mask.png").exists() and (tmp_path / "cut.png").exists()


def test_a_failed_write_shows_its_message_and_marks_stay_unsaved(qtbot, window, tmp_path, messages, monkeypatch):
    from segmix.gui import files

    _segmented(qtbot, window)
    assert window.has_unsaved_scribbles

    def full_disk(kind, path, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(files, "write_export", full_disk)
    assert MainWindow.export(window, "scribbles", tmp_path / "marks.png")
    assert MainWindow.export(window, "mask", tmp_path / "mask.png")
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=10000)
    assert [title for title, _ in messages] == ["Cannot save", "Cannot save"]
    assert "marks.png" in messages[0][1] and "mask.png" in messages[1][1]
    assert "no space" in messages[0][1].lower()
    assert window.has_unsaved_scribbles  # the marks were not saved: the discard question still asks
    assert not window.statusBar().currentMessage().startswith(("Saved", "Saving"))
    assert not (tmp_path / "marks.png").exists()


def test_a_refused_place_is_still_said_at_once(qtbot, window, tmp_path, messages, photo_path):
    _segmented(qtbot, window)
    assert not MainWindow.export(window, "mask", photo_path)  # the open photo: refused before any write
    assert messages and messages[0][0] == "Cannot save" and "two.png" in messages[0][1]
    assert not window._exports.busy


@pytest.mark.parametrize("then", ["close", "open another photo"])
def test_closing_or_opening_another_photo_finishes_the_export_first(
        qtbot, make_window, photo_path, tmp_path, held_writes, then):
    from gui_helpers import make_two_colour_image

    release, calls = held_writes
    window = make_window(photo_path)
    seg = _segmented(qtbot, window)
    shown = seg.current_mask().copy()
    assert MainWindow.export(window, "mask", tmp_path / "mask.png")
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    threading.Timer(0.3, release.set).start()  # the write ends while the window closes or opens
    if then == "close":
        window.confirm_discard = lambda: True
        window.close()
    else:
        other = tmp_path / "other.png"
        Image.fromarray(make_two_colour_image(seed=1)).save(other)
        assert window.open_image(other)
        assert window.statusBar().currentMessage() != "Saving mask.png..."
    assert np.array_equal(np.asarray(Image.open(tmp_path / "mask.png")) == 255, shown)
    assert not window._exports.busy


def test_save_in_the_unsaved_marks_question_waits_for_the_write_and_a_failure_keeps_the_window(
        qtbot, window, tmp_path, messages, monkeypatch):
    """Closing with unsaved marks, Save...: the write runs on the export thread, and a failed
    one (a full disk) must not let the window close and lose the marks."""
    from segmix.gui import files

    _segmented(qtbot, window)
    del window.export, window.confirm_discard  # the window's own, not the tests' wrappers
    window.ask_save_path = lambda *args, **kwargs: str(tmp_path / "marks.png")
    window.ask_save_or_discard = lambda title, question, save=None: bool(save is not None and save())

    def full_disk(kind, path, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(files, "write_export", full_disk)
    assert not window.close()
    assert window.isVisible() and window.has_unsaved_scribbles
    assert messages and messages[-1][0] == "Cannot save" and "marks.png" in messages[-1][1]
    monkeypatch.undo()
    assert window.close()  # Save again, written this time
    assert np.array_equal(np.asarray(Image.open(tmp_path / "marks.png")), window.layer.labels)


def test_skin_mode_exports_are_written_off_the_gui_thread_of_what_was_shown(
        qtbot, window, tmp_path, held_writes):
    """Skin mode's mask and probability map as Segment mode's: a new detection while the write
    waits changes nothing in the file."""
    release, calls = held_writes
    skin_mode = window.modes["skin"]
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        window.set_mode("skin")
    shown_mask = skin_mode.current_mask().copy()
    shown_probability = skin_mode.skin_posterior.copy()
    assert MainWindow.export(window, "mask", tmp_path / "skin.png")
    assert MainWindow.export(window, "probability", tmp_path / "skin_prob.png")
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    assert calls[0][2] is not threading.main_thread()
    skin_mode.skin_posterior[:] = 0.5  # as if a new detection had been written in place
    release.set()
    assert window.wait_for_exports()
    assert np.array_equal(np.asarray(Image.open(tmp_path / "skin.png")) == 255, shown_mask)
    levels = np.asarray(Image.open(tmp_path / "skin_prob.png")).astype(np.int64)
    assert np.abs(levels - np.round(shown_probability.astype(np.float64) * 65535)).max() <= 1


def test_an_export_is_reported_even_when_its_signal_arrives_before_the_thread_is_done(
        qtbot, window, tmp_path, monkeypatch):
    """The writer thread's signal was handled before the thread pool marked the job done: the
    job was never reported and the status bar said "Saving scribbles.png..." for good (seen on
    the third of three exports of a 40-megapixel photo)."""
    import time

    from segmix.gui.export_writer import ExportWriter

    real_run = ExportWriter._run

    def descheduled(self, job):
        real_run(self, job)
        time.sleep(0.5)  # the thread pauses after its signal, before the pool marks the job done

    monkeypatch.setattr(ExportWriter, "_run", descheduled)
    _segmented(qtbot, window)
    assert MainWindow.export(window, "scribbles", tmp_path / "marks.png")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Saved "), timeout=10000)
    assert not window._exports.busy
