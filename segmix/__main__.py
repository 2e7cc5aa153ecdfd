"""Allow ``python -m segmix``."""

import sys

if __name__ == "__main__":
    try:
        from segmix.cli import console_main
    except KeyboardInterrupt:  # Ctrl+C while the command line loads: one line, as later
        print("segmix: interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(console_main())  # a signal in the shutdown no longer turns it into 129 / 143
