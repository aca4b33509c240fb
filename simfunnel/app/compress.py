"""Static files compressed once per process, not once per page.

Solara's server compresses every response with Starlette's ``GZipMiddleware`` at level 9, so each new
browser that opens the app made the server gzip the same few megabytes of JavaScript again: in the room
test, more than half of the server's CPU for a page (≈ 0.5 s of ≈ 1 s) went there. :class:`CompressOnce`
takes its place: a response that names its content with an ``ETag`` (Solara's static files and page
assets do; pages, the kernel's messages and API answers do not) is compressed the first time and served
from memory after that; everything else goes through Starlette's ``GZipMiddleware`` as before.

:func:`install` puts it in place of the ``GZipMiddleware`` of Solara's Starlette app (``make app`` imports
:mod:`simfunnel.app.pages`, which calls it).

    >>> import asyncio
    >>> async def asset(scope, receive, send):
    ...     body = b"console.log('simfunnel');" * 100
    ...     await send({"type": "http.response.start", "status": 200, "headers": [
    ...         (b"content-type", b"text/javascript"), (b"etag", b'"v1"'), (b"content-length", str(len(body)).encode())]})
    ...     await send({"type": "http.response.body", "body": body})
    >>> app = CompressOnce(asset)
    >>> async def get():
    ...     sent = []
    ...     async def send(message):
    ...         sent.append(message)
    ...     scope = {"type": "http", "method": "GET", "path": "/static/main.js",
    ...              "headers": [(b"accept-encoding", b"gzip, deflate")]}
    ...     await app(scope, None, send)
    ...     return dict(sent[0]["headers"]), sent[1]["body"]
    >>> headers, body = asyncio.run(get())
    >>> headers[b"content-encoding"], int(headers[b"content-length"]) == len(body) < 2500
    (b'gzip', True)
    >>> asyncio.run(get())[1] is body, app.compressed
    (True, 1)
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

__all__ = ["CompressOnce", "install"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
App = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

#: Content types worth compressing (images, fonts and archives are compressed already).
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml",
                "application/wasm", "application/manifest+json")
#: Where Solara's server mounts static files; pages and the kernel's routes are answered afresh.
STATIC_FOLDERS = ("/static/", "/jupyter/nbextensions/", "/_solara/cdn/")


class CompressOnce:
    """ASGI middleware: gzip a static response once, keyed by its path and ``ETag``; the rest as ``GZipMiddleware``.

    At most ``max_bytes`` of compressed bodies are kept (the least recently used go first); a body
    larger than ``max_body`` is sent as it came.
    """

    def __init__(self, app: App, minimum_size: int = 1000, compresslevel: int = 6, max_bytes: int = 64 * 2**20,
                 max_body: int = 16 * 2**20) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)
        self.minimum_size, self.compresslevel = minimum_size, compresslevel
        self.max_bytes, self.max_body = max_bytes, max_body
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.compressed = 0  # bodies compressed so far (each once)

    async def __call__(self, scope: Scope, receive, send) -> None:
        if (scope["type"] != "http" or scope.get("method") != "GET"
                or "gzip" not in Headers(scope=scope).get("accept-encoding", "")):
            await self.gzip(scope, receive, send)
            return
        # An own scope without the zero-copy extension: the body must come through ``send`` to be compressed.
        own = dict(scope)
        own["extensions"] = {k: v for k, v in (scope.get("extensions") or {}).items() if k != "http.response.pathsend"}
        start: Message | None = None
        parts: list[bytes] = []
        passed = False

        async def capture(message: Message) -> None:
            nonlocal start, passed
            if passed:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
                headers = Headers(raw=message.get("headers", []))
                if message.get("status") != 200 or "etag" not in headers or "content-encoding" in headers:
                    passed = True  # not a static file: as it is (a page or an answer here is small)
                    await send(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if sum(map(len, parts)) > self.max_body:
                    passed = True
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(parts), "more_body": True})
                    parts.clear()
                elif not message.get("more_body", False):
                    await self._send_static(scope, start, b"".join(parts), send)
            else:
                await send(message)

        if not _static_candidate(scope):
            await self.gzip(scope, receive, send)
            return
        await self.app(own, receive, capture)

    async def _send_static(self, scope: Scope, start: Message, body: bytes, send) -> None:
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        kind = headers.get("content-type", "")
        if len(body) < self.minimum_size or not kind.startswith(COMPRESSIBLE):
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        key = (scope.get("path", ""), headers["etag"])
        with self._lock:
            packed = self._cache.get(key)
            if packed is not None:
                self._cache.move_to_end(key)
        if packed is None:
            packed = gzip.compress(body, compresslevel=self.compresslevel, mtime=0)
            with self._lock:
                if key not in self._cache:
                    self._cache[key] = packed
                    self._size += len(packed)
                    self.compressed += 1
                while self._size > self.max_bytes and self._cache:
                    self._size -= len(self._cache.popitem(last=False)[1])
        headers["content-encoding"] = "gzip"
        headers["content-length"] = str(len(packed))
        headers.add_vary_header("Accept-Encoding")
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": packed})


def _static_candidate(scope: Scope) -> bool:
    """A request for one of Solara's static folders (``/static/…``, ``/jupyter/nbextensions/…``, its asset cache)."""
    path = scope.get("path", "")
    return any(folder in path for folder in STATIC_FOLDERS)


def install(app: Any) -> bool:
    """Put :class:`CompressOnce` in place of ``app``'s ``GZipMiddleware`` (a Starlette app); True if it did.

    The middleware stack is built again at the next request (Starlette builds it lazily).
    """
    found = False
    for i, entry in enumerate(app.user_middleware):
        if entry.cls is GZipMiddleware:
            app.user_middleware[i] = Middleware(CompressOnce, minimum_size=entry.kwargs.get("minimum_size", 1000))
            found = True
        elif entry.cls is CompressOnce:
            return True
    if found:
        app.middleware_stack = None
    return found
