"""Workshop state in SQLite: every team's moves, committed before anyone sees their result.

A trainer runs ``simfunnel workshop init --dir W --teams 6 --seed 2026`` (or
:meth:`WorkshopStore.init`); it creates ``W/workshop.sqlite`` with one scenario per
team. Trainees' widgets then write each move with :meth:`WorkshopStore.record_move`
(committed in its own transaction before the widget reveals the outcome), their
reply-quiz answers with :meth:`~WorkshopStore.classify`, and close the team's week
with :meth:`~WorkshopStore.close_week`. A team's state is never kept anywhere else:
:meth:`~WorkshopStore.simulation` rebuilds it by replay after a kernel restart, a
reopened notebook or on another trainee's machine, to the cent.

:class:`WorkshopStore` is composed of one class per concern, each in its module (read their notes there):

- :mod:`~simfunnel.workshop.schema` — the file: schema and version, upgrades, ``init`` / ``open``,
  connections, ``BEGIN IMMEDIATE`` transactions with a retry while the file is busy (:class:`StoreFile`);
- :mod:`~simfunnel.workshop.teams` — the teams' scenarios: seeds, worlds as drawn, quotas; their names for people;
- :mod:`~simfunnel.workshop.access` — who may act for a team: join codes, trainees' names bound to their browser;
- :mod:`~simfunnel.workshop.moves` — recording, classifying and withdrawing moves, closing weeks, each
  team's replay (``simulation``);
- :mod:`~simfunnel.workshop.rounds` — rounds for every team at once, the timer (``tick``), submissions,
  the practice round;
- :mod:`~simfunnel.workshop.market` — market events, and each team's world with them;
- :mod:`~simfunnel.workshop.scoring` — the leaderboard and the score's weights;
- :mod:`~simfunnel.workshop.branches` — the what-if branches the trainer made (their recipes);
- :mod:`~simfunnel.workshop.export` — the moves and the leaderboard for Excel.

The refusals (:class:`StoreError`, :class:`MoveRefused`, in zh and en) are :mod:`~simfunnel.workshop.errors`'s;
stand-in teams (:func:`play_demo`, :func:`play_demo_round`) are :mod:`~simfunnel.workshop.demo`'s. This
module re-exports the names callers import from it.

**Reads do not write.** Every read (``current_round``, ``round_status``, ``status``, ``leaderboard``…)
shows the store as it is; a round whose timer has run out is closed by :meth:`~WorkshopStore.tick`, an
explicit call (the CLI and the widgets that show the state make it first).

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
    simfunnel.workshop.errors.MoveRefused: Deal ... already has a move in week 14: Li chose 'Courtesy call'. One move per deal and week.
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

import os

from simfunnel.model.generate import World
from simfunnel.model.simulate import Simulation
from simfunnel.workshop.access import AccessMixin
from simfunnel.workshop.branches import BranchesMixin
from simfunnel.workshop.demo import play_demo, play_demo_round
from simfunnel.workshop.errors import MAX_NAME, TEXT, MoveRefused, StoreError
from simfunnel.workshop.export import ExportMixin, excel_safe_text
from simfunnel.workshop.market import MarketMixin, TeamWorld
from simfunnel.workshop.knowledge import KnowledgeMixin
from simfunnel.workshop.moves import MOVE_COLUMNS, MovesMixin
from simfunnel.workshop.rounds import MAX_TIMER_MINUTES, PRACTICE_RESET, RoundsMixin
from simfunnel.workshop.schema import (
    APPLICATION_ID,
    MAX_SEED,
    MAX_TEAMS,
    PACES,
    SCHEMA_VERSION,
    STORE_FILE,
    StoreFile,
)
from simfunnel.workshop.scoring import DEFAULT_WEIGHTS, LEADERBOARD_COLUMNS, ScoringMixin, scores
from simfunnel.workshop.teams import TeamsMixin
from simfunnel.workshop.undo import UndoMixin

__all__ = ["WorkshopStore", "StoreError", "MoveRefused", "SCHEMA_VERSION", "STORE_FILE", "DEFAULT_WEIGHTS",
           "scores", "APPLICATION_ID", "LEADERBOARD_COLUMNS", "MAX_NAME", "MAX_SEED", "MAX_TEAMS",
           "MAX_TIMER_MINUTES", "MOVE_COLUMNS", "PACES", "PRACTICE_RESET", "TEXT", "excel_safe_text", "play_demo",
           "play_demo_round"]


class WorkshopStore(TeamsMixin, AccessMixin, MovesMixin, UndoMixin, RoundsMixin, MarketMixin, ScoringMixin, BranchesMixin,
                    ExportMixin, KnowledgeMixin, StoreFile):
    """The workshop's state in one SQLite file: teams' scenarios, moves, quiz answers, closed weeks,
    rounds, market events, score weights.

    Create one with :meth:`init`, open one with :meth:`open`; the constructor is
    :meth:`open`'s. A store object may be used from several threads and the file from
    many processes at once.

    The concerns' classes share the object's private members (its connections and transactions, its
    caches, the checks one concern offers another); nothing outside this package's store modules uses them.

    Attributes:
        path: the ``workshop.sqlite`` file.
        busy_timeout: seconds SQLite waits for a lock before the store's own retry takes over.
        busy_deadline: seconds the store keeps retrying a busy database before giving up
            with a :class:`StoreError`.
    """

    def __init__(self, path: str | os.PathLike, *, busy_timeout: float = 5.0, busy_deadline: float = 120.0) -> None:
        self._worlds: dict[int, World] = {}  # world seed → the world as drawn (teams)
        self._team_worlds: dict[tuple, TeamWorld] = {}  # (world seed, event ids) → the world with them (market)
        self._sims: dict[str, tuple[tuple, Simulation, TeamWorld]] = {}  # team → its replay, kept up to date (moves)
        super().__init__(path, busy_timeout=busy_timeout, busy_deadline=busy_deadline)

    def __repr__(self) -> str:
        return f"WorkshopStore({str(self.path)!r}, teams={self.teams!r})"
