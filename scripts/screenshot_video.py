"""Render the window's Video mode on CDnet's highway frames (docs/screenshot_video.png).

Run: ``QT_QPA_PLATFORM=offscreen python scripts/screenshot_video.py HIGHWAY_INPUT docs/screenshot_video.png``
(HIGHWAY_INPUT: the data set's ``highway/input`` folder). Its first 300 frames are linked into a
temporary folder named ``highway``, played to frame 256 with the default controls, in a window of
1280 x 720 (what a 1366 x 768 screen gives it), and the window is grabbed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

FRAMES, SHOWN = 300, 256
SIZE = (1280, 720)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    source, output = Path(argv[0]), Path(argv[1])
    names = sorted(source.glob("in*.jpg"))[:FRAMES]
    if len(names) < FRAMES:
        print(f"{source}: {len(names)} frames in*.jpg, {FRAMES} needed", file=sys.stderr)
        return 2
    from PySide6.QtCore import QRect, QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from segmix.gui import window_geometry
    from segmix.gui.main_window import MainWindow

    work = Path(tempfile.mkdtemp())
    folder = work / "highway"
    folder.mkdir()
    for name in names:
        (folder / name.name).symlink_to(name.resolve())
    frame = window_geometry.FRAME_ESTIMATE
    window_geometry.available_geometry = lambda widget: QRect(0, 0, SIZE[0] + frame.left() + frame.right(),
                                                             SIZE[1] + frame.top() + frame.bottom())
    window = MainWindow(settings=QSettings(str(work / "s.ini"), QSettings.Format.IniFormat))
    window.confirm_discard = lambda: True
    window.show()

    def wait(done, seconds=600.0):
        end = time.monotonic() + seconds
        while not done():
            if time.monotonic() > end:
                raise TimeoutError("the window did not get there in time")
            app.processEvents()
            time.sleep(0.01)

    mode = window.modes["video"]
    window.open_image(folder)
    wait(lambda: mode.current is not None)
    mode.panel.slider.setValue(SHOWN)
    mode.seek(SHOWN)
    wait(lambda: mode.current is not None and mode.current.index == SHOWN and not mode.catching_up)
    for _ in range(50):
        app.processEvents()
    output.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(output))
    print(f"wrote {output} ({window.width()} x {window.height()})")
    window.close()
    window.controller.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
