"""Session 48's own fixes: a grey class map with void (PASCAL VOC's 0 / 15 / 255 saved as a
greyscale PNG) given as the photo was segmented with no word of what it is."""

import numpy as np
import pytest
from PIL import Image

from segmix.labelmaps import class_map_values


def voc_grey_map(h=120, w=160, cls=15):
    a = np.zeros((h, w), np.uint8)
    a[30:90, 40:120] = cls
    a[29, 40:120] = a[90, 40:120] = 255
    a[30:90, 39] = a[30:90, 120] = 255
    return a


def test_grey_class_maps_with_void_are_told():
    assert class_map_values(voc_grey_map()) == [0, 15, 255]
    rgb = np.repeat(voc_grey_map(cls=7)[..., None], 3, axis=2)
    assert class_map_values(rgb) == [0, 7, 255]
    three = voc_grey_map()
    three[:10, :10] = 33  # a Cityscapes label id beside
    assert class_map_values(three) == [0, 15, 33, 255]
    # without void (the re-check): VOC's map with its border as background, Cityscapes' labelIds
    no_void = voc_grey_map()
    no_void[no_void == 255] = 0
    assert class_map_values(no_void) == [0, 15]
    city = np.zeros((60, 80), np.uint8)
    city[:20], city[20:40, :40], city[20:40, 40:], city[40:] = 7, 8, 11, 26
    assert class_map_values(city) == [7, 8, 11, 26]


@pytest.mark.parametrize("case", ["mask", "trimap", "photo", "dark", "low values", "colour", "one class 1", "too many"])
def test_other_pictures_are_not_class_maps(case):
    rng = np.random.default_rng(0)
    a = voc_grey_map()
    if case == "mask":
        a = np.where(a > 0, 255, 0).astype(np.uint8)
    elif case == "trimap":
        a = np.where(a == 15, 255, np.where(a == 255, 128, 0)).astype(np.uint8)
    elif case == "photo":
        a = rng.integers(0, 256, (60, 80), dtype=np.uint8)
    elif case == "dark":  # a dark photo with a few highlights: many levels
        a = rng.integers(0, 41, (60, 80), dtype=np.uint8)
        a[0, :5] = 255
    elif case == "low values":  # 0-3 without void: label_map_values' (refused there as scribbles)
        a[a == 255] = 0
        a[a == 15] = 3
    elif case == "colour":
        a = np.stack([a, a, np.where(a == 15, 16, a).astype(np.uint8)], axis=2)
    elif case == "one class 1":  # a 0 / 1 map with 255: mask-like, said by the mask rule or not at all
        a[a == 15] = 1
    elif case == "too many":
        a[:, :14] = np.arange(14, dtype=np.uint8)[None, :]
    assert class_map_values(a) is None


def test_segment_warns_of_a_grey_class_map_given_as_the_photo(tmp_path, capsys):
    from segmix.cli import main

    Image.fromarray(voc_grey_map()).save(tmp_path / "2007_000032.png")
    # before: "wrote ..." with warnings of distinct colours only
    assert main(["segment", str(tmp_path / "2007_000032.png"), "--click", "80,60",
                 "-o", str(tmp_path / "out.png")]) == 0
    err = capsys.readouterr().err
    assert ("2007_000032.png: it holds only a class map's values (0, 15, 255: class numbers, 255 void, as PASCAL "
            "VOC's label maps): is it a label map given as the photo? Segment the photo it labels") in err
    city = np.zeros((60, 80), np.uint8)
    city[:20], city[20:40], city[40:] = 7, 11, 26
    Image.fromarray(city).save(tmp_path / "aachen_labelIds.png")
    assert main(["segment", str(tmp_path / "aachen_labelIds.png"), "--click", "40,30",
                 "-o", str(tmp_path / "out2.png")]) == 0
    assert ("aachen_labelIds.png: it holds only a class map's values (7, 11, 26: class numbers, as Cityscapes' or "
            "PASCAL VOC's label maps)") in capsys.readouterr().err


@pytest.mark.parametrize("estimator", ["GaussianMixture", "KMeans"])
def test_strings_and_ragged_rows_are_refused_in_words(estimator):
    """A column of text read from a CSV was fitted as numbers ("1.5" read as 1.5, no word;
    scikit-learn refuses strings), and ragged rows gave NumPy's "inhomogeneous shape" words."""
    import segmix.mixture as mixture

    model = getattr(mixture, estimator)(1)
    with pytest.raises(ValueError, match=r"X holds strings \(dtype <U3\), not numbers: .*np.asarray\(X, dtype=float\)"):
        model.fit([["1.5", "2"], ["3", "4"], ["5", "6"]])
    with pytest.raises(ValueError, match=r"rows of different lengths \(row 0 has 3 values, row 1 has 2\)"):
        model.fit([[1, 2, 3], [4, 5], [6, 7, 8]])
    model.fit(np.array([[1.5, 2], [3, 4], [5, 6]], dtype=object))  # numbers held as objects are numbers


