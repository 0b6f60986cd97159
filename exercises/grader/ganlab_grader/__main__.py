"""``python -m ganlab_grader``: see :mod:`ganlab_grader.cli`."""
import sys

from .cli import main

sys.exit(main())
