"""Compile the coarse-to-fine graph cut's kernels in a second process while this one compiles the rest.

On a fresh install every Numba kernel compiles on first use, one after the other (numba
compiles under a process-wide lock). A segmentation with graph cut needs two independent
sets: the mixture and colour kernels (training, scoring), then the graph kernels (the
cut). :func:`start_compiling_graph_cut` compiles the second set into the shared on-disk
cache in a separate process, on the other core, while the caller compiles the first; when
the caller reaches the cut it loads them from the cache. Run as ``python -m segmix.precompile``.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np

# Large enough for the coarse-to-fine path (above 40,000 pixels), small enough to cut in
# milliseconds once compiled.
SHAPE = (512, 1024)


def compile_graph_cut(read_only: bool = False) -> None:
    """Run the coarse-to-fine cut once on a synthetic problem: compiles (or loads) its kernels.

    ``read_only``: for read-only photos, as the window's are (``MainWindow.set_image``); the
    command line's are writable. Numba compiles a kernel once per argument type and a
    read-only array is another type: the variants for the other kind would compile again
    on the first real cut (the window's first click took 10.8 s so).
    """
    from segmix import graphcut
    from segmix.kernels import graphs

    h, w = SHAPE
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    image.setflags(write=not read_only)
    log_odds = np.where(np.arange(w) < w // 2, 2.0, -2.0)[None, :] + rng.normal(0.0, 1.0, (h, w))
    fixed = np.zeros((h, w), np.uint8)
    fixed[:, :16], fixed[:, -16:] = 1, 2
    graphcut.cut_multiscale(log_odds.astype(np.float32), image, fixed, 50.0, 8, 40_000)
    # A second cut of the same photo (the next click) starts from the first one's flow:
    # compiles graphs.carry_band_flow.
    graphcut.cut_multiscale(log_odds.astype(np.float32) + 0.5, image, fixed, 50.0, 8, 40_000)
    # The window's two-thread path (threads.split_in_two), on any number of threads: the
    # band's arcs in row ranges and the contested blocks of either label.
    small = tuple(np.ascontiguousarray(a[:64, :64]) for a in (image, log_odds.astype(np.float32), fixed))
    small[0].setflags(write=not read_only)
    near = np.ones((16, 16), np.bool_)
    dy, dx = graphcut._all_directions(8)
    contrast = graphcut.contrast_table(0.01, 3)
    graphcut._band_graph_in_two(*small, ~near, near, 4, 50.0, contrast, dy, dx, graphcut._NO_PARENT)
    graphs.contested_blocks.serial(*small, graphcut._UNKNOWN_COARSE, 4, 50.0, contrast, dy, dx)
    # Used from two threads on large bands only; same types as in graphcut._band_pieces.
    graphs.band_node_labels.serial(np.zeros((64, 64), np.int32), np.ones((8, 8), np.int32), 8, 1)
    # The boundary refinement's band cut on photos from 6 MP (segment.LARGE_BAND_MIN_PIXELS)
    # starts from a coarse copy's flow.
    index, terminal, capacity, neighbour = graphs.band_graph.serial(*small, ~near, near, 4, 50.0, contrast, dy, dx,
                                                                    graphcut._NO_PARENT)
    graphcut._coarse_warm_start(index, terminal, capacity, neighbour, graphcut._opposite_directions(dy.size // 2),
                                dy, dx, graphcut.WARM_START_FACTOR)


def start_compiling_graph_cut(read_only: bool = False) -> subprocess.Popen | None:
    """Start ``python -m segmix.precompile`` in the background; None if it cannot start.

    ``read_only``: compile for read-only photos (see :func:`compile_graph_cut`). The caller
    should ``terminate()`` it if still running when its own job is done.
    """
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "segmix.precompile", *(["--read-only"] if read_only else [])],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


USAGE = ("usage: python -m segmix.precompile [--read-only]\n\n"
         "Compile (or load from numba's cache) the graph cut's kernels, as segmix's first run does beside its\n"
         "own work. --read-only: the variants for read-only photos, as the window's are.\n")


def main(argv: list[str] | None = None) -> int:
    """``python -m segmix.precompile [--read-only]``: compile, say so, exit 0; ``--help``
    prints the usage; any other word is refused in one line (exit 2). It took any word,
    ``--help`` included, and compiled in silence (a trial)."""
    import time

    words = sys.argv[1:] if argv is None else list(argv)
    if any(word in ("-h", "--help") for word in words):
        sys.stdout.write(USAGE)
        return 0
    unknown = [word for word in words if word != "--read-only"]
    if unknown:
        print(f"segmix.precompile: error: unrecognized arguments: {' '.join(unknown)} (it takes only --read-only)",
              file=sys.stderr)
        return 2
    start = time.perf_counter()
    compile_graph_cut(read_only="--read-only" in words)
    print(f"compiled the graph cut's kernels{' for read-only photos' if '--read-only' in words else ''} "
          f"in {time.perf_counter() - start:.1f} s (or loaded them from numba's cache)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
