"""``segmix skin apply --distributed``: photos per second on 1 and 2 local Dask workers
against the single-process path, and the scheduler's cost per task.

    python benchmarks/bench_distributed.py [--step K] [--repeat R] [--sets ccp hgr1 ...]

Photos: every K-th photo (default 4) of the skin development sets (ccp, hgr1, sfa/val,
abdomen/val), else synthetic photos when /work/shared/data is absent. Every configuration
runs the default detector and writes the masks into a fresh folder (nothing is skipped):

- single process, one thread (``skin.apply_batch(..., workers=1)``): the reference;
- single process, default threads (``apply_batch``'s default pool), for information;
- Dask LocalCluster of 1 and of 2 worker processes with one thread each
  (``segmix.distributed.skin_jobs.run_apply``, what ``--distributed --n-workers N`` runs),
  after a warm-up run that loads the model on every worker;
- the cost of an empty task through the same path (``run_tasks``), per task.

Targets (issue 14): 2 workers >= 1.7x one worker; one worker within 5 % of the
single-process path. Timings are medians over ``--repeat`` rounds, each running every
configuration once (both clusters stay up throughout, so that load drifts alike over all
of them); the ratios are also given per round. CPU time adds the client process (where a
local cluster's scheduler runs), the workers and their nannies. The machine is shared, so
the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from segmix import skin  # noqa: E402
from segmix.distributed import skin_jobs  # noqa: E402
from segmix.distributed.cluster import connect, run_tasks  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "skin"
SETS = ("ccp/images", "hgr1/images", "sfa/val/images", "abdomen/val/images")


def photos(sets, step: int, scratch: Path) -> list[Path]:
    files = []
    for name in sets:
        folder = DATA / name
        if folder.is_dir():
            files.extend(skin.list_images([folder])[::step])
    if files:
        return files
    import numpy as np
    from PIL import Image

    print("no development sets found: 200 synthetic 640 x 480 photos")
    rng = np.random.default_rng(0)
    for i in range(200):
        small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
        im = Image.fromarray(small).resize((640, 480), Image.BILINEAR)
        im.save(scratch / f"synthetic{i:03d}.jpg", quality=90)
        files.append(scratch / f"synthetic{i:03d}.jpg")
    return files


def cpu_seconds(client=None) -> float:
    """User + system CPU seconds of this process, plus every worker's and nanny's process
    (counted once each: a local cluster's nannies live in this process)."""
    def own():
        import os
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        return os.getpid(), usage.ru_utime + usage.ru_stime

    by_pid = dict([own()])
    if client is not None:
        by_pid.update(client.run(own).values())
        by_pid.update(client.run(own, nanny=True).values())
    return sum(by_pid.values())


def timed(run, out_root: Path, repeat: int, client=None) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``run(output_dir)`` over ``repeat`` runs, each
    into a new folder (CPU: this process, and the cluster's workers and nannies)."""
    walls, cpus = [], []
    for r in range(repeat):
        out = out_root / f"run{r}"
        c0 = cpu_seconds(client)
        t0 = time.perf_counter()
        status = run(out)
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds(client) - c0)
        if status != 0:
            raise SystemExit(f"run failed with status {status}")
        shutil.rmtree(out)
    return statistics.median(walls), statistics.median(cpus)


def noop(job, batch):
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step", type=int, default=4, help="every K-th photo of each set (default 4)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration; the median is shown")
    parser.add_argument("--sets", nargs="+", default=list(SETS), help="folders under shared/data/skin")
    parser.add_argument("--noop-tasks", type=int, default=400, help="empty tasks for the per-task cost")
    args = parser.parse_args()
    logging.getLogger("distributed").setLevel(logging.ERROR)
    print(f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        files = photos(args.sets, args.step, scratch)
        n = len(files)
        print(f"{n} photos ({', '.join(args.sets)}, every {args.step}th), default detector, masks written")
        model = skin.load_skin_model()
        skin.apply_batch(model, files[:8], scratch / "warm", quiet=True, workers=1)  # imports, caches
        paths = [str(f) for f in files]
        quiet_out = open(os.devnull, "w")
        with contextlib.ExitStack() as stack:
            clients = {}
            for workers in (1, 2):
                t0 = time.perf_counter()
                client = stack.enter_context(connect(None, n_workers=workers, threads_per_worker=1, quiet=True))
                client.wait_for_workers(workers)
                print(f"  cluster of {workers} started in {time.perf_counter() - t0:.1f} s")
                # warm-up: every worker imports segmix and reads the model once
                skin_jobs.run_apply(client, None, paths[: 4 * workers], scratch / f"warm{workers}", quiet=True,
                                    out_stream=quiet_out)
                clients[workers] = client
            configs = {
                "single process, 1 thread": (lambda out: skin.apply_batch(model, files, out, quiet=True, workers=1), None),
                "single process, default threads": (lambda out: skin.apply_batch(model, files, out, quiet=True), None),
            }
            for workers, client in clients.items():
                label = f"Dask, {workers} worker{'s' if workers > 1 else ''} x 1 thread"
                configs[label] = (lambda out, c=client: skin_jobs.run_apply(c, None, paths, out, quiet=True,
                                                                           out_stream=quiet_out), client)
            # rounds: every configuration once per round, so that the machine's load drifts
            # over all of them alike
            samples = {label: [] for label in configs}
            for r in range(args.repeat):
                for label, (run, client) in configs.items():
                    samples[label].append(timed(run, scratch / f"{label}-{r}".replace(" ", "_"), 1, client))
                print(f"  round {r + 1} of {args.repeat} done, load {os.getloadavg()[0]:.2f}")
            results = {label: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
                       for label, runs in samples.items()}
            ratios = {
                "2 vs 1 worker": [a[0] / b[0] for a, b in zip(samples["Dask, 1 worker x 1 thread"],
                                                               samples["Dask, 2 workers x 1 thread"])],
                "1 worker vs single": [a[0] / b[0] for a, b in zip(samples["Dask, 1 worker x 1 thread"],
                                                                    samples["single process, 1 thread"])],
            }
            client = clients[1]
            per_task = {"apply tasks": len(skin_jobs._batches(files, client, skin_jobs.PHOTOS_PER_TASK))}
            batches = [[i] for i in range(args.noop_tasks)]
            c0, t0 = cpu_seconds(client), time.perf_counter()
            run_tasks(client, noop, None, batches, description="noop", unit="task", quiet=True)
            per_task["empty task"] = (time.perf_counter() - t0) / args.noop_tasks
            per_task["empty task cpu"] = (cpu_seconds(client) - c0) / args.noop_tasks
    reference, reference_cpu = results["single process, 1 thread"]
    one, one_cpu = results["Dask, 1 worker x 1 thread"]
    two, _ = results["Dask, 2 workers x 1 thread"]
    print()
    print("| Configuration | Wall time | Photos/s | vs single process, 1 thread | CPU time (all processes) |")
    print("|---|---|---|---|---|")
    for label, (seconds, cpu) in results.items():
        print(f"| {label} | {seconds:.2f} s | {n / seconds:.1f} | {reference / seconds:.2f}x | {cpu:.2f} s |")
    print()
    tasks = per_task["apply tasks"]
    print(f"2 workers vs 1 worker: {one / two:.2f}x (target >= 1.7x); per round: "
          + ", ".join(f"{x:.2f}x" for x in ratios["2 vs 1 worker"]))
    print("1 worker vs single process per round: " + ", ".join(f"{100 * (x - 1):+.1f} %" for x in ratios["1 worker vs single"]))
    print(f"1 worker vs single process: {100 * (one / reference - 1):+.1f} % wall time (target <= +5 %), "
          f"{100 * (one_cpu / reference_cpu - 1):+.1f} % CPU time = {1000 * (one_cpu - reference_cpu) / tasks:+.1f} ms "
          f"of CPU per task ({tasks} tasks of up to {skin_jobs.PHOTOS_PER_TASK} photos)")
    print(f"empty task through run_tasks on 1 worker: {1000 * per_task['empty task']:.2f} ms wall, "
          f"{1000 * per_task['empty task cpu']:.2f} ms CPU per task")
    print(f"load average at end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
