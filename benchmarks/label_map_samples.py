"""Genuine and resampled scribble maps, for measuring the label-map rules of segmix.labelmaps.

Genuine maps (what users give ``segmix segment --scribbles`` and the window): strokes
painted with the window's own brush (:meth:`segmix.gui.scribbles.LabelLayer.paint_segment`,
1-40 px, clicks, the rectangle start, the eraser), strokes drawn by Pillow's ImageDraw with
anti-aliasing off (lines, ellipses, polygons), deliberate thin foreground strokes laid along
one or two background strokes, foreground strokes painted over by background strokes with a
slightly smaller brush (a correction that leaves slivers), foreground and background strokes
crossing, hand-made edge cases with the c27 / c29 cases, and the user-like scribbles
simulated from the DAVIS masks of ``../shared/data`` (when present); each also resized with
nearest-neighbour sampling (Pillow, OpenCV, scikit-image) and rotated with nearest-neighbour
sampling.

Resampled maps: each genuine map resized by a non-integer factor in 0.5-2.0 (straight, and
there and back to its own size), or rotated by 1-45 degrees, with bilinear and bicubic
interpolation (and OpenCV's area filter, scikit-image's anti-aliased resize, Pillow's
Lanczos and box filters), as Pillow, OpenCV and scikit-image do it; and saved as JPEG
(quality 75 and 95) and decoded. A resampled map counts only when the interpolation changed
the labels: at least 20 pixels are 1 that the same transform with nearest-neighbour
sampling does not make 1.

Every sample has a seed; even seeds are the design half (rules were tuned on them), odd
seeds the held-out half that figures are reported on.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from segmix.gui.scribbles import LabelLayer

UNLABELLED, FOREGROUND, BACKGROUND = 0, 1, 2
MIN_CHANGED = 20


@dataclass
class Sample:
    family: str  # genuine: "window", "imagedraw", "along", "davis", "edge" (+ " nn-resized" ...)
    kind: str  # how it was made, for the tables
    seed: int
    labels: np.ndarray


# ----------------------------------------------------------------------------- genuine
def _random_path(rng, h, w, n_points=None, step=(0.05, 0.4)):
    n = n_points or int(rng.integers(2, 7))
    start = np.array([rng.uniform(0.1 * w, 0.9 * w), rng.uniform(0.1 * h, 0.9 * h)])
    step = rng.uniform(*step) * max(h, w)
    heading = rng.uniform(0, 2 * math.pi)
    points = [start]
    for _ in range(n - 1):
        heading += rng.normal(0, 0.7)
        points.append(points[-1] + step * np.array([math.cos(heading), math.sin(heading)]))
    return np.array(points)


def _paint_path(layer, points, radius, label):
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
        # The canvas sends many short segments per drag; a few long ones draw the same pixels.
        layer.paint_segment(x0, y0, x1, y1, radius, label)


def _brush_radius(rng):
    return float(np.exp(rng.uniform(np.log(0.5), np.log(20.0))))


def window_map(seed: int) -> np.ndarray:
    """Strokes, clicks, a rectangle start and erasing, with the window's own brush."""
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(40, 360)), int(rng.integers(40, 480))
    layer = LabelLayer((h, w))
    if rng.random() < 0.15:
        t, l = rng.integers(0, h // 3), rng.integers(0, w // 3)
        layer.fill_outside(t, l, h - rng.integers(0, h // 3), w - rng.integers(0, w // 3), BACKGROUND)
    for _ in range(int(rng.integers(1, 10))):
        r = rng.random()
        label = FOREGROUND if rng.random() < 0.45 else BACKGROUND
        if r < 0.15:
            layer.paint_click(int(rng.integers(0, h)), int(rng.integers(0, w)), label)
        elif r < 0.22:
            _paint_path(layer, _random_path(rng, h, w), _brush_radius(rng), UNLABELLED)
        else:
            _paint_path(layer, _random_path(rng, h, w), _brush_radius(rng), label)
    return layer.labels.copy()


def _along(layer, rng, h, w):
    points = _random_path(rng, h, w, n_points=int(rng.integers(2, 5)), step=(0.08, 0.25))
    rb = float(rng.uniform(1.0, 8.0))
    rf = float(rng.choice([0.5, 0.75, 1.0, 1.5]))
    _paint_path(layer, points, rb, BACKGROUND)
    # The foreground path: the background path shifted sideways by rb + rf (touching it),
    # along all of each segment or a random part of it (or beyond it).
    side = 1 if rng.random() < 0.5 else -1
    d = np.diff(points, axis=0)
    normals = np.stack([-d[:, 1], d[:, 0]], 1) / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    for i, (a, b) in enumerate(zip(points[:-1], points[1:])):
        off = side * normals[i] * (rb + rf - 0.3)
        t0, t1 = sorted(rng.uniform(-0.2, 1.2, 2)) if rng.random() < 0.6 else (0.0, 1.0)
        p0, p1 = a + (b - a) * t0 + off, a + (b - a) * t1 + off
        layer.paint_segment(p0[0], p0[1], p1[0], p1[1], rf, FOREGROUND)


def along_map(seed: int, pairs: int = 1) -> np.ndarray:
    """A thin foreground stroke (1-3 px) laid along a background stroke, touching it.

    The hard genuine case: locally it is what interpolation makes (a thin band of 1
    between 2 and 0). The foreground stroke runs along part, all, or more than all of
    the background stroke, on one side; sometimes with more strokes around. With
    ``pairs=2``, two such pairs.
    """
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(50, 300)), int(rng.integers(50, 400))
    layer = LabelLayer((h, w))
    for _ in range(pairs):
        _along(layer, rng, h, w)
    for _ in range(int(rng.integers(0, 4))):
        label = FOREGROUND if rng.random() < 0.5 else BACKGROUND
        _paint_path(layer, _random_path(rng, h, w), _brush_radius(rng), label)
    return layer.labels.copy()


def along2_map(seed: int) -> np.ndarray:
    return along_map(seed, pairs=2)


def overpaint_map(seed: int) -> np.ndarray:
    """A foreground stroke painted over, along its length, by a background stroke.

    A correction: the user painted foreground by mistake and paints background over it with
    a brush of about the same or a smaller size, leaving slivers of foreground along one or
    both sides of the background stroke.
    """
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(50, 300)), int(rng.integers(50, 400))
    layer = LabelLayer((h, w))
    points = _random_path(rng, h, w, n_points=int(rng.integers(2, 5)), step=(0.08, 0.25))
    rf = float(rng.uniform(2.0, 10.0))
    rb = rf - float(rng.uniform(0.5, 3.0))
    _paint_path(layer, points, rf, FOREGROUND)
    offset = rng.normal(0, 0.7, 2) if rng.random() < 0.5 else np.zeros(2)
    _paint_path(layer, points + offset, max(rb, 0.5), BACKGROUND)
    for _ in range(int(rng.integers(0, 4))):
        label = FOREGROUND if rng.random() < 0.5 else BACKGROUND
        _paint_path(layer, _random_path(rng, h, w), _brush_radius(rng), label)
    return layer.labels.copy()


def imagedraw_map(seed: int) -> np.ndarray:
    """Lines, ellipses, rectangles and polygons from Pillow's ImageDraw (no anti-aliasing)."""
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(40, 360)), int(rng.integers(40, 480))
    im = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(1, 9))):
        label = 1 if rng.random() < 0.45 else 2
        r = rng.random()
        pts = [tuple(p) for p in _random_path(rng, h, w)]
        if r < 0.5:
            draw.line(pts, fill=label, width=int(rng.integers(1, 16)), joint="curve" if rng.random() < 0.5 else None)
        elif r < 0.7:
            x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
            draw.ellipse([x0, y0, x0 + rng.uniform(2, w / 3), y0 + rng.uniform(2, h / 3)], fill=label)
        elif r < 0.85:
            x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
            draw.rectangle([x0, y0, x0 + rng.uniform(1, w / 3), y0 + rng.uniform(1, h / 3)], fill=label)
        else:
            draw.polygon(pts if len(pts) >= 3 else pts + [(pts[0][0] + 9, pts[0][1] + 17)], fill=label)
    return np.asarray(im).copy()


