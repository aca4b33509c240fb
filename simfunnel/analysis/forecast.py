"""Win rates measured from history, Monte Carlo forecasts of the period's bookings, and assumption testing.

Assumption testing (issue 4): :func:`naive_bayes_probability` and :func:`frequency_table`
(automated probabilities as Odoo's predictive lead scoring computes them),
:func:`calibration` of any probability column and :func:`brier_score` of stage rates,
:func:`backtest` of the weekly forecast (WAPE and bias), and :func:`compare_rates`
(assumed vs measured vs true win rates, one table).

Example:
    >>> from simfunnel.model.generate import generate
    >>> from simfunnel.model.simulate import Simulation
    >>> h = Simulation(generate(accounts=100, seed=5), seed=5).run()
    >>> rates = empirical_win_rates(h)
    >>> list(rates.columns[:4])
    ['zh', 'en', 'assumed', 'win_rate']
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import pandas as pd

from simfunnel.model.funnel import LOST, WON, Funnel
from simfunnel.model.history import PERIOD_WEEKS, History
from simfunnel.model.simulate import true_win_rates, win_within

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


def _deal_spans(history: History) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per deal: first open stage seen, highest open stage reached, whether that path is known, current stage code.

    The first stage is the deal's stage when created (0 when a closed deal has no events);
    the highest is its current stage if open, the last open stage if won, the stage it was
    lost from if lost (−1, unknown, for a lost deal without events).
    """
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
    return first, top, top >= first, code


