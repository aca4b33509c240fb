"""Pure computations behind the widgets, arranged so that a slider move costs milliseconds.

Nothing here draws (numpy and pandas only). Each class does the heavy work once at
construction — filtering 1.5 million snapshot rows, drawing Monte Carlo trials — and keeps
small sufficient statistics, so that a new win rate or threshold is a few vector operations.
Tests check every shortcut against the library function it stands for
(:func:`~simfunnel.analysis.metrics.indicators`, :func:`~simfunnel.analysis.montecarlo.montecarlo`).
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd

from simfunnel.analysis.assumptions import BrierCounts
from simfunnel.analysis.montecarlo import montecarlo
from simfunnel.model.chain import true_win_rates, win_within
from simfunnel.model.history import PERIOD_WEEKS, History


# --- thresholds -------------------------------------------------------------------------
def nice_step(x: float) -> float:
    """The 1-2-5 number at or above ``x`` (1, 2, 5, 10, 20, …)."""
    if x <= 0:
        return 1.0
    exp = math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10**exp >= x - 1e-9:
            return float(m * 10**exp)
    return float(10 ** (exp + 1))


def threshold_grid(history: History, steps: int = 30) -> list[float]:
    """Money steps for a threshold slider: 0 up to about the 90th percentile of deal amounts.

    Steps are a round amount (1-2-5 series: 10,000 for the workshop's amounts), about
    ``steps`` of them; finer (half steps) in the first third, where most deals are.
    """
    amounts = history.deals.amount.to_numpy(dtype=float)
    top = float(np.quantile(amounts, 0.9)) if amounts.size else 100_000.0
    top = max(top, 1.0)
    step = nice_step(top / steps)
    top = math.ceil(top / step) * step
    fine = np.arange(0, top / 3 + step / 2, step / 2)
    coarse = np.arange(fine[-1] + step, top + step / 2, step)
    return [float(v) for v in np.r_[fine, coarse]]


# --- win rates: forecast vs actual and the Brier score ------------------------------------
class RateModel:
    """What any set of stage win rates makes of a history: weekly forecast and Brier score.

    Args:
        history: deals, events and snapshots.
        start_week, period_weeks: the period of the forecast table (default: the history's).

    The **Brier score** of rates ``r`` (:func:`~simfunnel.analysis.assumptions.brier_score`, from the same
    :class:`~simfunnel.analysis.assumptions.BrierCounts`) averages ``(p − won)²`` over every snapshot row
    (deal, week) of weeks ``0 … end_week`` in which the deal is open at an open stage,
    for the deals that were eventually won or lost (deals still open at the end of the
    history have no outcome and are left out). ``p`` is the row's ``win_rate_override``
    when set, else ``r`` of the row's stage; ``won`` is 1 when the deal was eventually
    won, else 0. A deal open for ten weeks counts ten times, as it was forecast ten times.
    It is computed from per-stage counts, ``Σ (r − y)² = n·r² − 2·r·w + w``.

    The **forecast table** has, per period week ``t``, the in-funnel forecast with rates
    ``r`` (threshold 0: :func:`~simfunnel.analysis.metrics.indicators`' ``forecast_in_funnel``
    with the funnel's rates replaced) and the actual outcome ``forecast − forecast_error
    × Q`` (the final won amount of those deals; deals still open at the end of the
    history count at their forecast).
    """

    def __init__(self, history: History, start_week: int | None = None, period_weeks: int = PERIOD_WEEKS) -> None:
        funnel = history.funnel
        k = len(funnel)
        self.stages = funnel.keys
        snap = history.snapshots
        deals = history.deals
        codes = snap.stage.cat.codes.to_numpy().astype(np.int64)
        opn = np.flatnonzero(codes < k)
        codes = codes[opn]
        weeks = snap.week.to_numpy()[opn]
        amount = snap.amount.to_numpy(dtype=float)[opn]
        override = snap.win_rate_override.to_numpy(dtype=float, na_value=np.nan)[opn]
        pos = pd.Index(deals.deal_id).get_indexer(snap.deal_id.to_numpy()[opn])
        status = deals.status.to_numpy().astype(str)[pos]
        final_amount = deals.amount.to_numpy(dtype=float)[pos]
        won = status == "won"
        closed = won | (status == "lost")
        plain = np.isnan(override)

        # Brier: per-stage counts of rows and of rows of won deals (forecast.brier_score's statistics).
        self._brier = BrierCounts.from_rows(codes, override, won, closed, k)
        self.rows = self._brier.rows
        self.rows_left_out = self._brier.rows_left_out

        # Forecast table over the period.
        s = history.start_week if start_week is None else int(start_week)
        m = min(int(period_weeks), history.end_week - s)
        self.start_week, self.period_weeks = s, int(period_weeks)
        t = np.arange(m + 1)
        inp = (weeks >= s) & (weeks <= s + m)
        off = weeks[inp] - s
        c, a, ov, pl, wn = codes[inp], amount[inp], override[inp], plain[inp], won[inp]
        cens = ~closed[inp]
        nt = m + 1

        def matrix(mask: np.ndarray) -> np.ndarray:
            out = np.zeros((nt, k))
            np.add.at(out, (off[mask], c[mask]), a[mask])
            return out

        def fixed(mask: np.ndarray) -> np.ndarray:
            return np.bincount(off[mask], weights=(a * ov)[mask], minlength=nt).astype(float)

        self._m_all, self._o_all = matrix(pl), fixed(~pl)
        self._m_cens, self._o_cens = matrix(pl & cens), fixed(~pl & cens)
        self._won = np.bincount(off[wn], weights=final_amount[inp][wn], minlength=nt).astype(float)
        self._t = t
        self._weeks = s + t

    def _rates(self, rates: Iterable[float] | dict) -> np.ndarray:
        if isinstance(rates, dict):
            r = np.array([float(rates[key]) for key in self.stages])
        else:
            r = np.asarray(list(rates), dtype=float)[: len(self.stages)]
        if r.shape != (len(self.stages),):
            raise ValueError(f"rates: {r.size} values for {len(self.stages)} stages")
        return r

    def brier(self, rates: Iterable[float] | dict) -> float:
        """Brier score of these stage rates (NaN when no row has a known outcome)."""
        return self._brier.score(self._rates(rates))

    def forecast(self, rates: Iterable[float] | dict) -> np.ndarray:
        """In-funnel forecast per period week with these stage rates (threshold 0)."""
        r = self._rates(rates)
        return self._m_all @ r + self._o_all

    def table(self, rates: Iterable[float] | dict, **extra: Iterable[float] | dict) -> pd.DataFrame:
        """``t``, ``week``, ``forecast``, ``actual`` (and ``forecast_<name>`` for each extra rate set)."""
        r = self._rates(rates)
        out = pd.DataFrame(
            {
                "t": self._t,
                "week": self._weeks,
                "forecast": self._m_all @ r + self._o_all,
                "actual": self._won + self._m_cens @ r + self._o_cens,
            }
        )
        for name, other in extra.items():
            if other is not None:
                out[f"forecast_{name}"] = self.forecast(other)
        return out


# --- the Monte Carlo fan ---------------------------------------------------------------------
FAN_QUANTILES = (10, 25, 50, 75, 90)


class FanModel:
    """Monte Carlo draws of the period's final bookings, for every week of the period and every threshold of a grid.

    The model is :func:`~simfunnel.analysis.montecarlo.montecarlo`'s, as of each snapshot week
    ``s + t`` with the horizon running to the period's end: bookings of the period so far
    + each open in-funnel deal won or not by a Bernoulli draw (with a ``chain``, the chance
    of a win within the horizon; else the override or the stage rate) + out-of-funnel
    bookings resampled from the last ``run_rate_weeks`` weeks. It is drawn once: the
    trials' wins are summed per amount bucket between consecutive grid thresholds, so the
    forecast for any grid threshold is a suffix sum (common random numbers: moving the
    threshold changes the fan only by what the threshold changes). A threshold off the grid
    is forecast by calling :func:`montecarlo` week by week (slower; cached).

    Args:
        history: the history; ``quota``: the quota (default the history's).
        thresholds: the grid; ``chain``: weekly transition chances (simulated data).
        trials, seed: trials per week and the seed (the same seed, the same fan).
    """

    def __init__(
        self,
        history: History,
        thresholds: Iterable[float],
        *,
        quota: float | None = None,
        chain: pd.DataFrame | None = None,
        trials: int = 2_000,
        seed: int = 0,
        run_rate_weeks: int = 4,
        period_weeks: int = PERIOD_WEEKS,
    ) -> None:
        self.history = history
        self.grid = np.unique(np.asarray(list(thresholds), dtype=float))
        if self.grid.size == 0 or self.grid[0] < 0:
            raise ValueError("thresholds: give thresholds of 0 or more")
        self.quota = history.quota if quota is None else float(quota)
        self.chain = chain
        self.trials = int(trials)
        if self.trials < 1:
            raise ValueError(f"trials must be at least 1, got {trials}")
        self.seed = int(seed)
        self.run_rate_weeks = int(run_rate_weeks)
        s, n = history.start_week, int(period_weeks)
        self.start_week, self.period_weeks = s, n
        m = min(n, history.end_week - s)
        if m < 0:
            raise ValueError("the history ends before its period starts")
        self.t = np.arange(m + 1)
        self._cache: dict[float, pd.DataFrame] = {}
        self._draw()

    def _draw(self) -> None:
        h, grid, trials = self.history, self.grid, self.trials
        s, n = self.start_week, self.period_weeks
        G = grid.size
        rng = np.random.default_rng(self.seed)
        funnel = h.funnel
        if self.chain is not None:
            within_all = win_within(self.chain, n)
            eventual = true_win_rates(self.chain).to_numpy()
        last = s + int(self.t[-1])
        between = getattr(h, "snapshots_between", None)  # builds only the period's rows of a live simulation
        snap = between(s, last, open_only=True) if between is not None else h.snapshots
        sw = snap.week.to_numpy()
        status_open = snap.status.cat.codes.to_numpy() == list(snap.status.cat.categories).index("open")
        rows = np.flatnonzero(status_open & (sw >= s) & (sw <= last))
        r_week = sw[rows]
        r_amount = snap.amount.to_numpy(dtype=float)[rows]
        r_code = snap.stage.cat.codes.to_numpy()[rows]
        r_override = snap.win_rate_override.to_numpy(dtype=float, na_value=np.nan)[rows]

        d = h.deals
        won = (d.status == "won").to_numpy()
        cw = d.closed_week.to_numpy(dtype=float, na_value=np.nan)
        da = d.amount.to_numpy(dtype=float)

        samples = np.empty((self.t.size, trials, G))
        for t in self.t:
            as_of = s + int(t)
            horizon = n - int(t)
            at = r_week == as_of
            amount, code, override = r_amount[at], r_code[at], r_override[at]
            if self.chain is not None:
                within = within_all[:, horizon]
                p = within[code]
                with np.errstate(divide="ignore", invalid="ignore"):
                    scaled = np.where(eventual[code] > 0, override * within[code] / eventual[code], 0.0)
                p = np.where(np.isnan(override), p, np.clip(scaled, 0, 1))
            else:
                p = np.where(np.isnan(override), funnel.rates[code], override)
            bucket = np.searchsorted(grid, amount, side="right") - 1  # in the funnel for grid[j] iff bucket ≥ j
            keep = bucket >= 0
            p, amount, bucket = p[keep], amount[keep], bucket[keep]
            onehot = np.zeros((amount.size, G), dtype=np.float32)
            onehot[np.arange(amount.size), bucket] = amount
            p32 = p.astype(np.float32)
            per_bucket = np.empty((trials, G))
            chunk = int(max(1, min(trials, (1 << 21) // max(1, amount.size))))
            buf = np.empty((chunk, amount.size), dtype=np.float32)
            for lo in range(0, trials, chunk):
                k = min(chunk, trials - lo)
                b = buf[:k]
                rng.random(out=b, dtype=np.float32)
                np.less(b, p32, out=b, casting="unsafe")
                per_bucket[lo : lo + k] = b @ onehot
            in_funnel = np.cumsum(per_bucket[:, ::-1], axis=1)[:, ::-1]  # Σ over buckets ≥ j

            booked = float(da[won & (cw > s) & (cw <= as_of)].sum())
            back = np.arange(max(0, as_of - self.run_rate_weeks + 1), as_of + 1)
            oof = np.zeros((trials, G))
            if horizon > 0 and back.size:
                picks = rng.integers(0, back.size, size=(trials, horizon))
                counts = np.zeros((trials, back.size))
                np.add.at(counts, (np.repeat(np.arange(trials), horizon), picks.ravel()), 1.0)
                # per_week[w, j] = out-of-funnel bookings of back week w below threshold grid[j]
                per_week = np.zeros((back.size, G))
                for i, wk in enumerate(back):
                    small = np.sort(da[won & (cw == wk)])
                    csum = np.r_[0.0, np.cumsum(small)]
                    per_week[i] = csum[np.searchsorted(small, grid, side="left")]
                oof = counts @ per_week
            samples[t] = booked + in_funnel + oof

        self.booked = np.array([float(da[won & (cw > s) & (cw <= s + t)].sum()) for t in self.t])
        q = np.percentile(samples, FAN_QUANTILES, axis=1)  # (5, weeks, G)
        self._q = q
        self._mean = samples.mean(axis=1)
        self._p_quota = (samples >= self.quota).mean(axis=1) if self.quota else np.full((self.t.size, G), np.nan)

    def fan(self, threshold: float = 0.0) -> pd.DataFrame:
        """The fan for one threshold: ``t``, ``week``, ``p10`` … ``p90``, ``mean``, ``p_quota``, ``booked``."""
        threshold = float(threshold)
        j = np.flatnonzero(np.isclose(self.grid, threshold, rtol=0, atol=1e-6))
        if j.size:
            j = int(j[0])
            out = {"t": self.t, "week": self.start_week + self.t}
            for i, pct in enumerate(FAN_QUANTILES):
                out[f"p{pct}"] = self._q[i, :, j]
            out["mean"] = self._mean[:, j]
            out["p_quota"] = self._p_quota[:, j]
            out["booked"] = self.booked
            return pd.DataFrame(out)
        if threshold not in self._cache:
            self._cache[threshold] = self._montecarlo_fan(threshold)
        return self._cache[threshold]

    def _montecarlo_fan(self, threshold: float) -> pd.DataFrame:
        rows = []
        for t in self.t:
            r = montecarlo(
                self.history, trials=self.trials, seed=self.seed + int(t), chain=self.chain, quota=self.quota,
                threshold=threshold, as_of_week=self.start_week + int(t), horizon_weeks=self.period_weeks - int(t),
                run_rate_weeks=self.run_rate_weeks,
            )
            q = np.percentile(r.samples, FAN_QUANTILES)
            row = {"t": int(t), "week": self.start_week + int(t)}
            row.update({f"p{pct}": float(v) for pct, v in zip(FAN_QUANTILES, q)})
            row.update({"mean": r.mean, "p_quota": np.nan if r.p_quota is None else r.p_quota, "booked": r.booked})
            rows.append(row)
        return pd.DataFrame(rows)
