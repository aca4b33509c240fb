"""A page's messages leave in order, in bursts, from the event loop (``simfunnel.app.sends``; issue 12).

The outbox is driven here with a stand-in of Solara's websocket wrapper (its event loop runs in a thread of
the test, as the server's does); importing Solara's Starlette server in a test process would break the
widget tests that follow in it. The app's browser tests and ``benchmarks/room.py`` run the real thing.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from simfunnel.app import sends


class FakeSocket:
    """What the outbox uses of Solara's ``WebsocketWrapper``: its loop, tasks, portal and async senders."""

    def __init__(self, loop: asyncio.AbstractEventLoop, fail_after: int | None = None, delay: float = 0.0) -> None:
        self.event_loop = loop
        self.tasks: set = set()
        self.portal = object()
        self._thread_id = None
        self.sent: list = []
        self.senders = 0
        self.fail_after = fail_after
        self.delay = delay

    async def _send_text_exc(self, data: str) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise RuntimeError("websocket.close already sent")
        if self.delay:
            await asyncio.sleep(self.delay)
        self.sent.append(data)

    async def _send_bytes_exc(self, data: bytes) -> None:
        await self._send_text_exc(data)  # type: ignore[arg-type]


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def _wait(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


def test_messages_of_several_threads_leave_in_the_order_each_sent_them_in_few_bursts(loop, monkeypatch):
    ws = FakeSocket(loop)
    started = []
    real = sends._start_sender
    monkeypatch.setattr(sends, "_start_sender", lambda w, box: (started.append(1), real(w, box)))

    def worker(name: str) -> None:
        for i in range(300):
            sends._queue(ws, f"{name}{i}" if i % 2 else f"{name}{i}".encode())

    threads = [threading.Thread(target=worker, args=(n,)) for n in "abc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _wait(lambda: len(ws.sent) == 900)
    assert len(ws.sent) == 900
    for name in "abc":
        mine = [m.decode() if isinstance(m, bytes) else m for m in ws.sent
                if (m.decode() if isinstance(m, bytes) else m).startswith(name)]
        assert mine == [f"{name}{i}" for i in range(300)]  # each thread's messages in its order
    assert isinstance(ws.sent[0], (str, bytes)) and any(isinstance(m, bytes) for m in ws.sent)
    assert len(started) < 900 / 3  # the loop was woken once a burst, not once a message


def test_a_failed_connection_makes_the_next_send_raise_and_drops_the_queue(loop):
    from solara.server import websocket

    ws = FakeSocket(loop, fail_after=3)
    for i in range(10):
        sends._queue(ws, f"m{i}")
    _wait(lambda: sends._outbox(ws).failed is not None)
    assert ws.sent == ["m0", "m1", "m2"]
    with pytest.raises(websocket.WebSocketDisconnect):
        sends._queue(ws, "late")
    assert sends._outbox(ws).queue == [] and not sends._outbox(ws).scheduled


def test_drain_waits_for_what_is_queued(loop):
    ws = FakeSocket(loop, delay=0.01)
    for i in range(20):
        sends._queue(ws, f"m{i}")
    assert len(ws.sent) < 20
    asyncio.run_coroutine_threadsafe(sends._drain(sends._outbox(ws)), loop).result(5)
    assert ws.sent == [f"m{i}" for i in range(20)] and not sends._outbox(ws).scheduled
