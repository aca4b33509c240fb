"""The workshop store's file: its SQLite schema and version, the upgrade of older files, creating and
opening a store, its connections and transactions.

:class:`StoreFile` is the base of :class:`~simfunnel.workshop.store.WorkshopStore`: it creates the file
(:meth:`StoreFile.init`), opens it (:meth:`StoreFile.open`: header check, version check, upgrade) and runs
every read and write of the other parts of the store in one transaction.

**Reliability.** WAL journal, ``synchronous=FULL`` (a commit is on disk before
``record_move`` returns), every write in a ``BEGIN IMMEDIATE`` transaction, a busy
timeout, and a retry with backoff around "database is locked" / "busy" up to
``busy_deadline`` seconds (then a :class:`~simfunnel.workshop.errors.StoreError` saying the store
stayed busy): no caller sees SQLite's message. A partial UNIQUE index on (team, week, deal_id) among
moves not withdrawn backs the refusal of a second move. Connections are per thread and per process
(a forked child never touches its parent's connections). The file carries an SQLite
``application_id`` and a schema version in its ``meta`` table; :meth:`StoreFile.open` reads the
header bytes first, so any other file (SQLite or not) is refused and left byte for byte
untouched, and other schema versions are refused with the versions named. ``init``
builds the database under a temporary name and links it into place, so a store is
either complete or absent. The store holds plain data (numbers, text, JSON): no
pickle, no eval. Times are stored as ISO 8601 UTC text (:func:`utc_now`) and read back as
``datetime64[us, UTC]`` columns (:func:`utc_times`).

**Schema.** Version 2 (issue 7) adds the tables ``rounds``, ``submissions`` and ``events``, the
columns ``moves.round`` and ``teams.resets`` (practice resets: replays cached before a reset are
rebuilt) and the meta keys ``config.weeks_per_round`` and ``score_weights``. Version 3 (issue 12) adds
``teams.display_name`` (the team's name for people; NULL: 第 1 组 / Team 1 by language), the table
``join_codes`` (each team's live join code; retired codes stay, so none is handed out twice) and the
table ``trainees`` (each trainee's name in a team, bound to a hash of their browser's token); the
upgrade gives every team a code (:func:`~simfunnel.workshop.codes.assign_codes`). Version 6 (issue 14) adds
the table ``knowledge_tests`` (the pre/post test's answers) and the meta key ``knowledge_test`` (the open test). Opening an older
store upgrades it in one transaction (:data:`MIGRATIONS`: SQL statements, or a function of the
connection); a new store is created at version 1 (:data:`SCHEMA_V1`) and upgraded the same way, so
both have the same schema. :data:`SCHEMA_VERSION` and :data:`MIGRATIONS` are read here, when a
store is opened or created.
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
from typing import Any, Callable, Iterable, Self, Sequence
from urllib.parse import quote

import numpy as np
import pandas as pd

from simfunnel.model.funnel import preset_names
from simfunnel.model.history import MAX_WEEKS, PERIOD_WEEKS
from simfunnel.workshop.codes import assign_codes, default_team_name
from simfunnel.workshop.errors import MAX_NAME, StoreError, clean_text, whole_number

__all__ = ["StoreFile", "display_names", "check_display_name", "STORE_FILE", "SCHEMA_VERSION", "SCHEMA_V1",
           "MIGRATIONS", "APPLICATION", "APPLICATION_ID", "DEFAULT_EXIT_HAZARD", "PACES", "MAX_TEAMS", "MAX_SEED", "utc_now", "utc_times"]

STORE_FILE = "workshop.sqlite"
DEFAULT_EXIT_HAZARD = 0.3  # generate.WorldParams' default: the kit's normal pace
PACES = {"normal": DEFAULT_EXIT_HAZARD, "fast": 0.5}
SCHEMA_VERSION = 6
APPLICATION = "simfunnel-workshop"
APPLICATION_ID = int.from_bytes(b"sfWS", "big")  # SQLite header bytes 68-71
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_TEAMS = 100
# Accounts per team's world: a workshop world has 200; 5,000 still replays a team in well under a second.
MAX_WORKSHOP_ACCOUNTS = 5_000
MAX_SEED = 2**63 - 1  # the largest SQLite INTEGER

# Version 1 (issue 6), frozen: a new store is created at version 1 and upgraded by MIGRATIONS like an old file.
SCHEMA_V1 = (
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


def _codes_for_every_team(conn: sqlite3.Connection) -> None:
    """The upgrade to version 3: a join code for every team of the store."""
    assign_codes(conn, utc_now())


# Schema upgrades: MIGRATIONS[v] holds what takes version v to v + 1 (run in one transaction): SQL statements,
# or functions called with the connection (what SQL alone cannot do, such as drawing join codes with secrets).
MIGRATIONS: dict[int, tuple[str | Callable[[sqlite3.Connection], Any], ...]] = {
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
    # 2 → 3 (issue 12): who may act for a team. Team display names, join codes, trainees bound to their browser.
    2: (
        "ALTER TABLE teams ADD COLUMN display_name TEXT "
        "CHECK (display_name IS NULL OR length(display_name) BETWEEN 1 AND 60)",
        """CREATE TABLE join_codes (
            code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 4 AND 16),
            team TEXT NOT NULL REFERENCES teams(team),
            created_at TEXT NOT NULL,
            retired_at TEXT
        ) STRICT""",
        "CREATE UNIQUE INDEX one_live_code_per_team ON join_codes (team) WHERE retired_at IS NULL",
        """CREATE TABLE trainees (
            team TEXT NOT NULL REFERENCES teams(team),
            name_key TEXT NOT NULL,
            trainee TEXT NOT NULL,
            browser TEXT,
            rejoin_allowed INTEGER NOT NULL DEFAULT 0 CHECK (rejoin_allowed IN (0, 1)),
            joined_at TEXT NOT NULL,
            last_joined_at TEXT NOT NULL,
            PRIMARY KEY (team, name_key)
        ) STRICT""",
        _codes_for_every_team,
    ),
    # 3 → 4 (issue 12): the what-if branches the trainer made, kept for every handout.
    3: (
        """CREATE TABLE whatifs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            team TEXT NOT NULL REFERENCES teams(team),
            round INTEGER NOT NULL CHECK (round >= 0),
            changes TEXT NOT NULL DEFAULT '{}',
            threshold REAL CHECK (threshold IS NULL OR threshold >= 0),
            made_at TEXT NOT NULL,
            made_by TEXT NOT NULL DEFAULT ''
        ) STRICT""",
    ),
    # 4 → 5 (issue 12): a trainee asks to withdraw a teammate's move; a teammate confirms it or keeps it.
    4: (
        """CREATE TABLE undo_requests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            team TEXT NOT NULL REFERENCES teams(team),
            move_id INTEGER NOT NULL REFERENCES moves(id),
            asked_by TEXT NOT NULL,
            asked_at TEXT NOT NULL,
            answer TEXT CHECK (answer IS NULL OR answer IN ('confirmed', 'kept', 'void')),
            answered_by TEXT NOT NULL DEFAULT '',
            answered_at TEXT
        ) STRICT""",
        "CREATE INDEX undo_requests_team ON undo_requests (team, answer)",
    ),
    # 5 → 6 (issue 14): the pre/post test's answers (simfunnel.workshop.knowledge).
    5: (
        """CREATE TABLE knowledge_tests (
            team TEXT NOT NULL REFERENCES teams(team),
            trainee TEXT NOT NULL,
            phase TEXT NOT NULL CHECK (phase IN ('pre', 'post')),
            answers TEXT NOT NULL,
            right INTEGER NOT NULL CHECK (right >= 0),
            total INTEGER NOT NULL CHECK (total > 0),
            answered_at TEXT NOT NULL,
            PRIMARY KEY (team, trainee, phase)
        ) STRICT""",
    ),
}


def utc_now() -> str:
    """The time now as the store writes it: ISO 8601 UTC text with microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def utc_times(values: Iterable) -> pd.Series:
    """ISO UTC texts (None allowed) as a datetime64[us, UTC] column."""
    return pd.to_datetime(pd.Series(list(values), dtype=object), utc=True, format="ISO8601").astype("datetime64[us, UTC]")


