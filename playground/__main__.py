"""Entry point for `python -m playground`."""

import sys

from .cli import main

sys.exit(main())
