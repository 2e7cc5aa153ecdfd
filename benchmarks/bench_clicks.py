"""Click-to-segment quality with the interactive-segmentation protocol (NoC), on DAVIS frames.

    python benchmarks/bench_clicks.py [--split all|even|odd] [--limit N] [--half even|odd]
                                      [--jobs 2] [--max-clicks 20] [--set key=value ...]
                                      [--crop] [--box-first MARGIN] [--json out.json] [-v]
                                      [--data DIR]

For every frame of ``/work/shared/data/interactive/davis`` (images/NAME.jpg, masks/NAME.png
with 0 / 255 and 128 = ignore), or of another set laid out the same way (``--data DIR``:
``DIR/images/NAME.{jpg,jpeg,png,bmp,tif,tiff}`` and a lossless ``DIR/masks/NAME.{png,bmp,tif,
tiff,webp}`` of the same size, 0 / 255 with 128 = ignore as the GrabCut set's boundary masks, or
0 / 1; photos without a mask are skipped and counted) a simulated user clicks (:func:`segmix.clicks.next_click`): the
first click is positive at the maximum of the Euclidean distance transform of the object;
after each prediction the next click goes to the pixel farthest from the boundary of the
false-negative or false-positive region (ignored pixels excluded, each region padded by a
one-pixel non-error border), positive in a false negative, negative in a false positive.
Each click is a filled disc of radius 5 px in the scribble labels (a later disc overwrites);
nothing else is given. After every click segmix segments the frame from the labels
(``segmix.segment.segment``, default settings unless ``--set``).

Printed: NoC@85 and NoC@90 (clicks until IoU >= 0.85 / 0.90, at most ``--max-clicks``; a
sample that never gets there counts the maximum), the share of samples that never reach
0.90, the mean IoU after 1, 3, 5 and 10 clicks, the median time per click (one segmentation,
single-threaded Numba in each worker process), and the number of samples that fall back
below 0.90 after first reaching it. ``--split even`` / ``odd`` (alias ``--half``): tune on
the even frames, check on the odd ones.

``--crop`` is a GrabCut-like variant: DAVIS objects cover 7.6 % of their frame on average, the
objects of the GrabCut data set a quarter to a half of their photo. Each frame and its ground
truth are cropped to the object's bounding box (pixels == 255; 128 is ignore) of height h and
width w, widened by m h above and below and m w left and right, with m per frame such that the
object would cover :data:`CROP_SHARE` (35 %) of the widened box, m clamped to
[:data:`CROP_MARGIN_MIN`, :data:`CROP_MARGIN_MAX`] = [0.10, 0.35] (so every object keeps some
background around it), then the box is clamped to the frame (an object touching the frame's
edge touches the crop's). On the 100 frames the object then covers a median 28 % of its crop
(quartiles 20 % and 35 %; sparse objects such as cyclists cannot reach 35 % with a margin).
Frames whose object covers under 0.5 % of the frame, or whose crop is under 120 px on a
side, are skipped (the count is printed). The split and the click simulation are the same.

A photo whose mask cannot be used (another size, colours, a JPEG mask) is named on one line
and left out, and the run then exits with status 1; a folder without images/ and masks/, or
without one usable pair, is one line and status 2.

``--box-first MARGIN`` starts each sample with a box MARGIN px round the object (its outside
marked background, as ``segment --box`` and the window's Rectangle tool; :func:`start_box`), and
the protocol's clicks correct its result: a GrabCut user's session. The box is the first step
of NoC and of the IoU columns.

Frames run in ``--jobs`` worker processes (default 2, each with one Numba thread: the
development machine has two cores). The data are for research use only and never committed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from segmix.clicks import iou, next_click, number_of_clicks, paint_disc  # noqa: E402
from settings_overrides import parse_overrides  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "interactive" / "davis"
IGNORE = 128
THRESHOLDS = (0.85, 0.90)
REPORT_AFTER = (1, 3, 5, 10)
# --crop: the object's share of the widened box aimed at, the margin's bounds (fractions of the
# box's height / width per side), and the skip rules.
CROP_SHARE = 0.35
CROP_MARGIN_MIN, CROP_MARGIN_MAX = 0.10, 0.35
CROP_MIN_OBJECT = 0.005
CROP_MIN_SIDE = 120


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")
MASK_SUFFIXES = (".png", ".bmp", ".tif", ".tiff", ".webp", ".gif")  # a GIF is named as unusable (segmix.labelmaps)


def _by_stem(folder: Path, suffixes) -> dict[str, Path]:
    """{stem: path} of the files in ``folder`` with one of ``suffixes`` (any case)."""
    found = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_file() and path.suffix.lower() in suffixes:
            found.setdefault(path.stem, path)
    return found


def data_problem(data: Path) -> str:
    """One line saying why ``data`` is not a folder of images/ and masks/, or ""."""
    if not data.exists():
        return f"{data}: no such folder"
    if not data.is_dir():
        return f"{data}: exists and is not a folder"
    missing = [sub for sub in ("images", "masks") if not (data / sub).is_dir()]
    if missing:
        return (f"{data}: no {' and no '.join(m + '/' for m in missing)} folder there (photos go in images/, "
                "masks of the same names in masks/)")
    return ""


def unusable_files(data: Path) -> list[str]:
    """One line per mask in ``data / "masks"`` stored lossily (JPEG), which the protocol cannot
    use: its object's boundary is not two values."""
    lossy = sorted(p for p in (data / "masks").iterdir() if p.is_file() and p.suffix.lower() in (".jpg", ".jpeg"))
    return [f"skipped {p}: masks must be stored losslessly (PNG, BMP, TIFF or lossless WebP), not as JPEG" for p in lossy]


