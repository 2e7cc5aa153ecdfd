"""A photo framed by bars of one colour (letterbox, pillarbox, a scan's margin): segmented inside
them (segmix.photo_bars).

A new user's one click on DAVIS 080 gave 6.1 % foreground, IoU 0.744; the same frame in 80-px
black bars top and bottom 21.0 %, IoU 0.173, with no word: with clicks alone the photo's border
is the background's evidence, and that border was the bars. The bundled astronaut at a quarter
of its size shows it in a fraction of a second: its click gave 2.8 % of the photo, in black bars
21 %.
"""

import io

import numpy as np
import pytest
from PIL import Image

from segmix.mark_steps import steps_result
from segmix.photo_bars import photo_box
from segmix.point_marks import add_point_marks
from segmix.resources import sample_image_path
from segmix.segment import apply_model, bars_box, iter_train_model, segment


def _astronaut():
    """The bundled astronaut at a quarter of its size: (128, 128, 3) uint8."""
    return np.ascontiguousarray(np.asarray(Image.open(sample_image_path()).convert("RGB"))[::4, ::4])


def _framed(image, sides, colour, jpeg=None):
    """``image`` in bars of ``colour`` (top, bottom, left, right px), saved as a JPEG of quality
    ``jpeg`` and read back if given."""
    top, bottom, left, right = sides
    h, w = image.shape[:2]
    out = np.empty((h + top + bottom, w + left + right, 3), np.uint8)
    out[:] = colour
    out[top:top + h, left:left + w] = image
    if jpeg:
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, "JPEG", quality=jpeg)
        out = np.asarray(Image.open(buf).convert("RGB"))
    return out


def _click(image, x, y, label=1):
    labels, order = add_point_marks(np.zeros(image.shape[:2], np.uint8), None, clicks=[(label, x, y)])
    return labels, order


CLICK = (80, 80)  # the astronaut's lit chest, (320, 320) at full size


@pytest.fixture(scope="module")
def plain_mask():
    photo = _astronaut()
    labels, order = _click(photo, *CLICK)
    return steps_result(photo, labels, order).mask


@pytest.mark.parametrize("sides, colour", [
    ((21, 21, 0, 0), (0, 0, 0)),  # letterbox
    ((0, 0, 21, 21), (0, 0, 0)),  # pillarbox
    ((16, 16, 0, 0), (30, 60, 160)),  # coloured bars
    ((8, 8, 8, 8), (250, 250, 250)),  # a scan's white margin
    ((21, 0, 0, 0), (128, 128, 128)),  # one grey bar
])
def test_a_click_on_a_photo_in_bars_gives_the_photo_s_own_mask(plain_mask, sides, colour):
    # Before: black bars gave 21-22 % of the photo for 2.8 % (IoU with the plain photo's mask
    # 0.12-0.13), blue bars the same.
    photo = _astronaut()
    framed = _framed(photo, sides, colour)
    top, bottom, left, right = sides
    labels, order = _click(framed, CLICK[0] + left, CLICK[1] + top)
    mask = steps_result(framed, labels, order).mask
    inside = mask[top:top + photo.shape[0], left:left + photo.shape[1]]
    assert (inside & plain_mask).sum() / (inside | plain_mask).sum() > 0.95
    assert inside.sum() == mask.sum()  # the bars are background


def test_the_window_s_route_gives_the_same_mask_and_shows_the_cut_whole():
    # The window trains (iter_train_model) and applies (apply_model, with on_cut) apart.
    photo = _framed(_astronaut(), (21, 21, 0, 0), (0, 0, 0))
    labels = _click(photo, CLICK[0], CLICK[1] + 21)[0]
    generator = iter_train_model(photo, labels)
    try:
        while True:
            next(generator)
    except StopIteration as stop:
        model = stop.value
    cuts = []
    result = apply_model(photo, model, labels, on_cut=lambda mask, probability: cuts.append((mask, probability)))
    assert np.array_equal(result.mask, segment(photo, labels).mask)
    assert result.mask.shape == result.probability.shape == photo.shape[:2]
    assert not result.mask[:21].any() and not result.probability[:21].any()
    assert all(mask.shape == photo.shape[:2] for mask, _ in cuts)


SIDES = [(5, 0, 0, 0), (0, 0, 0, 12), (30, 30, 0, 0), (0, 0, 40, 40), (6, 6, 6, 6), (0, 9, 0, 9), (20, 0, 20, 20)]
COLOURS = [(0, 0, 0), (255, 255, 255), (128, 128, 128), (16, 16, 16), (200, 40, 40)]
# A JPEG at quality 75 rings through a bar thinner than its 8-px blocks (not found), and a red
# bar's colour bleeds 16 px (its colour is halved); bars from 16 px of these colours are found.
JPEG_SIDES = [(30, 30, 0, 0), (0, 0, 40, 40), (16, 16, 16, 16), (0, 0, 0, 16), (20, 0, 20, 20)]
JPEG_COLOURS = [(0, 0, 0), (255, 255, 255), (128, 128, 128), (30, 60, 160)]


