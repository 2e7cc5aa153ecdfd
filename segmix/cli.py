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
    """``segmix segment``: filled in by the segmentation work."""


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