def frame_names(split: str, limit: int | None, data: Path = DATA) -> list[str]:
    """The photos of ``data`` that have a mask, sorted by name, then split and limited."""
    masks = _by_stem(data / "masks", MASK_SUFFIXES)
    names = sorted(stem for stem in _by_stem(data / "images", IMAGE_SUFFIXES) if stem in masks)
    if split == "even":
        names = names[0::2]
    elif split == "odd":
        names = names[1::2]
    return names[:limit] if limit else names


def load_frame(name: str, data: Path = DATA) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The frame (H, W, 3) uint8, its object (H, W) bool and its ignore region (H, W) bool.

    Masks hold 0 / 255 with 128 = ignore (segmix's mask loader: lossless, grey, the photo's
    size) or only 0 / 1 (some sets store the object as 1)."""
    from segmix.io import load_image_info
    from segmix.labelmaps import load_mask, read_label_plane, refuse_mask_of_stored_pixels

    image_path = _by_stem(data / "images", IMAGE_SUFFIXES)[name]
    loaded = load_image_info(image_path)
    image = loaded.pixels
    mask_path = _by_stem(data / "masks", MASK_SUFFIXES)[name]
    plane = read_label_plane(mask_path, image.shape[:2], "masks", palette_indices=False, photo=image_path)
    if plane.size and np.isin(np.unique(plane), (0, 1)).all():
        labels = (plane == 1).astype(np.int8)
    else:
        labels = load_mask(mask_path, image.shape[:2], photo=image_path)
    # A mask drawn on a turned photo's stored pixels (a half turn, a mirror, a square photo's
    # quarter turn keep the size): scored misaligned in silence, as skin eval refuses it.
    refuse_mask_of_stored_pixels(mask_path, labels, loaded)
    return image, labels == 1, labels < 0


def crop_box(truth: np.ndarray) -> tuple[tuple[int, int, int, int] | None, str]:
    """The ``--crop`` rule: (top, bottom, left, right) of the crop, or None and why it is skipped.

    The object's bounding box (h x w) widened by ``m h`` / ``m w`` per side, m chosen so the
    object covers :data:`CROP_SHARE` of the widened box, clamped to the margin bounds, then the
    box clamped to the frame.
    """
    area = int(truth.sum())
    if area < CROP_MIN_OBJECT * truth.size:
        return None, f"object {area / truth.size:.2%} of the frame"
    rows, cols = np.flatnonzero(truth.any(axis=1)), np.flatnonzero(truth.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    h, w = bottom - top, right - left
    # (1 + 2m)^2 h w = area / share
    m = (np.sqrt(area / (CROP_SHARE * h * w)) - 1) / 2
    m = float(np.clip(m, CROP_MARGIN_MIN, CROP_MARGIN_MAX))
    dr, dc = int(round(m * h)), int(round(m * w))
    box = (max(0, top - dr), min(truth.shape[0], bottom + dr), max(0, left - dc), min(truth.shape[1], right + dc))
    if min(box[1] - box[0], box[3] - box[2]) < CROP_MIN_SIDE:
        return None, f"crop {box[1] - box[0]} x {box[3] - box[2]} px"
    return box, ""


def _one_thread() -> None:
    """Worker initialiser: one Numba thread per worker process (two cores, two workers)."""
    from segmix.mixture import set_num_threads

    set_num_threads(1)


def boundary_band(truth: np.ndarray, width: float) -> np.ndarray:
    """(H, W) bool: the pixels within ``width`` px (Euclidean) of the other class, on both sides
    of the object's boundary; no pixel when ``width`` is 0."""
    from scipy.ndimage import distance_transform_edt

    if width <= 0 or truth.all() or not truth.any():
        return np.zeros(truth.shape, bool)
    return np.where(truth, distance_transform_edt(truth), distance_transform_edt(~truth)) <= width


