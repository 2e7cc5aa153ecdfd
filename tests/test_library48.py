"""Session 48's library trial: BackgroundMixture's defaults and per-frame checks as the command
line's (the majority filter scaled with the frame, frames of another kind said, OpenCV's
negative learning rate), segment's and the point marks' warnings as the command line's, and
refusals of nested lists that suggest what a list has."""

import inspect
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from segmix.background import BackgroundMixture, scaled_median_size
from tests.synthetic_photos import moving_square_frames

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------- 1. the majority filter's default
def test_the_default_majority_filter_is_the_commands_auto():
    from segmix.cli import build_parser

    assert BackgroundMixture().median_size == "auto"
    assert BackgroundMixture().get_params()["median_size"] == "auto"
    assert inspect.signature(BackgroundMixture.__init__).parameters["median_size"].default == "auto"
    # The command's own default (no --median-size) is the library's.
    args = build_parser().parse_args(["background", "frames"])
    assert args.median_size is None


@pytest.mark.parametrize("size, side", [((48, 32), 7), ((320, 240), 7), ((640, 480), 15)])
def test_default_masks_are_those_of_the_scaled_window(size, side):
    # At 320 x 240 and below auto is 7: the masks are the old default's, identical.
    frames = moving_square_frames(6, size=size, rows=(size[1] // 3, size[1] // 3 + 24), side=24, step=9)
    assert scaled_median_size(frames[0].shape[:2]) == side
    default, fixed = BackgroundMixture(), BackgroundMixture(median_size=side)
    for frame in frames:
        assert np.array_equal(default.apply(frame), fixed.apply(frame))
    assert default._params().median_size == side


def test_saved_models_keep_their_window_and_a_fresh_model_keeps_auto():
    frames = moving_square_frames(4)
    seven = BackgroundMixture(median_size=7)
    seven.apply(frames[0])
    data = seven.to_dict()
    assert data["params"]["median_size"] == 7
    resumed = BackgroundMixture.from_dict(json.loads(json.dumps(data)))
    assert resumed.median_size == 7
    # A model of frames saves the side it used; one that has seen no frame saves "auto" (it
    # was saved as 7, and the model then kept 7 on any frames).
    model = BackgroundMixture()
    assert model.to_dict()["params"]["median_size"] == "auto"
    assert BackgroundMixture.from_dict(model.to_dict()).median_size == "auto"
    model.apply(frames[0])
    assert model.to_dict()["params"]["median_size"] == 7


def test_the_resumed_settings_note_takes_a_fresh_models_file(tmp_path):
    from segmix.background_run import resumed_settings_note

    # A model saved before any frame, by this version ("auto") or an earlier one (7): the
    # default window, nothing to say (the note formatted "auto" with :g and failed).
    for side in ("auto", 7):
        data = BackgroundMixture().to_dict()
        data["params"]["median_size"] = side
        assert resumed_settings_note("m.json", BackgroundMixture.from_dict(data), ()) is None
    data["params"]["median_size"] = 3
    note = resumed_settings_note("m.json", BackgroundMixture.from_dict(data), ())
    assert "--median-size 3 (default 7)" in note


def test_the_docs_say_the_default_is_auto():
    doc = BackgroundMixture.__doc__
    assert 'median_size : int or "auto", default "auto"' in doc
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "BackgroundMixture()" in readme
    library = readme[readme.index("BackgroundMixture()") - 2000: readme.index("BackgroundMixture()") + 2000]
    assert "median_size" in library and "auto" in library
    assert "default" in (ROOT / "docs/background.md").read_text(encoding="utf-8").split("median_size=\"auto\"")[0][-400:] \
        or "library's default" in (ROOT / "docs/background.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------- 2. a frame of the other kind
def _grey(frame):
    return np.rint(frame.astype(float) @ [0.299, 0.587, 0.114]).astype(np.uint8)


@pytest.mark.parametrize("as_rgb", [False, True], ids=["HxW", "R=G=B"])
def test_a_greyscale_frame_among_colour_ones_is_said(as_rgb):
    from segmix.background import FrameKindWarning

    frames = moving_square_frames(16)
    model = BackgroundMixture()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for frame in frames[:10]:
            model.apply(frame)
    grey = _grey(frames[10])
    grey = np.repeat(grey[..., None], 3, -1) if as_rgb else grey
    with pytest.warns(FrameKindWarning, match=r"frame 11 is greyscale, not colour as the frames before it") as said:
        model.apply(grey)
    # Since session 57: taken as the same scene (the background's grey), said once a kind.
    assert "background's grey" in str(said[0].message) and "(said once)" in str(said[0].message)
    assert said[0].filename == __file__  # the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.apply(_grey(frames[11]))  # said once for a run of such frames
        model.apply(frames[12])  # back to colour: the model's kind
        model.apply(_grey(frames[13]))  # a new run: said once already (every 50th frame grey was 7 lines)


def test_a_colour_frame_among_greyscale_ones_is_said_and_a_black_one_is_not():
    from segmix.background import FrameKindWarning

    frames = moving_square_frames(14)
    model = BackgroundMixture()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for frame in frames[:8]:
            model.apply(_grey(frame))
        model.apply(np.zeros_like(frames[8]))  # a covered lens tells neither kind
        model.apply(np.repeat(_grey(frames[9])[..., None], 3, -1))  # grey as RGB is grey
    with pytest.warns(FrameKindWarning, match="frame 11 is colour, not greyscale as the frames before it"):
        model.apply(frames[10])
    # reset() starts a model of any kind.
    model.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.apply(frames[11])


def test_frames_of_the_other_kind_for_long_become_the_models_kind():
    # A camera switched to infrared for the night: said once, then its frames are the model's.
    from segmix.background import FrameKindWarning

    frames = moving_square_frames(30)
    model = BackgroundMixture(learning_rate=0.1)
    for frame in frames[:5]:
        model.apply(frame)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        for frame in frames[5:20]:
            model.apply(_grey(frame))
        model.apply(frames[20])  # colour again after 15 grey frames (1 / alpha = 10): said
    kinds = [w for w in said if issubclass(w.category, FrameKindWarning)]
    assert [str(w.message).split(",")[0] for w in kinds] == ["frame 6 is greyscale", "frame 21 is colour"]


def test_the_resumed_kind_warning_is_a_frame_kind_warning():
    from segmix.background import FrameKindWarning, ResumedKindWarning

    assert issubclass(ResumedKindWarning, FrameKindWarning) and issubclass(FrameKindWarning, UserWarning)
    frames = moving_square_frames(12)
    model = BackgroundMixture()
    for frame in frames[:8]:
        model.apply(frame)
    resumed = BackgroundMixture.from_dict(model.to_dict())
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        resumed.apply(_grey(frames[8]))  # the resumed model's warning, not a second one
        resumed.apply(_grey(frames[9]))
        resumed.apply(frames[10])
    assert [w.category for w in said] == [ResumedKindWarning]


# ----------------------------------------------------------------- 3. an explicit learning rate
@pytest.mark.parametrize("rate", [-1, -0.5, np.float32(-1)])
def test_a_negative_learning_rate_is_the_models_own_schedule_as_opencvs(rate):
    # MOG2's apply(frame, learningRate=-1) is its apply(frame): the same here (it was refused).
    frames = moving_square_frames(14)
    default, automatic = BackgroundMixture(), BackgroundMixture()
    for frame in frames:
        assert np.array_equal(default.apply(frame), automatic.apply(frame, learning_rate=rate))
    assert automatic.frame_count_ == default.frame_count_ == 14
    assert np.array_equal(automatic._weights, default._weights)


def test_an_explicit_rate_replaces_the_fast_start_and_the_docstring_says_so():
    # The model's own rate given explicitly is that rate from frame 1 (as OpenCV's): the
    # fast start (1/t) is left out. Said plainly where the parameter is described.
    frames = moving_square_frames(6)
    fast, fixed = BackgroundMixture(), BackgroundMixture()
    for frame in frames[:2]:
        fast.apply(frame)
        fixed.apply(frame, learning_rate=0.01)
    assert not np.allclose(fast._weights, fixed._weights)
    doc = " ".join(BackgroundMixture.apply.__doc__.split())
    assert "replaces the fast start" in doc and "negative" in doc
    assert "learning_rate_at" in doc
    for bad in (2, float("nan"), float("-inf"), "0.01"):
        with pytest.raises(ValueError, match="learning_rate"):
            BackgroundMixture().apply(frames[0], learning_rate=bad)


def test_run_sequence_takes_the_negative_rate_too(tmp_path):
    from PIL import Image

    from segmix.background_run import run_sequence
    from segmix.frames import FrameSequence

    folder = tmp_path / "frames"
    folder.mkdir()
    for i, frame in enumerate(moving_square_frames(6)):
        Image.fromarray(frame).save(folder / f"in{i + 1:06d}.png")
    a, b = BackgroundMixture(), BackgroundMixture()
    run_sequence(FrameSequence(folder), a)
    run_sequence(FrameSequence(folder), b, learning_rate=-1)
    assert np.array_equal(a._weights, b._weights)


# ----------------------------------------------------------------- 5. marks of the background alone
def _photo():
    rng = np.random.default_rng(5)
    image = np.empty((60, 80, 3), np.uint8)
    image[:] = (40, 90, 160)
    image[15:45, 25:55] = (200, 120, 60)
    return np.clip(image + rng.normal(0, 4, image.shape), 0, 255).astype(np.uint8)


def test_segment_with_background_marks_alone_warns_as_the_command_line():
    from segmix.segment import NoObjectMarkedWarning, segment

    image = _photo()
    marks = np.zeros(image.shape[:2], np.uint8)
    marks[2:6, 5:75] = 2  # one background stroke, no object
    with pytest.warns(NoObjectMarkedWarning, match=r"^no object marked \(no foreground, 1\): the mask is every colour "
                      r"unlike the background marks \(2\); mark part of the object foreground \(1\)") as said:
        segment(image, marks)
    assert said[0].filename == __file__
    # An object marked, or a box (its inside is the object): nothing to say.
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoObjectMarkedWarning)
        marks[30, 40] = 1
        segment(image, marks)
        box = np.full(image.shape[:2], 2, np.uint8)
        box[10:50, 20:60] = 0
        segment(image, box)


def test_the_command_line_says_no_object_once(tmp_path, capsys):
    from PIL import Image

    from segmix.cli import main

    Image.fromarray(_photo()).save(tmp_path / "p.png")
    marks = np.zeros((60, 80), np.uint8)
    marks[2:6, 5:75] = 2
    Image.fromarray(marks).save(tmp_path / "m.png")
    main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "m.png"), "-o", str(tmp_path / "o.png")])
    err = capsys.readouterr().err
    assert err.count("no object marked") == 1, err
    assert f"{tmp_path / 'm.png'}: no object marked" in err


