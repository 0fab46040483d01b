"""``python -m childindex``."""

from childindex.cli.app import main

main()
