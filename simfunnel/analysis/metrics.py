"""Funnel metrics: the three indicators, records entered, win rate, conversion, cycle time,
sales velocity, time in stage and rotting deals.

Every function takes a :class:`~simfunnel.model.history.History` and returns plain numbers or
pandas tables; nothing here draws (no matplotlib, no ipywidgets). Amounts are in the
history's ``currency``; times are in weeks. Computations are vectorised over deals and
snapshot rows (numpy ``bincount`` over week offsets), so a widget can recompute the
indicators of 50,000 deals on every slider move.

Conventions shared by the functions below (see DESIGN.md, "The three indicators"):

- The period studied starts at snapshot week ``s = start_week`` (default: the history's
  ``start_week``) and has ``n = period_weeks`` weeks; ``t = 0 … n`` indexes snapshot week
  ``s + t``. Week ``s`` itself is the opening state, so bookings and data entry *of the
  period* are those of weeks ``s + 1 … s + n``.
- ``p`` is a deal's ``win_rate_override`` when set, else its stage's win rate.
- A deal is "in the funnel" when its amount is at least the threshold ``T``; deals below
  ``T`` are "out of the funnel" (not entered in the CRM until they are won).

Example:
    >>> import simfunnel as sf
    >>> from simfunnel.analysis.metrics import indicators
    >>> world = sf.generate(accounts=50, seed=7)
    >>> history = sf.Simulation(world, seed=7).run(weeks=52)
    >>> table = indicators(history, quota=world.quota, threshold=50_000)
    >>> list(table.week) == list(range(13, 27))
    True
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd

from simfunnel.model.funnel import LOST, WON, LOST_STAGE, WON_STAGE
from simfunnel.model.history import MAX_WEEKS, History, initial_stage_codes

__all__ = [
    "INDICATOR_COLUMNS",
    "indicators",
    "records_entered",
    "win_rate",
    "stage_conversion",
    "cycle_time",
    "sales_velocity",
    "time_in_stage",
    "rotting_deals",
]

INDICATOR_COLUMNS = (
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
)


# --- argument checks ----------------------------------------------------------------
def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_whole(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """A whole number ≥ ``minimum`` (and ≤ ``maximum``); whole floats such as ``4.0`` from sliders are accepted."""
    if not _is_number(value) or not math.isfinite(float(value)) or float(value) != int(float(value)):
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}, got {value!r}")
    if maximum is not None and int(value) > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value!r}")
    return int(value)


def check_threshold(threshold: object) -> float:
    """A threshold amount ≥ 0 (ValueError otherwise)."""
    if not _is_number(threshold) or math.isnan(float(threshold)) or float(threshold) < 0:
        raise ValueError(f"threshold must be a number ≥ 0, got {threshold!r}")
    return float(threshold)


def default_quota(history: History, period_weeks: int = 13) -> float | None:
    """The mean bookings of a period of ``period_weeks`` over the history: won amount ÷ (weeks ÷ period_weeks).
    None when nothing was won or the history spans no week."""
    weeks = max(int(history.end_week), 1)  # snapshot weeks 0 … end_week
    won = float(history.deals.loc[history.deals["status"].astype(str) == "won", "amount"].sum())
    if won <= 0:
        return None
    return won / (weeks / period_weeks)


def require_dated(history: History, what: str) -> None:
    """ValueError unless the history has dates: an outcome-only import (``meta["undated"]``) has none, and the
    weekly indicators, forecasts and Monte Carlo need each deal's created and closed weeks."""
    if getattr(history, "meta", {}).get("undated"):
        raise ValueError(f"{what}: this history has outcomes but no dates (an outcome-only import); it needs each "
                         "deal's created and closed dates — import a file with them")


