"""The threshold trade-off: records entered vs forecast error.

Deals below the threshold ``T`` are kept out of the funnel: nobody enters them or
their stage changes, which saves data-entry work; their bookings are forecast
from the run rate instead (漏斗外销售额). A higher ``T`` saves more records and
moves more revenue outside the funnel. The forecast error tells what it costs —
and the error *without* the out-of-funnel term shows why the run rate is there.

Example:
    >>> from simfunnel.model.generate import generate
    >>> from simfunnel.model.simulate import Simulation
    >>> h = Simulation(generate(accounts=100, seed=5), seed=5).run()
    >>> table = sweep(h, [0, 50_000, 200_000], quota=h.quota)
    >>> bool(table.records_entered.is_monotonic_decreasing)
    True
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from simfunnel.model.history import PERIOD_WEEKS, History
from simfunnel.analysis.metrics import indicators, records_entered

DEFAULT_THRESHOLDS = (0, 10_000, 20_000, 30_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000)


def sweep(
    history: History,
    thresholds: Iterable[float] = DEFAULT_THRESHOLDS,
    quota: float | None = None,
    *,
    run_rate_weeks: int = 4,
    start_week: int | None = None,
    period_weeks: int = PERIOD_WEEKS,
) -> pd.DataFrame:
    """For each threshold: the funnel's size, the records it costs, the revenue it leaves out and the error.

    Args:
        history: a simulated or imported :class:`History`.
        thresholds: thresholds ``T`` in the history's currency.
        quota: the period's quota (default: the history's).
        run_rate_weeks, start_week, period_weeks: as for :func:`~simfunnel.analysis.metrics.indicators`.

    Returns:
        One row per threshold: ``threshold``, ``deals_in_funnel`` (deals ≥ T open at the
        period start or created in it), ``deals_outside`` (the same below T),
        ``records_entered``, ``revenue_outside_funnel`` (out-of-funnel bookings of the
        period), ``share_outside`` (of all the period's bookings), ``mean_abs_error``
        (mean |forecast_error| over the period, as a share of quota) and
        ``mean_abs_error_without_run_rate`` (the same with the forecast left at
        ``F_t``, i.e. ignoring the deals outside the funnel).
    """
    values = [float(t) for t in thresholds]
    if not values:
        raise ValueError("thresholds: give at least one threshold")
    bad = [t for t in values if not np.isfinite(t) or t < 0]
    if bad:
        raise ValueError(f"thresholds: {bad[0]!r} is not a threshold (0 or more)")
    quota = history.quota if quota is None else quota
    if quota is None:
        raise ValueError("quota: the history has no quota; give one")
    s = history.start_week if start_week is None else int(start_week)
    d = history.deals
    created = d.created_week.to_numpy()
    closed = d.closed_week.to_numpy(dtype=float, na_value=np.inf)
    amount = d.amount.to_numpy(dtype=float)
    # In the funnel during the period: open at its start, or created in it.
    live = ((created <= s) & (closed > s)) | ((created > s) & (created <= s + period_weeks))
    rows = []
    for t in values:  # one row per threshold; each call is vectorised over deals
        table = indicators(history, quota, threshold=t, run_rate_weeks=run_rate_weeks, start_week=s,
                           period_weeks=period_weeks)
        err = table["forecast_error"].to_numpy(dtype=float)
        without = err - table["expected_out_of_funnel"].to_numpy(dtype=float) / quota
        last = table.iloc[-1]
        rows.append(
            {
                "threshold": t,
                "deals_in_funnel": int((live & (amount >= t)).sum()),
                "deals_outside": int((live & (amount < t)).sum()),
                "records_entered": records_entered(history, threshold=t, start_week=s, period_weeks=period_weeks),
                "revenue_outside_funnel": float(last["out_of_funnel_booked"]),
                "share_outside": float(last["out_of_funnel_booked"] / last["booked"]) if last["booked"] else 0.0,
                "mean_abs_error": float(np.nanmean(np.abs(err))),
                "mean_abs_error_without_run_rate": float(np.nanmean(np.abs(without))),
            }
        )
    return pd.DataFrame(rows)
