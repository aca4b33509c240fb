"""Stand-in teams for a workshop store: a rehearsal, a demo, a test.

:func:`play_demo` plays a few weeks of free play for every team, :func:`play_demo_round` the open round
of a store in rounds mode. Both go through the store's public API only (``record_move``, ``classify``,
``close_week``, ``submit``), so a demo store is like one real trainees wrote; the same ``seed`` gives the
same moves.
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np
import pandas as pd

from simfunnel.model.actions import actions_for
from simfunnel.model.history import OUTCOMES
from simfunnel.model.replies import is_correct
from simfunnel.model.simulate import Simulation
from simfunnel.workshop.errors import StoreError, refusal, whole_number

__all__ = ["DemoStore", "play_demo", "play_demo_round", "play_demo_test"]


class DemoStore(Protocol):
    """What the stand-in teams use of a :class:`~simfunnel.workshop.store.WorkshopStore` (its public API)."""

    @property
    def teams(self) -> list[str]: ...

    @property
    def end_week(self) -> int: ...

    @property
    def rounds_mode(self) -> bool: ...

    def week(self, team: str) -> int: ...

    def simulation(self, team: str) -> Simulation: ...

    def moves(self, team: str | None = None) -> pd.DataFrame: ...

    def record_move(self, team: str, week: int, deal_id: int, action: str, *, trainee: str = "") -> int: ...

    def classify(self, team: str, week: int, deal_id: int, answer: str, correct: bool | None = None) -> None: ...

    def close_week(self, team: str, week: int, *, trainee: str = "") -> bool: ...

    def tick(self) -> bool: ...

    def current_round(self) -> dict | None: ...

    def submit(self, team: str, trainee: str = "") -> bool: ...


def _demo_settings(store: DemoStore, moves_per_week: Sequence[int] | None,
                   skill: Sequence[float] | None) -> tuple[list[int], list[float]]:
    n = len(store.teams)
    counts = list(moves_per_week) if moves_per_week is not None else [2 * (i + 1) for i in range(n)]
    skills = list(skill) if skill is not None else [0.5 + 0.4 * i / max(n - 1, 1) for i in range(n)]
    if len(counts) != n or len(skills) != n:
        raise ValueError(f"moves_per_week and skill need one value per team ({n})")
    return counts, skills


def _demo_moves(store: DemoStore, i: int, team: str, week: int, count: int, skill: float,
                rng: np.random.Generator) -> None:
    """Stand-in trainee ``demo-<i+1>``: ``count`` advance moves on the team's largest open deals, replies classified."""
    sim = store.simulation(team)
    deals = sim.history.deals
    open_deals = deals[deals["status"].astype(str) == "open"].sort_values(["amount", "deal_id"], ascending=[False, True])
    for deal_id, stage in list(zip(open_deals["deal_id"], open_deals["stage"].astype(str)))[:count]:
        choices = [a.key for a in actions_for(sim.funnel, stage) if a.kind == "advance"]
        store.record_move(team, week, int(deal_id), str(rng.choice(choices)), trainee=f"demo-{i + 1}")
        outcome = store.moves(team).iloc[-1]["outcome"]
        answer = outcome if rng.random() < skill else str(rng.choice([o for o in OUTCOMES if o != outcome]))
        store.classify(team, week, int(deal_id), answer, is_correct(answer, outcome))


def _new_moves(store: DemoStore, first: int) -> pd.DataFrame:
    moves = store.moves()
    return moves[moves["id"] >= first].reset_index(drop=True)


def _next_move_id(store: DemoStore) -> int:
    moves = store.moves()
    return int(moves["id"].max()) + 1 if len(moves) else 0