def edge_cases() -> list[tuple[str, np.ndarray]]:
    """Hand-made genuine maps at the edge of any rim rule (also the unit tests' cases)."""
    cases = []
    for name, fg_rows in (("fg 1 px along bg", slice(45, 46)), ("fg 2 px along bg", slice(45, 47)),
                          ("fg 3 px along bg", slice(45, 48)), ("fg 5 px along bg", slice(45, 50))):
        s = np.zeros((100, 200), np.uint8)
        s[40:45, 20:180] = 2
        s[fg_rows, 20:180] = 1
        cases.append((name, s))
    s = np.zeros((100, 200), np.uint8)
    s[40, 20:180] = 2
    s[41, 20:180] = 1
    cases.append(("1 px fg on 1 px bg", s))
    s = np.zeros((100, 200), np.uint8)
    s[30:70, 50:150] = 1
    s[45:55, 90:110] = 2
    cases.append(("bg dab inside painted fg", s))
    s = np.zeros((100, 200), np.uint8)
    s[0:4, :] = 2
    s[4:7, 20:180] = 1
    cases.append(("fg along a bg stroke at the border", s))
    s = np.zeros((100, 200), np.uint8)
    s[40:45, 20:180] = 2
    s[39, 10:190] = 1
    cases.append(("fg 1 px along bg, longer", s))
    s = np.zeros((60, 80), np.uint8)
    s[28:33, 27:53] = 1
    s[1:5, 3:77] = 2
    s[55:59, 3:77] = 2
    cases.append(("c29 scribbles", s))
    for factor in (0.5, 2, 3, 5):  # c27: the same, nearest-neighbour resized
        size = (int(80 * factor), int(60 * factor))
        cases.append((f"c27 x{factor} nearest", np.asarray(Image.fromarray(s).resize(size, Image.NEAREST))))
    return cases