def start_box(truth: np.ndarray, margin: int) -> tuple[int, int, int, int] | None:
    """The object's bounding box (pixels of ``truth``) widened by ``margin`` px per side and
    clamped to the frame: (top, bottom, left, right), bottom and right exclusive; None for an
    empty object."""
    rows, cols = np.flatnonzero(truth.any(axis=1)), np.flatnonzero(truth.any(axis=0))
    if rows.size == 0:
        return None
    h, w = truth.shape
    return (max(0, int(rows[0]) - margin), min(h, int(rows[-1]) + 1 + margin),
            max(0, int(cols[0]) - margin), min(w, int(cols[-1]) + 1 + margin))


def run_frame(name: str, overrides: dict, max_clicks: int, box=None, band: float = 0.0, data: Path = DATA,
              box_first: int | None = None) -> dict:
    """Simulate one user on one frame (cropped to ``box``, see :func:`crop_box`; the pixels within
    ``band`` px of the object's boundary ignored, see ``--ignore-band``): IoU and seconds after
    each click, and the clicks. With ``box_first`` (a margin in px) the first interaction is a
    box round the object (:func:`start_box`; its outside marked background, as the window's
    Rectangle tool and ``segment --box``) and the clicks correct its result."""
    from segmix.segment import SegmentationSettings, segment

    image, truth, ignore = load_frame(name, data)
    if box is not None:
        top, bottom, left, right = box
        image = np.ascontiguousarray(image[top:bottom, left:right])
        truth, ignore = truth[top:bottom, left:right], ignore[top:bottom, left:right]
    ignore = ignore | boundary_band(truth, band)
    settings = replace(SegmentationSettings(), **overrides)
    labels = np.zeros(truth.shape, np.uint8)
    prediction = model = None
    ious, seconds, clicks, failures = [], [], [], 0
    first = None if box_first is None else start_box(truth & ~ignore, int(box_first))
    for step in range(max_clicks):
        if first is not None and step == 0:
            top, bottom, left, right = first
            labels[:] = 2
            labels[top:bottom, left:right] = 0
            start = time.perf_counter()
            try:
                result = segment(image, labels, replace(settings))
                prediction, model = result.mask, result.model
            except ValueError:
                prediction = np.zeros(truth.shape, bool)
                failures += 1
            seconds.append(time.perf_counter() - start)
            ious.append(iou(prediction, truth, ignore))
            continue
        click = next_click(truth, prediction, ignore)
        if click is None:  # nothing left to correct: the mask stays perfect
            ious.append(ious[-1] if ious else 1.0)
            continue
        before = labels.copy()
        paint_disc(labels, click.row, click.col, click.label)
        clicks.append((click.row, click.col, click.positive))
        start = time.perf_counter()
        try:
            # The tool's own previous result and the marks it had are its state, not extra
            # input from the user; the window passes them too (the one-signed step and its
            # guards read which marks the step added; without them they infer it from the
            # marks that contradict the previous mask: the same figures, session 32).
            result = segment(image, labels, replace(settings), previous_mask=prediction, previous_model=model,
                             previous_scribbles=None if prediction is None else before)
            prediction, model = result.mask, result.model
        except ValueError:  # e.g. a version that needs both classes: nothing segmented
            prediction = np.zeros(truth.shape, bool)
            failures += 1
        seconds.append(time.perf_counter() - start)
        ious.append(iou(prediction, truth, ignore))
    return {"name": name, "iou": ious, "seconds": seconds, "clicks": clicks, "errors": failures,
            "box": None if box is None else [int(v) for v in box],
            "start_box": None if first is None else [int(v) for v in first]}


