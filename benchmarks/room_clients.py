"""The two clients of the room load test (``benchmarks/room.py``): a trainee's page in Chromium, and a light client.

- :class:`Trainee` and :func:`open_page` / :func:`play_once` / :func:`play` drive one page in Debian's Chromium
  (Playwright's async API, a browser context per page): the front page, the team's join code and a name of
  its own, Join, then turns — select a deal, Act, judge the customer's reply (Advance), and Next week (free
  play) or Submit the round (rounds) when :class:`Room` says the team's week or round is due. Every step
  waits for what the board shows (a JavaScript predicate over the DOM, checked when the page changes — a
  MutationObserver, at most once a frame — so that 30 waiting pages cost the browsers little), and its time
  is kept.
- :class:`LightSession` opens a page's session without a browser: it speaks what Solara's page bundle
  speaks to the server (the kernel websocket, the ``solara.control`` comm's ``run`` with the page's address),
  so the server builds all it builds for a browser — a virtual kernel, the page, a seat joined with the code
  and the team's board, or a lesson run — while the client only keeps the widgets' states and can press a
  button (an ipywidgets ``click`` message). A click's time is the server's: from the message sent to the
  server's ``idle`` status for it (every update it made has been sent by then); no browser draws anything.

The labels come from the app's own texts (:mod:`simfunnel.app.texts`, the board's ``BOARD_TEXT``), in the
page's language.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import json
import random
import re
import secrets
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from simfunnel.app.texts import text as app_text
from simfunnel.model.replies import OUTCOME_LABELS
from simfunnel.widgets.deal_board_texts import BOARD_TEXT

__all__ = ["LightSession", "Room", "Trainee", "board_path", "labels", "open_page", "play", "play_light", "play_once"]

STEP_TIMEOUT_MS = 30_000  # one click's answer under load
OPEN_TIMEOUT_MS = 120_000  # a page, from navigation to its board, in a wave


def labels(lang: str) -> dict[str, Any]:
    """The buttons' and boxes' names in ``lang``, as the app shows them."""
    i = 0 if lang == "zh" else 1
    return {
        "join": app_text("join", lang), "code": app_text("code", lang), "name": app_text("name", lang),
        "select": BOARD_TEXT["select"][i], "selected": BOARD_TEXT["selected"][i], "act": BOARD_TEXT["act"][i],
        "advance": OUTCOME_LABELS["advance"][i], "next": BOARD_TEXT["next_week"][i], "submit": BOARD_TEXT["submit"][i],
    }


class Room:
    """The benchmark's side of the room: when a team's week (free play) or the round (rounds) is due.

    Free play: a team closes a week every ``week_seconds`` (the first of its pages to see it due presses
    Next week), never the workshop's last week (so the pages can act to the end). Rounds: a team submits
    when the round is 70 % through; :meth:`trainer` closes the round after ``week_seconds`` and opens the next.
    """

    def __init__(self, store, *, rounds: bool, week_seconds: float) -> None:
        self.store, self.rounds, self.week_seconds = store, rounds, week_seconds
        self.end_week = store.end_week
        self.rounds_closed = 0
        self.restart()

    def restart(self) -> None:
        self.last_week = {team: time.monotonic() for team in self.store.teams}
        self.round_opened = time.monotonic()
        self.submitted: set[str] = set()

    def week_due(self, team: str, week: int) -> bool:
        """Free play: the team's week has lasted ``week_seconds`` and is not the last (claimed by the caller)."""
        if self.rounds or week >= self.end_week - 1 or time.monotonic() - self.last_week[team] < self.week_seconds:
            return False
        self.last_week[team] = time.monotonic()
        return True

    def submit_due(self, team: str) -> bool:
        """Rounds: the round is 70 % through and the team has not submitted (claimed by the caller)."""
        if not self.rounds or team in self.submitted or time.monotonic() - self.round_opened < 0.7 * self.week_seconds:
            return False
        self.submitted.add(team)
        return True

    async def trainer(self, stop: asyncio.Event) -> None:
        """Rounds: close the round after ``week_seconds`` (a team that did not submit gets the default), open the next."""
        if not self.rounds:
            return
        while not stop.is_set():
            await asyncio.sleep(0.5)
            if time.monotonic() - self.round_opened < self.week_seconds:
                continue
            if self.store.current_round() is not None:
                await asyncio.to_thread(self.store.close_round)
                self.rounds_closed += 1
                if self.store.week(self.store.teams[0]) + self.store.weeks_per_round <= self.end_week:
                    await asyncio.to_thread(self.store.open_round)
            self.round_opened = time.monotonic()
            self.submitted.clear()


