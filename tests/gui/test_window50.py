"""Session 50's new-user faults in the window (a new user's trial of 053 / 070 / a phone photo)."""

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from segmix.clicks import CLICK_RADIUS, click_radius
from segmix.gui.canvas import DEFAULT_BRUSH

PHONE = (960, 1708)  # twice DAVIS size (the trial had 4000 x 3000; smaller for speed)


def _phone_photo():
    image = np.zeros((*PHONE, 3), np.uint8)
    image[:, PHONE[1] // 2:] = (200, 40, 40)
    return image


def _stored(settings_path, key):
    return QSettings(str(settings_path), QSettings.Format.IniFormat).value(key)


# -- 1. the remembered brush size ------------------------------------------------------------
def test_a_size_chosen_on_a_small_photo_is_saved_as_chosen_after_a_large_one(make_window, photo_path,
                                                                              settings_path, qsettings):
    # The trial: ] x3 on 053 (20 -> 30 px), Ctrl+O a 4000 x 3000 photo (30 px kept), Ctrl+Q:
    # saved as 30 / 4.99 = 6, and the next session began at 6, then 2.
    window = make_window(photo_path)
    for _ in range(3):
        window._grow_brush(+1)
    chosen = window.canvas.brush_size
    assert chosen == 30 and chosen != DEFAULT_BRUSH
    window.set_image(_phone_photo())
    assert window.canvas.brush_size == chosen
    window.save_settings()
    assert int(_stored(settings_path, "tools/brush_size")) == chosen
    for _ in range(2):  # the next sessions, each ending on the large photo without a change
        again = make_window(photo_path, settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
        assert again.canvas.brush_size == chosen
        again.set_image(_phone_photo())  # not the user's choice: scaled as the disc
        assert again.canvas.brush_size == round(chosen * click_radius(PHONE) / CLICK_RADIUS)
        again.save_settings()
        assert int(_stored(settings_path, "tools/brush_size")) == chosen


def test_a_size_chosen_on_a_large_photo_is_kept_for_its_photo_even_after_a_small_one(make_window, photo_path,
                                                                                   settings_path):
    # Chosen on the large photo: saved as that photo's size at DAVIS size (as before), also
    # when the session ends on a small photo.
    window = make_window()
    window.set_image(_phone_photo())
    window.tool_panel.size_slider.setValue(window.tool_panel._to_slider(50))
    assert window.canvas.brush_size == 50
    assert window.open_image(photo_path)
    assert window.canvas.brush_size == 50
    window.save_settings()
    assert int(_stored(settings_path, "tools/brush_size")) == round(50 / (click_radius(PHONE) / CLICK_RADIUS))


# -- 2. a refused file name goes back to the save dialog ------------------------------------
def _dialog_answers(monkeypatch, answers):
    """file_dialogs.save_file_name answering ``answers`` in turn ("" once they are used up);
    the (title, default) of each call is recorded."""
    from segmix.gui import file_dialogs

    asked, left = [], list(answers)

    def dialog(parent, title, default, name_filter, **kwargs):
        asked.append((title, default))
        return str(left.pop(0)) if left else ""

    monkeypatch.setattr(file_dialogs, "save_file_name", dialog)
    return asked


def test_a_refused_name_goes_back_to_the_save_dialog_at_that_name(qtbot, make_window, photo_path, tmp_path,
                                                                  monkeypatch, messages):
    from gui_helpers import paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    good = tmp_path / "two_mask_ok.png"
    asked = _dialog_answers(monkeypatch, [photo_path, tmp_path / "x.jpg", good])
    assert window.export("mask")
    assert good.exists() and not (tmp_path / "x.jpg").exists()
    # The dialog came back twice: at the open photo's name refused, and at x.jpg with the
    # extension the mask is written with (session 56: as other programs' dialogs correct it).
    assert len(asked) == 3
    assert asked[1][1] == str(photo_path) and asked[2][1] == str(tmp_path / "x.png")
    assert "Choose another file name" in messages[0][1] and "are not saved as .jpg; use .png" in messages[1][1]
    # Export Cut-out: "cut.jpg", then Cancel in the dialog that came back: nothing written.
    messages.clear()
    asked = _dialog_answers(monkeypatch, [tmp_path / "cut.jpg"])
    assert not window.export("cutout")
    assert len(asked) == 2 and asked[1][1] == str(tmp_path / "cut.png")
    assert "cut-outs are not saved as .jpg" in messages[0][1]
    assert not (tmp_path / "cut.jpg").exists()
    # Save Scribbles over the open photo: refused, back to the dialog.
    messages.clear()
    asked = _dialog_answers(monkeypatch, [photo_path, tmp_path / "marks.png"])
    assert window.export("scribbles")
    assert len(asked) == 2 and (tmp_path / "marks.png").exists() and len(messages) == 1


# -- 3. the heat map's words when the graph cut decides the mask -----------------------------
def test_the_heat_map_banner_says_the_graph_cut_decides_the_mask(qtbot, make_window, photo_path):
    from gui_helpers import paint_two_classes

    window = make_window(photo_path, smoothing=True)
    paint_two_classes(qtbot, window)
    panel = window.overlay_panel
    panel.set_mode("heatmap")
    for threshold in (0.6, 0.5):
        mode = window.modes["segment"]
        panel.threshold_slider.setValue(round(threshold * 100))  # Smooth edges on: the cut is made again
        qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final and not mode.result_pending
                        and abs(mode.outcome.settings.threshold - threshold) < 1e-9, timeout=30000)
        window.update_hint()
        text = window.hint_label.text()
        assert "graph cut" in text and "decides the mask" in text
        assert "the mark on the colour bar" not in text and "yellow = foreground" not in text
    window.modes["segment"].model_panel.smoothing_box.setChecked(False)  # per-pixel: the threshold decides
    qtbot.waitUntil(lambda: "graph cut" not in window.hint_label.text(), timeout=30000)
    panel.threshold_slider.setValue(60)
    qtbot.waitUntil(lambda: "the mark on the colour bar" in window.hint_label.text(), timeout=30000)


# -- 4. the unsaved-work question names the setting that changed -----------------------------
def test_the_discard_question_names_the_setting_that_changed_since_the_save(qtbot, make_window, photo_path,
                                                                           tmp_path):
    from gui_helpers import paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    assert window.export("scribbles", tmp_path / "two_scribbles.png")
    assert window.discard_question() == "Your marks are not saved. Discard them?"  # nothing unsaved
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        window.overlay_panel.threshold_slider.setValue(64)  # only the threshold moved (Overlay dock)
    question = window.discard_question()
    assert question.startswith("The threshold of Segment mode's marks on two.png (0.50 when saved, now 0.64)"
                               " is not saved."), question
    assert "model settings" not in question
    window.modes["segment"].model_panel.components_spin.setValue(3)
    question = window.discard_question()
    assert "5 components" in question and "3 components" in question and "0.64" in question, question


# -- 5. no threshold advice when the marks decide most of the photo --------------------------
@pytest.mark.parametrize("smoothing", [False, True])
def test_no_threshold_advice_when_marks_cover_most_of_the_photo(qtbot, make_window, photo_path, tmp_path, smoothing):
    from PIL import Image

    window = make_window(photo_path, smoothing=smoothing)
    window.overlay_panel.threshold_slider.setValue(64)  # kept from an earlier photo, as the trial's
    labels = np.full((60, 80), 2, np.uint8)  # background marks over 94 % of the photo (a grabCut file's share)
    labels[20:40, 5:25] = 1  # the object's mark, on the red half
    labels[5:15, 50:60] = 0  # left unmarked: blue, background by its colour
    marks = tmp_path / "most_scribbles.png"
    Image.fromarray(labels).save(marks)
    mode = window.modes["segment"]
    assert window.load_scribbles(marks)
    qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final and not mode.result_pending,
                    timeout=60000)
    qtbot.waitUntil(lambda: "came out foreground" in window.hint_label.text() or "Green" in window.hint_label.text(),
                    timeout=10000)
    assert np.array_equal(mode.outcome.mask, labels == 1)  # nothing but the marks
    text = window.hint_label.text()
    assert "lower it" not in text and "threshold 0.64" not in text and "but your marks came out" not in text, text


