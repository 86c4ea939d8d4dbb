"""``python -m desert_runners``: the same as the ``desert-runners`` command."""

from desert_runners.cli import main

main()
