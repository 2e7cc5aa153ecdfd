"""Quantise mode's time to the quantised photo against the library's, in the same run.

For each photo and k: ``segmix.quantize.quantize_image`` on this thread (the reference), then
the window (offscreen, warm kernels) from the request to the quantised photo on the canvas,
and the longest stall of the GUI thread meanwhile (a 10 ms timer's largest gap: the k-means runs
on the compute thread, so the window stays live). The ratio window / library is the figure to
compare across runs: the load of a shared machine changes both alike.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_quantise_window.py [--photo PHOTO]
[--k 8 64]`` (default: DAVIS frame 060, 854 x 480, and the same resized to 4270 x 2400).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

DAVIS = Path("/work/shared/data/interactive/davis/images/060.jpg")


def _photos(folder: Path, given: list[str] | None) -> list[Path]:
    if given:
        return [Path(p) for p in given]
    large = folder / "davis060_x5.jpg"
    Image.open(DAVIS).convert("RGB").resize((4270, 2400)).save(large)
    return [DAVIS, large]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", nargs="*")
    parser.add_argument("--k", nargs="*", type=int, default=[8, 64])
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    from segmix.gui.main_window import MainWindow
    from segmix.gui.worker import ComputeWorker
    from segmix.io import load_image
    from segmix.quantize import quantize_image

    ComputeWorker().warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(settings=QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat), warm_up=False)
        window.show_message = lambda title, text: print(f"  message: {title}: {text}")
        window.resize(1280, 720)
        window.show()
        mode = window.modes["quantise"]
        print(f"{'photo':<22} {'k':>4} {'library s':>10} {'window s':>9} {'ratio':>6} {'GUI stall ms':>13}")
        for photo in _photos(Path(tmp), args.photo):
            pixels = load_image(photo)
            assert window.open_image(photo)
            window.set_mode("quantise")
            for k in args.k:
                quantize_image(pixels, k)  # the kernels of this size warm
                start = time.perf_counter()
                quantize_image(pixels, k)
                library = time.perf_counter() - start
                while mode.result_pending:  # the open's own request
                    app.processEvents()
                mode._results.clear()
                stall, clock, ticks = [0.0], QElapsedTimer(), QTimer()
                clock.start()

                def tick():
                    stall[0] = max(stall[0], clock.restart())

                ticks.timeout.connect(tick)
                ticks.start(10)
                start = time.perf_counter()
                mode.panel.set_colours(k + 1, notify=False)
                mode.panel.set_colours(k)
                if not mode.result_pending:
                    mode._request()
                while not (mode.has_result and not mode.result_pending):
                    app.processEvents()
                    time.sleep(0.001)
                shown = time.perf_counter() - start
                ticks.stop()
                print(f"{photo.name:<22} {k:>4} {library:>10.2f} {shown:>9.2f} {shown / library:>6.2f} {stall[0]:>13.0f}")
        window.close()
        window.controller.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
