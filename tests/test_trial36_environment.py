"""Trial 36 (segmix on other people's machines: locales, paths, caches, processes): each test
pins a fault the trial found.

1. With no writable folder for numba's cache (the package installed by root, run by a user
   whose home is read-only or missing, ``NUMBA_CACHE_DIR`` unwritable) every command ended in
   numba's traceback "RuntimeError: cannot cache function 'pack_rgb': no locator available".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_CACHE", "PYTHONIOENCODING"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(changes)
    return env


# ------------------------------------------------------------------ 1. no writable numba cache
def _no_cache_folder_env(tmp_path) -> dict:
    """Only NUMBA_CACHE_DIR is looked at by numba (NUMBA_CACHE_LOCATOR_CLASSES), and it is a
    path under a regular file: unwritable even for root, as a read-only home is to a user."""
    from numba.core import config

    if not hasattr(config, "CACHE_LOCATOR_CLASSES"):
        pytest.skip("this numba has no NUMBA_CACHE_LOCATOR_CLASSES to take its other cache folders away")
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    temp = tmp_path / "tmp"
    temp.mkdir()
    return _env(NUMBA_CACHE_LOCATOR_CLASSES="UserProvidedCacheLocator", NUMBA_CACHE_DIR=str(blocker / "cache"),
                TMPDIR=str(temp))


def test_kernels_load_without_a_writable_cache_folder(tmp_path):
    env = _no_cache_folder_env(tmp_path)
    code = "from segmix.kernels import pixels, maxflow, skin; import numba.core.config as c; print(c.CACHE_DIR)"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    folder = Path(run.stdout.strip())
    assert folder.parent == tmp_path / "tmp" and folder.name.startswith("segmix-numba-cache-")
    assert folder.stat().st_mode & 0o777 == 0o700  # the user's own: cached machine code is run


def test_no_cache_folder_at_all_is_one_line_not_a_traceback(tmp_path):
    env = _no_cache_folder_env(tmp_path)
    (tmp_path / "tmp" / f"segmix-numba-cache-{os.getuid()}").write_text("")  # the fallback taken too
    photo = tmp_path / "p.png"
    from PIL import Image

    Image.new("RGB", (8, 6), (200, 30, 40)).save(photo)
    run = subprocess.run([sys.executable, "-m", "segmix", "quantize", str(photo), "-k", "2", "-o",
                          str(tmp_path / "q.png")], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.strip().splitlines() == [
        "segmix quantize: error: no writable folder for the compiled kernels' cache (NUMBA_CACHE_DIR, the "
        "package's folder and the user's cache folder are read-only or missing): set NUMBA_CACHE_DIR to a "
        "writable folder"]
    assert not (tmp_path / "q.png").exists()
