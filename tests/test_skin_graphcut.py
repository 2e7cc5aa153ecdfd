"""The skin detector's graph-cut regions on blocks (skin_detect: cut_diagonal; graphcut.cut_blocks
and BlockGraph; kernels.graphs.block_means / block_sums): the block kernels against NumPy, the
block cut against the exact cut of the block problem, a kept graph against a new one, and the
detector's masks against the exact full-resolution cut on synthetic hand scenes with a thin
finger."""

import numpy as np
import pytest

from segmix import graphcut, skin, skin_detect
from segmix.cli import main
from segmix.kernels import graphs

BLOCKS = skin_detect.SkinSettings(regions="graphcut")
EXACT = skin_detect.SkinSettings(regions="graphcut", cut_diagonal=0)


@pytest.fixture(scope="module")
def builtin():
    return skin.load_skin_model()


def _padded_blocks(a, factor, fill):
    h, w = a.shape[:2]
    hc, wc = -(-h // factor), -(-w // factor)
    out = np.full((hc * factor, wc * factor) + a.shape[2:], fill, dtype=float)
    out[:h, :w] = a
    return out.reshape(hc, factor, wc, factor, *a.shape[2:])


@pytest.mark.parametrize("factor", [1, 2, 3, 5])
def test_block_kernels_against_numpy(factor):
    rng = np.random.default_rng(factor)
    image = rng.integers(0, 256, (23, 31, 3), dtype=np.uint8)
    odds = rng.normal(0, 4, (23, 31)).astype(np.float32)
    sums = np.nansum(_padded_blocks(odds.astype(np.float64), factor, np.nan), axis=(1, 3))
    np.testing.assert_allclose(graphs.block_sums(odds, factor), sums.astype(np.float32), rtol=1e-6, atol=1e-5)
    blocks = _padded_blocks(image.astype(np.float64), factor, np.nan)
    means = np.floor(np.nansum(blocks, axis=(1, 3)) / np.sum(~np.isnan(blocks), axis=(1, 3)) + 0.5)
    np.testing.assert_array_equal(graphs.block_means(image, factor), means.astype(np.uint8))
    mask = odds > 3
    np.testing.assert_array_equal(graphs.block_any(mask, factor),
                                  np.nansum(_padded_blocks(mask.astype(float), factor, 0.0), axis=(1, 3)) > 0)
    # the very values of the banded cut's coarse level
    coarse_image, coarse_odds, _ = graphs.block_reduce_level.serial(image, odds, np.zeros((23, 31), np.uint8), factor)
    np.testing.assert_array_equal(graphs.block_means(image, factor), coarse_image)
    np.testing.assert_array_equal(graphs.block_sums(odds, factor), coarse_odds)


@pytest.mark.parametrize("factor", [1, 3, 5])
def test_expand_blocks_and_block_edges_against_numpy(factor):
    from scipy import ndimage

    from segmix.kernels import skin as skin_kernels

    rng = np.random.default_rng(10 + factor)
    above = rng.random((23, 31)) > 0.5
    code = rng.integers(0, 3, (-(-23 // factor), -(-31 // factor))).astype(np.uint8)
    pixel_code = np.repeat(np.repeat(code, factor, axis=0), factor, axis=1)[:23, :31]
    np.testing.assert_array_equal(skin_kernels.expand_blocks(code, factor, above),
                                  (pixel_code == 1) | ((pixel_code == 2) & above))
    ring = np.ones((3, 3), bool)
    for blocks in (code == 1, np.ones_like(code, bool), np.zeros_like(code, bool)):
        edge = blocks & ~ndimage.binary_erosion(blocks, ring, border_value=1)
        edge |= ~blocks & ndimage.binary_dilation(blocks, ring)
        np.testing.assert_array_equal(skin_kernels.block_edges(blocks), edge)


def test_used_contrast_table_has_the_full_tables_bits_where_the_graph_reads_it():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (17, 13, 3), dtype=np.uint8)
    image[5:9] = 40  # flat rows: the distance 0 too
    beta = graphcut.contrast_beta(image, 8)
    dy, dx = graphcut._all_directions(8)
    full = graphs.contrast_table(beta, 3)
    used = graphs.used_contrast_table(image, beta, dy[:4], dx[:4])
    filled = ~np.isnan(used)
    assert 0 < filled.sum() < full.size
    np.testing.assert_array_equal(used[filled], full[filled])  # same bits
    args = (image, np.zeros((17, 13), np.float32), np.zeros((17, 13), np.uint8), 7.0)
    for a, b in zip(graphs.grid_graph.serial(*args, full, dy, dx), graphs.grid_graph.serial(*args, used, dy, dx)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("factor", [2, 4])
def test_block_cut_is_the_exact_cut_of_the_block_problem_and_a_kept_graph_changes_nothing(factor):
    rng = np.random.default_rng(7)
    image = np.clip(rng.normal(120, 30, (41, 57, 3)), 0, 255).astype(np.uint8)
    image[10:30, 15:40] = (200, 150, 120)
    odds = (rng.normal(-1, 3, (41, 57)) + 4 * (image[..., 0] > 180)).astype(np.float32)
    coarse_image, coarse_odds, _ = graphs.block_reduce_level.serial(image, odds, np.zeros((41, 57), np.uint8), factor)
    expected = graphcut.cut_image(coarse_odds, coarse_image, None, 5.0 * factor, 8)
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(graphcut.cut_blocks(odds, image, factor, 5.0, 8), expected)
    graph = graphcut.BlockGraph(image, factor, 5.0, 8)
    other = graph.cut(odds - 3.0)  # another cut first: the graph's arcs must not keep its flow
    assert other.sum() < expected.sum()
    np.testing.assert_array_equal(graph.cut(odds), expected)
    np.testing.assert_array_equal(graphcut.cut_blocks(odds, image, 1, 5.0, 8), graphcut.cut_image(odds, image, None, 5.0, 8))
    with pytest.raises(ValueError, match="shape"):
        graph.cut(odds[1:])
    with pytest.raises(ValueError, match="connectivity"):
        graphcut.BlockGraph(image, factor, 5.0, 16)


def test_block_side_follows_the_diagonal():
    assert skin_detect.cut_block_side((120, 160), 200) == 1
    assert skin_detect.cut_block_side((550, 830), 200) == 5
    assert skin_detect.cut_block_side((1080, 1920), 200) == 11
    assert skin_detect.cut_block_side((3000, 4000), 200) == 25
    assert skin_detect.cut_block_side((3000, 4000), 0) == 1
    with pytest.raises(ValueError, match="cut_diagonal"):
        skin_detect.SkinSettings(cut_diagonal=-1)
    with pytest.raises(ValueError, match="cut_connectivity"):
        skin_detect.SkinSettings(cut_connectivity=6)


def hand_scene(thin: int, h: int = 420, w: int = 560, seed: int = 0):
    """A hand (palm, four fingers 14 px wide and one finger ``thin`` px wide leaving the palm at
    an angle) of skin colour in front of a blue-grey wall, a green table below; noise sigma 3.
    Returns the image, the hand mask and the thin finger's mask."""
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3))
    img[:] = (70, 90, 120)
    img[int(h * 0.72):] = (90, 110, 80)
    yy, xx = np.mgrid[:h, :w]
    sy, sx = h / 420, w / 560
    hand = (yy - 250 * sy) ** 2 / (70 * sy) ** 2 + (xx - 280 * sx) ** 2 / (60 * sx) ** 2 < 1
    for cx in (235, 262, 289, 316):
        hand |= (np.abs(xx - cx * sx) < 7 * sx) & (yy > 110 * sy) & (yy < 250 * sy)
    finger = (np.abs(xx - 330 * sx + (yy - 250 * sy) * 0.5) < thin / 2) & (yy > 110 * sy) & (yy < 250 * sy) & ~hand
    hand |= finger
    img[hand] = (215, 160, 130)
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).round().astype(np.uint8), hand, finger


@pytest.mark.parametrize("thin", [2, 3, 5])
@pytest.mark.parametrize("size", [(420, 560), (630, 840)])
def test_block_regions_equal_the_exact_cut_on_a_hand_with_a_thin_finger(builtin, thin, size):
    """Blocks of 4 and 5 px (the photo's diagonal / 200): a finger 2-5 px wide leaving the palm
    is kept as the exact cut keeps it (the chains of background blocks holding skin-level
    pixels are decided per pixel), and the masks agree."""
    image, hand, finger = hand_scene(thin, *size)
    assert skin_detect.cut_block_side(image.shape, BLOCKS.cut_diagonal) >= 4
    exact = skin.detect(builtin, image, EXACT).mask
    blocks = skin.detect(builtin, image, BLOCKS).mask
    assert exact[finger].mean() > 0.95 and exact[hand].mean() > 0.98 and exact[~hand].mean() < 0.001
    assert blocks[finger].mean() > 0.95, blocks[finger].mean()
    assert (blocks != exact).mean() < 0.002, (blocks != exact).mean()


def test_block_regions_are_deterministic_and_a_kept_graph_gives_the_fresh_graphs_mask(builtin):
    image, _, _ = hand_scene(3)
    log_odds, seeds = skin_detect.skin_log_odds(builtin, image, BLOCKS, with_seeds=True)
    first = skin_detect.skin_mask(log_odds, 0.2, BLOCKS, seeds, image)  # this photo's graph kept
    skin_detect._BLOCK_GRAPHS.entry = None  # a new graph for the same cut
    np.testing.assert_array_equal(skin_detect.skin_mask(log_odds, 0.2, BLOCKS, seeds, image), first)
    np.testing.assert_array_equal(skin.detect(builtin, image, BLOCKS).mask, skin.detect(builtin, image, BLOCKS).mask)


def test_cli_cut_diagonal(tmp_path, builtin):
    from PIL import Image

    image, _, _ = hand_scene(3)
    Image.fromarray(image).save(tmp_path / "hand.png")
    for option, settings in (("0", EXACT), ("200", BLOCKS)):
        out = tmp_path / option
        assert main(["skin", "apply", str(tmp_path / "hand.png"), "--output-dir", str(out), "--regions", "graphcut",
                     "--cut-diagonal", option, "--quiet"]) == 0
        got = np.asarray(Image.open(out / "hand_skin.png")) > 0
        np.testing.assert_array_equal(got, skin.detect(builtin, image, settings).mask)
    assert main(["skin", "apply", str(tmp_path / "hand.png"), "--output-dir", str(tmp_path / "x"),
                 "--cut-diagonal", "-3"]) != 0


@pytest.mark.parametrize("shape, side", [((23, 31), 1), ((23, 31), 3), ((23, 31), 5), ((60, 47), 4), ((131, 260), 25)])
def test_block_unary_is_block_sums_of_the_difference_and_block_any(shape, side):
    from segmix.kernels import skin as skin_kernels

    rng = np.random.default_rng(sum(shape) + side)
    odds = rng.normal(0, 6, shape).astype(np.float32)
    odds[0, :5] = -np.inf  # a colour the model rules out
    level = np.float32(0.37)
    sums, above = skin_kernels.block_unary(odds, level, side)
    np.testing.assert_array_equal(sums, graphs.block_sums(odds - level, side))  # the same bits
    np.testing.assert_array_equal(above, graphs.block_any(odds > level, side))


def _block_codes_numpy(blocks, above):
    from scipy import ndimage

    from segmix.kernels import skin as skin_kernels

    ring = np.ones((3, 3), bool)
    edge = skin_kernels.block_edges(blocks)
    mixed = ~blocks & ~edge & above
    if mixed.any():
        edge = edge | graphcut._thin_chains(mixed) | (mixed & ndimage.binary_dilation(edge, ring))
    return np.where(edge, np.uint8(2), blocks.view(np.uint8))


@pytest.mark.parametrize("seed", range(6))
def test_block_codes_against_the_scipy_form(seed):
    from scipy import ndimage

    from segmix.kernels import skin as skin_kernels

    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(5, 40)), int(rng.integers(5, 40)))
    blocks = ndimage.binary_opening(rng.random(shape) < 0.4 + 0.05 * seed)  # compact regions
    above = rng.random(shape) < 0.1 * (seed + 1)
    above[shape[0] // 2, 1:-1] = True  # a thin line of mixed blocks
    expected = _block_codes_numpy(blocks, above)
    got = skin_kernels.block_codes(blocks, above, graphcut.THIN_MIN_BLOCKS, float(graphcut.THIN_MAX_THICKNESS))
    assert got.dtype == np.uint8 and set(np.unique(expected)) >= {0, 2}
    np.testing.assert_array_equal(got, expected)
    none = np.zeros(shape, bool)
    np.testing.assert_array_equal(skin_kernels.block_codes(none, above, 3, 2.0), _block_codes_numpy(none, above))


def test_cut_sums_is_the_cut_of_the_summed_unaries():
    rng = np.random.default_rng(5)
    image = np.clip(rng.normal(120, 30, (41, 57, 3)), 0, 255).astype(np.uint8)
    odds = rng.normal(-1, 3, (41, 57)).astype(np.float32)
    graph = graphcut.BlockGraph(image, 4, 5.0, 8)
    np.testing.assert_array_equal(graph.cut_sums(graphs.block_sums(odds, 4)), graph.cut(odds))
    with pytest.raises(ValueError, match="block grid"):
        graph.cut_sums(np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError, match="factor"):
        graphcut.BlockGraph(image, 1, 5.0, 8).cut_sums(odds)


def test_a_pinned_photo_skips_the_check_and_an_unpinned_one_is_checked():
    image, _, _ = hand_scene(3)
    skin_detect._BLOCK_GRAPHS.entry = None
    with skin_detect._same_photo(image):
        graph = skin_detect._block_graph(image, 4, BLOCKS)
        assert skin_detect._block_graph(image, 4, BLOCKS) is graph
        other = image.copy()  # equal bytes, another array: checked, and built anew
        assert skin_detect._block_graph(other, 4, BLOCKS) is not graph
    assert getattr(skin_detect._BLOCK_GRAPHS, "pinned", None) is None
    # built without its bytes' check inside detect(): rebuilt once outside, then kept
    again = skin_detect._block_graph(image, 4, BLOCKS)
    assert skin_detect._block_graph(image, 4, BLOCKS) is again
    image[0, 0] ^= 1  # the photo changed: a new graph
    assert skin_detect._block_graph(image, 4, BLOCKS) is not again
    # a graph built in an earlier context is not trusted in a later one (the array may have
    # changed in between), and a context inside one for the same array keeps the outer one's
    with skin_detect._same_photo(image):
        first = skin_detect._block_graph(image, 4, BLOCKS)
        with skin_detect._same_photo(image):
            assert skin_detect._block_graph(image, 4, BLOCKS) is first
    image[0, 0] ^= 1
    with skin_detect._same_photo(image):
        assert skin_detect._block_graph(image, 4, BLOCKS) is not first


@pytest.mark.parametrize("connectivity", [4, 8])
def test_block_graph_arcs_are_contrast_beta_and_grid_graphs_capacities(connectivity):
    rng = np.random.default_rng(connectivity)
    image = rng.integers(0, 256, (19, 27, 3), dtype=np.uint8)
    image[4:9, 3:20] = 77  # flat patches: distance 0
    dy, dx = graphcut._all_directions(connectivity)
    beta, capacity = graphs.block_graph_arcs(image, 35.0, dy, dx)
    assert beta == graphcut.contrast_beta(image, connectivity)  # the same bits
    _, expected = graphs.grid_graph.serial(image, np.zeros((19, 27), np.float32), np.zeros((19, 27), np.uint8), 35.0,
                                           graphs.contrast_table(beta, 3), dy, dx)
    np.testing.assert_array_equal(capacity, expected)
    flat_beta, flat = graphs.block_graph_arcs(np.full((5, 6, 3), 9, np.uint8), 35.0, dy, dx)
    assert flat_beta == 0.0 and flat.max() == pytest.approx(35.0)  # a flat image: every pair weighs gamma


def test_eval_sweep_reuses_the_photos_graph_without_its_check_and_gives_the_fresh_masks(builtin, monkeypatch):
    import types
    import zlib

    from segmix import skin_eval

    image, _, _ = hand_scene(3)
    checks = []
    monkeypatch.setattr(skin_detect, "zlib", types.SimpleNamespace(crc32=lambda b: checks.append(1) or zlib.crc32(b)))
    with skin_detect._same_photo(image):  # as evaluate_folder runs a photo's detection and sweep
        result = skin.detect(builtin, image, BLOCKS)
        decide = skin_eval._decider(result, image, BLOCKS)
        swept = {t: decide(t) for t in (builtin.threshold, 0.2, 0.5, 0.8)}
    assert checks == []  # the graph detect() built, without the photo's CRC
    np.testing.assert_array_equal(swept[builtin.threshold], result.mask)
    assert result.mask.any()
    for t, mask in swept.items():
        skin_detect._BLOCK_GRAPHS.entry = None  # a new graph
        np.testing.assert_array_equal(mask, skin_detect.skin_mask(result.log_odds, t, BLOCKS, result.seed_log_odds,
                                                                  image))
    assert len(checks) == 4  # outside: checked


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 1), (2, 2), (9, 13)])
def test_block_edges_on_thin_grids(shape):
    from scipy import ndimage

    from segmix.kernels import skin as skin_kernels

    ring = np.ones((3, 3), bool)
    rng = np.random.default_rng(shape[0] * 31 + shape[1])
    for _ in range(5):
        blocks = rng.random(shape) < 0.5
        edge = blocks & ~ndimage.binary_erosion(blocks, ring, border_value=1)
        edge |= ~blocks & ndimage.binary_dilation(blocks, ring)
        np.testing.assert_array_equal(skin_kernels.block_edges(blocks), edge)
