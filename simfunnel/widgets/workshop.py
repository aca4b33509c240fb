"""Workshop mode for trainees: join a workshop once, then play the team's DealBoard from its store.

A trainer creates a workshop folder (``simfunnel workshop init --dir W --teams 6 --seed
2026``) and serves the trainee notebooks (``make app WORKSHOP=W``). A trainee then:

1. **joins** — :class:`~simfunnel.widgets.join.JoinWidget`: the team's join code (on the card the trainer
   hands out), their name, "Join". The workshop is the server's (``SIMFUNNEL_WORKSHOP``, which
   ``make app WORKSHOP=W`` sets): the page never shows nor takes a folder. The name is bound to the
   trainee's browser in that team. That makes the page's :class:`~simfunnel.workshop.session.Session`
   (also this context's :func:`~simfunnel.workshop.session.current_session`); from code,
   :func:`~simfunnel.workshop.session.join_with_code` does the same, and the trusted
   :func:`~simfunnel.workshop.session.join` (a folder and a team) serves tests and notebooks. An unknown code,
   a name taken from another browser, a bad name get a clear message in Chinese or English, never a
   traceback.
2. **plays** — :class:`TeamBoard`, the :class:`~simfunnel.widgets.deal_board.DealBoard` in
   store mode (``DealBoard.for_team(session)``, or ``for_team(store, team, trainee=…)``;
   without arguments, this context's session). Each move is committed to the store — outcome, reply, stages, the
   trainee — before the customer's reply is shown; a move the store refuses (a teammate
   acted on that deal this week, the week was closed) is shown as the board's note. A
   classification is stored before the outcome is revealed. "Next week" closes the team's
   week in the store and plays it with **every** teammate's moves of that week. When a
   teammate closed the week first, the board catches up from the store on the next
   action or refresh. Undo withdraws your own last move of the open week — a teammate's move is
   refused with a message naming whose it is (the store refuses it too); a closed week
   stays closed and there is no reset: the store is the workshop's record. The board acts for its
   session's team only: its ``store``, ``team`` and ``trainee`` are its session's and cannot be changed,
   and a session joined with a code is checked before every write (the trainer may have replaced the
   code, or let the name rejoin from another browser).

:class:`WorkshopPlay` puts both in one widget (the join form, then the team's board): the
trainee notebook ``08_workshop_play`` is that widget and nothing else. Without
``SIMFUNNEL_WORKSHOP`` it makes a demo workshop in a temporary folder and says so.

From code (tests drive it without a browser)::

    store = WorkshopStore.init(folder, teams=["red", "blue"], seed=7)
    session = join_with_code(store, store.team_codes()["red"], "Li", browser=token)  # the JoinWidget's button
    session = join(folder, "red", trainee="Li")                                      # trusted code
    board = DealBoard.for_team(session)           # the session's team, as Li
    move = board.act(deal_id, "arrange_demo")     # in the store before move.reply is seen
    board.classify("advance"); board.next_week()

A kernel restart loses nothing: a new board from the same store shows the same week,
indicators, moves and quiz score (:meth:`WorkshopStore.simulation` replays the team).

    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> folder = tempfile.mkdtemp()
    >>> _ = WorkshopStore.init(folder, teams=2, seed=7, accounts=30)
    >>> session = join(folder, "team2", trainee="Li", lang="en")
    >>> board = DealBoard.for_team(session)
    >>> board.week, board.team, board.trainee, board.lang
    (13, 'team2', 'Li', 'en')
    >>> board.close()
"""

from __future__ import annotations

import functools
import html
import os
import threading
from typing import Any

import ipywidgets as w
import pandas as pd

from simfunnel import i18n
from simfunnel.i18n import resolve_language
from simfunnel.model.replies import OUTCOMES, Reply, reply_bank, is_correct, pick_reply
from simfunnel.workshop.session import (
    ENV,
    JoinError,
    Session,
    check_session,
    current_session,
    join,
    join_with_code,
    open_workshop,
    resolve_team,
    same_folder,
    team_label,
    trainee_name,
    workshop_folder,
)
from simfunnel.workshop.codes import name_key
from simfunnel.workshop.errors import refusal
from simfunnel.workshop.moves import TEST_AT
from simfunnel.workshop.store import StoreError, WorkshopStore
from simfunnel.widgets.base import Pair, Widget, figure_texts, held, show, widget_texts
from simfunnel.widgets.controls import AutoRefresh
from simfunnel.widgets.deal_board import DealBoard
from simfunnel.widgets.join import CJK_FONT_CSS, JoinWidget
from simfunnel.widgets.knowledge_test import KnowledgeTest
from simfunnel.widgets.moves import BoardError, Move, plain_value, reply_seed, styled_span
from simfunnel.widgets.round_view import ROUND_CSS, RoundState, RoundView, seconds_left
from simfunnel.analysis.metrics import indicators
from simfunnel.model.actions import ALL_ACTIONS_BY_KEY

