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
numbers), so the leaderboard's differences are caused by the teams' decisions alone;
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

Issue 7 (rounds, market events) extends the schema: bump :data:`SCHEMA_VERSION` and add
the upgrade statements to ``_MIGRATIONS[old_version]``; :meth:`open` applies them in one
transaction. ``weeks.closed_by`` already records who (or what) closed a week.

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
    simfunnel.store.MoveRefused: Deal ... already has a move in week 14: Li chose 'Courtesy call'. One move per deal and week.
    >>> store.close_week("red", 14), store.close_week("red", 14), store.week("red")
    (True, False, 14)
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
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence
from urllib.parse import quote

import numpy as np
import pandas as pd

from .funnel import preset_names
from .history import OUTCOMES, PERIOD_WEEKS

if TYPE_CHECKING:
    from .generate import World
    from .simulate import Simulation

__all__ = ["WorkshopStore", "StoreError", "MoveRefused", "SCHEMA_VERSION", "STORE_FILE"]

STORE_FILE = "workshop.sqlite"
SCHEMA_VERSION = 1
APPLICATION = "simfunnel-workshop"
APPLICATION_ID = int.from_bytes(b"sfWS", "big")  # SQLite header bytes 68-71
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_TEAMS = 100
MAX_NAME = 60

# Schema upgrades: _MIGRATIONS[v] holds the statements that take version v to v + 1.
_MIGRATIONS: dict[int, tuple[str, ...]] = {}

