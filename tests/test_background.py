"""BackgroundMixture: the kernel against the NumPy reference, synthetic sequences with known
truth (issue 10, section 5), persistence and bad inputs."""

import json
import math

import numpy as np
import pytest

from segmix.background import (
    BackgroundMixture,
    BackgroundModelError,
    load_background_model,
    save_background_model,
)

from naive_background import background_apply as naive_apply
from naive_background import majority_filter as naive_majority


def _random_sequence(seed, n_frames=40, shape=(6, 7)):
    """Pixels that mostly sit near one of a few colours per pixel, sometimes jump elsewhere,
    and sometimes darken (shadow candidates): every branch of the rules is exercised."""
    rng = np.random.default_rng(seed)
    h, w = shape
    palette = rng.integers(20, 236, size=(h, w, 3, 3)).astype(np.float64)
    frames = []
    for _ in range(n_frames):
        choice = rng.choice(3, size=(h, w), p=[0.7, 0.2, 0.1])
        base = np.take_along_axis(palette, choice[:, :, None, None], axis=3)[..., 0]
        base = base + rng.normal(0, 4, size=base.shape)
        dark = rng.random((h, w)) < 0.08
        base[dark] *= rng.uniform(0.4, 0.95)
        jump = rng.random((h, w)) < 0.05
        base[jump] = rng.integers(0, 256, size=(int(jump.sum()), 3))
        frames.append(np.clip(np.rint(base), 0, 255).astype(np.uint8))
    return frames


@pytest.mark.parametrize("covariance_type", ["spherical", "diag"])
@pytest.mark.parametrize("rho", ["weight", "gaussian"])
@pytest.mark.parametrize("complexity, shadows", [(0.0, False), (0.2, True)])
def test_kernel_matches_numpy_reference(covariance_type, rho, complexity, shadows):
    model = BackgroundMixture(n_components=3, learning_rate=0.05, covariance_type=covariance_type, rho=rho,
                              complexity_reduction=complexity, detect_shadows=shadows, shadow_threshold=0.5, median_size=0,
                              initial_variance=60.0, min_variance=9.0,
                              light_compensation=False)  # the kernel against the reference
    frames = _random_sequence(seed=hash((covariance_type, rho, complexity)) % 1000)
    n_var = 1 if covariance_type == "spherical" else 3
    n_pixels = frames[0].shape[0] * frames[0].shape[1]
    weights = np.zeros((n_pixels, 3), np.float32)
    variances = np.full((n_pixels, 3, n_var), 60.0, np.float32)
    means = np.zeros((n_pixels, 3, 3), np.float32)
    n_used = np.zeros(n_pixels, np.uint8)
    n_shadow = n_fg = 0
    for t, frame in enumerate(frames, start=1):
        alpha = model.learning_rate_at(t) if t < 35 else 0.0  # the last frames frozen
        mask = model.apply(frame, learning_rate=alpha if t >= 35 else None)
        expected = naive_apply(frame, weights, variances, means, n_used, alpha, 2.5, 0.9, 60.0, 9.0,
                               complexity, rho == "gaussian", 0.5 if shadows else 0.0)
        np.testing.assert_array_equal(mask, expected, err_msg=f"frame {t}")
        state = model._pixel_major_state()
        np.testing.assert_array_equal(state["n_used"], n_used)
        # Slots past n_used are free: their stale values are not components.
        live = np.arange(3)[None, :] < n_used[:, None]
        # float32 arithmetic in the same order on both sides: every live value bit for bit.
        np.testing.assert_array_equal(state["weights"][live], weights[live])
        np.testing.assert_array_equal(state["variances"][live], variances[live])
        np.testing.assert_array_equal(state["means"][live], means[live])
        n_shadow += int((mask == 127).sum())
        n_fg += int((mask == 255).sum())
    assert n_fg > 0 and (n_shadow > 0) == shadows
    if complexity > 0:
        assert n_used.min() < 3  # Zivkovic's prior dropped components somewhere


