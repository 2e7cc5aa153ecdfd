"""The window's "Keep unmarked colours as background" (SegmentationSettings.unexplained_weight).

The scene (tests/test_unexplained.py): an orange object on the border between blue-grey bands
and an olive region C, a foreground stroke on the object, a correct background stroke on the
bands only. With the option off C turns foreground; checking the box re-runs the fit with the
rest-of-the-photo component and C goes back to background.
"""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from segmix.gui.modes.segment_panels import UNEXPLAINED_WEIGHT_ON
from segmix.io import save_labels
from segmix.segment import SegmentationSettings, segment

from test_unexplained import three_colour_scene


@pytest.fixture
def scene(tmp_path):
    image, obj, c_region, scribbles = three_colour_scene(0)
    Image.fromarray(image).save(tmp_path / "scene.png")
    save_labels(tmp_path / "marks.png", scribbles)
    return tmp_path / "scene.png", tmp_path / "marks.png", image, obj, c_region, scribbles


def _record_training_settings(window, monkeypatch):
    sent = []
    original = window.controller.request_training

    def request_training(image, scribbles, settings, *args, **kwargs):
        sent.append(settings)
        return original(image, scribbles, settings, *args, **kwargs)

    monkeypatch.setattr(window.controller, "request_training", request_training)
    return sent


def test_toggling_the_option_retrains_with_it_and_repairs_the_mask(qtbot, make_window, scene, monkeypatch):
    photo, marks, image, obj, c_region, scribbles = scene
    window = make_window(photo, smoothing=True)
    segment_mode = window.modes["segment"]
    box = segment_mode.model_panel.unexplained_box
    assert not box.isChecked() and box.toolTip()
    sent = _record_training_settings(window, monkeypatch)
    with qtbot.waitSignal(segment_mode.training_finished, timeout=60000):
        assert window.load_scribbles(marks)
    assert sent and sent[-1].unexplained_weight == 0
    off = window.current_mask().copy()
    # The fault the option repairs, in the window: the marked background flips C; the
    # training status points to the folded option, with the share the marks leave unexplained.
    assert off[c_region].mean() > 0.5
    share = segment_mode.outcome.model.training["classes"][1]["unexplained_share"]
    assert share > SegmentationSettings().unexplained_share
    status = segment_mode.training_panel.status_label
    assert "Keep unmarked colours" in status.text()
    # The share is the tooltip's (the line says when to tick the option: session 40).
    assert f"{share:.0%} of the unmarked photo has colours unlike your background" in status.toolTip()
    assert "Keep unmarked colours as background" in status.toolTip()
    assert segment_mode.model_panel.more.toggle.text() == "More: full covariance, CIE Lab"

    sent.clear()
    with qtbot.waitSignal(segment_mode.training_finished, timeout=60000):
        box.setChecked(True)
    assert [s.unexplained_weight for s in sent] == [UNEXPLAINED_WEIGHT_ON]
    outcome = segment_mode.outcome
    assert outcome.settings.unexplained_weight == UNEXPLAINED_WEIGHT_ON
    assert outcome.model.training["classes"][1]["rest_components"] >= 1
    on = window.current_mask()
    assert "unlike your background marks" not in status.text() and not status.toolTip()
    assert segment_mode.model_panel.more.toggle.text() == "More: full, Lab, unmarked = bg"
    assert on[c_region].mean() < 0.05 and on[obj].mean() > 0.95
    # The window runs the library's function: the same mask as segment() with the option on.
    np.testing.assert_array_equal(on, segment(image, scribbles,
                                              SegmentationSettings(unexplained_weight=UNEXPLAINED_WEIGHT_ON)).mask)

    sent.clear()
    with qtbot.waitSignal(segment_mode.training_finished, timeout=60000):
        box.setChecked(False)
    assert sent == []  # back to the settings of a result shown before: restored, no fit
    np.testing.assert_array_equal(window.current_mask(), off)


def test_the_option_persists_and_a_bad_stored_value_falls_back(qtbot, make_window, settings_path):
    first = make_window()
    first.modes["segment"].model_panel.unexplained_box.setChecked(True)
    first.close()
    stored = QSettings(str(settings_path), QSettings.Format.IniFormat)
    assert float(stored.value("model/unexplained_weight")) == UNEXPLAINED_WEIGHT_ON
    again = make_window(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    panel = again.modes["segment"].model_panel
    assert panel.unexplained_box.isChecked()
    assert again.modes["segment"].current_settings().unexplained_weight == UNEXPLAINED_WEIGHT_ON
    again.close()
    stored = QSettings(str(settings_path), QSettings.Format.IniFormat)
    stored.setValue("model/unexplained_weight", "not a number")
    stored.sync()
    third = make_window(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert not third.modes["segment"].model_panel.unexplained_box.isChecked()
