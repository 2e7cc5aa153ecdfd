"""Skin models: training on synthetic colours, the built-in model, apply, evaluation, adaptation."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix import skin, skin_eval
from segmix.modelfile import read_model, write_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "skin"

from tests.conftest import SKIN_RGB, skin_photo  # noqa: E402


def _synthetic_counts(seed=0):
    rng = np.random.default_rng(seed)
    sk = np.clip(rng.normal(SKIN_RGB, 10, (3000, 3)), 0, 255).astype(np.uint8)
    ns = rng.integers(0, 256, (20000, 3)).astype(np.uint8)
    far = np.linalg.norm(ns.astype(float) - SKIN_RGB, axis=1) > 60
    ns = ns[far]
    return skin.ColorCounts.from_dense(np.bincount(skin.rgb_codes(sk), minlength=skin.N_CODES),
                                       np.bincount(skin.rgb_codes(ns), minlength=skin.N_CODES))


@pytest.fixture(scope="module")
def synthetic_model():
    return skin.train_skin_model(_synthetic_counts(), n_components=1, non_skin_components=3, n_init=1)


def _synthetic_image(rng, size=(40, 50)):
    """Half skin-coloured, half random non-skin colours; returns image and 0/255 mask."""
    return skin_photo(rng, *size)


def test_training_recovers_classifier(synthetic_model):
    model = synthetic_model
    assert model.kind == "skin" and model.positive_class == 0
    assert model.classifier.class_names == ["skin", "non-skin"]
    rng = np.random.default_rng(1)
    image, mask = _synthetic_image(rng)
    decided = model.posterior_map(image) > model.threshold
    accuracy = (decided == (mask == 255)).mean()
    assert accuracy > 0.97
    # The prior defaults to the built-in model's expected skin share; the data's is recorded
    # (and used with prior=None).
    counts = _synthetic_counts()
    assert model.classifier.priors[0] == skin.BUILTIN_PRIOR and model.threshold == skin.BUILTIN_THRESHOLD
    share = counts.n_skin / (counts.n_skin + counts.n_non_skin)
    assert model.training["prior_from_data"] == pytest.approx(share)
    from_data = skin.train_skin_model(counts, n_components=1, non_skin_components=3, n_init=1, prior=None)
    assert from_data.classifier.priors[0] == pytest.approx(share)
    assert model.training["data"]["skin_pixels"] == counts.n_skin


def test_training_is_reproducible():
    counts = _synthetic_counts()
    a = skin.train_skin_model(counts, n_components=2, non_skin_components=2, seed=5, n_init=1)
    b = skin.train_skin_model(counts, n_components=2, non_skin_components=2, seed=5, n_init=1)
    np.testing.assert_array_equal(a.classifier.mixtures[1].means_, b.classifier.mixtures[1].means_)


def test_training_refuses_one_class():
    counts = _synthetic_counts()
    counts.non_skin[:] = 0
    with pytest.raises(ValueError, match="both skin and non-skin"):
        skin.train_skin_model(counts)
    with pytest.raises(ValueError, match="prior"):
        skin.train_skin_model(_synthetic_counts(), prior=1.0)


def test_binned_fit_matches_for_many_colours(monkeypatch):
    """Classes with more distinct colours than MAX_FIT_COLORS are binned, with the same result."""
    counts = _synthetic_counts()
    exact = skin.train_skin_model(counts, n_components=1, non_skin_components=1, n_init=1)
    monkeypatch.setattr(skin, "MAX_FIT_COLORS", 100)
    binned = skin.train_skin_model(counts, n_components=1, non_skin_components=1, n_init=1)
    for a, b in zip(exact.classifier.mixtures, binned.classifier.mixtures):
        np.testing.assert_allclose(a.means_, b.means_, atol=1e-9)
        np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=0.05, atol=2e-5)


def test_color_counts_add_and_uci(tmp_path):
    rows = "74\t85\t123\t1\n74\t85\t123\t1\n0\t0\t255\t2\n10\t20\t30\t2\n"
    path = tmp_path / "uci.txt"
    path.write_text(rows)
    counts = skin.load_uci(path)
    assert counts.n_skin == 2 and counts.n_non_skin == 2
    # BGR order: the first skin row is R=123 G=85 B=74
    colors, n = counts.class_colors(skin.SKIN)
    assert colors.tolist() == [[123, 85, 74]] and n.tolist() == [2]
    both = counts + counts
    assert both.n_skin == 4 and both.codes.size == counts.codes.size
    path.write_text("1\t2\t3\t7\n")
    with pytest.raises(ValueError, match="labels"):
        skin.load_uci(path)
    # A file cut off mid-row: the row is named, without NumPy's advice to use `usecols`.
    path.write_text(rows + "12\t13\n")
    with pytest.raises(ValueError, match=r"uci\.txt: not a UCI skin file.*at row 5") as info:
        skin.load_uci(path)
    assert "usecols" not in str(info.value)


def test_load_mask_ignore_band(tmp_path):
    grey = np.array([[0, 128, 255], [0, 255, 128]], np.uint8)
    Image.fromarray(grey).save(tmp_path / "m.png")
    labels = skin.load_mask(tmp_path / "m.png")
    assert labels.tolist() == [[0, -1, 1], [0, 1, -1]]
    with pytest.raises(ValueError, match="this mask is 3 x 2 pixels but the image is 5 x 5"):
        skin.load_mask(tmp_path / "m.png", (5, 5))
    Image.fromarray(np.array([[0, 10, 200]], np.uint8)).save(tmp_path / "r.png")
    with pytest.raises(ValueError, match=r"r\.png.*found 10, 200.*nearest-neighbour"):
        skin.load_mask(tmp_path / "r.png")


def _write_set(folder, n=3, seed=0, ignore=False):
    rng = np.random.default_rng(seed)
    (folder / "images").mkdir(parents=True)
    (folder / "masks").mkdir()
    for i in range(n):
        image, mask = _synthetic_image(rng)
        if ignore:
            mask[0] = 128
        Image.fromarray(image).save(folder / "images" / f"im{i}.png")
        Image.fromarray(mask).save(folder / "masks" / f"im{i}.png")


def test_count_image_folder(tmp_path):
    _write_set(tmp_path, n=3, ignore=True)
    (tmp_path / "images" / "extra.png").write_bytes((tmp_path / "images" / "im0.png").read_bytes())
    counts = skin.count_image_folder(tmp_path / "images", tmp_path / "masks")
    # 3 images of 40x50, first row ignored; left half skin
    assert counts.n_skin == 3 * 39 * 25 and counts.n_non_skin == 3 * 39 * 25
    assert counts.sources[0]["pairs"] == 3 and counts.sources[0]["unmatched_images"] == 1


def test_evaluator_exact_counts():
    ev = skin_eval.SkinEvaluator(0.5)
    posterior = np.array([[0.9, 0.8, 0.2, 0.1], [0.7, 0.3, 0.6, 0.05]], np.float32)
    labels = np.array([[1, 1, 1, 0], [0, 0, -1, 1]], np.int8)
    ev.add(posterior, labels)
    r = ev.result()
    # decided skin: 0.9 (skin), 0.8 (skin), 0.7 (non); ignored 0.6; missed skin 0.2, 0.05
    assert (r.precision, r.recall) == pytest.approx((2 / 3, 2 / 4))
    assert r.f1 == pytest.approx(2 * 2 / (2 * 2 + 1 + 2))
    assert r.n_skin == 4 and r.n_non_skin == 3
    assert 0 <= r.auc <= 1 and r.false_positive_rate == pytest.approx(1 / 3)


def test_evaluator_perfect_separation_auc():
    ev = skin_eval.SkinEvaluator(0.5)
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(0.6, 1, 500), rng.uniform(0, 0.4, 500)]).astype(np.float32)
    lab = np.concatenate([np.ones(500), np.zeros(500)]).astype(np.int8)
    ev.add(p[None], lab[None])
    r = ev.result()
    assert r.auc == pytest.approx(1.0, abs=1e-9) and r.f1 == 1.0 and r.best_f1 == 1.0
    assert 0.4 <= r.best_threshold <= 0.6


def test_evaluate_folder_and_roc(tmp_path, synthetic_model):
    _write_set(tmp_path / "set", n=3, seed=2)
    result = skin_eval.evaluate_folder(synthetic_model, tmp_path / "set" / "images", tmp_path / "set" / "masks")
    assert result.n_images == 3 and result.f1 > 0.95 and result.auc > 0.97
    skin_eval.save_roc(tmp_path / "roc.png", result)
    with Image.open(tmp_path / "roc.png") as im:
        assert im.format == "PNG" and im.size[0] > 300


def test_apply_one_writes_outputs(tmp_path, synthetic_model):
    rng = np.random.default_rng(3)
    image, mask = _synthetic_image(rng)
    src = tmp_path / "photo.png"
    Image.fromarray(image).save(src)
    written = skin.apply_one(synthetic_model, src, tmp_path, probability=True)
    assert [p.name for p in written] == ["photo_skin.png", "photo_skin_prob.png"]
    out = np.asarray(Image.open(written[0]))
    assert out.dtype == np.uint8 and set(np.unique(out)) <= {0, 255}
    assert ((out == 255) == (mask == 255)).mean() > 0.97
    prob = np.asarray(Image.open(written[1]))
    assert prob.dtype in (np.uint16, np.int32) and prob.max() > 60000


def test_apply_never_overwrites_input(tmp_path, synthetic_model):
    rng = np.random.default_rng(3)
    image, _ = _synthetic_image(rng)
    src = tmp_path / "a_skin.png"  # the output name of an input called "a_skin" is a_skin_skin.png ...
    Image.fromarray(image).save(src)
    before = src.read_bytes()
    skin.apply_one(synthetic_model, src, tmp_path)
    assert src.read_bytes() == before
    # ... but "x.png" next to an existing input named "x_skin.png" must be refused
    target = tmp_path / "x_skin.png"
    target.write_bytes(before)
    with pytest.raises(ValueError, match="refusing to overwrite"):
        skin.ensure_not_input(target, target)


def test_adaptation_runs_and_keeps_shape(synthetic_model):
    rng = np.random.default_rng(4)
    image, mask = _synthetic_image(rng, (60, 60))
    p = skin.detect_skin(synthetic_model, image, adapt=True)
    assert p.shape == mask.shape and p.dtype == np.float32
    assert ((p > 0.5) == (mask == 255)).mean() > 0.95


def test_builtin_model():
    model = skin.load_skin_model()
    assert model.kind == "skin" and model.classifier.class_names[0] == "skin"
    assert model.training["data"]["sources"][0]["type"] == "uci"
    colours = np.array([[[224, 172, 150], [198, 134, 103], [141, 85, 36], [0, 0, 255], [0, 255, 0],
                         [0, 128, 0], [30, 60, 200]]], np.uint8)
    p = model.posterior_map(colours)[0]
    assert (p[:3] > model.threshold).all(), p
    assert (p[3:] < model.threshold).all(), p
    assert read_model(skin.builtin_model_path()).threshold == model.threshold


def test_builtin_model_refuses_other_kind(tmp_path, synthetic_model):
    other = skin.train_skin_model(_synthetic_counts(), n_components=1, non_skin_components=1, n_init=1)
    other.kind = "segmentation"
    write_model(tmp_path / "seg.json", other)
    with pytest.raises(ValueError, match="not a skin model"):
        skin.load_skin_model(tmp_path / "seg.json")


@pytest.mark.skipif(not (DATA / "abdomen" / "val").is_dir(), reason="development data not available")
def test_builtin_model_on_abdomen_dev_set():
    model = skin.load_skin_model()
    result = skin_eval.evaluate_folder(model, DATA / "abdomen" / "val" / "images", DATA / "abdomen" / "val" / "masks")
    assert result.f1 > 0.85 and result.auc > 0.9


def test_progress_bar_only_on_terminals():
    import io

    stream = io.StringIO()  # not a TTY: silent, and messages still get through
    bar = skin.progress_bar("work", 2, stream=stream)
    bar(1, 2)
    bar.write("a message")
    bar(2, 2)
    bar.close()
    assert stream.getvalue() == "a message\n"

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = skin.progress_bar("work", 2, stream=stream)
    bar(2, 2)
    bar.close()
    assert "work" in stream.getvalue() and "2/2" in stream.getvalue()
    stream = Terminal()
    bar = skin.progress_bar("work", 2, quiet=True, stream=stream)
    bar(2, 2)
    bar.close()
    assert stream.getvalue() == ""


def test_posterior_cache_is_exact():
    model = skin.load_skin_model()
    cache = skin.PosteriorCache(model)
    rng = np.random.default_rng(9)
    for _ in range(2):
        image = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
        image[:10] = (200, 140, 120)
        np.testing.assert_allclose(cache(image), model.posterior_map(image), rtol=1e-6, atol=1e-7)
    small = skin._posterior_map(model, image)
    np.testing.assert_allclose(small, model.posterior_map(image), rtol=1e-6, atol=1e-7)


def test_posterior_cache_large_path(monkeypatch):
    monkeypatch.setattr(skin, "SMALL_IMAGE_PIXELS", 100)
    model = skin.load_skin_model()
    cache = skin.PosteriorCache(model)
    image = np.random.default_rng(10).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    np.testing.assert_allclose(cache(image), model.posterior_map(image), rtol=1e-5, atol=1e-7)


def _one_photo_counts():
    """Skin and non-skin colours of one bright photo: no dark colour anywhere."""
    rng = np.random.default_rng(3)
    sk = np.clip(rng.normal(SKIN_RGB, 12, (4000, 3)), 0, 255).astype(np.uint8)
    ns = np.concatenate([np.clip(rng.normal(c, 10, (3000, 3)), 0, 255).astype(np.uint8)
                         for c in ((230, 230, 235), (60, 120, 200), (120, 170, 80))])
    return skin.ColorCounts.from_dense(np.bincount(skin.rgb_codes(sk), minlength=skin.N_CODES),
                                       np.bincount(skin.rgb_codes(ns), minlength=skin.N_CODES))


def test_non_skin_prior_is_the_weighted_mixture_of_both_densities():
    model = skin.train_skin_model(_one_photo_counts(), n_components=2, non_skin_components=3, n_init=1,
                                  covariance_type="diag")
    prior = skin.load_skin_model()
    combined = skin.with_non_skin_prior(model, prior, 0.3)
    X = model.features.colors_to_features(np.random.default_rng(0).integers(0, 256, (500, 3)).astype(np.uint8))
    own = model.classifier.mixtures[skin.NON_SKIN].score_samples(X)
    other = prior.classifier.mixtures[skin.NON_SKIN].score_samples(X)
    expected = np.logaddexp(np.log(0.7) + own, np.log(0.3) + other)
    np.testing.assert_allclose(combined.classifier.mixtures[skin.NON_SKIN].score_samples(X), expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(combined.classifier.mixtures[skin.SKIN].score_samples(X),
                               model.classifier.mixtures[skin.SKIN].score_samples(X))
    assert combined.threshold == model.threshold and combined.training["non_skin_prior"]["weight"] == 0.3
    with pytest.raises(ValueError, match="weight"):
        skin.with_non_skin_prior(model, prior, 1.0)


def _astronaut_scribble_counts():
    """What a user teaches in the window on the bundled photo: face = skin, wall and flag = non-skin."""
    from segmix.io import load_image
    from segmix.resources import sample_image_path

    image = load_image(sample_image_path())
    labels = np.zeros(image.shape[:2], np.uint8)
    labels[100:180, 220:290] = 1
    labels[20:100, 300:480] = 2
    labels[250:300, 0:60] = 2
    return skin.ColorCounts.from_dense(
        np.bincount(skin.rgb_codes(image[labels == 1]), minlength=skin.N_CODES),
        np.bincount(skin.rgb_codes(image[labels == 2]), minlength=skin.N_CODES))


def test_non_skin_prior_keeps_unseen_dark_colours_out_of_skin():
    """Trained on one photo's scribbles (the window's options), the model called dark greys skin
    (p up to 0.96 at grey 28-52 with the window's former prior 0.5, 0.79 with skin train's 0.10);
    with the built-in non-skin prior none is."""
    # segmix.gui.modes.skin.training_options(), without importing Qt: skin train's operating point
    options = {"n_components": 2, "non_skin_components": 4, "color_space": "ycbcr", "n_init": 2,
               "prior": skin.BUILTIN_PRIOR, "threshold": skin.BUILTIN_THRESHOLD}
    model = skin.train_skin_model(_astronaut_scribble_counts(), **options)
    greys = np.repeat(np.arange(0, 64, 2, dtype=np.uint8), 3).reshape(1, -1, 3)
    assert (skin.detect_skin(model, greys) > 0.5).any()  # the fault this guards against
    combined = skin.with_non_skin_prior(model, skin.load_skin_model(), 0.3)
    assert (skin.detect_skin(combined, greys) < 0.1).all()
    face = np.clip(np.random.default_rng(2).normal((225, 170, 150), 6, (1, 400, 3)), 0, 255).astype(np.uint8)
    assert (skin.detect_skin(combined, face) > 0.5).mean() > 0.9  # skin still found


def _specks_log_odds(n=60):
    """A 20 x 20 skin block and isolated skin-coloured specks on non-skin, all at +9 nats."""
    log_odds = np.full((n, n), -6.0, np.float32)
    labels = np.zeros((n, n), np.int8)
    log_odds[5:25, 5:25] = 9.0
    labels[5:25, 5:25] = 1
    log_odds[30::6, 30::6] = 9.0  # single pixels: below min_area, the regions step drops them
    return log_odds, labels


@pytest.mark.parametrize("regions", ["graphcut", "hysteresis"])
def test_best_threshold_sweeps_the_full_detector(regions):
    # The per-pixel posterior cannot tell the specks from skin; the regions step can. The
    # "best" F1 must be the detector's, never below its F1 at the evaluated threshold.
    from dataclasses import replace

    from segmix import skin_detect

    log_odds, labels = _specks_log_odds()
    settings = replace(skin_detect.DEFAULT_SETTINGS, regions=regions)
    image = np.full(log_odds.shape + (3,), 90, np.uint8)  # the graph cut's colour contrasts: none
    posterior = skin_detect.posterior_from_log_odds(log_odds)
    for threshold in (0.0795, 0.5, 0.9):
        mask = skin_detect.skin_mask(log_odds, threshold, settings, image=image)
        pixel = skin_eval.SkinEvaluator(threshold)
        pixel.add(posterior, labels, mask)
        old = pixel.result()
        assert old.best_basis == "per-pixel" and old.best_f1 < old.f1  # the reported inconsistency
        ev = skin_eval.SkinEvaluator(threshold)
        ev.add(posterior, labels, mask,
               swept=ev.sweep_counts_of(lambda t: skin_detect.skin_mask(log_odds, t, settings, image=image), labels,
                                        mask))
        r = ev.result()
        # The cut's boundary cost rounds the block's corners on a flat photo (a few pixels).
        assert r.f1 == pytest.approx(1.0, abs=0.02 if regions == "graphcut" else 1e-6) and r.best_basis == "detector"
        assert r.best_f1 >= r.f1 and 0 < r.best_threshold < 1
        assert "thresholds tried on the same detections" in skin_eval.format_eval(r)
        assert "not comparable" in skin_eval.format_eval(old)


@pytest.mark.parametrize("threshold", [None, 0.05, 0.95])
def test_evaluate_folder_best_f1_not_below_its_own(tmp_path, synthetic_model, threshold):
    rng = np.random.default_rng(4)
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    for i in range(3):
        image, mask = _synthetic_image(rng, size=(60, 60))
        image[::5, 40::5] = SKIN_RGB  # isolated skin-coloured pixels on non-skin
        Image.fromarray(image).save(tmp_path / "images" / f"im{i}.png")
        Image.fromarray(mask).save(tmp_path / "masks" / f"im{i}.png")
    r = skin_eval.evaluate_folder(synthetic_model, tmp_path / "images", tmp_path / "masks", threshold=threshold,
                                  workers=1)
    assert r.best_basis == "detector" and r.best_f1 >= r.f1 - 1e-12


def test_evaluate_folder_graphcut_best_threshold(tmp_path, synthetic_model):
    """The block graph cut re-runs at every threshold of the sweep (the full detector's best);
    the exact full-resolution cut (cut_diagonal 0) is too costly: the per-pixel posterior's."""
    from segmix import skin_detect

    _write_set(tmp_path / "set", n=2, seed=3)
    for cut_diagonal, basis in ((200.0, "detector"), (0.0, "per-pixel")):
        settings = skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, regions="graphcut", cut_diagonal=cut_diagonal)
        r = skin_eval.evaluate_folder(synthetic_model, tmp_path / "set" / "images", tmp_path / "set" / "masks",
                                      settings=settings, workers=1)
        assert r.best_basis == basis
        assert ("not comparable" in skin_eval.format_eval(r)) == (basis == "per-pixel")
        if basis == "detector":
            assert r.best_f1 >= r.f1 - 1e-12