def check_quota(quota: object, history: History) -> float:
    """The quota given, else the history's, else the mean quarterly bookings of the history (with a warning that
    says so); a finite amount > 0 (ValueError otherwise)."""
    if quota is None:
        quota = history.quota
        if quota is None:
            quota = default_quota(history)
            if quota is None:
                raise ValueError("quota: none given, the history has no quota and nothing won to take one from; "
                                 "pass quota=…")
            warnings.warn(f"no quota given: using the mean quarterly bookings of the history, {quota:,.0f} "
                          f"{history.currency} (pass quota= to set one)", UserWarning, stacklevel=3)
    if not _is_number(quota) or not math.isfinite(float(quota)) or float(quota) <= 0:
        raise ValueError(f"quota must be a finite number > 0, got {quota!r}")
    return float(quota)


def period_start(history: History, start_week: object) -> int:
    """The first snapshot week of the period studied: ``start_week`` checked, else the history's default."""
    if start_week is None:
        return int(history.start_week)
    if not _is_number(start_week) or not math.isfinite(float(start_week)) or float(start_week) != int(
        float(start_week)
    ):
        raise ValueError(f"start_week must be a whole week number, got {start_week!r}")
    s = int(start_week)
    if not 0 <= s <= history.end_week:
        raise ValueError(f"start_week {s} is outside the history's snapshot weeks 0…{history.end_week}")
    return s


def _status_codes(deals: pd.DataFrame) -> tuple[np.ndarray, int, int, int]:
    """Status codes of the deals and the codes of open, won and lost."""
    cat = deals.status.cat
    cats = list(cat.categories)
    return cat.codes.to_numpy(), cats.index("open"), cats.index(WON), cats.index(LOST)