def play_demo(store: DemoStore, weeks: int = 3, seed: int = 0, moves_per_week: Sequence[int] | None = None,
              skill: Sequence[float] | None = None) -> pd.DataFrame:
    """Play a few weeks for every team as stand-in trainees (free play): a rehearsal, a demo, a test.

    Each week, team *i* acts on its ``moves_per_week[i]`` largest open deals (default
    2, 4, 6, … moves) with a seeded random advance action that fits the deal's stage,
    classifies each reply (right with chance ``skill[i]``, default 0.5 … 0.9; a wrong
    answer is another outcome drawn at random) and closes the week. Everything goes
    through the public API (:meth:`~simfunnel.workshop.store.WorkshopStore.record_move`,
    :meth:`~simfunnel.workshop.store.WorkshopStore.classify`,
    :meth:`~simfunnel.workshop.store.WorkshopStore.close_week`), so the demo
    store is like one real trainees wrote; the same ``seed`` gives the same moves.
    For a store in rounds mode see :func:`play_demo_round`.

    Returns:
        :meth:`~simfunnel.workshop.store.WorkshopStore.moves` of the moves made.

    Example:
        >>> import tempfile
        >>> from simfunnel.workshop.store import WorkshopStore
        >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=5, accounts=40)
        >>> moves = play_demo(store, weeks=2, seed=1)
        >>> [store.week(t) for t in store.teams], len(moves)
        ([15, 15], 12)
    """
    weeks = whole_number("weeks", weeks, minimum=0)
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


def play_demo_round(store: DemoStore, seed: int = 0, moves_per_week: Sequence[int] | None = None,
                    skill: Sequence[float] | None = None, late: Sequence[str] = ()) -> pd.DataFrame:
    """Stand-in teams play the open round (rounds mode): moves in its first week, replies classified, submitted.

    As :func:`play_demo`, for the round the trainer has opened; teams named in ``late`` do
    nothing (at the round's close they get the default decision). The round is left open:
    the trainer closes it (:meth:`~simfunnel.workshop.store.WorkshopStore.close_round`). Seeded per round, so the
    same workshop replayed gives the same moves.

    Returns:
        :meth:`~simfunnel.workshop.store.WorkshopStore.moves` of the moves made.

    Raises:
        StoreError: free play, or no round open.

    Example:
        >>> import tempfile
        >>> from simfunnel.workshop.store import WorkshopStore
        >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=5, accounts=40, weeks_per_round=2)
        >>> _ = store.open_round()
        >>> moves = play_demo_round(store, seed=1, late=[store.teams[1]])
        >>> list(store.round_status().submitted), len(moves)
        ([True, False], 2)
    """
    store.tick()  # a round whose time is up is closed first: no round to play then
    current = store.current_round()
    if current is None:
        raise refusal(StoreError, "no_open_round") if store.rounds_mode else refusal(StoreError, "free_play")
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


def play_demo_test(store: DemoStore, phase: str, seed: int = 0, trainees: int = 3,
                   skill: float | None = None) -> int:
    """Stand-in trainees take the open pre/post test: ``trainees`` a team (``<team>-1`` …), each answer right with
    chance ``skill`` (default 0.5 before, 0.8 after), else a wrong option. Seeded. Returns the tests recorded.

    Example:
        >>> import tempfile
        >>> from simfunnel.workshop.store import WorkshopStore
        >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=5, accounts=30)
        >>> store.open_test("pre")
        >>> play_demo_test(store, "pre", seed=1)
        6
    """
    import numpy as np

    from simfunnel.workshop.knowledge import QUESTIONS

    rng = np.random.default_rng([int(seed), 0x7E57, 0 if phase == "pre" else 1])
    p = skill if skill is not None else (0.5 if phase == "pre" else 0.8)
    done = 0
    for team in store.teams:
        for k in range(int(trainees)):
            answers = {}
            for q in QUESTIONS:
                n = len(q["options"])
                answers[q["id"]] = q["key"] if rng.random() < p else int((q["key"] + 1 + rng.integers(n - 1)) % n)
            store.record_test(team, f"{team}-{k + 1}", phase, answers)
            done += 1
    return done
