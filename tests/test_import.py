"""Importing ganlab stays light: no heavy optional packages, and fast beyond torch itself."""
import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("torchvision", "sklearn", "matplotlib", "ipywidgets")

# Runs in a fresh interpreter: this test process has imported everything already.
_PROBE = textwrap.dedent("""
    import json, sys, time
    start = time.perf_counter()
    import torch
    torch_s = time.perf_counter() - start
    start = time.perf_counter()
    import {module}
    ganlab_s = time.perf_counter() - start
    heavy = [name for name in {heavy!r} if name in sys.modules]
    print(json.dumps({{"torch_s": torch_s, "ganlab_s": ganlab_s, "heavy": heavy}}))
""")


def _probe(module: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", _PROBE.format(module=module, heavy=HEAVY)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_import_ganlab_is_light_and_fast():
    result = _probe("ganlab")
    assert result["heavy"] == [], f"import ganlab pulled in {result['heavy']}"
    # generous for a loaded machine: ganlab itself needs a few milliseconds
    assert result["ganlab_s"] < 1.0, (f"import ganlab took {result['ganlab_s']:.2f} s beyond "
                                      f"torch ({result['torch_s']:.2f} s)")


@pytest.mark.parametrize("module", ["ganlab.data", "ganlab.losses", "ganlab.models"])
def test_core_submodules_do_not_import_heavy_packages(module):
    result = _probe(module)
    assert result["heavy"] == [], f"import {module} pulled in {result['heavy']}"
