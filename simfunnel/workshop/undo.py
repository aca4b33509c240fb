"""Withdrawing a teammate's move: one trainee asks, another confirms (issue 12).

A trainee withdraws only their own moves (:meth:`~simfunnel.workshop.moves.MovesMixin.withdraw`). For a
teammate's move the trainee *asks* (:meth:`UndoMixin.ask_withdraw`): the request is stored and every other
teammate's board shows it with Confirm and Keep. A teammate other than the one who asked — the move's owner
or anyone else in the team — confirms (the move is withdrawn, recorded as withdrawn by the one who asked,
the request keeping who confirmed) or keeps it (:meth:`UndoMixin.answer_withdraw`). Requests live only as
long as the move's week is open and the move stands; the same rules as a move apply in rounds (an open
round, its time not up, the team not submitted).

Example:

    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=1, seed=1, accounts=30)
    >>> week = store.start_week + 1
    >>> from simfunnel.model.actions import actions_for
    >>> sim = store.simulation("team1")
    >>> codes, deals = sim.stage_codes(), sim.world.deals
    >>> p = next(p for p in range(len(deals)) if codes[p] < len(sim.funnel) and deals.created_week.iloc[p] < week)
    >>> action = actions_for(sim.funnel, sim.funnel.keys[codes[p]])[0].key
    >>> deal = int(deals.deal_id.iloc[p])
    >>> _ = store.record_move("team1", week, deal, action, trainee="Wang")
    >>> asked = store.ask_withdraw("team1", week, deal, trainee="Li")
    >>> [(r["asked_by"], r["mover"]) for r in store.undo_requests("team1")]
    [('Li', 'Wang')]
    >>> store.answer_withdraw("team1", asked, trainee="Zhao", confirm=True)
    True
    >>> store.moves("team1")[["trainee", "withdrawn", "withdrawn_by"]].values.tolist(), store.undo_requests("team1")
    ([['Wang', True, 'Li']], [])
"""

from __future__ import annotations

import sqlite3
from typing import Any

from simfunnel.workshop.codes import name_key
from simfunnel.workshop.errors import MAX_NAME, MoveRefused, StoreError, clean_text, refusal, whole_number
from simfunnel.workshop.schema import utc_now

__all__ = ["UndoMixin"]


class UndoMixin:
    """:class:`~simfunnel.workshop.store.WorkshopStore`'s requests to withdraw a teammate's move."""

    def ask_withdraw(self, team: str, week: int, deal_id: int, *, trainee: str) -> int:
        """Ask the team to withdraw a teammate's move on ``deal_id`` in the open ``week``; the request's id
        (asking again for the same move gives the same open request).

        Raises:
            MoveRefused: the move is the trainee's own (undo it), or (rounds) as :meth:`record_move`.
            StoreError: no move on that deal this week, or a week not open.
        """
        self._team(team)
        week, deal_id = whole_number("week", week), whole_number("deal_id", deal_id)
        trainee = clean_text("trainee", trainee, limit=MAX_NAME)

        def update(conn: sqlite3.Connection) -> int:
            if self.rounds_mode:
                self._check_round(conn, team, week)
            self._check_open(conn, team, week)
            move_id = self._active_move(conn, team, week, deal_id)[0]
            mover = conn.execute("SELECT trainee FROM moves WHERE id = ?", (move_id,)).fetchone()[0] or ""
            if name_key(mover) == name_key(trainee):
                raise refusal(MoveRefused, "ask_own", deal=deal_id, week=week)
            row = conn.execute("SELECT id FROM undo_requests WHERE move_id = ? AND answer IS NULL",
                               (move_id,)).fetchone()
            if row is not None:
                return int(row[0])
            cur = conn.execute("INSERT INTO undo_requests (team, move_id, asked_by, asked_at) VALUES (?, ?, ?, ?)",
                               (team, move_id, trainee, utc_now()))
            return int(cur.lastrowid)

        return self._transaction(update)

    def answer_withdraw(self, team: str, request: int, *, trainee: str, confirm: bool) -> bool:
        """Confirm (withdraw the move) or keep it; whether the move was withdrawn by this answer.

        Anyone of the team but the one who asked may answer. A request whose move was withdrawn or played
        meanwhile is closed as void (False).

        Raises:
            MoveRefused: the trainee asked it (another teammate must answer), or (rounds, confirming) as
                :meth:`record_move`.
            StoreError: no open request ``request`` in the team.
        """
        self._team(team)
        request = whole_number("request", request)
        trainee = clean_text("trainee", trainee, limit=MAX_NAME)

        def update(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                "SELECT r.move_id, r.asked_by, m.week, m.withdrawn FROM undo_requests r JOIN moves m ON m.id = r.move_id "
                "WHERE r.id = ? AND r.team = ? AND r.answer IS NULL", (request, team)).fetchone()
            if row is None:
                raise refusal(StoreError, "no_request")
            move_id, asked_by, week, withdrawn = row
            if name_key(asked_by) == name_key(trainee):
                raise refusal(MoveRefused, "answer_own")
            now = utc_now()
            standing = not withdrawn and week == self._open_week_in(conn, team)
            answer = ("confirmed" if confirm else "kept") if standing else "void"
            if answer == "confirmed":
                if self.rounds_mode:
                    self._check_round(conn, team, week)
                conn.execute("UPDATE moves SET withdrawn = 1, withdrawn_by = ?, withdrawn_at = ? WHERE id = ?",
                             (asked_by, now, move_id))
            conn.execute("UPDATE undo_requests SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?",
                         (answer, trainee, now, request))
            return answer == "confirmed"

        return self._transaction(update)

    def undo_requests(self, team: str) -> list[dict[str, Any]]:
        """The team's open requests on standing moves of its open week, oldest first: ``id``, ``week``,
        ``deal_id``, ``action``, ``mover``, ``asked_by``, ``asked_at``."""
        self._team(team)

        def read(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            week = self._open_week_in(conn, team)
            rows = conn.execute(
                "SELECT r.id, m.week, m.deal_id, m.action, m.trainee, r.asked_by, r.asked_at FROM undo_requests r "
                "JOIN moves m ON m.id = r.move_id WHERE r.team = ? AND r.answer IS NULL AND m.withdrawn = 0 "
                "AND m.week = ? ORDER BY r.id", (team, week)).fetchall()
            keys = ("id", "week", "deal_id", "action", "mover", "asked_by", "asked_at")
            return [dict(zip(keys, r)) for r in rows]

        return self._transaction(read, write=False)

    def answered_requests(self, team: str) -> list[dict[str, Any]]:
        """Every answered request of the team, oldest first (``answer``: confirmed, kept or void)."""
        self._team(team)

        def read(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            rows = conn.execute(
                "SELECT r.id, m.week, m.deal_id, m.action, m.trainee, r.asked_by, r.answer, r.answered_by "
                "FROM undo_requests r JOIN moves m ON m.id = r.move_id WHERE r.team = ? AND r.answer IS NOT NULL "
                "ORDER BY r.id", (team,)).fetchall()
            keys = ("id", "week", "deal_id", "action", "mover", "asked_by", "answer", "answered_by")
            return [dict(zip(keys, r)) for r in rows]

        return self._transaction(read, write=False)
