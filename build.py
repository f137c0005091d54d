#!/usr/bin/env python3
"""Entry point: `python build.py --help`. Everything else lives in the newsarchive package."""

import os
import sys

from newsarchive.cli import main

if __name__ == "__main__":
    code = main()
    # Every file is written and closed by now. Skipping the interpreter's teardown (freeing
    # a build's million objects one by one) saves a tenth of a second on every build.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
