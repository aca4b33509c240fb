"""A slow, obviously correct reference for ``simfunnel.analysis.metrics.indicators``.

Written straight from DESIGN.md's table "The three indicators" with plain Python loops
over weeks and deals; it shares no code with ``simfunnel/metrics.py``. Only for tests
on small histories.
"""

from __future__ import annotations

import math

import pandas as pd

COLUMNS = [
    "t",
    "week",
    "forecast_in_funnel",
    "booked_week",
    "out_of_funnel_booked_week",
    "booked",
    "out_of_funnel_booked",
    "run_rate",
    "expected_out_of_funnel",
    "forecast",
    "progress",
    "benchmark",
    "coverage",
    "forecast_error",
    "censored",
]


def reference_indicators(history, quota, threshold=0, run_rate_weeks=4, start_week=None, period_weeks=13):
    Q = float(quota)
    T = float(threshold)
    w = int(run_rate_weeks)
    n = int(period_weeks)
    s = history.start_week if start_week is None else int(start_week)
    end = history.end_week
    funnel = history.funnel

    # Deals as plain records: deal_id -> (amount, status, closed_week).
    deals = {}
    for row in history.deals.itertuples(index=False):
        closed = None if pd.isna(row.closed_week) else int(row.closed_week)
        deals[row.deal_id] = (float(row.amount), str(row.status), closed)

    # Snapshot rows per week.
    snaps = {}
    for row in history.snapshots.itertuples(index=False):
        snaps.setdefault(int(row.week), []).append(row)

    def p(row):
        if row.win_rate_override is not None and not pd.isna(row.win_rate_override):
            return float(row.win_rate_override)
        return funnel.win_rate(str(row.stage))

    def won_during(week, small_only):
        total = 0.0
        for amount, status, closed in deals.values():
            if status == "won" and closed == week and (amount < T or not small_only):
                total += amount
        return total

    def run_rate(week):
        available = [u for u in range(week - w + 1, week + 1) if 0 <= u <= end]
        if not available:
            return 0.0
        return sum(won_during(u, True) for u in available) / len(available)

    rows = []
    for t in range(n + 1):
        week = s + t
        if week > end:
            break
        open_in_funnel = [r for r in snaps.get(week, []) if str(r.status) == "open" and float(r.amount) >= T]
        F = sum(float(r.amount) * p(r) for r in open_in_funnel)
        booked_week = won_during(week, False)
        oof_week = won_during(week, True)
        booked = sum(won_during(s + u, False) for u in range(1, t + 1))
        oof_booked = sum(won_during(s + u, True) for u in range(1, t + 1))
        rr = run_rate(week)
        O = rr * (n - t)
        forecast = F + O

        # Forecast error: leave out the deals still open at the end of the history.
        known_forecast = 0.0
        actual = 0.0
        censored = 0
        for r in open_in_funnel:
            amount, status, _ = deals[r.deal_id]
            if status == "open":
                censored += 1
                continue
            known_forecast += float(r.amount) * p(r)
            if status == "won":
                actual += amount
        for u in range(week + 1, s + n + 1):
            if u <= end:
                actual += won_during(u, True)
        error = (known_forecast + O - actual) / Q

        remaining = Q - booked
        coverage = forecast / remaining if remaining > 0 else math.inf
        rows.append(
            {
                "t": t,
                "week": week,
                "forecast_in_funnel": F,
                "booked_week": booked_week,
                "out_of_funnel_booked_week": oof_week,
                "booked": booked,
                "out_of_funnel_booked": oof_booked,
                "run_rate": rr,
                "expected_out_of_funnel": O,
                "forecast": forecast,
                "coverage": coverage,
                "forecast_error": error,
                "censored": censored,
            }
        )

    for i, row in enumerate(rows):
        if i == 0:
            row["progress"] = math.nan
        else:
            prev = rows[i - 1]
            row["progress"] = ((row["forecast"] + row["booked"]) - (prev["forecast"] + prev["booked"])) / Q
        row["benchmark"] = (1 - rows[0]["expected_out_of_funnel"] / Q) / n

    out = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("t", "week", "censored"):
        out[col] = out[col].astype("int64")
    for col in COLUMNS:
        if col not in ("t", "week", "censored"):
            out[col] = out[col].astype("float64")
    return out