def _eval_photos():
    """Photo A: 1000 skin pixels at p 0.3, 1000 non-skin at 0.01; photos B and C: 100 non-skin
    pixels each at p 0.4, no skin. Pooled F1 is best below 0.3 (A found, B and C wrong), where
    the per-image mean falls: B and C go from F1 1 (nothing found, nothing to find) to 0."""
    a = (np.array([[0.3] * 1000 + [0.01] * 1000], np.float32), np.array([[1] * 1000 + [0] * 1000], np.int8))
    b = (np.full((1, 100), 0.4, np.float32), np.zeros((1, 100), np.int8))
    return {"a.png": a, "b.png": b, "c.png": b}


def test_per_image_rows_and_the_mean_at_the_best_threshold():
    ev = skin_eval.SkinEvaluator(0.5)
    for name, (posterior, labels) in _eval_photos().items():
        mask = posterior > 0.5
        ev.add(posterior, labels, mask, swept=ev.sweep_counts_of(lambda t, p=posterior: p > t, labels, mask),
               name=name)
    r = ev.result()
    assert r.best_basis == "detector" and r.best_threshold < 0.3
    assert r.best_f1 == pytest.approx(2 * 1000 / (2 * 1000 + 200))
    assert r.mean_f1 == pytest.approx(2 / 3) and r.mean_f1_at_best == pytest.approx(1 / 3)
    rows = {row["image"]: row for row in r.per_image}
    assert list(rows) == ["a.png", "b.png", "c.png"]
    assert (rows["a.png"]["skin_pixels"], rows["a.png"]["non_skin_pixels"]) == (1000, 1000)
    assert (rows["a.png"]["f1"], rows["a.png"]["f1_best_pooled_threshold"]) == (0.0, 1.0)
    assert (rows["b.png"]["f1"], rows["b.png"]["f1_best_pooled_threshold"]) == (1.0, 0.0)
    assert {row["threshold"] for row in r.per_image} == {0.5}
    assert {row["best_pooled_threshold"] for row in r.per_image} == {r.best_threshold}
    assert rows["b.png"]["false_positive_rate"] == 0.0
    # Nothing detected at 0.5: precision is 0/0 on every photo, recall on b and c (no skin).
    assert [rows[n]["precision"] for n in rows] == [None, None, None] and r.precision is None
    assert [rows[n]["recall"] for n in rows] == [0.0, None, None]
    assert (r.mean_precision, r.n_images_with_precision) == (None, 0)
    assert (r.mean_recall, r.n_images_with_recall) == (0.0, 1)
    assert np.mean([row["f1"] for row in r.per_image]) == pytest.approx(r.mean_f1)
    lines = skin_eval.format_eval(r).splitlines()
    assert lines[1] == "threshold 0.5 on p(skin) (the model's operating point)"
    assert lines[2].startswith("pooled     precision n/a (nothing detected)  recall 0.0000")
    assert lines[3] == ("per-image  precision n/a  recall 0.0000  F1 0.6667 (mean over images; precision n/a: no photo "
                        "with a detection; recall over the 1 with skin: n/a on the others; --per-image "
                        "FILE.csv lists each photo)")
    assert lines[4].startswith(f"ROC AUC {r.auc:.4f} (per pixel, on p(skin) before the final regions step")
    best = f"{r.best_threshold:.4g}"
    assert lines[-2].startswith(f"best pooled F1 {r.best_f1:.4f} at threshold {best} on p(skin)")
    assert lines[-1] == (f"  to use it: --threshold {best} (chosen on these photos, so this F1 is optimistic: choose "
                         "a threshold on other photos and score it here, as README's protocol does: settings chosen "
                         "on one set, checked on another); the per-image mean F1 there is 0.3333, lower than 0.6667 "
                         "at 0.5")
    # The table sorts to the worst photos first.
    import csv
    import io

    table = list(csv.DictReader(io.StringIO(skin_eval.per_image_csv(r))))
    assert tuple(table[0]) == skin_eval.PER_IMAGE_COLUMNS
    assert [row["image"] for row in sorted(table, key=lambda row: float(row["f1"]))][0] == "a.png"
    assert float(table[1]["f1_best_pooled_threshold"]) == 0.0
    assert (table[1]["precision"], table[1]["recall"], table[0]["recall"]) == ("", "", "0.000000")


