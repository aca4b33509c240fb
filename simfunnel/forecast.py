"""Win rates measured from history, and Monte Carlo forecasts of the period's bookings.

Example:
    >>> from simfunnel.generate import generate
    >>> from simfunnel.simulate import Simulation
    >>> h = Simulation(generate(accounts=100, seed=5), seed=5).run()
    >>> rates = empirical_win_rates(h)
    >>> list(rates.columns[:4])
    ['zh', 'en', 'assumed', 'win_rate']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .funnel import LOST, WON, Funnel
from .history import PERIOD_WEEKS, History
from .simulate import true_win_rates, win_within

CHUNK_BYTES = 1 << 20  # Monte Carlo draws a block of about 1 MB at a time: it stays in cache for compare and sum


def chunk_trials(n_deals: int) -> int:
    """Trials drawn at once for ``n_deals`` open deals (26 for 10,000 deals)."""
    return int(min(4096, max(1, CHUNK_BYTES // (4 * max(1, n_deals)))))
INTERVAL_DRAWS = 20_000  # posterior draws for the win-rate intervals


def _wilson(k: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.where(n > 0, centre - half, np.nan), np.where(n > 0, centre + half, np.nan)


def stage_paths(history: History) -> pd.DataFrame:
    """Per open stage, what the deals observed there did: advanced, lost, or are still there.

    A deal *advances from* stage i when an event moves it from i to a later
    stage (a skip passes the stages in between) or to won; it is *lost at* i
    when its no-sale event leaves from i; it is *still there* (censored) when
    it is open at i at the end of the history. A won deal with no events (an
    import with current stages only) passed every stage from its stage of record.
    Lost deals whose last open stage is unknown are counted in ``unknown_loss``.
    """
    f = history.funnel
    n = len(f)
    d, e = history.deals, history.events
    pos = pd.Index(d.deal_id).get_indexer(e.deal_id)
    fr = e.from_stage.cat.codes.to_numpy().astype(np.int64)
    to = e.to_stage.cat.codes.to_numpy().astype(np.int64)
    won, lost = f.index(WON), f.index(LOST)

    adv = np.zeros(n + 1)
    fwd = (fr < n) & ((to > fr) & (to < n) | (to == won))
    stop = np.where(to == won, n, to)
    np.add.at(adv, fr[fwd], 1)
    np.add.at(adv, stop[fwd], -1)
    advanced = np.cumsum(adv)[:n]
    lost_at = np.bincount(fr[(to == lost) & (fr < n)], minlength=n)[:n].astype(float)

    code = d.stage.cat.codes.to_numpy().astype(np.int64)
    still = np.bincount(code[code < n], minlength=n)[:n].astype(float)
    has_events = np.zeros(len(d), dtype=bool)
    has_events[pos] = True
    # Won deals without events: they passed every stage; their stage of record is unknown → from the first.
    silent_won = (~has_events) & (code == won)
    advanced += float(silent_won.sum())
    unknown_loss = int(((~has_events) & (code == lost)).sum())
    return pd.DataFrame(
        {"advanced": advanced, "lost": lost_at, "open": still},
        index=pd.Index(f.keys, name="stage"),
    ).assign(unknown_loss=unknown_loss)


def empirical_win_rates(
    history: History, funnel: Funnel | None = None, level: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """Measured win rate per stage, with intervals and counts; censoring handled.

    The win rate from stage i is the product-limit (Kaplan–Meier style) estimate
    ``Π_{j ≥ i} advanced_j / (advanced_j + lost_j)``: deals still open are not
    counted as losses, and deals that have not yet had time to be won do not
    drag the rate down (simply counting "won among closed" would, because losing
    is quicker than winning). The interval multiplies independent Jeffreys
    Beta(advanced + ½, lost + ½) draws of each next-step conversion (``seed``
    makes it reproducible), with the Brown–Cai–DasGupta ends: a stage with no
    losses has upper limit 1, one with no advances lower limit 0. The naive share — of the deals that reached the stage
    and closed, the share won — is given too, with a Wilson interval.

    Args:
        history: a simulated or imported :class:`History`.
        funnel: the assumed funnel to compare with (default: the history's own).
        level: interval level (default 0.95).

    Returns:
        DataFrame indexed by stage key: zh, en, assumed, win_rate, low, high,
        next_step, advanced, lost, open, reached, closed, won, naive_win_rate,
        naive_low, naive_high.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    f = history.funnel
    assumed_funnel = funnel or f
    if tuple(assumed_funnel.keys) != tuple(f.keys):
        raise ValueError(f"funnel {assumed_funnel.name!r} has stages {assumed_funnel.keys}, the history has {f.keys}")
    paths = stage_paths(history)
    a, lo = paths.advanced.to_numpy(), paths.lost.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(a + lo > 0, a / (a + lo), np.nan)
    rate = np.cumprod(step[::-1])[::-1]
    rng = np.random.default_rng(seed)
    draws = rng.beta(a + 0.5, lo + 0.5, size=(INTERVAL_DRAWS, len(a)))
    tail = (1 - level) / 2
    # Brown–Cai–DasGupta: a stage with no losses takes its upper limit at 1, one with no advances its lower at 0.
    upper = np.cumprod(np.where(lo == 0, 1.0, draws)[:, ::-1], axis=1)[:, ::-1]
    lower = np.cumprod(np.where(a == 0, 0.0, draws)[:, ::-1], axis=1)[:, ::-1]
    low = np.minimum(np.quantile(lower, tail, axis=0), rate)
    high = np.maximum(np.quantile(upper, 1 - tail, axis=0), rate)
    seen = a + lo > 0
    no_later = np.cumprod(seen[::-1])[::-1] == 0  # a later stage has no evidence at all
    low, high = np.where(no_later, np.nan, low), np.where(no_later, np.nan, high)

    reached, won_n, closed_n = _reached_counts(history)
    z = float(_z(level))
    nlow, nhigh = _wilson(won_n, closed_n, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = np.where(closed_n > 0, won_n / closed_n, np.nan)
    return pd.DataFrame(
        {
            "zh": [s.zh for s in f.stages],
            "en": [s.en for s in f.stages],
            "assumed": [s.win_rate for s in assumed_funnel.stages],
            "win_rate": rate,
            "low": low,
            "high": high,
            "next_step": step,
            "advanced": a.astype(int),
            "lost": lo.astype(int),
            "open": paths.open.to_numpy().astype(int),
            "reached": reached,
            "closed": closed_n,
            "won": won_n,
            "naive_win_rate": naive,
            "naive_low": nlow,
            "naive_high": nhigh,
        },
        index=pd.Index(f.keys, name="stage"),
    )


def _z(level: float) -> float:
    # Inverse normal CDF by bisection on erf: no scipy dependency.
    from math import erf, sqrt

    target = 0.5 + level / 2
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 0.5 * (1 + erf(mid / sqrt(2))) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _reached_counts(history: History) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stage: deals that reached it, and of those, how many closed and how many were won."""
    f = history.funnel
    n = len(f)
    d, e = history.deals, history.events
    code = d.stage.cat.codes.to_numpy().astype(np.int64)
    won, lost = f.index(WON), f.index(LOST)
    first = np.asarray(pd.Series(history.initial_stages()).map({k: i for i, k in enumerate(f.all_keys)}))
    first = np.where(first >= n, 0, first).astype(np.int64)
    # Highest open stage reached: current stage if open, the last stage if won, the stage left when lost.
    top = np.where(code < n, code, np.where(code == won, n - 1, -1))
    if len(e):
        pos = pd.Index(d.deal_id).get_indexer(e.deal_id)
        fr = e.from_stage.cat.codes.to_numpy().astype(np.int64)
        lost_from = np.full(len(d), -1)
        m = (e.to_stage.cat.codes.to_numpy() == lost) & (fr < n)
        lost_from[pos[m]] = fr[m]
        top = np.where(code == lost, lost_from, top)
    known = top >= first
    span = np.zeros(n + 1)
    np.add.at(span, first[known], 1)
    np.add.at(span, top[known] + 1, -1)
    reached = np.cumsum(span)[:n].astype(int)

    def counted(mask: np.ndarray) -> np.ndarray:
        s = np.zeros(n + 1)
        k = known & mask
        np.add.at(s, first[k], 1)
        np.add.at(s, top[k] + 1, -1)
        return np.cumsum(s)[:n].astype(int)

    return reached, counted(code == won), counted((code == won) | (code == lost))


def _open_at(history: History, week: int) -> pd.DataFrame:
    """Snapshot rows of the deals open at the end of ``week``."""
    snap = history.snapshots_between(week, week, open_only=True)
    at = np.flatnonzero(snap.week.to_numpy() == week)
    status = snap.status.cat.codes.to_numpy()[at]
    return snap.iloc[at[status == list(snap.status.cat.categories).index("open")]]


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

    now = _open_at(history, as_of)
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
    now = _open_at(history, as_of_week)
    ids = set(now.deal_id[now.amount.to_numpy() >= threshold])
    d = history.deals
    cw = d.closed_week.to_numpy(dtype=float, na_value=np.nan)
    won = (d.status == "won").to_numpy()
    da = d.amount.to_numpy(dtype=float)
    before = won & (cw > first) & (cw <= as_of_week)
    pipeline = won & d.deal_id.isin(ids).to_numpy() & (cw > as_of_week) & (cw <= end)
    small = won & (da < threshold) & (cw > as_of_week) & (cw <= end)
    return float(da[before].sum() + da[pipeline].sum() + da[small & ~pipeline].sum())
