"""Workshop state in SQLite: every team's moves, committed before anyone sees their result.

A trainer runs ``simfunnel workshop init --dir W --teams 6 --seed 2026`` (or
:meth:`WorkshopStore.init`); it creates ``W/workshop.sqlite`` with one scenario per
team. Trainees' widgets then write each move with :meth:`WorkshopStore.record_move`
(committed in its own transaction before the widget reveals the outcome), their
reply-quiz answers with :meth:`~WorkshopStore.classify`, and close the team's week
with :meth:`~WorkshopStore.close_week`. A team's state is never kept anywhere else:
:meth:`~WorkshopStore.simulation` rebuilds it by replay after a kernel restart, a
reopened notebook or on another trainee's machine, to the cent.

**Scenarios.** Team *i* (0-based, in the order given) plays the world
``generate(accounts, seed=world_seed, funnel=preset, weeks=weeks)`` with
``Simulation(world, seed=sim_seed)`` (``people=PeopleParams()`` when ``people=True``),
where ``world_seed, sim_seed = SeedSequence([seed, i]).generate_state(2)``. With
``same_world=True`` every team plays the same world **and** the same simulation seed,
``world_seed = sim_seed = seed`` — the same market and the same luck (common random
numbers), so the leaderboard's differences are caused by the teams' decisions alone
(``pace="fast"`` draws the worlds with a weekly exit hazard of 0.5 instead of 0.3 — the same
win rates — so decisions show in a quarter's revenue);
with ``seed=2026`` and 200 accounts that is the world of ``datasets/workshop``.

**Weeks.** Every team's simulation first warms up to ``start_week`` (default 13) with no
actions, so the run rate has weeks to look back on; the workshop then plays the period
``start_week … start_week + period_weeks`` (one quarter by default). ``store.week(team)``
is the team's current simulation week (``start_week`` + weeks closed); moves go into the
**open week** ``store.week(team) + 1`` — the ``week`` of :meth:`record_move`,
:meth:`classify`, :meth:`withdraw` and :meth:`close_week`, which is also the ``week`` of
the events and of the DealBoard's moves (``Move.week``). Closed weeks are final.

**Moves.** :meth:`record_move` checks the move against the team's simulation as the store
rebuilds it (the deal exists, is open, the action fits its stage) and computes its outcome
with ``Simulation.preview``; an outcome or stages given by the caller must match (a
caller out of step with the store gets a clear error instead of a wrong record). It
stores the random state that produced the outcome: the simulation seed, the week and the
deal's uniform draw ``default_rng([sim_seed, week]).random(n_deals)[position]``.
One move per deal and week: a second one is refused with :class:`MoveRefused`
(``exc.zh`` / ``exc.en`` name who made the first and which action), as is a move in a
week a teammate has closed. A withdrawn move (:meth:`withdraw`, the board's undo) stays
in the table with its ``withdrawn`` flag; the deal can then be acted on again.

**Reliability.** WAL journal, ``synchronous=FULL`` (a commit is on disk before
``record_move`` returns), every write in a ``BEGIN IMMEDIATE`` transaction, a busy
timeout, and a retry with backoff around "database is locked" / "busy" up to
``busy_deadline`` seconds (then a :class:`StoreError` saying the store stayed busy): no
caller sees SQLite's message. A partial UNIQUE index on (team, week, deal_id) among
moves not withdrawn backs the refusal. Connections are per thread and per process
(a forked child never touches its parent's connections). The file carries an SQLite
``application_id`` and a schema version in its ``meta`` table; :meth:`open` reads the
header bytes first, so any other file (SQLite or not) is refused and left byte for byte
untouched, and other schema versions are refused with the versions named. ``init``
builds the database under a temporary name and links it into place, so a store is
either complete or absent. The store holds plain data (numbers, text, JSON): no
pickle, no eval.

**Rounds** (issue 7; ``init(..., weeks_per_round=K)``, ``K > 0``). The trainer runs the
workshop: :meth:`open_round` (optionally with a timer) opens the next round for every team —
scored round ``r`` plays the weeks ``start_week + (r − 1)·K + 1 … start_week + r·K`` —, the teams
record their moves in the round's first week and may :meth:`submit`; :meth:`close_round` (or
:meth:`tick` once the deadline has passed: any caller, exactly once) closes every week of the
round for every team at once, the first with the team's moves, and records the default decision
(no action: continuation, ``is_default``) for a team that neither moved nor submitted.
:meth:`round_status` shows live who has submitted. In rounds mode trainees never close weeks
(``close_week`` is refused in zh and en), and moves after the round's close or deadline are
refused with a clear message. A **practice round** (number 0) plays like a scored one;
:meth:`reset_practice` (or opening the next round) undoes it — its moves withdrawn with
``withdrawn_by = 'practice reset'``, its weeks reopened, its submissions removed — so it leaves no
trace in the scores. With ``K = 0`` (the default) there are no rounds: free play as in issue 6.

**Market events** (:mod:`simfunnel.model.events`): :meth:`add_event` schedules one from the catalogue
for every team or one team, for a coming round or week, with its own seed (from the workshop's
seed and the event's id). A team's :meth:`world`, :meth:`effects` and :meth:`simulation` play its
events from their week on (:func:`~simfunnel.model.events.apply_events`); trainees see an event only
once it has hit (:meth:`events` with ``hidden=False``).

**Scoring.** :meth:`leaderboard` adds ``score`` (0–100) and ``rank``: the trainer's weighted mix
(:meth:`set_weights`, :data:`DEFAULT_WEIGHTS`) of the metrics scaled across teams (:func:`scores`).

**Schema.** Version 2 (issue 7) adds the tables ``rounds``, ``submissions`` and ``events``, the
columns ``moves.round`` and ``teams.resets`` (practice resets: replays cached before a reset are
rebuilt) and the meta keys ``config.weeks_per_round`` and ``score_weights``. :meth:`open` upgrades
a version-1 store in one transaction (``_MIGRATIONS``); a new store is created at version 1 and
upgraded the same way, so both have the same schema.

Example:
    >>> import tempfile
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=["red", "blue"], seed=7, accounts=30)
    >>> store.teams, store.week("red")
    (['red', 'blue'], 13)
    >>> sim = store.simulation("red")
    >>> deal = int(sim.history.deals.query("status == 'open'").deal_id.iloc[0])
    >>> move_id = store.record_move("red", 14, deal, "courtesy_call", trainee="Li")
    >>> store.record_move("red", 14, deal, "courtesy_call")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simfunnel.workshop.store.MoveRefused: Deal ... already has a move in week 14: Li chose 'Courtesy call'. One move per deal and week.
    >>> store.close_week("red", 14), store.close_week("red", 14), store.week("red")
    (True, False, 14)

    A workshop in rounds of two weeks:

    >>> room = WorkshopStore.init(tempfile.mkdtemp(), teams=["red", "blue"], seed=7, accounts=30, weeks_per_round=2)
    >>> room.open_round(timer_minutes=10)["first_week"], room.submit("red", trainee="Li")
    (14, True)
    >>> room.close_round()[["team", "week", "submitted", "is_default"]].values.tolist()
    [['red', 15, True, False], ['blue', 15, False, True]]
"""

from __future__ import annotations

import json
import math
import os
import random
import sqlite3
import threading
import time
import weakref
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, Sequence
from urllib.parse import quote

import numpy as np
import pandas as pd

from simfunnel.model.funnel import preset_names
from simfunnel.model.history import OUTCOMES, PERIOD_WEEKS

if TYPE_CHECKING:
    from simfunnel.model.generate import World
    from simfunnel.model.simulate import Simulation

__all__ = ["WorkshopStore", "StoreError", "MoveRefused", "SCHEMA_VERSION", "STORE_FILE", "DEFAULT_WEIGHTS",
           "scores"]

STORE_FILE = "workshop.sqlite"
DEFAULT_EXIT_HAZARD = 0.3  # generate.WorldParams' default: the kit's normal pace
PACES = {"normal": DEFAULT_EXIT_HAZARD, "fast": 0.5}
SCHEMA_VERSION = 2
APPLICATION = "simfunnel-workshop"
APPLICATION_ID = int.from_bytes(b"sfWS", "big")  # SQLite header bytes 68-71
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_TEAMS = 100
MAX_NAME = 60
MAX_TIMER_MINUTES = 24 * 60
MAX_SEED = 2**63 - 1  # the largest SQLite INTEGER
PRACTICE_RESET = "practice reset"  # moves.withdrawn_by of the practice round's moves after its reset

# The leaderboard's score: weight of each metric (the trainer sets them with set_weights).
DEFAULT_WEIGHTS: dict[str, float] = {"booked": 3.0, "forecast_accuracy": 2.0, "progress_vs_benchmark": 2.0,
                                     "quiz_score": 2.0, "records_entered": 1.0}
