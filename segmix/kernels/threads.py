"""How many threads the parallel kernels use (per calling thread, numba semantics)."""

from __future__ import annotations

import numbers
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from segmix.kernels import _jit  # noqa: F401  (sets OMP_WAIT_POLICY before the threading layer loads)

import numba  # noqa: E402

# Below this many rows waking a second thread costs more than it saves (measured on
# 2 cores: a weighted 5-component fit of 20k colours took 60 ms on one thread, 83-94 ms on
# two; at 100k rows both took the same time).
PARALLEL_MIN_ROWS = 65_536

# Per-pixel kernels (distinct colours, gathering, graphs) are memory-bound: on 2 cores the
# parallel version saves tens of milliseconds on a 1080p photo but costs seconds of
# compilation on first use; it pays for 12-megapixel photos.
PARALLEL_MIN_PIXELS = 4_000_000


def for_rows(kernel, n_rows: int, min_rows: int = PARALLEL_MIN_ROWS):
    """The parallel ``kernel`` for ``n_rows`` >= ``min_rows`` rows, else its serial twin
    (``kernel.serial``, see :func:`segmix.kernels._jit.parallel_kernel`), which compiles in a
    fraction of the time.

    The choice depends on the data size only, never on the thread count or on what is
    cached: the two variants may round differently in the last bit (LLVM vectorises their
    reductions differently), and a result must not depend on the machine's state.
    """
    if n_rows >= min_rows:
        return kernel
    return kernel.serial


@contextmanager
def threads_for_rows(n_rows: int):
    """Run the kernels called inside on one thread when ``n_rows`` is small.

    Restores the calling thread's previous setting, so an explicit user choice is kept.
    """
    if n_rows >= PARALLEL_MIN_ROWS:
        yield
        return
    with single_thread():
        yield


def configured_threads() -> int:
    """Threads numba was configured with (``NUMBA_NUM_THREADS``, default: the cores).

    Unlike :func:`get_num_threads` this takes no lock: numba's getter takes a process-wide
    lock whose wait releases the GIL, and taking the GIL back can cost a switch interval
    (5 ms) while a reader thread runs Python code; the background model asks per frame.
    """
    return int(numba.config.NUMBA_NUM_THREADS)


def get_num_threads() -> int:
    """Threads the parallel kernels use from the calling thread."""
    return numba.get_num_threads()


def set_num_threads(n_threads: int | None) -> None:
    """Threads the parallel kernels use from the calling thread (None = all configured).

    The setting is per calling thread (numba semantics), so a GUI compute thread can run
    single-threaded while scripts elsewhere stay parallel.

    Parameters
    ----------
    n_threads : int >= 1 or None
        More than :func:`configured_threads` (``NUMBA_NUM_THREADS``) is lowered to it.

    Raises
    ------
    ValueError
        For anything else: 0, a negative number (joblib's ``n_jobs=-1``, "all cores", was
        quietly one thread here: None means all), a float, a string or a bool.
    """
    limit = numba.config.NUMBA_NUM_THREADS
    if n_threads is not None and (isinstance(n_threads, bool) or not isinstance(n_threads, numbers.Integral)
                                  or n_threads < 1):
        raise ValueError(f"n_threads must be an integer >= 1, or None for all {limit} threads; got {n_threads!r}")
    numba.set_num_threads(limit if n_threads is None else min(int(n_threads), limit))


@contextmanager
def single_thread():
    """Run the parallel kernels called inside on the calling thread only (restored after)."""
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def layer_is_threadsafe() -> bool:
    """Whether parallel kernels may run from several Python threads at once.

    Numba's ``workqueue`` layer aborts the process when two threads launch parallel kernels
    concurrently; ``omp`` and ``tbb`` do not. Before any parallel kernel has run the layer
    is not chosen yet and the answer is False.
    """
    try:
        return numba.threading_layer() != "workqueue"
    except ValueError:  # no parallel kernel has run yet
        return False  # not chosen yet: the first call runs on one thread and settles it


_LARGE_PHOTO = threading.local()


@contextmanager
def large_photo_variants():
    """Inside, :func:`for_pixels` and :func:`for_pixels_exact` pick the parallel variants, as on
    a photo over ``PARALLEL_MIN_PIXELS``, whatever the size: for a warm-up to compile a large
    photo's kernels on a small one (20 s at a 20-megapixel photo's first click otherwise,
    with an empty cache). Per calling thread; restored after.
    """
    before = getattr(_LARGE_PHOTO, "on", False)
    _LARGE_PHOTO.on = True
    try:
        yield
    finally:
        _LARGE_PHOTO.on = before


