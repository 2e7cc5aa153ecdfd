"""The window's click against the command line's, on the same large photo, in the same run.

A new-user trial (session 53) read the window's boundary refinement as 3x the command
line's on a 10-megapixel photo (DAVIS frame 035 upscaled 5x), timing the two minutes apart on
a machine whose load went between 5 and 8. This script times both alternately, so the load is
the same for both, and prints their ratios:

- the window (offscreen, warm kernels, the photo opened afresh before each round): the first
  click's -> per-pixel overlay, -> graph-cut overlay, -> final overlay (boundary refined) and
  the process's CPU time over the click (every thread);
- ``segmix segment PHOTO --click X,Y`` as a new process, with and without
  ``--boundary-refine 0``: wall and CPU time (the child's); the refinement's share is the
  difference of the two.

Wall times on a shared machine follow its load (a thread gets 2 / load of a core); CPU times
do not, so the CPU ratios are the figures to compare across runs.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_window_vs_cli.py [--photo PHOTO --click X,Y]
[--rounds 2]`` (default photo: DAVIS frame 035 upscaled to 4270 x 2400, written to a temporary
folder; its click on the object's centre).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PIL import Image  # noqa: E402
from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import bench_app  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DAVIS = Path("/work/shared/data/interactive/davis/images/035.jpg")
DAVIS_SIZE = (4270, 2400)
DAVIS_CLICK = (2250, 1065)  # the object's innermost pixel (frame 035's mask, x 5)


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def make_photo(folder: Path) -> Path:
    """DAVIS frame 035 resized (Pillow's default filter) to 4270 x 2400, saved as JPEG, as the trial did."""
    path = folder / "davis035_x5.jpg"
    Image.open(DAVIS).convert("RGB").resize(DAVIS_SIZE).save(path)
    return path


def window_click(app, window, photo: Path, at: tuple[float, float]) -> dict:
    """Open ``photo`` afresh, click once with the click tool; the stage times and the CPU time."""
    window.confirm_discard = lambda: True
    if not window.open_image(photo):
        raise SystemExit(f"{photo} did not open in the window")
    opened = time.perf_counter()
    while window.image is None or window.image.shape[:2][::-1] != Image.open(photo).size:
        app.processEvents()
        if time.perf_counter() - opened > 600:
            raise SystemExit(f"{photo} was not shown within 10 minutes")
    mode = window.modes["segment"]
    mode.model_panel.smoothing_box.setChecked(True)
    window.set_tool("click")
    window.canvas.centerOn(QPointF(*at))
    settle = time.perf_counter()
    while time.perf_counter() - settle < 1.0:  # the opening's own work ends first
        app.processEvents()
    cpu, wall = _cpu(resource.RUSAGE_SELF), time.perf_counter()
    overlays: list[float] = []  # the process's CPU time at each overlay (per-pixel, graph cut, final)

    def record(*_) -> None:
        overlays.append(_cpu(resource.RUSAGE_SELF))

    window.overlay_updated.connect(record)
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     window.canvas.mapFromScene(QPointF(*at)))
    if not bench_app.wait_for(mode.training_finished, 1800000):
        raise SystemExit("the window's click gave no result within 30 minutes")
    app.processEvents()
    window.overlay_updated.disconnect(record)
    refine_cpu = overlays[-1] - overlays[-2] if len(overlays) >= 2 else float("nan")
    return {"refine_cpu": refine_cpu, "wall": time.perf_counter() - wall, "cpu": _cpu(resource.RUSAGE_SELF) - cpu,
            "preview": mode.last_update_seconds, "cut": mode.cut_update_seconds or 0.0,
            "final": mode.final_update_seconds or 0.0, "foreground": float(mode.outcome.mask.mean())}


