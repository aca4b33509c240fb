"""Rounds in the workshop store: the trainer opens and closes them for every team, with a timer that
:meth:`~RoundsMixin.tick` closes; teams submit; a practice round can be reset.

**Rounds** (issue 7; ``init(..., weeks_per_round=K)``, ``K > 0``). The trainer runs the
workshop: :meth:`~RoundsMixin.open_round` (optionally with a timer) opens the next round for every team —
scored round ``r`` plays the weeks ``start_week + (r − 1)·K + 1 … start_week + r·K`` —, the teams
record their moves in the round's first week and may :meth:`~RoundsMixin.submit`;
:meth:`~RoundsMixin.close_round` (or :meth:`~RoundsMixin.tick` once the deadline has passed: any caller,
exactly once) closes every week of the round for every team at once, the first with the team's moves,
and records the default decision (no action: continuation, ``is_default``) for a team that neither moved
nor submitted. :meth:`~RoundsMixin.round_status` shows live who has submitted. In rounds mode trainees
never close weeks (``close_week`` is refused in zh and en), and moves after the round's close or deadline
are refused with a clear message. A **practice round** (number 0) plays like a scored one;
:meth:`~RoundsMixin.reset_practice` (or opening the next round) undoes it — its moves withdrawn with
``withdrawn_by = 'practice reset'``, its weeks reopened, its submissions removed — so it leaves no
trace in the scores. With ``K = 0`` (the default) there are no rounds: free play as in issue 6.

**The timer.** Reading never writes: :meth:`~RoundsMixin.current_round`, :meth:`~RoundsMixin.round_status`
and every other read show the store as it is — a round whose deadline has passed stays open (with
``seconds_left`` 0, and refusing moves) until someone calls :meth:`~RoundsMixin.tick`, which closes it
(``closed_by = 'timer'``) exactly once, whoever calls it and however many at once. A caller that shows the
state to a trainer (the CLI, the trainer's widgets, a trainee board's clock) ticks first.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd

from simfunnel.analysis.metrics import indicators
from simfunnel.workshop.errors import MAX_NAME, WHO, MoveRefused, StoreError, clean_text, refusal, whole_number
from simfunnel.workshop.schema import utc_now, utc_times

__all__ = ["RoundsMixin", "PRACTICE_RESET", "MAX_TIMER_MINUTES"]

MAX_TIMER_MINUTES = 24 * 60
PRACTICE_RESET = "practice reset"  # moves.withdrawn_by of the practice round's moves after its reset
_ROUND_COLUMNS = ("id", "number", "kind", "first_week", "last_week", "status", "opened_at", "opened_by", "deadline",
                  "closed_at", "closed_by", "reset_at", "reset_by")
_ROUND_TIMES = ("opened_at", "deadline", "closed_at", "reset_at")
_STATUS_COLUMNS = ("team", "round", "submitted", "submitted_at", "moves", "trainee", "is_default")
_SUMMARY_COLUMNS = ("team", "round", "kind", "first_week", "last_week", "week", "moves", "submitted", "is_default",
                    "booked_round", "booked", "forecast")


def _round_names(number: int) -> dict[str, str]:
    """The round's name in zh and en (number 0 is the practice round), for the messages' fields."""
    zh, en = ("练习回合", "the practice round") if number == 0 else (f"第 {number} 回合", f"round {number}")
    return {"round_zh": zh, "round_en": en, "round_cap": en[0].upper() + en[1:]}


def _clock(text: str) -> str:
    """An ISO UTC time as the local wall clock, HH:MM:SS (what a room reads off its clocks)."""
    return datetime.fromisoformat(text).astimezone().strftime("%H:%M:%S")


def _passed(deadline: str) -> bool:
    """True once the ISO UTC ``deadline`` has passed."""
    return datetime.fromisoformat(deadline) <= datetime.now(timezone.utc)


def _round_dict(row: dict) -> dict:
    """A row of the rounds table as :meth:`RoundsMixin.current_round` gives it: times as datetimes, seconds_left."""
    out = dict(row)
    for key in _ROUND_TIMES:
        out[key] = None if row[key] is None else datetime.fromisoformat(row[key])
    deadline = out["deadline"]
    out["seconds_left"] = None if deadline is None or row["status"] != "open" else \
        max(0.0, (deadline - datetime.now(timezone.utc)).total_seconds())
    return out


class RoundsMixin:
    """:class:`~simfunnel.workshop.store.WorkshopStore`'s rounds, submissions, timer and practice round."""

    @property
    def weeks_per_round(self) -> int:
        """Simulated weeks per round; 0 = free play (no rounds: each team closes its own weeks)."""
        return int(self.config.get("weeks_per_round", 0))

    @property
    def rounds_mode(self) -> bool:
        """True when the trainer runs rounds (``weeks_per_round > 0``)."""
        return self.weeks_per_round > 0

    def _rounds_only(self) -> None:
        if not self.rounds_mode:
            raise refusal(StoreError, "free_play")

    @staticmethod
    def _round_where(conn: sqlite3.Connection, where: str, args: tuple = ()) -> dict | None:
        """The latest round matching ``where``, as a dict of the table's columns, or None."""
        row = conn.execute(f"SELECT {', '.join(_ROUND_COLUMNS)} FROM rounds WHERE {where} ORDER BY id DESC LIMIT 1",
                           args).fetchone()
        return None if row is None else dict(zip(_ROUND_COLUMNS, row))

    def _check_round(self, conn: sqlite3.Connection, team: str, week: int) -> dict:
        """The open round a move of ``team`` in ``week`` may go into; else the trainee's clear refusal."""
        row = self._round_where(conn, "status = 'open'")
        if row is None:
            raise refusal(MoveRefused, "no_round")
        names = _round_names(row["number"])
        if row["deadline"] is not None and _passed(row["deadline"]):
            raise refusal(MoveRefused, "time_up", deadline=_clock(row["deadline"]), **names)
        if week != row["first_week"]:
            raise refusal(MoveRefused, "round_week", week=week, first=row["first_week"], last=row["last_week"],
                          **names)
        sub = conn.execute("SELECT trainee FROM submissions WHERE team = ? AND round = ?",
                           (team, row["number"])).fetchone()
        if sub is not None:
            raise refusal(MoveRefused, "submitted", who_zh=sub[0] or WHO[0], who_en=sub[0] or WHO[1],
                          **names, **self.team_words(team, conn))
        return row

    def open_round(self, *, practice: bool = False, timer_minutes: float | None = None, by: str = "trainer") -> dict:
        """Open the next round for every team; returns it (as :meth:`current_round`).

        A scored round ``r`` plays the weeks ``start_week + (r − 1)·K + 1 … start_week + r·K``
        (``K = weeks_per_round``; the last round ends with the period). A practice round (number
        0) plays the next ``K`` weeks like a scored one, and :meth:`reset_practice` undoes it.
        Opening a round after a practice round that was not reset resets it first, so a scored
        round never builds on practice moves (and a new practice round starts over).

        Args:
            practice: open the practice round.
            timer_minutes: minutes until the round's deadline; then :meth:`tick` closes it.
            by: who opens it (recorded).

        Raises:
            StoreError: free play, a round still open, teams at different weeks, the period over,
                a timer that is not a positive number of minutes (at most a day).
        """
        self._rounds_only()
        if not isinstance(practice, (bool, np.bool_)):
            raise StoreError(f"practice must be True or False, got {practice!r}")
        minutes = None
        if timer_minutes is not None:
            if isinstance(timer_minutes, bool) or not isinstance(timer_minutes, (int, float, np.number)) \
                    or not math.isfinite(float(timer_minutes)) or not 0 < timer_minutes <= MAX_TIMER_MINUTES:
                raise StoreError(f"timer_minutes must be a number of minutes above 0 and at most "
                                 f"{MAX_TIMER_MINUTES}, got {timer_minutes!r}")
            minutes = float(timer_minutes)
        by = clean_text("by", by, limit=MAX_NAME)
        self.tick()

        def opening(conn: sqlite3.Connection) -> dict:
            current = self._round_where(conn, "status = 'open'")
            if current is not None:
                raise refusal(StoreError, "round_open", first=current["first_week"], last=current["last_week"],
                              **_round_names(current["number"]))
            unreset = self._round_where(conn, "kind = 'practice' AND status = 'closed'")
            if unreset is not None:
                self._reset_practice_in(conn, unreset, by)
            closed = sorted({c for (c,) in conn.execute("SELECT weeks_closed FROM teams")})
            if len(closed) != 1:
                raise StoreError(f"{self.path}: the teams are at different weeks "
                                 f"({', '.join(str(self.start_week + c) for c in closed)}); rounds need every team "
                                 "at the same week")
            first = self.start_week + closed[0] + 1
            if first > self.end_week:
                raise refusal(StoreError, "period_over", end=self.end_week)
            k = self.weeks_per_round
            number = 0 if practice else (first - self.start_week - 1) // k + 1
            if not practice and (first - self.start_week - 1) % k:
                raise StoreError(f"{self.path}: week {first} does not begin a round of {k} weeks")
            now = datetime.now(timezone.utc)
            deadline = None if minutes is None else (now + timedelta(minutes=minutes)).isoformat(timespec="microseconds")
            cur = conn.execute(
                "INSERT INTO rounds (number, kind, first_week, last_week, status, opened_at, opened_by, deadline) "
                "VALUES (?, ?, ?, ?, 'open', ?, ?, ?)",
                (number, "practice" if practice else "scored", first, min(first + k - 1, self.end_week),
                 now.isoformat(timespec="microseconds"), by, deadline))
            return self._round_where(conn, "id = ?", (cur.lastrowid,))  # type: ignore[return-value]

        return _round_dict(self._transaction(opening))

    def current_round(self) -> dict | None:
        """The open round, or None. A read: it never closes a round (see :meth:`tick`).

        Keys: the ``rounds`` table's columns (id, number — 0 for practice —, kind, first_week,
        last_week, status, opened_at, opened_by, deadline, closed_at, closed_by, reset_at,
        reset_by; times as UTC datetimes) and ``seconds_left`` (None without a timer; 0 once the
        deadline has passed: the round then refuses moves and stays open until :meth:`tick` closes it).
        """
        if not self.rounds_mode:
            return None
        row = self._transaction(lambda c: self._round_where(c, "status = 'open'"), write=False)
        return None if row is None else _round_dict(row)

    def rounds(self) -> pd.DataFrame:
        """Every round opened, oldest first (reset practice rounds included), columns as :meth:`current_round`."""
        rows = self._transaction(lambda c: c.execute(
            f"SELECT {', '.join(_ROUND_COLUMNS)} FROM rounds ORDER BY id").fetchall(), write=False)
        df = pd.DataFrame(rows, columns=list(_ROUND_COLUMNS), dtype=object)  # None stays None
        for col in ("id", "number", "first_week", "last_week"):
            df[col] = df[col].astype(np.int64)
        for col in _ROUND_TIMES:
            df[col] = utc_times(df[col])
        return df

    def submit(self, team: str, trainee: str = "") -> bool:
        """The team is done for the open round: its moves are final (no more moves nor withdrawals).

        Returns:
            True if this call submitted, False if a teammate already had.

        Raises:
            MoveRefused: no round open, or its time is up.
            StoreError: free play, an unknown team.
        """
        self._rounds_only()
        self._team(team)
        trainee = clean_text("trainee", trainee, limit=MAX_NAME)

        def submitting(conn: sqlite3.Connection) -> bool:
            row = self._round_where(conn, "status = 'open'")
            if row is None:
                raise refusal(MoveRefused, "no_round")
            if conn.execute("SELECT 1 FROM submissions WHERE team = ? AND round = ?",
                            (team, row["number"])).fetchone() is not None:
                return False
            self._check_round(conn, team, row["first_week"])
            conn.execute("INSERT INTO submissions (team, round, trainee, submitted_at, is_default) "
                         "VALUES (?, ?, ?, ?, 0)", (team, row["number"], trainee, utc_now()))
            return True

        return bool(self._transaction(submitting))

    def round_status(self) -> pd.DataFrame:
        """Who has submitted in the open round, else in the last round played. A read: it never closes a
        round (a round whose time is up stays the open one until :meth:`tick` closes it).

        One row per team: team, round, submitted (bool), submitted_at (UTC), moves (in the
        round, not withdrawn), trainee (who submitted), is_default (the default decision
        recorded at the round's close: no move, no submission). No rows before the first round.
        """
        self._rounds_only()

        def read(conn: sqlite3.Connection) -> list:
            row = self._round_where(conn, "status IN ('open', 'closed')")
            if row is None:
                return []
            subs = {t: (tr, at, d) for t, tr, at, d in conn.execute(
                "SELECT team, trainee, submitted_at, is_default FROM submissions WHERE round = ?", (row["number"],))}
            moves = dict(conn.execute(
                "SELECT team, COUNT(*) FROM moves WHERE round = ? AND week = ? AND withdrawn = 0 GROUP BY team",
                (row["number"], row["first_week"])).fetchall())
            out = []
            for team in self.teams:
                trainee, at, default = subs.get(team, ("", None, 0))
                out.append((team, row["number"], at is not None and not default, at, moves.get(team, 0), trainee,
                            bool(default)))
            return out

        df = pd.DataFrame(self._transaction(read, write=False), columns=list(_STATUS_COLUMNS), dtype=object)
        df = df.astype({"round": np.int64, "submitted": bool, "moves": np.int64, "is_default": bool})
        df["submitted_at"] = utc_times(df["submitted_at"])
        return df

    def submissions(self) -> pd.DataFrame:
        """Every submission, oldest first: team, round, trainee, submitted_at (UTC), is_default (the default
        decision recorded at a round's close for a team that neither moved nor submitted)."""
        rows = self._transaction(lambda c: c.execute(
            "SELECT s.team, s.round, s.trainee, s.submitted_at, s.is_default FROM submissions s "
            "JOIN teams t ON t.team = s.team ORDER BY s.submitted_at, t.position").fetchall(), write=False)
        df = pd.DataFrame(rows, columns=["team", "round", "trainee", "submitted_at", "is_default"], dtype=object)
        df = df.astype({"round": np.int64, "is_default": bool})
        df["submitted_at"] = utc_times(df["submitted_at"])
        return df

    def tick(self) -> bool:
        """Close the open round if its deadline has passed; True if this call closed it.

        Cheap when nothing is due (one read). Any number of processes and threads may call
        it at once: the round is closed exactly once (``closed_by = 'timer'``), in one
        transaction, like :meth:`close_round` (without computing its summary). The only call that
        closes a round on its timer: reads never do, so whatever shows the state to the room calls
        this first (:meth:`open_round` does too).
        """
        if not self.rounds_mode:
            return False
        row = self._transaction(lambda c: self._round_where(c, "status = 'open'"), write=False)
        if row is None or row["deadline"] is None or not _passed(row["deadline"]):
            return False

        def closing(conn: sqlite3.Connection) -> bool:
            again = self._round_where(conn, "status = 'open'")
            if again is None or again["id"] != row["id"]:
                return False
            self._close_in(conn, again, "timer")
            return True

        return bool(self._transaction(closing))

    def close_round(self, by: str = "trainer") -> pd.DataFrame:
        """Close the open round and process it for every team at once; returns :meth:`round_summary`.

        For each team, in one transaction: each week of the round is closed — the first with
        the team's moves, the others without —, and a team that neither submitted nor made a
        move gets a submission recorded as the default decision (``is_default``: no action,
        continuation). Every team's simulation then plays the round (replayed from the store).

        Raises:
            StoreError: free play, or no round open (the timer may have closed it: see :meth:`rounds`).
        """
        self._rounds_only()
        by = clean_text("by", by, limit=MAX_NAME, empty=False)

        def closing(conn: sqlite3.Connection) -> int:
            row = self._round_where(conn, "status = 'open'")
            if row is None:
                raise refusal(StoreError, "no_open_round")
            self._close_in(conn, row, by)
            return int(row["id"])

        return self._summary(self._transaction(closing))

    def _close_in(self, conn: sqlite3.Connection, row: dict, by: str) -> None:
        now = utc_now()
        first, last, number = row["first_week"], row["last_week"], row["number"]
        for team, closed in conn.execute("SELECT team, weeks_closed FROM teams ORDER BY position").fetchall():
            if self.start_week + closed != first - 1:
                raise StoreError(f"{self.path}: team {team} is at week {self.start_week + closed}, "
                                 f"not {first - 1}: {_round_names(number)['round_en']} cannot be closed")
            conn.executemany("INSERT INTO weeks (team, week, closed_at, closed_by) VALUES (?, ?, ?, ?)",
                             [(team, w, now, by) for w in range(first, last + 1)])
            conn.execute("UPDATE teams SET weeks_closed = weeks_closed + ? WHERE team = ?", (last - first + 1, team))
            submitted = conn.execute("SELECT 1 FROM submissions WHERE team = ? AND round = ?",
                                     (team, number)).fetchone()
            moved = conn.execute("SELECT 1 FROM moves WHERE team = ? AND round = ? AND week = ? AND withdrawn = 0",
                                 (team, number, first)).fetchone()
            if submitted is None and moved is None:
                conn.execute("INSERT INTO submissions (team, round, trainee, submitted_at, is_default) "
                             "VALUES (?, ?, '', ?, 1)", (team, number, now))
        conn.execute("UPDATE rounds SET status = 'closed', closed_at = ?, closed_by = ? WHERE id = ?",
                     (now, by, row["id"]))

    def round_summary(self, number: int | None = None) -> pd.DataFrame:
        """What a closed round did for each team (default: the last round closed).

        One row per team: team, round, kind, first_week, last_week, week (the team's week now),
        moves, submitted, is_default, booked_round (won in the round's weeks), booked (since
        play began), forecast (``F′`` at the round's last week, as in ``metrics.indicators``
        with the workshop's threshold).
        """
        self._rounds_only()
        where, args = ("status = 'closed'", ()) if number is None else \
            ("status = 'closed' AND number = ?", (whole_number("number", number, 0),))
        row = self._transaction(lambda c: self._round_where(c, where, args), write=False)
        if row is None:
            raise StoreError("no round closed yet" if number is None else f"round {number} has not been closed")
        return self._summary(int(row["id"]))

    def _summary(self, round_id: int) -> pd.DataFrame:
        def read(conn: sqlite3.Connection) -> tuple:
            row = self._round_where(conn, "id = ?", (round_id,))
            subs = {t: (at, d) for t, at, d in conn.execute(
                "SELECT team, submitted_at, is_default FROM submissions WHERE round = ?", (row["number"],))}
            moves = dict(conn.execute(
                "SELECT team, COUNT(*) FROM moves WHERE round = ? AND week = ? AND withdrawn = 0 GROUP BY team",
                (row["number"], row["first_week"])).fetchall())
            return row, subs, moves

        row, subs, moves = self._transaction(read, write=False)
        s, n = self.start_week, int(self.config["period_weeks"])
        threshold = float(self.config["threshold"])
        first, last = row["first_week"], row["last_week"]
        out = []
        for team in self.teams:
            with self._lock:
                sim = self._synced(team)
                table = indicators(sim.history, self._quota(team), threshold, start_week=s, period_weeks=n)
            at, default = subs.get(team, (None, 0))
            booked = table["booked"].to_numpy()
            end = min(last, sim.week) - s
            out.append({"team": team, "round": row["number"], "kind": row["kind"], "first_week": first,
                        "last_week": last, "week": int(sim.week), "moves": moves.get(team, 0),
                        "submitted": at is not None and not default, "is_default": bool(default),
                        "booked_round": float(booked[end] - booked[first - 1 - s]) if end >= first - s else 0.0,
                        "booked": float(booked[end]), "forecast": float(table["forecast"].iloc[end])})
        return pd.DataFrame(out, columns=list(_SUMMARY_COLUMNS))

    def reset_practice(self, by: str = "trainer") -> int:
        """Undo the practice round: no trace of it in the scores; returns the moves withdrawn.

        Its moves stay in the table, withdrawn (``withdrawn_by = 'practice reset'``); its
        weeks are reopened (every team back at the week before the practice) and its
        submissions removed; the round is marked ``reset``. An open practice round is reset
        as it is.

        Raises:
            StoreError: free play, or no practice round to reset.
        """
        self._rounds_only()
        by = clean_text("by", by, limit=MAX_NAME, empty=False)

        def resetting(conn: sqlite3.Connection) -> int:
            row = self._round_where(conn, "kind = 'practice' AND status IN ('open', 'closed')")
            if row is None:
                raise refusal(StoreError, "no_practice")
            return self._reset_practice_in(conn, row, by)

        return int(self._transaction(resetting))

    def _reset_practice_in(self, conn: sqlite3.Connection, row: dict, by: str) -> int:
        now, first = utc_now(), row["first_week"]
        withdrawn = conn.execute(
            "UPDATE moves SET withdrawn = 1, withdrawn_by = ?, withdrawn_at = ? "
            "WHERE round = 0 AND week >= ? AND withdrawn = 0", (PRACTICE_RESET, now, first)).rowcount
        conn.execute("DELETE FROM weeks WHERE week >= ?", (first,))
        conn.execute("UPDATE teams SET weeks_closed = ?, resets = resets + 1", (first - 1 - self.start_week,))
        conn.execute("DELETE FROM submissions WHERE round = 0")
        conn.execute("UPDATE rounds SET status = 'reset', reset_at = ?, reset_by = ?, closed_at = COALESCE(closed_at, ?), "
                     "closed_by = COALESCE(closed_by, ?) WHERE id = ?", (now, by, now, by, row["id"]))
        return withdrawn
