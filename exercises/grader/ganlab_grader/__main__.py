"""``python -m ganlab.grading``: see :mod:`ganlab.grading.cli`."""
import sys

from .cli import main

sys.exit(main())
