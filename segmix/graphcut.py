"""Spatial regularisation: a binary MRF on the pixel grid solved exactly by a min cut.

Energy (GrabCut, Rother et al. 2004)::

    E(l) = sum_p U_p(l_p) + sum_{p~q} w_pq [l_p != l_q],
    w_pq = gamma * exp(-beta ||z_p - z_q||^2) / dist(p, q),
    beta = 1 / (2 <||z_p - z_q||^2>)   (mean over all neighbour pairs of the image),

with z the RGB values (0..255) and 4-, 8- or 16-connectivity (16: Cauchy-Crofton weights instead
of 1 / dist, see :func:`segmix.kernels.graphs.direction_scales`). Only the difference of the unary
terms matters for the minimiser, so the caller passes ``log_odds = U_p(bg) - U_p(fg)``
(positive = the pixel prefers foreground).

The min cut is computed by one Boykov-Kolmogorov max-flow kernel on an explicit graph
(:func:`segmix.kernels.maxflow.graph_maxflow`). For an exact cut the graph is the pixel grid
padded by one pixel (:func:`grid_maxflow` turns the neighbour offsets into indices): a pixel
costs 8 bytes per direction plus a few bytes of bookkeeping. Above ``max_exact_pixels`` the
banded cut (:func:`cut_multiscale`) never builds the full-size grid: its fine level is a
graph of the band pixels only (:func:`segmix.kernels.graphs.band_graph`).
:func:`cut_reference` solves the same cut with ``scipy.sparse.csgraph.maximum_flow`` and is
used by the tests.

Hard constraints (scribbles) are not infinite capacities: a fixed pixel is removed from the
graph and its pairwise weights are folded into the terminal capacities of its free
neighbours. This is exact and keeps every capacity finite.
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
import zlib

import numpy as np

from segmix.cancel_points import checkpoint, stop_flag, stopped
from segmix.kernels import geodesic, graphs, maxflow, threads
from segmix.marked_pixels import marked_flat
from segmix.kernels.threads import for_pixels

FREE, FIXED_FOREGROUND, FIXED_BACKGROUND = 0, 1, 2

# Images above ``max_exact_pixels`` are cut coarse-to-fine: at 1/f scale, then again at full
# resolution in a band reaching one coarse pixel beyond the coarse pixels on either side of the
# coarse boundary, with f = ceil(N ** 0.25 / 10) clamped to [2, MAX_FACTOR] (see
# coarse_factor): 3 for 640x480 to 854x480, 4 for 1080p, 6 for 12 MP. Measured with
# keep-connected applied:
# - DAVIS frames (854x480, 50 per half, even / odd): exact cut 1.951 % / IoU 0.742 and
#   2.012 % / 0.725; 1/2: 1.911 / 0.744 and 1.954 / 0.728; 1/3: 1.877 / 0.748 and
#   1.915 / 0.733; 1/4: 1.863 / 0.749 and 1.908 / 0.730. The coarse level averages the
#   unaries over blocks, which removes small wrong regions the exact cut keeps, and the cut
#   costs 65 ms instead of 460 ms.
# - 12 frames upscaled to 1080p: 1/4 1.852 % / 0.7219 in 325 ms; 1/3 with a two-coarse-pixel
#   band 1.857 % / 0.7218 in 464 ms; 1/5 0.7217, 1/6 0.7122; exact 1.849 % / 0.7228.
# - 12 MP (an upscaled frame): 1/6 cut in 2.2 s, 1/8 in 2.6 s, 1/10 in 3.3 s, equal error.
MAX_FACTOR = 6
MIN_FACTOR = 2


def coarse_factor(n_pixels: int) -> int:
    """Downscaling factor of the banded cut's coarse level for an image of ``n_pixels``."""
    return int(min(MAX_FACTOR, max(MIN_FACTOR, math.ceil(n_pixels ** 0.25 / 10.0))))

# Forward neighbour offsets (dy, dx); each unordered pair of neighbours appears once.
FORWARD_4 = ((0, 1), (1, 0))
FORWARD_8 = ((0, 1), (1, 0), (1, 1), (1, -1))
# Plus the knight moves: with Cauchy-Crofton weights (graphs.direction_scales) the cut's
# boundary length is nearly isotropic, so a boundary through an even area is not drawn in
# 0 / 45 / 90 degree segments.
FORWARD_16 = FORWARD_8 + ((1, 2), (2, 1), (2, -1), (1, -2))


def forward_offsets(connectivity: int) -> tuple[tuple[int, int], ...]:
    if connectivity == 4:
        return FORWARD_4
    if connectivity == 8:
        return FORWARD_8
    if connectivity == 16:
        return FORWARD_16
    raise ValueError(f"connectivity must be 4, 8 or 16; got {connectivity!r}")


def _pair_slices(dy: int, dx: int, h: int, w: int):
    """Slices (p_rows, p_cols), (q_rows, q_cols) of all pairs p -> q = p + (dy, dx) inside."""
    p_cols = slice(max(0, -dx), w - max(0, dx))
    q_cols = slice(max(0, dx), w - max(0, -dx))
    return (slice(0, h - dy), p_cols), (slice(dy, h), q_cols)


def contrast_weights(image: np.ndarray, gamma: float = 50.0, connectivity: int = 8) -> np.ndarray:
    """GrabCut's contrast-sensitive pairwise weights.

    Parameters
    ----------
    image : (H, W, 3) uint8
    gamma : float
    connectivity : {4, 8}

    Returns
    -------
    (n_directions, H, W) float32
        ``out[d, y, x]`` is the weight between pixel (y, x) and (y, x) + ``forward_offsets
        (connectivity)[d]``; 0 where that neighbour is outside the image. n_directions is 2
        for 4-connectivity and 4 for 8-connectivity.
    """
    offsets = forward_offsets(connectivity)
    h, w = image.shape[:2]
    z = image.astype(np.float32)
    out = np.zeros((len(offsets), h, w), np.float32)
    total, count = 0.0, 0
    for d, (dy, dx) in enumerate(offsets):
        p, q = _pair_slices(dy, dx, h, w)
        diff = z[p] - z[q]
        sq = np.einsum("ijk,ijk->ij", diff, diff)
        out[d][p] = sq
        total += float(sq.sum(dtype=np.float64))
        count += sq.size
    mean_sq = total / max(count, 1)
    beta = 0.0 if mean_sq <= 0 else 1.0 / (2.0 * mean_sq)
    for d, (dy, dx) in enumerate(offsets):
        p, _ = _pair_slices(dy, dx, h, w)
        region = out[d][p]
        np.multiply(region, np.float32(-beta), out=region)
        np.exp(region, out=region)
        region *= np.float32(gamma / np.hypot(dy, dx))
        valid = np.zeros((h, w), bool)
        valid[p] = True
        out[d][~valid] = 0.0
    return out


def fold_constraints(log_odds: np.ndarray, pairwise: np.ndarray, fixed: np.ndarray, connectivity: int | None = None):
    """Terminal capacities and free-free pair weights after removing fixed pixels.

    Parameters
    ----------
    log_odds : (H, W) float
        Cost of background minus cost of foreground per pixel.
    pairwise : (n_directions, H, W) float32, from :func:`contrast_weights`
    fixed : (H, W) uint8, 0 free, 1 fixed foreground, 2 fixed background

    Returns
    -------
    terminal : (H, W) float32
        > 0: capacity from the source (foreground) terminal; < 0: to the sink. Zero on fixed pixels.
    pair : (n_directions, H, W) float32
        Pair weights with every pair touching a fixed pixel set to 0.
    """
    offsets = FORWARD_4 if pairwise.shape[0] == 2 else FORWARD_8
    h, w = log_odds.shape
    free = fixed == FREE
    sign = np.zeros((h, w), np.float32)  # +1 fixed fg, -1 fixed bg, 0 free
    sign[fixed == FIXED_FOREGROUND] = 1.0
    sign[fixed == FIXED_BACKGROUND] = -1.0
    terminal = np.where(free, log_odds, 0).astype(np.float32)
    pair = pairwise.copy()
    for d, (dy, dx) in enumerate(offsets):
        p, q = _pair_slices(dy, dx, h, w)
        wpq = pairwise[d][p]
        # A free pixel next to a fixed one pays w if it takes the other label.
        terminal[p] += np.where(free[p], wpq * sign[q], 0)
        terminal[q] += np.where(free[q], wpq * sign[p], 0)
        pair[d][p] = np.where(free[p] & free[q], wpq, 0)
    return terminal, pair


def _grid_arrays(terminal: np.ndarray, pair: np.ndarray):
    """Padded flat arrays for the grid max-flow kernel.

    Returns terminal (N,) float32, capacity (N, 2*n_forward) float32, offsets (2*n_forward,)
    int64, opposite (2*n_forward,) int64 with N = (H+2)(W+2). Direction d + n_forward is the
    reverse of forward direction d. The one-pixel border has zero capacities and is never
    reached, so the kernel needs no bounds checks.
    """
    n_fwd = pair.shape[0]
    offsets2d = FORWARD_4 if n_fwd == 2 else FORWARD_8
    h, w = terminal.shape
    hp, wp = h + 2, w + 2
    term = np.zeros((hp, wp), np.float32)
    term[1:-1, 1:-1] = terminal
    cap = np.zeros((hp, wp, 2 * n_fwd), np.float32)
    offsets = np.empty(2 * n_fwd, np.int64)
    for d, (dy, dx) in enumerate(offsets2d):
        offsets[d] = dy * wp + dx
        offsets[d + n_fwd] = -(dy * wp + dx)
        cap[1:-1, 1:-1, d] = pair[d]
        # The reverse arc q -> p lives at q = p + (dy, dx) with the same weight.
        cap[1 + dy:h + 1 + dy, 1 + dx:w + 1 + dx, d + n_fwd] = pair[d]
    opposite = _opposite_directions(n_fwd)
    return term.reshape(-1), cap.reshape(hp * wp, 2 * n_fwd), offsets, opposite