def rectangle_map(seed: int) -> np.ndarray:
    """Axis-aligned rectangles of 1 or 2 as a user types them (``L[50:80, 100:800] = 2``):
    1-12 of them, overlapping, at multiples of 4, 8, 10 or 20 (round numbers; multiples of
    20 are all on lossy WebP's 4-px grid), on a photo-sized map."""
    rng = np.random.default_rng(seed)
    h, w = ((480, 854), (240, 320), (600, 800), (1080, 1920))[seed % 4]
    unit = (4, 10, 20, 8)[seed % 4 if seed % 3 else 0]
    labels = np.zeros((h, w), np.uint8)
    for _ in range(int(rng.integers(1, 13))):
        y0, x0 = int(rng.integers(0, h // unit)) * unit, int(rng.integers(0, w // unit)) * unit
        height, width = int(rng.integers(1, 25)) * unit, int(rng.integers(1, 40)) * unit
        labels[y0:y0 + height, x0:x0 + width] = int(rng.integers(1, 3))
    return labels


def frame_map(w: int, h: int) -> np.ndarray:
    """tests/test_labelmaps.py's trial layout: foreground strokes in the middle, a background
    frame along three borders (ImageDraw, 4 px wide)."""
    im = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(im)
    draw.line([(w * 0.35, h * 0.5), (w * 0.65, h * 0.5)], fill=1, width=4)
    draw.line([(w * 0.4, h * 0.4), (w * 0.6, h * 0.6)], fill=1, width=4)
    for line in ([(3, 3), (w - 4, 3)], [(3, h - 4), (w - 4, h - 4)], [(3, 3), (3, h - 4)]):
        draw.line(line, fill=2, width=4)
    return np.asarray(im).copy()


def webp_samples(genuine: list[Sample], qualities=(60, 70, 75, 80, 85, 90), frames: bool = True) -> list[Sample]:
    """The genuine maps (and three frame maps) saved as lossy WebP and decoded, where the
    labels stay in 0-2 (else the values rule refuses them) and changed."""
    sources = [(s.family, s.seed, s.labels) for s in genuine]
    if frames:
        sources += [("frame", i, frame_map(w, h)) for i, (w, h) in enumerate(((120, 90), (80, 60), (240, 180)))]
    out = []
    for quality in qualities:
        for family, seed, labels in sources:
            buffer = io.BytesIO()
            Image.fromarray(labels).save(buffer, "WEBP", quality=quality)
            buffer.seek(0)
            decoded = np.asarray(Image.open(buffer).convert("L"))
            if decoded.max() <= BACKGROUND and not (decoded == labels).all():
                out.append(Sample(family, f"webp q{quality}", seed, decoded))
    return out


# ----------------------------------------------------------------------------- transforms
def _factor(rng):
    while True:
        f = float(rng.uniform(0.5, 2.0))
        if abs(f - round(f)) > 0.05 and abs(1 / f - round(1 / f)) > 0.05:
            return f


def _size(shape, f):
    return max(2, round(shape[1] * f)), max(2, round(shape[0] * f))


def _pil_resize(s, size, flt):
    return np.asarray(Image.fromarray(s).resize(size, flt))


def _cv2():
    try:
        import cv2
    except ImportError:
        return None
    return cv2


def _sk_resize(s, size, order, aa):
    from skimage.transform import resize

    out = resize(s.astype(np.float64), (size[1], size[0]), order=order, preserve_range=True, anti_aliasing=aa,
                 mode="edge")
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _sk_rotate(s, angle, order):
    from skimage.transform import rotate

    out = rotate(s.astype(np.float64), angle, order=order, preserve_range=True, mode="constant", cval=0)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _cv_rotate(cv2, s, angle, flag):
    h, w = s.shape
    m = cv2.getRotationMatrix2D((w / 2 - 0.5, h / 2 - 0.5), angle, 1.0)
    return cv2.warpAffine(s, m, (w, h), flags=flag, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def resampled(s: np.ndarray, rng) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(kind, interpolated map, the same transform with nearest-neighbour sampling)."""
    cv2 = _cv2()
    f = _factor(rng)
    size = _size(s.shape, f)
    back = (s.shape[1], s.shape[0])
    angle = float(rng.uniform(1, 45)) * (1 if rng.random() < 0.5 else -1)
    for name, flt in (("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC)):
        yield f"PIL {name} resize", _pil_resize(s, size, flt), _pil_resize(s, size, Image.NEAREST)
        there = _pil_resize(s, size, flt)
        yield (f"PIL {name} there and back", _pil_resize(there, back, flt),
               _pil_resize(_pil_resize(s, size, Image.NEAREST), back, Image.NEAREST))
        yield (f"PIL {name} rotate", np.asarray(Image.fromarray(s).rotate(angle, flt)),
               np.asarray(Image.fromarray(s).rotate(angle, Image.NEAREST)))
    if cv2 is not None:
        for name, flag in (("linear", cv2.INTER_LINEAR), ("cubic", cv2.INTER_CUBIC), ("area", cv2.INTER_AREA)):
            ref = cv2.resize(s, size, interpolation=cv2.INTER_NEAREST)
            yield f"OpenCV {name} resize", cv2.resize(s, size, interpolation=flag), ref
            if name != "area":
                yield (f"OpenCV {name} rotate", _cv_rotate(cv2, s, angle, flag),
                       _cv_rotate(cv2, s, angle, cv2.INTER_NEAREST))
    for name, flt in (("Lanczos", Image.LANCZOS), ("box", Image.BOX)):
        yield f"PIL {name} resize", _pil_resize(s, size, flt), _pil_resize(s, size, Image.NEAREST)
    for quality in (75, 95):  # saved as JPEG, decoded and saved again losslessly
        buffer = io.BytesIO()
        Image.fromarray(s).save(buffer, "JPEG", quality=quality)
        yield f"JPEG q{quality} decoded", np.asarray(Image.open(buffer)), s
    for order, name in ((1, "order 1"), (3, "order 3")):
        ref = _sk_resize(s, size, 0, False)
        yield f"skimage {name} resize", _sk_resize(s, size, order, f < 1), ref
        yield f"skimage {name} rotate", _sk_rotate(s, angle, order), _sk_rotate(s, angle, 0)


def nearest_variants(s: np.ndarray, rng) -> Iterator[tuple[str, np.ndarray]]:
    """Genuine: the map resized or rotated with nearest-neighbour sampling."""
    cv2 = _cv2()
    size = _size(s.shape, _factor(rng))
    angle = float(rng.uniform(1, 45))
    yield "PIL nearest resize", _pil_resize(s, size, Image.NEAREST)
    yield "PIL nearest rotate", np.asarray(Image.fromarray(s).rotate(angle, Image.NEAREST))
    if cv2 is not None:
        yield "OpenCV nearest resize", cv2.resize(s, size, interpolation=cv2.INTER_NEAREST)
    yield "skimage order 0 resize", _sk_resize(s, size, 0, False)


def changed_into_one(damaged: np.ndarray, reference: np.ndarray) -> int:
    return int(np.count_nonzero((damaged == FOREGROUND) & (reference != FOREGROUND)))


# ----------------------------------------------------------------------------- all samples
def davis_maps(limit: int | None = None) -> list[tuple[int, str, np.ndarray]]:
    """(seed, name, scribbles) simulated from the DAVIS masks; empty without the data."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_segment import DATA, SCRIBBLE_PROFILES, load_truth, make_scribbles

    if not DATA.is_dir():
        return []
    out = []
    for i, path in enumerate(sorted((DATA / "masks").glob("*.png"))[:limit]):
        truth = load_truth(path, None)
        for profile in SCRIBBLE_PROFILES:
            out.append((i, f"{path.stem}/{profile}", make_scribbles(truth, i, profile)))
    return out


def genuine_samples(n_random: int, davis_limit: int | None = 0) -> list[Sample]:
    out = [Sample("edge", name, 2 * i + 1, s) for i, (name, s) in enumerate(edge_cases())]
    makers = (("window", window_map), ("imagedraw", imagedraw_map), ("along", along_map),
              ("along x2", along2_map), ("overpaint", overpaint_map))
    for seed in range(n_random):
        for k, (family, make) in enumerate(makers):
            out.append(Sample(family, family, seed, make(seed * 7 + k)))
    if davis_limit != 0:
        for seed, name, s in davis_maps(davis_limit):
            out.append(Sample("davis", name, seed, s))
    return out


def nn_samples(genuine: list[Sample], every: int = 3) -> list[Sample]:
    out = []
    for sample in genuine[::every]:
        rng = np.random.default_rng(sample.seed + 1000)
        for kind, s in nearest_variants(sample.labels, rng):
            out.append(Sample(sample.family + " nn", kind, sample.seed, s))
    return out


def resampled_samples(genuine: list[Sample], every: int = 1) -> list[Sample]:
    out = []
    for sample in genuine[::every]:
        rng = np.random.default_rng(sample.seed + 2000)
        for kind, s, ref in resampled(sample.labels, rng):
            if changed_into_one(s, ref) >= MIN_CHANGED:
                out.append(Sample(sample.family, kind, sample.seed, s))
    return out
