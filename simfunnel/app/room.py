"""The workshop the app serves, a page's address, and a page's seat in the workshop.

- :func:`room` — the workshop served by this process: ``$SIMFUNNEL_WORKSHOP`` (``make app WORKSHOP=W``), else a
  private demo workshop made once for the process (:func:`~simfunnel.workshop.session.workshop_folder`).
  The store is the room's, shared by every page; nothing about a trainee is kept here.
- :class:`Address` — what a page's URL query holds so a refresh or a restarted server finds the page's
  place again without retyping: join code, name, the browser's token and the language. Every field
  is bounded before it is used.
- :class:`Seat` — a page's place: the trainee's :class:`~simfunnel.workshop.session.Session` from
  :func:`~simfunnel.workshop.session.join_with_code` and the team's
  :class:`~simfunnel.widgets.workshop.TeamBoard` built for that session **explicitly**
  (``DealBoard.for_team(session)``), in a language scope of the page's own
  (:func:`simfunnel.i18n.use_language`). Both are made in a copy of the caller's context, so neither the
  session nor the scope reaches another page served by the same thread. :meth:`Seat.close` closes the
  board and stops its round clock.

Example (without a browser):

    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=7, accounts=30)
    >>> code = store.team_codes()["team2"]
    >>> seat = Seat.take(store, Address(code=code, name="Li", token="t" * 20, lang="zh"))
    >>> seat.board.team, seat.board.trainee, seat.board.lang
    ('team2', 'Li', 'zh')
    >>> seat.close()
    >>> Address.parse("code=ab12&name=Li+Lei&lang=zh&t=" + "x" * 20).search()
    'code=ab12&name=Li+Lei&t=xxxxxxxxxxxxxxxxxxxx&lang=zh'
"""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, urlencode

from simfunnel import i18n
from simfunnel.app.texts import text
from simfunnel.widgets.deal_board import DealBoard
from simfunnel.widgets.workshop import TeamBoard
from simfunnel.workshop.session import JoinError, Session, join_with_code, workshop_folder
from simfunnel.workshop.store import WorkshopStore

__all__ = ["LOG", "Address", "CodeGuard", "Room", "Seat", "new_token", "page_language", "room"]

LOG = logging.getLogger("simfunnel.app")

# Bounds of what a URL may carry (a code is 6 letters; a name at most MAX_NAME; the rest is refused).
MAX_CODE_TEXT = 40
MAX_NAME_TEXT = 80
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
TITLE_ENV = "SIMFUNNEL_APP_TITLE"  # the workshop's name on the pages (make app TITLE=…)


def new_token() -> str:
    """A browser token: random, URL-safe; the store keeps only its hash."""
    return secrets.token_urlsafe(18)


def page_language(requested: str | None, accept_language: str = "") -> str:
    """The page's language: the one asked for (``?lang=``), else ``$SIMFUNNEL_LANG``, else the browser's.

    >>> page_language("zh"), page_language(None, "zh-CN,zh;q=0.9,en;q=0.8"), page_language("fr", "en-US")
    ('zh', 'zh', 'en')
    """
    if requested in i18n.LANGUAGES:
        return requested
    fixed = i18n.LanguageScope().lang  # SIMFUNNEL_LANG, else English
    if fixed != i18n.DEFAULT_LANGUAGE:
        return fixed
    first = accept_language.split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else fixed


class Address(NamedTuple):
    """What a page's URL query holds: ``code``, ``name``, ``t`` (the browser's token) and ``lang``."""

    code: str = ""
    name: str = ""
    token: str = ""
    lang: str | None = None

    @classmethod
    def parse(cls, search: str) -> Address:
        """The address in a query string (``code=…&name=…&t=…&lang=…``); fields out of bounds are dropped."""
        fields = parse_qs(search or "", keep_blank_values=False, max_num_fields=16) if len(search or "") < 1000 else {}

        def first(key: str, limit: int) -> str:
            values = fields.get(key) or [""]
            value = values[0].strip()
            return value if len(value) <= limit else ""

        token = first("t", 64)
        lang = first("lang", 2)
        return cls(code=first("code", MAX_CODE_TEXT), name=first("name", MAX_NAME_TEXT),
                   token=token if TOKEN.fullmatch(token) else "", lang=lang if lang in i18n.LANGUAGES else None)

    @property
    def joined(self) -> bool:
        """Whether the address names a seat (code, name and token): the page re-joins it on load."""
        return bool(self.code and self.name and self.token)

    def search(self) -> str:
        """The query string of this address (empty fields left out)."""
        pairs = [("code", self.code), ("name", self.name), ("t", self.token), ("lang", self.lang or "")]
        return urlencode([(k, v) for k, v in pairs if v])


@dataclass(frozen=True)
class Room:
    """The workshop served: its store, its folder and whether it is the process's demo workshop."""

    store: WorkshopStore
    folder: str
    demo: bool
    name: str = ""

    def title(self, lang: str) -> str:
        """The workshop's name: ``make app TITLE=…`` (``$SIMFUNNEL_APP_TITLE``), else the folder's name
        (never its path), or "Demo workshop"."""
        if self.name:
            return self.name
        return text("demo_title", lang) if self.demo else Path(self.folder).name or text("app_title", lang)

    def demo_codes(self, lang: str) -> str:
        """The demo's join codes, ``第 1 组 K7MX2P · 第 2 组 …`` (a real workshop's codes are on the team cards)."""
        names = self.store.team_names(lang)
        return " · ".join(f"{names[team]} {code}" for team, code in self.store.team_codes().items())


# The first pages may load at once: one of them opens the room (a demo is made once), the others wait.
_OPENING = threading.Lock()