def _is_busy(exc: sqlite3.Error) -> bool:
    """SQLite's "database is locked" or "busy": worth a retry."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _team_names(teams: int | Sequence[str]) -> list[str]:
    """The team names ``init`` is given (a number of teams: ``team1`` …), checked: 1 to MAX_TEAMS, distinct."""
    if isinstance(teams, (int, np.integer)) and not isinstance(teams, bool):
        n = int(teams)
        if not 1 <= n <= MAX_TEAMS:
            raise StoreError(f"teams must be between 1 and {MAX_TEAMS}, got {n}")
        return [f"team{i + 1}" for i in range(n)]
    if isinstance(teams, str) or not isinstance(teams, Iterable):
        raise StoreError(f"teams must be a number of teams or a list of team names, got {teams!r}")
    names = [clean_text("team name", t, limit=MAX_NAME, empty=False) for t in teams]
    if not 1 <= len(names) <= MAX_TEAMS:
        raise StoreError(f"give between 1 and {MAX_TEAMS} team names, got {len(names)}")
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise StoreError(f"team name {name!r} is given twice")
        seen.add(name.casefold())
    return names


def display_names(teams: Sequence[str], names: Sequence[str] | None) -> list[str | None]:
    """The teams' names for people as ``init`` stores them (None: the default, 第 1 组 / Team 1), checked: one per
    team, each 1 to MAX_NAME characters on one line, no two alike (nor like another team's key or default name)."""
    if names is None:
        return [None] * len(teams)
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise StoreError(f"names must be a list of team names for people, got {names!r}")
    given = [clean_text("team display name", n, limit=MAX_NAME, empty=False) for n in names]
    if len(given) != len(teams):
        raise StoreError(f"names: {len(teams)} teams but {len(given)} names given")
    for i, name in enumerate(given):
        check_display_name(name, [(t, given[j]) for j, t in enumerate(teams) if j != i])
    return list(given)


def check_display_name(name: str, others: Iterable[tuple[str, str | None]]) -> None:
    """Refuse ``name`` for a team when it reads like one of ``others`` (key, display name or None): its name,
    its key or its default name in either language, compared without case."""
    key = name.casefold()
    for team, display in others:
        seen = {team, default_team_name(team, "zh"), default_team_name(team, "en")} | ({display} if display else set())
        if key in {s.casefold() for s in seen}:
            raise StoreError(f"team display name {name!r} is already the name of team {team!r}",
                             f"「{name}」已经是另一个组（{team}）的名字了。")


# Connections inherited by a forked child: kept referenced forever, never used nor closed
# (closing an inherited descriptor would drop the child's own POSIX locks on the file).
_ABANDONED: list[sqlite3.Connection] = []
# Connections a store keeps open between transactions (more at once are opened while needed, then closed).
MAX_IDLE_CONNECTIONS = 4
_STORES: "weakref.WeakSet[StoreFile]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """In a forked child: every store object sets its parent's connections aside."""
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
        for statement in MIGRATIONS[current]:
            if callable(statement):
                statement(conn)
            else:
                conn.execute(statement)
        current += 1
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(current),))


