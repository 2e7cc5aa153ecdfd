"""Session 53's new-user trial of the window (tests written failing first)."""

import numpy as np
from PIL import Image

from gui_helpers import drag


def _wait_final(qtbot, window):
    mode = window.modes["segment"]
    qtbot.waitUntil(lambda: not window.controller.busy and mode.outcome is not None and mode.outcome.final
                    and not mode.result_pending, timeout=120000)
    return mode


def _three_strokes(qtbot, window):
    """Three strokes, each fitted before the next: three steps."""
    for tool, points in (("foreground", [(10, 10), (15, 30)]), ("background", [(70, 10), (65, 30)]),
                         ("foreground", [(20, 40), (25, 50)])):
        window.set_tool(tool)
        drag(window, points)
        _wait_final(qtbot, window)


# == 3: an undo is not an erase =========================================================================
def test_a_refit_after_an_undo_says_undone_not_erased(qtbot, window):
    # An undo while a fit ran said "Re-fitting your 2 steps with the erased marks gone" though
    # no eraser was used: the words of a re-fit after marks were removed were the eraser's.
    # (No result kept for the marks left, as when the undo comes while their fit runs.)
    _three_strokes(qtbot, window)
    mode = window.modes["segment"]
    mode.history.clear()
    window.undo_stack.undo()
    _wait_final(qtbot, window)
    status = mode.training_panel.status_label.text()
    assert "Re-fitted your 2 steps with the undone marks gone" in status and "erased" not in status, status


def test_a_refit_after_an_erase_still_says_erased(qtbot, window):
    _three_strokes(qtbot, window)
    mode = window.modes["segment"]
    mode.history.clear()
    window.set_tool("eraser")
    drag(window, [(20, 38), (22, 45), (25, 52)])
    _wait_final(qtbot, window)
    assert "with the erased marks gone" in mode.training_panel.status_label.text()


# == 6: no colon between a file's name and its verb =====================================================
def test_window_messages_name_the_file_as_the_subject_without_a_colon():
    # "astro_mask.png: is a mask exported by segmix ..." (Load Scribbles on an exported mask,
    # a probability map, a model of another kind): the file is the sentence's subject.
    from segmix.gui.files import window_message

    assert window_message("/t/astro_mask.png: is a mask written by segmix segment, not scribbles").startswith(
        "/t/astro_mask.png is a mask exported by segmix")
    assert window_message("/t/p.png: is a probability map written by segmix skin apply, not scribbles").startswith(
        "/t/p.png is a probability map exported by segmix")
    assert window_message("/t/skin.json: is a 'skin' model, not a segmentation model") == (
        "/t/skin.json is a skin model, not a segmentation model")
    assert window_message("/t/My Photos/dir: is a folder, not a model file") == (
        "/t/My Photos/dir is a folder, not a model file")
    # A frame named with its file keeps it (Video mode's "Skipped unreadable frame 7 (in007.jpg): ...").
    assert window_message("frame 7 (in007.jpg): is not an image") == "frame 7 (in007.jpg): is not an image"
    # Other file-first messages keep their colon ("x.png: cannot identify image file").
    assert window_message("x.png: cannot identify image file") == "x.png: cannot identify image file"


def test_load_model_of_a_skin_model_in_segment_mode_has_no_stray_colon(qtbot, window, messages, tmp_path):
    from segmix.skin import builtin_model_path

    mode = window.modes["segment"]
    assert not mode.load_model(builtin_model_path())
    text = messages[-1][1]
    assert "skin" in text and ": is " not in text, text


# == 4: a damaged file is refused before the question about unsaved marks ==============================
def test_a_truncated_photo_is_refused_without_asking_about_unsaved_marks(qtbot, window, messages, tmp_path):
    # A truncated JPEG asked "Save them first, or discard them?" and then failed ("truncated
    # image: ..."): the header reads as a whole file's, so the question came first.
    import io

    from gui_helpers import make_two_colour_image

    window.set_tool("foreground")
    drag(window, [(10, 10), (15, 30)])
    assert window.has_unsaved_scribbles
    asked = []
    window.confirm_discard = lambda: asked.append(True) or True
    big = np.tile(make_two_colour_image(), (4, 4, 1))
    for suffix, fmt in ((".jpg", "JPEG"), (".png", "PNG")):
        buffer = io.BytesIO()
        Image.fromarray(big).save(buffer, fmt)
        cut = tmp_path / f"cut{suffix}"
        cut.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        messages.clear()
        assert not window.open_image(cut)
        assert asked == [], suffix
        assert messages and messages[-1][0] == "Cannot open photo", messages
    assert window.layer.labels.any()  # the marks stay
    # A whole photo still asks first.
    whole = tmp_path / "whole.jpg"
    Image.fromarray(big).save(whole)
    assert window.open_image(whole)
    assert asked == [True]


# == 8: Help > About sends an installed user somewhere real =============================================
def test_about_names_where_the_documentation_is_or_what_to_read_instead(monkeypatch):
    # "README.md and docs/ of the source": a pip-installed user has no source.
    from segmix.gui import help_menu

    text = help_menu.about_text()
    folder = help_menu.docs_folder()
    assert folder is not None and str(folder.parent) in text and "of the source" not in text
    monkeypatch.setattr(help_menu, "docs_folder", lambda: None)
    text = help_menu.about_text()
    assert "of the source" not in text and "segmix segment --help" in text and "Keyboard Shortcuts" in text