def test_rows_wider_than_a_segment_match_narrow_slices():
    # The kernel works on segments of SEGMENT pixels of a row and skips, per segment, the
    # slots and passes no pixel of it needs; pixels are independent without the majority
    # filter, so a frame wider than a segment must give what its narrow column slices give
    # (each one segment, as in the reference test above).
    from segmix.kernels.background import SEGMENT

    width = SEGMENT + SEGMENT // 2 + 3
    cut = width // 2  # both slices narrower than a segment
    rng = np.random.default_rng(7)
    base = _random_sequence(seed=11, n_frames=30, shape=(3, 9))
    columns = rng.integers(0, 9, size=width)
    frames = [frame[:, columns] for frame in base]  # (3, width, 3): the palette's pixels repeated
    # (light_compensation off: its gain is of the whole frame, not of a slice)
    settings = dict(learning_rate=0.05, median_size=0, complexity_reduction=0.2, shadow_threshold=0.5,
                    light_compensation=False)
    wide = BackgroundMixture(**settings)
    left, right = BackgroundMixture(**settings), BackgroundMixture(**settings)
    for frame in frames:
        expected = np.concatenate([left.apply(frame[:, :cut]), right.apply(frame[:, cut:])], axis=1)
        np.testing.assert_array_equal(wide.apply(frame), expected)

    def rows(model, name):
        array = model._pixel_major_state()[name]
        return array.reshape(3, -1, *array.shape[1:])

    used = rows(wide, "n_used")
    np.testing.assert_array_equal(used, np.concatenate([rows(left, "n_used"), rows(right, "n_used")], axis=1))
    live = np.arange(3) < used[..., None]  # stale free slots may differ
    for name in ("weights", "variances", "means"):
        joined = np.concatenate([rows(left, name), rows(right, name)], axis=1)
        np.testing.assert_array_equal(rows(wide, name)[live], joined[live])
    assert used.min() < 3 and used.max() == 3  # segments with free slots and full ones


@pytest.mark.parametrize("radius", [1, 2, 3])
def test_majority_filter_matches_reference(radius):
    from segmix.kernels.background import majority_filter

    rng = np.random.default_rng(radius)
    mask = rng.choice(np.array([0, 127, 255], np.uint8), size=(13, 17), p=[0.45, 0.1, 0.45])
    out = np.empty_like(mask)
    majority_filter(mask, radius, out, 0, 6)
    majority_filter(mask, radius, out, 6, 13)  # in two blocks of rows, as apply() runs it
    np.testing.assert_array_equal(out, naive_majority(mask, radius))


def test_majority_filter_cleans_the_shadow_label_too():
    # A new-user trial: shadow (127) was copied through the filter unfiltered, so the masks
    # and the window's Video mode showed hundreds of 1-4 pixel shadow specks per frame.
    from scipy import ndimage

    from segmix.kernels.background import majority_filter

    rng = np.random.default_rng(7)
    mask = np.zeros((40, 60), np.uint8)
    mask[rng.random(mask.shape) < 0.08] = 127           # speckle everywhere
    mask[5:25, 5:25] = 255                              # an object ...
    mask[5:25, 25:45] = np.where(rng.random((20, 20)) < 0.85, 127, 0)  # ... and its shadow, with holes
    out = np.empty_like(mask)
    majority_filter(mask, 3, out, 0, mask.shape[0])
    regions, count = ndimage.label(out == 127)
    assert count == 1  # the shadow beside the object, whole; no speck anywhere else
    assert (out[8:22, 29:41] == 127).all()  # its holes filled
    assert (out[30:] == 0).all() and (out[:, 50:] == 0).all()  # isolated shadow pixels became background
    # The foreground is the foreground's own binary median, whatever the shadow around it.
    alone = np.where(mask == 255, 255, 0).astype(np.uint8)
    plain = np.empty_like(alone)
    majority_filter(alone, 3, plain, 0, alone.shape[0])
    np.testing.assert_array_equal(out == 255, plain == 255)
    assert set(np.unique(plain)) == {0, 255}
    # The band around an object that a few shadow pixels tip into a changed majority is no
    # shadow rim: an object with scattered shadow pixels only around it gets none.
    ring = np.zeros((40, 40), np.uint8)
    ring[10:30, 10:30] = 255
    edge = np.zeros(ring.shape, bool)
    edge[7:33, 7:33] = True
    edge[10:30, 10:30] = False
    ring[edge & (rng.random(ring.shape) < 0.3)] = 127
    out = np.empty_like(ring)
    majority_filter(ring, 3, out, 0, ring.shape[0])
    assert not (out == 127).any()


