"""Entry point of `python -m credit`."""

import sys

from credit.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