def cut(log_odds: np.ndarray, pairwise: np.ndarray, fixed: np.ndarray | None = None) -> np.ndarray:
    """Minimise the binary MRF energy exactly: (H, W) bool foreground mask.

    Parameters
    ----------
    log_odds : (H, W) float
        Unary cost of background minus cost of foreground (e.g. the log posterior odds minus
        logit(threshold)); positive prefers foreground.
    pairwise : (n_directions, H, W) float32, from :func:`contrast_weights`
    fixed : (H, W) uint8, optional
        0 free, 1 fixed foreground, 2 fixed background (the scribbles).

    Returns
    -------
    (H, W) bool
        The source side of a minimum cut (pixels reachable from the foreground terminal in
        the residual graph); fixed pixels keep their label.
    """
    h, w = log_odds.shape
    if fixed is None:
        fixed = np.zeros((h, w), np.uint8)
    terminal, pair = fold_constraints(log_odds, pairwise, fixed)
    term, cap, offsets, opposite = _grid_arrays(terminal, pair)
    del pair
    tree = grid_maxflow(term, cap, offsets, opposite)
    mask = (tree.reshape(h + 2, w + 2)[1:-1, 1:-1] == 1)
    mask[fixed == FIXED_FOREGROUND] = True
    mask[fixed == FIXED_BACKGROUND] = False
    return mask


def _opposite_directions(n_forward: int) -> np.ndarray:
    """(2 n_forward,) int64: direction d's reverse, with the reverses stored after the forwards."""
    return np.concatenate([np.arange(n_forward, 2 * n_forward), np.arange(n_forward)]).astype(np.int64)


def _all_directions(connectivity: int):
    """dy, dx (n_dirs,) int64: the forward offsets, then their reverses (d + n_fwd)."""
    forward = forward_offsets(connectivity)
    dy = np.array([o[0] for o in forward] + [-o[0] for o in forward], np.int64)
    dx = np.array([o[1] for o in forward] + [-o[1] for o in forward], np.int64)
    return dy, dx


def contrast_beta(image: np.ndarray, connectivity: int = 8, row_step: int = 1) -> float:
    """GrabCut's beta = 1 / (2 <||z_p - z_q||^2>) over neighbour pairs (0 for a flat image).

    ``row_step`` > 1 averages over the pairs starting in every ``row_step``-th row only.
    """
    # Forward offsets only: every unordered pair once (the mean is the same, half the work).
    # The 16-neighbourhood keeps the 8-neighbourhood's beta (the knight pairs are farther
    # apart and differ more): gamma and beta mean the same for both.
    forward = forward_offsets(min(int(connectivity), 8))
    dy = np.array([o[0] for o in forward], np.int64)
    dx = np.array([o[1] for o in forward], np.int64)
    n_pixels = image.shape[0] * image.shape[1]
    mean_sq = for_pixels(graphs.sampled_neighbour_sq_diff, n_pixels)(np.ascontiguousarray(image), dy, dx, row_step)
    return 0.0 if mean_sq <= 0 else 1.0 / (2.0 * mean_sq)


def contrast_table(beta: float, n_channels: int = 3) -> np.ndarray:
    """GrabCut's exp(-beta s) for every squared colour distance s of two uint8 colours:
    (n_channels * 255^2 + 1,) float64 (:func:`segmix.kernels.graphs.contrast_table`).

    The last few tables are kept (2-3 ms each to build; the window cuts the same photo, so
    the same beta, after every click). Callers must not change the table.
    """
    key = (float(beta), int(n_channels))
    table = _CONTRAST_TABLES.get(key)
    if table is None:
        table = graphs.contrast_table(float(beta), int(n_channels))
        if len(_CONTRAST_TABLES) >= 4:
            _CONTRAST_TABLES.clear()
        _CONTRAST_TABLES[key] = table
    return table


_CONTRAST_TABLES: dict = {}


def cut_image(
    log_odds: np.ndarray,
    image: np.ndarray,
    fixed: np.ndarray | None = None,
    gamma: float = 50.0,
    connectivity: int = 8,
    beta: float | None = None,
) -> np.ndarray:
    """Exact minimum of the GrabCut energy at full resolution: (H, W) bool.

    Same result as ``cut(log_odds, contrast_weights(image, gamma, connectivity), fixed)``,
    but the graph is built by one parallel kernel without (n_directions, H, W) temporaries.

    Parameters
    ----------
    log_odds : (H, W) float, cost of background minus cost of foreground
    image : (H, W, 3) uint8
    fixed : (H, W) uint8, optional; 0 free, 1 fixed foreground, 2 fixed background
    gamma : float
    connectivity : {4, 8}
    beta : float, optional; default :func:`contrast_beta` of ``image``
    """
    h, w = log_odds.shape
    if fixed is None:
        fixed = np.zeros((h, w), np.uint8)
    if connectivity == 16:  # the padded grid has a one-pixel border: knight moves need the compact graph
        return cut_free(log_odds, image, fixed, gamma, connectivity, beta)
    fixed = np.ascontiguousarray(fixed, dtype=np.uint8)
    dy, dx = _all_directions(connectivity)
    if beta is None:
        beta = contrast_beta(image, connectivity)
    terminal, capacity = for_pixels(graphs.grid_graph, h * w)(
        np.ascontiguousarray(image), np.ascontiguousarray(log_odds, dtype=np.float32), fixed,
        float(gamma), contrast_table(beta, image.shape[2]), dy, dx,
    )
    n_fwd = dy.size // 2
    offsets = dy * (w + 2) + dx
    opposite = _opposite_directions(n_fwd)
    tree = grid_maxflow(terminal, capacity, offsets, opposite)
    del capacity, terminal
    mask = tree.reshape(h + 2, w + 2)[1:-1, 1:-1] == 1
    mask[fixed == FIXED_FOREGROUND] = True
    mask[fixed == FIXED_BACKGROUND] = False
    return mask


def cut_blocks(log_odds: np.ndarray, image: np.ndarray, factor: int, gamma: float = 50.0,
               connectivity: int = 8) -> np.ndarray:
    """Exact minimum of the GrabCut energy on ``factor`` x ``factor`` blocks: (Hc, Wc) bool.

    The coarse level of :func:`cut_multiscale` on its own (:class:`BlockGraph`): each
    block's unary is the sum of its pixels' ``log_odds``, its colour their rounded mean, the
    pair weights ``gamma * factor`` (a block boundary is ``factor`` pixel pairs long) times
    GrabCut's contrast term with beta of the block image, and the cut is exact on that grid
    (the minimal minimum cut, as :func:`cut_image`). No full-resolution pass: a caller
    decides what the pixels near the block boundary get (the skin detector's graph-cut
    regions, :func:`segmix.skin_detect.skin_mask`). ``factor`` 1 is :func:`cut_image`.

    Parameters
    ----------
    log_odds : (H, W) float, cost of background minus cost of foreground
    image : (H, W, 3) uint8
    factor : int >= 1, block side in pixels (the last row and column of blocks may be partial)
    gamma : float, the Potts weight per pixel pair
    connectivity : {4, 8} (16 only with ``factor`` 1)

    Returns
    -------
    (ceil(H / factor), ceil(W / factor)) bool, True = foreground block
    """
    return BlockGraph(image, factor, gamma, connectivity).cut(log_odds)


class BlockGraph:
    """The block grid of :func:`cut_blocks` for one photo, cut again for other unaries.

    The pair capacities depend on the photo, the block side, gamma and the neighbourhood
    only: built once (block colours, beta, arcs), each :meth:`cut` sums the new log odds per
    block and runs the max-flow from zero flow on a copy of the arcs, so a cut gives the same
    mask bit for bit whether the graph was kept or built for it (no warm start: the float32
    rounding of a carried flow could move a tie).

    Parameters
    ----------
    image : (H, W, 3) uint8
    factor : int >= 1; gamma : float; connectivity : {4, 8} (16 with ``factor`` 1)

    Raises
    ------
    ValueError
        If ``factor`` < 1, or connectivity 16 on blocks.
    """

    def __init__(self, image: np.ndarray, factor: int, gamma: float = 50.0, connectivity: int = 8):
        factor = int(factor)
        if factor < 1:
            raise ValueError(f"factor must be a positive number of pixels; got {factor!r}")
        self.image, self.factor, self.gamma, self.connectivity = image, factor, float(gamma), int(connectivity)
        self.shape = image.shape[:2]
        if factor == 1:
            return  # cut_image builds its graph with the unaries in one pass
        if connectivity not in (4, 8):
            raise ValueError(f"the block cut's connectivity must be 4 or 8; got {connectivity!r}")
        h, w = self.shape
        coarse_image = graphs.block_means(np.ascontiguousarray(image), factor)
        hc, wc = coarse_image.shape[:2]
        dy, dx = _all_directions(connectivity)
        n_fwd = dy.size // 2
        # beta (contrast_beta's) and grid_graph's capacities in one pass, each pair's
        # exponential once: a photo's beta is its own, so a table of exponentials per photo
        # cost more than the rest of the graph
        _, self._capacity = graphs.block_graph_arcs(coarse_image, self.gamma * factor, dy, dx)
        self._neighbour = _grid_neighbours(hc, wc, connectivity)
        self._opposite = _opposite_directions(n_fwd)
        self._coarse_shape = (hc, wc)

    def cut(self, log_odds: np.ndarray) -> np.ndarray:
        """(Hc, Wc) bool foreground blocks for ``log_odds`` (H, W), the photo's shape."""
        if log_odds.shape != self.shape:
            raise ValueError(f"log_odds has shape {log_odds.shape}; the photo is {self.shape}")
        odds = np.ascontiguousarray(log_odds, dtype=np.float32)
        if self.factor == 1:
            return cut_image(odds, self.image, None, self.gamma, self.connectivity)
        return self.cut_sums(graphs.block_sums(odds, self.factor))

    def cut_sums(self, block_sums: np.ndarray) -> np.ndarray:
        """:meth:`cut` from the blocks' unaries already summed: (Hc, Wc) float32, the sums of
        the log odds over each block (:func:`segmix.kernels.graphs.block_sums`), for a caller
        that sums them in a pass of its own. Not for ``factor`` 1.

        Raises
        ------
        ValueError
            If the graph is of factor 1 or ``block_sums`` is not of the block grid's shape.
        """
        if self.factor == 1:
            raise ValueError("cut_sums needs blocks (factor > 1); use cut on the log odds")
        hc, wc = self._coarse_shape
        if block_sums.shape != (hc, wc):
            raise ValueError(f"block_sums has shape {block_sums.shape}; the block grid is {(hc, wc)}")
        terminal = np.zeros((hc + 2, wc + 2), np.float32)
        terminal[1:-1, 1:-1] = block_sums
        tree = _max_flow(terminal.reshape(-1), self._capacity.copy(), self._neighbour, self._opposite)
        return tree.reshape(hc + 2, wc + 2)[1:-1, 1:-1] == _SOURCE_TREE