_WEIGHT_COLUMNS = {"booked": "booked_vs_quota"}  # metric → leaderboard column (booked: against each team's quota)
_LOWER_IS_BETTER = frozenset({"records_entered"})

# Version 1 (issue 6), frozen: a new store is created at version 1 and upgraded by _MIGRATIONS like an old file.
_SCHEMA_V1 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
    """CREATE TABLE teams (
        team TEXT PRIMARY KEY,
        position INTEGER NOT NULL UNIQUE,
        world_seed INTEGER NOT NULL,
        sim_seed INTEGER NOT NULL,
        weeks_closed INTEGER NOT NULL DEFAULT 0 CHECK (weeks_closed >= 0)
    ) STRICT""",
    """CREATE TABLE weeks (
        team TEXT NOT NULL REFERENCES teams(team),
        week INTEGER NOT NULL,
        closed_at TEXT NOT NULL,
        closed_by TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (team, week)
    ) STRICT""",
    """CREATE TABLE moves (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        team TEXT NOT NULL REFERENCES teams(team),
        week INTEGER NOT NULL,
        deal_id INTEGER NOT NULL,
        action TEXT NOT NULL,
        style TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('order', 'advance', 'continuation', 'no_sale')),
        from_stage TEXT NOT NULL,
        to_stage TEXT NOT NULL,
        trainee TEXT NOT NULL DEFAULT '',
        reply_id TEXT,
        sim_seed INTEGER NOT NULL,
        draw REAL NOT NULL CHECK (draw >= 0 AND draw < 1),
        answer TEXT CHECK (answer IS NULL OR answer IN ('order', 'advance', 'continuation', 'no_sale')),
        correct INTEGER CHECK (correct IS NULL OR correct IN (0, 1)),
        answered_at TEXT,
        withdrawn INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
        withdrawn_by TEXT,
        withdrawn_at TEXT,
        created_at TEXT NOT NULL
    ) STRICT""",
    "CREATE UNIQUE INDEX one_move_per_deal_and_week ON moves (team, week, deal_id) WHERE withdrawn = 0",
    "CREATE INDEX moves_by_team_week ON moves (team, week)",
)

# Schema upgrades: _MIGRATIONS[v] holds the statements that take version v to v + 1 (run in one transaction).
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    # 1 → 2 (issue 7): rounds with a timer, submissions and defaults, market events, a practice round's resets,
    # each move's round, the round length and the leaderboard's score weights.
    1: (
        "ALTER TABLE teams ADD COLUMN resets INTEGER NOT NULL DEFAULT 0 CHECK (resets >= 0)",
        "ALTER TABLE moves ADD COLUMN round INTEGER CHECK (round IS NULL OR round >= 0)",
        """CREATE TABLE rounds (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            number INTEGER NOT NULL CHECK (number >= 0),
            kind TEXT NOT NULL CHECK (kind IN ('practice', 'scored')),
            first_week INTEGER NOT NULL,
            last_week INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'reset')),
            opened_at TEXT NOT NULL,
            opened_by TEXT NOT NULL DEFAULT '',
            deadline TEXT,
            closed_at TEXT,
            closed_by TEXT,
            reset_at TEXT,
            reset_by TEXT,
            CHECK (last_week >= first_week),
            CHECK ((kind = 'practice') = (number = 0))
        ) STRICT""",
        "CREATE UNIQUE INDEX one_open_round ON rounds (status) WHERE status = 'open'",
        "CREATE UNIQUE INDEX each_scored_round_once ON rounds (number) WHERE kind = 'scored'",
        """CREATE TABLE submissions (
            team TEXT NOT NULL REFERENCES teams(team),
            round INTEGER NOT NULL,
            trainee TEXT NOT NULL DEFAULT '',
            submitted_at TEXT NOT NULL,
            is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
            PRIMARY KEY (team, round)
        ) STRICT""",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            team TEXT REFERENCES teams(team),
            week INTEGER NOT NULL,
            params TEXT NOT NULL DEFAULT '{}',
            seed INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT ''
        ) STRICT""",
        "CREATE INDEX moves_by_round ON moves (round, team)",
        "UPDATE meta SET value = json_insert(value, '$.weeks_per_round', 0) WHERE key = 'config'",
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('score_weights', '{\"booked\": 3.0, "
        "\"forecast_accuracy\": 2.0, \"progress_vs_benchmark\": 2.0, \"quiz_score\": 2.0, \"records_entered\": 1.0}')",
    ),
}

_MOVE_COLUMNS = ("id", "team", "week", "round", "deal_id", "action", "style", "outcome", "from_stage", "to_stage", "trainee",
                 "reply_id", "sim_seed", "draw", "answer", "correct", "withdrawn", "withdrawn_by", "created_at",
                 "answered_at", "withdrawn_at")
LEADERBOARD_COLUMNS = ("team", "week", "weeks_played", "moves", "booked", "quota", "booked_vs_quota",
                       "forecast_accuracy", "progress_vs_benchmark", "records_entered", "quiz_score", "quiz_answered",
                       "score", "rank")
_ROUND_COLUMNS = ("id", "number", "kind", "first_week", "last_week", "status", "opened_at", "opened_by", "deadline",
                  "closed_at", "closed_by", "reset_at", "reset_by")
_ROUND_TIMES = ("opened_at", "deadline", "closed_at", "reset_at")
_STATUS_COLUMNS = ("team", "round", "submitted", "submitted_at", "moves", "trainee", "is_default")
_SUMMARY_COLUMNS = ("team", "round", "kind", "first_week", "last_week", "week", "moves", "submitted", "is_default",
                    "booked_round", "booked", "forecast")
_EVENT_COLUMNS = ("id", "kind", "team", "week", "round", "params", "seed", "created_at", "created_by", "hit", "text")

# Messages a trainee may meet: (zh, en).
TEXT: dict[str, tuple[str, str]] = {
    "taken": ("商机 {deal} 在第 {week} 周已有行动：{who_zh}已选择「{action_zh}」。每个商机每周只能有一个行动。",
              "Deal {deal} already has a move in week {week}: {who_en} chose '{action_en}'. "
              "One move per deal and week."),
    "closed": ("第 {week} 周已经结束（{who_zh}结束了这一周）；现在的行动属于第 {open} 周。",
               "Week {week} is closed ({who_en} closed it); moves now go into week {open}."),
    "not_open": ("第 {week} 周还没有开始：{team} 队正在进行第 {open} 周。",
                 "Week {week} is not open yet: team {team} is playing week {open}."),
    "ended": ("本次研讨的周期已在第 {end} 周结束，不能再行动。",
              "The workshop's period ended at week {end}: no more moves."),
    "before": ("第 {week} 周在本次研讨开始之前；行动从第 {first} 周开始。",
               "Week {week} comes before the workshop's play, which starts in week {first}."),
    "unknown_team": ("没有名为「{team}」的队；队名是：{teams}。",
                     "No team named {team!r}; the teams are: {teams}."),
    "no_move": ("商机 {deal} 在第 {week} 周没有行动。", "Deal {deal} has no move in week {week}."),
    "changed": ("记录这个行动的同时，培训师重置了回合或安排了市场事件：请看一下更新后的看板，再重新行动。",
                "While this move was being recorded the trainer reset the round or scheduled a market event: "
                "the workshop changed; look at the board again and make the move again."),
    "answered": ("商机 {deal} 在第 {week} 周的客户回复已判断为「{answer}」。",
                 "The reply on deal {deal} in week {week} is already classified as {answer!r}."),
    # rounds (weeks_per_round > 0)
    "no_round": ("现在没有进行中的回合：请等培训师开始下一回合。",
                 "No round is open: wait for the trainer to open the next round."),
    "round_week": ("{round_zh}的行动都在第 {first} 周（本回合模拟第 {first}–{last} 周），不在第 {week} 周。",
                   "In {round_en} moves go into week {first} (the round plays weeks {first}–{last}), not week {week}."),
    "time_up": ("{round_zh}的时间已到（截止时间 {deadline}），不能再行动。",
                "Time is up for {round_en} (the deadline was {deadline}): no more moves."),
    "submitted": ("{team} 队已提交{round_zh}的决定（{who_zh}提交），不能再修改。",
                  "Team {team} has submitted its decisions for {round_en} ({who_en} submitted them): "
                  "no more changes."),
    "trainer_closes": ("本次研讨按回合进行：培训师为所有队一起结束回合，各队不用自己结束一周。",
                       "This workshop plays in rounds: the trainer closes each round for every team; "
                       "teams do not close weeks themselves."),
    # the trainer's
    "round_open": ("{round_zh}还在进行中（第 {first}–{last} 周）：先结束它，再开始下一回合。",
                   "{round_cap} is still open (weeks {first}–{last}): close it before opening the next one."),
    "no_open_round": ("没有进行中的回合可以结束。", "No round is open to close."),
    "period_over": ("本次研讨的周期已在第 {end} 周结束，不能再开始新回合。",
                    "The workshop's period ended at week {end}: no more rounds."),
    "free_play": ("本次研讨是自由进行的（创建时没有设定每回合的周数），没有回合。",
                  "This workshop plays free (it was created without weeks per round): it has no rounds."),
    "no_practice": ("没有需要重置的练习回合。", "There is no practice round to reset."),
}
WHO = ("一位队友", "a teammate")


class StoreError(ValueError):
    """A workshop store problem: a missing or foreign file, bad input, a week not open, a store that stayed busy.

    ``str(exc)`` is the English message; ``exc.en`` and ``exc.zh`` hold both languages
    (``zh`` falls back to English for messages meant for the trainer or a developer).
    """

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh if zh is not None else en

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.zh if lang == "zh" else self.en


class MoveRefused(StoreError):
    """A move refused: the deal already has a move this week, or the week is not the team's open week."""


