"""The pages' IPython shells made lighter (Solara makes one per page, in the one process of the room).

:func:`lighter_shells` is called by :mod:`simfunnel.app.pages` when the app starts.
"""

from __future__ import annotations

__all__ = ["lighter_shells"]


def lighter_shells() -> None:
    """IPython's script magics in this process make no per-interpreter cell magics (``%%bash``, ``%%perl`` …).

    Solara makes an IPython shell for each page and loads its script magics (to unregister their exit
    handler), which built an argparse parser with formatted help for each interpreter: 19 % of the
    server's CPU for a page. No page of the app runs a cell through the shell (the lessons run their code
    themselves). ``%%script`` stays.

        >>> from IPython.core.magics.script import ScriptMagics
        >>> original = ScriptMagics._generate_script_magics
        >>> lighter_shells()
        >>> sorted(ScriptMagics().magics["cell"])
        ['script']
        >>> ScriptMagics._generate_script_magics = original  # (this process is a test's)
    """
    from IPython.core.magics.script import ScriptMagics

    ScriptMagics._generate_script_magics = lambda self: None
