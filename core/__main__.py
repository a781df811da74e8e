"""``python -m core <command> ...``: everything a page can do, headless."""
import sys

from core.cli import main

if __name__ == "__main__":
    sys.exit(main())
