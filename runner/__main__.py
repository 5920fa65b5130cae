"""``python -m runner``: hands over to the CLI."""

import sys

from runner._cli import main

sys.exit(main())
