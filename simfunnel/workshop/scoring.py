"""Scoring in the workshop store: the leaderboard from each team's replay, the trainer's score weights.

**Scoring.** :meth:`~ScoringMixin.leaderboard` adds ``score`` (0–100) and ``rank``: the trainer's weighted
mean (:meth:`~ScoringMixin.set_weights`, :data:`DEFAULT_WEIGHTS`) of five parts, each on an absolute
0–1 scale of its own (:func:`score_parts`) — never scaled across the teams, so a team's points do not
depend on who else plays, and 180 records against 182 is a fraction of a point, not the whole range.
:func:`score_formula` writes the formula out, in zh or en, for the trainer's console and the handout.
"""

from __future__ import annotations

import json
import math
import sqlite3

import numpy as np
import pandas as pd

from simfunnel import i18n
from simfunnel.analysis.metrics import indicators, records_entered
from simfunnel.workshop.errors import StoreError

__all__ = ["DEFAULT_WEIGHTS", "LEADERBOARD_COLUMNS", "RATIO_CAP", "SCORE_TEXT", "ScoringMixin", "score_formula",
           "score_parts", "scores"]

# The leaderboard's score: weight of each part (the trainer sets them with set_weights; the CLI and the
# store's meta table use these keys).
DEFAULT_WEIGHTS: dict[str, float] = {"booked": 3.0, "forecast_accuracy": 2.0, "progress_vs_benchmark": 2.0,
                                     "quiz_score": 2.0, "records_entered": 1.0}
# Booked against the quota of the weeks played and progress against the benchmark earn full points at this
# ratio (1 = on pace: 2/3 of the points; beating the pace still counts, one lucky deal cannot run away).
RATIO_CAP = 1.5
LEADERBOARD_COLUMNS = ("team", "week", "weeks_played", "moves", "booked", "quota", "quota_to_date", "booked_vs_quota",
                       "forecast_accuracy", "progress_vs_benchmark", "records_entered", "records_without_threshold",
                       "quiz_score", "quiz_answered", "quiz_correct", "score", "rank")

# The formula in words (zh, en): the heading, then one line per part (its weight is shown with it).
SCORE_TEXT: dict[str, tuple[str, str]] = {
    "formula": ("得分 = 100 × Σ（权重 × 分项）÷ Σ 权重。每个分项按固定标准折成 0–1，与其他组无关；"
                "还无从衡量的分项（例如还没练完一周）连同它的权重一起不计。",
                "Score = 100 × Σ (weight × part) ÷ Σ weights. Each part is 0–1 on a fixed scale, whatever the "
                "other teams do; a part with nothing to measure yet (no week played) is left out, weight and all."),
    "booked": ("已成交（权重 {w}）：成交额 ÷ 已练各周的任务（任务 × 已练周数 ÷ {n}）；正好按进度（100%）"
               "得这一项 {on_pace} 的分，达到 {cap_pct} 及以上得满分。",
               "Booked (weight {w}): revenue booked ÷ the quota of the weeks played (quota × weeks played ÷ {n}); "
               "on pace (100%) earns {on_pace} of its points, {cap_pct} or more earns them all."),
    "forecast_accuracy": ("预测准确度（权重 {w}）：1 − 平均|预测误差|（误差按任务计），本身就在 0–1 之间。",
                          "Forecast accuracy (weight {w}): 1 − mean |forecast error| (as a share of the quota), "
                          "already 0–1."),
    "progress_vs_benchmark": ("进展 / 基准（权重 {w}）：平均每周销售进展 ÷ 基准进度；低于 0 记 0，"
                              "正好跟上基准（1）得这一项 {on_pace} 的分，达到 {cap} 及以上得满分。",
                              "Progress / benchmark (weight {w}): mean weekly progress ÷ the benchmark; below 0 "
                              "counts 0, on pace (1) earns {on_pace} of its points, {cap} or more earns them all."),
    "quiz_score": ("答题（权重 {w}）：答对的题数 ÷ 行动数（每个行动有一条客户回复要判断）；"
                   "没答的题不得分（显示为未答，不算答错）；一个行动也没有的组，这一项为 0。",
                   "Quiz (weight {w}): correct answers ÷ moves made (each move brings one customer reply to judge); "
                   "an unanswered reply earns nothing (it is shown as unanswered, not as a wrong answer); a "
                   "team without a move gets 0."),
    "records_entered": ("录入记录数（权重 {w}，越少越好）：1 − 录入记录数 ÷ 不设门槛时同样的商机要录入的记录数，"
                        "即门槛省下的录入工作。",
                        "Records entered (weight {w}, fewer is better): 1 − records entered ÷ the records the same "
                        "deals would need with no threshold: the data entry the threshold saves."),
}


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


def _ratio_part(ratio: pd.Series) -> pd.Series:
    """A ratio where 1 is on pace, as 0–1 points: below 0 → 0, :data:`RATIO_CAP` and above → 1 (NaN stays)."""
    return ratio.clip(lower=0.0, upper=RATIO_CAP) / RATIO_CAP


