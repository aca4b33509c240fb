"""Booked is not collected: 回收账款, the sixth key step, on the kit's payment delays.

A won deal is **booked** the week it is won; its invoice is **collected** ``paid_week`` (each world deal
has a payment delay drawn when the world is made: :mod:`simfunnel.model.generate`, ``payment_p``). The
quota counts bookings; the company lives on collections.

- :func:`won_in_period` — the deals won in weeks ``start+1 … end`` (one seller's, or all), with the week
  won, the week paid (missing when not paid by the end of the history) and whether paid by ``end``.
- :func:`booked_vs_collected` — week by week over the period, the amount booked so far and the amount of
  those deals collected so far; the gap is money the company is still owed.
- :func:`seller_with_gap` — the seller with the most booked-but-unpaid at the period's end (a lesson's
  example; ties by name).

Example:
    >>> import pandas as pd
    >>> from simfunnel.model.funnel import Funnel
    >>> from simfunnel.model.history import EVENT_COLUMNS, History
    >>> deals = pd.DataFrame({"deal_id": [1, 2, 3], "account_id": [1, 1, 2], "owner": ["A", "A", "B"],
    ...     "amount": [100.0, 50.0, 70.0], "created_week": [0, 0, 0], "stage": ["won", "won", "won"],
    ...     "status": ["won", "won", "won"], "closed_week": [2, 5, 12], "expected_close_week": [4, 4, 12],
    ...     "win_rate_override": [None] * 3, "paid_week": [6, None, 13]})
    >>> h = History(deals, pd.DataFrame(columns=list(EVENT_COLUMNS)), funnel=Funnel.preset("key-account"))
    >>> t = booked_vs_collected(h, start=0, end=13)
    >>> t.iloc[-1][["booked", "collected", "outstanding"]].tolist()
    [220.0, 170.0, 50.0]
    >>> won_in_period(h, 0, 13, owner="A")["paid_by_end"].tolist()
    [True, False]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["won_in_period", "booked_vs_collected", "seller_with_gap"]


def _check_period(start: int, end: int) -> tuple[int, int]:
    start, end = int(start), int(end)
    if end <= start:
        raise ValueError(f"collections: the period must end after it starts, got start={start}, end={end}")
    return start, end


def won_in_period(history, start: int, end: int, owner: str | None = None) -> pd.DataFrame:
    """The deals won in weeks ``start+1 … end``: deal_id, account_id, owner, amount, won_week, paid_week
    (missing when not paid by the end of the history) and paid_by_end; in the order they were won."""
    start, end = _check_period(start, end)
    d = history.deals
    won = d[(d["status"].astype(str) == "won") & d["closed_week"].notna()]
    won = won[(won["closed_week"] > start) & (won["closed_week"] <= end)]
    if owner is not None:
        known = set(d["owner"].dropna().astype(str))
        if str(owner) not in known:
            raise ValueError(f"collections: no seller named {owner!r}; sellers are {', '.join(sorted(known))}")
        won = won[won["owner"].astype(str) == str(owner)]
    out = pd.DataFrame({
        "deal_id": won["deal_id"].to_numpy(),
        "account_id": won["account_id"].to_numpy(),
        "owner": won["owner"].astype(str).to_numpy(),
        "amount": won["amount"].to_numpy(dtype=float),
        "won_week": won["closed_week"].astype("Int64").to_numpy(),
        "paid_week": won["paid_week"].astype("Int64").to_numpy(),
    })
    out["paid_week"] = out["paid_week"].astype("Int64")
    out["won_week"] = out["won_week"].astype("Int64")
    out["paid_by_end"] = (out["paid_week"].fillna(end + 1) <= end).astype(bool)
    return out.sort_values(["won_week", "deal_id"], kind="stable").reset_index(drop=True)


def booked_vs_collected(history, start: int, end: int, owner: str | None = None) -> pd.DataFrame:
    """Week by week (``start … end``): booked so far in the period, collected so far of those deals, and
    outstanding (booked − collected)."""
    start, end = _check_period(start, end)
    won = won_in_period(history, start, end, owner)
    weeks = np.arange(start, end + 1)
    won_w = won["won_week"].to_numpy(dtype=float)
    paid_w = won["paid_week"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    amount = won["amount"].to_numpy(dtype=float)
    booked = np.array([amount[won_w <= wk].sum() for wk in weeks])
    collected = np.array([amount[paid_w <= wk].sum() for wk in weeks])
    return pd.DataFrame({"week": weeks, "booked": booked, "collected": collected, "outstanding": booked - collected})


def seller_with_gap(history, start: int, end: int, max_deals: int = 8) -> str:
    """The seller with the most booked but not collected at the end of the period, among those who won
    between 2 and ``max_deals`` deals in it (a table a trainee can add up); ties by name."""
    won = won_in_period(history, start, end)
    if won.empty:
        raise ValueError(f"collections: no deal was won in weeks {start + 1}–{end}")
    by = won.assign(open=np.where(won["paid_by_end"], 0.0, won["amount"])).groupby("owner")
    table = pd.DataFrame({"n": by.size(), "open": by["open"].sum()})
    fit = table[(table["n"] >= 2) & (table["n"] <= max_deals)]
    if fit.empty:
        fit = table
    fit = fit.reset_index().sort_values(["open", "owner"], ascending=[False, True], kind="stable")
    return str(fit.iloc[0]["owner"])
