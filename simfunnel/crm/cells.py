"""Parsing the cells of a CRM export: names, flags, probabilities, currencies, amounts and dates.

An amount column (:class:`AmountColumn`) decides once whether it writes decimal commas, then reads
thousands separators and currency symbols ("$1,234.50", "￥1,280,000.00", "1.234,50 €"); a date
column (:class:`DateColumn`) is read day-first or month-first as its own values show (the caller
decides ambiguous columns) and parses each distinct text once. Names are matched by
:func:`match_key` (case, spacing and underscores ignored).

Used by :mod:`simfunnel.crm.readers`, :mod:`simfunnel.crm.sources` and :mod:`simfunnel.crm.importer`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "AMBIGUOUS_SYMBOLS", "ISO_DATE", "AmountColumn", "DateColumn", "cell_text", "currency_code",
    "distinct_cells", "is_blank", "make_date", "match_key", "merge_currency", "parse_flag", "parse_probability", "resolve_currency_symbol",
]


# --- normalising names ------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def _norm_str(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return re.sub(r"[\s_]+", "", s).casefold()


def match_key(text: Any) -> str:
    """Header / stage name with case, spacing and underscores ignored."""
    if isinstance(text, str):
        return _norm_str(text)
    s = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "")
    return re.sub(r"[\s_]+", "", s).casefold()


def is_blank(v: Any) -> bool:
    """Whether a cell is empty: None, NaN, or text of nothing but spaces."""
    if type(v) is str:
        return not v or v.isspace()
    if v is None:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


_TRUE = {match_key(v) for v in ("true", "1", "yes", "y", "t", "是", "真", "x", "✓", "checked", "1.0")}
_FALSE = {match_key(v) for v in ("false", "0", "no", "n", "f", "否", "假", "", "unchecked", "0.0")}


# --- cell values: amounts, currencies, dates, flags ---------------------------------------------------

_SYMBOLS = {"¥": "CNY", "￥": "CNY", "元": "CNY", "rmb": "CNY", "$": "USD", "us$": "USD", "€": "EUR", "£": "GBP",
            "hk$": "HKD", "a$": "AUD", "c$": "CAD", "s$": "SGD", "₩": "KRW", "₹": "INR", "円": "JPY", "chf": "CHF"}
_CUR_TOKEN = r"(?:[A-Za-z]{3}|US\$|HK\$|A\$|C\$|S\$|[¥￥$€£₩₹]|元|円|RMB)"
_AMOUNT_RE = re.compile(
    rf"^\s*(?P<pre>{_CUR_TOKEN})?\s*(?P<neg>[-−(])?\s*(?P<pre2>[¥￥$€£₩₹])?\s*"
    r"(?P<num>\d[\d\s.,'\u00a0\u202f]*|[.,]\d+)\s*\)?\s*"
    rf"(?P<post>{_CUR_TOKEN})?\s*$"
)
_PLAIN = re.compile(r"-?\d{1,15}(?:\.\d{1,15})?")
_SPACES = re.compile(r"[\s'\u00a0\u202f]")
_CODES = {match_key(c): c for c in ("CNY", "USD", "EUR", "GBP", "JPY", "HKD", "AUD", "CAD", "SGD", "CHF", "KRW", "INR",
                                     "TWD", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN", "RUB", "ZAR", "NZD", "THB",
                                     "MYR")}
_CURRENCY_NAMES = {match_key(k): v for k, v in {"人民币": "CNY", "美元": "USD", "欧元": "EUR", "英镑": "GBP", "日元": "JPY",
                                                 "港币": "HKD", "港元": "HKD", "rmb": "CNY", "yuan": "CNY"}.items()}


def currency_code(text: Any) -> str | None:
    """A currency code from a currency cell ("USD", "$", "人民币", "base.USD"); None when blank."""
    return _currency_code_str(str(text).strip()) if not is_blank(text) else None


@functools.lru_cache(maxsize=4096)
def _currency_code_str(text: str) -> str | None:
    """A currency code from a currency cell ("USD", "$", "人民币", "base.USD")."""
    if is_blank(text):
        return None
    s = str(text).strip()
    s = s.rsplit(".", 1)[-1] if s.startswith("base.") else s  # Odoo external ids
    n = match_key(s)
    if n in _CURRENCY_NAMES:
        return _CURRENCY_NAMES[n]
    if s in ("$", "¥", "￥"):
        return "¥" if s == "￥" else s
    if s in _SYMBOLS:
        return _SYMBOLS[s]
    if n in _SYMBOLS:
        return _SYMBOLS[n]
    if re.fullmatch(r"[A-Za-z]{3}", s):
        return s.upper()
    return s


#: Symbols several currencies write: "$" or "¥" alone is read as the first code unless the currency
#: column or ``currency=`` names another of the family.
AMBIGUOUS_SYMBOLS = {
    "$": ("USD", frozenset({"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN"})),
    "¥": ("CNY", frozenset({"CNY", "JPY"})),
}


def merge_currency(a: str | None, b: str | None) -> str | None | bool:
    """Two currency readings of one row merged; False when they disagree."""
    if not a or not b or a == b:
        return a or b
    if a in AMBIGUOUS_SYMBOLS and b in AMBIGUOUS_SYMBOLS[a][1]:
        return b
    if b in AMBIGUOUS_SYMBOLS and a in AMBIGUOUS_SYMBOLS[b][1]:
        return a
    return False


def resolve_currency_symbol(code: str | None, chosen: str | None) -> str | None:
    """The currency an ambiguous symbol stands for: ``chosen`` when it is of the family, else the default."""
    if code in AMBIGUOUS_SYMBOLS:
        default, family = AMBIGUOUS_SYMBOLS[code]
        return chosen if chosen in family else default
    return code


def choose_currency(values: np.ndarray, currency: str | None,
                    default: str) -> tuple[str, dict[str, int], list[str]]:
    """Settle the imported records' currencies (an object array, one per record, changed in place): ambiguous
    symbols ($, ¥, kr) read as the currency given, else as the file's most common currency of their family, else
    as their default. Returns (the currency kept: the one given, else the most common, else ``default``; the
    count per currency, in order of first appearance; warnings). Each distinct value is decided once.

    >>> v = np.array(["$", "USD", None, "$"], dtype=object)
    >>> choose_currency(v, None, "CNY")[:2], v.tolist()
    (('USD', {'USD': 3}), ['USD', 'USD', None, 'USD'])
    """
    chosen = resolve_currency_symbol(currency_code(currency), None) if currency else None
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    per = np.bincount(codes[codes >= 0], minlength=len(uniq)) if len(uniq) else np.zeros(0, dtype=np.int64)
    explicit: dict[str, int] = {}
    for c, k in zip(uniq, per):  # in order of first appearance, like a pass over the records
        if c and c not in AMBIGUOUS_SYMBOLS:
            explicit[c] = explicit.get(c, 0) + int(k)
    by_count = sorted(explicit, key=lambda c: -explicit[c])
    resolved = {}
    for sym, (fallback, members) in AMBIGUOUS_SYMBOLS.items():
        family = [c for c in by_count if c in members]
        resolved[sym] = chosen if chosen in members else family[0] if family else fallback
    counts: dict[str, int] = {}
    symbols, warnings = set(), []
    now = list(uniq)
    for j, (c, k) in enumerate(zip(uniq, per)):
        if c in AMBIGUOUS_SYMBOLS:
            symbols.add(c)
            now[j] = resolved[c]
        if now[j]:
            counts[now[j]] = counts.get(now[j], 0) + int(k)
    if symbols:
        values[:] = np.array([*now, None], dtype=object)[codes]
    if symbols and not chosen:
        read = ", ".join(
            f"{sym} as {next((c for c in counts if c in AMBIGUOUS_SYMBOLS[sym][1]), AMBIGUOUS_SYMBOLS[sym][0])}"
            for sym in sorted(symbols))
        warnings.append(f"currency symbols read {read} (pass currency= if they mean another currency)")
    if chosen:
        keep = chosen
    elif counts:
        keep = max(counts, key=lambda c: counts[c])  # ties: the first seen
    else:
        keep = default
        warnings.append(f"no currency in the file; amounts taken as {keep} (pass currency= if not)")
    return keep, counts, warnings


def _split_amount(value: str) -> tuple[str, str | None, bool] | None:
    """(number text, currency code or ambiguous symbol or None, negative) of an amount cell; None if unreadable."""
    m = _AMOUNT_RE.match(value)
    if not m:
        return None
    cur = None
    for token in (m["pre"], m["pre2"], m["post"]):
        if token:
            if token in ("$", "¥", "￥"):
                code = "¥" if token == "￥" else token
            else:
                code = _SYMBOLS.get(token) or _SYMBOLS.get(token.lower()) or (token.upper() if token.isalpha() else None)
            if token.isalpha() and len(token) == 3 and match_key(token) not in _CODES and token.lower() not in _SYMBOLS:
                return None
            merged = merge_currency(cur, code)
            if merged is False:
                return None
            cur = merged
    neg = bool(m["neg"])
    if m["neg"] == "(" and ")" not in value:
        return None
    return _SPACES.sub("", m["num"]), cur, neg


def _decimal_votes(cells: Iterable[Any]) -> tuple[int, int]:
    """(cells that read as a decimal comma, as a decimal point) among text ``cells`` (see :func:`_votes`).

    >>> _decimal_votes(["1.234,50", "12,5", "1,234.50", "7", None])
    (2, 1)
    """
    texts = []
    for c in cells:
        if not isinstance(c, str):
            continue
        if _PLAIN.fullmatch(c):
            if "." in c:
                texts.append(c)
        elif c.strip():
            sp = _split_amount(c)
            if sp:
                texts.append(sp[0])
    return _votes(texts)


def _votes(texts: Iterable[str]) -> tuple[int, int]:
    """(numbers written with a decimal comma (1.234,50 / 12,5), with a decimal point) among ``texts``."""
    comma = point = 0
    for t in texts:
        if "," in t and "." in t:
            if t.rfind(",") > t.rfind("."):
                comma += 1
            else:
                point += 1
        elif t.count(",") == 1 and not re.search(r",\d{3}$", t):
            comma += 1
        elif t.count(".") == 1 and not re.search(r"\.\d{3}$", t):
            point += 1
        elif t.count(".") > 1:
            comma += 1
        elif t.count(",") > 1:
            point += 1
    return comma, point


def _number(num: str, decimal_comma: bool) -> float | None:
    if "," in num and "." in num:
        dec = "," if num.rfind(",") > num.rfind(".") else "."
        thou = "." if dec == "," else ","
        int_part, _, frac = num.rpartition(dec)
        if dec in int_part or not re.fullmatch(rf"\d{{1,3}}(\{thou}\d{{3}})*", int_part):
            return None
        num = int_part.replace(thou, "") + "." + frac
    elif "," in num:
        if decimal_comma and num.count(",") == 1:
            num = num.replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(,\d{3})+", num) or re.fullmatch(r"\d{1,3}(,\d{2})*,\d{3}", num):
            num = num.replace(",", "")  # 1,234,567 or Indian 12,34,567
        else:
            return None
    elif num.count(".") > 1 or (decimal_comma and re.fullmatch(r"\d{1,3}(\.\d{3})+", num)):
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+", num):
            return None
        num = num.replace(".", "")
    try:
        x = float(num)
    except ValueError:
        return None
    return x if np.isfinite(x) else None


_FAST_AMOUNT = re.compile(r"\s*([$¥￥€£]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*")
#: The currency an amount's leading symbol shows in the plain form ("$1,234.56"; "": no symbol).
AMOUNT_SYMBOLS = {"": None, "$": "$", "¥": "¥", "￥": "¥", "€": "EUR", "£": "GBP"}


def _object_array(cells: Iterable[Any]) -> np.ndarray:
    """Cells (a list, an array or any iterable of scalars) as a 1-D object array."""
    if isinstance(cells, np.ndarray) and cells.dtype == object and cells.ndim == 1:
        return cells
    values = list(cells)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def distinct_cells(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, cells) with ``cells[codes]`` the column: its distinct cells, in the order they first appear; a
    column of about one value a row (ids, names, amounts: over 500 distinct in its first 1,000) as it is, its
    codes 0, 1, 2 … (a hash of every cell would buy nothing).

    >>> distinct_cells(np.array(["a", "b", "a"], dtype=object))
    (array([0, 1, 0]), array(['a', 'b'], dtype=object))
    """
    if len(pd.unique(cells[:1000])) > 500:
        return np.arange(len(cells)), cells
    return pd.factorize(cells, use_na_sentinel=False)


