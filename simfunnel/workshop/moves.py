"""Moves in the workshop store: recording, classifying and withdrawing them, closing weeks, and each team's
replay (:meth:`~MovesMixin.simulation`) from the moves of its closed weeks.

**Weeks.** Every team's simulation first warms up to ``start_week`` (default 13) with no
actions, so the run rate has weeks to look back on; the workshop then plays the period
``start_week … start_week + period_weeks`` (one quarter by default). ``store.week(team)``
is the team's current simulation week (``start_week`` + weeks closed); moves go into the
**open week** ``store.week(team) + 1`` — the ``week`` of :meth:`~MovesMixin.record_move`,
:meth:`~MovesMixin.classify`, :meth:`~MovesMixin.withdraw` and :meth:`~MovesMixin.close_week`, which is
also the ``week`` of the events and of the DealBoard's moves (``Move.week``). Closed weeks are final.

**Moves.** :meth:`~MovesMixin.record_move` checks the move against the team's simulation as the store
rebuilds it (the deal exists, is open, the action fits its stage) and computes its outcome
with ``Simulation.preview``; an outcome or stages given by the caller must match (a
caller out of step with the store gets a clear error instead of a wrong record). It
stores the random state that produced the outcome: the simulation seed, the week and the
deal's uniform draw ``default_rng([sim_seed, week]).random(n_deals)[position]``.
One move per deal and week: a second one is refused with :class:`~simfunnel.workshop.errors.MoveRefused`
(``exc.zh`` / ``exc.en`` name who made the first and which action), as is a move in a
week a teammate has closed. A withdrawn move (:meth:`~MovesMixin.withdraw`, the board's undo) stays
in the table with its ``withdrawn`` flag; the deal can then be acted on again.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from simfunnel.model.actions import ACTIONS_BY_KEY, PEOPLE_ACTIONS_BY_KEY
from simfunnel.model.history import OUTCOMES
from simfunnel.model.people import PeopleParams
from simfunnel.model.replies import is_correct
from simfunnel.model.simulate import Simulation
from simfunnel.workshop.codes import name_key
from simfunnel.workshop.errors import MAX_NAME, WHO, MoveRefused, StoreError, clean_text, refusal, whole_number
from simfunnel.workshop.market import TeamWorld
from simfunnel.workshop.schema import utc_now, utc_times

__all__ = ["MovesMixin", "MOVE_COLUMNS", "TEST_AT"]

#: The item of :meth:`MovesMixin.board_version` that holds the open pre/post test (``(phase,)``, ``("",)`` or None).
TEST_AT = -4

MOVE_COLUMNS = ("id", "team", "week", "round", "deal_id", "action", "style", "outcome", "from_stage", "to_stage", "trainee",
                "reply_id", "sim_seed", "draw", "answer", "correct", "withdrawn", "withdrawn_by", "created_at",
                "answered_at", "withdrawn_at")  # the columns of moves(), in order


def _style_json(style: object) -> str | None:
    """A move's style as stored: ``"A"`` … or ``(style, contact_id)`` as JSON (None: no style)."""
    if style is None:
        return None
    if isinstance(style, str):
        return json.dumps(style)
    if isinstance(style, (tuple, list)) and len(style) == 2 and isinstance(style[0], str):
        return json.dumps([style[0], whole_number("style contact id", style[1])])
    raise StoreError(f"style must be 'A' … 'D' or (style, contact_id), got {style!r}")


class MoveRecord(NamedTuple):
    """One move as a board reads it (:meth:`MovesMixin.move_records`): plain Python values, no DataFrame."""
    id: int
    week: int
    deal_id: int
    action: str
    style: Any
    outcome: str
    from_stage: str
    to_stage: str
    trainee: str
    reply_id: str | None
    answer: str | None
    correct: bool | None
    withdrawn: bool


def _style_value(text: str | None) -> Any:
    """A stored style back as the caller gave it (a pair comes back as a tuple)."""
    if text is None:
        return None
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


