"""Tables per segment of the attack/defend model (攻守模型): the segment table and the balanced scorecard.

- :func:`segment_table` — one row per segment: accounts, potential, our sales, pipeline, win rate;
- :func:`scorecard` — one row per segment, the balanced-scorecard indicators
  (financial, customer, internal process, learning and growth), in columns grouped
  by a two-level index ``(perspective, indicator)``; units in :data:`SCORECARD_INDICATORS`;
- :func:`scorecard_view` — the scorecard as text for people (zh or en).

The segments themselves (the rule, :class:`~simfunnel.model.segments.Segmentation`) are in
:mod:`simfunnel.model.segments`; the chart is :func:`simfunnel.plots.segment_chart`.

Example:
    >>> from simfunnel.model.generate import generate
    >>> from simfunnel.model.simulate import Simulation
    >>> world = generate(accounts=40, seed=5)
    >>> table = segment_table(Simulation(world, seed=5).run(), lang="en")
    >>> list(table.index)
    ['defend', 'attack', 'maintain', 'monitor']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simfunnel import i18n
from simfunnel.analysis.metrics import check_whole, period_start, rotting_deals
from simfunnel.model.history import MAX_WEEKS
from simfunnel.model.segments import Segmentation, account_segment_codes, account_values

__all__ = ["PERSPECTIVES", "SCORECARD_INDICATORS", "scorecard", "scorecard_view", "segment_table"]

# (perspective, indicator, unit, zh, en): the columns of scorecard(), in order.
SCORECARD_INDICATORS: tuple[tuple[str, str, str, str, str], ...] = (
    ("financial", "bookings", "currency", "成交额", "Bookings"),
    ("financial", "avg_won_deal", "currency", "平均成交金额", "Average won deal"),
    ("financial", "pipeline_coverage", "ratio", "漏斗覆盖倍数", "Pipeline coverage"),
    ("customer", "accounts_won", "accounts", "有成交的客户数", "Accounts with a win"),
    ("customer", "new_customers_won", "accounts", "新赢得客户数", "New customers won"),
    ("customer", "retention", "share", "老客户保留率", "Retention"),
    ("internal_process", "win_rate", "share", "赢率", "Win rate"),
    ("internal_process", "cycle_weeks", "weeks", "平均成交周期（周）", "Mean cycle (weeks)"),
    ("internal_process", "records_per_won_deal", "records per won deal", "每单成交的录入条数",
     "Records per won deal"),
    ("internal_process", "rotting_share", "share", "停滞商机占比", "Rotting share"),
    ("learning_growth", "coach_share", "share", "有向导的客户占比", "Accounts with a coach"),
    ("learning_growth", "decision_maker_share", "share", "已识别决策者的客户占比",
     "Accounts with a decision maker"),
    ("learning_growth", "contacts_per_account", "contacts per account", "每客户联系人数", "Contacts per account"),
)
PERSPECTIVES: dict[str, tuple[str, str]] = {
    "financial": ("财务", "Financial"),
    "customer": ("客户", "Customer"),
    "internal_process": ("内部流程", "Internal process"),
    "learning_growth": ("学习与成长", "Learning and growth"),
}



# --- per-deal and per-account positions ------------------------------------------------
def _history_accounts(history: Any) -> pd.DataFrame:
    accounts = getattr(history, "accounts", None)
    if accounts is None:
        raise ValueError("history has no accounts table (accounts.csv): segments need potential and share of wallet")
    return accounts


def _deal_segments(history: Any, acc_codes: np.ndarray, accounts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Segment code of each deal (−1 when its account is unknown) and its row in ``accounts`` (−1)."""
    if "account_id" not in accounts.columns:
        raise ValueError("accounts: missing column 'account_id'")
    twice = accounts["account_id"].duplicated(keep=False).to_numpy()
    if twice.any():
        rows = np.flatnonzero(accounts["account_id"].to_numpy() == accounts["account_id"].to_numpy()[twice][0])
        raise ValueError(f"accounts: account {accounts['account_id'].iloc[rows[0]]} is on rows "
                         f"{', '.join(str(r) for r in rows[:-1])} and {rows[-1]} (each account once)")
    pos = pd.Index(accounts["account_id"]).get_indexer(history.deals["account_id"])
    return np.where(pos >= 0, acc_codes[np.maximum(pos, 0)], -1), pos


def _window(history: Any, start_week: object, period_weeks: object) -> tuple[int, int]:
    s = period_start(history, start_week)
    n = history.end_week - s if period_weeks is None else check_whole("period_weeks", period_weeks, 1, MAX_WEEKS)
    return s, n