def room() -> Room:
    """The workshop this process serves (opened once): ``$SIMFUNNEL_WORKSHOP``, else a demo made for it."""
    with _OPENING:
        return _open_room()


@functools.cache
def _open_room() -> Room:
    folder, demo = workshop_folder()
    store = WorkshopStore.open(folder)
    LOG.info("serving %s workshop with %d teams", "a demo" if demo else "the", len(store.teams))
    name = " ".join(os.environ.get(TITLE_ENV, "").split())[:MAX_NAME_TEXT]
    return Room(store=store, folder=folder, demo=demo, name=name)


class CodeGuard:
    """Slows down guessing of join codes (31⁶ codes, a handful of them good): wrong codes are counted.

    - A browser (its token) that typed ``per_browser`` wrong codes within ``window`` seconds may not try any
      code for ``pause`` seconds.
    - When the whole server saw ``per_server`` wrong codes within ``window`` seconds (someone trying codes
      from ever new tokens), a browser that has not joined before may not try for ``pause`` seconds; those
      that joined (a refresh, a reconnect) still can. 200 in 10 minutes: a room's typos never reach it.

    The refusal says to wait and ask the trainer for the code (zh and en). Thread-safe; ``clock`` for tests.
    """

    def __init__(self, per_browser: int = 5, per_server: int = 200, window: float = 600.0, pause: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_browser, self.per_server, self.window, self.pause = per_browser, per_server, window, pause
        self.clock = clock
        self._wrong: dict[str, deque[float]] = {}  # token → times of its wrong codes (within the window)
        self._all: deque[float] = deque()  # every wrong code's time (within the window)
        self._joined: set[str] = set()  # tokens that joined with a good code (bounded by the room's pages)
        self._lock = threading.Lock()

    def _trim(self, times: deque[float], now: float) -> None:
        while times and now - times[0] > self.window:
            times.popleft()

    def check(self, token: str) -> None:
        """Refuse (a :class:`JoinError`) a try from ``token`` while it or the server is paused."""
        now = self.clock()
        with self._lock:
            mine = self._wrong.get(token)
            if mine is not None:
                self._trim(mine, now)
            self._trim(self._all, now)
            if mine is not None and len(mine) >= self.per_browser and now - mine[-1] < self.pause:
                wait = self.pause - (now - mine[-1])
            elif (token not in self._joined and len(self._all) >= self.per_server
                  and now - self._all[-1] < self.pause):
                wait = self.pause - (now - self._all[-1])
            else:
                return
        raise JoinError(zh=text("too_many_codes", "zh", seconds=max(1, round(wait))),
                        en=text("too_many_codes", "en", seconds=max(1, round(wait))))

    def failed(self, token: str) -> None:
        """Count a wrong code typed from ``token``."""
        now = self.clock()
        with self._lock:
            self._wrong.setdefault(token, deque()).append(now)
            self._all.append(now)
            if len(self._wrong) > 10_000:  # forget the oldest tokens, never grow without bound
                for old in list(self._wrong)[:5_000]:
                    del self._wrong[old]

    def joined(self, token: str) -> None:
        """A good code from ``token``: it is spared the server's pause (its own wrong codes still count: they
        expire with the window, never by joining again)."""
        with self._lock:
            if len(self._joined) < 100_000:
                self._joined.add(token)


# The process's guard: every page's tries count together.
GUARD = CodeGuard()


class Seat:
    """A page's place in the workshop: the session joined with a code and the team's board.

    Made by :meth:`take`; the page holds it and calls :meth:`close` when it goes (its kernel culled
    or closed, the trainee leaving). Nothing of it is kept anywhere else.
    """

    def __init__(self, session: Session, board: TeamBoard, scope: i18n.LanguageScope, address: Address) -> None:
        self.session, self.board, self.scope, self.address = session, board, scope, address
        self.closed = False

    @classmethod
    def take(cls, store: WorkshopStore, address: Address, *, page_size: int = 6, guard: CodeGuard | None = None) -> Seat:
        """Join with ``address``'s code, name and token and build the team's board in ``address.lang``.

        Raises:
            JoinError: the code, the name or the store refused (its text in zh and en), or too many wrong
                codes were typed (``guard``, the process's :data:`GUARD` by default).
        """
        return contextvars.copy_context().run(cls._take, store, address, page_size, guard or GUARD)

    @classmethod
    def _take(cls, store: WorkshopStore, address: Address, page_size: int, guard: CodeGuard) -> Seat:
        lang = address.lang or i18n.DEFAULT_LANGUAGE
        scope = i18n.use_language(lang)  # this page's scope, in this copied context only
        guard.check(address.token)
        try:
            session = join_with_code(store, address.code, address.name, lang=lang, browser=address.token)
        except JoinError as err:
            if err.key == "bad_code":
                guard.failed(address.token)
                LOG.info("a wrong join code")
            raise
        guard.joined(address.token)
        board = DealBoard.for_team(session, page_size=page_size)  # the session, explicitly: its team only
        LOG.info("seat taken: %s · %s (%s)", session.team, session.trainee, lang)
        return cls(session, board, scope, address)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.address.code, self.address.name, self.address.token

    def set_language(self, lang: str) -> None:
        """Show the page in ``lang``: the page's scope and the board (fixed to the session's language)."""
        if lang != self.board.lang:
            self.scope.set(lang)
            self.board.set_language(lang)

    def close(self) -> None:
        """Close the board: its widgets, its language listener and its round clock (idempotent)."""
        if self.closed:
            return
        clock = self.board.poll is not None
        self.board.close()
        self.closed = True
        LOG.info("seat closed: %s · %s%s", self.session.team, self.session.trainee,
                 " (round clock stopped)" if clock else "")
