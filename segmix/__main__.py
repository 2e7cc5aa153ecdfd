"""Allow ``python -m segmix``."""

import sys

if __name__ == "__main__":
    try:
        from segmix.cli import main
    except KeyboardInterrupt:  # Ctrl+C while the command line loads: one line, as later
        print("segmix: interrupted", file=sys.stderr)
        sys.exit(130)
    status = main()
    from segmix.cli import hold_signals_while_exiting

    hold_signals_while_exiting(status)  # a signal in the shutdown no longer turns it into 129 / 143
    sys.exit(status)
