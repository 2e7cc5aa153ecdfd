"""Skin detection and colour quantisation, faults of session 32's new-user trial.

1. A skin model saved with another final threshold than its own (the window's Save with the
   slider moved) decided differently once read back: the detector decides inside at a model's
   own threshold too (the texture cue's candidates, the second pass's first decision), and the
   file held one threshold only. :func:`segmix.skin.with_threshold` keeps the model's own for
   those steps (``training["detector_threshold"]``), so the file gives what the model gives
   at that threshold, exactly.
"""

import json

import numpy as np
import pytest

from segmix import modelfile, skin, skin_detect

SKIN = np.array((224, 172, 150.0))
GREEN = np.array((40, 110, 60.0))


def _textured_photo() -> np.ndarray:
    """(96, 128): skin-coloured left, green right, a skin -> green ramp and a grainy patch."""
    rng = np.random.default_rng(0)
    height, width = 96, 128
    image = np.empty((height, width, 3))
    image[:, : width // 2], image[:, width // 2:] = SKIN, GREEN
    image[60:, 70:] = SKIN * 0.9 + rng.normal(0, 25, (height - 60, width - 70, 1))
    t = np.linspace(0, 1, width)[:, None]
    image[40:60] = (SKIN * (1 - t) + GREEN * t)[None]
    return np.clip(np.round(image + rng.normal(0, 6, image.shape)), 0, 255).astype(np.uint8)


def _counts(image: np.ndarray) -> skin.ColorCounts:
    parts = []
    for pixels, column in ((image[:40, 5:30], "skin"), (image[:40, 80:120], "non_skin")):
        unique, n = np.unique(skin.rgb_codes(pixels.reshape(-1, 3)), return_counts=True)
        values = {"skin": np.zeros(unique.size, np.int64), "non_skin": np.zeros(unique.size, np.int64)}
        values[column] = n.astype(np.int64)
        parts.append(skin.ColorCounts(unique.astype(np.int64), values["skin"], values["non_skin"]))
    return parts[0] + parts[1]


@pytest.fixture(scope="module")
def trained():
    from segmix.gui.modes.skin import training_options  # the window's model (no Qt imported)

    model = skin.train_skin_model(_counts(_textured_photo()), **training_options())
    return skin.with_non_skin_prior(model, skin.load_skin_model(), 0.3)


@pytest.mark.parametrize("threshold", [0.41, 0.015, 0.04])
def test_a_model_saved_at_another_threshold_decides_as_before_the_save(trained, tmp_path, threshold):
    image = _textured_photo()
    path = tmp_path / "m.json"
    modelfile.write_model(path, skin.with_threshold(trained, threshold))
    loaded = skin.load_skin_model(path)
    assert loaded.threshold == threshold and skin_detect.detector_threshold(loaded) == trained.threshold
    expected = skin.detect(trained, image, threshold=threshold)
    got = skin.detect(loaded, image)
    np.testing.assert_array_equal(got.log_odds, expected.log_odds)
    np.testing.assert_array_equal(got.mask, expected.mask)
    # a threshold given on top (skin apply --threshold T, the window's slider) is the same
    # final decision for both: the model's inner steps do not move with it
    np.testing.assert_array_equal(skin.detect(loaded, image, threshold=0.2).mask,
                                  skin.detect(trained, image, threshold=0.2).mask)


def test_a_model_saved_at_its_own_threshold_is_written_as_before(trained):
    assert skin.with_threshold(trained, trained.threshold).training == trained.training
    twice = skin.with_threshold(skin.with_threshold(trained, 0.3), 0.04)
    assert "detector_threshold" not in twice.training and twice.threshold == 0.04


def test_the_threshold_alone_replaced_gives_another_mask(trained):
    """Why the inner threshold is kept: without it this photo's mask differs (the fault)."""
    from dataclasses import replace

    image = _textured_photo()
    merely = skin.detect(replace(trained, threshold=0.41), image).mask
    assert (merely != skin.detect(trained, image, threshold=0.41).mask).any()


@pytest.mark.parametrize("value, words", [('"0.04"', '"0.04"'), ("1.5", "1.5"), ("true", "true"), ("null", "null")])
def test_a_malformed_detector_threshold_is_refused_with_the_file_named(trained, tmp_path, value, words):
    path = tmp_path / "bad.json"
    modelfile.write_model(path, skin.with_threshold(trained, 0.3))
    text = path.read_text()
    path.write_text(text.replace('"detector_threshold": 0.04', f'"detector_threshold": {value}'))
    assert json.loads(path.read_text())["training"]["detector_threshold"] is not None or value == "null"
    with pytest.raises(ValueError, match=rf"bad\.json: invalid segmix model: 'training' 'detector_threshold' must "
                                         rf"be a number in \[0, 1\]; got {words}"):
        skin.load_skin_model(path)
