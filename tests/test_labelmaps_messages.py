"""Messages of the label-map reader say what is wrong and what to do (issue 13)."""

import numpy as np
import pytest
from PIL import Image

from segmix.io import ImageLoadError
from segmix.labelmaps import load_mask, load_scribbles


def test_a_16_bit_0_65535_mask_is_read_as_0_255(tmp_path):
    values = np.array([[0, 65535, 65535, 0]], np.uint16)
    Image.fromarray(values).save(tmp_path / "m16.png")
    assert Image.open(tmp_path / "m16.png").mode.startswith("I;16")
    assert load_mask(tmp_path / "m16.png").tolist() == [[0, 1, 1, 0]]


@pytest.mark.parametrize("values", [[0, 255, 65535], [0, 32768, 65535], [0, 1000]])
def test_other_16_bit_masks_are_refused_as_16_bit(tmp_path, values):
    Image.fromarray(np.array([values], np.uint16)).save(tmp_path / "m16.png")
    with pytest.raises(ImageLoadError) as caught:
        load_mask(tmp_path / "m16.png")
    text = str(caught.value)
    assert "m16.png" in text and "16-bit image" in text and "save it as 8-bit greyscale PNG" in text
    assert "resizing" not in text and "\n" not in text


def test_an_8_bit_mask_scaled_to_16_bits_keeps_its_ignore(tmp_path):
    # Session 47: 0 / 32896 / 65535 (0 / 128 / 255 x 257) was refused as "may hold only 0 and 65535".
    Image.fromarray(np.array([[0, 32896, 65535, 0]], np.uint16)).save(tmp_path / "m16.png")
    assert load_mask(tmp_path / "m16.png").tolist() == [[0, -1, 1, 0]]
    Image.fromarray(np.array([[0, 32896, 0]], np.uint16)).save(tmp_path / "ignore_only.png")
    with pytest.raises(ImageLoadError, match="32896"):  # no white: not a scaled mask
        load_mask(tmp_path / "ignore_only.png")


@pytest.mark.parametrize("shape, words", [
    ((59, 80), "(1 row fewer than the image: cropped, padded or scaled to a nearby size, which the sizes do not "
               "tell; if cropped or padded, pad or crop the scribbles at the edge that lost or gained them to 80 x 60 "
               "(resizing would shift every label); if scaled, make the image and the scribbles one size again)"),
    ((62, 81), "(2 rows more and 1 column more than the image"),
    ((60, 72), "(8 columns fewer than the image"),
])
def test_a_map_a_few_pixels_off_is_cropped_or_padded_not_scaled(tmp_path, shape, words):
    # Session 47: a map one row short was told to "resize them ... with nearest-neighbour sampling".
    Image.fromarray(np.zeros(shape, np.uint8)).save(tmp_path / "s.png")
    with pytest.raises(ImageLoadError) as caught:
        load_scribbles(tmp_path / "s.png", (60, 80))
    assert words in str(caught.value) and "resize them" not in str(caught.value)


def test_a_size_mismatch_of_another_aspect_says_what_to_do(tmp_path):
    Image.fromarray(np.zeros((77, 101), np.uint8)).save(tmp_path / "s.png")
    with pytest.raises(ImageLoadError, match=r"s\.png: scribbles are 101 x 77 pixels but the image is 80 x 60; "
                                             r"draw the scribbles on this image, or resize them to 80 x 60 "
                                             r"with nearest-neighbour sampling"):
        load_scribbles(tmp_path / "s.png", (60, 80))


def test_rotated_and_scaled_maps_say_what_to_do(tmp_path):
    Image.fromarray(np.zeros((80, 60), np.uint8)).save(tmp_path / "r.png")
    with pytest.raises(ImageLoadError, match=r"rotated by 90 degrees: rotate the scribbles back"):
        load_scribbles(tmp_path / "r.png", (60, 80))
    Image.fromarray(np.zeros((90, 120), np.uint8)).save(tmp_path / "x.png")
    with pytest.raises(ImageLoadError, match=r"1\.5 times the image's size.*resize them to 80 x 60 with nearest"):
        load_scribbles(tmp_path / "x.png", (60, 80))


@pytest.mark.parametrize("size,words", [((40, 30), "half the image's size"), ((160, 120), "twice the image's size"),
                                        ((240, 180), "3 times the image's size"),
                                        ((200, 150), "2.5 times the image's size"),
                                        ((30, 22), "0.375 times the image's size"),
                                        ((20, 15), "a quarter of the image's size"),
                                        ((27, 20), "a third of the image's size")])
def test_scaled_maps_say_the_ratio_in_words(tmp_path, size, words):
    # issue 13 / case c27: a half-size map read "1/2 times the image's size"
    Image.fromarray(np.zeros(size[::-1], np.uint8)).save(tmp_path / "s.png")
    with pytest.raises(ImageLoadError) as info:
        load_scribbles(tmp_path / "s.png", (60, 80))
    assert words in str(info.value) and "1/2" not in str(info.value) and "1/3" not in str(info.value)
    # A trial: "draw the scribbles on the image at full size" for scribbles larger than it.
    source = "scaled-down preview" if size[0] < 80 else "zoomed-in or hi-DPI view"
    assert source in str(info.value) and "full size" not in str(info.value)


def test_size_ratio_words():
    from segmix.labelmaps import size_ratio_words

    assert [size_ratio_words(r) for r in (0.5, 2.0, 1 / 3, 0.25, 2.5, 0.37, 1.25, 11 / 3)] == [
        "half", "twice", "a third of", "a quarter of", "2.5 times", "0.37 times", "1.25 times", "3.67 times"]


def test_a_map_one_pixel_off_gets_the_general_hint(tmp_path):
    Image.fromarray(np.zeros((61, 81), np.uint8)).save(tmp_path / "s.png")
    with pytest.raises(ImageLoadError) as info:
        load_scribbles(tmp_path / "s.png", (60, 80))
    # since session 47 said as a crop or pad (a row and a column more), not a scaling
    assert "times" not in str(info.value) and "1 row more and 1 column more than the image" in str(info.value)
