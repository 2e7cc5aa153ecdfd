"""The first run on a fresh install: ``segmix segment`` on a 1080p photo with an empty Numba cache.

Runs the command line in a child process twice with a fresh ``NUMBA_CACHE_DIR`` (cold: every
kernel compiles; then warm: every kernel loads from that cache) and prints the wall time of each,
and, with ``--profile``, where the cold run's time goes: per kernel and signature, the time
spent compiling it (exclusive of kernels it calls), from numba's ``numba:compile`` events.

Input: DAVIS frame 000 upscaled to 1920 x 1080 with the simulated user's scribbles of
``bench_segment.py`` when the data are present, else the bundled astronaut photo upscaled
with two rectangular strokes (the compiled kernels are the same: they depend on array
types, not on content).

With ``--window``: the desktop window instead, offscreen, with an empty cache. One second after
the window is first painted the simulated user paints a foreground and a background stroke on a
1920 x 1080 photo (the photo of ``bench_app.py``), without waiting for anything; printed: when
the window was painted, when the engine warm-up ended, when the first overlay (per-pixel
decision) and the graph-cut overlay arrived (seconds after launch), the longest event-loop gap
(10 ms heartbeat) over the whole run, and every status-bar message with its time.

Run: ``python benchmarks/bench_first_run.py [--profile] [--repeat N] [--window] [-- extra segment options]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

# Runs in the child: the segment command with a listener on numba's compile events.
PROFILED_CHILD = r"""
import json, sys, time
start = time.perf_counter()
from numba.core import event

stack, rows = [], []

class Compiles(event.Listener):
    def on_start(self, ev):
        stack.append([time.perf_counter(), 0.0])
    def on_end(self, ev):
        t0, inner = stack.pop()
        total = time.perf_counter() - t0
        if stack:
            stack[-1][1] += total
        d = ev.data["dispatcher"]
        rows.append((d.py_func.__module__ + "." + d.py_func.__qualname__, str(ev.data["args"]),
                     total - inner, total))

