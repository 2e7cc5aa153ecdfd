"""The second-process compile of the graph cut's kernels on a cold cache (segmix.precompile)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from segmix import cli, precompile
from segmix.kernels import cache
from segmix.segment import SegmentationSettings


def test_compile_graph_cut_leaves_the_kernels_in_the_cache():
    precompile.compile_graph_cut()
    assert cache.graph_cut_is_cached()
    assert cache.is_cached()  # nothing asked: nothing missing


def test_compile_graph_cut_for_read_only_photos_compiles_their_variants():
    """The window's photos are read-only, another argument type to numba than the command
    line's writable ones: the helper the window starts compiles the read-only variants of
    the cut's image kernels, or they compile again on the first click (10.8 s)."""
    import numba
    import numpy as np

    from segmix.kernels import graphs

    image = np.zeros((4, 4, 3), np.uint8)
    image.setflags(write=False)
    read_only = numba.typeof(image)
    precompile.compile_graph_cut(read_only=True)
    for kernel in (graphs.band_graph.serial, graphs.contested_blocks.serial):
        assert any(signature[0] == read_only for signature in kernel.signatures), kernel
    image.setflags(write=True)
    assert numba.typeof(image) != read_only


def test_the_helper_process_is_told_which_photos(monkeypatch):
    import subprocess

    commands = []
    monkeypatch.setattr(subprocess, "Popen", lambda command, **kwargs: commands.append(command))
    precompile.start_compiling_graph_cut(read_only=True)
    precompile.start_compiling_graph_cut()
    assert commands[0][-2:] == ["segmix.precompile", "--read-only"] and commands[1][-1] == "segmix.precompile"


@pytest.mark.parametrize("smoothing, n_pixels, cached, starts", [
    ("graphcut", 2_073_600, False, True),
    ("graphcut", 2_073_600, True, False),  # warm cache: nothing to gain
    ("graphcut", 40_000, False, False),  # exact cut: other kernels, and fast
    ("none", 2_073_600, False, False),  # no cut at all
])
def test_cli_starts_the_helper_only_when_it_gains(monkeypatch, smoothing, n_pixels, cached, starts):
    started = []
    monkeypatch.setattr(cache, "graph_cut_is_cached", lambda: cached)
    # For read-only photos: segment's photo is read-only, as the window's (one set of variants).
    monkeypatch.setattr(precompile, "start_compiling_graph_cut",
                        lambda read_only=False: started.append(read_only) or "helper")
    settings = replace(SegmentationSettings(), smoothing=smoothing)
    helper = cli._start_graph_cut_compile(n_pixels, settings)
    assert (helper == "helper") is starts
    assert started == ([True] if starts else [])


def test_on_first_compile_is_told_once_per_block_and_only_when_something_compiles():
    import threading

    import numba

    calls = []
    kernel = numba.njit(lambda x: x * 2)
    with cache.on_first_compile(lambda: calls.append("compiling")):
        worker = threading.Thread(target=kernel, args=(1,))  # numba's event comes from any thread
        worker.start()
        worker.join()
        assert calls == ["compiling"]
        kernel(1.5)  # another signature compiles too: no second notice
    assert calls == ["compiling"]
    with cache.on_first_compile(lambda: calls.append("again")):
        kernel(3)  # compiled already: nothing
    kernel(2j)  # compiles, outside any block: nobody listens
    assert calls == ["compiling"]


def test_on_first_compile_is_silent_for_a_kernel_loaded_from_the_disk_cache(tmp_path, monkeypatch):
    """A warm on-disk cache loads without numba's compile event (the notice's premise): the
    module's kernel is compiled and cached by a first process, then only loaded here."""
    import importlib
    import subprocess
    import sys

    (tmp_path / "tiny_kernel.py").write_text("import numba\n\n@numba.njit(cache=True)\ndef twice(x):\n    return 2 * x\n")
    subprocess.run([sys.executable, "-c", "import tiny_kernel; tiny_kernel.twice(1)"], cwd=tmp_path, check=True,
                   timeout=300)
    monkeypatch.syspath_prepend(str(tmp_path))
    tiny_kernel = importlib.import_module("tiny_kernel")
    calls = []
    with cache.on_first_compile(lambda: calls.append(1)):
        assert tiny_kernel.twice(1) == 2
        assert calls == []
        tiny_kernel.twice(1.5)  # a signature the cache does not hold: compiles
    assert calls == [1]


def test_segment_hands_the_library_a_read_only_photo_as_the_window_does(tmp_path, monkeypatch):
    """Numba compiles a kernel per argument type, and a read-only array is another type: with
    the window's read-only photos the window's warm-up did not warm ``segmix segment``, whose
    first run after it compiled again (2.7 s, with the first-run notice)."""
    import numpy as np
    from PIL import Image

    import segmix.segment
    from segmix.io import save_labels

    seen = []
    real = segmix.segment.segment

    def spy(image, *args, **kwargs):
        seen.append(image.flags.writeable)
        return real(image, *args, **kwargs)

    monkeypatch.setattr(segmix.segment, "segment", spy)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)).save(tmp_path / "p.png")
    labels = np.zeros((40, 50), np.uint8)
    labels[5:10, 5:10], labels[30:35, 40:45] = 1, 2
    save_labels(tmp_path / "m.png", labels)
    assert cli.main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "m.png"),
                     "-o", str(tmp_path / "o.png")]) == 0
    assert seen == [False]