class StoreFile:
    """The workshop store's file: create one with :meth:`init`, open one with :meth:`open` (the constructor is
    :meth:`open`'s). An object may be used from several threads and the file from many processes at once.

    Attributes:
        path: the ``workshop.sqlite`` file.
        busy_timeout: seconds SQLite waits for a lock before the store's own retry takes over.
        busy_deadline: seconds the store keeps retrying a busy database before giving up
            with a :class:`~simfunnel.workshop.errors.StoreError`.
        config: the workshop's configuration (seed, preset, weeks, threshold… as given to :meth:`init`).
        created_at: when the store was created (ISO UTC text).
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
        self._pid = os.getpid()
        self._connections: list[sqlite3.Connection] = []  # every open connection of this object
        self._idle: list[sqlite3.Connection] = []  # those not in a transaction now: lent to the next one
        self._pool_lock = threading.Lock()  # the pool's own: never waits on a replay holding self._lock
        self._lock = threading.RLock()
        self.read_only = False  # set when the file or its folder cannot be written: reads go on, writes are refused
        _STORES.add(self)
        self._load_meta()
        self._check_integrity()

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
        names: Sequence[str] | None = None,
    ) -> Self:
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
            names: the teams' names for people (one per team, e.g. ``["华东组", "华南组"]``), shown everywhere
                instead of the keys; default: 第 1 组 / Team 1 … by language for ``team1`` …, other keys as
                given. Every team also gets a join code (:meth:`~simfunnel.workshop.access.AccessMixin.team_codes`).

        Raises:
            StoreError: a store (or a stale ``-wal``/``-shm`` file) already there, or bad arguments.
        """
        names_given = names
        names = _team_names(teams)
        display = display_names(names, names_given)
        seed = whole_number("seed", seed, 0)
        if seed > MAX_SEED:  # team seeds are stored as SQLite INTEGERs (same_world stores the seed itself)
            raise StoreError(f"seed must be at most {MAX_SEED}, got {seed}")
        if preset not in preset_names():
            raise StoreError(f"preset must be one of {', '.join(preset_names())}, got {preset!r}")
        start_week = whole_number("start_week", start_week, 0, MAX_WEEKS)
        period_weeks = whole_number("period_weeks", period_weeks, 1, MAX_WEEKS)
        accounts = whole_number("accounts", accounts, 1, MAX_WORKSHOP_ACCOUNTS)
        weeks = whole_number("weeks", weeks, 1, MAX_WEEKS)
        if start_week + period_weeks > weeks:
            raise StoreError(f"start_week + period_weeks ({start_week} + {period_weeks}) exceeds the world's {weeks} weeks")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) \
                or not math.isfinite(float(threshold)) or threshold < 0:
            raise StoreError(f"threshold must be an amount ≥ 0, got {threshold!r}")
        currency = clean_text("currency", currency, limit=10, empty=False)
        weeks_per_round = whole_number("weeks_per_round", weeks_per_round, 0)
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
            "responses": "commitments",  # how the customer's response relates to the move (simulate.RESPONSE_MODELS)
            "exit_hazard": float(exit_hazard),  # the pace: a deal's weekly chance of leaving its stage
        }
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"{folder}: not a folder")
        made_folder = not folder.exists()
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
            cls._build(tmp, final, config, names, display, seed, same_world)
        except (sqlite3.Error, OSError) as exc:  # a full disk, a vanished folder: one line, nothing left behind
            if made_folder:
                try:
                    folder.rmdir()
                except OSError:
                    pass
            why = getattr(exc, "strerror", None) or str(exc)
            raise StoreError(f"{folder}: the workshop store could not be created ({why}); nothing was written — "
                             "free some disk space or choose another folder",
                             f"{folder}：无法创建工作坊数据文件（{why}），没有写入任何内容。请腾出磁盘空间或换一个文件夹") from None
        return cls(final)

    @staticmethod
    def _build(tmp: Path, final: Path, config: dict, names: list, display: list, seed: int, same_world: bool) -> None:
        """Write the new store under ``tmp``, then link it to ``final`` at once; ``tmp`` never stays."""
        try:
            conn = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("BEGIN IMMEDIATE")
                for statement in SCHEMA_V1:  # version 1, then the upgrades: one schema, new or upgraded
                    conn.execute(statement)
                meta = {"application": APPLICATION, "schema_version": "1",
                        "config": json.dumps(config, sort_keys=True), "created_at": utc_now()}
                conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
                _upgrade(conn)
                for i, name in enumerate(names):
                    if same_world:
                        world_seed = sim_seed = seed
                    else:
                        world_seed, sim_seed = (int(x) for x in np.random.SeedSequence([seed, i]).generate_state(2))
                    conn.execute("INSERT INTO teams (team, position, world_seed, sim_seed, display_name) "
                                 "VALUES (?, ?, ?, ?, ?)", (name, i, world_seed, sim_seed, display[i]))
                assign_codes(conn, utc_now())
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

    @classmethod
    def open(cls, path: str | os.PathLike, *, busy_timeout: float = 5.0, busy_deadline: float = 120.0) -> Self:
        """Open a store: the workshop folder or its ``workshop.sqlite``.

        Raises:
            StoreError: no store there, a file that is not a workshop store (refused from
                its header bytes, left untouched), or another schema version.
        """
        return cls(path, busy_timeout=busy_timeout, busy_deadline=busy_deadline)

    def _load_meta(self) -> None:
        """Read the configuration and the teams; a store of an older schema version is upgraded first."""
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
                if version.isdigit() and int(version) in MIGRATIONS and int(version) < SCHEMA_VERSION:
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

    def _check_integrity(self) -> None:
        """``PRAGMA quick_check`` at every open: a damaged store (a torn page, a corrupt index) is refused with the
        advice to restore it, before anyone reads a wrong number from it."""
        def check(conn: sqlite3.Connection) -> list[str]:
            return [row[0] for row in conn.execute("PRAGMA quick_check(5)").fetchall()]

        try:
            found = self._transaction(check, write=False)
        except StoreError:
            self.close()
            raise
        if found != ["ok"]:
            self.close()
            raise StoreError(
                f"{self.path}: the workshop store is damaged ({'; '.join(' '.join(f.split()) for f in found)[:200]}). Restore it from a copy "
                "(simfunnel workshop export wrote one?) or the last backup of the folder; do not keep playing on it",
                f"{self.path}：工作坊数据文件已损坏（{'；'.join(' '.join(f.split()) for f in found)[:200]}）。请用备份恢复，不要继续在上面使用")

    def _migrate(self, version: int) -> None:
        """Upgrade the file from ``version`` to :data:`SCHEMA_VERSION` in one transaction."""
        if any(v not in MIGRATIONS for v in range(version, SCHEMA_VERSION)):
            raise StoreError(f"{self.path}: no upgrade from schema version {version} to {SCHEMA_VERSION}")
        self._transaction(_upgrade)

    # --- connections and transactions ----------------------------------------------------------
    def _forget_connections(self) -> None:
        """In a forked child: set the parent's connections aside (never used, never closed)."""
        _ABANDONED.extend(self._connections)
        self._connections = []
        self._idle = []
        self._pid = os.getpid()
        self._pool_lock = threading.Lock()
        self._lock = threading.RLock()

    def _borrow(self) -> sqlite3.Connection:
        """A connection for one transaction: an idle one, else a new one (WAL, ``synchronous=FULL``, foreign
        keys). Lent, never bound to a thread: a server's threads come and go (a round clock's timer, Solara's
        workers), and a connection per thread ever seen piled up (issue 12's room load test: +81 MiB a minute)."""
        if self._pid != os.getpid():
            self._forget_connections()
        with self._pool_lock:
            if self._idle:
                return self._idle.pop()
        conn = self._open_read_only() if self.read_only else self._open_read_write()
        with self._pool_lock:
            self._connections.append(conn)
        return conn

    def _give_back(self, conn: sqlite3.Connection) -> None:
        """Return a connection after its transaction: kept for the next (at most :data:`MAX_IDLE_CONNECTIONS`
        of them), else closed."""
        with self._pool_lock:
            if conn in self._connections and len(self._idle) < MAX_IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        self._drop_connection(conn)

    def _open_read_write(self) -> sqlite3.Connection:
        """A connection that writes (WAL, ``synchronous=FULL``); a file or folder we may not write is read only."""
        if not (os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)):
            self.read_only = True
            return self._open_read_only()
        # mode=rw: never create a file (a store deleted under us is an error, not a new empty database)
        conn = sqlite3.connect(f"file:{quote(str(self.path.resolve()))}?mode=rw", uri=True,
                               timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            conn.close()
            if "readonly" in str(exc) or "read-only" in str(exc) or "unable to open" in str(exc):
                self.read_only = True  # a read-only file system: serve what can be read
                return self._open_read_only()
            raise
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        """A connection that only reads: a store on a read-only disk or without write permission still serves
        status, the leaderboard, the report and exports. Where SQLite cannot even make its shared-memory file
        (a read-only folder), the file is read as immutable: nobody can be writing it then."""
        uri = f"file:{quote(str(self.path.resolve()))}"
        for mode in ("?mode=ro", "?mode=ro&immutable=1"):
            conn = sqlite3.connect(uri + mode, uri=True, timeout=self.busy_timeout, isolation_level=None,
                                   check_same_thread=False)
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError:
                conn.close()
        raise StoreError(f"{self.path}: the workshop store cannot be read", f"{self.path}：无法读取工作坊数据文件")

    def _drop_connection(self, conn: sqlite3.Connection) -> None:
        """Close and forget a connection (one that could not even roll back, or one more than the idle ones)."""
        with self._pool_lock:
            if conn in self._connections:
                self._connections.remove(conn)
            if conn in self._idle:
                self._idle.remove(conn)
        if self._pid != os.getpid():
            return
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
                conn = self._borrow()
                healthy = True
                try:
                    if write and self.read_only:
                        raise StoreError(f"{self.path}: the workshop store is read-only here (no write permission "
                                         "or a read-only disk): it can be read, not changed",
                                         f"{self.path}：这里的工作坊数据文件是只读的（没有写权限或磁盘只读），只能查看，不能修改")
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
                                healthy = False
                        raise
                finally:
                    if healthy and not conn.in_transaction:
                        self._give_back(conn)
                    else:
                        self._drop_connection(conn)
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
        with self._pool_lock:
            conns, self._connections, self._idle = self._connections, [], []
        if self._pid != os.getpid():
            _ABANDONED.extend(conns)
            return
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