# --- a trainee's page in Chromium ---------------------------------------------------------------------
# What the board shows, read in the page in one go: the message next to "Next week" / "Submit the round",
# the first indicator (the week), whether the quiz buttons and a reply are shown, whether Act can be pressed,
# the selected card's text, and (``a.cards``) the visible cards: their deal and whether this trainee planned
# a move on it.
BOARD_STATE = """(a) => {
  const board = document.querySelector('.sf-board');
  if (!board) return null;
  // shown: no box around it hidden by its layout (ipywidgets write display: none inline) or by the board's
  // class sf-hidden (parts that share a layout hide by a class)
  const vis = el => !!el && !el.closest('[style*="display: none"], .sf-hidden');
  const buttons = [...board.querySelectorAll('button.widget-button')];
  const named = t => buttons.find(b => b.textContent.trim() === t);
  const bar = named(a.next) || named(a.submit);
  const msg = bar ? bar.parentElement.querySelector('.widget-html-content') : null;
  const kpi = board.querySelector('.sf-kpi');
  const sel = board.querySelector('.sf-card.sf-selected');
  const act = named(a.act);
  // the line under the Act row: refusals of Select, Act and the quiz show there, next to what caused them
  const actRow = act ? act.closest('.widget-hbox') : null;
  const actMsg = actRow ? actRow.nextElementSibling : null;
  const s = {
    message: msg ? msg.innerHTML : '', actMessage: actMsg ? actMsg.innerHTML : '', week: kpi ? kpi.textContent : '',
    quiz: vis(named(a.advance)), reply: !!board.querySelector('.sf-reply'),
    replyText: board.querySelector('.sf-reply') ? board.querySelector('.sf-reply').parentElement.textContent : '',
    act: vis(act) && !act.disabled, selected: sel ? sel.textContent : '',
    selectedPlanned: !!sel && !!sel.querySelector('.sf-plan'),
    bar: bar ? bar.textContent.trim() : '', barEnabled: !!bar && !bar.disabled,
  };
  if (a.cards) {
    s.cards = [...board.querySelectorAll('.sf-card')].filter(vis).map(c => {
      const m = c.textContent.match(/#(\\d+)/);
      return {id: m ? m[1] : '', planned: !!c.querySelector('.sf-plan')};
    });
  }
  return s;
}"""


def _wait_js(condition: str, click: str = "") -> str:
    """A promise for ``page.evaluate``: resolves with ``[answer, ms]`` — ``condition``'s answer (on ``s``, the board's
    state, and the args ``a``) as soon as the DOM shows it, checked at the next frame after the page changed (a
    MutationObserver, not a poll: 30 pages waiting must not cost the browsers' CPU), or 'timeout' after
    ``a.timeout`` ms — and the milliseconds it took.

    With ``click`` (a JavaScript expression for the button, given ``board`` and ``a``), the page itself presses
    it first and the time runs from that press: what the trainee waits for (the server, the network and the
    page's drawing), not Playwright's checks before a click nor its round trips to this script under load.
    A button that is not there, hidden or disabled answers 'missing' at once."""
    press = ""
    if click:
        press = f"""
  const board = document.querySelector('.sf-board');
  const button = board ? ({click}) : null;
  if (!button || button.disabled || button.closest('[style*="display: none"], .sf-hidden')) {{ resolve(['missing', 0]); return; }}
  button.click();"""
    return f"""(a) => new Promise(resolve => {{
  const check = () => {{ const s = ({BOARD_STATE})(a); if (!s) return false; {condition} }};
  const t0 = performance.now();{press}
  const done = r => resolve([r, performance.now() - t0]);
  const now = check();
  if (now) {{ done(now); return; }}
  let timer = null, frame = 0;
  const observer = new MutationObserver(() => {{
    if (frame) return;  // at most one check a frame, however many changes the server's messages make
    frame = requestAnimationFrame(() => {{
      frame = 0;
      const r = check();
      if (r) {{ observer.disconnect(); clearTimeout(timer); done(r); }}
    }});
  }});
  observer.observe(document.body, {{subtree: true, childList: true, attributes: true, characterData: true}});
  timer = setTimeout(() => {{ observer.disconnect(); done('timeout'); }}, a.timeout);
}})"""


