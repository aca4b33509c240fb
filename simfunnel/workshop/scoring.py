"""Scoring in the workshop store: the leaderboard from each team's replay, the trainer's score weights.

**Scoring.** :meth:`~ScoringMixin.leaderboard` adds ``score`` (0–100) and ``rank``: the trainer's weighted
mix (:meth:`~ScoringMixin.set_weights`, :data:`DEFAULT_WEIGHTS`) of the metrics scaled across teams
(:func:`scores`).
"""

from __future__ import annotations

import json
import math
import sqlite3

import numpy as np
import pandas as pd

from simfunnel.analysis.metrics import indicators, records_entered
from simfunnel.workshop.errors import StoreError

__all__ = ["ScoringMixin", "DEFAULT_WEIGHTS", "LEADERBOARD_COLUMNS", "scores"]

# The leaderboard's score: weight of each metric (the trainer sets them with set_weights).
DEFAULT_WEIGHTS: dict[str, float] = {"booked": 3.0, "forecast_accuracy": 2.0, "progress_vs_benchmark": 2.0,
                                     "quiz_score": 2.0, "records_entered": 1.0}
_WEIGHT_COLUMNS = {"booked": "booked_vs_quota"}  # metric → leaderboard column (booked: against each team's quota)
_LOWER_IS_BETTER = frozenset({"records_entered"})
LEADERBOARD_COLUMNS = ("team", "week", "weeks_played", "moves", "booked", "quota", "booked_vs_quota",
                       "forecast_accuracy", "progress_vs_benchmark", "records_entered", "quiz_score", "quiz_answered",
                       "score", "rank")


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


class ScoringMixin:
    """:class:`~simfunnel.workshop.store.WorkshopStore`'s leaderboard and score weights."""

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
