"""A page's messages to its browser, queued in order and sent by the event loop in bursts.

Solara runs each page's handlers on a worker thread of its own, and every message a handler sends — a
widget opened, a value changed — was a ``BlockingPortal.call`` into the server's event loop: wake the
loop (a write to its pipe), start a task, send, wait for it, come back. A board is ~190 widgets, so
joining was ~400 of those round trips; with 30 pages they were most of the server's work a page (the
room test's profile: the loop's wake-ups, the portal's tasks and futures).

:func:`coalesced_sends` (called by :mod:`simfunnel.app.pages` when the app starts) makes the worker
threads' ``send_text``/``send_bytes`` of Solara's Starlette websocket put the message in the page's
outbox and wake the loop once for every burst: the loop sends the outbox's messages in order, as soon
as it runs. There is no timer (Solara's own ``experimental_performance`` mode waits 50 ms between
sends; in the room test a page then lost its seat a second after Join in three waves of four).

- Order: one outbox a websocket, one sender at a time: messages leave in the order they were sent.
- A connection that failed: the next send raises ``WebSocketDisconnect``, as Solara expects (it then
  forgets the websocket); what was queued is dropped, as it would have failed too.
- ``close()`` sends what is queued first.
- Sends from the event loop's own thread (Solara warns about them) go through the same outbox.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

__all__ = ["Outbox", "coalesced_sends"]

DRAIN_SECONDS = 5.0  # close() waits at most this long for the queued messages


class Outbox:
    """The queued messages of one websocket and whether the loop has been asked to send them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: list[str | bytes] = []
        self.scheduled = False  # a sender is on its way or running: the next message only joins the queue
        self.failed: BaseException | None = None
        self.task: asyncio.Task | None = None


def _outbox(ws: Any) -> Outbox:
    box = ws.__dict__.get("_sf_outbox")
    if box is None:
        box = ws.__dict__.setdefault("_sf_outbox", Outbox())
    return box


def _queue(ws: Any, data: str | bytes) -> None:
    from solara.server import websocket

    box = _outbox(ws)
    with box.lock:
        if box.failed is not None:
            raise websocket.WebSocketDisconnect() from box.failed
        box.queue.append(data)
        if box.scheduled:
            return
        box.scheduled = True
    ws.event_loop.call_soon_threadsafe(_start_sender, ws, box)


def _start_sender(ws: Any, box: Outbox) -> None:
    task = ws.event_loop.create_task(_send_queued(ws, box))
    box.task = task
    ws.tasks.add(task)
    task.add_done_callback(ws.tasks.discard)


async def _send_queued(ws: Any, box: Outbox) -> None:
    while True:
        with box.lock:
            if not box.queue:
                box.scheduled = False
                return
            batch, box.queue = box.queue, []
        for data in batch:
            try:
                if isinstance(data, bytes):
                    await ws._send_bytes_exc(data)
                else:
                    await ws._send_text_exc(data)
            except Exception as exc:  # noqa: BLE001 — a closed connection: later sends raise WebSocketDisconnect
                with box.lock:
                    box.failed = exc
                    box.queue.clear()
                    box.scheduled = False
                return


async def _drain(box: Outbox) -> None:
    """Wait (at most :data:`DRAIN_SECONDS`) until the outbox is empty and its sender done."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_SECONDS
    while box.scheduled and loop.time() < deadline:
        task = box.task
        if task is not None and not task.done():
            await asyncio.wait({task}, timeout=max(0.0, deadline - loop.time()))
        else:
            await asyncio.sleep(0.001)


def coalesced_sends() -> None:
    """Route Solara's Starlette websocket sends through an :class:`Outbox` (see the module's notes). Once per
    process; the websockets made without a portal (Solara's own tests) are left as they are."""
    from solara.server import starlette as solara_starlette

    wrapper = solara_starlette.WebsocketWrapper
    if getattr(wrapper, "_sf_coalesced", False):
        return
    original_send_text, original_send_bytes, original_close = wrapper.send_text, wrapper.send_bytes, wrapper.close

    def send_text(self: Any, data: str) -> None:
        if self.portal is None:
            return original_send_text(self, data)
        _queue(self, data)

    def send_bytes(self: Any, data: bytes) -> None:
        if self.portal is None:
            return original_send_bytes(self, data)
        _queue(self, data)

    def close(self: Any) -> None:
        box = self.__dict__.get("_sf_outbox")
        if self.portal is not None and box is not None and box.scheduled \
                and threading.get_ident() != self._thread_id:
            try:
                self.portal.call(_drain, box)
            except Exception:  # noqa: BLE001 — the loop is going away: close as before
                pass
        return original_close(self)

    wrapper.send_text, wrapper.send_bytes, wrapper.close = send_text, send_bytes, close
    wrapper._sf_coalesced = True
