"""What-if branches of a workshop: a team's play replayed from a round with its decisions changed.

:func:`branch` takes a team at a round, changes decisions of that round (another action on a deal, a move
removed, a move added) or the threshold, and replays forward with the same random draws (common random
numbers: week *w* draws the same uniform per deal whatever the actions). The difference from the original
is caused by the change alone; a branch without a change reproduces the original to the cent. The result
is a :class:`Branch`; a change refused is a :class:`BranchError` (in zh and en).

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.demo import play_demo
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=["red"], seed=7, accounts=40)
    >>> _ = play_demo(store, weeks=2, seed=1)
    >>> b = branch(store, "red", at_round=1)        # no change: the original, to the cent
    >>> b.original.equals(b.branched), b.describe("en")
    (True, 'no change (a check: identical to the original)')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

import pandas as pd

from simfunnel import i18n
from simfunnel.analysis.metrics import INDICATOR_COLUMNS, records_entered
from simfunnel.model.actions import ACTIONS_BY_KEY, PEOPLE_ACTIONS_BY_KEY, actions_for, people_actions_for
from simfunnel.workshop.played import (
    action_label,
    check_threshold,
    check_whole,
    phrase,
    round_names,
    rounds,
    team_indicators,
)

if TYPE_CHECKING:
    from simfunnel.model.history import History
    from simfunnel.model.simulate import Simulation
    from simfunnel.workshop.store import WorkshopStore

__all__ = ["fitting_actions", "Branch", "BranchError", "KNOWN_THEN", "SUMMARY_METRICS", "branch"]

# The branch's summary: metric → higher is better? (None: neither). The forecast at the team's week, then the
# measures of WorkshopStore.leaderboard with its definitions.
SUMMARY_METRICS = {"forecast": None, "booked": True, "forecast_accuracy": True, "progress_vs_benchmark": True,
                   "records_entered": False}
_DIFF_COLUMNS = ("forecast", "booked", "out_of_funnel_booked", "progress")
# The indicator columns known at their week; forecast_error and censored look ahead (what the deals then brought).
KNOWN_THEN = [c for c in INDICATOR_COLUMNS if c not in ("forecast_error", "censored")]


class BranchError(ValueError):
    """A what-if branch refused; ``str(exc)`` is English, ``exc.zh`` / ``exc.en`` (and :meth:`text`) both languages."""

    def __init__(self, key: str, **fields: object) -> None:
        self.en, self.zh = phrase(key, "en", **fields), phrase(key, "zh", **fields)
        super().__init__(self.en)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.zh if lang == "zh" else self.en


def _round_row(played: pd.DataFrame, at_round: object) -> pd.Series:
    r = check_whole("at_round", at_round)
    hit = played[played["round"] == r]
    if not len(hit):
        listed = ", ".join(str(int(x)) for x in played["round"]) or "none yet"
        raise ValueError(f"at_round {r} is not a round this team has played (played: {listed})")
    return hit.iloc[0]


@dataclass
class Branch:
    """A what-if branch of one team's play and the original it departs from.

    Attributes:
        team, at_round: where it departs; ``change_week``: the round's first week (the
            branch equals the original before it).
        changes: deal_id → the new action of that round's move (``None``: no move).
        threshold: the threshold from ``change_week`` on (``None``: unchanged);
            ``base_threshold``: the workshop's.
        original, branched: the two :func:`~simfunnel.analysis.metrics.indicators` tables (weeks
            ``start_week … the team's week``); with a threshold change the branched rows from
            ``change_week`` on are those computed with the new threshold. Before ``change_week``
            the columns known then (:data:`KNOWN_THEN`) are equal; ``forecast_error`` and
            ``censored`` look ahead to what the deals brought later, so a change reaches them.
        original_history, branched_history: the two replayed histories.
        skipped: later moves of the original the branch could not make (the deal closed, or
            at a stage the action does not fit): week, deal_id, action, reason. Never silent.
        quota, currency, start_week, period_weeks: of the team's scenario.
        team_zh, team_en, team_en_cap: the team's name for people in sentences (the store's ``team_words``:
            第 3 组 / Team 3, the trainer's name, or "red 组" / "team red" for a bare key).
    """

    team: str
    at_round: int
    change_week: int
    changes: dict[int, str | None]
    threshold: float | None
    base_threshold: float
    original: pd.DataFrame
    branched: pd.DataFrame
    original_history: "History" = field(repr=False)
    branched_history: "History" = field(repr=False)
    skipped: pd.DataFrame = field(repr=False)
    previous: dict[int, str | None] = field(repr=False, default_factory=dict)
    round_kind: str = "scored"
    quota: float = math.nan
    currency: str = "CNY"
    start_week: int = 0
    period_weeks: int = 13
    team_zh: str = ""
    team_en: str = ""
    team_en_cap: str = ""

    def difference(self) -> pd.DataFrame:
        """Week by week: ``week`` and, for forecast, booked, out_of_funnel_booked and progress,
        ``<col>_original``, ``<col>_branch`` and ``<col>_difference`` (branch − original)."""
        out = pd.DataFrame({"week": self.original["week"].to_numpy()})
        for col in _DIFF_COLUMNS:
            a = self.original[col].to_numpy(dtype=float)
            b = self.branched[col].to_numpy(dtype=float)
            out[f"{col}_original"] = a
            out[f"{col}_branch"] = b
            out[f"{col}_difference"] = b - a
        return out

    def _records(self, history: "History", threshold: float | None) -> int:
        s, n, cw = self.start_week, self.period_weeks, self.change_week
        if threshold is None:
            return records_entered(history, self.base_threshold, s, n)
        before = records_entered(history, self.base_threshold, s, cw - 1 - s) if cw - 1 > s else 0
        return before + records_entered(history, threshold, cw - 1, s + n - (cw - 1))

    def summary(self) -> pd.DataFrame:
        """The original and the branch at the team's week: the forecast, then the leaderboard's measures
        (definitions of ``WorkshopStore.leaderboard``; records entered with the branch's threshold from the
        change week on). One row per metric of :data:`SUMMARY_METRICS`; columns metric, original, branched,
        difference (branch − original)."""
        def measures(table: pd.DataFrame, history: "History", threshold: float | None) -> dict[str, float]:
            bench = table["benchmark"].to_numpy(dtype=float)
            progress = table["progress"].to_numpy(dtype=float)[1:]
            if not len(progress) or (bench <= 0).any():
                pace = math.nan
            elif (bench == bench[0]).all():  # as the leaderboard: the mean progress over the benchmark
                pace = float(progress.mean()) / float(bench[0])
            else:  # another threshold from the change week on: each week against its own benchmark
                pace = float((progress / bench[1:]).mean())
            return {"forecast": float(table["forecast"].iloc[-1]), "booked": float(table["booked"].iloc[-1]),
                    "forecast_accuracy": max(0.0, 1.0 - float(table["forecast_error"].abs().mean())),
                    "progress_vs_benchmark": pace,
                    "records_entered": float(self._records(history, threshold))}

        a = measures(self.original, self.original_history, None)
        b = measures(self.branched, self.branched_history, self.threshold)
        return pd.DataFrame({"metric": list(SUMMARY_METRICS), "original": [a[m] for m in SUMMARY_METRICS],
                             "branched": [b[m] for m in SUMMARY_METRICS],
                             "difference": [b[m] - a[m] for m in SUMMARY_METRICS]})

    def describe(self, lang: str | None = None) -> str:
        """What the branch changed, in ``lang``."""
        lang = i18n.resolve_language(lang)
        parts = []
        for deal, new in self.changes.items():
            old = self.previous.get(deal)
            if new is None:
                parts.append(phrase("change_remove", lang, deal=deal, old=action_label(old, lang)))
            elif old is None:
                parts.append(phrase("change_add", lang, deal=deal, new=action_label(new, lang)))
            else:
                parts.append(phrase("change_action", lang, deal=deal, old=action_label(old, lang),
                                    new=action_label(new, lang)))
        if self.threshold is not None:
            parts.append(phrase("change_threshold", lang,
                                old=i18n.format_money(self.base_threshold, self.currency, lang),
                                new=i18n.format_money(self.threshold, self.currency, lang)))
        if not parts:
            return phrase("no_change", lang)
        return phrase("changes", lang, changes=("；" if lang == "zh" else "; ").join(parts))


def _obstacle(sim: "Simulation", ids: pd.Index, deal_id: int, action: str, week: int) -> tuple[str, str, str] | None:
    """Why the move cannot be made in the simulation's coming week: (reason key, stage key, message), or None.

    ``ids``: the world's deal ids in order (positions in the simulation's arrays)."""
    pos = int(ids.get_loc(deal_id))
    created = int(sim.world.deals["created_week"].iloc[pos])
    code = int(sim.stage_codes()[pos])
    key = sim.funnel.all_keys[code]
    if created >= week:
        return "why_created", key, (f"the deal is created in week {created}; "
                                    f"it can be acted on from week {created + 1}")
    if code >= len(sim.funnel):
        return "why_closed", key, f"the deal is already closed ({key})"
    fitting = [a.key for a in actions_for(sim.funnel, key)]
    if sim.people is not None:
        fitting += [a.key for a in people_actions_for(sim.funnel, key)]
    if action in fitting:
        return None
    return "why_stage", key, f"action {action!r} does not fit stage {key!r}; try {', '.join(fitting)}"


def fitting_actions(store: "WorkshopStore", team: str, week: int, deal_id: int) -> list[str]:
    """The actions (keys, people actions too when the workshop has people) that fit ``deal_id`` in ``week``:
    at the stage the team's deal had at the end of ``week − 1``. Empty when the deal is closed by then or not
    yet created — what a what-if form may offer for that deal.
    """
    sim = store.simulation(team)
    ids = pd.Index(sim.world.deals["deal_id"].to_numpy())
    if deal_id not in ids or not 1 <= int(week) <= sim.week + 1:
        return []
    pos = int(ids.get_loc(deal_id))
    if int(sim.world.deals["created_week"].iloc[pos]) >= int(week):
        return []
    code = int(sim.stage_codes(int(week) - 1)[pos])
    if code >= len(sim.funnel):
        return []
    key = sim.funnel.all_keys[code]
    fitting = [a.key for a in actions_for(sim.funnel, key)]
    if sim.people is not None:
        fitting += [a.key for a in people_actions_for(sim.funnel, key)]
    return fitting


def branch(store: "WorkshopStore", team: str, at_round: int, changes: Mapping[int, str | None] | None = None,
           threshold: float | None = None) -> Branch:
    """Replay ``team`` from round ``at_round`` with its decisions changed, with the same random draws.

    The team's simulation is replayed (same world, seed, market events) up to the week before the
    round's first week ``c``; week ``c`` is stepped with the round's moves changed by ``changes``
    (deal_id → another action, a new move on a deal not acted on, or ``None`` to remove the
    move), then every later week with the team's own moves up to the team's current week. Each
    week draws the same uniforms per deal as the original (common random numbers), so a deal
    nobody changed moves exactly as it did, unless the change reaches it (with the people layer,
    a meeting changes the odds of the account's other deals). A later move that no longer fits
    (its deal closed, or at another stage) is skipped and listed in ``Branch.skipped``.
    ``threshold`` recomputes the indicators with another threshold from week ``c`` on. With no
    change at all the branch reproduces the original exactly (to the cent).

    Raises:
        ValueError: an unknown team, a round the team has not played, a change naming an unknown
            deal or action, removing a move that was not made, or an action that does not fit
            the deal's stage in week ``c``.
    """
    scenario = store.scenario(team)
    s, n = store.start_week, int(store.config["period_weeks"])
    played = rounds(store, team)
    row = _round_row(played, at_round)
    cw = int(row["first_week"])
    if changes is None:
        changes = {}
    if not isinstance(changes, Mapping):
        raise ValueError(f"changes must map deal_id → action key or None, got {type(changes).__name__}")
    try:
        new_threshold = None if threshold is None else check_threshold(threshold)
    except ValueError:
        raise BranchError("err_threshold", value=threshold) from None
    base_T = float(store.config["threshold"])
    quota = float(scenario["quota"])

    original_sim = store.simulation(team)
    acts, styles = store.actions(team)
    if len(acts) != original_sim.week - s:
        raise ValueError(f"team {team}: the store's moves cover {len(acts)} weeks but its simulation "
                         f"is at week {original_sim.week}")
    known_ids = pd.Index(original_sim.world.deals["deal_id"])
    clean: dict[int, str | None] = {}
    for deal, new in changes.items():
        d = check_whole("changes: deal_id", deal)
        if known_ids.get_indexer([d])[0] < 0:
            raise BranchError("err_unknown_deal", deal=d, **store.team_words(team))
        if new is not None:
            if not isinstance(new, str):
                raise ValueError(f"changes: deal {d}: the action must be an action key or None, got {new!r}")
            _check_action_key(new)
        clean[d] = new
    week_acts = dict(acts[cw - s - 1])
    previous = {d: week_acts.get(d) for d in clean}
    for d, new in clean.items():
        if new is None and d not in week_acts:
            raise BranchError("err_no_move", deal=d, week=cw, round=int(row["round"]),
                              **round_names(int(row["round"]), str(row["kind"])))

    sim = original_sim.replay(cw - 1)
    skipped = []
    for week in range(cw, original_sim.week + 1):
        a = dict(acts[week - s - 1])
        st = dict(styles[week - s - 1])
        if week == cw:
            for d, new in clean.items():
                if new == a.get(d):
                    continue  # the same decision: nothing changes (its style stays)
                st.pop(d, None)
                if new is None:
                    a.pop(d)
                    continue
                obstacle = _obstacle(sim, known_ids, d, new, week)
                if obstacle is not None:
                    why = phrase(obstacle[0], "zh", stage=sim.funnel.label(obstacle[1], "zh"))
                    raise BranchError("err_obstacle", deal=d, week=week, detail=obstacle[2], why=why)
                a[d] = new
        else:
            for d, key in list(a.items()):
                obstacle = _obstacle(sim, known_ids, d, key, week)
                if obstacle is not None:
                    skipped.append({"week": week, "deal_id": d, "action": key, "reason": obstacle[0],
                                    "stage": obstacle[1]})
                    a.pop(d)
                    st.pop(d, None)
        sim.advance(a, st if sim.people is not None else None)
    original = team_indicators(store, original_sim.history, quota, base_T)
    branched = team_indicators(store, sim.history, quota, base_T)
    if new_threshold is not None:
        other = team_indicators(store, sim.history, quota, new_threshold)
        later = branched["week"].to_numpy() >= cw
        branched = pd.concat([branched[~later], other[later]], ignore_index=True)
    skipped_df = pd.DataFrame(skipped, columns=["week", "deal_id", "action", "reason", "stage"])
    return Branch(team=team, at_round=int(row["round"]), change_week=cw, changes=clean, threshold=new_threshold,
                  base_threshold=base_T, original=original, branched=branched,
                  original_history=original_sim.history, branched_history=sim.history, skipped=skipped_df,
                  previous=previous, round_kind=str(row["kind"]), quota=quota,
                  currency=str(store.config.get("currency", "CNY")),
                  start_week=s, period_weeks=n, **store.team_words(team))


def _check_action_key(key: str) -> None:
    if key not in ACTIONS_BY_KEY and key not in PEOPLE_ACTIONS_BY_KEY:
        known = ", ".join(list(ACTIONS_BY_KEY) + list(PEOPLE_ACTIONS_BY_KEY))
        raise ValueError(f"changes: unknown action {key!r}; actions are {known}")
