"""Trust that pays later: relationship work mixed with advance actions, against either alone.

The course gives a whole key step to 建立信任 and counts 信赖 among the five purchase factors; a
dinner or a courtesy call is a continuation in the week it happens, and what it buys comes later: the
customer says yes to the next request more readily. :func:`compare_trust` measures that in the kit's
own simulation (:mod:`simfunnel.model.actions` has the mechanism and its sizes — kit assumptions, not
figures from the course).

Three sellers work the same world's **new accounts** (not yet customers) for ``weeks`` weeks with the
same time: ``actions_per_week`` actions a week, on the largest open deals of new accounts (amount, then
deal id), one action a deal a week.

- ``advance_only``: each of those deals gets the fitting advance action with the largest advance factor
  (:func:`~simfunnel.analysis.allocation.best_action`).
- ``mix``: the same deals, but a deal whose account's trust is below ``trust_target`` gets a relationship
  action instead (``relationship_action``, a friendly dinner by default), at most ``relationship_share``
  of the week's actions; the others get the advance action.
- ``relationship_only``: each of those deals gets the relationship action.

Each seed is one simulation of the world with its own weekly draws; the three sellers of a seed share
them (common random numbers), so their differences are the strategies', not luck. The measure is the
**amount won** in new accounts within the weeks played. Intervals are 95 % normal intervals over seeds:
of each strategy's mean, and of the paired differences.

Example:
    >>> from simfunnel.model.generate import generate
    >>> result = compare_trust(generate(accounts=40, seed=3), seeds=range(3), weeks=8, actions_per_week=4)
    >>> list(result.summary.index)
    ['advance_only', 'mix', 'relationship_only']
    >>> list(result.summary.columns)
    ['mean', 'low', 'high', 'seeds']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from simfunnel.analysis.allocation import best_action
from simfunnel.model.actions import ACTIONS_BY_KEY
from simfunnel.model.funnel import WON
from simfunnel.model.generate import World
from simfunnel.model.simulate import Simulation

__all__ = ["STRATEGIES", "TrustComparison", "compare_trust", "play_strategy"]

STRATEGIES = ("advance_only", "mix", "relationship_only")
Z95 = 1.959963984540054


@dataclass(frozen=True)
class TrustComparison:
    """What :func:`compare_trust` measured.

    Attributes:
        runs: one row per seed and strategy: seed, strategy, won_amount, won_deals, relationship_actions,
            advance_actions.
        summary: by strategy: mean amount won, the 95 % interval of the mean (low, high) and the seeds.
        differences: paired differences of amount won (``mix − advance_only``,
            ``advance_only − relationship_only``, ``mix − relationship_only``): mean, low, high, seeds.
        settings: the comparison's settings (weeks, actions_per_week, relationship_share, trust_target,
            relationship_action, new accounts, seeds).
    """

    runs: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    settings: dict


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    n = len(values)
    mean = float(values.mean()) if n else math.nan
    half = Z95 * float(values.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
    return mean, mean - half, mean + half


def play_strategy(world: World, seed: int, strategy: str, weeks: int = 26, actions_per_week: int = 6,
                  relationship_share: float = 1 / 3, trust_target: float = 0.7,
                  relationship_action: str = "friendly_dinner") -> dict:
    """One seller's ``weeks`` of ``strategy`` on ``world``'s new accounts with simulation seed ``seed``.

    Returns:
        ``{"won_amount", "won_deals", "relationship_actions", "advance_actions"}`` over the new accounts.

    Raises:
        ValueError: an unknown strategy or relationship action, or settings out of range.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    act = ACTIONS_BY_KEY.get(relationship_action)
    if act is None or act.kind != "relationship":
        raise ValueError(f"relationship_action must be a relationship action "
                         f"({', '.join(a.key for a in ACTIONS_BY_KEY.values() if a.kind == 'relationship')}), "
                         f"got {relationship_action!r}")
    if not 1 <= weeks <= world.weeks or actions_per_week < 1 or not 0 <= relationship_share <= 1:
        raise ValueError(f"weeks must be 1 … {world.weeks}, actions_per_week ≥ 1 and relationship_share in [0, 1]; "
                         f"got {weeks}, {actions_per_week}, {relationship_share}")
    deals = world.deals
    new_accounts = set(world.accounts.loc[~world.accounts["existing_customer"].astype(bool), "account_id"])
    in_new = deals["account_id"].isin(new_accounts).to_numpy()
    order = np.lexsort((deals["deal_id"].to_numpy(), -deals["amount"].to_numpy(dtype=float)))
    order = order[in_new[order]]  # new accounts' deals, largest first
    ids = deals["deal_id"].to_numpy()
    created = deals["created_week"].to_numpy()
    account = deals["account_id"].to_numpy()
    keys = world.funnel.keys
    best = {k: best_action(world.funnel, k) for k in keys}
    budget = int(math.floor(actions_per_week * relationship_share + 1e-9))
    sim = Simulation(world, seed=seed)
    counts = {"relationship_actions": 0, "advance_actions": 0}
    for _ in range(weeks):
        week = sim.week + 1
        codes = sim.stage_codes()
        open_now = order[(created[order] < week) & (codes[order] < len(keys))][:actions_per_week]
        trust = sim.trust
        actions: dict[int, str] = {}
        left = budget
        for pos in open_now:
            if strategy == "relationship_only" or (
                    strategy == "mix" and left > 0 and trust.at[account[pos]] < trust_target):
                actions[int(ids[pos])] = relationship_action
                left -= strategy == "mix"
                counts["relationship_actions"] += 1
            else:
                actions[int(ids[pos])] = best[keys[codes[pos]]]
                counts["advance_actions"] += 1
        sim.advance(actions)
    final = sim.stage_codes()
    won = in_new & (final == world.funnel.all_keys.index(WON))
    return {"won_amount": float(deals["amount"].to_numpy(dtype=float)[won].sum()), "won_deals": int(won.sum()),
            **counts}