def test_a_cut_out_clicked_on_each_shape_says_its_transparent_pixels_hold_no_colour():
    """A new user's cut-out (a half-transparent square, an opaque ellipse, 78 % transparent),
    clicked on both shapes: "every colour of the unmarked pixels is among the foreground marks'
    colours", though most of the photo is unmarked transparent pixels."""
    from segmix.segment import segment

    rgba = np.zeros((100, 140, 4), np.uint8)
    rgba[20:50, 10:50] = (30, 60, 220, 128)
    yy, xx = np.mgrid[:100, :140]
    rgba[((yy - 60) / 20) ** 2 + ((xx - 100) / 30) ** 2 < 1] = (220, 30, 30, 255)
    marks = np.zeros((100, 140), np.uint8)
    marks[33:38, 28:33] = 1
    marks[58:63, 98:103] = 1
    with pytest.raises(ValueError, match=r"every colour of the visible unmarked pixels \(the 78 % that are "
                                         r"transparent are background already, but hold no colour to learn from\)"):
        segment(np.ascontiguousarray(rgba[..., :3]), marks, transparent=rgba[..., 3] == 0)


def test_a_convergence_curve_that_falls_after_its_peak_is_said_under_the_figure(tmp_path):
    """A researcher's skin curve peaked at iteration 10 (5.413) and fell for 54 iterations to 5.380,
    marked converged, with nothing saying why (reg_covar added after the M-step); a reader took it
    for an EM fault. The legend, fixed in the lower right, also hid the flat curve's middle."""
    from matplotlib.figure import Figure

    from segmix.plots import draw_convergence, fallen_curves

    falling = [5.30, 5.38, 5.413, 5.40, 5.39, 5.380]
    climbing = [3.0, 3.3, 3.45, 3.49, 3.5, 3.5]
    assert fallen_curves({"skin mixture": falling, "non-skin mixture": climbing}) == ["skin mixture"]
    assert fallen_curves({"non-skin mixture": climbing, "one": [1.0]}) == []
    fig = draw_convergence({"skin mixture": falling, "non-skin mixture": climbing}, reg_covar=1e-4)
    assert isinstance(fig, Figure)
    said = " ".join(t.get_text() for t in fig.texts)
    assert "The curve of the skin mixture falls after its peak: reg_covar (0.0001)" in said
    assert fig.axes[0].get_legend()._loc == 0  # "best"
    assert not draw_convergence({"non-skin mixture": climbing}).texts


def test_refusals_suggest_what_works_when_followed():
    """The re-check followed the advice: colors_to_features of a nested list said
    np.asarray(colors).reshape(-1, 3), refused again for its int64; segment with a bool mask as
    marks said only "got dtype bool"."""
    from segmix.features import colors_to_features
    from segmix.segment import segment

    nested = [[[10, 20, 30], [40, 50, 60]]]
    with pytest.raises(ValueError, match=r"np.asarray\(colors, dtype=np.uint8\).reshape\(-1, 3\)"):
        colors_to_features(nested)
    assert colors_to_features(np.asarray(nested, dtype=np.uint8).reshape(-1, 3)).shape == (2, 3)
    image = np.zeros((20, 30, 3), np.uint8)
    with pytest.raises(ValueError, match=r"got dtype bool: a bool mask of the object as foreground marks is "
                                         r"mask.astype\(np.uint8\)"):
        segment(image, np.zeros((20, 30), bool))


def test_the_click_refusal_says_the_half_pixel_it_takes(capsys):
    from segmix.cli import main

    assert main(["segment", "p.png", "--click", "10,-0.6", "-o", "m.png"]) == 2
    assert "X and Y >= -0.5 (from the top-left corner; a decimal goes to the nearest pixel)" in capsys.readouterr().err


def test_a_16_bit_photo_of_few_dark_levels_is_no_class_map(tmp_path, capsys):
    """12-bit data in a 16-bit PNG reads as a few dark 8-bit levels (1 and 15 here): a photo
    that reads almost black, not a class map (the full suite: the window's note was replaced)."""
    from segmix.cli import main

    pixels = np.zeros((40, 60), np.uint16)
    pixels[:, :30], pixels[:, 30:] = 4000, 300
    Image.fromarray(pixels).save(tmp_path / "g12.png")
    main(["segment", str(tmp_path / "g12.png"), "--click", "10,10", "-o", str(tmp_path / "m.png")])
    assert "class map" not in capsys.readouterr().err
