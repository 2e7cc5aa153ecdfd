"""Stale figures (session 58's trial): --help and the README said highway scores F 0.932 at
--shadow-threshold 0.7 and 0.896 at 0.5, figures from before session 57's light compensation
(on by default), with which the README's own light-compensation row says 0.954."""

from __future__ import annotations

import re
from pathlib import Path

from segmix.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def _row(text: str, option: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| `{option}"))


def test_the_shadow_threshold_figures_are_those_of_the_default_model():
    text = README.read_text(encoding="utf-8")
    # the default's highway F with light compensation, as its own row gives it
    default = re.search(r"highway 0\.\d+ -> (0\.\d+)", _row(text, "--[no-]light-compensation")).group(1)
    assert re.search(r"F (0\.\d+) at 0\.7", _row(text, "--shadow-threshold")).group(1) == default
    parser = build_parser()
    background = next(action for action in parser._subparsers._group_actions[0].choices.values()
                      if any("--shadow-threshold" in a.option_strings for a in action._actions))
    help_text = next(a.help for a in background._actions if "--shadow-threshold" in a.option_strings)
    assert re.search(r"F-measure: (0\.\d+) at 0\.7", help_text).group(1) == default
