"""``python -m cli_core`` is the clishape program."""

import sys

from clishape_commands.app import main

sys.exit(main())
