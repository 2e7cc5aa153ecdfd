"""The window's Video mode with and without Stabilise against the command line's loop, in one run.

Highway's first ``--frames`` frames (CDnet 2014 baseline, 320 x 240, ``../shared/data/background``)
are written as PNG twice into a temporary folder: as they are (``still``) and each rolled by a
random whole-pixel (dy, dx), each in 0..6 (``shaken``, seed 56), a hand-held camera. For each
folder and each setting (Stabilise off / on) this times, alternating so that the machine's load
is alike for all:

- the command line's loop: ``segmix.background_run.run_sequence`` on a ``FrameSequence`` of the
  folder and a new ``BackgroundMixture()``, ``stabilise=True`` or None (the shake probe), as
  ``segmix background FOLDER [--stabilise]`` runs it without ``--output-dir`` (no start-up, no
  masks written): frames per second, wall;
- the window (offscreen, kernels warm): the folder opened, Play at the dock's highest rate
  (120 fps) from frame 1 to the last: frames per second shown, and the longest gap of a 10 ms
  heartbeat on the GUI thread meanwhile (the window stays responsive: the model and the
  stabilisation run on the compute thread);
- the window's jump to the last frame (the model fed every frame before it on the compute
  thread, in chunks, without drawing them): frames per second.

It prints each figure, the ratio of the window's rate to the command line's in the same round
and the cost of Stabilise (on / off) on each side. Wall times follow a shared machine's load;
the ratios within one round are the figures to compare.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_video_stabilise.py [--frames 600] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import bench_app  # noqa: E402

def _cpu() -> float:
    """This process's CPU seconds, every thread (the GUI, the compute thread, the frame reader)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


HIGHWAY = Path(__file__).resolve().parents[2] / "shared" / "data" / "background" / "highway" / "input"


def make_folders(root: Path, frames: int) -> dict[str, Path]:
    """``still`` and ``shaken`` copies of highway's first ``frames`` frames, as PNG."""
    still, shaken = root / "still", root / "shaken"
    still.mkdir()
    shaken.mkdir()
    rng = np.random.default_rng(56)
    for t in range(1, frames + 1):
        frame = np.asarray(Image.open(HIGHWAY / f"in{t:06d}.jpg").convert("RGB"))
        Image.fromarray(frame).save(still / f"in{t:06d}.png")
        dy, dx = (int(v) for v in rng.integers(0, 7, 2))
        Image.fromarray(np.roll(frame, (dy, dx), axis=(0, 1))).save(shaken / f"in{t:06d}.png")
    return {"still": still, "shaken": shaken}


def cli_rate(folder: Path, stabilise: bool) -> dict:
    """The command line's loop on ``folder``: frames per second and its words."""
    from segmix.background import BackgroundMixture
    from segmix.background_run import run_sequence, shake_warning, stabilised_note
    from segmix.frames import FrameSequence

    start, cpu = time.perf_counter(), _cpu()
    result = run_sequence(FrameSequence(folder), BackgroundMixture(), stabilise=True if stabilise else None)
    seconds = time.perf_counter() - start
    return {"fps": result.frames / seconds, "cpu": 1000 * (_cpu() - cpu) / result.frames,
            "words": stabilised_note(result) or shake_warning(result) or "-"}


def _wait(app, condition, timeout: float = 1800.0) -> None:
    start = time.perf_counter()
    while not condition():
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - start > timeout:
            raise SystemExit("the window did not get there within 30 minutes")


def _open(app, window, mode, folder: Path, stabilise: bool) -> None:
    mode.panel.stabilise.setChecked(stabilise)
    if not window.open_image(folder):
        raise SystemExit(f"{folder} did not open")
    _wait(app, lambda: mode.index == 1 and not mode.result_pending and mode.sequence is not None
          and mode.sequence.paths[0].parent == folder)
    mode.panel.fps.setValue(mode.panel.fps.maximum())


