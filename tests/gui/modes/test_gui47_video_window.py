"""Video mode faults found by the new users of session 47 (helper gui47), each test naming its fault."""

from pathlib import Path

from test_video47_window import _frames
from test_video_trial26 import _open


def _dialog_folders(window, mode, monkeypatch):
    """The folder each of Video mode's save dialogs starts in (every dialog cancelled):
    Export Mask, Export Cut-out, Save Background Model, Export Background Image, Export All Masks."""
    from segmix.gui import file_dialogs
    from segmix.gui.modes import video

    starts = {}

    def save_dialog(parent, title, start, name_filter, confirm_overwrite=True):
        starts[title] = Path(start).parent
        return ""

    class FolderDialog:
        def __init__(self, parent, start):
            starts["Export All Masks"] = Path(start)

        def exec(self):
            return 0

        def chosen_folder(self):
            return None

    monkeypatch.setattr(file_dialogs, "save_file_name", save_dialog)
    monkeypatch.setattr(video, "ExportFolderDialog", FolderDialog)
    window.export("mask")
    window.export("cutout")
    mode.save_model()
    mode.export_background_image()
    mode.export_dialog()
    assert len(starts) == 5, starts
    return starts


def test_every_save_dialog_of_video_mode_starts_where_this_input_was_last_saved(make_window, qtbot, tmp_path,
                                                                                  monkeypatch):
    """Export Mask, Export Cut-out, Export Background Image and Save Background Model opened
    beside the input (the model among the frames) even right after a save to out/, and Export
    All Masks in the folder last opened from (another user's, on a shared account). One rule,
    the photo modes': the folder last saved into for this input, else beside it."""
    frames = _frames(tmp_path / "clip")
    window = make_window()
    window.settings.setValue("files/last_folder", str(tmp_path / "clip"))  # the last folder opened from
    mode = _open(qtbot, window, frames)
    for _ in range(3):
        mode.step()
        qtbot.waitUntil(lambda: not mode.result_pending and not window.controller.busy, timeout=30000)
    before = _dialog_folders(window, mode, monkeypatch)
    assert set(before.values()) == {tmp_path}, before  # beside the frames' folder, never in it
    out = tmp_path / "out"
    out.mkdir()
    assert mode.save_model(out / "model.json")
    qtbot.waitUntil(lambda: (out / "model.json").is_file() and not window.controller.busy, timeout=30000)
    after = _dialog_folders(window, mode, monkeypatch)
    assert set(after.values()) == {out}, after


def test_the_frame_counter_never_clips_up_to_99999_frames(make_window, qtbot, tmp_path):
    """(Seen once) the Video dock's counter read "frame 100 / 30" while playing: a label grown
    by a new digit waited for the dock's next layout to widen. Its width is now reserved for
    the sequence's widest count, at every window size."""
    frames = _frames(tmp_path / "clip")
    window = make_window()
    window.resize(1366, 768)
    mode = _open(qtbot, window, frames)
    label = mode.panel.frame_label
    mode._set_length(99999, True)  # as a long clip's count
    for size in ((1366, 768), (1024, 600), (800, 600)):
        window.resize(*size)
        qtbot.wait(50)
        for text in ("frame 99999 / 99999", "frame 88888 → 99999", "frame 1 / 99999"):
            label.setText(text)  # no layout pass between: what is painted next
            assert label.width() >= label.fontMetrics().horizontalAdvance(text), (size, text, label.width())
        assert label.geometry().right() <= mode.panel.width(), size
    window.grab().save(str(tmp_path / "counter.png"))