def _span_counts(first: np.ndarray, top: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per open stage, how many of the masked deals have ``first ≤ stage ≤ top``."""
    s = np.zeros(n + 1)
    np.add.at(s, first[mask], 1)
    np.add.at(s, top[mask] + 1, -1)
    return np.cumsum(s)[:n].astype(int)


def _reached_counts(history: History) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stage: deals that reached it, and of those, how many closed and how many were won."""
    f = history.funnel
    n = len(f)
    first, top, known, code = _deal_spans(history)
    won, lost = f.index(WON), f.index(LOST)
    reached = _span_counts(first, top, known, n)
    return (
        reached,
        _span_counts(first, top, known & (code == won), n),
        _span_counts(first, top, known & ((code == won) | (code == lost)), n),
    )


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


# =====================================================================================================
# Assumption testing: automated probabilities, calibration, backtest, assumed vs measured vs true rates
# =====================================================================================================

ODOO_PLS_DOC = "https://www.odoo.com/documentation/17.0/applications/sales/crm/track_leads/lead_scoring.html"
NUMERIC_BINS = 5  # a numeric column with more than MAX_LEVELS values is cut at the quintiles of the training deals
MAX_LEVELS = 10


def _stage_rates(history: History, funnel: Funnel | Mapping[str, float] | Sequence[float] | None) -> np.ndarray:
    """The open-stage rates to use: the history funnel's (None), a Funnel with as many open stages,
    a dict by stage key (other stages keep the history funnel's rate), or one rate per stage in order."""
    f = history.funnel
    k = len(f)
    if funnel is None:
        r = f.rates[:k]
    elif isinstance(funnel, Funnel):
        if len(funnel) != k:
            raise ValueError(f"funnel {funnel.name!r} has {len(funnel)} stages, the history's funnel {f.name!r} has {k}")
        r = funnel.rates[:k]
    elif isinstance(funnel, Mapping):
        unknown = [key for key in funnel if key not in f.keys]
        if unknown:
            raise ValueError(f"unknown stage {unknown[0]!r}; stages are {', '.join(f.keys)}")
        r = np.array([float(funnel.get(key, rate)) for key, rate in zip(f.keys, f.rates[:k])])
    else:
        r = np.asarray(list(funnel), dtype=float)
        if r.shape != (k,):
            raise ValueError(f"{r.size} rates for {k} stages")
    r = np.asarray(r, dtype=float)
    bad = ~np.isfinite(r) | (r < 0) | (r > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"win rate of stage {f.keys[i]!r} must be between 0 and 1, got {r[i]!r}")
    return r


def _with_rates(history: History, rates: np.ndarray, start_week: int | None = None) -> History:
    """A shallow copy of ``history`` whose funnel has these rates (same keys and tables, nothing rebuilt)."""
    h = copy.copy(history)
    with warnings.catch_warnings():  # a deliberately odd funnel (falling rates) is what is being tested
        warnings.simplefilter("ignore", UserWarning)
        h.funnel = history.funnel.with_win_rates([float(x) for x in rates])
    if start_week is not None:
        h.start_week = int(start_week)
    return h


def _week(history: History, week: object, name: str) -> int:
    if isinstance(week, (bool, np.bool_)) or not isinstance(week, (int, np.integer, float, np.floating)) or (
        not np.isfinite(float(week)) or float(week) != int(float(week))
    ):
        raise ValueError(f"{name} must be a whole week number, got {week!r}")
    w = int(week)
    if not 0 <= w <= history.end_week:
        raise ValueError(f"{name} {w} is outside the history's snapshot weeks 0…{history.end_week}")
    return w


# --- naive Bayes: automated probability from frequency tables -----------------------------------------------
def _column_values(history: History, column: str) -> pd.Series:
    """One value per deal (``history.deals`` order) of a deals column, or of an accounts column via ``account_id``."""
    d = history.deals
    name, from_accounts = column, False
    if column.startswith("account."):
        name, from_accounts = column[len("account."):], True
    elif column not in d.columns:
        from_accounts = True
    if not from_accounts:
        return d[column].reset_index(drop=True)
    acc = history.accounts
    if acc is None or name not in acc.columns or "account_id" not in acc.columns:
        known = ", ".join(c for c in d.columns if c not in ("deal_id",))
        extra = " (no accounts table)" if acc is None else " nor an accounts column (" + ", ".join(
            c for c in acc.columns if c != "account_id") + ")"
        raise ValueError(f"column {column!r} is neither a deals column ({known}){extra}")
    acc = acc.drop_duplicates("account_id")
    pos = pd.Index(acc.account_id).get_indexer(d.account_id)
    if not len(acc):
        return pd.Series([None] * len(d), dtype=object)
    values = acc[name].iloc[np.where(pos >= 0, pos, 0)].reset_index(drop=True)
    return values.where(pos >= 0)  # a deal without an account (imports) has no value


def _nb_setup(history: History, as_of_week: int | None) -> dict:
    """Training deals (closed by ``as_of_week``) and the deals scored (open at it), as positions in deals."""
    d = history.deals
    status = d.status.astype(str).to_numpy()
    won, lost = status == WON, status == LOST
    if as_of_week is None:
        train = won | lost
        score = np.flatnonzero(status == "open")
        stage = d.stage.cat.codes.to_numpy().astype(np.int64)[score]
        exists = np.ones(len(d), dtype=bool)
    else:
        as_of = _week(history, as_of_week, "as_of_week")
        cw = d.closed_week.to_numpy(dtype=float, na_value=np.nan)
        train = (won | lost) & (cw <= as_of)
        now = _open_at(history, as_of)
        score = pd.Index(d.deal_id).get_indexer(now.deal_id.to_numpy())
        stage = now.stage.cat.codes.to_numpy().astype(np.int64)
        exists = d.created_week.to_numpy() <= as_of
    return {"train": train, "won": won, "score": score, "stage": stage, "exists": exists}


def _nb_column(history: History, column: str, setup: dict) -> dict:
    """Counts of one column over the training deals, and each scored deal's value code (−1: no evidence)."""
    train, won = setup["train"], setup["won"]
    if column == "stage":
        f = history.funnel
        n = len(f)
        first, top, known, _ = _deal_spans(history)
        m = train & known
        return {
            "labels": list(f.keys),
            "won": _span_counts(first, top, m & won, n).astype(float),
            "lost": _span_counts(first, top, m & ~won, n).astype(float),
            "won_total": float((m & won).sum()),
            "lost_total": float((m & ~won).sum()),
            "levels": 2,  # "reached this stage" is a yes/no fact about a deal (a deal reaches several stages)
            "codes": setup["stage"],
        }
    values = _column_values(history, column)
    raw = values.to_numpy(dtype=object) if not isinstance(values.dtype, pd.CategoricalDtype) else np.asarray(
        values.astype(object))
    missing = pd.isna(values).to_numpy()
    numeric = (
        pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
        and not isinstance(values.dtype, pd.CategoricalDtype)
    )
    t = train & ~missing
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan) if numeric else None
    if numeric and len(np.unique(x[t])) > MAX_LEVELS:
        edges = np.unique(np.quantile(x[t], np.arange(1, NUMERIC_BINS) / NUMERIC_BINS))
        code_all = np.where(missing, -1, np.searchsorted(edges, x, side="right"))
        bounds = np.r_[-np.inf, edges, np.inf]
        labels = [f"[{lo:,.10g}, {hi:,.10g})" for lo, hi in pairwise(bounds)]
        seen = np.bincount(code_all[t], minlength=len(labels)) > 0
        remap = np.where(seen, np.cumsum(seen) - 1, -1)
        labels = [lab for lab, s in zip(labels, seen) if s]
        code_all = np.where(code_all >= 0, remap[np.maximum(code_all, 0)], -1)
        train_codes, score_codes = code_all[t], code_all[setup["score"]]
    else:
        train_codes, uniques = pd.factorize(raw[t])
        labels = list(uniques)
        score_raw = raw[setup["score"]]
        score_codes = pd.Index(uniques, dtype=object).get_indexer(score_raw) if len(uniques) else np.full(
            len(score_raw), -1)
        score_codes = np.where(pd.isna(pd.Series(score_raw, dtype=object)).to_numpy(), -1, score_codes)
    v = len(labels)
    w_t = won[t]
    return {
        "labels": labels,
        "won": np.bincount(train_codes[w_t], minlength=v)[:v].astype(float),
        "lost": np.bincount(train_codes[~w_t], minlength=v)[:v].astype(float),
        "won_total": float(w_t.sum()),
        "lost_total": float((~w_t).sum()),
        "levels": v,
        "codes": np.asarray(score_codes, dtype=np.int64),
    }


