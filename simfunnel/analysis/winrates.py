"""Win rates measured from history (product-limit estimate, with intervals) and the assumed vs measured vs
true comparison.

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
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from simfunnel.model.chain import true_win_rates
from simfunnel.model.funnel import LOST, WON, Funnel
from simfunnel.model.history import History, deal_rows, initial_stage_codes

INTERVAL_DRAWS = 20_000  # posterior draws for the win-rate intervals
MIN_OBSERVED = 5  # a stage with fewer deals observed leaving it (advanced or lost) is not measurable
# Why a rate is not measured, (zh, en); {n}: the minimum, {k}: deals observed.
NOT_MEASURABLE = {
    "few": ("本阶段观察到离开的商机少于 {n} 个（{k} 个），无法测量", "fewer than {n} deals observed leaving this stage "
                                                               "({k}): not measurable"),
    "later": ("后面的阶段无法测量，这一阶段也无法测量", "a later stage is not measurable, so neither is this one"),
}


def wilson_interval(k: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of k successes in n trials at normal quantile z (NaN where n is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.where(n > 0, centre - half, np.nan), np.where(n > 0, centre + half, np.nan)


def event_rows(history: History) -> np.ndarray:
    """Each event's deal row in ``history.deals`` (one lookup, shared by the counts below)."""
    return deal_rows(history.deals, history.events)


def transitions(history: History) -> np.ndarray:
    """The count of events per (from stage, to stage), codes of ``funnel.all_keys`` (one ``bincount``)."""
    k = len(history.funnel.all_keys)
    e = history.events
    fr = e.from_stage.cat.codes.to_numpy().astype(np.intp)
    to = e.to_stage.cat.codes.to_numpy()
    return np.bincount(fr * k + to, minlength=k * k)[: k * k].reshape(k, k)


def stage_paths(history: History, pos: np.ndarray | None = None) -> pd.DataFrame:
    """Per open stage, what the deals observed there did: advanced, lost, or are still there.

    A deal *advances from* stage i when an event moves it from i to a later
    stage (a skip passes the stages in between) or to won; it is *lost at* i
    when its no-sale event leaves from i; it is *still there* (censored) when
    it is open at i at the end of the history. A deal enters the counts only from
    the stage where it is first observed (its first event's stage, or its open
    stage): an import that starts a deal's history mid-funnel says nothing of the
    stages before. Closed deals with no events (first seen closed) are counted in
    ``unknown_win`` / ``unknown_loss`` and in no stage.
    """
    f = history.funnel
    n = len(f)
    d = history.deals
    pos = event_rows(history) if pos is None else pos
    won, lost = f.index(WON), f.index(LOST)
    moves = transitions(history)
    # a forward move from i to j (a later open stage, or won) advances the deal from i … j−1 (won: … n−1)
    advanced = np.zeros(n)
    for i in range(n):
        for j in [*range(i + 1, n), won]:
            advanced[i: n if j == won else j] += moves[i, j]
    lost_at = moves[:n, lost].astype(float)

    code = d.stage.cat.codes.to_numpy().astype(np.int64)
    still = np.bincount(code[code < n], minlength=n)[:n].astype(float)
    has_events = np.zeros(len(d), dtype=bool)
    has_events[pos] = True
    # Deals first seen closed (no events: an import with no stage history, or one whose history starts at the
    # close) were never observed at an open stage: they enter no stage's risk set (left truncation); they count
    # in the overall won share only (overall_win_rate). Counting a silent win as passing every stage biased the
    # rates upward (issue 15: 100 % on a win/loss file whose won share is 22.6 %).
    unknown_win = int(((~has_events) & (code == won)).sum())
    unknown_loss = int(((~has_events) & (code == lost)).sum())
    return pd.DataFrame(
        {"advanced": advanced, "lost": lost_at, "open": still},
        index=pd.Index(f.keys, name="stage"),
    ).assign(unknown_win=unknown_win, unknown_loss=unknown_loss)