event.register("numba:compile", Compiles())
from segmix.cli import main
status = main(sys.argv[2:])
json.dump({"rows": rows, "wall": time.perf_counter() - start}, open(sys.argv[1], "w"))
sys.exit(status)
"""


def _inputs(folder: Path) -> tuple[Path, Path]:
    data = REPO.parent / "shared" / "data" / "interactive" / "davis"
    if (data / "images" / "000.jpg").exists():
        from bench_segment import _upscaled, load_truth, make_scribbles

        image = np.asarray(Image.open(data / "images" / "000.jpg").convert("RGB"))
        truth = load_truth(data / "masks" / "000.png", image.shape[:2])
        photo, truth = _upscaled(image, truth, (1920, 1080))
        scribbles = make_scribbles(truth, seed=0)
    else:
        from segmix.resources import sample_image_path

        photo = np.asarray(Image.open(sample_image_path()).convert("RGB").resize((1920, 1080), Image.BILINEAR))
        scribbles = np.zeros(photo.shape[:2], np.uint8)
        scribbles[400:700, 900:940] = 1
        scribbles[50:90, 100:1800] = 2
    photo_path, scribble_path = folder / "photo.png", folder / "scribbles.png"
    Image.fromarray(photo).save(photo_path)
    Image.fromarray(scribbles).save(scribble_path)
    return photo_path, scribble_path


def _run(args: list[str], cache_dir: Path, profile_path: Path | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one child run.

    CPU time barely depends on the machine's load; wall time does (the machine is shared).
    """
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), PYTHONPATH=str(REPO))
    if profile_path is None:
        command = [sys.executable, "-m", "segmix", *args]
    else:
        command = [sys.executable, "-c", PROFILED_CHILD, str(profile_path), *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _print_profile(path: Path, top: int) -> None:
    rows = json.loads(path.read_text())["rows"]
    total = sum(r[2] for r in rows)
    by_kernel: dict[str, list] = {}
    for name, sig, own, _ in rows:
        entry = by_kernel.setdefault(name.replace("segmix.kernels.", ""), [0.0, 0])
        entry[0] += own
        entry[1] += 1
    print(f"\ncompile time (exclusive) {total:.1f} s in {len(rows)} compilations of {len(by_kernel)} functions")
    print(f"{'kernel':<40} {'s':>6} {'sigs':>4}")
    for name, (own, n) in sorted(by_kernel.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"{name:<40} {own:6.2f} {n:4d}")
    print("\nper signature (top):")
    for name, sig, own, _ in sorted(rows, key=lambda r: -r[2])[:top]:
        print(f"{own:6.2f} s  {name.replace('segmix.kernels.', '')}{sig}")


def child_window(photo: str) -> int:
    """In a fresh process (cold cache): launch the window, stroke at once, time the first overlays."""
    start = time.perf_counter()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from bench_app import FirstPaint, Heartbeat, drag

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="segmix-first-window-"))
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    from segmix.gui.app import create_window

    window, opened = create_window(photo, settings=settings)
    assert opened
    seen = {}
    messages = []
    window.statusBar().messageChanged.connect(
        lambda text: text and messages.append((round(time.perf_counter() - start, 2), text)))
    mode = window.modes["segment"]
    mode.preview_ready.connect(lambda *_: seen.setdefault("first overlay", time.perf_counter() - start))
    mode.training_finished.connect(lambda *_: seen.setdefault("graph-cut overlay", time.perf_counter() - start))
    window.controller.warmed_up.connect(lambda *_: seen.setdefault("warm-up done", time.perf_counter() - start))
    first_paint = FirstPaint(origin=start)
    window.canvas.viewport().installEventFilter(first_paint)
    window.resize(1600, 1000)
    window.show()
    heartbeat = Heartbeat()
    heartbeat.timer.start()
    heartbeat.counting = True
    while first_paint.seconds is None:
        app.processEvents()
    seen["window painted"] = first_paint.seconds
    mode.model_panel.smoothing_box.setChecked(True)
    window.canvas.set_brush_size(24)
    while time.perf_counter() - start < first_paint.seconds + 1.0:
        app.processEvents()
    for tool, points in (("foreground", [(260, 420), (320, 390), (380, 430)]),
                         ("background", [(380, 60), (420, 140), (460, 220)])):
        window.set_tool(tool)
        heartbeat.counting = False
        drag(window, points)
        heartbeat.restart()
        heartbeat.counting = True
        app.processEvents()
    seen["strokes painted"] = time.perf_counter() - start
    while "graph-cut overlay" not in seen and time.perf_counter() - start < 400:
        app.processEvents()
        time.sleep(0.001)
    print(json.dumps({"events": seen, "max_gap": heartbeat.max_gap, "messages": messages,
                      "gaps_over_50ms": int(sum(g > 0.05 for g in heartbeat.gaps))}), flush=True)
    window.confirm_discard = lambda: True
    window.close()
    return 0


def run_window(tmp: Path) -> None:
    from bench_app import make_photo

    photo = make_photo(tmp)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp / "window-cache"), PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, __file__, "--child-window", str(photo)], env=env,
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print("window, 1920x1080 photo, cold cache (seconds after launch):")
    for name, seconds in sorted(result["events"].items(), key=lambda kv: kv[1]):
        print(f"  {name:<20} {seconds:7.2f}")
    print(f"  longest event-loop gap {1000 * result['max_gap']:.0f} ms; gaps over 50 ms: {result['gaps_over_50ms']}")
    print("  status bar:")
    for seconds, text in result["messages"]:
        print(f"    {seconds:7.2f}  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="per-kernel compile times of the cold run")
    parser.add_argument("--repeat", type=int, default=1, help="cold runs (each with a fresh cache)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--window", action="store_true", help="the window's first overlay instead of the CLI")
    parser.add_argument("--child-window", metavar="PHOTO", help=argparse.SUPPRESS)
    parser.add_argument("extra", nargs="*", help="extra options for segmix segment")
    args = parser.parse_args()
    if args.child_window:
        sys.exit(child_window(args.child_window))
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.window:
            run_window(tmp)
            return
        photo, scribbles = _inputs(tmp)
        command = ["segment", str(photo), "--scribbles", str(scribbles), "-o", str(tmp / "mask.png"), *args.extra]
        for i in range(args.repeat):
            cache = tmp / f"cache{i}"
            profile = tmp / "profile.json" if args.profile and i == 0 else None
            cold, cold_cpu = _run(command, cache, profile)
            warm, warm_cpu = _run(command, cache)
            print(f"segmix segment 1920x1080: cold cache {cold:.1f} s (CPU {cold_cpu:.1f} s), "
                  f"warm cache {warm:.2f} s (CPU {warm_cpu:.2f} s)")
            if profile is not None:
                _print_profile(profile, args.top)


if __name__ == "__main__":
    main()