def _noisy_background(rng, shape=(40, 50)):
    return rng.integers(30, 200, size=(*shape, 3)).astype(np.float64)


def _frame(base, rng, sigma=3.0):
    return np.clip(np.rint(base + rng.normal(0, sigma, size=base.shape)), 0, 255).astype(np.uint8)


def test_moving_square_is_found_and_nothing_else():
    rng = np.random.default_rng(0)
    background = _noisy_background(rng)
    model = BackgroundMixture()
    for _ in range(300):
        model.apply(_frame(background, rng))
    ious, outside = [], 0
    for step in range(16):
        y, x = 3 + step, 3 + 2 * step
        truth = np.zeros(background.shape[:2], bool)
        truth[y:y + 14, x:x + 14] = True
        scene = background.copy()
        scene[truth] = (250, 20, 240)
        mask = model.apply(_frame(scene, rng)) == 255
        ious.append((mask & truth).sum() / (mask | truth).sum())
        grown = np.zeros_like(truth)
        grown[max(0, y - 2):y + 16, max(0, x - 2):x + 16] = True
        outside += int((mask & ~grown).sum())
    assert min(ious) > 0.85  # the 7 x 7 majority filter rounds the four corners off (5 px each)
    assert outside == 0


def test_slow_brightness_ramp_is_absorbed():
    rng = np.random.default_rng(1)
    background = _noisy_background(rng, (30, 30))
    model = BackgroundMixture(median_size=0)
    false_positives = []
    for t in range(800):
        frame = _frame(background + 0.03 * t, rng)  # +24 grey levels over the run
        mask = model.apply(frame)
        if t >= 100:
            false_positives.append(np.mean(mask == 255))
    # Isolated noise pixels only (no median filter here): never a burst as the light drifts.
    assert np.mean(false_positives) < 0.002 and max(false_positives) < 0.01


def test_stopped_object_is_absorbed_as_the_paper_says():
    """A new colour joins the background once the old component's weight drops below T:
    (1 - alpha)^t < T, about log T / log(1 - alpha) frames (0.105 / alpha for T = 0.9); as coded
    (the first frame, the complexity reduction, classification before the update) the frame
    :meth:`BackgroundMixture.frames_to_absorb` derives (12 here, tests/test_library47.py)."""
    rng = np.random.default_rng(2)
    alpha, ratio = 0.01, 0.9
    background = _noisy_background(rng, (20, 20))
    model = BackgroundMixture(learning_rate=alpha, background_ratio=ratio, median_size=0, detect_shadows=False)
    for _ in range(300):
        model.apply(_frame(background, rng))
    scene = background.copy()
    scene[5:15, 5:15] = (230, 230, 60)
    predicted = math.log(ratio) / math.log(1 - alpha)
    share = []
    for _ in range(int(3 * predicted)):
        share.append(np.mean(model.apply(_frame(scene, rng))[5:15, 5:15] == 255))
    absorbed_at = next(t for t, s in enumerate(share, start=1) if s < 0.05)
    assert 0.7 * predicted < absorbed_at < 1.5 * predicted
    assert absorbed_at < 1 / alpha
    assert abs(absorbed_at - model.frames_to_absorb()) <= 1


