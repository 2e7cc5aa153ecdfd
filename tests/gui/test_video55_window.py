"""Video mode's status bar after a step past several runs of unreadable frames (session 55, a
new user's trial): "Skipped 3 frames so far ...; the last: unreadable frame 550 (...); Skipped
unreadable frame 560 (...)", two messages joined, and "the last" naming the first of them."""

from types import SimpleNamespace

from segmix.gui.modes.video import VideoMode


class _Bar:
    def __init__(self):
        self.messages = []

    def showMessage(self, text, timeout=0):  # noqa: N802 (Qt's name)
        self.messages.append(text)


def _mode(total=600):
    bar = _Bar()
    mode = SimpleNamespace(_unreadable={}, _set_length=lambda *args: None, _file_numbers=lambda: None,
                           panel=SimpleNamespace(slider=SimpleNamespace(maximum=lambda: total)),
                           shell=SimpleNamespace(statusBar=lambda: bar))
    return mode, bar


def _reason(index):
    return f"frame {index} (in{index:06d}.jpg): cannot identify image file"


def test_one_message_names_the_last_of_several_runs():
    mode, bar = _mode()
    VideoMode._report_unreadable(mode, {540: _reason(540)})
    assert bar.messages[-1].startswith("Skipped unreadable frame 540 (in000540.jpg)")
    VideoMode._report_unreadable(mode, {550: _reason(550), 560: _reason(560)})
    text = bar.messages[-1]
    assert text.startswith("Skipped 3 frames so far (listed in the Video dock's tooltip); the last: unreadable "
                           "frame 560 (in000560.jpg)"), text
    assert text.count("Skipped") == 1 and "550" not in text, text


def test_several_runs_met_in_one_step_from_the_start_are_one_message():
    mode, bar = _mode()
    VideoMode._report_unreadable(mode, {10: _reason(10), 11: _reason(11), 30: _reason(30)})
    text = bar.messages[-1]
    assert text.startswith("Skipped 3 frames so far (listed in the Video dock's tooltip); the last: unreadable "
                           "frame 30 (in000030.jpg)"), text
    assert text.count("Skipped") == 1
    # One run alone is named whole, as before.
    mode, bar = _mode()
    VideoMode._report_unreadable(mode, {10: _reason(10), 11: _reason(11)})
    assert bar.messages[-1].startswith("Skipped unreadable frames 10-11 (2 frames"), bar.messages[-1]
