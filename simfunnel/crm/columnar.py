"""The column-at-a-time import: a plain CSV's clean rows imported a column at a time, the others row by row.

The row importer (:meth:`simfunnel.crm.importer._Importer._row`) makes a dict per row: a million rows cost
~20× ``pandas.read_csv`` of the file (about 3.5× this way). Here each low-cardinality column is factorized once
and every *distinct* cell parsed with the row importer's own functions (a column of dates or stages has a few
hundred distinct values; a column of about one value a row, ids or names, is taken as it is); a column of
amounts in the common "$1,234.56" form is checked and read with numpy. A row any step cannot settle — a blank or repeated
id, an unknown stage, an unreadable or missing amount or date, a close before its creation — goes through the
row importer, which imports it or rejects it with its reason, exactly as before.

Flags (status, IsClosed/IsWon, active) are read once per distinct combination, a currency column once per
distinct pair with the amount's symbol; a row whose flags say another status than its stage, or whose currency
column contradicts its amount, goes row by row (so the warnings and rejects stay the row importer's). Imports
this path does not cover are imported row by row: a price list, ``as_of``, days in pipeline, an outcome-only
file, Odoo's ``False`` cells (and .xlsx files, DataFrames, CSVs the C parser cannot read exactly as the row
reader). ``SIMFUNNEL_IMPORT_ROWS=1`` forces the row importer for every file
(``tests/test_crm_columnar.py`` imports every fixture both ways and compares deals, events, rejects, warnings).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from simfunnel.crm.cells import (
    AMOUNT_SYMBOLS,
    cell_text,
    currency_code,
    distinct_cells,
    is_blank,
    match_key,
    merge_currency,
    parse_probability,
)
from simfunnel.crm.readers import ROWS_ENV, FrameRows, RowRejected
from simfunnel.model.funnel import LOST, WON

__all__ = ["ROWS_ENV", "dollar_amounts", "import_columns", "record_columns"]

RECORD_KEYS = ("deal_id", "line", "stage", "status", "crm_stage", "amount", "amount_source", "currency", "created",
               "closed", "expected", "close_from", "account_id", "owner")
_ROW_ONLY = ("days",)
_FLAGS = ("status", "is_closed", "is_won", "active")


def objects(values: Iterable[Any], n: int | None = None) -> np.ndarray:
    """An object array of ``values`` (scalars), never a nested one (an object array itself as it is)."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1 and n in (None, len(values)):
        return values
    values = list(values)
    out = np.empty(len(values) if n is None else n, dtype=object)
    out[:] = values
    return out


def filled(n: int, value: Any) -> np.ndarray:
    """An object array of ``n`` times ``value`` (``np.full`` of an object is ~20× slower; ``np.empty`` of objects is
    all None).

    >>> filled(2, "export").tolist()
    ['export', 'export']
    """
    out = np.empty(n, dtype=object)
    out[:] = value
    return out


