"""README's set-up commands (issue 12 section 5, issue 13 section 1).

Both commands must work as written as root on a fresh machine without sudo and as a normal
user with sudo, must carry the same Debian package list, and that list must hold every
library Qt's xcb platform plug-in loads; ``.ci/run`` installs exactly that list.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PREFIX = "$(command -v sudo) apt-get update && $(command -v sudo) apt-get install -y "
# What Qt 6's libqxcb.so and its Qt libraries load on Debian 12 (ldd), and the venv module.
REQUIRED = {
    "python3-venv", "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libglib2.0-0", "libdbus-1-3",
    "libx11-6", "libx11-xcb1", "libxcb1", "libxcb-cursor0", "libxcb-glx0", "libxcb-icccm4", "libxcb-image0",
    "libxcb-keysyms1", "libxcb-randr0", "libxcb-render0", "libxcb-render-util0", "libxcb-shape0",
    "libxcb-shm0", "libxcb-sync1", "libxcb-util1", "libxcb-xfixes0", "libxcb-xkb1", "libxkbcommon0",
    "libxkbcommon-x11-0",
}


def _setup_commands() -> list[str]:
    return [line for line in README.read_text(encoding="utf-8").splitlines() if "apt-get install" in line]


def _packages(command: str) -> list[str]:
    match = re.search(r"apt-get install -y ([^&]*)&&", command)
    assert match, command
    return match.group(1).split()


def test_both_commands_share_one_complete_package_list():
    commands = _setup_commands()
    assert len(commands) == 2, commands
    for command in commands:
        assert command.startswith(PREFIX), command
    first, second = (_packages(c) for c in commands)
    assert first == second
    assert set(first) == REQUIRED, set(first) ^ REQUIRED
    assert "pip install ." in commands[0] and '.venv/bin/pip install ".[test]"' in commands[1]


def test_ci_installs_exactly_readme_list():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    expression = re.search(r"sed -n '([^']*)' README\.md", script)
    assert expression, "CI must read the package list from README.md"
    if shutil.which("sed") is None:
        pytest.skip("sed not available")
    listed = subprocess.run(["sed", "-n", expression.group(1), str(README)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[0].split()
    assert listed == _packages(_setup_commands()[1])
    assert 'pkgs="$pkgs xvfb xdotool"' in script


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize("has_sudo", [False, True])
def test_the_apt_part_runs_as_written_with_and_without_sudo(tmp_path, has_sudo):
    """Run README's apt part with stub apt-get (and sudo): what would have been executed."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash not available")
    log = tmp_path / "calls.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stub(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}\n')
    if has_sudo:
        _stub(bin_dir, "sudo", f'echo "sudo $1" >> {log}\nexec "$@"\n')
    apt_part = _setup_commands()[0].split(" && python3 -m venv")[0]
    subprocess.run([bash, "--noprofile", "--norc", "-c", apt_part], env={"PATH": str(bin_dir)}, check=True,
                   timeout=30)
    calls = log.read_text().splitlines()
    apt_calls = [c for c in calls if c.startswith("apt-get")]
    assert apt_calls[0] == "apt-get update"
    assert apt_calls[1].startswith("apt-get install -y ") and set(apt_calls[1].split()[3:]) == REQUIRED
    sudo_calls = [c for c in calls if c.startswith("sudo")]
    assert sudo_calls == (["sudo apt-get", "sudo apt-get"] if has_sudo else [])


def test_qt_xcb_plugin_finds_every_library():
    """ldd on the plug-in: a library missing here means README's list misses a package."""
    try:
        import PySide6
    except ImportError:
        pytest.skip("PySide6 not installed")
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists() or shutil.which("ldd") is None:
        pytest.skip("no libqxcb.so or no ldd on this platform")
    output = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=60).stdout
    missing = sorted({line.split()[0] for line in output.splitlines() if "not found" in line})
    if missing and os.environ.get("CI") != "true":
        pytest.skip(f"README's packages are not installed here (missing {', '.join(missing)})")
    assert not missing, f"Qt's xcb plug-in cannot load {', '.join(missing)}: add its Debian package to README"
