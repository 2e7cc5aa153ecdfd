"""Re-checks of session 36's merged fixes, on inputs other than their own tests'."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(**extra):
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONIOENCODING", "LC_ALL", "PYTHONUTF8")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def test_a_latin1_file_name_in_an_error_is_its_bytes_as_on_standard_output(tmp_path):
    # Standard output wrote a Latin-1 name as its bytes (as `ls` shows it); standard error,
    # whose error handler is "backslashreplace", named the same file "caf\udce9.jpg" in the
    # errors and warnings, a name that is on no disk.
    name = os.fsdecode(b"caf\xe9.jpg")
    (tmp_path / name).write_bytes(b"not a jpeg")
    run = subprocess.run([sys.executable, "-m", "segmix", "segment", name, "--click", "1,1", "-o", "m.png"],
                         cwd=tmp_path, env=_env(LANG="C.UTF-8"), capture_output=True, timeout=300)
    assert run.returncode == 2
    assert run.stderr.startswith(b"segmix segment: error: caf\xe9.jpg: is a text file"), run.stderr
    assert b"udce9" not in run.stderr
