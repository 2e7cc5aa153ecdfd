"""Background subtraction: segmix against OpenCV's mixture models, in one process.

    python benchmarks/bench_background.py [--repeats 2] [--skip-quality] [--breakdown [N]]
                                          [--plot docs/background_f_vs_rate.png]

Data (``../shared/data/background``, see its README):

* ``highway`` (CDnet 2014 baseline, 1700 frames 320 x 240): F-measure, recall, precision and
  PWC with the benchmark's rules (GT 255 foreground; 0 and 50 background; 85 and 170 not
  scored), frames 470..1700 scored (``temporalROI.txt``), every frame fed to the model.
* ``wavingtrees`` (Wallflower, 287 frames 160 x 120): false positives + false negatives on the
  hand-segmented frame 247 (the Wallflower count).

Methods, all with their default settings: segmix ``BackgroundMixture()``;
``cv2.createBackgroundSubtractorMOG2(detectShadows=False)`` (Zivkovic); and
``cv2.bgsegm.createBackgroundSubtractorMOG()`` (KaewTraKulPong-Bowden's Stauffer-Grimson).

Throughput: every highway frame decoded from disk and fed to the model, wall time, in
megapixels per second. segmix reads with ``segmix.frames.FrameSequence`` (Pillow) on a
helper thread ahead of the model, as ``segmix background`` does; OpenCV reads with
``cv2.imread`` in the loop (its models run in parallel internally, on both cores).
The methods alternate ``--repeats`` times and the best time of each is kept; the machine
is shared, so ratios in one run matter, and the load average is printed.

``--breakdown [N]`` also times decoding and the model apart on the first N frames (default
500), wall and CPU per frame for segmix and MOG2.

``--end-to-end [VIDEO]`` times the commands a user runs instead, each in its own process,
alternating, best of ``--repeats``: ``segmix background VIDEO --output-dir OUT --quiet`` against
a plain OpenCV script that reads the same video with ``cv2.VideoCapture``, applies MOG2 with
its defaults and writes each mask with ``cv2.imwrite`` as PNG (start-up, decoding and writing
included on both sides). VIDEO defaults to highway's frames as an MP4 made once with OpenCV
(``mp4v``) in a temporary folder. Also times ``segmix background`` on 2 frames (start-up).

``--plot`` also sweeps the learning rate (segmix's alpha, MOG2's ``learningRate``) on
highway and draws the F-measure curves (Matplotlib, Agg backend).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "background"

from segmix.background import BackgroundMixture  # noqa: E402
from segmix.change_detection import Confusion, confusion, read_temporal_roi  # noqa: E402
from segmix.frames import FrameSequence, prefetch  # noqa: E402


def _load(folder: Path) -> list[np.ndarray]:
    import cv2

    paths = FrameSequence(folder).paths
    return [cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB) for p in paths]


def _highway():
    import cv2

    frames = _load(DATA / "highway" / "input")
    gt = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in FrameSequence(DATA / "highway" / "groundtruth").paths]
    return frames, gt, read_temporal_roi(DATA / "highway" / "temporalROI.txt")


def _methods():
    import cv2

    return {
        "segmix": lambda: BackgroundMixture().apply,
        "OpenCV MOG2": lambda: cv2.createBackgroundSubtractorMOG2(detectShadows=False).apply,
        "OpenCV bgsegm MOG": lambda: cv2.bgsegm.createBackgroundSubtractorMOG().apply,
    }


def score_highway(apply, frames, gt, roi) -> Confusion:
    total = Confusion()
    for number, (frame, truth) in enumerate(zip(frames, gt), start=1):
        mask = apply(frame)
        if roi[0] <= number <= roi[1]:
            total = total + confusion(mask, truth)
    return total


def wavingtrees_errors(apply) -> tuple[int, int, int]:
    import cv2

    frames = _load(DATA / "wavingtrees" / "input")
    truth = cv2.imread(str(DATA / "wavingtrees" / "groundtruth" / "gt00247.png"), cv2.IMREAD_GRAYSCALE)
    for index, frame in enumerate(frames):
        mask = apply(frame)
        if index == 247:
            fp = int(np.count_nonzero((mask == 255) & (truth == 0)))
            fn = int(np.count_nonzero((mask != 255) & (truth == 255)))
            return fp + fn, fp, fn
    raise RuntimeError("WavingTrees has fewer than 248 frames")


def time_segmix(folder: Path) -> tuple[float, float, int]:
    """Wall and process CPU seconds (all threads: reader, kernel blocks) and frames."""
    model = BackgroundMixture()
    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    for frame in prefetch(FrameSequence(folder)):
        model.apply(frame.pixels)
        n += 1
    return time.perf_counter() - start, time.process_time() - cpu, n


def time_opencv(folder: Path, make) -> tuple[float, float, int]:
    import cv2

    apply = make()
    paths = [str(p) for p in FrameSequence(folder).paths]
    start, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        apply(cv2.imread(path))
    return time.perf_counter() - start, time.process_time() - cpu, len(paths)


def _clock(run) -> tuple[float, float]:
    """Wall and process CPU seconds of ``run()``."""
    start, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - start, time.process_time() - cpu


def breakdown(folder: Path, n_frames: int, repeats: int) -> None:
    """Where the time goes, per frame, on the first ``n_frames`` frames: decoding alone
    (segmix's ``FrameSequence`` / ``cv2.imread``, one thread, no model) and the model alone on
    frames already in memory (segmix on its row-block threads, MOG2 on OpenCV's), best of
    ``repeats``. The end-to-end figures above are what the target is judged on: there
    segmix decodes on a reader thread while the model runs, OpenCV decodes in the loop."""
    import cv2

    paths = FrameSequence(folder).paths[:n_frames]
    ours = [frame.pixels for frame in FrameSequence(paths)]
    theirs = [cv2.imread(str(p)) for p in paths]

    def feed(make, frames):
        def run():
            apply = make()
            for frame in frames:
                apply(frame)
        return run

    steps = {
        ("segmix", "decode"): lambda: [frame.pixels for frame in FrameSequence(paths)],
        ("OpenCV MOG2", "decode"): lambda: [cv2.imread(str(p)) for p in paths],
        ("segmix", "model"): feed(lambda: BackgroundMixture().apply, ours),
        ("OpenCV MOG2", "model"): feed(lambda: cv2.createBackgroundSubtractorMOG2(detectShadows=False).apply, theirs),
    }
    best: dict = {}
    for _ in range(repeats):
        for key, run in steps.items():
            wall, cpu = _clock(run)
            old = best.get(key, (float("inf"), float("inf")))
            best[key] = (min(old[0], wall), min(old[1], cpu))
    print(f"\nBreakdown, first {len(paths)} frames, best of {repeats} (load average now {os.getloadavg()[0]:.2f}): "
          "ms per frame, wall / process CPU")
    for name in ("segmix", "OpenCV MOG2"):
        (dw, dc), (mw, mc) = best[(name, "decode")], best[(name, "model")]
        k = 1000 / len(paths)
        print(f"{name:<20} decode {k * dw:5.2f} / {k * dc:5.2f}   model in memory {k * mw:5.2f} / {k * mc:5.2f}   "
              f"sum {k * (dw + mw):5.2f} / {k * (dc + mc):5.2f}")


def sweep_plot(path: Path, frames, gt, roi, rates) -> None:
    import cv2

    ours, mog2 = [], []
    for rate in rates:
        model = BackgroundMixture(learning_rate=rate)
        ours.append(score_highway(model.apply, frames, gt, roi).f_measure)
        sub = cv2.createBackgroundSubtractorMOG2(detectShadows=False)
        mog2.append(score_highway(lambda f: sub.apply(f, learningRate=rate), frames, gt, roi).f_measure)
        print(f"  learning rate {rate:g}: segmix F {ours[-1]:.4f}, MOG2 F {mog2[-1]:.4f}", flush=True)
    draw_f_curve(path, rates, ours, mog2)


def draw_f_curve(path: Path, rates, ours, mog2) -> None:
    """The F-measure against the learning rate, as a PNG (Matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, NullLocator

    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    ax.plot(rates, ours, "o-", label="segmix (other settings default)")
    ax.plot(rates, mog2, "s--", label="OpenCV MOG2 (learningRate, shadows off)")
    ax.axvline(BackgroundMixture().learning_rate, color="grey", lw=0.8, ls=":", label="segmix default")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(rates))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{r:g}" for r in rates])
    ax.set_xlabel("learning rate alpha (per frame)")
    ax.set_ylabel("F-measure, CDnet highway frames 470-1700")
    ax.set_ylim(0.5, 1.0)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp)
    os.replace(tmp, path)
    plt.close(fig)
    print(f"wrote {path}")


_OPENCV_SCRIPT = """
import sys, cv2
capture, model, n = cv2.VideoCapture(sys.argv[1]), cv2.createBackgroundSubtractorMOG2(), 0
while True:
    ok, frame = capture.read()
    if not ok:
        break
    n += 1
    cv2.imwrite(f"{sys.argv[2]}/frame_{n:06d}.png", model.apply(frame))
print(n)
"""


def _highway_video(where: Path) -> Path:
    """highway's 1700 frames as an MP4 (OpenCV's mp4v), made once per run."""
    import cv2

    video = where / "highway.mp4"
    paths = FrameSequence(DATA / "highway" / "input").paths
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 25, (320, 240))
    for path in paths:
        writer.write(cv2.imread(str(path)))
    writer.release()
    return video


