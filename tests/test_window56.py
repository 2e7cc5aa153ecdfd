"""Session 56's window trial, the library's side: the skin words name the rule that dropped the
skin with its figure, and the slider back at 0.5 reuses the step its move away re-cut."""

import math

import numpy as np

from segmix import skin_detect


def _photo(size=160):
    return np.full((size, size, 3), (120, 120, 120), np.uint8)


def test_no_seed_is_said_with_the_seeds_figure_and_the_highest_there_is():
    # A patch at P(skin) 0.73 above the threshold 0.6 holds no seed (the seed's P(skin) is 0.88):
    # "its regions hold no seed of clear skin" stood beside "P(skin) ... up to 1.00" (session 56).
    log_odds = np.full((160, 160), -5.0, np.float32)
    log_odds[40:90, 40:90] = 1.0
    likely = log_odds > math.log(0.6 / 0.4)
    assert not skin_detect.skin_mask(log_odds, 0.6, image=_photo()).any()
    words, by_size = skin_detect.unkept_reason(likely, log_odds=log_odds, threshold=0.6, image=_photo())
    assert "above 0.88" in words and "the highest: 0.73" in words and not by_size, words
    assert "clear skin" not in words


def test_the_graph_cuts_regions_are_said_when_the_pixels_had_seeds():
    # ccp_0002 at 0.6: 0.60 % of the photo above it with seeds up to P 0.997, its largest patch
    # 847 pixels over the floor of 64; the graph cut left specks of 52 pixels at most.
    log_odds = np.full((160, 160), -5.0, np.float32)
    rows = np.arange(10, 150)
    log_odds[rows, rows] = 3.0  # a thin diagonal line: 140 pixels, 8-connected, every one a seed
    likely = log_odds > math.log(0.6 / 0.4)
    assert not skin_detect.skin_mask(log_odds, 0.6, image=_photo()).any()
    words, _ = skin_detect.unkept_reason(likely, log_odds=log_odds, threshold=0.6, image=_photo())
    assert words.startswith("the graph cut that draws the regions"), words
    assert "no seed" not in words
    # Without the decision's inputs, the rules together, as before.
    assert skin_detect.unkept_words(likely).startswith("its regions hold no seed of clear skin")


def test_skin_apply_says_it_in_the_same_words():
    from segmix.skin import no_skin_words

    log_odds = np.full((160, 160), -5.0, np.float32)
    log_odds[40:90, 40:90] = 1.0
    result = skin_detect.SkinResult(skin_detect.posterior_from_log_odds(log_odds), log_odds,
                                    np.zeros(log_odds.shape, bool), None)
    likely = result.posterior > np.float32(0.6)
    why = skin_detect.unkept_words(likely, log_odds=log_odds, threshold=0.6, image=_photo())
    assert no_skin_words(None, result, 0.6, image=_photo()).endswith(f"but no region was kept: {why}")


def test_the_slider_back_at_half_shows_the_step_its_move_away_recut(monkeypatch):
    # A 20 MP photo: the slider 0.80 -> 0.50 worked the click's step out again (54 s in the
    # trial; benchmarks/bench_threshold_back.py: 88.5 s against 0.30 s kept, masks equal).
    from dataclasses import replace

    from skimage import data as skdata

    from segmix import segment as seg

    image = np.ascontiguousarray(skdata.astronaut()[::2, ::2])
    labels = np.zeros(image.shape[:2], np.uint8)
    labels[60:70, 110:120] = 1
    labels[:6, :] = 2
    settings = seg.SegmentationSettings()
    model = seg.train_model(image, labels, settings)
    seg._LAST_STEP.clear()
    with seg.keeping_last_step():
        click = seg.apply_model(image, model, labels, settings)
        away = seg.apply_model(image, model, labels, replace(settings, threshold=0.7))
        calls = []
        real = seg._apply_model_itself
        monkeypatch.setattr(seg, "_apply_model_itself", lambda *a, **k: calls.append(1) or real(*a, **k))
        back = seg.apply_model(image, model, labels, settings)
    assert calls == []  # kept, not worked out again
    fresh = seg.apply_model(image, model, labels, settings)  # a script's call: nothing kept
    assert np.array_equal(back.mask, fresh.mask) and np.array_equal(back.mask, click.mask)
    assert np.array_equal(back.probability, fresh.probability)
    assert back.mask is not click.mask and not away.mask[~click.mask].any()
    # The result is the caller's own: changing it changes nothing kept.
    back.mask[:] = False
    with seg.keeping_last_step():
        assert np.array_equal(seg.apply_model(image, model, labels, settings).mask, click.mask)
    seg._LAST_STEP.clear()
