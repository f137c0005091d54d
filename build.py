#!/usr/bin/env python3
"""Entry point: `python build.py --help`. Everything else lives in the newsarchive package."""

import sys

from newsarchive.cli import main

if __name__ == "__main__":
    sys.exit(main())