@functools.lru_cache(maxsize=4)
def _grid_neighbours(hc: int, wc: int, connectivity: int) -> np.ndarray:
    """(N, n_dirs) int32 arc heads of the padded (hc + 2) x (wc + 2) grid for
    :func:`segmix.kernels.maxflow.graph_maxflow` (which only reads them): the same for every
    photo of one size, so kept. Callers must not change it."""
    dy, dx = _all_directions(connectivity)
    n = (hc + 2) * (wc + 2)
    neighbour = np.arange(n, dtype=np.int32)[:, None] + (dy * (wc + 2) + dx).astype(np.int32)[None, :]
    np.clip(neighbour, 0, n - 1, out=neighbour)
    return neighbour


def _block_reduce(values: np.ndarray, factor: int, how: str) -> np.ndarray:
    """Sum / mean / any over factor x factor blocks; the last partial blocks are padded."""
    h, w = values.shape[:2]
    hc, wc = -(-h // factor), -(-w // factor)
    pad = [(0, hc * factor - h), (0, wc * factor - w)] + [(0, 0)] * (values.ndim - 2)
    mode = "constant" if how in ("sum", "any") else "edge"
    padded = np.pad(values, pad, mode=mode)
    blocks = padded.reshape(hc, factor, wc, factor, *values.shape[2:])
    if how == "sum":
        return blocks.sum(axis=(1, 3), dtype=np.float64)
    if how == "any":
        return blocks.any(axis=(1, 3))
    return blocks.mean(axis=(1, 3))


def _max_flow(terminal, capacity, neighbour, opposite) -> np.ndarray:
    """:func:`segmix.kernels.maxflow.graph_maxflow` that stops with the caller's cancel
    (:mod:`segmix.cancel_points`): its stop flag is read inside the kernel, so a cancel stops
    even one long flow (the refinement's last max-flow of a 12 MP photo ran ~10 s past Esc).

    Raises
    ------
    Exception
        The enclosing cancel (:func:`segmix.cancel_points.stopped`) when the flag was set;
        ``terminal`` and ``capacity`` are then a flow that is not maximal (callers drop them:
        the warm caches unset their key before the flow).
    """
    try:
        return maxflow.graph_maxflow(terminal, capacity, neighbour, opposite, stop_flag())
    except maxflow.FlowStopped:
        stopped()


def _stop_flag() -> np.ndarray:
    """The caller's stop flag (:func:`segmix.cancel_points.stop_flag`) or one nobody sets."""
    flag = stop_flag()
    return maxflow.no_stop() if flag is None else flag


def _parts_ended(statuses) -> None:
    """Raise the cancel if any :func:`segmix.kernels.maxflow.graph_maxflow_part` call (their
    statuses) was stopped; called once every call has returned (no helper still runs)."""
    if any(status != maxflow.FLOW_DONE for status in statuses):
        stopped()


def grid_maxflow(terminal, capacity, offsets, opposite) -> np.ndarray:
    """Min cut of a padded grid graph: arc (i, d) goes to i + offsets[d].

    Parameters
    ----------
    terminal : (N,) float32; capacity : (N, n_dirs) float32 (both modified in place)
    offsets : (n_dirs,) int64; opposite : (n_dirs,) int64

    Returns
    -------
    tree : (N,) int8, see :func:`segmix.kernels.maxflow.graph_maxflow`
        (the grid's one-pixel padding has zero capacities, so it plays the sentinel).
    """
    n = terminal.shape[0]
    neighbour = np.arange(n, dtype=np.int32)[:, None] + offsets.astype(np.int32)[None, :]
    np.clip(neighbour, 0, n - 1, out=neighbour)
    return _max_flow(terminal, capacity, neighbour, opposite)


_NO_PARENT = np.full((1, 1), -1, np.int8)
_UNKNOWN_COARSE = np.zeros((1, 1), np.bool_)


def _compact_cut(log_odds, image, fixed, coarse, near, factor, gamma, connectivity, beta, parent=None,
                 warm=None, large=False) -> np.ndarray:
    """Cut over the free pixels only (see :func:`segmix.kernels.graphs.band_graph`);
    ``parent`` (H, W) int8, optional: star-convexity parents (:func:`star_parents`);
    ``warm``, optional: a :class:`_WarmBand` to start from and update (no star);
    ``large``: a graph of one piece starts its max-flow from a coarse one
    (:func:`_coarse_warm_start`) and runs it in halves first (:func:`_maxflow_in_halves`)."""
    dy, dx = _all_directions(connectivity)
    args = (
        np.ascontiguousarray(image), np.ascontiguousarray(log_odds, dtype=np.float32),
        np.ascontiguousarray(fixed, dtype=np.uint8), np.ascontiguousarray(coarse, dtype=np.bool_),
        np.ascontiguousarray(near, dtype=np.bool_), int(factor), float(gamma), contrast_table(beta, image.shape[2]), dy, dx,
        _NO_PARENT if parent is None else np.ascontiguousarray(parent, dtype=np.int8),
    )
    pieces_pending = None
    if threads.split_in_two(log_odds.size):
        index, terminal, capacity, neighbour = _band_graph_in_two(*args)
        if warm is not None:  # the pieces are found on the helper while the flow is carried over
            pieces_pending = threads.beside(_band_pieces, index, near, factor, terminal.shape[0] - 1)
    else:
        index, terminal, capacity, neighbour = for_pixels(graphs.band_graph, log_odds.size)(*args)
    if warm is not None:
        warm.carry(index, terminal, capacity, dy, dx)
    n_fwd = dy.size // 2
    opposite = _opposite_directions(n_fwd)
    if pieces_pending is not None:
        pieces = pieces_pending.result()
    else:
        pieces = _band_pieces(index, near, factor, terminal.shape[0] - 1)
    # A cancelled job stops between the max-flow's stages (segmix.cancel_points): no helper
    # runs here, and a warm band not kept is dropped by its next acquire (its key is unset).
    checkpoint()
    if pieces is None:
        maxflow.push_short_paths(terminal, capacity, neighbour, opposite)
        checkpoint()
        if large:
            reach = int(max(np.max(np.abs(dy)), np.max(np.abs(dx))))
            _coarse_warm_start(index, terminal, capacity, neighbour, opposite, dy, dx, max(WARM_START_FACTOR, reach))
            checkpoint()
            tree = _maxflow_in_halves(terminal, capacity, neighbour, opposite, index, reach)
        else:
            tree = _max_flow(terminal, capacity, neighbour, opposite)
    else:
        tree = np.zeros(terminal.shape[0], np.int8)
        taken = itertools.count()  # next() on a count is atomic under the GIL
        stop = _stop_flag()  # taken here: the helper thread does not see this thread's

        def solve() -> int:
            # The greedy preflow and the max-flow of whole pieces touch only their own
            # nodes' entries (in the same order as over the whole graph), and release the GIL.
            while (i := next(taken)) < len(pieces):
                maxflow.push_short_paths_part(terminal, capacity, neighbour, opposite, pieces[i])
                status = maxflow.graph_maxflow_part(terminal, capacity, neighbour, opposite, pieces[i], tree, stop)
                if status != maxflow.FLOW_DONE:
                    return status
            return maxflow.FLOW_DONE

        other = threads.beside(solve)
        mine = solve()
        _parts_ended((mine, other.result()))  # the helper is free again before a cancel leaves
    if warm is not None:
        warm.keep(index, capacity)
    del terminal, capacity, neighbour
    band_mask = for_pixels(graphs.band_mask, index.size)
    return band_mask(np.ascontiguousarray(fixed, dtype=np.uint8), coarse, near, int(factor), index, tree)


# The block side (px) of the coarse graph that starts a very large band's max-flow
# (_coarse_warm_start). The boundary refinement's band of a 24-megapixel photo (1.24 M nodes):
# max-flow 6.6-7.5 s of CPU from scratch; from the coarse flow at 4 px blocks (79k nodes,
# 0.06 s) 3.8-4.1 s; at 2 px 3.8 s after 0.4 s for the coarse flow; at 8 px 4.5 s.
WARM_START_FACTOR = 4


def _coarse_warm_start(index, terminal, capacity, neighbour, opposite, dy, dx, factor) -> None:
    """Start a band graph's max-flow from the max-flow of its coarse copy (in place).

    The band nodes are summed by ``factor`` x ``factor`` blocks
    (:func:`segmix.kernels.graphs.coarse_band_graph`), the coarse graph's max-flow is
    found, and its flow between blocks is spread over the fine arcs between them
    (:func:`segmix.kernels.graphs.project_coarse_flow`). Any flow on the arcs within their
    capacities is a feasible start (terminals are source minus sink capacities, as for
    :class:`_WarmBand`), so the max-flow from there reaches the same minimum cut, with the
    far transport (a gamma that grows with the photo makes the augmenting paths long) done
    on 1/16 of the nodes.
    """
    coarse_terminal, coarse_capacity, coarse_neighbour = graphs.coarse_band_graph(
        index, terminal, capacity, neighbour, dy, dx, int(factor))
    residual = coarse_capacity.copy()
    coarse_opposite = (7 - np.arange(8)).astype(np.int64)
    maxflow.push_short_paths(coarse_terminal, residual, coarse_neighbour, coarse_opposite)
    _max_flow(coarse_terminal, residual, coarse_neighbour, coarse_opposite)
    graphs.project_coarse_flow(index, terminal, capacity, neighbour, opposite, dy, dx, int(factor),
                               coarse_capacity, residual)


def _maxflow_in_halves(terminal, capacity, neighbour, opposite, index, reach):
    """:func:`segmix.kernels.maxflow.graph_maxflow` of a band graph, its two halves first: (n + 1,) int8.

    The arcs between the nodes of the rows above and below the row where half the nodes
    are numbered (``index``, row by row; arcs reach ``reach`` rows) are set aside; each half's
    max-flow runs on its own (the two at once when two threads are set: the kernel releases
    the GIL); then the arcs are put back with their capacities (no flow went through them)
    and the max-flow of the whole graph starts from the halves' residual graph (a feasible
    flow: the warm start of :class:`_WarmBand`), routing only what crosses the seam. It
    ends at the same minimum cut as the max-flow from scratch (the nodes reachable from the
    source in the final residual graph; the flows' float32 rounding differs).

    Why: on one connected band, Boykov-Kolmogorov's augmenting paths grow with the cut's
    gamma, which grows with the photo (the boundary refinement's band of a 24-megapixel
    photo, 1.24 M nodes: 6.7 s of CPU). The halves do the same work as the whole (6.5-7.0 s
    of CPU with the seam's; the seam's own share was 0.2 s), but on two cores in half the time.
    The choice of halves depends on the photo's size only (the caller's), never on the
    threads: the result never depends on the machine's state.
    """
    n = terminal.shape[0] - 1
    row_start = np.zeros(index.shape[0] + 1, np.int64)
    np.cumsum(np.count_nonzero(index >= 0, axis=1), out=row_start[1:])
    row = int(np.searchsorted(row_start, n // 2))
    middle = int(row_start[min(row, index.shape[0])])
    if middle <= 0 or middle >= n:
        return _max_flow(terminal, capacity, neighbour, opposite)
    # Only nodes within ``reach`` rows of the seam have arcs across it.
    lo = int(row_start[max(0, row - reach)])
    hi = int(row_start[min(index.shape[0], row + reach)])
    ends = neighbour[lo:hi]
    crossing = ((ends < middle) != (np.arange(lo, hi) < middle)[:, None]) & (ends != n)
    rows, dirs = np.nonzero(crossing)
    rows += lo
    saved_capacity = capacity[rows, dirs].copy()
    saved_neighbour = neighbour[rows, dirs].copy()
    # Each half a graph of its own: no arc reaches the other (the parts of
    # graph_maxflow_part), its nodes' arcs across point to the sentinel with no capacity.
    capacity[rows, dirs] = 0.0
    neighbour[rows, dirs] = n
    scratch = np.zeros(n + 1, np.int8)
    upper = np.arange(middle, dtype=np.int32)
    lower = np.arange(middle, n, dtype=np.int32)
    stop = _stop_flag()  # taken here: the helper thread does not see this thread's
    if threads.get_num_threads() > 1:
        other = threads.beside(maxflow.graph_maxflow_part, terminal, capacity, neighbour, opposite, lower, scratch,
                               stop)
        mine = maxflow.graph_maxflow_part(terminal, capacity, neighbour, opposite, upper, scratch, stop)
        _parts_ended((mine, other.result()))  # both halves have returned: no helper runs on
    else:
        _parts_ended((maxflow.graph_maxflow_part(terminal, capacity, neighbour, opposite, upper, scratch, stop),))
        _parts_ended((maxflow.graph_maxflow_part(terminal, capacity, neighbour, opposite, lower, scratch, stop),))
    capacity[rows, dirs] = saved_capacity
    neighbour[rows, dirs] = saved_neighbour
    checkpoint()  # between the halves and the whole (segmix.cancel_points; both halves have ended)
    return _max_flow(terminal, capacity, neighbour, opposite)


def _band_graph_in_two(image, log_odds, fixed, coarse, near, factor, gamma, contrast, dy, dx, parent):
    """:func:`segmix.kernels.graphs.band_graph`'s arrays, the arcs built on two threads
    (:func:`segmix.kernels.threads.split_in_two`): the same arrays bit for bit."""
    index, row_start = graphs.band_nodes(fixed, near, factor)
    n = int(row_start[-1])
    n_dirs = dy.shape[0]
    terminal = np.zeros(n + 1, np.float32)
    capacity = np.zeros((n + 1, n_dirs), np.float32)
    neighbour = np.full((n + 1, n_dirs), n, np.int32)
    # Rows split where half the nodes are numbered.
    middle = int(np.searchsorted(row_start, n // 2))
    arcs = (image, log_odds, fixed, coarse, near, factor, gamma, contrast, dy, dx, parent, index,
            terminal, capacity, neighbour)
    other = threads.beside(graphs.band_arcs, *arcs, middle, image.shape[0])
    graphs.band_arcs(*arcs, 0, middle)
    other.result()
    return index, terminal, capacity, neighbour


# Splitting the band's max-flow over two threads pays off only for large bands that are not
# one piece (the band of a 1080p photo has ~90k nodes in 6-50 pieces, the largest
# typically 40-60 % of the nodes).
PARALLEL_MIN_NODES = 20_000
PARALLEL_MIN_SHARE = 0.15
# The pieces go to the two threads in up to this many groups, largest first, each thread
# taking the next group when it is done: pieces of equal size can take the max-flow very
# different times, so two fixed halves of equal size often finished far apart.
MAX_PIECE_GROUPS = 16


def _band_pieces(index, near, factor, n_nodes):
    """Nodes of the band graph in groups of whole connected pieces, largest first, or None.

    The band's coarse blocks are labelled in 8-connected pieces (fine pixels of different
    pieces are never neighbours, so no arc joins them). Pieces are taken largest first and
    packed into at most about ``MAX_PIECE_GROUPS`` groups (a piece larger than a group's
    share is a group of its own), each group's nodes in increasing order. None when one
    thread is configured, the band is small, or its largest piece holds more than
    ``1 - PARALLEL_MIN_SHARE`` of the nodes.

    Returns
    -------
    list of (M_i,) int32 arrays, or None
    """
    if n_nodes < PARALLEL_MIN_NODES or threads.get_num_threads() < 2 or near.size < 2:
        return None
    from scipy import ndimage

    labels, count = ndimage.label(near, structure=np.ones((3, 3), bool))
    if count < 2:
        return None
    node_labels = for_pixels(graphs.band_node_labels, index.size)(index, labels.astype(np.int32), int(factor), int(n_nodes))
    sizes = np.bincount(node_labels[:n_nodes], minlength=count + 1)
    order = np.argsort(-sizes[1:], kind="stable") + 1
    if sizes[order[0]] > (1.0 - PARALLEL_MIN_SHARE) * n_nodes:
        return None
    share = n_nodes / MAX_PIECE_GROUPS
    group = np.zeros(count + 1, np.int32)
    current, filled = 0, 0
    for label in order:
        group[label] = current
        filled += int(sizes[label])
        if filled >= share:
            current, filled = current + 1, 0
    n_groups = current + (filled > 0)
    node_group = group[node_labels[:n_nodes]]
    by_group = np.argsort(node_group, kind="stable").astype(np.int32)  # increasing nodes within a group
    bounds = np.cumsum(np.bincount(node_group, minlength=n_groups))
    return np.split(by_group, bounds[:-1])


def cut_free(
    log_odds: np.ndarray,
    image: np.ndarray,
    fixed: np.ndarray | None = None,
    gamma: float = 50.0,
    connectivity: int = 8,
    beta: float | None = None,
    star: float | None = None,
    large: bool = False,
) -> np.ndarray:
    """The exact cut of :func:`cut_image` on a graph of the free pixels only: (H, W) bool.

    Scribbled pixels get no node (their pair weights are folded into their neighbours'
    terminal capacities), so heavily scribbled images cost less; arcs are explicit
    neighbour indices (4 bytes per arc more than the implicit grid). ``star`` (None = off)
    adds geodesic star convexity around the fixed foreground with that colour weight (see
    :func:`star_parents`). ``large``: a very large graph (the caller decides from its photo's
    size), whose max-flow starts from a coarse copy's (:func:`_coarse_warm_start`) and runs
    on its two halves first, then on the whole from there (:func:`_maxflow_in_halves`, on
    two threads when set): the same minimum cut, up to the flows' float32 rounding.
    """
    h, w = log_odds.shape
    if fixed is None:
        fixed = np.zeros((h, w), np.uint8)
    if beta is None:
        beta = contrast_beta(image, connectivity)
    parent = None if star is None else star_parents(image, fixed, connectivity, star, beta)
    whole = np.ones((1, 1), np.bool_)
    return _compact_cut(log_odds, image, fixed, ~whole, whole, max(h, w), gamma, connectivity, beta, parent,
                        large=large)


class _WarmCoarseCut:
    """The coarse level of :func:`cut_multiscale`, warm-started from the previous cut of the same photo.

    Between two clicks (or strokes) on one photo the coarse graph's arcs do not change:
    they depend on the coarse image, gamma and the neighbourhood only. Only the terminal
    capacities change (new colour models, new marks). So the graph is built once per coarse
    image and the max-flow restarts from the previous residual graph (Kohli & Torr,
    "Efficiently solving dynamic Markov random fields using graph cuts", ICCV 2005): a
    change of a node's terminal capacity by delta changes its residual terminal capacity by
    delta (the terminal is stored as source minus sink capacity, so the flows on the pair
    arcs stay feasible), and the max-flow then only has to push what changed.

    The result is the same cut as :func:`cut_free`'s: both return the nodes reachable from
    the source in the final residual graph, which is the unique minimal minimum cut, however
    the flow got there (up to float32 rounding). To keep the node set fixed, a marked
    coarse pixel is not removed from the graph (as :func:`cut_free` does) but tied to its
    terminal by a capacity above the sum of its pair capacities, which no minimum cut
    can pay: the same constraint.

    One entry (the last coarse image), keyed by a CRC-32 of the coarse image, gamma and the
    neighbourhood; up to :data:`WARM_MAX_NODES` nodes (a 1080p photo has 130k coarse nodes,
    17 MB of state). A call while another thread holds the entry returns None (the caller
    cuts from scratch).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._key = None
        self._neighbour = None  # (n + 1, n_dirs) int32, node n the sentinel
        self._tie = None  # (n + 1,) float64, the terminal capacity of a marked node
        self._terminal = None  # (n + 1,) float64 terminal capacities of the last cut
        self._residual = None  # (n + 1,) float32 residual terminal capacities after it
        self._capacity = None  # (n + 1, n_dirs) float32 residual pair capacities after it

    def clear(self) -> None:
        with self._lock:
            self._key = self._neighbour = self._tie = None
            self._terminal = self._residual = self._capacity = None

    def forget_photo(self) -> bool:
        """:meth:`clear` unless a cut holds the entry now (segmix.photo_caches): True if cleared."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self._key = self._neighbour = self._tie = None
            self._terminal = self._residual = self._capacity = None
        finally:
            self._lock.release()
        return True

    def cut(self, log_odds, image, fixed, gamma, connectivity):
        """(Hc, Wc) bool, the cut of ``cut_free(log_odds, image, fixed, gamma, connectivity)``; or None."""
        h, w = log_odds.shape
        if h * w > WARM_MAX_NODES or not self._lock.acquire(blocking=False):
            return None
        try:
            image = np.ascontiguousarray(image)
            key = (image.shape, zlib.crc32(memoryview(image).cast("B")), float(gamma), int(connectivity))
            dy, dx = _all_directions(connectivity)
            opposite = _opposite_directions(dy.size // 2)
            if key != self._key:
                self._key = None
                whole = np.ones((1, 1), np.bool_)
                _, _, capacity, neighbour = for_pixels(graphs.band_graph, h * w)(
                    image, np.zeros((h, w), np.float32), np.zeros((h, w), np.uint8), ~whole, whole,
                    max(h, w), float(gamma), contrast_table(contrast_beta(image, connectivity), image.shape[2]), dy, dx,
                    _NO_PARENT,
                )
                self._neighbour, self._capacity = neighbour, capacity
                self._tie = 2.0 * capacity.sum(axis=1, dtype=np.float64) + 1.0
                self._terminal = self._residual = None
            flat_fixed = np.ascontiguousarray(fixed, dtype=np.uint8).reshape(-1)
            terminal = np.zeros(h * w + 1)
            terminal[:-1] = log_odds.reshape(-1)
            terminal[:-1] = np.where(flat_fixed == FIXED_FOREGROUND, self._tie[:-1], terminal[:-1])
            terminal[:-1] = np.where(flat_fixed == FIXED_BACKGROUND, -self._tie[:-1], terminal[:-1])
            if self._residual is None:
                residual = terminal.astype(np.float32)
            else:
                residual = (self._residual + (terminal - self._terminal)).astype(np.float32)
            self._key = None  # the state is inconsistent until the flow is done
            maxflow.push_short_paths(residual, self._capacity, self._neighbour, opposite)
            tree = _max_flow(residual, self._capacity, self._neighbour, opposite)
            self._terminal, self._residual, self._key = terminal, residual, key
            mask = (tree[:-1] == _SOURCE_TREE).reshape(h, w)
            mask[fixed == FIXED_FOREGROUND] = True
            mask[fixed == FIXED_BACKGROUND] = False
            return mask
        finally:
            self._lock.release()


class _WarmBand:
    """The fine level of :func:`cut_multiscale`, warm-started from the previous band cut of the same photo.

    Between clicks the band moves a little and the unaries change, but the photo, and so
    every pair capacity, stays the same: the previous max-flow's flow on each arc whose two
    pixels are in both bands is carried over
    (:func:`segmix.kernels.graphs.carry_band_flow`), the rest starts empty, and the
    max-flow only pushes what changed. As for :class:`_WarmCoarseCut` the cut is the same
    (the nodes reachable from the source in the final residual graph); one entry, keyed by
    a CRC-32 of the photo, gamma, beta, the neighbourhood and the coarse factor; a call while
    another thread holds it cuts from scratch.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._key = None
        self._index = None  # (H, W) int32 node map of the last band graph
        self._capacity = None  # its residual pair capacities after the max-flow

    def clear(self) -> None:
        with self._lock:
            self._key = self._index = self._capacity = None

    def forget_photo(self) -> bool:
        """:meth:`clear` unless a cut holds the entry now (segmix.photo_caches): True if cleared."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self._key = self._index = self._capacity = None
        finally:
            self._lock.release()
        return True

    def acquire(self, image, gamma, beta, connectivity, factor, crc=None) -> bool:
        """Hold the entry for one cut of ``image``; False if another thread holds it.
        ``crc``: the CRC-32 of ``image``'s bytes if already known."""
        if not self._lock.acquire(blocking=False):
            return False
        if crc is None:
            crc = zlib.crc32(memoryview(image).cast("B"))
        key = (image.shape, int(crc), float(gamma), float(beta), int(connectivity), int(factor))
        if key != self._key:
            self._index = self._capacity = None
        self._key = None  # inconsistent until keep()
        self._pending = key
        return True

    def carry(self, index, terminal, capacity, dy, dx) -> None:
        if self._index is not None and self._index.shape == index.shape:
            for_pixels(graphs.carry_band_flow, index.size)(index, terminal, capacity, dy, dx,
                                                           self._index, self._capacity)

    def keep(self, index, capacity) -> None:
        if index.nbytes + capacity.nbytes > WARM_MAX_BAND_BYTES:
            self._index = self._capacity = None  # a very large photo: not worth the memory
            return
        self._index, self._capacity, self._key = index, capacity, self._pending

    def release(self) -> None:
        self._lock.release()


# The band state kept between cuts at most (1080p: 8 MB of node map plus 10-15 MB of arcs).
WARM_MAX_BAND_BYTES = 160_000_000
_WARM_BAND = _WarmBand()


# Coarse levels up to this many nodes keep their residual graph between cuts (a 12-MP photo's
# 1/6 level has 333k nodes, 44 MB of state).
WARM_MAX_NODES = 400_000
_SOURCE_TREE = 1
_WARM_COARSE = _WarmCoarseCut()


class _WarmFreeCut:
    """:func:`cut_free` of one graph whose unaries move, warm-started from its last max-flow.

    Why: a threshold slider moved after clicks re-cuts one step's box again and again
    (:func:`segmix.segment._at_threshold`), each time with the same photo, marks, smoothness
    and pair capacities and log odds shifted by a constant. Weak log odds against a strong
    smoothness make that graph's augmenting paths long (a DAVIS frame's 48k-node box after 5
    clicks: 1.3-4 s from scratch at load 5). As :class:`_WarmCoarseCut` does (Kohli & Torr,
    ICCV 2005), the residual graph of the last max-flow is kept, a change of the log odds by
    delta changes a node's residual terminal capacity by delta, and the max-flow pushes only
    what changed: the next threshold's cut in 0.02-1 s there, the same cut (the nodes
    reachable from the source in the final residual graph, the unique minimal minimum cut, up
    to float32 rounding).

    One entry, keyed by the photo's and the fixed pixels' CRC-32, gamma, beta and the
    neighbourhood; graphs of up to :data:`WARM_MAX_NODES` free pixels. A call while another
    thread holds the entry, or on a larger graph, cuts from scratch (:func:`cut_free`).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entry = None  # (key, index, log odds (n,) float64, residual terminal, capacity, neighbour)

    def clear(self) -> None:
        with self._lock:
            self._entry = None

    def forget_photo(self) -> bool:
        """:meth:`clear` unless a cut holds the entry now (segmix.photo_caches): True if cleared."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self._entry = None
        finally:
            self._lock.release()
        return True

    def cut(self, log_odds, image, fixed, gamma, connectivity, beta) -> np.ndarray:
        """(H, W) bool: ``cut_free(log_odds, image, fixed, gamma, connectivity, beta)``.

        Parameters as :func:`cut_free` (``fixed`` (H, W) uint8 is required, ``beta`` a float)."""
        fixed = np.ascontiguousarray(fixed, dtype=np.uint8)
        n_free = int(np.count_nonzero(fixed == 0))
        if n_free > WARM_MAX_NODES or not self._lock.acquire(blocking=False):
            return cut_free(log_odds, image, fixed, gamma, connectivity, beta)
        try:
            image = np.ascontiguousarray(image)
            key = (image.shape, zlib.crc32(memoryview(image).cast("B")), zlib.crc32(memoryview(fixed).cast("B")),
                   float(gamma), float(beta), int(connectivity))
            dy, dx = _all_directions(connectivity)
            opposite = _opposite_directions(dy.size // 2)
            h, w = fixed.shape
            whole = np.ones((1, 1), np.bool_)
            entry, self._entry = self._entry, None  # inconsistent until the flow is done
            if entry is not None and entry[0] == key:
                _, index, before, residual, capacity, neighbour = entry
                odds = _node_values(log_odds, index, residual.shape[0] - 1)
                terminal = residual.astype(np.float64)
                terminal[:-1] += odds - before
                terminal = terminal.astype(np.float32)
            else:
                index, terminal, capacity, neighbour = for_pixels(graphs.band_graph, h * w)(
                    image, np.ascontiguousarray(log_odds, dtype=np.float32), fixed, ~whole, whole, max(h, w),
                    float(gamma), contrast_table(beta, image.shape[2]), dy, dx, _NO_PARENT)
                odds = _node_values(log_odds, index, terminal.shape[0] - 1)
            maxflow.push_short_paths(terminal, capacity, neighbour, opposite)
            tree = _max_flow(terminal, capacity, neighbour, opposite)
            self._entry = (key, index, odds, terminal, capacity, neighbour)
            return for_pixels(graphs.band_mask, index.size)(fixed, ~whole, whole, max(h, w), index, tree)
        finally:
            self._lock.release()


_WARM_FREE = _WarmFreeCut()


def _node_values(values, index, n) -> np.ndarray:
    """(n,) float64: ``values`` (H, W) at each node of ``index`` (H, W) int32 (-1: no node), as float32 first (the graph's own rounding)."""
    out = np.zeros(n)
    taken = index >= 0
    out[index[taken]] = np.asarray(values, np.float32)[taken]
    return out


def cut_free_kept(log_odds, image, fixed, gamma: float, connectivity: int, beta: float) -> np.ndarray:
    """:func:`cut_free` that keeps its max-flow for the next call on the same graph with other
    log odds (:class:`_WarmFreeCut`): (H, W) bool, the same cut."""
    return _WARM_FREE.cut(log_odds, image, fixed, gamma, connectivity, beta)


# Raster-scan pass pairs of the star's geodesic distances: two reach the exact distances on
# all but spiral-like paths; the tree only needs each parent strictly nearer the seeds.
STAR_PASSES = 2


def star_parents(image, fixed, connectivity: int = 8, colour_weight: float = 0.0, beta: float | None = None,
                 passes: int = STAR_PASSES) -> np.ndarray | None:
    """Parents of geodesic star convexity around the fixed foreground: (H, W) int8, or None.

    Gulshan, Rother, Criminisi, Blake & Zisserman, "Geodesic star convexity for interactive
    image segmentation", CVPR 2010: the foreground marks are the star's centres; every pixel
    is joined to them by its shortest path under the step cost ``sqrt(|step|^2 +
    colour_weight^2 * 2 beta ||z_p - z_q||^2)`` (``2 beta ||dz||^2`` is 1 for an average
    neighbour difference of the photo; ``colour_weight = 0``: straight lines, Veksler's
    Euclidean star convexity with the nearest mark as centre), and a pixel may be
    foreground only if the next pixel on its path is. Paths never cross a background mark
    (so a negative click never cuts a star ray). Direction indices are those of the graph's
    neighbour offsets (forward ones, then their reverses).

    Returns None when nothing is marked foreground.
    """
    fixed = np.ascontiguousarray(fixed, dtype=np.uint8)
    seeds = fixed == FIXED_FOREGROUND
    if not seeds.any():
        return None
    if beta is None:
        beta = contrast_beta(image, connectivity)
    features = np.ascontiguousarray(image, dtype=np.float32)
    lam2 = float(colour_weight) ** 2 * 2.0 * float(beta)
    blocked = fixed == FIXED_BACKGROUND
    dy, dx = _all_directions(connectivity)
    dist = geodesic.geodesic_distance(features, seeds, blocked, lam2, dy, dx, int(passes))
    return geodesic.geodesic_parents(dist, features, blocked, lam2, dy, dx)


def geodesic_grid_distances(image, seeds, factor: int, colour_weight: float) -> list[np.ndarray]:
    """Geodesic distances on the grid of ``factor`` x ``factor`` block-mean colours.

    Bai & Sapiro, "A geodesic framework for fast interactive image and video segmentation
    and matting", ICCV 2007; Criminisi et al., GeoS, ECCV 2008: a step between neighbouring
    cells (8 neighbours) costs ``sqrt(|step|^2 + colour_weight^2 * 2 beta ||dz||^2)`` cells,
    beta GrabCut's contrast constant of the grid, so a cell behind a colour edge is far from
    a seed beyond it.

    Parameters
    ----------
    image : (H, W, 3) uint8
    seeds : (n, Hs, Ws) bool, Hs = ceil(H / factor), Ws = ceil(W / factor)
        One map of seed cells per distance wanted.
    factor : int >= 1
    colour_weight : float >= 0 (0: Euclidean chamfer distances on the grid)

    Returns
    -------
    list of n (Hs, Ws) float distances in cells (inf where no seed is reachable)
    """
    h, w = image.shape[:2]
    hs, ws = np.shape(seeds)[1:]
    if factor > 1:
        reduce = for_pixels(graphs.block_reduce_level, h * w)
        small, _, _ = reduce(np.ascontiguousarray(image), np.zeros((h, w), np.float32), np.zeros((h, w), np.uint8), factor)
    else:
        small = np.ascontiguousarray(image)
    features = small.astype(np.float32)
    lam2 = float(colour_weight) ** 2 * 2.0 * contrast_beta(small, 8)
    dy, dx = _all_directions(8)
    blocked = np.zeros((hs, ws), bool)
    return [geodesic.geodesic_distance(features, np.ascontiguousarray(one, dtype=bool), blocked, lam2, dy, dx,
                                       STAR_PASSES) for one in seeds]


def estimate_beta(image: np.ndarray, connectivity: int = 8, max_pairs_rows: int = 256) -> float:
    """:func:`contrast_beta` from about ``max_pairs_rows`` evenly spaced rows (exact for small images).

    The mean squared neighbour difference of a photo is estimated from hundreds of
    thousands of pairs to well under 1 %, which moves the cut by a negligible amount.
    """
    h = image.shape[0]
    return contrast_beta(image, connectivity, row_step=max(1, h // max(1, int(max_pairs_rows))))


class _PhotoBeta:
    """:func:`estimate_beta` of the last photo cut, with the photo's CRC-32.

    Beta depends on the photo only, and the window cuts the same photo after every click
    (13 ms a cut at 1080p for the sampled pairs against 2-3 ms for the CRC, which the warm
    band's key needs anyway). One entry keyed by shape, CRC-32 of the bytes and the
    neighbourhood, so an array changed in place is measured again.
    """

    def __init__(self):
        self._entry = None  # ((shape, crc, connectivity), beta)

    def get(self, image: np.ndarray, connectivity: int) -> tuple[float, int]:
        """(beta, CRC-32 of ``image``'s bytes); ``image`` C-contiguous."""
        crc = zlib.crc32(memoryview(image).cast("B"))
        key = (image.shape, crc, int(connectivity))
        entry = self._entry  # one read: another thread may replace it meanwhile
        if entry is not None and entry[0] == key:
            return entry[1], crc
        beta = estimate_beta(image, connectivity)
        self._entry = (key, beta)
        return beta, crc


_PHOTO_BETA = _PhotoBeta()


def photo_beta(image: np.ndarray, connectivity: int = 8, max_exact_pixels: int = 40_000) -> float:
    """The contrast term's beta :func:`cut_multiscale` uses for ``image`` (H, W, 3) uint8: exact
    (:func:`contrast_beta`) up to ``max_exact_pixels`` pixels, else sampled and cached
    (:func:`estimate_beta`)."""
    if image.shape[0] * image.shape[1] <= max_exact_pixels:
        return contrast_beta(image, connectivity)
    return _PHOTO_BETA.get(np.ascontiguousarray(image), connectivity)[0]


#: The largest crop round a photo's unmarked pixels that :func:`cut_multiscale` cuts exactly
#: instead of coarse-to-fine (a box of about 100 x 100 px). A larger one keeps the banded cut:
#: on DAVIS boxes of 100-200 px a side the exact cut lost 0.006-0.024 IoU on 010, 015, 040 and
#: 041 (2 px round the object) and 0.105 on 056 (8 px round; docs/clicks_development.md,
#: session 58).
SMALL_FREE_CROP = 10_000
#: How far a pixel's neighbours reach (the 16-neighbourhood's knight moves: 2 px).
_NEIGHBOUR_REACH = 2


def _small_free_crop(fixed: np.ndarray, most: int) -> tuple[slice, slice] | None:
    """The crop (rows, columns) of ``fixed`` (H, W) uint8 round its unmarked (0) pixels and their
    neighbours when it holds at most ``most`` pixels, else None (none unmarked, or more)."""
    free = fixed == FREE
    rows, cols = np.flatnonzero(free.any(axis=1)), np.flatnonzero(free.any(axis=0))
    if rows.size == 0:
        return None
    h, w = fixed.shape
    top, bottom = max(0, int(rows[0]) - _NEIGHBOUR_REACH), min(h, int(rows[-1]) + 1 + _NEIGHBOUR_REACH)
    left, right = max(0, int(cols[0]) - _NEIGHBOUR_REACH), min(w, int(cols[-1]) + 1 + _NEIGHBOUR_REACH)
    if (bottom - top) * (right - left) > most:
        return None
    return slice(top, bottom), slice(left, right)


def cut_multiscale(
    log_odds: np.ndarray,
    image: np.ndarray,
    fixed: np.ndarray | None = None,
    gamma: float = 50.0,
    connectivity: int = 8,
    max_exact_pixels: int = 40_000,
    band: int | None = None,
    factor: int | None = None,
    star: float | None = None,
    coarse_only: bool = False,
    warm: bool = True,
    beta: float | None = None,
    seeds: np.ndarray | None = None,
    seed_reach: int = 1,
) -> np.ndarray:
    """Banded coarse-to-fine graph cut (Lombaert et al., ICCV 2005): (H, W) bool.

    Images of at most ``max_exact_pixels`` pixels are cut exactly (:func:`cut_image`).
    Larger ones are first cut on a grid downscaled by an integer factor f (default
    :func:`coarse_factor`; unaries summed over each f x f block, pair weights times f, so
    the coarse energy approximates the fine one), then cut again at full resolution only in a band of ``band`` pixels (default
    f, i.e. one coarse pixel beyond the coarse pixels on either side of the boundary) around
    the coarse boundary; outside the band pixels keep the coarse label. The fine cut is built
    over the band pixels only (:func:`segmix.kernels.graphs.band_graph`), never as a
    full-size grid, and GrabCut's beta is estimated from a sample of rows
    (:func:`estimate_beta`).
    This is not the exact optimum of the fine energy (structures thinner than the coarse grid
    and far from the coarse boundary can be lost), but on the DAVIS benchmark it segments
    better than the exact cut (see the comment at ``MAX_FACTOR``) at a fraction of the cost.

    Parameters
    ----------
    log_odds : (H, W) float
    image : (H, W, 3) uint8
    fixed : (H, W) uint8, optional
    gamma : float
    connectivity : {4, 8}
    max_exact_pixels : int
    band : int, optional
    factor : int, optional
    star : float, optional
        Geodesic star convexity around the fixed foreground with this colour weight
        (:func:`star_parents`), on both levels; None = off.
    coarse_only : bool
        Stop after the coarse level and return its labels spread to full resolution (each
        pixel its block's label, fixed pixels their own): a rough mask at a fraction of the
        cost, e.g. for refitting colour models. Small images are cut exactly either way.
    warm : bool
        Start both levels' max-flows from the previous call's residual graphs when the
        photo, gamma and neighbourhood are the same (:class:`_WarmCoarseCut`,
        :class:`_WarmBand`): the same cut, less max-flow work between clicks. No effect
        with ``star``.
    beta : float, optional
        The contrast term's beta; default :func:`estimate_beta` of ``image`` (cached per
        photo). Give the whole photo's when cutting a crop of it, so the crop's pair weights
        are the photo's.
    seeds : (H, W) bool, optional
        For a caller that keeps only the foreground 8-connected to these pixels (the
        segmentation's keep-connected step): the fine pass skips every part of the coarse
        result that cannot reach a seed (:func:`seeded_part`) and returns it as background.
        After that step the mask is the same as without ``seeds``; only the time differs.
    seed_reach : int
        The keep-connected step's reach with ``seeds`` (``segment.connection_reach``): its
        foreground pixels at most this many px apart count as joined (1: 8-connected).

    Raises
    ------
    ValueError
        If ``seeds`` is not of the image's height and width.
    """
    h, w = log_odds.shape
    if seeds is not None and np.shape(seeds) != (h, w):
        raise ValueError(f"seeds must be {h} x {w} like the image; got shape {np.shape(seeds)}")
    checkpoint()  # a cancelled job stops before each cut (apply_model runs several)
    if fixed is None:
        fixed = np.zeros((h, w), np.uint8)
    if h * w > max_exact_pixels and star is None:
        crop = _small_free_crop(fixed, min(SMALL_FREE_CROP, max_exact_pixels))
        if crop is not None:
            # Every unmarked pixel lies in a small crop (a box alone round a small object: all
            # outside it is marked background): the exact cut of the crop is the exact cut of
            # the photo (the marked pixels beyond it add a constant), and cheaper than the
            # coarse level, whose blocks could not hold the object: DAVIS 077's hiker, 20 x 35
            # px pasted on another frame, boxed 24 x 39, came back empty (exact: 109 px). The
            # photo's beta, as for the banded cut.
            if beta is None:
                beta = _PHOTO_BETA.get(np.ascontiguousarray(image), connectivity)[0]
            mask = fixed == FIXED_FOREGROUND
            mask[crop] = cut_image(np.ascontiguousarray(log_odds[crop], dtype=np.float32),
                                   np.ascontiguousarray(image[crop]), np.ascontiguousarray(fixed[crop]),
                                   gamma, connectivity, beta)
            return mask
    if h * w <= max_exact_pixels:
        if beta is None:
            beta = contrast_beta(image, connectivity)
        if star is not None:
            return cut_free(log_odds, image, fixed, gamma, connectivity, beta, star)
        return cut_image(log_odds, image, fixed, gamma, connectivity, beta)
    image = np.ascontiguousarray(image)
    fixed = np.ascontiguousarray(fixed, dtype=np.uint8)
    log_odds = np.ascontiguousarray(log_odds, dtype=np.float32)
    if beta is None:
        beta, crc = _PHOTO_BETA.get(image, connectivity)
    else:
        # A crop with the photo's beta: no cache entry of its own, and no warm state (keyed
        # by the photo's CRC) to share.
        beta, crc, warm = float(beta), 0, False
    if factor is None:
        factor = coarse_factor(h * w)
    factor = max(2, int(factor))
    band = factor if band is None else int(band)
    split = threads.split_in_two(h * w)
    reduce_pending = None
    if split:  # the block rows in two halves, the second on the helper
        hc, wc = -(-h // factor), -(-w // factor)
        coarse_image = np.empty((hc, wc, image.shape[2]), np.uint8)
        coarse_odds = np.empty((hc, wc), np.float32)
        coarse_fixed = np.empty((hc, wc), np.uint8)
        reduce_args = (image, log_odds, fixed, factor, coarse_image, coarse_odds, coarse_fixed)
        reduce_pending = threads.beside(graphs.block_reduce_rows, *reduce_args, hc // 2, hc)
    else:
        reduce = for_pixels(graphs.block_reduce_level, h * w)
        coarse_image, coarse_odds, coarse_fixed = reduce(image, log_odds, fixed, factor)
    dy, dx = _all_directions(connectivity)
    # The coarse level cannot represent a structure thinner than a block (an antenna, a
    # gap): the fine pass must also reach every block with a pixel whose full-resolution
    # evidence could overturn the coarse label (graphs.contested_blocks), with one block of
    # context around it. The test does not need the coarse cut: in the window
    # (threads.split_in_two) it runs on the helper thread while this one cuts the coarse level.
    contested_args = (int(factor), float(gamma), contrast_table(beta, image.shape[2]), dy, dx)
    contested_pending = None
    if not coarse_only and split:
        contested_pending = threads.beside(graphs.contested_blocks.serial, image, log_odds, fixed, _UNKNOWN_COARSE,
                                           *contested_args)
    if reduce_pending is not None:
        graphs.block_reduce_rows(*reduce_args, 0, hc // 2)
        reduce_pending.result()
    coarse = None
    try:
        if star is None and warm:
            coarse = _WARM_COARSE.cut(coarse_odds, coarse_image, coarse_fixed, gamma * factor, connectivity)
        if coarse is None:
            coarse = cut_free(coarse_odds, coarse_image, coarse_fixed, gamma * factor, connectivity, star=star)
    finally:
        contested_either = None if contested_pending is None else contested_pending.result()
    checkpoint()  # ... and between the levels (nothing held: the band's warm state is not taken yet)
    if coarse_only:
        mask = np.repeat(np.repeat(coarse, factor, axis=0), factor, axis=1)[:h, :w]
        mask[fixed == FIXED_FOREGROUND] = True
        mask[fixed == FIXED_BACKGROUND] = False
        return mask
    # Coarse pixels on either side of the boundary, grown by the band (in coarse pixels).
    from scipy import ndimage

    edge = coarse != ndimage.binary_erosion(coarse, border_value=1)
    edge |= ~coarse & ndimage.binary_dilation(coarse)
    reach = max(1, -(-band // factor))
    near = ndimage.binary_dilation(edge, iterations=reach)
    if contested_either is None:
        contested_either = for_pixels(graphs.contested_blocks, h * w)(image, log_odds, fixed, coarse, *contested_args)
    # Blocks already in the band are left out before the chain test: an antenna leaving a
    # contested body outline would otherwise join the outline's ring, which is no chain.
    candidates = np.where(coarse, contested_either[1], contested_either[0]) & ~near
    contested = _thin_chains(candidates)
    contested |= _chain_pieces(candidates & ~contested, near)
    contested |= _thin_pixel_structures(candidates & ~contested, log_odds, coarse, factor)
    if contested.any():
        near |= ndimage.binary_dilation(contested, structure=np.ones((3, 3), bool))
    if seeds is not None:
        coarse, near = seeded_part(coarse, near, seeds, factor, seed_reach)
    parent = None if star is None else star_parents(image, fixed, connectivity, star, beta)
    band_state = _WARM_BAND if warm and parent is None and _WARM_BAND.acquire(image, gamma, beta, connectivity, factor, crc) else None
    try:
        mask = _compact_cut(log_odds, image, fixed, coarse, near, factor, gamma, connectivity, beta, parent,
                            warm=band_state)
    finally:
        if band_state is not None:
            band_state.release()
    if parent is not None:
        # Outside the band pixels keep the coarse label, which obeys the coarse star, not
        # necessarily the fine one: drop foreground whose fine star ray leaves the foreground.
        mask = geodesic.star_prune(mask, parent, dy, dx)
    return mask


def seeded_part(coarse: np.ndarray, near: np.ndarray, seeds: np.ndarray, factor: int, reach: int = 1):
    """The coarse foreground and fine band that the foreground connected to ``seeds`` can use.

    Outside the band the fine labels are the coarse ones, so a fine foreground pixel lies in
    a block of ``coarse | near``, and two pixels within the 16-neighbourhood's reach (2 px)
    lie in the same or 8-adjacent blocks (``factor`` >= 2). A connected part of
    ``coarse | near`` (8-connected blocks) that holds no seed and touches no seed's block can
    therefore hold no foreground 8-connected to a seed, whatever the fine cut decides in it;
    and no arc of the fine graph joins it to the rest. It is dropped: the fine cut of the
    rest is unchanged, and keep-connected removes what the fine cut would have found there.
    On a photo whose colour models first call much of the background foreground, this is
    most of the fine pass (a 1080p photo after a few clicks: 31 % of the blocks coarse
    foreground in 33 parts, 3 % foreground kept).

    Parameters
    ----------
    coarse : (Hc, Wc) bool, the coarse cut's labels
    near : (Hc, Wc) bool, the blocks the fine pass cuts
    seeds : (H, W) bool
    factor : int, block size in pixels
    reach : int
        Keep-connected joins foreground pixels at most this many px apart (1: 8-connected).
        Two such pixels lie in blocks at most ``m = max(1, ceil((reach + 1) / factor))``
        apart, so the parts are taken with that reach in blocks (m = 1: as above).

    Returns
    -------
    coarse, near : (Hc, Wc) bool, new arrays
    """
    from scipy import ndimage

    hc, wc = coarse.shape
    rows, cols = np.divmod(marked_flat(np.ascontiguousarray(seeds, dtype=bool).view(np.uint8)), seeds.shape[1])
    seed_blocks = np.zeros((hc, wc), bool)
    seed_blocks[rows // factor, cols // factor] = True
    rows, cols = np.nonzero(seed_blocks)
    region = coarse | near
    # Blocks m apart are joined as keep-connected's pixels are (m = 1: 8-adjacent blocks).
    m = max(1, -(-(int(reach) + 1) // int(factor)))
    joined = region
    if m > 1:
        joined = ndimage.maximum_filter1d(region.view(np.uint8), m, axis=0)
        joined = ndimage.maximum_filter1d(joined, m, axis=1).view(bool)
    labels, count = ndimage.label(joined, structure=np.ones((3, 3), bool))
    keep = np.zeros(count + 1, bool)
    # A seed's own block may lie outside the region (a marked pixel the coarse cut left
    # background): the parts in the blocks around it can still reach it.
    for dy, dx in itertools.product(range(-m, m + 1), repeat=2):
        keep[labels[np.clip(rows + dy, 0, hc - 1), np.clip(cols + dx, 0, wc - 1)]] = True
    keep[0] = False
    kept = keep[labels]
    return coarse & kept, near & kept


# A chain of contested blocks is a thin structure when it spans at least this many blocks
# and is at most this many blocks thick on average (size / longest side of its bounding box).
THIN_MIN_BLOCKS = 3
THIN_MAX_THICKNESS = 2.0


def _thin_chains(contested: np.ndarray) -> np.ndarray:
    """The 8-connected groups of contested blocks that run like a thin structure: (Hc, Wc) bool.

    Texture and noise in a photo contest blocks too, in compact patches and isolated
    specks, which the coarse level removes on purpose (it measured more accurate than the
    exact cut on DAVIS) and which would make the band large and its max-flow slow; an
    antenna, a wire or a thin gap contests a long chain of blocks one or two blocks wide.
    """
    from scipy import ndimage

    labels, count = ndimage.label(contested, structure=np.ones((3, 3), bool))
    if count == 0:
        return contested
    keep = np.zeros(count + 1, bool)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    for label, box in enumerate(ndimage.find_objects(labels), start=1):
        extent = max(box[0].stop - box[0].start, box[1].stop - box[1].start)
        keep[label] = extent >= THIN_MIN_BLOCKS and sizes[label] <= THIN_MAX_THICKNESS * extent
    return keep[labels]


def _chain_pieces(rest: np.ndarray, near: np.ndarray) -> np.ndarray:
    """The groups of ``rest`` (contested blocks outside the band that :func:`_thin_chains`
    left out) that continue the band as a chain: (Hc, Wc) bool.

    A structure a block or so wide (a 3-px antenna at 640 x 480) is partly kept by the coarse
    level, as a dotted line of foreground blocks; each dot is in the band, and the contested
    pieces between the dots, left out of the chain test with the band, are each too short for
    :data:`THIN_MIN_BLOCKS`. Without them the fine cut cannot join the dots and the antenna is
    cut off at the first gap (a 3-px antenna at 39 degrees kept 29 % at 640 x 480). A piece
    touching the band (8-neighbours) is kept when it is at most :data:`THIN_MIN_BLOCKS` + 1
    blocks, or at most :data:`THIN_MAX_THICKNESS` blocks thick along its skeleton, which
    unlike the bounding box follows a slanted or branching piece.
    """
    from scipy import ndimage
    from skimage.morphology import skeletonize

    eight = np.ones((3, 3), bool)
    labels, count = ndimage.label(rest, structure=eight)
    if count == 0:
        return rest
    touching = np.zeros(count + 1, bool)
    touching[labels[ndimage.binary_dilation(near, structure=eight) & rest]] = True
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    lengths = np.bincount(labels[skeletonize(rest)], minlength=count + 1)
    keep = touching & ((sizes <= THIN_MIN_BLOCKS + 1) | (sizes <= THIN_MAX_THICKNESS * lengths))
    keep[0] = False
    return keep[labels]


def _thin_pixel_structures(rest: np.ndarray, log_odds: np.ndarray, coarse: np.ndarray, factor: int) -> np.ndarray:
    """The groups of ``rest`` (contested blocks no chain test kept) whose pixels against the
    coarse label form a structure thinner than a block: (Hc, Wc) bool.

    The chain tests measure blocks, and a slanted or crossing structure covers more blocks
    per unit of length than an upright one (two 1-px antennas crossing, a 3-px antenna at 39
    degrees at 1080p: 2.2 blocks a row), so they read as thick. Here the pixels of the
    group's blocks whose unary opposes their block's coarse label are measured: a group of
    at least 2 blocks is kept when their skeleton is at least 2 blocks long and their count
    at most one block's width times that length (a mean width under a block: what the coarse
    level cannot represent). Texture contests blocks in patches whose opposing pixels are
    wider; a region the coarse level smoothed on purpose (DAVIS 060's roof in the smoke,
    better kept as the coarse level keeps it) is too.
    """
    from scipy import ndimage
    from skimage.morphology import skeletonize

    labels, count = ndimage.label(rest, structure=np.ones((3, 3), bool))
    keep = np.zeros(count + 1, bool)
    for label, box in enumerate(ndimage.find_objects(labels), start=1):
        if max(box[0].stop - box[0].start, box[1].stop - box[1].start) < 2:
            continue
        rows = slice(box[0].start * factor, box[0].stop * factor)
        cols = slice(box[1].start * factor, box[1].stop * factor)
        odds = log_odds[rows, cols]

        def spread(blocks):
            return np.repeat(np.repeat(blocks, factor, 0), factor, 1)[:odds.shape[0], :odds.shape[1]]

        opposing = spread(labels[box] == label) & ((odds > 0) != spread(coarse[box]))
        n = np.count_nonzero(opposing)
        if n:
            length = np.count_nonzero(skeletonize(opposing))
            keep[label] = length >= 2 * factor and n <= factor * length
    return keep[labels]


def energy(mask: np.ndarray, log_odds: np.ndarray, pairwise: np.ndarray) -> float:
    """E(mask) up to a constant: sum of log_odds over background pixels + cut pair weights."""
    offsets = FORWARD_4 if pairwise.shape[0] == 2 else FORWARD_8
    h, w = mask.shape
    total = float(np.asarray(log_odds, np.float64)[~mask].sum())
    for d, (dy, dx) in enumerate(offsets):
        p, q = _pair_slices(dy, dx, h, w)
        total += float(pairwise[d][p][mask[p] != mask[q]].sum(dtype=np.float64))
    return total


def cut_reference(log_odds, pairwise, fixed=None, scale: float = 1000.0) -> np.ndarray:
    """The same cut with ``scipy.sparse.csgraph.maximum_flow`` (integer capacities, slow).

    Capacities are rounded to multiples of ``1 / scale``; for tests on small images only.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import breadth_first_order, maximum_flow

    h, w = log_odds.shape
    if fixed is None:
        fixed = np.zeros((h, w), np.uint8)
    terminal, pair = fold_constraints(log_odds, pairwise, fixed)
    offsets = FORWARD_4 if pairwise.shape[0] == 2 else FORWARD_8
    n = h * w
    source, sink = n, n + 1
    index = np.arange(n).reshape(h, w)
    rows, cols, caps = [], [], []
    for d, (dy, dx) in enumerate(offsets):
        p, q = _pair_slices(dy, dx, h, w)
        a, b, c = index[p].ravel(), index[q].ravel(), np.rint(pair[d][p].ravel() * scale)
        keep = c > 0
        rows += [a[keep], b[keep]]
        cols += [b[keep], a[keep]]
        caps += [c[keep], c[keep]]
    t = np.rint(terminal.ravel() * scale)
    pos, neg = np.flatnonzero(t > 0), np.flatnonzero(t < 0)
    rows += [np.full(pos.size, source), neg]
    cols += [pos, np.full(neg.size, sink)]
    caps += [t[pos], -t[neg]]
    graph = sp.csr_matrix(
        (np.concatenate(caps).astype(np.int32), (np.concatenate(rows), np.concatenate(cols))), shape=(n + 2, n + 2)
    )
    flow = maximum_flow(graph, source, sink).flow
    residual = (graph - flow).tocsr()
    residual.data[residual.data <= 0] = 0
    residual.eliminate_zeros()
    reached = breadth_first_order(residual, source, directed=True, return_predecessors=False)
    mask = np.zeros(n + 2, bool)
    mask[reached] = True
    mask = mask[:n].reshape(h, w)
    mask[fixed == FIXED_FOREGROUND] = True
    mask[fixed == FIXED_BACKGROUND] = False
    return mask