def _round_names(number: int) -> dict[str, str]:
    """The round's name in zh and en (number 0 is the practice round), for the messages' fields."""
    zh, en = ("练习回合", "the practice round") if number == 0 else (f"第 {number} 回合", f"round {number}")
    return {"round_zh": zh, "round_en": en, "round_cap": en[0].upper() + en[1:]}


def _clock(text: str) -> str:
    """An ISO UTC time as the local wall clock, HH:MM:SS (what a room reads off its clocks)."""
    return datetime.fromisoformat(text).astimezone().strftime("%H:%M:%S")


def _message(cls: type[StoreError], key: str, **fields: Any) -> StoreError:
    zh, en = TEXT[key]
    return cls(en.format(**fields), zh.format(**fields))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _passed(deadline: str) -> bool:
    return datetime.fromisoformat(deadline) <= datetime.now(timezone.utc)


def _utc(values: Iterable) -> pd.Series:
    """ISO UTC texts (None allowed) as a datetime64[us, UTC] column."""
    return pd.to_datetime(pd.Series(list(values), dtype=object), utc=True, format="ISO8601").astype("datetime64[us, UTC]")


def _round_dict(row: dict) -> dict:
    out = dict(row)
    for key in _ROUND_TIMES:
        out[key] = None if row[key] is None else datetime.fromisoformat(row[key])
    deadline = out["deadline"]
    out["seconds_left"] = None if deadline is None or row["status"] != "open" else \
        max(0.0, (deadline - datetime.now(timezone.utc)).total_seconds())
    return out


def _check_weights(weights: dict, partial: bool = False) -> dict[str, float]:
    """Weights as floats in the order of DEFAULT_WEIGHTS; refused: unknown keys, values not ≥ 0, all 0."""
    unknown = [k for k in weights if k not in DEFAULT_WEIGHTS]
    if unknown:
        raise StoreError(f"unknown score weight {unknown[0]!r}; the weights are: {', '.join(DEFAULT_WEIGHTS)}")
    out = {}
    for key in DEFAULT_WEIGHTS:
        if key not in weights:
            continue
        value = weights[key]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(float(value)) \
                or value < 0:
            raise StoreError(f"score weight {key} must be a number ≥ 0, got {value!r}")
        out[key] = float(value)
    if not partial and (len(out) != len(DEFAULT_WEIGHTS) or not any(out.values())):
        raise StoreError("the score weights must not all be 0", "得分权重不能全部为 0。")
    return out


