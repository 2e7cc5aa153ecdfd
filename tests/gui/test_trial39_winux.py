"""Session 39 trial of the window's usability (helper winux): error dialogs, keyboard use."""

import pytest

from segmix.modelfile import ModelFileError, read_model


@pytest.mark.parametrize("text", ["not an image", "name,value\n1,2\n", "format: segmix\n", "Images folder\n",
                                  "true colour photo"])
def test_model_file_of_words_says_what_it_starts_with(tmp_path, text):
    """File > Load Model (and Skin's Load...) given a text file whose first word merely begins
    with a letter a JSON word begins with (n of null, f of false, t of true, N / I) said
    "not valid JSON (Expecting value: line 1 column 1 (char 0))", where other text files
    got "not a segmix model: its text starts with '...'"."""
    path = tmp_path / "notes.json"
    path.write_text(text)
    with pytest.raises(ModelFileError) as caught:
        read_model(path)
    said = str(caught.value)
    assert str(path) in said
    assert "not a segmix model" in said and "its text starts with" in said
    assert "char 0" not in said and "Expecting value" not in said


def test_skin_mode_tool_tips_speak_of_skin(make_window, photo_path):
    """In Skin mode the Rectangle and Click tools' tooltips (the dock's buttons, and the Tools
    menu's status tips) said Segment's "around the object: everything outside becomes
    background" and "Click the object (left)", where R marks a box's outside non-skin and a
    left click marks skin. Every tool's words in a mode with its own class names are its own."""
    window = make_window(photo_path)
    window.set_mode("skin")
    words = ("object", "background")
    for name, button in window.tool_panel.buttons.items():
        assert not any(w in button.toolTip().lower() for w in words), (name, button.toolTip())
    for name, action in window._tool_actions.items():
        assert not any(w in action.statusTip().lower() for w in words), (name, action.statusTip())
    assert "non-skin" in window.tool_panel.buttons["rectangle"].toolTip()
    assert "skin" in window.tool_panel.buttons["click"].toolTip()
    window.set_mode("segment")  # and back in Segment's words
    assert "object" in window.tool_panel.buttons["rectangle"].toolTip()
    assert "object" in window._tool_actions["click"].statusTip()


def test_every_mode_entry_names_its_key(make_window, photo_path):
    """Mode > Segment Mode and Skin Mode said their keys (Ctrl+G, Ctrl+K) in the status bar and
    the Mode box's tooltip; Video Mode did not say Ctrl+Shift+V."""
    window = make_window(photo_path)
    mode_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Mode")
    entries = {a.text().replace("&", ""): a for a in mode_menu.actions() if not a.isSeparator()}
    for mode in window.modes.values():
        assert mode.shortcut, mode.name
        action = entries[f"{mode.title} Mode"]
        assert f"({mode.shortcut})" in action.statusTip(), action.statusTip()
        assert action.statusTip().count(mode.shortcut) == 1
        assert f"{mode.title}: " in window.mode_combo.toolTip()
        assert window.mode_combo.toolTip().count(f"({mode.shortcut})") == 1


def _action(window, text):
    from PySide6.QtGui import QAction

    return next(a for a in window.findChildren(QAction) if a.text().replace("&", "") == text)


def test_esc_entry_says_what_it_cancels_in_each_mode(make_window, photo_path):
    """Tools > Cancel Training (Esc) said "Cancel the fit that is running" in every mode; in
    Video mode it stops Export All Masks or a jump's catch-up (no fit), in Skin mode the
    detection or the skin model's training."""
    window = make_window(photo_path)
    cancel = _action(window, "Cancel Training")
    assert "fit" in cancel.statusTip()
    window.set_mode("skin")
    assert "skin" in cancel.statusTip().lower() and "fit " not in cancel.statusTip()
    window.set_mode("video")
    assert "export" in cancel.statusTip().lower() and "fit " not in cancel.statusTip()
    window.set_mode("segment")
    assert "fit" in cancel.statusTip()


def test_esc_with_nothing_to_cancel_says_so(make_window, photo_path, qtbot):
    """Esc with no job running and no box being dragged did nothing, without a word (a key
    that cannot act says why elsewhere: Ctrl+Z, Ctrl+E greyed out)."""
    window = make_window(photo_path)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=20000)
    window.statusBar().clearMessage()
    _action(window, "Cancel Training").trigger()
    said = window.statusBar().currentMessage()
    assert "nothing" in said.lower() and "Esc" in said, said
    assert said.startswith("Esc: nothing to cancel now (Esc would: cancel the fit"), said  # not an order


