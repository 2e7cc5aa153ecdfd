"""Batch work on Dask, faults of session 33's trial.

1. Ctrl+C (or SIGTERM) during ``background --distributed`` on a local cluster left
   ``OUT/.camA.partial/`` and ``OUT/.camB.partial/`` (the sequences under way, 40-odd masks
   each) until a rerun: the command now removes the partial folders of its sequences once the
   local cluster (and so every worker writing in them) is stopped.
2. On a scheduler's own workers the tasks running at Ctrl+C run to the end (Dask cannot stop
   a running task): the trial's ``OUT/highway/`` appeared 15 s after "segmix: interrupted".
   The line now says so, and the partial folders there are left to their workers.
3. ``skin apply ph2 --distributed`` named a bad photo by its resolved path ("skipped
   /tmp/trialP/ph2/bad.jpg: ..."), the one-machine command as given ("skipped ph2/bad.jpg"):
   now as given, failures and warnings alike; ``background --distributed`` the same
   ("skipped /tmp/trialP/seqs/camX/in000005.jpg", now "skipped seqs/camX/in000005.jpg").

The cluster is replaced by a stand-in (these are the client's steps; tests/test_distributed.py
runs real clusters): fast and deterministic.
"""

import contextlib
import types

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("distributed")

from segmix import cli  # noqa: E402
from segmix.cli import main  # noqa: E402
from segmix.distributed import background_jobs, cluster  # noqa: E402


def _frames(folder, n=3):
    folder.mkdir(parents=True)
    for i in range(n):
        Image.fromarray(np.full((6, 8, 3), 40 * i, np.uint8)).save(folder / f"f{i:03d}.png")


@pytest.fixture
def interrupted_run(monkeypatch, tmp_path):
    """A stand-in cluster whose run writes half of camA's and camB's partial folders, then is
    interrupted by ``signal`` (KeyboardInterrupt or cli.Terminated)."""
    _frames(tmp_path / "camA")
    _frames(tmp_path / "camB")
    out = tmp_path / "out"
    seen = {}

    @contextlib.contextmanager
    def fake_connect(address, n_workers=None, threads_per_worker=None, quiet=False, stream=None,
                     command="segmix"):  # connect's signature (command: inputs58)
        yield types.SimpleNamespace(segmix_tasks_submitted=True)  # a client whose tasks were submitted

    def run(signal):
        def fake_run_background(client, inputs, output_dir, **kwargs):
            for name in ("camA", "camB"):
                partial = out / f".{name}.partial"
                partial.mkdir(parents=True)
                (partial / "f000.png").write_bytes(b"half a run")
            (out / "camC").mkdir()  # a finished sequence of the same run: kept
            (out / "camC" / "f000.png").write_bytes(b"mask")
            seen["partials"] = sorted(p.name for p in out.iterdir())
            raise signal

        monkeypatch.setattr(background_jobs, "run_background", fake_run_background)
        monkeypatch.setattr(cluster, "connect", fake_connect)
        return seen

    return tmp_path, out, run


@pytest.mark.parametrize("signal, status, word", [(KeyboardInterrupt, 130, "interrupted"),
                                                   (cli.Terminated, 143, "terminated")])
def test_an_interrupted_local_cluster_run_leaves_no_partial_folder(interrupted_run, capsys, signal, status, word):
    root, out, run = interrupted_run
    seen = run(signal)
    assert main(["background", str(root / "camA"), str(root / "camB"), "--output-dir", str(out), "--distributed",
                 "--n-workers", "1"]) == status
    assert seen["partials"] == [".camA.partial", ".camB.partial", "camC"]  # the run did leave them
    assert sorted(p.name for p in out.iterdir()) == ["camC"]
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == f"segmix: {word}" and "Traceback" not in err


def test_an_interrupted_run_on_a_scheduler_says_its_workers_finish(interrupted_run, capsys, monkeypatch):
    root, out, run = interrupted_run
    run(KeyboardInterrupt)
    assert main(["background", str(root / "camA"), str(root / "camB"), "--output-dir", str(out), "--distributed",
                 "tcp://127.0.0.1:8786"]) == 130
    # The scheduler's workers still write there (their tasks run to the end): not removed under them.
    assert sorted(p.name for p in out.iterdir()) == [".camA.partial", ".camB.partial", "camC"]
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "segmix: interrupted; what the scheduler's workers had started is finished and written there (Dask cannot "
        "stop a running task); a rerun does only what is missing")


def test_the_interruption_words_keep_the_signal():
    for signal in (KeyboardInterrupt, cli.Terminated):
        with pytest.raises(signal, match="^words$"):
            with cli._one_error_line(contextlib.nullcontext(types.SimpleNamespace(segmix_tasks_submitted=True)),
                                     "words"):
                raise signal
        with pytest.raises(signal) as caught:  # before any task: nothing to add (session 39)
            with cli._one_error_line(contextlib.nullcontext(), "words"):
                raise signal
        assert caught.value.args == ()
    with pytest.raises(KeyboardInterrupt) as caught:  # a local cluster: nothing to add
        with cli._one_error_line(contextlib.nullcontext()):
            raise KeyboardInterrupt
    assert caught.value.args == ()


def test_remove_partials_removes_only_the_run_s_own(tmp_path):
    for name in (".camA.partial", ".other.partial", "camA"):
        (tmp_path / name).mkdir()
    background_jobs.remove_partials(tmp_path, [("/x/camA", "camA"), ("/x/camB", "camB")])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.partial", "camA"]


def test_apply_on_dask_names_photos_as_given(monkeypatch, tmp_path, capsys):
    # "skipped /tmp/.../ph2/bad.jpg" on Dask, "skipped ph2/bad.jpg" without: the tasks carry
    # resolved paths, the client names each photo as the user gave it.
    from segmix.distributed import skin_jobs

    photos = tmp_path / "ph"
    photos.mkdir()
    Image.fromarray(np.full((8, 10), 120, np.uint8)).save(photos / "grey.png")
    (photos / "bad.jpg").write_bytes(b"junk")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(skin_jobs, "_total_threads", lambda client: 1)
    # the tasks run here, in order (a stand-in for the cluster)
    monkeypatch.setattr(skin_jobs, "run_tasks",
                        lambda client, function, job, batches, **kwargs: [function(job, b) for b in batches])
    assert skin_jobs.run_apply(object(), None, ["ph"], "out", quiet=True) == 1
    err = capsys.readouterr().err
    assert "segmix skin apply: skipped ph/bad.jpg: is a text file, not an image (it starts with 'junk')" in err
    assert "segmix skin apply: warning: ph/grey.png: greyscale photo" in err
    assert str(tmp_path) not in err


def test_background_on_dask_names_sequences_and_frames_as_given(monkeypatch, tmp_path, capsys):
    _frames(tmp_path / "camX", n=4)
    (tmp_path / "camX" / "f002.png").write_bytes(b"junk")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(background_jobs, "run_tasks",
                        lambda client, function, job, batches, **kwargs: [function(job, b) for b in batches])
    assert background_jobs.run_background(object(), ["camX/", "empty"], "out", overrides={}, quiet=True) == 1
    err = capsys.readouterr().err
    assert "segmix background: skipped camX/f002.png: is a text file, not an image (it starts with 'junk')" in err
    assert "segmix background: empty: the folder holds no image frames" in err
    assert str(tmp_path) not in err