def segment_table(
    history: Any, segmentation: Segmentation | None = None, lang: str | None = None
) -> pd.DataFrame:
    """One row per segment (index: the segment keys, in quadrant order), over the whole history.

    Columns and units:

    - ``label``: the segment's name in ``lang``;
    - ``accounts`` (count) and ``account_share`` (share of all accounts);
    - ``potential``: total yearly purchase potential (``history.currency``);
    - ``sales``: our sales = amount of the deals won in the history (any week; currency);
    - ``share_of_wallet_mean``: mean of the accounts' ``share_of_wallet`` (share);
    - ``sales_to_potential``: ``sales / potential`` (share; the history's weeks against a
      yearly potential — compare segments, not years);
    - ``open_pipeline``: amount of the deals still open at the end (currency);
    - ``deals``: deals of the segment's accounts (count);
    - ``win_rate``: won / (won + lost) of those deals (share; NaN when none closed).

    Deals whose account is not in ``history.accounts`` count in no segment. Sums of
    ``accounts``, ``potential``, ``sales``, ``open_pipeline`` and ``deals`` over the four rows
    are the totals of the whole book.
    """
    seg = segmentation or Segmentation()
    lang = i18n.resolve_language(lang)
    accounts = _history_accounts(history)
    codes = account_segment_codes(accounts, seg)
    potential, share = account_values(accounts)
    dseg, _ = _deal_segments(history, codes, accounts)
    d = history.deals
    known = dseg >= 0
    amount = d["amount"].to_numpy(dtype=float)
    status = d["status"].astype(str).to_numpy()
    won, lost, open_ = status == "won", status == "lost", status == "open"

    def by_seg(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        m = known & mask
        return np.bincount(dseg[m], weights=None if weights is None else weights[m], minlength=4)[:4]

    n_acc = np.bincount(codes, minlength=4).astype(np.int64)
    pot = np.bincount(codes, weights=potential, minlength=4)
    share_sum = np.bincount(codes, weights=share, minlength=4)
    sales = by_seg(won, amount)
    n_won, n_lost = by_seg(won), by_seg(lost)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "label": [seg.label(k, lang) for k in seg.keys],
                "accounts": n_acc,
                "account_share": n_acc / max(len(codes), 1),
                "potential": pot,
                "sales": sales,
                "share_of_wallet_mean": np.where(n_acc > 0, share_sum / np.maximum(n_acc, 1), np.nan),
                "sales_to_potential": np.where(pot > 0, sales / np.where(pot > 0, pot, 1), np.nan),
                "open_pipeline": by_seg(open_, amount),
                "deals": by_seg(np.ones(len(d), bool)).astype(np.int64),
                "win_rate": np.where(n_won + n_lost > 0, n_won / np.maximum(n_won + n_lost, 1), np.nan),
            },
            index=pd.Index(seg.keys, name="segment"),
        )
    return out


