"""``python -m fixwire``: the ``fixwire`` command, for environments without its script."""

import sys

from fixwire.cli import main

sys.exit(main())
