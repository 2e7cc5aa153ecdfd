"""The window: faults a demanding new user met under Xvfb (session 43, wintrial43)."""

import pytest

from tests.gui.test_docks_fit import _in_view, _settle, _window_on


@pytest.mark.parametrize("key", ["tools", "overlay", "model"])
def test_a_dock_closed_and_opened_again_at_1024x600_keeps_the_upper_docks_whole(
        qtbot, qsettings, messages, monkeypatch, key):
    """At 1024 x 600 a user unticked View > Scribbles and ticked it again: the Overlay dock came
    back squeezed (its Threshold slider out of view, a scroll bar), the Model dock scrolled, and
    the Training dock at the bottom took the spare height. A dock shown again now shares the
    column as at start: the upper docks whole, only the lowest scrolls."""
    window = _window_on(qtbot, qsettings, messages, monkeypatch, 1024, 600)
    segment = window.modes["segment"]
    tools, overlay = window.tool_panel, window.overlay_panel
    everyday = [*tools.buttons.values(), tools.clear_button, tools.size_slider, overlay.threshold_slider,
                overlay.opacity_slider, overlay.visible_box, segment.model_panel.components_spin,
                segment.model_panel.more.toggle, segment.training_panel.retrain_button]
    _settle()
    assert [w for w in everyday if not _in_view(window, w)] == []
    toggle = window.docks[key].toggleViewAction()
    toggle.trigger()
    _settle()
    assert not window.docks[key].isVisible()
    toggle.trigger()
    qtbot.waitUntil(lambda: window.docks[key].isVisible())
    _settle()
    hidden = [getattr(w, "text", lambda: type(w).__name__)() or type(w).__name__
              for w in everyday if not _in_view(window, w)]
    assert hidden == []
    for upper in ("tools", "overlay"):
        assert window.docks[upper].widget().verticalScrollBar().maximum() == 0, upper
    window.close()
    window.controller.shutdown()


def test_a_dock_floated_and_docked_again_at_1024x600_keeps_the_upper_docks_whole(
        qtbot, qsettings, messages, monkeypatch):
    """The same for a dock floated (its title bar's button) and docked again."""
    window = _window_on(qtbot, qsettings, messages, monkeypatch, 1024, 600)
    tools, overlay = window.tool_panel, window.overlay_panel
    everyday = [*tools.buttons.values(), tools.clear_button, tools.size_slider, overlay.threshold_slider,
                overlay.opacity_slider, overlay.visible_box]
    _settle()
    dock = window.docks["tools"]
    dock.setFloating(True)
    _settle()
    dock.setFloating(False)
    _settle()
    assert [getattr(w, "text", lambda: "")() or type(w).__name__ for w in everyday if not _in_view(window, w)] == []
    for upper in ("tools", "overlay"):
        assert window.docks[upper].widget().verticalScrollBar().maximum() == 0, upper
    window.close()
    window.controller.shutdown()


def test_the_banner_after_a_box_does_not_ask_for_strokes_the_rectangle_tool_cannot_draw(qtbot, window):
    """After a box the banner said "Fix mistakes with more strokes": with the Rectangle tool still
    in hand a left-drag draws another box, whose outside turns background (any part of the object
    left outside it too), not a stroke. It now says to press 1 to paint."""
    from PySide6.QtCore import Qt

    from tests.gui.test_click_tool import click

    window.set_tool("click")
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 15.5, 30.5)
    mode = window.modes["segment"]
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        click(window, 60.5, 30.5, Qt.MouseButton.RightButton)
    qtbot.waitUntil(lambda: mode.outcome is not None and mode.outcome.final and not window.controller.busy,
                    timeout=30000)
    window.set_tool("rectangle")
    assert "press 1 to paint" in mode.hint()
    window.set_tool("foreground")
    assert "more strokes (right-drag paints background)" in mode.hint()


@pytest.mark.parametrize("key", ["tools", "overlay", "skin"])
def test_a_skin_mode_dock_closed_and_opened_again_at_1024x600_keeps_the_upper_docks_whole(
        qtbot, qsettings, messages, monkeypatch, key):
    """The same in Skin mode: its Scribbles and Overlay docks stay whole, its threshold slider
    and training buttons in view."""
    window = _window_on(qtbot, qsettings, messages, monkeypatch, 1024, 600)
    window.set_mode("skin")
    _settle()
    tools, overlay, skin = window.tool_panel, window.overlay_panel, window.modes["skin"].skin_panel
    everyday = [*tools.buttons.values(), tools.clear_button, tools.size_slider, overlay.opacity_slider,
                skin.threshold_slider, skin.add_button, skin.train_button]
    assert [w for w in everyday if not _in_view(window, w)] == []
    toggle = window.docks[key].toggleViewAction()
    toggle.trigger()
    _settle()
    toggle.trigger()
    qtbot.waitUntil(lambda: window.docks[key].isVisible())
    _settle()
    assert [getattr(w, "text", lambda: "")() or type(w).__name__ for w in everyday if not _in_view(window, w)] == []
    for upper in ("tools", "overlay"):
        assert window.docks[upper].widget().verticalScrollBar().maximum() == 0, upper
    window.close()
    window.controller.shutdown()


def test_skin_mode_s_banner_over_a_greyscale_photo_says_it_has_no_colour(qtbot, make_window, tmp_path):
    """Over a 16-bit grey PNG Skin mode's banner said "Move its threshold on the right ... To teach
    a model, paint skin (1) and non-skin (2) ... then Add photo to skin training set": the mask
    stays empty whatever the threshold, and Add refuses a greyscale photo; only the dock and the
    status bar said why. The banner now says it, in `skin apply`'s words, and a colour photo's
    banner is as before."""
    import numpy as np
    from PIL import Image

    from segmix import skin
    from segmix.gui.modes.skin import HINT_SKIN

    grey = np.clip(np.linspace(20, 235, 80)[None, :] + np.zeros((60, 1)), 0, 255)
    photo = tmp_path / "grey16.png"
    Image.fromarray((grey * 257).astype(np.uint16)).save(photo)
    window = make_window(photo)
    skin_mode = window.modes["skin"]
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        window.set_mode("skin")
    banner = window.hint_label.text()
    assert "Move its threshold" not in banner and "Add photo to skin training set" not in banner
    assert skin.greyscale_warning(photo.name, window.current_mask()) in banner
    assert "need a colour photo" in banner

    colour = np.zeros((60, 80, 3), np.uint8)
    colour[:, :40], colour[:, 40:] = (224, 172, 140), (40, 160, 60)
    Image.fromarray(colour).save(tmp_path / "colour.png")
    window.confirm_discard = lambda: True
    with qtbot.waitSignal(skin_mode.skin_updated, timeout=60000):
        assert window.open_image(tmp_path / "colour.png")
    assert window.hint_label.text().startswith(HINT_SKIN.split("{style}")[0])
    assert "need a colour photo" not in window.hint_label.text()