def summarise(results: list[dict], max_clicks: int) -> dict:
    """The protocol's figures from per-frame IoU curves."""
    curves = np.array([r["iou"] for r in results])  # (n, max_clicks)
    out = {"samples": len(results)}
    for t in THRESHOLDS:
        out[f"NoC@{round(t * 100)}"] = float(np.mean([number_of_clicks(c, t, max_clicks) for c in curves]))
    out["fail@90"] = float(np.mean(curves.max(axis=1) < 0.90))
    for k in REPORT_AFTER:
        if k <= max_clicks:
            out[f"mIoU@{k}"] = float(curves[:, k - 1].mean())
    drops = 0
    for c in curves:
        reached = np.flatnonzero(c >= 0.90)
        if reached.size and (c[reached[0]:] < 0.90).any():
            drops += 1
    out["drop_back@90"] = drops
    times = [s for r in results for s in r["seconds"]]
    out["median_s_per_click"] = float(statistics.median(times)) if times else float("nan")
    out["segment_errors"] = int(sum(r["errors"] for r in results))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", "--half", choices=("all", "even", "odd"), default="all")
    parser.add_argument("--limit", type=int, default=None, help="only the first N frames of the split")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--max-clicks", type=int, default=20)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a SegmentationSettings field (repeatable)")
    parser.add_argument("--crop", action="store_true",
                        help="GrabCut-like variant: each frame cropped around its object (bounding box "
                             "widened so the object covers about 35 %% of the crop, margin 0.10-0.35 of the "
                             "box per side, clamped to the frame); frames whose object is under 0.5 %% of "
                             "the frame or whose crop is under 120 px on a side are skipped")
    parser.add_argument("--ignore-band", type=float, default=0.0, metavar="PX",
                        help="also ignore every pixel within PX px of the object's boundary, in the "
                             "clicks and in IoU, as ground truths with an unknown band (128) along "
                             "the boundary do (the GrabCut data set's); default 0")
    parser.add_argument("--box-first", type=int, default=None, metavar="MARGIN",
                        help="start each sample with a box MARGIN px round the object (its outside marked "
                             "background, as segment --box), then the protocol's clicks: the box counts as "
                             "the first interaction in NoC and the IoU columns")
    parser.add_argument("--data", type=Path, default=DATA,
                        help="a folder with images/ and masks/ matched by name (default: the DAVIS frames)")
    parser.add_argument("--seeds", default=None, metavar="S1,S2,...",
                        help="run every frame once per k-means seed (random_state) and print each seed's "
                             "summary and their mean and range: one seed's NoC@90 moves by 0.1-0.25 clicks "
                             "with the seed alone (session 36), as much as many a variant measured against it")
    parser.add_argument("--json", help="write per-frame curves and the summary here")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per frame")
    args = parser.parse_args()
    if args.box_first is not None and args.box_first < 0:
        print(f"--box-first {args.box_first}: give a margin of 0 px or more (a box inside the object "
              "would mark part of it background)", file=sys.stderr)
        sys.exit(2)
    problem = data_problem(args.data)
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(2)
    overrides = parse_overrides(args.set)
    try:
        seeds = None if args.seeds is None else [int(v) for v in args.seeds.split(",")]
    except ValueError:
        seeds = []
    if seeds is not None and (not seeds or min(seeds) < 0 or "random_state" in overrides):
        print(f"--seeds {args.seeds}: give whole numbers >= 0 separated by commas, without --set random_state",
              file=sys.stderr)
        sys.exit(2)
    lossy_lines = unusable_files(args.data)
    for line in lossy_lines:
        print(line)
    names, unusable = [], 0
    for name in frame_names(args.split, args.limit, args.data):
        try:  # read once here: a bad pair is one line and left out, not a worker's traceback
            load_frame(name, args.data)
            names.append(name)
        except ValueError as exc:  # segmix.io.ImageLoadError (names the file), a size mismatch
            print(f"skipped {name}: {exc}")
            unusable += 1
    if not names:
        print(f"{args.data}: no usable photo with a mask of its name in masks/"
              f"{f' ({unusable} unusable, above)' if unusable else ''}", file=sys.stderr)
        sys.exit(2)
    lossy = {Path(line.split(": ")[0].removeprefix("skipped ")).stem for line in lossy_lines}
    photos = _by_stem(args.data / "images", IMAGE_SUFFIXES)
    unmatched = sorted(set(photos) - set(frame_names("all", None, args.data)) - lossy)
    if unmatched:
        shown = ", ".join(photos[stem].name for stem in unmatched[:5]) + (", ..." if len(unmatched) > 5 else "")
        print(f"{len(unmatched)} photo(s) in {args.data / 'images'} have no mask and are skipped: {shown}")
    boxes, skipped = {name: None for name in names}, []
    if args.crop:
        for name in names:
            boxes[name], why = crop_box(load_frame(name, args.data)[1])
            if boxes[name] is None:
                skipped.append(f"{name} ({why})")
        names = [name for name in names if boxes[name] is not None]
    start = time.perf_counter()
    results = []
    # Spawned, not forked: a fork copies the caller's locks as they are, and a caller with
    # threads (the test suite's process, after the window's tests and Numba's pool) once left
    # a worker blocked for good in its first allocation (a land check hung at 13 %).
    with ProcessPoolExecutor(max_workers=max(1, args.jobs), initializer=_one_thread,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = [(seed, dict(overrides, random_state=seed) if seed is not None else overrides)
                for seed in (seeds or [None])]
        futures = [(seed, pool.submit(run_frame, name, settings, args.max_clicks, boxes[name], args.ignore_band,
                                      args.data, args.box_first))
                   for seed, settings in runs for name in names]
        for seed, future in futures:
            r = future.result()
            r["seed"] = seed
            results.append(r)
            if args.verbose:
                c = np.asarray(r["iou"])
                after = sorted({1, min(5, len(c)), len(c)})  # clicks actually run (--max-clicks)
                print(f"{r['name']}{'' if seed is None else f' (seed {seed})'}: NoC@90 "
                      f"{number_of_clicks(c, 0.9, args.max_clicks):2d}  IoU after "
                      f"{'/'.join(map(str, after))} " + " ".join(f"{c[k - 1]:.3f}" for k in after), flush=True)
    per_seed = {seed: summarise([r for r in results if r["seed"] == seed], args.max_clicks) for seed in seeds or []}
    summary = summarise(results, args.max_clicks) if not seeds else {
        key: float(np.mean([s[key] for s in per_seed.values()])) for key in next(iter(per_seed.values()))}
    wall = time.perf_counter() - start
    if args.crop:
        print(f"cropped around the object; skipped {len(skipped)}: {', '.join(skipped) or 'none'}")
    band = f", band {args.ignore_band:g} px ignored" if args.ignore_band else ""
    if args.box_first is not None:
        band += f", a box {args.box_first} px round the object first"
    where = "" if args.data == DATA else f" of {args.data}"
    print(f"{len(names)} frames{where} ({args.split}{', cropped' if args.crop else ''}{band}), max {args.max_clicks} clicks, overrides {overrides or 'none'}, "
          f"{args.jobs} jobs, {wall:.0f} s wall, load {os.getloadavg()[0]:.1f}")
    for seed, seed_summary in per_seed.items():
        print(f"seed {seed}: " + "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                          for k, v in seed_summary.items()))
    if per_seed:
        print(f"mean over the {len(per_seed)} seeds (range in brackets):")
        print("  ".join(f"{k} {v:.3f} [{min(s[k] for s in per_seed.values()):.3f}-"
                        f"{max(s[k] for s in per_seed.values()):.3f}]" for k, v in summary.items()))
    else:
        print("  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in summary.items()))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "per_seed": {str(k): v for k, v in per_seed.items()},
                                                "overrides": overrides, "crop": args.crop,
                                                "ignore_band": args.ignore_band, "box_first": args.box_first,
                                                "skipped": skipped, "frames": results}))
    if unusable or lossy_lines:
        sys.exit(1)  # as segmix skin eval: the usable pairs scored, the others named above


if __name__ == "__main__":
    main()
