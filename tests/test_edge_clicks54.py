"""Session 54: a click on an object's part at the photo's edge, and background clicks after a
box alone (docs/clicks_development.md, "Clicks at the photo's edge and background clicks after
a box alone")."""

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from segmix.click_guards import removed_without_foreground
from segmix.mark_steps import replay_steps, step_marks
from segmix.point_marks import add_point_marks
from segmix.segment import BACKGROUND, FOREGROUND, segment

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "skin"


def _texture(rng, shape, low, high, scale):
    noise = ndimage.gaussian_filter(rng.standard_normal(shape), scale)
    noise = (noise - noise.min()) / (np.ptp(noise) + 1e-9)
    return np.asarray(low, float) * (1 - noise[..., None]) + np.asarray(high, float) * noise[..., None]


def _edge_blob():
    """An orange blob on a mottled green, cut by the photo's bottom and left edges: a new
    user's border.png, (H, W, 3) uint8 photo and (H, W) bool truth. (Built smaller, at a third
    or half of its size, a click on the edge found the object before the fix too.)"""
    rng = np.random.default_rng(1)
    h, w = 480, 854
    rows, cols = np.mgrid[:h, :w]
    background = _texture(rng, (h, w), (60, 120, 50), (110, 170, 80), 20)
    blob = _texture(rng, (h, w), (200, 60, 40), (230, 120, 60), 8)
    truth = (cols / 300.0) ** 2 + ((rows - h) / 330.0) ** 2 < 1
    return np.clip(np.where(truth[..., None], blob, background), 0, 255).astype(np.uint8), truth


def _iou(mask, truth):
    return np.count_nonzero(mask & truth) / max(1, np.count_nonzero(mask | truth))


def _click(image, x, y):
    labels, _ = add_point_marks(np.zeros(image.shape[:2], np.uint8), None, None, [(FOREGROUND, x, y)])
    return segment(image, labels).mask


TURNS = {
    "bottom": lambda a: a,
    "top": lambda a: a[::-1],
    "left": lambda a: np.rot90(a, -1),
    "right": lambda a: np.rot90(a, 1),
}


@pytest.mark.parametrize("edge, distance", [("bottom", 0), ("bottom", 2), ("bottom", 4), ("top", 0), ("left", 1),
                                            ("right", 3)])
def test_a_click_at_the_edge_selects_the_object(edge, distance):
    # Before: a click whose disc touched the edge gave its disc or a sliver (on the bottom
    # edge, 0 / 2 / 4 px from it: IoU 0.01 / 0.34 / 0.01; 6 px up 1.00): the foreground
    # borrowed no colour (foreground_closeness measured nothing with a mark on the border) and
    # the border prior was dropped. Every edge, by turning the photo.
    image, truth = _edge_blob()
    h, w = truth.shape
    turn = TURNS[edge]
    where = turn(np.arange(h * w).reshape(h, w))
    y, x = np.argwhere(where == (h - 1 - distance) * w + 150)[0]
    mask = _click(np.ascontiguousarray(turn(image)), int(x), int(y))
    assert _iou(mask, np.ascontiguousarray(turn(truth))) > 0.9


def test_a_click_in_the_corner_selects_the_object():
    image, truth = _edge_blob()
    # Before: 0.92 (the disc in the corner touches two edges; two sides still frame it).
    assert _iou(_click(image, 0, truth.shape[0] - 1), truth) > 0.97


HAND = DATA / "hgr1" / "images" / "hgr1_F_P_hgr1_id11_1.jpg"


@pytest.mark.skipif(not HAND.exists(), reason="the HGR1 photos are not present")
def test_a_click_on_a_forearm_at_the_bottom_edge():
    # The new user's photo: 207,478 gave IoU 0.002, 207,475 0.08, 207,468 0.918.
    from PIL import Image

    image = np.asarray(Image.open(HAND).convert("RGB"))
    truth = np.asarray(Image.open(DATA / "hgr1" / "masks" / (HAND.stem + ".png")).convert("L")) > 127
    for y in (479, 477, 475):
        assert _iou(_click(image, 207, y), truth) > 0.75, y


