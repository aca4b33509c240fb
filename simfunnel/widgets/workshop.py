"""Workshop mode for trainees: join a workshop once, then play the team's DealBoard from its store.

A trainer creates a workshop folder (``simfunnel workshop init --dir W --teams 6 --seed
2026``) and serves the trainee notebooks (``make app WORKSHOP=W``). A trainee then:

1. **joins** — :class:`JoinWidget`: the workshop folder (prefilled from the environment
   variable ``SIMFUNNEL_WORKSHOP``, which ``make app WORKSHOP=W`` sets), the team (a list
   filled from the store), their name, "Join". That makes the page's
   :class:`~simfunnel.workshop.session.Session` ``(store, team, trainee, lang)`` (also this
   context's :func:`~simfunnel.workshop.session.current_session`); from code,
   :func:`~simfunnel.workshop.session.join` does the same. A missing folder, a folder without a workshop or a file
   that is not a workshop store gets a clear message in Chinese or English, never a
   traceback.
2. **plays** — :class:`TeamBoard`, the :class:`~simfunnel.widgets.deal_board.DealBoard` in
   store mode (``DealBoard.for_team(session)``, or ``for_team(store, team, trainee=…)``;
   without arguments, this context's session). Each move is committed to the store — outcome, reply, stages, the
   trainee — before the customer's reply is shown; a move the store refuses (a teammate
   acted on that deal this week, the week was closed) is shown as the board's note. A
   classification is stored before the outcome is revealed. "Next week" closes the team's
   week in the store and plays it with **every** teammate's moves of that week. When a
   teammate closed the week first, the board catches up from the store on the next
   action or refresh. Undo withdraws your last move of the open week; a closed week
   stays closed and there is no reset: the store is the workshop's record.

:class:`WorkshopPlay` puts both in one widget (the join form, then the team's board): the
trainee notebook ``08_workshop_play`` is that widget and nothing else. Without
``SIMFUNNEL_WORKSHOP`` it makes a demo workshop in a temporary folder and says so.

From code (tests drive it without a browser)::

    store = WorkshopStore.init(folder, teams=["red", "blue"], seed=7)
    session = join(folder, "red", trainee="Li")   # or the JoinWidget's button
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

import contextlib
import html
import os
import threading
from typing import Any, Callable

import ipywidgets as w
import pandas as pd

from simfunnel.model.replies import OUTCOMES, Reply, reply_bank, is_correct, pick_reply
from simfunnel.workshop.session import (
    ENV,
    JOIN_TEXTS,
    JoinError,
    Session,
    current_session,
    join,
    open_workshop,
    resolve_team,
    same_folder,
    team_label,
    trainee_name,
    workshop_folder,
)
from simfunnel.workshop.store import StoreError, WorkshopStore
from simfunnel.widgets.base import CSS, Pair, Widget, figure_texts, widget_texts
from simfunnel.widgets.controls import AutoRefresh
from simfunnel.widgets.deal_board import DealBoard
from simfunnel.widgets.moves import BoardError, Move, plain_value, reply_seed, styled_span
from simfunnel.analysis.metrics import indicators
from simfunnel.model.actions import ALL_ACTIONS_BY_KEY

__all__ = ["Session", "JoinError", "JoinWidget", "TeamBoard", "WorkshopPlay", "current_session", "join",
           "open_workshop", "team_label", "workshop_folder", "ENV"]

# Chinese in a Simplified Chinese face. A page without a language (Voilà's, JupyterLab's) leaves
# the choice to the system, and Chromium on Linux then takes the Japanese Noto face: its
# full-width punctuation (：，) sits in the middle of the line. Latin text keeps its usual font.
CJK_FONT_CSS = """<style>
.jp-RenderedHTMLCommon, .jp-OutputArea-output, .jupyter-widgets, .jupyter-widgets input, .jupyter-widgets select,
.jupyter-widgets button {font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, "Noto Sans CJK SC",
"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif}
</style>"""


# --- the join form ------------------------------------------------------------------------
class JoinWidget(Widget):
    """The join form: workshop folder, team, name, "Join"; sets the kernel's session.

    Args:
        folder: prefill of the folder field (default ``$SIMFUNNEL_WORKSHOP``).
        demo: the folder is a demo workshop (the form says so).
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.

    From code: :meth:`join` fills the fields given and presses "Join"; ``join_button``,
    ``folder_field``, ``team_field`` and ``name_field`` are the ipywidgets controls;
    :meth:`on_join` registers ``callback(session)``.
    """

    TEXT: dict[str, Pair] = {
        "title": ("加入工作坊", "Join the workshop"),
        "intro": ("填写讲师给的工作坊文件夹，选择你的小组，写上你的名字，然后点“加入”。",
                  "Enter the workshop folder your trainer gives you, choose your team, write your name, then press Join."),
        "demo": ("演示模式：没有指定工作坊文件夹，这是一个只给你用的临时演示工作坊。正式研讨时，讲师会给出文件夹。",
                 "Demo: no workshop folder was given, so this is a temporary demo workshop just for you. "
                 "In a workshop your trainer gives the folder."),
        "folder": ("工作坊文件夹", "Workshop folder"),
        "folder_tip": ("讲师创建工作坊时用的文件夹", "The folder your trainer created the workshop in"),
        "team": ("小组", "Team"),
        "name": ("你的名字", "Your name"),
        "name_hint": ("例如：李雷", "e.g. Li Lei"),
        "join": ("加入", "Join"),
        "join_tip": ("加入这个小组：你的行动会记录在工作坊里", "Join this team: your moves are recorded in the workshop"),
        "joined": ("已加入：{team} · {trainee}", "Joined: {team} · {trainee}"),
        "change": ("更换小组", "Change team"),
        "teams_found": ("找到 {n} 个小组，请选择你的小组。", "{n} teams found: choose yours."),
        **JOIN_TEXTS,
    }

    def __init__(self, folder: str | os.PathLike | None = None, *, demo: bool = False, lang: str | None = None) -> None:
        super().__init__(lang)
        self.demo = bool(demo)
        self.session: Session | None = None
        self._store: WorkshopStore | None = None
        self._callbacks: list[Callable[[Session], None]] = []
        self._error: JoinError | None = None
        self._info: tuple[str, dict] | None = None
        L = w.Layout
        self._title = w.HTML()
        self.folder_field = w.Text(value=str(folder) if folder is not None else os.environ.get(ENV, ""),
                                   continuous_update=False, layout=L(width="560px"),
                                   style={"description_width": "110px"})
        self.team_field = w.Dropdown(options=[], layout=L(width="300px"), style={"description_width": "110px"})
        self.name_field = w.Text(layout=L(width="260px"), style={"description_width": "80px"})
        self.join_button = w.Button(button_style="primary", icon="sign-in", layout=L(width="auto"))
        self.change_button = w.Button(layout=L(width="auto", display="none"))
        self._message = w.HTML()
        self.folder_field.observe(lambda _c: self._load_teams(), names="value")
        self.join_button.on_click(lambda _b: self._ui_join())
        self.change_button.on_click(lambda _b: self._show_form(True))
        self._form = w.VBox([self.folder_field,
                             w.HBox([self.team_field, self.name_field, self.join_button],
                                    layout=L(align_items="center", flex_flow="row wrap"))])
        self.root = w.VBox([w.HTML(CSS + CJK_FONT_CSS), self._title, self._form,
                            w.HBox([self._message, self.change_button], layout=L(align_items="center"))],
                           layout=L(border="1px solid #c9d3e0", padding="6px 10px", margin="0 0 8px 0"))
        self.root.add_class("sf-join")
        self._load_teams()
        self.refresh()

    # --- from code ------------------------------------------------------------------------
    def on_join(self, callback: Callable[[Session], None]) -> None:
        """Call ``callback(session)`` after every successful join."""
        self._callbacks.append(callback)

    def join(self, folder: str | None = None, team: str | None = None, trainee: str | None = None) -> Session:
        """Fill in the fields given, then join (what the "Join" button does).

        Raises:
            JoinError: no folder, no workshop there, a foreign file, no team chosen, no name.
        """
        if folder is not None and folder != self.folder_field.value:
            self.folder_field.value = str(folder)  # loads the teams
        if self._store is None:
            self._load_teams()
        if self._store is None:
            raise self._error or JoinError("no_folder")
        if team is not None:
            if team not in self._store.teams:
                raise JoinError("unknown_team", team=team)
            self.team_field.value = team
        if trainee is not None:
            self.name_field.value = trainee
        name = self.name_field.value.strip()
        if not self.team_field.value:
            raise JoinError("no_team")
        if not name:
            raise JoinError("no_name")
        self.session = join(self._store, self.team_field.value, name)
        self._error, self._info = None, None
        self._show_form(False)
        for callback in list(self._callbacks):
            callback(self.session)
        return self.session

    # --- UI -------------------------------------------------------------------------------
    def _ui_join(self) -> None:
        try:
            self.join()
        except JoinError as err:
            self._error = err
            self._render_message()

    def _load_teams(self) -> None:
        """Open the folder's store (when it changed) and list its teams; a problem becomes the message."""
        self._store, self._error, self._info = None, None, None
        try:
            self._store = open_workshop(self.folder_field.value)
        except JoinError as err:
            self._error = err if self.folder_field.value.strip() else None
            self.team_field.options = []
        else:
            teams = self._store.teams
            self.team_field.options = [(team_label(t, self.lang), t) for t in teams]
            self.team_field.value = teams[0] if len(teams) == 1 else None
            self._info = ("teams_found", {"n": len(teams)})
        if hasattr(self, "_title"):
            self._render_message()

    def _show_form(self, show: bool) -> None:
        self._form.layout.display = None if show else "none"
        self._title.layout.display = None if show else "none"
        self.change_button.layout.display = "none" if show else None
        if show:
            self._info = None
        self._render_message()

    def refresh(self) -> None:
        if not hasattr(self, "_title"):
            return
        intro = f'<div class="sf-muted">{html.escape(self.t("intro"))}</div>'
        if self.demo:
            intro += f'<div class="sf-warn">{html.escape(self.t("demo"))}</div>'
        self._title.value = f'<b style="font-size:15px">{html.escape(self.t("title"))}</b>{intro}'
        self.folder_field.description = self.t("folder")
        self.folder_field.tooltip = self.t("folder_tip")
        self.team_field.description = self.t("team")
        if self._store is not None:
            value = self.team_field.value
            self.team_field.options = [(team_label(t, self.lang), t) for t in self._store.teams]
            self.team_field.value = value
        self.name_field.description = self.t("name")
        self.name_field.placeholder = self.t("name_hint")
        self.join_button.description = self.t("join")
        self.join_button.tooltip = self.t("join_tip")
        self.change_button.description = self.t("change")
        self._render_message()

    def _render_message(self) -> None:
        if self._error is not None:
            self._message.value = f'<span class="sf-warn">⚠ {html.escape(self._error.text(self.lang))}</span>'
        elif self.session is not None and self._form.layout.display == "none":
            s = self.session
            text = self.t("joined", team=team_label(s.team, self.lang), trainee=s.trainee)
            self._message.value = f'<span class="sf-good">✔ {html.escape(text)}</span>'
        elif self._info is not None:
            self._message.value = f'<span class="sf-muted">{html.escape(self.t(self._info[0], **self._info[1]))}</span>'
        else:
            self._message.value = ""


# --- the board in store mode ----------------------------------------------------------------
_REPLIES: dict[str, Reply] = {}


def _reply(reply_id: Any, outcome: str, key_step: str, seed: list[int]) -> Reply:
    if not _REPLIES:
        _REPLIES.update({r.id: r for r in reply_bank()})
    found = _REPLIES.get(reply_id) if isinstance(reply_id, str) else None
    return found if found is not None else pick_reply(outcome, key_step, seed=seed)


def _store_error(err: StoreError) -> BoardError:
    return BoardError("err_store", zh=err.zh, en=err.en)


class TeamBoard(DealBoard, team_board=True):
    """The DealBoard in workshop mode: one team's scenario, read from and written to a workshop store.

    Made by ``DealBoard.for_team(store, team, trainee=…)``. ``store`` may be a
    :class:`~simfunnel.workshop.store.WorkshopStore` or its folder; without ``store`` (and
    ``team``) the session of :func:`join` is used. The quota and the small-order
    threshold are the workshop's (``store.scenario(team)``), the period shown is the
    workshop's (``store.start_week`` on); ``page_size``, ``rotting_weeks`` and ``lang`` are
    the DealBoard's.

    ``board.moves`` holds this trainee's moves (all weeks, from the store, so the quiz score
    survives a restart); ``board.teammates`` the other trainees' moves of the open week.

    In a workshop run in rounds, a clock in the kernel (``board.poll``, a daemon timer
    thread) ticks every ``poll_seconds``: the round's countdown moves, and when the round has
    been played (by the trainer, or by its timer — a tick closes an expired round) the board
    catches up without a click. The trainee's clicks and the clock take turns (a lock).

    Raises:
        ValueError: no store and no session, an unknown team (:class:`JoinError`).
    """

    def __init__(self, store: Session | WorkshopStore | str | os.PathLike | None = None, team: str | None = None, *,
                 trainee: str | None = None, page_size: int = 6, rotting_weeks: int = 4,
                 lang: str | None = None, poll_seconds: float = 5.0) -> None:
        given = store if isinstance(store, Session) else None
        store, team = resolve_team(store, team)
        session = given if given is not None else current_session()
        if trainee is None:
            trainee = session.trainee if session is not None and session.store is store and session.team == team else ""
        if given is not None and lang is None:  # the page's session carries the page's language
            lang = given.lang
        self.store, self.team, self.trainee = store, team, trainee_name(trainee)
        self.teammates: list[tuple[str, Move]] = []
        self._by_id: dict[int, Move] = {}
        self._week_moves: dict[int, list[Move]] = {}
        scenario = store.scenario(team)
        self._period_weeks = int(scenario["period_weeks"])
        super().__init__(store.simulation(team), quota=scenario["quota"], threshold=scenario["threshold"],
                         page_size=page_size, rotting_weeks=rotting_weeks, lang=lang)
        self.poll: AutoRefresh | None = None
        if store.rounds_mode:  # a clock in the kernel: the countdown moves, a played round shows without a click
            self._lock = threading.RLock()
            self.poll = AutoRefresh(poll_seconds, self._on_poll, alive=self.root)
            self.poll.checkbox.value = True  # starts it (the checkbox itself is not shown)

    def _ui(self, call) -> None:
        with self._lock if self.poll is not None else contextlib.nullcontext():  # not while the clock ticks
            super()._ui(call)

    def close(self) -> None:
        if self.poll is not None:
            self.poll.stop()
        super().close()

    def _on_poll(self) -> None:
        """A tick of the board's clock (rounds mode): catch up when the round was played, else move the countdown."""
        with self._lock:
            try:
                self.store.tick()  # the timer's explicit tick: a round whose time is up is closed and played now
                if self.store.week(self.team) != self.sim.week:
                    self.refresh()
                else:
                    self._render_header()
                    self._render_controls()
            except (StoreError, ValueError):  # a busy or vanished store: the next tick tries again
                pass

    # --- the store ------------------------------------------------------------------------
    def _tick(self) -> None:
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
        """Read the team's week and moves from the store; True when the board had to catch up with closed weeks."""
        try:
            week = self.store.week(self.team)
            rows = self.store.moves(self.team)
        except StoreError as err:
            raise _store_error(err) from None
        key = self.store.replay_key(self.team)  # a practice reset or a market event scheduled for the team
        caught_up = week != self.sim.week or key != getattr(self, "_replay_key", key)
        self._replay_key = key
        if caught_up:
            behind = self.sim.week
            self.sim = self.store.simulation(self.team)
            self._rebuild_state()
            self._summary = None
            key = "round_processed" if self.store.rounds_mode else "caught_up"
            self._note, self._note_error = (key, {"week": week}), False
            if week > behind:
                self._last_classified = None
        live = rows[~rows["withdrawn"]]
        mine: list[Move] = []
        mates: list[tuple[str, Move]] = []
        by_week: dict[int, list[Move]] = {}
        for r in live.itertuples(index=False):
            move = self._by_id.get(r.id)
            if move is None:
                move = self._move_from_row(r)
                self._by_id[int(r.id)] = move
            move.answer = None if r.answer is None or pd.isna(r.answer) else str(r.answer)
            move.correct = None if pd.isna(r.correct) else bool(r.correct)
            move.revealed = bool(r.week <= week or move.answer is not None)
            by_week.setdefault(int(r.week), []).append(move)
            if r.trainee == self.trainee:
                mine.append(move)
            elif r.week == week + 1:
                mates.append((str(r.trainee), move))
        self.moves, self.teammates, self._week_moves = mine, mates, by_week
        if caught_up and week > self.store.start_week:  # the week a teammate closed, as if played here
            events = self.sim.history.events
            self._summary = (week, events[events["week"] == week], by_week.get(week, []))
        return caught_up

    def _move_from_row(self, r: Any) -> Move:
        deal_id = plain_value(r.deal_id)
        step = self.funnel.stage(r.from_stage).key_step
        index = list(ALL_ACTIONS_BY_KEY).index(r.action) if r.action in ALL_ACTIONS_BY_KEY else 0
        reply = _reply(r.reply_id, r.outcome, step, [self.seed, int(r.week), reply_seed(deal_id), index])
        move = Move(deal_id=deal_id, action=str(r.action), week=int(r.week), reply=reply, outcome=str(r.outcome),
                    from_stage=str(r.from_stage), to_stage=str(r.to_stage))
        move.style = r.style
        return move

    def _catch_up_refusal(self) -> None:
        """On an action: when a teammate closed the week meanwhile, show the new week and refuse the action."""
        if self._sync_store():
            self.refresh()
            raise BoardError("err_caught_up", week=self.sim.week)

    def _add_move(self, move: Move) -> None:
        try:
            move_id = self.store.record_move(
                self.team, move.week, move.deal_id, move.action, style=move.style,
                outcome=move.outcome, from_stage=move.from_stage, to_stage=move.to_stage, trainee=self.trainee,
                reply_id=move.reply.id)
        except StoreError as err:  # a teammate's move on the deal, a closed week: shown, the reply is not
            raise _store_error(err) from None
        self._by_id[move_id] = move
        super()._add_move(move)

    # --- the trainee's verbs ----------------------------------------------------------------
    def select(self, deal_id: Any) -> None:
        if self._sync_store():
            self.refresh()
        super().select(deal_id)

    def act(self, deal_id: Any, action: Any, style: Any = None) -> Move:
        """Plan an action, as :meth:`DealBoard.act`, committed to the store before the reply is shown.

        Raises:
            ValueError: as :meth:`DealBoard.act`; the store's refusal (a teammate's move on the
                deal this week, a closed week, the workshop's period over), in zh and en; a
                week closed by a teammate meanwhile (the board catches up first).
        """
        self._catch_up_refusal()
        return super().act(deal_id, action, style)

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
        return super().classify(answer, deal_id)

    def next_week(self) -> pd.DataFrame:
        """Close the team's week in the store and play it with every teammate's moves of that week.

        When a teammate closed it first, the board only catches up (the week is not closed twice).

        Returns:
            The week's events.

        Raises:
            ValueError: the workshop's period is over (in zh and en).
        """
        if self.store.rounds_mode:
            return self._submit()
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
                self._summary = (week, events, self._week_moves.get(week, []))
                self._note = None
            else:  # a teammate closed it between our look and our click
                self._sync_store()
        self.refresh()
        self._changed()
        return self._summary[1] if self._summary is not None else self.sim.history.events.iloc[:0]

    def _submit(self) -> pd.DataFrame:
        """Rounds mode: the team's moves of the round are final; the trainer plays the round."""
        self._catch_up_refusal()
        try:
            self.store.submit(self.team, trainee=self.trainee)
        except StoreError as err:
            raise _store_error(err) from None
        self._note, self._note_error = ("submitted", {}), False
        self.refresh()
        self._changed()
        return self.sim.history.events.iloc[:0]

    @property
    def round(self) -> dict | None:
        """Rounds mode: the open round (the store's), else None."""
        return self.store.current_round() if self.store.rounds_mode else None

    def _submission(self) -> tuple[bool, str]:
        """Rounds mode: (submitted, by whom) for this team in the open round."""
        status = self.store.round_status()
        mine = status[(status["team"] == self.team)] if len(status) else status
        if not len(mine) or self.round is None:
            return False, ""
        row = mine.iloc[0]
        return bool(row["submitted"]), str(row["trainee"] or "")

    def undo(self) -> None:
        """Withdraw your last move of the open week (it stays on record, flagged withdrawn).

        Raises:
            ValueError: no move of yours this week (a closed week cannot be undone in a workshop).
        """
        self._catch_up_refusal()
        pending = self.pending
        if not pending:
            raise BoardError("err_workshop_week")
        move = pending[-1]
        try:
            self.store.withdraw(self.team, move.week, move.deal_id, trainee=self.trainee)
        except StoreError as err:
            raise _store_error(err) from None
        super().undo()

    def reset(self) -> None:
        """Not in a workshop: every move is on record.

        Raises:
            ValueError: always.
        """
        raise BoardError("err_workshop_reset")

    # --- rendering ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Catch up with the store (a teammate's moves or closed week), then redraw."""
        if hasattr(self, "_header"):
            self._tick()
            self._sync_store()
        super().refresh()

    def _render_header(self) -> None:
        super()._render_header()
        line = self.t("team_line", team=team_label(self.team, self.lang), trainee=self.trainee or "—")
        period = self.t("team_period", first=self.store.start_week + 1, end=self.store.end_week)
        extra = ""
        if self.store.rounds_mode:
            extra = self._round_html()
        self._header.value = (f'<div class="sf-muted" style="margin-bottom:2px">{html.escape(line)} · '
                              f'{html.escape(period)}</div>{extra}{self._header.value}')

    def _round_html(self) -> str:
        """The round line (name, weeks, time left, submitted) and the market news that has hit the team."""
        t = self.t
        r = self.round
        if r is None:
            parts = [t("round_none")]
        else:
            name = t("round_practice") if r["kind"] == "practice" else t("round_number", n=r["number"])
            parts = [t("round_line", name=name, first=r["first_week"], last=r["last_week"])]
            left = r.get("seconds_left")
            if left is not None:
                parts.append(t("round_left", time=f"{int(left) // 60}:{int(left) % 60:02d}"))
            done, who = self._submission()
            if done:
                parts.append(t("submitted_by", who=who or "—"))
        out = f'<div style="margin-bottom:2px"><b>{html.escape(" · ".join(parts))}</b></div>'
        # Market news hits when the round it falls in opens (hidden before: the trainer's surprise)
        events = self.store.events(self.team, lang=self.lang)
        horizon = r["last_week"] if r is not None else self.store.week(self.team)
        news = events[events["week"] <= horizon] if len(events) else events
        if len(news):
            items = "".join(f"<li>{html.escape(str(text))}</li>" for text in news["text"])
            out += (f'<div class="sf-warn" style="margin-bottom:2px">{html.escape(t("news_title"))}'
                    f'<ul style="margin:0;padding-left:18px">{items}</ul></div>')
        return out

    def _render_controls(self) -> None:
        super()._render_controls()
        self._btn_reset.layout.display = "none"
        self._btn_undo.tooltip = self.t("undo_tip_team")
        self._btn_undo.disabled = not self.pending
        self._btn_next.tooltip = self.t("next_tip_team")
        self._btn_next.disabled = self.sim.week >= self.store.end_week
        if self.store.rounds_mode:
            done = self._submission()[0]
            self._btn_next.description = self.t("submit")
            self._btn_next.tooltip = self.t("submit_tip")
            self._btn_next.disabled = self.round is None or done
            self._btn_undo.disabled = not self.pending or done

    def _card_html(self, p: int, planned: str | None) -> str:
        if planned is None:
            deal_id = plain_value(self._ids[p])
            planned = next((m.action for _, m in self.teammates if m.deal_id == deal_id), None)
        return super()._card_html(p, planned)

    def _render_deal(self) -> None:
        super()._render_deal()
        mate = next(((who, m) for who, m in self.teammates if m.deal_id == self.selected), None)
        if mate is not None:
            who, m = mate
            self._deal_html.value += "<br>" + styled_span("sf-plan", self.t("teammate_planned", who=who or "—",
                                                                      action=self._action_label(m.action)))
            self._act_row.layout.display = "none"
            self._why.value = ""

    def _render_moves(self) -> None:
        super()._render_moves()
        if not self.teammates:
            return
        items = "".join(
            f"<li>{html.escape(who or '—')}: {html.escape(self._account(self._pos(m.deal_id)))} · "
            f"{html.escape(self._action_label(m.action))}</li>" for who, m in self.teammates)
        self._moves_html.value += (f'<b>{html.escape(self.t("teammates_title", n=len(self.teammates)))}</b>'
                                   f'<ul class="sf-summary" style="margin:2px 0; padding-left:18px">{items}</ul>')


# --- join, then play -------------------------------------------------------------------------
class WorkshopPlay(Widget):
    """The trainee's workshop page: the join form, then the team's :class:`TeamBoard` (with the reply quiz).

    Args:
        folder: the workshop folder (default ``$SIMFUNNEL_WORKSHOP``; without it, a demo
            workshop in a temporary folder, and the form says so).
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.
        page_size: cards per stage and page of the board.

    After a join (the form, or ``play.join_widget.join(team=…, trainee=…)``) ``play.board``
    is the team's board. A session joined earlier in the kernel is shown at once.
    """

    TEXT: dict[str, Pair] = {
        "waiting": ("加入工作坊后，这里会显示你们小组的商机看板。",
                    "Your team's deal board appears here once you have joined."),
    }

    def __init__(self, folder: str | os.PathLike | None = None, *, lang: str | None = None,
                 page_size: int = 6) -> None:
        super().__init__(lang)
        demo = False
        if folder is None:
            folder, demo = workshop_folder()
        self.folder, self.demo = str(folder), demo
        self.page_size = page_size
        self.board: TeamBoard | None = None
        self.join_widget = JoinWidget(folder, demo=demo, lang=lang)
        self.join_widget.on_join(self._show_board)
        self._waiting = w.HTML()
        self._area = w.VBox([self._waiting])
        self.root = w.VBox([self.join_widget.root, self._area])
        session = current_session()
        if session is not None and same_folder(session.store, self.folder):
            self.join_widget.name_field.value = session.trainee
            self.join_widget.team_field.value = session.team
            self.join_widget.session = session
            self.join_widget._show_form(False)
            self._show_board(session)
        self.refresh()

    def _show_board(self, session: Session) -> None:
        if self.board is not None:
            self.board.close()
        self.board = TeamBoard(session.store, session.team, trainee=session.trainee, page_size=self.page_size,
                               lang=self._fixed_lang)
        self._area.children = [self.board.root]

    def refresh(self) -> None:
        if hasattr(self, "_waiting"):
            self._waiting.value = f'<span class="sf-muted">{html.escape(self.t("waiting"))}</span>'

    def texts(self) -> list[str]:
        out = list(widget_texts(self.root))
        if self.board is not None:
            for fig in self.board.figures.values():
                out.extend(figure_texts(fig))
        return out

    def close(self) -> None:
        if self.board is not None:
            self.board.close()
        self.join_widget.close()
        super().close()
