"""Video mode, a fault of session 27's new-user trial: Export All Masks into a folder holding
the masks of another video replaced what it wrote and left the rest without a word, where
``segmix background`` warns ("also holds 51 masks of an earlier run that this run did not
replace")."""

from gui_helpers import write_frames
from tests.gui.modes.test_video_trial_frames import _open


def _export(qtbot, video, monkeypatch, out):
    monkeypatch.setattr(video, "ask_export_folder", lambda: out)
    with qtbot.waitSignal(video.export_finished, timeout=60000) as blocker:
        video.panel.export_button.click()
    assert blocker.args[0] is not None
    return blocker.args[0]


def test_export_into_a_folder_of_another_runs_masks_says_what_is_left(make_window, qtbot, messages, tmp_path,
                                                                       monkeypatch):
    window = make_window()
    out = tmp_path / "masks"
    video = _open(qtbot, window, write_frames(tmp_path / "first", 8, prefix="a"))
    _export(qtbot, video, monkeypatch, out)
    assert messages == []  # a new folder: nothing to say
    video = _open(qtbot, window, write_frames(tmp_path / "second", 5, prefix="b"))
    result = _export(qtbot, video, monkeypatch, out)
    assert len(result.written) == 5 and len(result.leftovers) == 8
    assert len(messages) == 1
    title, text = messages[0]
    assert title == "Export All Masks"
    assert text.startswith(f"{out}: also holds 8 masks of an earlier run that this run did not replace (a1.png .. a8.png)")
    assert "export to another folder" in text and "--output-dir" not in text
    # The same export again replaces its own masks: the earlier run's are still there and said.
    messages.clear()
    _export(qtbot, video, monkeypatch, out)
    assert len(messages) == 1 and "also holds 8 masks" in messages[0][1]


def test_an_export_refused_is_not_said_cancelled(make_window, qtbot, messages, tmp_path, monkeypatch):
    # A second trial: a folder holding a mask segmix did not write was refused (right), and the
    # status bar then said "Export cancelled".
    from PIL import Image

    window = make_window()
    out = tmp_path / "masks"
    out.mkdir()
    Image.new("L", (32, 24)).save(out / "a3.png")  # not segmix's: never replaced
    video = _open(qtbot, window, write_frames(tmp_path / "first", 4, prefix="a"))
    monkeypatch.setattr(video, "ask_export_folder", lambda: out)
    with qtbot.waitSignal(video.export_finished, timeout=60000) as blocker:
        video.panel.export_button.click()
    assert blocker.args[0] is None
    assert len(messages) == 1 and "a3.png" in messages[0][1]
    assert window.statusBar().currentMessage() == "Export stopped (the message says why)"