__all__ = ["Session", "JoinError", "JoinWidget", "TeamBoard", "WorkshopPlay", "CJK_FONT_CSS", "current_session", "join",
           "join_with_code", "open_workshop", "team_label", "workshop_folder", "ENV"]

# --- the board in store mode ----------------------------------------------------------------
_REPLIES: dict[str, Reply] = {}


def _reply(reply_id: Any, outcome: str, key_step: str, seed: list[int], action: str | None = None,
           **context: str | None) -> Reply:
    if not _REPLIES:
        _REPLIES.update({r.id: r for r in reply_bank()})
    found = _REPLIES.get(reply_id) if isinstance(reply_id, str) else None
    return found if found is not None else pick_reply(outcome, key_step, seed=seed, action=action, **context)


def _store_error(err: StoreError) -> BoardError:
    return BoardError("err_store", zh=err.zh, en=err.en)


def _locked(method):
    """A board method run under the board's lock: the trainee's clicks, code and the board's clock take turns."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return run


class TeamBoard(DealBoard, RoundView, team_board=True):
    """The DealBoard in workshop mode: one team's scenario, read from and written to a workshop store.

    Made by ``DealBoard.for_team(session)`` (a page's :class:`~simfunnel.workshop.session.Session`: it plays
    as that session's trainee, in its language) or ``DealBoard.for_team(store, team, trainee=…)`` (trusted
    code). ``store`` may be a :class:`~simfunnel.workshop.store.WorkshopStore` or its folder; without
    ``store`` (and ``team``) this context's session is used. The board is bound to its :attr:`session`:
    ``store``, ``team`` and ``trainee`` are read-only, every store call names the session's team, and a
    session joined with a code is checked before every write (:func:`~simfunnel.workshop.session.check_session`). The quota and the small-order
    threshold are the workshop's (``store.scenario(team)``), the period shown is the
    workshop's (``store.start_week`` on); ``page_size``, ``rotting_weeks`` and ``lang`` are
    the DealBoard's.

    ``board.moves`` holds this trainee's moves (all weeks, from the store, so the quiz score
    survives a restart); ``board.teammates`` the other trainees' moves of the open week.

    A clock in the kernel (``board.poll``, a daemon timer thread) runs :meth:`tick` every ``poll_seconds``
    (default 4: a teammate's move shows within 5 s): it compares the store's
    :meth:`~simfunnel.workshop.store.WorkshopStore.board_version` of the team (one indexed read) with the one
    the board last drew, and redraws only when it changed — a teammate's move or undo, a week closed, in a
    workshop run in rounds a round opened or played (a tick closes a round whose time is up) or the team's
    submit. In rounds the countdown moves at every tick (see :mod:`simfunnel.widgets.round_view` for what the
    board shows in rounds). The trainee's clicks, calls from code and the clock take turns (a lock).

    Raises:
        ValueError: no store and no session, an unknown team (:class:`JoinError`).
    """

    #: Texts said of the week in free play and of the round in rounds (the round's moves play together).
    ROUND_WORDING = {"deal_planned": "deal_planned_round", "moves_title": "moves_title_round",
                     "teammate_planned": "teammate_planned_round", "teammates_title": "teammates_title_round"}

    def t(self, key: str, **fields: object) -> str:
        """The text ``key`` in the board's language; in rounds, its round wording when it has one."""
        if key in self.ROUND_WORDING and getattr(self, "_session", None) is not None and self.store.rounds_mode:
            key = self.ROUND_WORDING[key]
        return super().t(key, **fields)

    def __init__(self, store: Session | WorkshopStore | str | os.PathLike | None = None, team: str | None = None, *,
                 trainee: str | None = None, page_size: int = 6, rotting_weeks: int = 4,
                 lang: str | None = None, poll_seconds: float = 4.0) -> None:
        given = store if isinstance(store, Session) else None
        store, team = resolve_team(store, team)
        session = given if given is not None else current_session()
        if session is not None and (session.store is not store or session.team != team):
            session = None
        if given is not None and trainee is not None and trainee_name(trainee) != given.trainee:
            raise ValueError(f"a session's board plays as its trainee ({given.trainee!r}), not {trainee!r}")
        if session is None or (trainee is not None and trainee_name(trainee) != session.trainee):
            session = Session(store, team, trainee_name(trainee or ""), resolve_language(lang))  # trusted: no code
        if given is not None and lang is None:  # the page's session carries the page's language
            lang = given.lang
        self._session = session
        self.teammates: list[tuple[str, Move]] = []
        self._requests: list[dict] = []  # the team's open requests to withdraw a move (the store's undo_requests)
        self._shown_request: int | None = None  # the id of the request shown with Withdraw it / Keep it
        self._by_id: dict[int, Move] = {}
        self._week_moves: dict[int, list[tuple[str, Move]]] = {}  # week → (trainee, move), every teammate's
        self._seen: tuple | None = None  # the store's board_version the board last read
        self._rounds = RoundState(None, None, None)
        self._drawn_phase = "wait"  # the round's phase last drawn (the clock redraws the locks when it changes)
        self._lock = threading.RLock()
        scenario = store.scenario(team)
        self._period_weeks = int(scenario["period_weeks"])
        super().__init__(store.simulation(team), quota=scenario["quota"], threshold=scenario["threshold"],
                         page_size=page_size, rotting_weeks=rotting_weeks, lang=lang)
        # the pre/post test, above the board while the trainer has one open (issue 14)
        with i18n.in_scope(self._scope):
            self.knowledge = KnowledgeTest(store, team, self.trainee, lang=self._fixed_lang)
        self.root.children = (self.knowledge.root, *self.root.children)
        # a clock in the kernel: teammates' moves show without a click; in rounds the countdown moves and a
        # played round shows by itself
        self.poll: AutoRefresh | None = AutoRefresh(poll_seconds, self.tick, alive=self.root)
        self.poll.checkbox.value = True  # starts it (the checkbox itself is not shown)

    # --- bound to its session ------------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The session this board plays for (a tuple: it cannot be re-pointed)."""
        return self._session

    @property
    def store(self) -> WorkshopStore:
        """The session's store."""
        return self._session.store

    @property
    def team(self) -> str:
        """The session's team: the only team this board ever writes for."""
        return self._session.team

    @property
    def trainee(self) -> str:
        """The session's trainee: every move and withdrawal of this board carries this name."""
        return self._session.trainee

    def _check_access(self) -> None:
        """Before a write: a session joined with a code may still act (its code is live, its name still
        this browser's); else the store's reason, in zh and en."""
        try:
            check_session(self._session)
        except JoinError as err:
            raise BoardError("err_store", zh=err.zh, en=err.en) from None

    def _ui(self, call, where: str = "controls") -> None:
        with self._lock:  # not while the clock ticks
            super()._ui(call, where)

    def close(self) -> None:
        if self.poll is not None:
            self.poll.stop()
        if getattr(self, "knowledge", None) is not None:
            self.knowledge.close()
        super().close()

    def _kept_aside(self) -> list[w.Widget]:
        return [self.poll.checkbox] if self.poll is not None else []

    def tick(self) -> bool:
        """One tick of the board's clock (its thread runs it every ``poll_seconds``; tests call it).

        In rounds, a round whose time is up is closed first (the store's ``tick``). Then the store's
        ``board_version`` of the team is compared with the one drawn: when it changed (a teammate's move or
        undo, a week closed, a round opened or played, a submit) the board catches up and redraws; else only
        the round's countdown moves. A busy or vanished store is left for the next tick.

        Returns:
            True when the board was redrawn from the store.
        """
        with self._lock:
            self._pace_clock()
            try:
                self._close_expired_round()
                if self.store.board_version(self.team) != self._seen:
                    self.refresh()
                    return True
                if self.store.rounds_mode:
                    phase = self._round_phase()
                    self._render_round()
                    if phase != self._drawn_phase:  # the time ran out: lock the actions
                        self._render_controls()
                        self._render_panel()
                    self._drawn_phase = phase
            except (StoreError, ValueError):
                pass
            return False

    #: In a timed round's last minute the clock ticks every second (the countdown reaches 0:00 and the round
    #: closes within a second of its deadline); else every ``poll_seconds``.
    LAST_MINUTE = 60.0

    def _pace_clock(self) -> None:
        timer = self.poll.timer if self.poll is not None else None
        if timer is None:
            return
        left = seconds_left(self._rounds.open) if self.store.rounds_mode else None
        fast = left is not None and left <= self.LAST_MINUTE + self.poll.seconds
        timer.interval = min(1.0, self.poll.seconds) if fast else self.poll.seconds

    # --- the store ------------------------------------------------------------------------
    def _close_expired_round(self) -> None:
        """Close a round whose time is up (reads never do); a read-only or busy store is read as it is."""
        if self.store.rounds_mode:
            try:
                self.store.tick()
            except (StoreError, ValueError, OSError):
                pass

    @property
    def period_start(self) -> int:
        """The workshop's first week (``store.start_week``): the board shows the workshop's period."""
        return self.store.start_week

    def _indicator_table(self) -> pd.DataFrame:
        self._check_in_sync()
        if self._table is None:  # as the leaderboard computes them: the workshop's period and threshold
            self._table = indicators(self.sim.history, self.quota, self.threshold, start_week=self.store.start_week,
                                     period_weeks=self._period_weeks)
        return self._table

    def _sync_store(self) -> bool:
        """Read the team's week, moves and rounds from the store when its ``board_version`` changed since the last
        read; True when the board had to catch up with closed weeks (or a practice reset, a market event)."""
        try:
            version = self.store.board_version(self.team)
            if version == self._seen:
                return False  # nothing the board shows has changed: one read, no redraw
            week = self.store.week(self.team)
            rows = self.store.move_records(self.team)
            key = self.store.replay_key(self.team)  # a practice reset or a market event scheduled for the team
            same_rounds = self._seen is not None and version[-3:] == self._seen[-3:]  # the rounds' part of it
            rounds = self._read_rounds() if self.store.rounds_mode and not same_rounds else self._rounds
        except StoreError as err:
            raise _store_error(err) from None
        caught_up = week != self.sim.week or key != getattr(self, "_replay_key", key)
        self._replay_key = key
        if caught_up:
            behind = self.sim.week
            self.sim = self.store.simulation(self.team)
            self._rebuild_state()
            self._summary = None
            if not self.store.rounds_mode:  # in rounds the round box says what happened (never a stale note)
                self._note, self._note_error = ("caught_up", {"week": week}), False
            if week > behind:
                self._last_classified = None
        if rounds != self._rounds:  # a round opened or played, a submit: the last message is of the past
            self._note, self._note_error = None, False
        self._rounds = rounds
        mine: list[Move] = []
        mates: list[tuple[str, Move]] = []
        by_week: dict[int, list[tuple[str, Move]]] = {}
        for r in rows:
            if r.withdrawn:
                continue
            move = self._by_id.get(r.id)
            if move is None:
                move = self._move_from_row(r)
                self._by_id[r.id] = move
            move.answer = r.answer
            move.correct = r.correct
            move.revealed = bool(r.week <= week or move.answer is not None)
            by_week.setdefault(r.week, []).append((r.trainee, move))
            if r.trainee == self.trainee:
                mine.append(move)
            elif r.week == week + 1:
                mates.append((str(r.trainee), move))
        self.moves, self.teammates, self._week_moves = mine, mates, by_week
        if caught_up and week > self.store.start_week:  # the week a teammate closed, as if played here
            events = self.sim.history.events
            self._summary = (week, events[events["week"] == week], [m for _, m in by_week.get(week, [])])
        self._seen = version
        if hasattr(self, "_request_row"):  # a teammate's request may have come or gone: drawn with what was read
            self._render_requests()
        return caught_up

    def _read_rounds(self) -> RoundState:
        """Rounds mode: the open round, the last round played and whether (and who) the team has submitted."""
        current = self.store.current_round()
        rounds = self.store.rounds()
        closed = rounds[rounds["status"] == "closed"]
        last = None
        if len(closed):
            row = closed.iloc[-1]
            last = {k: row[k] for k in ("number", "kind", "first_week", "last_week")}
        by = None
        if current is not None:
            subs = self.store.submissions()
            mine = subs[(subs["team"] == self.team) & (subs["round"] == current["number"]) & ~subs["is_default"]]
            if len(mine):
                by = str(mine.iloc[-1]["trainee"] or "")
        return RoundState(current, last, by)

    def _move_from_row(self, r: Any) -> Move:
        deal_id = plain_value(r.deal_id)
        step = self.funnel.stage(r.from_stage).key_step
        index = list(ALL_ACTIONS_BY_KEY).index(r.action) if r.action in ALL_ACTIONS_BY_KEY else 0
        reply = _reply(r.reply_id, r.outcome, step, [self.seed, int(r.week), reply_seed(deal_id), index], r.action,
                       **self._reply_context(self._pos(deal_id)))
        move = Move(deal_id=deal_id, action=str(r.action), week=int(r.week), reply=reply, outcome=str(r.outcome),
                    from_stage=str(r.from_stage), to_stage=str(r.to_stage))
        move.style = r.style
        return move

    def _catch_up_refusal(self) -> None:
        """On an action: refuse a session that may no longer act; when a teammate closed the week (in rounds: the
        round was played) meanwhile, show the new week and refuse the action."""
        self._check_access()
        if self._sync_store():
            self.refresh()
            if self.store.rounds_mode:
                raise BoardError("err_round_moved")
            raise BoardError("err_caught_up", week=self.sim.week)

    def _add_move(self, move: Move) -> None:
        self._check_access()
        try:
            move_id = self.store.record_move(
                self.team, move.week, move.deal_id, move.action, style=move.style,
                outcome=move.outcome, from_stage=move.from_stage, to_stage=move.to_stage, trainee=self.trainee,
                reply_id=move.reply.id)
        except StoreError as err:  # a teammate's move on the deal, a closed week: shown, the reply is not
            raise _store_error(err) from None
        self._by_id[move_id] = move
        super()._add_move(move)
        self._sync_store()  # the store as it is now (teammates' moves too): DealBoard.act draws it next

    # --- the trainee's verbs ----------------------------------------------------------------
    @_locked
    def select(self, deal_id: Any) -> None:
        if self._sync_store():
            self.refresh()
        super().select(deal_id)

    @_locked
    def act(self, deal_id: Any, action: Any, style: Any = None) -> Move:
        """Plan an action, as :meth:`DealBoard.act`, committed to the store before the reply is shown.

        Raises:
            ValueError: as :meth:`DealBoard.act`; the store's refusal (a teammate's move on the
                deal this week, a closed week, the workshop's period over; in rounds: no round open, its
                time up, the team has submitted), in zh and en; a week closed by a teammate (a round played)
                meanwhile (the board catches up first).
        """
        self._catch_up_refusal()
        return super().act(deal_id, action, style)

    @_locked
    def classify(self, answer: str, deal_id: Any = None) -> bool:
        """Classify a reply of your own moves, as :meth:`DealBoard.classify`; stored before the outcome is shown."""
        if answer not in OUTCOMES:
            raise BoardError("err_answer", answer=answer)
        self._catch_up_refusal()
        waiting = [m for m in self.pending if not m.revealed and (deal_id is None or m.deal_id == deal_id)]
        if waiting:
            move = waiting[-1]
            try:
                self.store.classify(self.team, move.week, move.deal_id, answer, is_correct(answer, move.outcome))
            except StoreError as err:
                raise _store_error(err) from None
            deal_id = move.deal_id
        right = super().classify(answer, deal_id)
        if self._sync_store():  # the answer stored (and whatever teammates did meanwhile), drawn
            self.refresh()
        else:
            self._render_columns()
            self._render_panel()
        return right

    @_locked
    def next_week(self) -> pd.DataFrame:
        """Close the team's week in the store and play it with every teammate's moves of that week.

        When a teammate closed it first, the board only catches up (the week is not closed twice).
        In a workshop run in rounds this submits the team's round instead (:meth:`submit`).

        Returns:
            The week's events.

        Raises:
            ValueError: the workshop's period is over (in zh and en).
        """
        if self.store.rounds_mode:
            self.submit()
            return self.sim.history.events.iloc[:0]
        self._check_access()
        if not self._sync_store():
            week = self.sim.week + 1
            try:
                closed = self.store.close_week(self.team, week, trainee=self.trainee)
            except StoreError as err:
                raise _store_error(err) from None
            if closed:
                actions, styles = self.store.actions(self.team)
                k = week - self.store.start_week - 1
                events = self.sim.step(actions[k], styles[k] if self.sim.people is not None else None)
                self._rebuild_state()
                self._sync_store()
                self._summary = (week, events, [m for _, m in self._week_moves.get(week, [])])
                self._note = None
            else:  # a teammate closed it between our look and our click
                self._sync_store()
        self.refresh()
        self._changed()
        return self._summary[1] if self._summary is not None else self.sim.history.events.iloc[:0]

    @_locked
    def submit(self) -> bool:
        """Rounds mode: the team's moves of the open round are final (no more moves nor undos, for any teammate);
        the trainer, or the round's timer, plays the round. The round box then says who submitted.

        Returns:
            True if this call submitted, False if a teammate already had.

        Raises:
            ValueError: free play, no round open, the round's time up (in zh and en).
        """
        self._catch_up_refusal()
        try:
            done = self.store.submit(self.team, trainee=self.trainee)
        except StoreError as err:
            raise _store_error(err) from None
        self.refresh()
        self._changed()
        return done

    @property
    def round(self) -> dict | None:
        """Rounds mode: the open round as the board last read it (:meth:`WorkshopStore.current_round`), else None."""
        return self._rounds.open

    @_locked
    def undo(self, deal_id: Any = None) -> None:
        """Withdraw your last move of the open week, or your move on ``deal_id`` (it stays on record, flagged
        withdrawn). Only your own moves: a teammate's is refused with a message naming whose it is (the store
        refuses it too, whoever asks). In rounds, only while the round is open, its time not up and the team
        has not submitted.

        Raises:
            ValueError: no move of yours this week (a closed week cannot be undone in a workshop), or the
                move on ``deal_id`` is a teammate's, or (rounds) the store's refusal (in zh and en).
        """
        self._catch_up_refusal()
        pending = self.pending
        if deal_id is not None:
            deal_id = plain_value(deal_id)
            mate = next((m for _, m in self.teammates if m.deal_id == deal_id), None)
            if mate is not None:  # the store says whose it is, and refuses
                try:
                    self.store.withdraw(self.team, mate.week, deal_id, trainee=self.trainee)
                except StoreError as err:
                    raise _store_error(err) from None
                self.refresh()  # the same name in another spelling: it was ours after all
                self._changed()
                return
            pending = [m for m in pending if m.deal_id == deal_id]
        if not pending:
            raise BoardError("err_workshop_week")
        move = pending[-1]
        try:
            self.store.withdraw(self.team, move.week, move.deal_id, trainee=self.trainee)
        except StoreError as err:
            raise _store_error(err) from None
        self.moves.remove(move)
        self._note = ("undone_move", {"deal": move.deal_id, "action": move.action})
        self.refresh()
        self._changed()

    def reset(self) -> None:
        """Not in a workshop: every move is on record.

        Raises:
            ValueError: always.
        """
        raise BoardError("err_workshop_reset")

    page = _locked(DealBoard.page)

    # --- rendering ------------------------------------------------------------------------
    def _extra_css(self) -> str:
        return ROUND_CSS

    def _under_header(self, lean: Any) -> list[w.Widget]:
        """The round, its news and its result under the header; a teammate's request to withdraw a move."""
        self._round_box, self._news_box, self._result_box = lean.html(), lean.html(), lean.html()
        self._request_html = lean.html()
        self._btn_confirm_undo = lean.button(self.t("confirm_undo"), button_style="warning", width="auto")
        self._btn_keep_move = lean.button(self.t("keep_move"), width="auto")
        self._btn_confirm_undo.on_click(lambda _b: self._ui(lambda: self.answer_undo(True), where="controls"))
        self._btn_keep_move.on_click(lambda _b: self._ui(lambda: self.answer_undo(False), where="controls"))
        self._request_row = lean.hbox([self._request_html, self._btn_confirm_undo, self._btn_keep_move],
                                      classes=("sf-request", "sf-hidden"), align_items="center",
                                      flex_flow="row wrap")
        return [self._round_box, self._news_box, self._result_box, self._request_row]

    def _panel_parts(self, lean: Any) -> list[w.Widget]:
        self._btn_ask_undo = lean.button(self.t("ask_undo"), width="auto")
        self._btn_ask_undo.on_click(lambda _b: self._ui(self.ask_undo, where="act"))
        self._ask_row = lean.hbox([self._btn_ask_undo], classes=("sf-hidden",))
        return [self._ask_row]

    # --- a teammate's move: ask to withdraw it, another teammate confirms -----------------------------
    @_locked
    def ask_undo(self, deal_id: Any = None) -> int:
        """Ask the team to withdraw a teammate's move on ``deal_id`` (default: the selected deal); the request's
        id. Another teammate — not you — confirms or keeps it on their board (:meth:`answer_undo`).

        Raises:
            ValueError: no teammate's move on that deal this week, or the store's refusal (in zh and en).
        """
        self._catch_up_refusal()
        deal_id = self.selected if deal_id is None else plain_value(deal_id)
        mate = next(((who, m) for who, m in self.teammates if m.deal_id == deal_id), None)
        if mate is None:
            raise BoardError("err_workshop_week")
        who, move = mate
        try:
            request = self.store.ask_withdraw(self.team, move.week, deal_id, trainee=self.trainee)
        except StoreError as err:
            raise _store_error(err) from None
        self._note = ("asked_undo", {"who": who or "—", "action": move.action})
        self.refresh()
        return request

    def _request_to_answer(self) -> dict | None:
        return next((r for r in self._requests if name_key(r["asked_by"]) != name_key(self.trainee)), None)

    @_locked
    def _render_why(self) -> None:  # the action list's observer runs on the page's thread: not while the clock draws
        super()._render_why()

    @_locked
    def answer_undo(self, confirm: bool) -> bool:
        """Answer the oldest request of a teammate (not yours) to withdraw a move: ``confirm`` withdraws it,
        else it is kept; whether the move was withdrawn.

        Raises:
            ValueError: no request to answer, or the store's refusal (in zh and en).
        """
        shown = self._shown_request  # the request this board showed: answered exactly, never another one
        self._catch_up_refusal()
        self._requests = self.store.undo_requests(self.team)
        request = next((r for r in self._requests if shown is not None and r["id"] == shown), None)
        if request is None or name_key(request["asked_by"]) == name_key(self.trainee):
            self._render_requests()
            raise _store_error(refusal(StoreError, "no_request"))
        try:
            done = self.store.answer_withdraw(self.team, request["id"], trainee=self.trainee, confirm=confirm)
        except StoreError as err:
            raise _store_error(err) from None
        fields = {"mover": request["mover"] or "—", "asker": request["asked_by"] or "—", "action": request["action"]}
        self._note = ("undo_confirmed" if done else "undo_kept", fields)
        self.refresh()
        self._changed()
        return done

    def _render_requests(self) -> None:
        """The line of a teammate's request to withdraw a move (Confirm, Keep), or of your own waiting."""
        try:
            self._requests = self.store.undo_requests(self.team)
        except StoreError:
            return  # a busy store: the next tick draws it
        answer = self._request_to_answer()
        mine = next((r for r in self._requests if name_key(r["asked_by"]) == name_key(self.trainee)), None)
        request = answer or mine
        self._shown_request = None if answer is None else answer["id"]
        show(self._request_row, request is not None)
        show(self._btn_confirm_undo, answer is not None)
        show(self._btn_keep_move, answer is not None)
        if request is None:
            self._request_html.value = ""
            return
        self._btn_confirm_undo.description, self._btn_keep_move.description = self.t("confirm_undo"), self.t("keep_move")
        pos = self._pos(request["deal_id"])
        fields = {"asker": request["asked_by"] or "—", "mover": request["mover"] or "—",
                  "account": self._account(pos), "action": self._action_label(request["action"])}
        key = "undo_request" if answer is not None else "undo_request_mine"
        self._request_html.value = styled_span("sf-request-text", self.t(key, **fields))

    @_locked
    def refresh(self) -> None:
        """Catch up with the store (a teammate's moves or closed week, a round opened or played), then redraw."""
        if hasattr(self, "_header"):
            self._close_expired_round()
            self._sync_store()
        super().refresh()
        if hasattr(self, "_header"):
            with held(self.root):
                self._render_round_parts()
                self._render_requests()
        if getattr(self, "knowledge", None) is not None:
            self.knowledge.sync(self._open_test())

    def _open_test(self) -> str | None | bool:
        """The open pre/post test as the board's last ``board_version`` read it (False: not read yet)."""
        if self._seen is None:
            return False
        test = self._seen[TEST_AT]
        return (test[0] or None) if test else None

    def _render_round_parts(self) -> None:
        """The round box, the last round's result and the market news (rounds mode; free play: the news only)."""
        if self.store.rounds_mode:
            self._drawn_phase = self._round_phase()
            self._render_round()
            self._render_result()
        try:  # market news hits when the round it falls in opens (hidden before: the trainer's surprise)
            events = self._market_events()
        except StoreError:
            return
        r = self._rounds.open
        horizon = r["last_week"] if r is not None else self.sim.week
        self._render_news(events[events["week"] <= horizon] if len(events) else events)

    def _market_events(self) -> pd.DataFrame:
        """The market events hitting the team, read again only when the store's ``board_version`` counts other
        events (or another team name) than at the last read: a teammate's move redraws the board, not the news."""
        key = (self._seen[2], self._seen[7:9], self.lang) if self._seen is not None else None
        cached = getattr(self, "_events_read", None)
        if key is None or cached is None or cached[0] != key:
            cached = (key, self.store.events(self.team, lang=self.lang))
            self._events_read = cached
        return cached[1]

    def _week_tile(self, t: int) -> tuple[str, str, str]:
        r = self._rounds.open
        if r is None:
            return super()._week_tile(t)
        return (self.t("round_tile"), self.t("round_tile_weeks", first=int(r["first_week"]), last=int(r["last_week"])),
                self.t("round_tile_asof", week=self.sim.week))

    def _render_header(self) -> None:
        super()._render_header()
        line = self.t("team_line", team=self.store.team_name(self.team, self.lang), trainee=self.trainee or "—")
        period = self.t("team_period", first=self.store.start_week + 1, end=self.store.end_week)
        self._header.value = (f'<div class="sf-muted" style="margin-bottom:2px">{html.escape(line)} · '
                              f'{html.escape(period)}</div>{self._header.value}')

    def _render_controls(self) -> None:
        super()._render_controls()
        self._btn_reset.layout.display = "none"
        self._btn_undo.tooltip = self.t("undo_tip_team")
        self._btn_undo.disabled = not self.pending
        self._btn_next.tooltip = self.t("next_tip_team")
        self._btn_next.disabled = self.sim.week >= self.store.end_week
        if self.store.rounds_mode:
            self._btn_next.description = self.t("submit")
            self._btn_next.tooltip = self.t("submit_tip")
            self._btn_next.disabled = self._round_phase() != "open"
            self._btn_undo.disabled = not self.pending or self._act_block() is not None

    def _render_note(self) -> None:
        super()._render_note()
        block = self._act_block() if self.store.rounds_mode else None
        if block is not None and not self._act_message.value:  # why Act and Undo are locked, under Act
            self._act_message.value = styled_span("sf-locked", self.t(block[0], **block[1]))

    def _card_html(self, p: int, planned: str | None) -> str:
        card = super()._card_html(p, planned)
        if planned is None:  # a teammate's move on the deal: whose, on the card
            deal_id = plain_value(self._ids[p])
            mate = next(((who, m) for who, m in self.teammates if m.deal_id == deal_id), None)
            if mate is not None:
                mark = self.t("mate_mark", who=mate[0] or "—", action=self._action_label(mate[1].action))
                card = card[:-len("</div>")] + "<br>" + styled_span("sf-plan", mark) + "</div>"
        return card

    def _render_deal(self) -> None:
        super()._render_deal()
        mate = next(((who, m) for who, m in self.teammates if m.deal_id == self.selected), None)
        show(self._ask_row, mate is not None and not (self.store.rounds_mode and self._act_block() is not None))
        if mate is not None:
            who, m = mate
            self._deal_html.value += "<br>" + styled_span("sf-plan", self.t("teammate_planned", who=who or "—",
                                                                      action=self._action_label(m.action)))
            self._act_row.layout.display = "none"
            self._why.value = ""
            self._btn_ask_undo.description = self.t("ask_undo")
            self._btn_ask_undo.tooltip = self.t("ask_undo_tip", who=who or "—")

    def _render_panel(self) -> None:
        super()._render_panel()
        locked = self.store.rounds_mode and self._act_block() is not None  # the reason is under Act (_render_note)
        self._action.disabled = self._style.disabled = locked
        if locked:
            self._btn_act.disabled = True

    def _render_summary(self) -> None:
        if self.store.rounds_mode:  # the round's result (every week of it) replaces the single week's summary
            self._summary_html.value = ""
            return
        super()._render_summary()

    def _render_moves(self) -> None:
        super()._render_moves()
        if not self.teammates:
            return
        items = "".join(
            f"<li>{html.escape(who or '—')}: {html.escape(self._account(self._pos(m.deal_id)))} · "
            f"{html.escape(self._action_label(m.action))}</li>" for who, m in self.teammates)
        title = self.t("teammates_title_round" if self.store.rounds_mode else "teammates_title", n=len(self.teammates))
        self._moves_html.value += (f'<div style="margin-top:6px"><b>{html.escape(title)}</b>'
                                   f'<ul class="sf-summary" style="margin:2px 0; padding-left:18px">{items}</ul></div>')


# --- join, then play -------------------------------------------------------------------------
class WorkshopPlay(Widget):
    """The trainee's workshop page: the join form, then the team's :class:`TeamBoard` (with the reply quiz).

    Args:
        folder: the workshop folder (default ``$SIMFUNNEL_WORKSHOP``; without it, a demo
            workshop in a temporary folder, and the form says so).
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.
        page_size: cards per stage and page of the board.
        with_code: True (default): the join form takes the team's join code and a name, and never shows
            the folder; False (a trusted coder in JupyterLab): the folder, a team list and a name.
        browser: the page's browser token (see :class:`~simfunnel.widgets.join.JoinWidget`).

    After a join (the form, or ``play.join_widget.join(code=…, trainee=…)``) ``play.board``
    is the team's board, bound to the session. A session joined earlier in the kernel is shown at once.
    """

    TEXT: dict[str, Pair] = {
        "waiting": ("加入工作坊后，这里会显示你们小组的商机看板。",
                    "Your team's deal board appears here once you have joined."),
    }

    def __init__(self, folder: str | os.PathLike | None = None, *, lang: str | None = None,
                 page_size: int = 6, with_code: bool = True, browser: str | None = None) -> None:
        super().__init__(lang)
        demo = False
        if folder is None:
            folder, demo = workshop_folder()
        self.folder, self.demo = str(folder), demo
        self.page_size = page_size
        self.board: TeamBoard | None = None
        self.join_widget = JoinWidget(folder, demo=demo, lang=lang, with_code=with_code, browser=browser)
        self.join_widget.on_join(self._show_board)
        self._waiting = w.HTML()
        self._area = w.VBox([self._waiting])
        self.root = w.VBox([self.join_widget.root, self._area])
        session = current_session()
        if session is not None and same_folder(session.store, self.folder):
            self.join_widget.show_joined(session)
            self._show_board(session)
        self.refresh()

    def _show_board(self, session: Session) -> None:
        if self.board is not None:
            self.board.close()
        self.board = TeamBoard(session, page_size=self.page_size, lang=self._fixed_lang)  # bound to the session
        self._area.children = [self.board.root]

    def refresh(self) -> None:
        if hasattr(self, "_waiting"):
            self._waiting.value = f'<span class="sf-muted">{html.escape(self.t("waiting"))}</span>'

    def texts(self) -> list[str]:
        out = list(widget_texts(self.root))
        if self.board is not None:
            self.board._ready_figures()
            for fig in self.board.figures.values():
                out.extend(figure_texts(fig))
        return out

    def close(self) -> None:
        if self.board is not None:
            self.board.close()
        self.join_widget.close()
        super().close()