# A new message next to the buttons (a refusal in sf-warn, or a note such as "a teammate closed the week"), or a
# refusal under the Act row (Select, Act and the quiz: a teammate's move on the deal, a week closed meanwhile)
NOTE = ("if (s.message !== a.before) return s.message.includes('sf-warn') ? 'refused' : 'note'; "
        "if (s.actMessage !== a.beforeAct && s.actMessage.includes('sf-warn')) return 'refused'; "
        "if (s.bar === a.submit && !s.barEnabled) return 'locked'; return false;")  # rounds: the round was played
# The buttons, found as the trainee sees them: the i-th shown card's button, or a button by its text.
CARD_BUTTON = ("[...board.querySelectorAll('.sf-card')].filter(c => !c.closest('[style*=\"display: none\"], .sf-hidden'))"
               "[a.card]?.querySelector('button')")
NAMED_BUTTON = "[...board.querySelectorAll('button.widget-button')].find(b => b.textContent.trim() === a.button)"
SELECT = _wait_js(f"if (s.act && s.selected.includes('#' + a.deal)) return 'selected'; "
                  # a teammate planned the deal since the cards were read: nothing to act on
                  f"if (s.selectedPlanned && s.selected.includes('#' + a.deal)) return 'taken'; "
                  # the board was redrawn between reading the cards and the press (a teammate closed the week):
                  # the page selected the card now in that place, another deal; the turn goes on with the next
                  f"if (s.selected && s.selected !== a.beforeSelected && !s.selected.includes('#' + a.deal)) "
                  f"return 'moved'; {NOTE}", CARD_BUTTON)
ACT = _wait_js(f"if (s.quiz && s.reply) return 'reply'; {NOTE}", NAMED_BUTTON)
# judged: the quiz is gone, or it moved on to another reply still waiting (a teammate's, or one left before)
JUDGE = _wait_js(f"if (!s.quiz || s.replyText !== a.beforeReply) return 'judged'; {NOTE}", NAMED_BUTTON)
NEXT = _wait_js(f"if (s.week !== a.week) return 'next'; {NOTE}", NAMED_BUTTON)
SUBMIT = _wait_js("if (!s.barEnabled) return 'submitted'; "
                  "if (s.message !== a.before) return s.message.includes('sf-warn') ? 'refused' : 'note'; "
                  "return false;", NAMED_BUTTON)


@dataclass
class Trainee:
    """One page: who it is, and what it measured (seconds)."""

    index: int
    name: str
    team: str
    code: str
    lang: str
    slot: int  # its place among its team's pages
    team_size: int
    page: Any = None
    front: float | None = None  # navigation → the front page's Join button
    ready: float | None = None  # navigation → its team's board (code and name typed, Join pressed)
    acts: list[float] = field(default_factory=list)  # click Act → the reply shown, with the quiz under it
    refusals: list[float] = field(default_factory=list)  # click Act → the board's refusal or note shown
    selects: list[float] = field(default_factory=list)
    judges: list[float] = field(default_factory=list)
    weeks: list[float] = field(default_factory=list)  # click Next week → the new week shown
    submits: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cycles: int = 0
    loop_from: int = 0  # index in ``acts`` where the steady play starts
    shots: Path | None = None  # where to save a screenshot of the page at its first error

    @property
    def labels(self) -> dict[str, Any]:
        return labels(self.lang)


def week_number(text: str) -> int:
    """The first number of the board's first indicator ("Week 14 …", "第 14 周…"); -1 when none."""
    found = re.search(r"\d+", text or "")
    return int(found[0]) if found else -1


async def board_state(page, lab: dict, cards: bool = False) -> dict | None:
    return await page.evaluate(f"({BOARD_STATE})", {**lab, "cards": cards})


async def _press(page, js: str, args: dict, step: str) -> tuple[str, float]:
    """Press a button in the page and wait for what the board shows after ``step``: (its answer, seconds from
    the press). A timeout or a missing button names the step and what the page showed."""
    try:
        got, ms = await asyncio.wait_for(page.evaluate(js, {**args, "timeout": STEP_TIMEOUT_MS}),
                                         STEP_TIMEOUT_MS / 1000 + 15)
    except Exception as err:  # noqa: BLE001 - the page gone, or Playwright's own timeout
        got, ms = f"{type(err).__name__}", 0.0
    if got in ("timeout", "missing", "TimeoutError") or got.endswith("Error"):
        state = None
        with contextlib.suppress(Exception):
            state = await board_state(page, args)
        raise RuntimeError(f"{step}: {got} after {STEP_TIMEOUT_MS / 1000:.0f} s; the page shows {state or 'no board'}")
    return got, ms / 1000