def test_window_fits_a_short_high_dpi_screen(qtbot, qsettings, monkeypatch):
    """At 200 % on a 1280 x 720 screen (640 x 360 free, in Qt's pixels) the window's minimum
    height, 377 px with Segment's four docks of 72 px at least, was taller than the screen:
    the status bar (and the bottom of the Training dock) opened off-screen (a trial under
    Xvfb, QT_SCALE_FACTOR=2). The docks give up height (they scroll) until the framed window
    fits."""
    from PySide6.QtCore import QRect

    from segmix.gui import window_geometry
    from segmix.gui.main_window import MainWindow

    free = QRect(0, 0, 640, 360)
    monkeypatch.setattr(window_geometry, "available_geometry", lambda _widget: free)
    window = MainWindow(settings=qsettings, warm_up=False)
    qtbot.addWidget(window)
    room = free.height() - window_geometry.FRAME_ESTIMATE.top() - window_geometry.FRAME_ESTIMATE.bottom()
    assert window.height() <= room, (window.height(), room)
    window.show()
    qtbot.waitExposed(window)
    assert window.minimumSizeHint().height() <= room
    assert window.height() <= room
    assert window.statusBar().geometry().bottom() < window.height()
    window.save_settings()
    window.close()
    window.controller.shutdown()
    # The next start restores that geometry, and fits it again once its docks are placed
    # (it opened 387 px tall).
    again = MainWindow(settings=qsettings, warm_up=False)
    qtbot.addWidget(again)
    assert again.height() <= room, (again.height(), room)
    again.show()
    qtbot.waitExposed(again)
    assert again.height() <= room
    again.controller.shutdown()


def test_second_window_closing_keeps_the_first_windows_settings(make_window, photo_path, settings_path, qtbot):
    """Two windows on one settings file: window A changes the brush, the overlay's opacity
    and the Model dock's smoothing and closes; window B, opened before and changing nothing,
    closes later and wrote back every value it had read at its start, so A's changes were
    gone at the next start (a trial, two `segmix` at once). A window writes what it changed
    (and what the file lacks), not the values it merely read."""
    from PySide6.QtCore import QSettings

    def settings():
        return QSettings(str(settings_path), QSettings.Format.IniFormat)

    first = make_window(photo_path, settings=settings())
    first.save_settings()  # the file has every key, as after any earlier session
    second = make_window(photo_path, settings=settings())
    first.tool_panel.set_brush_size(37)
    first.canvas.set_brush_size(37)
    first._brush_set_by_user = True
    first.overlay_panel.opacity_slider.setValue(20)
    first.modes["segment"].model_panel.smoothing_box.setChecked(False)
    first.save_settings()
    second.save_settings()  # changed nothing
    again = make_window(photo_path, settings=settings())
    assert again.overlay_panel.opacity_slider.value() == 20
    assert not again.modes["segment"].model_panel.smoothing_box.isChecked()
    assert again.canvas.brush_size != 20
    # What B changes is written, over A's.
    second.overlay_panel.opacity_slider.setValue(70)
    second.save_settings()
    assert make_window(photo_path, settings=settings()).overlay_panel.opacity_slider.value() == 70


def test_skin_mode_export_tips_speak_of_skin(make_window, photo_path, qtbot):
    """File > Export Mask's status tip in Skin mode said "0 background, 255 foreground", and
    the probability map "of the result": Segment's words for a skin mask (0 non-skin, 255 skin)."""
    window = make_window(photo_path)
    window.set_mode("skin")
    skin = window.modes["skin"]
    qtbot.waitUntil(lambda: skin.has_result, timeout=20000)
    mask_tip = skin.export_tip("mask")
    assert "255 skin" in mask_tip and "0 non-skin" in mask_tip, mask_tip
    assert "foreground" not in mask_tip and "background" not in mask_tip
    assert "skin" in skin.export_tip("probability")
    assert "skin" in skin.export_tip("cutout")
    segment = window.modes["segment"]
    assert "0 background, 255 foreground" in segment.export_tip("mask") or not segment.has_result


def test_keyboard_shortcuts_page_fits_a_short_screen(make_window, photo_path, monkeypatch):
    """Help > Keyboard Shortcuts opened 520 x 560 whatever the screen: at 150 % on 1280 x 720
    (480 px high in Qt's pixels) its Close button was below the screen's edge (a trial under
    Xvfb, QT_SCALE_FACTOR=1.5). It opens inside the screen's free area, its text scrolling."""
    from PySide6.QtCore import QRect

    from segmix.gui import window_geometry

    window = make_window(photo_path)
    free = QRect(0, 0, 853, 480)
    monkeypatch.setattr(window_geometry, "available_geometry", lambda _widget: free)
    dialog = window.show_shortcuts()
    frame = window_geometry.FRAME_ESTIMATE
    assert dialog.height() + frame.top() + frame.bottom() <= free.height(), dialog.height()
    assert dialog.width() + frame.left() + frame.right() <= free.width()
    assert dialog.width() >= 400  # and not squeezed on a screen with room
