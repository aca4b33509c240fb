"""The weekly forecast against what happened: WAPE and bias over one period (a backtest).

Example:
    >>> from simfunnel.model.generate import generate
    >>> from simfunnel.model.simulate import Simulation
    >>> h = Simulation(generate(accounts=100, seed=5), seed=5).run()
    >>> table = backtest(h, trials=200)
    >>> table.index[-1]
    'overall'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from simfunnel.analysis.metrics import check_threshold, check_whole, indicators, period_start
from simfunnel.analysis.montecarlo import actual_bookings, montecarlo
from simfunnel.analysis.winrates import stage_rates, with_rates
from simfunnel.model.chain import true_win_rates
from simfunnel.model.funnel import Funnel
from simfunnel.model.history import MAX_WEEKS, PERIOD_WEEKS, History

# --- forecast backtest over weekly snapshots ----------------------------------------------------------------
def closed_without_events(history: History) -> int:
    """Closed deals whose closing is not in the events (an export without its stage history)."""
    d, e = history.deals, history.events
    status = d["status"].astype(str).to_numpy()
    closed = status != "open"
    if not closed.any():
        return 0
    to = e["to_stage"].astype(str).to_numpy() if len(e) else np.array([], dtype=object)
    closing = set(e["deal_id"].to_numpy()[np.isin(to, ["won", "lost"])]) if len(e) else set()
    return int(sum(1 for i in d["deal_id"].to_numpy()[closed] if i not in closing))


def backtest(
    history: History,
    funnel: Funnel | Mapping[str, float] | Sequence[float] | None = None,
    *,
    chain: pd.DataFrame | None = None,
    threshold: float = 0,
    start_week: int | None = None,
    period_weeks: int = PERIOD_WEEKS,
    run_rate_weeks: int = 4,
    trials: int = 2_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Forecast against what happened, week by week over one period: WAPE and bias.

    For each ``t = 0 … n`` (snapshot week ``s + t``; ``s = start_week``, default the history's;
    ``n = period_weeks``), from :func:`~simfunnel.analysis.metrics.indicators` with the stage rates of
    ``funnel`` (default the history's) or, with a ``chain``, its true eventual rates:

    - ``forecast`` = ``F′_t = F_t + Ô_t`` (currency), as in ``indicators``;
    - ``censored_forecast`` = the part of ``F_t`` from in-funnel deals still open at the end of
      the history: their outcome is unknown, so ``forecast_error`` leaves them out, and so does
      this backtest;
    - ``scored_forecast`` = ``forecast − censored_forecast``;
    - ``actual`` = ``A_t`` of ``forecast_error``: the final won amount of the in-funnel deals open
      at ``t`` (outcome known) + the out-of-funnel bookings of weeks ``s+t+1 … s+n``;
    - ``error`` = ``scored_forecast − actual``; ``abs_error`` = ``|error|``;
    - ``wape`` = ``|error| / actual`` and ``bias`` = ``error / actual`` (shares; NaN when ``actual`` is 0).

    The last row, indexed ``"overall"``, holds the sums of the amount columns over the weeks
    and ``wape = Σ_t |F_t − A_t| / Σ_t A_t``, ``bias = Σ_t (F_t − A_t) / Σ_t A_t`` (``F_t`` the
    scored forecast): a positive bias is an over-forecast.

    With ``trials > 0`` the same for the Monte Carlo P50 (:func:`montecarlo` as of week ``s + t``,
    horizon to the period's end, ``trials`` draws, seed ``seed + t``): ``mc_p50`` and ``mc_mean``
    are forecasts of the period's bookings, ``mc_actual`` is :func:`actual_bookings`, ``mc_booked``
    what was booked by ``s + t``; ``mc_error = mc_p50 − mc_actual``, ``mc_wape = |mc_error| /
    (mc_actual − mc_booked)`` and ``mc_bias = mc_error / (mc_actual − mc_booked)`` — over what was
    still to come, as for ``F′``. The Monte Carlo forecasts bookings *within the period*; without
    a chain each deal's chance is its eventual rate, so it over-forecasts the period by design;
    and a P50 of a skewed total sits below its mean.

    Args:
        history: the history (simulated or imported with snapshots).
        funnel: the rates to test (a Funnel with as many open stages, a dict by key, or a list).
        chain: weekly transition chances (simulated data, e.g. ``history_chain(h)``): the true
            rates for ``F′``, the within-horizon chances for the Monte Carlo. Not with ``funnel``.
        threshold, run_rate_weeks: as in ``indicators`` (amounts below the threshold are out of the funnel).
        start_week, period_weeks: the period (``indicators``).
        trials, seed: Monte Carlo draws per week (0: no Monte Carlo columns) and seed.

    Returns:
        DataFrame indexed by ``t`` (0 … n, then ``"overall"``) with ``week``, ``forecast``,
        ``censored_forecast``, ``scored_forecast``, ``actual``, ``error``, ``abs_error``, ``wape``,
        ``bias``, ``censored`` (deals left out) and the ``mc_`` columns.

    Example:
        >>> import simfunnel as sf
        >>> from simfunnel.model.chain import history_chain
        >>> h = sf.Simulation(sf.generate(accounts=150, seed=8), seed=8).run()
        >>> bt = backtest(h, chain=history_chain(h), trials=0)
        >>> list(bt.index[-2:]), bool(bt.loc["overall", "wape"] >= 0)
        ([13, 'overall'], True)
    """
    if funnel is not None and chain is not None:
        raise ValueError("give funnel (rates to test) or chain (the true world), not both")
    silent = closed_without_events(history)
    if silent:
        raise ValueError(f"backtest: {silent} closed deals have no stage history (no closing event): their weekly "
                         "snapshots would show them closed from the week they were created, so the weekly "
                         "'actual' would be wrong; import the stage history (history=…) for a backtest")
    T = check_threshold(threshold)
    n = check_whole("period_weeks", period_weeks, 1, MAX_WEEKS)
    w = check_whole("run_rate_weeks", run_rate_weeks, 1, MAX_WEEKS)
    s = period_start(history, start_week)
    trials = check_whole("trials", trials, 0)
    if chain is not None:
        if list(chain.index) != list(history.funnel.keys):
            raise ValueError(f"chain stages {list(chain.index)} do not match the history's {list(history.funnel.keys)}")
        rates = true_win_rates(chain).to_numpy()
    else:
        rates = stage_rates(history, funnel)
    h = with_rates(history, rates, start_week=s)
    ind = indicators(h, quota=1.0, threshold=T, run_rate_weeks=w, start_week=s, period_weeks=n)
    m = len(ind) - 1
    nt = m + 1

    # The in-funnel forecast of deals still open at the end (left out of forecast_error).
    snap = history.snapshots_between(s, s + m, open_only=True)
    sw = snap.week.to_numpy()
    codes = snap.stage.cat.codes.to_numpy().astype(np.int64)
    amt = snap.amount.to_numpy(dtype=float)
    k = len(history.funnel)
    sel = np.flatnonzero((sw >= s) & (sw <= s + m) & (codes < k) & (amt >= T))
    pos = pd.Index(history.deals.deal_id).get_indexer(snap.deal_id.to_numpy()[sel])
    still = history.deals.status.astype(str).to_numpy()[pos] == "open"
    sel = sel[still]
    override = snap.win_rate_override.to_numpy(dtype=float, na_value=np.nan)[sel]
    p = np.where(np.isnan(override), rates[codes[sel]], override)
    censored_forecast = np.bincount(sw[sel] - s, weights=amt[sel] * p, minlength=nt)[:nt].astype(float)

    forecast = ind.forecast.to_numpy(dtype=float)
    scored = forecast - censored_forecast
    actual = scored - ind.forecast_error.to_numpy(dtype=float)  # quota 1: forecast_error = F_known + Ô − A
    out = pd.DataFrame(
        {
            "week": pd.array(ind.week.to_numpy(), dtype="Int64"),
            "forecast": forecast,
            "censored_forecast": censored_forecast,
            "scored_forecast": scored,
            "actual": actual,
        }
    )
    if trials:
        mc = np.empty((nt, 4))
        for t in range(nt):
            r = montecarlo(h, trials=trials, seed=seed + t, horizon_weeks=n - t, chain=chain, threshold=T,
                           as_of_week=s + t, run_rate_weeks=w, quota=None)
            mc[t] = (r.p50, r.mean, actual_bookings(h, s + t, n - t, threshold=T), r.booked)
        out["mc_p50"], out["mc_mean"], out["mc_actual"], out["mc_booked"] = mc.T
    out["censored"] = ind.censored.to_numpy()

    sums = out.drop(columns=["week"]).sum()
    out = pd.concat([out, sums.to_frame().T.astype({"censored": int})], ignore_index=True)
    out.index = pd.Index(list(range(nt)) + ["overall"], dtype=object, name="t")
    out["censored"] = out["censored"].astype(int)
    out["error"] = out.scored_forecast - out.actual
    out["abs_error"] = out.error.abs()
    out.loc["overall", "abs_error"] = float(out.abs_error.iloc[:nt].sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        a = out.actual.to_numpy(dtype=float)
        out["wape"] = np.where(a != 0, out.abs_error / np.where(a != 0, a, 1), np.nan)
        out["bias"] = np.where(a != 0, out.error / np.where(a != 0, a, 1), np.nan)
        if trials:
            out["mc_error"] = out.mc_p50 - out.mc_actual
            out["mc_abs_error"] = out.mc_error.abs()
            out.loc["overall", "mc_abs_error"] = float(out.mc_abs_error.iloc[:nt].sum())
            rest = (out.mc_actual - out.mc_booked).to_numpy(dtype=float)
            out["mc_wape"] = np.where(rest != 0, out.mc_abs_error / np.where(rest != 0, rest, 1), np.nan)
            out["mc_bias"] = np.where(rest != 0, out.mc_error / np.where(rest != 0, rest, 1), np.nan)
    order = ["week", "forecast", "censored_forecast", "scored_forecast", "actual", "error", "abs_error", "wape",
             "bias", "censored"]
    if trials:
        order += ["mc_p50", "mc_mean", "mc_actual", "mc_booked", "mc_error", "mc_abs_error", "mc_wape", "mc_bias"]
    return out[order]
