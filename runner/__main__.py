"""``python -m runner``: hands over to the CLI."""

import sys

from runner.cli.main import main

sys.exit(main())
