"""Static files compressed once per process, not once per page.

Solara's server compresses every response with Starlette's ``GZipMiddleware`` at level 9, so each new
browser that opens the app made the server gzip the same few megabytes of JavaScript again: in the room
test, more than half of the server's CPU for a page (≈ 0.5 s of ≈ 1 s) went there. :class:`CompressOnce`
takes its place: a static file (Solara's, its page assets, the widgets' JavaScript: answers with an
``ETag``) is read and compressed the first time and served from memory after that; everything else goes
through Starlette's ``GZipMiddleware`` as before.

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
    >>> asyncio.run(get())[1] is body, app.compressed, app.served
    (True, 1, 1)
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
    """ASGI middleware: a static file read, gzipped and kept once per path; the rest as ``GZipMiddleware``.

    The first GET of a static file (a 200 with an ``ETag``) goes to the app; its answer — gzipped when its
    type is worth it — is kept by path and served from memory after that (``If-None-Match`` with its ETag
    gets a 304), without asking the app again: a static file of an installed package does not change
    while the server runs (a restart reads it afresh). Ranges, clients that take no gzip and everything
    that is not a static file go through Starlette's ``GZipMiddleware`` as before. At most ``max_bytes``
    are kept (the least recently used go first); a body over ``max_body`` is passed on as it came.
    """

    def __init__(self, app: App, minimum_size: int = 1000, compresslevel: int = 6, max_bytes: int = 64 * 2**20,
                 max_body: int = 16 * 2**20) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)
        self.minimum_size, self.compresslevel = minimum_size, compresslevel
        self.max_bytes, self.max_body = max_bytes, max_body
        self._cache: OrderedDict[str, tuple[str, list, bytes]] = OrderedDict()  # path → (etag, headers, body)
        self._size = 0
        self._lock = threading.Lock()
        self.compressed = 0  # bodies compressed so far (each once)
        self.served = 0  # answers served from memory

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or not _static_candidate(scope):
            await self.gzip(scope, receive, send)
            return
        asked = Headers(scope=scope)
        if "range" in asked or "gzip" not in asked.get("accept-encoding", ""):
            await self.gzip(scope, receive, send)
            return
        path = scope.get("path", "")
        with self._lock:
            kept = self._cache.get(path)
            if kept is not None:
                self._cache.move_to_end(path)
                self.served += 1
        if kept is not None:
            etag, raw, body = kept
            if etag in (tag.strip().removeprefix("W/") for tag in asked.get("if-none-match", "").split(",")):
                await send({"type": "http.response.start", "status": 304,
                            "headers": [(b"etag", etag.encode("latin-1")), (b"vary", b"Accept-Encoding")]})
                await send({"type": "http.response.body", "body": b""})
            else:
                await send({"type": "http.response.start", "status": 200, "headers": raw})
                await send({"type": "http.response.body", "body": body})
            return
        # An own scope without the zero-copy extension: the body must come through ``send`` to be kept.
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
                    passed = True  # a 304, an error, a page: as it is
                    await send(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if sum(map(len, parts)) > self.max_body:
                    passed = True
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(parts), "more_body": True})
                    parts.clear()
                elif not message.get("more_body", False):
                    await self._keep_and_send(path, start, b"".join(parts), send)
            else:
                await send(message)

        await self.app(own, receive, capture)

    async def _keep_and_send(self, path: str, start: Message, body: bytes, send) -> None:
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        if len(body) >= self.minimum_size and headers.get("content-type", "").startswith(COMPRESSIBLE):
            body = gzip.compress(body, compresslevel=self.compresslevel, mtime=0)
            headers["content-encoding"] = "gzip"
            headers["content-length"] = str(len(body))
            headers.add_vary_header("Accept-Encoding")
            with self._lock:
                self.compressed += 1
        raw = headers.raw
        with self._lock:
            if path not in self._cache:
                self._cache[path] = (headers["etag"], raw, body)
                self._size += len(body)
            while self._size > self.max_bytes and self._cache:
                self._size -= len(self._cache.popitem(last=False)[1][2])
        await send({**start, "headers": raw})
        await send({"type": "http.response.body", "body": body})


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

