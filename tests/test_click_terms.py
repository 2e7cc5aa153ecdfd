"""Per-click local colour models and adaptive smoothness (options of the click segmentation)."""

import math
import warnings

import numpy as np
import pytest

from segmix import adaptive_smoothness as adaptive
from segmix.clicks import Click, clicks_to_scribbles, next_click
from segmix.features import FeatureSpace
from segmix.local_colour import CUTOFF_REACHES, LOCAL_VARIANCE_FLOOR, local_colour_log_odds_delta
from segmix.segment import SegmentationSettings, segment

RED, GREEN = (200, 40, 40), (60, 130, 70)


def two_regions_of_one_colour():
    """Noise-free 100 x 200 photo: green, with two red squares far apart (left, right)."""
    image = np.empty((100, 200, 3), np.uint8)
    image[:] = GREEN
    image[30:70, 20:60] = RED   # the object
    image[30:70, 140:180] = RED  # background of the object's colour, far away
    labels = clicks_to_scribbles(image.shape[:2], [Click(50, 40, True), Click(50, 160, False)])
    return image, labels


def test_local_models_separate_an_object_from_a_far_region_of_its_colour():
    image, labels = two_regions_of_one_colour()
    # Global models that cannot tell red from red: both classes score every pixel alike.
    index, delta = local_colour_log_odds_delta(
        image, labels, lambda idx: np.zeros((2, idx.size)), FeatureSpace("lab"), 0.5, 0.05)
    full = np.zeros(labels.size)
    full[index] = delta
    full = full.reshape(labels.shape)
    assert (full[30:70, 20:60][labels[30:70, 20:60] == 0] > 0).all()     # red near the positive click
    assert (full[30:70, 140:180][labels[30:70, 140:180] == 0] < 0).all()  # red near the negative click
    # Hand-computed: a flat red disc gives a Gaussian at red with the variance floor only,
    # so a red pixel at distance d from the positive disc (and beyond the negative one's
    # cutoff) gains log((1 - a) + a N(red; red, floor I)), a = 0.5 exp(-d^2 / (2 r^2)).
    reach_px = 0.05 * math.hypot(100, 200)
    y, x = 50, 50  # 5 px right of the disc's edge (the disc's nearest pixel is (50, 45))
    a = 0.5 * math.exp(-0.5 * (5.0 / reach_px) ** 2)
    density = (2 * math.pi * LOCAL_VARIANCE_FLOOR) ** -1.5
    assert full[y, x] == pytest.approx(math.log((1 - a) + a * density), rel=1e-4)
    # Beyond the cutoff of both clicks nothing changes; marked pixels are not touched.
    # Columns 90-109 are at least 45 px from both discs (columns 35-45 and 155-165).
    assert CUTOFF_REACHES * reach_px < 45
    assert (full[:, 90:110] == 0).all()
    assert (full[labels != 0] == 0).all()


def test_local_models_overturn_a_global_preference_near_a_click():
    """Global models that lean red -> foreground by 2 nats: near the negative click on the far
    red square, the click's own model says background; near the positive click, foreground."""
    image, labels = two_regions_of_one_colour()
    red = (image.reshape(-1, 3) == RED).all(axis=1)

    def global_ll(idx):
        return np.where(red[idx], [[0.0], [-2.0]], [[-5.0], [0.0]])

    index, delta = local_colour_log_odds_delta(image, labels, global_ll, FeatureSpace("lab"), 0.5, 0.05)
    unary = np.where(red, 2.0, -5.0)
    unary[index] += delta
    unary = unary.reshape(labels.shape)
    free = labels == 0
    near_negative = np.zeros_like(free)
    near_negative[40:61, 150:171] = True  # within 10 px of the negative click's centre
    assert (unary[near_negative & free] < 0).all()
    assert (unary[30:70, 20:60][free[30:70, 20:60]] > 2.0).all()
    # The local pull fades with the distance from the click (the square's corner is 21 px away).
    assert unary[50, 170] < unary[31, 178] < 2.0


