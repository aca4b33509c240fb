"""``make app``'s server: ``solara run`` with uvicorn's websocket compression off.

``python -m simfunnel.app.launch run simfunnel.app.pages --production --host H --port P`` is exactly
``solara run …`` (the same command line, Solara's own ``main``), except that the websockets between the
pages and the server are not compressed (uvicorn's ``ws_per_message_deflate``, on by default, which
``solara run`` has no switch for). Every widget message to every page went through zlib: 7 % of the
server's CPU for a page in the room test, on a laptop whose CPU serves the whole room, for a few hundred
kilobytes a page on the room's own network.

    >>> Config(app="solara.server.starlette:app").ws_per_message_deflate
    False
    >>> Config(app="solara.server.starlette:app", ws_per_message_deflate=True).ws_per_message_deflate
    True
"""

from __future__ import annotations

import sys

import uvicorn

__all__ = ["Config", "main"]


class Config(uvicorn.Config):
    """uvicorn's ``Config`` with websocket compression off unless asked for."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("ws_per_message_deflate", False)
        super().__init__(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    """Run Solara's command line (``argv``, default ``sys.argv[1:]``) with :class:`Config` in place."""
    uvicorn.Config = Config  # solara.__main__ makes its server with uvicorn.Config(**options)
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", *(sys.argv[1:] if argv is None else argv)]
    return solara_main()


if __name__ == "__main__":
    sys.exit(main())