def empirical_win_rates(
    history: History, funnel: Funnel | None = None, level: float = 0.95, seed: int = 0,
    min_observed: int = MIN_OBSERVED,
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

    A deal counts only from the stage where it was first observed; deals first seen closed count in no stage
    (see :func:`stage_paths` and :func:`overall_win_rate`). A stage where fewer than ``min_observed`` deals were
    seen leaving (advanced or lost) is **not measurable**: its rate and interval are NaN and ``reason`` /
    ``reason_zh`` say why; so are the stages before it, whose product-limit rate runs through it.

    Returns:
        DataFrame indexed by stage key: zh, en, assumed, win_rate, low, high,
        next_step, advanced, lost, open, observed, reason, reason_zh, reached, closed, won,
        naive_win_rate, naive_low, naive_high.
    """
    if int(min_observed) < 1:
        raise ValueError(f"min_observed must be at least 1, got {min_observed}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    f = history.funnel
    assumed_funnel = funnel or f
    if tuple(assumed_funnel.keys) != tuple(f.keys):
        raise ValueError(f"funnel {assumed_funnel.name!r} has stages {assumed_funnel.keys}, the history has {f.keys}")
    pos = event_rows(history)
    paths = stage_paths(history, pos)
    a, lo = paths.advanced.to_numpy(), paths.lost.to_numpy()
    observed = a + lo
    enough = observed >= int(min_observed)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(enough, a / np.where(observed > 0, observed, 1), np.nan)
    rate = np.cumprod(step[::-1])[::-1]
    rng = np.random.default_rng(seed)
    draws = rng.beta(a + 0.5, lo + 0.5, size=(INTERVAL_DRAWS, len(a)))
    tail = (1 - level) / 2
    # Brown–Cai–DasGupta: a stage with no losses takes its upper limit at 1, one with no advances its lower at 0.
    upper = np.cumprod(np.where(lo == 0, 1.0, draws)[:, ::-1], axis=1)[:, ::-1]
    lower = np.cumprod(np.where(a == 0, 0.0, draws)[:, ::-1], axis=1)[:, ::-1]
    low = np.minimum(np.quantile(lower, tail, axis=0), rate)
    high = np.maximum(np.quantile(upper, 1 - tail, axis=0), rate)
    no_later = np.cumprod(enough[::-1])[::-1] == 0  # this stage or a later one is not measurable
    low, high = np.where(no_later, np.nan, low), np.where(no_later, np.nan, high)
    rate = np.where(no_later, np.nan, rate)
    reasons = [("", "") if not bad else tuple(
        NOT_MEASURABLE["few"][j].format(n=int(min_observed), k=int(k)) if not ok else NOT_MEASURABLE["later"][j]
        for j in (0, 1)) for bad, ok, k in zip(no_later, enough, observed)]

    reached, won_n, closed_n = _reached_counts(history, pos)
    z = float(normal_quantile(level))
    nlow, nhigh = wilson_interval(won_n, closed_n, z)
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
            "observed": observed.astype(int),
            "reason": [r[1] for r in reasons],
            "reason_zh": [r[0] for r in reasons],
            "reached": reached,
            "closed": closed_n,
            "won": won_n,
            "naive_win_rate": naive,
            "naive_low": nlow,
            "naive_high": nhigh,
        },
        index=pd.Index(f.keys, name="stage"),
    )


def overall_win_rate(history: History, level: float = 0.95) -> pd.Series:
    """The overall won share: won ÷ closed over every deal of the history (deals first seen closed included,
    unlike the stage rates), with a Wilson interval at ``level``. NaN (share and interval) when nothing closed.

    Returns:
        Series: won, lost, closed, share, low, high.

    Example:
        >>> import simfunnel as sf
        >>> h = sf.Simulation(sf.generate(accounts=60, seed=2), seed=2).run()
        >>> r = overall_win_rate(h)
        >>> bool(r["low"] <= r["share"] <= r["high"]), int(r["closed"]) == int(r["won"] + r["lost"])
        (True, True)
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    status = history.deals["status"].astype(str)
    won, lost = int((status == "won").sum()), int((status == "lost").sum())
    closed = won + lost
    low, high = wilson_interval(np.array([won], float), np.array([closed], float), float(normal_quantile(level)))
    return pd.Series({"won": won, "lost": lost, "closed": closed, "share": won / closed if closed else float("nan"),
                      "low": float(low[0]), "high": float(high[0])})


def normal_quantile(level: float) -> float:
    """The two-sided normal quantile of a confidence level (0.95 → 1.96)."""
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


def deal_spans(history: History, pos: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per deal: first open stage seen, highest open stage reached, whether that path is known, current stage code.

    The first stage is the deal's stage when created (0 when a closed deal has no events);
    the highest is its current stage if open, the last open stage if won, the stage it was
    lost from if lost; −1 (unknown) for a closed deal without events (first seen closed).
    """
    f = history.funnel
    n = len(f)
    d, e = history.deals, history.events
    code = d.stage.cat.codes.to_numpy()
    won, lost = f.index(WON), f.index(LOST)
    pos = event_rows(history) if pos is None and len(e) else pos
    first = initial_stage_codes(d, e, f, pos)  # codes of f.all_keys
    first = np.where(first >= n, 0, first).astype(np.int64)
    # Highest open stage reached: current stage if open, the last stage if won, the stage left when lost.
    top = np.where(code < n, code, np.where(code == won, n - 1, -1)).astype(np.int64)
    has_events = np.zeros(len(d), dtype=bool)
    if len(e):
        has_events[pos] = True
        fr = e.from_stage.cat.codes.to_numpy()
        m = np.flatnonzero((e.to_stage.cat.codes.to_numpy() == lost) & (fr < n))
        lost_from = np.full(len(d), -1, dtype=np.int64)
        lost_from[pos[m]] = fr[m]
        is_lost = code == lost
        top[is_lost] = lost_from[is_lost]
    top[(code >= n) & ~has_events] = -1  # first seen closed: no open stage observed
    return first, top, top >= first, code.astype(np.int64)


def span_counts(first: np.ndarray, top: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per open stage, how many of the masked deals have ``first ≤ stage ≤ top``."""
    s = np.bincount(first[mask], minlength=n + 2)[: n + 2] - np.bincount(top[mask] + 1, minlength=n + 2)[: n + 2]
    return np.cumsum(s)[:n].astype(int)


def _reached_counts(history: History, pos: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stage: deals that reached it, and of those, how many closed and how many were won."""
    f = history.funnel
    n = len(f)
    first, top, known, code = deal_spans(history, pos)
    won, lost = f.index(WON), f.index(LOST)
    reached = span_counts(first, top, known, n)
    return (
        reached,
        span_counts(first, top, known & (code == won), n),
        span_counts(first, top, known & ((code == won) | (code == lost)), n),
    )


def open_at(history: History, week: int) -> pd.DataFrame:
    """Snapshot rows of the deals open at the end of ``week``."""
    snap = history.snapshots_between(week, week, open_only=True)
    at = np.flatnonzero(snap.week.to_numpy() == week)
    status = snap.status.cat.codes.to_numpy()[at]
    return snap.iloc[at[status == list(snap.status.cat.categories).index("open")]]


def stage_rates(history: History, funnel: Funnel | Mapping[str, float] | Sequence[float] | None) -> np.ndarray:
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


def with_rates(history: History, rates: np.ndarray, start_week: int | None = None) -> History:
    """A shallow copy of ``history`` whose funnel has these rates (same keys and tables, nothing rebuilt)."""
    h = copy.copy(history)
    with warnings.catch_warnings():  # a deliberately odd funnel (falling rates) is what is being tested
        warnings.simplefilter("ignore", UserWarning)
        h.funnel = history.funnel.with_win_rates([float(x) for x in rates])
    if start_week is not None:
        h.start_week = int(start_week)
    return h


def measured_history(history: History, min_observed: int = MIN_OBSERVED) -> tuple[History, list[str]]:
    """The history with its funnel's rates replaced by the measured ones (:func:`empirical_win_rates`), and the
    stages that keep their assumed rate because they are not measurable (a shallow copy: nothing rebuilt)."""
    emp = empirical_win_rates(history, min_observed=min_observed)
    measured = emp["win_rate"].to_numpy(dtype=float)
    assumed = history.funnel.rates[: len(measured)]
    kept = [k for k, v in zip(history.funnel.keys, measured) if not np.isfinite(v)]
    return with_rates(history, np.where(np.isfinite(measured), measured, assumed)), kept


RATES = ("assumed", "measured")


def rated_history(history: History, rates: str, what: str) -> History:
    """``history`` as the analyst asked: ``"assumed"`` (the funnel's own rates) or ``"measured"`` (with a warning
    naming the stages not measurable, which keep their assumed rate)."""
    if rates not in RATES:
        raise ValueError(f"{what}: rates must be 'assumed' or 'measured', got {rates!r}")
    if rates == "assumed":
        return history
    h, kept = measured_history(history)
    if kept:
        warnings.warn(f"{what}: measured rates; {', '.join(kept)} not measurable, kept at the assumed rate",
                      UserWarning, stacklevel=3)
    return h


# --- one table: assumed vs measured vs true ---------------------------------------------------------------
def compare_rates(
    history: History,
    funnel: Funnel | Mapping[str, float] | Sequence[float] | None = None,
    chain: pd.DataFrame | None = None,
    *,
    level: float = 0.95,
    seed: int = 0,
    min_observed: int = MIN_OBSERVED,
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
    ``reason``, ``reason_zh``
        why ``empirical`` is NaN (fewer than ``min_observed`` deals left the stage, or a later one); else "".
    ``assumed_minus_empirical``, ``assumed_minus_true``, ``empirical_minus_true``
        differences (NaN where a term is).
    ``assumed_in_interval``, ``true_in_interval``
        whether the assumed (true) rate lies in [low, high]; NA where there is no interval or no chain.

    Example:
        >>> import simfunnel as sf
        >>> from simfunnel.model.chain import history_chain
        >>> h = sf.Simulation(sf.generate(accounts=100, seed=1), seed=1).run()
        >>> t = compare_rates(h, chain=history_chain(h))
        >>> t.loc["need", ["assumed", "true"]].round(2).tolist()
        [0.1, 0.1]
    """
    emp = empirical_win_rates(history, level=level, seed=seed, min_observed=min_observed)
    assumed = stage_rates(history, funnel)
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
            "reason": emp["reason"].to_numpy(),
            "reason_zh": emp["reason_zh"].to_numpy(),
            "assumed_minus_empirical": assumed - rate,
            "assumed_minus_true": assumed - true,
            "empirical_minus_true": rate - true,
            "assumed_in_interval": inside(assumed),
            "true_in_interval": inside(true),
        },
        index=pd.Index(keys, name="stage"),
    )
