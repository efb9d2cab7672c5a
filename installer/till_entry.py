"""The bundle's entry point: the `till` command (till/cli.py), frozen by PyInstaller."""

import sys

from till.cli import main

if __name__ == "__main__":
    sys.exit(main())