@pytest.mark.parametrize("sides, colour, jpeg", [(s, c, None) for s in SIDES for c in COLOURS]
                         + [(s, c, 75) for s in JPEG_SIDES for c in JPEG_COLOURS])
def test_bars_of_one_colour_on_one_to_four_sides_are_found(sides, colour, jpeg):
    photo = _astronaut()
    box = photo_box(_framed(photo, sides, colour, jpeg))
    top, bottom, left, right = sides
    expected = (top, top + photo.shape[0], left, left + photo.shape[1])
    if jpeg and colour == (0, 0, 0) and sides in ((30, 30, 0, 0), (20, 0, 20, 20)) or (sides, colour) == (
            (20, 0, 20, 20), (30, 60, 160)):
        # In a JPEG the photo's dark edge beside the bar (the astronaut's space) has no edge of
        # its own, and the bar's colour goes on into it as a backdrop's would: the whole frame is
        # segmented, as before bars were looked for (a backdrop taken for bars costs more).
        assert box is None
        return
    if jpeg and colour == (30, 60, 160) and sides == (0, 0, 0, 16):
        # The blue bled into the astronaut's right edge, which reads as two flat colours as a
        # drawn figure's edge does (photo_bars._flat): left whole, as before.
        assert box is None
        return
    assert box is not None
    # a JPEG's ringing at the bar's edge may take a block's lines of the photo with the bar
    assert all(abs(a - b) <= (8 if jpeg else 0) for a, b in zip(box, expected)), (box, expected)


def _sky_photo(seed=3):
    """A photo whose top is an even sky (JPEG-noisy) over hills, a roof and a tree: no bars."""
    rng = np.random.default_rng(seed)
    h, w = 120, 160
    yy, xx = np.mgrid[:h, :w]
    image = np.empty((h, w, 3), np.float64)
    image[:] = (150, 190, 235)  # the sky: even
    horizon = 40 + 8 * np.sin(xx / 17.0) + 3 * np.sin(xx / 5.0)
    ground = yy >= horizon
    image[ground] = (70, 110, 50)
    image[(yy >= 22) & (xx >= 100) & (xx < 130)] = (140, 60, 50)  # a roof in the sky
    image[((yy - 30) ** 2 + (xx - 30) ** 2) < 12 ** 2] = (40, 80, 30)  # a tree's crown
    image += rng.normal(0, 1.5, image.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=90)
    return np.asarray(Image.open(buf).convert("RGB"))


def test_an_even_sky_at_the_top_is_no_bar():
    sky = _sky_photo()
    assert photo_box(sky) is None
    assert photo_box(sky[:, ::-1].transpose(1, 0, 2)) is None  # a wall at the left
    # a gradient sky (lighter by one level a row) is no bar either
    gradient = sky.astype(np.int16)
    gradient[:40] += np.arange(40)[:, None, None]
    assert photo_box(np.clip(gradient, 0, 255).astype(np.uint8)) is None
    # ... nor a photo of one colour, nor one too small to hold a photo inside bars
    assert photo_box(np.full((100, 100, 3), 0, np.uint8)) is None
    assert photo_box(np.zeros((20, 20, 3), np.uint8)) is None


def test_a_mark_on_a_bar_segments_the_whole_frame():
    framed = _framed(_astronaut(), (21, 21, 0, 0), (0, 0, 0))
    labels = _click(framed, CLICK[0], CLICK[1] + 21)[0]
    assert bars_box(framed, labels) == (21, 149, 0, 128)
    on_bar = labels.copy()
    on_bar[5, 60] = 1
    assert bars_box(framed, on_bar) is None
    background_on_bar = labels.copy()
    background_on_bar[5, 60] = 2  # the user takes the bar for a backdrop to learn (the session-39 test's
    assert bars_box(framed, background_on_bar) is None  # plain backdrop round an object was refused)
    # a box's outside is background, bars and all: left as it is
    boxed = np.full(framed.shape[:2], 2, np.uint8)
    boxed[40:120, 30:100] = 0
    assert bars_box(framed, boxed) is None