# --- the three indicators -------------------------------------------------------------
def indicators(
    history: History,
    quota: float | None,
    threshold: float = 0,
    run_rate_weeks: int = 4,
    start_week: int | None = None,
    period_weeks: int = 13,
    rates: str = "assumed",
) -> pd.DataFrame:
    """The three indicators of opportunity management, week by week over one period.

    ``rates="measured"`` forecasts with the win rates measured from the history itself
    (:func:`simfunnel.analysis.winrates.measured_history`) instead of the funnel's assumed ones.

    One row per ``t = 0 … n`` (``n = period_weeks``), for snapshot week ``s + t`` with
    ``s = start_week`` (default ``history.start_week``). Amounts are in
    ``history.currency``; ``progress``, ``benchmark`` and ``forecast_error`` are shares of
    the quota; ``coverage`` is a ratio; ``censored`` is a count of deals.

    Columns (in this order; definitions of DESIGN.md, "The three indicators"):

    ``t``, ``week``
        period week and snapshot week ``s + t``.
    ``forecast_in_funnel``
        ``F_t = Σ amount × p`` over the snapshot rows of week ``s + t`` with status open and
        amount ≥ ``threshold``. Amount and ``p`` are the snapshot's (what was known that
        week); ``p`` is the row's ``win_rate_override`` when not NaN, else its stage's rate.
    ``booked_week``
        ``Σ deals.amount`` of the deals with status won and ``closed_week == s + t`` (all
        amounts; at ``t = 0`` that week precedes the period).
    ``out_of_funnel_booked_week``
        the same for the deals with ``deals.amount < threshold``.
    ``booked``, ``out_of_funnel_booked``
        ``B_t`` = running sums of the two weekly columns over ``1 … t`` (0 at ``t = 0``).
    ``run_rate``
        mean ``out_of_funnel_booked_week`` over snapshot weeks ``s+t−w+1 … s+t``
        (``w = run_rate_weeks``), reaching back before the period but only over weeks
        ``0 … end_week`` where snapshots exist; the mean is over the weeks available
        (fewer than ``w`` near week 0), 0 if there are none.
    ``expected_out_of_funnel``
        ``Ô_t = run_rate × (n − t)``.
    ``forecast``
        销售预计 ``F′_t = F_t + Ô_t``.
    ``progress``
        销售进展 ``P_t = ((F′_t + B_t) − (F′_{t−1} + B_{t−1})) / Q``; NaN at ``t = 0``.
    ``benchmark``
        the weekly progress needed, ``(1 − Ô_0 / Q) / n`` (same on every row; 1/13 for a
        13-week period when ``threshold = 0``).
    ``coverage``
        ``F′_t / (Q − B_t)``; below 1 the forecast does not cover the remaining quota.
        ``+inf`` once the quota is met (``Q − B_t ≤ 0``).
    ``forecast_error``
        ``(F′_t − A_t) / Q``. ``A_t`` = the final won amount (``deals.amount`` of deals whose
        status is won) of the in-funnel deals open at ``t`` + the out-of-funnel bookings of
        weeks ``s+t+1 … s+n`` (only weeks ≤ ``end_week`` exist). In-funnel deals open at
        ``t`` that are still open at the end of the history are left out of both ``F_t``
        and ``A_t`` here (their outcome is unknown); ``Ô_t`` stays in.
    ``censored``
        the number of deals left out of ``forecast_error`` at ``t``.

    With ``threshold = 0`` every out-of-funnel term is 0 and the formulas are the course's
    plain ones. When the period runs past ``history.end_week`` (a live simulation in
    mid-quarter) only the rows with ``week ≤ end_week`` are returned; ``n`` in the formulas
    stays ``period_weeks``.

    Args:
        history: the deals, events and snapshots.
        quota: ``Q``, the period's quota in ``history.currency`` (> 0, finite); ``None``
            takes ``history.quota``.
        threshold: ``T``, the small-order exclusion threshold (≥ 0).
        run_rate_weeks: ``w``, weeks averaged for the out-of-funnel run rate (≥ 1).
        start_week: first snapshot week ``s`` of the period (0 … end_week).
        period_weeks: ``n`` (≥ 1), 13 for a quarter.

    Raises:
        ValueError: naming the bad argument (quota, threshold, run_rate_weeks,
            period_weeks or start_week).

    Example:
        >>> import simfunnel as sf
        >>> history = sf.Simulation(sf.generate(accounts=50, seed=7), seed=7).run()
        >>> table = indicators(history, quota=1_000_000, threshold=50_000)
        >>> bool(table.progress.isna().iloc[0]), round(float(table.benchmark.iloc[0]), 4) <= 1 / 13
        (True, True)
    """
    require_dated(history, "indicators")
    if rates != "assumed":
        from simfunnel.analysis.winrates import rated_history  # noqa: PLC0415 — only when measured rates are asked

        history = rated_history(history, rates, "indicators")
    Q = check_quota(quota, history)
    T = check_threshold(threshold)
    w = check_whole("run_rate_weeks", run_rate_weeks, 1, MAX_WEEKS)
    n = check_whole("period_weeks", period_weeks, 1, MAX_WEEKS)
    s = period_start(history, start_week)
    end = int(history.end_week)
    m = min(n, end - s)  # last t shown
    nt = m + 1
    t = np.arange(nt)

    # Bookings per snapshot week 0 … end_week, from deals.
    deals = history.deals
    d_amount = deals.amount.to_numpy(dtype=float)
    d_status, st_open, st_won, _ = _status_codes(deals)
    won = d_status == st_won
    cw = deals.closed_week.to_numpy(dtype=np.float64, na_value=np.nan)[won].astype(np.int64)
    wa = d_amount[won]
    keep = (cw >= 0) & (cw <= end)
    cw, wa = cw[keep], wa[keep]
    # (np.bincount returns int64 when it has nothing to count, hence the float casts)
    booked_all = np.bincount(cw, weights=wa, minlength=end + 1).astype(float)
    small = wa < T
    oof_all = np.bincount(cw[small], weights=wa[small], minlength=end + 1).astype(float)
    oof_cum = np.concatenate(([0.0], np.cumsum(oof_all)))  # oof_cum[x + 1] = Σ weeks 0…x

    weeks = s + t
    booked_week = booked_all[weeks]
    oof_week = oof_all[weeks]
    booked = np.concatenate(([0.0], np.cumsum(booked_week[1:])))
    oof_booked = np.concatenate(([0.0], np.cumsum(oof_week[1:])))
    lo = np.maximum(weeks - w + 1, 0)
    count = weeks - lo + 1  # ≥ 1: every week shown is ≥ 0
    run_rate = (oof_cum[weeks + 1] - oof_cum[lo]) / count
    expected_oof = run_rate * (n - t)
    last = min(s + n, end)
    future_oof = oof_cum[last + 1] - oof_cum[weeks + 1]

    # Open in-funnel deals per week, from the snapshot rows of weeks s … s + m.
    snap = history.snapshots_between(s, s + m, open_only=True)  # closed rows never count in F_t
    sw = snap.week.to_numpy()
    rows = np.flatnonzero((sw >= s) & (sw <= s + m))
    codes = snap.stage.cat.codes.to_numpy()[rows]
    amt = snap.amount.to_numpy(dtype=float)[rows]
    sel = (codes < len(history.funnel)) & (amt >= T)
    rows, codes, amt = rows[sel], codes[sel], amt[sel]
    off = sw[rows] - s
    override = snap.win_rate_override.to_numpy(dtype=float, na_value=np.nan)[rows]
    p = np.where(np.isnan(override), history.funnel.rates[codes], override)
    value = amt * p
    forecast_in = np.bincount(off, weights=value, minlength=nt).astype(float)
    pos = pd.Index(deals.deal_id).get_indexer(snap.deal_id.to_numpy()[rows])
    final = d_status[pos]
    cens = final == st_open
    censored = np.bincount(off[cens], minlength=nt)
    forecast_known = np.bincount(off[~cens], weights=value[~cens], minlength=nt).astype(float)
    won_later = final == st_won
    actual_in = np.bincount(off[won_later], weights=d_amount[pos[won_later]], minlength=nt).astype(float)

    forecast = forecast_in + expected_oof
    total = forecast + booked
    progress = np.concatenate(([np.nan], np.diff(total) / Q))
    benchmark = np.full(nt, (1.0 - run_rate[0] * n / Q) / n)
    remaining = Q - booked
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(remaining > 0, forecast / np.where(remaining > 0, remaining, 1.0), np.inf)
    forecast_error = (forecast_known + expected_oof - actual_in - future_oof) / Q

    return pd.DataFrame(
        {
            "t": t.astype(np.int64),
            "week": weeks.astype(np.int64),
            "forecast_in_funnel": forecast_in,
            "booked_week": booked_week,
            "out_of_funnel_booked_week": oof_week,
            "booked": booked,
            "out_of_funnel_booked": oof_booked,
            "run_rate": run_rate,
            "expected_out_of_funnel": expected_oof,
            "forecast": forecast,
            "progress": progress,
            "benchmark": benchmark,
            "coverage": coverage,
            "forecast_error": forecast_error,
            "censored": censored.astype(np.int64),
        },
        columns=list(INDICATOR_COLUMNS),
    )


