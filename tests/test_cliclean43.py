"""Session 43 (cliclean): a new user's faults, mended. The most basic problem of an input
(not there, a folder where a photo goes, a file where a folder goes) is said before a
missing option; ..."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.conftest import write_skin_pairs


def _photo(path, size=(20, 16)):
    Image.fromarray(np.full((size[1], size[0], 3), 120, np.uint8)).save(path)
    return path


def _one_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("argv, said", [
    # a folder as segment's photo, no marks: the folder, not "--scribbles is required"
    (["segment", "{dir}", "-o", "{tmp}/m.png"], "{dir}: is a folder; segment works on one photo"),
    (["segment", "{dir}"], "{dir}: is a folder; segment works on one photo"),
    (["segment", "{tmp}/none.jpg", "-o", "{tmp}/m.png"], "none.jpg: no such file"),
    # a folder with --model and an option --model refuses: the folder first
    (["segment", "{dir}", "--model", "{tmp}/m.json", "--cutout", "{tmp}/c.png", "-o", "{tmp}/m.png"],
     "{dir}: is a folder; segment works on one photo"),
    (["quantize", "{dir}"], "{dir}: is a folder; quantize works on one photo"),
    (["quantize", "{tmp}/none.jpg"], "none.jpg: no such file"),
    (["skin", "train", "--images", "{dir}", "--masks", "{dir}/a.png"],
     "a.png: is a file, not a folder (--masks takes a folder of masks)"),
    (["skin", "train", "--images", "{tmp}/none", "-o", "{tmp}/m.json"], "none: images folder not found"),
    (["skin", "train", "--images", "{dir}/a.png", "--masks", "{dir}", "-o", "{tmp}/m.json"],
     "a.png: is a file, not a folder (--images takes a folder of photos)"),
    (["skin", "eval", "--images", "{dir}/a.png"], "a.png: is a file, not a folder (--images takes a folder of photos)"),
    (["background", "{tmp}/none"], "none: no such file or folder"),
    # before the output's refusals too (a folder as -o, a JPEG mask)
    (["segment", "{tmp}/none.jpg", "--click", "1,1", "-o", "{dir}"], "none.jpg: no such file"),
    (["segment", "{tmp}/none.jpg", "--click", "1,1", "-o", "{tmp}/m.jpg"], "none.jpg: no such file"),
    (["quantize", "{tmp}/none.jpg", "-o", "{dir}"], "none.jpg: no such file"),
])
def test_input_problem_said_before_missing_option(tmp_path, capsys, argv, said):
    folder = tmp_path / "photos"
    folder.mkdir()
    _photo(folder / "a.png")
    fill = {"dir": str(folder), "tmp": str(tmp_path)}
    status = main([word.format(**fill) for word in argv])
    line = _one_error(capsys)
    assert status == 2
    assert said.format(**fill) in line, line
    assert "required" not in line and "nothing to write" not in line and "per --images" not in line, line
    assert "-o/--output" not in line and "extension" not in line, line


def test_missing_option_still_said_for_a_good_photo(tmp_path, capsys):
    photo = _photo(tmp_path / "a.png")
    assert main(["segment", str(photo), "-o", str(tmp_path / "m.png")]) == 2
    assert "the following arguments are required: --scribbles" in _one_error(capsys)


# ------------------------------------------------------------ --quiet: errors stay, notes go
def _counted_elsewhere(tmp_path, monkeypatch):
    """skin train's folders, counted by "workers" that see none of the photos."""
    from segmix.distributed import skin_jobs

    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    for i in range(2):
        _photo(images / f"p{i}.png", (8, 6))
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
    return skin_jobs


@pytest.mark.parametrize("quiet", [True, False])
def test_quiet_skin_train_drops_the_note_of_inputs_here_as_skin_apply_does(tmp_path, capsys, monkeypatch, quiet):
    # Was: "segmix skin train: error: 2 inputs the Dask workers did not find are here, ..." with
    # --quiet too: the cause of the errors, said as skin apply and background say it (a note).
    skin_jobs = _counted_elsewhere(tmp_path, monkeypatch)
    with pytest.raises(skin_jobs.skin.UnusablePairs) as caught:
        skin_jobs.count_training_data(object(), [], ["images"], ["masks"], quiet=quiet)
    assert caught.value.lines == ["images/p0.png: no such file", "images/p1.png: no such file"]  # errors stay
    err = capsys.readouterr().err.strip().splitlines()
    assert [line for line in err if "are here" in line] == ([] if quiet else [
        "segmix skin train: note: 2 inputs the Dask workers did not find are here, where this command runs "
        "(images/p0.png, images/p1.png): on a cluster the inputs must be on storage every host sees under the "
        "same path"]), err


# ------------------------------------------------------------ skin train: a model of few photos
def _train(tmp_path, names, extra=()):
    write_skin_pairs(tmp_path, names, np.random.default_rng(0))
    out = tmp_path / "m.json"
    status = main(["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks"),
                   "-o", str(out), "-k", "2", "--non-skin-components", "2", *extra])
    return status, out