def cli_click(photo: Path, at: tuple[float, float], folder: Path, refine: bool) -> dict:
    """``segmix segment PHOTO --click X,Y`` in a new process: wall and the child's CPU time."""
    command = [sys.executable, "-m", "segmix", "segment", str(photo), "--click", f"{at[0]:.0f},{at[1]:.0f}",
               "-o", str(folder / "cli_mask.png"), "--overwrite"]
    if not refine:
        command += ["--boundary-refine", "0"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cpu, wall = _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=folder)
    if done.returncode:
        raise SystemExit(f"segmix segment failed: {done.stderr.strip()}")
    return {"wall": time.perf_counter() - wall, "cpu": _cpu(resource.RUSAGE_CHILDREN) - cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photo", type=Path, help="photo to click on (default: DAVIS 035 upscaled 5x)")
    parser.add_argument("--click", default=None, metavar="X,Y", help="where to click (default: DAVIS 035's object)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of window, CLI, CLI without refinement")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="segmix-bench-vs-cli-"))
    photo = args.photo or make_photo(folder)
    at = DAVIS_CLICK if args.click is None else tuple(float(v) for v in args.click.split(","))

    app = QApplication.instance() or QApplication([])
    window = bench_app._warm_window(app, folder, 1800000)
    # A first round of each, not in the medians: the window's first click after its start
    # loads the large photo's kernels from numba's cache (the warm-up leaves them to it on a
    # warm cache), and the command line's first run may find the page cache cold.
    first = window_click(app, window, photo, at), cli_click(photo, at, folder, True)
    rows: dict[str, list[dict]] = {"window": [], "cli": [], "cli0": []}
    loads = []
    for _ in range(args.rounds):
        loads.append(os.getloadavg()[0])
        rows["window"].append(window_click(app, window, photo, at))
        rows["cli"].append(cli_click(photo, at, folder, True))
        rows["cli0"].append(cli_click(photo, at, folder, False))
    loads.append(os.getloadavg()[0])
    window.close()

    def med(name: str, key: str) -> float:
        return statistics.median(row[key] for row in rows[name])

    width, height = Image.open(photo).size
    print(f"window vs command line: {photo.name}, {width} x {height} ({width * height / 1e6:.1f} MP), "
          f"click at {at[0]:.0f},{at[1]:.0f}; {args.rounds} rounds, medians; load {min(loads):.1f}-{max(loads):.1f} "
          f"on {os.cpu_count()} cores")
    for row in rows["window"]:
        print(f"  window: per-pixel {row['preview']:.2f} s, graph cut {row['cut']:.2f} s, final {row['final']:.2f} s "
              f"(refinement {row['final'] - row['cut']:.2f} s, CPU {row['refine_cpu']:.2f} s); CPU {row['cpu']:.2f} s; foreground {row['foreground']:.4f}")
    print(f"  first round (not in the medians): window per-pixel {first[0]['preview']:.2f} s, graph cut "
          f"{first[0]['cut']:.2f} s, final {first[0]['final']:.2f} s, CPU {first[0]['cpu']:.2f} s; "
          f"segment --click {first[1]['wall']:.2f} s wall, CPU {first[1]['cpu']:.2f} s")
    for name, label in (("cli", "segment --click"), ("cli0", "segment --click --boundary-refine 0")):
        for row in rows[name]:
            print(f"  {label}: {row['wall']:.2f} s wall, CPU {row['cpu']:.2f} s (a new process: imports, decoding, "
                  f"writing the PNG)")
    w_final, w_cut, w_cpu = med("window", "final"), med("window", "cut"), med("window", "cpu")
    c_wall, c0_wall, c_cpu, c0_cpu = med("cli", "wall"), med("cli0", "wall"), med("cli", "cpu"), med("cli0", "cpu")
    print(f"  click -> final: window {w_final:.2f} s / command line {c_wall:.2f} s = {w_final / c_wall:.2f}x wall; "
          f"CPU {w_cpu:.2f} / {c_cpu:.2f} s = {w_cpu / c_cpu:.2f}x")
    w_refine, c_refine, c_refine_cpu = w_final - w_cut, c_wall - c0_wall, c_cpu - c0_cpu
    print(f"  the boundary refinement: window {w_refine:.2f} s (final - graph cut) / command line {c_refine:.2f} s "
          f"(with - without) = {w_refine / max(c_refine, 1e-3):.2f}x wall; "
          f"CPU {med('window', 'refine_cpu'):.2f} / {c_refine_cpu:.2f} s = {med('window', 'refine_cpu') / max(c_refine_cpu, 1e-3):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
