"""Faults a demanding library user (scripts, notebooks) met (session 43, apitrial43), one test per kind."""

import numpy as np
import pytest

from segmix.change_detection import confusion


def test_confusion_takes_bool_masks_and_refuses_other_codes_instead_of_scoring_them_as_nothing():
    # A researcher scoring their own method's mask (bool, or 0 / 1 from an OpenCV threshold)
    # with segmix's CDnet rules: mask == 255 read it as detecting nothing, recall 0 in silence.
    truth = np.zeros((10, 10), np.uint8)
    truth[2:6, 2:6] = 255
    truth[0] = 170
    detected = truth == 255
    c = confusion(detected, truth)
    assert (c.tp, c.fp, c.fn, c.tn) == (16, 0, 0, 74)
    assert confusion(detected.astype(np.uint8) * 255, truth) == c
    assert confusion(detected, truth == 255) == confusion(detected, np.where(truth == 255, 255, 0).astype(np.uint8))
    with pytest.raises(ValueError, match=r"mask must hold only 0, 127, 255.*0 / 1 mask\? give mask.astype\(bool\)"):
        confusion(detected.astype(np.uint8), truth)
    with pytest.raises(ValueError, match=r"mask must be uint8 codes.*float64 \(a probability map"):
        confusion(detected.astype(float), truth)
    with pytest.raises(ValueError, match=r"groundtruth must hold only 0, 50, 85, 170, 255.*found 1:"):
        confusion(detected, (truth == 255).astype(np.uint8))
    with pytest.raises(ValueError, match="shape"):
        confusion(detected, truth[:, :3])


def test_threshold_map_refuses_a_posterior_that_is_not_probabilities():
    # A 16-bit probability PNG read back (0..65535) or an 8-bit map was thresholded at 0.5 as
    # it was: True nearly everywhere, in silence.
    from segmix.bayes import threshold_map

    p = np.array([[0.1, 0.6], [0.4, 0.9]], np.float32)
    assert threshold_map(p, 0.5).tolist() == [[False, True], [False, True]]
    for bad, words in (((p * 65535).astype(np.uint16), "uint16"), (p * 255, "from 25.5 to 229.5"),
                       (np.where(p > 0.5, np.nan, p), "from nan")):
        with pytest.raises(ValueError, match=f"posterior must be.*{words}"):
            threshold_map(bad, 0.5)


@pytest.mark.parametrize("mode", ["P", "YCbCr", "HSV", "LAB", "L", "RGBA", "CMYK", "I;16"])
def test_pil_images_in_other_modes_than_rgb_are_refused_naming_the_mode(mode):
    # np.asarray of a PIL image holds its bands in its mode: a YCbCr / HSV / LAB image was
    # segmented, scored and quantised as R, G, B, and a palette image's indices were taken as
    # grey frames (BackgroundMixture) or called greyscale with a recipe that made them grey,
    # all in silence.
    from PIL import Image

    from segmix.background import BackgroundMixture
    from segmix.quantize import quantize_image
    from segmix.segment import segment
    from segmix.skin import detect, load_skin_model

    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8))
    image = rgb.convert("L").convert(mode) if mode == "I;16" else rgb.convert(mode)
    marks = np.zeros((12, 16), np.uint8)
    marks[5, 5], marks[0, 0] = 1, 2
    calls = {"image": [lambda: segment(image, marks), lambda: detect(load_skin_model(), image),
                       lambda: quantize_image(image, 4)]}
    if mode != "L":  # a grey frame is one
        calls["frame"] = [lambda: BackgroundMixture().apply(image)]
    for name, funcs in calls.items():
        for call in funcs:
            with pytest.raises(ValueError, match=f"^{name} is a PIL image in mode '{mode}'"):
                call()
    # RGB (and a grey frame) are their arrays, as before
    assert quantize_image(rgb, 4).image.shape == (12, 16, 3)
    assert BackgroundMixture().apply(rgb.convert("L")).shape == (12, 16)
