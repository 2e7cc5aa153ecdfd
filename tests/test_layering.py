"""The layering rules of README.md ("Layers"), checked on the source: which part of segmix may
import which (``LAYERS``), Qt only under segmix/gui, numba only under segmix/kernels,
and OpenCV only in segmix/faces.py; importing segmix pulls in neither Qt nor numba."""

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


def test_opencv_only_in_faces():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.name != "faces.py" and "cv2" in _imported_roots(p)]
    assert offenders == []
    assert "cv2" in _imported_roots(PACKAGE / "faces.py")


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


# The picture of README.md's "Layers" section: every part of segmix and the parts it may
# import (besides itself and the version in segmix/__init__.py). Imports inside functions
# count too: a lazy import is still a dependency.
SUPPORT = {"io", "labelmaps", "frames", "plots", "resources", "palette", "mark_order", "bool_maps", "source_record",
           "repeated_lines", "nclx", "heif_scan", "deep_pixels", "arguments", "held_warnings", "pnm", "json_numbers",
           "annotation_json", "run_records"}
MODELS = {"mixture", "features", "graphcut", "bayes", "faces", "skin_texture", "jpeg_chroma", "skin_boundary",
          "exposure", "white_balance", "marked_pixels", "canonical_turn", "photo_bars", "mask_edges",
          "stabilise", "contrast_floor", "cancel_points", "light_gain"}
WORKFLOWS = {
    "segment", "clicks", "skin", "skin_detect", "skin_eval", "quantize", "background", "background_run", "change_detection",
    "modelfile", "precompile", "local_colour", "adaptive_smoothness", "unexplained", "click_guards", "occluded_parts",
    "snapcut", "mark_steps", "mark_settings", "transparency", "segment_modelfile", "own_outputs", "point_marks",
    "result_notes", "skin_marks", "box_edges", "small_objects", "photo_caches", "skin_init",
    "skin_photo_notes", "skin_marks_check",
}
LAYERS = {
    "kernels": set(),
    "mixture": {"kernels", "held_warnings", "cancel_points"},  # and its warnings said at the user's line; k-means' steps may be stopped
    "features": {"kernels"},
    "graphcut": {"kernels", "marked_pixels", "cancel_points"},
    "canonical_turn": set(),  # a photo's canonical turn from its content; nothing of segmix
    "photo_bars": set(),  # a photo's bars of one colour at its edges; nothing of segmix
    "marked_pixels": set(),  # a label image's marked pixels, found fast; nothing of segmix
    "bayes": {"kernels", "mixture", "features"},
    "faces": set(),  # OpenCV's face cascade; nothing of segmix
    "skin_texture": {"kernels"},  # a per-pixel image cue (its fused passes in kernels.texture)
    "jpeg_chroma": {"kernels", "skin_texture"},  # a blocky JPEG's chroma (its grid from skin_texture)
    "skin_boundary": {"kernels"},  # the skin regions' boundary prior (its labelling in kernels.skin)
    "exposure": {"skin_texture"},  # an underexposed photo's gain (its luma weights from skin_texture)
    "white_balance": set(),  # a colour cast's gains from classic estimators; nothing of segmix
    "mask_edges": set(),  # whether masks follow their photos' edges; nothing of segmix
    "stabilise": set(),  # a shaking camera's frames aligned by phase correlation; nothing of segmix
    "light_gain": {"kernels"},  # a frame's global gain against the background model (gathered by a kernel)
    "contrast_floor": set(),  # the mixtures' covariance floor of a photo's contrast; nothing of segmix
    "cancel_points": set(),  # the compute thread's cancel checks for the engine's long steps; nothing of segmix
    **{name: SUPPORT for name in SUPPORT},
    # io checks a JPEG frame's coded data (a damaged one decodes without a word) with
    # jpeg_scan, whose walk is a kernel; jpeg_scan uses nothing else of segmix.
    "io": SUPPORT | {"jpeg_scan"},
    "frames": SUPPORT | {"jpeg_scan"},  # and an MJPEG video's frames
    "jpeg_scan": {"kernels", "held_warnings"},
    "held_warnings": set(),  # catch_warnings one thread at a time; nothing of segmix
    "pnm": set(),  # a PGM / PPM's header and stored samples; nothing of segmix
    "json_numbers": set(),  # whole-number floats of JSON integer fields; nothing of segmix
    "run_records": set(),  # a background run's per-frame records kept small; nothing of segmix
    "annotation_json": set(),  # other tools' annotation JSON (Labelme, COCO) told apart; nothing of segmix
    **{name: {"kernels"} | SUPPORT | MODELS | WORKFLOWS for name in WORKFLOWS},
    # the window compiles the JPEG check's kernel in its warm-up and asks whether it is ready
    "gui": {"kernels", "jpeg_scan"} | SUPPORT | MODELS | WORKFLOWS,
    # runs workflows on a Dask cluster; only the command line uses it
    "distributed": SUPPORT | MODELS | WORKFLOWS,
    "cli_streams": set(),  # the command line's guarded stdout / stderr; nothing of segmix
    "cli": {"kernels", "gui", "distributed", "cli_streams"} | SUPPORT | MODELS | WORKFLOWS,
    "__main__": {"cli"},
}


def _part(module: str) -> str | None:
    """``segmix.kernels.mixture`` -> ``kernels``, ``segmix.io`` -> ``io``; None for segmix itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_part_of_segmix_has_a_layer():
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert parts == set(LAYERS)


def test_each_part_imports_only_the_layers_below_it():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        source = _part(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        if source is None:
            continue  # segmix/__init__.py
        for module in _imported_modules(path):
            if module.split(".")[0] != "segmix":
                continue
            target = _part(module)
            if target in (None, source, "__init__") or target not in LAYERS:
                continue  # the version, the part itself, or a name imported from segmix
            if target not in LAYERS[source]:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offenders == []
