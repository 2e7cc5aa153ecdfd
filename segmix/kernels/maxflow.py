"""Boykov-Kolmogorov max-flow / min-cut on graphs with a fixed number of arcs per node."""

from __future__ import annotations

from segmix.kernels import _jit  # noqa: F401, I001  (a writable cache folder for numba, before any @njit)

import numpy as np
from numba import njit

# Boykov-Kolmogorov max-flow ("An experimental comparison of min-cut/max-flow algorithms
# for energy minimization in vision", PAMI 2004) specialised to a padded pixel grid, used by
# segmix.graphcut. Arcs are implicit: arc (i, d) goes from node i to i + offsets[d] and its
# reverse is (i + offsets[d], opposite[d]). Serial: BK's search trees are inherently
# sequential, and on a grid it is still the fastest practical exact solver.

_BK_FREE = 0
_BK_SOURCE = 1
_BK_SINK = 2

#: :func:`graph_maxflow_part`'s status: the flow is maximal (its tree a minimum cut) ...
FLOW_DONE = 0
#: ... or it returned early because its stop flag was set (the arrays hold a feasible flow,
#: not a maximal one; the tree is not a cut).
FLOW_STOPPED = 1
# Why a stop flag read inside the kernel: the boundary refinement's last max-flow of a 12 MP
# photo runs ~10 s in one call, which a cancel between Python stages could not stop (the
# window's next click waited "after the job before it"). The flag is read once per this many
# active nodes taken and once per this many augmentations: one int32 load in thousands of
# node visits (a few microseconds of work between reads), so nothing measurable, yet a stop
# is seen within about a millisecond.
STOP_EVERY = 1024  # a power of two (a bit mask picks every STOP_EVERY-th augmentation)


class FlowStopped(Exception):
    """:func:`graph_maxflow` saw its stop flag set and returned before the flow was maximal."""


def no_stop() -> np.ndarray:
    """A stop flag nobody sets: (1,) int32 zero (for :func:`graph_maxflow_part`'s ``stop``)."""
    return np.zeros(1, np.int32)


def graph_maxflow(terminal, capacity, neighbour, opposite, stop=None):
    """Min cut of a graph by Boykov-Kolmogorov augmenting paths (Boykov & Kolmogorov, PAMI 2004).

    Parameters
    ----------
    terminal : (N,) float32, modified in place
        > 0: capacity of the arc source -> i; < 0: minus the capacity of i -> sink.
    capacity : (N, n_dirs) float32, modified in place (becomes the residual)
        capacity[i, d] of the arc i -> neighbour[i, d].
    neighbour : (N, n_dirs) int32
        Arc (i, d) goes to neighbour[i, d]; its reverse is (neighbour[i, d], opposite[d]).
        Missing arcs point to a node with zero terminal and zero capacities in and out
        (a sentinel, or the padding of a grid), which never joins a tree.
    opposite : (n_dirs,) int64, direction of the reverse arc
    stop : (1,) int32 or None
        Read while the flow runs (another thread sets it non-zero to stop the work); None:
        never stops.

    Returns
    -------
    tree : (N,) int8
        1 for nodes on the source side of a minimum cut (reachable from the source in the
        residual graph), 2 for the sink tree, 0 for free nodes (also sink side).

    Raises
    ------
    FlowStopped
        When ``stop`` was seen set: ``terminal`` and ``capacity`` then hold a feasible flow
        that is not maximal (a caller drops them, or starts the max-flow again from them).
    """
    # Plain Python around the jitted part: as a kernel of its own it cost a second compile
    # (0.4 s with an empty cache) for two NumPy allocations.
    n = capacity.shape[0]
    tree = np.zeros(n, np.int8)
    status = graph_maxflow_part(terminal, capacity, neighbour, opposite, np.arange(n, dtype=np.int32), tree,
                                no_stop() if stop is None else stop)
    if status != FLOW_DONE:
        raise FlowStopped("the max-flow was stopped by its stop flag")
    return tree


