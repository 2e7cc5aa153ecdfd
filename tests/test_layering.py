"""The layering rules of DESIGN.md, checked on the source: Qt only under segmix/gui, numba
only under segmix/kernels (which imports nothing from the layers above it), and importing
segmix pulls in neither."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "segmix"
KERNELS = PACKAGE / "kernels"


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _imported_modules(path: Path) -> set[str]:
    """Dotted names of every module ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(PACKAGE.parent).parts[:-1])
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.add(module)
            # ``from segmix.kernels import mixture`` imports a module, not a name.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_qt_only_under_gui():
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "gui" not in p.relative_to(PACKAGE).parts and {"PySide6", "shiboken6"} & _imported_roots(p)
    ]
    assert offenders == []


def test_numba_only_under_kernels():
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if KERNELS not in p.parents and "numba" in _imported_roots(p)
    ]
    assert offenders == []
    assert any("numba" in _imported_roots(p) for p in KERNELS.glob("*.py"))


def test_importing_segmix_is_cheap():
    code = "import sys, segmix; print(sorted(m for m in ('PySide6', 'numba') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_kernels_import_nothing_above_them():
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(
            m for m in _imported_modules(p) if m.split(".")[0] == "segmix" and not m.startswith("segmix.kernels")
        )
        for p in KERNELS.glob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