def test_per_image_rows_without_a_detector_sweep_leave_the_best_column_empty():
    ev = skin_eval.SkinEvaluator(0.5)
    posterior, labels = _eval_photos()["a.png"]
    ev.add(posterior, labels)  # no sweep: the best threshold is the posterior's
    r = ev.result()
    assert r.best_basis == "per-pixel" and r.mean_f1_at_best is None
    assert r.per_image[0]["image"] == "1" and r.per_image[0]["f1_best_pooled_threshold"] is None
    assert r.per_image[0]["best_pooled_threshold"] is None
    assert skin_eval.per_image_csv(r).splitlines()[1].endswith(",,")
    assert "not comparable" in skin_eval.format_eval(r).splitlines()[-1]


def test_per_image_means_skip_undefined_precision_and_recall():
    """Precision on a photo without detections and recall on a photo without skin are 0/0:
    a trial saw them printed as 0 (precision) and 1 (recall), which pulled the means. They
    are None, left out of the means, and the line says over how many photos each mean is."""
    ev = skin_eval.SkinEvaluator(0.5)
    found = (np.array([[0.9] * 30 + [0.9] * 10 + [0.1] * 60], np.float32), np.array([[1] * 30 + [0] * 70], np.int8))
    missed = (np.array([[0.1] * 50 + [0.1] * 50], np.float32), np.array([[1] * 50 + [0] * 50], np.int8))
    no_skin = (np.array([[0.9] * 5 + [0.1] * 95], np.float32), np.zeros((1, 100), np.int8))
    for name, (posterior, labels) in {"found": found, "missed": missed, "no_skin": no_skin}.items():
        ev.add(posterior, labels, name=name)
    r = ev.result()
    rows = {row["image"]: row for row in r.per_image}
    assert (rows["found"]["precision"], rows["found"]["recall"]) == (0.75, 1.0)
    assert (rows["missed"]["precision"], rows["missed"]["recall"], rows["missed"]["f1"]) == (None, 0.0, 0.0)
    assert (rows["no_skin"]["precision"], rows["no_skin"]["recall"], rows["no_skin"]["f1"]) == (0.0, None, 0.0)
    assert r.mean_precision == pytest.approx((0.75 + 0.0) / 2) and r.n_images_with_precision == 2
    assert r.mean_recall == pytest.approx((1.0 + 0.0) / 2) and r.n_images_with_recall == 2
    assert r.mean_f1 == pytest.approx((2 * 30 / (60 + 10) + 0 + 0) / 3)
    assert r.precision == pytest.approx(30 / 45) and r.recall == pytest.approx(30 / 80)
    line = skin_eval.format_eval(r, per_image_hint=False).splitlines()[3]
    assert line == (f"per-image  precision {r.mean_precision:.4f}  recall {r.mean_recall:.4f}  F1 {r.mean_f1:.4f} "
                    "(mean over images; precision over the 2 with a detection and recall over the 2 with skin: "
                    "n/a on the others)")
    summary = r.summary()
    assert summary["per_image"][1]["precision"] is None and summary["n_images_with_recall"] == 2
    import json

    assert json.loads(json.dumps(summary["per_image"]))[2]["recall"] is None  # null in --json