def scorecard(
    history: Any,
    segmentation: Segmentation | None = None,
    start_week: int | None = None,
    period_weeks: int | None = None,
    *,
    rotting_weeks: int = 4,
) -> pd.DataFrame:
    """The balanced scorecard of each segment over one window of the history.

    The window is the closing weeks ``s+1 … s+n``, as in :func:`simfunnel.analysis.metrics.win_rate`:
    ``s`` = ``start_week`` (default ``history.start_week``), ``n`` = ``period_weeks`` (default:
    up to ``history.end_week``). Rows: the segment keys in quadrant order. Columns: a
    two-level index ``(perspective, indicator)``; ``table["financial"]`` gives one perspective.
    NaN where a ratio has nothing to divide by.

    Financial (amounts in ``history.currency``):
        - ``bookings``: amount of the deals won in the window (currency);
        - ``avg_won_deal``: bookings / deals won in the window (currency);
        - ``pipeline_coverage``: amount open at week ``s`` (created ≤ s, not closed by s) /
          bookings of the window (ratio, ×).
    Customer:
        - ``accounts_won``: accounts with at least one deal won in the window (accounts);
        - ``new_customers_won``: of those, accounts with ``existing_customer`` False (accounts);
        - ``retention``: existing customers with a win in the window / existing customers (share).
    Internal process:
        - ``win_rate``: won / (won + lost) of the deals closed in the window (share);
        - ``cycle_weeks``: mean ``closed_week − created_week`` of the deals won in the window (weeks);
        - ``records_per_won_deal``: CRM records of the window — deals created plus events in
          weeks ``s+1 … s+n``, as :func:`simfunnel.analysis.metrics.records_entered` with threshold 0 —
          per deal won in the window (records per won deal);
        - ``rotting_share``: of the deals open at week ``s+n``, the share whose stage has not
          changed for ``rotting_weeks`` weeks or more (:func:`simfunnel.analysis.metrics.rotting_deals`; share).
    Learning and growth (from ``history.contacts``, the state of the world, not windowed; NaN
    without contacts):
        - ``coach_share``: share of the segment's accounts with a coach (向导) contact (share);
        - ``decision_maker_share``: share of accounts with a ``decision_maker`` contact (share);
        - ``contacts_per_account``: contacts / accounts (contacts per account).

    Units and zh/en names of every indicator: :data:`SCORECARD_INDICATORS`.

    A history without an accounts table (a CRM import) gives one row, ``all``: the financial and process
    indicators of every deal; the customer and learning ones NaN (they need accounts).
    """
    seg = segmentation or Segmentation()
    # An import with no accounts table (every CRM export the kit reads) has no segments: its scorecard is one row,
    # "all", of the indicators the deals alone give; the customer and learning ones need accounts: NaN.
    whole = getattr(history, "accounts", None) is None
    if whole:
        ids = pd.Series(history.deals["account_id"]).dropna().unique()
        accounts = pd.DataFrame({"account_id": ids})
        codes = np.zeros(len(accounts), dtype=np.int64)
    else:
        accounts = _history_accounts(history)
        codes = account_segment_codes(accounts, seg)
    s, n = _window(history, start_week, period_weeks)
    end = s + n
    d = history.deals
    if whole:
        dpos = pd.Index(accounts["account_id"]).get_indexer(d["account_id"])
        dseg = np.zeros(len(d), dtype=np.int64)
    else:
        dseg, dpos = _deal_segments(history, codes, accounts)
    known = dseg >= 0
    amount = d["amount"].to_numpy(dtype=float)
    status = d["status"].astype(str).to_numpy()
    created = d["created_week"].to_numpy(dtype=np.int64)
    cw = pd.to_numeric(d["closed_week"]).to_numpy(dtype=float, na_value=np.nan)
    closed_in = (cw > s) & (cw <= end)
    won = (status == "won") & closed_in
    lost = (status == "lost") & closed_in

    def by_seg(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        m = known & mask
        return np.bincount(dseg[m], weights=None if weights is None else weights[m], minlength=4)[:4].astype(float)

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)

    # financial
    bookings = by_seg(won, amount)
    n_won, n_lost = by_seg(won), by_seg(lost)
    open_at_s = (created <= s) & ~(cw <= s)  # NaN closed_week compares False: still open
    pipeline_s = by_seg(open_at_s, amount)
    # customer
    n_acc = len(accounts)
    acc_won = np.zeros(n_acc, bool)
    acc_won[dpos[known & won]] = True
    existing = accounts["existing_customer"].astype(str).str.lower().isin(["true", "1"]).to_numpy() \
        if "existing_customer" in accounts.columns else np.zeros(n_acc, bool)
    accounts_won = np.bincount(codes[acc_won], minlength=4).astype(float)
    new_won = np.bincount(codes[acc_won & ~existing], minlength=4).astype(float)
    retained = np.bincount(codes[acc_won & existing], minlength=4).astype(float)
    n_existing = np.bincount(codes[existing], minlength=4).astype(float)
    # internal process
    cycle_sum = by_seg(won, cw - created)
    records = by_seg((created > s) & (created <= end))
    ev = history.events
    if len(ev):
        epos = pd.Index(d["deal_id"]).get_indexer(ev["deal_id"])
        ew = ev["week"].to_numpy(dtype=np.int64)
        ok = (epos >= 0) & (ew > s) & (ew <= end)
        eseg = dseg[epos[ok]]
        records += np.bincount(eseg[eseg >= 0], minlength=4)[:4]
    open_at_end = (created <= end) & ~(cw <= end)
    rot = rotting_deals(history, weeks=rotting_weeks, week=end)
    rotting = np.isin(d["deal_id"].to_numpy(), rot["deal_id"].to_numpy()) & open_at_end
    # learning and growth
    n_per_seg = np.bincount(codes, minlength=4).astype(float)
    contacts = getattr(history, "contacts", None)
    if contacts is not None and len(contacts) and "account_id" in contacts.columns:
        cpos = pd.Index(accounts["account_id"]).get_indexer(contacts["account_id"])
        okc = cpos >= 0
        coach = contacts["coach"].astype(str).str.lower().isin(["true", "1"]).to_numpy() \
            if "coach" in contacts.columns else np.zeros(len(contacts), bool)
        dm = (contacts["buying_role"].astype(str) == "decision_maker").to_numpy() \
            if "buying_role" in contacts.columns else np.zeros(len(contacts), bool)

        def accounts_with(mask: np.ndarray) -> np.ndarray:
            has = np.zeros(n_acc, bool)
            has[cpos[okc & mask]] = True
            return np.bincount(codes[has], minlength=4).astype(float)

        coach_share = ratio(accounts_with(coach), n_per_seg)
        dm_share = ratio(accounts_with(dm), n_per_seg)
        per_account = ratio(np.bincount(codes[cpos[okc]], minlength=4).astype(float), n_per_seg)
    else:
        coach_share = dm_share = per_account = np.full(4, np.nan)

    values = {
        "bookings": bookings,
        "avg_won_deal": ratio(bookings, n_won),
        "pipeline_coverage": ratio(pipeline_s, bookings),
        "accounts_won": accounts_won,
        "new_customers_won": new_won,
        "retention": ratio(retained, n_existing),
        "win_rate": ratio(n_won, n_won + n_lost),
        "cycle_weeks": ratio(cycle_sum, n_won),
        "records_per_won_deal": ratio(records, n_won),
        "rotting_share": ratio(by_seg(rotting), by_seg(open_at_end)),
        "coach_share": coach_share,
        "decision_maker_share": dm_share,
        "contacts_per_account": per_account,
    }
    columns = pd.MultiIndex.from_tuples([(p, i) for p, i, *_ in SCORECARD_INDICATORS],
                                        names=["perspective", "indicator"])
    out = pd.DataFrame({(p, i): values[i] for p, i, *_ in SCORECARD_INDICATORS},
                       index=pd.Index(seg.keys, name="segment"))
    out.columns = columns
    if whole:
        out = out.iloc[[0]].copy()
        out.index = pd.Index(["all"], name="segment")
        for col in ("accounts_won", "new_customers_won", "retention"):
            out[("customer", col)] = np.nan  # no accounts table: who is a new or existing customer is unknown
        for col in ("coach_share", "decision_maker_share", "contacts_per_account"):
            out[("learning_growth", col)] = np.nan
    else:
        for col in ("accounts_won", "new_customers_won"):
            out[(("customer", col))] = out[("customer", col)].astype(np.int64)
    out.attrs.update({"start_week": s, "end_week": end, "currency": getattr(history, "currency", None)})
    return out


