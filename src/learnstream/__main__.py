"""`python -m learnstream` is the `learnstream` command."""

from learnstream.cli import main

main()
