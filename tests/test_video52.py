"""The fast start's learning rate (1/t on frame t, KaewTraKulPong & Bowden) and what it does
to an object that stops early in a clip (session 52: a library trial saw objects absorbed from
their 4th frame where the docs said the 12th)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from segmix.background import BackgroundMixture

from naive_background import background_apply as naive_apply

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("alpha, fast_start", [(0.01, True), (0.002, True), (0.3, True), (0.01, False)])
def test_the_schedule_as_coded_is_max_alpha_one_over_t_on_a_one_pixel_clip(alpha, fast_start):
    # The model left to its own schedule (apply without a rate) against the plain NumPy rules
    # fed max(alpha, 1/t) computed here: every mask and stored value bit for bit.
    rng = np.random.default_rng(3)
    colours = rng.integers(0, 256, (4, 3))
    model = BackgroundMixture(learning_rate=alpha, fast_start=fast_start, median_size=0, detect_shadows=False)
    weights, variances = np.zeros((1, 3), np.float32), np.full((1, 3, 1), 45.0, np.float32)
    means, n_used = np.zeros((1, 3, 3), np.float32), np.zeros(1, np.uint8)
    for t in range(1, 161):
        base = colours[0] if t < 60 or rng.random() < 0.8 else colours[rng.integers(1, 4)]
        frame = np.clip(base + rng.normal(0, 3, 3), 0, 255).astype(np.uint8).reshape(1, 1, 3)
        rate = max(alpha, 1.0 / t) if fast_start else alpha
        mask = model.apply(frame)
        expected = naive_apply(frame, weights, variances, means, n_used, rate, 2.5, 0.9, 45.0, 16.0, 0.05, False, 0.0)
        np.testing.assert_array_equal(mask, expected, err_msg=f"frame {t}")
        state = model._pixel_major_state()
        n = int(n_used[0])
        assert int(state["n_used"][0]) == n
        np.testing.assert_array_equal(state["weights"][0, :n], weights[0, :n], err_msg=f"frame {t}")
        np.testing.assert_array_equal(state["means"][0, :n], means[0, :n], err_msg=f"frame {t}")
        np.testing.assert_array_equal(state["variances"][0, :n], variances[0, :n], err_msg=f"frame {t}")
        assert model.learning_rate_at(t) == rate


def _absorbed(model: BackgroundMixture, stop_frame: int, rng) -> int:
    """Run a still grey scene, then an object from frame ``stop_frame`` on: the object's frame
    (1 = its first) from which it is background."""
    noise = lambda: rng.normal(0, 2, (4, 4, 3))  # noqa: E731
    for _ in range(stop_frame - 1):
        model.apply(np.clip(100 + noise(), 0, 255).astype(np.uint8))
    for n in range(1, 2000):
        mask = model.apply(np.clip(200 + noise(), 0, 255).astype(np.uint8))
        if (mask != 255).all():
            return n
        assert (mask == 255).all(), "the pixels are absorbed together"
    raise AssertionError("never absorbed")


@pytest.mark.parametrize("alpha, stop_frame, frame", [
    (0.01, 21, 4), (0.01, 51, 7), (0.01, 101, 12), (0.01, 300, 12),       # the defaults
    (0.002, 31, 5), (0.002, 101, 13), (0.002, 301, 37), (0.002, 501, 57),  # MOG2's history=500
    (0.01, 1, 2), (0.01, 2, 2),
    (0.0, 21, 4), (0.0, 201, 25)])  # alpha 0: 1/t for ever, the mean of every frame seen
def test_a_stopped_object_is_absorbed_when_frames_to_absorb_says_before_and_after_the_fast_start(
        alpha, stop_frame, frame):
    # frames_to_absorb() said 12 (57 at alpha 0.002) whenever the object stopped; during the
    # fast start (frames before 1/alpha) the model took it in from its 4th frame (5th). At
    # alpha 0 it said 0 ("never absorbs") though the fast start's 1/t then lasts for ever.
    # (light_compensation off: the "object" fills the whole 4 x 4 view, which is a change of light too)
    model = BackgroundMixture(learning_rate=alpha, median_size=0, detect_shadows=False, light_compensation=False)
    assert model.frames_to_absorb(stop_frame=stop_frame) == frame
    assert _absorbed(model, stop_frame, np.random.default_rng(0)) == frame
    if stop_frame * alpha >= 1:
        assert model.frames_to_absorb(stop_frame) == model.frames_to_absorb()


@pytest.mark.parametrize("stop_frame", [2, 21, 51, 301])
def test_without_the_fast_start_an_object_takes_the_fixed_rate_frames_from_frame_two(stop_frame):
    model = BackgroundMixture(learning_rate=0.01, median_size=0, detect_shadows=False, fast_start=False,
                              light_compensation=False)  # (the object fills the view: see above)
    assert model.frames_to_absorb(stop_frame) == model.frames_to_absorb() == 12
    assert _absorbed(model, stop_frame, np.random.default_rng(0)) == 12


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "21"])
def test_frames_to_absorb_refuses_a_stop_frame_that_is_no_frame_number(bad):
    with pytest.raises(ValueError, match="stop_frame"):
        BackgroundMixture().frames_to_absorb(stop_frame=bad)


def test_the_docs_say_the_twelfth_frame_holds_after_the_fast_start_and_what_happens_before():
    # README's --learning-rate row and docs/background.md said "background from its 12th frame
    # on" with no caveat; the trial's object stopping at frame 21 was background from its 4th.
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    row = next(line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
               if line.startswith("| `--learning-rate")
               or (line.startswith("|") and "--learning-rate" in line.split("|")[1]))
    assert "fast start" in row and "4th" in row, row
    assert "frames_to_absorb" in readme or "docs/background.md" in row
    doc = " ".join((ROOT / "docs" / "background.md").read_text(encoding="utf-8").split())
    assert "12th frame" in doc
    for sentence in re.split(r"\.\s+(?=[A-Z`(*])", doc):
        if "12th frame" in sentence:
            assert any(w in sentence for w in ("fast start", "fast_start", "1/alpha")), sentence
    assert "1/(2t)" in doc  # the schedules measured, MOG2's among them
    for text in (BackgroundMixture.__doc__, BackgroundMixture.frames_to_absorb.__doc__):
        flat = " ".join(text.split())
        assert "fast start" in flat and "4th" in flat, flat[:200]


# ------------------------------------------------------------------ the command line
def _stopping_clip(folder: Path, stop_frame: int = 21, n_frames: int = 36) -> None:
    from PIL import Image

    folder.mkdir()
    rng = np.random.default_rng(0)
    for t in range(1, n_frames + 1):
        frame = np.full((24, 32, 3), 100.0) + rng.normal(0, 2, (24, 32, 3))
        if t >= stop_frame:
            frame[6:18, 8:24] = 200 + rng.normal(0, 2, (12, 16, 3))
        Image.fromarray(np.clip(np.rint(frame), 0, 255).astype(np.uint8)).save(folder / f"in{t:06d}.png")


def _first_background_frame(masks: Path, stop_frame: int = 21) -> int:
    from PIL import Image

    for t in range(stop_frame, 37):
        mask = np.asarray(Image.open(masks / f"in{t:06d}.png"))
        if (mask[6:18, 8:24] != 255).all():
            return t - stop_frame + 1
        assert (mask[6:18, 8:24] == 255).all()
    raise AssertionError("never absorbed")


@pytest.mark.parametrize("option, frame", [(None, 4), ("--fast-start", 4), ("--no-fast-start", 12)])
def test_segmix_background_reaches_the_fast_start(tmp_path, option, frame, capsys):
    # The docs advise fast_start=False for objects that stop early in a clip; the command line
    # had no way to it ("unrecognized arguments: --no-fast-start").
    from segmix.cli import main

    _stopping_clip(tmp_path / "f")
    argv = ["background", str(tmp_path / "f"), "--output-dir", str(tmp_path / "m"), "--median-size", "0",
            "--save-model", str(tmp_path / "model.json")] + ([option] if option else [])
    assert main(argv) == 0
    assert _first_background_frame(tmp_path / "m") == frame
    from segmix.background import load_background_model

    assert load_background_model(tmp_path / "model.json").fast_start is (option != "--no-fast-start")
    capsys.readouterr()
    if option == "--no-fast-start":
        # Resumed without the option: the model keeps its own, and says so once.
        assert main(["background", str(tmp_path / "f"), "--output-dir", str(tmp_path / "m2"),
                     "--model", str(tmp_path / "model.json")]) == 0
        err = capsys.readouterr().err
        assert "no fast start" in err and "--fast-start" in err, err