# -- 6. Open Recent: Clear Recent; reopening a photo with saved marks beside it ---------------
def test_open_recent_has_clear_recent(make_window, photo_path, tmp_path, settings_path):
    from PIL import Image

    other = tmp_path / "other.png"
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(other)
    window = make_window(photo_path)
    assert window.open_image(other)
    window.recent_menu.aboutToShow.emit()
    entries = {action.text().replace("&", ""): action for action in window.recent_menu.actions() if action.text()}
    assert "Clear Recent" in entries and len(entries) == 3
    entries["Clear Recent"].trigger()
    window.recent_menu.aboutToShow.emit()
    # Emptied: one greyed line says why (session 51: a greyed submenu said nothing).
    assert [a.text() for a in window.recent_menu.actions() if a.isEnabled()] == []
    assert [a.text() for a in window.recent_menu.actions()][0].startswith("No recent files")
    assert not _stored(settings_path, "files/recent")
    assert "Open Recent" in window.statusBar().currentMessage()


def test_reopening_a_photo_with_saved_marks_says_so_and_load_proposes_them(qtbot, make_window, photo_path,
                                                                          tmp_path, monkeypatch):
    from PIL import Image

    from gui_helpers import paint_two_classes
    from segmix.gui import file_dialogs

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    marks = photo_path.with_name("two_scribbles.png")
    assert window.export("scribbles", marks)
    other = tmp_path / "other.png"
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(other)
    assert window.open_image(other)
    assert "Load Scribbles" not in window.statusBar().currentMessage()  # none beside other.png
    assert window.open_recent(str(photo_path))
    said = window.statusBar().currentMessage()
    assert "two_scribbles.png" in said and "File > Load Scribbles" in said, said
    asked = []
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda parent, title, folder, name_filter:
                        asked.append(folder) or "")
    assert not window.load_scribbles()
    assert asked == [str(marks)]
    # A label PNG of another tool beside the photo is no "saved marks".
    marks.unlink()
    Image.fromarray(np.zeros((60, 80), np.uint8)).save(marks)
    assert window.open_image(other) and window.open_image(photo_path)
    assert "Load Scribbles" not in window.statusBar().currentMessage()