def test_segment_says_it_segmented_inside_the_bars(tmp_path, capsys):
    from segmix.cli import main

    photo = tmp_path / "framed.png"
    Image.fromarray(_framed(_astronaut(), (21, 21, 0, 0), (0, 0, 0))).save(photo)
    out = tmp_path / "mask.png"
    assert main(["segment", str(photo), "--click", f"{CLICK[0]},{CLICK[1] + 21}", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if "bars of one colour" in line]
    assert len(notes) == 1 and "top 21 px, bottom 21 px" in notes[0] and "background" in notes[0], err
    mask = np.asarray(Image.open(out)) > 0
    assert not mask[:21].any() and not mask[-21:].any() and mask.mean() < 0.1
    # a plain photo says nothing of bars
    plain = tmp_path / "plain.png"
    Image.fromarray(_astronaut()).save(plain)
    assert main(["segment", str(plain), "--click", f"{CLICK[0]},{CLICK[1]}", "-o", str(tmp_path / "p.png")]) == 0
    assert "bars" not in capsys.readouterr().err


def test_a_click_s_disc_is_sized_by_the_photo_inside_the_bars(tmp_path):
    # DAVIS 060 in 80-px bars: the 854 x 640 frame's disc was 5.44 px for the photo's 5, and
    # its one click gave IoU 0.551 for the photo's 0.847 (the cut inside the bars alone).
    from segmix.cli import main
    from segmix.clicks import click_radius, disc_shape

    rng = np.random.default_rng(46)
    photo = rng.integers(40, 220, (480, 854, 3), dtype=np.uint8)
    framed = _framed(photo, (80, 80, 0, 0), (0, 0, 0))
    assert disc_shape(framed) == (480, 854) and disc_shape(photo) == (480, 854)
    assert click_radius(disc_shape(framed)) == click_radius(photo.shape) == 5.0 < click_radius(framed.shape)
    path = tmp_path / "framed.png"
    Image.fromarray(framed).save(path)
    marks = tmp_path / "marks.png"
    assert main(["segment", str(path), "--click", "400,300", "-o", str(tmp_path / "m.png"), "--save-scribbles",
                 str(marks), "--smoothing", "none", "--quiet"]) == 0
    labels, _ = add_point_marks(np.zeros(photo.shape[:2], np.uint8), None, clicks=[(1, 400, 220)])
    assert np.count_nonzero(np.asarray(Image.open(marks)) == 1) == np.count_nonzero(labels == 1)


def test_the_photo_inside_the_bars_is_one_array_while_the_photo_is_unchanged():
    # The colour cache is keyed by the array's identity: a new crop for every fit found the
    # photo's colours afresh each time.
    from segmix.photo_bars import inside_photo

    framed = _framed(_astronaut(), (0, 0, 21, 21), (0, 0, 0))  # a pillarbox: a crop of columns
    framed.setflags(write=False)
    box = photo_box(framed)
    crop = inside_photo(framed, box)
    assert crop is inside_photo(framed, box) and crop.flags.c_contiguous and not crop.flags.writeable
    assert np.array_equal(crop, framed[:, 21:-21])
    changed = framed.copy()
    changed[50, 50] = 255
    assert inside_photo(changed, box)[50, 29].tolist() == [255, 255, 255]


def test_an_object_on_a_plain_backdrop_is_no_framed_photo():
    """A noiseless figure on a plain backdrop that it does not touch: its bounding box was read
    as the photo inside bars (the backdrop's colour on every side, the figure's sides a sharp
    edge), and one click on its upper half gave that half (IoU 0.61). The backdrop's colour goes
    on into the box's first lines (84 % of the top line), which bars' never do."""
    from segmix.segment import SegmentationSettings, segment

    h, w = 300, 400
    yy, xx = np.mgrid[:h, :w]
    figure = ((yy - 90) ** 2 + (xx - 200) ** 2 < 35 ** 2) | ((yy >= 120) & (yy < 260) & (abs(xx - 200) < 50))
    for backdrop in ((255, 255, 255), (20, 20, 20)):
        image = np.zeros((h, w, 3), np.uint8)
        image[...] = backdrop
        image[figure] = (200, 120, 90)
        image[figure & (yy > 150)] = (60, 80, 160)
        assert photo_box(image) is None
        labels = np.zeros((h, w), np.uint8)
        labels[(yy - 200) ** 2 + (xx - 200) ** 2 <= 25] = 1
        mask = segment(image, labels, SegmentationSettings()).mask
        assert (mask & figure).sum() / (mask | figure).sum() > 0.95


def test_a_flat_figure_on_a_plain_ground_is_no_framed_photo():
    """A drawn or synthetic rectangle on a plain ground (the tests' two-colour photos, a 16-bit
    TIFF of two flat colours): its box was read as the photo inside bars, and one click on it
    was refused ("every colour of the unmarked pixels is among the foreground marks'")."""
    image = np.zeros((40, 60, 3), np.uint8)
    image[...] = (40, 90, 200)
    image[10:30, 15:45] = (220, 120, 30)
    assert photo_box(image) is None
    two_tone = image.copy()
    two_tone[20:30, 15:45] = (30, 160, 40)
    assert photo_box(two_tone) is None