class MovesMixin:
    """:class:`~simfunnel.workshop.store.WorkshopStore`'s moves, weeks and replays (its own copies kept per object)."""

    def _new_simulation(self, team: str, tw: "TeamWorld") -> "Simulation":
        people = None
        if self.config["people"]:
            people = PeopleParams()
        kwargs = {"effects": tw.effects} if tw.effects else {}  # no events: exactly the plain simulation
        # A store made before the monotone coupling has no "coupling" key: it replays as it was played.
        kwargs["coupling"] = self.config.get("coupling", "classic")
        # A store made before the responses had their own draw (issue 13) replays with the response = the move.
        kwargs["responses"] = self.config.get("responses", "moves")
        sim = Simulation(tw.world, seed=self._team(team)["sim_seed"], people=people, **kwargs)
        for _ in range(self.start_week):
            sim.advance()
        return sim

    def _step(self, sim: "Simulation", actions: dict, styles: dict) -> None:
        sim.advance(actions, styles if sim.people is not None else None)

    def simulation(self, team: str) -> "Simulation":
        """The team's simulation rebuilt by replay: warm-up to ``start_week``, then every closed week's moves.

        It plays the team's world and market events (:meth:`world`, :meth:`effects`). A new
        object each call (the caller may step it); its history gives the indicators to the
        cent of the play that produced the moves.
        """
        closed, _, events, acts, styles = self._read_state(team, self.start_week + 1)
        sim = self._new_simulation(team, self._team_world(team, events))
        for a, s in zip(acts, styles):
            self._step(sim, a, s)
        return sim

    def _synced(self, team: str) -> "Simulation":
        """The store's own copy of the team's simulation, caught up with the weeks closed since (hold the lock).

        Rebuilt when a practice reset took the team back or the team's market events changed.
        """
        while True:
            state = self._read_state(team)
            closed, resets, events = state
            key = (resets, tuple(e[0] for e in events))  # = replay_key(team)
            cached = self._sims.get(team)
            if cached is not None and cached[0] == key and cached[1].week - self.start_week <= closed:
                sim, tw = cached[1], cached[2]
            else:
                tw = self._team_world(team, events)
                sim = self._new_simulation(team, tw)
            if sim.week - self.start_week < closed:
                again = self._read_state(team, sim.week + 1)
                if again[:3] != state:  # a week closed or a reset meanwhile: read again
                    continue
                for a, st in zip(again[3], again[4]):
                    self._step(sim, a, st)
            self._sims[team] = (key, sim, tw)
            return sim

    # --- reading ------------------------------------------------------------------------------
    def _read_state(self, team: str, first_week: int | None = None) -> tuple:
        """One consistent read of the team's state: ``(weeks_closed, resets, events)`` and, with
        ``first_week``, the actions and styles of the closed weeks ``first_week …`` (lists, one dict per week).
        """
        self._team(team)

        def read(conn: sqlite3.Connection) -> tuple:
            closed, resets = conn.execute("SELECT weeks_closed, resets FROM teams WHERE team = ?", (team,)).fetchone()
            events = tuple(conn.execute(
                "SELECT id, kind, team, week, params, seed FROM events WHERE team IS NULL OR team = ? ORDER BY id",
                (team,)).fetchall())
            if first_week is None:
                return closed, resets, events
            last = self.start_week + closed
            rows = conn.execute(
                "SELECT week, deal_id, action, style FROM moves WHERE team = ? AND week BETWEEN ? AND ? "
                "AND withdrawn = 0 ORDER BY week, id", (team, first_week, last)).fetchall()
            acts: list[dict] = [{} for _ in range(first_week, last + 1)]
            styles: list[dict] = [{} for _ in range(first_week, last + 1)]
            for week, deal_id, action, style in rows:
                acts[week - first_week][deal_id] = action
                if style is not None:
                    styles[week - first_week][deal_id] = _style_value(style)
            return closed, resets, events, acts, styles

        return self._transaction(read, write=False)

    def _weeks_closed(self, team: str) -> int:
        return self._read_state(team)[0]

    def replay_key(self, team: str) -> tuple:
        """Changes whenever the team's replay changes other than by weeks closing: a practice reset or a
        market event scheduled for it. A widget that steps its own copy of :meth:`simulation` rebuilds it
        when this changes (the store's own copies do)."""
        _, resets, events = self._read_state(team)
        return resets, tuple(e[0] for e in events)

    def week(self, team: str) -> int:
        """The team's current simulation week: ``start_week`` + weeks closed. Moves go into ``week + 1``."""
        return self.start_week + self._weeks_closed(team)

    def open_week(self, team: str) -> int:
        """The week the team's moves go into (``week(team) + 1``)."""
        return self.week(team) + 1

    def board_version(self, team: str) -> tuple:
        """A fingerprint of what the team's board reads from the store, in one short read.

        It changes when a week closes, a move of the open week is made, withdrawn or classified (or a teammate
        asks to withdraw one, or a request is answered), the practice
        round is reset, a market event is scheduled for the team, the team is renamed, and (rounds mode) a
        round opens or closes or the team submits. A trainee board's clock compares it every few seconds and
        redraws only when it changed (a teammate's move shows without a click, at the cost of one indexed read).
        Its last three items change with the rounds (the last round opened and its status, the team's submits).
        """
        self._team(team)

        def read(conn: sqlite3.Connection) -> tuple:
            closed, resets, name = conn.execute(
                "SELECT weeks_closed, resets, display_name FROM teams WHERE team = ?", (team,)).fetchone()
            moves = conn.execute(
                "SELECT COUNT(*), MAX(id), SUM(withdrawn), COUNT(answer) FROM moves WHERE team = ? AND week = ?",
                (team, self.start_week + closed + 1)).fetchone()
            events = conn.execute("SELECT COUNT(*), MAX(id) FROM events WHERE team IS NULL OR team = ?",
                                  (team,)).fetchone()
            asked = conn.execute("SELECT COUNT(*), MAX(id), COUNT(answer) FROM undo_requests WHERE team = ?",
                                 (team,)).fetchone()
            last = conn.execute("SELECT id, status FROM rounds ORDER BY id DESC LIMIT 1").fetchone()
            subs = conn.execute("SELECT COUNT(*), MAX(submitted_at) FROM submissions WHERE team = ?",
                                (team,)).fetchone()
            test = conn.execute("SELECT value FROM meta WHERE key = 'knowledge_test'").fetchone()  # the open test
            return (closed, resets, name, *moves, *events, *asked, test, last, *subs)  # the rounds' part last

        return self._transaction(read, write=False)

    def actions(self, team: str) -> tuple[list[dict], list[dict]]:
        """The actions and styles of each closed week (week ``start_week + 1`` first), for replay.

        Returns:
            ``(actions, styles)``: two lists with one dict per closed week, deal_id → action
            key and deal_id → style (``"A"`` or ``(style, contact_id)``).
        """
        return self._read_state(team, self.start_week + 1)[3:]

    def moves(self, team: str | None = None) -> pd.DataFrame:
        """Every move (withdrawn ones included, flagged), oldest first, or only one team's.

        Columns: id, team, week, round (rounds mode: the round's number, 0 = practice; free
        play: missing), deal_id, action, style, outcome, from_stage, to_stage, trainee,
        reply_id, sim_seed, draw (the deal's uniform that week), answer (the trainee's
        classification), correct (nullable boolean), withdrawn, withdrawn_by (``'practice
        reset'`` for a reset practice round's moves), created_at, answered_at, withdrawn_at
        (UTC timestamps).
        """
        if team is not None:
            self._team(team)
        sql = f"SELECT {', '.join(MOVE_COLUMNS)} FROM moves"
        args: tuple = ()
        if team is not None:
            sql += " WHERE team = ?"
            args = (team,)
        rows = self._transaction(lambda c: c.execute(sql + " ORDER BY id", args).fetchall(), write=False)
        df = pd.DataFrame(rows, columns=list(MOVE_COLUMNS))
        for col in ("id", "week", "deal_id", "sim_seed"):
            df[col] = df[col].astype(np.int64)
        df["round"] = pd.array([None if v is None else int(v) for v in df["round"]], dtype="Int64")  # None: free play
        for col in ("team", "action", "outcome", "from_stage", "to_stage", "trainee", "reply_id", "answer",
                    "withdrawn_by"):
            df[col] = df[col].astype(object)
        at = MOVE_COLUMNS.index("style")  # from the rows: pandas turns the None of a column with text into NaN
        df["style"] = pd.Series([_style_value(r[at]) for r in rows], index=df.index, dtype=object)
        df["draw"] = df["draw"].astype(float)
        # pandas reads a column of 0/1 and None as floats with NaN (bool(NaN) is True): test with isna
        df["correct"] = pd.array([None if pd.isna(v) else bool(v) for v in df["correct"]], dtype="boolean")
        df["withdrawn"] = df["withdrawn"].astype(bool)
        for col in ("created_at", "answered_at", "withdrawn_at"):
            df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601").astype("datetime64[us, UTC]")
        return df

    def move_records(self, team: str) -> list[MoveRecord]:
        """The team's moves (withdrawn ones included, flagged), oldest first, as :class:`MoveRecord` tuples:
        what a board's clock reads when a teammate moved (``moves()`` builds a DataFrame with timestamps,
        ten times the cost, for every teammate's board at every move)."""
        self._team(team)

        def read(conn: sqlite3.Connection) -> list:
            return conn.execute("SELECT id, week, deal_id, action, style, outcome, from_stage, to_stage, trainee, "
                                "reply_id, answer, correct, withdrawn FROM moves WHERE team = ? ORDER BY id",
                                (team,)).fetchall()

        return [MoveRecord(int(i), int(week), int(deal), str(action), _style_value(style), str(outcome), str(a),
                           str(b), str(trainee or ""), reply_id, answer, None if correct is None else bool(correct),
                           bool(withdrawn))
                for i, week, deal, action, style, outcome, a, b, trainee, reply_id, answer, correct, withdrawn
                in self._transaction(read, write=False)]

    def status(self) -> pd.DataFrame:
        """One row per team: team, week, open_week, moves, withdrawn, classified, last_activity (UTC)."""
        def read(conn: sqlite3.Connection) -> list:
            return conn.execute(
                """SELECT t.team, t.weeks_closed,
                          (SELECT COUNT(*) FROM moves m WHERE m.team = t.team AND m.withdrawn = 0),
                          (SELECT COUNT(*) FROM moves m WHERE m.team = t.team AND m.withdrawn = 1),
                          (SELECT COUNT(*) FROM moves m WHERE m.team = t.team AND m.withdrawn = 0
                                                              AND m.answer IS NOT NULL),
                          (SELECT MAX(x) FROM (
                              SELECT MAX(created_at) AS x FROM moves m WHERE m.team = t.team
                              UNION ALL SELECT MAX(answered_at) FROM moves m WHERE m.team = t.team
                              UNION ALL SELECT MAX(withdrawn_at) FROM moves m WHERE m.team = t.team
                              UNION ALL SELECT MAX(closed_at) FROM weeks w WHERE w.team = t.team))
                   FROM teams t ORDER BY t.position""").fetchall()

        rows = self._transaction(read, write=False)
        df = pd.DataFrame(rows, columns=["team", "weeks_closed", "moves", "withdrawn", "classified", "last_activity"])
        df.insert(1, "week", (self.start_week + df.pop("weeks_closed")).astype(np.int64))
        df.insert(2, "open_week", df["week"] + 1)
        df["last_activity"] = pd.to_datetime(df["last_activity"], utc=True, format="ISO8601").astype("datetime64[us, UTC]")
        return df

    def closed_weeks(self, team: str) -> pd.DataFrame:
        """The team's closed weeks, in order: week, closed_at (UTC), closed_by (who closed it: in free play the
        trainee named, in rounds mode who closed the round — the trainer's name or ``'timer'``; ``''`` if nobody
        was named). Weeks reopened by a practice reset are not listed.
        """
        self._team(team)
        rows = self._transaction(lambda c: c.execute(
            "SELECT week, closed_at, closed_by FROM weeks WHERE team = ? ORDER BY week", (team,)).fetchall(),
            write=False)
        df = pd.DataFrame(rows, columns=["week", "closed_at", "closed_by"], dtype=object)
        df["week"] = df["week"].astype(np.int64)
        df["closed_at"] = utc_times(df["closed_at"])
        return df

    # --- writing ------------------------------------------------------------------------------
    def _week_refusal(self, conn: sqlite3.Connection, team: str, week: int, open_week: int) -> StoreError:
        if week <= self.start_week:
            return refusal(MoveRefused, "before", week=week, first=self.start_week + 1)
        if week < open_week:
            row = conn.execute("SELECT closed_by FROM weeks WHERE team = ? AND week = ?", (team, week)).fetchone()
            who = row[0] if row and row[0] else ""
            return refusal(MoveRefused, "closed", week=week, open=open_week, who_zh=who or WHO[0],
                           who_en=who or WHO[1])
        if open_week > self.end_week:
            return refusal(MoveRefused, "ended", end=self.end_week)
        return refusal(MoveRefused, "not_open", week=week, open=open_week, **self.team_words(team, conn))

    def _open_week_in(self, conn: sqlite3.Connection, team: str) -> int:
        closed = conn.execute("SELECT weeks_closed FROM teams WHERE team = ?", (team,)).fetchone()[0]
        return self.start_week + closed + 1

    def _check_open(self, conn: sqlite3.Connection, team: str, week: int) -> None:
        open_week = self._open_week_in(conn, team)
        if week != open_week or open_week > self.end_week:
            raise self._week_refusal(conn, team, week, open_week)

    def _taken(self, team: str, week: int, deal_id: int, action: str, trainee: str) -> MoveRefused:
        act = ACTIONS_BY_KEY.get(action) or PEOPLE_ACTIONS_BY_KEY.get(action)
        zh, en = (act.zh, act.en) if act is not None else (action, action)
        return refusal(MoveRefused, "taken", deal=deal_id, week=week, action_zh=zh, action_en=en,
                       who_zh=trainee or WHO[0], who_en=trainee or WHO[1])  # type: ignore[return-value]

    def record_move(
        self,
        team: str,
        week: int,
        deal_id: int,
        action: str,
        *,
        style: object = None,
        outcome: str | None = None,
        from_stage: str | None = None,
        to_stage: str | None = None,
        trainee: str = "",
        reply_id: str | None = None,
    ) -> int:
        """Record a move of the open week and commit it; returns its id.

        The move is checked against the team's simulation as rebuilt from the store, and its
        outcome and stages come from ``Simulation.preview`` (given ones must match). The
        stored draw is the deal's uniform of that week: ``default_rng([sim_seed, week])``.

        In rounds mode (``weeks_per_round > 0``) a move also needs an open round, goes into
        the round's first week, before its deadline and before the team has submitted; it is
        stored with the round's number (0 for the practice round).

        Raises:
            MoveRefused: the deal already has a move this week (the message names who made
                it and which action), ``week`` is not the team's open week; in rounds mode no
                round open, the round's time is up, or the team has submitted; a practice reset
                or a market event for the team hitting by ``week``, scheduled between the
                outcome's preview and its write.
            StoreError: an unknown team, a deal that does not exist or cannot be acted on,
                an action that does not fit its stage, an outcome that does not match.
        """
        info = self._team(team)
        week = whole_number("week", week)
        deal_id = whole_number("deal_id", deal_id)
        action = clean_text("action", action, limit=60, empty=False)
        trainee = clean_text("trainee", trainee, limit=MAX_NAME)
        if reply_id is not None:
            reply_id = clean_text("reply_id", reply_id, limit=60)
        style_json = _style_json(style)
        if style_json is not None and not self.config["people"]:
            raise StoreError("styles need the people layer: this workshop was created without people")
        where = f"team {team}, week {week}, deal {deal_id}"
        if self.rounds_mode:  # the round's refusals first: clearer than a week's
            self._transaction(lambda c: self._check_round(c, team, week), write=False)
        with self._lock:
            sim = self._synced(team)
            if week != sim.week + 1:
                raise self._transaction(lambda c: self._week_refusal(c, team, week, sim.week + 1), write=False)
            if week > self.end_week:
                raise refusal(MoveRefused, "ended", end=self.end_week)
            index = self._sims[team][2].index
            pos = index.get_indexer([deal_id])[0]
            if pos < 0:
                raise StoreError(f"{where}: no such deal in the team's world")
            try:
                preview = sim.preview({deal_id: action}, None if style is None else {deal_id: _style_value(style_json)})
            except ValueError as exc:
                raise StoreError(f"{where}: {exc}") from None
            draw = float(np.random.default_rng([info["sim_seed"], week]).random(len(index))[pos])
            previewed_in = self._sims[team][0]  # (resets, event ids) of the world the outcome was computed in
        # the move's outcome as stored is the customer's response (what the trainee judges; the move is in the
        # stages): see simfunnel.model.simulate
        true = {"outcome": str(preview["response"].iloc[0]), "from_stage": str(preview["from_stage"].iloc[0]),
                "to_stage": str(preview["to_stage"].iloc[0])}
        for name, given in (("outcome", outcome), ("from_stage", from_stage), ("to_stage", to_stage)):
            if given is not None and given != true[name]:
                raise StoreError(f"{where}: {name} {given!r} does not match the simulation's {true[name]!r} "
                                 "(the caller's simulation is out of step with the store: rebuild it with "
                                 "store.simulation(team))")

        def insert(conn: sqlite3.Connection) -> int:
            number = self._check_round(conn, team, week)["number"] if self.rounds_mode else None
            self._check_open(conn, team, week)
            # A reset or an event up to this week since the preview: its outcome may be stale. (Events never
            # change; one from a later week leaves this week's odds and draws as they were.)
            resets = conn.execute("SELECT resets FROM teams WHERE team = ?", (team,)).fetchone()[0]
            event_weeks = dict(conn.execute(
                "SELECT id, week FROM events WHERE team IS NULL OR team = ? ORDER BY id", (team,)).fetchall())
            now = [e for e, w in event_weeks.items() if w <= week]
            then = [e for e in previewed_in[1] if event_weeks.get(e, week) <= week]
            if resets != previewed_in[0] or now != then:
                raise refusal(MoveRefused, "changed")
            row = conn.execute("SELECT action, trainee FROM moves WHERE team = ? AND week = ? AND deal_id = ? "
                               "AND withdrawn = 0", (team, week, deal_id)).fetchone()
            if row is not None:
                raise self._taken(team, week, deal_id, row[0], row[1])
            cur = conn.execute(
                "INSERT INTO moves (team, week, round, deal_id, action, style, outcome, from_stage, to_stage, trainee, "
                "reply_id, sim_seed, draw, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (team, week, number, deal_id, action, style_json, true["outcome"], true["from_stage"],
                 true["to_stage"], trainee, reply_id, info["sim_seed"], draw, utc_now()))
            return int(cur.lastrowid)

        try:
            return self._transaction(insert)
        except sqlite3.IntegrityError:  # the unique index: cannot happen after the check above, but never say it raw
            row = self._transaction(lambda c: c.execute(
                "SELECT action, trainee FROM moves WHERE team = ? AND week = ? AND deal_id = ? AND withdrawn = 0",
                (team, week, deal_id)).fetchone(), write=False)
            raise self._taken(team, week, deal_id, *(row or (action, ""))) from None

    def _active_move(self, conn: sqlite3.Connection, team: str, week: int, deal_id: int) -> tuple:
        row = conn.execute("SELECT id, outcome, answer FROM moves WHERE team = ? AND week = ? AND deal_id = ? "
                           "AND withdrawn = 0", (team, week, deal_id)).fetchone()
        if row is None:
            raise refusal(StoreError, "no_move", deal=deal_id, week=week)
        return row

    def classify(self, team: str, week: int, deal_id: int, answer: str, correct: bool | None = None) -> None:
        """Store the trainee's classification of the reply to a move of the open week.

        ``correct`` is checked against :func:`simfunnel.model.replies.is_correct` of the stored
        outcome (``None``: computed). Classifying again with the same answer does nothing.

        Raises:
            StoreError: no such move, an answer not among the four outcomes, another answer
                already stored, a ``correct`` that does not match, or a week not open.
        """
        self._team(team)
        week, deal_id = whole_number("week", week), whole_number("deal_id", deal_id)
        if answer not in OUTCOMES:
            raise StoreError(f"answer must be one of {', '.join(OUTCOMES)}, got {answer!r}")
        if correct is not None and not isinstance(correct, (bool, np.bool_)):
            raise StoreError(f"correct must be True, False or None, got {correct!r}")

        def update(conn: sqlite3.Connection) -> None:
            self._check_open(conn, team, week)
            move_id, outcome, stored = self._active_move(conn, team, week, deal_id)
            right = is_correct(answer, outcome)
            if correct is not None and bool(correct) != right:
                raise StoreError(f"team {team}, week {week}, deal {deal_id}: correct={bool(correct)} does not match "
                                 f"answer {answer!r} for outcome {outcome!r}")
            if stored is not None:
                if stored == answer:
                    return
                raise refusal(StoreError, "answered", deal=deal_id, week=week, answer=stored)
            conn.execute("UPDATE moves SET answer = ?, correct = ?, answered_at = ? WHERE id = ?",
                         (answer, int(right), utc_now(), move_id))

        self._transaction(update)

    def withdraw(self, team: str, week: int, deal_id: int, *, trainee: str = "") -> None:
        """Withdraw (undo) the move on a deal in the open week; it stays in the table, flagged withdrawn.

        ``trainee`` is who withdraws it: only the trainee who made the move (the same name, without case; a
        move made without a name: only without a name). A teammate's move is refused with a message naming
        whose it is — no page can undo someone else's move. In rounds mode only while the round is open,
        before its deadline and before the team has submitted.

        Raises:
            MoveRefused: the move is a teammate's; in rounds mode, as :meth:`record_move`.
            StoreError: no move on that deal this week, or a week not open (closed weeks are final).
        """
        self._team(team)
        week, deal_id = whole_number("week", week), whole_number("deal_id", deal_id)
        trainee = clean_text("trainee", trainee, limit=MAX_NAME)

        def update(conn: sqlite3.Connection) -> None:
            if self.rounds_mode:
                self._check_round(conn, team, week)
            self._check_open(conn, team, week)
            move_id = self._active_move(conn, team, week, deal_id)[0]
            mover = conn.execute("SELECT trainee FROM moves WHERE id = ?", (move_id,)).fetchone()[0] or ""
            if name_key(mover) != name_key(trainee):
                raise refusal(MoveRefused, "not_yours", deal=deal_id, week=week, who_zh=mover or WHO[0],
                              who_en=mover or WHO[1])
            conn.execute("UPDATE moves SET withdrawn = 1, withdrawn_by = ?, withdrawn_at = ? WHERE id = ?",
                         (trainee, utc_now(), move_id))

        self._transaction(update)

    def close_week(self, team: str, week: int, *, trainee: str = "") -> bool:
        """Close the team's open week (its moves become final); atomic across teammates.

        Returns:
            True if this call closed it, False if it was already closed (by a teammate).

        Raises:
            MoveRefused: in rounds mode (the trainer closes the round for every team: :meth:`close_round`).
            StoreError: a week after the open one, or past the workshop's period.
        """
        self._team(team)
        week = whole_number("week", week)
        trainee = clean_text("trainee", trainee, limit=MAX_NAME)
        if self.rounds_mode:
            raise refusal(MoveRefused, "trainer_closes")

        def update(conn: sqlite3.Connection) -> bool:
            open_week = self._open_week_in(conn, team)
            if week < open_week:
                return False
            if open_week > self.end_week:
                raise refusal(StoreError, "ended", end=self.end_week)
            if week > open_week:
                raise refusal(StoreError, "not_open", week=week, open=open_week, **self.team_words(team, conn))
            conn.execute("INSERT INTO weeks (team, week, closed_at, closed_by) VALUES (?, ?, ?, ?)",
                         (team, week, utc_now(), trainee))
            conn.execute("UPDATE teams SET weeks_closed = weeks_closed + 1 WHERE team = ?", (team,))
            return True

        return bool(self._transaction(update))
