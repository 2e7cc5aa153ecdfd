"""The layering rules of DESIGN.md, checked on the source: Qt only under segmix/gui, numba
only in the kernel module, and importing segmix pulls in neither."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "segmix"
KERNEL_MODULE = PACKAGE / "mixture" / "_kernels.py"


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_qt_only_under_gui():
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "gui" not in p.relative_to(PACKAGE).parts and {"PySide6", "shiboken6"} & _imported_roots(p)
    ]
    assert offenders == []


def test_numba_only_in_kernel_module():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if p != KERNEL_MODULE and "numba" in _imported_roots(p)]
    assert offenders == []
    assert "numba" in _imported_roots(KERNEL_MODULE)


def test_importing_segmix_is_cheap():
    code = "import sys, segmix; print(sorted(m for m in ('PySide6', 'numba') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