def score_parts(board: pd.DataFrame) -> pd.DataFrame:
    """Each team's five score parts, each 0–1 on an absolute scale (NaN: nothing to measure yet).

    One column per key of :data:`DEFAULT_WEIGHTS`, from the leaderboard's columns:

    - ``booked``: ``booked / quota_to_date`` — revenue booked in the weeks played against the quota of those
      weeks (``quota × weeks_played / period_weeks``), the fair yardstick mid-quarter — capped at
      :data:`RATIO_CAP` and divided by it: on pace = 2/3, 150 % of it or more = 1. NaN before a week is played.
    - ``forecast_accuracy``: as it is (``1 − mean |forecast error|``, already 0–1).
    - ``progress_vs_benchmark``: the ratio below 0 counts 0, capped at :data:`RATIO_CAP`, divided by it.
    - ``quiz_score``: ``quiz_correct / moves`` — correct answers against moves made (every move brings one
      customer reply to judge). An unanswered reply earns nothing and is not a wrong answer (the leaderboard
      shows it as unanswered: ``moves − quiz_answered``). Why not the share right among the answered
      (``quiz_score``)? It would pay to skip the hard replies, and a team with one lucky answer would top it.
      Why not leave the quiz out for a team without answers? Then a team that does nothing is scored only
      on what its market does by itself — booked, forecast accuracy and records are then as good as a
      busy team's, often better — and doing nothing would beat trying: a team without a move has made no
      judgement, so 0 (shown as "no moves", not as 0 % right).
    - ``records_entered``: ``1 − records_entered / records_without_threshold`` — the share of the data entry
      the workshop's threshold saves on the team's own deals (the records the same deals need with
      threshold 0), so fewer is better on a fixed scale: 180 or 182 records out of 400 is 0.550 or 0.545.
      With threshold 0 it is 0 for everyone; NaN when the team has nothing to enter yet.

    Example:
        >>> board = pd.DataFrame({"moves": [8, 0], "booked": [300_000.0, 100_000.0],
        ...                       "quota_to_date": [200_000.0, 200_000.0], "forecast_accuracy": [0.8, 0.9],
        ...                       "progress_vs_benchmark": [1.2, -0.3], "quiz_correct": [6, 0],
        ...                       "records_entered": [182, 180], "records_without_threshold": [400, 400]})
        >>> score_parts(board).round(3).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'booked': [1.0, 0.333], 'forecast_accuracy': [0.8, 0.9], 'progress_vs_benchmark': [0.8, 0.0],
         'quiz_score': [0.75, 0.0], 'records_entered': [0.545, 0.55]}
    """
    moves = board["moves"].astype(float)
    to_date = board["quota_to_date"].astype(float)
    without = board["records_without_threshold"].astype(float)
    quiz = (board["quiz_correct"].astype(float) / moves.where(moves > 0)).clip(0.0, 1.0).mask(moves == 0, 0.0)
    parts = {
        "booked": _ratio_part(board["booked"].astype(float) / to_date.where(to_date > 0)),
        "forecast_accuracy": board["forecast_accuracy"].astype(float).clip(0.0, 1.0),
        "progress_vs_benchmark": _ratio_part(board["progress_vs_benchmark"].astype(float)),
        "quiz_score": quiz,
        "records_entered": (1.0 - board["records_entered"].astype(float) / without.where(without > 0)).clip(0.0, 1.0),
    }
    return pd.DataFrame(parts, index=board.index)


