"""``python -m digitlab ...`` works like the ``digitlab`` console script."""

import sys

from digitlab.cli import main

sys.exit(main())
