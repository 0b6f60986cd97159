"""``python -m ganlab_grader.build``: see :mod:`ganlab_grader.build`;
``python -m ganlab_grader.build translate ...``: see :mod:`ganlab_grader.build.translate`."""
import sys

from . import main, translate

if sys.argv[1:2] == ["translate"]:
    sys.exit(translate.main(sys.argv[2:]))
sys.exit(main())
