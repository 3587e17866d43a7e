"""`python -m app.cli`: the same command line as `bildungsraum`."""

from app.cli import main

main()
