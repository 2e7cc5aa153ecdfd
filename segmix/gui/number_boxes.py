"""Number boxes that take a typed number beyond their range as the nearest limit, and say so.

Qt's spin boxes refuse the keystroke that takes a number past the range: with Components
1-10, typing "12" left "1" in the box (the "2" refused), which Enter then fitted, saved and
restored next session without a word; the range was only in the tooltip. Here a typed number
of any size is let through while typing and, when editing ends (Enter, focus leaving), set to
the nearest limit, with a line in the status bar naming the box, what was typed, the range
and the value taken.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox


class ClampedNumbers:
    """Mixin for a QSpinBox / QDoubleSpinBox: typed numbers beyond the range go to the limit.

    ``clamp_name`` names the box in the words said (the label beside it, without its "&");
    ``on_clamped(words)`` says them: by default in the status bar of the box's window, for
    10 s. The words are also kept in ``last_clamp_words``.
    """

    clamp_name: str = "the box"
    on_clamped: Callable[[str], None] | None = None
    last_clamp_words: str = ""

    def _typed_number(self, text: str) -> float | None:
        """The number in ``text`` (the box's prefix and suffix taken off), None if not one."""
        body = text
        if self.prefix() and body.startswith(self.prefix()):
            body = body[len(self.prefix()):]
        if self.suffix() and body.endswith(self.suffix()):
            body = body[:-len(self.suffix())]
        body = body.strip().replace(self.locale().decimalPoint(), ".")
        try:
            return float(body) if isinstance(self, QDoubleSpinBox) else int(body)
        except ValueError:
            return None

    def validate(self, text: str, pos: int):  # noqa: D102 - Qt's
        answer = super().validate(text, pos)
        state = answer[0] if isinstance(answer, tuple) else answer
        if state == QValidator.State.Invalid and self._typed_number(text) is not None:
            # A number past the range is still a number being typed: fixup takes it to the limit.
            return QValidator.State.Intermediate, text, pos
        return answer

    def fixup(self, text: str) -> str:  # noqa: D102 - Qt's
        number = self._typed_number(text)
        if number is None or self.minimum() <= number <= self.maximum():
            return super().fixup(text)
        limit = self.maximum() if number > self.maximum() else self.minimum()
        shown = self.textFromValue(limit)
        words = (f"{self.clamp_name}: {self.textFromValue(number) if isinstance(number, float) else number} is "
                 f"beyond its range {self.textFromValue(self.minimum())} to {self.textFromValue(self.maximum())}, "
                 f"so it is {shown}, the {'largest' if limit == self.maximum() else 'smallest'} it takes")
        self.last_clamp_words = words
        self._say(words)
        return f"{self.prefix()}{shown}{self.suffix()}"

    def _say(self, words: str) -> None:
        if self.on_clamped is not None:
            self.on_clamped(words)
            return
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(words, 10000)


class ClampedSpinBox(ClampedNumbers, QSpinBox):
    """A QSpinBox whose typed number beyond the range is set to the nearest limit, said."""

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.clamp_name = name


class ClampedDoubleSpinBox(ClampedNumbers, QDoubleSpinBox):
    """A QDoubleSpinBox whose typed number beyond the range is set to the nearest limit, said."""

    def __init__(self, name: str = "the box", parent=None):
        super().__init__(parent)
        self.clamp_name = name
