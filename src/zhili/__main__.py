"""`python -m zhili`: the command line, without relying on a console script on PATH."""

from .cli import main

main()
