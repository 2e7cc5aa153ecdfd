"""Allow ``python -m segmix``."""

import sys

if __name__ == "__main__":
    try:
        from segmix.cli import main
    except KeyboardInterrupt:  # Ctrl+C while the command line loads: one line, as later
        print("segmix: interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(main())
