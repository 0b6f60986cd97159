"""``python -m ganlab_grader.build``: see :mod:`ganlab_grader.build`."""
import sys

from . import main

sys.exit(main())