def scores(board: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """The leaderboard's ``score`` (0–100) and ``rank`` (1 = best; ties share the better rank).

    Each metric of ``weights`` (default :data:`DEFAULT_WEIGHTS`) is scaled min–max across the
    teams, best = 1, worst = 0 — ``booked`` as ``booked_vs_quota`` (revenue booked against
    each team's quota), ``records_entered`` lower is better; all teams equal → 1 each; a team's
    NaN (nothing to measure yet) → 0. The score is ``100 × Σ weight × scaled / Σ weight``.

    Example:
        >>> board = pd.DataFrame({"booked_vs_quota": [0.5, 0.2], "forecast_accuracy": [0.9, 0.9],
        ...                       "progress_vs_benchmark": [1.2, 0.8], "quiz_score": [float("nan"), 0.5],
        ...                       "records_entered": [40, 30]})
        >>> scores(board).round(1).to_dict("list")
        {'score': [70.0, 50.0], 'rank': [1, 2]}
    """
    weights = _check_weights(dict(DEFAULT_WEIGHTS if weights is None else weights))
    total = np.zeros(len(board))
    for key, weight in weights.items():
        values = board[_WEIGHT_COLUMNS.get(key, key)].astype(float)
        lo, hi = values.min(), values.max()
        if hi > lo:
            scaled = (values - lo) / (hi - lo)
            if key in _LOWER_IS_BETTER:
                scaled = 1.0 - scaled
        else:
            scaled = values * 0.0 + 1.0
        total += weight * scaled.fillna(0.0).to_numpy()
    score = pd.Series(100.0 * total / sum(weights.values()), index=board.index).round(9)
    rank = score.rank(method="min", ascending=False)
    return pd.DataFrame({"score": score, "rank": rank.fillna(0).astype(np.int64)}, index=board.index)


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _int(name: str, value: object, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise StoreError(f"{name} must be a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise StoreError(f"{name} must be at least {minimum}, got {value!r}")
    return int(value)


def _text(name: str, value: object, *, limit: int = 200, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise StoreError(f"{name} must be text, got {value!r}")
    value = value.strip()
    if not value and not empty:
        raise StoreError(f"{name} must not be empty")
    if len(value) > limit:
        raise StoreError(f"{name} is longer than {limit} characters: {value[:40]!r}…")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise StoreError(f"{name} contains control characters: {value!r}")
    return value


def _team_names(teams: int | Sequence[str]) -> list[str]:
    if isinstance(teams, (int, np.integer)) and not isinstance(teams, bool):
        n = int(teams)
        if not 1 <= n <= MAX_TEAMS:
            raise StoreError(f"teams must be between 1 and {MAX_TEAMS}, got {n}")
        return [f"team{i + 1}" for i in range(n)]
    if isinstance(teams, str) or not isinstance(teams, Iterable):
        raise StoreError(f"teams must be a number of teams or a list of team names, got {teams!r}")
    names = [_text("team name", t, limit=MAX_NAME, empty=False) for t in teams]
    if not 1 <= len(names) <= MAX_TEAMS:
        raise StoreError(f"give between 1 and {MAX_TEAMS} team names, got {len(names)}")
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise StoreError(f"team name {name!r} is given twice")
        seen.add(name.casefold())
    return names


def _style_json(style: object) -> str | None:
    if style is None:
        return None
    if isinstance(style, str):
        return json.dumps(style)
    if isinstance(style, (tuple, list)) and len(style) == 2 and isinstance(style[0], str):
        return json.dumps([style[0], _int("style contact id", style[1])])
    raise StoreError(f"style must be 'A' … 'D' or (style, contact_id), got {style!r}")


def _style_value(text: str | None) -> Any:
    if text is None:
        return None
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


# Connections inherited by a forked child: kept referenced forever, never used nor closed
# (closing an inherited descriptor would drop the child's own POSIX locks on the file).
_ABANDONED: list[sqlite3.Connection] = []
_STORES: "weakref.WeakSet[WorkshopStore]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for store in list(_STORES):
        store._forget_connections()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _check_header(path: Path) -> None:
    """Refuse, without opening it with SQLite, a file that is not a workshop store."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise StoreError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise StoreError(f"{path}: not a simfunnel workshop store (not an SQLite database); left untouched")
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        raise StoreError(f"{path}: an SQLite database, but not a simfunnel workshop store; left untouched")


def _upgrade(conn: sqlite3.Connection) -> None:
    """Take the store to :data:`SCHEMA_VERSION` inside the caller's transaction (a version read twice is harmless)."""
    current = int(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
    while current < SCHEMA_VERSION:
        for statement in _MIGRATIONS[current]:
            conn.execute(statement)
        current += 1
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(current),))


class _TeamWorld(NamedTuple):
    world: "World"
    effects: tuple
    index: pd.Index  # deal_id → position: the deal's uniform in default_rng([sim_seed, week]).random(n)


class WorkshopStore:
    """The workshop's state in one SQLite file: teams' scenarios, moves, quiz answers, closed weeks.

    Create one with :meth:`init`, open one with :meth:`open`; the constructor is
    :meth:`open`'s. A store object may be used from several threads and the file from
    many processes at once.

    Attributes:
        path: the ``workshop.sqlite`` file.
        busy_timeout: seconds SQLite waits for a lock before the store's own retry takes over.
        busy_deadline: seconds the store keeps retrying a busy database before giving up
            with a :class:`StoreError`.
    """

    def __init__(self, path: str | os.PathLike, *, busy_timeout: float = 5.0, busy_deadline: float = 120.0) -> None:
        p = Path(path)
        if p.is_dir() or (not p.exists() and p.suffix != ".sqlite"):
            p = p / STORE_FILE
        if not p.exists():
            raise StoreError(f"{p}: no workshop store here (create one: simfunnel workshop init --dir {p.parent})")
        if not p.is_file():
            raise StoreError(f"{p}: not a file")
        _check_header(p)
        self.path = p
        self.busy_timeout = float(busy_timeout)
        self.busy_deadline = float(busy_deadline)
        self._local = threading.local()
        self._pid = os.getpid()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.RLock()
        self._worlds: dict[int, World] = {}
        self._team_worlds: dict[tuple, _TeamWorld] = {}
        self._sims: dict[str, tuple[tuple, Simulation, _TeamWorld]] = {}
        _STORES.add(self)
        self._load_meta()

    # --- creating and opening --------------------------------------------------------------
    @classmethod
    def init(
        cls,
        folder: str | os.PathLike,
        teams: int | Sequence[str] = 6,
        seed: int = 2026,
        preset: str = "key-account",
        same_world: bool = False,
        people: bool = False,
        start_week: int = 13,
        accounts: int = 200,
        *,
        period_weeks: int = PERIOD_WEEKS,
        threshold: float = 50_000.0,
        weeks: int = 52,
        currency: str = "CNY",
        weeks_per_round: int = 0,
        pace: str | float = "normal",
    ) -> "WorkshopStore":
        """Create ``folder/workshop.sqlite`` with one scenario per team (see the module's notes).

        Args:
            folder: the workshop folder (created if missing).
            teams: a number of teams (named ``team1`` …) or their names.
            seed: the workshop's seed; every team's world and simulation seeds derive from it.
            preset: the funnel preset.
            same_world: every team plays the same world with the same simulation seed.
            people: switch on the people layer (``PeopleParams()``) for every team.
            start_week: the week play starts from (the simulation warms up to it).
            accounts: accounts per world.
            period_weeks: weeks the workshop plays (one quarter by default).
            threshold: the small-order threshold ``T`` of the leaderboard and boards.
            weeks: weeks of arrivals drawn for each world (≥ start_week + period_weeks).
            currency: currency of the amounts.
            weeks_per_round: simulated weeks per round; 0 (default) is free play: no rounds, each team
                closes its own weeks. With ``K > 0`` the trainer runs rounds (:meth:`open_round`,
                :meth:`close_round`) of ``K`` weeks each (the last one shorter if ``period_weeks``
                is not a multiple of ``K``).
            pace: how fast deals move: ``"normal"`` (the kit's worlds: each week a deal leaves its
                stage with chance 0.3, about 16 weeks through five stages), ``"fast"`` (0.5: most
                deals acted on in a quarter's workshop close within it, so decisions show in revenue,
                not only in the forecast), or that weekly chance itself, in (0, 1]. The stage win
                rates stay the same.

        Raises:
            StoreError: a store (or a stale ``-wal``/``-shm`` file) already there, or bad arguments.
        """
        names = _team_names(teams)
        seed = _int("seed", seed, 0)
        if seed > MAX_SEED:  # team seeds are stored as SQLite INTEGERs (same_world stores the seed itself)
            raise StoreError(f"seed must be at most {MAX_SEED}, got {seed}")
        if preset not in preset_names():
            raise StoreError(f"preset must be one of {', '.join(preset_names())}, got {preset!r}")
        start_week = _int("start_week", start_week, 0)
        period_weeks = _int("period_weeks", period_weeks, 1)
        accounts = _int("accounts", accounts, 1)
        weeks = _int("weeks", weeks, 1)
        if start_week + period_weeks > weeks:
            raise StoreError(f"start_week + period_weeks ({start_week} + {period_weeks}) exceeds the world's {weeks} weeks")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) \
                or not math.isfinite(float(threshold)) or threshold < 0:
            raise StoreError(f"threshold must be an amount ≥ 0, got {threshold!r}")
        currency = _text("currency", currency, limit=10, empty=False)
        weeks_per_round = _int("weeks_per_round", weeks_per_round, 0)
        exit_hazard = PACES.get(pace, pace) if isinstance(pace, str) else pace
        if isinstance(exit_hazard, str) or isinstance(exit_hazard, bool) \
                or not isinstance(exit_hazard, (int, float, np.number)) or not 0 < float(exit_hazard) <= 1:
            raise StoreError(f"pace must be {' or '.join(repr(k) for k in PACES)} or a weekly chance in (0, 1], "
                             f"got {pace!r}")
        if weeks_per_round > period_weeks:
            raise StoreError(f"weeks_per_round ({weeks_per_round}) exceeds the period's {period_weeks} weeks")
        config = {
            "seed": seed, "preset": preset, "same_world": bool(same_world), "people": bool(people),
            "start_week": start_week, "period_weeks": period_weeks, "accounts": accounts, "weeks": weeks,
            "threshold": float(threshold), "currency": currency, "weeks_per_round": weeks_per_round,
            "coupling": "monotone",  # how a week's draw maps to an outcome (simulate.COUPLINGS)
            "exit_hazard": float(exit_hazard),  # the pace: a deal's weekly chance of leaving its stage
        }
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"{folder}: not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / STORE_FILE
        if final.exists():
            raise StoreError(f"{final}: a workshop store already exists here; open it, or choose another folder")
        for extra in ("-wal", "-shm"):
            stale = final.with_name(final.name + extra)
            if stale.exists():
                raise StoreError(f"{stale}: left over from an earlier store; remove it before creating a new one")
        tmp = folder / f".{STORE_FILE}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        try:
            conn = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA_V1:  # version 1, then the upgrades: one schema, new or upgraded
                    conn.execute(statement)
                meta = {"application": APPLICATION, "schema_version": "1",
                        "config": json.dumps(config, sort_keys=True), "created_at": _now()}
                conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
                _upgrade(conn)
                for i, name in enumerate(names):
                    if same_world:
                        world_seed = sim_seed = seed
                    else:
                        world_seed, sim_seed = (int(x) for x in np.random.SeedSequence([seed, i]).generate_state(2))
                    conn.execute("INSERT INTO teams (team, position, world_seed, sim_seed) VALUES (?, ?, ?, ?)",
                                 (name, i, world_seed, sim_seed))
                conn.execute("COMMIT")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            try:
                os.link(tmp, final)  # atomic, and fails if a store appeared meanwhile
            except FileExistsError:
                raise StoreError(f"{final}: a workshop store already exists here; open it, "
                                 "or choose another folder") from None
            except OSError:  # a file system without hard links
                if final.exists():
                    raise StoreError(f"{final}: a workshop store already exists here") from None
                os.replace(tmp, final)
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
                leftover.unlink(missing_ok=True)
        return cls(final)

    @classmethod
    def open(cls, path: str | os.PathLike, *, busy_timeout: float = 5.0, busy_deadline: float = 120.0) -> "WorkshopStore":
        """Open a store: the workshop folder or its ``workshop.sqlite``.

        Raises:
            StoreError: no store there, a file that is not a workshop store (refused from
                its header bytes, left untouched), or another schema version.
        """
        return cls(path, busy_timeout=busy_timeout, busy_deadline=busy_deadline)

    def _load_meta(self) -> None:
        def read(conn: sqlite3.Connection) -> tuple[dict, list]:
            try:
                meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    raise
                raise StoreError(f"{self.path}: not a complete workshop store (no meta table: {exc})") from None
            if meta.get("application") != APPLICATION:
                raise StoreError(f"{self.path}: not a simfunnel workshop store (meta names {meta.get('application')!r})")
            version = meta.get("schema_version", "?")
            if version != str(SCHEMA_VERSION):
                if version.isdigit() and int(version) in _MIGRATIONS and int(version) < SCHEMA_VERSION:
                    return meta, []
                newer = version.isdigit() and int(version) > SCHEMA_VERSION
                why = "made by a newer simfunnel; upgrade simfunnel" if newer else "no upgrade path"
                raise StoreError(f"{self.path}: workshop store schema version {version}; this simfunnel reads "
                                 f"version {SCHEMA_VERSION} ({why})")
            teams = conn.execute("SELECT team, position, world_seed, sim_seed FROM teams ORDER BY position").fetchall()
            return meta, teams

        try:
            meta, teams = self._transaction(read, write=False)
        except StoreError:
            self.close()
            raise
        if meta["schema_version"] != str(SCHEMA_VERSION):
            self._migrate(int(meta["schema_version"]))
            meta, teams = self._transaction(read, write=False)
        try:
            self.config: dict[str, Any] = json.loads(meta["config"])
        except (KeyError, json.JSONDecodeError) as exc:
            self.close()
            raise StoreError(f"{self.path}: the workshop configuration cannot be read ({exc})") from None
        self.created_at = meta.get("created_at", "")
        self._teams = {name: {"position": pos, "world_seed": ws, "sim_seed": ss} for name, pos, ws, ss in teams}

    def _migrate(self, version: int) -> None:
        if any(v not in _MIGRATIONS for v in range(version, SCHEMA_VERSION)):
            raise StoreError(f"{self.path}: no upgrade from schema version {version} to {SCHEMA_VERSION}")
        self._transaction(_upgrade)

    # --- connections and transactions ----------------------------------------------------------
    def _forget_connections(self) -> None:
        """In a forked child: set the parent's connections aside (never used, never closed)."""
        _ABANDONED.extend(self._connections)
        self._connections = []
        self._local = threading.local()
        self._pid = os.getpid()
        self._lock = threading.RLock()

    def _connection(self) -> sqlite3.Connection:
        if self._pid != os.getpid():
            self._forget_connections()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # mode=rw: never create a file (a store deleted under us is an error, not a new empty database)
            conn = sqlite3.connect(f"file:{quote(str(self.path.resolve()))}?mode=rw", uri=True,
                                   timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA foreign_keys = ON")
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def _transaction(self, fn: Callable[[sqlite3.Connection], Any], write: bool = True) -> Any:
        """Run ``fn(conn)`` in one transaction (``BEGIN IMMEDIATE`` for writes), retrying while the file is busy."""
        deadline = time.monotonic() + self.busy_deadline
        attempt = 0
        while True:
            try:
                conn = self._connection()
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    result = fn(conn)
                    conn.execute("COMMIT")
                    return result
                except BaseException:
                    if conn.in_transaction:
                        try:
                            conn.execute("ROLLBACK")
                        except sqlite3.Error:
                            self._drop_connection()
                    raise
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise StoreError(f"{self.path}: {exc}") from None
                attempt += 1
                if time.monotonic() >= deadline:
                    raise StoreError(f"{self.path}: the workshop store stayed busy for {self.busy_deadline:g} s; "
                                     "try again") from None
                pause = min(0.25, 0.002 * 2 ** min(attempt, 10)) * (0.5 + random.random())
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.IntegrityError):
                    raise
                raise StoreError(f"{self.path}: {exc}") from None

    def close(self) -> None:
        """Close this object's connections (the file stays as it is; reopen with :meth:`open`)."""
        with self._lock:
            conns, self._connections = self._connections, []
            self._local = threading.local()
        if self._pid != os.getpid():
            _ABANDONED.extend(conns)
            return
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def __enter__(self) -> "WorkshopStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"WorkshopStore({str(self.path)!r}, teams={self.teams!r})"

    # --- teams and scenarios ------------------------------------------------------------------
    @property
    def teams(self) -> list[str]:
        """Team names in the order given at ``init``."""
        return list(self._teams)

    def _team(self, team: object) -> dict:
        info = self._teams.get(team) if isinstance(team, str) else None
        if info is None:
            raise _message(StoreError, "unknown_team", team=team, teams=", ".join(self._teams))
        return info

    @property
    def start_week(self) -> int:
        """The week play starts from."""
        return int(self.config["start_week"])

    @property
    def end_week(self) -> int:
        """The last week of the workshop's period (``start_week + period_weeks``)."""
        return int(self.config["start_week"]) + int(self.config["period_weeks"])

    def scenario(self, team: str) -> dict:
        """The team's scenario: seeds, preset, accounts, weeks, threshold, quota, people.

        ``quota`` is the world's expected quarterly bookings scaled to ``period_weeks``.
        """
        info = self._team(team)
        c = self.config
        return {
            "team": team, "position": info["position"], "world_seed": info["world_seed"],
            "sim_seed": info["sim_seed"], "preset": c["preset"], "accounts": c["accounts"], "weeks": c["weeks"],
            "start_week": c["start_week"], "period_weeks": c["period_weeks"], "end_week": self.end_week,
            "threshold": c["threshold"], "quota": self._quota(team), "people": c["people"],
            "same_world": c["same_world"], "currency": c["currency"],
        }

    def _quota(self, team: str) -> float:
        # the world as drawn (market events never move the target set before play)
        return float(self._base_world(team).quota) * int(self.config["period_weeks"]) / PERIOD_WEEKS

    def _base_world(self, team: str) -> "World":
        seed = self._team(team)["world_seed"]
        with self._lock:
            world = self._worlds.get(seed)
            if world is None:
                from simfunnel.model.generate import WorldParams, generate

                c = self.config
                hazard = c.get("exit_hazard", DEFAULT_EXIT_HAZARD)  # stores made before the pace: normal
                params = None if hazard == DEFAULT_EXIT_HAZARD else WorldParams(exit_hazard=hazard)
                world = generate(c["accounts"], seed=seed, funnel=c["preset"], weeks=c["weeks"],
                                 currency=c["currency"], params=params)
                self._worlds[seed] = world
            return world

    def _team_world(self, team: str, events: tuple[tuple, ...]) -> "_TeamWorld":
        """The team's world with ``events`` (rows of the events table) applied, kept per store object."""
        key = (self._team(team)["world_seed"], tuple(e[0] for e in events))
        with self._lock:
            tw = self._team_worlds.get(key)
            if tw is None:
                base = self._base_world(team)
                if events:
                    from simfunnel.model.events import apply_events

                    try:
                        world, effects = apply_events(base, [self._market_event(e) for e in events])
                    except ValueError as exc:
                        raise StoreError(f"{self.path}: team {team}'s market events cannot be applied ({exc})") from None
                    effects = tuple(effects)
                else:
                    world, effects = base, ()
                tw = _TeamWorld(world, effects, pd.Index(world.deals["deal_id"].to_numpy()))
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

    def _new_simulation(self, team: str, tw: "_TeamWorld") -> "Simulation":
        from simfunnel.model.simulate import Simulation

        people = None
        if self.config["people"]:
            from simfunnel.model.people import PeopleParams

            people = PeopleParams()
        kwargs = {"effects": tw.effects} if tw.effects else {}  # no events: exactly the plain simulation
        # A store made before the monotone coupling has no "coupling" key: it replays as it was played.
        kwargs["coupling"] = self.config.get("coupling", "classic")
        sim = Simulation(tw.world, seed=self._team(team)["sim_seed"], people=people, **kwargs)
        for _ in range(self.start_week):
            sim.step()
        return sim

    def _step(self, sim: "Simulation", actions: dict, styles: dict) -> None:
        sim.step(actions, styles if sim.people is not None else None)

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
        sql = f"SELECT {', '.join(_MOVE_COLUMNS)} FROM moves"
        args: tuple = ()
        if team is not None:
            sql += " WHERE team = ?"
            args = (team,)
        rows = self._transaction(lambda c: c.execute(sql + " ORDER BY id", args).fetchall(), write=False)
        df = pd.DataFrame(rows, columns=list(_MOVE_COLUMNS))
        for col in ("id", "week", "deal_id", "sim_seed"):
            df[col] = df[col].astype(np.int64)
        df["round"] = pd.array([None if v is None else int(v) for v in df["round"]], dtype="Int64")  # None: free play
        for col in ("team", "action", "outcome", "from_stage", "to_stage", "trainee", "reply_id", "answer",
                    "withdrawn_by"):
            df[col] = df[col].astype(object)
        df["style"] = pd.Series([_style_value(s) for s in df["style"]], index=df.index, dtype=object)
        df["draw"] = df["draw"].astype(float)
        df["correct"] = pd.array([None if v is None else bool(v) for v in df["correct"]], dtype="boolean")
        df["withdrawn"] = df["withdrawn"].astype(bool)
        for col in ("created_at", "answered_at", "withdrawn_at"):
            df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601").astype("datetime64[us, UTC]")
        return df

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

    # --- writing ------------------------------------------------------------------------------
    def _week_refusal(self, conn: sqlite3.Connection, team: str, week: int, open_week: int) -> StoreError:
        if week <= self.start_week:
            return _message(MoveRefused, "before", week=week, first=self.start_week + 1)
        if week < open_week:
            row = conn.execute("SELECT closed_by FROM weeks WHERE team = ? AND week = ?", (team, week)).fetchone()
            who = row[0] if row and row[0] else ""
            return _message(MoveRefused, "closed", week=week, open=open_week, who_zh=who or WHO[0],
                            who_en=who or WHO[1])
        if open_week > self.end_week:
            return _message(MoveRefused, "ended", end=self.end_week)
        return _message(MoveRefused, "not_open", week=week, open=open_week, team=team)

    def _open_week_in(self, conn: sqlite3.Connection, team: str) -> int:
        closed = conn.execute("SELECT weeks_closed FROM teams WHERE team = ?", (team,)).fetchone()[0]
        return self.start_week + closed + 1

    def _check_open(self, conn: sqlite3.Connection, team: str, week: int) -> None:
        open_week = self._open_week_in(conn, team)
        if week != open_week or open_week > self.end_week:
            raise self._week_refusal(conn, team, week, open_week)

    def _taken(self, team: str, week: int, deal_id: int, action: str, trainee: str) -> MoveRefused:
        from simfunnel.model.actions import PEOPLE_ACTIONS_BY_KEY
        from simfunnel.model.actions import ACTIONS_BY_KEY

        act = ACTIONS_BY_KEY.get(action) or PEOPLE_ACTIONS_BY_KEY.get(action)
        zh, en = (act.zh, act.en) if act is not None else (action, action)
        return _message(MoveRefused, "taken", deal=deal_id, week=week, action_zh=zh, action_en=en,
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
        week = _int("week", week)
        deal_id = _int("deal_id", deal_id)
        action = _text("action", action, limit=60, empty=False)
        trainee = _text("trainee", trainee, limit=MAX_NAME)
        if reply_id is not None:
            reply_id = _text("reply_id", reply_id, limit=60)
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
                raise _message(MoveRefused, "ended", end=self.end_week)
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
        true = {"outcome": str(preview["outcome"].iloc[0]), "from_stage": str(preview["from_stage"].iloc[0]),
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
                raise _message(MoveRefused, "changed")
            row = conn.execute("SELECT action, trainee FROM moves WHERE team = ? AND week = ? AND deal_id = ? "
                               "AND withdrawn = 0", (team, week, deal_id)).fetchone()
            if row is not None:
                raise self._taken(team, week, deal_id, row[0], row[1])
            cur = conn.execute(
                "INSERT INTO moves (team, week, round, deal_id, action, style, outcome, from_stage, to_stage, trainee, "
                "reply_id, sim_seed, draw, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (team, week, number, deal_id, action, style_json, true["outcome"], true["from_stage"],
                 true["to_stage"], trainee, reply_id, info["sim_seed"], draw, _now()))
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
            raise _message(StoreError, "no_move", deal=deal_id, week=week)
        return row

    def classify(self, team: str, week: int, deal_id: int, answer: str, correct: bool | None = None) -> None:
        """Store the trainee's classification of the reply to a move of the open week.

        ``correct`` is checked against :func:`simfunnel.model.replies.is_correct` of the stored
        outcome (``None``: computed). Classifying again with the same answer does nothing.

        Raises:
            StoreError: no such move, an answer not among the four outcomes, another answer
                already stored, a ``correct`` that does not match, or a week not open.
        """
        from simfunnel.model.replies import is_correct

        self._team(team)
        week, deal_id = _int("week", week), _int("deal_id", deal_id)
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
                raise _message(StoreError, "answered", deal=deal_id, week=week, answer=stored)
            conn.execute("UPDATE moves SET answer = ?, correct = ?, answered_at = ? WHERE id = ?",
                         (answer, int(right), _now(), move_id))

        self._transaction(update)

    def withdraw(self, team: str, week: int, deal_id: int, *, trainee: str = "") -> None:
        """Withdraw (undo) the move on a deal in the open week; it stays in the table, flagged withdrawn.

        In rounds mode only while the round is open, before its deadline and before the team
        has submitted.

        Raises:
            StoreError: no move on that deal this week, or a week not open (closed weeks are final).
        """
        self._team(team)
        week, deal_id = _int("week", week), _int("deal_id", deal_id)
        trainee = _text("trainee", trainee, limit=MAX_NAME)

        def update(conn: sqlite3.Connection) -> None:
            if self.rounds_mode:
                self._check_round(conn, team, week)
            self._check_open(conn, team, week)
            move_id = self._active_move(conn, team, week, deal_id)[0]
            conn.execute("UPDATE moves SET withdrawn = 1, withdrawn_by = ?, withdrawn_at = ? WHERE id = ?",
                         (trainee, _now(), move_id))

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
        week = _int("week", week)
        trainee = _text("trainee", trainee, limit=MAX_NAME)
        if self.rounds_mode:
            raise _message(MoveRefused, "trainer_closes")

        def update(conn: sqlite3.Connection) -> bool:
            open_week = self._open_week_in(conn, team)
            if week < open_week:
                return False
            if open_week > self.end_week:
                raise _message(StoreError, "ended", end=self.end_week)
            if week > open_week:
                raise _message(StoreError, "not_open", week=week, open=open_week, team=team)
            conn.execute("INSERT INTO weeks (team, week, closed_at, closed_by) VALUES (?, ?, ?, ?)",
                         (team, week, _now(), trainee))
            conn.execute("UPDATE teams SET weeks_closed = weeks_closed + 1 WHERE team = ?", (team,))
            return True

        return bool(self._transaction(update))

    # --- rounds (weeks_per_round > 0) ---------------------------------------------------------
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
            raise _message(StoreError, "free_play")

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
            raise _message(MoveRefused, "no_round")
        names = _round_names(row["number"])
        if row["deadline"] is not None and _passed(row["deadline"]):
            raise _message(MoveRefused, "time_up", deadline=_clock(row["deadline"]), **names)
        if week != row["first_week"]:
            raise _message(MoveRefused, "round_week", week=week, first=row["first_week"], last=row["last_week"],
                           **names)
        sub = conn.execute("SELECT trainee FROM submissions WHERE team = ? AND round = ?",
                           (team, row["number"])).fetchone()
        if sub is not None:
            raise _message(MoveRefused, "submitted", team=team, who_zh=sub[0] or WHO[0], who_en=sub[0] or WHO[1],
                           **names)
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
        by = _text("by", by, limit=MAX_NAME)
        self.tick()

        def opening(conn: sqlite3.Connection) -> dict:
            current = self._round_where(conn, "status = 'open'")
            if current is not None:
                raise _message(StoreError, "round_open", first=current["first_week"], last=current["last_week"],
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
                raise _message(StoreError, "period_over", end=self.end_week)
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
        """The open round (after :meth:`tick`), or None.

        Keys: the ``rounds`` table's columns (id, number — 0 for practice —, kind, first_week,
        last_week, status, opened_at, opened_by, deadline, closed_at, closed_by, reset_at,
        reset_by; times as UTC datetimes) and ``seconds_left`` (None without a timer).
        """
        if not self.rounds_mode:
            return None
        self.tick()
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
            df[col] = _utc(df[col])
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
        trainee = _text("trainee", trainee, limit=MAX_NAME)

        def submitting(conn: sqlite3.Connection) -> bool:
            row = self._round_where(conn, "status = 'open'")
            if row is None:
                raise _message(MoveRefused, "no_round")
            if conn.execute("SELECT 1 FROM submissions WHERE team = ? AND round = ?",
                            (team, row["number"])).fetchone() is not None:
                return False
            self._check_round(conn, team, row["first_week"])
            conn.execute("INSERT INTO submissions (team, round, trainee, submitted_at, is_default) "
                         "VALUES (?, ?, ?, ?, 0)", (team, row["number"], trainee, _now()))
            return True

        return bool(self._transaction(submitting))

    def round_status(self) -> pd.DataFrame:
        """Who has submitted in the open round (after :meth:`tick`), else in the last round played.

        One row per team: team, round, submitted (bool), submitted_at (UTC), moves (in the
        round, not withdrawn), trainee (who submitted), is_default (the default decision
        recorded at the round's close: no move, no submission). No rows before the first round.
        """
        self._rounds_only()
        self.tick()

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
        df["submitted_at"] = _utc(df["submitted_at"])
        return df

    def submissions(self) -> pd.DataFrame:
        """Every submission, oldest first: team, round, trainee, submitted_at (UTC), is_default (the default
        decision recorded at a round's close for a team that neither moved nor submitted)."""
        rows = self._transaction(lambda c: c.execute(
            "SELECT s.team, s.round, s.trainee, s.submitted_at, s.is_default FROM submissions s "
            "JOIN teams t ON t.team = s.team ORDER BY s.submitted_at, t.position").fetchall(), write=False)
        df = pd.DataFrame(rows, columns=["team", "round", "trainee", "submitted_at", "is_default"], dtype=object)
        df = df.astype({"round": np.int64, "is_default": bool})
        df["submitted_at"] = _utc(df["submitted_at"])
        return df

    def tick(self) -> bool:
        """Close the open round if its deadline has passed; True if this call closed it.

        Cheap when nothing is due (one read). Any number of processes and threads may call
        it at once: the round is closed exactly once (``closed_by = 'timer'``), in one
        transaction, like :meth:`close_round` (without computing its summary).
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
        by = _text("by", by, limit=MAX_NAME, empty=False)

        def closing(conn: sqlite3.Connection) -> int:
            row = self._round_where(conn, "status = 'open'")
            if row is None:
                raise _message(StoreError, "no_open_round")
            self._close_in(conn, row, by)
            return int(row["id"])

        return self._summary(self._transaction(closing))

    def _close_in(self, conn: sqlite3.Connection, row: dict, by: str) -> None:
        now = _now()
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
            ("status = 'closed' AND number = ?", (_int("number", number, 0),))
        row = self._transaction(lambda c: self._round_where(c, where, args), write=False)
        if row is None:
            raise StoreError("no round closed yet" if number is None else f"round {number} has not been closed")
        return self._summary(int(row["id"]))

    def _summary(self, round_id: int) -> pd.DataFrame:
        from simfunnel.analysis.metrics import indicators

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
        by = _text("by", by, limit=MAX_NAME, empty=False)

        def resetting(conn: sqlite3.Connection) -> int:
            row = self._round_where(conn, "kind = 'practice' AND status IN ('open', 'closed')")
            if row is None:
                raise _message(StoreError, "no_practice")
            return self._reset_practice_in(conn, row, by)

        return int(self._transaction(resetting))

    def _reset_practice_in(self, conn: sqlite3.Connection, row: dict, by: str) -> int:
        now, first = _now(), row["first_week"]
        withdrawn = conn.execute(
            "UPDATE moves SET withdrawn = 1, withdrawn_by = ?, withdrawn_at = ? "
            "WHERE round = 0 AND week >= ? AND withdrawn = 0", (PRACTICE_RESET, now, first)).rowcount
        conn.execute("DELETE FROM weeks WHERE week >= ?", (first,))
        conn.execute("UPDATE teams SET weeks_closed = ?, resets = resets + 1", (first - 1 - self.start_week,))
        conn.execute("DELETE FROM submissions WHERE round = 0")
        conn.execute("UPDATE rounds SET status = 'reset', reset_at = ?, reset_by = ?, closed_at = COALESCE(closed_at, ?), "
                     "closed_by = COALESCE(closed_by, ?) WHERE id = ?", (now, by, now, by, row["id"]))
        return withdrawn

    # --- market events ----------------------------------------------------------------------------
    def _event_round(self, week: int) -> int:
        """The round an event's week falls in (free play: each week is a round)."""
        return (week - self.start_week - 1) // max(self.weeks_per_round, 1) + 1

    @staticmethod
    def _market_event(row: tuple) -> Any:
        from simfunnel.model.events import MarketEvent

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
        from simfunnel.model.events import EVENT_KINDS, MarketEvent, apply_events

        if not isinstance(kind, str) or kind not in EVENT_KINDS:
            raise StoreError(f"unknown market event {kind!r}; the catalogue: {', '.join(EVENT_KINDS)}")
        if team is not None:
            self._team(team)
        by = _text("by", by, limit=MAX_NAME)
        if round is not None and week is not None:
            raise StoreError("give the event's round or its week, not both")
        if round is not None:
            self._rounds_only()
            round = _int("round", round, 1)
        if week is not None:
            week = _int("week", week, self.start_week + 1)
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
                                 f"市场事件「{label}」：{what_zh}在本次研讨的最后一周（第 {self.end_week} 周）之后。")
            if target < earliest:
                hint = " (reset the practice round to schedule events for its weeks)" if practice is not None else ""
                where = "is in the open round" if self.rounds_mode else "is the open week"
                raise StoreError(f"market event {kind}: {what} has been played or {where}; events hit "
                                 f"coming weeks only, from week {earliest}{hint}",
                                 f"市场事件「{label}」：{what_zh}已经进行过或正在进行；事件只能安排在之后的周，"
                                 f"从第 {earliest} 周起" + ("（重置练习回合后才能安排在它的周）" if hint else "") + "。")
            cur = conn.execute("INSERT INTO events (kind, team, week, params, seed, created_at, created_by) "
                               "VALUES (?, ?, ?, ?, 0, ?, ?)", (kind, team, target, params_json, _now(), by))
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
        team it hits), text (:func:`simfunnel.model.events.describe` in ``lang``). ``hidden=False``:
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
        out = []
        for event_id, kind, who, week, params, seed, created_at, created_by in rows:
            from simfunnel.model.events import describe

            hit_teams = [who] if who is not None else ([team] if team is not None else self.teams)
            event = self._market_event((event_id, kind, who, week, params, seed))
            out.append({"id": event_id, "kind": kind, "team": who, "week": week, "round": self._event_round(week),
                        "params": dict(event.params), "seed": seed, "created_at": created_at,
                        "created_by": created_by, "hit": all(week <= weeks[t] for t in hit_teams),
                        "text": describe(event, lang)})
        df = pd.DataFrame(out, columns=list(_EVENT_COLUMNS), dtype=object)
        for col in ("id", "week", "round", "seed"):
            df[col] = df[col].astype(np.int64)
        df["hit"] = df["hit"].astype(bool)
        df["created_at"] = _utc(df["created_at"])
        if not hidden:
            df = df[df["hit"]].reset_index(drop=True)
        return df

    # --- scoring ------------------------------------------------------------------------------
    @property
    def weights(self) -> dict[str, float]:
        """The leaderboard score's weights (:data:`DEFAULT_WEIGHTS` until the trainer sets them)."""
        text = self._transaction(lambda c: c.execute(
            "SELECT value FROM meta WHERE key = 'score_weights'").fetchone(), write=False)
        return _check_weights(json.loads(text[0])) if text else dict(DEFAULT_WEIGHTS)

    def set_weights(self, **weights: float) -> dict[str, float]:
        """Set some of the score's weights (the others keep theirs); returns all of them.

        Raises:
            StoreError: an unknown metric, a weight that is not a number ≥ 0, or all weights 0.
        """
        given = _check_weights(weights, partial=True)

        def update(conn: sqlite3.Connection) -> dict[str, float]:
            row = conn.execute("SELECT value FROM meta WHERE key = 'score_weights'").fetchone()
            merged = _check_weights({**(json.loads(row[0]) if row else DEFAULT_WEIGHTS), **given})
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('score_weights', ?)", (json.dumps(merged),))
            return merged

        return self._transaction(update)

    # --- the leaderboard ----------------------------------------------------------------------
    def leaderboard(self) -> pd.DataFrame:
        """One row per team (in the order of ``init``), from each team's replayed history.

        With ``s = start_week``, ``n = period_weeks``, ``w`` = the team's current week,
        ``T`` = the workshop's threshold, ``Q`` = the team's quota (:meth:`scenario`) and
        ``I = metrics.indicators(history, Q, T, start_week=s, period_weeks=n)`` (rows
        ``t = 0 … w − s``):

        - ``week``: ``w``; ``weeks_played``: ``w − s``; ``moves``: moves not withdrawn.
        - ``booked``: revenue booked in the weeks played, ``B`` of I's last row (won amounts
          of weeks ``s+1 … w``, in and out of the funnel); ``quota``: ``Q``;
          ``booked_vs_quota``: ``booked / Q``.
        - ``forecast_accuracy``: ``max(0, 1 − mean |forecast_error|)`` over I's rows: how
          close the forecast came to what the deals then brought, as a share of the quota
          (deals still open are censored, as in ``indicators``).
        - ``progress_vs_benchmark``: mean ``progress`` over ``t = 1 … w − s`` divided by
          ``benchmark`` (1 = on pace for the quota; NaN before a week is played or when the
          benchmark is ≤ 0).
        - ``records_entered``: ``metrics.records_entered(history, T, s, n)`` (weeks played).
        - ``quiz_answered``: replies classified (moves not withdrawn); ``quiz_score``: the
          share of them classified correctly (NaN when none).
        - ``score`` and ``rank``: the trainer's weighted mix of booked (against quota), forecast
          accuracy, progress against the benchmark, quiz score and records entered (fewer is
          better), see :func:`scores` and :attr:`weights`.

        Withdrawn moves never count: a reset practice round leaves no trace here.
        """
        from simfunnel.analysis.metrics import indicators, records_entered

        moves = self.moves()
        live = moves[~moves["withdrawn"]]
        s, n = self.start_week, int(self.config["period_weeks"])
        threshold = float(self.config["threshold"])
        rows = []
        for team in self.teams:
            with self._lock:
                sim = self._synced(team)
                history = sim.history
                quota = self._quota(team)
                table = indicators(history, quota, threshold, start_week=s, period_weeks=n)
                records = records_entered(history, threshold, start_week=s, period_weeks=n)
            mine = live[live["team"] == team]
            answered = mine[mine["answer"].notna()]
            progress = table["progress"].iloc[1:]
            bench = float(table["benchmark"].iloc[0])
            booked = float(table["booked"].iloc[-1])
            rows.append({
                "team": team, "week": int(sim.week), "weeks_played": int(sim.week - s), "moves": len(mine),
                "booked": booked, "quota": quota, "booked_vs_quota": booked / quota if quota > 0 else math.nan,
                "forecast_accuracy": max(0.0, 1.0 - float(table["forecast_error"].abs().mean())),
                "progress_vs_benchmark": float(progress.mean()) / bench if len(progress) and bench > 0 else math.nan,
                "records_entered": int(records),
                "quiz_score": float(answered["correct"].astype(bool).mean()) if len(answered) else math.nan,
                "quiz_answered": len(answered),
            })
        df = pd.DataFrame(rows, columns=list(LEADERBOARD_COLUMNS[:-2]))
        df = df.astype({"week": np.int64, "weeks_played": np.int64, "moves": np.int64, "records_entered": np.int64,
                        "quiz_answered": np.int64})
        return pd.concat([df, scores(df, self.weights)], axis=1)

    # --- export -------------------------------------------------------------------------------
    def export(self, path: str | os.PathLike) -> list[Path]:
        """Write the moves and the leaderboard, safe to open in Excel; returns the files written.

        ``.xlsx``: one workbook with the sheets ``moves`` and ``leaderboard``. ``.csv``: the
        moves in ``path`` and the leaderboard in ``<stem>-leaderboard.csv`` (UTF-8 with a
        BOM, so Excel shows Chinese). Text cells starting with ``=``, ``+``, ``-``, ``@``
        (or their full-width forms), a tab or a carriage return get a leading ``'`` so
        Excel never runs them as formulas; numbers stay numbers. Timestamps are UTC text.

        Raises:
            StoreError: another suffix.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise StoreError(f"{path}: export to .csv or .xlsx")
        moves = _excel_safe(self.moves())
        board = _excel_safe(self.leaderboard())
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".xlsx":
            def write_xlsx(tmp: Path) -> None:
                with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                    moves.to_excel(writer, sheet_name="moves", index=False)
                    board.to_excel(writer, sheet_name="leaderboard", index=False)

            _write_atomic(path, write_xlsx)
            return [path]
        board_path = path.with_name(f"{path.stem}-leaderboard.csv")
        _write_atomic(path, lambda tmp: moves.to_csv(tmp, index=False, encoding="utf-8-sig"))
        _write_atomic(board_path, lambda tmp: board.to_csv(tmp, index=False, encoding="utf-8-sig"))
        return [path, board_path]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def excel_safe_text(value: object) -> object:
    """A text cell made safe for Excel (a leading ``'`` before a formula character); other values as they are.

    Example:
        >>> excel_safe_text("=1+1"), excel_safe_text("-2"), excel_safe_text("ok"), excel_safe_text(-2)
        ("'=1+1", "'-2", 'ok', -2)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(object).where(s.notna(), None)
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = pd.Series([excel_safe_text(json.dumps(list(v)) if isinstance(v, tuple) else v) for v in s],
                                 index=s.index, dtype=object)
    out.columns = [excel_safe_text(str(c)) for c in out.columns]
    return out


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _demo_settings(store: WorkshopStore, moves_per_week: Sequence[int] | None,
                   skill: Sequence[float] | None) -> tuple[list[int], list[float]]:
    n = len(store.teams)
    counts = list(moves_per_week) if moves_per_week is not None else [2 * (i + 1) for i in range(n)]
    skills = list(skill) if skill is not None else [0.5 + 0.4 * i / max(n - 1, 1) for i in range(n)]
    if len(counts) != n or len(skills) != n:
        raise ValueError(f"moves_per_week and skill need one value per team ({n})")
    return counts, skills


def _demo_moves(store: WorkshopStore, i: int, team: str, week: int, count: int, skill: float,
                rng: np.random.Generator) -> None:
    """Stand-in trainee ``demo-<i+1>``: ``count`` advance moves on the team's largest open deals, replies classified."""
    from simfunnel.model.replies import is_correct
    from simfunnel.model.actions import actions_for

    sim = store.simulation(team)
    deals = sim.history.deals
    open_deals = deals[deals["status"].astype(str) == "open"].sort_values(["amount", "deal_id"], ascending=[False, True])
    for deal_id, stage in list(zip(open_deals["deal_id"], open_deals["stage"].astype(str)))[:count]:
        choices = [a.key for a in actions_for(sim.funnel, stage) if a.kind == "advance"]
        store.record_move(team, week, int(deal_id), str(rng.choice(choices)), trainee=f"demo-{i + 1}")
        outcome = store.moves(team).iloc[-1]["outcome"]
        answer = outcome if rng.random() < skill else str(rng.choice([o for o in OUTCOMES if o != outcome]))
        store.classify(team, week, int(deal_id), answer, is_correct(answer, outcome))


def _new_moves(store: WorkshopStore, first: int) -> pd.DataFrame:
    moves = store.moves()
    return moves[moves["id"] >= first].reset_index(drop=True)


def _next_move_id(store: WorkshopStore) -> int:
    moves = store.moves()
    return int(moves["id"].max()) + 1 if len(moves) else 0


def play_demo(store: WorkshopStore, weeks: int = 3, seed: int = 0, moves_per_week: Sequence[int] | None = None,
              skill: Sequence[float] | None = None) -> pd.DataFrame:
    """Play a few weeks for every team as stand-in trainees (free play): a rehearsal, a demo, a test.

    Each week, team *i* acts on its ``moves_per_week[i]`` largest open deals (default
    2, 4, 6, … moves) with a seeded random advance action that fits the deal's stage,
    classifies each reply (right with chance ``skill[i]``, default 0.5 … 0.9; a wrong
    answer is another outcome drawn at random) and closes the week. Everything goes
    through the public API (:meth:`~WorkshopStore.record_move`,
    :meth:`~WorkshopStore.classify`, :meth:`~WorkshopStore.close_week`), so the demo
    store is like one real trainees wrote; the same ``seed`` gives the same moves.
    For a store in rounds mode see :func:`play_demo_round`.

    Returns:
        :meth:`~WorkshopStore.moves` of the moves made.

    Example:
        >>> import tempfile
        >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=5, accounts=40)
        >>> moves = play_demo(store, weeks=2, seed=1)
        >>> [store.week(t) for t in store.teams], len(moves)
        ([15, 15], 12)
    """
    weeks = _int("weeks", weeks, minimum=0)
    counts, skills = _demo_settings(store, moves_per_week, skill)
    first = _next_move_id(store)
    for i, team in enumerate(store.teams):
        rng = np.random.default_rng([int(seed), i])
        for _ in range(weeks):
            week = store.week(team) + 1
            if week > store.end_week:
                break
            _demo_moves(store, i, team, week, counts[i], skills[i], rng)
            store.close_week(team, week, trainee=f"demo-{i + 1}")
    return _new_moves(store, first)


def play_demo_round(store: WorkshopStore, seed: int = 0, moves_per_week: Sequence[int] | None = None,
                    skill: Sequence[float] | None = None, late: Sequence[str] = ()) -> pd.DataFrame:
    """Stand-in teams play the open round (rounds mode): moves in its first week, replies classified, submitted.

    As :func:`play_demo`, for the round the trainer has opened; teams named in ``late`` do
    nothing (at the round's close they get the default decision). The round is left open:
    the trainer closes it (:meth:`~WorkshopStore.close_round`). Seeded per round, so the
    same workshop replayed gives the same moves.

    Returns:
        :meth:`~WorkshopStore.moves` of the moves made.

    Raises:
        StoreError: free play, or no round open.

    Example:
        >>> import tempfile
        >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=5, accounts=40, weeks_per_round=2)
        >>> _ = store.open_round()
        >>> moves = play_demo_round(store, seed=1, late=[store.teams[1]])
        >>> list(store.round_status().submitted), len(moves)
        ([True, False], 2)
    """
    current = store.current_round()
    if current is None:
        raise _message(StoreError, "no_open_round") if store.rounds_mode else _message(StoreError, "free_play")
    counts, skills = _demo_settings(store, moves_per_week, skill)
    unknown = [t for t in late if t not in store.teams]
    if unknown:
        raise ValueError(f"late: unknown team {unknown[0]!r}")
    first = _next_move_id(store)
    for i, team in enumerate(store.teams):
        if team in late:
            continue
        rng = np.random.default_rng([int(seed), i, int(current["number"])])
        _demo_moves(store, i, team, int(current["first_week"]), counts[i], skills[i], rng)
        store.submit(team, trainee=f"demo-{i + 1}")
    return _new_moves(store, first)