_SCHEMA = (
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
    f"""CREATE TABLE moves (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        team TEXT NOT NULL REFERENCES teams(team),
        week INTEGER NOT NULL,
        deal_id INTEGER NOT NULL,
        action TEXT NOT NULL,
        style TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ({", ".join(repr(o) for o in OUTCOMES)})),
        from_stage TEXT NOT NULL,
        to_stage TEXT NOT NULL,
        trainee TEXT NOT NULL DEFAULT '',
        reply_id TEXT,
        sim_seed INTEGER NOT NULL,
        draw REAL NOT NULL CHECK (draw >= 0 AND draw < 1),
        answer TEXT CHECK (answer IS NULL OR answer IN ({", ".join(repr(o) for o in OUTCOMES)})),
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

_MOVE_COLUMNS = ("id", "team", "week", "deal_id", "action", "style", "outcome", "from_stage", "to_stage", "trainee",
                 "reply_id", "sim_seed", "draw", "answer", "correct", "withdrawn", "withdrawn_by", "created_at",
                 "answered_at", "withdrawn_at")
LEADERBOARD_COLUMNS = ("team", "week", "weeks_played", "moves", "booked", "quota", "booked_vs_quota",
                       "forecast_accuracy", "progress_vs_benchmark", "records_entered", "quiz_score", "quiz_answered")

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
    "answered": ("商机 {deal} 在第 {week} 周的客户回复已判断为「{answer}」。",
                 "The reply on deal {deal} in week {week} is already classified as {answer!r}."),
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


def _message(cls: type[StoreError], key: str, **fields: Any) -> StoreError:
    zh, en = TEXT[key]
    return cls(en.format(**fields), zh.format(**fields))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


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
        self._deal_index: dict[int, pd.Index] = {}
        self._sims: dict[str, Simulation] = {}
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

        Raises:
            StoreError: a store (or a stale ``-wal``/``-shm`` file) already there, or bad arguments.
        """
        names = _team_names(teams)
        seed = _int("seed", seed, 0)
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
        config = {
            "seed": seed, "preset": preset, "same_world": bool(same_world), "people": bool(people),
            "start_week": start_week, "period_weeks": period_weeks, "accounts": accounts, "weeks": weeks,
            "threshold": float(threshold), "currency": currency,
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
                for statement in _SCHEMA:
                    conn.execute(statement)
                meta = {"application": APPLICATION, "schema_version": str(SCHEMA_VERSION),
                        "config": json.dumps(config, sort_keys=True), "created_at": _now()}
                conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
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
        def upgrade(conn: sqlite3.Connection) -> None:
            current = int(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
            while current < SCHEMA_VERSION:
                for statement in _MIGRATIONS[current]:
                    conn.execute(statement)
                current += 1
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(current),))

        if any(v not in _MIGRATIONS for v in range(version, SCHEMA_VERSION)):
            raise StoreError(f"{self.path}: no upgrade from schema version {version} to {SCHEMA_VERSION}")
        self._transaction(upgrade)

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
        return float(self.world(team).quota) * int(self.config["period_weeks"]) / PERIOD_WEEKS

    def world(self, team: str) -> "World":
        """The team's world (generated once per store object and kept)."""
        seed = self._team(team)["world_seed"]
        with self._lock:
            world = self._worlds.get(seed)
            if world is None:
                from .generate import generate

                c = self.config
                world = generate(c["accounts"], seed=seed, funnel=c["preset"], weeks=c["weeks"],
                                 currency=c["currency"])
                self._worlds[seed] = world
                self._deal_index[seed] = pd.Index(world.deals["deal_id"].to_numpy())
            return world

    def _new_simulation(self, team: str) -> "Simulation":
        from .simulate import Simulation

        people = None
        if self.config["people"]:
            from .people import PeopleParams

            people = PeopleParams()
        sim = Simulation(self.world(team), seed=self._team(team)["sim_seed"], people=people)
        for _ in range(self.start_week):
            sim.step()
        return sim

    def _step(self, sim: "Simulation", actions: dict, styles: dict) -> None:
        sim.step(actions, styles if sim.people is not None else None)

    def simulation(self, team: str) -> "Simulation":
        """The team's simulation rebuilt by replay: warm-up to ``start_week``, then every closed week's moves.

        A new object each call (the caller may step it); its history gives the indicators
        to the cent of the play that produced the moves.
        """
        sim = self._new_simulation(team)
        acts, styles = self.actions(team)
        for a, s in zip(acts, styles):
            self._step(sim, a, s)
        return sim

    def _synced(self, team: str) -> "Simulation":
        """The store's own copy of the team's simulation, caught up with the weeks closed since (hold the lock)."""
        closed = self._weeks_closed(team)
        sim = self._sims.get(team)
        if sim is None or sim.week - self.start_week > closed:
            sim = self._new_simulation(team)
        if sim.week - self.start_week < closed:
            acts, styles = self._actions_between(team, sim.week + 1, self.start_week + closed)
            for a, s in zip(acts, styles):
                self._step(sim, a, s)
        self._sims[team] = sim
        return sim

    # --- reading ------------------------------------------------------------------------------
    def _weeks_closed(self, team: str) -> int:
        self._team(team)
        return self._transaction(
            lambda c: c.execute("SELECT weeks_closed FROM teams WHERE team = ?", (team,)).fetchone()[0], write=False)

    def week(self, team: str) -> int:
        """The team's current simulation week: ``start_week`` + weeks closed. Moves go into ``week + 1``."""
        return self.start_week + self._weeks_closed(team)

    def open_week(self, team: str) -> int:
        """The week the team's moves go into (``week(team) + 1``)."""
        return self.week(team) + 1

    def _actions_between(self, team: str, first: int, last: int) -> tuple[list[dict], list[dict]]:
        rows = self._transaction(lambda c: c.execute(
            "SELECT week, deal_id, action, style FROM moves WHERE team = ? AND week BETWEEN ? AND ? "
            "AND withdrawn = 0 ORDER BY week, id", (team, first, last)).fetchall(), write=False)
        acts: list[dict] = [{} for _ in range(first, last + 1)]
        styles: list[dict] = [{} for _ in range(first, last + 1)]
        for week, deal_id, action, style in rows:
            acts[week - first][deal_id] = action
            if style is not None:
                styles[week - first][deal_id] = _style_value(style)
        return acts, styles

    def actions(self, team: str) -> tuple[list[dict], list[dict]]:
        """The actions and styles of each closed week (week ``start_week + 1`` first), for replay.

        Returns:
            ``(actions, styles)``: two lists with one dict per closed week, deal_id → action
            key and deal_id → style (``"A"`` or ``(style, contact_id)``).
        """
        closed = self._weeks_closed(team)
        return self._actions_between(team, self.start_week + 1, self.start_week + closed)

    def moves(self, team: str | None = None) -> pd.DataFrame:
        """Every move (withdrawn ones included, flagged), oldest first, or only one team's.

        Columns: id, team, week, deal_id, action, style, outcome, from_stage, to_stage,
        trainee, reply_id, sim_seed, draw (the deal's uniform that week), answer (the
        trainee's classification), correct (nullable boolean), withdrawn, withdrawn_by,
        created_at, answered_at, withdrawn_at (UTC timestamps).
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
        from .people import PEOPLE_ACTIONS_BY_KEY
        from .simulate import ACTIONS_BY_KEY

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

        Raises:
            MoveRefused: the deal already has a move this week (the message names who made
                it and which action), or ``week`` is not the team's open week.
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
        with self._lock:
            sim = self._synced(team)
            if week != sim.week + 1:
                raise self._transaction(lambda c: self._week_refusal(c, team, week, sim.week + 1), write=False)
            if week > self.end_week:
                raise _message(MoveRefused, "ended", end=self.end_week)
            index = self._deal_index[info["world_seed"]]
            pos = index.get_indexer([deal_id])[0]
            if pos < 0:
                raise StoreError(f"{where}: no such deal in the team's world")
            try:
                preview = sim.preview({deal_id: action}, None if style is None else {deal_id: _style_value(style_json)})
            except ValueError as exc:
                raise StoreError(f"{where}: {exc}") from None
            draw = float(np.random.default_rng([info["sim_seed"], week]).random(len(index))[pos])
        true = {"outcome": str(preview["outcome"].iloc[0]), "from_stage": str(preview["from_stage"].iloc[0]),
                "to_stage": str(preview["to_stage"].iloc[0])}
        for name, given in (("outcome", outcome), ("from_stage", from_stage), ("to_stage", to_stage)):
            if given is not None and given != true[name]:
                raise StoreError(f"{where}: {name} {given!r} does not match the simulation's {true[name]!r} "
                                 "(the caller's simulation is out of step with the store: rebuild it with "
                                 "store.simulation(team))")

        def insert(conn: sqlite3.Connection) -> int:
            self._check_open(conn, team, week)
            row = conn.execute("SELECT action, trainee FROM moves WHERE team = ? AND week = ? AND deal_id = ? "
                               "AND withdrawn = 0", (team, week, deal_id)).fetchone()
            if row is not None:
                raise self._taken(team, week, deal_id, row[0], row[1])
            cur = conn.execute(
                "INSERT INTO moves (team, week, deal_id, action, style, outcome, from_stage, to_stage, trainee, "
                "reply_id, sim_seed, draw, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (team, week, deal_id, action, style_json, true["outcome"], true["from_stage"], true["to_stage"],
                 trainee, reply_id, info["sim_seed"], draw, _now()))
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

        ``correct`` is checked against :func:`simfunnel.replies.is_correct` of the stored
        outcome (``None``: computed). Classifying again with the same answer does nothing.

        Raises:
            StoreError: no such move, an answer not among the four outcomes, another answer
                already stored, a ``correct`` that does not match, or a week not open.
        """
        from .replies import is_correct

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

        Raises:
            StoreError: no move on that deal this week, or a week not open (closed weeks are final).
        """
        self._team(team)
        week, deal_id = _int("week", week), _int("deal_id", deal_id)
        trainee = _text("trainee", trainee, limit=MAX_NAME)

        def update(conn: sqlite3.Connection) -> None:
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
            StoreError: a week after the open one, or past the workshop's period.
        """
        self._team(team)
        week = _int("week", week)
        trainee = _text("trainee", trainee, limit=MAX_NAME)

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
        """
        from .metrics import indicators, records_entered

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
        df = pd.DataFrame(rows, columns=list(LEADERBOARD_COLUMNS))
        return df.astype({"week": np.int64, "weeks_played": np.int64, "moves": np.int64, "records_entered": np.int64,
                          "quiz_answered": np.int64})

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


def play_demo(store: WorkshopStore, weeks: int = 3, seed: int = 0, moves_per_week: Sequence[int] | None = None,
              skill: Sequence[float] | None = None) -> pd.DataFrame:
    """Play a few weeks for every team as stand-in trainees: a rehearsal for the trainer, a demo, a test.

    Each week, team *i* acts on its ``moves_per_week[i]`` largest open deals (default
    2, 4, 6, … moves) with a seeded random advance action that fits the deal's stage,
    classifies each reply (right with chance ``skill[i]``, default 0.5 … 0.9; a wrong
    answer is another outcome drawn at random) and closes the week. Everything goes
    through the public API (:meth:`~WorkshopStore.record_move`,
    :meth:`~WorkshopStore.classify`, :meth:`~WorkshopStore.close_week`), so the demo
    store is like one real trainees wrote; the same ``seed`` gives the same moves.

    Returns:
        :meth:`~WorkshopStore.moves` of the moves made.

    Example:
        >>> import tempfile
        >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=5, accounts=40)
        >>> moves = play_demo(store, weeks=2, seed=1)
        >>> [store.week(t) for t in store.teams], len(moves)
        ([15, 15], 12)
    """
    from .replies import is_correct
    from .simulate import actions_for

    weeks = _int("weeks", weeks, minimum=0)
    n = len(store.teams)
    counts = list(moves_per_week) if moves_per_week is not None else [2 * (i + 1) for i in range(n)]
    skills = list(skill) if skill is not None else [0.5 + 0.4 * i / max(n - 1, 1) for i in range(n)]
    if len(counts) != n or len(skills) != n:
        raise ValueError(f"moves_per_week and skill need one value per team ({n})")
    first = max(int(m) for m in store.moves()["id"]) + 1 if len(store.moves()) else 0
    for i, team in enumerate(store.teams):
        rng = np.random.default_rng([int(seed), i])
        for _ in range(weeks):
            week = store.week(team) + 1
            if week > store.end_week:
                break
            sim = store.simulation(team)
            deals = sim.history.deals
            open_deals = deals[deals["status"].astype(str) == "open"].sort_values(["amount", "deal_id"],
                                                                                  ascending=[False, True])
            for deal_id, stage in list(zip(open_deals["deal_id"], open_deals["stage"].astype(str)))[:counts[i]]:
                choices = [a.key for a in actions_for(sim.funnel, stage) if a.kind == "advance"]
                store.record_move(team, week, int(deal_id), str(rng.choice(choices)), trainee=f"demo-{i + 1}")
                outcome = store.moves(team).iloc[-1]["outcome"]
                answer = outcome if rng.random() < skills[i] else str(rng.choice([o for o in OUTCOMES if o != outcome]))
                store.classify(team, week, int(deal_id), answer, is_correct(answer, outcome))
            store.close_week(team, week, trainee=f"demo-{i + 1}")
    moves = store.moves()
    return moves[moves["id"] >= first].reset_index(drop=True)