def compare_trust(world: World, seeds: Iterable[int] = range(1, 31), weeks: int = 26, actions_per_week: int = 6,
                  relationship_share: float = 1 / 3, trust_target: float = 0.7,
                  relationship_action: str = "friendly_dinner") -> TrustComparison:
    """Play the three :data:`STRATEGIES` on ``world`` for each seed; the means and paired differences with
    95 % intervals (see the module's notes).

    Raises:
        ValueError: no seeds, or what :func:`play_strategy` refuses.
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("compare_trust needs at least one seed")
    options = dict(weeks=weeks, actions_per_week=actions_per_week, relationship_share=relationship_share,
                   trust_target=trust_target, relationship_action=relationship_action)
    runs = pd.DataFrame([{"seed": seed, "strategy": strategy, **play_strategy(world, seed, strategy, **options)}
                         for seed in seeds for strategy in STRATEGIES])
    wide = runs.pivot(index="seed", columns="strategy", values="won_amount")
    summary = pd.DataFrame([(*_interval(wide[s].to_numpy()), len(seeds)) for s in STRATEGIES],
                           index=pd.Index(STRATEGIES, name="strategy"), columns=["mean", "low", "high", "seeds"])
    pairs = (("mix", "advance_only"), ("advance_only", "relationship_only"), ("mix", "relationship_only"))
    differences = pd.DataFrame([(*_interval((wide[a] - wide[b]).to_numpy()), len(seeds)) for a, b in pairs],
                               index=pd.Index([f"{a} − {b}" for a, b in pairs], name="difference"),
                               columns=["mean", "low", "high", "seeds"])
    new_accounts = int((~world.accounts["existing_customer"].astype(bool)).sum())
    return TrustComparison(runs, summary, differences,
                           {**options, "new_accounts": new_accounts, "seeds": seeds})