def test_removed_without_foreground_only_without_foreground_marks():
    previous = np.zeros((40, 40), bool)
    previous[5:35, 5:35] = True
    marks = np.full((40, 40), BACKGROUND, np.uint8)
    marks[3:37, 3:37] = 0  # a box's outside
    before = marks.copy()
    marks[18:22, 18:22] = BACKGROUND  # a background click on the mask
    emptied = np.zeros_like(previous)
    found = removed_without_foreground(emptied, previous, marks, before)
    assert found is not None and found.sum() == np.count_nonzero(previous & (marks == 0))
    # a removal that leaves most of the mask, or half of it, is the click's own correction
    for rows in (2, 15):
        kept = previous & (marks == 0)
        kept[5:5 + rows, 5:35] = False
        assert removed_without_foreground(kept, previous, marks, before) is None
    # a tenth or less left is a collapse
    kept = previous & (marks == 0)
    kept[5:33, 5:35] = False
    assert removed_without_foreground(kept, previous, marks, before) is not None
    # a foreground mark anywhere: the removal guard's nearest-mark rule applies instead
    marks[30, 30] = FOREGROUND
    assert removed_without_foreground(emptied, previous, marks, before) is None


FACE = DATA / "ccp" / "images" / "ccp_0511.jpg"


@pytest.mark.skipif(not FACE.exists(), reason="the CCP photos are not present")
def test_background_clicks_on_hair_in_a_box_keep_the_face():
    # The new user's case: box 0.40, one click on the hair 0.47, the second 0.000 ("no pixel
    # came out foreground"): the clicks' local colour models took the face's log odds to about
    # +1 nat and the cut's smoothness emptied the box; no guard applied without a foreground
    # mark.
    from PIL import Image

    image = np.asarray(Image.open(FACE).convert("RGB"))
    truth = np.asarray(Image.open(DATA / "ccp" / "masks" / "ccp_0511.png").convert("L")) > 127
    labels, order = add_point_marks(np.zeros(image.shape[:2], np.uint8), None, (192, 61, 267, 209),
                                    [(BACKGROUND, 242, 184), (BACKGROUND, 249, 131)])
    masks = []
    replay_steps(image, step_marks(labels, order), on_step=lambda step, result: masks.append(result.mask))
    box, _, last = masks
    face = truth[61:130, 192:267]
    assert last[61:130, 192:267][face].mean() > 0.95  # the face stays
    assert np.count_nonzero(last) < np.count_nonzero(box)  # the hair clicked goes
    assert not last[184, 242] and not last[131, 249]


def test_the_command_line_names_click_not_the_windows_key_when_the_cut_keeps_nothing(tmp_path, capsys, monkeypatch):
    # The advice after "no pixel came out foreground" said "mark part of the object (1)": the
    # window's key, meaningless to a --box / --click user.
    from PIL import Image

    import segmix.mark_steps
    from segmix.cli import main
    from segmix.segment import SegmentationResult

    image = np.full((60, 80, 3), 200, np.uint8)
    image[20:40, 30:50] = (180, 40, 40)
    Image.fromarray(image).save(tmp_path / "p.png")

    steps_result = segmix.mark_steps.steps_result

    def nothing(*args, **kwargs):
        # a cut that kept none of a per-pixel foreground
        result = steps_result(*args, **kwargs)
        return SegmentationResult(probability=np.full(result.mask.shape, 0.9, np.float32),
                                  mask=np.zeros(result.mask.shape, bool), model=result.model)

    monkeypatch.setattr(segmix.mark_steps, "steps_result", nothing)
    main(["segment", str(tmp_path / "p.png"), "--box", "25,15,55,45", "-o", str(tmp_path / "m.png")])
    err = capsys.readouterr().err
    assert "no pixel came out foreground" in err
    assert "(1)" not in err and "--click X,Y" in err


def test_a_box_round_a_plain_object_says_nothing_of_its_colours(tmp_path, capsys):
    # Before: "nothing is marked foreground, and the unmarked colours taken as foreground evidence
    # hold only 1 distinct colour: the foreground mixture has 1 component, not 5" (and the same
    # of the background), for a mask of IoU 1.0.
    from PIL import Image

    from segmix.cli import main

    image = np.full((100, 150, 3), 240, np.uint8)
    image[30:70, 50:100] = (200, 30, 30)
    Image.fromarray(image).save(tmp_path / "p.png")
    assert main(["segment", str(tmp_path / "p.png"), "--box", "45,25,105,75", "-o", str(tmp_path / "m.png")]) == 0
    err = capsys.readouterr().err
    assert "distinct colour" not in err, err
    mask = np.asarray(Image.open(tmp_path / "m.png")) > 0
    assert mask[30:70, 50:100].all() and np.count_nonzero(mask) == 40 * 50
