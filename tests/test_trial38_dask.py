"""Session 38's trial of ``--distributed`` on a scheduler started by hand: workers of another
segmix, a scheduler that cannot load the tasks, ...

One 2-process local cluster serves the module; the commands connect to it by address, as to
a real scheduler.
"""


import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("distributed")

from segmix.cli import main  # noqa: E402
from segmix.distributed import cluster  # noqa: E402

SKIN_RGB = (200, 140, 120)




@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(3)
    for i in range(4):
        image = rng.integers(0, 256, (40, 48, 3)).astype(np.uint8)
        image[:, :24] = np.clip(rng.normal(SKIN_RGB, 6, (40, 24, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(image).save(folder / f"photo{i}.png")
    return folder


@pytest.fixture
def another_segmix(monkeypatch):
    """This process (the client) as if it ran other segmix code than the cluster's workers."""
    ours = dict(cluster.segmix_identity(), code="0" * 64, segmix="9.9.9")
    monkeypatch.setattr(cluster, "_IDENTITY", [ours])
    return ours


# ------------------------------------------------------------ workers of another segmix
def test_workers_of_another_segmix_are_refused_before_anything_is_written(address, photos, tmp_path, capsys,
                                                                          another_segmix):
    # A worker started from an older copy of segmix wrote its own masks ("60 written", every
    # mask different from the one-machine command's), and a rerun kept them as complete.
    out = tmp_path / "out"
    assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed", address]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"segmix skin apply: error: --distributed {address}: 2 of 2 Dask workers run another "
                              "segmix than this command, whose outputs would differ (tcp://"), err
    assert "this command: segmix 9.9.9" in err[-1] and "install the same segmix" in err[-1]
    assert not any(line.startswith("Traceback") for line in err)
    assert not out.exists()


def test_the_same_segmix_is_accepted_and_the_words_name_what_differs(client, address):
    cluster.check_same_segmix(client, address)  # the workers run this very code
    ours = dict(cluster.segmix_identity(), numba="0.1")
    with pytest.raises(cluster.AnotherSegmix, match=r"numba 0\.1 from .*\); install the same segmix"):
        cluster.check_same_segmix(client, address, ours)
    # the same versions, other code: a checkout of its own, or code loaded before an upgrade
    ours = dict(cluster.segmix_identity(), code="1" * 64)
    with pytest.raises(cluster.AnotherSegmix, match=r"\(other code, or loaded before its files changed\)"):
        cluster.check_same_segmix(client, address, ours)


def test_a_task_on_a_worker_of_another_segmix_fails_named_and_writes_nothing(client, photos, tmp_path, capsys,
                                                                            another_segmix):
    # A worker that joins after the run's start (past check_same_segmix) runs no task either.
    from segmix.distributed.skin_jobs import run_apply

    out = tmp_path / "out"
    assert run_apply(client, None, [photos], out, quiet=True) == 2
    err = capsys.readouterr().err.strip().splitlines()
    # the photos that failed for the same reason (the same worker's) share a line (session 40)
    assert 2 <= len(err) <= 3, err
    assert all(" AnotherSegmix: the Dask worker tcp://" in line and "runs another segmix than this command" in line
               for line in err[:-1]), err
    assert err[-1] == "segmix skin apply: error: all 4 inputs failed; nothing written", err
    assert not list(out.glob("*.png"))


def test_the_identity_probe_answers_as_the_process_runs_it():
    probe = cluster._identity_probe()
    assert "<locals>" in probe.__qualname__  # pickled by value: an earlier segmix's worker answers too
    assert probe() == cluster.segmix_identity()
    identity = cluster.segmix_identity()
    assert set(identity) == {"segmix", "code", "numpy", "numba", "where"} and len(identity["code"]) == 64


def test_a_scheduler_that_cannot_load_the_tasks_is_said_in_words():
    # Dask's "RuntimeError: Error during deserialization of the task graph. This frequently"
    # (cut at its first line) was said once per photo.
    exc = RuntimeError("Error during deserialization of the task graph. This frequently\noccurs if the Scheduler "
                       "and Client have different environments.")
    words = cluster.describe_exception(exc)
    assert words.startswith("the Dask scheduler could not load the task") and "install the same segmix" in words


# ------------------------------------------------------------ Ctrl+C on a scheduler's run
def test_an_interrupted_run_on_a_scheduler_says_a_rerun_does_only_what_is_missing_once(photos, tmp_path, monkeypatch,
                                                                                      capsys):
    # A trial's Ctrl+C on `skin apply ... --distributed tcp://...` said "tasks under way then may
    # still finish; a rerun does only what is missing; what the scheduler's workers had started
    # is finished and written there (Dask cannot stop a running task); a rerun does only what is
    # missing".
    import contextlib

    from segmix.distributed import skin_jobs

    @contextlib.contextmanager
    def fake_connect(*args, **kwargs):
        yield types.SimpleNamespace(segmix_tasks_submitted=True)  # a client whose tasks were submitted

    def fake_run_tasks(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(skin_jobs, "run_tasks", fake_run_tasks)
    monkeypatch.setattr(skin_jobs, "check_workers_share", lambda *a, **k: None)  # no real workers
    monkeypatch.setattr(skin_jobs, "_total_threads", lambda client: 1)
    monkeypatch.setattr(cluster, "connect", fake_connect)
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--distributed",
                 "tcp://127.0.0.1:8786"]) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == ("segmix: interrupted; the masks of 0 of 4 photos to do were written when it came; what the "
                    "scheduler's workers had started is finished and written there (Dask cannot stop a running task); "
                    "a rerun does only what is missing"), last


# ------------------------------------------------------------ an output folder the workers do not share
@pytest.fixture
def folder_not_shared(monkeypatch):
    """The check's file, written by this process, as a worker on another host (or mount
    namespace) sees it: not there."""
    import contextlib
    import io

    from segmix import io as segmix_io

    @contextlib.contextmanager
    def nowhere(path, *args, **kwargs):
        yield io.BytesIO()

    monkeypatch.setattr(segmix_io, "atomic_write", nowhere)


@pytest.mark.parametrize("command", ["skin", "background"])
def test_workers_that_do_not_see_the_output_folder_are_refused_and_nothing_is_left(address, photos, tmp_path, capsys,
                                                                                  folder_not_shared, command):
    # A worker in a mount namespace of its own wrote every mask into its own /tmp/...: "60
    # written", exit 0, the folder empty; the rerun said "60 already complete".
    out = tmp_path / "masks"
    if command == "skin":
        argv = ["skin", "apply", str(photos)]
    else:
        for name in ("camA", "camB"):
            (tmp_path / name).mkdir()
            for i in range(3):
                Image.fromarray(np.full((8, 10, 3), 30 * i, np.uint8)).save(tmp_path / name / f"f{i}.png")
        argv = ["background", str(tmp_path / "camA"), str(tmp_path / "camB")]
    assert main([*argv, "--output-dir", str(out), "--distributed", address]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"segmix {'skin apply' if command == 'skin' else 'background'}: error: {out}: 2 of 2 "
                              "Dask workers cannot use this output folder (tcp://"), err
    assert "it does not see the folder's files as this command does" in err[-1]
    assert "storage every host sees under the same path" in err[-1]
    assert not out.exists()  # made by this run, removed: nothing was written


def test_a_worker_sees_the_folder_or_says_why_not(tmp_path):
    marker = tmp_path / ".segmix-shared-check-x"
    assert "does not see the folder's files" in cluster._sees_folder(str(marker), "x")
    marker.write_bytes(b"y")
    assert cluster._sees_folder(str(marker), "x") == f"it sees another {tmp_path} there"
    marker.write_bytes(b"x")
    assert cluster._sees_folder(str(marker), "x") is None
    assert [p.name for p in tmp_path.iterdir()] == [marker.name]  # its write probe removed


def test_a_shared_folder_passes_and_the_check_leaves_nothing(client, tmp_path):
    # Its marker stays for the run (a worker joining later checks it: session 39), and the run
    # removes it (tests/test_trial39_dask.py); nothing else is left.
    marker, _, shown = cluster.check_workers_share(client, tmp_path, "out")
    assert [p.name for p in tmp_path.iterdir()] == [Path(marker).name] and shown == "out"
    Path(marker).unlink()


# ------------------------------------------------------------ inputs the workers do not see
def test_inputs_a_worker_did_not_find_that_are_here_are_said_to_be_unshared(client, photos, tmp_path, capsys,
                                                                            monkeypatch):
    # A worker without the client's storage said "photos/p0.png: no such file" once per photo,
    # of files the user could see there; now a note says why.
    from segmix.distributed import skin_jobs

    def run_elsewhere(client, function, job, batches, **kwargs):  # a worker that sees none of them
        return [[(photo, "failed", f"{photo}: no such file", None) for photo in batch] for batch in batches]

    monkeypatch.setattr(skin_jobs, "run_tasks", run_elsewhere)
    monkeypatch.chdir(photos.parent)
    # not with --quiet, a note (session 42: tests/test_daskfix42.py)
    assert skin_jobs.run_apply(client, None, [photos.name], tmp_path / "out", quiet=False) == 2
    err = capsys.readouterr().err.strip().splitlines()
    # one line for the photos of the same reason (session 40)
    assert (f"segmix skin apply: skipped 4 photos ({photos.name}/photo0.png, {photos.name}/photo1.png, "
            f"{photos.name}/photo2.png and 1 more): no such file") in err, err
    assert (f"segmix skin apply: note: 4 inputs the Dask workers did not find are here, where this command runs "
            f"({photos.name}/photo0.png, {photos.name}/photo1.png, {photos.name}/photo2.png and 1 more): on a cluster "
            "the inputs must be on storage every host sees under the same path") in err, err


def test_the_note_names_only_inputs_that_are_here(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    assert cluster.seen_here([str(tmp_path / "gone.png")], ["gone.png"]) is None
    assert cluster.seen_here([str(tmp_path / "a.png"), str(tmp_path / "gone.png")], ["a.png", "gone.png"]).startswith(
        "1 input the Dask workers did not find is here, where this command runs (a.png): ")


def test_training_names_the_inputs_a_worker_did_not_find_as_unshared(tmp_path, capsys, monkeypatch):
    from segmix.distributed import skin_jobs

    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    for i in range(2):
        Image.fromarray(np.full((6, 8, 3), 200, np.uint8)).save(images / f"p{i}.png")
        Image.fromarray(np.full((6, 8), 255, np.uint8)).save(masks / f"p{i}.png")

    def reduce_elsewhere(client, function, job, batches, merge, **kwargs):
        total = skin_jobs.PartialCounts(skin_jobs.skin.ColorCounts.empty())
        for batch in batches:
            for kind, folder, pairs in batch:
                total.failures.extend(((1, folder, position), f"{image}: no such file")
                                      for position, image, _ in pairs)
        return total

    monkeypatch.setattr(skin_jobs, "reduce_tasks", reduce_elsewhere)
    monkeypatch.setattr(skin_jobs, "_total_threads", lambda client: 1)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(skin_jobs.skin.UnusablePairs) as caught:
        skin_jobs.count_training_data(object(), [], ["images"], ["masks"], quiet=False)
    assert caught.value.lines == ["images/p0.png: no such file", "images/p1.png: no such file"]
    # Why: a note, as skin apply's and background's (session 43: it was an error line, with --quiet too)
    assert capsys.readouterr().err.startswith(
        "segmix skin train: note: 2 inputs the Dask workers did not find are here, where this command "
        "runs (images/p0.png, images/p1.png): on a cluster"), caught.value.lines


# ------------------------------------------------------------ Dask's own version mismatch
def test_dask_s_version_mismatch_warning_is_one_readable_line(capsys):
    # A worker of another dask: "segmix skin apply: warning: Mismatched versions found\n\n+----...",
    # one line of literal "\n" and table rules.
    from distributed.versions import VersionMismatchWarning, error_message

    from segmix import cli

    def packages(dask):
        return {"packages": {"python": "3.11.2", "dask": dask, "distributed": dask}}

    text = error_message(packages("2026.8.0"), {"w1": packages("2025.5.1"), "w2": packages("2026.8.0")},
                         packages("2026.8.0"))["warning"]
    assert text.startswith("Mismatched versions found\n")
    cli._warning_line("segmix skin apply")(VersionMismatchWarning(text), VersionMismatchWarning, "client.py", 1595)
    err = capsys.readouterr().err
    assert err == ("segmix skin apply: warning: Dask's packages differ between this command, its scheduler and its "
                   "workers (dask: here 2026.8.0, scheduler 2026.8.0, workers 2025.5.1 and 2026.8.0; distributed: here "
                   "2026.8.0, scheduler 2026.8.0, workers 2025.5.1 and 2026.8.0): Dask may fail in ways of its own; "
                   "install the same versions everywhere\n"), err
    assert cluster.version_mismatch_words("something else") == "something else"
