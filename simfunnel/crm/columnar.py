"""The column-at-a-time import: a plain CSV's clean rows imported a column at a time, the others row by row.

The row importer (:meth:`simfunnel.crm.importer._Importer._row`) makes a dict per row: a million rows cost
~20× ``pandas.read_csv`` of the file. Here each column is factorized once and every *distinct* cell parsed with
the row importer's own functions (a column of dates or stages has a few hundred distinct values); a column of
amounts in the common "$1,234.56" form is read in one pass. A row any step cannot settle — a blank or repeated
id, an unknown stage, an unreadable or missing amount or date, a close before its creation — goes through the
row importer, which imports it or rejects it with its reason, exactly as before.

Files and imports with features this path does not cover are imported row by row: status or won/closed flag
columns, a currency column, separate won/lost time columns, a price list, ``as_of``, days in pipeline, an
outcome-only file, Odoo's ``False`` cells. ``SIMFUNNEL_IMPORT_ROWS=1`` forces the row importer for every file
(``tests/test_crm_columnar.py`` imports every fixture both ways and compares deals, events, rejects, warnings).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from simfunnel.crm.cells import cell_text, is_blank, match_key, parse_probability
from simfunnel.crm.readers import FrameRows
from simfunnel.model.funnel import LOST, WON

__all__ = ["ROWS_ENV", "import_columns", "record_columns"]

#: Set to 1 to import every file row by row (the reference the column path is tested against).
ROWS_ENV = "SIMFUNNEL_IMPORT_ROWS"
RECORD_KEYS = ("deal_id", "line", "stage", "status", "crm_stage", "amount", "amount_source", "currency", "created",
               "closed", "expected", "close_from", "account_id", "owner")
_ROW_ONLY = ("status", "is_closed", "is_won", "active", "currency", "won_time", "lost_time", "days")
_FAST_LINES = re.compile(r"^[^\S\n]*([$¥￥€£]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?[^\S\n]*$", re.M)
_FAST_SYMBOL = {"": None, "$": "$", "¥": "¥", "￥": "¥", "€": "EUR", "£": "GBP"}


def objects(values: Iterable[Any], n: int | None = None) -> np.ndarray:
    """An object array of ``values`` (scalars), never a nested one."""
    values = list(values)
    out = np.empty(len(values) if n is None else n, dtype=object)
    out[:] = values
    return out


def record_columns(records: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """The row importer's records (one dict per row) as columns (object arrays), in order."""
    keys = list(records[0]) if records else list(RECORD_KEYS)
    return {k: objects(r.get(k) for r in records) for k in keys}


def _distinct(column: np.ndarray, parse: Any) -> tuple[np.ndarray, np.ndarray]:
    """(codes, each distinct cell parsed), the parse of a cell being ``parsed[codes]``."""
    if parse is cell_text and len(pd.unique(column[:1000])) > 500:  # ids, names: about one value a row
        return np.arange(len(column)), _stripped(column)
    codes, uniq = pd.factorize(column, use_na_sentinel=False)
    if parse is cell_text:
        return codes, _stripped(uniq)
    return codes, objects(parse(c) for c in uniq)


def _stripped(texts: np.ndarray) -> np.ndarray:
    """:func:`cell_text` of text cells (a C-parsed CSV has no others), in C: stripped, None when nothing is left.
    (numpy drops a trailing NUL from text: the C reader takes no text with NULs.)"""
    s = np.strings.strip(np.array(texts, dtype=np.dtypes.StringDType()))
    out = s.astype(object)
    out[np.strings.str_len(s) == 0] = None
    return out


