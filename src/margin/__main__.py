"""`python -m margin` runs the command line."""

import sys

if sys.argv[1:2] == ["merge-file"]:  # git's merge driver, once per file: skip the command line's start-up
    from margin.vcs.drivers import main

    sys.exit(main(sys.argv[2:]))

from margin.cli import run

run()