@njit(nogil=True, cache=True)
def graph_maxflow_part(terminal, capacity, neighbour, opposite, nodes, tree, stop):
    """:func:`graph_maxflow` on the part of the graph that holds ``nodes``, writing ``tree``.

    ``nodes`` (M,) int32 must be a union of connected components of the graph (no arc
    leaves it), and ``tree`` (N,) int8 starts at zero on them. Only those nodes are read or
    written, so calls on disjoint parts can run at the same time on shared arrays (the
    kernel releases the GIL) and give exactly the serial result: the parts never interact.
    ``stop`` (1,) int32 is read every :data:`STOP_EVERY` steps (:func:`no_stop`: never set).

    Returns :data:`FLOW_DONE`, or :data:`FLOW_STOPPED` when ``stop`` was seen non-zero
    (only after a whole augmentation: the arrays hold a feasible flow).
    """
    n, n_dirs = capacity.shape
    terminal_arc = n_dirs
    orphan_arc = n_dirs + 1
    no_arc = n_dirs + 2
    big = 1 << 30
    parent = np.empty(n, np.int8)  # filled by a loop: np.full costs a compile of its own
    for i in range(n):
        parent[i] = no_arc
    stamp = np.zeros(n, np.int32)
    dist = np.zeros(n, np.int32)
    qsize = n + 1
    active = np.empty(qsize, np.int32)
    queued = np.zeros(n, np.bool_)
    a_head = 0
    a_tail = 0
    orphans = np.empty(qsize, np.int32)
    o_head = 0
    o_tail = 0
    for i in nodes:
        if terminal[i] != 0.0:
            tree[i] = _BK_SOURCE if terminal[i] > 0.0 else _BK_SINK
            parent[i] = terminal_arc
            dist[i] = 1
            active[a_tail] = i
            a_tail += 1
            queued[i] = True
    time = 0
    taken = 0
    while a_head != a_tail:
        taken += 1
        if taken == STOP_EVERY:
            taken = 0
            if stop[0] != 0:
                return FLOW_STOPPED
        i = active[a_head]
        a_head = (a_head + 1) % qsize
        queued[i] = False
        while tree[i] != _BK_FREE:
            s_node = -1
            s_dir = -1
            if tree[i] == _BK_SOURCE:
                for d in range(n_dirs):
                    if capacity[i, d] > 0.0:
                        j = neighbour[i, d]
                        if tree[j] == _BK_FREE:
                            tree[j] = _BK_SOURCE
                            parent[j] = opposite[d]
                            stamp[j] = stamp[i]
                            dist[j] = dist[i] + 1
                            if not queued[j]:
                                active[a_tail] = j
                                a_tail = (a_tail + 1) % qsize
                                queued[j] = True
                        elif tree[j] == _BK_SINK:
                            s_node = i
                            s_dir = d
                            break
                        elif stamp[j] <= stamp[i] and dist[j] > dist[i]:
                            parent[j] = opposite[d]
                            stamp[j] = stamp[i]
                            dist[j] = dist[i] + 1
            else:
                for d in range(n_dirs):
                    j = neighbour[i, d]
                    od = opposite[d]
                    if capacity[j, od] > 0.0:
                        if tree[j] == _BK_FREE:
                            tree[j] = _BK_SINK
                            parent[j] = od
                            stamp[j] = stamp[i]
                            dist[j] = dist[i] + 1
                            if not queued[j]:
                                active[a_tail] = j
                                a_tail = (a_tail + 1) % qsize
                                queued[j] = True
                        elif tree[j] == _BK_SOURCE:
                            s_node = j
                            s_dir = od
                            break
                        elif stamp[j] <= stamp[i] and dist[j] > dist[i]:
                            parent[j] = od
                            stamp[j] = stamp[i]
                            dist[j] = dist[i] + 1
            if s_node < 0:
                break
            t_node = neighbour[s_node, s_dir]
            bottleneck = capacity[s_node, s_dir]
            k = s_node
            while parent[k] != terminal_arc:
                pd = parent[k]
                p = neighbour[k, pd]
                c = capacity[p, opposite[pd]]
                if c < bottleneck:
                    bottleneck = c
                k = p
            if terminal[k] < bottleneck:
                bottleneck = terminal[k]
            k = t_node
            while parent[k] != terminal_arc:
                pd = parent[k]
                c = capacity[k, pd]
                if c < bottleneck:
                    bottleneck = c
                k = neighbour[k, pd]
            if -terminal[k] < bottleneck:
                bottleneck = -terminal[k]
            capacity[s_node, s_dir] -= bottleneck
            capacity[t_node, opposite[s_dir]] += bottleneck
            k = s_node
            while parent[k] != terminal_arc:
                pd = parent[k]
                p = neighbour[k, pd]
                capacity[p, opposite[pd]] -= bottleneck
                capacity[k, pd] += bottleneck
                if capacity[p, opposite[pd]] == 0.0:
                    parent[k] = orphan_arc
                    orphans[o_tail] = k
                    o_tail = (o_tail + 1) % qsize
                k = p
            terminal[k] -= bottleneck
            if terminal[k] == 0.0:
                parent[k] = orphan_arc
                orphans[o_tail] = k
                o_tail = (o_tail + 1) % qsize
            k = t_node
            while parent[k] != terminal_arc:
                pd = parent[k]
                p = neighbour[k, pd]
                capacity[k, pd] -= bottleneck
                capacity[p, opposite[pd]] += bottleneck
                if capacity[k, pd] == 0.0:
                    parent[k] = orphan_arc
                    orphans[o_tail] = k
                    o_tail = (o_tail + 1) % qsize
                k = p
            terminal[k] += bottleneck
            if terminal[k] == 0.0:
                parent[k] = orphan_arc
                orphans[o_tail] = k
                o_tail = (o_tail + 1) % qsize
            time += 1
            if (time & (STOP_EVERY - 1)) == 0 and stop[0] != 0:  # a mask, not %: no division
                return FLOW_STOPPED  # the augmentation is whole; the orphans' trees are dropped
            while o_head != o_tail:
                k = orphans[o_head]
                o_head = (o_head + 1) % qsize
                side = tree[k]
                best = -1
                best_dist = big
                for d in range(n_dirs):
                    j = neighbour[k, d]
                    if tree[j] != side:
                        continue
                    c = capacity[j, opposite[d]] if side == _BK_SOURCE else capacity[k, d]
                    if c <= 0.0:
                        continue
                    m = j
                    length = 0
                    while True:
                        if stamp[m] == time:
                            length += dist[m]
                            break
                        pm = parent[m]
                        length += 1
                        if pm == terminal_arc:
                            stamp[m] = time
                            dist[m] = 1
                            break
                        if pm == orphan_arc:
                            length = big
                            break
                        m = neighbour[m, pm]
                    if length < big:
                        if length < best_dist:
                            best = d
                            best_dist = length
                        m = j
                        while stamp[m] != time:
                            stamp[m] = time
                            dist[m] = length
                            length -= 1
                            m = neighbour[m, parent[m]]
                if best >= 0:
                    parent[k] = best
                    stamp[k] = time
                    dist[k] = best_dist + 1
                    continue
                for d in range(n_dirs):
                    j = neighbour[k, d]
                    if tree[j] != side:
                        continue
                    c = capacity[j, opposite[d]] if side == _BK_SOURCE else capacity[k, d]
                    if c > 0.0 and not queued[j]:
                        active[a_tail] = j
                        a_tail = (a_tail + 1) % qsize
                        queued[j] = True
                    pj = parent[j]
                    if pj < n_dirs and neighbour[j, pj] == k:
                        parent[j] = orphan_arc
                        orphans[o_tail] = j
                        o_tail = (o_tail + 1) % qsize
                tree[k] = _BK_FREE
                parent[k] = no_arc
    return FLOW_DONE