def test_flickering_pixel_is_two_background_components():
    rng = np.random.default_rng(3)
    background = _noisy_background(rng, (12, 12))
    other = background.copy()
    other[3:9, 3:9] = 255 - other[3:9, 3:9]
    model = BackgroundMixture(median_size=0, n_components=3)
    masks = []
    for t in range(400):
        masks.append(model.apply(_frame(other if rng.random() < 0.5 else background, rng)))
    flicker = np.array([np.mean(m[3:9, 3:9] == 255) for m in masks[100:]])
    assert flicker.mean() < 0.003 and flicker.max() < 0.05  # noise tails only
    assert np.all(model.n_components_used_[3:9, 3:9] >= 2)


def test_background_image_is_the_scene_without_the_object():
    rng = np.random.default_rng(4)
    background = _noisy_background(rng, (16, 16))
    model = BackgroundMixture()
    with pytest.raises(ValueError, match="no frame"):
        model.background_image()
    for t in range(100):
        scene = background.copy()
        scene[(t % 16):(t % 16) + 3, 4:8] = 0
        model.apply(_frame(scene, rng, 1.0))
    image = model.background_image()
    assert image.dtype == np.uint8 and image.shape == (16, 16, 3)
    assert np.median(np.abs(image - background)) < 2


def test_learning_rate_zero_freezes_the_model():
    rng = np.random.default_rng(5)
    model = BackgroundMixture()
    for _ in range(10):
        model.apply(_frame(_noisy_background(rng, (8, 8)), rng))
    before = model.to_dict()
    model.apply(np.zeros((8, 8, 3), np.uint8), learning_rate=0)
    assert model.to_dict() == before


def test_fast_start_schedule():
    model = BackgroundMixture(learning_rate=0.01)
    assert [model.learning_rate_at(t) for t in (1, 2, 50, 100, 101, 1000)] == [1.0, 0.5, 0.02, 0.01, 0.01, 0.01]
    model.fast_start = False
    assert model.learning_rate_at(1) == 0.01


def test_to_dict_round_trip_resumes_identically(tmp_path):
    rng = np.random.default_rng(6)
    frames = [_frame(_noisy_background(rng, (9, 11)), rng) for _ in range(20)]
    model = BackgroundMixture(covariance_type="diag")
    for frame in frames[:10]:
        model.apply(frame)
    data = json.loads(json.dumps(model.to_dict()))  # JSON-able
    resumed = BackgroundMixture.from_dict(data)
    save_background_model(tmp_path / "m.json", model)
    loaded = load_background_model(tmp_path / "m.json")
    for frame in frames[10:]:
        expected = model.apply(frame)
        np.testing.assert_array_equal(resumed.apply(frame), expected)
        np.testing.assert_array_equal(loaded.apply(frame), expected)
    assert resumed.frame_count_ == model.frame_count_ == 20
    empty = BackgroundMixture.from_dict(BackgroundMixture(n_components=2).to_dict())
    assert empty.shape_ is None and empty.n_components == 2


