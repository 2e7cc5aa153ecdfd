"""Video mode faults a new-user trial (trial b) found.

1. A Matroska file cut short (23 of its 60 frames left) opened as "cut.mkv (video, 23
   frames)", a whole video, where ``segmix background`` says "the video ends about 37 frames
   early (truncated or damaged)": the window counted the packets and took the count as the
   length. It now says the file is truncated, "about" as the command line does; a whole
   file of variable frame rate is not.
2. A frame of a folder over the pixel limit was skipped with the loader's advice for Python
   users in the status bar ("... segmix.io.load_image(path, max_pixels=...) reads a trusted
   file"); it is said in the window's words, as an opened photo over the limit is.
3. Closing the window (Ctrl+Q) during Export All Masks stopped the export without a word,
   leaving 586 of 1700 masks in the folder as if the export had finished. The close question
   names it (Cancel keeps the window and the export). Cancel on the export said "Export
   cancelled" alone, with 268 masks in the folder; it says how far it got and that they stay.
4. SIGTERM (``kill``, a logout) killed the window in the middle of Export All Masks, leaving
   ``.in000470.png.<random>.tmp`` in the folder. The app now stops the job at its next check
   and exits 143, as the command line does. Ctrl+C in its terminal printed a KeyboardInterrupt
   traceback from an event filter and the window stayed; it now ends it the same way, 130.
5. A CDnet sequence's own folder (``highway/``) opened as its white ROI.bmp, "(folder, 1
   frames)", the 1700 frames of its ``input/`` subfolder unnamed: the status bar names it.
"""

import fractions
import struct
import zlib

import numpy as np
import pytest

av = pytest.importorskip("av")

from tests.test_background_trial26 import H, W, _frame  # noqa: E402 - a square crossing a ramp


def _mkv(path, n, vfr=False):
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.codec_context.time_base = fractions.Fraction(1, 1000)
        pts = 0
        for t in range(n):
            frame = av.VideoFrame.from_ndarray(_frame(t), format="rgb24")
            frame.pts, frame.time_base = pts, fractions.Fraction(1, 1000)
            pts += 120 if vfr and t % 3 == 0 else 40
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _open(make_window, qtbot, video):
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(video)
    qtbot.waitUntil(lambda: mode.index == 1 and "counting" not in mode.panel.source_label.text(), timeout=60000)
    return window, mode


def test_a_matroska_file_cut_short_is_called_truncated_as_the_command_line_does(make_window, qtbot, tmp_path):
    whole = _mkv(tmp_path / "whole.mkv", 60)
    data = whole.read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) // 2])
    window, mode = _open(make_window, qtbot, cut)
    frames = mode.panel.slider.maximum()
    assert 0 < frames < 50
    label = mode.panel.source_label.text()
    assert f"{frames} frames of the about 60 its header announces: truncated or damaged" in label, label
    assert window.statusBar().currentMessage().startswith(f"cut.mkv is truncated or damaged: it ends after frame "
                                                          f"{frames} of the about 60 its header announces")


@pytest.mark.parametrize("vfr", [False, True])
def test_a_whole_matroska_file_is_not_called_truncated(make_window, qtbot, tmp_path, vfr):
    window, mode = _open(make_window, qtbot, _mkv(tmp_path / "whole.mkv", 30, vfr=vfr))
    assert mode.panel.slider.maximum() == 30
    assert "truncated" not in mode.panel.source_label.text() and "truncated" not in mode.hint()


def test_a_frame_over_the_pixel_limit_is_skipped_in_the_window_s_words(make_window, qtbot, tmp_path):
    from PIL import Image

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(1, 5):
        Image.fromarray(_frame(t)).save(folder / f"f{t}.png")
    # Only its header says 20000 x 13000: the limit is checked before any decoding.
    (folder / "f5.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 13000, 8, 2, 0, 0, 0))
                                    + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    notes = []
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if "Skipped" in text else None)
    assert window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: not mode.playing and "skipped" in mode.panel.source_label.text(), timeout=60000)
    said = notes + [mode.panel.source_label.toolTip()]
    # Session 48: of another size than the other frames (its header's), not "unreadable" with a
    # photo's advice (resize it in an image editor and open it again).
    assert any("f5.png): of another size, 20000 x 13000, not the" in text and "over segmix's limit" in text
               for text in said), said
    assert not any("image editor" in text for text in said), said
    assert not any("segmix.io" in text or "max_pixels" in text for text in said), said


def test_closing_or_cancelling_export_all_masks_says_what_is_written(make_window, qtbot, tmp_path, monkeypatch):
    import threading

    from PIL import Image

    import segmix.background_run as background_run

    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(1, 9):
        Image.fromarray(_frame(t)).save(folder / f"f{t}.png")
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    release = threading.Event()
    real_run = background_run.run_sequence

    def held_run(*args, **kwargs):  # the export stays running until the test lets it go
        release.wait(30)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(background_run, "run_sequence", held_run)
    questions = []
    window.confirm_discard = lambda: questions.append(window.discard_question()) or False
    mode.export_masks(tmp_path / "masks")
    # Under way (held in run_sequence): the count is said once the job stops (session 52).
    qtbot.waitUntil(mode._export_started.is_set, timeout=30000)
    try:
        _close_and_cancel(window, mode, questions, tmp_path)
    finally:
        release.set()  # a failed assertion must not leave the compute thread held
    qtbot.waitUntil(lambda: window.controller.busy is False, timeout=60000)
    mode.export_masks(tmp_path / "masks")
    qtbot.waitUntil(lambda: not mode._exporting, timeout=60000)
    assert len(list((tmp_path / "masks").glob("f*.png"))) == 8


