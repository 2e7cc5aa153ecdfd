"""The command line's help says the defaults the code has (session 55)."""

import re

import pytest

from segmix.cli import main
from segmix.skin_detect import SkinSettings


@pytest.mark.parametrize("command", ["apply", "eval"])
def test_white_balance_help_says_the_default(command, capsys):
    # The balance was made the default and undone in session 54; its help still said
    # "(default: on, ...)" while the code, README and the window's box had it off.
    assert main(["skin", command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    said = re.search(r"--white-balance, --no-white-balance (.*?) --jpeg", text).group(0)
    default = "on" if SkinSettings().white_balance else "off"
    assert f"(default: {default}" in said, said
