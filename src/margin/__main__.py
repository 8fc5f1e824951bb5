"""`python -m margin` runs the command line."""

from margin.cli import run

run()