async def open_page(browser, base: str, t: Trainee, aborted: list[str]) -> None:
    """A new browser context (its own storage: another trainee's browser), the front page, code, name, Join.

    Every request not to 127.0.0.1 is aborted and listed in ``aborted``."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, reduced_motion="reduce")

    async def route(r) -> None:
        url = r.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname == "127.0.0.1":
            await r.continue_()
        else:
            aborted.append(url)
            await r.abort()

    await context.route("**/*", route)
    page = t.page = await context.new_page()
    lab = t.labels
    t0 = time.perf_counter()
    await page.goto(f"{base}/?lang={t.lang}", timeout=OPEN_TIMEOUT_MS)
    join = page.get_by_role("button", name=lab["join"], exact=True)
    await join.wait_for(timeout=OPEN_TIMEOUT_MS)
    t.front = time.perf_counter() - t0
    await page.get_by_label(lab["code"]).fill(t.code)
    await page.get_by_label(lab["name"]).fill(t.name)
    await join.click()
    await page.locator(".sf-board .sf-card").first.wait_for(timeout=OPEN_TIMEOUT_MS)
    t.ready = time.perf_counter() - t0


async def play_once(t: Trainee, room: Room) -> None:
    """One turn: select a deal, Act, judge the reply (Advance); then Next week, or Submit, when due."""
    page, lab = t.page, t.labels
    t.cycles += 1
    s = await board_state(page, lab, cards=True)
    if not s or not s["cards"]:
        raise RuntimeError(f"no board or no card on the page: {(await page.inner_text('body'))[:300]!r}")
    if s["bar"] == lab["submit"] and not s["barEnabled"]:
        return  # rounds: submitted, or no round open: the trainee waits for the trainer
    free = [i for i, c in enumerate(s["cards"]) if not c["planned"]] or list(range(len(s["cards"])))
    i = free[(t.slot + t.cycles * t.team_size) % len(free)]  # teammates spread over the deals
    deal = s["cards"][i]["id"]

    def before(state: dict) -> dict:
        return {**lab, "before": state["message"], "beforeAct": state["actMessage"]}

    got, took = await _press(page, SELECT, {**before(s), "card": i, "deal": deal, "beforeSelected": s["selected"]},
                             "select")
    t.selects.append(took)
    if got != "selected":  # taken by a teammate, or the board redrawn under the press: counted as overtaken
        t.refusals.append(took)
    else:
        s = await board_state(page, lab)
        got, took = await _press(page, ACT, {**before(s), "button": lab["act"]}, "act")
        (t.acts if got == "reply" else t.refusals).append(took)
        if got == "reply":
            s = await board_state(page, lab)
            _, took = await _press(page, JUDGE, {**before(s), "button": lab["advance"], "beforeReply": s["replyText"]},
                                   "judge")
            t.judges.append(took)
    s = await board_state(page, lab)
    if s and s["bar"] == lab["next"] and room.week_due(t.team, week_number(s["week"])):
        got, took = await _press(page, NEXT, {**before(s), "button": lab["next"], "week": s["week"]}, "next week")
        if got == "next":
            t.weeks.append(took)
    elif s and s["bar"] == lab["submit"] and s["barEnabled"] and room.submit_due(t.team):
        got, took = await _press(page, SUBMIT, {**before(s), "button": lab["submit"]}, "submit")
        if got == "submitted":
            t.submits.append(took)


async def play(t: Trainee, room: Room, until: float, think: float, rng: random.Random) -> None:
    """Turns until ``until`` (monotonic), a pause of about ``think`` seconds between two; errors are counted."""
    while time.monotonic() < until:
        try:
            await play_once(t, room)
        except Exception as err:  # noqa: BLE001 - a step that timed out under load: counted, the page plays on
            t.errors.append(f"{type(err).__name__}: {str(err)[:500]}")
            if t.shots is not None and len(t.errors) == 1:
                with contextlib.suppress(Exception):
                    t.shots.mkdir(parents=True, exist_ok=True)
                    await t.page.screenshot(path=str(t.shots / f"{t.name}-error.png"))
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


# --- the light client: the page's protocol without a browser ------------------------------------------
def board_path(code: str, name: str, lang: str) -> str:
    """A board page's address: join code, name, a browser token of its own, language."""
    return "/?" + urlencode({"code": code, "name": name, "t": secrets.token_urlsafe(18), "lang": lang})