# == 1: a model loaded on one photo waits on the next ===================================================
def test_a_model_loaded_on_an_earlier_photo_waits_for_a_mark_on_the_next(qtbot, make_window, photo_path, tmp_path):
    # File > Load Model on one photo, then another photo opened: "Applying astro_model.json..."
    # at once, and the unmarked photo came out almost all foreground (50-94 s on 20 MP).
    from gui_helpers import make_two_colour_image

    window = make_window(photo_path)
    mode = window.modes["segment"]
    window.set_tool("foreground")
    drag(window, [(10, 10), (15, 30)])
    _wait_final(qtbot, window)
    assert mode.save_model(tmp_path / "model.json")
    assert mode.load_model(tmp_path / "model.json")  # applied at once to the photo it is loaded on
    qtbot.waitUntil(lambda: mode.outcome is not None and not mode.result_pending, timeout=60000)
    other = tmp_path / "other.png"
    Image.fromarray(make_two_colour_image(seed=3)).save(other)
    requests = []
    window.controller.request_apply = lambda *args, **kwargs: requests.append(args)
    assert window.open_image(other)
    qtbot.wait(100)
    assert requests == [] and mode.outcome is None
    assert mode.loaded_model is not None
    assert "model.json" in window.hint_label.text() and "waits" in window.hint_label.text()
    assert "Applying" not in mode.training_panel.status_label.text()
    # A threshold move does not apply it either; a mark does.
    window.overlay_panel.set_threshold(0.4)
    qtbot.wait(50)
    assert requests == []
    window.set_tool("foreground")
    drag(window, [(10, 10), (15, 30)])
    assert len(requests) == 1


# == 2: a threshold kept from an earlier photo stays said ===============================================
def test_a_threshold_kept_from_an_earlier_photo_is_said_until_it_is_moved(qtbot, window, photo_path):
    # "The threshold is still 0.15, set on an earlier photo" showed at the open only (a status
    # message): gone at the first click, whose mask took in much more, under "Trained and
    # applied" alone.
    window.overlay_panel.threshold_slider.setValue(15)  # nothing marked: nothing to fit
    assert window.open_image(photo_path)
    assert "0.15 kept from an earlier photo" in window.hint_label.text()
    window.set_tool("foreground")
    drag(window, [(10, 10), (15, 30)])
    _wait_final(qtbot, window)
    window.statusBar().clearMessage()
    assert "0.15 kept from an earlier photo" in window.hint_label.text()
    status = window.modes["segment"].training_panel.status_label.text()
    assert "Cut at the threshold 0.15" in status, status
    window.overlay_panel.threshold_slider.setValue(50)  # what a double-click does
    assert "kept from an earlier photo" not in window.hint_label.text()


# == 5: the dock's two frame numbers say which is which =================================================
def test_a_file_numbered_off_its_place_says_the_number_is_its_name_s(qtbot, make_window, tmp_path):
    # "in000040.jpg (frame 40)" beside "frame 41 / 41" (a folder with an extra in000030b.jpg):
    # two numbers both called "frame", the counter's the place on the timeline.
    from gui_helpers import moving_square, open_in_video_mode

    folder = tmp_path / "frames"
    folder.mkdir()
    for name, t in (("in000001", 1), ("in000002", 2), ("in000002b", 3), ("in000003", 4)):
        Image.fromarray(moving_square(t)).save(folder / f"{name}.png")
    window, mode, _ = open_in_video_mode(qtbot, make_window, folder)
    assert mode._file_line_text(1) == "frame 1: in000001.png"  # one number: its place and its name's
    assert mode._file_line_text(4) == "in000003.png (frame 3 by its name)"
    assert "frame 4 / 4" not in mode._file_line_text(4)


# == 7: Video mode's banner is as tall as its text ======================================================
def _text_height(banner) -> int:
    """The height ``banner``'s text takes at its width (a fresh label: the banner's own
    heightForWidth is held at its fixed height)."""
    from PySide6.QtWidgets import QLabel

    label = QLabel(banner.text())
    label.setWordWrap(True)
    label.setStyleSheet(banner.styleSheet())
    label.ensurePolished()
    return label.heightForWidth(banner.width())


def test_video_mode_s_banner_is_as_tall_as_its_hint_at_800_by_600(qtbot, make_window, tmp_path):
    # Video mode kept the photo modes' banner for a two-line hint: 68 px of 600 over the canvas
    # at 800 x 600 (a trial's screenshot: the hint in the middle of a four-line band).
    from gui_helpers import open_in_video_mode, write_frames

    window, mode, _ = open_in_video_mode(qtbot, make_window, write_frames(tmp_path / "frames", 30))
    mode.step()  # past the first frame's longer hint: "green = moving ..., P plays and pauses"
    qtbot.waitUntil(lambda: mode.index == 2, timeout=60000)
    banner = window.hint_label
    assert "green = moving" in banner.text()
    two_lines = 2 * banner.fontMetrics().lineSpacing() + 14
    for width in (800, 1024, 1366):
        window.resize(width, 600)
        qtbot.wait(50)
        fits = max(two_lines, _text_height(banner))
        assert banner.height() == fits, (width, banner.height(), fits)
    window.set_mode("segment")  # the photo modes keep room for their everyday hints
    assert banner.height() >= banner.heightForWidth(banner.width())
