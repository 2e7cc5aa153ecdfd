"""Shared Numba settings of the segmix kernels (the options every ``@njit`` here uses).

Conventions of every kernel module:

- No ``fastmath`` flag that assumes finite values: log-space EM relies on -inf. ``SAFE_FASTMATH``
  only allows reassociation and contraction (vectorised reductions, FMA), which never
  changes inf/NaN semantics.
- ``cache=True``: compiled machine code is kept on disk next to the module (or in numba's
  user cache directory when the package folder is read-only; or, when neither that nor
  ``NUMBA_CACHE_DIR`` is writable, in a private folder of the temporary directory: see
  :func:`_cache_folder`). Every module here that imports numba imports this one first.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
import types

# numba's OpenMP layer otherwise spins its idle threads: on a shared or loaded machine the
# spinning threads steal the cores the kernels need (measured: a 200k-row EM pass took
# 90 ms with 2 spinning threads, 10 ms with passive waiting). Must be set before libgomp
# loads; a user's own setting wins. In lower case: libgomp compares the value case-blind by
# the C locale's rules, and under a Turkish one (tr_TR) the lower case of "I" is not "i":
# "PASSIVE" was refused ("libgomp: Invalid value for environment variable OMP_WAIT_POLICY"
# on every run) and the threads spun.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def _cache_folder() -> None:
    """Give numba a writable cache folder when it would find none.

    numba keeps a ``cache=True`` kernel's machine code in ``NUMBA_CACHE_DIR``, else next to
    the module, else in the user's cache folder (``~/.cache/numba``); when none is writable
    (a package installed by root, run by a user whose home is read-only or missing: a service
    account, a container) it refused at import, and every command ended in numba's traceback
    "RuntimeError: cannot cache function 'pack_rgb': no locator available for file ...". Then
    the kernels are cached in ``segmix-numba-cache-UID`` in the temporary folder, made
    private (0700) and used only when it is the user's own real folder that nobody else can
    write (cached machine code is loaded and run). When that fails too, one line says what
    to set instead of the traceback.
    """
    from numba.core import config

    # The XDG rule: an empty or relative XDG_CACHE_HOME is as if unset. numba's appdirs took
    # an empty one as "", and kept the kernels in a folder "numba" of the current folder
    # (among the user's photos) when the package's own folder was read-only (session 50).
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg is not None and not os.path.isabs(xdg):
        del os.environ["XDG_CACHE_HOME"]

    def probe():  # a function of this file: every kernel lives in this folder
        pass

    if config.CACHE_DIR or os.path.expanduser("~") != "~":
        try:
            from numba.core.caching import FunctionCache

            FunctionCache(probe)  # what a ``cache=True`` kernel does when it is defined
            return
        except RuntimeError:  # "no locator available"
            pass
        except Exception:  # noqa: BLE001 - another numba's internals: leave the choice to numba
            return
    # else no home to find (HOME unset, a user id without a passwd entry: a container's
    # `--user 4242`): numba's user cache folder was "~/.cache/numba" taken literally, a folder
    # named "~" made in the current folder, among the user's photos.
    folder = os.path.join(tempfile.gettempdir(), f"segmix-numba-cache-{os.getuid()}") \
        if hasattr(os, "getuid") else None
    try:
        if folder is None:
            raise OSError
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
            raise OSError
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        raise OSError("no writable folder for the compiled kernels' cache (NUMBA_CACHE_DIR, the package's "
                      "folder and the user's cache folder are read-only or missing): set NUMBA_CACHE_DIR "
                      "to a writable folder") from None
    # The environment too: the graph cut's second process (segmix.precompile) inherits it.
    config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"] = folder


_cache_folder()


#: Said once per process when a compiled kernel could not be kept in numba's cache.
CACHE_WRITE_FAILED = ("the compiled kernels could not be kept in numba's cache folder {folder} ({why}): "
                      "the results are right, but the kernels compile again on the next run; free space there, "
                      "or set NUMBA_CACHE_DIR to another folder")


def _cache_writes_may_fail() -> None:
    """Let a kernel whose cache file cannot be written run anyway, with one warning.

    numba saves a kernel's machine code right after compiling it; when that write fails (the
    home's disk or quota full, a cache folder made read-only after the check), the OSError
    came out of the kernel's first call, and ``segmix quantize`` ended "error: [Errno 28] No
    space left on device" with nothing written, though its own output's disk had room. The
    kernel is compiled and correct: only keeping it failed. Only segmix's kernels are
    treated so (numba's ``Cache.save_overload`` is wrapped once; another library's kernels
    fail as numba makes them).
    """
    import warnings

    from numba.core.caching import Cache

    from segmix.kernels.cache import raise_swallowed_signal

    original = Cache.save_overload
    if getattr(original, "segmix_wrapped", False):
        return
    said = []

    def save_overload(self, sig, data):
        try:
            result = original(self, sig, data)
        except RuntimeError:  # "no compiled object yet": the signal that stopped LLVM, if any
            raise_swallowed_signal()
            raise
        except OSError as exc:
            module = getattr(getattr(self, "_py_func", None), "__module__", "") or ""
            if not module.startswith("segmix.kernels"):
                raise
            if not said:
                said.append(True)
                folder = getattr(self, "cache_path", None) or "?"
                why = (exc.strerror or str(exc)).lower()
                warnings.warn(CACHE_WRITE_FAILED.format(folder=folder, why=why), RuntimeWarning, stacklevel=2)
            result = None
        raise_swallowed_signal()
        return result

    save_overload.segmix_wrapped = True
    Cache.save_overload = save_overload


try:
    _cache_writes_may_fail()
except (ImportError, AttributeError):  # another numba's internals: its own behaviour
    pass


def _chosen_threading_layer() -> None:
    """A threading layer chosen by NUMBA_THREADING_LAYER is loaded now, and one numba cannot
    load is refused in one line naming the variable.

    Set for another project (``tbb`` in an environment without Intel TBB, a mistyped name),
    it failed at the first parallel kernel, deep in a run: ``segment`` said "error: the marks
    (1 click): No threading layer could be loaded.\\nHINT:\\nIntel TBB is required ...", as if
    the clicks were wrong. Unset, numba picks a layer that loads, as always.
    """
    chosen = os.environ.get("NUMBA_THREADING_LAYER", "").strip()
    if not chosen or chosen.lower() == "default":
        return
    from numba.np.ufunc import parallel

    try:
        parallel._launch_threads()
    except ValueError as exc:
        why = " ".join(str(exc).split("HINT:")[0].split()).rstrip(".")
        raise OSError(f"NUMBA_THREADING_LAYER={chosen}: {why[:1].lower()}{why[1:]}; unset it (numba then picks a "
                      "layer that loads), or install what it needs (tbb, safe, threadsafe: pip install tbb)") from None


try:
    _chosen_threading_layer()
except (ImportError, AttributeError):  # another numba's internals: its own behaviour
    pass

SAFE_FASTMATH = {"contract", "reassoc", "arcp", "nsz"}

JIT_OPTIONS = dict(nogil=True, cache=True, fastmath=SAFE_FASTMATH)


def parallel_kernel(func):
    """``@njit(parallel=True)`` plus a serial twin of the same code as ``kernel.serial``.

    Compiling with ``parallel=True`` costs 5-30 times more than without (measured with an
    empty cache: ``cluster_scatter`` 23.6 s against 0.8 s, ``em_pass`` 27.7 s against 1.8 s
    on a loaded 2-core machine), and below a few tens of thousands of rows the parallel
    version is no faster. Callers pick one with :func:`segmix.kernels.threads.for_rows`,
    so a job compiles only the variant its data size needs. Both run the same loops in the
    same order (``prange`` becomes ``range``); floating-point sums may differ in the last
    bit where LLVM vectorises them differently.
    """
    from numba import njit

    parallel = njit(parallel=True, **JIT_OPTIONS)(func)
    twin = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
    # numba's cache key ignores the ``parallel`` flag: a distinct qualified name gives the
    # twin its own cache files instead of overwriting the parallel kernel's.
    twin.__qualname__ = func.__qualname__ + "_serial"
    twin.__module__, twin.__doc__ = func.__module__, func.__doc__
    parallel.serial = njit(**JIT_OPTIONS)(twin)
    return _ParallelKernel(parallel)


#: Held around every parallel kernel's launch while the threading layer is not thread-safe.
_LAUNCH_LOCK = threading.RLock()
_LAYER_SAFE: list[bool] = []


def _layer_is_threadsafe() -> bool:
    """Whether numba's threading layer takes parallel launches from several threads at once
    (``omp``, ``tbb``); False for ``workqueue`` and before the first launch chose a layer."""
    if _LAYER_SAFE:
        return True
    import numba

    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        return False
    if layer != "workqueue":
        _LAYER_SAFE.append(True)
        return True
    return False


def _kernel_by_name(module: str, name: str):
    import importlib

    return getattr(importlib.import_module(module), name)


class _ParallelKernel:
    """A parallel dispatcher whose launches are serialised under numba's ``workqueue`` layer.

    That layer (numba's fallback where neither OpenMP nor TBB loads, or chosen by
    NUMBA_THREADING_LAYER) terminates the whole process when two Python threads launch
    parallel kernels at once ("Concurrent access has been detected"): ``segment`` or a
    ``GaussianMixture.fit`` of 100,000 rows called from two threads killed the caller. Under
    ``omp`` and ``tbb`` calls go straight through. Every other attribute (``serial``, the
    cache) is the dispatcher's.
    """

    __slots__ = ("_dispatcher",)

    def __init__(self, dispatcher):
        self._dispatcher = dispatcher

    def __call__(self, *args, **kwargs):
        if _layer_is_threadsafe():
            return self._dispatcher(*args, **kwargs)
        with _LAUNCH_LOCK:
            return self._dispatcher(*args, **kwargs)

    def __getattr__(self, name):
        if name == "_dispatcher":  # not set yet (copy, unpickling): no endless lookup
            raise AttributeError(name)
        return getattr(self._dispatcher, name)

    def __reduce__(self):
        # Pickled by name, as the module-level dispatcher it replaces was.
        return _kernel_by_name, (self._dispatcher.py_func.__module__, self._dispatcher.py_func.__name__)

    def __repr__(self) -> str:
        return repr(self._dispatcher)