def records_entered(
    history: History, threshold: float = 0, start_week: int | None = None, period_weeks: int = 13
) -> int:
    """Data-entry records left by the threshold over one period (a count of records).

    One record per deal with ``amount ≥ threshold`` created in weeks ``s+1 … s+n``, plus one
    per event in weeks ``s+1 … s+n`` of a deal with ``amount ≥ threshold`` (the deal's
    amount in ``deals``). Week ``s`` is the period's opening state, so its work is not
    counted. Deals below the threshold are never entered. With this and the mean
    ``|forecast_error|`` of :func:`indicators`, a threshold sweep shows the trade-off.

    Example:
        Two deals of 80,000 and 20,000 created in week 14, the first with one event in
        week 15; with ``threshold=50_000``, ``start_week=13``: 1 deal + 1 event = 2.

        >>> import pandas as pd
        >>> from simfunnel import History
        >>> deals = pd.DataFrame({"deal_id": [1, 2], "account_id": [1, 1], "owner": ["Li"] * 2,
        ...     "amount": [80_000, 20_000], "created_week": [14, 14], "stage": ["approved", "need"],
        ...     "status": ["open"] * 2, "closed_week": [None] * 2, "expected_close_week": [20, 20],
        ...     "win_rate_override": [None] * 2, "paid_week": [None] * 2})
        >>> events = pd.DataFrame({"deal_id": [1], "week": [15], "from_stage": ["need"],
        ...     "to_stage": ["approved"], "outcome": ["advance"], "action": ["arrange_demo"]})
        >>> records_entered(History(deals, events, end_week=26), threshold=50_000, start_week=13)
        2
    """
    T = check_threshold(threshold)
    n = check_whole("period_weeks", period_weeks, 1, MAX_WEEKS)
    s = period_start(history, start_week)
    deals = history.deals
    big = deals.amount.to_numpy(dtype=float) >= T
    created = deals.created_week.to_numpy()
    n_deals = int((big & (created > s) & (created <= s + n)).sum())
    ev = history.events
    if not len(ev):
        return n_deals
    pos = pd.Index(deals.deal_id).get_indexer(ev.deal_id)
    ew = ev.week.to_numpy()
    n_events = int((big[pos] & (ew > s) & (ew <= s + n)).sum())
    return n_deals + n_events