class AmountColumn:
    """Parses one amount column (decimal comma detected once for the column)."""

    SAMPLE = 20_000  # distinct cells enough to tell 1,234.50 from 1.234,50 in any real column

    def __init__(self, cells: Iterable[Any]) -> None:
        column = _object_array(cells)
        # the column's cells as (codes, cells), kept: the column import (simfunnel.crm.columnar) reads each once
        self.codes, self.distinct = distinct_cells(column)
        # decimal comma or point: first on a sample of the cells in file order (the same every run; every
        # distinct cell when there are few); when that sample is not unanimous (both kinds, or no evidence) and
        # there are more distinct cells, on an even sample of every distinct cell, sorted (as before a sample)
        pool = self.distinct
        many = len(pool) > self.SAMPLE
        comma, point = _decimal_votes(pd.unique(pool[:: len(pool) // self.SAMPLE + 1] if many else pool))
        if many and (comma > 0) == (point > 0):
            strings = [c for c in pd.unique(column) if isinstance(c, str)]
            if len(strings) > self.SAMPLE:  # numpy sorts text by code point, as sorted() does, in C
                strings = np.sort(np.array(strings, dtype=str))[:: len(strings) // self.SAMPLE + 1].tolist()
            comma, point = _decimal_votes(strings)
        self.decimal_comma = comma > point
        self._cache: dict[str, tuple[float | None, str | None]] = {}

    def parse(self, cell: Any) -> tuple[float | None, str | None]:
        """(amount or None if unreadable, currency code seen in the cell)."""
        if type(cell) is not str:
            if isinstance(cell, bool):
                return None, None
            if isinstance(cell, (int, float, np.integer, np.floating)):
                x = float(cell)
                return (x if np.isfinite(x) else None), None
        s = str(cell)
        if not self.decimal_comma:
            if _PLAIN.fullmatch(s):
                return float(s), None
            m = _FAST_AMOUNT.fullmatch(s)  # the common "$1,234.56" / "￥1,280,000.00": no regex soup
            if m:
                return float(m[2].replace(",", "") + (m[3] or "")), AMOUNT_SYMBOLS[m[1]]
        if s in self._cache:
            return self._cache[s]
        sp = _split_amount(s)
        out: tuple[float | None, str | None] = (None, None)
        if sp:
            num, cur, neg = sp
            x = _number(num, self.decimal_comma)
            if x is not None:
                out = (-x if neg else x, cur)
        self._cache[s] = out
        return out


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
#: An ISO date (2024-03-05, 2024/03/05, with an optional time).
ISO_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:[T ]|\s+)[\d:.,]+\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)?\s*$")
_ZH = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?(?:\s*[\d:]+)?\s*$")
_DMY = re.compile(r"^\s*(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?:(?:[T ]|\s+)[\d:.,]+\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)?\s*$")
_NAMED = re.compile(r"^\s*(?:[A-Za-z]+,?\s+)?(?:(\d{1,2})[\s\-/.]+([A-Za-z]{3,9})\.?|([A-Za-z]{3,9})\.?[\s\-/.]+(\d{1,2})(?:st|nd|rd|th)?,?)[\s\-/.,]+(\d{4})(?:[T ,]+[\d:.]+\s*(?:[AaPp][Mm])?)?\s*$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def make_date(y: int, m: int, d: int) -> dt.date | None:
    """The date, or None when there is none (2-digit years: 00-69 are 20xx, 70-99 are 19xx)."""
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


class DateColumn:
    """Parses one date column; ``dayfirst`` decides a/b/yyyy dates (None: not decided yet)."""

    def __init__(self, cells: Iterable[Any]) -> None:
        self.day_evidence = self.month_evidence = self.ambiguous = 0
        self.example = self.decider = None
        # the column's distinct cells (codes, cells), kept: the column import reads each one once
        self.codes, self.distinct = pd.factorize(_object_array(cells), use_na_sentinel=False)
        for c in (x for x in self.distinct if isinstance(x, str)):  # distinct, in file order: the same example
            # each run
            m = _DMY.match(c)
            if m:
                a, b = int(m[1]), int(m[3])
                if a > 12 >= b:
                    self.day_evidence += 1
                    self.decider = self.decider or c.strip()
                elif b > 12 >= a:
                    self.month_evidence += 1
                    self.decider = self.decider or c.strip()
                elif a != b and a <= 12 and b <= 12:
                    self.ambiguous += 1
                    self.example = self.example or c.strip()
        self.dayfirst: bool | None = None
        self._cache: dict[str, dt.date | None] = {}

    @property
    def evidence(self) -> bool | None:
        if self.day_evidence > self.month_evidence:
            return True
        if self.month_evidence > self.day_evidence:
            return False
        return None

    def no_dates(self, cells: Iterable[Any]) -> Any:
        """The first non-blank cell when none of the first 200 non-blank ``cells`` reads as a date; else None."""
        sample = [c for c in cells if not is_blank(c)][:200]
        return sample[0] if sample and all(self.parse(c) is None for c in sample) else None

    def parse(self, cell: Any) -> dt.date | None:
        if type(cell) is str:  # the common case first: text cells, each distinct text parsed once
            try:
                return self._cache[cell]
            except KeyError:
                out = self._cache[cell] = self._parse_text(cell)
                return out
        if isinstance(cell, bool):
            return None
        if isinstance(cell, (pd.Timestamp, dt.datetime)):
            return None if pd.isna(cell) else cell.date()
        if isinstance(cell, dt.date):
            return cell
        if isinstance(cell, (int, float, np.integer, np.floating)):
            x = float(cell)
            if np.isfinite(x) and 1 <= x < 2958466:
                try:
                    return _EXCEL_EPOCH + dt.timedelta(days=int(x))
                except OverflowError:
                    return None
            return None
        s = str(cell)
        if s in self._cache:
            return self._cache[s]
        out = self._parse_text(s)
        self._cache[s] = out
        return out

    def _parse_text(self, s: str) -> dt.date | None:
        m = ISO_DATE.match(s) or _ZH.match(s)
        if m:
            return make_date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(s)
        if m:
            a, b, y = int(m[1]), int(m[3]), int(m[4])
            return make_date(y, b, a) if self.dayfirst else make_date(y, a, b)
        m = _NAMED.match(s)
        if m:
            day, mon = (m[1], m[2]) if m[1] else (m[4], m[3])
            month = _MONTHS.get(mon[:3].lower())
            return make_date(int(m[5]), month, int(day)) if month else None
        s2 = s.strip()
        if re.fullmatch(r"\d{8}", s2):  # 20240305
            return make_date(int(s2[:4]), int(s2[4:6]), int(s2[6:]))
        if re.fullmatch(r"\d{13}", s2):  # epoch milliseconds (HubSpot API)
            try:
                return dt.datetime.fromtimestamp(int(s2) / 1000, tz=dt.UTC).date()
            except (OverflowError, OSError, ValueError):
                return None
        return None


def parse_flag(cell: Any) -> bool | None:
    """True/False of a checkbox cell; None when blank; raises ValueError when unreadable."""
    if isinstance(cell, (bool, np.bool_)):
        return bool(cell)
    if is_blank(cell):
        return None
    n = match_key(cell)
    if n in _TRUE:
        return True
    if n in _FALSE:
        return False
    raise ValueError(cell)


def parse_probability(cell: Any) -> float | None:
    """A probability as a fraction in [0, 1] ("20%", "20", "0.2"); None when blank or unreadable."""
    if type(cell) is str:
        return _probability_str(cell)
    return _probability_any(cell)


@functools.lru_cache(maxsize=4096)
def _probability_str(cell: str) -> float | None:
    return _probability_any(cell)


def _probability_any(cell: Any) -> float | None:
    if is_blank(cell) or isinstance(cell, bool):
        return None
    try:
        x = float(str(cell).strip().rstrip("%").strip().replace(",", "."))
    except ValueError:
        return None
    if not np.isfinite(x) or x < 0 or x > 100:
        return None
    pct = isinstance(cell, str) and "%" in cell
    return x / 100 if pct or x > 1 else x


def cell_text(cell: Any) -> str | None:
    """A cell as stripped text (whole floats without ".0", dates in ISO form); None when blank."""
    if type(cell) is str:
        t = cell.strip()
        return t or None
    if is_blank(cell):
        return None
    if isinstance(cell, (float, np.floating)) and float(cell).is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.datetime, pd.Timestamp)):
        return cell.isoformat()
    return str(cell).strip()


def decide_date_order(parsers: dict[str, "DateColumn"], dayfirst: bool | None, header: dict[str, str], file: str,
                      monthfirst: bool, source: str, warnings: list[str]) -> None:
    """Set each date column's order (day-first or month-first): given, detected in the column, or the file's
    other date columns, else the source's usual one; every assumption goes into ``warnings``."""
    day = sum(p.day_evidence for p in parsers.values())
    month = sum(p.month_evidence for p in parsers.values())
    default = (not monthfirst) if day == month else day > month
    for f, p in parsers.items():
        if dayfirst is not None:
            p.dayfirst = dayfirst
        elif p.evidence is not None:
            p.dayfirst = p.evidence
            if p.ambiguous or (p.day_evidence and p.month_evidence):
                order = "day-first (d/m/y)" if p.dayfirst else "month-first (m/d/y, US dates)"
                warnings.append(
                    f"{file}: column {header[f]!r}: dates read {order}, detected from values "
                    f"like {p.decider!r}" + (f"; {min(p.day_evidence, p.month_evidence)} dates fit only the "
                                             "other order and are rejected" if p.day_evidence and
                                             p.month_evidence else ""))
        else:
            p.dayfirst = default
            if p.ambiguous and day != month:
                order = "day-first (d/m/y)" if default else "month-first (m/d/y, US dates)"
                warnings.append(f"{file}: column {header[f]!r}: dates like {p.example!r} "
                                     f"read {order}, as the file's other date columns show")
            if p.ambiguous and day == month:
                how = ("day-first (d/m/y)", "dayfirst=False") if default else \
                      ("month-first (m/d/y, US dates)", "dayfirst=True")
                warnings.append(
                    f"{file}: column {header[f]!r}: {p.ambiguous} dates like {p.example!r} could "
                    f"be day-first or month-first and nothing in the file decides; read {how[0]} as "
                    f"{source} exports usually are; pass {how[1]} if that is wrong")