def _one_click_error(seed, settings):
    """Pixels wrong after one click on a plain red box on green (noise sigma 8), of 19,200."""
    h, w = 120, 160
    rng = np.random.default_rng(seed)
    image = np.empty((h, w, 3))
    image[:] = GREEN
    truth = np.zeros((h, w), bool)
    truth[30:90, 40:120] = True
    image[truth] = RED
    image = np.clip(np.rint(image + rng.normal(0, 8, image.shape)), 0, 255).astype(np.uint8)
    labels = clicks_to_scribbles((h, w), [next_click(truth, None)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mask = segment(image, labels, settings).mask
    return np.count_nonzero(mask != truth), truth.size


def test_local_models_keep_the_one_click_result():
    wrong, size = _one_click_error(1, SegmentationSettings(local_colour_weight=0.5))
    assert wrong <= 0.002 * size


def test_image_gamma_by_hand():
    fixed = np.zeros((2, 3), np.uint8)
    fixed[0, 0] = 1  # marked: left out of the median
    unary = np.array([[1000.0, 8.0, -8.0], [8.0, -8.0, 2.0]], np.float32)  # free |u| median 8
    assert adaptive.image_gamma(25.0, unary, fixed, 0.5, reference=4.0) == pytest.approx(25.0 * math.sqrt(2.0))
    assert adaptive.image_gamma(25.0, unary, fixed, -1.0, reference=4.0) == pytest.approx(12.5)
    assert adaptive.image_gamma(25.0, unary, fixed, 0.0, reference=4.0) == 25.0
    assert adaptive.image_gamma(25.0, unary * 100, fixed, 1.0, reference=4.0) == pytest.approx(100.0)  # clipped at 4x


def test_unexplained_colour_scale_by_hand():
    best = np.array([[-2.0, -2.0, -1.0], [-6.0, -100.0, 0.0]], np.float32)
    fixed = np.array([[1, 2, 1], [0, 0, 0]], np.uint8)  # marked: median of -2, -2, -1 is -2
    scale = adaptive.unexplained_colour_scale(best, fixed, 0.5)
    assert scale[1, 0] == pytest.approx(math.exp(-0.5 * 0.5 * 4.0))
    assert scale[1, 1] == pytest.approx(adaptive.PIXEL_FLOOR)
    assert scale[1, 2] == 1.0 and scale[0, 2] == 1.0
    assert adaptive.unexplained_colour_scale(best, np.zeros_like(fixed), 0.5) is None
    assert adaptive.unexplained_colour_scale(best, fixed, 0.0) is None


@pytest.mark.parametrize("mode", ["image", "pixel"])
def test_adaptive_smoothness_keeps_a_plain_one_click_result(mode):
    wrong, size = _one_click_error(2, SegmentationSettings(adaptive_smoothness=mode))
    assert wrong <= 0.002 * size


@pytest.mark.parametrize("field, value, words", [
    ("adaptive_smoothness", "sometimes", "adaptive_smoothness"),
    ("adaptive_strength", float("nan"), "adaptive_strength"),
    ("local_colour_weight", 1.5, "local_colour_weight"),
    ("local_colour_reach", 0.0, "local_colour_reach"),
    ("local_colour_marks", "strokes", "local_colour_marks"),
    ("local_colour_cutoff", 0.0, "local_colour_cutoff"),
    ("local_colour_boundary_reach", -1.0, "local_colour_boundary_reach"),
    ("local_colour_geodesic", float("inf"), "local_colour_geodesic"),
    ("local_colour_mixing", "bisector", "local_colour_mixing"),
])
def test_bad_settings_are_named(field, value, words):
    with pytest.raises(ValueError, match=words):
        SegmentationSettings(**{field: value}).validate()


def test_local_log_density_matches_scipy():
    from scipy.stats import multivariate_normal

    from segmix.local_colour import _log_density

    rng = np.random.default_rng(0)
    X = rng.random((500, 3))
    A = rng.random((3, 3))
    cov = A @ A.T + 0.01 * np.eye(3)
    mean = rng.random(3)
    np.testing.assert_allclose(_log_density(X, mean, cov), multivariate_normal(mean, cov).logpdf(X), rtol=1e-12, atol=1e-12)


def _stroke_and_click_scene():
    """Noise-free 100 x 200 green photo with two red squares; a background click on the right
    square and a background stroke (3 px wide, 40 px long) on the left one."""
    image, _ = two_regions_of_one_colour()
    labels = clicks_to_scribbles(image.shape[:2], [Click(50, 160, False)])
    labels[49:52, 20:60] = 2  # the stroke, as the 3-px brush draws it
    return image, labels


def test_click_sized_groups_keep_clicks_and_drop_strokes():
    from scipy import ndimage

    from segmix.local_colour import CLICK_MAX_AREA, click_sized_groups

    image, labels = _stroke_and_click_scene()
    labels[5:35, 100:108] = 2  # a thick stroke of a wide brush: 240 px, 8 px wide
    labels[80:92, 95:150] = 2  # a long thick stroke: 660 px > CLICK_MAX_AREA
    assert np.count_nonzero(labels[80:92, 95:150]) > CLICK_MAX_AREA
    groups, count = ndimage.label(labels == 2, structure=np.ones((3, 3), bool))
    kept, n = click_sized_groups(groups, count)
    assert (count, n) == (4, 2)
    assert kept[50, 160] > 0 and kept[20, 104] > 0  # the click and the short wide dab
    assert kept[50, 40] == 0 and kept[85, 120] == 0  # the 3-px stroke and the large one
    assert set(np.unique(kept)) == {0, 1, 2}


def test_a_click_gets_a_local_model_and_a_stroke_does_not():
    image, labels = _stroke_and_click_scene()

    def delta_map(marks):
        index, delta = local_colour_log_odds_delta(
            image, labels, lambda idx: np.zeros((2, idx.size)), FeatureSpace("lab"), 0.5, 0.05, marks=marks)
        full = np.zeros(labels.size)
        full[index] = delta
        return full.reshape(labels.shape)

    clicks_only = delta_map("clicks")
    assert (clicks_only[30:70, 140:180][labels[30:70, 140:180] == 0] < 0).all()  # near the click
    assert (clicks_only[:, :100] == 0).all()  # the stroke's square: the global models alone
    everything = delta_map("all")  # the previous behaviour, one setting away
    assert (everything[30:70, 20:60][labels[30:70, 20:60] == 0] < 0).all()
    np.testing.assert_array_equal(everything[:, 100:], clicks_only[:, 100:])


def test_strokes_alone_segment_as_without_local_models():
    """Scribbles of strokes only: the same mask with local models on as with them off."""
    rng = np.random.default_rng(4)
    image, _ = two_regions_of_one_colour()
    image = np.clip(np.rint(image + rng.normal(0, 8, image.shape)), 0, 255).astype(np.uint8)
    labels = np.zeros(image.shape[:2], np.uint8)
    labels[49:52, 25:55] = 1
    labels[10:13, 10:190] = 2
    labels[49:52, 145:175] = 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        off = segment(image, labels, SegmentationSettings(local_colour_weight=0.0)).mask
        on = segment(image, labels, SegmentationSettings(local_colour_weight=0.5)).mask
        every = segment(image, labels, SegmentationSettings(local_colour_weight=0.5, local_colour_marks="all"))
    np.testing.assert_array_equal(on, off)
    assert on[30:70, 20:60].mean() > 0.95 and not on[:, 100:].any()
    assert every.mask.shape == on.shape  # "all" runs on strokes too (its masks may differ)


def _shaded_object_scene():
    """200 x 300 photo: a red object shaded top (dark) to bottom (bright) on green, and a bar of
    one of its shades attached to its right side (a false positive of the object's colour).
    Positive clicks at three shades; negative clicks on the background and one on the bar."""
    h, w = 200, 300
    rng = np.random.default_rng(3)
    image = np.empty((h, w, 3))
    image[:] = GREEN
    image[:, 240:] = (50, 60, 160)
    image[190:, :] = (120, 120, 120)
    truth = np.zeros((h, w), bool)
    truth[20:180, 20:140] = True
    image[20:180, 20:140] = (0, 40, 40)
    image[20:180, 20:140, 0] = np.linspace(110, 250, 160)[:, None]
    bar = np.zeros((h, w), bool)
    bar[60:80, 140:200] = True
    image[bar] = image[70, 139]
    image = np.clip(np.rint(image + rng.normal(0, 4, image.shape)), 0, 255).astype(np.uint8)
    clicks = [Click(30, 80, True), Click(100, 40, True), Click(170, 80, True),
              Click(8, 60, False), Click(195, 60, False), Click(100, 270, False), Click(8, 270, False),
              Click(70, 185, False)]
    return image, clicks_to_scribbles((h, w), clicks), truth, bar


def test_a_negative_click_removes_its_colour_near_it_but_not_from_the_object_far_away():
    image, labels, truth, bar = _shaded_object_scene()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = segment(image, labels, SegmentationSettings(local_colour_weight=0.5)).mask
        global_only = segment(image, labels, SegmentationSettings(local_colour_weight=0.0)).mask
    # The bar near the negative click is background; the object, whose rows of the bar's
    # shade lie 40-160 px from that click, is kept whole.
    assert not local[bar].any()
    assert local[truth].mean() > 0.98 and not local[~truth].any()
    # The global models alone learn the shade as background everywhere and cut the object's
    # band of that shade, far from the click: what the click's local model keeps local.
    assert global_only[truth].mean() < 0.9


def test_local_models_are_deterministic():
    image, labels, _, _ = _shaded_object_scene()
    settings = SegmentationSettings(local_colour_weight=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = segment(image, labels, settings)
        second = segment(image, labels, settings)
    np.testing.assert_array_equal(first.mask, second.mask)
    np.testing.assert_array_equal(first.probability, second.probability)


@pytest.mark.parametrize("mixing", ["distance", "nearest"])
@pytest.mark.parametrize("marks", ["clicks", "all"])
def test_fast_path_equals_the_exact_one_below_the_grid_size(marks, mixing):
    """Below GRID_PIXELS the grid is the pixel grid: the fast path (Numba kernel, used by
    segment) gives the exact path's log-odds change."""
    from segmix.features import unique_colors
    from segmix.local_colour import GRID_PIXELS, add_local_colour

    rng = np.random.default_rng(5)
    image, labels = _stroke_and_click_scene()
    image = np.clip(np.rint(image + rng.normal(0, 6, image.shape)), 0, 255).astype(np.uint8)
    labels[[20, 80], :] = 0
    labels[75:86, 95:106] = 1  # a positive click-sized blob too
    assert labels.size < GRID_PIXELS
    colours, inverse = unique_colors(image)
    space = FeatureSpace("lab")
    table = space.colors_to_features(colours)
    ll = np.stack([-np.sum((table[:, :3] - c) ** 2, axis=1) * 50 for c in (table[inverse[50 * 200 + 40], :3],
                                                                          table[inverse[5], :3])]).astype(np.float32)
    index, delta = local_colour_log_odds_delta(image, labels, lambda i: ll[:, inverse[i]], space, 0.5, 0.05,
                                               lambda i: table[inverse[i], :3], marks, mixing=mixing)
    exact = np.zeros(labels.size, np.float32)
    exact[index] += delta
    fast = np.zeros(labels.shape, np.float32)
    add_local_colour(fast, image, labels, ll, inverse, table, 0.5, 0.05, marks, mixing=mixing)
    assert np.abs(exact).max() > 1.0
    np.testing.assert_allclose(fast.reshape(-1), exact, rtol=1e-4, atol=1e-4)


def test_local_models_are_on_by_default_and_one_setting_away():
    image, labels, truth, _ = _shaded_object_scene()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = segment(image, labels)
        on = segment(image, labels, SegmentationSettings(local_colour_weight=0.5))
        off = segment(image, labels, SegmentationSettings(local_colour_weight=0.0)).mask
    assert SegmentationSettings().local_colour_marks == "clicks"
    np.testing.assert_array_equal(default.mask, on.mask)  # on by default, weight 0.5
    np.testing.assert_array_equal(default.probability, on.probability)
    assert on.mask[truth].mean() > 0.98  # the local models keep the object (see above)
    assert off[truth].mean() < 0.9  # one setting turns them off


@pytest.mark.parametrize("marks", ["clicks", "all"])
def test_sparse_groups_equal_the_labelled_ones(marks):
    """The fast path's groups (found from the marks alone, block by block) are those of
    labelling the whole marked box: same pixels, same numbering (raster order of the first
    pixel), same click-sized filter, also for groups crossing block borders and touching
    the photo's edges."""
    from segmix.clicks import paint_disc
    from segmix.local_colour import GROUP_BLOCK, _class_group_list, _class_groups

    rng = np.random.default_rng(11)
    h, w = 300, 420
    labels = np.zeros((h, w), np.uint8)
    for _ in range(40):
        paint_disc(labels, int(rng.integers(0, h)), int(rng.integers(0, w)), int(rng.integers(1, 3)),
                   float(rng.uniform(2, 9)))
    labels[GROUP_BLOCK - 1:GROUP_BLOCK + 1, 10:200] = 1  # a thin stroke along a block border
    labels[0:12, w - 8:w] = 2  # a dab in the corner
    labels[150:153, 0:w] = 2  # a stroke across the photo
    for label in (1, 2):
        reference, count = _class_groups(labels, label, marks)
        groups = _class_group_list(labels, label, marks)
        assert len(groups) == count > 3
        for number, (rows, cols) in enumerate(groups, start=1):
            want_rows, want_cols = np.nonzero(reference == number)
            np.testing.assert_array_equal(rows, want_rows)
            np.testing.assert_array_equal(cols, want_cols)


@pytest.mark.parametrize("radius", [5, 15])  # a click (cached) and a group above CLICK_MAX_AREA (not)
def test_near_samples_are_the_grid_samples_within_reach(radius):
    """The grown pixels' candidates (cached between calls for click-sized groups): every grid
    sample at a distance in (0, reach] of the group, by brute force, in raster order; a
    second call gives the same."""
    from segmix.local_colour import CLICK_MAX_AREA, _near_samples

    rows, cols = np.nonzero(np.add.outer((np.arange(40) - 20) ** 2, (np.arange(40) - 20) ** 2) <= radius ** 2)
    assert (rows.size <= CLICK_MAX_AREA) == (radius == 5)
    rows, cols = rows + 3, cols + 150  # a disc near the top edge
    h, w, reach, factor = 90, 200, 30.5, 3
    got = _near_samples(rows, cols, h, w, reach, factor)
    grid_r, grid_c = np.meshgrid(np.arange(0, h, factor), np.arange(0, w, factor), indexing="ij")
    d = np.sqrt(((grid_r.reshape(-1, 1) - rows) ** 2 + (grid_c.reshape(-1, 1) - cols) ** 2).min(axis=1))
    want = np.sort((grid_r.ravel() * w + grid_c.ravel())[(d > 0) & (d <= reach)])
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(_near_samples(rows, cols, h, w, reach, factor), want)


def test_parallel_mixing_in_the_window_gives_the_same_result():
    """The window's jobs run the local models' mixing kernel on every thread
    (threads.interactive); the masks and posteriors are those of one thread, bit for bit."""
    from segmix.kernels import threads
    from segmix.segment import apply_model, train_model

    image, labels, _, _ = _shaded_object_scene()
    settings = SegmentationSettings(local_colour_weight=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = train_model(image, labels, settings)
        serial = apply_model(image, model, labels, settings)
        with threads.interactive(min_pixels=0):
            parallel = apply_model(image, model, labels, settings)
    np.testing.assert_array_equal(parallel.mask, serial.mask)
    np.testing.assert_array_equal(parallel.probability, serial.probability)


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (37, 41), (64, 64)])
def test_marked_pixels_found_word_by_word_are_flatnonzero(shape):
    from segmix.marked_pixels import marked_flat

    rng = np.random.default_rng(shape[0])
    for density in (0.0, 0.01, 0.5, 1.0):
        labels = np.where(rng.random(shape) < density, rng.integers(1, 3, shape), 0).astype(np.uint8)
        got = marked_flat(labels)
        np.testing.assert_array_equal(got, np.flatnonzero(labels))
        assert got.dtype == np.int64
    np.testing.assert_array_equal(marked_flat(labels.astype(np.int32)), np.flatnonzero(labels))


def test_distinct_rows_counts_as_numpy_unique():
    from segmix.segment import _distinct_rows

    rng = np.random.default_rng(2)
    X = np.round(rng.random((3000, 3)), 1)
    X[5] = (0.0, 0.5, 0.5)
    X[6] = (-0.0, 0.5, 0.5)  # equal by value
    for rows in (X, X[:1], X[:0], np.repeat(X[:3], 4, axis=0)):
        assert _distinct_rows(rows) == np.unique(rows, axis=0).shape[0]


def _two_background_clicks_scene():
    """60 x 100 photo of one colour (C1) with a square of another (C2) around the second of two
    negative clicks; both clicks' local models reach the row below them (the bisector of the
    clicks is between columns 49 and 50)."""
    c1, c2 = (90, 110, 140), (200, 170, 60)
    image = np.empty((60, 100, 3), np.uint8)
    image[:] = c1
    image[18:43, 67:92] = c2
    labels = clicks_to_scribbles(image.shape[:2], [Click(30, 20, False), Click(30, 79, False)])
    return image, labels


@pytest.mark.parametrize("path", ["exact", "fast"])
@pytest.mark.parametrize("mixing", ["distance", "nearest"])
def test_local_term_is_continuous_across_the_bisector_of_two_same_class_clicks(path, mixing):
    """Issue 11: each pixel took the local model of its nearest click group only, so the
    background's local density switched at the bisector of two background clicks, a straight
    seam the cut could follow. Now every group within reach is mixed in, weighted by its
    distance: along a row of one colour crossing the bisector the change between neighbours
    at the bisector is of the size of the changes next to it (what the distance change
    explains), while the two clicks' own terms there differ by nats."""
    from segmix.features import unique_colors
    from segmix.local_colour import GRID_PIXELS, add_local_colour

    image, labels = _two_background_clicks_scene()
    assert labels.size < GRID_PIXELS  # the fast path's grid is the pixel grid here
    colours, inverse = unique_colors(image)
    space = FeatureSpace("lab")
    table = space.colors_to_features(colours)
    ll = np.zeros((2, len(colours)), np.float32)  # global models that explain every colour alike
    reach = 0.25  # 29 px; the row is 36 px from both clicks at the bisector

    def term(scribbles):
        if path == "exact":
            index, delta = local_colour_log_odds_delta(image, scribbles, lambda i: ll[:, inverse[i]], space, 0.5, reach,
                                                       lambda i: table[inverse[i], :3], mixing=mixing)
            full = np.zeros(scribbles.size, np.float32)
            full[index] = delta
            return full.reshape(scribbles.shape)
        full = np.zeros(scribbles.shape, np.float32)
        add_local_colour(full, image, scribbles, ll, inverse, table, 0.5, reach, mixing=mixing)
        return full

    row = 50
    both = term(labels)[row]
    left, right = labels.copy(), labels.copy()
    left[:, 50:] = 0
    right[:, :50] = 0
    alone_left, alone_right = term(left)[row], term(right)[row]
    # The nearest-group rule gave alone_left left of the bisector and alone_right right of it:
    # a jump of nats between columns 49 and 50.
    assert abs(alone_left[49] - alone_right[50]) > 2.0
    steps = np.abs(np.diff(both.astype(np.float64)))
    if mixing == "nearest":  # the previous rule, one setting away: the seam
        assert both[49] == alone_left[49] and both[50] == alone_right[50]
        assert steps[49] > 2.0
        return
    assert steps[49] <= 1.5 * max(steps[47], steps[48], steps[50], steps[51]) + 1e-4
    assert steps[40:60].max() < 0.2
    # Symmetric in the two clicks' distances, and still a background term (negative).
    assert (both[30:70] < 0).all()
