"""Testing win-rate assumptions: automated probabilities (naive Bayes, as Odoo's predictive lead scoring
computes them), :func:`calibration` of any probability column and the :func:`brier_score` of stage rates.

Example:
    >>> from simfunnel.model.generate import generate
    >>> from simfunnel.model.simulate import Simulation
    >>> h = Simulation(generate(accounts=100, seed=5), seed=5).run()
    >>> 0 <= brier_score(h) <= 1
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from simfunnel.analysis.winrates import (
    deal_spans,
    normal_quantile,
    open_at,
    span_counts,
    stage_rates,
    wilson_interval,
)
from simfunnel.model.funnel import LOST, WON, Funnel
from simfunnel.model.history import History

ODOO_PLS_DOC = "https://www.odoo.com/documentation/17.0/applications/sales/crm/track_leads/lead_scoring.html"
NUMERIC_BINS = 5  # a numeric column with more than MAX_LEVELS values is cut at the quintiles of the training deals
MAX_LEVELS = 10


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
        now = open_at(history, as_of)
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
        first, top, known, _ = deal_spans(history)
        m = train & known
        return {
            "labels": list(f.keys),
            "won": span_counts(first, top, m & won, n).astype(float),
            "lost": span_counts(first, top, m & ~won, n).astype(float),
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
        uncertainty: ``ō (1 − ō)``, the Brier score of always forecasting the base rate
            (:attr:`skill` compares ``brier`` with it).
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

    @property
    def skill(self) -> float:
        """Brier skill score against always guessing the base rate: ``1 − brier / uncertainty``. Above 0 the
        probabilities beat that guess; 0 is no better; below 0 worse. NaN when every outcome is the same."""
        return 1.0 - self.brier / self.uncertainty if self.uncertainty > 0 else float("nan")

    def summary(self) -> dict[str, float | int]:
        """The numbers without the table (with the skill score)."""
        out = {k: getattr(self, k) for k in (
            "brier", "reliability", "resolution", "uncertainty", "within_bin_variance",
            "within_bin_covariance", "base_rate", "n", "dropped")}
        out["skill"] = self.skill
        return out

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
    lo_ci, hi_ci = wilson_interval(count * np.nan_to_num(obs), count, float(normal_quantile(level)))
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
    return brier_counts(history).score(stage_rates(history, funnel))


def forecast_rows(
    history: History, funnel: Funnel | Mapping[str, float] | Sequence[float] | None = None
) -> pd.DataFrame:
    """The rows :func:`brier_score` scores: ``week``, ``deal_id``, ``stage``, ``p`` (share), ``won`` (bool).

    Feed them to :func:`calibration` for the reliability curve of stage rates:
    ``rows = forecast_rows(h); calibration(rows.p, rows.won, bins="unique")``.
    """
    rates = stage_rates(history, funnel)
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
