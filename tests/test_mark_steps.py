"""Marks kept with their order (segmix.mark_steps): the window's chain of fits replayed.

A click's fit starts from the result before it (``monotone_clicks`` and the guards), so the same
marks fitted at once can give another mask (DAVIS after 10 clicks: mean IoU 0.853 step by step,
0.752 at once). A marks file keeps the order, and the command line replays it.
"""

import base64
import json
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.clicks import next_click, paint_disc
from segmix.io import MARK_ORDER_KEY, load_image, save_labels
from segmix.labelmaps import StaleMarkOrder, load_mark_order, load_scribbles
from segmix.mark_steps import (
    count_steps, decode_order, encode_order, fresh_order, grown_order, replay_steps, step_marks, steps_result,
)
from segmix.segment import segment
from tests.test_segment_monotone import _scene


def _clicked(n_clicks, seed=0):
    """The click protocol on the monotone test's scene: the photo, the marks, their order map
    and each step's result, fitted as the window does (previous mask, model and marks)."""
    image, truth = _scene(seed)
    labels = np.zeros(truth.shape, np.uint8)
    order = np.zeros(truth.shape, np.uint16)
    result = previous_marks = None
    for _ in range(n_clicks):
        click = next_click(truth, None if result is None else result.mask)
        before = labels.copy()
        paint_disc(labels, click.row, click.col, click.label)
        # Marks only added, as on the window's warm path (a click over another mark fits afresh).
        assert np.array_equal(labels[before > 0], before[before > 0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if result is None:
                order = fresh_order(labels)
                result = segment(image, labels)
            else:
                order = grown_order(order, labels)
                result = segment(image, labels, previous_mask=result.mask, previous_model=result.model,
                                 previous_scribbles=previous_marks)
        previous_marks = labels.copy()
    return image, labels, order, result


# -- the text form ---------------------------------------------------------------------
def test_order_text_round_trip():
    order = np.zeros((7, 11), np.uint16)
    order[1:3, 2:5] = 1
    order[5, 9] = 65535
    text = encode_order(order)
    assert json.loads(text)["version"] == 1
    back = decode_order(text, (7, 11))
    assert back.dtype == np.uint16 and np.array_equal(back, order)


def _text(version=1, shape=(2, 3), raw=None, data=None):
    raw = np.zeros(shape, "<u2").tobytes() if raw is None else raw
    data = base64.b64encode(zlib.compress(raw)).decode() if data is None else data
    return json.dumps({"version": version, "shape": list(shape), "data": data})


@pytest.mark.parametrize("text, words", [
    ("not json", "not readable JSON"),
    ("[1, 2]", "lacks its version"),
    (_text(version=2), "format version 2"),
    (_text(shape=(3, 2)), "is for 2 x 3 pixels but the marks are 3 x 2"),
    (json.dumps({"version": 1, "shape": "2x3", "data": ""}), "not two sizes"),
    (_text(data="@@@@"), "damaged"),
    (_text(data=base64.b64encode(b"not zlib").decode()), "damaged"),
    (_text(raw=b"\0" * 10), "holds 10 bytes"),
])
def test_a_malformed_order_is_refused_in_words(text, words):
    with pytest.raises(ValueError, match=words):
        decode_order(text, (2, 3))


# -- the chain ---------------------------------------------------------------------------
def test_steps_follow_the_order_and_skip_gaps():
    labels = np.array([[1, 0, 2], [0, 2, 1]], np.uint8)
    order = np.array([[1, 0, 4], [0, 4, 7]], np.uint16)
    steps = step_marks(labels, order)
    assert len(steps) == 3 == count_steps(order)
    assert np.array_equal(steps[0], [[1, 0, 0], [0, 0, 0]])
    assert np.array_equal(steps[1], [[1, 0, 2], [0, 2, 0]])
    assert np.array_equal(steps[2], labels)


def test_an_order_of_other_marks_is_refused_naming_what_differs():
    labels = np.array([[1, 0], [2, 0]], np.uint8)
    with pytest.raises(ValueError, match="1 marked pixels have no step"):
        step_marks(labels, np.array([[1, 0], [0, 0]]))
    with pytest.raises(ValueError, match="1 unmarked pixels have a step"):
        step_marks(labels, np.array([[1, 1], [1, 0]]))
    with pytest.raises(ValueError, match="order map is 3 x 2 pixels"):
        step_marks(labels, np.ones((2, 3)))
    with pytest.raises(ValueError, match="marks are 2 x 2 pixels but the photo"):
        steps_result(np.zeros((3, 3, 3), np.uint8), labels, np.array([[1, 0], [1, 0]]))


def test_the_replay_is_the_window_chain_and_the_order_matters():
    # Seed 0's third click (foreground) of the monotone test's scene: 332 pixels differ from the
    # same marks at once (IoU 0.859 step by step, 0.970 at once: the order matters either way).
    image, labels, order, chained = _clicked(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        calls = []
        replayed = steps_result(image, labels, order, progress=lambda step, n: calls.append((step, n)))
        at_once = segment(image, labels)
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert np.array_equal(replayed.mask, chained.mask)
    assert np.count_nonzero(replayed.mask != at_once.mask) > 100


def test_a_replay_from_a_fitted_step_is_the_rest_of_the_chain():
    # The window's queued marks (made while a step was fitted): their steps refine the last
    # fitted result, as the whole chain replayed from the first step does.
    image, labels, order, chained = _clicked(4)
    steps = step_marks(labels, order)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = replay_steps(image, steps[:2])
        calls = []
        rest = replay_steps(image, steps[2:], start=(first.model, first.mask, steps[1]),
                            progress=lambda step, n: calls.append((step, n)))
    assert calls == [(1, 2), (2, 2)]
    np.testing.assert_array_equal(rest.mask, chained.mask)


# -- files -------------------------------------------------------------------------------
def test_save_labels_keeps_the_order_in_a_text_chunk(tmp_path):
    _, labels, order, _ = _clicked(3)
    path = tmp_path / "marks.png"
    save_labels(path, labels, order=order)
    with Image.open(path) as im:  # still the greyscale PNG other tools read
        assert im.mode == "L" and np.array_equal(np.asarray(im), labels)
        assert MARK_ORDER_KEY in im.text
    read = load_scribbles(path, labels.shape)
    assert np.array_equal(read, labels)
    assert np.array_equal(load_mark_order(path, read), order)
    save_labels(tmp_path / "plain.png", labels)
    assert load_mark_order(tmp_path / "plain.png", labels) is None
    with pytest.raises(ValueError, match="does not match the marks"):
        save_labels(tmp_path / "bad.png", labels, order=np.zeros(labels.shape, np.uint16))


def test_an_order_of_edited_marks_is_stale_and_the_marks_still_load(tmp_path):
    _, labels, order, _ = _clicked(3)
    path = tmp_path / "marks.png"
    save_labels(path, labels, order=order)
    edited = labels.copy()
    edited[0, :10] = 2  # painted in another tool that kept the text chunk
    with Image.open(path) as im:
        info = im.info
    from PIL.PngImagePlugin import PngInfo

    chunk = PngInfo()
    chunk.add_text(MARK_ORDER_KEY, info[MARK_ORDER_KEY], zip=True)
    im = Image.frombytes("P", edited.shape[::-1], edited.tobytes())
    im.putpalette([0, 0, 0, 255, 64, 64, 64, 128, 255])
    im.save(path, pnginfo=chunk)
    read = load_scribbles(path, edited.shape)
    assert np.array_equal(read, edited)
    with pytest.raises(StaleMarkOrder, match="10 marked pixels have no step"):
        load_mark_order(path, read)


# -- the command line --------------------------------------------------------------------
@pytest.fixture
def clicked_files(tmp_path):
    image, labels, order, chained = _clicked(3)
    photo = tmp_path / "photo.png"
    Image.fromarray(image).save(photo)
    marks = tmp_path / "marks.png"
    save_labels(marks, labels, order=order)
    return tmp_path, photo, marks, image, labels, order, chained


def test_the_command_line_replays_the_saved_order(clicked_files, capsys):
    tmp_path, photo, marks, image, labels, order, chained = clicked_files
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "m.png")]) == 0
    out = capsys.readouterr().out
    assert "replayed 3 steps in the order they were marked" in out
    assert np.array_equal(load_image(tmp_path / "m.png")[..., 0] > 127, chained.mask)


