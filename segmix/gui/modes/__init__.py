"""The window's modes: one controller per way of working, each plugged into the shell.

Each mode is a :class:`~segmix.gui.modes.base.Mode` subclass in its own module, owning its
docks, actions, compute jobs, results and exports (see ``base`` for the interface).  The
window shows them in the order of :data:`MODES`; the first is the start mode.

To add a mode: write ``segmix/gui/modes/<name>.py`` with a ``Mode`` subclass, and add it
to :data:`MODES` below.  Nothing else in the shell needs to change.
"""

from __future__ import annotations

from segmix.gui.modes.base import Mode, NothingToExport
from segmix.gui.modes.quantise import QuantiseMode
from segmix.gui.modes.segment import SegmentMode
from segmix.gui.modes.skin import SkinMode
from segmix.gui.modes.video import VideoMode

#: The registry: one line per mode.
MODES: tuple[type[Mode], ...] = (
    SegmentMode,
    SkinMode,
    VideoMode,
    QuantiseMode,
)

__all__ = ["MODES", "Mode", "NothingToExport", "QuantiseMode", "SegmentMode", "SkinMode", "VideoMode"]
