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
    # escaped under a UTF-8 locale since session 51 (the raw byte showed as "\ufffd")
    assert run.stderr.startswith(b"segmix segment: error: caf\\xe9.jpg: is a text file"), run.stderr
    assert b"udce9" not in run.stderr


def test_distributed_skin_apply_takes_a_photo_of_a_246_byte_name_as_the_local_run_does(tmp_path, capsys):
    # Without Dask a 246-byte photo name gets its mask (255 bytes) and, with --probability,
    # a one-line failure for the probability map's name alone. With --distributed the whole
    # run ended "error: ..._skin_prob.png: file name too long" (exit 2, no mask written):
    # the maps' and the photo records' names ("MASK.json") were looked up outside any photo.
    import numpy as np
    import pytest
    from PIL import Image

    pytest.importorskip("distributed")
    from segmix.cli import main
    from segmix.distributed.cluster import connect

    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a" * 242 + ".png", "short.png"):
        Image.fromarray(rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)).save(photos / name)
    with connect(None, n_workers=1, threads_per_worker=1, quiet=True) as client:
        address = client.scheduler.address
        out = tmp_path / "out"
        assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed", address]) == 0
        assert sorted(p.name for p in out.glob("*.png")) == sorted(["a" * 242 + "_skin.png", "short_skin.png"])
        assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed", address]) == 0
        assert "0 written, 2 already complete" in capsys.readouterr().out
        probs = tmp_path / "probs"
        assert main(["skin", "apply", str(photos), "--output-dir", str(probs), "--probability",
                     "--distributed", address]) == 1
        captured = capsys.readouterr()
        assert "_skin_prob.png: file name too long" in captured.err and "1 written" in captured.out
        assert (probs / "short_skin_prob.png").is_file()


def test_distributed_background_says_a_clip_starts_between_key_frames(tmp_path, capsys):
    # Without Dask the run says that frame_000001 is the file's frame 5 (and the offset ground
    # truth needs), exit status 1; with --distributed it said nothing, exit status 0.
    import pytest

    pytest.importorskip("distributed")
    from segmix.cli import main
    from tests.test_trial36_background import _cut_between_key_frames

    cut = _cut_between_key_frames(tmp_path, ".mp4")
    status = main(["background", str(cut), "--output-dir", str(tmp_path / "masks"), "--distributed", "--n-workers", "1"])
    captured = capsys.readouterr()
    assert status == 1
    assert f"segmix background: warning: {cut}: its first 4 frames cannot be decoded (the file starts between " \
           "key frames" in captured.err
    assert "frame_000001 is the file's frame 5; ground truth numbered from the file's first frame takes " \
           "--groundtruth-offset -4" in captured.err
    assert len(list((tmp_path / "masks" / "cut").glob("*.png"))) == 18


def test_distributed_from_a_deleted_current_folder_is_one_line(tmp_path):
    # Without Dask a run on absolute paths works from a deleted folder; with --distributed
    # the local cluster's workers could not start there: some 60 lines of Dask's tracebacks,
    # then "the Dask run failed: RuntimeError: Nanny failed to start."
    import numpy as np
    import pytest
    from PIL import Image

    pytest.importorskip("distributed")
    photo = tmp_path / "p.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(photo)
    gone = tmp_path / "gone"
    gone.mkdir()
    script = (f"import os, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); from segmix.cli import main; "
              f"sys.exit(main(['skin', 'apply', {str(photo)!r}, '--output-dir', {str(tmp_path / 'out')!r}, "
              "'--distributed', '--n-workers', '1']))")
    run = subprocess.run([sys.executable, "-c", script], env=_env(), capture_output=True, text=True, timeout=300)
    assert run.returncode == 2
    assert run.stderr == ("segmix skin apply: error: the current folder no longer exists (deleted or moved while the "
                          "shell was in it), and a local Dask cluster starts its workers there: cd to a folder that "
                          "exists\n")


def test_the_window_refuses_a_threading_layer_numba_cannot_load_in_one_line(tmp_path):
    # The command line's commands named a bad NUMBA_THREADING_LAYER in one line; the window
    # failed the engine's import on its compute thread and ended in an ImportError traceback
    # ("cannot import name 'SegmentationSettings'") and an abort (exit status 134).
    import numpy as np
    from PIL import Image

    photo = tmp_path / "p.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(photo)
    run = subprocess.run([sys.executable, "-m", "segmix", str(photo)], cwd=tmp_path, capture_output=True, text=True,
                         env=_env(NUMBA_THREADING_LAYER="bogus", QT_QPA_PLATFORM="offscreen",
                                  XDG_CONFIG_HOME=str(tmp_path / "config")), timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith("segmix: error: NUMBA_THREADING_LAYER=bogus: ") and run.stderr.count("\n") == 1