def test_at_once_ignores_the_order(clicked_files, capsys):
    tmp_path, photo, marks, image, labels, order, chained = clicked_files
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "m.png"), "--at-once"]) == 0
    assert "replayed" not in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        at_once = segment(image, labels)
    assert np.array_equal(load_image(tmp_path / "m.png")[..., 0] > 127, at_once.mask)
    assert not np.array_equal(at_once.mask, chained.mask)


def test_a_stale_order_is_warned_about_once_and_the_marks_fitted_at_once(clicked_files, capsys):
    tmp_path, photo, marks, image, labels, order, chained = clicked_files
    with Image.open(marks) as im:
        text = im.info[MARK_ORDER_KEY]
    from PIL.PngImagePlugin import PngInfo

    chunk = PngInfo()
    chunk.add_text(MARK_ORDER_KEY, text[:-8] + '"}', zip=True)  # damaged
    im = Image.frombytes("P", labels.shape[::-1], labels.tobytes())
    im.putpalette([0, 0, 0, 255, 64, 64, 64, 128, 255])
    im.save(marks, pnginfo=chunk)
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "m.png")]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if "order" in line]
    assert len(lines) == 1 and str(marks) in lines[0] and "fitting them at once" in lines[0]
    assert "replayed" not in captured.out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        at_once = segment(image, labels)
    assert np.array_equal(load_image(tmp_path / "m.png")[..., 0] > 127, at_once.mask)


def test_the_order_of_many_marks_on_a_large_photo_is_read_back(tmp_path):
    """Pillow caps a PNG text chunk at 1 MB: the order of many marks on a large photo (here
    random steps, which compress badly) must still be read back, and a large photo's marks
    must not bring Pillow's decompression-bomb warning to the terminal."""
    import warnings

    from segmix.io import save_labels
    from segmix.labelmaps import load_mark_order

    rng = np.random.default_rng(2)
    labels = rng.integers(1, 3, (700, 900)).astype(np.uint8)
    order = rng.integers(1, 60000, labels.shape).astype(np.uint16)
    path = tmp_path / "marks.png"
    save_labels(path, labels, order=order)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = load_mark_order(path, labels)
    assert np.array_equal(back, order)


def test_order_upto_keeps_the_first_steps():
    from segmix.mark_order import order_upto

    order = np.array([[0, 1, 2], [3, 3, 0]], np.uint16)
    assert np.array_equal(order_upto(order, 2), [[0, 1, 2], [0, 0, 0]])
    assert order_upto(order, 2).dtype == np.uint16 and np.array_equal(order_upto(order, 3), order)