# ----------------------------------------------------------------- 6. a box whose corners read as x, y, w, h
def test_a_box_whose_second_corner_is_above_left_warns_with_the_commands_hint():
    from segmix.point_marks import ReversedBoxWarning, add_point_marks, box_outside

    empty = np.zeros((480, 854), np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        normal, _ = add_point_marks(empty, None, box=(90, 210, 460, 440))
        # Other opposite corners (top-right, bottom-left) are a box's corners too: taken quietly.
        assert np.array_equal(add_point_marks(empty, None, box=(460, 210, 90, 440))[0], normal)
    with pytest.warns(ReversedBoxWarning) as said:
        reversed_, _ = add_point_marks(empty, None, box=(460, 440, 90, 210))
    assert np.array_equal(reversed_, normal)  # still taken, as the docstring allows
    words = str(said[0].message)
    # Both readings, in the library's words (it named segmix segment's refusal until session 51).
    assert "read as its corners the other way round (90,210,460,440)" in words
    assert "if it is X,Y,WIDTH,HEIGHT, as COCO writes boxes, give 460,440,550,650" in words
    assert "segmix segment" not in words
    assert said[0].filename == __file__
    with pytest.warns(ReversedBoxWarning, match="COCO"):
        box_outside(empty.shape, 460, 440, 90, 210)


def test_the_command_line_box_hint_is_the_librarys():
    import argparse

    from segmix.cli import box
    from segmix.point_marks import box_words

    with pytest.raises(argparse.ArgumentTypeError) as caught:
        box("460,440,90,210")
    assert box_words((460, 440, 90, 210)) in str(caught.value)


# ----------------------------------------------------------------- 7. decimal clicks at the edges
@pytest.mark.parametrize("x, column", [(-0.5, 0), (-0.4, 0), (0.5, 1), (117.5, 118), (118.5, 119), (119.4, 119),
                                       (119.5, 119)])
def test_a_decimal_click_goes_to_the_nearest_pixel_at_both_edges(x, column):
    from segmix.point_marks import add_point_marks

    labels, _ = add_point_marks(np.zeros((100, 120), np.uint8), None, clicks=[(1, x, 50)], radius=0)
    assert np.nonzero(labels[50])[0].tolist() == [column]
    labels, _ = add_point_marks(np.zeros((120, 100), np.uint8), None, clicks=[(1, 50, x)], radius=0)
    assert np.nonzero(labels[:, 50])[0].tolist() == [column]


@pytest.mark.parametrize("x", [-0.6, 119.6, 120, -1])
def test_a_click_beyond_the_half_pixel_is_refused_in_the_words_given(x):
    from segmix.point_marks import add_point_marks

    with pytest.raises(ValueError, match=rf"the click at x {x:g}, y 50 lies outside the 120 x 100 photo"):
        add_point_marks(np.zeros((100, 120), np.uint8), None, clicks=[(1, x, 50)], radius=0)


def test_the_command_line_quotes_the_click_as_typed(tmp_path, capsys):
    from PIL import Image

    from segmix.cli import main

    Image.fromarray(_photo()).save(tmp_path / "p.png")  # 80 x 60
    out = tmp_path / "o.png"
    assert main(["segment", str(tmp_path / "p.png"), "--click", "79.5,30", "-o", str(out)]) == 0
    assert main(["segment", str(tmp_path / "p.png"), "--click", "80.5,30", "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert "--click 80.5,30" in err and "--click 81,30" not in err, err


def test_replayed_steps_say_no_object_of_the_last_step_only():
    from segmix.mark_steps import replay_steps
    from segmix.segment import NoObjectMarkedWarning

    image = _photo()
    first = np.zeros(image.shape[:2], np.uint8)
    first[2:6, 5:75] = 2
    second = first.copy()
    second[28:33, 38:43] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoObjectMarkedWarning)
        replay_steps(image, [first, second])  # the object is marked by the second step
    with pytest.warns(NoObjectMarkedWarning) as said:
        replay_steps(image, [first])
    assert said[0].filename == __file__


# ----------------------------------------------------------------- 8. nested lists told what a list has
_LIST = [[[200, 140, 115], [10, 10, 10]], [[200, 140, 115], [10, 10, 10]]]


def _refusal(call):
    with pytest.raises(ValueError) as caught:
        call()
    return str(caught.value)


def _follow(words, name, value):
    """Run the advice after the last ': ' (up to ' if ' / ' for ') on ``value`` named ``name``."""
    import re

    advice = re.split(r" if | for | \(its", re.split(r": |; ", words)[-1].split("? ")[-1])[0].strip()
    return eval(advice, {"np": np, name: value})


def test_a_nested_list_is_told_np_asarray_not_astype():
    from segmix.segment import segment
    from segmix.skin import detect, load_skin_model

    marks = np.array([[1, 2], [0, 0]], np.uint8)
    for call, name in [(lambda: segment(_LIST, marks), "image"), (lambda: detect(load_skin_model(), _LIST), "image"),
                       (lambda: BackgroundMixture().apply(_LIST), "frame")]:
        words = _refusal(call)
        assert f"np.asarray({name}, dtype=np.uint8)" in words and f"{name}.astype" not in words, words
        assert _follow(words, name, _LIST).dtype == np.uint8
    # An array keeps its own words.
    assert "image.astype(np.uint8)" in _refusal(lambda: segment(np.array(_LIST), marks))


@pytest.mark.parametrize("given, advice", [
    ([[[0.5, 0.2, 0.1]] * 2] * 2, "(np.asarray(image) * 255).round().astype(np.uint8)"),
    ([[[0.5, 0.2, 0.1, 1.0]] * 2] * 2, "np.asarray(image)[..., :3]"),
    ([[[True, False, True]] * 2] * 2, "np.asarray(image, dtype=np.uint8) * 255"),
])
def test_every_array_expression_in_a_list_refusal_works_on_a_list(given, advice):
    from segmix.segment import segment

    words = _refusal(lambda: segment(given, np.array([[1, 2], [0, 0]], np.uint8)))
    assert advice in words, words
    assert "image." not in words.replace("np.asarray(image)", "").replace("segmix.io.load_image", "")


def test_other_list_refusals_suggest_np_asarray():
    from segmix.features import colors_to_features
    from segmix.quantize import quantize_image

    words = _refusal(lambda: colors_to_features([[1.5, 2, 3], [4, 5, 6]]))
    assert "np.asarray(colors).round()" in words or "np.asarray(colors)" in words, words
    image = np.zeros((2, 2, 3), np.uint8)
    words = _refusal(lambda: quantize_image(image, 2, alpha=[[0.5, 1.0], [1.0, 0.0]]))
    assert "(np.asarray(alpha) * 255).round().astype(np.uint8)" in words, words


def test_a_list_of_bools_as_marks_is_told_np_asarray():
    from segmix.point_marks import add_point_marks

    words = _refusal(lambda: add_point_marks([[True, False], [False, False]], None))
    assert "np.asarray(mask, dtype=np.uint8)" in words and "mask.astype" not in words, words


# ----------------------------------------------------------------- 4. the warm-up advice
def test_the_warm_up_advice_names_both_kernel_sizes_and_its_recipe_spans_them():
    from segmix.kernels import threads

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("The first call of a process on a fresh install compiles")
    section = " ".join(readme[start:start + 3000].split())
    assert f"{threads.PARALLEL_MIN_ROWS:,} rows or more" in section
    assert f"{threads.PARALLEL_MIN_PIXELS:,} rows or more" in section
    recipe = readme[readme.index("```python", start) + len("```python"):readme.index("```", readme.index("```python", start) + 9)]
    # The recipe's sizes are on both sides of both thresholds (run here on fewer rows: the
    # thresholds are read from it, not the 4,000,000-row array built).
    assert "fit(X[:1_000])" in recipe and "fit(X[:70_000])" in recipe and "4_000_000" in recipe
    assert 1_000 < threads.PARALLEL_MIN_ROWS <= 70_000 and threads.PARALLEL_MIN_PIXELS <= 4_000_000


def test_the_command_line_says_a_videos_frame_of_the_other_kind_in_its_words():
    from segmix.background import KIND_ADVICE
    from segmix.cli import _KIND_ADVICE, command_line_words

    assert KIND_ADVICE == _KIND_ADVICE
    words = command_line_words(f"frame 26 is greyscale, not colour as the frames before it: ...; {KIND_ADVICE}",
                               "background")
    assert "reset()" not in words and words.startswith("frame 26 is greyscale") and "a model for each" in words


# ----------------------------------------------------------------- beside 5 / 6: the command's other point-mark warnings
def test_add_point_marks_warns_as_segment_box_and_click_do():
    from segmix.point_marks import PointMarksWarning, ReversedBoxWarning, add_point_marks

    assert issubclass(ReversedBoxWarning, PointMarksWarning)
    empty = np.zeros((100, 120), np.uint8)
    # A box mostly off the photo (a COCO box read as corners, another photo's box).
    with pytest.warns(PointMarksWarning, match=r"box 60,50,300,200 runs past the right and bottom edges of the "
                                               r"120 x 100 photo; its part on the photo is used, 60,50,120,100"):
        add_point_marks(empty, None, box=(60, 50, 300, 200))
    # A foreground click outside the box, whose outside is background.
    with pytest.warns(PointMarksWarning, match=r"the click at x 5, y 5 lies outside the box 30,20,90,80, whose "
                                               r"outside is background"):
        add_point_marks(empty, None, box=(30, 20, 90, 80), clicks=[(1, 5, 5)])
    # A click that a later one paints over whole marks nothing.
    with pytest.warns(PointMarksWarning, match=r"the click at x 60, y 50: later clicks paint over the whole of its disc"):
        add_point_marks(empty, None, clicks=[(1, 60, 50), (2, 60, 50)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        add_point_marks(empty, None, box=(30, 20, 90, 80), clicks=[(1, 60, 50), (2, 10, 10)])
        add_point_marks(empty, None, box=(-2, -1, 110, 95))  # a little past the edges: clipped quietly


def test_the_command_line_says_each_point_mark_warning_once(tmp_path, capsys):
    from PIL import Image

    from segmix.cli import main

    Image.fromarray(_photo()).save(tmp_path / "p.png")  # 80 x 60
    main(["segment", str(tmp_path / "p.png"), "--box", "20,10,60,50", "--click", "40,30", "--background-click", "40,30",
          "--click", "3,3", "-o", str(tmp_path / "o.png")])
    err = capsys.readouterr().err
    assert err.count("paint over the whole of its disc") == 1, err
    assert err.count("lies outside --box") == 1 and "lies outside the box" not in err, err