def for_pixels(kernel, n_pixels: int):
    """:func:`for_rows` with the threshold of the per-pixel kernels (``PARALLEL_MIN_PIXELS``)."""
    if getattr(_LARGE_PHOTO, "on", False):
        return kernel
    return for_rows(kernel, n_pixels, PARALLEL_MIN_PIXELS)


# Inside interactive(): the smallest photo on which a thread-exact per-pixel kernel runs on
# every configured thread. The local colour models' mixing kernel at 1080p took 36 ms on two
# threads against 73 ms on one (quiet 2-core machine); on a DAVIS frame (0.4 MP) the
# benchmarks stay serial either way.
INTERACTIVE_MIN_PIXELS = 1_000_000

_INTERACTIVE = threading.local()


@contextmanager
def interactive(min_pixels: int = INTERACTIVE_MIN_PIXELS):
    """Let :func:`for_pixels_exact` run its kernels in parallel from ``min_pixels`` pixels.

    For a program that owns the machine and waits for each result, such as the window's
    compute thread after a click (a warm-up may pass a smaller ``min_pixels`` to compile
    the parallel variants on a small photo). Elsewhere (scripts, benchmarks running several
    jobs at once, the command line's first run, which would compile the parallel variants)
    photos under ``PARALLEL_MIN_PIXELS`` keep the serial kernels. Per calling thread;
    restored after.
    """
    before = getattr(_INTERACTIVE, "min_pixels", None)
    _INTERACTIVE.min_pixels = int(min_pixels)
    try:
        yield
    finally:
        _INTERACTIVE.min_pixels = before


def is_interactive() -> bool:
    """Whether the calling thread is inside :func:`interactive`."""
    return getattr(_INTERACTIVE, "min_pixels", None) is not None


def for_pixels_exact(kernel, n_pixels: int):
    """:func:`for_pixels` for a *thread-exact* per-pixel kernel, also parallel from
    ``INTERACTIVE_MIN_PIXELS`` inside :func:`interactive` when more than one thread is set.

    Thread-exact: each output element is computed by one thread from its own inputs (no
    sums across pixels), so the parallel variant gives the same bits as its serial twin on
    any number of threads (checked exactly for each such kernel in
    ``tests/test_kernels_serial.py``), and the result does not depend on this choice.
    """
    if n_pixels >= PARALLEL_MIN_PIXELS or getattr(_LARGE_PHOTO, "on", False):
        return kernel
    min_pixels = getattr(_INTERACTIVE, "min_pixels", None)
    if min_pixels is not None and n_pixels >= min_pixels and numba.get_num_threads() > 1:
        return kernel
    return kernel.serial


def split_in_two(n_pixels: int) -> bool:
    """Whether a thread-exact step over a photo of ``n_pixels`` pixels runs as two calls of
    its serial kernel at once, one on the calling thread and one on :func:`beside`, inside
    :func:`interactive` (from its ``min_pixels``, with more than one thread set).

    For steps whose parallel variant would cost seconds of compilation (the band graph's
    took 23.9 s): the serial kernel, compiled anyway, releases the GIL, and each call
    writes only its own share of the output (rows, or pieces of a graph), so the result is
    bit for bit the serial one. Outside :func:`interactive` and from ``PARALLEL_MIN_PIXELS``
    (where the parallel kernels run) False.
    """
    if n_pixels >= PARALLEL_MIN_PIXELS:
        return False
    min_pixels = getattr(_INTERACTIVE, "min_pixels", None)
    return min_pixels is not None and n_pixels >= min_pixels and numba.get_num_threads() > 1


_HELPER: ThreadPoolExecutor | None = None
_HELPER_LOCK = threading.Lock()


class Beside:
    """A call handed to the helper thread (:func:`beside`)."""

    def __init__(self, future: Future, function, args):
        self._future, self._function, self._args = future, function, args

    def result(self):
        """The call's result. If the helper has not started it yet (a loaded machine gave it
        no core, or it is busy), it is taken back and run on the calling thread instead of
        waiting: splitting a step never makes it wait for a thread that does not run."""
        if self._future.cancel():
            return self._function(*self._args)
        return self._future.result()


def beside(function, *args) -> Beside:
    """Run ``function(*args)`` on one long-lived helper thread (the second half of a step
    split by :func:`split_in_two`), or on the caller when it asks for the result first
    (:meth:`Beside.result`).

    Only serial kernels may run there: two threads launching Numba's parallel kernels at
    once abort the process under its default threading layer. Calls queue behind each
    other; a call must not wait for another one submitted here.
    """
    global _HELPER
    with _HELPER_LOCK:
        if _HELPER is None:
            _HELPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segmix-beside")
        return Beside(_HELPER.submit(function, *args), function, args)