def _jupyter_msg(msg_type: str, content: dict, session: str) -> tuple[str, str]:
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "username": "room-bench", "session": session, "msg_type": msg_type,
              "version": "5.3", "date": _dt.datetime.now(_dt.UTC).isoformat()}
    return msg_id, json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                               "channel": "shell", "buffers": []})


class LightSession:
    """A page's session without a browser: what Solara's page bundle sends to open a page on an address.

    A board: ``board_path(code, name, lang)``, ready when the board's deal cards arrived; a lesson:
    ``/lesson/02?lang=en``, ready when the lesson has run (``sf-lesson-done``).

    GET the page (the session cookie), the kernel websocket ``/jupyter/api/kernels/<kernel>/channels?session_id=
    <page>``, a ``solara.control`` comm and its ``run`` with the page's path: the server renders the page,
    which joins with the code (the address re-joins, as a refreshed page does) and builds the team's board.
    The client reads every message (so the server never waits on it), keeps every widget's state, and
    :meth:`click` presses a button. :meth:`close` sends the tab's goodbye beacon, or just drops the connection.
    """

    def __init__(self, base: str, path: str, marker: bytes = b"sf-card-body", lang: str = "en") -> None:
        self.base, self.kernel, self.page = base, str(uuid.uuid4()), str(uuid.uuid4())
        self.path, self.marker, self.lang = path, marker, lang
        self.ready = asyncio.Event()
        self.cookie = ""
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.received = 0
        self.bytes = 0
        self.latency: float | None = None  # run sent → ready
        self.models: dict[str, dict] = {}  # comm id → the widget's state, updates applied
        self.replies = 0  # messages that carried a customer's reply (sf-reply)
        self._idle: dict[str, asyncio.Future] = {}
        # what this session measured when it played (seconds, server side)
        self.acts: list[float] = []
        self.refusals: list[float] = []
        self.others: list[float] = []  # select, judge, next week
        self.errors: list[str] = []

    @property
    def is_board(self) -> bool:
        return self.marker == b"sf-card-body"

    def _get_cookie(self) -> str:
        with urllib.request.urlopen(self.base + self.path, timeout=60) as r:
            r.read()
            found = [c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or [] if c.startswith("solara-")]
        return "; ".join(found)

    async def open(self, timeout: float = 180) -> None:
        import websockets

        t0 = time.perf_counter()
        self.cookie = await asyncio.to_thread(self._get_cookie)
        url = f"ws://{urlsplit(self.base).netloc}/jupyter/api/kernels/{self.kernel}/channels?session_id={self.page}"
        self.ws = await websockets.connect(url, additional_headers={"Cookie": self.cookie} if self.cookie else None,
                                           max_size=None, open_timeout=timeout, ping_interval=None)
        self.reader = asyncio.create_task(self._read())
        comm = uuid.uuid4().hex
        await self.ws.send(_jupyter_msg("comm_open", {"comm_id": comm, "target_name": "solara.control", "data": {}},
                                        self.page)[1])
        run_id, run = _jupyter_msg("comm_msg", {"comm_id": comm, "data": {
            "method": "run", "args": {"path": self.path, "appName": None, "dark": False, "themes": None}}}, self.page)
        rendered = self._idle[run_id] = asyncio.get_running_loop().create_future()
        await self.ws.send(run)
        # ready: the page rendered (the server's idle status after "run": the seat and the board are made by then)
        # and its marker arrived (the board's cards; a lesson's end, run in a thread of the page)
        await asyncio.wait_for(asyncio.gather(self.ready.wait(), rendered), timeout)
        self.latency = time.perf_counter() - t0

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for frame in self.ws:
                self.received += 1
                self.bytes += len(frame)
                raw = frame if isinstance(frame, bytes) else frame.encode()
                if self.marker in raw:
                    self.ready.set()
                if b"sf-reply" in raw:
                    self.replies += 1
                if isinstance(frame, str):
                    self._keep(json.loads(frame))

    def _keep(self, msg: dict) -> None:
        """Widgets' states (comm_open, update), and the server's idle status after a message of ours."""
        kind = msg.get("header", {}).get("msg_type")
        content = msg.get("content", {})
        if kind == "status" and content.get("execution_state") == "idle":
            waiter = self._idle.pop(msg.get("parent_header", {}).get("msg_id", ""), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(time.perf_counter())
        elif kind == "comm_open":
            self.models[content.get("comm_id", "")] = dict(content.get("data", {}).get("state", {}))
        elif kind == "comm_msg":
            data = content.get("data", {})
            if data.get("method") in ("update", "echo_update") and content.get("comm_id") in self.models:
                self.models[content["comm_id"]].update(data.get("state", {}))
        elif kind == "comm_close":
            self.models.pop(content.get("comm_id", ""), None)

    # --- what the board shows, from the widgets' states ---------------------------------------------------
    def _shown(self, comm: str) -> bool:
        """Whether a widget is shown: neither it nor a box holding it is hidden (``display: none``, ``sf-hidden``)."""
        parents: dict[str, str] = {}
        for cid, state in self.models.items():
            for child in state.get("children", ()) or ():
                parents[str(child).removeprefix("IPY_MODEL_")] = cid
        while comm:
            state = self.models.get(comm, {})
            if "sf-hidden" in (state.get("_dom_classes") or ()):  # hidden by a class (its layout is shared)
                return False
            layout = str(state.get("layout", "")).removeprefix("IPY_MODEL_")
            if self.models.get(layout, {}).get("display") == "none":
                return False
            comm = parents.get(comm, "")
        return True

    def buttons(self, description: str) -> list[str]:
        """The shown buttons with this description, in the order the server made them."""
        return [cid for cid, s in self.models.items()
                if s.get("_model_name") == "ButtonModel" and s.get("description") == description and self._shown(cid)]

    async def click(self, comm: str, timeout: float = 60) -> float:
        """Press a button (ipywidgets' click message); seconds until the server's idle status for it."""
        msg_id, text = _jupyter_msg("comm_msg", {"comm_id": comm, "data": {"method": "custom",
                                                                           "content": {"event": "click"}}}, self.page)
        done = self._idle[msg_id] = asyncio.get_running_loop().create_future()
        t0 = time.perf_counter()
        await self.ws.send(text)
        return await asyncio.wait_for(done, timeout) - t0

    def _beacon(self) -> None:
        request = urllib.request.Request(f"{self.base}/_solara/api/close/{self.kernel}?session_id={self.page}",
                                         method="POST", data=b"", headers={"Cookie": self.cookie})
        with contextlib.suppress(urllib.error.URLError, OSError):
            urllib.request.urlopen(request, timeout=30).read()

    async def close(self, beacon: bool) -> None:
        if beacon:  # the tab closed: the browser's goodbye beacon, then the socket goes
            await asyncio.to_thread(self._beacon)
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader


async def light_turn(s: LightSession, room: Room, team: str, slot: int, team_size: int, turn: int) -> None:
    """One turn of a light board: Select a deal, Act (its time: click → the server idle), Advance, Next week when due."""
    lab = labels(s.lang)
    selects = s.buttons(lab["select"])
    if not selects:
        raise RuntimeError("no deal to select on the board")
    s.others.append(await s.click(selects[(slot + turn * team_size) % len(selects)]))
    acts = s.buttons(lab["act"])
    if acts:
        before = s.replies
        took = await s.click(acts[0])
        (s.acts if s.replies > before else s.refusals).append(took)
        advance = s.buttons(lab["advance"])
        if advance:
            s.others.append(await s.click(advance[0]))
    nxt = s.buttons(lab["next"])
    header = next((str(st.get("value", "")) for st in s.models.values()
                   if st.get("_model_name") == "HTMLModel" and 'class="sf-kpi"' in str(st.get("value", ""))), "")
    first_kpi = re.sub(r"<[^>]+>", " ", header[header.find('class="sf-kpi"'):])  # "Week 14 …" / "第 14 周 …"
    if nxt and room.week_due(team, week_number(first_kpi)):
        s.others.append(await s.click(nxt[0]))


async def play_light(s: LightSession, room: Room, team: str, slot: int, team_size: int, until: float, think: float,
                     rng: random.Random) -> None:
    """Turns of a light board until ``until`` (monotonic), a pause of about ``think`` seconds between two."""
    turn = 0
    while time.monotonic() < until:
        turn += 1
        try:
            await light_turn(s, room, team, slot, team_size, turn)
        except Exception as err:  # noqa: BLE001 - counted, the session plays on
            s.errors.append(f"{type(err).__name__}: {str(err)[:300]}")
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
