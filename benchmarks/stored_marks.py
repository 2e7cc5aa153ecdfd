"""False alarms and finds of the stored-pixels marks rule (segmix.labelmaps.stored_marks_words).

    python benchmarks/stored_marks.py [--data DIR]

Every DAVIS frame (images/NAME.jpg, masks/NAME.png) is taken as the upright photo of a file
whose EXIF tag is each of 2-8 in turn (a centred square crop for the quarter turns 5-8, where
only a square keeps its size). Marks are simulated on the upright frame from the ground truth:
three click discs a class (radius 5, the first at the distance transform's maximum) and
strokes through random interior points (3 strokes 3 px wide, 2 of 11 px, 1 of 21 px), each
class's kept 3 px and more from the object's edge. The correct marks are judged as given; the
marks of the stored pixels are the same marks turned back by the tag (what a tool that reads
the photo without its tag draws). Printed per half (even frames: the thresholds were set
there; odd: the check) and kind: correct marks warned about (false alarms) and stored-pixel
marks found, among those judged (MARKS_MIN_PIXELS a class). Single-threaded, about 6 min.

Session 47: even 6 / 1004 false alarms, 244 / 1004 found; odd 6 / 986, 238 / 986.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from segmix.labelmaps import _TRANSPOSE_OF, marks_look_stored, stored_marks_evidence

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "interactive" / "davis"
#: The turn back from the shown photo to its stored pixels, for each EXIF tag.
INVERSE = {2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}


def turn(array: np.ndarray, orientation: int) -> np.ndarray:
    return np.asarray(Image.fromarray(array).transpose(_TRANSPOSE_OF[orientation]))


def _disc(labels, row, col, value, radius=5):
    yy, xx = np.ogrid[:labels.shape[0], :labels.shape[1]]
    labels[(yy - row) ** 2 + (xx - col) ** 2 <= radius * radius] = value


def clicks(truth, rng, count):
    labels = np.zeros(truth.shape, np.uint8)
    for value, region in ((1, truth), (2, ~truth)):
        depth = ndi.distance_transform_edt(np.pad(region, 1))[1:-1, 1:-1]
        _disc(labels, *np.unravel_index(np.argmax(depth), depth.shape), value)
        deep = np.argwhere(depth > 8)
        for i in rng.choice(len(deep), size=min(count - 1, len(deep)), replace=False) if len(deep) else []:
            _disc(labels, *deep[i], value)
    return labels


def strokes(truth, rng, count, width):
    labels = np.zeros(truth.shape, np.uint8)
    for value, region in ((1, truth), (2, ~truth)):
        depth = ndi.distance_transform_edt(np.pad(region, 1))[1:-1, 1:-1]
        inner = np.argwhere(depth > 6 + width)
        if len(inner) < 2:
            continue
        points = inner[rng.choice(len(inner), size=count + 1, replace=False)]
        for a, b in zip(points[:-1], points[1:]):
            t = np.linspace(0, 1, int(np.hypot(*(b - a))) + 2)
            line = np.zeros(truth.shape, bool)
            line[np.round(a[0] + t * (b[0] - a[0])).astype(int), np.round(a[1] + t * (b[1] - a[1])).astype(int)] = True
            labels[(ndi.distance_transform_edt(~line) <= width) & (depth > 3) & (labels == 0)] = value
    return labels


def cases(data: Path, parity: int):
    rng = np.random.default_rng(1 + parity)
    kinds = (("clicks3", lambda t: clicks(t, rng, 3)), ("strokes3w1", lambda t: strokes(t, rng, 3, 1)),
             ("strokes2w5", lambda t: strokes(t, rng, 2, 5)), ("strokes1w10", lambda t: strokes(t, rng, 1, 10)))
    for name in sorted((data / "images").glob("*.jpg"))[parity::2]:
        image = np.asarray(Image.open(name).convert("RGB"))
        truth = np.asarray(Image.open(data / "masks" / f"{name.stem}.png")) == 255
        for orientation in range(2, 9):
            pixels, obj = image, truth
            if orientation >= 5:
                h, w = truth.shape
                cols = np.flatnonzero(truth.any(axis=0))
                middle = int(cols.mean()) if len(cols) else w // 2
                x0 = int(np.clip(middle - h // 2, 0, w - h))
                pixels, obj = image[:, x0:x0 + h], truth[:, x0:x0 + h]
            if obj.sum() < 200 or (~obj).sum() < 200:
                continue
            for kind, make in kinds:
                labels = make(obj)
                if (labels == 1).any() and (labels == 2).any():
                    yield kind, orientation, np.ascontiguousarray(pixels), labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    for parity, half in ((0, "even"), (1, "odd")):
        judged, alarms, found = collections.Counter(), collections.Counter(), collections.Counter()
        for kind, orientation, pixels, upright in cases(args.data, parity):
            correct = stored_marks_evidence(pixels, upright, orientation)
            if correct is None:
                continue
            judged[kind] += 1
            alarms[kind] += marks_look_stored(correct)
            stored = stored_marks_evidence(pixels, turn(upright, INVERSE[orientation]), orientation)
            found[kind] += stored is not None and marks_look_stored(stored)
        print(f"{half}: false alarms {sum(alarms.values())} / {sum(judged.values())}, found "
              f"{sum(found.values())} / {sum(judged.values())}; "
              + ", ".join(f"{k} {alarms[k]} / {found[k]} of {judged[k]}" for k in sorted(judged)))


if __name__ == "__main__":
    main()
