"""Entry point of `python -m credit`."""

import sys

from credit.cli import main

if __name__ == "__main__":
    sys.exit(main())
