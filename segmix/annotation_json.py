"""Annotation JSON of other tools (Labelme, COCO) told apart from segmix's files.

A new user gave a Labelme file and a COCO file to ``segment --model`` (refused as "invalid
segmix model: the model has unknown key(s) 'flags', 'imageData', ...") and to ``--scribbles``
("is a text file, not an image"): neither said what the file was nor how to use it. segmix
reads label images, not annotation JSON: these words name the tool and how to rasterise.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

#: How large an annotation file is parsed to tell its kind (a COCO file of a whole data set
#: may be hundreds of megabytes: beyond this it is only called "JSON").
MAX_JSON_BYTES = 64 * 1024 * 1024

#: How to make a label image of each kind's shapes.
RASTERISE = {
    "Labelme": "labelme's labelme_json_to_dataset, or PIL ImageDraw.polygon per shape",
    "COCO": "pycocotools' COCO(file).annToMask(annotation) per object",
}


def annotation_kind(data: Any) -> str | None:
    """"Labelme" or "COCO" for an annotation file's JSON (a Labelme file's ``shapes`` with its
    ``imagePath`` / ``imageHeight``; a COCO file's ``annotations`` with ``images`` or
    ``categories``, or a COCO results list of objects with ``image_id`` and ``segmentation`` or
    ``bbox``); None for anything else."""
    if isinstance(data, dict):
        if isinstance(data.get("shapes"), list) and any(key in data for key in ("imagePath", "imageHeight",
                                                                                  "imageWidth", "imageData")):
            return "Labelme"
        if isinstance(data.get("annotations"), list) and ("images" in data or "categories" in data):
            return "COCO"
    if (isinstance(data, list) and data and isinstance(data[0], dict) and "image_id" in data[0]
            and ("segmentation" in data[0] or "bbox" in data[0])):
        return "COCO"
    return None


def annotation_words(kind: str) -> str:
    """"a Labelme annotation (JSON of shapes; ...)" for :func:`annotation_kind`'s ``kind``."""
    return (f"a {kind} annotation (JSON of polygons or boxes, which segmix does not read: rasterise them into a "
            f"label image with {RASTERISE[kind]})")


def annotation_file_words(path) -> str | None:
    """Words for an annotation file given where segmix reads an image (photo, scribbles, mask):
    "is a Labelme annotation ..., not an image: segmix reads label images ..."; None for any
    other file (not JSON, too large to look at, or another JSON)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            return None
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return None
    kind = annotation_kind(data)
    if kind is None:
        return None
    return (f"is a {kind} annotation (JSON), not an image: segmix reads label images, not annotation JSON; "
            f"rasterise its shapes first ({RASTERISE[kind]}), as a label PNG of 0 unmarked, 1 foreground, "
            "2 background for scribbles, or 0 / 255 for a mask")


def partial_annotation_kind(text: str) -> str | None:
    """"Labelme" or "COCO" for the first part of an annotation file cut short (which ``json``
    does not parse), from the keys it holds, as :func:`annotation_kind` tells a whole one;
    None for anything else."""
    keys = set(re.findall(r'"(\w+)"\s*:', text))
    if "shapes" in keys and keys & {"imagePath", "imageHeight", "imageWidth", "imageData"}:
        return "Labelme"
    if "annotations" in keys and keys & {"images", "categories"}:
        return "COCO"
    return None