def window_play(app, window, folder: Path, stabilise: bool, frames: int) -> dict:
    """Play ``folder`` from frame 1 to the end: frames per second, the longest event-loop gap."""
    mode = window.modes["video"]
    _open(app, window, mode, folder, stabilise)
    beat = bench_app.Heartbeat()
    beat.timer.start()
    beat.restart()
    beat.counting = True
    start, cpu = time.perf_counter(), _cpu()
    mode.panel.play_button.click()
    _wait(app, lambda: mode.index == frames and not mode.playing and not mode.result_pending)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    beat.counting = False
    beat.timer.stop()
    words = mode.hint()
    return {"fps": (frames - 1) / seconds, "gap": beat.max_gap, "cpu": 1000 * cpu / (frames - 1),
            "shake": "camera seems to shake" in words, "stabilised": "Stabilised:" in words}


def window_jump(app, window, folder: Path, stabilise: bool, frames: int) -> dict:
    """Jump from frame 1 to the last: the compute thread's own rate (no frame drawn between)."""
    mode = window.modes["video"]
    _open(app, window, mode, folder, stabilise)
    start, cpu = time.perf_counter(), _cpu()
    mode.seek(frames)
    _wait(app, lambda: mode.index == frames and not mode.catching_up and not mode.result_pending)
    return {"fps": (frames - 1) / (time.perf_counter() - start), "cpu": 1000 * (_cpu() - cpu) / (frames - 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=600, help="highway frames used (default 600)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every measurement (medians printed)")
    args = parser.parse_args()
    if not HIGHWAY.is_dir():
        raise SystemExit(f"{HIGHWAY}: not found (the shared background data)")
    root = Path(tempfile.mkdtemp(prefix="segmix-bench-stabilise-"))
    folders = make_folders(root, args.frames)
    app = QApplication.instance() or QApplication([])
    window = bench_app._warm_window(app, root, 1800000)
    window.set_mode("video")
    cli_rate(folders["still"], False)  # imports and the page cache, not in the figures
    rows: dict[tuple, list[dict]] = {}
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for name, folder in folders.items():
            for stabilise in (False, True):
                rows.setdefault(("cli", name, stabilise), []).append(cli_rate(folder, stabilise))
                rows.setdefault(("play", name, stabilise), []).append(window_play(app, window, folder, stabilise,
                                                                                  args.frames))
                rows.setdefault(("jump", name, stabilise), []).append(window_jump(app, window, folder, stabilise,
                                                                                  args.frames))
        loads.append(os.getloadavg()[0])
    window.close()

    def med(kind, name, stabilise, key="fps"):
        return statistics.median(row[key] for row in rows[(kind, name, stabilise)])

    print(f"Video mode vs the command line's loop: highway frames 1-{args.frames} (320 x 240), {args.rounds} "
          f"rounds, medians; load {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores")
    print("| frames | Stabilise | command line fps (CPU ms / frame) | window Play fps (ratio; CPU) | window jump fps "
          "(ratio; CPU) | longest GUI gap while playing | what the window's banner / the command line say |")
    print("|---|---|---|---|---|---|---|")
    for name in folders:
        for stabilise in (False, True):
            cli, play, jump = med("cli", name, stabilise), med("play", name, stabilise), med("jump", name, stabilise)
            gap = max(row["gap"] for row in rows[("play", name, stabilise)])
            shown = rows[("play", name, stabilise)][-1]
            banner = "shake warning" if shown["shake"] else ("stabilised note" if shown["stabilised"] else "-")
            cpu = {kind: med(kind, name, stabilise, "cpu") for kind in ("cli", "play", "jump")}
            print(f"| {name} | {'on' if stabilise else 'off'} | {cli:.0f} ({cpu['cli']:.1f}) | {play:.0f} "
                  f"({play / cli:.2f}x; {cpu['play']:.1f}) | {jump:.0f} ({jump / cli:.2f}x; {cpu['jump']:.1f}) | "
                  f"{1000 * gap:.0f} ms | {banner} / "
                  f"{rows[('cli', name, stabilise)][-1]['words'][:60]} |")
    for name in folders:
        print(f"  Stabilise's cost on {name}: command line {med('cli', name, True) / med('cli', name, False):.2f}x "
              f"the frames per second without it, window Play {med('play', name, True) / med('play', name, False):.2f}x, "
              f"window jump {med('jump', name, True) / med('jump', name, False):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
