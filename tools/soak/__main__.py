"""`python -m tools.soak`: see tools/soak/run.py (the worker functions live there so spawned processes can import them)."""

import sys

from tools.soak.run import main

if __name__ == '__main__':
    sys.exit(main())