def scores(board: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """The leaderboard's ``score`` (0–100) and ``rank`` (1 = best; ties share the better rank).

    ``score = 100 × Σ weight × part / Σ weight`` over the parts of :func:`score_parts` (each 0–1 on its
    own absolute scale, never scaled across the teams) with ``weights`` (default :data:`DEFAULT_WEIGHTS`).
    A part that is NaN for a team (nothing to measure yet) is left out of that team's mean, its weight with
    it; a team with no part measured has a NaN score and ranks last.

    Example:
        >>> board = pd.DataFrame({"moves": [8, 0], "booked": [300_000.0, 100_000.0],
        ...                       "quota_to_date": [200_000.0, 200_000.0], "forecast_accuracy": [0.8, 0.9],
        ...                       "progress_vs_benchmark": [1.2, -0.3], "quiz_correct": [6, 0],
        ...                       "records_entered": [182, 180], "records_without_threshold": [400, 400]})
        >>> scores(board).round(2).to_dict("list")  # 100 × (3×1 + 2×0.8 + 2×0.8 + 2×0.75 + 1×0.545) / 10
        {'score': [82.45, 33.5], 'rank': [1, 2]}
        >>> scores(board.assign(moves=[2, 0], quota_to_date=0.0, progress_vs_benchmark=float("nan"),
        ...                     quiz_correct=[1, 0], records_without_threshold=0)).round(2).to_dict("list")
        {'score': [65.0, 45.0], 'rank': [1, 2]}
    """
    weights = _check_weights(dict(DEFAULT_WEIGHTS if weights is None else weights))
    parts = score_parts(board)
    w = pd.Series(weights)
    measured = parts.notna().astype(float) * w  # each team's weights of the parts it has
    total = (parts.fillna(0.0) * w).sum(axis=1)
    denominator = measured.sum(axis=1)
    score = (100.0 * total / denominator.where(denominator > 0)).round(9)
    rank = score.rank(method="min", ascending=False, na_option="bottom")
    return pd.DataFrame({"score": score, "rank": rank.astype(np.int64)}, index=board.index)


def score_formula(weights: dict[str, float] | None = None, lang: str | None = None,
                  period_weeks: int = 13) -> list[str]:
    """The score's formula in words, in ``lang``: the heading line, then one line per part with its weight.

    For the trainer's console and the handout (:data:`SCORE_TEXT`; ``period_weeks`` is the workshop's).

    Example:
        >>> score_formula(lang="en")[1]
        'Booked (weight 3): revenue booked ÷ the quota of the weeks played (quota × weeks played ÷ 13); on pace (100%) earns 67% of its points, 150% or more earns them all.'
    """
    weights = _check_weights(dict(DEFAULT_WEIGHTS if weights is None else weights))
    fields = {"n": int(period_weeks), "cap": f"{RATIO_CAP:g}", "cap_pct": f"{RATIO_CAP:.0%}",
              "on_pace": f"{1 / RATIO_CAP:.0%}"}
    return [i18n.text(SCORE_TEXT["formula"], lang)] + [
        i18n.text(SCORE_TEXT[key], lang, w=f"{weight:g}", **fields) for key, weight in weights.items()]


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
          of weeks ``s+1 … w``, in and out of the funnel); ``quota``: ``Q``; ``quota_to_date``:
          ``Q × (w − s) / n``, the quota of the weeks played; ``booked_vs_quota``: ``booked / Q``.
        - ``forecast_accuracy``: ``max(0, 1 − mean |forecast_error|)`` over I's rows: how
          close the forecast came to what the deals then brought, as a share of the quota
          (deals still open are censored, as in ``indicators``).
        - ``progress_vs_benchmark``: mean ``progress`` over ``t = 1 … w − s`` divided by
          ``benchmark`` (1 = on pace for the quota; NaN before a week is played or when the
          benchmark is ≤ 0).
        - ``records_entered``: ``metrics.records_entered(history, T, s, n)`` (weeks played);
          ``records_without_threshold``: the same with ``T = 0`` (every deal entered).
        - ``quiz_answered``: replies classified (moves not withdrawn), ``quiz_correct``: those
          classified correctly; ``quiz_score``: their share of the answered (NaN when none; the
          moves not answered are ``moves − quiz_answered``).
        - ``score`` and ``rank``: the trainer's weighted mean of booked (against the quota of the
          weeks played), forecast accuracy, progress against the benchmark, correct answers per
          move and the records the threshold saves, each on an absolute 0–1 scale: see
          :func:`score_parts`, :func:`scores` and :attr:`weights`.

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
                every_record = records_entered(history, 0.0, start_week=s, period_weeks=n)
            mine = live[live["team"] == team]
            answered = mine[mine["answer"].notna()]
            progress = table["progress"].iloc[1:]
            bench = float(table["benchmark"].iloc[0])
            booked = float(table["booked"].iloc[-1])
            accuracy = 1.0 - float(table["forecast_error"].abs().mean())  # NaN: every deal still open (censored)
            played = int(sim.week - s)
            rows.append({
                "team": team, "week": int(sim.week), "weeks_played": played, "moves": len(mine),
                "booked": booked, "quota": quota, "quota_to_date": quota * played / n,
                "booked_vs_quota": booked / quota if quota > 0 else math.nan,
                "forecast_accuracy": max(0.0, accuracy) if math.isfinite(accuracy) else math.nan,
                "progress_vs_benchmark": float(progress.mean()) / bench if len(progress) and bench > 0 else math.nan,
                "records_entered": int(records), "records_without_threshold": int(every_record),
                "quiz_score": float(answered["correct"].astype(bool).mean()) if len(answered) else math.nan,
                "quiz_answered": len(answered), "quiz_correct": int(answered["correct"].astype(bool).sum()),
            })
        df = pd.DataFrame(rows, columns=list(LEADERBOARD_COLUMNS[:-2]))
        df = df.astype({"week": np.int64, "weeks_played": np.int64, "moves": np.int64, "records_entered": np.int64,
                        "records_without_threshold": np.int64, "quiz_answered": np.int64, "quiz_correct": np.int64})
        return pd.concat([df, scores(df, self.weights)], axis=1)
