"""Monte Carlo forecasts of a period's bookings from the open pipeline at a week.

Example:
    >>> from simfunnel.model.generate import generate
    >>> from simfunnel.model.simulate import Simulation
    >>> h = Simulation(generate(accounts=100, seed=5), seed=5).run()
    >>> result = montecarlo(h, trials=500, seed=1)
    >>> bool(result.p10 <= result.p50 <= result.p90)
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simfunnel.analysis.metrics import require_dated
from simfunnel.analysis.winrates import open_at, rated_history
from simfunnel.model.chain import true_win_rates, win_within
from simfunnel.model.funnel import Funnel
from simfunnel.model.history import PERIOD_WEEKS, History

CHUNK_BYTES = 1 << 20  # Monte Carlo draws a block of about 1 MB at a time: it stays in cache for compare and sum


def chunk_trials(n_deals: int) -> int:
    """Trials drawn at once for ``n_deals`` open deals (26 for 10,000 deals)."""
    return int(min(4096, max(1, CHUNK_BYTES // (4 * max(1, n_deals)))))


@dataclass
class MonteCarloResult:
    """A Monte Carlo forecast of the bookings of a period (currency units).

    Attributes:
        samples: booked revenue by the end of the horizon, one value per trial.
        p10, p50, p90, mean: its percentiles and mean.
        quota: the quota compared with (or None); p_quota: share of trials ≥ quota.
        booked: already booked in the period before ``as_of_week``.
        in_funnel: the open in-funnel deals used, with their win chance ``p`` within the horizon.
        out_of_funnel_mean: expected out-of-funnel bookings over the horizon.
    """

    samples: np.ndarray
    as_of_week: int
    horizon_weeks: int
    booked: float
    quota: float | None
    in_funnel: pd.DataFrame
    out_of_funnel_mean: float
    p10: float = field(init=False)
    p50: float = field(init=False)
    p90: float = field(init=False)
    mean: float = field(init=False)
    p_quota: float | None = field(init=False)

    def __post_init__(self) -> None:
        self.p10, self.p50, self.p90 = (float(x) for x in np.percentile(self.samples, [10, 50, 90]))
        self.mean = float(self.samples.mean())
        self.p_quota = None if not self.quota else float((self.samples >= self.quota).mean())

    def summary(self) -> dict[str, float | int | None]:
        """The headline numbers as a dict."""
        return {
            "as_of_week": self.as_of_week,
            "horizon_weeks": self.horizon_weeks,
            "booked": self.booked,
            "p10": self.p10,
            "p50": self.p50,
            "p90": self.p90,
            "mean": self.mean,
            "quota": self.quota,
            "p_quota": self.p_quota,
        }


def montecarlo(
    history: History,
    funnel: Funnel | None = None,
    trials: int = 10_000,
    seed: int = 0,
    horizon_weeks: int | None = None,
    chain: pd.DataFrame | None = None,
    *,
    quota: float | None = None,
    threshold: float = 0.0,
    as_of_week: int | None = None,
    run_rate_weeks: int = 4,
    rates: str = "assumed",
) -> MonteCarloResult:
    """Distribution of revenue booked by the end of the horizon.

    Revenue = what the period has already booked (weeks after the period start up
    to ``as_of_week``) + each open in-funnel deal (amount ≥ ``threshold``) at
    ``as_of_week`` won or not by a Bernoulli draw + out-of-funnel bookings (each
    future week drawn from the last ``run_rate_weeks`` weeks' out-of-funnel bookings).
    A deal's chance: with a ``chain``, the chance that it is won *within* the
    horizon from its stage (a deal's win-rate override is scaled the same way);
    without one, its win-rate override or the stage rate of ``funnel``. Deals
    created after ``as_of_week`` are not in the forecast, as in any pipeline forecast.

    Args:
        history: the history to forecast from.
        funnel: rates to use without a chain (default: the history's funnel).
        trials: number of trials (default 10,000).
        seed: the same seed gives the same samples.
        horizon_weeks: weeks ahead (default: to the end of the 13-week period containing ``as_of_week``).
        chain: weekly transition chances (e.g. ``sim.chain``) for within-horizon chances.
        quota: compare with this quota (default: the history's quota).
        threshold: deals below it are outside the funnel.
        as_of_week: the week forecast from (default: the history's default period start).

    Note:
        Draws and sums run in float32 for speed: relative error about 1e-7,
        far below the Monte Carlo noise.
    """
    require_dated(history, "montecarlo")
    history = rated_history(history, rates, "montecarlo")  # rates="measured": the history's own measured rates
    f = funnel or history.funnel
    if tuple(f.keys) != tuple(history.funnel.keys):
        raise ValueError(f"funnel {f.name!r} has stages {f.keys}, the history has {history.funnel.keys}")
    if int(trials) < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    if threshold < 0 or not np.isfinite(threshold):
        raise ValueError(f"threshold must be 0 or more, got {threshold}")
    start = history.start_week
    as_of = start if as_of_week is None else int(as_of_week)
    if not 0 <= as_of <= history.end_week:
        raise ValueError(f"as_of_week {as_of} is outside the history's weeks 0…{history.end_week}")
    in_period = start <= as_of <= start + PERIOD_WEEKS
    if horizon_weeks is None:
        horizon_weeks = (start + PERIOD_WEEKS - as_of) if in_period else PERIOD_WEEKS
    horizon = int(horizon_weeks)
    if horizon < 0:
        raise ValueError(f"horizon_weeks must be 0 or more, got {horizon_weeks}")
    quota = history.quota if quota is None else quota

    now = open_at(history, as_of)
    amount = now.amount.to_numpy(dtype=float)
    keep = amount >= threshold
    now, amount = now[keep], amount[keep]
    codes = now.stage.cat.codes.to_numpy()
    override = now.win_rate_override.to_numpy(dtype=float, na_value=np.nan)
    if chain is not None:
        within = win_within(chain, horizon)[:, horizon]
        eventual = true_win_rates(chain).to_numpy()
        p = within[codes]
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.where(eventual[codes] > 0, override * within[codes] / eventual[codes], 0.0)
        p = np.where(np.isnan(override), p, np.clip(scaled, 0, 1))
    else:
        p = np.where(np.isnan(override), f.rates[codes], override)

    d = history.deals
    won = (d.status == "won").to_numpy()
    cw = d.closed_week.to_numpy(dtype=float, na_value=np.nan)
    da = d.amount.to_numpy(dtype=float)
    first_week = start if in_period else as_of
    booked = float(da[won & (cw > first_week) & (cw <= as_of)].sum())

    rng = np.random.default_rng(seed)
    trials = int(trials)
    samples = np.empty(trials)
    p32, a32 = p.astype(np.float32), amount.astype(np.float32)
    chunk = chunk_trials(len(p))
    buf = np.empty((min(chunk, trials), len(p)), dtype=np.float32)
    for lo in range(0, trials, chunk):  # blocks of trials that fit in cache, vectorised over deals
        m = min(chunk, trials - lo)
        b = buf[:m]
        rng.random(out=b, dtype=np.float32)
        np.less(b, p32, out=b, casting="unsafe")  # 1.0 where won
        samples[lo : lo + m] = b @ a32 if len(p) else 0.0

    small = won & (da < threshold)
    weeks_back = np.arange(max(0, as_of - run_rate_weeks + 1), as_of + 1)
    per_week = np.array([da[small & (cw == w)].sum() for w in weeks_back]) if threshold > 0 else np.zeros(1)
    out_mean = float(per_week.mean() * horizon) if len(per_week) else 0.0
    if threshold > 0 and horizon > 0 and per_week.any():
        picks = rng.integers(0, len(per_week), size=(trials, horizon))
        samples += per_week[picks].sum(axis=1)
    samples += booked
    table = pd.DataFrame(
        {"deal_id": now.deal_id.to_numpy(), "stage": now.stage.to_numpy(), "amount": amount, "p": p}
    )
    return MonteCarloResult(samples, as_of, horizon, booked, quota, table, out_mean)


def actual_bookings(history: History, as_of_week: int, horizon_weeks: int, threshold: float = 0.0) -> float:
    """What ``montecarlo`` forecasts, as it happened: bookings of the period to ``as_of + horizon``
    from the period's bookings so far, the in-funnel deals open at ``as_of``, and out-of-funnel deals."""
    start = history.start_week
    in_period = start <= as_of_week <= start + PERIOD_WEEKS
    first = start if in_period else as_of_week
    end = as_of_week + horizon_weeks
    now = open_at(history, as_of_week)
    ids = set(now.deal_id[now.amount.to_numpy() >= threshold])
    d = history.deals
    cw = d.closed_week.to_numpy(dtype=float, na_value=np.nan)
    won = (d.status == "won").to_numpy()
    da = d.amount.to_numpy(dtype=float)
    before = won & (cw > first) & (cw <= as_of_week)
    pipeline = won & d.deal_id.isin(ids).to_numpy() & (cw > as_of_week) & (cw <= end)
    small = won & (da < threshold) & (cw > as_of_week) & (cw <= end)
    return float(da[before].sum() + da[pipeline].sum() + da[small & ~pipeline].sum())
