"""Command line: ``segmix [IMAGE]``, ``segmix quantize``, ``segmix segment``, ``segmix skin ...``.

Every sub-command parses its arguments here, calls the library, prints and exits. User
mistakes (bad files, bad parameters) become one line on stderr and exit status 2, never a
traceback; see :data:`EXIT_STATUSES` for the whole rule.
"""

from __future__ import annotations

import atexit
import argparse
import contextlib
import math
import os
import re
import sys
import warnings

from segmix import __version__


#: The exit statuses of every sub-command (README "Command line" states the same rule).
EXIT_STATUSES = {
    0: "every input was done",
    1: "some inputs failed, one line each, while others were written or scored (batch commands: skin apply, "
       "background; skin eval's photo / mask pairs); or the report to standard output could not be written "
       "(`> /dev/full`) while the files were",
    2: "bad usage or bad parameter, or no usable input at all (missing, empty or every input unreadable): "
       "nothing written",
    129: "hung up (SIGHUP: the terminal or ssh session closed); as SIGTERM",
    130: "interrupted (Ctrl+C)",
    143: "terminated (SIGTERM: kill, timeout, a service manager); as Ctrl+C, nothing half-written is left",
}
# A closed standard output or error (`segmix ... | head -1`) is not in the table: it changes
# no status. The run goes on without printing and exits with the status of its work
# (segmix.cli_streams), so that no file is lost to a pager closed early.


class UserError(Exception):
    """A mistake of the user's (bad file, bad parameter): reported as one line."""


def _refuse_unmatched(images, masks, unmatched, skip: bool, pairs=(), command: str = "skin eval",
                      max_pixels: int | None = None) -> None:
    """Stop ``skin eval`` / ``skin train`` (exit 2) when photos of ``images`` have no mask in
    ``masks``, unless ``--skip-unmatched`` says to leave them out: a warning and exit 0 let a
    script score 1 of 4 photos as if it were the folder (a new user's trial). Every other
    pair's problem is said in the same run, before the refusal, in the words the run with
    ``--skip-unmatched`` uses (:func:`_pair_problems`): a trial (57) fixed the missing mask,
    reran, and was stopped only then by a wrong-size mask; another (58) saw the size and the
    missing mask, and the 0/1, JPEG and inverted masks only on the next run."""
    if not unmatched or skip:
        return
    from segmix import skin

    for kind, line in _pair_problems(pairs, command, max_pixels):
        print(f"segmix {command}: {kind}: {line}", file=sys.stderr)
    words = skin.unmatched_warning(images, masks, unmatched)
    for tail in (" and are left out", " and is left out"):
        words = words.replace(tail, "", 1)
    raise UserError(f"{words}: give each photo its mask, or --skip-unmatched to leave such photos out")


def _pair_problems(pairs, command: str, max_pixels: int | None = None) -> list[tuple[str, str]]:
    """("error", line) for each pair of ``pairs`` that cannot be used (segmix.skin.pair_failure:
    the words of the run that uses the others) and ("warning", line) for each mask that looks
    inverted (segmix.skin.inverted_photo_words); alike lines folded with their count. Reads
    every pair (as the run it precedes would)."""
    import warnings

    from segmix import skin
    from segmix.features import rgb_codes
    from segmix.repeated_lines import fold_repeated

    failures, inverted = [], []
    for pair in pairs:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the run said a photo's reading notes; this is a look
                loaded, labels = skin.read_pair_info(pair, skin.DEFAULT_MAX_PIXELS if max_pixels is None else max_pixels)
        except skin.PAIR_ERRORS as exc:
            failures.append(command_line_words(skin.pair_failure(exc, pair, pairs), command))
            continue
        keep = labels >= 0
        if loaded.pixels.ndim == 3 and (labels == 1).any() and (labels[keep] == 0).any():
            codes = rgb_codes(skin.skin_pixels(loaded)[keep].reshape(-1, 3))
            words = skin.inverted_photo_words(codes, labels[keep] == 1)
            if words:
                inverted.append(f"{pair[1]}: {words}")
    return [("error", line) for line in fold_repeated(failures)] + [("warning", line) for line in inverted]


def _number(text: str, kind: type, what: str):
    """``text`` as ``kind`` (int or float), or argparse's refusal in words ("must be ...")."""
    try:
        value = kind(text)
    except ValueError:
        # A decimal comma (a German or French user's 0,01) is said as such: "must be a number
        # in [0, 1], got '0,01'" left them to guess what was wrong with their number.
        comma = kind is float and text.count(",") == 1 and _is_float(text.replace(",", "."))
        hint = f" (with a decimal point, not a comma: {text.replace(',', '.')})" if comma else ""
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}{hint}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
    return value


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def integer(text: str) -> int:
    """argparse type: any integer."""
    return _number(text, int, "an integer")


def _bounded(kind: type, what: str, accept, doc: str):
    """An argparse type: ``kind`` parsed from the text and refused unless ``accept(value)``."""
    def parse(text: str):
        value = _number(text, kind, what)
        if not accept(value):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
        return value

    parse.__doc__ = f"argparse type: {doc}."
    return parse


positive_int = _bounded(int, "a positive integer", lambda v: v >= 1, "an integer >= 1")
non_negative_int = _bounded(int, "an integer >= 0", lambda v: v >= 0, "an integer >= 0")
# Weights and thresholds of the models' energies: far beyond any useful value (1e6 nats per
# pixel decide everything), while 1e300 overflowed float32 arithmetic into warnings and a
# mask of NaN decisions (--distance-prior) or EM's covariance message (--position-weight).
MAX_WEIGHT = 1e6
weight = _bounded(float, f"a number from 0 to {MAX_WEIGHT:g}", lambda v: 0 <= v <= MAX_WEIGHT,
                  f"a weight, 0 .. {MAX_WEIGHT:g}")
positive_weight = _bounded(float, f"a number > 0 and at most {MAX_WEIGHT:g}", lambda v: 0 < v <= MAX_WEIGHT,
                           f"a weight, > 0 and <= {MAX_WEIGHT:g}")
# The skin detector's chroma low-pass for blocky JPEGs (skin_detect.MAX_DEBLOCK, not imported
# here: the CLI must start without the detector's imports).
MAX_DEBLOCK = 16.0
deblock_sigma = _bounded(float, f"a number of pixels from 0 to {MAX_DEBLOCK:g}", lambda v: 0 <= v <= MAX_DEBLOCK,
                         f"pixels, 0 .. {MAX_DEBLOCK:g}")
luma_level = _bounded(float, "a luma level from 0 to 255", lambda v: 0.0 <= v <= 255.0, "a luma level, 0 .. 255")
unit_float = _bounded(float, "a number in [0, 1]", lambda v: 0.0 <= v <= 1.0, "a number in [0, 1]")
open_unit_float = _bounded(float, "a number strictly between 0 and 1", lambda v: 0.0 < v < 1.0,
                           "a number strictly between 0 and 1 (a prior probability)")
# Components of a colour mixture: 256 is far more than any scribble set or skin data set
# supports, while 100,000 ran EM for minutes with no message (skin train; segment alike).
MAX_COMPONENTS = 256
mixture_components = _bounded(int, f"an integer from 1 to {MAX_COMPONENTS}", lambda v: 1 <= v <= MAX_COMPONENTS,
                              f"a number of mixture components, 1-{MAX_COMPONENTS}")
# skin train --relevance (segmix.skin_init): pixels; 1e12 is more than any photo set holds.
MAX_RELEVANCE = 1e12
relevance_pixels = _bounded(float, f"a number of pixels > 0 and at most {MAX_RELEVANCE:g}",
                            lambda v: 0 < v <= MAX_RELEVANCE, f"pixels, > 0 and <= {MAX_RELEVANCE:g}")
# segmix.background's range (K Gaussians per pixel), refused by the option's name.
pixel_components = _bounded(int, "an integer from 1 to 16", lambda v: 1 <= v <= 16,
                            "Gaussians per pixel, 1-16")
# segmix.background's ranges (BackgroundMixture), refused by the option's name when parsed:
# the model's own refusal named its parameter (median_size), which no option is called.
MAX_MATCH_THRESHOLD = 100.0
match_threshold = _bounded(float, f"a number > 0 and at most {MAX_MATCH_THRESHOLD:g}",
                           lambda v: 0 < v <= MAX_MATCH_THRESHOLD, f"standard deviations, > 0 and <= {MAX_MATCH_THRESHOLD:g}")
shadow_threshold = _bounded(float, "a number strictly between 0 and 1", lambda v: 0.0 < v < 1.0,
                            "a share of the background's brightness, strictly between 0 and 1")
median_size = _bounded(int, "0 (off), 1 or an odd integer from 3 to 63",
                       lambda v: v in (0, 1) or (v % 2 == 1 and 3 <= v <= 63), "a majority filter's side: 0, 1, 3, 5, ... 63")