def _close_and_cancel(window, mode, questions, tmp_path):
    assert mode._exporting
    window.close()  # answered Cancel: the window and the export stay
    assert len(questions) == 1 and window.isVisible() and mode._exporting, questions
    assert f"Export All Masks to {tmp_path / 'masks'}" in questions[0] and "closing stops it" in questions[0]
    mode._on_export_progress(3, 8)  # as if 3 masks were written
    mode.cancel_export()
    # The job is under way (held): the count is said once it has stopped (session 52).
    assert window.statusBar().currentMessage().startswith("Export stopping: the frame under way is finished and "
                                                          "written first (3 of 8 masks written so far)")


@pytest.mark.parametrize("signame, status", [("SIGTERM", 143), ("SIGINT", 130)])
def test_sigterm_or_ctrl_c_stops_the_window_s_job_and_exits(make_window, qtbot, tmp_path, monkeypatch, signame, status,
                                                            capsys):
    import os
    import signal

    from PIL import Image
    from PySide6.QtWidgets import QApplication

    from segmix.gui import app as gui_app

    signum = getattr(signal, signame)
    default = signal.SIG_DFL if signum == signal.SIGTERM else signal.default_int_handler
    if signal.getsignal(signum) is not default:
        pytest.skip(f"the test runner handles {signame} itself")
    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(1, 41):
        Image.fromarray(_frame(t)).save(folder / f"f{t:02d}.png")
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(folder)
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    app = QApplication.instance()
    exits = []
    monkeypatch.setattr(app, "exit", exits.append)  # the test's event loop goes on
    saved = {each: signal.getsignal(each) for each in (signal.SIGTERM, signal.SIGINT)}
    timer = gui_app.end_on_signals(app, window)
    try:
        assert timer is not None and signal.getsignal(signum) is not default
        mode.export_masks(tmp_path / "masks")
        os.kill(os.getpid(), signum)
        qtbot.waitUntil(lambda: exits == [status], timeout=30000)
    finally:
        for each, handler in saved.items():
            signal.signal(each, handler)
        if timer is not None:
            timer.stop()
    assert not window.controller.thread_running
    # the command line's line (session 34: the window ended in silence)
    word = "terminated" if signame == "SIGTERM" else "interrupted"
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"segmix: {word}"
    masks = tmp_path / "masks"
    assert not masks.exists() or [p.name for p in masks.iterdir() if p.name.startswith(".")] == []


def test_a_sequence_s_own_folder_names_the_subfolder_holding_its_frames(make_window, qtbot, tmp_path):
    from PIL import Image

    sequence = tmp_path / "highway"
    (sequence / "input").mkdir(parents=True)
    for t in range(1, 6):
        Image.fromarray(_frame(t)).save(sequence / "input" / f"in{t:06d}.jpg")
    Image.fromarray(np.full((H, W), 255, np.uint8)).save(sequence / "ROI.bmp")
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(sequence)
    assert "(folder, 1 frame)" in mode.panel.source_label.text()
    assert window.statusBar().currentMessage() == (f"highway holds 1 frame; its subfolder input holds 5 frames: open "
                                                   f"{sequence / 'input'} to play them")


def test_a_variable_frame_rate_matroska_file_plays_at_its_frames_own_rate(make_window, qtbot, tmp_path):
    # 30 frames, every third shown 120 ms and the others 40 ms: 29 intervals over 1.96 s, about
    # 14.8 fps, where the header's rate (FFmpeg's guess from the 25 fps stream) played it at 25.
    window, mode = _open(make_window, qtbot, _mkv(tmp_path / "vfr.mkv", 30, vfr=True))
    qtbot.waitUntil(lambda: abs(mode.panel.fps.value() - 29 / 1.96) < 0.1, timeout=10000)
    # A constant-rate file keeps its header's rate, and a rate the user set is kept.
    window, mode = _open(make_window, qtbot, _mkv(tmp_path / "cfr.mkv", 30))
    assert mode.panel.fps.value() == pytest.approx(25.0)


def test_a_rate_set_by_the_user_before_the_count_is_kept(make_window, qtbot, tmp_path):
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(_mkv(tmp_path / "vfr.mkv", 30, vfr=True))
    mode.panel.fps.setValue(10.0)  # before the compute thread's count arrives
    qtbot.waitUntil(lambda: mode.index == 1 and "counting" not in mode.panel.source_label.text(), timeout=60000)
    assert mode.panel.fps.value() == pytest.approx(10.0)
