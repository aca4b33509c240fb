"""pytest set-up for running the training notebooks with nbval.

``make test`` runs ``pytest … --nbval-lax --nbval-current-env … notebooks``: every
notebook of ``en/``, ``zh/``, ``trainer/en/`` and ``trainer/zh/`` is executed top to
bottom in a fresh kernel of the test's own Python, and fails on the first cell that
raises (trainer copies also ``assert`` their expected answers). The notebooks are
committed without outputs, so there are no reference outputs to compare; see the
docstring of ``build.py``. With pytest-xdist use ``--dist loadfile`` (or loadscope) so
that the cells of one notebook stay in one kernel on one worker.

This file also keeps what is not a test out of collection — importing a lesson source
would run the lesson, and ``--doctest-modules`` imports every ``.py`` file it is given —
and prepares the kernels' environment: charts drawn with the Agg backend, and Jupyter's
and IPython's files in a temporary folder rather than in ``$HOME``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

collect_ignore = ["build.py"]
# The trainer's console is run by tests/test_trainer_console.py (Run All, then the suite's own checks of the
# rehearsal and its handout): its cells hold no asserts of their own.
collect_ignore_glob = ["src/*", "**/.ipynb_checkpoints/*", "trainer/*/workshop.ipynb"]

# Kernels inherit the environment of the pytest process (each xdist worker imports this file).
os.environ["MPLBACKEND"] = "Agg"
_scratch = Path(tempfile.mkdtemp(prefix="simfunnel-nbval-"))
for _var, _sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                   ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
    (_scratch / _sub).mkdir()
    os.environ[_var] = str(_scratch / _sub)
atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