def test_from_dict_validates(tmp_path):
    model = BackgroundMixture(n_components=2)
    model.apply(np.zeros((3, 4, 3), np.uint8))
    good = model.to_dict()

    def broken(change):
        data = json.loads(json.dumps(good))
        change(data)
        return data

    cases = [
        (lambda d: d.update(format="segmix-model"), "model, not a background model"),
        (lambda d: d.update(format="another-tool"), "not a segmix background model"),
        (lambda d: d.update(version=99), "newer segmix \\(format 99\\)"),
        (lambda d: d["params"].update(n_components=0), "n_components"),
        (lambda d: d["params"].pop("rho"), "params"),
        (lambda d: d.update(shape=[3, 5]), "shape"),
        (lambda d: d["state"]["weights"].update(data="!!"), "base64"),
        (lambda d: d["state"]["n_used"].update(data="BQUFBQUFBQUFBQUF"), "n_used"),
        (lambda d: d.update(frame_count=-1), "frame_count"),
    ]
    for change, message in cases:
        with pytest.raises(BackgroundModelError, match=message):
            BackgroundMixture.from_dict(broken(change))
    nan = np.full((12, 2), np.nan, np.float32)
    import base64

    with pytest.raises(BackgroundModelError, match="NaN"):
        BackgroundMixture.from_dict(broken(lambda d: d["state"]["weights"].update(
            data=base64.b64encode(nan.tobytes()).decode())))
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(BackgroundModelError, match="bad.json"):
        load_background_model(path)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_components=0), "n_components"), (dict(n_components=2.5), "n_components"),
    (dict(learning_rate=1.5), "learning_rate"), (dict(learning_rate=float("nan")), "learning_rate"),
    (dict(match_threshold=0), "match_threshold"), (dict(background_ratio=0), "background_ratio"),
    (dict(min_variance=-1), "min_variance"), (dict(initial_variance=4.0, min_variance=9.0), "initial_variance"),
    (dict(covariance_type="full"), "covariance_type"), (dict(rho="x"), "rho"),
    (dict(complexity_reduction=1.0), "complexity_reduction"), (dict(median_size=4), "median_size"),
    (dict(shadow_threshold=1.0), "shadow_threshold"), (dict(detect_shadows="yes"), "detect_shadows"),
])
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BackgroundMixture(**kwargs)


def test_bad_frames_are_refused():
    model = BackgroundMixture()
    with pytest.raises(ValueError, match="uint8"):
        model.apply(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(ValueError, match="shape"):
        model.apply(np.zeros((4, 4, 4), np.uint8))
    with pytest.raises(ValueError, match="positive rate"):
        model.apply(np.zeros((4, 4, 3), np.uint8), learning_rate=0)
    model.apply(np.zeros((4, 4), np.uint8))  # grey is accepted
    with pytest.raises(ValueError, match="5 x 4 but the model was started on 4 x 4"):
        model.apply(np.zeros((4, 5, 3), np.uint8))
    with pytest.raises(ValueError, match="learning_rate"):
        model.apply(np.zeros((4, 4, 3), np.uint8), learning_rate=1.5)  # (a negative one is OpenCV's automatic)
    model.reset()
    assert model.apply(np.zeros((4, 5, 3), np.uint8)).shape == (4, 5)


def test_a_background_model_whose_weights_do_not_sum_to_one_is_refused():
    """Each update renormalises a pixel's weights; a file whose weights sum elsewhere would
    move the background test's threshold silently (it was accepted)."""
    import base64

    model = BackgroundMixture(n_components=2)
    rng = np.random.default_rng(0)
    for _ in range(3):
        model.apply(rng.integers(0, 256, (3, 4, 3), dtype=np.uint8))
    good = model.to_dict()
    BackgroundMixture.from_dict(json.loads(json.dumps(good)))  # the written one loads
    weights = np.frombuffer(base64.b64decode(good["state"]["weights"]["data"]), np.float32).copy()
    weights *= 1.8
    good["state"]["weights"]["data"] = base64.b64encode(weights.tobytes()).decode()
    with pytest.raises(BackgroundModelError, match="'weights' of pixel 0 sum to 1.8"):
        BackgroundMixture.from_dict(good)


def test_a_background_model_cut_short_is_named_so(tmp_path):
    """As for the classifier models: "Expecting ',' delimiter" alone did not say the file was cut short."""
    import json

    from segmix.background import BackgroundMixture, BackgroundModelError, load_background_model

    rng = np.random.default_rng(0)
    model = BackgroundMixture(n_components=2)
    for _ in range(3):
        model.apply(rng.integers(0, 256, (3, 4, 3), dtype=np.uint8))
    text = json.dumps(model.to_dict(), indent=1)
    (tmp_path / "bg.json").write_text(text[: len(text) // 2])
    with pytest.raises(BackgroundModelError, match=r"bg.json: the file ends in the middle of its JSON after \d+ "
                                                    r"characters: it looks cut short"):
        load_background_model(tmp_path / "bg.json")
