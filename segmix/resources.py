"""Locate bundled data files (sample photos, the built-in skin model).

``resources/`` and ``sample_images/`` live at the top of the repository and are copied
into the installed package as ``segmix/_data/...`` by the build (see pyproject.toml), so
both an editable and a regular install find them.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates(kind: str) -> list[Path]:
    return [_PACKAGE_DIR / "_data" / kind, _PACKAGE_DIR.parent / kind]


def data_dir(kind: str) -> Path:
    """Return the folder holding bundled files of one kind.

    Parameters
    ----------
    kind : {"resources", "sample_images"}
        Which bundled folder.

    Returns
    -------
    pathlib.Path
        The first existing folder: the installed copy, else the source checkout's.
    """
    if kind not in ("resources", "sample_images"):
        raise ValueError(f"unknown data kind {kind!r}")
    for path in _candidates(kind):
        if path.is_dir():
            return path
    raise FileNotFoundError(f"segmix installation is missing its {kind!r} folder")


def sample_image_path(name: str = "astronaut.png") -> Path:
    """Path of a bundled sample photo."""
    path = data_dir("sample_images") / name
    if not path.is_file():
        raise FileNotFoundError(f"no bundled sample image named {name!r}")
    return path


def resource_path(name: str) -> Path:
    """Path of a file in the bundled ``resources/`` folder."""
    return data_dir("resources") / name
