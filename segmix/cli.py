"""Command line: ``segmix [IMAGE]``, ``segmix quantize``, ``segmix segment``, ``segmix skin ...``.

Every sub-command parses its arguments here, calls the library, prints and exits. User
mistakes (bad files, bad parameters) become one line on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import sys

from segmix import __version__


class UserError(Exception):
    """A mistake of the user's (bad file, bad parameter): reported as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="segmix",
        description="Scribble segmentation and skin detection with colour Gaussian mixtures.",
    )
    parser.add_argument("--version", action="version", version=f"segmix {__version__}")
    sub = parser.add_subparsers(dest="command")

    view = sub.add_parser("open", help="open the window (default when no sub-command is given)")
    view.add_argument("image", nargs="?", help="photo to open (default: a bundled sample)")
    view.set_defaults(handler=_cmd_open)

    quant = sub.add_parser("quantize", help="k-means colour quantisation of a photo")
    quant.add_argument("image", help="input photo")
    quant.add_argument("-k", "--colors", type=int, default=8, help="number of colours (default 8)")
    quant.add_argument("-o", "--output", required=True, help="output image (PNG recommended)")
    quant.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    quant.set_defaults(handler=_cmd_quantize)

    _add_segment_parser(sub)
    _add_skin_parser(sub)
    return parser


# --------------------------------------------------------------------------- segment
def _add_segment_parser(sub) -> None:
    """``segmix segment IMAGE --scribbles LABELS.png --output MASK.png [...]``."""
    seg = sub.add_parser(
        "segment",
        help="segment a photo from scribbles (colour mixtures + graph cut)",
        description="Learn a colour mixture per class from the scribbled pixels and write the "
        "foreground mask (8-bit PNG, 0 background / 255 foreground, the size of IMAGE).",
    )
    seg.add_argument("image", help="input photo (EXIF orientation is applied)")
    seg.add_argument("--scribbles", required=True, metavar="LABELS.png",
                     help="8-bit label PNG the size of the displayed photo: 0 unlabelled, 1 foreground, 2 background")
    seg.add_argument("-o", "--output", required=True, metavar="MASK.png", help="output mask (PNG)")
    seg.add_argument("--probability", metavar="PROB", help="also write the foreground posterior (.png 16-bit, .npy, .tif)")
    seg.add_argument("--cutout", metavar="CUT.png", help="also write the photo with the mask as alpha (RGBA PNG)")
    seg.add_argument("--save-model", metavar="M.json", help="also write the trained model (JSON)")
    seg.add_argument("-k", "--components", type=int, default=None, help="Gaussian components per class")
    seg.add_argument("--color-space", choices=("rgb", "lab", "hsv", "ycbcr"), default=None)
    seg.add_argument("--position-weight", type=float, default=None, help="weight of pixel position features (0 = off)")
    seg.add_argument("--smoothing", choices=("none", "graphcut"), default=None,
                     help="graphcut (default): spatially regularised; none: per-pixel Bayes rule")
    seg.add_argument("--smoothness", type=float, default=None, help="graph-cut pairwise weight (gamma)")
    seg.add_argument("--threshold", type=float, default=None, help="foreground where p(fg|x) > T (default 0.5)")
    seg.add_argument("--seed", type=int, default=None, help="random seed of the k-means initialisation")
    seg.set_defaults(handler=_cmd_segment)


_SEGMENT_SUFFIXES = {"output": (".png",), "cutout": (".png",), "probability": (".png", ".npy", ".tif", ".tiff")}


def _cmd_segment(args: argparse.Namespace) -> int:
    import warnings
    from dataclasses import replace
    from pathlib import Path

    from segmix.io import ensure_not_input, load_image, load_scribbles, save_cutout, save_mask, save_probability
    from segmix.segment import SegmentationSettings, segment

    inputs = (args.image, args.scribbles)
    outputs = {"output": args.output, "probability": args.probability, "cutout": args.cutout,
               "save_model": args.save_model}
    # Refuse bad output paths before the work, not after it.
    for key, path in outputs.items():
        if path is None:
            continue
        allowed = _SEGMENT_SUFFIXES.get(key, (".json",))
        if key != "save_model" and Path(path).suffix.lower() not in allowed:
            raise UserError(f"{path}: unsupported extension for --{key.replace('_', '-')}; use {', '.join(allowed)}")
        ensure_not_input(path, *inputs)
    overrides = {
        "n_components": args.components, "color_space": args.color_space, "position_weight": args.position_weight,
        "smoothing": args.smoothing, "smoothness": args.smoothness, "threshold": args.threshold,
        "random_state": args.seed,
    }
    settings = replace(SegmentationSettings(), **{k: v for k, v in overrides.items() if v is not None})
    settings.validate()
    image = load_image(args.image)
    scribbles = load_scribbles(args.scribbles, image.shape[:2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = segment(image, scribbles, settings)
    for warning in caught:
        print(f"segmix segment: warning: {warning.message}", file=sys.stderr)
    save_mask(args.output, result.mask, protect=inputs)
    if args.probability:
        save_probability(args.probability, result.probability, protect=inputs)
    if args.cutout:
        save_cutout(args.cutout, image, result.mask, protect=inputs)
    if args.save_model:
        from segmix.modelfile import write_model

        write_model(args.save_model, result.model.to_segmix_model(), protect=inputs)
    share = 100.0 * result.mask.mean()
    print(f"wrote {args.output} ({image.shape[1]} x {image.shape[0]}, {share:.1f}% foreground)")
    return 0


# ------------------------------------------------------------------------------ skin
def _add_skin_parser(sub) -> None:
    """``segmix skin train|apply|eval``: filled in by the skin-detection work."""


# --------------------------------------------------------------------- open/quantize


def _cmd_open(args: argparse.Namespace) -> int:
    from segmix.gui.app import run_app

    return run_app(args.image)


def _cmd_quantize(args: argparse.Namespace) -> int:
    from segmix.quantize import quantize_file

    result = quantize_file(args.image, args.output, n_colors=args.colors, random_state=args.seed)
    print(f"wrote {args.output} ({args.colors} colours, mean squared error {result.mse:.2f} per channel)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``segmix`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Process exit status: 0 on success, 2 on a user error.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    known = {"open", "quantize", "segment", "skin", "-h", "--help", "--version"}
    if not argv or (argv[0] not in known and not argv[0].startswith("-")):
        argv = ["open", *argv]
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (UserError, ValueError, OSError) as exc:
        print(f"segmix {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("segmix: interrupted", file=sys.stderr)
        return 130
