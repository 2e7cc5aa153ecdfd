"""Small charts drawn with Pillow (no plotting dependency): the ROC curve of skin evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from segmix.io import atomic_save

_CURVE_COLOURS = ((31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189))


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has only the fixed bitmap font
        return ImageFont.load_default()


def draw_roc(curves: Sequence[dict], title: str = "ROC curve", size: tuple[int, int] = (640, 560)) -> Image.Image:
    """Draw ROC curves.

    Parameters
    ----------
    curves : sequence of dict with keys
        ``fpr``, ``tpr`` (arrays), ``label`` (str, e.g. the AUC) and optionally
        ``point`` = (fpr, tpr) of the operating point and ``point_label``.
    title : str
    size : (width, height) in pixels

    Returns
    -------
    PIL.Image.Image (RGB)
    """
    width, height = size
    im = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(im)
    f_small, f_label, f_title = _font(13), _font(15), _font(17)
    left, right, top, bottom = 70, width - 20, 40, height - 60
    pw, ph = right - left, bottom - top

    def xy(fx, fy):
        return left + fx * pw, bottom - fy * ph

    # grid, ticks, frame
    for t in np.linspace(0, 1, 6):
        gx, gy = xy(t, t)
        draw.line([(gx, top), (gx, bottom)], fill=(230, 230, 230))
        draw.line([(left, gy), (right, gy)], fill=(230, 230, 230))
        draw.line([(gx, bottom), (gx, bottom + 5)], fill="black")
        draw.line([(left - 5, gy), (left, gy)], fill="black")
        draw.text((gx, bottom + 8), f"{t:.1f}", fill="black", font=f_small, anchor="mt")
        draw.text((left - 8, gy), f"{t:.1f}", fill="black", font=f_small, anchor="rm")
    draw.line([xy(0, 0), xy(1, 1)], fill=(160, 160, 160), width=1)  # chance
    draw.rectangle([left, top, right, bottom], outline="black")
    draw.text(((left + right) / 2, height - 22), "false positive rate (non-skin pixels called skin)",
              fill="black", font=f_label, anchor="mm")
    ylabel = Image.new("RGB", (ph, 22), "white")
    ImageDraw.Draw(ylabel).text((ph / 2, 11), "true positive rate (skin recall)", fill="black", font=f_label, anchor="mm")
    im.paste(ylabel.rotate(90, expand=True), (8, top))
    draw.text(((left + right) / 2, 18), title, fill="black", font=f_title, anchor="mm")

    legend = []
    for i, curve in enumerate(curves):
        colour = _CURVE_COLOURS[i % len(_CURVE_COLOURS)]
        fpr, tpr = np.asarray(curve["fpr"], float), np.asarray(curve["tpr"], float)
        order = np.lexsort((tpr, fpr))
        points = [xy(a, b) for a, b in zip(fpr[order], tpr[order])]
        draw.line(points, fill=colour, width=3, joint="curve")
        legend.append((colour, curve.get("label", ""), "line"))
        if curve.get("point") is not None:
            px, py = xy(*curve["point"])
            draw.ellipse([px - 6, py - 6, px + 6, py + 6], outline="black", fill=colour, width=2)
            legend.append((colour, curve.get("point_label", "operating point"), "dot"))
    # legend box, bottom right
    line_h = 20
    box_w = 20 + max(draw.textlength(text, font=f_small) for _, text, _ in legend) + 40
    box_h = line_h * len(legend) + 10
    bx0, by0 = right - box_w - 10, bottom - box_h - 10
    draw.rectangle([bx0, by0, right - 10, bottom - 10], fill="white", outline=(120, 120, 120))
    for j, (colour, text, kind) in enumerate(legend):
        cy = by0 + 5 + line_h * j + line_h / 2
        if kind == "line":
            draw.line([(bx0 + 8, cy), (bx0 + 36, cy)], fill=colour, width=3)
        else:
            draw.ellipse([bx0 + 16, cy - 5, bx0 + 26, cy + 5], outline="black", fill=colour, width=2)
        draw.text((bx0 + 44, cy), text, fill="black", font=f_small, anchor="lm")
    return im


def save_roc_png(path, curves: Sequence[dict], title: str = "ROC curve", protect=()) -> None:
    """Draw :func:`draw_roc` and write it atomically as PNG."""
    if Path(path).suffix.lower() != ".png":
        raise ValueError(f"{path}: the ROC plot is written as PNG; use a .png file name")
    im = draw_roc(curves, title)
    atomic_save(path, lambda handle: im.save(handle, format="PNG"), protect=protect)
