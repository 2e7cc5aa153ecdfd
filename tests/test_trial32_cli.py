"""Command-line refusals found in session 32's checks."""

import subprocess
import sys

import pytest


def _run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "segmix", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("args, option, value", [
    (["quantize", "photo.png", "-k", "4", "-o", "-out.png"], "-o", "-out.png"),
    (["segment", "photo.png", "--click", "3,3", "--output", "-mask.png"], "--output", "-mask.png"),
])
def test_a_value_starting_with_a_dash_says_how_to_write_it(tmp_path, args, option, value):
    """``-o -out.png`` read "-out.png" as an option and said only "expected one argument";
    the refusal now says how the value is written, and nothing is written."""
    result = _run(*args, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "expected one argument" in lines[0]
    assert f"{option}={value}" in lines[0] and f"./{value}" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_a_missing_value_keeps_the_plain_refusal(tmp_path):
    result = _run("quantize", "photo.png", "-k", "4", "-o", cwd=tmp_path)
    assert result.returncode == 2
    assert "expected one argument (see segmix quantize --help)" in result.stderr
    assert "starting with '-'" not in result.stderr
