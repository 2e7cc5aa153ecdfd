"""Allow ``python -m segmix``."""

import sys

from segmix.cli import main

if __name__ == "__main__":
    sys.exit(main())