def push_short_paths(terminal, capacity, neighbour, opposite):
    """Greedy preflow for :func:`graph_maxflow`: saturate source -> p -> q -> sink paths.

    For every node p with source capacity and each neighbour q with sink capacity, push
    min(terminal[p], -terminal[q], capacity[p, d]) along the path (in place). The result
    is a feasible flow, so the max-flow started from this residual still gives a minimum
    cut; it removes about a tenth of BK's augmentations on segmentation graphs.
    """
    push_short_paths_part(terminal, capacity, neighbour, opposite, np.arange(capacity.shape[0], dtype=np.int32))


@njit(nogil=True, cache=True)
def push_short_paths_part(terminal, capacity, neighbour, opposite, nodes):
    """:func:`push_short_paths` from the nodes ``nodes`` (M,) int32 only, in the given order.

    With ``nodes`` a union of connected components of the graph in increasing order (as
    for :func:`graph_maxflow_part`) it touches only those components' entries and does
    exactly what :func:`push_short_paths` does to them, so calls on disjoint parts may run
    at the same time (the kernel releases the GIL).
    """
    n_dirs = capacity.shape[1]
    for p in nodes:
        if terminal[p] <= 0.0:
            continue
        for d in range(n_dirs):
            c = capacity[p, d]
            if c <= 0.0:
                continue
            q = neighbour[p, d]
            tq = terminal[q]
            if tq >= 0.0:
                continue
            delta = min(terminal[p], -tq, c)
            terminal[p] -= delta
            terminal[q] = tq + delta
            capacity[p, d] = c - delta
            capacity[q, opposite[d]] += delta
            if terminal[p] <= 0.0:
                break
