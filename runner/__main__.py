"""``python -m runner``: hands over to the CLI."""

import sys

from runner.cli.main import entry

sys.exit(entry())