def record_columns(records: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """The row importer's records (one dict per row) as columns (object arrays), in order."""
    keys = list(records[0]) if records else list(RECORD_KEYS)
    return {k: objects(r.get(k) for r in records) for k in keys}


def _distinct(column: np.ndarray, parse: Any) -> tuple[np.ndarray, np.ndarray]:
    """(codes, each distinct cell parsed), the parse of a cell being ``parsed[codes]``."""
    codes, uniq = distinct_cells(column)
    if parse is cell_text:
        return codes, _stripped(uniq)
    return codes, objects(parse(c) for c in uniq)


def _stripped(texts: np.ndarray) -> np.ndarray:
    """:func:`cell_text` of text cells (a C-parsed CSV has no others): stripped, None when nothing is left (the
    cells as they are when none has spaces around it and none is blank: no new array).

    >>> _stripped(np.array([" a", "", "b"], dtype=object)).tolist()
    ['a', None, 'b']
    """
    stripped = list(map(str.strip, texts))
    if "" not in stripped and stripped == texts.tolist():
        return texts
    return objects([c or None for c in stripped])


def dollar_amounts(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(amount, shows "$", read) per cell, for the cells written exactly as ``$1,234.56``, ``1234.5`` or ``1,234``
    (an optional $, digits in groups of three or none, a decimal part): read as the row importer reads them
    (``float`` of the digits). The other cells (any space, sign or letter, another symbol) are not read.

    ``cells``: text (str) cells. They are checked a character at a time with numpy, on their text joined by line
    feeds (a cell holding a line feed is not read).

    >>> amount, dollar, ok = dollar_amounts(np.array(["$1,234.5", "12", "1,23", "", "$", "1.2.3", " 7"], dtype=object))
    >>> amount[ok].tolist(), dollar.tolist(), ok.tolist()
    ([1234.5, 12.0], [True, False, False, False, False, False, False], [True, True, False, False, False, False, False])
    >>> dollar_amounts(np.array(["1\\n2", "3"], dtype=object))[2].tolist()
    [False, True]
    """
    n = len(cells)
    if n == 0:
        return np.zeros(0), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    text = "\n".join(cells) + "\n"
    if text.count("\n") != n:  # a line feed inside a cell: that cell is not read
        inside = np.array(["\n" in c for c in cells], dtype=bool)
        amount, shows, read = dollar_amounts(np.where(inside, "?", cells))
        return amount, shows, read & ~inside
    a = np.frombuffer(b"\n\n\n\n" + text.encode("ascii", "replace") + b"\n\n\n\n", dtype=np.uint8)
    lf, digit = a == 10, (a >= 48) & (a <= 57)
    dollar, comma, dot = a == 36, a == 44, a == 46
    bad = ~(digit | lf | dollar | comma | dot)  # a space, a letter, another symbol (a non-ASCII character is "?")
    bad[1:] |= lf[1:] & (lf[:-1] | dollar[:-1])  # an empty cell, or a lone $
    bad[1:] |= dollar[1:] & ~lf[:-1]  # $ after the first character
    bad[:-1] |= dollar[:-1] & ~digit[1:]  # $ not followed by a digit
    p = np.flatnonzero(dot)  # a decimal point between digits (one a cell: below)
    bad[p[~(digit[p - 1] & digit[p + 1])]] = True
    c = np.flatnonzero(comma)  # a comma after 1–3 digits (from the cell's start or a comma), then 3 digits
    ok = digit[c - 1] & digit[c + 1] & digit[c + 2] & digit[c + 3] & (comma | dot | lf)[c + 4]
    ok &= (~digit[c - 2] & (lf | dollar)[c - 2]) | (digit[c - 2] & (lf | dollar)[c - 3]) | (
        digit[c - 2] & digit[c - 3] & (lf | dollar | comma)[c - 4])
    bad[c[~ok]] = True
    bad[:4] = bad[4 + len(text):] = False  # the padding
    ends = np.flatnonzero(lf)
    starts = ends[3: 3 + n] + 1  # each cell's first character (the 4 leading line feeds are padding)
    read = (np.add.reduceat(bad, starts, dtype=np.int32) == 0) & (np.add.reduceat(dot, starts, dtype=np.int32) <= 1)
    shows = (a[starts] == 36) & read  # a $ is only read as a cell's first character
    joined = text[:-1] if read.all() else "\n".join(np.where(read, cells, "nan"))
    return _floats(joined, n), shows, read


#: pandas' C parser reads a float as Python's ``float`` does (correctly rounded) from pandas 3 on; before, only
#: with ``float_precision="round_trip"`` (deprecated since)
_EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def _floats(joined: str, n: int) -> np.ndarray:
    """``float`` of each of the ``n`` cells of ``joined`` (one a line: "$1,234.56", "nan"; commas and $ are
    dropped first), by pandas' C parser: a million amounts in 0.1 s where ``map(float, …)`` takes 0.2 s. The
    same floats: both round correctly."""
    text = joined.replace(",", "").replace("$", "")
    try:
        out = pd.read_csv(io.StringIO(text), header=None, names=["x"], dtype=np.float64, keep_default_na=False,
                          na_values=["nan"], skip_blank_lines=False, engine="c", **_EXACT)["x"].to_numpy(copy=True)
    except (ValueError, pd.errors.ParserError):
        out = np.zeros(0)
    if len(out) != n:  # never seen: every cell here is digits and a point, or "nan"
        out = np.fromiter(map(float, text.split("\n")), dtype=np.float64, count=n)
    return out


def _amounts(imp: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(amount, currency seen, unsettled) per row: blank, unreadable and negative amounts are unsettled.

    The column's cells as its :class:`AmountColumn` keeps them (its distinct cells, or every cell of a column
    of about one value a row), in the common form — spaces, one symbol of
    $ ¥ ￥ € £, digits in groups of three or none, a decimal part (the pattern the row importer reads first,
    ``_FAST_AMOUNT``) — are read with numpy (:func:`dollar_amounts`, then numpy's string functions); the others
    with :meth:`AmountColumn.parse`, one by one."""
    codes, uniq = imp.amounts.codes, imp.amounts.distinct
    amount = np.full(len(uniq), np.nan)
    currency = np.empty(len(uniq), dtype=object)
    plain = np.zeros(len(uniq), dtype=bool)
    if not imp.amounts.decimal_comma and len(uniq):  # (a C-parsed CSV's cells are all text)
        amount, dollar, plain = dollar_amounts(uniq)
        currency[dollar] = AMOUNT_SYMBOLS["$"]
        rest = np.flatnonzero(~plain)
        if len(rest):
            amount[rest], currency[rest], plain[rest] = _symbol_amounts(uniq[rest])
    for j in np.flatnonzero(~plain):
        c = uniq[j]
        a, cur = (None, None) if is_blank(c) else imp.amounts.parse(c)
        amount[j], currency[j] = (np.nan if a is None else a), cur
    bad = np.isnan(amount) | (amount < 0)
    if len(codes) == len(uniq):  # every cell distinct: the codes are 0, 1, 2 …
        return amount, currency, bad
    return amount[codes], currency[codes], bad[codes]


def _symbol_amounts(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(amount, currency seen, read) per text cell in the common form (see :func:`_amounts`), with numpy's string
    functions: cells with spaces around them or another symbol than $."""
    ss = np.strings
    amount = np.full(len(cells), np.nan)
    currency = np.empty(len(cells), dtype=object)
    core = ss.strip(cells.astype(np.dtypes.StringDType()))
    first = ss.slice(core, 0, 1)
    symbol = np.full(len(cells), -1, dtype=np.int8)
    signs = list(AMOUNT_SYMBOLS)[1:]
    for k, sign in enumerate(signs):
        symbol[first == sign] = k
    num = ss.slice(core, (symbol >= 0).astype(np.intp), None)
    digits = ss.replace(num, ",", "")
    whole, dot, frac = ss.partition(digits, np.array(".", dtype=core.dtype))
    plain = ss.isdecimal(whole) & ((dot == "") | ss.isdecimal(frac))
    commas = ss.str_len(num) - ss.str_len(digits)
    if commas.any():  # 1,234,567: the first comma after 1–3 digits, then one every 4th character
        at = ss.find(num, ",")
        grouped = (at >= 1) & (at <= 3) & (ss.str_len(whole) + commas - at == 4 * commas)
        grouped &= ss.count(ss.slice(num, np.maximum(at, 0), at + 4 * commas, 4), ",") == commas
        plain &= (commas == 0) | grouped
    if plain.any():
        amount[plain] = [float(x) for x in digits[plain].tolist()]  # as the row importer (other scripts' digits)
        for k, sign in enumerate(signs):
            currency[plain & (symbol == k)] = AMOUNT_SYMBOLS[sign]
    return amount, currency, plain


def import_columns(imp: Any) -> bool:
    """Import ``imp``'s table a column at a time (see the module): ``imp.rec`` (the records as columns, in file
    order), rejects and counts as the row importer leaves them. False, with nothing done, when the file or the
    import needs the row importer."""
    t = imp.table
    if (os.environ.get(ROWS_ENV, "") not in ("", "0") or not isinstance(t.rows, FrameRows) or imp.prices is not None
            or imp.as_of is not None or imp.undated or imp.spec.false_is_blank or t.long_rows
            or t.truncated is not None or any(f in imp.cols for f in _ROW_ONLY)):
        return False
    cols, n = imp.cols, len(t.rows)
    vals = t.rows.column
    slow = np.zeros(n, dtype=bool)
    rec: dict[str, np.ndarray] = {}
    # id: blank or repeated ids (as text) go row by row, in file order (their duplicate rejects stay exact)
    if "id" in cols:
        codes, ids = _distinct(vals(cols["id"]), cell_text)
        rec["deal_id"] = ids[codes]
        slow |= pd.isna(rec["deal_id"])
        if not pd.Index(rec["deal_id"]).is_unique:  # a hash table of the ids, marking no row, is quicker
            slow |= pd.Series(rec["deal_id"]).duplicated(keep=False).to_numpy()
    else:
        rec["deal_id"] = objects(f"line-{ln}" for ln in t.lines)
    rec["line"] = np.asarray(t.lines) if isinstance(t.lines, list) else np.arange(t.lines.start, t.lines.stop)
    # stage: the funnel's stage, won or lost (no flags here: the stage decides alone)
    codes, names = imp.stage_cells or _distinct(vals(cols["stage"]), cell_text)
    target = objects(None if nm is None else imp.lookup.get(match_key(nm)) for nm in names)
    slow |= np.array([x is None for x in target], dtype=bool)[codes]
    status = objects(x if x in (WON, LOST) else "open" for x in target)
    rec["stage"], rec["status"], rec["crm_stage"] = target[codes], status[codes], names[codes]
    slow |= _flags_disagree(imp, t.rows, rec["status"])
    # amount and the currency its cell shows
    if "amount" in cols:
        amount, currency, bad = _amounts(imp)
        slow |= bad
    else:  # no amount column without a price list: every row is "missing amount"
        return False
    if "currency" in cols:  # the currency column and the amount's own symbol must agree
        currency, disagree = _currency_column(vals(cols["currency"]), currency)
        slow |= disagree
    rec["amount"], rec["amount_source"], rec["currency"] = amount, filled(n, "export"), currency
    # dates: each distinct cell parsed once; an unreadable one (or a blank created) goes row by row
    ordinal: dict[str, np.ndarray] = {}
    dates: dict[str, np.ndarray] = {}
    factors: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # field -> (codes, each distinct cell's date)
    for f in ("created", "closed", "expected_close", "won_time", "lost_time"):
        if f not in cols:
            continue
        codes, uniq = imp.dates[f].codes, imp.dates[f].distinct
        blank = np.array([is_blank(c) for c in uniq], dtype=bool)
        days = objects(None if b else imp.dates[f].parse(c) for c, b in zip(uniq, blank))
        missing = np.array([d is None for d in days], dtype=bool)
        unread = (missing & ~blank)[codes]
        if f in ("won_time", "lost_time"):  # read only for deals of that status
            unread &= rec["status"] == (WON if f == "won_time" else LOST)
        slow |= unread | (blank[codes] if f == "created" else False)
        dates[f] = days[codes]
        factors[f] = codes, days
        ordinal[f] = np.where(missing, -1, [0 if d is None else d.toordinal() for d in days]).astype(np.int64)[codes]
    none = np.empty(n, dtype=object)
    closed_rows = rec["status"] != "open"
    close_at = ordinal.get("closed", np.full(n, -1, dtype=np.int64))
    closed_on = dates.get("closed", none)
    for f, st in (("won_time", WON), ("lost_time", LOST)):  # the status's own time first, else the close date
        if f in cols:
            own = (rec["status"] == st) & (ordinal[f] >= 0)
            close_at = np.where(own, ordinal[f], close_at)
            closed_on = np.where(own, dates[f], closed_on)
    slow |= closed_rows & ((close_at < 0) | (close_at < ordinal["created"]))  # no close date, or before creation
    rec["created"] = dates["created"]
    rec["closed"] = np.where(closed_rows, closed_on, None)
    if "expected_close" in cols:  # its own column: kept for every deal
        rec["expected"], expected_at = dates["expected_close"], np.where(closed_rows, -1, ordinal["expected_close"])
    else:  # the close date column is an open deal's expected close
        rec["expected"], expected_at = np.where(closed_rows, None, dates.get("closed", none)), np.where(
            closed_rows, -1, close_at)
    rec["close_from"] = none
    for f, key in (("account", "account_id"), ("owner", "owner")):
        if f in cols:
            codes, texts = _distinct(vals(cols[f]), cell_text)
            rec[key] = texts[codes]
            if f == "owner" and len(texts) <= 50_000:  # (History makes the owners a categorical: from these)
                factors["owner"] = codes, texts
        else:
            rec[key] = none
    fast = ~slow
    imp.early_expected += int(((expected_at >= 0) & (expected_at < ordinal["created"]) & fast).sum())
    if "probability" in cols:
        codes, uniq = pd.factorize(vals(cols["probability"]), use_na_sentinel=False)
        p = objects(parse_probability(c) for c in uniq)
        blank = np.array([is_blank(c) for c in uniq], dtype=bool)
        unread = np.array([x is None for x in p], dtype=bool) & ~blank
        imp.bad_probability += int((unread[codes] & fast).sum())
        rec["crm_probability"] = p[codes]
    for f, ci in imp.kept_fields:
        codes, texts = _distinct(vals(ci), cell_text)
        rec[f] = texts[codes]
    # the rows a column step could not settle: row by row, in file order, then merged back in order
    slow_rows = np.flatnonzero(slow)
    kept = imp.run_slow(slow_rows.tolist(), {})
    fast_rows = np.flatnonzero(fast)
    order = np.argsort(np.concatenate([fast_rows, np.asarray(kept, dtype=np.int64)]), kind="stable")
    if not kept:  # a clean file: the columns as they are
        imp.rec = {k: rec[k] if len(fast_rows) == n else rec[k][fast_rows] for k in _key_order(imp) if k in rec}
        imp.known_codes = _known_codes(factors, closed_rows, None if len(fast_rows) == n else fast_rows)
        return True
    slow_cols = record_columns(imp.records)
    imp.rec = {k: np.concatenate([rec[k][fast_rows] if k in rec else np.empty(len(fast_rows), dtype=object),
                                  slow_cols[k]])[order] for k in slow_cols}
    return True


def _known_codes(factors: dict[str, tuple[np.ndarray, np.ndarray]], closed_rows: np.ndarray,
                  rows: np.ndarray | None) -> dict[str, tuple[np.ndarray, np.ndarray]] | None:
    """The records' created, closed and expected dates as (codes, dates) — a date is ``dates[code]``, none the
    code -1 — from the date columns' own codes (``finish`` then needs no hash of a million dates), and the
    owners as (codes, names) when there are few; None when a won/lost time column decides some close dates.
    ``rows``: the rows kept, when not all."""
    if "won_time" in factors or "lost_time" in factors or "created" not in factors:
        return None
    none = (np.full(len(closed_rows), -1, dtype=np.intp), np.empty(0, dtype=object))
    close_codes, close_days = factors.get("closed", none)
    out = {"owner": factors["owner"]} if "owner" in factors else {}
    out |= {"created": factors["created"],
           "closed": (np.where(closed_rows, close_codes, -1), close_days),
           "expected": factors["expected_close"] if "expected_close" in factors else (
               np.where(closed_rows, -1, close_codes), close_days)}
    for k, (codes, days) in out.items():
        codes = codes if rows is None else codes[rows]
        dated = np.not_equal(days, None)
        if k != "owner" and not dated.all():  # a code of no date: -1
            ok = codes >= 0
            ok[ok] = dated[codes[ok]]
            codes = np.where(ok, codes, -1)
        out[k] = codes, days
    return out


def _flags_disagree(imp: Any, rows: FrameRows, status: np.ndarray) -> np.ndarray:
    """Rows whose status/won/closed/active flags are unreadable, contradict each other or say another status than
    the stage: the row importer counts them in its warnings (or rejects them under ``trust_flags``, or lets the
    flag close the deal where the source says so). Each distinct combination of flag cells is read once."""
    flags = [imp.cols[f] for f in _FLAGS if f in imp.cols]
    if not flags:
        return np.zeros(len(rows), dtype=bool)
    combo = np.zeros(len(rows), dtype=np.int64)
    for j in flags:
        codes, uniq = pd.factorize(rows.column(j), use_na_sentinel=False)
        combo = combo * (len(uniq) + 1) + codes
    _, first, combo = np.unique(combo, return_index=True, return_inverse=True)
    said = np.empty(len(first), dtype=object)
    bad = np.zeros(len(first), dtype=bool)
    for k, row in enumerate(first):
        try:
            said[k], col = imp.flags_of(rows[row])
        except RowRejected:
            bad[k] = True
            continue
        bad[k] = col == "flags_disagree"
    speaks = np.array([s is not None for s in said], dtype=bool)
    return bad[combo] | (speaks[combo] & (said[combo] != status))


def _currency_column(column: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the row's currency, disagreeing) from the currency column and the amount cell's own symbol, as the row
    importer merges them (:func:`merge_currency`); each distinct pair once."""
    codes, uniq = pd.factorize(column, use_na_sentinel=False)
    code_u = objects(currency_code(c) for c in uniq)
    seen_codes, seen_u = pd.factorize(seen, use_na_sentinel=True)  # None: the cell showed no currency: -1
    seen_u = objects([*seen_u, None])
    pair = codes.astype(np.int64) * (len(seen_u) + 1) + seen_codes
    _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    merged = objects(merge_currency(code_u[codes[r]], seen_u[seen_codes[r]]) for r in first)
    out = merged[inverse]
    disagree = np.array([m is False for m in merged], dtype=bool)[inverse]
    return np.where(disagree, None, out), disagree


def _key_order(imp: Any) -> list[str]:
    """The keys of a row importer's record for this import, in its order (:meth:`_Importer._row`)."""
    keys = list(RECORD_KEYS)
    if "probability" in imp.cols:
        keys.append("crm_probability")
    keys += [f for f, _ in imp.kept_fields]
    return keys
