"""Window faults fixed in session 39 (not from a helper), each test naming its fault."""


def _entries(menu, path=()):
    for action in menu.actions():
        if action.isSeparator():
            continue
        if action.menu() is not None:
            yield from _entries(action.menu(), (*path, action.text()))
        else:
            yield (*path, action.text()), action


def test_every_menu_entry_says_in_the_status_bar_what_it_does_in_every_mode(window):
    # 23 entries (File > Open Photo, Open Sample Photo, Quit, the Tools entries, the Skin menu,
    # View > Toggle Overlay and the panels' toggles) showed nothing in the status bar while
    # hovered, where the others said what they do or why they are greyed out.
    for name in window.modes:
        assert window.set_mode(name)
        for bar_entry in window.menuBar().actions():
            if bar_entry.menu() is None:
                continue
            for path, action in _entries(bar_entry.menu(), (bar_entry.text(),)):
                if path[-1] == "(none)" or not action.isVisible():
                    continue
                assert action.statusTip().strip(), f"{name} mode: {' > '.join(path)} has no status tip"


def test_skin_mode_tools_say_skin_not_object(window):
    # Skin mode's Skin (1) button and Tools entry said "Paint pixels that belong to the
    # object", Segment mode's words; the menu's entries had no tip at all.
    assert window.set_mode("skin")
    button, action = window.tool_panel.buttons["foreground"], window._tool_actions["foreground"]
    assert "skin" in button.toolTip() and "object" not in button.toolTip()
    assert action.statusTip() == button.toolTip()
    assert "not skin" in window._tool_actions["background"].statusTip()
    assert window.set_mode("segment")
    assert "object" in window.tool_panel.buttons["foreground"].toolTip()
    assert window._tool_actions["foreground"].statusTip() == window.tool_panel.buttons["foreground"].toolTip()
    assert window.open_action.statusTip().startswith("Open a photo")
    assert window.set_mode("video")
    assert window.open_action.statusTip().startswith("Open a video")


def test_replacing_another_photos_skin_mask_says_whose_it_is(tmp_path):
    # skin apply refuses to replace the outputs of another photo of the same name (session
    # 39); the window's export over such a file asked only "... already exists ... Replace
    # it?" (the re-check helper's unfixed point).
    from PIL import Image

    from segmix.cli import main
    from segmix.gui import files
    from tests.test_trial38_skin import cut_out_photo

    image, _ = cut_out_photo()
    for day, photo in (("day1", image), ("day2", image[::-1].copy())):
        (tmp_path / day).mkdir()
        Image.fromarray(photo).save(tmp_path / day / "IMG_0001.png")
    assert main(["skin", "apply", str(tmp_path / "day1"), "--output-dir", str(tmp_path / "masks"), "--quiet"]) == 0
    mask = tmp_path / "masks" / "IMG_0001_skin.png"
    question = files.replace_question(mask, "Save skin", photo=tmp_path / "day2" / "IMG_0001.png")
    assert question == (f"IMG_0001_skin.png in {mask.parent} is the result of another photo, "
                        f"{(tmp_path / 'day1' / 'IMG_0001.png').resolve()}; replacing it loses it. "
                        "Replace it with the skin mask?")
    # Its own photo's file gets the plain question.
    assert files.replace_question(mask, "Save skin", photo=tmp_path / "day1" / "IMG_0001.png").endswith(
        "already exists in " + str(mask.parent) + ". Replace it?")


def test_skin_menus_train_entry_says_what_it_does_whatever_the_set_holds(window):
    # Its tip was copied from the panel's button at start, when the button said what was
    # missing ("Needs skin (1) and non-skin (2) pixels in the training set"), and kept saying
    # so after the set was filled.
    entries = {path[-1]: action for bar_entry in window.menuBar().actions() if bar_entry.menu() is not None
               for path, action in _entries(bar_entry.menu(), (bar_entry.text(),))}
    train = entries["&Train Skin Model"]
    assert train.statusTip().startswith("Fit skin / non-skin colour mixtures")
    window.modes["skin"].skin_panel.set_training_set(1, 100, 100)
    assert train.statusTip().startswith("Fit skin / non-skin colour mixtures")


def test_retrain_with_nothing_marked_says_so(window):
    # The new user's Retrain on a fresh photo did nothing visible: the dock already said
    # "Waiting", and nothing changed.
    assert window.set_mode("segment")
    window.modes["segment"].fit_new_model()
    assert window.statusBar().currentMessage().startswith("Retrain: nothing is marked yet")


def test_the_banner_of_a_fit_during_the_first_compile_says_why_it_takes_long(window, monkeypatch):
    # A new user's first click during the first start's compiling: the banner said "Fitting the
    # colour models to your marks..." for about a minute, only the status bar why.
    from segmix.gui.modes.segment import HINT_TRAINING, HINT_TRAINING_COMPILING

    mode = window.modes["segment"]
    monkeypatch.setattr(window, "label_counts", lambda: (16, 0))  # a click, its fit not back yet
    window.controller.is_warm = False
    assert mode.hint() == HINT_TRAINING_COMPILING
    window.controller.is_warm = True
    assert mode.hint() == HINT_TRAINING


def test_clicks_and_keys_made_while_a_photo_opens_are_dropped_not_replayed_on_it(window, tmp_path, monkeypatch):
    # The final check's click on the photo area and "2" pressed while a large photo decoded
    # (the status bar saying "Opening huge.png... 1 s") were held and replayed once the photo
    # was shown: a foreground mark where the user had clicked, a fit under way, and the
    # Background brush chosen.
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from tests.gui.test_big39_window import _held_loader, _photo

    path, _ = _photo(tmp_path, shape=(120, 160))
    assert window.set_mode("segment")
    window.set_tool("click")
    seen = []

    def meanwhile():
        viewport = window.canvas.viewport()
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(viewport.width() // 2, viewport.height() // 2))
        QTest.keyClick(window, Qt.Key.Key_2)
        seen.append(window.statusBar().currentMessage())

    _held_loader(monkeypatch, meanwhile)
    assert window.open_image(path)
    assert window.canvas.tool == "click"
    assert not window.layer.labels.any()
    assert not window.controller.busy
    assert window.statusBar().currentMessage() == ""
