"""Video mode's open of a frame folder and its played frames: wall and CPU time.

Session 58's trial: a 1,700-frame folder of 320 x 240 PNGs took 15-20 s to show and played at
13 fps ("each frame takes 80 ms to learn and show"). This script opens FOLDER in the window
(offscreen, the background kernels loaded first so that only the open and play paths count),
then plays N frames at the dock's highest rate and prints the open's wall / CPU seconds and the
played frames' wall / CPU milliseconds each (every thread of the process). Run it against two
checkouts in one sitting (PYTHONPATH=A, then B) and compare CPU figures: wall follows the load.

Run: ``QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME=$(mktemp -d) python benchmarks/bench_video_open_play.py FOLDER [N]``
"""
import os, sys, time, resource
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
folder = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
app = QApplication([])
from segmix.gui.app import create_window
# warm kernels first (cache warm) so only the open / play path is measured
from segmix.background import BackgroundMixture
import numpy as np
m = BackgroundMixture(); m.apply(np.zeros((8,8,3),np.uint8)); m.apply(np.zeros((8,8,3),np.uint8))
t0, c0 = time.perf_counter(), cpu()
window, _ = create_window(folder, warm_up=False)
window.show()
mode = window.modes["video"]
while mode.current is None:
    app.processEvents()
    if time.perf_counter() - t0 > 120: break
print(f"open: first frame shown after {time.perf_counter()-t0:.2f} s wall, {cpu()-c0:.2f} CPU-s", flush=True)
for _ in range(50): app.processEvents()
mode.panel.fps.setValue(mode.panel.fps.maximum())
start_index = mode.current.index if hasattr(mode.current, "index") else mode.index
t0, c0 = time.perf_counter(), cpu()
mode.set_playing(True)
while mode.index < start_index + n and time.perf_counter() - t0 < 300:
    app.processEvents()
mode.set_playing(False)
frames = mode.index - start_index
w, c = time.perf_counter() - t0, cpu() - c0
print(f"play: {frames} frames, {1000*w/frames:.1f} ms wall/frame, {1000*c/frames:.1f} CPU ms/frame, fps {frames/w:.1f}", flush=True)
window.confirm_discard = lambda: True
os._exit(0)
