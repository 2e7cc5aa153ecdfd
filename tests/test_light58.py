"""The light gain gathered by Numba kernels (session 58: NumPy's took about 0.45 ms of a 320 x 240
frame's 2.3 ms of CPU): the same gain as light_gain.frame_gain, bit for bit, and so the same masks."""

import numpy as np
import pytest

from segmix import light_gain
from segmix.background import BackgroundMixture


def _reference(frame, model, background, step):
    h, w = model.shape_
    means = model._means[0].reshape(3, h, w)[:, ::step, ::step].reshape(3, -1)
    variances = model._variances[0].reshape(-1, h, w)[:, ::step, ::step].reshape(model._variances.shape[1], -1)
    return light_gain.frame_gain(frame[::step, ::step].reshape(-1, 3), means, variances, background.ravel(),
                                 float(model.match_threshold))


@pytest.mark.parametrize("covariance_type", ["spherical", "diag"])
@pytest.mark.parametrize("shape", [(48, 64), (61, 83), (240, 320)])
def test_the_kernel_gives_frame_gain_bit_for_bit(shape, covariance_type):
    rng = np.random.default_rng(shape[0])
    scene = rng.integers(0, 256, (*shape, 3)).astype(np.float64)
    scene[: shape[0] // 5] = 255  # saturated and
    dark = shape[0] // 6
    scene[-dark:] = rng.integers(0, 20, (dark, shape[1], 3))  # dark pixels left out
    model = BackgroundMixture(covariance_type=covariance_type)
    for _ in range(5):
        model.apply(np.clip(scene + rng.normal(0, 3, scene.shape), 0, 255).astype(np.uint8))
    step = light_gain.sample_step(shape)
    grid = (-(-shape[0] // step), -(-shape[1] // step))
    seen = set()
    for gain in (1.0, 1.01, 0.6, 1.3, 0.97):
        for share in (1.0, 0.5, 0.2):  # background on the frame before; 0.2: too few to tell
            frame = np.clip(scene * gain + rng.normal(0, 3, scene.shape), 0, 255).astype(np.uint8)
            if gain == 0.97:
                frame[: shape[0] // 2] = rng.integers(0, 256, (shape[0] // 2, shape[1], 3))  # a crowd: refused
            background = rng.random(grid) < share
            expected = _reference(frame, model, background, step)
            got = light_gain.model_frame_gain(frame, model._means[0], model._variances[0], background, step,
                                              float(model.match_threshold))
            if expected is None:
                assert got is None
                seen.add("none")
            else:
                assert got is not None and got.dtype == np.float64
                np.testing.assert_array_equal(got, expected)
                seen.add("scaled" if light_gain.needs_scaling(expected) else "left")
    assert seen == {"none", "scaled", "left"}, seen


def test_the_masks_stay_those_of_the_numpy_gain(monkeypatch):
    """A dimming followed by the model: the kernel's masks are NumPy's, pixel for pixel."""
    rng = np.random.default_rng(7)
    scene = rng.integers(30, 230, (60, 80, 3)).astype(np.float64)
    frames = []
    for t in range(40):
        frame = scene * (0.6 if t >= 20 else 1.0) + rng.normal(0, 2, scene.shape)
        frame[20:35, t:t + 10] = (240, 20, 20)
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    fast = BackgroundMixture()
    fast_masks = [fast.apply(f) for f in frames]
    assert hasattr(fast, "light_gain_")  # the dimming was followed

    def numpy_gain(frame, means, variances, background, step, match_threshold):
        grid = frame[::step, ::step]
        H, W = frame.shape[:2]
        m = means.reshape(3, H, W)[:, ::step, ::step].reshape(3, -1)
        v = variances.reshape(-1, H, W)[:, ::step, ::step].reshape(variances.shape[0], -1)
        return light_gain.frame_gain(grid.reshape(-1, 3), m, v, background.ravel(), match_threshold)

    monkeypatch.setattr(light_gain, "model_frame_gain", numpy_gain)
    slow = BackgroundMixture()
    for t, f in enumerate(frames):
        np.testing.assert_array_equal(slow.apply(f), fast_masks[t], err_msg=f"frame {t}")
    np.testing.assert_array_equal(slow.light_gain_, fast.light_gain_)
