"""Who the sellers meet, measured over a whole year: the same world and draws, different contacts met.

Example:
    >>> from simfunnel.model.generate import generate
    >>> table = compare_meetings(generate(accounts=40, seed=3), seed=3, lang="en")
    >>> bool(table.loc["coaches only", "approval_advance"] > table.loc["nobody met", "approval_advance"])
    True
"""

from __future__ import annotations

import pandas as pd

from simfunnel.i18n import resolve_language, text
from simfunnel.model.people import COVERAGE_GROUPS, PeopleParams, coverage_groups
from simfunnel.model.simulate import Simulation


def compare_meetings(world, meetings: dict[str, object] | None = None, seed: int = 2026,
                     params: PeopleParams | None = None, lang: str | None = None) -> pd.DataFrame:
    """Who the sellers have met from week 0 → what the year brings, with the same random draws.

    Each scenario runs ``Simulation(world, seed, people=params)`` to the world's horizon after
    meeting its contacts at week 0, with no actions; the weekly uniforms are common to all, so
    the differences are caused by who was met (see :mod:`simfunnel.model.people`).

    Args:
        world: a :class:`~simfunnel.model.generate.World`.
        meetings: scenario name → contact ids met at week 0 (default :func:`coverage_groups`,
            labelled from :data:`COVERAGE_GROUPS`; other names are used as they are).
        seed: the simulation seed.

    Returns:
        One row per scenario (index: its label in ``lang``): ``contacts_met``, ``deals_won``,
        ``won_amount``, ``win_rate`` (won among the deals closed) and ``approval_advance`` (the
        share of the weeks deals spent at the ``build_trust`` step, 内部立项, that ended in an advance).

    Example:
        >>> from simfunnel.model.generate import generate
        >>> table = compare_meetings(generate(accounts=40, seed=3), seed=3, lang="en")
        >>> bool(table.loc["coaches only", "approval_advance"] > table.loc["nobody met", "approval_advance"])
        True
    """
    lang = resolve_language(lang)
    params = params or PeopleParams()
    if meetings is None:
        meetings = coverage_groups(world.contacts)
    approval = {s.key for s in world.funnel.stages if s.key_step == "build_trust"}
    rows, labels = [], []
    for name, contact_ids in meetings.items():
        sim = Simulation(world, seed=seed, people=params)
        ids = list(contact_ids)
        if ids:
            sim.meet(ids)
        history = sim.run()
        d = history.deals
        status = d["status"].astype(str)
        won = status == "won"
        closed = int((status != "open").sum())
        # weeks at the approval stage = deal-weeks drawn there (week w draws the state at the end of week w − 1,
        # so snapshots 0 … end − 1); advances = events leaving it forward
        snaps = history.snapshots_between(0, history.end_week - 1, open_only=True)
        ev = history.events
        weeks_there = int(snaps["stage"].astype(str).isin(approval).sum()) if approval else 0
        advanced = int((ev["from_stage"].astype(str).isin(approval) & (ev["outcome"].astype(str) == "advance")).sum())
        rows.append({"contacts_met": len(ids), "deals_won": int(won.sum()),
                     "won_amount": float(d.loc[won, "amount"].sum()),
                     "win_rate": float(won.sum()) / closed if closed else float("nan"),
                     "approval_advance": advanced / weeks_there if weeks_there else float("nan")})
        labels.append(text(COVERAGE_GROUPS[name], lang) if name in COVERAGE_GROUPS else str(name))
    return pd.DataFrame(rows, index=pd.Index(labels, name=text(("拜访了谁", "Who was met"), lang)))
