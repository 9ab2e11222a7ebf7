"""``python -m tactful``: the ``tactful`` command."""

import sys

from tactful.cli import main

sys.exit(main())