def _likelihoods(c: dict, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Laplace-smoothed P(value | won) and P(value | lost) of one column."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p_won = (c["won"] + alpha) / (c["won_total"] + alpha * c["levels"])
        p_lost = (c["lost"] + alpha) / (c["lost_total"] + alpha * c["levels"])
    return p_won, p_lost


def _alpha(alpha: object) -> float:
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.integer, np.floating)) or not (
        np.isfinite(float(alpha)) and float(alpha) >= 0
    ):
        raise ValueError(f"alpha must be a number ≥ 0, got {alpha!r}")
    return float(alpha)


def frequency_table(
    history: History, column: str = "stage", *, alpha: float = 1.0, as_of_week: int | None = None
) -> pd.DataFrame:
    """Won and lost counts of the closed deals per value of a column, and the naive-Bayes likelihoods.

    The tables behind :func:`naive_bayes_probability` (Odoo keeps the same counts in its
    ``crm.lead.scoring.frequency`` table and shows them as a tooltip).

    Counted over the *training* deals: those won or lost (by ``as_of_week``, when given:
    ``closed_week ≤ as_of_week``). For ``column="stage"`` a deal counts at **every open stage
    it reached** — from its stage when created to its highest open stage (the last stage for
    a won deal, the stage it was lost from for a lost one) — so the counts of a stage are
    "of the closed deals that got this far, how many were won/lost" and do not add up over
    the stages (lost deals without events, whose stage is unknown, are not counted). Any other
    column counts each closed deal once under its value; deals with a missing value are not
    counted. Numeric columns with more than 10 distinct values (``amount``) are cut at the
    quintiles of the training deals (labels ``[low, high)``).

    Columns, indexed by value (stage key, category, or amount band):

    ``won``, ``lost``, ``closed``
        counts of training deals (deals).
    ``win_share``
        ``won / closed`` (a share; NaN when 0 closed).
    ``p_given_won``, ``p_given_lost``
        Laplace-smoothed ``P(value | won) = (won + α) / (W + α·V)``, likewise for lost, where
        ``W`` = training deals won that have a value in this column, and ``V`` = the number of
        values (``V = 2`` for stage: "reached it or not").
    ``likelihood_ratio``
        ``p_given_won / p_given_lost``: above 1 the value speaks for winning.

    Example:
        >>> import simfunnel as sf
        >>> h = sf.Simulation(sf.generate(accounts=40, seed=3), seed=3).run()
        >>> t = frequency_table(h, "product")
        >>> int(t.closed.sum()) == int(h.deals.status.isin(["won", "lost"]).sum())
        True
    """
    a = _alpha(alpha)
    c = _nb_column(history, column, _nb_setup(history, as_of_week))
    p_won, p_lost = _likelihoods(c, a)
    won, lost = c["won"], c["lost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(won + lost > 0, won / (won + lost), np.nan)
        ratio = p_won / p_lost
    return pd.DataFrame(
        {
            "won": won.astype(int),
            "lost": lost.astype(int),
            "closed": (won + lost).astype(int),
            "win_share": share,
            "p_given_won": p_won,
            "p_given_lost": p_lost,
            "likelihood_ratio": ratio,
        },
        index=pd.Index(c["labels"], name=column),
    )


def naive_bayes_probability(
    history: History,
    columns: Sequence[str] | str = ("stage",),
    *,
    alpha: float = 1.0,
    as_of_week: int | None = None,
    deals: str = "open",
) -> pd.Series:
    """Automated win probability of each deal from frequency tables, as Odoo's predictive lead scoring does.

    Odoo CRM computes a lead's probability with the naive Bayes model over the lead's stage
    and chosen fields (Odoo documentation, *CRM → Assign leads with predictive lead scoring*,
    ``ODOO_PLS_DOC``; source ``addons/crm/models/crm_lead.py``,
    ``_pls_get_naive_bayes_probabilities``). Here, for a deal with values ``x₁ … x_m`` of
    ``columns``::

        S_won  = P(won)  · Π_j P(x_j | won)
        S_lost = P(lost) · Π_j P(x_j | lost)
        probability = S_won / (S_won + S_lost)

    learnt from the **training deals**, those won or lost (by ``as_of_week`` when given), with
    Laplace smoothing ``α = alpha``:

    - ``P(won) = (W + α) / (N + 2α)``: ``W`` won among ``N`` training deals.
    - ``stage``: ``P(reached s | won) = (w_s + α) / (W_s + 2α)``, ``w_s`` = won training deals that
      reached stage ``s``, ``W_s`` = won training deals whose path is known. As in Odoo, a won deal
      counts at every stage it passed and a lost one at every stage up to the one it was lost
      from; Odoo counts every stage from the first one, here from the deal's stage when created
      (the same when deals start at the first stage). With the stage alone and ``α = 0`` the
      probability is the naive share won among the closed deals that reached the stage
      (``empirical_win_rates``' ``naive_win_rate``).
    - any other column: ``P(v | won) = (n_v,won + α) / (W_j + α·V_j)``, ``W_j`` = won training deals
      with a value, ``V_j`` = distinct values among the training deals (see :func:`frequency_table`).
    - a missing value, or one never seen among the training deals, is no evidence: its factor is
      left out of both scores (Odoo skips such values too).

    Odoo adds 0.1 to each count instead (and more terms: sales team, tags of ≥ 50 leads);
    ``alpha`` is the textbook Laplace estimate, 1 by default. The model treats the columns
    as independent given the outcome, so two columns that say the same thing count twice.

    Columns may be any column of ``history.deals`` (``stage``, ``owner``, ``product``,
    ``amount`` …) or of ``history.accounts`` (``segment``, ``industry``, ``region`` …), which are
    joined on ``account_id`` (prefix ``account.`` for an accounts column whose name is also a
    deals column, e.g. ``"account.owner"``); deals without an account have no value there.

    Args:
        history: a simulated or imported :class:`History`.
        columns: column names; ``"stage"`` is the deal's open stage.
        alpha: Laplace smoothing ``α ≥ 0`` (0: raw frequencies; then unseen combinations give 0, 1 or NaN).
        as_of_week: score the deals open at the end of this snapshot week (their stage then),
            learning only from deals closed by then — an honest out-of-sample test. Default:
            the history's end, learning from every closed deal.
        deals: ``"open"`` (the deals scored) or ``"all"``: every deal existing then, closed ones
            at 1.0 (won) or 0.0 (lost) as Odoo shows them.

    Returns:
        Series of probabilities in [0, 1] (shares), indexed by ``deal_id``, named ``probability``.

    Example:
        >>> import simfunnel as sf
        >>> h = sf.Simulation(sf.generate(accounts=60, seed=4), seed=4).run()
        >>> p = naive_bayes_probability(h, ["stage", "product", "segment"], as_of_week=26)
        >>> bool(p.between(0, 1).all()), p.index.name
        (True, 'deal_id')
    """
    a = _alpha(alpha)
    if deals not in ("open", "all"):
        raise ValueError(f"deals must be 'open' or 'all', got {deals!r}")
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols:
        raise ValueError("columns: give at least one column, e.g. ('stage',)")
    setup = _nb_setup(history, as_of_week)
    train, won = setup["train"], setup["won"]
    n_won, n_all = float((train & won).sum()), float(train.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        log_won = np.full(len(setup["score"]), np.log((n_won + a) / (n_all + 2 * a)))
        log_lost = np.full(len(setup["score"]), np.log((n_all - n_won + a) / (n_all + 2 * a)))
        for column in dict.fromkeys(cols):
            c = _nb_column(history, column, setup)
            p_won, p_lost = _likelihoods(c, a)
            code = c["codes"]
            hit = code >= 0
            log_won[hit] += np.log(p_won[code[hit]])
            log_lost[hit] += np.log(p_lost[code[hit]])
        prob = 1.0 / (1.0 + np.exp(log_lost - log_won))
    d = history.deals
    ids = d.deal_id.to_numpy()
    if deals == "open":
        return pd.Series(prob, index=pd.Index(ids[setup["score"]], name="deal_id"), name="probability")
    out = np.full(len(d), np.nan)
    closed_now = setup["exists"] & train
    out[closed_now] = np.where(won[closed_now], 1.0, 0.0)
    out[setup["score"]] = prob
    scored = np.zeros(len(d), dtype=bool)
    scored[setup["score"]] = True
    keep = setup["exists"] & (closed_now | scored)
    return pd.Series(out[keep], index=pd.Index(ids[keep], name="deal_id"), name="probability")


# --- calibration and the Brier score ----------------------------------------------------------------------
@dataclass(repr=False)
class Calibration:
    """How well probabilities matched outcomes (all values are shares, or squared shares for the scores).

    Attributes:
        brier: mean of ``(p − y)²``, 0 at best (0.25 for a constant 0.5).
        reliability: ``Σ_k n_k (p̄_k − ō_k)² / N`` over the bins (0 when each bin's mean
            probability equals its observed frequency; lower is better).
        resolution: ``Σ_k n_k (ō_k − ō)² / N`` (how much the bins' frequencies differ from the
            base rate ``ō``; higher is better).
        uncertainty: ``ō (1 − ō)``, the Brier score of always forecasting the base rate.
        within_bin_variance, within_bin_covariance: ``Σ (p_i − p̄_k)² / N`` and
            ``2 Σ (p_i − p̄_k)(y_i − ō_k) / N`` (Stephenson, Coelho & Jolliffe 2008); both 0 when
            every probability in a bin is the same (``bins="unique"``). Then
            ``brier = reliability − resolution + uncertainty + within_bin_variance − within_bin_covariance``
            exactly (Murphy's decomposition when the within-bin terms are 0).
        base_rate: ``ō``, the share of outcomes that are 1.
        n: pairs used; dropped: pairs left out because the probability or the outcome was missing.
        table: the reliability curve, one row per bin: ``bin``, ``low``, ``high`` (edges),
            ``mean_predicted`` (p̄_k), ``observed`` (ō_k), ``count`` (n_k), ``observed_low``,
            ``observed_high`` (Wilson interval of ō_k at ``level``).
    """

    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within_bin_variance: float
    within_bin_covariance: float
    base_rate: float
    n: int
    dropped: int
    table: pd.DataFrame

    def summary(self) -> dict[str, float | int]:
        """The numbers without the table."""
        return {k: getattr(self, k) for k in (
            "brier", "reliability", "resolution", "uncertainty", "within_bin_variance",
            "within_bin_covariance", "base_rate", "n", "dropped")}

    def __repr__(self) -> str:
        return (f"Calibration(brier={self.brier:.4f}, reliability={self.reliability:.4f}, "
                f"resolution={self.resolution:.4f}, uncertainty={self.uncertainty:.4f}, n={self.n}, "
                f"bins={len(self.table)})")


def _as_float(x: object, name: str) -> tuple[np.ndarray, pd.Index | None]:
    if isinstance(x, pd.Series):
        s = x
    else:
        arr = np.asarray(x)
        if arr.ndim != 1:
            raise ValueError(f"{name}: give one value per row (a 1-d array or Series), got shape {arr.shape}")
        s = pd.Series(arr)
    index = s.index if isinstance(x, pd.Series) else None
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan), index
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & s.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{name}: row {i}: {s.iloc[i]!r} is not a number")
    return num.to_numpy(dtype=float, na_value=np.nan), index


def calibration(
    probabilities: Iterable[float] | pd.Series,
    outcomes: Iterable[float] | pd.Series,
    bins: int | Sequence[float] | str = 10,
    *,
    level: float = 0.95,
) -> Calibration:
    """Calibration of any probability column against 0/1 outcomes: Brier score, its decomposition, reliability curve.

    Args:
        probabilities: shares in [0, 1] (a deal column such as ``win_rate_override``, the output of
            :func:`naive_bayes_probability`, the ``p`` of :func:`forecast_rows` …).
        outcomes: 1/True when the event happened (the deal was won), 0/False otherwise. Two
            Series are aligned on their index (e.g. ``deal_id``); else they pair up by position.
            Pairs with a missing probability or outcome are left out and counted in ``dropped``.
        bins: ``int`` → that many equal-width bins on [0, 1] (1.0 falls in the last); a sequence
            of increasing edges covering the probabilities; ``"unique"`` → one bin per distinct
            probability (stage rates: the decomposition is then Murphy's, exact).
        level: level of the Wilson intervals of the observed frequencies.

    Returns:
        :class:`Calibration`.

    Example:
        Four deals forecast at 0.2 (one won) and two at 0.8 (both won), base rate 3/6:
        Brier = (3·0.2² + 0.8² + 2·0.2²) / 6 = 0.14; reliability = (4·0.05² + 2·0.2²) / 6 = 0.015;
        resolution = (4·0.25² + 2·0.5²) / 6 = 0.125; uncertainty = 0.5·0.5; 0.015 − 0.125 + 0.25 = 0.14.

        >>> c = calibration([0.2, 0.2, 0.2, 0.2, 0.8, 0.8], [0, 0, 0, 1, 1, 1], bins="unique")
        >>> round(c.brier, 4), round(c.reliability, 4), round(c.resolution, 4), round(c.uncertainty, 4)
        (0.14, 0.015, 0.125, 0.25)
        >>> c.table[["mean_predicted", "observed", "count"]].values.tolist()
        [[0.2, 0.25, 4.0], [0.8, 1.0, 2.0]]
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    if isinstance(probabilities, pd.Series) and isinstance(outcomes, pd.Series):
        if not outcomes.index.is_unique:
            raise ValueError("outcomes: the index has duplicates; cannot align with the probabilities")
        outcomes = outcomes.reindex(probabilities.index)
    p, _ = _as_float(probabilities, "probabilities")
    y, _ = _as_float(outcomes, "outcomes")
    if len(p) != len(y):
        raise ValueError(f"{len(p)} probabilities but {len(y)} outcomes")
    keep = np.isfinite(p) & np.isfinite(y)
    dropped = int((~keep).sum())
    p, y = p[keep], y[keep]
    if ((p < 0) | (p > 1)).any():
        raise ValueError(f"probabilities must be in [0, 1], got {p[(p < 0) | (p > 1)][0]!r}")
    if ((y != 0) & (y != 1)).any():
        raise ValueError(f"outcomes must be 0 or 1 (or True/False), got {y[(y != 0) & (y != 1)][0]!r}")

    if isinstance(bins, str):
        if bins != "unique":
            raise ValueError(f"bins must be a number of bins, a list of edges or 'unique', got {bins!r}")
        values, idx = np.unique(p, return_inverse=True)
        low, high = values, values
    else:
        if np.ndim(bins) == 0:
            if isinstance(bins, (bool, np.bool_)) or int(bins) != bins or int(bins) < 1:
                raise ValueError(f"bins must be a whole number ≥ 1, got {bins!r}")
            edges = np.linspace(0.0, 1.0, int(bins) + 1)
        else:
            edges = np.asarray(bins, dtype=float)
            if edges.ndim != 1 or edges.size < 2 or (np.diff(edges) <= 0).any() or not np.isfinite(edges).all():
                raise ValueError("bins: edges must be at least two increasing numbers")
            if p.size and (p.min() < edges[0] or p.max() > edges[-1]):
                raise ValueError(f"bins: edges {edges[0]:g}…{edges[-1]:g} do not cover the probabilities")
        idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, edges.size - 2)
        low, high = edges[:-1], edges[1:]
    k = len(low)
    n = p.size
    count = np.bincount(idx, minlength=k).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_p = np.bincount(idx, weights=p, minlength=k) / count
        obs = np.bincount(idx, weights=y, minlength=k) / count
    base = float(y.mean()) if n else float("nan")
    if n:
        brier = float(np.mean((p - y) ** 2))
        full = count > 0
        rel = float((count[full] * (mean_p[full] - obs[full]) ** 2).sum() / n)
        res = float((count[full] * (obs[full] - base) ** 2).sum() / n)
        dp = p - mean_p[idx]
        wbv = float((dp**2).sum() / n)
        wbc = float(2 * (dp * (y - obs[idx])).sum() / n)
        unc = base * (1 - base)
    else:
        brier = rel = res = wbv = wbc = unc = float("nan")
    lo_ci, hi_ci = _wilson(count * np.nan_to_num(obs), count, float(_z(level)))
    table = pd.DataFrame(
        {
            "bin": np.arange(k),
            "low": low,
            "high": high,
            "mean_predicted": mean_p,
            "observed": obs,
            "count": count.astype(int),
            "observed_low": lo_ci,
            "observed_high": hi_ci,
        }
    )
    return Calibration(brier, rel, res, unc, wbv, wbc, base, int(n), dropped, table)


@dataclass(frozen=True)
class BrierCounts:
    """Sufficient statistics of the Brier score of stage rates, so a new set of rates costs a few multiplications.

    Over the scored rows (see :func:`brier_score`): ``rows_per_stage[s]`` = rows at stage ``s``
    without an override, ``won_per_stage[s]`` = those of deals eventually won, ``fixed`` =
    ``Σ (override − won)²`` over the rows with an override; ``rows`` = scored rows;
    ``rows_left_out`` = rows of deals still open at the end of the history.
    ``Σ (r − y)²`` over a stage's rows is ``n·r² − 2·r·w + w``.
    """

    rows_per_stage: np.ndarray
    won_per_stage: np.ndarray
    fixed: float
    rows: int
    rows_left_out: int

    @classmethod
    def from_rows(cls, codes: np.ndarray, override: np.ndarray, won: np.ndarray, closed: np.ndarray,
                  stages: int) -> BrierCounts:
        """From snapshot rows at open stages: stage codes, overrides (NaN: none), eventual won / closed flags."""
        plain = np.isnan(override)
        b = closed & plain
        o = closed & ~plain
        return cls(
            np.bincount(codes[b], minlength=stages)[:stages].astype(float),
            np.bincount(codes[b & won], minlength=stages)[:stages].astype(float),
            float(((override[o] - won[o]) ** 2).sum()),
            int(closed.sum()),
            int((~closed).sum()),
        )

    def score(self, rates: Iterable[float]) -> float:
        """Brier score of these open-stage rates (NaN when no row has a known outcome)."""
        if self.rows == 0:
            return float("nan")
        r = np.asarray(list(rates) if not isinstance(rates, np.ndarray) else rates, dtype=float)
        n, w = self.rows_per_stage, self.won_per_stage
        return (float((n * r * r - 2 * r * w + w).sum()) + self.fixed) / self.rows


def _scored_rows(history: History) -> dict[str, np.ndarray]:
    """Snapshot rows (weeks 0 … end_week) of deals open at an open stage, with the deal's eventual outcome."""
    k = len(history.funnel)
    snap = history.snapshots
    codes = snap.stage.cat.codes.to_numpy().astype(np.int64)
    opn = np.flatnonzero(codes < k)
    deals = history.deals
    pos = pd.Index(deals.deal_id).get_indexer(snap.deal_id.to_numpy()[opn])
    status = deals.status.astype(str).to_numpy()[pos]
    won = status == WON
    return {
        "rows": opn,
        "codes": codes[opn],
        "override": snap.win_rate_override.to_numpy(dtype=float, na_value=np.nan)[opn],
        "won": won,
        "closed": won | (status == LOST),
    }


def brier_counts(history: History) -> BrierCounts:
    """The :class:`BrierCounts` of a history (one pass over its snapshots)."""
    r = _scored_rows(history)
    return BrierCounts.from_rows(r["codes"], r["override"], r["won"], r["closed"], len(history.funnel))


def brier_score(history: History, funnel: Funnel | Mapping[str, float] | Sequence[float] | None = None) -> float:
    """Brier score of stage win rates over a history (squared share; 0 is perfect, lower is better).

    The mean of ``(p − won)²`` over every snapshot row (deal, week) of weeks ``0 … end_week`` in
    which the deal is open at an open stage, for the deals eventually won (``won`` = 1) or lost
    (0); deals still open at the end of the history have no outcome and are left out. ``p`` is
    the row's ``win_rate_override`` when set, else the stage's rate in ``funnel`` (a Funnel with
    as many open stages, a dict by stage key, or one rate per stage; default the history's).
    A deal open for ten weeks counts ten times: it was forecast ten times. This is the
    WinRateLab's score; :func:`forecast_rows` gives the rows, so
    ``calibration(rows.p, rows.won).brier`` is the same number.

    Example:
        >>> import simfunnel as sf
        >>> h = sf.Simulation(sf.generate(accounts=60, seed=2), seed=2).run()
        >>> brier_score(h, [0.5] * 5) > brier_score(h)
        True
    """
    return brier_counts(history).score(_stage_rates(history, funnel))


def forecast_rows(
    history: History, funnel: Funnel | Mapping[str, float] | Sequence[float] | None = None
) -> pd.DataFrame:
    """The rows :func:`brier_score` scores: ``week``, ``deal_id``, ``stage``, ``p`` (share), ``won`` (bool).

    Feed them to :func:`calibration` for the reliability curve of stage rates:
    ``rows = forecast_rows(h); calibration(rows.p, rows.won, bins="unique")``.
    """
    rates = _stage_rates(history, funnel)
    r = _scored_rows(history)
    snap = history.snapshots
    keep = r["closed"]
    rows = r["rows"][keep]
    override = r["override"][keep]
    return pd.DataFrame(
        {
            "week": snap.week.to_numpy()[rows],
            "deal_id": snap.deal_id.to_numpy()[rows],
            "stage": snap.stage.iloc[rows].to_numpy(),
            "p": np.where(np.isnan(override), rates[r["codes"][keep]], override),
            "won": r["won"][keep],
        }
    )


# --- forecast backtest over weekly snapshots ----------------------------------------------------------------
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
        >>> from simfunnel.model.simulate import history_chain
        >>> h = sf.Simulation(sf.generate(accounts=150, seed=8), seed=8).run()
        >>> bt = backtest(h, chain=history_chain(h), trials=0)
        >>> list(bt.index[-2:]), bool(bt.loc["overall", "wape"] >= 0)
        ([13, 'overall'], True)
    """
    from simfunnel.analysis.metrics import _start, _threshold, _whole, indicators

    if funnel is not None and chain is not None:
        raise ValueError("give funnel (rates to test) or chain (the true world), not both")
    T = _threshold(threshold)
    n = _whole("period_weeks", period_weeks, 1)
    w = _whole("run_rate_weeks", run_rate_weeks, 1)
    s = _start(history, start_week)
    trials = _whole("trials", trials, 0)
    if chain is not None:
        if list(chain.index) != list(history.funnel.keys):
            raise ValueError(f"chain stages {list(chain.index)} do not match the history's {list(history.funnel.keys)}")
        rates = true_win_rates(chain).to_numpy()
    else:
        rates = _stage_rates(history, funnel)
    h = _with_rates(history, rates, start_week=s)
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


# --- one table: assumed vs measured vs true ---------------------------------------------------------------
def compare_rates(
    history: History,
    funnel: Funnel | Mapping[str, float] | Sequence[float] | None = None,
    chain: pd.DataFrame | None = None,
    *,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Per stage: the assumed win rate, the measured one with its interval, the naive share, and the true rate.

    Columns (rates are shares in [0, 1]), indexed by stage key:

    ``zh``, ``en``
        labels.
    ``assumed``
        the rate of ``funnel`` (a Funnel with as many open stages, a dict by key, a list; default the history's).
    ``empirical``, ``low``, ``high``
        the product-limit estimate of :func:`empirical_win_rates` and its interval at ``level``.
    ``naive``, ``naive_low``, ``naive_high``
        won among the closed deals that reached the stage, Wilson interval (biased low on
        young deals: losing is quicker than winning).
    ``true``
        the chain's eventual win rate (simulated data: ``history_chain(h)``); NaN without a chain.
    ``left``, ``open``
        deals that left the stage (advanced or lost: the evidence) and deals still in it.
    ``assumed_minus_empirical``, ``assumed_minus_true``, ``empirical_minus_true``
        differences (NaN where a term is).
    ``assumed_in_interval``, ``true_in_interval``
        whether the assumed (true) rate lies in [low, high]; NA where there is no interval or no chain.

    Example:
        >>> import simfunnel as sf
        >>> from simfunnel.model.simulate import history_chain
        >>> h = sf.Simulation(sf.generate(accounts=100, seed=1), seed=1).run()
        >>> t = compare_rates(h, chain=history_chain(h))
        >>> t.loc["need", ["assumed", "true"]].round(2).tolist()
        [0.1, 0.1]
    """
    emp = empirical_win_rates(history, level=level, seed=seed)
    assumed = _stage_rates(history, funnel)
    keys = list(history.funnel.keys)
    if chain is not None:
        if list(chain.index) != keys:
            raise ValueError(f"chain stages {list(chain.index)} do not match the history's {keys}")
        true = true_win_rates(chain).to_numpy()
    else:
        true = np.full(len(keys), np.nan)
    low, high = emp["low"].to_numpy(dtype=float), emp["high"].to_numpy(dtype=float)
    rate = emp["win_rate"].to_numpy(dtype=float)
    has = np.isfinite(low) & np.isfinite(high)

    def inside(x: np.ndarray) -> pd.arrays.BooleanArray:
        ok = has & np.isfinite(x)
        return pd.arrays.BooleanArray((low - 1e-12 <= x) & (x <= high + 1e-12) & ok, ~ok)

    return pd.DataFrame(
        {
            "zh": emp["zh"],
            "en": emp["en"],
            "assumed": assumed,
            "empirical": rate,
            "low": low,
            "high": high,
            "naive": emp["naive_win_rate"].to_numpy(dtype=float),
            "naive_low": emp["naive_low"].to_numpy(dtype=float),
            "naive_high": emp["naive_high"].to_numpy(dtype=float),
            "true": true,
            "left": (emp["advanced"] + emp["lost"]).to_numpy(),
            "open": emp["open"].to_numpy(),
            "assumed_minus_empirical": assumed - rate,
            "assumed_minus_true": assumed - true,
            "empirical_minus_true": rate - true,
            "assumed_in_interval": inside(assumed),
            "true_in_interval": inside(true),
        },
        index=pd.Index(keys, name="stage"),
    )