def scorecard_view(table: pd.DataFrame, lang: str | None = None, currency: str = "CNY",
                   segmentation: Segmentation | None = None) -> pd.DataFrame:
    """:func:`scorecard` for people: perspectives, indicators and segments named in ``lang``, values as text.

    Money in ``currency`` (compact), shares as percentages, ratios and means with one decimal;
    a missing value shows as "—". One row per segment, the same two-level columns, labelled.

    Example:
        >>> import simfunnel as sf
        >>> h = sf.Simulation(sf.generate(accounts=40, seed=2), seed=2).run()
        >>> view = scorecard_view(scorecard(h), lang="zh")
        >>> list(view.columns.get_level_values(0).unique()), view.index[0]
        (['财务', '客户', '内部流程', '学习与成长'], '防守')
    """
    lang = i18n.resolve_language(lang)
    seg = segmentation or Segmentation()
    out = {}
    for perspective, indicator, unit, zh, en in SCORECARD_INDICATORS:
        values = table[(perspective, indicator)].to_numpy(dtype=float)
        if unit == "currency":
            text = [i18n.format_money(v, currency, lang, compact=True) if np.isfinite(v) else "—" for v in values]
        elif unit == "share":
            text = [f"{v:.0%}" if np.isfinite(v) else "—" for v in values]
        elif unit == "accounts":
            text = [f"{v:,.0f}" if np.isfinite(v) else "—" for v in values]
        else:
            text = [f"{v:,.1f}" if np.isfinite(v) else "—" for v in values]
        out[(i18n.text(PERSPECTIVES[perspective], lang), zh if lang == "zh" else en)] = text
    index = pd.Index([i18n.text(("全部商机", "All deals"), lang) if k == "all" else seg.label(k, lang) for k in table.index],
                     name=i18n.text(("客户细分", "Segment"), lang))
    return pd.DataFrame(out, index=index)