# --- other funnel metrics -------------------------------------------------------------------
def win_rate(history: History, start_week: int | None = None, period_weeks: int | None = None) -> float:
    """Overall win rate (a share in [0, 1]) = won / (won + lost) of the deals closed in a window.

    With neither argument, every closed deal of the history counts. Otherwise the window
    is the closing weeks ``s+1 … s+n`` (``s`` = ``start_week`` or ``history.start_week``;
    ``n`` = ``period_weeks``, or up to ``end_week`` when not given), like the bookings of
    :func:`indicators`. NaN when no deal closed in the window.

    Example:
        >>> import simfunnel as sf
        >>> history = sf.Simulation(sf.generate(accounts=50, seed=7), seed=7).run()
        >>> d = history.deals
        >>> bool(win_rate(history) == (d.status == "won").sum() / d.status.isin(["won", "lost"]).sum())
        True
    """
    deals = history.deals
    status, _, st_won, st_lost = _status_codes(deals)
    closed = (status == st_won) | (status == st_lost)
    if start_week is not None or period_weeks is not None:
        s = period_start(history, start_week)
        n = history.end_week - s if period_weeks is None else check_whole("period_weeks", period_weeks, 1, MAX_WEEKS)
        cw = deals.closed_week.to_numpy(dtype=np.float64, na_value=np.nan)
        closed &= (cw > s) & (cw <= s + n)
    n_closed = int(closed.sum())
    if n_closed == 0:
        return float("nan")
    return float((closed & (status == st_won)).sum() / n_closed)


def _deal_paths(history: History) -> tuple[np.ndarray, np.ndarray]:
    """Per deal, the lowest and highest open-stage codes on its path (−1 when none is known)."""
    funnel = history.funnel
    K = len(funnel)
    deals = history.deals
    nd = len(deals)
    init = initial_stage_codes(deals, history.events, funnel).astype(np.int64)
    cur = deals.stage.cat.codes.to_numpy().astype(np.int64)
    big = np.int64(K)  # larger than any open code
    lo = np.full(nd, big)
    hi = np.full(nd, -1, dtype=np.int64)
    for c in (init, cur):
        opn = c < K
        lo = np.where(opn, np.minimum(lo, c), lo)
        hi = np.where(opn, np.maximum(hi, c), hi)
    ev = history.events
    if len(ev):
        pos = pd.Index(deals.deal_id).get_indexer(ev.deal_id)
        for col in ("from_stage", "to_stage"):
            c = ev[col].cat.codes.to_numpy().astype(np.int64)
            opn = c < K
            np.minimum.at(lo, pos[opn], c[opn])
            np.maximum.at(hi, pos[opn], c[opn])
    lo = np.where(lo == big, -1, lo)
    return lo, hi