def end_to_end(video: str, repeats: int) -> None:
    """Wall time of ``segmix background VIDEO --output-dir`` and of an OpenCV MOG2 script
    writing PNG masks, each a new process, alternating; best of ``repeats`` each."""
    import shutil
    import subprocess
    import tempfile

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="bench_bg_") as tmp:
        tmp = Path(tmp)
        source = Path(video) if video else _highway_video(tmp)
        two = tmp / "two"
        two.mkdir()
        for path in FrameSequence(DATA / "highway" / "input").paths[:2]:
            shutil.copy(path, two / path.name)
        commands = {
            "segmix background": [sys.executable, "-m", "segmix", "background", str(source), "--output-dir",
                                  "{out}", "--quiet"],
            "OpenCV MOG2 script": [sys.executable, "-c", _OPENCV_SCRIPT, str(source), "{out}"],
            "segmix, 2 frames": [sys.executable, "-m", "segmix", "background", str(two), "--output-dir",
                                 "{out}", "--quiet"],
        }
        best: dict[str, float] = {}
        for _ in range(repeats):
            for name, command in commands.items():
                out = tmp / "out"
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                start = time.perf_counter()
                subprocess.run([part.replace("{out}", str(out)) for part in command], check=True, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
        print(f"\nEnd to end: {source.name}, decoded, every mask written as PNG, a new process each; best of "
              f"{repeats} (load average now {os.getloadavg()[0]:.2f})")
        for name, seconds in best.items():
            print(f"{name:<22} {seconds:7.2f} s")
        ratio = best["OpenCV MOG2 script"] / best["segmix background"]
        print(f"segmix's speed / the OpenCV script's = {ratio:.2f}x (start-up {best['segmix, 2 frames']:.2f} s of it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=2, help="timing rounds per method (best kept)")
    parser.add_argument("--plot", type=Path, help="also sweep the learning rate and write the F curve here")
    parser.add_argument("--skip-quality", action="store_true", help="only the throughput")
    parser.add_argument("--end-to-end", nargs="?", const="", metavar="VIDEO",
                        help="time `segmix background VIDEO --output-dir` against an OpenCV MOG2 script "
                             "writing PNG masks (default: highway as an MP4)")
    parser.add_argument("--breakdown", type=int, nargs="?", const=500, metavar="N",
                        help="also time decoding and the model apart on the first N frames (default 500)")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no data at {DATA} (see ../shared/data/README.md)")
    import cv2

    print(f"cv2 {cv2.__version__}, {cv2.getNumThreads()} OpenCV threads, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    if args.end_to_end is not None:
        end_to_end(args.end_to_end, args.repeats)
        return
    BackgroundMixture().apply(np.zeros((8, 8, 3), np.uint8))  # compile / load the kernels outside the timings
    methods = _methods()
    if not args.skip_quality:
        frames, gt, roi = _highway()
        print(f"\nQuality (highway frames {roi[0]}-{roi[1]} scored; WavingTrees frame 247)")
        print(f"{'method':<20} {'F':>7} {'recall':>7} {'precis.':>7} {'PWC %':>7} {'WT errors (FP+FN)':>20}")
        for name, make in methods.items():
            c = score_highway(make(), frames, gt, roi)
            errors, fp, fn = wavingtrees_errors(make())
            print(f"{name:<20} {c.f_measure:7.4f} {c.recall:7.4f} {c.precision:7.4f} {c.pwc:7.3f} "
                  f"{errors:>8} ({fp} + {fn})", flush=True)
    folder = DATA / "highway" / "input"
    best: dict[str, float] = {}
    best_cpu: dict[str, float] = {}
    n_frames = 0
    for _ in range(args.repeats):
        for name, make in methods.items():
            seconds, cpu, n_frames = time_segmix(folder) if name == "segmix" else time_opencv(folder, make)
            best[name] = min(best.get(name, float("inf")), seconds)
            best_cpu[name] = min(best_cpu.get(name, float("inf")), cpu)
    height, width = 240, 320
    mp = n_frames * height * width / 1e6
    print(f"\nThroughput, {n_frames} highway frames decoded from disk, best of {args.repeats} "
          f"(load average now {os.getloadavg()[0]:.2f}); CPU = process CPU time, all threads")
    for name, seconds in best.items():
        print(f"{name:<20} {mp / seconds:7.1f} MP/s  {1000 * seconds / n_frames:6.2f} ms/frame  "
              f"segmix / this = {best[name] / best['segmix']:.2f}x   "
              f"CPU {1000 * best_cpu[name] / n_frames:5.2f} ms/frame")
    if args.breakdown:
        breakdown(folder, args.breakdown, args.repeats)
    if args.plot:
        frames, gt, roi = _highway()
        print("\nF-measure against the learning rate (highway)")
        sweep_plot(args.plot, frames, gt, roi, [0.002, 0.005, 0.01, 0.02, 0.04])


if __name__ == "__main__":
    main()