def _amounts(imp: Any, column: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(amount or None, currency seen, unsettled) per row: blank, unreadable and negative amounts are unsettled."""
    codes, uniq = pd.factorize(column, use_na_sentinel=False)
    texts = [c for c in uniq if type(c) is str]
    joined = "\n".join(texts)
    found = _FAST_LINES.findall(joined) if len(texts) == len(uniq) and not imp.amounts.decimal_comma else ()
    if len(found) == len(uniq) and joined.count("\n") == len(uniq) - 1:  # every distinct cell in the plain form
        digits = re.sub(r"[^\S\n]+|[$¥￥€£,]", "", joined).split("\n")
        amount = objects(np.array(digits, dtype=np.float64).tolist())
        currency = objects(_FAST_SYMBOL[f[0]] for f in found)
    else:
        parsed = [(None, None) if is_blank(c) else imp.amounts.parse(c) for c in uniq]
        amount, currency = objects(p[0] for p in parsed), objects(p[1] for p in parsed)
    bad = np.array([a is None or a < 0 for a in amount], dtype=bool)
    return amount[codes], currency[codes], bad[codes]


def import_columns(imp: Any) -> bool:
    """Import ``imp``'s table a column at a time (see the module): ``imp.rec`` (the records as columns, in file
    order), rejects and counts as the row importer leaves them. False, with nothing done, when the file or the
    import needs the row importer."""
    t = imp.table
    if (os.environ.get(ROWS_ENV, "") not in ("", "0") or not isinstance(t.rows, FrameRows) or imp.prices is not None
            or imp.as_of is not None or imp.undated or imp.spec.false_is_blank or t.long_rows
            or t.truncated is not None or any(f in imp.cols for f in _ROW_ONLY)):
        return False
    cols, vals, n = imp.cols, t.rows.values, len(t.rows)
    slow = np.zeros(n, dtype=bool)
    rec: dict[str, np.ndarray] = {}
    # id: blank or repeated ids (as text) go row by row, in file order (their duplicate rejects stay exact)
    if "id" in cols:
        codes, ids = _distinct(vals[:, cols["id"]], cell_text)
        rec["deal_id"] = ids[codes]
        slow |= pd.isna(rec["deal_id"]) | pd.Series(rec["deal_id"]).duplicated(keep=False).to_numpy()
    else:
        rec["deal_id"] = objects(f"line-{ln}" for ln in t.lines)
    rec["line"] = objects(t.lines)
    # stage: the funnel's stage, won or lost (no flags here: the stage decides alone)
    codes, names = _distinct(vals[:, cols["stage"]], cell_text)
    target = objects(None if nm is None else imp.lookup.get(match_key(nm)) for nm in names)
    slow |= np.array([x is None for x in target], dtype=bool)[codes]
    status = objects(x if x in (WON, LOST) else "open" for x in target)
    rec["stage"], rec["status"], rec["crm_stage"] = target[codes], status[codes], names[codes]
    # amount and the currency its cell shows
    if "amount" in cols:
        amount, currency, bad = _amounts(imp, vals[:, cols["amount"]])
        slow |= bad
    else:  # no amount column without a price list: every row is "missing amount"
        return False
    rec["amount"], rec["amount_source"], rec["currency"] = amount, objects(["export"] * n), currency
    # dates: each distinct cell parsed once; an unreadable one (or a blank created) goes row by row
    ordinal: dict[str, np.ndarray] = {}
    dates: dict[str, np.ndarray] = {}
    for f in ("created", "closed", "expected_close"):
        if f not in cols:
            continue
        parser = imp.dates[f]
        codes, days = _distinct(vals[:, cols[f]], lambda c, p=parser: None if is_blank(c) else p.parse(c))
        blank = _distinct(vals[:, cols[f]], is_blank)[1].astype(bool)
        missing = np.array([d is None for d in days], dtype=bool)
        slow |= (missing & ~blank)[codes] | (blank[codes] if f == "created" else False)
        dates[f] = days[codes]
        ordinal[f] = np.where(missing, -1, [0 if d is None else d.toordinal() for d in days]).astype(np.int64)[codes]
    none = objects([None] * n)
    closed_rows = rec["status"] != "open"
    close_at = ordinal.get("closed", np.full(n, -1, dtype=np.int64))
    slow |= closed_rows & ((close_at < 0) | (close_at < ordinal["created"]))  # no close date, or before creation
    rec["created"] = dates["created"]
    rec["closed"] = np.where(closed_rows, dates.get("closed", none), None)
    if "expected_close" in cols:  # its own column: kept for every deal
        rec["expected"], expected_at = dates["expected_close"], np.where(closed_rows, -1, ordinal["expected_close"])
    else:  # the close date column is an open deal's expected close
        rec["expected"], expected_at = np.where(closed_rows, None, dates.get("closed", none)), np.where(
            closed_rows, -1, close_at)
    rec["close_from"] = none
    for f, key in (("account", "account_id"), ("owner", "owner")):
        if f in cols:
            codes, texts = _distinct(vals[:, cols[f]], cell_text)
            rec[key] = texts[codes]
        else:
            rec[key] = none
    fast = ~slow
    imp.early_expected += int(((expected_at >= 0) & (expected_at < ordinal["created"]) & fast).sum())
    if "probability" in cols:
        codes, p = _distinct(vals[:, cols["probability"]], parse_probability)
        blank = _distinct(vals[:, cols["probability"]], is_blank)[1].astype(bool)
        unread = np.array([x is None for x in p], dtype=bool) & ~blank
        imp.bad_probability += int((unread[codes] & fast).sum())
        rec["crm_probability"] = p[codes]
    for f, ci in imp.kept_fields:
        codes, texts = _distinct(vals[:, ci], cell_text)
        rec[f] = texts[codes]
    # the rows a column step could not settle: row by row, in file order, then merged back in order
    slow_rows = np.flatnonzero(slow)
    kept = imp.run_slow(slow_rows.tolist(), {})
    fast_rows = np.flatnonzero(fast)
    order = np.argsort(np.concatenate([fast_rows, np.asarray(kept, dtype=np.int64)]), kind="stable")
    slow_cols = record_columns(imp.records)
    keys = list(slow_cols) if imp.records else [k for k in _key_order(imp) if k in rec]
    imp.rec = {k: np.concatenate([rec[k][fast_rows] if k in rec else objects([None] * len(fast_rows)),
                                  slow_cols.get(k, objects([None] * len(kept)))])[order] for k in keys}
    return True


def _key_order(imp: Any) -> list[str]:
    """The keys of a row importer's record for this import, in its order (:meth:`_Importer._row`)."""
    keys = list(RECORD_KEYS)
    if "probability" in imp.cols:
        keys.append("crm_probability")
    keys += [f for f, _ in imp.kept_fields]
    return keys