def stage_conversion(history: History) -> pd.DataFrame:
    """Stage-to-stage conversion of the open stages (counts of deals and shares in [0, 1]).

    Each deal is placed on its path through the funnel: from the lowest open stage it was
    seen in (its stage when created) to the highest one it reached. A deal "reaches" every
    stage on that path, skipped stages included (a move from ``need`` to ``criteria``
    passes ``approved``), and "advances from" stage ``i`` when it reached a later open
    stage or was won. Backward moves are ignored: a deal is lost from, or still open at,
    the highest stage it reached. Closed deals whose open stages are unknown (no events,
    stage already won or lost — e.g. some CRM imports) are not counted.

    Columns, indexed by stage key (funnel order): ``zh``, ``en`` labels; ``reached``,
    ``advanced``, ``lost``, ``still_open`` (deals; ``reached = advanced + lost +
    still_open``); ``conversion`` = advanced / (advanced + lost), NaN when both are 0;
    ``cumulative_conversion`` = product of the conversions of the first stage … this one
    (the last row estimates the win rate of deals entering the first stage).

    Example:
        One deal need → approved → won, one need → lost: at ``need`` reached 2, advanced
        1, lost 1, conversion 0.5; at ``approved`` reached 1, advanced 1, conversion 1.0,
        cumulative 0.5.
    """
    funnel = history.funnel
    K = len(funnel)
    lo, hi = _deal_paths(history)
    status, st_open, st_won, st_lost = _status_codes(history.deals)
    known = lo >= 0
    won = known & (status == st_won)
    top = np.where(won, K - 1, hi)  # last stage reached
    last_adv = np.where(won, K - 1, hi - 1)  # last stage advanced from

    def ranges(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Count, per stage, the deals whose range a … b (inclusive) covers it."""
        mask = mask & (b >= a)
        diff = np.bincount(a[mask], minlength=K + 1) - np.bincount(b[mask] + 1, minlength=K + 1)
        return np.cumsum(diff)[:K]

    reached = ranges(lo, top, known)
    advanced = ranges(lo, last_adv, known)
    lost = np.bincount(hi[known & (status == st_lost)], minlength=K)[:K]
    still = np.bincount(hi[known & (status == st_open)], minlength=K)[:K]
    with np.errstate(divide="ignore", invalid="ignore"):
        conversion = advanced / (advanced + lost)
    out = pd.DataFrame(
        {
            "zh": [s.zh for s in funnel.stages],
            "en": [s.en for s in funnel.stages],
            "reached": reached.astype(np.int64),
            "advanced": advanced.astype(np.int64),
            "lost": lost.astype(np.int64),
            "still_open": still.astype(np.int64),
            "conversion": conversion,
            "cumulative_conversion": np.cumprod(conversion.astype(float)),
        },
        index=pd.Index(list(funnel.keys), name="stage"),
    )
    return out


def cycle_time(history: History) -> pd.DataFrame:
    """Sales-cycle length in weeks (``closed_week − created_week``) of won and of lost deals.

    Returns a table indexed by status (``won``, ``lost``) with ``zh``/``en`` labels,
    ``count`` (deals), ``mean_weeks`` and ``median_weeks`` (NaN when no deal has that
    status). Open deals are not counted.

    Example:
        Deals won after 3 and 5 weeks and one lost after 2 weeks: won count 2, mean 4.0,
        median 4.0; lost count 1, mean 2.0, median 2.0.
    """
    deals = history.deals
    status, _, st_won, st_lost = _status_codes(deals)
    length = deals.closed_week.to_numpy(dtype=np.float64, na_value=np.nan) - deals.created_week.to_numpy()
    rows = []
    for stage, code in ((WON_STAGE, st_won), (LOST_STAGE, st_lost)):
        x = length[status == code]
        rows.append(
            {
                "zh": stage.zh,
                "en": stage.en,
                "count": int(x.size),
                "mean_weeks": float(x.mean()) if x.size else float("nan"),
                "median_weeks": float(np.median(x)) if x.size else float("nan"),
            }
        )
    return pd.DataFrame(rows, index=pd.Index([WON, LOST], name="status"))


def sales_velocity(
    history: History, start_week: int | None = None, period_weeks: int = 13, threshold: float = 0
) -> pd.Series:
    """Sales velocity in currency per week — the classic formula

        velocity = opportunities × win rate × mean won amount / mean won cycle length (weeks)

    where ``opportunities`` = the in-funnel deals (amount ≥ ``threshold``) open at snapshot
    week ``s`` (the start of the period), and win rate, mean won amount
    (``history.currency``) and mean won cycle length (``closed_week − created_week``,
    weeks) are measured on the deals closed in weeks ``s+1 … s+n`` (as in
    :func:`win_rate`). It is the rate at which the funnel, as it stood at ``s``, would turn
    into bookings if the period's conversion held.

    Returns a Series with ``opportunities``, ``win_rate``, ``mean_won_amount``,
    ``cycle_weeks`` and ``velocity``; ``velocity`` is NaN when no deal was won in the
    window or the mean cycle is 0 weeks.

    Example:
        10 open deals, win rate 0.5, mean won amount 100,000, won after 5 weeks on average
        → 10 × 0.5 × 100,000 / 5 = 100,000 per week.
    """
    T = check_threshold(threshold)
    n = check_whole("period_weeks", period_weeks, 1, MAX_WEEKS)
    s = period_start(history, start_week)
    snap = history.snapshots
    at = (snap.week.to_numpy() == s) & (snap.stage.cat.codes.to_numpy() < len(history.funnel))
    opportunities = int((at & (snap.amount.to_numpy(dtype=float) >= T)).sum())
    rate = win_rate(history, start_week=s, period_weeks=n)
    deals = history.deals
    status, _, st_won, _ = _status_codes(deals)
    cw = deals.closed_week.to_numpy(dtype=np.float64, na_value=np.nan)
    won = (status == st_won) & (cw > s) & (cw <= s + n)
    amount = deals.amount.to_numpy(dtype=float)[won]
    cycle = (cw - deals.created_week.to_numpy())[won]
    mean_amount = float(amount.mean()) if amount.size else float("nan")
    mean_cycle = float(cycle.mean()) if cycle.size else float("nan")
    if amount.size and mean_cycle > 0:
        velocity = opportunities * rate * mean_amount / mean_cycle
    else:
        velocity = float("nan")
    return pd.Series(
        {
            "opportunities": float(opportunities),
            "win_rate": rate,
            "mean_won_amount": mean_amount,
            "cycle_weeks": mean_cycle,
            "velocity": float(velocity),
        },
        name="sales_velocity",
    )


def time_in_stage(history: History) -> pd.DataFrame:
    """Weeks deals spend in each open stage, from the weekly snapshots.

    For each deal and open stage, the number of snapshot weeks (0 … end_week) in which the
    deal was open in that stage; then, per stage, over the deals with at least one such
    week: ``deals`` (count), ``mean_weeks`` and ``median_weeks``. Stays still going at
    ``end_week`` are counted as far as they go (censored), and weeks before week 0 are not
    seen. Indexed by stage key with ``zh``/``en`` labels.

    Example:
        A deal created in ``need`` in week 2 that moves to ``approved`` in week 5 and is
        won in week 6 has snapshots need (2, 3, 4) and approved (5): 3 weeks in ``need``,
        1 in ``approved``.
    """
    funnel = history.funnel
    K = len(funnel)
    snap = history.snapshots
    codes = snap.stage.cat.codes.to_numpy().astype(np.int64)
    opn = codes < K
    deal_codes, _ = pd.factorize(snap.deal_id.to_numpy()[opn])
    key = deal_codes.astype(np.int64) * K + codes[opn]
    uniq, weeks = np.unique(key, return_counts=True)
    stay = pd.DataFrame({"stage": uniq % K, "weeks": weeks})
    g = stay.groupby("stage").weeks
    agg = pd.DataFrame({"deals": g.size(), "mean_weeks": g.mean(), "median_weeks": g.median()})
    agg = agg.reindex(np.arange(K))
    out = pd.DataFrame(
        {
            "zh": [s.zh for s in funnel.stages],
            "en": [s.en for s in funnel.stages],
            "deals": agg.deals.fillna(0).to_numpy().astype(np.int64),
            "mean_weeks": agg.mean_weeks.to_numpy(dtype=float),
            "median_weeks": agg.median_weeks.to_numpy(dtype=float),
        },
        index=pd.Index(list(funnel.keys), name="stage"),
    )
    return out


def rotting_deals(history: History, weeks: int = 4, week: int | None = None) -> pd.DataFrame:
    """Open deals whose stage has not changed for at least ``weeks`` weeks ("rotting").

    For each deal open at snapshot week ``week`` (default ``end_week``):
    ``weeks_in_stage = week − (week of its last event with from_stage ≠ to_stage in a week
    ≤ week)``, or ``week − created_week`` when no such event exists. Deals with
    ``weeks_in_stage ≥ weeks`` are returned with ``deal_id``, ``stage`` (at ``week``),
    ``weeks_in_stage`` (weeks) and ``amount`` (snapshot amount, ``history.currency``),
    longest first.

    Example:
        A deal moved to ``criteria`` in week 3 and still there at week 10 has been in it
        7 weeks; ``rotting_deals(history, weeks=4, week=10)`` lists it.
    """
    weeks = check_whole("weeks", weeks, 0)
    if week is None:
        W = int(history.end_week)
    else:
        if not _is_number(week) or float(week) != int(float(week)) or not 0 <= int(week) <= history.end_week:
            raise ValueError(f"week {week!r} is outside the history's snapshot weeks 0…{history.end_week}")
        W = int(week)
    deals = history.deals
    entered = deals.created_week.to_numpy().astype(np.int64)
    ev = history.events
    if len(ev):
        fc = ev.from_stage.cat.codes.to_numpy()
        tc = ev.to_stage.cat.codes.to_numpy()
        ew = ev.week.to_numpy().astype(np.int64)
        move = (fc != tc) & (ew <= W)
        pos = pd.Index(deals.deal_id).get_indexer(ev.deal_id.to_numpy()[move])
        np.maximum.at(entered, pos, ew[move])
    snap = history.snapshots
    codes = snap.stage.cat.codes.to_numpy()
    rows = np.flatnonzero((snap.week.to_numpy() == W) & (codes < len(history.funnel)))
    pos = pd.Index(deals.deal_id).get_indexer(snap.deal_id.to_numpy()[rows])
    in_stage = W - entered[pos]
    keep = in_stage >= weeks
    rows, in_stage = rows[keep], in_stage[keep]
    out = pd.DataFrame(
        {
            "deal_id": snap.deal_id.to_numpy()[rows],
            "stage": snap.stage.to_numpy()[rows],
            "weeks_in_stage": in_stage.astype(np.int64),
            "amount": snap.amount.to_numpy(dtype=float)[rows],
        }
    )
    out["stage"] = pd.Categorical(out.stage, categories=list(history.funnel.all_keys))
    return out.sort_values(["weeks_in_stage", "amount"], ascending=[False, False], kind="stable").reset_index(
        drop=True
    )