# A number as detectors write them (90.5, 2.4e2); NaN, infinity and Python's "1_000" are not.
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _numbers(text: str, count: int, what: str) -> tuple[float, ...]:
    """``count`` comma-separated finite numbers (integers or decimals), or argparse's refusal
    naming ``what``."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != count or not all(_DECIMAL.fullmatch(part) for part in parts):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    values = tuple(float(part) for part in parts)
    if not all(math.isfinite(value) for value in values):  # 1e999
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return values


class Coordinate(int):
    """A click's pixel (an int) that prints as the user typed it: ``--click 853.5,300`` refused
    on an 854-px photo was quoted as ``--click 854,300``, which the user did not type.
    ``value`` is the number given (the photo's size decides its pixel at its far edge:
    :func:`segmix.point_marks.click_pixel`)."""

    def __new__(cls, pixel: int, typed: str, value: float):
        coordinate = super().__new__(cls, pixel)
        coordinate.typed, coordinate.value = typed, value
        return coordinate

    def __str__(self) -> str:
        return self.typed

    def __format__(self, spec: str) -> str:
        return self.typed if not spec else format(int(self), spec)


def point(text: str) -> tuple[int, int]:
    """argparse type: a pixel ``X,Y`` (column, row; numbers from -0.5, a decimal going to the
    nearest pixel, as a detector's keypoint gives), as two :class:`Coordinate`."""
    values = _numbers(text, 2, "X,Y: a pixel's column and row, numbers from 0 (e.g. 320,200; decimals go to the "
                               "nearest pixel)")
    if min(values) < -0.5:
        raise argparse.ArgumentTypeError(f"must be X,Y with X and Y >= -0.5 (from the top-left corner; a decimal goes "
                                         f"to the nearest pixel), got {text!r}")
    typed = [part.strip() for part in text.split(",")]
    return tuple(Coordinate(max(0, int(math.floor(v + 0.5))), t, v) for v, t in zip(values, typed))


def box(text: str) -> tuple[int, int, int, int]:
    """argparse type: a box ``LEFT,TOP,RIGHT,BOTTOM`` in pixels (right and bottom exclusive).
    Decimals, as detectors give, are rounded outward (floor left / top, ceil right / bottom), so
    the box holds every pixel the detector's box touches."""
    values = _numbers(text, 4, "LEFT,TOP,RIGHT,BOTTOM: four numbers in pixels "
                               "(e.g. 100,50,400,380; decimals are rounded outward)")
    left, top = (math.floor(v) for v in values[:2])
    right, bottom = (math.ceil(v) for v in values[2:])
    from segmix.point_marks import looks_normalised

    if looks_normalised(values):
        # Refused once the photo's size gives its pixels (_refuse_normalised): a YOLO box
        # 0.39,0.51,0.34,0.69 was refused here as "corners the other way round? give 0,0,1,1".
        return _Box((left, top, right, bottom), values)
    if values[2] <= values[0] or values[3] <= values[1]:
        from segmix.point_marks import box_words  # the library warns of such a box in the same words

        readings = box_words(values)
        hint = f" ({readings})" if readings else ""
        raise argparse.ArgumentTypeError(f"must be LEFT,TOP,RIGHT,BOTTOM with RIGHT > LEFT and BOTTOM > TOP, "
                                         f"got {text!r}{hint}")
    return _Box((left, top, right, bottom), values)


class _Box(tuple):
    """``--box`` as four whole pixels, with the numbers as given (``values``)."""

    def __new__(cls, pixels, values):
        made = super().__new__(cls, pixels)
        made.values = tuple(values)
        return made


def _refuse_normalised(args, width: int, height: int) -> None:
    """Refuse ``--box`` / clicks whose coordinates look normalised to 0..1 (YOLO, the TF Object
    Detection API, MediaPipe), giving their pixels on this photo: ``--click 0.49,0.52`` marked
    pixel 0,1 ("0.2% foreground", no word) and ``--box 0.22,0.17,0.56,0.85`` was rounded out to
    a 1-pixel box (segmix.point_marks.normalised_words, the library's words)."""
    from segmix.point_marks import looks_normalised, normalised_words

    given = [("--box", getattr(args.box, "values", args.box))] if args.box is not None else []
    given += [(option, (getattr(x, "value", x), getattr(y, "value", y))) for _, x, y, option in args.clicks or ()]
    for option, values in given:
        if looks_normalised(values):
            typed = ",".join(f"{float(v):g}" for v in values)
            raise UserError(f"{option} {typed}: " + normalised_words(
                values, width, height, lambda v, option=option: f"{option} {','.join(v)}"))


def _box_as_given(box) -> str:
    """``--box`` as typed, and the whole pixels it was rounded out to when they differ: the notes
    echoed a decimal box rounded outward (0,33.4,... as 0,33,...) without saying so."""
    values = getattr(box, "values", None)
    pixels = ",".join(map(str, box))
    if values is None:
        return pixels
    typed = ",".join(f"{float(v):g}" for v in values)
    return typed if all(float(v) == p for v, p in zip(values, box)) else f"{typed} (whole pixels {pixels})"


def _say_box_clipped(box, width: int, height: int, image=None) -> None:
    """Warn that ``--box`` runs past the photo's edges with over a quarter of its area, and that
    its part on the photo is used. A detector's box may reach a little past an edge, and is
    clipped in silence; one mostly off the photo, as a wrong photo's or a COCO box read as corners
    (the hint of :func:`box` gives corners that can run past the edge) would be, was clipped in
    silence too."""
    from segmix.point_marks import box_clipped_words  # the library's words (add_point_marks warns them)

    words = box_clipped_words(box, (height, width))
    if words:
        from segmix.labelmaps import turned_photo_words

        # A box of a turned photo's stored pixels runs off the upright photo: say the turn (a re-check)
        left, top, right, bottom = box
        fits_stored = image is not None and max(left, right) <= height and max(top, bottom) <= width
        turned = turned_photo_words(image, width, height) if fits_stored else ""
        print(f"segmix segment: warning: --box {_box_as_given(box)} {words}{turned}", file=sys.stderr)


def _say_box_framed(box, width: int, height: int) -> None:
    """Note that ``--box`` touching three of the photo's edges is read as a box a pixel in from one
    (:func:`segmix.point_marks.framed_box`; it was refused)."""
    from segmix.point_marks import framed_box, framed_box_words

    left, top, right, bottom = box
    clipped = (max(min(top, bottom), 0), max(min(left, right), 0), min(max(top, bottom), height),
               min(max(left, right), width))
    edge = framed_box(clipped, (height, width))[1]
    if edge is not None:
        print(f"segmix segment: note: --box {_box_as_given(box)} {framed_box_words(edge)}", file=sys.stderr)


class _AppendClick(argparse.Action):
    """``--click`` and ``--background-click`` into one list of (label, x, y, option), in the
    order given on the command line (the window fits clicks in the order they are made)."""

    def __call__(self, parser, namespace, values, option_string=None):
        clicks = list(getattr(namespace, self.dest, None) or [])
        clicks.append((self.const, values[0], values[1], option_string))
        setattr(namespace, self.dest, clicks)


# NumPy's generators take seeds >= 0; a negative one failed with NumPy's own words
# ("expected non-negative integer", no option named), skin train after reading every photo.
random_seed = _bounded(int, "an integer >= 0", lambda v: v >= 0, "a random seed, an integer >= 0")
# segmix.quantize's range; refused when parsed, by the option's name, not after the photo is read.
palette_size = _bounded(int, "an integer from 1 to 65536", lambda v: 1 <= v <= 65536, "a palette size, 1-65536")
#: ``segmix quantize``'s JPEG quality without --quality: Pillow's default. It used to be 95,
#: which wrote a quantised photo larger than its JPEG input (a new-user trial).
JPEG_QUANTIZE_QUALITY = 75
# Pillow's JPEG / WebP quality scale; above 95 Pillow's own documentation advises against.
image_quality = _bounded(int, "an integer from 1 to 95", lambda v: 1 <= v <= 95, "a JPEG / WebP quality, 1-95")
area_share = _bounded(float, "a number in [0, 1)", lambda v: 0.0 <= v < 1.0, "a share of the photo in [0, 1)")
# The diagonal of the skin graph cut's grid in pixels (skin --cut-diagonal): 0 = full
# resolution; 1e6 px is no photo. Below MIN_CUT_DIAGONAL (skin_detect's, not imported here:
# the CLI must start without the detector's imports) the grid is a handful of blocks, the
# whole photo one block at 1: a new user's --cut-diagonal 1 was taken in silence.
MIN_CUT_DIAGONAL = 20.0
pixels = _bounded(float, f"0 (the exact cut) or a number of pixels from {MIN_CUT_DIAGONAL:g} to 1e6",
                  lambda v: v == 0.0 or MIN_CUT_DIAGONAL <= v <= 1e6, f"pixels, 0 or {MIN_CUT_DIAGONAL:g} .. 1e6")
#: --max-megapixels' ceiling: 10 gigapixels are 30 GB of RGB before any work.
MAX_MEGAPIXELS = 10_000
megapixels = _bounded(float, f"a number of megapixels > 0 and at most {MAX_MEGAPIXELS:,}",
                      lambda v: 0 < v <= MAX_MEGAPIXELS, f"megapixels, > 0 and <= {MAX_MEGAPIXELS:,}")


#: Workers (threads or processes) per core that ``--workers`` / ``--n-workers`` may ask for:
#: a trial's ``--n-workers 1000`` would start 1000 processes on 2 cores.
WORKERS_PER_CORE = 4


def worker_count(text: str) -> int:
    """argparse type: workers, an integer from 1 to WORKERS_PER_CORE x the machine's cores."""
    import os

    cores = os.cpu_count() or 1
    most = WORKERS_PER_CORE * cores
    return _bounded(int, f"an integer from 1 to {most} ({WORKERS_PER_CORE} per core of this machine's {cores})",
                    lambda v: 1 <= v <= most, "")(text)


def _add_max_megapixels(parser) -> None:
    """``--max-megapixels N``: the largest photo a command reads (segmix.io's pixel limit, a
    guard against decompression bombs); the only way to read a larger trusted photo from the
    command line (the refusal named a Python call, segmix.io.load_image(path, max_pixels=...))."""
    from segmix.io import DEFAULT_MAX_PIXELS

    parser.add_argument("--max-megapixels", type=megapixels, default=None, metavar="N",
                        help=f"read photos of up to N megapixels (default {DEFAULT_MAX_PIXELS / 1e6:g}, a guard "
                             "against decompression bombs: raise it for a trusted larger photo)")


def _add_overwrite(parser, files: str = "an existing output file", after: str = "") -> None:
    """``--overwrite``: replace ``files`` (words) that the command did not write
    (segmix.own_outputs); ``after`` ends the help (what it does not lift)."""
    parser.add_argument("--overwrite", action="store_true",
                        help=f"replace {files} that this command did not write (default off: such a file is "
                             "refused; a file it wrote carries its mark, or is of the kind it writes, and is "
                             f"replaced anyway; the inputs never are{after})")


def _add_quiet(parser) -> None:
    """``--quiet`` of the one-photo commands: every command that works on files takes it (a
    script's `segmix segment ... --quiet`, as its `skin apply ... --quiet`, was refused
    "unrecognized arguments"). It silences the notes of how long the work takes and what the
    photo holds; what decides the result (settings taken from a marks file, marks drawn on
    another photo), warnings and errors are still said."""
    parser.add_argument("--quiet", action="store_true",
                        help="no notes of how long the work takes or what the photo holds (errors, warnings and "
                             "the settings used are still printed)")


def _max_pixels(args: argparse.Namespace) -> int:
    """The pixel limit ``--max-megapixels`` gives (segmix.io's default without it)."""
    from segmix.io import DEFAULT_MAX_PIXELS

    given = getattr(args, "max_megapixels", None)
    return DEFAULT_MAX_PIXELS if given is None else max(1, round(given * 1e6))


#: What to do instead of repeating an option that takes one value, by (command, option's dest),
#: where "give it once" is no answer: skin eval scores one folder pair a run (session 51: a
#: nested folder's subfolders given by name, as its hint said then, were refused so).
_REPEAT_ADVICE = dict.fromkeys(
    (("segmix skin eval", "images"), ("segmix skin eval", "masks")),
    "skin eval scores one --images / --masks pair a run: run it once per pair, or put the photos in one folder "
    "and the masks in another to score them together")
# Two boxes were refused with "give it once", not a word of how to cut out two objects (a trial).
_REPEAT_ADVICE[("segmix segment", "box")] = (
    "segment takes one box a run: for two objects, draw one box round both, or run segment once per box "
    "(-o a mask each) and combine the masks")


def _refuse_conflicting_repeat(action: argparse.Action, namespace, values, option_string, prog: str = "") -> None:
    """Refuse one option given twice with different values (``-k 3 --components 4``,
    ``--adapt --no-adapt``): argparse keeps the last silently, and which one the user meant
    is a guess. The same value twice is no conflict and passes. ``prog``: the parser's
    (``segmix skin eval``), for :data:`_REPEAT_ADVICE`."""
    given = namespace.__dict__.setdefault("_given_options", {})
    if action.dest in given and given[action.dest][1] != values:
        first, before = given[action.dest]
        def shown(option, value):
            if value in (None, [], "") or isinstance(value, bool):
                return option
            if isinstance(value, tuple):  # a box or a click, as typed (it read "--box (1, 1, 30, 30)")
                return f"{option} {','.join(map(str, value))}"
            return f"{option} {' '.join(map(str, value)) if isinstance(value, list) else value}"
        raise argparse.ArgumentError(action, f"given twice with different values ({shown(first, before)}, then "
                                             f"{shown(option_string, values)}); "
                                             f"{_REPEAT_ADVICE.get((prog, action.dest), 'give it once')}")
    given[action.dest] = (option_string, values)


#: Options whose empty value means something (``--distributed`` alone: a local cluster).
_EMPTY_ALLOWED = ("distributed",)


def _refuse_empty(action: argparse.Action, values) -> None:
    """Refuse an empty file or folder name: ``--output-dir "$OUT"`` with OUT unset wrote the
    masks into the current folder, and an empty photo name read as the folder "."."""
    if action.dest in _EMPTY_ALLOWED:
        return
    if values == "" or (isinstance(values, list) and "" in values):
        raise argparse.ArgumentError(action, "is empty (an unset shell variable?); give a file or folder name")


class _StoreOnce(argparse._StoreAction):
    """``store`` that refuses a conflicting repeat (:func:`_refuse_conflicting_repeat`) and an
    empty value (:func:`_refuse_empty`)."""

    def __call__(self, parser, namespace, values, option_string=None):
        _refuse_empty(self, values)
        _refuse_conflicting_repeat(self, namespace, values, option_string, parser.prog)
        super().__call__(parser, namespace, values, option_string)


class _AppendChecked(argparse._AppendAction):
    """``append`` (``--images DIR`` repeatable) that refuses an empty value."""

    def __call__(self, parser, namespace, values, option_string=None):
        _refuse_empty(self, values)
        super().__call__(parser, namespace, values, option_string)


class _BooleanOnce(argparse.BooleanOptionalAction):
    """``--x / --no-x`` that refuses both on one command line."""

    def __call__(self, parser, namespace, values, option_string=None):
        _refuse_conflicting_repeat(self, namespace, not option_string.startswith("--no-"), option_string)
        super().__call__(parser, namespace, values, option_string)


#: A word that starts like a negative number, an infinity or a NaN ("-1,5", "-inf", "-1e3",
#: "-.5"): a value, not an option, wherever it stands (argparse's own pattern takes only
#: "-2" and "-0.1", and Python 3.11's only those alone, so "--click -1,5" was refused with
#: "expected one argument" before the option's own check could say what is wrong).
_NUMBER_LIKE = re.compile(r"^-(?:\.?\d|inf|nan)", re.IGNORECASE)



def _window_load_words(word: str) -> str:
    """Where the window loads ``word`` when it is a file of marks or a model segmix saved
    ("load m.png with File > Load Scribbles"), else ""."""
    from pathlib import Path

    from segmix.io import holds_saved_marks, segmix_json_format

    path = Path(word)
    if not path.is_file():
        return ""
    if holds_saved_marks(path):
        return f"load {path.name} with File > Load Scribbles"
    found = segmix_json_format(path) if path.suffix.lower() == ".json" else None
    if found is not None and found[0] == "segmix-model":
        menu = "Skin > Load Skin Model" if found[1] == "skin" else "File > Load Model"
        return f"load {path.name} with {menu}"
    return ""

def _repeatable(action: argparse.Action) -> bool:
    """Whether the option ``action`` may be given more than once, each time with one value
    (``--click X,Y``, ``skin train --images DIR``)."""
    return isinstance(action, (argparse._AppendAction, _AppendClick)) and action.nargs in (None, 1)


def _takes_value(action: argparse.Action, word: str, first: str) -> bool:
    """Whether ``word`` parses as a value of the option ``action`` (its type and choices);
    for an option of any word (a folder, a file) ``word`` must exist and be of the kind of
    ``first``, the value given (a folder for a folder), so that an output name behind
    ``--masks DIR`` is not taken for a second folder."""
    if action.type is not None:
        try:
            value = action.type(word)
        except (argparse.ArgumentTypeError, TypeError, ValueError):
            return False
    else:
        value = word
        if not (os.path.exists(word) and os.path.isdir(word) == os.path.isdir(first)):
            return False
        if _earlier_output(word):
            return False
    return not action.choices or value in action.choices


def _earlier_output(word: str, metavar: str | None = None) -> str | None:
    """What ``word`` is, in words, when it is a file segmix wrote as an output ("a file
    written by segmix segment"): an image with any command's mark (:func:`segmix.io.segmix_mark`;
    a marks file, an input of segment, is not one), or a file segmix wrote with the suffix of
    ``metavar`` (``MODEL.json``: a skin model); None otherwise."""
    from pathlib import Path

    if not os.path.isfile(word):
        return None
    from segmix.io import segmix_mark
    from segmix.own_outputs import marks_file, what_segmix_file

    if marks_file(word):
        return None
    command = segmix_mark(word)
    if command is not None:
        return f"a file written by segmix {command}"
    if metavar and Path(word).suffix.lower() == Path(metavar).suffix.lower():
        return what_segmix_file(word)
    return None


#: The words left over that a refusal names each; more are named by the first three and
#: their count (:meth:`_Parser._output_word_hint`).
SHOWN_LEFTOVERS = 4


class _ProbeFailed(Exception):
    """An argparse refusal while :meth:`_Parser._input_problem` parses for the inputs alone."""


def _photo_folder_refusal(command: str, args: argparse.Namespace) -> str | None:
    """``segment``'s or ``quantize``'s refusal of a folder given as the photo, with how to work
    on many in the same line ("is a folder, not an image file" alone left a new user with a
    folder of photos to find how: neither has a batch form); None when the photo is no folder."""
    import os

    if not os.path.isdir(args.image):
        return None
    if command == "segment":
        return (f"{args.image}: is a folder; segment works on one photo: for many photos of one scene, save a model "
                f"from one (--save-model M.json) and apply it to each in a shell loop: "
                + _photo_loop(args.image, "masks", "segmix segment \"$f\" --model M.json", "_mask"))
    return (f"{args.image}: is a folder; quantize works on one photo: for many, run it on each in a shell loop: "
            + _photo_loop(args.image, "quantized", f"segmix quantize \"$f\" -k {args.colors}", "_quantized"))


def _basic_input_problem(command: str, args: argparse.Namespace) -> str | None:
    """The most basic fault of ``command``'s inputs in ``args``, or None: a photo
    (``segment``, ``quantize``) or an input (``background``) that is not there or a folder
    where a photo goes, a ``--images`` / ``--masks`` that is no folder (``skin train``,
    ``skin eval``). Said before a missing option or a count of options, which asked a new user
    to add an option to a run that could not work on its input anyway."""
    import os

    from segmix.io import check_input_folder, missing_words, shown_path

    try:
        os.getcwd()
        cwd_gone = False
    except FileNotFoundError:
        cwd_gone = True

    def gone(path) -> bool:
        # A relative path in a deleted current folder: CWD_GONE, not "p.png: no such file"
        # (said so since the input came first, session 43; a re-check found it).
        return cwd_gone and not os.path.isabs(os.fspath(path))

    if command in ("segment", "quantize") and getattr(args, "image", None):
        if gone(args.image):
            return CWD_GONE
        if not os.path.exists(args.image):
            return f"{shown_path(args.image)}: {missing_words(args.image, 'no such file')}"
        return _photo_folder_refusal(command, args)
    if command == "background":
        for path in getattr(args, "inputs", None) or []:
            if gone(path):
                return CWD_GONE
            if not os.path.exists(path):
                return f"{shown_path(path)}: {missing_words(path, 'no such file or folder')}"
    if command in ("skin train", "skin eval"):
        for what, holds in (("images", "photos"), ("masks", "masks")):
            given = getattr(args, what, None)
            for folder in [given] if isinstance(given, str) else given or []:
                if gone(folder):
                    return CWD_GONE
                try:  # as skin.image_mask_pairs says it
                    check_input_folder(folder, f"--{what}", holds, missing=f"{what} folder not found")
                except OSError as exc:
                    return str(exc)
    return None


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose refusals are one line (the standard for every CLI error).

    argparse prints the whole usage block before its error line; the usage is one
    ``--help`` away, so the line says that instead. Sub-parsers are of this class too
    (``add_subparsers`` makes them of the parent's class). ``--help`` and a missing
    sub-command (``segmix skin``) still print the usage. Single-valued options given twice
    with different values are refused (:func:`_refuse_conflicting_repeat`), and so are empty
    file or folder names (:func:`_refuse_empty`). A value starting with "-" reaches its
    option's own check (:data:`_NUMBER_LIKE`, :meth:`_values_joined`): ``--click -1,5`` and
    ``--max-megapixels -inf`` are refused saying why the value is bad, not "expected one
    argument".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NUMBER_LIKE

    def _numeric_option(self, word: str):
        """The action of ``word`` when it names (in full or abbreviated, without "=VALUE") an
        option taking one value checked by a ``type`` of segmix's (a number, coordinates,
        ``--distributed``'s address), else None."""
        if not word.startswith("-") or "=" in word or word == "--":
            return None
        action = self._option_string_actions.get(word)
        if action is None and word.startswith("--") and getattr(self, "allow_abbrev", True):
            matches = {a for name, a in self._option_string_actions.items() if name.startswith(word)}
            action = matches.pop() if len(matches) == 1 else None
        # nargs "?" too (``--distributed``, whose type checks an address): "--distributed -abc"
        # was refused as "unrecognized arguments: -abc", and "-1e3" only after the inputs'
        # checks ("the following arguments are required: INPUT" when they were missing)
        if (action is None or action.nargs not in (None, "?") or action.choices is not None
                or action.type in (None, str, str.lower)):
            return None
        return action

    def _names_option(self, word: str) -> bool:
        """Whether ``word`` is (or abbreviates, or is a short option glued to a value) an
        option of this parser: then it is not taken as the value of the option before it."""
        name = word.split("=", 1)[0]
        if name in self._option_string_actions:
            return True
        if name.startswith("--"):
            return any(option.startswith(name) for option in self._option_string_actions)
        return len(name) > 2 and name[:2] in self._option_string_actions

    def _values_joined(self, args: list[str]) -> list[str]:
        """``args`` with each numeric option (:meth:`_numeric_option`) followed by a word that
        starts with "-" and is no option written as ``--option=word``: that word is its
        value (``--max-megapixels -abc``), refused by the option's own check."""
        out, index = [], 0
        while index < len(args):
            word = args[index]
            if word == "--":
                out.extend(args[index:])
                break
            following = args[index + 1] if index + 1 < len(args) else None
            if (following is not None and following.startswith("-") and following not in ("-", "--")
                    and self._numeric_option(word) is not None and not self._names_option(following)):
                out.append(f"{word}={following}")
                index += 2
                continue
            out.append(word)
            index += 1
        return out

    def add_argument(self, *args, **kwargs):
        action = kwargs.get("action")
        if action in (None, "store"):
            kwargs["action"] = _StoreOnce
        elif action == "append":
            kwargs["action"] = _AppendChecked
        elif action is argparse.BooleanOptionalAction and args and args[0].startswith("-"):
            kwargs["action"] = _BooleanOnce
        return super().add_argument(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        if getattr(self, "_intermixing", False):  # the two passes of parse_known_intermixed_args
            return super().parse_known_args(args, namespace)
        # Kept for error(): a missing required option is refused before argparse names the
        # words it did not know, and the mistyped option is often the missing one.
        self._given = list(sys.argv[1:] if args is None else args)
        joined = self._values_joined(self._given)
        if self._takes_intermixed() and "--" not in joined:  # the intermixed passes lose what "--" guards
            # Photos on both sides of an option: `skin apply --probability a.png
            # --probability-format tif b.png` refused b.png (argparse takes a list positional
            # in one run of words).
            self._intermixing = True
            try:
                return super().parse_known_intermixed_args(joined, namespace)
            finally:
                self._intermixing = False
        return super().parse_known_args(joined, namespace)

    def _takes_intermixed(self) -> bool:
        """Whether this parser has a list positional (nargs + or *) and nothing that
        argparse's intermixed parsing refuses (sub-commands, REMAINDER)."""
        positionals = [action for action in self._actions if not action.option_strings]
        if any(action.nargs in (argparse.PARSER, argparse.REMAINDER) for action in positionals):
            return False
        if any(not action.option_strings for group in self._mutually_exclusive_groups
               for action in group._group_actions):
            return False
        return any(action.nargs in ("+", "*") for action in positionals)

    def error(self, message: str):
        options = list(self._option_string_actions)
        hint = (_after_double_dash(getattr(self, "_given", []), options) or _did_you_mean(message)
                or _close_option_and_others(message, options)
                or _dash_value_hint(message, getattr(self, "_given", []))
                or _dash_file_hint(message, getattr(self, "_given", []), options)
                or self._repeat_hint(message)
                or self._output_word_hint(message) or self._window_words_hint(message)
                or _other_tools_option(message, options))
        if message.startswith("unrecognized arguments:") and " for each: " in hint:
            # The repeat hint names the values argparse found no place for; the words left once
            # they are out are said as unrecognized (`--click 1,2 3,4 photo.jpg` took 3,4 for
            # the photo and named photo.jpg: none is left).
            repeats = {index for *_, indices in self._repeated_values() for index in indices}
            rest = self._leftover_words([w for i, w in enumerate(self._given) if i not in repeats])
            message = f"unrecognized arguments: {' '.join(rest)}" if rest else ""
            if not message:
                message, hint = hint.removeprefix("; "), ""
        if message.startswith("unrecognized arguments:") and ("(the output file is given with -o)" in hint
                                                            or "writes one output file, given with -o" in hint):
            # The hint names the words argparse's message names: said once (a trial's `segmix
            # quantize photo.jpg a b -o q.png` read "unrecognized arguments: a b; ... a b are left over").
            message, hint = hint.removeprefix("; "), ""
        if not hint and message.startswith("the following arguments are required"):
            typos = []
            for word in getattr(self, "_given", []):
                name = word.split("=", 1)[0]
                close = _close_option(f"unrecognized arguments: {name}", options) if (
                    name.startswith("-") and name not in options) else ""
                if close:
                    typos.append(f"'{name}' is no option ({close.removeprefix('; ')})")
            if typos:
                # The mistyped option first: it is why the required one is missing, and led by
                # "the following arguments are required: --scribbles (or ...)", it came last
                # on a long line (a new user's --clik).
                # "; without it, ...": ", so the following ..." read as a conclusion a final
                # new user could not follow.
                message = f"{'; '.join(typos)}; without {'it' if len(typos) == 1 else 'them'}, {message}"
        # The window's options reached without "open" (`segmix photo.jpg ...`) are said as typed.
        prefix = getattr(self, "_error_prog", None) or self.prog
        if getattr(self, "_probing", False):
            raise _ProbeFailed(message)
        if message.startswith("the following arguments are required"):
            # A photo that is not there or is a folder is said before a missing option: `segmix
            # segment photos/ -o m.png` was asked for --scribbles, and once given them was told
            # that segment takes no folder (a new user's two tries for one answer).
            problem = self._input_problem()
            if problem:
                self.exit(2, f"{prefix}: error: {problem}\n")
        self.exit(2, f"{prefix}: error: {message}{hint} (see {self.prog} --help)\n")

    def _input_problem(self) -> str | None:
        """:func:`_basic_input_problem` of the words given, parsed with no option required;
        None when they cannot be parsed so or the inputs show no such problem."""
        optional = [action for action in self._actions if action.option_strings and action.required]
        self._probing, given = True, getattr(self, "_given", [])
        try:
            for action in optional:
                action.required = False
            namespace, _ = self.parse_known_args(given)
        except (_ProbeFailed, argparse.ArgumentError, SystemExit):
            return None
        finally:
            self._probing = False
            self._given = given
            for action in optional:
                action.required = True
        return _basic_input_problem(self.prog.removeprefix("segmix "), namespace)


    def _leftover_words(self, given: list[str] | None = None) -> list[str]:
        """The words given (or ``given``) that are neither options, nor their values, nor the
        command's own positional arguments (a PHOTO): those argparse has no place for."""
        words = self._plain_words(given)
        slots = 0
        for action in self._get_positional_actions():
            if action.nargs in ("+", "*", "...", argparse.REMAINDER):
                return []  # takes any number of words: none is left over
            slots += action.nargs if isinstance(action.nargs, int) else (0 if action.nargs == "?" else 1)
        return words[slots:]

    def _plain_words(self, given: list[str] | None = None) -> list[str]:
        """The words given that are neither options nor their values (the positional ones and
        those left over), in order."""
        given = getattr(self, "_given", []) if given is None else given
        words, index = [], 0
        while index < len(given):
            word = given[index]
            index += 1
            if word == "--":
                words.extend(given[index:])
                break
            if word.startswith("-") and word != "-":
                action = self._option_string_actions.get(word.split("=", 1)[0])
                if "=" in word:
                    continue
                if action is None:  # a mistyped option (--outptu m.png): the word after it is its value
                    if index < len(given) and not given[index].startswith("-"):
                        index += 1
                    continue
                nargs = action.nargs
                if nargs == 0:
                    continue
                count = nargs if isinstance(nargs, int) else 1
                if nargs in ("+", "*"):
                    while index < len(given) and not given[index].startswith("-"):
                        index += 1
                    continue
                index += count
                continue
            words.append(word)
        return words

    def _window_words_hint(self, message: str) -> str:
        """"; the window opens one photo, folder of frames or video ..." when ``segmix`` (the
        window) got several files: a trial's ``segmix a.jpg b.jpg`` (as ``segmix background
        frames/*.jpg`` takes them) was told only "unrecognized arguments: b.jpg"; "" otherwise."""
        if self.prog != "segmix open" or not message.startswith("unrecognized arguments:"):
            return ""
        words = message.removeprefix("unrecognized arguments:").split()
        if not words or any(word.startswith("-") for word in words):
            return ""
        loads = [_window_load_words(word) for word in words]
        if all(loads):
            # `segmix photo.jpg photo_scribbles.png` (the pair a user drops on the window) was
            # told to "give their folder to play frames": say where such a file is loaded.
            return (f"; the window opens one photo: {'; '.join(loads)} once the photo is open (or drop the photo "
                    f"and {'it' if len(loads) == 1 else 'them'} on the window together)")
        return ("; the window opens one photo, folder of frames or video: give their folder to play frames "
                "(segmix FOLDER), or one photo at a time")

    def _repeated_values(self) -> list[tuple[str, list[str], list[int]]]:
        """Each repeatable option (:func:`_repeatable`) given with more than one value behind
        it, as (option, [its value, the words after it that parse as its values too], the
        places of those words in the words given): a trial's ``--click 420,250 300,150``
        gives ("--click", ["420,250", "300,150"], [2])."""
        given, runs, index = getattr(self, "_given", []), [], 0
        while index < len(given):
            word = given[index]
            if word == "--":
                break
            name, eq, rest = word.partition("=")
            action = self._option_string_actions.get(name) if word.startswith("-") else None
            if action is None or not _repeatable(action) or (not eq and index + 1 >= len(given)):
                index += 1
                continue
            values, places = [rest] if eq else [given[index + 1]], []
            index += 1 if eq else 2
            while (index < len(given) and (not given[index].startswith("-") or _NUMBER_LIKE.match(given[index]))
                   and _takes_value(action, given[index], values[0])):
                values.append(given[index])
                places.append(index)
                index += 1
            if len(values) > 1:
                runs.append((name, values, places))
        return runs

    def _repeat_hint(self, message: str) -> str:
        """"; 300,150 is left over: --click takes one X,Y; repeat --click for each: --click
        420,250 --click 300,150" when words that parse as a repeatable option's values follow
        its value: a trial's ``segment 090.jpg --click 420,250 300,150 -o x.png`` was told to
        leave 300,150 out (a click lost); "" otherwise."""
        if not (message.startswith("unrecognized arguments:") or message.startswith("the following arguments are")):
            return ""
        parts = []
        for option, values, _ in self._repeated_values():
            extra = values[1:]
            metavar = self._option_string_actions[option].metavar or "value"
            parts.append(f"{' '.join(extra)} {'is' if len(extra) == 1 else 'are'} left over: {option} takes one "
                         f"{metavar}; repeat {option} for each: " + " ".join(f"{option} {v}" for v in values))
        return "".join(f"; {part}" for part in parts)

    def _output_word_hint(self, message: str) -> str:
        """"; mask.png: an output file is given with -o (-o mask.png)" when a command whose output
        is ``-o`` got a word it has no place for, after its photo: a trial's ``segmix segment
        photo.jpg mask.png --click 420,250`` was told only that -o/--output is required, and
        ``segmix quantize photo.jpg q.png -k 8 -o q8.png`` only "unrecognized arguments: q.png";
        "" otherwise."""
        output = self._option_string_actions.get("-o")
        if output is None or not output.required:
            return ""
        missing = message.startswith("the following arguments are required") and "-o/--output" in message
        if not (missing or message.startswith("unrecognized arguments:")):
            return ""
        left = self._leftover_words()
        if not left:
            return ""
        command = self.prog.removeprefix("segmix ")
        # An earlier output of segmix (any command's mark) is an output name, not a photo: a
        # trial's `segment photo.jpg m.png --click 420,250`, m.png an earlier mask, was advised
        # a shell loop segmenting the mask as a photo.
        earlier = _earlier_output(left[0], self._option_string_actions["-o"].metavar) if len(left) == 1 else None
        if missing and len(left) == 1 and (earlier or not os.path.exists(left[0])):
            word = left[-1]
            if not earlier:
                return f"; {word}: the output file is given with -o (-o {word})"
            from segmix.own_outputs import own_file

            replaced = (", which -o replaces" if own_file(word, command)
                        else f": segmix {command} replaces it only with --overwrite")
            return f"; {word}: the output file is given with -o (-o {word}; it is an earlier output, {earlier}{replaced})"
        output = self._given_value(("-o", "--output"))
        # skin train takes no photo but by its options: "takes one photo" was said of it too.
        photo = bool(self._get_positional_actions())
        takes = "one photo" if photo else "no file without its option"
        if not missing and len(left) == 1 and (earlier or not os.path.exists(left[0])) and output:
            # A second output name beside -o (`quantize photo.jpg q.png -k 8 -o q8.png`) was
            # advised a shell loop over the photo and the file that does not exist.
            what = f"it is an output ({earlier}), not {'a photo' if photo else 'an input'}: " if earlier else ""
            return (f"; {left[0]} is left over: {what}{self.prog} takes {takes} and writes one output file, given "
                    f"with -o (here -o {output}): leave this word out")
        # Photos given with no -o (`quantize in/*.jpg -k 4`): "-o in000199.jpg" was advised, the
        # last photo itself, and the other 98 not named (the re-check, session 50).
        # Many words named by the first three and their count: `quantize in/nopad/*.jpg -o
        # out/qdir` printed a 2 KB line of 119 file names (session 50).
        named = " ".join(left) if len(left) <= SHOWN_LEFTOVERS else \
            f"{len(left)} {'files' if all(os.path.isfile(w) for w in left) else 'words'} ({', '.join(left[:3])} and " \
            f"{len(left) - 3} more)"
        return (f"; {named} {'is' if len(left) == 1 else 'are'} left over: {self.prog} takes {takes} (the output file "
                f"is given with -o)" + self._loop_hint(left))

    def _loop_hint(self, left: list[str]) -> str:
        """"; for many, run it on each in a shell loop: ..." when the words left over are photos
        of the folder of the photo given (a shell's ``*.jpg``), as a folder given is told
        (:func:`_photo_folder_refusal`); "" otherwise. The loop writes to ``-o``'s value when
        it names a folder (no suffix: ``-o out/qdir``)."""
        from pathlib import Path

        from segmix.io import IMAGE_SUFFIXES

        command = self.prog.removeprefix("segmix ")
        words = self._plain_words()
        if command not in ("quantize", "segment") or len(words) <= len(left):
            return ""
        photos = [words[-len(left) - 1], *left]
        if (not all(os.path.isfile(w) for w in photos) or len({str(Path(w).parent) for w in photos}) != 1
                or any(Path(w).suffix.lower() not in IMAGE_SUFFIXES for w in photos)):
            return ""
        if any(_earlier_output(w) for w in photos):
            return ""  # a loop over them would take an earlier mask or palette for a photo
        folder = str(Path(photos[0]).parent)
        output = self._given_value(("-o", "--output"))
        out = output if output and not Path(output).suffix else None
        if command == "segment":
            return ("; for many photos of one scene, save a model from one (--save-model M.json) and apply it to "
                    "each in a shell loop: " + _photo_loop(folder, "masks", "segmix segment \"$f\" --model M.json",
                                                           "_mask", out, photos))
        colours = self._given_value(("-k", "--colors"))
        k = f" -k {colours}" if colours else ""
        return ("; for many, run it on each in a shell loop: "
                + _photo_loop(folder, "quantized", f"segmix quantize \"$f\"{k}", "_quantized", out, photos))

    def _given_value(self, names: tuple[str, ...]) -> str | None:
        """The value last given to the option of ``names`` (``-k 4``, ``--colors=4``), or None."""
        given, value = getattr(self, "_given", []), None
        for index, word in enumerate(given):
            name, eq, rest = word.partition("=")
            if name in names:
                value = rest if eq else (given[index + 1] if index + 1 < len(given) else None)
        return value


def _after_double_dash(given: list[str], options: list[str]) -> str:
    """"; -k and -o after -- are read as file names, not options: ..." when options of the
    command follow ``--``, which makes every later word a file name: a trial's `segmix quantize
    -- -dash.png -k 4 -o out.png` was told that -o/--output is required and to give it with
    -o; "" otherwise."""
    if "--" not in given:
        return ""
    after = [w for w in given[given.index("--") + 1:] if w.split("=", 1)[0] in options]
    if not after:
        return ""
    named = " and ".join(dict.fromkeys(w.split("=", 1)[0] for w in after))
    what = "is read as a file name, not an option" if len(after) == 1 else "are read as file names, not options"
    return f"; {named} after -- {what}: put -- after the options, just before the file names that start with -"


def _refuse_options_after_double_dash(sub_parser, argv: list[str]) -> None:
    """Refuse, before any work, an option of the command given after ``--`` where the command
    takes any number of inputs (argparse then takes it for one): a trial's `segmix skin apply
    -- -dash.png --output-dir dd` skipped "--output-dir" and "dd" as missing photos and wrote
    the mask into the current folder, exit 1. A file of that name is an input, as given."""
    hint = _after_double_dash(argv, list(sub_parser._option_string_actions))
    if not hint:
        return
    after = argv[argv.index("--") + 1:]
    if all(os.path.lexists(w) for w in after if w.split("=", 1)[0] in sub_parser._option_string_actions):
        return
    prefix = getattr(sub_parser, "_error_prog", None) or sub_parser.prog
    sub_parser.exit(2, f"{prefix}: error: {hint.removeprefix('; ')} (see {sub_parser.prog} --help)\n")


def _close_option(message: str, options: list[str]) -> str:
    """"; did you mean '--color-space'?" for an unrecognised option close to one of
    ``options`` (argparse names it and stops); "" otherwise."""
    import difflib

    if not message.startswith("unrecognized arguments:"):
        return ""
    # Compared in lower case: a wrongly capitalised option (--CLICK, --Output-Dir) was not
    # named, where --clik was (difflib counts each changed letter; session 51).
    longs = {o.lower(): o for o in options if o.startswith("--")}
    for word in message.removeprefix("unrecognized arguments:").split():
        if len(word) == 2 and word[0] == "-" and word[1].isalpha() and word not in options:
            # A short option in the other case (-K for -k) was not named (the re-check).
            other = "-" + word[1].swapcase()
            if other in options:
                return f"; did you mean '{other}'?"
        if word.startswith("--"):
            close = difflib.get_close_matches(word.split("=", 1)[0].lower(), list(longs), n=1, cutoff=0.75)
            if close:
                return f"; did you mean '{longs[close[0]]}'?"
    return ""


def _close_option_and_others(message: str, options: list[str]) -> str:
    """:func:`_close_option`'s hint when it has one, with :func:`_other_tools_option`'s for the
    other refused words: `background v/ --scheduler tcp://a:1 --workers 3` was told only "did
    you mean '--n-workers'?", and not what --scheduler is here; "" when no word is close."""
    if not _close_option(message, options):
        return ""
    hints = []
    for word in message.removeprefix("unrecognized arguments:").split():
        hint = _close_option(f"unrecognized arguments: {word}", options) or _other_tools_word(word, options)
        if hint and hint not in hints:
            hints.append(hint)
    return "".join(hints)


def _other_tools_option(message: str, options: list[str]) -> str:
    """The hint for an option other tools spell so, unknown here (argparse said only
    "unrecognized arguments"): ``-o`` where the command writes into a folder, ``--force``,
    ``--verbose``, ``--jobs``; "" otherwise. A script moving from `segment ... -o m.png` to
    `skin apply photos -o out` was told "unrecognized arguments: -o out" and no more.

    Every such word is explained, each once: `skin apply batch/ --dask local -o x/` was told
    only of -o, and --dask (Dask's other tools' name) went unexplained."""
    if not message.startswith("unrecognized arguments:"):
        return ""
    hints = []
    for word in message.removeprefix("unrecognized arguments:").split():
        hint = _other_tools_word(word, options)
        if hint and hint not in hints:
            hints.append(hint)
    return "".join(hints)


#: Names other tools give the option that runs on Dask (segmix's --distributed [ADDRESS]).
DASK_ALIASES = ("--dask", "--cluster", "--dask-cluster", "--scheduler", "--dask-scheduler", "--scheduler-address",
                "--dask-address", "--address", "--client", "--local-cluster", "--dask-local")


def _other_tools_word(word: str, options: list[str]) -> str:
    """:func:`_other_tools_option`'s hint for one refused word; "" for none."""
    name = word.split("=", 1)[0]
    if name.startswith("-"):
        if not name.startswith("--") and len(name) > 2 and name != "-vv":
            name = name[:2]  # a short option with its value attached, as POSIX allows: -j4, -oout
        if name in ("-o", "--output") and "--output-dir" in options:
            return "; this command writes its files into a folder, given with --output-dir DIR"
        if name in ("-o", "--output") and "--json" in options:
            return "; this command writes its figures with --json FILE.json, --per-image FILE.csv or --roc ROC.png"
        if name in ("--output-dir", "--out-dir", "--outdir") and "-o" in options:
            return "; this command writes one file, given with -o FILE"
        if name in ("--force", "-f", "--overwrite", "--replace", "-y", "--yes"):
            if "--overwrite" in options:
                return "; did you mean '--overwrite'?"
            return ("; this command has no --overwrite: it replaces the files it wrote itself and refuses any other "
                    "by name (move it away)")
        if name in DASK_ALIASES and "--distributed" in options:
            return ("; Dask's option is '--distributed': alone it starts a local cluster (--n-workers N "
                    "processes), --distributed tcp://HOST:8786 uses a scheduler")
        if name in ("--processes", "--procs", "--nprocs", "--n-procs", "--n-processes") and "--n-workers" in options:
            return "; did you mean '--n-workers' (the local Dask cluster's worker processes, with --distributed)?"
        if name in ("--distributed", "--n-workers", *DASK_ALIASES) and "--distributed" not in options:
            return ("; only skin apply, skin train and background run on Dask (--distributed); this command runs "
                    "here, on every core")
        if name in ("-v", "-V") and "--version" in options:  # the top level: `segmix -V`
            return "; did you mean '--version'?"
        if name in ("--verbose", "-v", "-vv", "--debug"):
            return "; segmix has no --verbose: notes are printed by default" + (
                ", and --quiet leaves them out" if "--quiet" in options else "")
        if name in ("--silent", "-q"):
            return "; did you mean '--quiet'?" if "--quiet" in options else ""
        if name in ("--jobs", "-j", "--threads", "--n-jobs", "--nthreads", "--cores", "--workers", "--n-workers",
                    "--processes", "--procs", "--nprocs", "--n-procs", "--n-processes"):
            if "--workers" in options and name != "--workers":
                return "; did you mean '--workers' (threads)?"
            words = "; segmix uses every core (NUMBA_NUM_THREADS=N sets how many)"
            return words + (", and --distributed --n-workers N runs N worker processes" if "--n-workers" in options
                            and name != "--n-workers" else "")
    return ""


def _dash_file_hint(message: str, given: list[str], options: list[str]) -> str:
    """"; -dash.jpg is a file: write ./-dash.jpg, or put -- before it" when a refused word
    starting with "-" names an existing file; "" otherwise. argparse reads such a word as an
    option: a trial's ``segmix skin apply -dash.jpg`` was told "the following arguments are
    required: INPUT", with the photo it had named."""
    if not (message.startswith("the following arguments are required")
            or message.startswith("unrecognized arguments:")):
        return ""
    seen_end = False
    for word in given:
        if word == "--":
            seen_end = True
        if seen_end or not word.startswith("-") or word == "-" or word.split("=", 1)[0] in options:
            continue
        try:
            is_file = os.path.isfile(word)
        except (OSError, ValueError):
            is_file = False
        if is_file:
            return f"; {word} is a file: write ./{word}, or put -- before it"
        if _looks_like_a_file_name(word):
            # `segmix -missing.png` was told only "unrecognized arguments: -missing.png": a
            # mistyped or moved photo, not an option.
            return f"; {word} is no option, and no file of that name exists"
    return ""


def _looks_like_a_file_name(word: str) -> bool:
    """True for an option-like word that reads as a file name: a path separator, or a short
    extension after a name (``-missing.png``, ``-dir/photo``); not ``-k8`` or ``--threshold``."""
    stem = word.lstrip("-").split("=", 1)[0]
    if "/" in stem or os.sep in stem:
        return True
    name, dot, extension = stem.rpartition(".")
    return bool(dot and name and 1 <= len(extension) <= 5 and extension.isalnum() and not extension.isdigit())


@contextlib.contextmanager
def _held(lock, timeout: float = 2.0):
    """``lock`` held for the block if it can be had within ``timeout`` seconds, the block run
    regardless. For the lines after an interruption: a Ctrl+C that lands between a ``with lock``'s
    acquire and its block leaves the lock held (CPython's with-statement race, bpo-29988), and
    a plain ``with lock`` there waited for good (a final re-check's run hung after SIGINT once)."""
    acquired = lock.acquire(timeout=timeout)
    try:
        yield
    finally:
        if acquired:
            lock.release()


#: The options that name a file or folder to write (argparse dests).
_OUTPUT_DESTS = frozenset({"output", "probability", "cutout", "save_model", "save_scribbles", "convergence", "roc", "pr",
                           "json", "per_image", "background_image", "output_dir"})


def _refuse_standard_output(sub_parser, args) -> None:
    """Refuse ``-`` as a file or folder to write, in argparse's line naming the option: `segment
    -o -` was told "unsupported extension", and `skin apply --output-dir -` and `background
    --output-dir -` wrote into a folder named "-" (the final check of session 33)."""
    for action in sub_parser._actions:
        if action.dest in _OUTPUT_DESTS and action.option_strings and str(getattr(args, action.dest, None)) == "-":
            what = "a folder's name" if action.dest == "output_dir" else "a file name"
            sub_parser.error(f"argument {'/'.join(action.option_strings)}: -: segmix writes files, not standard "
                             f"output: give {what}")


def _unexpanded_home(value: str) -> str | None:
    """The ``~`` or ``~user`` that starts ``value`` when a shell would have made it a home
    folder but did not (it was quoted, or came after "=": bash leaves ``--output-dir=~/masks``
    as it is), and the current folder holds nothing of that name; else None."""
    head = value.split("/", 1)[0]
    if not head.startswith("~") or os.path.lexists(head):
        return None
    if head != "~":
        try:
            import pwd

            pwd.getpwnam(head[1:])
        except (ImportError, KeyError, ValueError):  # "~draft.png": a name, not a user's home
            return None
    return head


def _refuse_unexpanded_home(sub_parser, args) -> None:
    """Refuse a path that starts with a ``~`` the shell did not replace, in one line naming
    the option and the home folder meant. `skin apply photos --output-dir=~/masks` made a
    folder named "~" in the current folder and said "wrote masks of 1 photo to ~/masks", which
    reads as the home folder; `quantize ... -o=~/q.png` said "the folder ~ does not exist"."""
    for action, value in _path_values(sub_parser, args):
        if (head := _unexpanded_home(value)) is None:
            continue
        option = "/".join(action.option_strings)
        named = f"{option} {value}" if option else value
        home = os.path.expanduser(head)
        full = f"{home}{value[len(head):]}" if home != head else "the full path"
        give = f"{action.option_strings[-1]} {value} (a space, not '=')" if option else f"{value} unquoted"
        prefix = getattr(sub_parser, "_error_prog", None) or sub_parser.prog
        sub_parser.exit(2, f"{prefix}: error: {named}: the shell did not replace {head} with the home folder "
                           f"(it does so only at the start of an unquoted word, not after '=' or in quotes) "
                           f"and segmix does not: write {give}, or {full}\n")


def _path_values(sub_parser, args):
    """(action, value) for every non-empty string given to an option or argument that takes a
    free-form string: the paths (``--distributed``'s address aside)."""
    for action in sub_parser._actions:
        if action.type is not None or action.choices is not None or action.nargs == 0 \
                or action.dest in ("help", "distributed"):
            continue
        values = getattr(args, action.dest, None)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str) and value:
                yield action, value


def _path_max() -> int | None:
    """The longest path the system takes, in bytes with its final NUL (Linux: 4096); None where
    it has no such limit to ask (Windows)."""
    try:
        return os.pathconf("/", "PC_PATH_MAX")
    except (AttributeError, OSError, ValueError):
        return None


def _shortened(path: str, keep: int = 40) -> str:
    """``path`` with its middle left out when long: a 4 kB name filled the terminal."""
    return path if len(path) <= 2 * keep + 3 else f"{path[:keep]}...{path[-keep:]}"


def _refuse_paths_over_limit(sub_parser, args, limit: int | None = None) -> None:
    """Refuse a file or folder whose full path is over the system's limit (PATH_MAX), in one line.

    segmix names files by their full path, so a relative name taken in a current folder whose
    path is near the limit fails too: a trial's `segmix quantize chelsea.png -o q.png` in a folder
    4,436 bytes deep said "-o/--output q.png: cannot write in the folder . (file name too long)",
    and an absolute output of 4,439 bytes was named in full, a 4 kB line ending "file name too
    long", though every name in it was short. The values of the options that take a free-form
    string are paths (``--distributed``'s address aside). A relative input is left alone: it is
    read by its relative name, which works in so deep a folder.
    """
    limit = _path_max() if limit is None else limit
    if not limit:
        return
    try:
        here = os.getcwd()
    except OSError:  # a deleted current folder: said where it is used (CWD_GONE)
        return
    for action, value in _path_values(sub_parser, args):
        full = os.path.normpath(os.path.join(here, value))
        length = len(os.fsencode(full))
        # A relative input is read by its relative name: it works in so deep a folder,
        # unless that name itself is over the limit (it was named in full, a 4 kB line
        # ending "file name too long", or "[Errno 36] ..." for background --groundtruth).
        own = len(os.fsencode(value))
        if length < limit or (action.dest not in _OUTPUT_DESTS and not os.path.isabs(value) and own < limit):
            continue
        option = "/".join(action.option_strings)
        named = f"{option} {_shortened(value)}" if option else _shortened(value)
        alone = os.path.isabs(value) or action.dest not in _OUTPUT_DESTS
        if not alone:
            where = f" in the current folder, whose own path is {len(os.fsencode(here)):,} bytes long"
        else:
            where, length = "", (length if os.path.isabs(value) else own)
        fix = "give a shorter path" if alone else (
            "segmix writes its outputs by their full path: give one in a folder with a shorter path")
        kind = "full path" if os.path.isabs(value) or not alone else "path"
        sub_parser.exit(2, f"{sub_parser.prog}: error: {named}: its {kind} is {length:,} bytes long{where}, "
                           f"over the system's limit of {limit - 1:,} bytes (PATH_MAX); {fix}\n")


def _dash_value_hint(message: str, given: list[str]) -> str:
    """"; a value starting with '-' is written -o=-out.png (or ./-out.png for a file)" when
    argparse refused ``-o -out.png`` with "expected one argument": a word starting with "-"
    is read as an option (here "-o" glued to "ut.png"), so the value needs "=" or a path
    prefix, which the bare refusal did not say; "" for any other refusal."""
    import re

    found = re.match(r"argument (\S+): expected one argument$", message)
    if found is None:
        return ""
    names = found.group(1).split("/")
    for word, following in zip(given, given[1:]):
        if word in names and following.startswith("-") and following not in ("-", "--"):
            return (f"; a value starting with '-' is written {word}={following}"
                    f" (or ./{following} for a file)")
    return ""


def _did_you_mean(message: str) -> str:
    """"; did you mean 'apply'?" for argparse's "invalid choice: 'aply' (choose from ...)",
    as the top level says for a mistyped command (``segmix skin aply`` said only the choices);
    "" for any other refusal or when no choice is close."""
    import difflib
    import re

    found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
    if found is None:
        return ""
    choices = re.findall(r"'([^']*)'", found.group(2))
    close = difflib.get_close_matches(found.group(1).lower(), choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _sub_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The deepest sub-parser ``args`` went through (``segmix skin eval``'s for ``skin eval``)."""
    for dest in ("command", "skin_command"):
        name = getattr(args, dest, None)
        choices = next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        if not name or not choices or name not in choices:
            break
        parser = choices[name]
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="segmix",
        description="Segment photos from clicks, a box or scribbles, detect skin by colour, and subtract a fixed camera's background, with Gaussian mixtures fitted by EM and a graph cut.",
        epilog="Without a command, segmix opens the window (it needs a desktop session): segmix, segmix PHOTO, "
               "or segmix FOLDER_OR_VIDEO in Video mode; segmix open --help lists its options. "
               "segmix COMMAND --help lists a command's options with their defaults. Exit status, the same for "
               "every command (for scripts): 0 every input was done; 1 some inputs failed (one line each on "
               "standard error) while others were written; 2 bad usage, a bad parameter or no usable input: "
               "nothing written; 129 hung up (the terminal closed); 130 interrupted; 143 terminated. Results "
               "(\"wrote ...\", figures) go to standard output, errors, warnings and notes to standard error.",
    )
    parser.add_argument("--version", action="version", version=f"segmix {__version__}")
    sub = parser.add_subparsers(dest="command")

    view = sub.add_parser(
        "open", help="open the window (default when no sub-command is given)",
        description="Open the window (the same as segmix [PHOTO] without a command): Segment mode on a photo, "
                    "Video mode on a folder of frames or a video. It needs a desktop session (DISPLAY or "
                    "WAYLAND_DISPLAY); without one it says so and exits with status 2.")
    view.add_argument("image", nargs="?", help="photo to open (default: a bundled sample); a folder of frames or a "
                      "video opens in Video mode")
    _add_max_megapixels(view)
    view.set_defaults(handler=_cmd_open)

    quant = sub.add_parser(
        "quantize", help="k-means colour quantisation of a photo",
        description="Reduce a photo to k colours: k-means (k-means++ seeding, 4 restarts) on its distinct colours weighted by "
                    "their pixel counts, each pixel replaced by its cluster's mean colour; prints the palette "
                    "size and the mean squared error per channel (0-255 scale) of the file as written.")
    quant.add_argument("image", help="input photo")
    quant.add_argument("-k", "--colors", type=palette_size, default=8, help="number of colours, 1-65536 (default 8)")
    quant.add_argument("-o", "--output", required=True,
                       help="output image: .png recommended (with at most 256 colours a palette PNG of "
                            "exactly the k colours; .bmp alike, .tif in RGB; a greyscale photo without transparency stays "
                            "greyscale), "
                            ".gif (k up to 256, exactly the k colours), .webp (lossless), .jpg / .jpeg; the "
                            "extension chooses the format")
    quant.add_argument("--seed", type=random_seed, default=0, help="random seed (default 0)")
    quant.add_argument("--quality", type=image_quality, default=None, metavar="Q",
                       help="JPEG or WebP output only: compression quality 1-95 (default: JPEG "
                            f"{JPEG_QUANTIZE_QUALITY}, Pillow's; WebP lossless, exactly the k colours; "
                            "a lower Q gives a smaller file with more added colours)")
    _add_overwrite(quant)
    _add_quiet(quant)
    _add_max_megapixels(quant)
    quant.set_defaults(handler=_cmd_quantize)

    _add_segment_parser(sub)
    _add_skin_parser(sub)
    _add_background_parser(sub)
    return parser


# --------------------------------------------------------------------------- segment
def _add_segment_parser(sub) -> None:
    """``segmix segment IMAGE --scribbles LABELS.png --output MASK.png [...]``."""
    seg = sub.add_parser(
        "segment",
        help="segment a photo from clicks, a box or scribbles (colour mixtures + graph cut)",
        description="Learn a colour mixture per class from the marked pixels (--click, --box, --scribbles; or "
        "apply a saved --model), cut the photo with a graph cut, and write the foreground mask (8-bit PNG, "
        "0 background / 255 foreground, the size of IMAGE).",
    )
    seg.add_argument("image", help="input photo (EXIF orientation is applied)")
    # Not required by argparse: --model makes the marks optional (_main asks for one of them).
    seg.add_argument("--scribbles", metavar="LABELS.png",
                     help="label PNG the size of the displayed photo, one value per pixel: 0 unlabelled, 1 foreground, "
                          "2 background (greyscale, a palette PNG by index, or RGB with R = G = B; an OpenCV "
                          "grabCut mask, whose 0 and 2 are background, is refused: recode it first, 0 as 2, 1 as 1, 2 "
                          "and 3 as 0); required unless --box, --click, --background-click or --model is given")
    seg.add_argument("--box", type=box, default=None, metavar="LEFT,TOP,RIGHT,BOTTOM",
                     help="mark everything outside this box background, as the window's Rectangle tool (GrabCut): "
                          "a box alone gives a mask; pixels of the displayed photo, x to the right and y down "
                          "from the top-left corner, RIGHT and BOTTOM exclusive (corners, not a width and height: COCO's "
                          "X,Y,W,H is X,Y,X+W,Y+H); decimals are accepted and rounded outward (floor LEFT and TOP, ceil RIGHT "
                          "and BOTTOM); clipped to the photo (a detector's box may reach past an edge)")
    seg.add_argument("--click", dest="clicks", action=_AppendClick, const=1, type=point, default=None,
                     metavar="X,Y",
                     help="a foreground click at pixel X,Y (repeatable; decimals go to the nearest pixel): a disc of the window's Click tool's "
                          "radius (5 px on a 854 x 480 photo, growing with the photo, an eighth of a tiny one's side); one "
                          "click gives a mask. "
                          "Fitted as the window fits them: after any --scribbles, the box first, then each click "
                          "from the result before it, in the order given (--at-once: all at once)")
    seg.add_argument("--background-click", dest="clicks", action=_AppendClick, const=2, type=point, default=None,
                     metavar="X,Y",
                     help="a background click at pixel X,Y (repeatable; decimals go to the nearest pixel), in the order given among the --click "
                          "options")
    seg.add_argument("--model", metavar="M.json",
                     help="apply a saved segmentation model (segment --save-model, the window's File > Save Model) "
                          "instead of fitting the marks: per-pixel decision, graph cut and clean-ups as the window "
                          "applies a loaded model; --scribbles, if given, are hard constraints")
    seg.add_argument("-o", "--output", required=True, metavar="MASK.png", help="output mask (PNG)")
    seg.add_argument("--probability", metavar="PROB", help="also write the foreground posterior (.png 16-bit, .npy, .tif)")
    seg.add_argument("--cutout", metavar="CUT.png", help="also write the photo with the mask as alpha (RGBA PNG, or "
                     "TIFF for .tif; never JPEG or WebP; 16 bits per channel for a 16-bit PNG or "
                     "TIFF photo); its fully transparent pixels are (0, 0, 0, 0): the photo's colours there "
                     "are cleared")
    seg.add_argument("--keep-hidden-colours", action="store_true",
                     help="with --cutout: keep the photo's colours under the cut-out's fully transparent pixels "
                          "(alpha 0) instead of clearing them to (0, 0, 0, 0) (default off, as GIMP's 'Save color "
                          "values from transparent pixels'): anyone can then recover the background cut away, and "
                          "the file is larger")
    seg.add_argument("--save-model", metavar="M.json", help="also write the trained model (JSON)")
    seg.add_argument("--save-scribbles", metavar="LABELS.png",
                     help="also write the marks as the window's File > Save Scribbles does (0 / 1 / 2 PNG with "
                          "their order and the window's settings: components, covariance, colour space, smoothing, "
                          "threshold, unexplained weight; other options given are said, to give again): marks "
                          "given by --box and --click can then be opened in the window (File > Load Scribbles) and "
                          "corrected there, or given to --scribbles")
    _add_overwrite(seg)
    _add_quiet(seg)
    seg.add_argument("-k", "--components", type=mixture_components, default=None,
                     help="Gaussian components per class (default 5)")
    seg.add_argument("--covariance-type", type=str.lower, choices=("full", "diag", "spherical"), default=None,
                     help="covariance of each Gaussian component (default full)")
    seg.add_argument("--color-space", type=str.lower, choices=("rgb", "lab", "hsv", "ycbcr"), default=None,
                     help="colour space of the mixtures' features (default lab)")
    seg.add_argument("--position-weight", type=weight, default=None, metavar="W",
                     help="add the pixel position (x, y) to the colour features: positions are divided by the "
                          "photo's longer side (0..1 across it, whatever the resolution) and multiplied by W, while "
                          "each colour channel spans 0..1; so W = 1 makes crossing the whole photo count as much as "
                          "a colour channel's full range, W = 0.1 a tenth of it (default 0 = colour only)")
    seg.add_argument("--smoothing", type=str.lower, choices=("none", "graphcut"), default=None,
                     help="graphcut (default): spatially regularised; none: per-pixel Bayes rule")
    seg.add_argument("--smoothness", type=weight, default=None, help="weight of the graph cut's boundary cost (GrabCut's gamma; default 25): higher = smoother "
                          "edges, fewer islands; on a photo larger than 854 x 480 it is multiplied by the ratio "
                          "of the diagonals, so a larger copy keeps the balance the default was tuned at")
    seg.add_argument("--threshold", type=unit_float, default=None, help="foreground where p(fg|x) > T (default 0.5)")
    seg.add_argument("--distance-prior", type=weight, default=None, metavar="W",
                     help="weight (nats) of the lean towards the nearer scribble class (default 1, 0 = off)")
    seg.add_argument("--unexplained-weight", type=weight, default=None, metavar="W",
                     help="once both classes are marked and a background mark is a stroke (not clicks alone), "
                          "give the background a component for the photo's colours its marks do not explain "
                          "(W = 3 repairs a correct background stroke on one region turning other unmarked "
                          "regions foreground, but can take unmarked parts of a large object; default 0 = off; "
                          "docs/segmentation.md, 'Once background is marked')")
    seg.add_argument("--boundary-refine", type=weight, default=None, metavar="W",
                     help="after the cut, local colour models in windows along the mask's boundary (Video "
                          "SnapCut) re-decide the pixels within 10 px of it, W the weight of their log-likelihood ratio: the "
                          "default 2 took the click protocol's NoC@90 from 11.86 to 10.70 (DAVIS even half) "
                          "and 13.20 to 12.14 (odd); its cost grows with the photo: about the same CPU time on an "
                          "854 x 480 frame, 1.6x at 6.6 MP and 2.2x with +370 MB at 16 MP (6.3 -> 14.2 CPU-s, "
                          "0.76 -> 1.13 GB; one click, session 57); 0 = off (the cut alone, faster); "
                          "docs/clicks_development.md, 'Local classifiers along the boundary'")
    seg.add_argument("--fill-holes", action=argparse.BooleanOptionalAction, default=None,
                     help="fill background enclosed by foreground unless it holds a background scribble (default on)")
    seg.add_argument("--keep-connected", action=argparse.BooleanOptionalAction, default=None,
                     help="keep only foreground touching a foreground scribble (default on; "
                          "--keep-connected-gap also keeps some near it)")
    seg.add_argument("--keep-connected-gap", type=unit_float, default=None, metavar="F",
                     help="with --keep-connected, also keep foreground of confidently foreground colours "
                          "within F x the photo's diagonal of the kept foreground, not across background "
                          "marks: a part beyond a strap or pole across the object; 0.016 keeps the astronaut's "
                          "suit beyond its strap when drawn with a wide brush, but can add look-alike "
                          "clutter beside the object "
                          "(default 0 = only foreground touching a mark)")
    seg.add_argument("--seed", type=random_seed, default=None, help="random seed of the k-means initialisation (default 0)")
    seg.add_argument("--at-once", action="store_true",
                     help="fit all the marks at once, ignoring the order the window saved with them and the order "
                          "of --box and the clicks (by default "
                          "a marks file saved by the window is replayed click by click as the window fitted it, "
                          "which gives the mask the window showed; at once gave a worse mask on DAVIS after 10 "
                          "clicks, mean IoU 0.752 against 0.853)")
    seg.add_argument("--ignore-saved-settings", action="store_true",
                     help="use this command's defaults and flags only (by default the settings the window saved "
                          "with the marks, its components, covariance, colour space, graph cut on or off, "
                          "'Keep unmarked colours as background' and threshold, are used wherever no flag is given, so that "
                          "the mask is the one the window showed)")
    _add_max_megapixels(seg)
    seg.set_defaults(handler=_cmd_segment)


#: segment's options that mean nothing with --model (they shape the training of new mixtures,
#: or write the model that was given), with why, for the refusal.
_NOT_WITH_MODEL = {
    "components": ("-k/--components", "the model's mixtures are used as saved"),
    "covariance_type": ("--covariance-type", "the model's mixtures are used as saved"),
    "color_space": ("--color-space", "the model's features are used as saved"),
    "position_weight": ("--position-weight", "the model's features are used as saved"),
    "seed": ("--seed", "nothing is fitted"),
    "unexplained_weight": ("--unexplained-weight", "it acts when mixtures are fitted to marks"),
    "at_once": ("--at-once", "the marks are hard constraints, not fitted in any order"),
    "save_model": ("--save-model", "it would write the model given, unchanged"),
}


def _refuse_with_model(args: argparse.Namespace) -> None:
    """Refuse, in one line naming it, an option that means nothing with ``--model``."""
    for dest, (option, why) in _NOT_WITH_MODEL.items():
        if getattr(args, dest) not in (None, False):
            raise UserError(f"{option} has no effect with --model ({why}); leave it out, or drop --model "
                            "to fit new mixtures to the marks")


_SEGMENT_SUFFIXES = {"output": (".png",), "cutout": (".png", ".tif", ".tiff"), "probability": (".png", ".npy", ".tif", ".tiff"),
                     "save_scribbles": (".png",)}
_SEGMENT_OPTIONS = {"output": "-o/--output", "probability": "--probability", "cutout": "--cutout",
                    "save_model": "--save-model", "save_scribbles": "--save-scribbles"}


#: From this size on, ``segment`` says before the work that it takes a while.
LARGE_PHOTO_MEGAPIXELS = 20
#: From this many colours k-means' restarts run on (the distinct colours, or the pixels drawn:
#: segmix.quantize.kmeans_colours) times k on, ``quantize`` says before k-means that it takes a
#: while (78,000 x 2,000 took 22 s, 350,000 x 256 38 s before sampling, 78,000 x 300 a few seconds).
SLOW_QUANTIZE_WORK = 50_000_000
#: Seconds of k-means after which ``quantize`` says it is still at work when the size did not
#: predict it: iterations, not size alone, set the time (120,000 noise colours into 300, under
#: the threshold above, ran 19 s in silence; a photo's 78,000 into 300 a few seconds). Said on
#: a terminal only, as the progress bars are: whether it comes depends on the machine's load,
#: and a script's or a log's stderr must not.
SLOW_QUANTIZE_SECONDS = 5.0


def _loop_folder(folder: str) -> str:
    """``folder`` as a shell loop's words name it (quoted when it must be), without a trailing slash."""
    import shlex

    return shlex.quote(folder.rstrip("/") or "/")


def _photos_glob(folder: str, photos: list[str]) -> str | None:
    """The shell words that name just ``photos`` (paths in ``folder``, as a shell's glob gave
    them) in a loop: ``FOLDER/*`` when they are all of its photos, ``FOLDER/PREFIX*`` when
    their names' common beginning picks them alone (``in/a*.jpg`` expanded), their names
    one by one when they are few; None when none of these does (the loop then runs over the
    whole folder). The loop advised for ``quantize in/a*.jpg -k 4`` ran over every photo of
    ``in/``, those the user had left out too."""
    import shlex
    from pathlib import Path

    from segmix.io import IMAGE_SUFFIXES

    given = {Path(p).name for p in photos}
    try:
        held = {path.name for path in Path(folder).iterdir()
                if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()}
    except OSError:
        return None
    base = _loop_folder(folder)
    if given == held:
        return f"{base}/*"
    prefix = os.path.commonprefix(sorted(given))
    if prefix and {name for name in held if name.startswith(prefix)} == given and "*" not in prefix:
        # Quoted apart from the star, so that a prefix with spaces still globs.
        return f"{base}/{shlex.quote(prefix)}*"
    if len(photos) <= SHOWN_LEFTOVERS:
        return " ".join(shlex.quote(p) for p in photos)
    return None


def _photo_loop(folder: str, kind: str, command: str, own: str, out: str | None = None,
                photos: list[str] | None = None) -> str:
    """A shell loop (bash and POSIX sh alike) that runs ``command`` on each photo of ``folder``
    and writes its result to ``FOLDER_KIND/NAME.png``, another folder (or ``out/NAME.png``).

    One glob, ``FOLDER/*``, and a ``case`` of the suffixes held (:func:`_loop_suffixes`): a
    glob per suffix ran the command on the literal word ``q5/*.png`` where none was left
    (exit 2), and results written beside the photos (``${f%.*}_quantized.png``) were photos of
    the next run (``a_quantized_quantized.png``, a new user's trial). Results of the old loop
    (``*{own}.*``) are passed over. ``photos``: the photos the user named (a shell's glob),
    looped over alone where :func:`_photos_glob` can name them."""
    import shlex
    from pathlib import Path

    base = folder.rstrip("/")
    name = Path(base).name if base and base not in (".", "..") else ""
    out = _loop_folder(out if out else f"{base}_{kind}" if name else kind)
    arms = "|".join(f"*{suffix}" for suffix in _loop_suffixes(folder))
    words = _photos_glob(folder, photos) if photos else None
    every = f" (it runs on every photo in {folder.rstrip('/') or '/'}/)" if photos and words is None else ""
    words = words or f"{_loop_folder(folder)}/*"
    # Photos of one name in two formats (053.jpg, 053.png) wrote one result over the other:
    # their results then keep the format in their names (053_jpg.png, 053_png.png).
    name = '"${n%.*}_${n##*.}.png"' if _stems_repeat(folder) else '"${n%.*}.png"'
    return (f"mkdir -p {out} && for f in {words}; do case \"$f\" in *{shlex.quote(own)}.*) ;; {arms}) "
            f"n=${{f##*/}}; {command} -o {out}/{name};; esac; done{every}")


def _stems_repeat(folder: str) -> bool:
    """Whether two photos of ``folder`` share a name but for their extension."""
    from pathlib import Path

    from segmix.io import IMAGE_SUFFIXES

    try:
        stems = [path.stem for path in Path(folder).iterdir() if path.suffix.lower() in IMAGE_SUFFIXES]
    except OSError:
        return False
    return len(stems) != len(set(stems))


def _loop_suffixes(folder: str) -> list[str]:
    """The suffixes of the photos ``folder`` holds, as they are spelt (``.jpg`` when none): a
    folder of PNG photos was given a loop over ``*.jpg``, a mixed one its JPEGs alone."""
    from pathlib import Path

    from segmix.io import IMAGE_SUFFIXES

    try:
        found = sorted({path.suffix for path in Path(folder).iterdir()
                        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()})
    except OSError:
        found = []
    return found or [".jpg"]


def _cmd_segment(args: argparse.Namespace) -> int:
    import warnings
    from dataclasses import replace
    from pathlib import Path

    from segmix.io import load_image_info, load_scribbles, save_cutout, save_mask, save_probability, use_one_of
    from segmix.own_outputs import refuse_foreign_files
    from segmix.transparency import outline_free_colours, transparent_pixels, transparent_share
    from segmix.palette import segmentation_pixels
    from segmix.segment import SegmentationSettings, segment

    # The photo not there, or a folder: said before the outputs' and options' refusals.
    problem = _basic_input_problem("segment", args)
    if problem:
        raise UserError(problem)
    if args.model is not None:
        _refuse_with_model(args)  # before any file is read
    if args.keep_hidden_colours and args.cutout is None:
        raise UserError("--keep-hidden-colours keeps the colours under a cut-out's transparent pixels: give it "
                        "with --cutout CUT.png")
    inputs = tuple(path for path in (args.image, args.scribbles, args.model) if path is not None)
    outputs = {"output": args.output, "probability": args.probability, "cutout": args.cutout,
               "save_model": args.save_model, "save_scribbles": args.save_scribbles}
    # Refuse bad output paths before the work, not after it; a folder as a folder.
    _refuse_folder_outputs((_SEGMENT_OPTIONS[key], path) for key, path in outputs.items())
    _refuse_input_outputs(inputs, ((_SEGMENT_OPTIONS[key], path) for key, path in outputs.items()))
    for key, path in outputs.items():
        if path is None:
            continue
        allowed = _SEGMENT_SUFFIXES.get(key, (".json",))
        if key != "save_model" and Path(path).suffix.lower() not in allowed:
            # A cut-out is PNG or TIFF whatever the photo's depth: README's words ("JPEG and WebP
            # hold no 16-bit alpha") read as if an 8-bit photo's WebP cut-out were written.
            why = " (cut-outs are RGBA PNG or TIFF, of 8-bit photos too)" if key == "cutout" else ""
            if key == "output":
                # "use .png" alone, while --probability takes .npy and .tif, read as arbitrary
                # (a new user's -o mask.tif / .npy / .bmp / .webp).
                why = (" (masks are 8-bit greyscale PNG of 0 / 255: lossless, read alike by Pillow, OpenCV, "
                       "scikit-image and image editors, and carrying segment's mark, so a rerun may replace "
                       "them; convert afterwards if another format is needed, e.g. Pillow "
                       "Image.open('mask.png').save('mask.tif'), or numpy.asarray(Image.open('mask.png')) > 0 "
                       "for a bool array; --probability writes .npy and .tif)")
            raise UserError(f"{path}: unsupported extension for {_SEGMENT_OPTIONS[key]}; {use_one_of(allowed)}{why}")
    # A folder or a missing folder as any output must stop the run before the mask is written,
    # not leave the mask behind and fail on the second file.
    _check_outputs(inputs, {_SEGMENT_OPTIONS[key]: path for key, path in outputs.items()})
    _check_json_name("--save-model", args.save_model)
    # A file segment did not write (a photo, marks saved from the window) is not replaced
    # unless --overwrite says so; one it wrote carries its mark, so a rerun works.
    refuse_foreign_files(((_SEGMENT_OPTIONS[key], path) for key, path in outputs.items()), "segment",
                         args.overwrite)
    _refuse_marks_files(outputs, args.overwrite)
    overrides = {field: getattr(args, dest) for field, (dest, _) in _SETTING_OPTIONS.items()}
    if args.keep_connected is False and args.keep_connected_gap:  # 0 is the default: nothing to refuse
        raise UserError("--keep-connected-gap is keep-connected's exception: it has no effect with --no-keep-connected")
    model = None
    if args.model is not None:
        from segmix.segment_modelfile import DISPLAY_SETTINGS, apply_settings, read_segmentation_model

        model = read_segmentation_model(args.model)  # before the photo: a bad model is one line, at once
        from segmix.segment_modelfile import newer_model_note

        newer = None if args.quiet else newer_model_note(args.model, model)
        if newer:  # a newer segmix's model, or settings this one ignores, were applied in silence
            print(f"segmix segment: note: {newer}", file=sys.stderr)
        settings = apply_settings(model, {k: overrides[k] for k in DISPLAY_SETTINGS},
                                  {k: v for k, v in overrides.items() if k not in DISPLAY_SETTINGS})
    else:
        settings = replace(SegmentationSettings(), **{k: v for k, v in overrides.items() if v is not None})
        settings.validate()
    loaded = load_image_info(args.image, _max_pixels(args))
    image = loaded.pixels
    _refuse_normalised(args, image.shape[1], image.shape[0])
    # A ground-truth mask given as the photo was segmented with only "the marks hold 2
    # distinct colours" to say (a new user); skin apply asks, so does segment, and of a
    # probability map segmix wrote too (the window says the same).
    from segmix.own_outputs import output_given_as_photo

    from segmix.labelmaps import label_map_values, label_map_words, palette_label_values

    labels_only = label_map_values(image) or palette_label_values(args.image, loaded.mode)
    if labels_only is not None:
        # Refused, not warned: the picture shows all black, and no mask of it can mean anything
        # (a trial's scribbles from another tool, segmented with exit 0 and no word).
        raise UserError(f"{args.image}: " + label_map_words(
            labels_only, f"give it with --scribbles beside the photo it belongs to: segmix segment PHOTO "
                         f"--scribbles {args.image} -o mask.png"))
    not_a_photo = output_given_as_photo(args.image, image, loaded.mode, bits_per_sample=loaded.bits_per_sample)
    if not_a_photo is not None:
        print(f"segmix segment: warning: {args.image}: {not_a_photo}", file=sys.stderr)
    order = None
    pointed = args.box is not None or bool(args.clicks)  # marks by coordinates
    if args.scribbles is None:
        # The window's labels when nothing is marked: zeros, not None (apply_model differs).
        import numpy as np

        scribbles = np.zeros(image.shape[:2], np.uint8)
    else:
        scribbles = load_scribbles(args.scribbles, image.shape[:2], photo=args.image)
        from segmix.labelmaps import stored_marks_words

        # Marks drawn on a turned photo's stored pixels, of the size of the upright photo (a
        # half turn, a mirror, a square photo's quarter turn): segmented misaligned in silence.
        # Warned, not refused: colour alone also fits 0.6 % of correct marks better turned.
        stored = stored_marks_words(args.scribbles, scribbles, image, args.image)
        if stored:
            print(f"segmix segment: warning: {stored}", file=sys.stderr)
        from segmix.labelmaps import grabcut_start_words

        grabcut = grabcut_start_words(scribbles, args.scribbles)
        if grabcut:
            print(f"segmix segment: warning: {grabcut}", file=sys.stderr)
        from segmix.mark_settings import other_photo_note

        # Marks saved on another photo of this size (the window's and --save-scribbles' files
        # record it): applied in silence, the final check of session 33 found, as the window did.
        other_photo = other_photo_note(args.scribbles, args.image, image)
        if other_photo:
            print(f"segmix segment: note: {other_photo}", file=sys.stderr)
        from segmix.io import saved_marks_photo

        if saved_marks_photo(args.scribbles).get("mode") == "skin":
            # The window's Skin mode marks (Save All writes them beside Segment mode's, as
            # PHOTO_skin_scribbles.png) were read as object / background in silence; the
            # window's File > Load Scribbles says so.
            print(f"segmix segment: warning: {args.scribbles}: holds the window's Skin mode marks (skin / non-skin), "
                  "read here as object / background; Segment mode's marks of the photo are in its other file "
                  "(Save All writes PHOTO_scribbles.png beside PHOTO_skin_scribbles.png)", file=sys.stderr)
        from segmix.mark_settings import marks_model

        shown_with = marks_model(args.scribbles) if model is None else None
        if shown_with:
            # Marks saved while a loaded model made the mask: fitted here, they gave another
            # mask than the one shown, without a word (session 37). "Made with them": the marks
            # may come from `segment --model --save-scribbles`, where nothing was shown.
            print(f"segmix segment: note: {args.scribbles}: these marks were saved with the mask of the loaded "
                  f"model {shown_with} (the marks its hard constraints); they are fitted here instead, so the "
                  f"mask differs from the one made with them: add --model {shown_with} for that one", file=sys.stderr)
        if model is None:
            refusal = None if pointed else scribble_refusal(scribbles)  # the box and clicks may mend it
            if refusal:
                raise UserError(f"{args.scribbles}: {refusal}")
            order = None if args.at_once else _saved_mark_order(args.scribbles, scribbles, args.quiet)
            if not pointed:
                from segmix.labelmaps import mask_like_marks

                # A 0 / 1 mask was taken as foreground marks in silence (a 0 / 255 one is
                # refused): warned, the work still done.
                mask_like = mask_like_marks(scribbles, args.scribbles)
                if mask_like:
                    print(f"segmix segment: warning: {args.scribbles}: {mask_like}", file=sys.stderr)
    if pointed:
        from segmix.clicks import click_radius, disc_shape

        # the disc the window paints: sized by the photo inside its bars of one colour, if any
        scribbles, order = _with_point_marks(args, scribbles, order, transparent_pixels(loaded.alpha),
                                             click_radius(disc_shape(image)))
        from segmix.labelmaps import turned_coordinates_note

        # A turned photo's stored-frame coordinates that land on the upright photo were misread
        # in silence (DAVIS 090 with tag 6, --click 250,433: IoU 0.009): said whenever given.
        turned = turned_coordinates_note(args.image, image.shape[1], image.shape[0], args.box,
                                         [(option, getattr(x, "value", x), getattr(y, "value", y))
                                          for _, x, y, option in args.clicks or ()])
        if turned:
            print(f"segmix segment: note: {turned}", file=sys.stderr)
        if model is None:
            refusal = _clicks_cover_photo(args, scribbles) or scribble_refusal(scribbles)
            if refusal:
                raise UserError(f"the marks ({_marks_words(args)}): {refusal}")
        if args.at_once or model is not None:
            order = None
    if args.scribbles is not None and not args.ignore_saved_settings:
        # With a model, the window takes only the graph cut and the threshold from the marks.
        settings = _with_saved_settings(args.scribbles, scribbles, settings, overrides,
                                        only=None if model is None else DISPLAY_SETTINGS)
    if model is not None:
        _say_model_display_settings(args.model, model.settings, settings, overrides)
    _say_cut_options_unused(settings, overrides)
    megapixels = image.shape[0] * image.shape[1] / 1e6
    if megapixels >= LARGE_PHOTO_MEGAPIXELS and settings.smoothing != "none" and not args.quiet:
        # segment has no progress to show (one fit, one cut): a trial waited minutes on a
        # 144-megapixel photo with nothing on the terminal and took it for a hang. The figures
        # were measured in session 45 (docs/performance.md); "half a minute" before was not.
        print(f"segmix segment: note: {args.image}: a {megapixels:.0f}-megapixel photo; the graph cut takes a while "
              "(at 36 megapixels about 45 s of processor time, 2 to 4 minutes on a 2-core machine busy with "
              "other work; more above 100; --smoothing none is several times faster)", file=sys.stderr, flush=True)
    # A palette photo is segmented low-passed, as in the window (segmix.palette); read-only, as
    # the window's photos are: Numba compiles a kernel once per argument type and a read-only
    # array is another type, so the window's warm-up also warms this command (a first run
    # after it compiled the writable variants again, with the first-run notice).
    import numpy as np

    pixels = np.ascontiguousarray(segmentation_pixels(loaded), dtype=np.uint8)  # no copy for a loaded photo
    pixels.setflags(write=False)
    transparent = transparent_pixels(loaded.alpha)
    if transparent is not None and not args.quiet:
        # A cut-out's hidden pixels keep colours nobody sees (segmix's own keep the photo's
        # background): a trial's transparent pixels came out foreground, and opaque in the cut-out.
        print(f"segmix segment: note: {args.image}: {100 * transparent_share(loaded.alpha):.0f} % of the photo is "
              "transparent: those pixels are background" + ("" if model is not None else
                                                             " and teach the colour models nothing")
              + (", and stay transparent in the cut-out" if args.cutout else ""), file=sys.stderr)
    if transparent is not None and model is None and not args.quiet:
        from segmix.transparency import hidden_edge_words

        edge = hidden_edge_words(transparent, scribbles)
        if edge:
            print(f"segmix segment: note: {args.image}: {edge} (--background-click X,Y or --scribbles)", file=sys.stderr)
    if transparent is not None and args.scribbles is not None and model is None and not (scribbles[~transparent]).any():
        raise UserError(f"{args.scribbles}: every mark lies on transparent pixels of {args.image}, which count as "
                        "background: mark what the photo shows")
    helper = _start_graph_cut_compile(image.shape[0] * image.shape[1], settings)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if model is not None:
                from segmix.segment import apply_model

                # As the window applies a loaded model (segmix.gui.modes.segment): no previous
                # result, the marks as hard constraints.
                result = apply_model(pixels, model, scribbles, settings, transparent=transparent)
            else:
                try:
                    if order is not None:
                        from segmix.mark_steps import steps_result

                        result = steps_result(pixels, scribbles, order, settings, alpha=loaded.alpha)
                    else:
                        result = segment(pixels, scribbles, settings, transparent=transparent)
                except ValueError as exc:
                    raise UserError(_marks_refusal(str(exc), args, pointed)) from None
    finally:
        if helper is not None and helper.poll() is None:
            helper.terminate()  # this process compiled what it needed itself
            helper.wait()
    from segmix.segment import (BoxKeptLittleWarning, EmptyMaskWarning, GrabCutMarksWarning, MarksOnlyWarning,
                                MaskLikeMarksWarning, NoObjectMarkedWarning)

    for warning in caught:
        if issubclass(warning.category, (NoObjectMarkedWarning, EmptyMaskWarning, MaskLikeMarksWarning,
                                         GrabCutMarksWarning, MarksOnlyWarning, BoxKeptLittleWarning)):
            # Said here naming the marks file and the options (no_object_warning,
            # no_foreground_words, mask_like_marks, grabcut_start_words), by the same rules.
            continue
        print(f"segmix segment: warning: {warning.message}", file=sys.stderr)
    with _all_or_nothing(*outputs.values()):
        # Each file carries segment's mark (segmix.own_outputs), so that a rerun may replace it.
        save_mask(args.output, result.mask, protect=inputs, mark="segment", dpi=loaded.dpi)
        if args.probability:
            save_probability(args.probability, result.probability, protect=inputs, mark="segment", dpi=loaded.dpi)
        cutout_bits = 8
        if args.cutout:
            # A 16-bit photo's cut-out holds its 16-bit samples (segmix.deep_pixels).
            cutout_bits = save_cutout(args.cutout, image, result.mask, protect=inputs, source_alpha=loaded.alpha,
                                      mark="segment", icc_profile=loaded.icc_profile, dpi=loaded.dpi, photo=args.image,
                                      keep_hidden_colours=args.keep_hidden_colours)
        if args.save_model:
            from segmix.modelfile import write_model

            write_model(args.save_model, result.model.to_segmix_model(), protect=inputs)
        if args.save_scribbles:
            _save_marks(args.save_scribbles, scribbles, order, settings, inputs, args.image, image,
                        model=None if model is None else os.path.basename(args.model))
    if model is None and not args.quiet:
        from segmix.segment import grey_box_texture_used

        if grey_box_texture_used(result.model, settings):
            from segmix.features import grey_within

            # A sepia photo was called "a greyscale photo" (the recheck of session 38).
            kind = "greyscale" if grey_within(image, 2) else "toned black-and-white"
            print(f"segmix segment: note: {args.image} is a {kind} photo: the box's models learn its texture "
                  "beside the grey level (grey levels alone tell the object in a box poorly)", file=sys.stderr)
        else:
            from segmix.features import grey_within

            # A photo, not a drawing of a few flat greys (whose warnings say what matters there).
            if grey_within(image, 2) and np.count_nonzero(np.bincount(image[..., 0].reshape(-1), minlength=256)) >= 32:
                # A new user's greyscale copy of DAVIS 000 gave IoU 0.34 (0.83 in colour) without
                # a word: the models had only brightness to go on.
                print(f"segmix segment: note: {args.image} is a greyscale photo: the models tell the object "
                      "by grey level alone, so background of the object's greys goes with it; mark such "
                      "parts background", file=sys.stderr)
    if not args.quiet:
        from segmix.photo_bars import bars_words
        from segmix.segment import bars_box

        # on the colours the cut sees (a transparent strip's hidden colours are none of them)
        bars = bars_box(outline_free_colours(pixels, transparent), scribbles)
        if bars is not None:
            # With clicks alone the photo's border was the background's evidence, and that
            # border was the bars: one click filled the ground without a word (segmix.photo_bars).
            print(f"segmix segment: note: {args.image}: {bars_words(bars, pixels.shape[:2], transparent)}",
                  file=sys.stderr)
    if model is None and not args.quiet and args.clicks:
        from segmix.result_notes import CLICKED_PIXELS_WORDS, clicked_pixels_alone

        if clicked_pixels_alone(result.mask, scribbles):
            # Under 8 px a click marks its pixel alone (clicks.click_radius), so the object's
            # colour model is a pixel or two, and the cut kept only the clicked pixels (a 3 x 3
            # object of a 6 x 6 photo: 1 pixel, at once or click by click) without a word.
            height, width = image.shape[:2]
            print(f"segmix segment: note: {args.image} is {width} x {height} px: {CLICKED_PIXELS_WORDS}, or "
                  "give the marks as --scribbles LABELS.png", file=sys.stderr)
    if args.cutout:
        from segmix.io import cutout_depth_note

        depth = None if args.quiet else cutout_depth_note(args.image, loaded.bits_per_sample, written=cutout_bits)
        if depth:  # a note (what the photo holds): not with --quiet
            print(f"segmix segment: note: {depth}", file=sys.stderr)
    if args.save_scribbles:
        not_kept = _options_not_kept_with_marks(overrides)
        if not_kept:
            # A new-user check: --smoothness 10 with --save-scribbles, then --scribbles alone
            # gave another mask (3,087 pixels), without a word.
            print(f"segmix segment: warning: {args.save_scribbles} keeps the marks, their order and the window's "
                  f"settings, not {', '.join(not_kept)}: give {'it' if len(not_kept) == 1 else 'them'} again with "
                  f"--scribbles {args.save_scribbles} to get this mask", file=sys.stderr)
    share = 100.0 * result.mask.mean()
    unexplained = ""
    if model is None:  # the share of the marks' training; a loaded model's marks trained nothing
        from segmix.unexplained import unmarked_foreground_share

        unexplained, warning = unexplained_report(
            result.model.settings, result.model.training, given=args.unexplained_weight is not None,
            foreground_share=unmarked_foreground_share(result.mask, scribbles))
        if warning:
            print(f"segmix segment: warning: {warning}", file=sys.stderr)
    tiny = _tiny_box_words(scribbles) if args.box is not None and model is None else None
    if tiny and result.mask.any():
        # A small box alone is cut with little smoothing (session 58), so a 2 x 2 box keeps its
        # inside: still too few pixels to have learnt colours from, which the user is told.
        print(f"segmix segment: warning: {args.output}: {tiny}", file=sys.stderr)
    elif not result.mask.any():
        # A trial's box came out empty with only "0.0% foreground" to show for it.
        from segmix.segment import no_foreground_words

        # The library's rule and words (EmptyMaskWarning), with the command's options.
        names = {"why": ("the model calls no unmarked colour of this photo foreground; mark part of the object (1) "
                         "with --scribbles, or try a lower --threshold" if model is not None else
                         "nothing unmarked was told apart from the background; "
                         + ("click the object (--click X,Y)"
                            + (", or draw the box closer round it" if args.box is not None else "")
                            if pointed else "mark part of the object (1), or fewer pixels background (2)")),
                 # "(1)" is the window's key and the marks file's label: a box's or a click's
                 # user is told the option.
                 "mark": ("mark part of the object (1) with --scribbles" if model is not None
                          else "click part of the object (--click X,Y)" if pointed else "mark part of the object (1)"),
                 "probability": "--probability", "smoothness": "--smoothness",
                 "lower": "a lower --smoothness or --smoothing none"}
        # A box too small to learn from says so whatever its posterior did (the cut's words then
        # pointed to the smoothness).
        words = f"no pixel came out foreground: {tiny}" if tiny else no_foreground_words(result, settings, names, scribbles)
        print(f"segmix segment: warning: {args.output}: {words}", file=sys.stderr)
    elif model is None and (little := _box_kept_little(args, result, scribbles)):
        print(f"segmix segment: warning: {little}", file=sys.stderr)
    elif settings.smoothing != "none" and (marks_only := _marks_only_warning(args, result, scribbles, settings,
                                                                             transparent, pointed)):
        print(f"segmix segment: warning: {marks_only}", file=sys.stderr)
    elif model is None:
        unmarked_object = no_object_warning(args.scribbles if not pointed else f"the marks ({_marks_words(args)})",
                                            scribbles)
        if unmarked_object and pointed:
            unmarked_object += " (--click X,Y on it)"  # the words above are those of a marks file
        if unmarked_object:
            print(f"segmix segment: warning: {unmarked_object}", file=sys.stderr)
    replayed = ""
    if order is not None:
        from segmix.mark_steps import count_steps

        steps = count_steps(order)
        # One step is a fit at once: nothing was replayed ("replayed 1 step" after one click).
        replayed = f"; replayed {steps} steps in the order they were marked" if steps > 1 else ""
    if model is not None:
        replayed = f"; model {args.model} applied" + (", the marks as hard constraints" if scribbles.any() else "")
    amount = f"{share:.1f}% foreground"
    if 0 < share < 0.05:
        # "0.0% foreground" read as an empty mask: a trial's click and an overlapping background
        # click left 20 pixels, and no "no pixel came out foreground" warning came.
        n_pixels = int(np.count_nonzero(result.mask))
        amount = f"{n_pixels:,} pixel{'s' if n_pixels != 1 else ''} foreground, under 0.1%"
    print(f"wrote {args.output} ({image.shape[1]} x {image.shape[0]}, {amount}"
          + (f"; {unexplained}" if unexplained else "") + replayed + ")")
    for path in (args.probability, args.cutout, args.save_model, args.save_scribbles):
        if path:
            print(f"wrote {path}")  # as background and skin train name each file they write
    return 0


def _box_kept_little(args, result, scribbles) -> str | None:
    """The warning for a --box whose mask keeps almost none of the box's inside, or None (the
    library's rule and words, segmix.segment.box_kept_little_words, with the command's options)."""
    from segmix.segment import box_kept_little_words

    if args.box is None or scribbles is None:
        return None
    words = box_kept_little_words(result.mask, scribbles,
                                  "click the object (--click X,Y), or draw the box closer round it")
    return None if words is None else f"{args.output}: {words}"


def _marks_only_warning(args, result, scribbles, settings, transparent, pointed) -> str | None:
    """The warning for a mask that is little more than the foreground marks while the
    per-pixel decision calls much more foreground (:mod:`segmix.result_notes`), or None."""
    from segmix.result_notes import marks_only_words

    # The library's rule and words (MarksOnlyWarning), with the command's options.
    advice = ("click more of the object (--click X,Y), or what is not the object (--background-click X,Y)" if pointed
              else "mark more of the object (1), or background (2) beside it")
    words = marks_only_words(result.mask, scribbles, result.probability, settings.threshold, transparent, advice)
    return None if words is None else f"{args.output}: {words}"


def _say_model_display_settings(path, saved, used, overrides) -> None:
    """Say on stderr when the model in ``path`` was saved with another graph cut on / off or
    threshold than it is applied with. The window's rule applies a loaded model with its own
    graph-cut box and threshold slider, so the command's defaults (or flags, or the marks')
    hold: a trial's model saved with ``--smoothing none --threshold 0.7`` gave 56.4 %
    foreground applied alone, 22.7 % with the flags again, and nothing said why."""
    flags = {"smoothing": "--smoothing", "threshold": "--threshold"}
    differ = [name for name in flags if overrides.get(name) is None and getattr(saved, name) != getattr(used, name)]
    if not differ:
        return

    def words(settings, name):
        if name == "smoothing":
            return "the graph cut" if settings.smoothing == "graphcut" else "no graph cut (--smoothing none)"
        return f"threshold {settings.threshold:g}"

    again = " ".join(f"{flags[name]} {getattr(saved, name):g}" if name == "threshold" else
                     f"{flags[name]} {getattr(saved, name)}" for name in differ)
    print(f"segmix segment: note: {path} was saved with {' and '.join(words(saved, n) for n in differ)}; it is "
          f"applied with {' and '.join(words(used, n) for n in differ)}, as the window's File > Load Model applies "
          f"a model (its graph-cut box and threshold slider): give {again} to apply it as saved", file=sys.stderr)


def _with_saved_settings(path, scribbles, settings, overrides, only=None):
    """``settings`` with the window's settings saved in the marks file ``path`` wherever no
    flag was given (``overrides``' None values), said in one line on stderr when they change
    anything; a damaged record is one warning line and the command's own settings. ``only``:
    the names of the saved settings to use (all when None; with ``--model`` the graph cut and
    the threshold, as the window uses them with a loaded model)."""
    from dataclasses import replace

    from segmix.mark_settings import describe_settings, read_mark_settings

    record, why = read_mark_settings(path, scribbles)
    if why is not None:
        print(f"segmix segment: warning: {path}: the settings saved with the marks are not used ({why}); "
              "using this command's defaults and flags", file=sys.stderr)
        return settings
    if record and only is not None:
        record = {k: v for k, v in record.items() if k in only}
    if not record:
        return settings
    used = {k: v for k, v in record.items() if overrides.get(k) is None and getattr(settings, k) != v}
    if not used:
        return settings
    settings = replace(settings, **used)
    settings.validate()
    flags = {"n_components": "--components", "covariance_type": "--covariance-type", "color_space": "--color-space",
             "smoothing": "--smoothing", "unexplained_weight": "--unexplained-weight", "threshold": "--threshold"}
    overridden = [flags.get(k, k) for k in record if overrides.get(k) is not None]
    note = "; the flags given here took precedence: " + ", ".join(overridden) if overridden else ""
    print(f"segmix segment: note: {path}: using the settings saved with the marks ({describe_settings(used)}{note}; "
          "--ignore-saved-settings uses the defaults)", file=sys.stderr)
    return settings


def _refuse_marks_files(outputs: dict, overwrite: bool) -> None:
    """Refuse a marks file as a mask, probability map or cut-out of ``segment`` (``outputs``:
    key -> path), unless ``overwrite``. One that ``--save-scribbles`` wrote carries segment's
    mark, so that a rerun replaces it, and a later ``-o marks.png`` replaced the marks with a
    mask as well (a new-user check); only ``--save-scribbles`` may."""
    import os

    from segmix.own_outputs import marks_file

    for key, path in outputs.items():
        if path and key != "save_scribbles" and not overwrite and os.path.isfile(path) and marks_file(path):
            raise UserError(f"{_SEGMENT_OPTIONS[key]} {path}: is a marks (scribbles) file saved by segmix, not "
                            "replaced by another kind of file; give another name, or add --overwrite")


def _save_marks(path, scribbles, order, settings, inputs, photo, image, model=None) -> None:
    """segment's marks as the window saves them (File > Save Scribbles): the labels, their order
    map (one step when fitted at once), the window's settings and the photo they are of
    (``photo``'s name and ``image``'s pixel digest, and ``model``'s file name when a loaded model
    gave the mask: a later ``--scribbles`` without it says so), with segment's mark (a rerun may
    replace the file)."""
    from segmix.io import OUTPUT_MARK_KEY, output_mark, save_labels
    from segmix.mark_order import fresh_order
    from segmix.mark_settings import PHOTO_KEY, photo_record, settings_record, settings_texts

    texts = {**settings_texts(settings_record(settings)), OUTPUT_MARK_KEY: output_mark("segment")[1],
             PHOTO_KEY: photo_record(photo, image, model=model)}
    save_labels(path, scribbles, protect=inputs, order=fresh_order(scribbles) if order is None else order,
                texts=texts)


#: segment's options by the SegmentationSettings field they set: (argparse dest, option), for
#: the settings of a run and what saved marks do not keep.
_SETTING_OPTIONS = {
    "n_components": ("components", "-k/--components"), "covariance_type": ("covariance_type", "--covariance-type"),
    "color_space": ("color_space", "--color-space"), "position_weight": ("position_weight", "--position-weight"),
    "smoothing": ("smoothing", "--smoothing"), "smoothness": ("smoothness", "--smoothness"),
    "threshold": ("threshold", "--threshold"), "random_state": ("seed", "--seed"),
    "distance_prior": ("distance_prior", "--distance-prior"), "fill_holes": ("fill_holes", "--[no-]fill-holes"),
    "keep_connected": ("keep_connected", "--[no-]keep-connected"),
    "keep_connected_gap": ("keep_connected_gap", "--keep-connected-gap"),
    "unexplained_weight": ("unexplained_weight", "--unexplained-weight"),
    "snapcut_weight": ("boundary_refine", "--boundary-refine"),
}


#: The settings only the graph cut and its clean-ups use (segment.apply_model): with the per-pixel
#: rule (``--smoothing none``) they change nothing.
_CUT_ONLY_SETTINGS = ("smoothness", "distance_prior", "snapcut_weight", "fill_holes", "keep_connected",
                      "keep_connected_gap")


def _say_cut_options_unused(settings, overrides: dict) -> None:
    """Warn of the cut's options given (``overrides``) to a run without the graph cut: a trial's
    ``--smoothing none --smoothness 10 --no-fill-holes`` gave the per-pixel rule's mask, the
    same to the pixel as without them, without a word (``--keep-connected-gap`` with
    ``--no-keep-connected`` is refused; ``--unexplained-weight`` says when it did nothing)."""
    if settings.smoothing != "none":
        return
    given = [_SETTING_OPTIONS[field][1].replace("[no-]", "" if overrides[field] is True else "no-")
             for field in _CUT_ONLY_SETTINGS if overrides.get(field) is not None]
    if not given:
        return
    off = ("--smoothing none" if overrides.get("smoothing") == "none"
           else "the graph cut off (the setting saved with the marks; --smoothing graphcut turns it on)")
    print(f"segmix segment: warning: {', '.join(given)} {'has' if len(given) == 1 else 'have'} no effect with {off}: "
          "the per-pixel rule p(fg | colour) > T has no graph cut, clean-ups or boundary refinement", file=sys.stderr)


def _options_not_kept_with_marks(overrides: dict) -> list[str]:
    """The options given (``overrides``: settings field -> value, None when not given) that a
    marks file does not keep (segmix.mark_settings keeps the window's settings only)."""
    from segmix.mark_settings import WINDOW_SETTINGS

    return [_SETTING_OPTIONS[field][1] for field, value in overrides.items()
            if value is not None and field not in WINDOW_SETTINGS]


def _marks_refusal(text: str, args, pointed: bool) -> str:
    """The fit's refusal of the marks (``segmix.segment``'s words, the window's: "no background
    scribbles: paint some background pixels") as one line naming the marks' file or options and
    the option that adds what is missing: a trial's click and background click on a drawing were
    told to "paint" with neither named."""
    source = f"the marks ({_marks_words(args)})" if pointed else args.scribbles
    for name, label, option in (("background", 2, "--background-click X,Y"), ("foreground", 1, "--click X,Y")):
        text = text.replace(f"no {name} scribbles", f"nothing is marked {name}")  # a click is no scribble
        for paint in (f"paint some {name} pixels first", f"paint some {name} pixels"):
            if text.endswith(paint):
                how = f"mark some {name} ({label}) in the scribbles" if args.scribbles else ""
                if pointed or not args.scribbles:
                    how = f"{how}, or give {option}" if how else f"give {option}"
                text = text[: -len(paint)] + how
                break
    return f"{source}: {text}"


def _marks_words(args) -> str:
    """The options that gave segment's marks, for a message ("--scribbles m.png, --box, 2 clicks")."""
    words = [f"--scribbles {args.scribbles}"] if args.scribbles else []
    if args.box is not None:
        words.append("--box")
    n_clicks = len(args.clicks or ())
    if n_clicks:
        words.append(f"{n_clicks} click{'s' if n_clicks != 1 else ''}")
    return ", ".join(words)


def _clicks_cover_photo(args, scribbles) -> str | None:
    """Words for clicks whose discs cover every pixel of a tiny photo one class, or None.

    The general words, "leave the pixels to classify unmarked (0) and mark some background
    (2)", are a label file's: a 3 x 3 photo clicked once (a 5 px disc) got them, with no
    word of the disc, and no click can leave a pixel of it unmarked (as the window says)."""
    import numpy as np

    from segmix.clicks import click_radius, paint_disc
    from segmix.segment import BACKGROUND, FOREGROUND

    if not args.clicks or scribbles.size == 1:  # a single pixel: scribble_refusal's words
        return None
    discs = np.zeros(scribbles.shape, np.uint8)
    for _, x, y, _ in args.clicks:
        paint_disc(discs, int(y), int(x), 1, click_radius(scribbles.shape))
    if not discs.all():
        return None  # other marks (a label file's) cover the rest: the general words
    for label, name in ((FOREGROUND, "foreground"), (BACKGROUND, "background")):
        if (scribbles == label).all():
            height, width = scribbles.shape
            radius = click_radius(scribbles.shape)
            # One click cannot cover a photo (click_radius: at most an eighth of a photo's
            # shorter side under 40 px, the clicked pixel alone under 8 px; 1 x 1 is refused
            # before), so several clicks do.
            if radius < 1:  # a photo under 8 px across marks the clicked pixel alone (click_radius)
                what = f"the clicks mark one pixel each, and cover all of this {width} x {height} photo"
            else:
                what = f"the clicks' discs ({radius:.0f} px radius each) cover all of this {width} x {height} photo"
            return (f"every pixel is marked {name} ({label}): {what}; on so small a photo give the marks as "
                    "--scribbles LABELS.png (0 unmarked, 1 foreground, 2 background) instead")
    return None


def _disc_transparent(transparent, x: int, y: int) -> bool:
    """Whether the click disc at (x, y) (the window's radius) lies wholly on ``transparent`` pixels."""
    from segmix.clicks import click_radius, disc_offsets

    height, width = transparent.shape
    dy, dx = disc_offsets(click_radius(transparent.shape))
    rows, cols = dy + int(y), dx + int(x)
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    return bool(transparent[rows[inside], cols[inside]].all())


def _disc_keeps(labels, x: int, y: int, label: int) -> bool:
    """Whether any pixel of the click disc at (x, y) (the window's radius) still holds ``label``."""
    from segmix.clicks import click_radius
    from segmix.point_marks import disc_keeps

    return disc_keeps(labels, x, y, label, click_radius(labels.shape))


def _with_point_marks(args, scribbles, order, transparent=None, radius=None):
    """``scribbles`` and their order map with ``--box`` and the clicks added, one step each
    (segmix.point_marks); a box or click the photo cannot take is refused naming the option, and
    foreground marks of ``--scribbles`` that the box turns background are warned about."""
    import numpy as np

    from segmix.point_marks import add_point_marks

    from segmix.point_marks import click_pixel

    height, width = scribbles.shape
    clicks = []
    for label, x, y, option in args.clicks or ():
        column, row = click_pixel(getattr(x, "value", x), width), click_pixel(getattr(y, "value", y), height)
        if column is None or row is None:
            from segmix.labelmaps import turned_photo_words

            raise UserError(f"{option} {x},{y}: lies outside the {width} x {height} photo "
                            f"(x 0-{width - 1}, y 0-{height - 1}, from the top-left corner)"
                            + turned_photo_words(args.image, width, height))
        # The far edge's half pixel (W - 0.5) is the last pixel, as -0.5 is the first.
        clicks.append((label, Coordinate(column, str(x), float(getattr(x, "value", x))),
                       Coordinate(row, str(y), float(getattr(y, "value", y))), option))
    if args.clicks:
        args.clicks = clicks
    for _, x, y, option in args.clicks or ():
        if transparent is not None and _disc_transparent(transparent, x, y):
            # Fitted as its own step, such a click failed the whole run with "every mark lies on
            # transparent pixels", though later clicks were on the photo (a new-user check).
            raise UserError(f"{option} {x},{y}: lies on transparent pixels of {args.image}, which count as background "
                            "and teach the colour models nothing: click what the photo shows")
    if args.box is not None and transparent is not None:
        left, top, right, bottom = args.box
        inside = transparent[max(top, 0):max(bottom, 0), max(left, 0):max(right, 0)]
        if inside.size and inside.all():
            # The box's inside is the object's evidence, and transparent pixels teach nothing:
            # the run stopped with "no foreground scribbles", naming no option (a new-user check).
            raise UserError(f"--box {_box_as_given(args.box)}: holds only transparent pixels of {args.image}, "
                            "which count as background: draw it around what the photo shows")
    import warnings

    from segmix.point_marks import PointMarksWarning

    try:
        with warnings.catch_warnings():
            # Said below naming the options (--box, --click X,Y as typed), not in the library's words.
            warnings.simplefilter("ignore", PointMarksWarning)
            marks = add_point_marks(scribbles, order, args.box,
                                    [(label, x, y) for label, x, y, _ in args.clicks or ()], radius)
    except ValueError as exc:  # the clicks are checked above: the box (point_marks.box_outside)
        from segmix.labelmaps import turned_photo_words

        from segmix.point_marks import CLICK_PARAMETER

        turned = turned_photo_words(args.image, width, height) if "holds no pixel" in str(exc) else ""
        words = str(exc).replace(CLICK_PARAMETER, "--click X,Y")  # the option in the library's parameter's place
        raise UserError(f"--box {_box_as_given(args.box)}: {words}{turned}") from None
    labels = marks[0]
    if args.box is not None:
        _say_box_clipped(args.box, width, height, args.image)
        _say_box_framed(args.box, width, height)
        from segmix.point_marks import box_outside

        outside_box = box_outside(labels.shape, *args.box)  # either corner first, as the box
        for label, x, y, option in args.clicks or ():
            if label == 1 and outside_box[y, x]:
                # The box says its outside is background: a foreground click there is a part
                # of the object beyond the box, or coordinates of another frame, which a
                # script's user should hear of (the mask takes it in as the window does).
                from segmix.point_marks import outside_box_words

                print(f"segmix segment: warning: {option} {x},{y}: "
                      f"{outside_box_words('--box ' + _box_as_given(args.box))}", file=sys.stderr)
    for label, x, y, option in args.clicks or ():
        # A later click paints over an earlier one, as in the window: `--click 420,250
        # --background-click 420,250` warned only "no object marked", the --click given.
        if not _disc_keeps(labels, x, y, label):
            from segmix.point_marks import PAINTED_OVER

            print(f"segmix segment: warning: {option} {x},{y}: {PAINTED_OVER}", file=sys.stderr)
    if args.box is not None and args.scribbles is not None:
        from segmix.point_marks import box_outside

        # The box marks its outside background over any mark there, as the window's Rectangle
        # tool does: a trial's foreground strokes outside the box were dropped, and from the
        # marks saved with --save-scribbles too, without a word.
        lost = int(np.count_nonzero((scribbles == 1) & box_outside(scribbles.shape, *args.box)))
        if lost:
            print(f"segmix segment: warning: --box {_box_as_given(args.box)}: {lost:,} foreground (1) "
                  f"pixel{'s' if lost != 1 else ''} of {args.scribbles} lie outside the box, which marks its outside "
                  "background (2) over them, as the window's Rectangle tool does; draw the box around them, or "
                  "mark that part with --click after the box", file=sys.stderr)
    return marks


def _saved_mark_order(path, scribbles, quiet: bool = False):
    """The order the window saved with the marks in ``path`` (segmix.labelmaps.read_mark_order),
    or None: none saved, or one that no longer fits the marks, which a warning line names
    (the marks are then fitted at once, as a file from another tool). ``quiet``: no note of a
    long replay."""
    from segmix.labelmaps import read_mark_order

    order, stale = read_mark_order(path, scribbles)
    if stale is not None:
        print(f"segmix segment: warning: {path}: the saved order of the marks is not used ({stale}); "
              "fitting them at once", file=sys.stderr)
    if order is not None:
        from segmix.mark_steps import count_steps

        steps = count_steps(order)
        if steps > MANY_MARK_STEPS and not quiet:
            # One fit per step and nothing on the terminal: a trial's marks file holding 1,560
            # steps ran 165 s on a 96 x 64 photo in silence, and looked hung.
            print(f"segmix segment: note: {path}: replaying its {steps:,} marking steps one by one, as the window "
                  "fitted them; this takes a while (--at-once fits all the marks at once)", file=sys.stderr,
                  flush=True)
    return order


#: More replayed steps than this (a window session of as many clicks and strokes) are said
#: before the replay starts: each is a fit and a cut.
MANY_MARK_STEPS = 100


def no_object_warning(path, scribbles) -> str | None:
    """The warning for marks of the background alone (no foreground, 1, and not a box), in the
    window's words (its hint "No object marked yet"), or None.

    The mask is then the foreground the model borrowed: every colour unlike the background
    marks. A trial got "29.8% foreground", exit 0, with nothing to say that no object had
    been marked, where the window says so.

    Parameters
    ----------
    path : str
        The scribble file, named first.
    scribbles : (H, W) uint8 array of 0 (unmarked), 1 (foreground), 2 (background)

    Returns
    -------
    str or None
    """
    from segmix.segment import no_object_words

    words = no_object_words(scribbles)
    return None if words is None else f"{path}: {words}"


def scribble_refusal(scribbles) -> str | None:
    """What is wrong with a scribble map that marks nothing or every pixel one class, in words
    for the command line (the caller puts the file's name first); None for a usable map
    (:func:`segmix.labelmaps.unusable_scribbles`, the window's words too).

    Every pixel foreground (1) left the background nothing to learn from -- no background
    marks and no unmarked pixels to borrow -- and the library's "no background scribbles:
    paint some background pixels first" named no file and did not say that the whole map was
    marked.
    """
    from segmix.labelmaps import unusable_scribbles

    if scribbles.size == 1 and scribbles.any():
        # No mark of any kind leaves a pixel of a 1 x 1 photo to classify or marks both classes:
        # "leave the pixels to classify unmarked (0) and mark some background (2)" cannot be done.
        return "the photo holds a single pixel (1 x 1), so there is nothing to segment"
    return unusable_scribbles(scribbles)


def _tiny_box_words(scribbles) -> str | None:
    """Why a box's empty mask is the box's size: its unmarked inside holds fewer pixels than a
    click's disc (:func:`segmix.clicks.click_radius`), too few to learn an object's colours
    from; None for a larger box. A trial's ``--box 10,10,12,12`` (2 x 2 px) was told "draw the
    box closer round it"."""
    import numpy as np

    from segmix.clicks import click_radius

    marks = np.asarray(scribbles)
    rows, cols = np.nonzero(marks == 0)
    disc = math.pi * click_radius(marks.shape) ** 2
    if rows.size == 0 or rows.size >= disc:
        return None
    height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    return (f"the box holds only {width} x {height} px, too few to learn the object's colours from: draw it "
            "round the whole object, or click the object (--click X,Y)")


def unexplained_report(settings, training: dict, given: bool = False,
                       foreground_share: float | None = None) -> tuple[str, str]:
    """What ``segment`` says about the background's rest-of-the-photo component.

    A new-user trial ran ``--unexplained-weight 1`` and got the same mask with no hint why:
    the component is added only when a background mark is a stroke
    (``settings.unexplained_marks``) and the background marks leave more than
    ``settings.unexplained_share`` (20 %) of the unmarked photo unexplained. Training
    measures that share whenever both classes are marked (with the option off too, a few ms,
    for the window's pointer to the option), so the command reports it as the window does.

    Parameters
    ----------
    settings : SegmentationSettings
        The settings the model was trained with.
    training : dict
        ``SegmentationModel.training``: ``classes[1]`` holds ``unexplained_share`` when it was
        measured, ``rest_weight`` when the component was added, ``rest_skipped`` when it
        was on but the marks were clicks alone or a box, and ``rest_applies`` False when it was
        off and would not act on these marks (then no pointer to it).
    given : bool
        Whether the user gave ``--unexplained-weight``: only then is an option that did
        nothing a warning (the default acts on its own and says so on the summary line).
    foreground_share : float in [0, 1] or None
        The share of the photo's unmarked pixels the mask holds; below
        :data:`segmix.unexplained.ADVICE_MASK_SHARE` x the measured share the summary gives the share without the
        advice to mark mistaken foreground (the mask did not take those colours). None: unknown,
        the advice as the share alone decides.

    Returns
    -------
    (str, str)
        The words for the summary line ("" when the share was not measured; with the option
        off and the share over the limit, a pointer to the option) and a warning ("" when
        there is nothing to warn about): the option given but with nothing to act on.
    """
    limit = float(settings.unexplained_share)
    weight_on = float(settings.unexplained_weight) > 0
    try:
        facts = training["classes"][1]
    except (KeyError, IndexError, TypeError):
        facts = {}
    share = facts.get("unexplained_share")
    if share is None:
        if weight_on and given and facts.get("rest_skipped") == "box":
            return "", "--unexplained-weight had no effect: a box's inside is the object's evidence"
        if weight_on and given:
            return "", ("--unexplained-weight had no effect: it acts only once both foreground (1) and "
                        "background (2) are marked")
        return "", ""
    share = float(share)
    # Plain words, not the field's name (a trial: "unexplained share 0.21" was jargon).
    from segmix.unexplained import share_percent

    percent = share_percent(share, limit)
    # What the share measures, in the Training dock's words (it said "unlike any mark": a trial
    # read 99 % on a photo half covered by the object its foreground marks explain).
    if facts.get("background_marks") == "box" and not weight_on:
        # A box's outside is the only background: the share is of the box's inside, which is
        # the object's evidence, and points to an option that does not act on a box. Said, it
        # read as "only 13 % of the box is the object" to a new user (the mask filled 61 %).
        return "", ""
    measured = f"{percent} % of the unmarked photo has colours unlike your background marks"
    over, under = f"over the {100 * limit:.0f} % limit", f"within the {100 * limit:.0f} % limit"
    if not weight_on:
        from segmix.unexplained import advice_applies

        if share > limit and not advice_applies(share, foreground_share):
            # The mask is far smaller than the colours unlike the background marks: they came
            # out background, and "click them background" pointed a user whose object was
            # missing (DAVIS 016) the wrong way.
            return measured, ""
        if share > limit and facts.get("rest_applies", True):
            # As the window's Training dock: a pointer to the option, in the summary and not as
            # a warning, because the share is over the limit on many a sound run too (the
            # object's own unmarked colours count: a large object alone can pass 20 %).
            # In plain words (was "unexplained share 0.21 > 0.20: ... try --unexplained-weight
            # 3", jargon to a user): what was measured, when it matters, what to do.
            return (f"{measured}: if parts you did not "
                    "mark came out foreground by mistake, mark them background (2), or try --unexplained-weight 3, "
                    "which counts such colours as background"), ""
        if share > limit:
            # Background clicks alone (the option acts on strokes): a new user read "98 % ...
            # unlike your background marks" after one --background-click and had no next step.
            return (f"{measured}: if parts you did not mark came out foreground by mistake, click them "
                    "background too (--background-click X,Y), or mark the background with strokes "
                    "(--scribbles LABELS.png, 2 = background) and add --unexplained-weight 3, which counts such "
                    "colours as background"), ""
        return measured, ""
    rest_weight = float(facts.get("rest_weight", 0.0))
    if rest_weight > 0:
        # The component's share of the background mixture, not --unexplained-weight's W: "at
        # weight 0.50" after "--unexplained-weight 3" read as the option ignored (a re-check).
        return (f"{measured}, {over}: those colours added to the background as a component of "
                f"weight {rest_weight:.2f} in its mixture"), ""
    if share <= limit:
        return measured, (f"{measured}, {under}: --unexplained-weight had no effect (the background "
                          "marks explain enough of the photo's colours)" if given else "")
    if facts.get("rest_skipped") == "box":
        note = f"{measured}, {over}, not added: the marks are a box, whose inside is the object's"
        return note, ("--unexplained-weight had no effect: a box's inside is the object's evidence" if given else "")
    if facts.get("rest_skipped") == "clicks":
        note = f"{measured}, {over}, not added: the background marks are clicks, not strokes"
        return note, ("--unexplained-weight had no effect: it acts once a background mark is a stroke, "
                      "not on clicks alone" if given else "")
    return measured, (f"{measured}, {over}, but those colours could not be fitted: "
                      "--unexplained-weight had no effect" if given else "")


# ------------------------------------------------------------------------------ skin
def _add_skin_parser(sub) -> None:
    """``segmix skin train|apply|eval``: colour skin detection (see segmix.skin)."""
    skin = sub.add_parser("skin", help="skin detection by colour (train, apply, eval)",
                          description="Skin detection with skin / non-skin colour Gaussian mixtures. "
                          "apply and eval use the built-in model unless --model is given; train writes a new "
                          "model (-o).")
    skin_sub = skin.add_subparsers(dest="skin_command", metavar="{train,apply,eval}")
    skin.set_defaults(handler=lambda args: _skin_usage(skin))

    train = skin_sub.add_parser(
        "train", help="train a skin model from labelled images and/or UCI colour rows",
        description="Train a skin model. Sources: --images DIR --masks DIR pairs (masks matched by "
        "file stem; 0 = non-skin, 255 = skin, 128 = ignore) and UCI Skin_NonSkin.txt files "
        "(--uci). Several sources are combined. Every photo / mask pair that cannot be used (a mask of "
        "another size, stored as JPEG, of values other than 0 / 128 / 255; an unreadable file) is reported "
        "one line each, as skin eval reports them, and no model is written (exit status 2).")
    train.add_argument("--images", action="append", default=[], metavar="DIR", help="folder of photos (repeatable)")
    train.add_argument("--masks", action="append", default=[], metavar="DIR", help="folder of masks, one per --images")
    train.add_argument("--uci", action="append", default=[], metavar="FILE", help="UCI Skin_NonSkin.txt (repeatable)")
    train.add_argument("-o", "--output", required=True, metavar="MODEL.json", help="model file to write")
    train.add_argument("-k", "--components", type=mixture_components, default=None,
                       help="Gaussian components of the skin mixture fitted by EM (default 2, as the built-in model's "
                       "core; the built-in model adds 9 fixed Gaussians for paler and darker skin tones, which a new fit "
                       "does not: --init builtin adapts the built-in model and keeps them)")
    train.add_argument("--non-skin-components", type=mixture_components, default=None,
                       help="components of the non-skin mixture (default 8, as the built-in model)")
    train.add_argument("--covariance-type", type=str.lower, choices=("full", "diag", "spherical"), default=None,
                       help="covariance of every component (default full, as the built-in model)")
    train.add_argument("--color-space", type=str.lower, choices=("rgb", "lab", "hsv", "ycbcr"), default=None,
                       help="feature colour space (default ycbcr, as the built-in model)")
    train.add_argument("--reg-covar", type=weight, default=None,
                       help="added to covariance diagonals (default 1e-4, as the built-in model)")
    # --skin-share, as skin apply names the same quantity; --prior, its first name, still works.
    train.add_argument("--skin-share", "--prior", dest="prior", type=open_unit_float, default=None, metavar="P",
                       help="prior p(skin) stored in the model: the expected share of skin pixels in the photos it "
                       "will be applied to (default 0.10, as the built-in model; the training data's own share is "
                       "printed and recorded in the model; --prior P is the same option)")
    train.add_argument("--threshold", type=unit_float, default=None,
                       help="decision threshold on p(skin) (default 0.04: with the default prior the built-in "
                       "model's rule, skin where the log-likelihood ratio exceeds -0.98)")
    train.add_argument("--init", metavar="builtin|MODEL.json", default=None,
                       help="start from a skin model instead of fitting new mixtures: 'builtin' (the built-in model) "
                       "or a skin model file; its skin and non-skin Gaussians are moved towards the labelled pixels "
                       "by MAP adaptation, and its fixed tone Gaussians (paler and darker skin), prior, threshold and "
                       "detector settings are kept (not with -k, --non-skin-components, --covariance-type, "
                       "--color-space, --reg-covar, --convergence; default: none, new mixtures fitted by EM)")
    train.add_argument("--relevance", type=relevance_pixels, default=None, metavar="R",
                       help="with --init: the MAP relevance factor in pixels; a Gaussian responsible for n of the "
                       "labelled pixels moves n / (n + R) of the way to them (default 1e6: docs/skin_development.md)")
    train.add_argument("--seed", type=random_seed, default=0, help="random seed (default 0)")
    train.add_argument("--convergence", metavar="PLOT.png", default=None,
                       help="also write the EM convergence curves (mean log-likelihood per iteration) as PNG")
    train.add_argument("--skip-unmatched", action="store_true",
                       help="leave out the photos of --images that have no mask of the same name in --masks (default: such photos stop the run, exit 2: a script did not notice 3 of 4 photos left out)")
    train.add_argument("--inverted-ok", action="store_true",
                       help="train on a folder whose masks look inverted (non-skin more skin-like than skin) with a "
                       "warning; default: such a folder stops the run, exit 2 (a model of inverted masks detects "
                       "everything but skin)")
    train.add_argument("--quiet", action="store_true",
                       help="no progress bar and no notes (errors and warnings are still printed)")
    _add_overwrite(train, "an existing -o or --convergence file",
                   "; without it, a skin model trained on other data than this run's is refused as well")
    _add_distributed_options(train)
    train.set_defaults(handler=_cmd_skin_train)

    apply = skin_sub.add_parser(
        "apply", help="detect skin in photos",
        description="Write <stem>_skin.png (0/255) for every input photo (files or folders), and "
        "<stem>_skin_prob.png (16-bit, round(p * 65535)) with --probability. Unreadable files are "
        "reported one line each and skipped; the exit status is then 1, or 2 when every file failed. Errors "
        "that stop the whole run (bad model, bad options, no input) exit with 2.")
    apply.add_argument("inputs", nargs="+", metavar="INPUT", help="photos or folders of photos")
    apply.add_argument("--model", metavar="M.json", help="skin model (default: the built-in model)")
    apply.add_argument("--output-dir", default=DefaultFolder("."), metavar="DIR",
                       help="folder for the masks (created if missing; default: the current folder)")
    apply.add_argument("--probability", action="store_true",
                       help="also write the 16-bit skin probability: each pixel's p(skin) from its colour (after "
                            "the photo's adaptation, before the regions step), so thresholding it differs from the "
                            "mask where regions keep or drop pixels")
    apply.add_argument("--probability-format", choices=("png", "tif"), default=None,
                       help="the probability map's format (implies --probability): png, 16-bit round(p * 65535), the "
                            "default, whose many pixels under p 0.0000076 tie at 0 (a ROC from them reads low); tif, "
                            "float32 p itself (<stem>_skin_prob.tif, as segment --probability x.tif writes)")
    apply.add_argument("--threshold", type=unit_float, default=None,
                       help="decision threshold on p(skin) (default: the model's, 0.04 built in; 0 marks the "
                            "whole photo but for its transparent pixels, 1 none)")
    _add_detector_options(apply)
    apply.add_argument("--workers", type=worker_count, default=None,
                       help="decode/encode threads (default: cores, max 4); with --distributed, threads of each "
                            "local worker process (default 1)")
    apply.add_argument("--quiet", action="store_true",
                       help="no progress bar and no notes (errors and warnings are still printed)")
    _add_max_megapixels(apply)
    _add_distributed_options(apply)
    apply.set_defaults(handler=_cmd_skin_apply)

    ev = skin_sub.add_parser(
        "eval", help="pixel precision / recall / F1 / ROC of a skin model on labelled images",
        description="Evaluate on --images/--masks (matched by stem; mask 128 = ignore). Prints pooled "
        "and per-image-mean precision, recall and F1, ROC AUC and the threshold with the best pooled F1; "
        "--per-image writes each photo's figures as CSV. A photo or mask that cannot be used (a mask of "
        "another size, of values other than 0 / 128 / 255, an unreadable file) is reported one line each "
        "and its pair skipped; the others are scored and the exit status is then 1, or 2 when no pair "
        "can be used.")
    ev.add_argument("--model", metavar="M.json", help="skin model (default: the built-in model)")
    ev.add_argument("--images", required=True, metavar="DIR", help="folder of photos to evaluate on")
    ev.add_argument("--masks", required=True, metavar="DIR",
                    help="folder of their ground-truth masks, matched by file stem (0 = non-skin, 255 = skin, "
                         "128 = ignore); photos without a mask are left out, with a warning")
    ev.add_argument("--threshold", type=unit_float, default=None,
                    help="decision threshold on p(skin) (default: the model's, 0.04 built in)")
    _add_detector_options(ev)
    ev.add_argument("--roc", metavar="ROC.png", help="write the ROC curve as a PNG, PDF or SVG (by the extension)")
    ev.add_argument("--pr", metavar="PR.png", help="write the precision-recall curve as a PNG, PDF or SVG (by the "
                    "extension), from the same per-pixel counts as the ROC")
    ev.add_argument("--json", metavar="OUT.json", help="also write the figures as JSON (each photo's under per_image)")
    ev.add_argument("--per-image", metavar="FILE.csv",
                    help="write each photo's precision, recall and F1 at the threshold as CSV, and its F1 at "
                         "the best pooled threshold (sort by f1 to find the worst photos; an undefined "
                         "figure, 0/0, is empty)")
    ev.add_argument("--skip-unmatched", action="store_true",
                    help="leave out the photos of --images that have no mask of the same name in --masks (default: such photos stop the run, exit 2: a script did not notice 3 of 4 photos left out)")
    ev.add_argument("--quiet", action="store_true",
                    help="no progress bar and no notes (errors and warnings are still printed)")
    _add_overwrite(ev, "an existing --roc, --pr, --json or --per-image file")
    _add_max_megapixels(ev)
    ev.set_defaults(handler=_cmd_skin_eval)


def _add_detector_options(parser) -> None:
    """Options of the skin detector shared by ``skin apply`` and ``skin eval``."""
    parser.add_argument("--adapt", action=argparse.BooleanOptionalAction, default=None,
                        help="adapt the skin and non-skin mixtures to each photo by MAP-EM on its confident "
                             "pixels (default: on)")
    parser.add_argument("--faces", action=argparse.BooleanOptionalAction, default=None,
                        help="calibrate the skin colour on each photo's frontal faces (OpenCV's Haar cascade; "
                             'pip install ".[faces]" in a clone): fewer skin-coloured walls, but skin of another tone '
                             "than the faces found is lost (default: off)")
    parser.add_argument("--skin-share", type=open_unit_float, default=None, metavar="P",
                        help="prior p(skin): the expected share of skin pixels in a photo (default: the model's, 0.10 built in)")
    parser.add_argument("--plain", action="store_true",
                        help="no regions (graph cut or hysteresis, small-region removal); with --no-adapt the plain per-pixel rule "
                             "(no photo density, texture cue or exposure lift either, unless --photo-density / "
                             "--texture / --exposure is given)")
    parser.add_argument("--min-area", type=area_share, default=None, metavar="F",
                        help="drop detected regions smaller than this fraction of the photo, or than a quarter "
                             "of the photo's largest cluster of clear skin if that is fewer pixels (default 0.003; "
                             "0 = keep regions of any size)")
    parser.add_argument("--photo-density", type=area_share, default=None, metavar="B",
                        help="weight of the photo's own colour density in its non-skin likelihood: colours that "
                             "cover much of the photo count as non-skin (default 0.01, 0 = off)")
    parser.add_argument("--regions", type=str.lower, choices=("hysteresis", "graphcut"), default=None,
                        help="how skin regions are found: a contrast-sensitive graph cut on the log odds (default) "
                             "or hysteresis (connected pixels above the threshold, the default before; docs/skin.md, step 7)")
    parser.add_argument("--cut-diagonal", type=pixels, default=None, metavar="PX",
                        help="with --regions graphcut: the diagonal of the grid the cut runs on; a photo is cut on "
                             "blocks of about its diagonal / PX pixels (default 200; 0 = the exact cut at full "
                             "resolution, several times slower; otherwise 20 or more)")
    parser.add_argument("--texture", type=weight, default=None, metavar="W",
                        help="weight (nats) of the texture cue: fine grain of the photo (wood, sand, hair) counts "
                             "against skin (default 2, 0 = off)")
    parser.add_argument("--second-pass", type=weight, default=None, metavar="W",
                        help="weight of the second pass: the colours of skin-coloured pixels that the texture cue "
                             "and the regions rejected count as this photo's non-skin, then the regions run again "
                             "(default 1, 0 = off; needs the regions)")
    parser.add_argument("--second-pass-boundary", action=argparse.BooleanOptionalAction, default=None,
                        help="the second pass also learns, as this photo's non-skin, the colours of a skin-coloured "
                             "region that hangs from the top edge or spans the photo beside much smaller skin inside "
                             "(a wall, a door; the skin inside and colours that are clearly skin are kept) "
                             "(default: on; needs the second pass)")
    parser.add_argument("--boundary-prior", action=argparse.BooleanOptionalAction, default=None,
                        help="drop a skin-coloured region that hangs from the photo's top edge or spans it from the "
                             "left edge to the right, without reaching the bottom edge, covers at most half the photo and "
                             "is over twice as large as the largest skin region that touches no edge (there must be "
                             "one): a wall or a door behind a person; it can also drop a person joined to the wall "
                             "(default: off; needs the regions)")
    parser.add_argument("--exposure", type=luma_level, default=None, metavar="LEVEL",
                        help="lift an underexposed photo before scoring its colours: one gain for R, G and B takes "
                             "the photo's 99th-percentile luma up to LEVEL (a luma level, 0-255), at most 3x; "
                             "brighter photos are unchanged (default 150, 0 = off: a dim photo of dark skin may "
                             "then come out empty)")
    parser.add_argument("--white-balance", action=argparse.BooleanOptionalAction, default=None,
                        help="take a colour cast (tungsten, fluorescent, sunset light) out of each photo before "
                             "scoring its colours: gains per channel from three classic estimators, kept only when "
                             "they make the photo's colours more likely under the skin model, keep its skin, lie "
                             "on or above the Planckian locus and leave most of its grey and white surfaces grey; "
                             "says per photo what it did (default: off, the colours scored as they are: on by "
                             "default it lost a dark-toned person before a stone wall it took for a warm cast; a "
                             "photo that comes out (nearly) empty under a cast it would take out is told to use it; "
                             "docs/skin_development.md, \"Colour casts\")")
    parser.add_argument("--jpeg-chroma-noise", type=weight, default=None, metavar="W",
                        help="in photos with a JPEG block grid (heavy compression), widen the adapted colour Gaussians "
                             "by W x the variance of the chroma's quantisation, measured on the photo (default 1, 0 = off)")
    parser.add_argument("--jpeg-deblock", type=deblock_sigma, default=None, metavar="PX",
                        help="in photos with a JPEG block grid (heavy compression), low-pass the chroma by a Gaussian "
                             "of PX pixels before the colour model scores it (default 2, 0 = off)")


class _LocalCluster(str):
    """``--distributed`` given alone: "" (a local cluster), told from an empty value given to
    it by its type (argparse passes a string ``const`` through ``type`` too)."""


def _distributed_address(text: str) -> str:
    """``--distributed``'s value as argparse reads it (not its bare form, whose value is the
    ``const`` ""): an empty one (``--distributed ""``, a shell variable left unset) started a
    local cluster in silence; an existing file or folder is an input written after the option
    (`skin apply --distributed many --output-dir x`, whose only input it took, was told "the
    following arguments are required: INPUT")."""
    if isinstance(text, _LocalCluster):
        return text
    if not text.strip():
        raise argparse.ArgumentTypeError("the address is empty; give the scheduler's (tcp://host:8786), or "
                                         "--distributed alone for a local cluster")
    if text.startswith("-"):  # no address starts so; a mistyped option or a stray number
        raise argparse.ArgumentTypeError(f"must be a scheduler address such as tcp://host:8786, got '{text}'; "
                                         "give --distributed alone for a local cluster")
    from segmix.distributed.cluster import check_address

    if "://" not in text:
        try:
            check_address(text)
        except ValueError as exc:
            if "it is a file or folder" in str(exc):
                raise argparse.ArgumentTypeError(str(exc).removeprefix(f"--distributed {text}: ")
                                                 .replace("not a scheduler address", f"{text} is not a scheduler address")) \
                    from None
    return text


def _add_distributed_options(parser, unit: str = "") -> None:
    """``--distributed [ADDRESS]`` and ``--n-workers N`` (see segmix.distributed)."""
    parser.add_argument("--distributed", nargs="?", const=_LocalCluster(), default=None, metavar="ADDRESS",
                        type=_distributed_address,
                        help="run on the Dask scheduler at ADDRESS (tcp://host:8786), or on a local cluster of "
                             "worker processes without one" + (f"; one {unit}" if unit else "")
                             + '; needs pip install ".[distributed]" in the segmix folder')
    parser.add_argument("--n-workers", type=worker_count, default=None, metavar="N",
                        help="worker processes of the local cluster (default: one per core)")


def _memory_subject(args) -> str:
    """The input an out-of-memory line names: the photo last read if it is one of the command's
    inputs (or inside an input folder), else the only input given; "" when neither is known
    (a trial's `segmix quantize bomb.png` said "error: out of memory; ..." naming no file)."""
    from pathlib import Path

    from segmix.io import LAST_READ

    given = [getattr(args, "image", None), *(getattr(args, "inputs", None) or []), getattr(args, "images", None)]
    given = [str(item) for item in given if item]
    last = LAST_READ[0]
    if last is not None:
        try:
            read = last.resolve()
            for item in given:
                if read == Path(item).resolve():
                    return item
                if read.is_relative_to(Path(item).resolve()):
                    return str(last)
        except (OSError, RuntimeError):
            pass
    return given[0] if len(given) == 1 else ""


def _dask_client(args, threads: int | None = None, settings=None):
    """The Dask client of ``--distributed`` (a context manager); Dask is imported only here.
    ``settings``: skin apply's detector settings, for the first-run notice."""
    from segmix.distributed.cluster import check_address, connect

    address = check_address(args.distributed) if args.distributed else None
    # Here, once every refusal is behind: said before the checks, the first-run notice came
    # before "--distributed needs Dask" (a new-user trial), as if the run had started.
    _tell_if_workers_compile(args, " ".join(filter(None, (args.command, getattr(args, "skin_command", None)))),
                             settings)
    # Dask cannot stop a task that runs: on a scheduler's own workers (not stopped with the
    # client, as a local cluster's are) the tasks under way when Ctrl+C came run to the end,
    # and write what they write. "segmix: interrupted" alone read as if nothing more would be
    # written (a trial's interrupted run: OUT/highway/ appeared 15 s after it).
    running = None
    if address:
        running = ("tasks already running on the scheduler's workers finish there (Dask cannot stop a running task)"
                   if args.command == "skin" and args.skin_command == "train" else
                   "what the scheduler's workers had started is finished and written there (Dask cannot stop a "
                   "running task); a rerun does only what is missing")
    return _one_error_line(connect(address, args.n_workers, threads, quiet=args.quiet, command=_COMMAND[0]), running)


@contextlib.contextmanager
def _one_error_line(client_context, interrupted: str | None = None):
    """Enter the Dask client's context; an exception that comes back from the cluster and is
    none of the command's own kinds (a task's error re-raised on the client, a KilledWorker,
    a lost connection: Dask's own types) becomes a :class:`UserError` of one line, so that it
    is printed as every error is, "segmix COMMAND: error: ...", exit 2, not as a traceback.
    ``interrupted``: words that an interruption (Ctrl+C, SIGTERM) carries to its line, once
    tasks were submitted."""
    client = None
    try:
        with client_context as client:
            yield client
    except KeyboardInterrupt as exc:
        if interrupted is None or not getattr(client, "segmix_tasks_submitted", False):
            # Before any task (connecting, waiting for a worker, the start's checks): nothing
            # runs on the workers. A session-39 trial's Ctrl+C while the run waited for a first
            # worker said "what the scheduler's workers had started is finished and written there".
            raise
        # the command's own words on how far it got (exc.args) first, then the cluster's, in
        # place of the local cluster's "tasks under way then may still finish; a rerun does only
        # what is missing" (a session-38 trial's line said "a rerun does only what is missing" twice)
        from segmix.distributed.cluster import UNDER_WAY

        words = exc.args[0].removesuffix(f"; {UNDER_WAY}") if exc.args else ""
        raise type(exc)(f"{words}; {interrupted}" if words else interrupted) from None
    except (UserError, ValueError, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 - whatever Dask raises, said in one line
        from segmix.distributed.cluster import TaskError, describe_exception

        # A TaskError's message names the task's inputs already.
        raise UserError(str(exc) if isinstance(exc, TaskError) else
                        f"the Dask run failed: {describe_exception(exc)}") from None


def _check_distributed(args) -> bool:
    """Whether ``--distributed`` is given; refuses, before any work, ``--n-workers`` without
    it, a malformed scheduler address and a missing Dask (the optional dependency)."""
    if args.n_workers is not None and args.distributed is None:
        raise UserError("--n-workers sizes the local cluster of --distributed; give --distributed too")
    if args.distributed is None:
        return False
    from segmix.distributed.cluster import _dask, check_address

    if args.distributed:
        check_address(args.distributed)
    _dask()  # "--distributed needs Dask, an optional dependency: pip install ..."
    return True


def _detector_settings(args):
    from segmix import skin_detect

    if args.plain:
        # these shape the regions, which --plain leaves out: given with it, they would do nothing
        regional = [flag for flag, value in (("--regions", args.regions), ("--min-area", args.min_area),
                                             ("--cut-diagonal", args.cut_diagonal), ("--second-pass", args.second_pass),
                                             ("--second-pass-boundary" if args.second_pass_boundary
                                              else "--no-second-pass-boundary", args.second_pass_boundary),
                                             ("--boundary-prior" if args.boundary_prior else "--no-boundary-prior",
                                              args.boundary_prior)) if value is not None]
        if regional:
            raise UserError(f"{', '.join(regional)} shape{'s' if len(regional) == 1 else ''} the skin regions, "
                            "which --plain leaves out; give one or the other")
    if args.second_pass_boundary and args.second_pass == 0:
        raise UserError("--second-pass-boundary trains the second pass, which --second-pass 0 turns off; "
                        "give one or the other")
    plain_rule = args.plain and args.adapt is False
    settings = skin_detect.with_options(skin_detect.DEFAULT_SETTINGS, adapt=args.adapt,
                                        faces=args.faces,
                                        skin_share=args.skin_share, min_area=args.min_area, regions=args.regions,
                                        photo_density=0.0 if args.photo_density is None and plain_rule else args.photo_density,
                                        texture=0.0 if args.texture is None and plain_rule else args.texture,
                                        exposure_target=0.0 if args.exposure is None and plain_rule else args.exposure,
                                        second_pass=args.second_pass, cut_diagonal=args.cut_diagonal,
                                        boundary_prior=args.boundary_prior,
                                        second_pass_boundary=args.second_pass_boundary,
                                        jpeg_deblock=args.jpeg_deblock, jpeg_chroma_noise=args.jpeg_chroma_noise,
                                        white_balance=False if args.white_balance is None and plain_rule else args.white_balance,
                                        spatial=False if args.plain else None)
    if settings.faces:
        from segmix import faces

        try:
            faces.check_available()
        except faces.FaceDetectorUnavailable as exc:
            raise UserError(str(exc)) from None
    return settings


def _folder_files(*folders) -> list:
    """Every file directly inside the given folders (missing folders give none): the inputs an
    output must not replace."""
    from pathlib import Path

    return [q for folder in folders if Path(folder).is_dir() for q in Path(folder).iterdir() if q.is_file()]


def _check_outputs(inputs, outputs: dict, figures: dict | None = None, batch=()) -> None:
    """Refuse bad output names before the work: an input, a folder, a missing folder, one file
    named for two outputs (the second write would replace the first), a figure not named .png
    (the writers check the same again when they write), a folder that takes no new file.

    ``outputs`` and ``figures`` map each output's option to its file (None: not given). A
    folder is asked for a new file by making one (:func:`segmix.io.cannot_create_in`): the
    permission bits pass root everywhere, and ``--probability /sys/p.png`` failed after the
    work, with the mask written. That refusal names the option.

    ``batch``: the files a batch command writes per input into a folder, as (path, what
    writes it) pairs (``skin.batch_outputs``, a background run's masks); each is refused when
    it is an input or when another of them, or another output given in ``batch``, has its name
    (:func:`segmix.io.check_batch_outputs`: one line naming both files). Their folder need not
    exist yet (it is made with the first file)."""
    import os
    from pathlib import Path

    from segmix.io import ProtectedInputs, cannot_create_in, check_batch_outputs, check_output_path, written_path
    from segmix.plots import ROC_FORMATS, check_png_name

    figures = figures or {}
    from segmix.io import resolved_path

    protected = ProtectedInputs(inputs)  # indexed once: a batch has thousands of inputs
    if batch:  # first: a clash names both files, where the checks below would name one
        check_batch_outputs(batch, protected)
    seen = {}
    for option, output in (*outputs.items(), *figures.items()):
        if output:
            _refuse_bare_extension(option, output)
            try:
                check_output_path(output, protected)
            except (ValueError, OSError) as exc:
                # Named with its option, as the write check below: a trial's "-o nodir/x.png"
                # was told of the folder only.
                raise UserError(CWD_GONE if _cwd_gone(exc) else f"{option} {_error_line(exc)}") from None
            seen.setdefault(os.path.normcase(resolved_path(output)), []).append((option, output))
    for named in seen.values():
        if len(named) > 1:
            # Every option that names the file, and how many (a new user's "-o same.png --cutout
            # same.png --probability same.png" was told "named for two outputs").
            first = named[0][1]
            spellings = sorted({str(output) for _, output in named if str(output) != str(first)})
            also = f" (also as {', '.join(spellings)})" if spellings else ""
            options = [option for option, _ in named]
            count = "two" if len(named) == 2 else str(len(named))
            listed = " and ".join(options) if len(options) == 2 else f"{', '.join(options[:-1])} and {options[-1]}"
            raise UserError(f"{first}: named for {count} outputs ({listed}){also}; give each its own file")
    checked = {}
    for option, output in (*outputs.items(), *figures.items()):
        if output:
            written = written_path(output)  # a link's file is written, in its own folder
            folder = written.parent if str(written.parent) else Path(".")
            where = os.path.normcase(resolved_path(folder))
            if where not in checked:
                checked[where] = cannot_create_in(folder)
            if checked[where] is not None:
                raise UserError(f"{option} {output}: cannot write in the folder {folder} ({checked[where]})")
    for option, figure in figures.items():
        if figure:
            check_png_name(figure, ROC_FORMATS if option in ("--roc", "--pr") else (".png",))


class DefaultFolder(str):
    """An ``--output-dir`` the user did not give (its default, the current folder): the
    messages name the folder, not the option."""


def _check_output_dir(path, command: str) -> None:
    """``--output-dir``'s checks before the work (segmix.io.check_output_folder), its refusal
    naming the option; a folder to be made under a photo's or a video's name is said once the
    run has made it (:func:`_file_named_folder`, :data:`_AFTER_OUTPUTS`): said before the work,
    "a folder, made now", it came before a refusal of the input (a text file named
    ``fake.mp4``), the folder never made."""
    from segmix.io import check_output_folder

    try:
        check_output_folder(path)
    except OSError as exc:
        if _cwd_gone(exc):
            raise UserError(CWD_GONE) from None
        if isinstance(path, DefaultFolder):
            # "--output-dir .: cannot write in it" named an option the user never gave
            raise UserError(f"the current folder ({os.path.abspath(path)}), where the masks go without --output-dir: "
                            f"{_error_line(exc).split(': ', 1)[-1]}; give --output-dir DIR") from None
        raise UserError(f"--output-dir {_error_line(exc)}") from None
    named = _file_named_folder(path, command)
    if named:
        _AFTER_OUTPUTS["made"].append((path, f"segmix {command}: warning: {named}"))


def _file_named_folder(path, command: str) -> str | None:
    """Words for an ``--output-dir`` not there yet and named like an image or a video file, or
    None. A trial's `skin apply photo.jpg --output-dir mask_out.png` made a folder of that
    name, the mask inside it, in silence (exit 0). Said and not refused: these commands have
    no -o (each mask is named after its frame or photo), the folder is where the masks are,
    and a long run is not lost to a name; a warning, as --quiet keeps warnings."""
    from pathlib import Path

    from segmix.frames import IMAGE_SUFFIXES, VIDEO_SUFFIXES

    suffix = Path(path).suffix.lower()
    if os.path.lexists(path) or suffix not in (*IMAGE_SUFFIXES, *VIDEO_SUFFIXES):
        return None
    kind = "an image" if suffix in IMAGE_SUFFIXES else "a video"
    each = "photo" if command.startswith("skin") else "frame"
    return (f"--output-dir {path}: named like {kind} file, but it names a folder, made by this run, and the masks "
            f"are in it, each named after its {each} ({command} has no -o: give --output-dir a folder's name)")


def _outputs_in_new_folders(outputs, output_dir) -> set:
    """The files of ``outputs`` ((option, path or None) pairs) whose folder is not there yet
    and is ``output_dir`` or a folder above it: made by the run with it (``mkdir -p``, and
    :func:`_make_folders_of`), and checked as it is (:func:`segmix.io.check_output_folder`:
    the nearest folder above that exists takes new files), the refusal naming the option.
    Others are left to the file checks (a folder the run does not make is refused)."""
    from pathlib import Path

    from segmix.io import check_output_folder

    if output_dir is None or os.path.lexists(output_dir):
        return set()
    made = Path(os.path.abspath(output_dir))
    made = {made, *made.parents}
    later = set()
    for option, path in outputs:
        folder = Path(os.path.abspath(path)).parent if path is not None else None
        if folder is None or folder not in made or os.path.lexists(folder):
            continue
        try:
            check_output_folder(Path(path).parent)
        except OSError as exc:
            raise UserError(CWD_GONE if _cwd_gone(exc) else f"{option} {_error_line(exc)}") from None
        later.add(path)
    return later


def _make_folders_of(paths) -> None:
    """The folders of ``paths`` (:func:`_outputs_in_new_folders`) made, with those above them."""
    from pathlib import Path

    for path in paths:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _all_or_nothing(*outputs):
    """A run's outputs written all or not at all (:func:`segmix.io.all_or_nothing`): a run
    that exits 2 leaves nothing new behind, and no output it had replaced changed."""
    from segmix.io import all_or_nothing

    return all_or_nothing(*outputs)


def _estimated_frames(sequence, quiet: bool) -> int | None:
    """The frames a video without a count in its header is expected to hold (duration x
    frame rate, :meth:`segmix.frames.FrameReader.estimated_length`), for the progress bar's
    total; None for other sequences, or when the bar is not shown (--quiet, not a terminal)."""
    if quiet or sequence.kind != "video" or not sys.stderr.isatty():
        return None
    from segmix.frames import FrameReader

    reader = FrameReader(sequence)
    try:
        return reader.estimated_length()
    finally:
        reader.close()


def _background_masks(sequence, output_dir, background_image=None) -> list:
    """The masks a one-machine ``background`` run writes, as (path, what writes it) pairs for
    :func:`_check_outputs` (segmix.background_run.planned_masks; with a video whose length its
    header does not give, ``background_image``'s name counts among those that can clash)."""
    from segmix.background_run import planned_masks

    return planned_masks(sequence, output_dir, [background_image] if background_image else [])


#: Extensions of the files segmix writes: an output named one of them alone (``-o .png``) is
#: a name lost to an unset shell variable (``-o "$name.png"``).
_OUTPUT_EXTENSIONS = frozenset(("png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp", "gif", "json", "csv", "npy"))


def _refuse_bare_extension(option: str, path) -> None:
    """Refuse an output file named only an extension (``.png``): ``segment -o "$stem.png"``
    with ``stem`` unset was told "-o .png: unsupported extension for -o/--output; use .png"
    (the name, a hidden file, has no extension), quantize "unsupported extension '(none)'"."""
    from segmix.io import bare_extension, only_extension_words

    words, extension = only_extension_words(path), bare_extension(path)
    # "..png" too: "$a.$b.png" with both unset (written as a hidden file, its suffix supported)
    if words and extension[1:] in _OUTPUT_EXTENSIONS:
        # io's words (the window's and the library's), with the shell's likely cause
        raise UserError(f"{option} {words} (an unset shell variable before it, as in \"$name{extension}\"?)")


def _refuse_folder_outputs(outputs) -> None:
    """Refuse a folder given as an output file, before the checks of its name: a folder's name
    has no extension, and `segment photo.png -o .` was told of an "unsupported extension".
    ``outputs``: (option, path or None) pairs; the words are :func:`_check_outputs`'."""
    from pathlib import Path

    for option, path in outputs:
        if path is not None:
            _refuse_bare_extension(option, path)
        try:
            folder = path is not None and Path(path).is_dir()
        except OSError:
            # A name too long for the file system (Python 3.11's is_dir raises ENAMETOOLONG):
            # the later checks name the option with the reason; this check said
            # "x.png: file name too long" without it.
            continue
        if folder:
            raise UserError(f"{option} {path}: is a folder; give a file name")
        text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
        if text and os.path.basename(text) in ("", "."):
            # A folder to be (`segment photo.jpg -o masks/`): told "unsupported extension for
            # -o/--output; use .png" by segment and background, where the other commands say
            # what the name is (segmix.io.check_output_path's words).
            end = "/" if os.path.basename(text) == "" else "/."
            raise UserError(f"{option} {text}: ends with '{end}', which names a folder (there is none); "
                            "give a file name")


def _refuse_input_outputs(inputs, outputs) -> None:
    """Refuse an output that is one of ``inputs`` before the checks of its name, as
    :func:`_refuse_folder_outputs` refuses a folder: `segment photo.jpg -o photo.jpg` was told
    only "unsupported extension for --output", and a user who renamed it photo.png learnt
    nothing of what the first name would have done. ``outputs``: (option, path or None) pairs;
    the words are :func:`_check_outputs`'."""
    from segmix.io import ensure_not_input

    inputs = [path for path in inputs if path is not None]
    for option, path in outputs:
        if path is None:
            continue
        try:
            ensure_not_input(path, *inputs)
        except ValueError as exc:
            raise UserError(f"{option} {exc}") from None
        except OSError:
            continue  # a path that cannot be looked at: the later checks say why


def _check_json_name(option: str, path) -> None:
    """Refuse a JSON output (a model, figures) not named .json, as background's --save-model
    does: `skin train -o model.png` wrote JSON into a .png (next to, or over, a mask of that
    name) and said so."""
    from pathlib import Path

    if path is not None and Path(path).suffix.lower() != ".json":
        raise UserError(f"{path}: {option} writes JSON; give a file name ending in .json")


def _skin_usage(parser) -> int:
    # One line, as every other mistake is (a trial counted argparse's usage line as a second).
    print("segmix skin: error: choose a command: train, apply or eval (see segmix skin --help)", file=sys.stderr)
    return 2


def _drop_repeated_training_data(args: argparse.Namespace) -> None:
    """Each ``--images DIR --masks DIR`` pair and ``--uci FILE`` once (said in a note): given
    twice, its pixels were counted twice ("training on ... of 24 photos" for 12), weighing
    that data double against the rest without a word; skin apply does a photo named twice once."""
    seen, images, masks = set(), [], []
    for image_dir, mask_dir in zip(args.images, args.masks):
        key = (os.path.realpath(image_dir), os.path.realpath(mask_dir))
        if key in seen:
            if not args.quiet:  # a note: not with --quiet (it was printed with it)
                print(f"segmix skin train: note: --images {image_dir} --masks {mask_dir} is given more than once; "
                      "its photos are counted once", file=sys.stderr)
            continue
        seen.add(key)
        images.append(image_dir)
        masks.append(mask_dir)
    ucis, seen_uci = [], set()
    for path in args.uci:
        if os.path.realpath(path) in seen_uci:
            if not args.quiet:
                print(f"segmix skin train: note: --uci {path} is given more than once; its rows are counted once",
                      file=sys.stderr)
            continue
        seen_uci.add(os.path.realpath(path))
        ucis.append(path)
    args.images, args.masks, args.uci = images, masks, ucis


def _option_words(handler):
    """``handler`` with the library's refusals naming the options (--images, --output-dir,
    --groundtruth, ...) where they name the parameters (images_dir, output_dir, ...) that a
    Python caller gave (segmix.arguments.option_names)."""
    def run(args: argparse.Namespace) -> int:
        from segmix.arguments import option_names

        with option_names(images_dir="--images", masks_dir="--masks", output_dir="--output-dir",
                          probability="--probability", probability_png="--probability-format png",
                          probability_tif="--probability-format tif", uci="--uci", groundtruth="--groundtruth",
                          roi="--roi", groundtruth_offset="--groundtruth-offset", model="--model",
                          median_size="--median-size"):
            return handler(args)

    return run


@_option_words
def _cmd_skin_train(args: argparse.Namespace) -> int:
    from segmix import skin
    from segmix.modelfile import write_model
    from segmix.own_outputs import refuse_foreign_files, refuse_other_skin_model

    problem = _basic_input_problem("skin train", args)  # before the count of options
    if problem:
        raise UserError(problem)
    if len(args.images) != len(args.masks):
        raise ValueError(f"give one --masks per --images ({len(args.images)} --images, {len(args.masks)} --masks)")
    if not args.images and not args.uci:
        raise ValueError("no training data: give --images DIR --masks DIR and/or --uci FILE")
    _drop_repeated_training_data(args)
    distributed = _check_distributed(args)
    init = _skin_train_init(args)  # a wrong --init is named before the photos are read
    protect = [*args.uci, *_folder_files(*args.images, *args.masks)]
    if init is not None and str(args.init) != "builtin":
        # The model adapted is an input too: `--init m.json -o m.json` replaced it (a re-check).
        protect.append(args.init)
    _check_outputs(protect, {"-o/--output": args.output}, figures={"--convergence": args.convergence})
    _check_json_name("-o/--output", args.output)
    # A file skin train did not write (a segmentation model, a photo) is not replaced unless
    # --overwrite says so; its own model and plot are (a rerun works). Before the counting.
    refuse_foreign_files([("-o/--output", args.output), ("--convergence", args.convergence)], "skin train",
                         args.overwrite)
    # Its own model of other data is refused too: a 30-photo model was replaced by a 1-photo run.
    refuse_other_skin_model(args.output, args.images, args.masks, args.uci, args.overwrite)
    # Photos without a mask are left out, as skin eval leaves them out: said, and counted in
    # the training line (they were dropped in silence).
    photos = 0
    train_pairs: list = []  # judged again after training (_marks_check)
    for images, masks in zip(args.images, args.masks):
        pairs, unmatched = skin.image_mask_pairs(images, masks, several_pairs=True)
        photos += len(pairs)
        train_pairs += pairs
        _refuse_unmatched(images, masks, unmatched, args.skip_unmatched, pairs, "skin train")
        left_out = skin.unmatched_warning(images, masks, unmatched)
        if left_out:
            print(f"segmix skin train: warning: {left_out}", file=sys.stderr)
        own = skin.detector_masks_warning(masks, pairs, training=True)
        if own:
            print(f"segmix skin train: warning: {own}", file=sys.stderr)
        marked = None if args.quiet else skin.marks_labels_note(masks, pairs)
        if marked:
            print(f"segmix skin train: note: {marked}", file=sys.stderr)
        spare = None if args.quiet else skin.unpaired_masks_note(images, masks, pairs, said=left_out or "")
        if spare:
            print(f"segmix skin train: note: {spare}", file=sys.stderr)
        left = None if args.quiet else skin.left_out_note([images, masks])  # .DS_Store, a pipe: said once
        if left:
            print(f"segmix skin train: note: {left}", file=sys.stderr)
    # Every pair that cannot be used is listed, one line each, as skin eval lists them; then
    # the run stops (exit 2; a model of part of the data is not written). It stopped at the
    # first, and a trial fixed one mask after another, one run each.
    unusable: list[str] = []
    skipped: list[str] = []  # pairs whose mask ignores every pixel: left out, as skin eval leaves them out
    inverted_folders: list[str] = []  # folders whose masks look inverted: refused unless --inverted-ok
    inverted_photos: set[str] = set()  # photos whose own masks look inverted: named by the marks check
    if distributed:
        from segmix.distributed.skin_jobs import count_training_data

        with _dask_client(args) as client:
            try:
                counts = count_training_data(client, args.uci, args.images, args.masks, quiet=args.quiet,
                                             skipped=skipped)
            except skin.UnusablePairs as exc:
                unusable = exc.lines
        # The cluster merges the folders' counts: asked of them together (of the photos alone).
        inverted = None if unusable or args.uci else skin.inverted_mask_words(counts)
        if inverted:
            inverted_folders.append(f"{', '.join(map(str, args.masks))}: {inverted}")
    else:
        counts = skin.ColorCounts.empty()
        for path in args.uci:
            counts = counts + skin.load_uci(path)
        for images, masks in zip(args.images, args.masks):
            bar = skin.progress_bar(f"reading {images}", quiet=args.quiet)
            try:
                notes: list[str] = []
                folder_counts = skin.count_image_folder(images, masks, progress=bar, notes=notes, skipped=skipped)
                from segmix.repeated_lines import fold_repeated

                inverted = skin.inverted_mask_words(folder_counts)
                inverted_photos.update(os.path.basename(pair[0]) for pair in train_pairs for note in notes
                                       if isinstance(note, skin.InvertedMaskNote) and str(note).startswith(f"{pair[1]}:"))
                own = sorted(os.path.basename(pair[0]) for pair in train_pairs for note in notes
                             if isinstance(note, skin.InvertedMaskNote) and str(note).startswith(f"{pair[1]}:"))
                if inverted:  # asked of the folder: not of each photo too, but the photos named
                    notes = [note for note in notes if not isinstance(note, skin.InvertedMaskNote)]
                    if own:  # 1 inverted mask of 3 was asked of the folder, unnamed (trial 58)
                        looks = "its mask looks inverted on its own" if len(own) == 1 else \
                            "their masks look inverted on their own"
                        inverted += f" ({', '.join(own)}: {looks})"
                for note in fold_repeated(sorted(notes)):  # a folder of toned photos: one line, with the count
                    bar.write(f"segmix skin train: warning: {note}")
                if inverted:
                    inverted_folders.append(f"{masks}: {inverted}")
                counts = counts + folder_counts
            except skin.UnusablePairs as exc:
                unusable += exc.lines
            finally:
                bar.close()
    from segmix.repeated_lines import fold_repeated

    for line in fold_repeated(skipped):  # an all-128 mask costs its pair, not the training (exit 1, as skin eval)
        print(f"segmix skin train: skipped {command_line_words(line, 'skin train')}", file=sys.stderr)
    if unusable:
        for line in fold_repeated(unusable):  # a folder of 0/1 masks: one line, with the count
            print(f"segmix skin train: error: {command_line_words(line, 'skin train')}", file=sys.stderr)
        return 2
    # Inverted masks stop the run as photos without masks do (--skip-unmatched): a warning and
    # exit 0 wrote a model of everything but skin that a script went on to use (trial 56).
    for line in inverted_folders:
        if args.inverted_ok:
            print(f"segmix skin train: warning: {line}", file=sys.stderr)
        else:
            print(f"segmix skin train: error: {line}; or give --inverted-ok to train on them as they are",
                  file=sys.stderr)
    if inverted_folders and not args.inverted_ok:
        return 2
    if skipped and counts.n_skin + counts.n_non_skin == 0:
        raise UserError(f"none of the {photos} photo / mask pairs could be used; nothing to train on")
    repeated = skin.repeated_photos_words(counts.sources)  # "7 photos" of which 4 were distinct, in silence
    if repeated:
        print(f"segmix skin train: warning: {repeated}", file=sys.stderr)
    photos -= len(skipped)
    if not args.quiet:
        distinct = skin.distinct_photos(counts.sources)
        used = (f" of {photos} photo{'' if photos == 1 else 's'}"
                + (f" ({distinct} distinct)" if distinct is not None and distinct < photos else "")) if args.images else ""
        rows = " and the UCI rows" if args.uci and args.images else ""
        print(f"training on {counts.n_skin:,} skin and {counts.n_non_skin:,} non-skin pixels{used}{rows} "
              f"({counts.codes.size:,} distinct colours)", file=sys.stderr)
    options = {k: v for k, v in (("n_components", args.components), ("non_skin_components", args.non_skin_components),
                                 ("color_space", args.color_space), ("reg_covar", args.reg_covar),
                                 ("covariance_type", args.covariance_type)) if v is not None}
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if init is not None:
                from segmix import skin_init

                model = skin_init.adapt_skin_model(
                    init, counts, skin_init.DEFAULT_RELEVANCE if args.relevance is None else args.relevance,
                    prior=args.prior, threshold=args.threshold, init_name=str(args.init))
            else:
                model = skin.train_skin_model(
                    counts, prior=skin.BUILTIN_PRIOR if args.prior is None else args.prior,
                    threshold=skin.BUILTIN_THRESHOLD if args.threshold is None else args.threshold,
                    seed=args.seed, **{**skin.TRAIN_DEFAULTS, **options})
        except skin.MixtureFitError as exc:
            # In the options' names: the fit's own words, "Try to decrease n_components or
            # increase reg_covar", named no option (a trial's --reg-covar 0).
            option = "-k/--components" if exc.name == "skin" else "--non-skin-components"
            raise UserError(f"the {exc.name} mixture of {exc.n_components} components could not be fitted: a "
                            f"component collapsed onto too few distinct colours (its covariance is singular at "
                            f"--reg-covar {exc.reg_covar:g}); give a smaller {option} or a larger --reg-covar "
                            f"(default {skin.TRAIN_DEFAULTS['reg_covar']:g})") from None
    for warning in caught:
        print(f"segmix skin train: warning: {warning.message}", file=sys.stderr)
    # Judged before the file is written: the model file keeps the findings, and skin apply /
    # skin eval of it repeat them as they repeat the tone warnings (trial 58: they were said once).
    marks_lines, marks_note = _marks_check(init, args.init, model, args.output, train_pairs, inverted_photos)
    model.training[MARKS_CHECK_KEY] = marks_lines
    with _all_or_nothing(args.output, args.convergence):
        write_model(args.output, model, protect=protect)
        if args.convergence:
            from segmix.plots import save_convergence_png

            histories = {f"{name} mixture, K = {gmm.n_components}": gmm.log_likelihood_history_
                         for name, gmm in zip(model.classifier.class_names, model.classifier.mixtures)
                         if getattr(gmm, "log_likelihood_history_", None)}
            save_convergence_png(args.convergence, histories, title="Skin model training: EM convergence",
                                 protect=protect + [args.output], mark="skin train",
                                 reg_covar=model.classifier.mixtures[0].reg_covar)
    print(f"wrote {args.output} ({operating_point(model)})")
    if init is not None and not args.quiet:
        print(f"segmix skin train: note: {_adapted_words(model)}", file=sys.stderr)
    if init is not None:  # a warning: with --quiet too
        little = _adapted_little_words(model, args.output)
        if little:
            print(f"segmix skin train: warning: {little}", file=sys.stderr)
    # A warning, with --quiet too, on every training path: a plain 30-photo fit kept MST-6..8
    # of the chart only and was told "trained on 30 photos only" (trial 56); it is judged
    # against the built-in model, the one it replaces.
    _say_lost_tones(init, model, args.output)
    _say_surfaces_called_skin(init, model, args.output)
    for words in marks_lines:
        print(f"segmix skin train: warning: {words}", file=sys.stderr)
    if marks_note and not args.quiet:
        print(f"segmix skin train: note: {marks_note}", file=sys.stderr)
    if args.convergence:
        print(f"wrote {args.convergence}")
    # Non-skin of few colours (a plain wall, clothes) gives a model that calls greens and blues
    # skin; said when training, not first when the model is applied (as "inverted masks?").
    doubt = skin.skin_model_doubt(model)
    if doubt is not None and doubt[0] == skin.NARROW_NON_SKIN:
        print(f"segmix skin train: warning: {args.output}: {doubt[1]}", file=sys.stderr)
    few = skin.few_photos_warning(photos, args.output, bool(args.uci))  # a warning: with --quiet too
    if few:
        print(f"segmix skin train: warning: {few}", file=sys.stderr)
    if skipped:
        print(f"segmix skin train: {len(skipped)} of {photos + len(skipped)} photo / mask pairs skipped; the model is "
              f"of the other {photos}{' and the UCI rows' if args.uci else ''}", file=sys.stderr)
        return 1
    return 0


#: The key of a skin model file's ``training`` record that keeps skin train's marks check
#: findings (a list of lines; older files have none): repeated by skin apply / skin eval.
MARKS_CHECK_KEY = "marks_check"


def _marks_check(init, init_name, model, output, pairs, inverted=()) -> tuple[list[str], str]:
    """skin train's judgement of the trained ``model`` on the labelled pixels of its training
    photos against ``init`` (the built-in model without ``--init``; segmix.skin_marks_check):
    the warnings (the trained model does worse there, or finds none of the skin labelled on a
    photo, and why) and the note of what was judged and its cost. A trial's model of one
    photo's marks found none of that photo's skin, and only how far its Gaussians moved was
    said. All the photos are judged up to segmix.skin_marks_check.MAX_PIXELS (a sample of 6
    reversed a trial's verdict), read one at a time. ``inverted``: the photos whose masks look
    inverted."""
    import time
    import warnings

    from segmix import skin, skin_marks_check

    def reader(pair):
        def read():
            # The photos were read, and their warnings said, for training: read again here in
            # silence (a damaged JPEG's line came twice, tests/test_jpegread42.py).
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    image, labels = skin.read_pair(pair)
                except (OSError, ValueError):  # a pair training skipped or refused: said there
                    return None
            return os.path.basename(pair[0]), image, labels
        return read

    start = time.perf_counter()
    check = skin_marks_check.check_on_marks(model, skin.load_skin_model() if init is None else init,
                                            [reader(pair) for pair in pairs])
    than = "the built-in model" if init is None else ("the built-in model it started from"
                                                      if str(init_name) == "builtin" else "the initial model")
    lines = skin_marks_check.marks_words(check, str(output), than, inverted=inverted)
    # The figures always (a re-check: a model 0.716 against 0.790 on its own labels, not surely
    # worse, got a note with no figure at all).
    note = (f"judged {output} against {than} on the labels of {skin_marks_check.judged_words(check)}: "
            f"{skin_marks_check.scores_words(check)} ({time.perf_counter() - start:.1f} s)") if check.photos else ""
    return lines, note


def _say_recorded_marks_check(path, model, command: str) -> None:
    """skin train's marks check findings that the model file keeps (:data:`MARKS_CHECK_KEY`),
    repeated by the commands that apply the model (a list of strings; anything else is passed
    over: provenance)."""
    lines = (getattr(model, "training", None) or {}).get(MARKS_CHECK_KEY)
    if not isinstance(lines, list):
        return
    for line in lines:
        if isinstance(line, str) and line:
            print(f"segmix {command}: warning: {path}: when trained: {line}", file=sys.stderr)


def _say_lost_tones(init, model, output, command: str = "skin train") -> None:
    """Warn of the Monk tones (segmix.skin_init.lost_tones) that a trained ``model`` no longer
    detects and ``init`` (the built-in model without ``--init``) does."""
    from segmix import skin, skin_init

    recorded = (getattr(model, "training", None) or {}).get("adapted_from", {}).get("lost_tones")
    # An adapted model records them (skin_init, at the adaptation): not worked out twice.
    lost = recorded if recorded is not None else skin_init.lost_tones(skin.load_skin_model() if init is None else init, model)
    if not lost:
        return
    than = "the built-in model does" if init is None else "the initial model does"
    cure = ("; or start from the built-in model (--init builtin), which keeps the tones the photos do not show"
            if init is None else "")
    if recorded is not None and init is None:  # an adapted model's record judges it against its initial model
        than, cure = "the initial model does", ""
    print(f"segmix {command}: warning: {skin_init.lost_tones_words(output, lost, than, cure)}", file=sys.stderr)


def _say_surfaces_called_skin(init, model, output, command: str = "skin train") -> None:
    """Warn of the common surfaces (whites, greys, black, wood, sand, sky, grass:
    segmix.skin_init.SURFACES) that a trained ``model`` marks as skin and ``init`` (the
    built-in model without ``--init``) does not: the "calls non-skin colours skin" check judges
    saturated greens and blues only, and a model called the chart's white 100 % skin in silence."""
    from segmix import skin, skin_init

    called = skin_init.surfaces_called_skin(skin.load_skin_model() if init is None else init, model)
    if called:
        than = "the built-in model does not" if init is None else "the initial model does not"
        print(f"segmix {command}: warning: {output}: marks {', '.join(called)} as skin ({than}; patches of "
              f"skin_init's surface chart): its skin class took in those colours (masks that mark such surfaces as "
              f"skin, or too small a --relevance); check its masks and the model on photos with such surfaces",
              file=sys.stderr)


def _skin_train_init(args: argparse.Namespace):
    """``skin train --init``'s model (None without it), after refusing the options that do not
    go with it (one line each: the mixtures' shapes come from the initial model, and one MAP
    step has no EM curves to plot)."""
    if args.init is None:
        if args.relevance is not None:
            raise UserError("--relevance goes with --init (the MAP adaptation's relevance factor); give --init builtin "
                            "to adapt the built-in model, or leave --relevance out")
        return None
    given = [name for name, value in (("-k/--components", args.components),
                                      ("--non-skin-components", args.non_skin_components),
                                      ("--covariance-type", args.covariance_type), ("--color-space", args.color_space),
                                      ("--reg-covar", args.reg_covar), ("--convergence", args.convergence))
             if value is not None]
    if given:
        raise UserError(f"--init {args.init} keeps the initial model's mixtures (their components, covariances and "
                        f"colour space) and adapts them in one MAP step without EM: {', '.join(given)} "
                        f"{'does' if len(given) == 1 else 'do'} not apply; leave {'it' if len(given) == 1 else 'them'} "
                        "out, or leave out --init to fit new mixtures")
    from segmix import skin_init

    return skin_init.load_init_model(args.init)


def _adapted_little_words(model, output) -> str | None:
    """The warning of a ``skin train --init`` whose labelled skin moved the skin Gaussians less
    than :data:`segmix.skin_init.ADAPTED_LITTLE` of the way (None otherwise): the model is nearly the
    initial one (the window's Train warns alike)."""
    from segmix.skin_init import ADAPTED_LITTLE

    record = model.training.get("adapted_from", {})
    moved = record.get("alpha", {}).get("skin") or []
    if not moved or max(moved) >= ADAPTED_LITTLE:
        return None
    n, r = int(record.get("skin_pixels", 0)), float(record.get("relevance", 0))
    # The non-skin side moves on its own pixels (white walls, clothes): at --relevance 1e7 a
    # trial's skin side moved 5 % and its non-skin side 23 %, which took MST-1 and MST-2 from
    # the chart; "the model is nearly the initial one" contradicted the tone warning below it.
    other = record.get("alpha", {}).get("non-skin") or []
    if other and max(other) >= ADAPTED_LITTLE:
        nearly = (f"its skin side is nearly the initial model's, while its non-skin side moved up to {max(other):.0%} "
                  "(what takes any tones named below), and it may miss ")
    else:
        nearly = "the model is nearly the initial one and may miss "
    return (f"{output}: the labelled photos moved the skin Gaussians at most {max(moved):.0%} of the way to their "
            f"skin ({n:,} skin pixels against --relevance {r:g}): {nearly}"
            f"the skin of these photos; a smaller --relevance (about {max(1.0, n / 4):.0g} moves the most used "
            f"Gaussian over half way; check the tone warning and the model on other photos) or no --init (new "
            f"mixtures) learns more of them")


def _adapted_words(model) -> str:
    """What ``skin train --init`` did, in words: from which model, with which relevance, how far
    the Gaussians moved (the n / (n + r) of the skin core and the non-skin side)."""
    record = model.training.get("adapted_from", {})
    alpha = record.get("alpha", {})
    span = "; ".join(f"{name} Gaussians {min(a):.2f}-{max(a):.2f}" for name, a in alpha.items() if a)
    name = "the built-in model" if record.get("model") == "builtin" else record.get("model")
    fixed = model.classifier.mixtures[model.positive_class].n_components - int(
        model.training.get("core_skin_components", 0) or model.classifier.mixtures[model.positive_class].n_components)
    kept = f"; its {fixed} fixed skin-tone Gaussians kept" if fixed > 0 else ""
    return (f"adapted from {name} (MAP, relevance {record.get('relevance', 0):g} pixels: each Gaussian moved "
            f"n / (n + relevance) of the way to the labelled pixels, {span}){kept}")


def operating_point(model, share_option: str | None = "--skin-share") -> str:
    """How a trained skin model decides, in words: its prior, its threshold and the
    log-likelihood ratio they amount to, and the training data's own skin share with the
    option that would use it (``--skin-share``, in ``skin train`` as when applying; train's
    ``--prior`` is the same option; None: the share alone, for a run given that option, whose
    line read "(--skin-share 0.35 uses it) (--skin-share 0.35 used instead)")."""
    import math

    from segmix.skin_eval import threshold_text

    # The skin class is the model's positive class, not always the first: a model with its
    # classes in the other order was described by its non-skin prior (0.9, rule > -5.38).
    prior, threshold = float(model.classifier.priors[model.positive_class]), float(model.threshold)

    def logit(p):
        return math.log(p / (1.0 - p))

    # At the ends there is no ratio to name: the line read "skin where every colour".
    rule = ("p(skin) > 0, nearly every colour: a mask of the whole photo" if threshold <= 0.0
            else "p(skin) > 1, no colour: an empty mask on every photo" if threshold >= 1.0
            else f"log p(x|skin) - log p(x|non-skin) > {logit(threshold) - logit(prior):+.2f} "
                 f"(the log odds less the prior's {logit(prior):+.2f})")
    # The posterior's log odds too, the figure the window's Skin dock shows ("P(skin) > 0.040
    # (log odds -3.18)"): a user matching the two saw -3.18 there and only -0.98 here.
    odds = f" (log odds {logit(threshold):+.2f})" if 0.0 < threshold < 1.0 else ""
    # .3g: a share from a few skin pixels printed as 0.000.
    share = model.training.get("prior_from_data")
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0.0 <= share <= 1.0:
        # A note of the model's training, not a setting: a hand-edited one that is no share
        # is left out of the line (text stopped the command with "Unknown format code 'g'",
        # a list with a traceback).
        share = None
    use = f" ({share_option} {share:.3g} uses it)" if share is not None and share_option else ""
    data = f"; the training data's skin share is {share:.3g}{use}" if share is not None else ""
    from segmix.skin import prior_meaning

    return (f"operating point: p(skin) prior {prior:.3g}, {prior_meaning(model)}, threshold "
            f"{threshold_text(threshold, 'g')} on p(skin){odds}: skin where {rule}{data}")


def model_line(args: argparse.Namespace, model) -> str | None:
    """For ``--model``: the model file and its operating point (as ``skin train`` prints it), and
    which threshold / prior the options use instead; with the built-in model, only the prior
    ``--skin-share`` replaces (its threshold line named the model's operating point alone, a
    trial), else None."""
    share = getattr(args, "skin_share", None)
    if not args.model:
        if share is None:
            return None
        prior = float(model.classifier.priors[model.positive_class])
        return (f"built-in model: --skin-share {share:g} used instead of its p(skin) prior {prior:.3g}, the expected "
                "skin share of a photo")
    from segmix.skin_eval import threshold_text

    changed = [f"--{name.replace('_', '-')} {threshold_text(value, 'g')}" for name, value in
               (("threshold", args.threshold), ("skin_share", getattr(args, "skin_share", None))) if value is not None]
    return (f"model {args.model}: {operating_point(model, '--skin-share' if share is None else None)}"
            + (f" ({' and '.join(changed)} used instead)" if changed else ""))


def _say_model_warnings(path, model, command: str = "skin apply", inverted: bool = True, old_rule: bool = False) -> None:
    """The warnings of a ``--model`` file, one rule for every command that uses a model
    (``skin apply`` on one machine and with Dask, ``skin eval``), each once per run:

    - one that keeps an older segmix's operating point
      (:func:`segmix.skin.old_operating_point_words`: a trial's pooled F1 0.0011 for 0.1119,
      without a word), unless ``old_rule``: the run applies the old per-pixel rule the words
      advise (``--plain --no-adapt``);
    - one trained on inverted masks (:func:`segmix.skin.skin_model_doubt`; not where the masks
      judge the model, ``inverted`` False: skin eval), and one whose non-skin saw too few
      colours (said by every command: skin eval was silent where skin apply warned, trial 57);
    - the Monk tones and common surfaces it no longer tells right (:func:`_say_lost_tones`,
      :func:`_say_surfaces_called_skin`): ``skin train`` said them once, and a later
      ``skin apply`` / ``skin eval`` of the model never again (trial 57); not for a model that
      looks inverted, whose every tone is lost for that one cause.
    """
    from segmix import skin

    if not path:
        return
    doubt = skin.skin_model_doubt(model)
    looks_inverted = doubt is not None and doubt[0] == skin.INVERTED_MODEL
    if looks_inverted and not inverted:
        doubt = None
    for words in (None if old_rule else skin.old_operating_point_words(model), doubt and doubt[1]):
        if words:
            print(f"segmix {command}: warning: {path}: {words}", file=sys.stderr)
    if looks_inverted:
        return  # its lost tones and surfaces follow from the inversion: one cause, one line
    _say_lost_tones(None, model, path, command)
    _say_surfaces_called_skin(None, model, path, command)
    _say_recorded_marks_check(path, model, command)


def _old_rule(args: argparse.Namespace) -> bool:
    """True when a skin run applies a model's per-pixel rule as an older segmix did
    (``--plain --no-adapt``, what :func:`segmix.skin.old_operating_point_words` advises)."""
    return bool(getattr(args, "plain", False)) and getattr(args, "adapt", None) is False


@_option_words
def _cmd_skin_apply(args: argparse.Namespace) -> int:
    from segmix import skin

    # Options that contradict each other, --faces without OpenCV and --distributed without
    # Dask are refused first: before the photos are listed and before anything compiles.
    settings = _detector_settings(args)
    distributed = _check_distributed(args)
    _check_output_dir(args.output_dir, "skin apply")  # before the model, the photos and a cluster
    if args.probability_format is not None:
        # "png" / "tif" down to skin.apply_one (and the cluster's tasks); True stays the PNG
        args.probability = args.probability_format
    # Every output name of the run, checked before the model is read and before a cluster
    # starts (apply_batch and run_apply check again, for their other callers).
    skin.plan_batch(args.inputs, args.output_dir, args.probability)
    # A folder without photos beside other inputs was passed over in silence (exit 0): a
    # trial's `skin apply photo.png emptydir` wrote one mask and said nothing of the folder.
    # Alone it is refused (plan_batch).
    import os

    from segmix.io import subfolder_hint

    for item in args.inputs:
        if os.path.isdir(item) and not skin.list_images([item]):
            print(f"segmix skin apply: warning: {item}: no photos found in this folder (looked for "
                  f"{', '.join(sorted(skin.IMAGE_SUFFIXES))}){subfolder_hint(item)}", file=sys.stderr)
    ignored = None if args.quiet else skin.ignored_in_folders(args.inputs, args.output_dir)
    if ignored:  # a note, on stderr: a photo left out by its name is no failure
        print(f"segmix skin apply: note: {ignored}", file=sys.stderr)
    if distributed:
        from segmix.distributed.skin_jobs import run_apply

        checked = skin.load_skin_model(args.model)  # a wrong file is named before a cluster starts
        if model_line(args, checked) and not args.quiet:
            print(model_line(args, checked))
        _say_model_warnings(args.model, checked, old_rule=_old_rule(args))
        _say_newer_skin_model("skin apply", args, checked)
        with _dask_client(args, threads=args.workers, settings=settings) as client:
            return run_apply(client, args.model, args.inputs, args.output_dir, threshold=args.threshold,
                             probability=args.probability, settings=settings, quiet=args.quiet,
                             stream=_OptionWords(sys.stderr, "skin apply"), max_pixels=_max_pixels(args),
                             every_balance=args.white_balance is True)
    model = skin.load_skin_model(args.model)
    if model_line(args, model) and not args.quiet:  # a note: --quiet silences notes, never errors or warnings
        print(model_line(args, model))
    _say_model_warnings(args.model, model, old_rule=_old_rule(args))
    _say_newer_skin_model("skin apply", args, model)
    return skin.apply_batch(model, args.inputs, args.output_dir, threshold=args.threshold,
                            probability=args.probability, settings=settings, workers=args.workers,
                            quiet=args.quiet, stream=_OptionWords(sys.stderr, "skin apply"),
                            max_pixels=_max_pixels(args), on_complete=_outputs_complete,
                            every_balance=args.white_balance is True)


def _say_newer_skin_model(command: str, args: argparse.Namespace, model) -> None:
    """A note (not with --quiet) on a skin model file a newer segmix wrote: it was applied in
    silence (segmix.modelfile.newer_model_words)."""
    if args.model is None or getattr(args, "quiet", False):
        return
    from segmix.modelfile import newer_model_words

    newer = newer_model_words(args.model, getattr(model, "training", None))
    if newer:
        print(f"segmix {command}: note: {newer}", file=sys.stderr)


@_option_words
def _cmd_skin_eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from segmix import skin, skin_eval
    from segmix.own_outputs import refuse_foreign_files

    settings = _detector_settings(args)  # contradicting options and --faces without OpenCV: first
    model = skin.load_skin_model(args.model)
    _say_newer_skin_model("skin eval", args, model)
    # Checked before the (long) evaluation: an output must not replace a photo or a mask.
    inputs = _folder_files(args.images, args.masks)
    _check_outputs(inputs, {"--json": args.json, "--per-image": args.per_image}, figures={"--roc": args.roc, "--pr": args.pr})
    _check_json_name("--json", args.json)
    if args.per_image is not None and Path(args.per_image).suffix.lower() != ".csv":
        raise UserError(f"{args.per_image}: --per-image writes CSV; give a file name ending in .csv")
    # A file skin eval did not write is not replaced unless --overwrite says so; its own
    # report (its format field), table (its header row) and ROC plot (its mark) are.
    refuse_foreign_files([("--roc", args.roc), ("--pr", args.pr), ("--json", args.json), ("--per-image", args.per_image)],
                         "skin eval",
                         args.overwrite)
    pairs, unmatched = skin.image_mask_pairs(args.images, args.masks)
    _refuse_unmatched(args.images, args.masks, unmatched, args.skip_unmatched, pairs, max_pixels=_max_pixels(args))
    left_out = skin.unmatched_warning(args.images, args.masks, unmatched)
    if left_out:
        print(f"segmix skin eval: warning: {left_out}", file=sys.stderr)
    own = skin.detector_masks_warning(args.masks, pairs)
    if own:
        print(f"segmix skin eval: warning: {own}", file=sys.stderr)
    marked = None if args.quiet else skin.marks_labels_note(args.masks, pairs)
    if marked:
        print(f"segmix skin eval: note: {marked}", file=sys.stderr)
    spare = None if args.quiet else skin.unpaired_masks_note(args.images, args.masks, pairs, said=left_out or "")
    if spare:
        print(f"segmix skin eval: note: {spare}", file=sys.stderr)
    left = None if args.quiet else skin.left_out_note([args.images, args.masks])  # .DS_Store, a pipe: said once
    if left:
        print(f"segmix skin eval: note: {left}", file=sys.stderr)
    if model_line(args, model):  # part of the report (which model the figures are of), not a note: printed with --quiet too
        print(model_line(args, model))
    _say_model_warnings(args.model, model, "skin eval", inverted=False, old_rule=_old_rule(args))
    if args.model and args.adapt is not False:
        # Part of the report, as the model line: with models trained on hgr1's hand photos the
        # default adaptation cost much (a user's SFA per-image F1 0.593 against 0.760 with
        # --no-adapt; docs/skin.md), while it helps the built-in and UCI models.
        print("figures with per-photo adaptation (on by default: the model's Gaussians refitted to each photo); "
              "--no-adapt gives the model's own rule, which may score higher for a model trained on one kind of photo")
    own = skin.trained_on_words(model, args.images, args.model, [image for image, _ in pairs]) if args.model else None
    if own:
        print(f"segmix skin eval: warning: {own}", file=sys.stderr)
    bar = skin.progress_bar("evaluating", quiet=args.quiet)
    try:
        result = skin_eval.evaluate_folder(model, args.images, args.masks, threshold=args.threshold,
                                           settings=settings, progress=bar, max_pixels=_max_pixels(args))
    except (skin.UnusablePairs, skin_eval.OneClassMasks) as exc:
        none_usable = isinstance(exc, skin.UnusablePairs)
        if none_usable and len(exc.lines) == 1:
            raise
        # The pairs left out, one line each as when some pairs are scored, then the refusal
        # (it named the first alone, or two all-128 masks at most).
        from segmix.repeated_lines import fold_repeated

        for line in fold_repeated(exc.lines if none_usable else exc.skipped):  # alike lines once, with the count
            print(f"segmix skin eval: skipped {command_line_words(line, 'skin eval')}", file=sys.stderr)
        raise UserError(f"none of the {len(exc.lines)} photo / mask pairs could be used; nothing scored"
                        if none_usable else exc.refusal) from None
    finally:
        bar.close()
    from segmix.repeated_lines import fold_repeated

    for line in fold_repeated(result.skipped):  # a bad mask costs its pair, not the evaluation (exit 1, as skin apply)
        # in the command line's words: a photo over the pixel limit was told the library's
        # "segmix.io.load_image(path, max_pixels=...)", not skin eval's own --max-megapixels
        print(f"segmix skin eval: skipped {command_line_words(line, 'skin eval')}", file=sys.stderr)
    for warning in fold_repeated(result.warnings):  # photos without colour, by name: their masks are no finding
        print(f"segmix skin eval: warning: {warning}", file=sys.stderr)
    print(skin_eval.format_eval(result, per_image_hint=not args.per_image))
    if result.faces_used is not None:
        from segmix.io import listed_names

        # The photos without a face are named as the ones with one (trial 57: "in 4 of 5 photos,
        # a, b, c, d (the others ...)" left the fifth to guess).
        without = listed_names(sorted(result.no_face_photos))
        if not result.faces_used:
            print(f"--faces: no face found in {'the photo' if result.n_images == 1 else f'any of the {result.n_images} photos'}"
                  f"{f' ({without})' if without else ''}: scored as without --faces")
        else:
            named = skin.faces_words(result.face_photos).replace(":", ",", 1)
            print(f"--faces: skin colour calibrated on a face in {result.faces_used} of {result.n_images} photo"
                  f"{'s' if result.n_images != 1 else ''}{named}"
                  + (f"; no face found in {without} (scored as without --faces)" if without else ""))
    if result.white_balance_corrected is not None:
        from segmix.io import listed_names

        corrected = result.white_balance_corrected
        photos = f"{result.n_images} photo{'s' if result.n_images != 1 else ''}"
        # On by default since session 54: named as the option only when it was given, and by
        # default said only when it corrected a photo ("corrected in 0 of 1 photo (the others
        # scored as they were)" stood under every evaluation).
        if corrected:
            print(f"{'--white-balance' if args.white_balance else 'white balance'}: a colour cast corrected in "
                  f"{len(corrected)} of {photos} ({listed_names(corrected)})"
                  + (" (the others scored as they were)" if len(corrected) < result.n_images else ""))
        elif args.white_balance:
            print(f"--white-balance: no colour cast corrected in the {photos}")
    roc, pr = args.roc, args.pr
    if roc and result.missing_class is not None:
        # Skin-free photos checked for false alarms: the figures above are the result, and a
        # curve needs both classes (the run was refused, exit 2, with no figure at all).
        print(f"segmix skin eval: warning: --roc {roc} skipped: a ROC needs skin and non-skin pixels, and "
              f"{skin_eval.one_class_words(result)}", file=sys.stderr)
        roc = None
    if pr and result.missing_class is not None:
        print(f"segmix skin eval: warning: --pr {pr} skipped: a precision-recall curve needs skin and non-skin "
              f"pixels, and {skin_eval.one_class_words(result)}", file=sys.stderr)
        pr = None
    with _all_or_nothing(roc, pr, args.json, args.per_image):
        from segmix.io import resolved_path

        if roc:
            # The folder's last three parts, marked as cut ("tmp/w/skin_ccp" read as a relative
            # path of /tmp/w/skin_ccp to a new user); a short path whole.
            resolved = resolved_path(args.images)
            where = str(resolved) if len(resolved.parts) <= 4 else ".../" + "/".join(resolved.parts[-3:])
            skin_eval.save_roc(roc, result, title=f"Skin detection ROC: {where}", protect=inputs,
                               mark="skin eval", model_name=Path(args.model).name if args.model else "built-in model")
        if pr:
            resolved = resolved_path(args.images)
            where = str(resolved) if len(resolved.parts) <= 4 else ".../" + "/".join(resolved.parts[-3:])
            skin_eval.save_pr(pr, result, title=f"Skin detection precision-recall: {where}", protect=inputs,
                              mark="skin eval", model_name=Path(args.model).name if args.model else "built-in model")
        if args.json:
            from segmix.io import write_json_atomic

            report = result.summary()
            # which model the figures are of (the library's run record cannot know its file)
            report["run"] = {"model": os.path.abspath(args.model) if args.model else "built-in", **report["run"]}
            write_json_atomic(args.json, report, protect=inputs)
        if args.per_image:
            skin_eval.write_per_image_csv(args.per_image, result, protect=inputs)
    for path in (roc, pr, args.json):
        if path:
            print(f"wrote {path}")
    if args.per_image:
        best = (f"; f1_best_pooled_threshold at {skin_eval.threshold_text(result.best_threshold)}"
                if result.best_basis == "detector"
                else "")
        figures = ("precision, recall, f1" if result.missing_class is None else
                   "false_positive_rate" if result.missing_class == "skin" else "recall")
        print(f"wrote {args.per_image} (one row per photo: {figures} at threshold "
              f"{skin_eval.threshold_text(result.threshold)}{best}; an undefined figure is empty)")
    if result.skipped:
        total = result.n_images + len(result.skipped)
        print(f"segmix skin eval: {len(result.skipped)} of {total} photo / mask pairs skipped; the figures are "
              f"of the other {result.n_images}", file=sys.stderr)
        return 1
    return 0



# ------------------------------------------------------------------------ background
def _add_background_parser(sub) -> None:
    """``segmix background INPUT... [--output-dir OUT] [...]`` (see segmix.background)."""
    from segmix.background import BackgroundMixture

    defaults = BackgroundMixture().get_params()

    bg = sub.add_parser(
        "background", help="background subtraction over a video or frame sequence (per-pixel mixtures)",
        description="Per-pixel adaptive Gaussian mixtures (Stauffer-Grimson). Writes OUT/<frame stem>.png "
        "for every frame (video: frame_000001.png, ...): 8-bit, 0 background, 255 foreground, 127 shadow. "
        "Unreadable frames in a folder are reported and skipped (exit status 1; 2 when none is readable). "
        "Without --output-dir no mask is written: give --groundtruth to score only, or --background-image / "
        "--save-model.")
    bg.add_argument("inputs", nargs="+", metavar="INPUT", help="a folder of frames, image files (those of one folder read in the natural order of their names, frame2 before frame10, whatever order a shell gives them in), or one video; with --distributed, several frame folders "
                    "and videos, one sequence each")
    # Optional to argparse, since a run may only score or save: the help says when it is needed
    # (it showed [--output-dir OUT] with no word, and a run without it stopped "nothing to write").
    bg.add_argument("--output-dir", metavar="OUT",
                    help="folder for the masks (created if missing); needed to write masks, and always with "
                         "--distributed; without it a run only scores (--groundtruth) and/or writes "
                         "--background-image / --save-model")
    bg.add_argument("--learning-rate", type=unit_float, default=None, metavar="A",
                    help=f"alpha (default {defaults['learning_rate']:g}); frame t learns at max(alpha, 1/t), so "
                         "1/t for the first frames, and 0 keeps the mean of all frames seen (it does not freeze a "
                         "--model: frame t of a model resumed after 100 frames learns at 1/(100 + t))")
    bg.add_argument("-k", "--components", type=pixel_components, default=None, metavar="K",
                    help=f"Gaussians per pixel (default {defaults['n_components']})")
    bg.add_argument("--match-threshold", type=match_threshold, default=None, metavar="LAMBDA",
                    help=f"match within LAMBDA standard deviations (default {defaults['match_threshold']:g})")
    bg.add_argument("--median-size", type=median_size, default=None, metavar="N",
                    help="side of the majority filter on the mask (foreground and shadow): 0 = off, 1, or an odd 3..63 "
                         "(default 7, scaled with the frame's diagonal on frames larger than 320 x 240: 43 on "
                         "1920 x 1440; a --model keeps its own)")
    bg.add_argument("--shadows", action=argparse.BooleanOptionalAction, default=None,
                    help=f"mark shadows as 127 (default {'on' if defaults['detect_shadows'] else 'off'}): light "
                         "shadows only, a moving pixel of its background's colour at "
                         f"{defaults['shadow_threshold']:g} to 1 times its brightness (0.8 to 1 on greyscale frames; "
                         "--shadow-threshold); a deep shadow (a car's on a sunny road, about 0.13 times) comes out "
                         "moving")
    bg.add_argument("--shadow-threshold", type=shadow_threshold, default=None, metavar="TAU",
                    help=f"the darkest shadow, as a share of its background's brightness (default "
                         f"{defaults['shadow_threshold']:g}; 0.8 on greyscale frames): lower takes darker shadows, "
                         "and dark objects on a light background with them (CDnet highway, F-measure: 0.954 at 0.7, "
                         "0.933 at 0.5, 0.906 at 0.3, 0.894 at 0.1, which still marks 79 %% of its car shadows moving, "
                         "since the colour test narrows with the brightness)")
    bg.add_argument("--fast-start", action=argparse.BooleanOptionalAction, default=None,
                    help=f"learn frame t at max(alpha, 1/t) (default {'on' if defaults['fast_start'] else 'off'}): "
                         "masks from frame 2 on, but an object that stops before frame 1/alpha joins the "
                         "background sooner (stopping at frame 21: from its 4th frame, not its 12th); "
                         "--no-fast-start for objects that stop early in a clip, at the cost of about 1/alpha "
                         "frames of learning")
    bg.add_argument("--light-compensation", action=argparse.BooleanOptionalAction, default=None,
                    help="follow a change of light over the whole scene (lights switched, the sun coming out, a "
                         "camera's auto-exposure): each frame's gain per channel against the background scales the "
                         "model's means when it is more than 2 %% from 1 (default on; a model saved before session 57 "
                         "resumes without it)")
    bg.add_argument("--stabilise", action=argparse.BooleanOptionalAction, default=None,
                    help="a fixed camera that shakes: align each frame with the model's background (a whole-pixel "
                         "shift found by phase correlation, up to 64 pixels and a quarter of the frame's shorter side "
                         "either way: 60 on 320 x 240) before the model takes it, and move its mask back in line with "
                         "the frame; a frame that cannot be aligned is not learnt, and the note after the run says how "
                         "many and how far they were moved (default: as a --model was learnt, which its file records; "
                         "else off: every 10th frame is compared with the one before, and a warning names this option "
                         "when the frames shake)")
    bg.add_argument("--background-image", metavar="BG.png", help="also write the final background image")
    bg.add_argument("--save-model", metavar="M.json",
                    help="also write the final model (JSON) to resume later; may be the --model file itself "
                         "(resumed and saved back, replaced once the run is done)")
    bg.add_argument("--model", metavar="M.json", help="start from a saved model instead of an empty one")
    bg.add_argument("--groundtruth", metavar="GT_DIR",
                    help="score with CDnet rules against this folder, matched by frame number: the last number in "
                         "each file's name (gt000470.png is frame 470; a frame folder's frames by the number in "
                         "their names, a video's counted from 1: frame_000001 is its first)")
    bg.add_argument("--groundtruth-offset", type=integer, default=0, metavar="N",
                    help="the ground truth numbered K is frame K + N (default 0); 1 for ground truth counted from 0 "
                         "(Wallflower's gt00247.png is the 248th frame) against a video; a negative N for a clip "
                         "cut from a longer sequence (a video of highway's frames 400-699, numbered 1..300 here: "
                         "-399, so that gt000400.png is its frame 1); temporalROI.txt moves with it")
    bg.add_argument("--roi", nargs=2, type=positive_int, metavar=("FIRST", "LAST"),
                    help="score only frames FIRST..LAST, in the input's frame numbers (default: CDnet's "
                         "temporalROI.txt in GT_DIR or the folder above it, moved by --groundtruth-offset as the "
                         "ground truth is; else every frame with ground truth)")
    bg.add_argument("--quiet", action="store_true",
                    help="no progress bar and no notes (errors and warnings are still printed)")
    _add_overwrite(bg, "an existing --background-image or --save-model file",
                   "; a mask in --output-dir is replaced only when an earlier run wrote it")
    _add_distributed_options(bg, unit="sequence (frame folder or video) per task, each to OUT/<name>/")
    bg.set_defaults(handler=_cmd_background)


@_option_words
def _cmd_background(args: argparse.Namespace) -> int:
    import threading
    from pathlib import Path

    from segmix.background import BackgroundMixture, load_background_model, save_background_model
    from segmix.background_run import (check_groundtruth, ignored_words, leftovers_warning, pair_groundtruth,
                                       run_sequence, scored_frames_line, scored_range,
                                       numbering_notes, same_number_warning, short_sequence_warning, skip_words)
    from segmix.frames import IMAGE_SUFFIXES, FrameSequence, RepeatedSkip, SequenceEnd, among_frames, exif_turn_note
    from segmix.io import use_one_of
    from segmix.own_outputs import refuse_foreign_files
    from segmix.skin import progress_bar

    if len(args.inputs) > 1 and args.output_dir is None:
        # A trial's `segmix background frames/ masks/` (the masks' folder where an input goes)
        # was told "nothing to write: give --output-dir", and with --groundtruth that the input
        # "must be the image frames of one sequence", never that masks/ was read as an input.
        last = Path(args.inputs[-1])
        missing = not last.exists() and last.suffix == ""
        empty = last.is_dir() and not any(not child.name.startswith(".") for child in last.iterdir())
        if missing or empty:
            raise UserError(f"{args.inputs[-1]}: {'no such file or folder' if missing else 'an empty folder'}, "
                            "given as an input; the masks' folder is given with --output-dir "
                            f"(--output-dir {args.inputs[-1]})")
    problem = _basic_input_problem("background", args)  # an input not there before "nothing to write"
    if problem and args.output_dir is None:
        raise UserError(problem)
    if args.output_dir is None and args.groundtruth is None and args.background_image is None and args.save_model is None:
        if args.distributed is not None:
            # The line below names --groundtruth, --background-image and --save-model, which
            # --distributed refuses (they belong to one sequence): a session-34 check was sent to them.
            raise UserError("--distributed writes each sequence's masks to OUT/<name>/: give --output-dir OUT")
        raise UserError("nothing to write: give --output-dir (and/or --groundtruth, --background-image, --save-model)")
    if args.roi and args.groundtruth is None:
        raise UserError("--roi needs --groundtruth")
    if args.groundtruth_offset and args.groundtruth is None:
        raise UserError("--groundtruth-offset needs --groundtruth")
    if args.roi and args.roi[0] > args.roi[1]:
        raise UserError(f"--roi {args.roi[0]} {args.roi[1]}: FIRST must not exceed LAST")
    if args.shadows is False and args.shadow_threshold is not None:
        # The threshold was ignored in silence (exit 0), where other contradictions are refused.
        raise UserError(f"--shadow-threshold {args.shadow_threshold:g} sets the darkest shadow marked, and --no-shadows "
                        "marks none: give one of them")
    if args.groundtruth is not None and args.distributed is None:  # --distributed refuses it by name
        # A file (a video) given as --groundtruth is named as one, before the frames are read.
        _check_input_folder(args.groundtruth, "--groundtruth", "ground-truth masks", "no such ground-truth folder")
        if args.output_dir is not None and _same_folder(args.groundtruth, args.output_dir):
            # The masks would join the ground truth, and be read as ground truth by the next run.
                raise UserError(f"--output-dir {args.output_dir} and --groundtruth {args.groundtruth} are the same "
                            "folder; write the masks to another --output-dir")
    _refuse_folder_outputs((("--background-image", args.background_image), ("--save-model", args.save_model)))
    for option, path, suffixes in (("--background-image", args.background_image, (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")),
                                   ("--save-model", args.save_model, (".json",))):
        if path is not None and Path(path).suffix.lower() not in suffixes:
            raise UserError(f"{path}: unsupported extension for {option}; {use_one_of(suffixes)}")
    if args.output_dir is not None:
        _check_output_dir(args.output_dir, "background")
    if _check_distributed(args):
        return _background_distributed(args)
    if len(args.inputs) > 1:
        sequences = [p for p in args.inputs if Path(p).is_dir() or Path(p).suffix.lower() not in IMAGE_SUFFIXES]
        if sequences:
            raise UserError(f"{sequences[0]}: several inputs must be the image frames of one sequence; to run "
                            "several frame folders or videos, give --distributed (one sequence per task, each "
                            "to OUT/<name>/), or run segmix background once per sequence")
    skipped = []
    # The bar (made after every refusal) and the skipped lines: the lines are printed above
    # it (tqdm's write, as skin apply prints its own), not after it on its line; a frame
    # skipped advances it as a frame done (40 frames with 2 skipped stopped at 38/40). The
    # lines come from the decoding thread (segmix.frames.prefetch): one lock for both.
    bar = None
    lock = threading.Lock()
    done = {"frames": 0, "skipped": 0, "total": None}

    def advance():
        if bar is not None:
            bar(done["frames"] + done["skipped"], done["total"])

    from segmix.repeated_lines import RepeatHolder

    # 6 truncated frames gave 6 alike lines: the first now, the ones right after it folded into
    # one, said before the next other line (in frame order) or after the run.
    repeats = RepeatHolder(in_order=True)

    def on_skip(message):
        with lock:
            skipped.append(message)
            if isinstance(message, RepeatedSkip):
                repeats.repeat(message)  # said by the line before it; the summary counts it
                now = []
            elif isinstance(message, SequenceEnd):
                now = [*repeats.held("more frames"), message]  # the frames skipped before the end first
            else:
                now = repeats.take(message)
            for said in now:
                # A frame over the pixel limit was told of segmix.io.load_image(max_pixels=...).
                line = f"segmix background: {command_line_words(str(said), 'background')}"
                if bar is not None:
                    bar.write(line)
                else:
                    print(line, file=sys.stderr)
            if not isinstance(message, SequenceEnd):  # where a video ended is no frame
                done["skipped"] += 1
                advance()

    def progress(frames):
        with lock:
            done["frames"] = frames
            advance()

    sequence = FrameSequence(args.inputs[0] if len(args.inputs) == 1 else args.inputs, on_skip=on_skip)
    # Every refusal that does not need the model's work comes before it: no mask is written
    # by a run that then stops on an output name or a frame of another size.
    masks = []
    if args.output_dir is not None:
        if among_frames(args.output_dir, sequence.paths):
            # New mask files among the frames would be read as frames by the next run
            # (run_sequence refuses it too; said here before the frames' sizes are read).
            raise UserError(f"{args.output_dir}: is the input folder; write the masks to another --output-dir")
        masks = _background_masks(sequence, args.output_dir, args.background_image)
        from segmix.background_run import frames_in_output_words

        crowded = frames_in_output_words(args.output_dir, sequence)
        if crowded:  # 100 masks among another sequence's 100 frames came in silence
            print(f"segmix background: warning: {crowded}", file=sys.stderr)
    if args.groundtruth is not None and any(_same_folder(args.groundtruth, folder)
                                            for folder in {p.parent for p in sequence.paths}):
        # The frames would be read as their own ground truth (and refused for their colours).
        raise UserError(f"{_inputs_named(args.inputs)} and --groundtruth {args.groundtruth} are the same folder; give "
                        "the frames' folder as INPUT and the ground truth's as --groundtruth")
    groundtruth_files = _folder_files(args.groundtruth) if args.groundtruth else []
    # `--model M.json --save-model M.json` resumes a model and saves it back: the file is read
    # before the run and replaced atomically after it, so it is no input to protect there (a
    # trial's natural workflow was refused as "the input file"). Frames, videos and ground
    # truth stay refused.
    in_place = bool(args.model and args.save_model and _same_file(args.model, args.save_model))
    model_input = [] if not args.model or in_place else [args.model]
    # The masks must replace no frame, no ground-truth file (`--output-dir GT --groundtruth
    # GT` wrote masks over the ground truth of frames of the same name) and not be named as
    # --background-image (the image replaced a mask).
    # Files named inside an --output-dir the run will make (with its first mask) are checked
    # as the masks are, without their folder: `--output-dir out --background-image
    # out/bg.png` was refused because out/ did not exist yet.
    # So are those in a folder above it that the run makes with it (mkdir -p): `--output-dir
    # out2/hw --background-image out2/bg.png` was refused, "the folder out2 does not exist"
    # (session 50). A folder the run does not make is refused, as before.
    later = _outputs_in_new_folders((("--background-image", args.background_image), ("--save-model", args.save_model)),
                                    args.output_dir)
    _check_outputs([*sequence.paths, *groundtruth_files, *model_input],
                   {option: path for option, path in (("--background-image", args.background_image),
                                                      ("--save-model", args.save_model)) if path not in later},
                   batch=[*masks, *([(args.background_image, "--background-image")] if args.background_image else []),
                          *([(args.save_model, "--save-model")] if args.save_model in later else [])])
    if (args.background_image and sequence.kind == "folder"
            and among_frames(Path(args.background_image).parent, sequence.paths)):
        # Written among the frames, the image was read as a frame by the next run of the
        # folder (a trial's bg.png came first, "7 frames" of 6), as masks there would be (a
        # frame's own name is refused above, as an input).
        raise UserError(f"--background-image {args.background_image}: is in the folder of the frames; the next run "
                        "of that folder would read it as a frame: write it to another folder")
    # A file background did not write (a photo, another model) is not replaced unless
    # --overwrite says so; its own image (its mark) and model are: a rerun works.
    refuse_foreign_files([("--background-image", args.background_image), ("--save-model", args.save_model)],
                         "background", args.overwrite)
    _prefer_groundtruth_size(sequence, groundtruth_files)
    frame_shape = sequence.check_sizes()
    model = load_background_model(args.model) if args.model else BackgroundMixture()
    _check_resumed_components(args, model)
    _say_resumed_settings(args, model)
    if args.model:
        from segmix.background_run import resumed_stabilise

        # The model file records whether its frames were stabilised (session 57).
        args.stabilise, note, warning = resumed_stabilise(args.model, model, args.stabilise)
        if note and not args.quiet:
            print(f"segmix background: note: {note}", file=sys.stderr)
        if warning:
            print(f"segmix background: warning: {warning}", file=sys.stderr)
    for name, value in _background_overrides(args).items():
        setattr(model, name, value)
    model._params()  # a bad value is named before any work
    if args.model and model.shape_ is not None and frame_shape is not None and tuple(model.shape_) != frame_shape:
        # Was the library's "... (call reset() for a new sequence)", which is no advice here.
        turned = ""
        signs = getattr(sequence, "display_signs", None)
        if sequence.kind == "video" and signs is not None and signs[1] != 0:
            from segmix.frames import orientation_words

            # A phone's portrait video read upright: "has 240 x 320" alone did not say that its
            # header turns it (the --groundtruth mismatch says so; session 51).
            turned = (f" (its header shows it {orientation_words(signs)}, a phone's portrait video, and segmix "
                      f"reads it so, as players show it; it is stored {frame_shape[0]} x {frame_shape[1]})")
        raise UserError(f"{args.model}: the model was made on {model.shape_[1]} x {model.shape_[0]} frames but "
                        f"{args.inputs[0]} has {frame_shape[1]} x {frame_shape[0]}{turned}; resume a model only on "
                        "frames of its own camera")
    if args.save_model and frame_shape is not None:
        # Before the work: a model too large to be read back was written after the whole run.
        from segmix.background import check_model_file_size

        params = model._params()
        check_model_file_size(args.save_model, frame_shape, params.n_components, params.covariance_type)
    groundtruth = roi = span = None
    if args.groundtruth:
        # Paired by name with frames of the same names, whatever their numbering (names by time).
        pairing = pair_groundtruth(sequence, args.groundtruth)
        if pairing.warning:
            print(f"segmix background: warning: {pairing.warning}", file=sys.stderr)
        groundtruth = {number + args.groundtruth_offset: path for number, path in pairing.numbered.items()}
        # --roi is in the input's frame numbers; temporalROI.txt in the ground truth's, so it
        # moves with --groundtruth-offset (scored_range); `span` names which one it was.
        roi, span = scored_range(args.groundtruth, args.groundtruth_offset, tuple(args.roi) if args.roi else None)
        # A video whose header gives no count (Matroska, WebM) has its packets counted, not
        # decoded: a --roi wholly past its end was refused only after the whole run.
        from segmix.frames import FrameError, counted_frames

        try:
            check_groundtruth(sequence, groundtruth, roi, frame_shape, span if roi else None, args.groundtruth_offset,
                              frame_count=counted_frames(sequence))
        except FrameError as exc:
            # One rule for every ground truth that would score nothing (no frame matched, another
            # size or turned, only "outside" / "unknown"): refused before any work, as --groundtruth
            # asks for a score. Said so, with the way to the masks alone (a trial's rotated video:
            # exit 2 and no masks, in silence about either; session 58).
            raise FrameError(f"{exc}; nothing was written (without --groundtruth the masks are written, unscored)") \
                from None
        if not args.quiet:  # said where the numbers matter: frames named by time are numbered by place
            for note in numbering_notes(sequence, args.groundtruth, pairing):
                print(f"segmix background: note: {note}", file=sys.stderr)
    ignored = None if args.quiet or sequence.kind != "folder" else ignored_words(args.inputs[0], args.output_dir)
    if ignored:  # a note, as skin apply's: a video beside the frames was left out in silence
        print(f"segmix background: note: {ignored}", file=sys.stderr)
    turned = None if args.quiet else exif_turn_note(sequence, frame_shape)
    if turned:  # 240 x 320 masks of frames stored 320 x 240 came in silence
        print(f"segmix background: note: {turned}", file=sys.stderr)
    same_number = same_number_warning(sequence)
    if same_number:  # 1.png and 01.png ran in silence, their order undecided
        print(f"segmix background: warning: {same_number}", file=sys.stderr)
    if sequence.given_order and not args.quiet:
        def names(paths):
            # "..." only for frames beyond the three named: 2 frames read "(a, b, ...)".
            return ", ".join(p.name for p in paths[:3]) + (", ..." if len(paths) > 3 else "")

        print(f"segmix background: note: the {len(sequence.paths)} frames are read in the natural order of their "
              f"names ({names(sequence.paths)}), not as given ({names(sequence.given_order)}: a shell's order)",
              file=sys.stderr)
    if not args.quiet and sequence.coarse_dither():
        # The masks are of the low-passed frames: said, as segment says a palette photo's.
        print(f"segmix background: note: {args.inputs[0]}: its frames are dithered in a coarse palette (a GIF); "
              "they are low-passed before the model, which would take the dither for motion", file=sys.stderr)
    frames_before = model.frame_count_  # a resumed model has learnt the background already
    # Shown on a terminal only, unless --quiet (segmix.skin.progress_bar). Never tested for
    # truth: a tqdm bar without a total (a Matroska / WebM video gives no frame count) raises
    # TypeError in bool() (a trial's traceback).
    # A Matroska / WebM video gives no frame count: its bar had no total, so no share done and
    # no time left on an hour's recording; duration x frame rate from its header stands in.
    done["total"] = sequence.frame_count or _estimated_frames(sequence, args.quiet)
    with lock:
        bar = progress_bar("background", done["total"], quiet=args.quiet, unit="frame")
    try:
        result = run_sequence(sequence, model, args.output_dir, groundtruth=groundtruth, roi=roi, progress=progress,
                              keep_replaced=True, stabilise=args.stabilise)
        with lock:
            advance()  # a last frame skipped comes after the last frame done
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM (Terminated): say how far the run got
        # The final check of session 33: 459 of 1700 masks were left, and --save-model and
        # --background-image unwritten, under "segmix: interrupted" alone (skin apply says it).
        unwritten = [option for option, path in (("--save-model", args.save_model),
                                                 ("--background-image", args.background_image)) if path]
        if done["frames"] and (args.output_dir or unwritten):
            total = f" of {sequence.frame_count}" if sequence.frame_count else ""
            masks = f"; the masks of those frames are in {args.output_dir} (each file whole)" if args.output_dir else ""
            with _held(lock):
                bar.write(f"segmix background: stopped after {done['frames']}{total} frames{masks}"
                          + (f"; {' and '.join(unwritten)} not written" if unwritten else "")
                          + "; a rerun starts again from the first frame")
        raise
    finally:
        with _held(lock):
            bar.close()
    refusal = _scoring_refusal(args, result, groundtruth, roi, span, model.shape_)
    if refusal is not None:
        # Refused after the run (a video's frames known only once decoded): its masks go, the
        # replaced ones come back, and --background-image / --save-model are not written, as
        # a refusal before the run leaves nothing (they all stayed, beside exit 2).
        from segmix.background_run import discard_new_masks
        from segmix.repeated_lines import fold_repeated

        discard_new_masks(result)
        for line in fold_repeated(result.groundtruth_skipped):
            print(f"segmix background: skipped the ground truth {command_line_words(line, 'background')}",
                  file=sys.stderr)
        raise UserError(refusal)
    depth_note = None
    try:
        with _all_or_nothing(args.background_image, args.save_model):
            _make_folders_of(later)
            if args.background_image:
                from segmix.background_run import save_background_image

                # 16-bit for 16-bit frames (PNG, TIFF): 8-bit in silence before; said either way
                depth_note = save_background_image(args.background_image, model, sequence, protect=sequence.paths)
            if args.save_model:
                save_background_model(args.save_model, model, protect=[*sequence.paths, *model_input])
    except (OSError, ValueError):
        # The run's outputs are all or nothing: its new masks go too and the ones it replaced
        # come back (they stayed, beside "error: ... cannot write (no space left on device)").
        from segmix.background_run import discard_new_masks

        discard_new_masks(result)
        raise
    finally:
        from segmix.background_run import drop_replaced

        drop_replaced(result)
    _outputs_complete()  # the masks, --background-image and --save-model: a signal now cuts nothing short
    short = short_sequence_warning(_inputs_named(args.inputs), result.frames, frames_before, model)
    if short:
        print(f"segmix background: warning: {short}", file=sys.stderr)
    lead = sequence.undecodable_start
    if lead:  # the masks are numbered from the first frame that decodes: said, with the offset
        from segmix.background_run import undecodable_start_warning

        print(f"segmix background: warning: {undecodable_start_warning(args.inputs[0], lead)}", file=sys.stderr)
    height, width = model.shape_
    leftovers = leftovers_warning(args.output_dir, result.leftovers, (height, width))
    if leftovers:
        print(f"segmix background: warning: {leftovers}", file=sys.stderr)
    for line in repeats.held("more frames"):  # the frames skipped for a reason said above, folded
        print(f"segmix background: {command_line_words(line, 'background')}", file=sys.stderr)
    where = f" to {args.output_dir}" if args.output_dir else ""
    # What the skipped lines amount to, in frames: a truncated video is no "1 skipped".
    lost = skip_words(skipped)
    # "wrote the masks of" / "read": a trial read the bare "1700 frames (320 x 240) to masks"
    # as a line cut short (every other command's summary says what it did).
    from segmix.background import DEFAULT_MEDIAN_SIZE

    side = model._params().median_size
    # The window a large frame's run used is said: its masks differ from a 7 x 7 filter's.
    window = (f"; majority filter {side} x {side}, scaled to the frame size (--median-size N sets it)"
              if model.median_size == "auto" and side != DEFAULT_MEDIAN_SIZE else "")
    print(f"{'wrote the masks of ' if args.output_dir else 'read '}"
          f"{result.frames} frame{'' if result.frames == 1 else 's'} ({width} x {height}){where}"
          + (f"; {lost}" if lost else "") + window)
    from segmix.background_run import frame_timing_warning, mostly_moving_warning
    from segmix.repeated_lines import fold_repeated

    # A video with dropped frames (or a variable rate): its masks are numbered as its frames
    # come, not by their times; said without ground truth too (exit 0 in silence, session 46).
    timing = frame_timing_warning(sequence)
    if timing and result.score is None:
        print(f"segmix background: warning: {timing}", file=sys.stderr)
    from segmix.background_run import numbering_gap_words

    # A folder's frames 61-79 missing passed in silence, while a video's drop is warned of; with
    # ground truth it is said after the scored line, which names the range the gap lies in.
    gaps = None if args.quiet else numbering_gap_words(sequence, groundtruth if result.score is not None else None,
                                                       roi)
    if gaps and result.score is None:
        print(f"segmix background: note: {gaps}", file=sys.stderr)

    crowded = mostly_moving_warning(result)
    if crowded:  # masks that say nothing, given in silence (a folder of three scenes)
        print(f"segmix background: warning: {crowded}", file=sys.stderr)
    from segmix.background_run import filter_wiped_warning, shake_warning, stabilised_note

    shaking = shake_warning(result)
    if shaking:  # highway rolled by -2..2 px scored F 0.656 in silence (a new-user trial)
        print(f"segmix background: warning: {shaking}", file=sys.stderr)
    stabilised = None if args.quiet else stabilised_note(result)
    if stabilised:
        print(f"segmix background: note: {stabilised}", file=sys.stderr)

    wiped = filter_wiped_warning(result, model, (height, width))
    if wiped:  # 3 x 3 frames' masks all 0, recall 0, in silence
        print(f"segmix background: warning: {wiped}", file=sys.stderr)
    for line in fold_repeated(result.groundtruth_skipped):  # 230 alike lines said once, with the count
        print(f"segmix background: skipped the ground truth {command_line_words(line, 'background')}",
              file=sys.stderr)
    if result.score is not None:
        # Which ground truth met which frame: a numbering mismatch shows on this line.
        unused = len(result.groundtruth_skipped)
        # "scored 54 frames (frames 470..1700 given by ...)" named two counts "frames": the range is one.
        within = f"the frames read in the range {span.removeprefix('frames ')}" if span.startswith("frames ") else span
        # A new user's --roi 420 499 on highway "scored 80 frames", 50 of them all outside
        # CDnet's temporal region (85): the figures were of 30.
        empty = result.empty_scored_frames
        from segmix.background_run import range_beyond_words

        beyond = range_beyond_words(result, roi)
        if beyond:  # a range past the clip's end read as frames without ground truth
            within += f"; {beyond}"
        print(f"scored {result.scored_frames} frame{'' if result.scored_frames == 1 else 's'} ({within}"
              + (f"; {empty} of them hold{'s' if empty == 1 else ''} no scored pixel (ground truth all 85 / 170, "
                 f"outside its region of interest or unknown), so the figures are of "
                 f"{result.scored_frames - empty}" if empty else "")
              + (f"; {unused} ground-truth file{'' if unused == 1 else 's'} skipped, not scored" if unused else "")
              + f"): {scored_frames_line(result.scored)}; {result.score.summary()}")
        from segmix.background_run import offset_warning

        # temporalROI.txt's range moves with the offset: the shifts are scored as a run given it scores
        numbers = getattr(getattr(sequence, "numbering", None), "numbers", None)
        first_numbers = (numbers[0], min(pairing.numbered)) if numbers and pairing.numbered else None
        shifted = offset_warning(result, args.groundtruth_offset, roi_moves=roi is not None and not args.roi,
                                 first_numbers=first_numbers)
        if shifted:  # a numbering off by one scored the wrong frames in silence (Wallflower against a video)
            print(f"segmix background: warning: {shifted}", file=sys.stderr)
        from segmix.background_run import orientation_warning

        turned = orientation_warning(result, sequence)
        if turned:  # ground truth of a turned phone video drawn on its stored pictures: F 0 in silence
            print(f"segmix background: warning: {turned}", file=sys.stderr)
        from segmix.background_run import frame_rate_warning

        timed = frame_rate_warning(result, sequence)
        if timed:  # ground truth of ffmpeg's constant-rate frames of a variable-rate video: F 0.09 in silence
            print(f"segmix background: warning: {timed}", file=sys.stderr)
        elif timing:  # the frames' times said once: here, where the offset warning points to it
            print(f"segmix background: warning: {timing}", file=sys.stderr)
        if gaps:
            print(f"segmix background: note: {gaps}", file=sys.stderr)
        # Ground truth saved inverted (static 255, moving 0) was scored in silence (PWC 96 %),
        # where skin eval asks of inverted masks. Moving objects fill a minority of a fixed
        # camera's view, and a working detector then disagrees with most of it.
        score = result.score
        total = score.tp + score.fp + score.fn + score.tn
        if total and (score.tp + score.fn) > 0.5 * total and score.pwc > 50:
            print(f"segmix background: warning: {args.groundtruth}: the ground truth calls "
                  f"{100 * (score.tp + score.fn) / total:.0f} % of the scored pixels moving (255) and the masks "
                  f"disagree with it on {score.pwc:.0f} %: is it inverted? Ground truth marks moving pixels 255 and "
                  "static ones 0", file=sys.stderr)
    for path in (args.background_image, args.save_model):
        if path:
            print(f"wrote {path}")
    if depth_note and not args.quiet:
        print(f"segmix background: note: {depth_note}", file=sys.stderr)
    return 1 if skipped or result.groundtruth_skipped or lead else 0  # frames without a mask: as skipped ones


def _prefer_groundtruth_size(sequence, groundtruth_files) -> None:
    """Of a folder of frames of two sizes, use those of the ground truth's size (the first
    ground-truth file's), when some have it, and say so once: the majority's size was taken and
    every frame the ground truth fits skipped, so a run with --groundtruth wrote no mask."""
    if sequence.kind == "video" or not groundtruth_files:
        return
    from collections import Counter

    from segmix.frames import header_format

    found = next((f for f in map(header_format, groundtruth_files[:5]) if f is not None), None)
    if found is None:
        return
    sizes = Counter(f[0] for f in map(header_format, sequence.paths) if f is not None)
    if len(sizes) < 2 or found[0] not in sizes or sizes.most_common(1)[0][0] == found[0]:
        return
    sequence.preferred_size = found[0]
    w, h = found[0]
    others = sum(sizes.values()) - sizes[found[0]]
    print(f"segmix background: note: the frames are of {len(sizes)} sizes: the {sizes[found[0]]} of {w} x {h}, the ground truth's size, are "
          f"used and scored; the {others} of other sizes are skipped", file=sys.stderr)


def _scoring_refusal(args: argparse.Namespace, result, groundtruth, roi, span, shape) -> str | None:
    """The refusal of a ``background`` run that scored no frame, found after its run (a video
    whose frames are known only once decoded), or None when it scored some or scores nothing.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``background`` options (``groundtruth``, ``groundtruth_offset``).
    result : segmix.background_run.RunResult
        The finished run.
    groundtruth : {frame number: path} or None
        The ground truth, moved by ``--groundtruth-offset``.
    roi : (first, last) or None
        The scored range (:func:`segmix.background_run.scored_range`).
    span : str or None
        That range in words.
    shape : (H, W) or None
        The frames' size, to read the ground truth at.

    Returns
    -------
    str or None
        One line naming the ground-truth folder, both numberings and what to give.
    """
    from segmix.background_run import no_match_advice

    if result.score is None or result.scored_frames:
        return None
    if result.groundtruth_skipped:
        return (f"{args.groundtruth}: no ground-truth file of the matched frames could be used "
                f"({len(result.groundtruth_skipped)} skipped); nothing was scored")
    # The advice a counted video gets before its run: a Matroska clip of highway's frames
    # 400-699 was told to give --roi, whose frames 1..300 score no pixel (a loop).
    advice = no_match_advice(range(1, result.frames + 1), groundtruth, roi, tuple(shape) if shape else None,
                             args.groundtruth_offset)
    return (f"{args.groundtruth}: no ground-truth frame matches an input frame in {span} (the ground truth is of "
            f"frames {min(groundtruth)}..{max(groundtruth)}"
            + (f", the input frames are 1..{result.frames}" if result.frames else "") + f"){advice}")


def _same_folder(a, b) -> bool:
    """Whether paths ``a`` and ``b`` name one existing folder (through a link, a ``..``)."""
    import os

    try:
        return os.path.isdir(a) and os.path.samefile(a, b)
    except OSError:
        return False


def _check_input_folder(path, option: str, holds: str, missing: str | None = None) -> None:
    """:func:`segmix.io.check_input_folder`'s refusal as the command's one line."""
    from segmix.io import check_input_folder

    try:
        check_input_folder(path, option, holds, missing)
    except OSError as exc:
        raise UserError(str(exc)) from None


def _same_file(a, b) -> bool:
    """Whether paths ``a`` and ``b`` name one file (a link, another spelling), or one path
    when neither exists (`--model gone.json --save-model gone.json` was refused as "refusing to
    overwrite the input file", where the model's reading says it is not found)."""
    import os

    from segmix.io import resolved_path

    try:
        return os.path.samefile(a, b)
    except OSError:
        if os.path.lexists(a) or os.path.lexists(b):
            return False
        return os.path.normcase(resolved_path(a)) == os.path.normcase(resolved_path(b))


def _inputs_named(inputs: list) -> str:
    """The inputs as the user gave them, for a message: one name, or the first and last of a list."""
    return str(inputs[0]) if len(inputs) == 1 else f"{inputs[0]} ... {inputs[-1]} ({len(inputs)} files)"


def _check_resumed_components(args: argparse.Namespace, model) -> None:
    """Refuse a ``-k`` that differs from the number of Gaussians of a resumed ``--model``.

    A model's per-pixel arrays are sized by its number of Gaussians, so a resumed model keeps
    it. The model's own number is accepted: a script that always passes ``-k 3`` was refused
    "--components cannot change a saved model's number of components" for a 3-Gaussian model,
    a message that named neither the file nor the number it holds.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``background`` options (``model``, ``components``).
    model : BackgroundMixture
        The model read from ``args.model``, before any option is applied to it.

    Raises
    ------
    UserError
        ``-k`` given with another number than the model's, naming both and the file.
    """
    if not args.model or args.components is None or model.shape_ is None:
        return
    if args.components != model.n_components:
        raise UserError(f"-k/--components {args.components}: {args.model} holds {model.n_components} Gaussians per "
                        f"pixel, which a resumed model keeps; leave -k out (or give {model.n_components}), or start "
                        "a new model without --model")


def _say_resumed_settings(args: argparse.Namespace, model) -> None:
    """A note on stderr (not with ``--quiet``) naming the settings a resumed ``--model`` keeps
    that are not the defaults (:func:`segmix.background_run.resumed_settings_note`)."""
    if not args.model or args.quiet:
        return
    from segmix.background_run import resumed_settings_note

    from segmix.modelfile import newer_model_words

    # A newer segmix's model was resumed in silence (its settings are refused when unknown).
    newer = newer_model_words(args.model, {"segmix_version": getattr(model, "written_by_", None)})
    if newer:
        print(f"segmix background: note: {newer}", file=sys.stderr)
    note = resumed_settings_note(args.model, model, _background_overrides(args))
    if note:
        print(f"segmix background: note: {note}", file=sys.stderr)


def _background_overrides(args: argparse.Namespace) -> dict:
    """The BackgroundMixture parameters given on the command line."""
    given = {"learning_rate": args.learning_rate, "n_components": args.components, "match_threshold": args.match_threshold,
             "median_size": args.median_size, "detect_shadows": args.shadows, "fast_start": args.fast_start,
             "shadow_threshold": args.shadow_threshold,
             "light_compensation": getattr(args, "light_compensation", None)}
    return {name: value for name, value in given.items() if value is not None}


def _background_distributed(args: argparse.Namespace) -> int:
    from segmix.background import BackgroundMixture
    from segmix.distributed.background_jobs import run_background

    for option, value in (("--groundtruth", args.groundtruth), ("--background-image", args.background_image),
                          ("--save-model", args.save_model)):
        if value is not None:
            raise UserError(f"{option} belongs to one sequence; with --distributed give only --output-dir")
    if args.output_dir is None:
        raise UserError("--distributed needs --output-dir (one subfolder per sequence)")
    if args.stabilise:
        raise UserError("--stabilise runs one sequence at a time: run segmix background on each shaking sequence "
                        "without --distributed")
    overrides = _background_overrides(args)
    if args.median_size is None and not args.model:
        # The library's default since session 48; kept in the settings each sequence's masks
        # record (BackgroundJob.key), so the sequences an earlier run finished stay finished.
        overrides["median_size"] = "auto"
    if args.model and args.components is not None:
        from segmix.background import load_background_model

        # Read only when -k is given with --model (a rare pair), to compare with the model's.
        _check_resumed_components(args, load_background_model(args.model))
    BackgroundMixture(**overrides)  # a bad value is named before any work
    from segmix.distributed.background_jobs import plan_sequences

    sources = plan_sequences(args.inputs, args.output_dir, args.model)  # output names, before a cluster starts
    if args.model:
        from segmix.background import load_background_model

        model = load_background_model(args.model)
        _say_resumed_settings(args, model)  # the settings saved in it (not with --quiet)
        if getattr(model, "stabilised_", None):
            from pathlib import Path

            # Its file records that its frames were stabilised, which --distributed does not do
            # (session 57: resumed unaligned in silence).
            print(f"segmix background: warning: {Path(args.model).name} was learnt from stabilised frames "
                  "(--stabilise), but --distributed feeds the frames as they come (it does not stabilise): a "
                  "shaking camera's frames then fall off its background; run segmix background --model on each "
                  "shaking sequence without --distributed", file=sys.stderr)
    try:
        with _dask_client(args) as client:
            return run_background(client, args.inputs, args.output_dir, overrides=overrides, model_path=args.model,
                                  quiet=args.quiet, stream=_OptionWords(sys.stderr, "background"))
    except KeyboardInterrupt:
        if not args.distributed:
            # The local cluster is closed by now, its workers stopped mid-sequence: their
            # OUT/.<name>.partial/ folders were left until a rerun (a trial's Ctrl+C). A
            # scheduler's own workers finish the sequences they run (Dask cannot stop a
            # running task) and rename or remove their folders themselves.
            from segmix.distributed.background_jobs import remove_partials

            remove_partials(args.output_dir, sources)
        raise


# --------------------------------------------------------------------- open/quantize


#: The refusal of ``segmix`` / ``segmix open`` where no window can open.
NO_DISPLAY = ("no display (DISPLAY is not set): the window needs a desktop session; the command line works "
              "without one: segmix --help")


def display_missing(environ=None, platform: str | None = None) -> bool:
    """True where the window cannot open: Linux (or another X11 / Wayland system) with neither
    DISPLAY nor WAYLAND_DISPLAY set and no QT_QPA_PLATFORM chosen (offscreen, vnc, ...).

    Qt itself aborts there (exit 134) with several lines blaming the xcb plug-in and
    libxcb-cursor0, which sent a new user installing libraries over SSH. Windows and macOS
    need no such variable.

    Parameters
    ----------
    environ : mapping, optional
        The environment (default ``os.environ``).
    platform : str, optional
        ``sys.platform`` (default the running one).
    """
    import os

    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return False
    return not any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


#: Where local X servers put their sockets, and the kernel's list of Unix sockets (abstract
#: ones, as X servers also open, show there as "@/tmp/.X11-unix/X<n>").
X11_SOCKET_DIR = "/tmp/.X11-unix"
PROC_NET_UNIX = "/proc/net/unix"


def display_unreachable(environ=None) -> str | None:
    """Why the X display that DISPLAY names cannot be reached, or None when it may be.

    A DISPLAY left over from an earlier session (``:99`` after its Xvfb stopped) sent Qt into
    the same abort as no DISPLAY at all (exit 134, blaming libxcb-cursor0). Only a local
    display (``:N``, ``unix:N``) is checked, by its socket: the file ``X11_SOCKET_DIR/XN``
    or the abstract socket of that name. A remote one (``host:N``, SSH forwarding), a
    Wayland session or a chosen QT_QPA_PLATFORM is left to Qt, as is anything this cannot
    read: the check never refuses a display that might work.

    Parameters
    ----------
    environ : mapping, optional
        The environment (default ``os.environ``).

    Returns
    -------
    str or None
        The reason, for the one-line error; None when the display may be reachable.
    """
    import os
    import re

    environ = os.environ if environ is None else environ
    display = environ.get("DISPLAY") or ""
    if not display or environ.get("WAYLAND_DISPLAY") or environ.get("QT_QPA_PLATFORM"):
        return None
    match = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    if match is None:
        return None  # a remote display, or a form this does not know
    name = f"{X11_SOCKET_DIR}/X{match.group(1)}"
    if os.path.exists(name):
        return None
    try:
        with open(PROC_NET_UNIX, encoding="utf-8", errors="replace") as table:
            if any(line.rstrip().endswith("@" + name) for line in table):
                return None
    except OSError:
        return None  # cannot tell
    return (f"no display: DISPLAY={display} names no running X server (no socket {name}); start one, or "
            "unset DISPLAY; the command line works without one: segmix --help")


def _platform_plugins() -> list[str] | None:
    """The names of the Qt platform plug-ins PySide6 ships (xcb, wayland, offscreen, ...), or
    None when they cannot be listed (another layout, or QT_PLUGIN_PATH / QT_QPA_PLATFORM_PLUGIN_PATH
    adding plug-ins of the user's): then any name may be one."""
    import importlib.util
    import os

    if os.environ.get("QT_PLUGIN_PATH") or os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        return None
    spec = importlib.util.find_spec("PySide6")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    folder = os.path.join(locations[0], "Qt", "plugins", "platforms") if locations else ""
    try:
        names = sorted(n[len("libq"):].split(".")[0] for n in os.listdir(folder) if n.startswith("libq"))
    except OSError:
        return None
    return names or None


def platform_unreachable(environ=None, plugins: list[str] | None = None) -> str | None:
    """Why no Qt platform that QT_QPA_PLATFORM or a Wayland session chooses can open, or None
    when one may.

    :func:`display_unreachable` leaves these to Qt, which aborted (exit 134, five lines
    blaming libxcb-cursor0) on: ``QT_QPA_PLATFORM=xcb`` kept in a profile, over SSH with no
    DISPLAY; a WAYLAND_DISPLAY whose compositor is gone or whose socket is not in the
    container; a mistyped platform (``QT_QPA_PLATFORM=offscren``). Qt tries the platforms in
    order (QT_QPA_PLATFORM's list, else wayland when WAYLAND_DISPLAY or XDG_SESSION_TYPE says
    so, then xcb); each is judged by what it connects to: xcb by DISPLAY (as
    :func:`display_unreachable`), wayland by its socket in XDG_RUNTIME_DIR; any other
    platform (offscreen, vnc, eglfs, ...) is Qt's to judge, once it is a plug-in that exists.

    Parameters
    ----------
    environ : mapping, optional
        The environment (default ``os.environ``).
    plugins : list of str, optional
        The platform plug-ins there are (default: none checked).

    Returns
    -------
    str or None
        The reason, for the one-line error.
    """
    import os

    environ = os.environ if environ is None else environ
    chosen = environ.get("QT_QPA_PLATFORM") or ""
    if chosen:
        names = [part.split(":", 1)[0].strip() for part in chosen.split(";") if part.split(":", 1)[0].strip()]
    else:
        wayland = environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland"
        names = ["wayland"] * bool(wayland) + ["xcb"]
    reasons = []
    for name in names:
        if plugins is not None and name not in plugins and not (name.startswith("wayland") and "wayland" in plugins):
            reasons.append(f"{name!r} is no Qt platform plug-in (there are: {', '.join(plugins)})")
        elif name == "xcb":
            display = environ.get("DISPLAY") or ""
            if not display:
                reasons.append("DISPLAY is not set")
                continue
            if display_unreachable({"DISPLAY": display}) is None:
                return None
            reasons.append(f"DISPLAY={display} names no running X server")
        elif name.startswith("wayland"):
            if environ.get("WAYLAND_SOCKET"):
                return None  # a connected socket handed down by the compositor
            socket = environ.get("WAYLAND_DISPLAY") or "wayland-0"
            runtime = environ.get("XDG_RUNTIME_DIR") or ""
            path = socket if os.path.isabs(socket) else os.path.join(runtime, socket) if runtime else ""
            if path and os.path.exists(path):
                return None
            reasons.append(f"WAYLAND_DISPLAY={socket} names no running Wayland compositor (no socket {path})"
                           if path else f"WAYLAND_DISPLAY={socket} cannot be reached: XDG_RUNTIME_DIR is not set")
        else:
            return None
    head = f"no display for QT_QPA_PLATFORM={chosen}" if chosen else "no display"
    return f"{head}: {'; '.join(reasons)}; the window needs a desktop session; the command line works without " \
           "one: segmix --help"


def _window_in_utf8_mode(utf8_mode: int | None = None, encoding: str | None = None) -> None:
    """Start the window again in Python's UTF-8 mode when the locale's file-name encoding is
    another (``LC_ALL=en_US.ISO-8859-1``): Qt 6 reads and writes file names as UTF-8 on Unix,
    Python as the locale says, so a photo named ``é 中文.jpg`` was shown as ``Ã© ä¸­æ.jpg``, the
    Export dialog proposed a name of other bytes (and offered to replace another file), and a
    Recent entry the locale cannot encode aborted the window at every start (a new user's).
    Only the console script and ``python -m segmix`` are started again (the arguments' bytes as
    given); PYTHONUTF8=1 stops a second start.

    ``utf8_mode`` and ``encoding`` stand for ``sys.flags.utf8_mode`` and the file-system encoding
    (tests). Nothing is raised: when the interpreter cannot be started again, the window runs
    as it is.
    """
    import codecs

    utf8_mode = sys.flags.utf8_mode if utf8_mode is None else utf8_mode
    encoding = sys.getfilesystemencoding() if encoding is None else encoding
    if os.name != "posix" or utf8_mode or os.environ.get("PYTHONUTF8") is not None:
        return
    if codecs.lookup(encoding).name == "utf-8":
        return
    if os.path.basename(sys.argv[0]) not in ("segmix", "__main__.py"):
        return  # called as a library (a test's main([...])): the caller's process is not ours to replace
    os.environ["PYTHONUTF8"] = "1"
    arguments = [os.fsencode(a) for a in sys.argv[1:]]  # the bytes as given, decoded again as UTF-8
    sys.stdout.flush(), sys.stderr.flush()
    try:
        os.execv(sys.executable, [os.fsencode(sys.executable), b"-X", b"utf8", b"-m", b"segmix", *arguments])
    except OSError:
        del os.environ["PYTHONUTF8"]


def _cmd_open(args: argparse.Namespace) -> int:
    if args.image is not None:
        from segmix.frames import FrameError, FrameSequence, is_sequence_path
        from segmix.io import check_image_file

        # Before the display: `segmix missing.jpg` over SSH said nothing about the file.
        if is_sequence_path(args.image):
            # A folder of frames or a video: the window opens it in Video mode (a trial was
            # told "is a folder, not an image file", and to use `segmix background` for a
            # video). Refused here, in one line, when Video mode could not open it either.
            try:
                FrameSequence(args.image)
            except FrameError as exc:
                raise UserError(str(exc)) from None
        else:
            # Its data too, cheaply (a JPEG cut short opened the window with an error dialog).
            check_image_file(args.image, _max_pixels(args))
            from segmix.gui.files import marks_file_words

            # A marks file decodes as an all-black photo; the window refuses it with these words.
            words = marks_file_words(args.image)
            if words is not None:
                raise UserError(words)
    if display_missing():
        raise UserError(NO_DISPLAY)
    if sys.platform.startswith("linux"):
        unreachable = display_unreachable()
        if unreachable is None and (os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
            unreachable = platform_unreachable(plugins=_platform_plugins())
        if unreachable:
            raise UserError(unreachable)
    # The engine's environment checks (NUMBA_THREADING_LAYER numba cannot load, no writable
    # folder for the kernels' cache) refuse in one line here, as in the other commands: in the
    # window they failed the engine's import on the compute thread, and the window ended in
    # "ImportError: cannot import name 'SegmentationSettings'" and an abort (core dumped).
    with warnings.catch_warnings():  # a NUMBA_ variable numba cannot read: one line (segmix.kernels)
        warnings.showwarning = _warning_line("segmix")
        import segmix.kernels._jit  # noqa: F401
    _window_in_utf8_mode()
    from segmix.gui.app import run_app

    if args.max_megapixels is None:
        return run_app(args.image)
    return run_app(args.image, max_pixels=_max_pixels(args))


def _cmd_quantize(args: argparse.Namespace) -> int:
    from pathlib import Path

    from segmix.io import GIF_ALPHA_CUT
    from segmix.own_outputs import refuse_foreign_files
    from segmix.quantize import quantize_file

    suffix = Path(args.output).suffix.lower()
    # The photo not there, or a folder: said before the outputs' and options' refusals.
    problem = _basic_input_problem("quantize", args)
    if problem:
        raise UserError(problem)
    _check_outputs([args.image], {"-o/--output": args.output})  # before the work (and a first run's compiling)
    from segmix.io import check_image_suffix

    try:  # named by its option, as the other -o refusals are ("error: x.xyz: unsupported extension ..." named none)
        check_image_suffix(args.output, palette=True)
    except ValueError as exc:
        raise UserError(f"-o/--output {exc}") from None
    refuse_foreign_files([("-o/--output", args.output)], "quantize", args.overwrite)
    if args.quality is not None and suffix not in (".jpg", ".jpeg", ".webp"):
        raise UserError(f"--quality {args.quality}: applies to JPEG and WebP outputs only, and "
                        f"{args.output} is {suffix.lstrip('.').upper() or 'not an image name'}")
    quality = JPEG_QUANTIZE_QUALITY if args.quality is None and suffix in (".jpg", ".jpeg") else args.quality

    import threading

    timers: list[threading.Timer] = []

    def on_kmeans(n_distinct: int):
        # k-means has no progress to show: a trial's -k 20000 on a DAVIS frame (77,916 colours)
        # ran 92 s, -k 256 on a 12-megapixel photo 38 s, with nothing on the terminal.
        if args.quiet:
            return
        from segmix.quantize import kmeans_colours, kmeans_seconds, kmeans_time_words

        # This photo's own estimate (a noise photo's 970,693 colours into 64 were told "about
        # half a minute at 350,000 colours into 256", and took 70 s before k-means sampled).
        drawn = kmeans_colours(n_distinct, args.colors)
        if drawn * args.colors >= SLOW_QUANTIZE_WORK:
            seconds = kmeans_seconds(n_distinct, args.colors)
            took = kmeans_time_words(seconds)
            sampled = f", {drawn:,} of its pixels drawn at random for the restarts" if drawn < n_distinct else ""
            print(f"segmix quantize: note: {args.image}: {n_distinct:,} distinct colours into {args.colors:,}: k-means takes "
                  f"a while (up to about {took} on a 2-core machine{sampled}; a smaller -k is faster)",
                  file=sys.stderr, flush=True)
            return
        if not sys.stderr.isatty():
            return
        # The size under-predicts slow runs (colours that converge slowly): say so when it happens.
        timer = threading.Timer(SLOW_QUANTIZE_SECONDS, lambda: print(
            f"segmix quantize: note: {args.image}: {n_distinct:,} distinct colours into {args.colors:,}: k-means is "
            f"still at work after {SLOW_QUANTIZE_SECONDS:g} s (it can take half a minute; a smaller -k is faster)",
            file=sys.stderr, flush=True))
        timer.daemon = True
        timers.append(timer)
        timer.start()
        # Stopped when k-means is done: writing an 8000 x 4500 PNG took 2.6 s after a 3.8 s
        # k-means, and the note came during the write, false (a review's measurement).
        return timer.cancel

    try:
        result = quantize_file(args.image, args.output, n_colors=args.colors, random_state=args.seed, quality=quality,
                               max_pixels=_max_pixels(args), mark="quantize", on_kmeans=on_kmeans,
                               on_written=_outputs_complete)  # written whole: a signal then cuts nothing short
    finally:
        for timer in timers:
            timer.cancel()
    if result.n_colors_in_image < args.colors:
        # "written unchanged" only when it was: same pixels, same mode (an RGB photo of 3
        # colours becomes a palette PNG of those colours; a 16-bit grey one 8-bit).
        how = ("written unchanged" if result.unchanged else
               "written as its first frame" if (result.input_frames > 1 and result.mode == result.input_mode
                                                and not result.saved_mse) else
               f"its colours are kept as they are, and {'JPEG' if suffix in ('.jpg', '.jpeg') else 'lossy WebP'} "
               "compression changes them (below)" if result.mode == result.input_mode else
               f"its colours are kept as they are (written as {_MODE_WORDS.get(result.mode, result.mode)}, "
               f"not {_MODE_WORDS.get(result.input_mode, result.input_mode)})")
        found = result.n_colors_in_image
        print(f"segmix quantize: warning: {args.image} has only {found:,} distinct "
              f"colour{'' if found == 1 else 's'}, fewer than the {args.colors:,} asked for; {how}", file=sys.stderr)
    elif result.n_colors < args.colors:
        print(f"segmix quantize: warning: only {result.n_colors:,} of the {args.colors:,} colours asked for "
              "are distinct after rounding to 8 bits", file=sys.stderr)
    if result.alpha_dropped:
        print(f"segmix quantize: warning: {args.image} has transparency, which {args.output} cannot hold: its "
              "transparent pixels are written opaque; save as .png, .webp or .tif to keep it (.gif keeps it "
              "on or off)", file=sys.stderr)
    if result.profile_dropped:
        print(f"segmix quantize: warning: {args.image} has a colour profile ({result.profile_dropped}), which "
              f"{args.output} cannot hold: viewers show its colours as sRGB, shifted; save as .png, .tif, .webp or "
              ".jpg to keep it", file=sys.stderr)
    if result.alpha_on_off:
        # GIF keeps on/off transparency (one palette entry); only partial alpha is lost.
        print(f"segmix quantize: warning: {args.image} has partial transparency (alpha other than 0 and 255), "
              f"which {args.output} cannot hold: a GIF pixel is transparent or opaque, so pixels of alpha "
              f"{GIF_ALPHA_CUT} or more are written opaque and the others transparent; save as .png, .webp or .tif "
              "to keep it", file=sys.stderr)
    if quality is not None:
        # JPEG's compression blurs the palette back into many colours (8 became 1,804 on a
        # DAVIS frame): the file is no longer what the line below says. Lossy WebP likewise.
        # A file that kept its colours (one flat colour) is not warned about: "the file
        # holds 1 colours, not 1".
        codec = "JPEG" if suffix in (".jpg", ".jpeg") else "lossy WebP"
        if result.saved_colors is None or result.saved_colors > result.n_colors:
            held = (f"{result.saved_colors:,} colours, not {result.n_colors:,}" if result.saved_colors is not None
                    else f"more than {result.n_colors:,}")
            print(f"segmix quantize: warning: {args.output} is {codec}, whose compression adds colours (the file "
                  f"holds {held}); save as .png or .webp without --quality (lossless) to keep exactly "
                  "these colours", file=sys.stderr)
        palette = (f"{result.n_colors:,} colour{'' if result.n_colors == 1 else 's'} before {codec} compression at "
                   f"quality {quality}")
    else:
        palette = f"{result.n_colors:,} colour{'' if result.n_colors == 1 else 's'}"
    if result.saved_mse is not None:
        # The file's error first: the palette's alone read as the file's (a new-user trial).
        error = (f"mean squared error {result.saved_mse:.2f} per channel as saved, "
                 f"{result.mse:.2f} before compression")
    else:
        error = f"mean squared error {result.mse:.2f} per channel"
    # segmix reads every photo at 8 bits per channel: a 16-bit one lost its low bits silently.
    from segmix.pnm import depth_words

    # A 10-bit PGM was said to have "32 bits per channel" (Pillow's mode I).
    held = (depth_words(args.image, result.input_bits) or f"{result.input_bits} bits per sample").replace(
        " per sample", " per channel", 1)
    depth = f"; {args.image} has {held}, read and written at 8" if result.input_bits > 8 else ""
    print(f"wrote {args.output} ({palette}, {error}{depth})")
    return 0


#: Pillow modes in words, for quantize's messages.
_MODE_WORDS = {"P": "a palette image", "L": "8-bit greyscale", "RGB": "8-bit RGB", "RGBA": "8-bit RGBA",
               "LA": "greyscale with alpha", "PA": "a palette image with alpha", "1": "1-bit black and white",
               "I;16": "16-bit greyscale", "I;16B": "16-bit greyscale", "I;16L": "16-bit greyscale",
               "I;16N": "16-bit greyscale", "I": "32-bit greyscale", "F": "32-bit float greyscale",
               "La": "greyscale with alpha", "CMYK": "CMYK", "RGBX": "8-bit RGB"}


def _start_graph_cut_compile(n_pixels: int, settings):
    """On a cold cache, compile the graph cut's kernels in a second process (on the other core)
    while this one compiles the mixture kernels; None when there is nothing to gain."""
    if settings.smoothing != "graphcut" or n_pixels <= settings.max_exact_pixels:
        return None
    from segmix.kernels import cache

    if cache.graph_cut_is_cached():
        return None
    from segmix.precompile import start_compiling_graph_cut

    return start_compiling_graph_cut(read_only=True)  # segment's photo is read-only (_cmd_segment)


#: How long a command's first run compiles, for its first-run notice (wall time with an empty
#: Numba cache on this project's 2-core machine, docs/performance.md, "The first-run notice": segment on a
#: 1080p photo 9.5 s idle, 52-64 s at load 7-10; background 8-9 s of CPU, 56 s at load 7;
#: skin apply / eval's texture kernels about 11 s at load 3; quantize 9 s at load 7).
FIRST_RUN_ESTIMATES = {
    "segment": "10 s to a minute",
    "background": "10 s to a minute",
    "skin apply": "10 s to a minute",
    "skin eval": "10 s to a minute",
    "skin train": "a few seconds",
    "quantize": "a few seconds",
}


def first_run_notice(name: str) -> str:
    """The one line a command prints on stderr before its first kernel compiles.

    Each command compiles the kernels it needs on its own first run (and a photo over 4 MP its
    parallel variants), so the line says what is compiled once, the kernel, not the notice:
    "once after installation" read as a lie on the first run of the next command."""
    estimate = FIRST_RUN_ESTIMATES.get(name, "up to a minute")
    return (f"segmix: compiling the kernels this run needs that are not cached yet (each kernel once after "
            f"installation; {estimate}, depending on the machine's load)...")


def _has_jpeg_frames(inputs) -> bool:
    """Whether ``segmix background``'s inputs hold JPEG frame files (given, or in a folder
    given), whose coded data the workers check with a kernel of their own."""
    from pathlib import Path

    jpeg = (".jpg", ".jpeg")
    for given in inputs:
        path = Path(given)
        try:
            if path.suffix.lower() in jpeg or (path.is_dir() and any(p.suffix.lower() in jpeg for p in path.iterdir())):
                return True
        except OSError:
            continue  # refused, and named, by the run
    return False


def _say_first_run(name: str) -> None:
    """Print :func:`first_run_notice` on stderr (the one place it is printed, so that the
    test suite can tell the notice apart from a command's own lines whatever the state of
    the kernel cache: tests/conftest.py)."""
    _stderr_line(first_run_notice(name))


def _tell_if_workers_compile(args, name: str, settings=None) -> None:
    """``--distributed`` on a local cluster: the workers, other processes, compile the kernels
    where this process's compile event cannot see it; they share this machine's on-disk
    cache, so its files say whether they will (a remote cluster's caches cannot be seen).

    The files checked are those of the kernels this run's settings compile (``settings``:
    skin apply's detector settings; background's --median-size), so that a warm cache says
    nothing: a check of a kernel the run never calls said "compiling" on every run."""
    from segmix.kernels import cache

    if getattr(args, "distributed", None) != "" or getattr(args, "quiet", False):
        return
    if name == "skin apply":
        cold = not cache.skin_detector_is_cached(settings)
    elif name == "background":
        # A saved --model keeps its own filter size unless --median-size is given: unknown here.
        median = args.median_size if args.median_size is not None else (None if args.model else 7)
        light = args.light_compensation if args.light_compensation is not None else (None if args.model else True)
        cold = not cache.background_is_cached(median, _has_jpeg_frames(args.inputs), light is True)
    else:
        cold = False
    if cold:
        _say_first_run(name)


def _stderr_line(text: str) -> None:
    """Print one line on stderr, above a progress bar when one is shown, from any thread."""
    tqdm = sys.modules.get("tqdm")
    if tqdm is not None:
        tqdm.tqdm.write(text, file=sys.stderr)
    else:
        print(text, file=sys.stderr, flush=True)


COMMANDS = ("open", "quantize", "segment", "skin", "background")


def _unknown_command(word: str) -> str | None:
    """The refusal for a first word that is neither a command nor a photo, else None.

    ``segmix PHOTO`` opens the window on the photo, so any other first word used to be taken
    for a photo: ``segmix segmnet`` opened the window on a file that does not exist, and
    ``segmix segmnet p.png --scribbles s.png -o m.png`` said "unrecognized arguments: p.png
    ...". A word that names no existing file and has no file extension, or is close to a
    command's name, is refused with the commands (a missing photo such as ``segmix x.jpg``
    still opens the window, which says it cannot open it).
    """
    import difflib
    from pathlib import Path

    if Path(word).exists():
        return None
    close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
    if Path(word).suffix and not close:
        return None
    hint = f"did you mean '{close[0]}'? " if close else ""
    return (f"segmix: error: '{word}' is not a command or an existing file ({hint}commands: "
            f"{', '.join(COMMANDS)}; see segmix --help)")


def _dash_name(word: str) -> bool:
    """True for a word that starts with "-", is no option of the window's and names an
    existing file or folder (``segmix "-dash photo.jpg"``): argparse read such a name as an
    option, "invalid choice: '-dash photo.jpg' (choose from 'open', ...)" or "unrecognized
    arguments: -x.jpg", though the file was there."""
    from pathlib import Path

    if not word.startswith("-") or word in ("-", "--", "-h", "--help", "--version") or (
            word.split("=", 1)[0] == "--max-megapixels"):
        return False
    try:
        return Path(word).exists()
    except (OSError, ValueError):
        return False


def _dash_names_last(argv: list[str]) -> list[str]:
    """``open``'s words with an existing file named with a leading "-" moved after a "--", where
    argparse takes it for the photo (the Unix way: ``segmix open -- -photo.jpg``)."""
    if "--" in argv:
        return argv
    names = [word for word in argv[1:] if _dash_name(word)]
    if not names:
        return argv
    rest = [word for word in argv[1:] if word not in names]
    return [argv[0], *rest, "--", *names]


def _warning_line(prefix: str, quiet: bool = False):
    """A ``warnings.showwarning`` that prints ``PREFIX: warning: MESSAGE`` as one line on stderr
    (Python's default prints the source file, line number and code line as well), from any
    thread (skin apply decodes photos on a pool); above a progress bar when one is shown. A
    warning whose class is a note (``is_note``: segmix.frames.VideoNote) is printed as
    ``PREFIX: note: MESSAGE``, and not with ``quiet`` (--quiet: no notes)."""
    def show(message, category, filename, lineno, file=None, line=None):
        if getattr(category, "is_note", False):
            if not quiet:
                _stderr_line(f"{prefix}: note: {message}")
            return
        if category.__name__ == "VersionMismatchWarning":  # Dask's table, in one line
            from segmix.distributed.cluster import version_mismatch_words

            message = version_mismatch_words(str(message))
        if category.__name__ == "FrameKindWarning":  # its advice for Python callers, in the command's words
            message = command_line_words(str(message), "background")
        _stderr_line(f"{prefix}: warning: {message}")
    return show


#: segmix.background.KIND_ADVICE (not imported: the command line starts without NumPy's modules).
_KIND_ADVICE = ("skip such a frame, as segmix background skips a frame file of the other kind, or call reset() to "
                "start a model on the new kind")
#: segmix.io's advice for a photo over its pixel limit, for Python users (ImageLoadError).
_LIBRARY_LIMIT_ADVICE = "segmix.io.load_image(path, max_pixels=...) reads a trusted file"
_OVER_LIMIT = re.compile(r"the image is [\d,]+ x [\d,]+ = (?P<pixels>[\d,]+) pixels, more than the limit of [\d,]+ ")
_BOMB_LIMIT = re.compile(r"the image exceeds the limit of (?P<limit>[\d,]+) pixels$")
#: What a photo beyond the largest --max-megapixels is told (the value that would read it is refused).
BEYOND_WORDS = f"at most {MAX_MEGAPIXELS:,} megapixels, with --max-megapixels {MAX_MEGAPIXELS}"
#: The commands that take --max-megapixels.
_LIMIT_COMMANDS = ("open", "segment", "quantize", "skin apply", "skin eval")


def command_line_words(text: str, command: str) -> str:
    """``text`` (a message of segmix's library) as the command line says it to ``command``.

    A photo over the pixel limit was refused with advice for Python users,
    ``segmix.io.load_image(path, max_pixels=...)``, which no command-line user can follow:
    the commands that take ``--max-megapixels`` name it with the value that reads the photo;
    the others ask for a smaller photo. Any other text is returned unchanged.

    Parameters
    ----------
    text : str
    command : str
        "segment", "skin apply", ... ("open" for the window).

    Returns
    -------
    str
    """
    if command == "background" and text.endswith(_KIND_ADVICE):
        # FrameKindWarning of a video's frame (a folder's frame files of the other kind are
        # skipped by their headers): reset() is no advice to a command-line user.
        return text[:-len(_KIND_ADVICE)] + ("run the frames of each kind apart (a model for each), or let the "
                                            "model relearn")
    found = _OVER_LIMIT.search(text)
    if found and _LIBRARY_LIMIT_ADVICE in text:
        needed = math.ceil(int(found["pixels"].replace(",", "")) / 1e6)
        if command not in _LIMIT_COMMANDS:
            advice = "resize the frames" if command == "background" else "resize the photo"
        elif needed > MAX_MEGAPIXELS:
            # The value that would read it is itself refused (a trial was told
            # "--max-megapixels 11000 reads it", then "must be ... at most 10,000").
            advice = f"it is beyond what segmix reads, {BEYOND_WORDS}: resize the photo"
        else:
            advice = f"--max-megapixels {needed} reads it, if you trust the file"
        return text.replace(_LIBRARY_LIMIT_ADVICE, advice)
    bomb = _BOMB_LIMIT.search(text)
    if bomb and command in _LIMIT_COMMANDS:
        if int(bomb["limit"].replace(",", "")) >= MAX_MEGAPIXELS * 1_000_000:
            return f"{text} (a guard against decompression bombs; that is beyond what segmix reads, {BEYOND_WORDS})"
        return f"{text} (a guard against decompression bombs; a larger --max-megapixels reads a trusted file)"
    return text


class _OptionWords:
    """A text stream (stderr) that writes library messages in the command line's words
    (:func:`command_line_words`): the per-photo lines of a batch are written by the library."""

    def __init__(self, stream, command: str):
        self._stream, self._command = stream, command

    def write(self, text: str) -> int:
        line = text.rstrip("\n")  # the words are judged without the line's end
        return self._stream.write(command_line_words(line, self._command) + text[len(line):])

    def __getattr__(self, name):
        return getattr(self._stream, name)


#: The refusal where the shell's current folder was deleted: every relative path names nothing.
CWD_GONE = ("the current folder no longer exists (deleted or moved while the shell was in it), so a relative "
            "path names nothing: cd to a folder that exists, or give absolute paths")


def _cwd_gone(exc: BaseException) -> bool:
    """Whether ``exc`` is Python's nameless "[Errno 2] No such file or directory" of a
    relative path made absolute in a current folder that was deleted: a terminal left in a
    removed folder got "segmix quantize: error: [Errno 2] No such file or directory", and
    "--output-dir [Errno 2] ..." from skin apply's default output folder."""
    if not isinstance(exc, FileNotFoundError) or exc.filename is not None:
        return False
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


def _error_line(exc: BaseException) -> str:
    """The one line for a refused run: an OSError that Python raised itself ("[Errno 13]
    Permission denied: 'out/sub'") as "out/sub: permission denied", like every other line;
    messages of segmix's own are kept as written."""
    if _cwd_gone(exc):
        return CWD_GONE
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror[0].lower()}{exc.strerror[1:]}"
    return str(exc)


#: The running command's words, "segmix quantize", for a line said after it ends (main).
_COMMAND = ["segmix"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``segmix`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Process exit status (:data:`EXIT_STATUSES`): 0 when every input was done, 1 when
        some inputs failed (each named on one line) while others were written, 2 on a
        user error or when no input could be used at all (nothing written). A reader that
        closes the output early (``| head -1``) changes none of it: the run goes on, writes
        its files, prints nothing more and exits as it would have (segmix.cli_streams).
    """
    from segmix.cli_streams import guarded_streams

    # Around everything, --help and argparse's refusals included: `segmix --help | head -1`
    # raised BrokenPipeError out of argparse as a traceback.
    _COMMAND[0] = "segmix"
    files_before = _files_written()
    with guarded_streams() as (report, _):
        try:
            status = _main(argv)
        except KeyboardInterrupt as exc:
            # Ctrl+C in the first moments, while the parser's imports load (NumPy, Pillow):
            # it ended in a Python traceback of the import under way, not in one line.
            return _said_interruption(exc)
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()  # a file's buffered report fails here (`> /dev/full`)
        if report.failure is not None:
            # The run went on to its end: its files are written, its report is lost (it
            # stopped at the first line, exit 2 "nothing written", a new user's).
            failure = report.failure
            # Only this process's writes are counted (a Dask worker's are not): "its files" is
            # said when some were written here, and nothing is claimed otherwise.
            wrote = " and wrote its files" if _files_written() > files_before else ""
            print(f"{_COMMAND[0]}: error: {failure.filename}: {failure.strerror}; the run went on to its end{wrote}, "
                  "its report to standard output is lost", file=sys.stderr)
            return max(status, 1)
        return status


def _files_written() -> int:
    """How many files segmix.io wrote in this process so far (0 before it is imported: it is
    not imported here, where a Ctrl+C during its imports must end in one line)."""
    io_module = sys.modules.get("segmix.io")
    return io_module.FILES_WRITTEN[0] if io_module is not None else 0


def _main(argv: list[str] | None) -> int:
    """:func:`main` with standard output and error guarded against a closed reader."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    known = {"open", "quantize", "segment", "skin", "background", "-h", "--help", "--version"}
    if argv and argv[0] not in known and not argv[0].startswith("-"):
        refusal = _unknown_command(argv[0])
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
    implicit_open = not argv or (argv[0] not in known and not argv[0].startswith("-")) or (
        argv[0].split("=", 1)[0] == "--max-megapixels") or (  # `segmix --max-megapixels 300 big.tif`: the window's
        argv[0] == "--" or _dash_name(argv[0]))  # `segmix -- -photo.jpg`, `segmix -photo.jpg`
    if implicit_open:
        argv = ["open", *argv]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) and "open" in action.choices:
                action.choices["open"]._error_prog = "segmix"
    if argv[0] == "open":
        argv = _dash_names_last(argv)
    try:
        args, extra = parser.parse_known_args(argv)
        if (args.command == "segment" and args.scribbles is None and args.model is None and args.box is None
                and not args.clicks):
            # As argparse's refusal of a missing required option (it names mistyped options
            # too), which it cannot make itself: --model or marks by coordinates make the
            # marks file optional.
            _sub_parser(parser, args).error("the following arguments are required: --scribbles "
                                            "(or --box / --click X,Y for marks by coordinates, or --model M.json "
                                            "to apply a saved model)")
        if extra:
            # argparse refuses them from the top parser ("see segmix --help"); the options
            # belong to the sub-command, so the line names its help.
            _sub_parser(parser, args).error(f"unrecognized arguments: {' '.join(extra)}")
        _refuse_standard_output(_sub_parser(parser, args), args)
        _refuse_paths_over_limit(_sub_parser(parser, args), args)
        _refuse_unexpanded_home(_sub_parser(parser, args), args)
        _refuse_options_after_double_dash(_sub_parser(parser, args), argv)
    except SystemExit as exc:  # --help / --version (0) or a refused argument (2, one line printed)
        return exc.code if isinstance(exc.code, int) else 2
    name = " ".join(filter(None, (args.command, getattr(args, "skin_command", None))))
    _COMMAND[0] = f"segmix {name}"
    try:
        if args.command == "open":  # the window shows warnings and its warm-up in its status bar
            return int(args.handler(args) or 0)
        # Terminal or not: a first run compiles for up to a minute in silence otherwise, and a
        # script's log or a CI job looks hung. Said by numba's own compile event, so exactly
        # when something compiles (nothing on a warm cache), whatever the kernel; for a local
        # cluster's workers by _dask_client, after the run's refusals. The kernels' package is
        # imported with the warnings already in the command's words: numba's own about a
        # NUMBA_ variable it cannot read came with a traceback in it (segmix.kernels).
        with warnings.catch_warnings():
            warnings.showwarning = _warning_line(f"segmix {name}", getattr(args, "quiet", False))
            from segmix.kernels.cache import on_first_compile

            # --quiet: "no notes" (its help), this one too: it was printed with --quiet.
            _AFTER_OUTPUTS.update(complete=False, said=None, made=[])
            with on_first_compile(lambda: None if getattr(args, "quiet", False) else _say_first_run(name)), \
                    _terminate_as_interrupt():
                status = int(args.handler(args) or 0)
            for folder, said in _AFTER_OUTPUTS["made"]:
                if os.path.isdir(folder):  # made by the run: a run refused before its first output made none
                    print(said, file=sys.stderr)
            if _AFTER_OUTPUTS["said"]:
                print(f"segmix {name}: {_AFTER_OUTPUTS['said']} after all outputs were written; the run is complete "
                      f"(exit status {status}, as without the signal)", file=sys.stderr)
            return status
    except (UserError, ValueError, OSError) as exc:
        # The window's refusals read "segmix: error: ...": `segmix photo.jpg` names no command.
        prefix = "segmix" if args.command == "open" else f"segmix {name}"
        print(f"{prefix}: error: {command_line_words(_error_line(exc), name)}", file=sys.stderr)
        return 2
    except MemoryError as exc:
        # A model or frame too large for the machine (a folder of 8000 x 6000 frames under a
        # 2.5 GB limit) ended in NumPy's traceback, exit 1. segmix's own MemoryErrors name
        # what needed the memory; NumPy's ("Unable to allocate 1.61 GiB for an array with
        # shape ...") say how much.
        prefix = "segmix" if args.command == "open" else f"segmix {name}"
        from segmix.background import FEWER_COMPONENTS
        from segmix.io import out_of_memory_words

        said = out_of_memory_words(exc, "scale the frames down" if args.command == "background"
                                   else "give a smaller copy of the photo").replace(
            FEWER_COMPONENTS, "or give fewer Gaussians per pixel (-k)")
        subject = _memory_subject(args)
        if subject and subject not in said:
            said = f"{subject}: {said}"
        print(f"{prefix}: error: {command_line_words(said, name)}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        # pathlib's resolve() (Python 3.11, 3.12) raises RuntimeError("Symlink loop from
        # '/x/loop1'") on links that lead back to themselves: a traceback from every command
        # given such a link, as an input or an output (3.13 raises OSError ELOOP, said above).
        loop = _SYMLINK_LOOP.fullmatch(str(exc))
        if loop is None:
            raise
        prefix = "segmix" if args.command == "open" else f"segmix {name}"
        print(f"{prefix}: error: {loop['path']}: is a loop of symbolic links (each names the next, and the last "
              "leads back), not a file or folder", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Terminated too (SIGTERM)
        return _said_interruption(exc)
    except SystemError as exc:
        # Ctrl+C or SIGTERM that arrives while Numba's dispatcher runs Python code of its own
        # (unpickling a cached kernel's constants) comes out as "SystemError: CPUDispatcher(...)
        # returned a result with an exception set", the interruption as its cause: a trial's
        # `timeout 120 segmix quantize big.jpg -k 2000` ended in that traceback, exit 1.
        stop = _interruption(exc)
        if stop is None:
            raise
        return _said_interruption(stop)


def _said_interruption(exc: KeyboardInterrupt) -> int:
    """Say the interruption in one line, with what still happens (its args, _one_error_line);
    the exit status: 143 for SIGTERM (:class:`Terminated`), 130 for Ctrl+C."""
    more = f"; {exc.args[0]}" if exc.args and isinstance(exc.args[0], str) else ""
    if isinstance(exc, HungUp):
        said, status = "hung up", 129
    else:
        said, status = ("terminated", 143) if isinstance(exc, Terminated) else ("interrupted", 130)
    print(f"segmix: {said}{more}", file=sys.stderr)
    return status


def _interruption(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl+C or SIGTERM (:class:`Terminated`) in ``exc``'s chain of causes, or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


#: pathlib's words for a loop of symbolic links (Python 3.11 and 3.12).
_SYMLINK_LOOP = re.compile(r"Symlink loop from '(?P<path>.*)'", re.DOTALL)


#: A command's state as the signals see it (:func:`_terminate_as_interrupt`): ``complete``
#: once all its outputs are written (:func:`_outputs_complete`), ``said`` the signal that came
#: after that ("terminated"), reset for each command. A SIGTERM just after a finished `skin
#: apply` exited 143 ("stopped after writing the masks of 6 of 6 photos"), as if the run had
#: been cut short, though every output was written whole: only its summary lines were left.
#: ``made``: (folder, warning) of an --output-dir named like a file, said once the run made it
#: (:func:`_check_output_dir`).
_AFTER_OUTPUTS: dict = {"complete": False, "said": None, "made": []}


def _outputs_complete() -> None:
    """Say that the running command has written all its outputs: a SIGTERM, SIGHUP or Ctrl+C
    from now on no longer stops it (there is nothing left to cut short but its summary); it
    ends as it would have, saying that the signal came after the outputs were written. A second
    signal ends it at once."""
    _AFTER_OUTPUTS["complete"] = True


def console_main() -> int:
    """The ``segmix`` console script and ``python -m segmix``: :func:`main`, then the signals
    held while the interpreter shuts down (:func:`hold_signals_while_exiting`). The console
    script called ``main`` alone: a SIGTERM in the half second of shutdown after "wrote
    out/qt.png" exited 143 in silence, every output whole (a new user, session 50)."""
    status = main()
    hold_signals_while_exiting(status)
    return status


def hold_signals_while_exiting(status: int) -> None:
    """Once ``python -m segmix`` has its exit status (the command done, its words said), a
    SIGTERM, SIGHUP or Ctrl+C no longer changes it: said in one line, the process exits as it
    would have. A second one ends it at once. The interpreter's shutdown (thread pools, a
    local cluster) takes a moment, and there the default actions were back: `skin apply`
    printed "wrote masks of 16 photos" and exited 129 to a SIGHUP, in silence."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    words = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
    if hasattr(signal, "SIGHUP"):
        words[signal.SIGHUP] = "hung up"

    def said(signum, frame):
        signal.signal(signum, signal.SIG_DFL)
        print(f"segmix: {words[signum]} as it was exiting, its work done (exit status {status}, as without "
              "the signal)", file=sys.stderr)

    for number in words:
        if signal.getsignal(number) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(number, said)
            _HELD_IN_SHUTDOWN.append(number)


#: The signals :func:`hold_signals_while_exiting` holds, ignored for the last of the shutdown.
_HELD_IN_SHUTDOWN: list = []


def _ignore_held_signals() -> None:
    """The last exit handler (registered when this module loads, before any other of segmix's
    libraries'): the held signals, whose Python handlers the interpreter resets to the default
    action when it finalizes (half a second of freeing modules after the exit handlers), are
    ignored from here, so that a SIGTERM there no longer exits 143 in silence."""
    import signal

    for number in _HELD_IN_SHUTDOWN:
        if signal.getsignal(number) not in (signal.SIG_DFL, signal.SIG_IGN, signal.default_int_handler):
            signal.signal(number, signal.SIG_IGN)


atexit.register(_ignore_held_signals)


class Terminated(KeyboardInterrupt):
    """SIGTERM during a command, raised where the command is, so that it unwinds as Ctrl+C
    does (an interruption, not an error: every handler that cleans up after Ctrl+C runs)."""


class HungUp(Terminated):
    """SIGHUP during a command (its terminal or ssh session closed), unwound as SIGTERM is.
    Killed by the signal's default action, `skin apply --probability` left the temporary file
    of the write in progress (``.p00198_skin_prob.png.hufbqn45.tmp``) and a photo's mask
    without its probability map."""


@contextlib.contextmanager
def _terminate_as_interrupt():
    """Turn SIGTERM into :class:`Terminated` while a command runs. Killed by the signal's
    default action, a run left the temporary file of the write in progress behind
    (``masks/.in000202.png.wfuutvqw.tmp`` after ``timeout`` or ``kill``); raised, the atomic
    write removes it. Left alone when segmix is not the main thread or a caller installed
    its own handler."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # SIGHUP (a closed terminal) as SIGTERM; left alone where it is ignored (nohup) or handled.
    numbers = [number for number in (signal.SIGTERM, getattr(signal, "SIGHUP", None))
               if number is not None and signal.getsignal(number) is signal.SIG_DFL]
    if signal.SIGTERM not in numbers:
        yield
        return
    from segmix.kernels.cache import SIGNALS_RAISED

    def after_outputs(signum, said) -> bool:
        """True (and the signal noted, and its next one left to the default) when the command's
        outputs are all written (:data:`_AFTER_OUTPUTS`)."""
        if not _AFTER_OUTPUTS["complete"]:
            return False
        _AFTER_OUTPUTS["said"] = _AFTER_OUTPUTS["said"] or said
        signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        return True

    def terminate(signum, frame):
        stop = HungUp if signum == getattr(signal, "SIGHUP", None) else Terminated
        if after_outputs(signum, "hung up" if stop is HungUp else "terminated"):
            return
        SIGNALS_RAISED.append(stop)  # raised again if a compile swallows it (segmix.kernels.cache)
        raise stop

    def interrupt(signum, frame):
        if after_outputs(signum, "interrupted"):
            return
        SIGNALS_RAISED.append(KeyboardInterrupt)
        raise KeyboardInterrupt

    unraisable = sys.unraisablehook

    def quiet_if_raised_again(info):
        # ctypes' "Exception ignored on calling ctypes callback function ... KeyboardInterrupt"
        # traceback: the signal is raised again when the compile ends, and said in one line.
        if not (isinstance(info.exc_value, KeyboardInterrupt) and SIGNALS_RAISED):
            unraisable(info)

    previous = {number: signal.SIG_DFL for number in numbers}
    for number in numbers:
        signal.signal(number, terminate)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where it is ignored
        previous[signal.SIGINT] = signal.default_int_handler
        signal.signal(signal.SIGINT, interrupt)
    sys.unraisablehook = quiet_if_raised_again
    try:
        yield
    finally:
        sys.unraisablehook = unraisable
        for number, handler in previous.items():
            signal.signal(number, handler)
        SIGNALS_RAISED.clear()
