"""``make app``'s server: ``solara run`` with uvicorn's websocket compression off and lighter page shells.

``python -m simfunnel.app.launch run simfunnel.app.pages --production --host H --port P`` is exactly
``solara run …`` (the same command line, Solara's own ``main``), except that the websockets between the
pages and the server are not compressed (uvicorn's ``ws_per_message_deflate``, on by default, which
``solara run`` has no switch for). Every widget message to every page went through zlib: 7 % of the
server's CPU for a page in the room test, on a laptop whose CPU serves the whole room, for a few hundred
kilobytes a page on the room's own network. And each page's IPython shell (Solara makes one per virtual
kernel, and loads its script magics to unregister their exit handler) no longer builds argparse parsers for
the ``%%bash``, ``%%perl``, ``%%ruby`` … cell magics: no page of the app runs a cell through the shell (the
lessons run their code themselves), and the parsers were 19 % of the server's CPU for a page.

    >>> Config(app="solara.server.starlette:app").ws_per_message_deflate
    False
    >>> Config(app="solara.server.starlette:app", ws_per_message_deflate=True).ws_per_message_deflate
    True
    >>> from IPython.core.magics.script import ScriptMagics
    >>> original = ScriptMagics._generate_script_magics
    >>> lighter_shells()
    >>> sorted(ScriptMagics().magics["cell"])  # %%script stays; no %%bash, %%perl …
    ['script']
    >>> ScriptMagics._generate_script_magics = original  # (this process is a test's)
"""

from __future__ import annotations

import sys

import uvicorn

__all__ = ["Config", "lighter_shells", "main"]


class Config(uvicorn.Config):
    """uvicorn's ``Config`` with websocket compression off unless asked for."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("ws_per_message_deflate", False)
        super().__init__(*args, **kwargs)


def lighter_shells() -> None:
    """IPython's script magics in this process make no per-interpreter cell magics (``%%bash`` …)."""
    from IPython.core.magics.script import ScriptMagics

    ScriptMagics._generate_script_magics = lambda self: None


def main(argv: list[str] | None = None) -> int:
    """Run Solara's command line (``argv``, default ``sys.argv[1:]``) with :class:`Config` in place."""
    uvicorn.Config = Config  # solara.__main__ makes its server with uvicorn.Config(**options)
    lighter_shells()
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", *(sys.argv[1:] if argv is None else argv)]
    return solara_main()


if __name__ == "__main__":
    sys.exit(main())
