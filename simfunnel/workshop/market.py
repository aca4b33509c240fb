"""Market events in the workshop store: the trainer schedules them, each team's world and replay play them.

**Market events** (:mod:`simfunnel.model.events`): :meth:`~MarketMixin.add_event` schedules one from the
catalogue for every team or one team, for a coming round or week, with its own seed (from the workshop's
seed and the event's id). A team's :meth:`~MarketMixin.world`, :meth:`~MarketMixin.effects` and
``simulation`` play its events from their week on (:func:`~simfunnel.model.events.apply_events`);
trainees see an event only once it has hit (:meth:`~MarketMixin.events` with ``hidden=False``).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from simfunnel.model.events import EVENT_KINDS, MarketEvent, apply_events, describe
from simfunnel.model.generate import World
from simfunnel.workshop.errors import MAX_NAME, StoreError, clean_text, whole_number
from simfunnel.workshop.schema import utc_now, utc_times

__all__ = ["MarketMixin", "TeamWorld"]

_EVENT_COLUMNS = ("id", "kind", "team", "week", "round", "params", "seed", "created_at", "created_by", "hit", "text")


class TeamWorld(NamedTuple):
    """A team's world with its market events applied, as the store keeps it for the team's replays."""

    world: World
    effects: tuple  # the events' Effects on the weekly odds (() without events)
    index: pd.Index  # deal_id → position: the deal's uniform in default_rng([sim_seed, week]).random(n)


class MarketMixin:
    """:class:`~simfunnel.workshop.store.WorkshopStore`'s market events, and each team's world with them."""

    def _team_world(self, team: str, events: tuple[tuple, ...]) -> "TeamWorld":
        """The team's world with ``events`` (rows of the events table) applied, kept per store object."""
        key = (self._team(team)["world_seed"], tuple(e[0] for e in events))
        with self._lock:
            tw = self._team_worlds.get(key)
            if tw is None:
                base = self._base_world(team)
                if events:
                    try:
                        world, effects = apply_events(base, [self._market_event(e) for e in events])
                    except ValueError as exc:
                        raise StoreError(f"{self.path}: team {team}'s market events cannot be applied ({exc})") from None
                    effects = tuple(effects)
                else:
                    world, effects = base, ()
                tw = TeamWorld(world, effects, pd.Index(world.deals["deal_id"].to_numpy()))
                self._team_worlds[key] = tw
            return tw

    def world(self, team: str) -> "World":
        """The team's world with its market events applied (:func:`simfunnel.model.events.apply_events`).

        Generated once per store object and kept; without events it is the world as drawn
        (with ``same_world`` the same object for every team). Every event scheduled for the team
        is in it, also those still to come: a trainee's screen shows only what has happened
        (:meth:`events` with ``hidden=False``; deals created in later weeks).
        """
        return self._team_world(team, self._read_state(team)[2]).world

    def effects(self, team: str) -> tuple:
        """The team's market events as :class:`simfunnel.model.events.Effect` s on the weekly odds (``()`` without events)."""
        return self._team_world(team, self._read_state(team)[2]).effects

    # --- market events ----------------------------------------------------------------------------
    def _event_round(self, week: int) -> int:
        """The round an event's week falls in (free play: each week is a round)."""
        return (week - self.start_week - 1) // max(self.weeks_per_round, 1) + 1

    @staticmethod
    def _market_event(row: tuple) -> Any:
        event_id, kind, team, week, params, seed = row
        return MarketEvent(kind=kind, week=int(week), team=team, params=json.loads(params), seed=int(seed))

    def add_event(self, kind: str, *, team: str | None = None, round: int | None = None, week: int | None = None,
                  by: str = "trainer", **params: float) -> int:
        """Schedule a market event from the catalogue (:data:`simfunnel.model.events.EVENT_KINDS`); returns its id.

        It hits the first week of the next round (default), of round ``round``, or the week
        ``week``: never a week played or in the open round (free play: never a team's open week, whose
        moves are already committed with their outcomes, so the default is the week after the open week
        of the most advanced team it hits). ``team=None`` hits every team. Its
        seed derives from the workshop's seed and the event's id. Trainees see it only once
        it has hit (:meth:`events` with ``hidden=False``); the teams' simulations play it
        (:meth:`world`, :meth:`effects`, :meth:`simulation`).

        Raises:
            StoreError: an unknown kind or team, parameters the kind does not take, a week
                already played or open, after the period, or (default week) a practice round
                not yet reset.
        """
        if not isinstance(kind, str) or kind not in EVENT_KINDS:
            raise StoreError(f"unknown market event {kind!r}; the catalogue: {', '.join(EVENT_KINDS)}")
        if team is not None:
            self._team(team)
        by = clean_text("by", by, limit=MAX_NAME)
        if round is not None and week is not None:
            raise StoreError("give the event's round or its week, not both")
        if round is not None:
            self._rounds_only()
            round = whole_number("round", round, 1)
        if week is not None:
            week = whole_number("week", week, self.start_week + 1)
        try:  # the kind's own validation of the parameters (numbers may come as text, as a command line gives them)
            params = dict(MarketEvent(kind=kind, week=self.start_week + 1, team=team, params=params, seed=0).params)
            params_json = json.dumps(params, sort_keys=True, allow_nan=False)
        except (ValueError, TypeError) as exc:
            raise StoreError(f"market event {kind}: {exc}") from None
        targets = [team] if team is not None else self.teams
        for t in targets:  # drawn before the write lock is taken
            self._base_world(t)

        def adding(conn: sqlite3.Connection) -> int:
            closed = dict(conn.execute("SELECT team, weeks_closed FROM teams").fetchall())
            earliest = self.start_week + max(closed[t] for t in targets) + 1
            practice = None
            if not self.rounds_mode:  # free play: the open week is in play (moves committed with their outcomes)
                earliest += 1
            else:
                open_row = self._round_where(conn, "status = 'open'")
                if open_row is not None:
                    earliest = max(earliest, open_row["last_week"] + 1)
                practice = self._round_where(conn, "kind = 'practice' AND status IN ('open', 'closed')")
            if round is not None:
                target = self.start_week + (round - 1) * self.weeks_per_round + 1
                what, what_zh = f"round {round} (week {target})", f"第 {round} 回合（第 {target} 周）"
            elif week is not None:
                target, what, what_zh = week, f"week {week}", f"第 {week} 周"
            else:
                if practice is not None:
                    raise StoreError("the practice round is still in play: reset it (simfunnel workshop practice "
                                     "reset) before scheduling market events for the scored rounds",
                                     "练习回合还没有重置：先重置练习回合，再为计分回合安排市场事件。")
                target, what, what_zh = earliest, f"week {earliest}", f"第 {earliest} 周"
            label = EVENT_KINDS[kind].label("zh")
            if target > self.end_week:
                raise StoreError(f"market event {kind}: {what} is after the workshop's last week ({self.end_week})",
                                 f"市场事件「{label}」：{what_zh}在本次工作坊的最后一周（第 {self.end_week} 周）之后。")
            if target < earliest:
                hint = " (reset the practice round to schedule events for its weeks)" if practice is not None else ""
                where = "is in the open round" if self.rounds_mode else "is the open week"
                raise StoreError(f"market event {kind}: {what} has been played or {where}; events hit "
                                 f"coming weeks only, from week {earliest}{hint}",
                                 f"市场事件「{label}」：{what_zh}已经进行过或正在进行；事件只能安排在之后的周，"
                                 f"从第 {earliest} 周起" + ("（重置练习回合后才能安排在它的周）" if hint else "") + "。")
            cur = conn.execute("INSERT INTO events (kind, team, week, params, seed, created_at, created_by) "
                               "VALUES (?, ?, ?, ?, 0, ?, ?)", (kind, team, target, params_json, utc_now(), by))
            event_id = int(cur.lastrowid)
            seed = int(np.random.SeedSequence([int(self.config["seed"]), event_id]).generate_state(1)[0])
            conn.execute("UPDATE events SET seed = ? WHERE id = ?", (seed, event_id))
            event = MarketEvent(kind=kind, week=target, team=team, params=params, seed=seed)
            for t in targets:  # it must apply to each team's world before it is stored
                try:
                    apply_events(self._base_world(t), [event])
                except ValueError as exc:
                    raise StoreError(f"market event {kind} cannot hit team {t}: {exc}") from None
            return event_id

        return int(self._transaction(adding))

    def events(self, team: str | None = None, *, hidden: bool = True, lang: str | None = None) -> pd.DataFrame:
        """The market events scheduled (all, or those hitting ``team``), oldest first.

        Columns: id, kind, team (None = every team), week, round, params (dict), seed,
        created_at, created_by, hit (it has hit: its week ≤ the week of the team — or of every
        team it hits), text (:func:`simfunnel.model.events.describe` in ``lang``, naming the workshop funnel's
        stages: the columns of the trainees' boards). ``hidden=False``:
        only the events that have hit, what trainees may see.
        """
        if team is not None:
            self._team(team)

        def read(conn: sqlite3.Connection) -> tuple:
            sql = "SELECT id, kind, team, week, params, seed, created_at, created_by FROM events"
            args: tuple = ()
            if team is not None:
                sql += " WHERE team IS NULL OR team = ?"
                args = (team,)
            weeks = {t: self.start_week + c for t, c in conn.execute("SELECT team, weeks_closed FROM teams")}
            return conn.execute(sql + " ORDER BY id", args).fetchall(), weeks

        rows, weeks = self._transaction(read, write=False)
        named = {t: n for t, n in self.team_names(lang).items() if n != t}  # a bare key reads "team red"
        funnel = self.funnel  # effects name the boards' own stages (「评估比较」), not the key steps
        out = []
        for event_id, kind, who, week, params, seed, created_at, created_by in rows:
            hit_teams = [who] if who is not None else ([team] if team is not None else self.teams)
            event = self._market_event((event_id, kind, who, week, params, seed))
            out.append({"id": event_id, "kind": kind, "team": who, "week": week, "round": self._event_round(week),
                        "params": dict(event.params), "seed": seed, "created_at": created_at,
                        "created_by": created_by, "hit": all(week <= weeks[t] for t in hit_teams),
                        "text": describe(event, lang, team_name=named.get(who), funnel=funnel)})
        df = pd.DataFrame(out, columns=list(_EVENT_COLUMNS), dtype=object)
        for col in ("id", "week", "round", "seed"):
            df[col] = df[col].astype(np.int64)
        df["hit"] = df["hit"].astype(bool)
        df["created_at"] = utc_times(df["created_at"])
        if not hidden:
            df = df[df["hit"]].reset_index(drop=True)
        return df