@pytest.mark.parametrize("quiet", [True, False])
def test_skin_train_on_few_photos_warns_and_still_writes_the_model(tmp_path, capsys, quiet):
    # Was: a model of 10 hand photos (F1 0.21 on CCP, the built-in 0.43) written without a word.
    status, out = _train(tmp_path, [f"p{i}" for i in range(3)], ["--quiet"] if quiet else [])
    err = capsys.readouterr().err
    assert status == 0 and out.is_file(), err  # warned, not refused
    warned = [line for line in err.splitlines() if "may not generalise" in line]
    assert len(warned) == 1, err  # a warning: printed with --quiet too
    assert warned[0].startswith("segmix skin train: warning: trained on 3 photos only")
    assert f"segmix skin eval --images DIR --masks DIR --model {out}" in warned[0]


def test_skin_train_warning_counts_photos_and_not_uci_rows(tmp_path):
    from segmix import skin

    assert skin.few_photos_warning(skin.FEW_TRAINING_PHOTOS, "m.json", uci=False) is None
    assert skin.few_photos_warning(skin.FEW_TRAINING_PHOTOS - 1, "m.json", uci=False)
    assert skin.few_photos_warning(3, "m.json", uci=True) is None  # UCI's rows come from many photos
    assert "1 photo only" in skin.few_photos_warning(1, "m.json", uci=False)


# ------------------------------------------------------------ Dask: an unfit newcomer
def _unfit_first_newcomer(cluster, known, monkeypatch):
    """Workers not in ``known`` fail segmix's check in their tasks (another segmix), the first
    one to run a task only; the identity watch sees nothing (as when its word comes late)."""
    first: list = []
    real = cluster._worker_identity

    def identity():
        address = cluster._worker_address()
        if address not in known and address != "this worker" and (not first or first[0] == address):
            first[:1] = [address]
            return dict(real(), segmix="0.0.0-other")
        return real()

    monkeypatch.setattr(cluster, "_worker_identity", identity)
    return first


def _held_count(job, batch):
    """A reduce task: tests.test_daskfix42's held task, counting batch[0] + 1."""
    import tests.test_daskfix42 as D

    D._held_on_good(job, batch)
    return batch[0] + 1


def _add(a, b):
    return a + b


@pytest.mark.parametrize("reduce", [False, True], ids=["run_tasks", "reduce_tasks"])
def test_tasks_failed_by_an_unfit_newcomer_wait_for_a_fit_worker(monkeypatch, reduce):
    # Was: the good worker gone, the tasks moved to a worker that joined and failed segmix's
    # check there at once ("runs another segmix"), their inputs failed, though a fit worker
    # joined a moment later. Now they wait for one (STRANDED_TIMEOUT), and it does them.
    distributed = pytest.importorskip("distributed")
    import threading

    import tests.test_daskfix42 as D
    from segmix.distributed import cluster

    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as lc, distributed.Client(lc) as client:
        client.wait_for_workers(2, timeout=60)
        client.segmix_left_out = {}
        bad, good = sorted(client.nthreads())
        D._hold_setup(good, monkeypatch)
        monkeypatch.setattr(cluster, "STRANDED_TIMEOUT", 30)
        first = _unfit_first_newcomer(cluster, {bad, good}, monkeypatch)
        cluster.leave_out(client, bad, "it runs another segmix", lasting=True)
        joined: list = []
        taken = threading.Event()
        real = cluster._completed
        monkeypatch.setattr(cluster, "_completed", lambda c, futures: D.T._Watched(real(c, futures), taken))

        def leave_then_join_twice():
            assert D._HELD.wait(60) and taken.wait(60)
            client.run_on_scheduler(D.T._remove, good)
            joined.append(D._Joining(client.scheduler.address))  # fails the check in its task
            for _ in range(600):  # until its task failed there and it is left out
                if joined[0].address in cluster._left_out(client):
                    break
                threading.Event().wait(0.05)
            joined.append(D._Joining(client.scheduler.address))  # a fit one

        mover = threading.Thread(target=leave_then_join_twice, daemon=True)
        mover.start()
        try:
            if reduce:  # skin train's: a round of counts merged on the workers
                results = cluster.reduce_tasks(client, _held_count, None, [[0], [1]], _add, sizes=[1, 1],
                                               description="t", unit="x", quiet=True)
            else:  # skin apply's and background's
                results = cluster.run_tasks(client, D._held_on_good, None, [[0], [1]], description="t", unit="x",
                                            quiet=True)
        finally:
            D._RELEASE.set()
            mover.join(30)
            for worker in joined:
                worker.stop()
    assert first == [joined[0].address]  # the unfit newcomer did get the task, and failed it
    assert joined[0].address in client.segmix_left_out
    assert results == (3 if reduce else [good, joined[1].address]), results


@pytest.mark.parametrize("quiet", [True, False])
def test_quiet_skin_train_drops_the_note_of_a_folder_pair_given_twice(tmp_path, capsys, quiet):
    # Was: "segmix skin train: note: --images ... is given more than once; ..." with --quiet too.
    write_skin_pairs(tmp_path, [f"p{i}" for i in range(3)], np.random.default_rng(0))
    pair = ["--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")]
    status = main(["skin", "train", *pair, *pair, "-o", str(tmp_path / "m.json"), "-k", "2",
                   "--non-skin-components", "2", *(["--quiet"] if quiet else [])])
    err = capsys.readouterr().err.splitlines()
    assert status == 0, err
    notes = [line for line in err if "note:" in line]
    assert len([line for line in notes if "given more than once" in line]) == (0 if quiet else 1), err
    # the marks check's note of the trained model's F1 (always said since session 58) is the other
    assert len(notes) == (0 if quiet else 2), err
    assert any("may not generalise" in line for line in err)  # the warning stays
