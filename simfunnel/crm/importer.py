"""Import real CRM exports (Salesforce, HubSpot, Pipedrive, Odoo, any CSV/xlsx) into a :class:`History`.

Every data row of the file ends either in ``result.history.deals`` or in ``result.rejects``
(with its file line and the reason); the counts add up. Data rows are the non-blank records
after the header row (blank lines are not rows; lines above the header, such as a report
title, are counted in ``summary["skipped_above_header"]`` and named in a warning). A file that
cannot be read at all raises :class:`CRMImportError` naming the file and why.

Per-source column names, default stage names and closed/won rules are data (:data:`SOURCES`,
one :class:`Source` each), not code paths.

Example:
    >>> from simfunnel import crm
    >>> result = crm.load("opportunities.csv", source="salesforce")   # doctest: +SKIP
    >>> print(result.report())                                        # doctest: +SKIP
"""

from __future__ import annotations

import csv
import datetime as dt
import contextlib
import difflib
import functools
import gc
import io
import json
import re
import unicodedata
import warnings as _warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simfunnel.model.funnel import LOST, WON, Funnel
from simfunnel.model.history import DEFAULT_CURRENCY, PERIOD_WEEKS, History

__all__ = ["SOURCES", "CRMImportError", "ImportResult", "Source", "load", "neutralise", "write_rejects"]


class CRMImportError(ValueError):
    """A CRM file that cannot be imported at all (unreadable, no table, a required column missing)."""


# --- normalising names ------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def _norm_str(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return re.sub(r"[\s_]+", "", s).casefold()


def _norm(text: Any) -> str:
    """Header / stage name with case, spacing and underscores ignored."""
    if isinstance(text, str):
        return _norm_str(text)
    s = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "")
    return re.sub(r"[\s_]+", "", s).casefold()


def _blank(v: Any) -> bool:
    if type(v) is str:
        return not v or v.isspace()
    if v is None:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


# --- the sources --------------------------------------------------------------------------------

#: Kit fields an export may carry. ``closed`` is the actual close date of a closed deal and, in
#: exports without ``expected_close`` (Salesforce, HubSpot), the expected one of an open deal.
FIELDS = (
    "id", "name", "stage", "amount", "probability", "created", "closed", "expected_close", "won_time",
    "lost_time", "account", "owner", "currency", "status", "is_closed", "is_won", "forecast_category",
    "pipeline", "active", "lost_reason", "product",
)
_FIELD_ALIASES = {"deal_id": "id", "account_id": "account", "title": "name", "stage_name": "stage",
                  "created_date": "created", "close_date": "closed", "closed_date": "closed",
                  "expected_close_date": "expected_close"}

#: Stage names every source understands as closed.
_CLOSED_NAMES = {
    **{_norm(n): WON for n in ("won", "closed won", "closedwon", "赢单", "成交", "已成交", "赢得", "已赢单")},
    **{_norm(n): LOST for n in ("lost", "closed lost", "closedlost", "丢单", "输单", "已丢单", "失败", "已输单")},
}

_TRUE = {_norm(v) for v in ("true", "1", "yes", "y", "t", "是", "真", "x", "✓", "checked", "1.0")}
_FALSE = {_norm(v) for v in ("false", "0", "no", "n", "f", "否", "假", "", "unchecked", "0.0")}


@dataclass(frozen=True)
class Source:
    """How one CRM writes its export.

    Args:
        name: the ``source=`` name.
        columns: kit field -> the headers it may have (matched ignoring case and spacing).
        required: kit fields that must be present.
        stages: stage name (any case/spacing) -> funnel key, ``"won"`` or ``"lost"``.
        preset: the funnel preset its default stages belong to (used when ``funnel=None``).
        monthfirst: ambiguous dates like 3/5/2024 are read month-first (US reports).
        status_values: values of the ``status`` column -> ``open``/``won``/``lost``.
        flags_decide: a closed status/active flag closes a deal whose stage is still an open one
            (Pipedrive and Odoo keep the stage a deal was in when it was won or lost).
        id_fallback: without an id column, deals are named after their file line.
        stage_order: the vendor's default open stages in pipeline order (orders a funnel built from
            the export's own stages when all its stages are among them).
        false_is_blank: ``False`` in a non-flag column means empty (Odoo's API writes it for unset fields).
    """

    name: str
    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...] = ("stage", "created")
    stages: Mapping[str, str] = field(default_factory=dict)
    preset: str | None = None
    monthfirst: bool = False
    status_values: Mapping[str, str] = field(default_factory=dict)
    flags_decide: bool = False
    id_fallback: bool = True
    stage_order: tuple[str, ...] = ()
    false_is_blank: bool = False


_STATUS_VALUES = {
    **{_norm(v): "open" for v in ("open", "进行中", "跟进中", "打开", "active")},
    **{_norm(v): "won" for v in ("won", "赢单", "成交", "赢得", "closed won")},
    **{_norm(v): "lost" for v in ("lost", "丢单", "输单", "失败", "closed lost")},
}

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            name="salesforce",
            columns={
                "id": ("Id", "Opportunity ID", "OpportunityId", "Opportunity ID (18)"),
                "name": ("Name", "Opportunity Name"),
                "account": ("AccountId", "Account Name", "Account ID", "Account"),
                "owner": ("OwnerId", "Opportunity Owner", "Owner", "Owner Name"),
                "stage": ("StageName", "Stage"),
                "amount": ("Amount", "Amount (converted)"),
                "probability": ("Probability", "Probability (%)"),
                "created": ("CreatedDate", "Created Date", "Create Date"),
                "closed": ("CloseDate", "Close Date"),
                "is_closed": ("IsClosed", "Closed"),
                "is_won": ("IsWon", "Won"),
                "forecast_category": ("ForecastCategoryName", "Forecast Category", "ForecastCategory"),
                "currency": ("CurrencyIsoCode", "Opportunity Currency", "Amount Currency", "Currency"),
            },
            stages={
                "Prospecting": "prospecting", "Qualification": "qualification", "Needs Analysis": "needs_analysis",
                "Value Proposition": "value_proposition", "Id. Decision Makers": "id_decision_makers",
                "Perception Analysis": "perception_analysis", "Proposal/Price Quote": "proposal_price_quote",
                "Negotiation/Review": "negotiation_review", "Closed Won": WON, "Closed Lost": LOST,
            },
            preset="salesforce",
            monthfirst=True,
        ),
        Source(
            name="hubspot",
            columns={
                "id": ("Record ID", "hs_object_id", "Deal ID", "dealId"),
                "name": ("Deal Name", "dealname"),
                "stage": ("Deal Stage", "dealstage"),
                "amount": ("Amount", "amount"),
                "created": ("Create Date", "createdate", "Created Date"),
                "closed": ("Close Date", "closedate"),
                "pipeline": ("Pipeline", "pipeline"),
                "owner": ("Deal owner", "Deal Owner", "hubspot_owner_id", "Owner"),
                "currency": ("Currency", "Deal currency code", "deal_currency_code"),
                "probability": ("Deal probability", "hs_deal_stage_probability", "Deal Stage Probability"),
                "account": ("Associated Company", "Company name", "Associated Company IDs"),
                "forecast_category": ("Forecast category", "hs_manual_forecast_category"),
            },
            stages={
                **{k: k for k in ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
                                  "decisionmakerboughtin", "contractsent")},
                "Appointment scheduled": "appointmentscheduled", "Qualified to buy": "qualifiedtobuy",
                "Presentation scheduled": "presentationscheduled",
                "Decision maker bought-in": "decisionmakerboughtin", "Decision maker bought in":
                "decisionmakerboughtin", "Contract sent": "contractsent",
                "closedwon": WON, "closedlost": LOST, "Closed won": WON, "Closed lost": LOST,
            },
            preset="hubspot",
            monthfirst=True,
        ),
        Source(
            name="pipedrive",
            columns={
                "id": ("Deal - ID", "ID", "Deal ID"),
                "name": ("Deal - Title", "Title"),
                "amount": ("Deal - Value", "Value"),
                "currency": ("Deal - Currency", "Currency", "Deal - Currency of Value"),
                "stage": ("Deal - Stage", "Stage"),
                "status": ("Deal - Status", "Status"),
                "created": ("Deal - Deal created", "Deal created", "Deal - Add time", "Add time"),
                "won_time": ("Deal - Won time", "Won time"),
                "lost_time": ("Deal - Lost time", "Lost time"),
                "closed": ("Deal - Deal closed on", "Deal closed on", "Deal - Close time", "Close time"),
                "expected_close": ("Deal - Expected close date", "Expected close date"),
                "account": ("Deal - Organization", "Organization", "Deal - Organization name"),
                "owner": ("Deal - Owner", "Owner", "Deal - Owner name"),
                "pipeline": ("Deal - Pipeline", "Pipeline"),
                "probability": ("Deal - Probability", "Probability"),
                "lost_reason": ("Deal - Lost reason", "Lost reason"),
            },
            status_values=_STATUS_VALUES,
            flags_decide=True,
            stage_order=("Lead In", "Qualified", "Contact Made", "Demo Scheduled", "Needs Defined", "Proposal Made",
                         "Negotiations Started"),
        ),
        Source(
            name="odoo",
            columns={
                "id": ("ID", "id", "External ID"),
                "name": ("Opportunity", "name", "Name"),
                "stage": ("Stage", "stage_id", "stage_id/id", "Stage/Stage Name"),
                "amount": ("Expected Revenue", "expected_revenue", "Planned Revenue", "planned_revenue"),
                "probability": ("Probability", "probability"),
                "created": ("Created on", "create_date", "Creation Date"),
                "expected_close": ("Expected Closing", "date_deadline"),
                "closed": ("Closed Date", "date_closed"),
                "active": ("Active", "active"),
                "account": ("Customer", "partner_id", "partner_id/id", "Customer/Display Name"),
                "owner": ("Salesperson", "user_id", "user_id/id"),
                "currency": ("Currency", "company_currency", "company_currency/id"),
                "lost_reason": ("Lost Reason", "lost_reason_id", "lost_reason_id/id"),
            },
            stages={"Won": WON, "已赢得": WON, "赢得": WON, "stage_lead4": WON, "crm.stage_lead4": WON},
            flags_decide=True,
            stage_order=("New", "crm.stage_lead1", "Qualified", "crm.stage_lead2", "Proposition", "crm.stage_lead3"),
            false_is_blank=True,
        ),
        Source(
            name="generic",
            columns={f: () for f in FIELDS},
            required=("id", "stage", "created"),
            status_values=_STATUS_VALUES,
            flags_decide=True,
            id_fallback=False,
        ),
    )
}


# --- reading files ----------------------------------------------------------------------------------


_FLAG_FIELDS = frozenset({"active", "is_won", "is_closed", "status"})


@dataclass
class _Table:
    """A file's table as strings/cells: header, rows and each row's file line."""

    header: list[str]
    rows: list[list[Any]]
    lines: list[int]
    encoding: str | None = None
    sep: str | None = None
    long_rows: dict[int, int] = field(default_factory=dict)  # row index -> cells beyond the header
    truncated: int | None = None  # row index of a record cut inside a quoted cell
    above: list[int] = field(default_factory=list)  # lines above the header (report titles), skipped


def _fail(path: Any, why: str) -> CRMImportError:
    return CRMImportError(f"{path}: {why}")


def _read_table(src: Any, *, encoding: str | None, sep: str | None, sheet: Any, hint: Iterable[str] = ()) -> _Table:
    """Read a CSV/TSV/xlsx file (or take a DataFrame) into a :class:`_Table`."""
    if isinstance(src, pd.DataFrame):
        header = [str(c) for c in src.columns]
        rows = [list(r) for r in src.itertuples(index=False, name=None)]
        return _Table(header, rows, list(range(2, len(rows) + 2)))
    path = Path(src)
    if not path.exists():
        raise _fail(path, "no such file")
    if path.is_dir():
        raise _fail(path, "is a folder, not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise _fail(path, "empty file: no header and no data rows")
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data, sheet, hint)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _fail(path, "an old binary Excel .xls workbook; save it as .xlsx or CSV")
    text, used = _decode(path, data, encoding)
    return _read_csv_text(path, text, used, sep, hint)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ud800-\udfff\ufffe\uffff]")


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise _fail(path, f"cannot be decoded as {encoding} ({exc})") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise _fail(path, "binary data (NUL bytes), not a CSV text file")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        bad = len(_CONTROL.findall(text))
        if bad > max(8, len(text) // 20):
            raise _fail(path, f"binary data ({bad} control characters), not a CSV text file")
        return text, enc
    raise _fail(path, "cannot be decoded as UTF-8 or GB18030 (GBK); give encoding=")


def _sniff(text: str, sep: str | None) -> str:
    if sep:
        return sep
    sample_lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    if not sample_lines:
        return ","
    best, best_score = ",", (-1.0, 0)
    sample = "\n".join(sample_lines)
    for cand in (",", ";", "\t"):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=cand) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        same = sum(len(r) == width for r in rows) / len(rows)
        score = (same, width)
        if score > best_score:
            best, best_score = cand, score
    return best


def _read_csv_text(path: Path, text: str, enc: str, sep: str | None, hint: Iterable[str]) -> _Table:
    text = text.lstrip("\ufeff")
    delim = _sniff(text, sep)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for rec in reader:
            if rec and (rec[0].strip() or any(c.strip() for c in rec)):  # blank lines are not rows
                records.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _fail(path, f"not a readable CSV table near line {reader.line_num} ({exc})") from None
    if not records:
        raise _fail(path, "empty file: no header and no data rows")
    h = _header_index([r for _, r in records[:30]], hint)
    header = [c.strip().lstrip("\ufeff") for c in records[h][1]]
    if len(header) < 2 and not any(header):
        raise _fail(path, "no header row found")
    body = records[h + 1 :]
    table = _Table(header, [r for _, r in body], [ln for ln, _ in body], enc, delim)
    table.above = [ln for ln, _ in records[:h]]
    n = len(header)
    for i, row in enumerate(table.rows):
        if len(row) > n and any(c.strip() for c in row[n:]):
            table.long_rows[i] = len(row)
        if len(row) != n:
            table.rows[i] = (row + [""] * n)[:n]
    # An unterminated quote (an odd number of quote characters) swallows the rest of the file
    # into the last record's cell: that record is reported, the rows before it are fine.
    if body and text.count('"') % 2 == 1:
        table.truncated = len(body) - 1
    return table


def _header_index(rows: list[list[Any]], hint: Iterable[str]) -> int:
    """The header row: the first of the top rows naming the most known columns (else the first)."""
    known = {_norm(h) for h in hint}
    if not known:
        return 0
    best, best_hits = 0, 0
    for i, r in enumerate(rows):
        hits = sum(_norm(c) in known for c in r if not _blank(c))
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def _read_xlsx(path: Path, data: bytes, sheet: Any, hint: Iterable[str]) -> _Table:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a declared dependency
        raise _fail(path, "reading .xlsx needs openpyxl (pip install openpyxl)") from None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means the workbook is unreadable
        raise _fail(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            if sheet not in wb.sheetnames:
                raise _fail(path, f"no sheet {sheet!r}; sheets are {', '.join(wb.sheetnames)}")
            ws = wb[sheet]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # exporters often write a wrong <dimension>: read every row
        records = []
        for row in ws.iter_rows():
            cells = [c.value for c in row]
            if any(not _blank(c) for c in cells):
                rownum = next((c.row for c in row if getattr(c, "row", None)), None)
                records.append((rownum, cells))
    except CRMImportError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _fail(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    finally:
        wb.close()
    if not records:
        raise _fail(path, "empty workbook: no header and no data rows")
    # Rows without a row number (read-only dimension quirks) count on from the previous one.
    fixed, last = [], 0
    for rownum, cells in records:
        last = rownum if rownum else last + 1
        fixed.append((last, cells))
    h = _header_index([r for _, r in fixed[:30]], hint)
    header = ["" if c is None else str(c).strip() for c in fixed[h][1]]
    while header and not header[-1]:
        header.pop()
    n = len(header)
    body = fixed[h + 1 :]
    table = _Table(header, [], [], "xlsx", None)
    table.above = [ln for ln, _ in fixed[:h]]
    for ln, cells in body:
        extra = cells[n:]
        if any(not _blank(c) for c in extra):
            table.long_rows[len(table.rows)] = len(cells)
        table.rows.append((list(cells) + [None] * n)[:n])
        table.lines.append(ln)
    return table


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
_CODES = {_norm(c): c for c in ("CNY", "USD", "EUR", "GBP", "JPY", "HKD", "AUD", "CAD", "SGD", "CHF", "KRW", "INR",
                                 "TWD", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN", "RUB", "ZAR", "NZD", "THB", "MYR")}
_CURRENCY_NAMES = {_norm(k): v for k, v in {"人民币": "CNY", "美元": "USD", "欧元": "EUR", "英镑": "GBP", "日元": "JPY",
                                             "港币": "HKD", "港元": "HKD", "rmb": "CNY", "yuan": "CNY"}.items()}


def _currency_code(text: Any) -> str | None:
    return _currency_code_str(str(text).strip()) if not _blank(text) else None


@functools.lru_cache(maxsize=4096)
def _currency_code_str(text: str) -> str | None:
    """A currency code from a currency cell ("USD", "$", "人民币", "base.USD")."""
    if _blank(text):
        return None
    s = str(text).strip()
    s = s.rsplit(".", 1)[-1] if s.startswith("base.") else s  # Odoo external ids
    n = _norm(s)
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
_AMBIGUOUS = {
    "$": ("USD", frozenset({"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN"})),
    "¥": ("CNY", frozenset({"CNY", "JPY"})),
}


def _merge_currency(a: str | None, b: str | None) -> str | None | bool:
    """Two currency readings of one row merged; False when they disagree."""
    if not a or not b or a == b:
        return a or b
    if a in _AMBIGUOUS and b in _AMBIGUOUS[a][1]:
        return b
    if b in _AMBIGUOUS and a in _AMBIGUOUS[b][1]:
        return a
    return False


def _resolve_symbol(code: str | None, chosen: str | None) -> str | None:
    if code in _AMBIGUOUS:
        default, family = _AMBIGUOUS[code]
        return chosen if chosen in family else default
    return code


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
            if token.isalpha() and len(token) == 3 and _norm(token) not in _CODES and token.lower() not in _SYMBOLS:
                return None
            merged = _merge_currency(cur, code)
            if merged is False:
                return None
            cur = merged
    neg = bool(m["neg"])
    if m["neg"] == "(" and ")" not in value:
        return None
    return _SPACES.sub("", m["num"]), cur, neg


def _decimal_comma(texts: Iterable[str]) -> bool:
    """Whether a column writes decimals with a comma (1.234,50 / 12,5)."""
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
    return comma > point


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
_FAST_SYMBOL = {"": None, "$": "$", "¥": "¥", "￥": "¥", "€": "EUR", "£": "GBP"}


class _Amounts:
    """Parses one amount column (decimal comma detected once for the column)."""

    SAMPLE = 20_000  # distinct cells enough to tell 1,234.50 from 1.234,50 in any real column

    def __init__(self, cells: Iterable[Any]) -> None:
        texts = []
        distinct = sorted({c for c in cells if isinstance(c, str)})
        if len(distinct) > self.SAMPLE:  # an even sample over the sorted values, the same every run
            distinct = distinct[:: len(distinct) // self.SAMPLE + 1]
        for c in distinct:
            if _PLAIN.fullmatch(c):
                if "." in c:
                    texts.append(c)
            elif c.strip():
                sp = _split_amount(c)
                if sp:
                    texts.append(sp[0])
        self.decimal_comma = _decimal_comma(texts)
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
                return float(m[2].replace(",", "") + (m[3] or "")), _FAST_SYMBOL[m[1]]
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
_ISO = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:[T ]|\s+)[\d:.,]+\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)?\s*$")
_ZH = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?(?:\s*[\d:]+)?\s*$")
_DMY = re.compile(r"^\s*(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?:(?:[T ]|\s+)[\d:.,]+\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)?\s*$")
_NAMED = re.compile(r"^\s*(?:[A-Za-z]+,?\s+)?(?:(\d{1,2})[\s\-/.]+([A-Za-z]{3,9})\.?|([A-Za-z]{3,9})\.?[\s\-/.]+(\d{1,2})(?:st|nd|rd|th)?,?)[\s\-/.,]+(\d{4})(?:[T ,]+[\d:.]+\s*(?:[AaPp][Mm])?)?\s*$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _mkdate(y: int, m: int, d: int) -> dt.date | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


class _Dates:
    """Parses one date column; ``dayfirst`` decides a/b/yyyy dates (None: not decided yet)."""

    def __init__(self, cells: Iterable[Any]) -> None:
        self.day_evidence = self.month_evidence = self.ambiguous = 0
        self.example = self.decider = None
        for c in dict.fromkeys(x for x in cells if isinstance(x, str)):  # distinct, in file order: the same example each run
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
        m = _ISO.match(s) or _ZH.match(s)
        if m:
            return _mkdate(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(s)
        if m:
            a, b, y = int(m[1]), int(m[3]), int(m[4])
            return _mkdate(y, b, a) if self.dayfirst else _mkdate(y, a, b)
        m = _NAMED.match(s)
        if m:
            day, mon = (m[1], m[2]) if m[1] else (m[4], m[3])
            month = _MONTHS.get(mon[:3].lower())
            return _mkdate(int(m[5]), month, int(day)) if month else None
        s2 = s.strip()
        if re.fullmatch(r"\d{8}", s2):  # 20240305
            return _mkdate(int(s2[:4]), int(s2[4:6]), int(s2[6:]))
        if re.fullmatch(r"\d{13}", s2):  # epoch milliseconds (HubSpot API)
            try:
                return dt.datetime.fromtimestamp(int(s2) / 1000, tz=dt.UTC).date()
            except (OverflowError, OSError, ValueError):
                return None
        return None


def _flag(cell: Any) -> bool | None:
    """True/False of a checkbox cell; None when blank; raises ValueError when unreadable."""
    if isinstance(cell, (bool, np.bool_)):
        return bool(cell)
    if _blank(cell):
        return None
    n = _norm(cell)
    if n in _TRUE:
        return True
    if n in _FALSE:
        return False
    raise ValueError(cell)


def _probability(cell: Any) -> float | None:
    """A probability as a fraction in [0, 1] ("20%", "20", "0.2"); None when blank or unreadable."""
    if type(cell) is str:
        return _probability_str(cell)
    return _probability_any(cell)


@functools.lru_cache(maxsize=4096)
def _probability_str(cell: str) -> float | None:
    return _probability_any(cell)


def _probability_any(cell: Any) -> float | None:
    if _blank(cell) or isinstance(cell, bool):
        return None
    try:
        x = float(str(cell).strip().rstrip("%").strip().replace(",", "."))
    except ValueError:
        return None
    if not np.isfinite(x) or x < 0 or x > 100:
        return None
    pct = isinstance(cell, str) and "%" in cell
    return x / 100 if pct or x > 1 else x


# --- the result ---------------------------------------------------------------------------------------

REJECT_COLUMNS = ("file", "line", "column", "value", "reason", "row")


@dataclass(repr=False)
class ImportResult:
    """What :func:`load` gives: the :class:`History`, the rejected rows and what was assumed.

    Attributes:
        history: the imported deals (and events/snapshots when the export has stage history).
        rejects: one row per refused input row: ``file``, ``line`` (1-based; header = line 1;
            the sheet row for .xlsx), ``column``, ``value``, ``reason`` and the original ``row`` (dict).
        warnings: what was detected or assumed (date order, currency, funnel built from the export …).
        summary: ``rows_read``, ``imported``, ``rejected`` (``rows_read == imported + rejected``),
            ``by_status``, ``currency``, ``weeks`` (week0 date, start_week, end_week), ``source``, ``file``;
            with ``history=``: ``history_rows``, ``events``, ``history_rejected``.
        source, path: the ``source=`` used and the file read.
    """

    history: History
    rejects: pd.DataFrame
    warnings: list[str]
    summary: dict[str, Any]
    source: str
    path: str
    encoding: str | None = None

    def report(self, lang: str = "en") -> str:
        """A readable summary of the import (``lang="zh"`` for Chinese labels)."""
        s = self.summary
        zh = lang == "zh"
        L = (lambda en, cn: cn if zh else en)
        status = s.get("by_status", {})
        w = s.get("weeks", {})
        lines = [
            L(f"Import of {s['file']} ({self.source})", f"导入 {s['file']}（{self.source}）"),
            L(f"  rows read {s['rows_read']:,}: imported {s['imported']:,}, rejected {s['rejected']:,}",
              f"  读取 {s['rows_read']:,} 行：导入 {s['imported']:,}，拒收 {s['rejected']:,}"),
            L(f"  deals: {status.get('open', 0):,} open, {status.get('won', 0):,} won, {status.get('lost', 0):,} lost",
              f"  商机：进行中 {status.get('open', 0):,}，赢单 {status.get('won', 0):,}，丢单 {status.get('lost', 0):,}"),
            L(f"  currency {s['currency']}; weeks 0-{w.get('end_week', 0)} from {w.get('week0', '?')} "
              f"(period {w.get('start_week', 0)}-{w.get('end_week', 0)})",
              f"  币种 {s['currency']}；第 0-{w.get('end_week', 0)} 周，第 0 周始于 {w.get('week0', '?')}"
              f"（分析期 {w.get('start_week', 0)}-{w.get('end_week', 0)} 周）"),
            L(f"  funnel {self.history.funnel.name}: " + " → ".join(st.en for st in self.history.funnel.stages),
              f"  漏斗 {self.history.funnel.name}：" + " → ".join(st.zh for st in self.history.funnel.stages)),
        ]
        if "history_rows" in s:
            lines.append(L(f"  stage history: {s['history_rows']:,} rows, {s['events']:,} events, "
                           f"{s['history_rejected']:,} rejected",
                           f"  阶段历史：{s['history_rows']:,} 行，{s['events']:,} 个事件，拒收 {s['history_rejected']:,} 行"))
        if len(self.rejects):
            counts = self.rejects["reason"].map(_reason_kind).value_counts()
            lines.append(L("  rejected rows by reason:", "  拒收原因："))
            lines += [f"    {n:>6,}  {k}" for k, n in counts.items()]
            first = self.rejects.iloc[0]
            lines.append(L(f"  e.g. {first['file']} line {first['line']}: {first['reason']}",
                           f"  例如 {first['file']} 第 {first['line']} 行：{first['reason']}"))
        if self.warnings:
            lines.append(L("  warnings:", "  提示："))
            lines += [f"    - {w}" for w in self.warnings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = self.summary
        return (f"<ImportResult {self.source} {s['file']!r}: {s['rows_read']} rows, {s['imported']} imported, "
                f"{s['rejected']} rejected, {len(self.warnings)} warnings, {s['currency']}>")


def _reason_kind(reason: str) -> str:
    """The reason without its row-specific values (for counting)."""
    return re.split(r"[:(',]", str(reason), maxsplit=1)[0].strip()


# --- excel-safe rejects ---------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A cell made safe to open in Excel: text starting with = + - @ (or tab/CR) gets a leading quote."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def write_rejects(rejects: pd.DataFrame, path: str | Path) -> Path:
    """Write the rejects as CSV (UTF-8 with BOM so Excel shows Chinese), formulas neutralised."""
    out = rejects.copy()
    if "row" in out:
        out["row"] = out["row"].map(lambda r: json.dumps(r, ensure_ascii=False, default=str))
    for col in out.columns:
        out[col] = out[col].map(neutralise)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path


# --- columns and stages ----------------------------------------------------------------------------------


class _Reject(Exception):
    def __init__(self, column: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def _source(source: str | Source) -> Source:
    if isinstance(source, Source):
        return source
    if source not in SOURCES:
        raise CRMImportError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    return SOURCES[source]


def _split_mapping(mapping: Mapping[str, Any] | None) -> tuple[dict[str, str], dict[str, str]]:
    """(kit field -> column, stage name -> target) from a user mapping."""
    if mapping is None:
        return {}, {}
    if not isinstance(mapping, Mapping):
        raise CRMImportError(f"mapping: expected a dict of field -> column, got {type(mapping).__name__}")
    fields: dict[str, str] = {}
    stages: dict[str, str] = {}
    for key, value in mapping.items():
        if key == "stages":
            if not isinstance(value, Mapping):
                raise CRMImportError("mapping 'stages': expected a dict of stage name -> funnel stage")
            stages = {str(k): str(v) for k, v in value.items()}
            continue
        if not isinstance(value, str) or not value.strip():
            raise CRMImportError(f"mapping {key!r}: expected a column name, got {value!r}")
        fields[_FIELD_ALIASES.get(key, key)] = value
    return fields, stages


def _generic_aliases(field_name: str) -> tuple[str, ...]:
    return (field_name, *[a for a, f in _FIELD_ALIASES.items() if f == field_name])


def _resolve_columns(table: _Table, spec: Source, fields: dict[str, str], *, need_amount: bool,
                     name: str) -> dict[str, int]:
    found = {}
    for i, h in enumerate(table.header):
        found.setdefault(_norm(h), i)
    cols: dict[str, int] = {}
    shown = ", ".join(repr(h) for h in table.header if h) or "none"
    for f, column in fields.items():
        if _norm(column) not in found:
            raise CRMImportError(f"{name}: no column {column!r} (mapping {f!r}); columns found: {shown}")
        cols[f] = found[_norm(column)]
    for f in FIELDS:
        if f in cols:
            continue
        aliases = spec.columns.get(f, ())
        if spec.name == "generic":
            aliases = _generic_aliases(f)
        for a in aliases:
            if _norm(a) in found and found[_norm(a)] not in cols.values():
                cols[f] = found[_norm(a)]
                break
    required = list(spec.required) + (["amount"] if need_amount else [])
    if spec.name != "generic" and not spec.id_fallback:
        required.append("id")
    for f in required:
        if f not in cols:
            looked = spec.columns.get(f, ()) if spec.name != "generic" else ()
            what = {"created": "created (creation date)", "closed": "closed (close date)"}.get(f, f)
            hint = (f" (looked for {', '.join(repr(a) for a in looked)})" if looked
                    else f" (give mapping={{'{f}': '<column>'}})")
            raise CRMImportError(f"{name}: no {what} column{hint}; columns found: {shown}")
    return cols


def _funnel_arg(funnel: Funnel | str | None) -> Funnel | None:
    if funnel is None or isinstance(funnel, Funnel):
        return funnel
    try:
        if isinstance(funnel, str):
            return Funnel.preset(funnel)
        if isinstance(funnel, Mapping):
            return Funnel.from_dict(dict(funnel))
    except ValueError as exc:
        raise CRMImportError(f"funnel: {exc}") from None
    raise CRMImportError(f"funnel: expected a Funnel or a preset name, got {type(funnel).__name__}")


def _lookup(funnel: Funnel, spec: Source, user: dict[str, str]) -> dict[str, str]:
    """Stage name (normalised) -> funnel key / won / lost."""
    lk: dict[str, str] = {}
    for st in funnel.all_stages:
        for n in (st.key, st.en, st.zh):
            lk.setdefault(_norm(n), st.key)
    lk.update(_CLOSED_NAMES)
    for n, t in spec.stages.items():
        if t in funnel:
            lk[_norm(n)] = t
    for n, t in user.items():
        target = t if t in funnel else lk.get(_norm(t))
        if target is None:
            raise CRMImportError(
                f"mapping 'stages': {n!r} -> {t!r}, but {t!r} is not a stage of funnel {funnel.name!r} "
                f"({', '.join(funnel.all_keys)})")
        lk[_norm(n)] = target
    return lk


def _slug(name: str, taken: set[str]) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "stage"
    if base in (WON, LOST):
        base += "_stage"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _own_funnel(groups: list[tuple[str, str]], probs: dict[str, list[float]], user_keys: list[str],
                source: str, known_order: tuple[str, ...] = ()) -> tuple[Funnel, dict[str, str], str]:
    """A funnel of the export's own open stages.

    ``groups``: (group id, label) in order: the stages of ``mapping['stages']`` first (group id = the
    user's key), then the export's other stage names in order of first appearance (group id = the
    normalised name). Order: the mapping's when it names every stage, else the vendor's default
    pipeline when every stage is in it, else by mean probability when every stage has one, else
    first appearance.
    """
    order = list(groups)
    known = {_norm(n): i for i, n in enumerate(known_order)}
    everyone_has_p = bool(order) and all(probs.get(g) for g, _ in order)
    by_user = bool(order) and all(g in user_keys for g, _ in order)
    by_vendor = not by_user and bool(order) and all(_norm(label) in known for _, label in order)
    by_p = not by_user and not by_vendor and everyone_has_p
    if by_vendor:
        order.sort(key=lambda g: known[_norm(g[1])])
    elif by_p:
        mean = {g: float(np.mean(probs[g])) for g, _ in order}
        order.sort(key=lambda g: mean[g[0]])  # stable: ties keep first appearance
    taken: set[str] = set(user_keys)
    stages, lookup = [], {}
    for gid, label in order:
        key = gid if gid in user_keys else _slug(label, taken)
        p = probs.get(gid)
        rate = min(1.0, max(0.0, float(np.mean(p)))) if p else 0.5
        stages.append({"key": key, "zh": label, "en": label, "win_rate": rate})
        lookup[_norm(label)] = key
        lookup[_norm(key)] = key
    if not stages:
        stages = [{"key": "open", "zh": "进行中", "en": "Open", "win_rate": 0.5}]
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        funnel = Funnel.from_dict({"name": f"{source}-export", "stages": stages,
                                   "label": {"zh": "导出文件的阶段", "en": "stages of the export"}})
    chain = " → ".join(st["en"] for st in stages)
    how = {True: "in the order of mapping['stages']", False: ""}[by_user] or \
        (f"in {source}'s default pipeline order" if by_vendor else
         "ordered by their mean probability" if by_p else "in order of first appearance")
    rates = ("win rates are the export's mean probabilities of open deals, not measured" if everyone_has_p else
             "win rates are the export's mean probabilities where it has them, else 0.5 placeholders: measure them "
             "from the data" if probs else "win rates are 0.5 placeholders: measure them from the data")
    text = f"funnel built from the export's own open stages ({chain}), {how}; {rates}"
    return funnel, lookup, text


# --- load ---------------------------------------------------------------------------------------------------


def _text(cell: Any) -> str | None:
    if type(cell) is str:
        t = cell.strip()
        return t or None
    if _blank(cell):
        return None
    if isinstance(cell, (float, np.floating)) and float(cell).is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.datetime, pd.Timestamp)):
        return cell.isoformat()
    return str(cell).strip()


def _row_dict(header: list[str], cells: list[Any]) -> dict[str, Any]:
    out = {}
    for i, h in enumerate(header):
        key = h or f"column {i + 1}"
        v = cells[i] if i < len(cells) else None
        out[key] = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
    return out


def _display(path: Any) -> str:
    return "DataFrame" if isinstance(path, pd.DataFrame) else str(path)


def _as_of(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    d = _ISO.match(str(value))
    day = _mkdate(int(d[1]), int(d[2]), int(d[3])) if d else None
    if day is None:
        raise CRMImportError(f"as_of: {value!r} is not a date (write it as YYYY-MM-DD)")
    return day


def load(
    path: str | Path | pd.DataFrame,
    source: str = "generic",
    funnel: Funnel | str | None = None,
    mapping: Mapping[str, Any] | None = None,
    history: str | Path | pd.DataFrame | None = None,
    currency: str | None = None,
    *,
    dayfirst: bool | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    prices: str | Path | pd.DataFrame | None = None,
    price_mapping: Mapping[str, Any] | None = None,
    sheet: str | int | None = None,
    as_of: str | dt.date | None = None,
) -> ImportResult:
    """Import a CRM export into a :class:`History`; every row is imported or rejected with its reason.

    Args:
        path: CSV/TSV/.xlsx file (or a DataFrame already read).
        source: ``salesforce``, ``hubspot``, ``pipedrive``, ``odoo`` or ``generic``.
        funnel: the :class:`Funnel` (or preset name) to map stages onto; ``None``: the source's
            preset when its stages fit, else a funnel built from the export's own stages.
        mapping: kit field -> column (``id``, ``stage``, ``amount``, ``created``, ``closed``, ``account``,
            ``owner``, ``currency``, ``status`` …) plus ``"stages"``: {stage name: funnel key/"won"/"lost"}.
        history: a Salesforce Opportunity History export (path or DataFrame) -> events.
        currency: the currency to keep when the file has several (rows in others are rejected),
            or the currency of a file that names none.
        dayfirst: read ambiguous dates like 3/5/2024 day-first (True) or month-first (False);
            ``None`` detects per column and warns when it has to assume.
        encoding, sep: override the detected encoding (utf-8-sig, then gb18030) and separator.
        prices, price_mapping: a price table and {"key": export column, "price_key": price-table
            column, "price": price column, "aliases": {export value: price-table value},
            "fill_zero": also replace amounts of 0} for the amounts the export lacks (deal column
            ``amount_source`` says which).
        sheet: the .xlsx sheet (name or 0-based index; default the first).
        as_of: the export's date: deals without a created date are dated there (deal column
            ``created_assumed``) instead of rejected; also the last week of the history.

    Raises:
        CRMImportError: the file cannot be read as a table, or a required column is missing.
    """
    with _gc_paused():
        return _load(path, source, funnel, mapping, history, currency, dayfirst=dayfirst, encoding=encoding, sep=sep,
                     prices=prices, price_mapping=price_mapping, sheet=sheet, as_of=as_of)


@contextlib.contextmanager
def _gc_paused() -> Any:
    """The cyclic garbage collector paused while an import builds its rows (restored after).

    An import allocates a list per row and a dict per deal, none of them cyclic; every 700
    allocations the collector would walk all of them again (a third of the time of a
    100,000-row import). Reference counting still frees everything as usual.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _load(path: Any, source: Any, funnel: Any, mapping: Any, history: Any, currency: Any, *, dayfirst: Any,
          encoding: Any, sep: Any, prices: Any, price_mapping: Any, sheet: Any, as_of: Any) -> ImportResult:
    spec = _source(source)
    fields, user_stages = _split_mapping(mapping)
    funnel = _funnel_arg(funnel)
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise CRMImportError(f"dayfirst: expected True, False or None, got {dayfirst!r}")
    name = _display(path)
    short = Path(name).name if not isinstance(path, pd.DataFrame) else name
    hint = [a for al in spec.columns.values() for a in al] + list(fields.values())
    if spec.name == "generic":
        hint += [a for f in FIELDS for a in _generic_aliases(f)]
    table = _read_table(path, encoding=encoding, sep=sep, sheet=sheet, hint=hint)
    price_lookup = _PriceList.build(prices, price_mapping, fields, table, name) if prices is not None else None
    cols = _resolve_columns(table, spec, fields, need_amount=price_lookup is None, name=name)
    imp = _Importer(spec, table, cols, name, short, dayfirst, price_lookup)
    imp.as_of = _as_of(as_of)
    imp.plan_stages(funnel, user_stages)
    imp.run_rows()
    imp.settle_currency(currency)
    return imp.finish(history, encoding=encoding, sep=sep, sheet=sheet)


_FOOTER = re.compile(r"^\s*(grand total|total|subtotal|sum|count|record count|copyright|©|\(c\)|confidential|"
                     r"generated by|合计|总计|小计|共计)", re.IGNORECASE)


def _footer(cells: list[Any]) -> str | None:
    """The text of a report's footer/total line (Salesforce: Total, Copyright …, Generated By …), else None."""
    filled = [c for c in cells if not _blank(c)]
    if 1 <= len(filled) <= 2 and isinstance(filled[0], str) and _FOOTER.match(filled[0]):
        return filled[0].strip()
    return None


class _PriceList:
    """Amounts looked up from a second table (e.g. a product price list)."""

    def __init__(self, key_col: str, prices: dict[str, float], currency: str | None, aliases: dict[str, str],
                 name: str) -> None:
        self.key_col, self.prices, self.currency, self.aliases, self.name = key_col, prices, currency, aliases, name
        self.fill_zero = False

    @classmethod
    def build(cls, prices: Any, pm: Mapping[str, Any] | None, fields: dict[str, str], table: _Table,
              name: str) -> _PriceList:
        pm = dict(pm or {})
        key_col = pm.get("key") or fields.get("product") or pm.get("product")
        price_key = pm.get("price_key") or pm.get("product") or key_col
        price_col = pm.get("price")
        pname = _display(prices)
        if not key_col or not price_key or not price_col:
            raise CRMImportError("price_mapping: give 'key' (export column), 'price_key' (price-table column) "
                                 "and 'price' (price column)")
        if _norm(key_col) not in {_norm(h) for h in table.header}:
            raise CRMImportError(f"{name}: no column {key_col!r} to look prices up by; columns found: "
                                 f"{', '.join(map(repr, table.header))}")
        pt = _read_table(prices, encoding=None, sep=None, sheet=None, hint=[price_key, price_col])
        where = {_norm(h): i for i, h in reversed(list(enumerate(pt.header)))}
        for c in (price_key, price_col):
            if _norm(c) not in where:
                raise CRMImportError(f"{pname}: no column {c!r} in the price table; columns found: "
                                     f"{', '.join(map(repr, pt.header))}")
        ki, pi = where[_norm(price_key)], where[_norm(price_col)]
        parser = _Amounts(r[pi] for r in pt.rows)
        table_prices: dict[str, float] = {}
        currencies = set()
        for line, r in zip(pt.lines, pt.rows):
            k = _text(r[ki])
            if k is None:
                continue
            amount, cur = parser.parse(r[pi]) if not _blank(r[pi]) else (None, None)
            if amount is None or amount < 0:
                raise CRMImportError(f"{pname}: line {line}, column {price_col!r}: {r[pi]!r} is not a price")
            if k in table_prices and table_prices[k] != amount:
                raise CRMImportError(f"{pname}: line {line}: {k!r} has two prices "
                                     f"({table_prices[k]:,.2f} and {amount:,.2f})")
            table_prices[k] = amount
            if cur:
                currencies.add(cur)
        merged: str | None | bool = None
        for c in currencies:
            merged = _merge_currency(merged, c) if merged is not False else False
        if merged is False:
            raise CRMImportError(f"{pname}: prices in several currencies ({', '.join(sorted(currencies))})")
        aliases = {str(a): str(b) for a, b in dict(pm.get("aliases") or {}).items()}
        out = cls(key_col, table_prices, merged or None, aliases, pname)
        out.fill_zero = bool(pm.get("fill_zero", False))
        return out

    def price(self, key: Any) -> float:
        k = _text(key)
        if k is None:
            raise _Reject(self.key_col, key, f"missing amount, and no {self.key_col} to look a price up by")
        k = self.aliases.get(k, k)
        if k not in self.prices:
            close = difflib.get_close_matches(k, list(self.prices), n=3, cutoff=0.5)
            hint = f" (closest: {', '.join(map(repr, close))}; add an alias)" if close else ""
            raise _Reject(self.key_col, key, f"missing amount, and product {k!r} is not in the price list "
                                             f"{Path(self.name).name}{hint}")
        return self.prices[k]


_HISTORY_COLUMNS = {
    "id": ("Opportunity ID", "OpportunityId", "Opportunity ID (18)", "Opportunity: Opportunity ID"),
    "stage": ("To Stage", "StageName", "Stage", "Stage Name"),
    "from": ("From Stage",),
    "date": ("Last Modified", "Edit Date", "CreatedDate", "Last Modified Date", "Created Date", "Date",
             "Stage Change Date"),
}


class _Importer:
    def __init__(self, spec: Source, table: _Table, cols: dict[str, int], name: str, short: str,
                 dayfirst: bool | None, prices: _PriceList | None) -> None:
        self.spec, self.table, self.cols, self.name, self.short = spec, table, cols, name, short
        self.header = {f: table.header[i] for f, i in cols.items()}
        self.prices = prices
        self.as_of: dt.date | None = None
        self._dayfirst: bool | None = dayfirst
        if prices is not None:
            self._price_key = [_norm(h) for h in table.header].index(_norm(prices.key_col))
        kept = ("name", "forecast_category", "pipeline", "lost_reason", "product")
        self._kept = [(f, cols[f]) for f in kept if f in cols] + [(f, i) for f, i in cols.items() if f not in FIELDS]
        self.warnings: list[str] = []
        self.rejects: list[dict[str, Any]] = []
        self.records: list[dict[str, Any]] = []
        self.amounts = _Amounts(r[cols["amount"]] for r in table.rows) if "amount" in cols else None
        date_fields = [f for f in ("created", "closed", "expected_close", "won_time", "lost_time") if f in cols]
        self.dates = {f: _Dates(r[cols[f]] for r in table.rows) for f in date_fields}
        self._decide_date_order(self.dates, dayfirst, self.header)
        if table.above:
            self.warnings.append(f"{short}: {len(table.above)} lines above the header row skipped as a report "
                                 f"title: line {', '.join(map(str, table.above[:5]))}"
                                 + (" …" if len(table.above) > 5 else ""))

    # --- dates -----------------------------------------------------------------------------------------
    def _decide_date_order(self, parsers: dict[str, _Dates], dayfirst: bool | None, header: dict[str, str],
                           file: str | None = None) -> None:
        day = sum(p.day_evidence for p in parsers.values())
        month = sum(p.month_evidence for p in parsers.values())
        default = (not self.spec.monthfirst) if day == month else day > month
        for f, p in parsers.items():
            if dayfirst is not None:
                p.dayfirst = dayfirst
            elif p.evidence is not None:
                p.dayfirst = p.evidence
                if p.ambiguous or (p.day_evidence and p.month_evidence):
                    order = "day-first (d/m/y)" if p.dayfirst else "month-first (m/d/y, US dates)"
                    self.warnings.append(
                        f"{file or self.short}: column {header[f]!r}: dates read {order}, detected from values "
                        f"like {p.decider!r}" + (f"; {min(p.day_evidence, p.month_evidence)} dates fit only the "
                                                 "other order and are rejected" if p.day_evidence and
                                                 p.month_evidence else ""))
            else:
                p.dayfirst = default
                if p.ambiguous and day != month:
                    order = "day-first (d/m/y)" if default else "month-first (m/d/y, US dates)"
                    self.warnings.append(f"{file or self.short}: column {header[f]!r}: dates like {p.example!r} "
                                         f"read {order}, as the file's other date columns show")
                if p.ambiguous and day == month:
                    how = ("day-first (d/m/y)", "dayfirst=False") if default else \
                          ("month-first (m/d/y, US dates)", "dayfirst=True")
                    self.warnings.append(
                        f"{file or self.short}: column {header[f]!r}: {p.ambiguous} dates like {p.example!r} could "
                        f"be day-first or month-first and nothing in the file decides; read {how[0]} as "
                        f"{self.spec.name} exports usually are; pass {how[1]} if that is wrong")

    def _date(self, cells: list[Any], f: str, what: str) -> dt.date | None:
        if f not in self.cols:
            return None
        cell = self.cell(cells, f)
        if _blank(cell):
            return None
        d = self.dates[f].parse(cell)
        if d is None:
            raise _Reject(self.header[f], cell, f"unreadable {what} date {cell!r}")
        return d

    def cell(self, cells: list[Any], f: str) -> Any:
        value = cells[self.cols[f]] if f in self.cols else None
        if self.spec.false_is_blank and f not in _FLAG_FIELDS and isinstance(value, str) and value.strip() == "False":
            return None
        return value

    # --- stages ---------------------------------------------------------------------------------------------
    def _flags(self, cells: list[Any]) -> tuple[str | None, str | None]:
        """(status implied by the status/IsClosed/IsWon/Active columns, the column that says so)."""
        if "status" in self.cols:
            v = cells[self.cols["status"]]
            if not _blank(v):
                st = (self.spec.status_values or _STATUS_VALUES).get(_norm(v))
                if st is None:
                    raise _Reject(self.header["status"], v, f"unknown status {v!r} (expected open, won or lost)")
                return st, "status"
        closed = won = None
        for f in ("is_closed", "is_won", "active"):
            if f in self.cols:
                try:
                    val = _flag(cells[self.cols[f]])
                except ValueError:
                    raise _Reject(self.header[f], cells[self.cols[f]],
                                  f"unreadable {self.header[f]} value {cells[self.cols[f]]!r} (expected true/false)"
                                  ) from None
                if f == "is_closed":
                    closed = val
                elif f == "is_won":
                    won = val
                elif val is False:
                    return "lost", f
        if closed is False and won:
            raise _Reject(self.header["is_won"], cells[self.cols["is_won"]],
                          f"won/lost contradiction: {self.header['is_won']} is true but {self.header['is_closed']} "
                          "is false")
        if closed is not None:
            return ("won" if won else "lost") if closed else "open", "is_closed"
        if won:
            return "won", "is_won"
        return None, None

    def plan_stages(self, funnel: Funnel | None, user: dict[str, str]) -> None:
        si = self.cols["stage"]
        names = [_text(r[si]) for r in self.table.rows]
        if funnel is not None:
            self.funnel, self.lookup, self.built = funnel, _lookup(funnel, self.spec, user), False
            return
        nonblank = [n for n in names if n is not None]
        if self.spec.preset:
            preset = Funnel.preset(self.spec.preset)
            lk = _lookup(preset, self.spec, user)
            hits = sum(_norm(n) in lk for n in nonblank)
            if nonblank and 2 * hits >= len(nonblank):
                self.funnel, self.lookup, self.built = preset, lk, False
                return
        closed = dict(_CLOSED_NAMES)
        closed.update({_norm(n): t for n, t in self.spec.stages.items() if t in (WON, LOST)})
        user_keys: dict[str, str] = {}
        for n, t in user.items():
            if t in (WON, LOST) or _norm(t) in _CLOSED_NAMES:
                closed[_norm(n)] = t if t in (WON, LOST) else _CLOSED_NAMES[_norm(t)]
            else:
                if not re.fullmatch(r"[A-Za-z0-9_\-]+", t):
                    raise CRMImportError(f"mapping 'stages': {n!r} -> {t!r}: give an ASCII stage key "
                                         "(letters, digits, _) or 'won'/'lost'")
                user_keys[_norm(n)] = t
        groups: list[tuple[str, str]] = []
        seen: set[str] = set()
        for n, key in user.items():  # the stages the user declared, in the mapping's order
            if _norm(n) in user_keys and key not in seen:
                seen.add(key)
                groups.append((key, n))
        probs: dict[str, list[float]] = {}
        pcol = self.cols.get("probability")
        for cells, n in zip(self.table.rows, names):
            if n is None or _norm(n) in closed:
                continue
            gid = user_keys.get(_norm(n), _norm(n))
            if gid not in seen:
                seen.add(gid)
                groups.append((gid, n))
            if pcol is not None:
                try:
                    st, _ = self._flags(cells)
                except _Reject:
                    st = None
                if st in (None, "open"):
                    p = _probability(cells[pcol])
                    if p is not None:
                        probs.setdefault(gid, []).append(p)
        own, lookup, how = _own_funnel(groups, probs, sorted(set(user_keys.values())), self.spec.name,
                                        self.spec.stage_order)
        for n, key in user_keys.items():
            lookup[n] = key
        lookup.update(closed)
        if self.spec.preset:
            how = f"the stages do not match the {self.spec.preset} preset; " + how
        self.warnings.append(how)
        self.funnel, self.lookup, self.built = own, lookup, True

    def _stage(self, cells: list[Any]) -> tuple[str, str]:
        v = cells[self.cols["stage"]]
        n = _text(v)
        if n is None:
            raise _Reject(self.header["stage"], v, "missing stage")
        target = self.lookup.get(_norm(n))
        if target is None:
            names = sorted({st.en for st in self.funnel.all_stages} | {st.zh for st in self.funnel.all_stages}
                           | {k for k in self.spec.stages} | set(self.funnel.all_keys))
            close = difflib.get_close_matches(n, names, n=3, cutoff=0.4)
            close += [c for c in difflib.get_close_matches(n.lower(), [x.lower() for x in names], n=3, cutoff=0.4)
                      if c not in [x.lower() for x in close]]
            hint = (f"closest: {', '.join(map(repr, close[:3]))}" if close
                    else f"funnel {self.funnel.name!r} has {', '.join(self.funnel.all_keys)}")
            raise _Reject(self.header["stage"], v, f"unknown stage {n!r} ({hint}); map it with "
                                                   f"mapping={{'stages': {{{n!r}: '<stage>'}}}}")
        return n, target

    # --- rows ------------------------------------------------------------------------------------------------
    def _reject(self, file: str, line: int, column: str, value: Any, reason: str, cells: list[Any],
                header: list[str]) -> None:
        self.rejects.append({"file": file, "line": int(line), "column": column, "value": value, "reason": reason,
                             "row": _row_dict(header, cells)})

    def run_rows(self) -> None:
        t = self.table
        seen_ids: dict[str, int] = {}
        self.bad_probability = 0
        self.early_expected = 0
        for i, (line, cells) in enumerate(zip(t.lines, t.rows)):
            try:
                self.records.append(self._row(i, line, cells, seen_ids))
            except _Reject as err:
                footer = _footer(cells)
                why = err if footer is None else _Reject("", footer, f"report footer or total line {footer!r}, "
                                                                     "not a deal")
                self._reject(self.short, line, why.column, why.value, why.reason, cells, t.header)
        if self.bad_probability:
            self.warnings.append(f"{self.bad_probability} unreadable probabilities ignored "
                                 f"(column {self.header['probability']!r})")
        priced = sum(r["amount_source"] == "price_list" for r in self.records)
        if self.prices is not None:
            self.warnings.append(
                f"{priced} amounts without a value{' (blank or 0)' if self.prices.fill_zero else ''} in the export "
                "taken from the price list "
                f"{Path(self.prices.name).name} (column {self.prices.key_col!r}): list prices, not negotiated "
                "amounts (deal column amount_source says which)")
        pipelines = {r["pipeline"] for r in self.records if r.get("pipeline")}
        if len(pipelines) > 1:
            shown = ", ".join(sorted(map(str, pipelines))[:5])
            self.warnings.append(f"deals from {len(pipelines)} pipelines ({shown}) share one funnel; filter one "
                                 "pipeline first if their stages differ (deal column pipeline)")
        if self.early_expected:
            self.warnings.append(f"{self.early_expected} open deals expect to close before they were created "
                                 "(kept as written)")

    def _row(self, i: int, line: int, cells: list[Any], seen_ids: dict[str, int]) -> dict[str, Any]:
        t = self.table
        if t.truncated == i:
            raise _Reject("", "", "row cut inside a quoted cell: unterminated quote running to the end of the "
                                  "file (a truncated export?)")
        if i in t.long_rows:
            raise _Reject("", "", f"row has {t.long_rows[i]} cells but the header has {len(t.header)} columns "
                                  "(an unquoted separator in a cell?)")
        if "id" in self.cols:
            deal_id = _text(self.cell(cells, "id"))
            if deal_id is None:
                raise _Reject(self.header["id"], self.cell(cells, "id"), "missing id")
            if deal_id in seen_ids:
                raise _Reject(self.header["id"], deal_id, f"duplicate id {deal_id!r} (first on line "
                                                           f"{seen_ids[deal_id]})")
            seen_ids[deal_id] = line
        else:
            deal_id = f"line-{line}"
        stage_name, target = self._stage(cells)
        flag, flag_col = self._flags(cells)
        stage_status = target if target in (WON, LOST) else "open"
        close_from = None
        if flag is None or flag == stage_status:
            status = stage_status
        elif stage_status == "open" and self.spec.flags_decide:
            status, close_from = flag, target
        else:
            f = flag_col
            if f == "is_closed" and "is_won" in self.cols and (flag != "open") == (stage_status != "open"):
                f = "is_won"  # closed on both sides: it is the won flag that disagrees
            col, value = self.header[f], cells[self.cols[f]]
            raise _Reject(col, value, f"won/lost contradiction: stage {stage_name!r} ({stage_status}) contradicts "
                                      f"{col} = {value!r} ({flag})")
        stage = status if status in (WON, LOST) else target
        # amount and currency
        amount_source = "export"
        cur = None
        raw = self.cell(cells, "amount")
        amount = None
        if "amount" in self.cols and not _blank(raw):
            amount, cur = self.amounts.parse(raw)
            if amount is None:
                raise _Reject(self.header["amount"], raw, f"unreadable amount {raw!r}")
            if amount < 0:
                raise _Reject(self.header["amount"], raw, f"negative amount {raw!r}")
        if amount is None or (amount == 0 and self.prices is not None and self.prices.fill_zero):
            if self.prices is None:
                raise _Reject(self.header.get("amount", "amount"), raw, "missing amount")
            amount = self.prices.price(cells[self._price_key])
            amount_source, cur = "price_list", self.prices.currency
        if "currency" in self.cols:
            code = _currency_code(self.cell(cells, "currency"))
            merged = _merge_currency(code, cur)
            if merged is False:
                shown = _resolve_symbol(cur, None)
                raise _Reject(self.header["currency"], self.cell(cells, "currency"),
                              f"amount {raw!r} is in {shown} but the currency column says {code}")
            cur = merged
        # dates
        created = self._date(cells, "created", "created")
        created_assumed = False
        if created is None:
            if self.as_of is None:
                raise _Reject(self.header["created"], self.cell(cells, "created"),
                              "missing created date (as_of= dates such deals at the export date)")
            created, created_assumed = self.as_of, True
        closed_date = expected = None
        own_expected = "expected_close" in self.cols
        main_close = self._date(cells, "closed", "close")
        if own_expected:
            expected = self._date(cells, "expected_close", "expected close")
        if status in (WON, LOST):
            f = "won_time" if status == WON else "lost_time"
            closed_date = self._date(cells, f, f"{status} time") if f in self.cols else None
            closed_date = closed_date or main_close
            if closed_date is None:
                col = self.header.get(f) or self.header.get("closed") or "closed"
                raise _Reject(col, "", f"{status} deal without a close date")
            if closed_date < created:
                col = self.header.get(f) if self._date(cells, f, "") == closed_date and f in self.cols \
                    else self.header.get("closed", "")
                raise _Reject(col, str(closed_date),
                              f"close date {closed_date} is before the created date {created}")
        else:
            if not own_expected:
                expected = main_close
            if expected is not None and expected < created:
                self.early_expected += 1
        rec = {
            "deal_id": deal_id, "line": line, "stage": stage, "status": status, "crm_stage": stage_name,
            "amount": amount, "amount_source": amount_source, "currency": cur, "created": created,
            "closed": closed_date, "expected": expected, "close_from": close_from,
            "account_id": _text(self.cell(cells, "account")), "owner": _text(self.cell(cells, "owner")),
        }
        if self.as_of is not None:
            rec["created_assumed"] = created_assumed
        if "probability" in self.cols:
            p = _probability(self.cell(cells, "probability"))
            if p is None and not _blank(self.cell(cells, "probability")):
                self.bad_probability += 1
            rec["crm_probability"] = p
        for f, ci in self._kept:
            rec[f] = _text(cells[ci])
        return rec

    # --- currency ----------------------------------------------------------------------------------------------
    def settle_currency(self, currency: str | None) -> None:
        chosen = _resolve_symbol(_currency_code(currency), None) if currency else None
        explicit: dict[str, int] = {}
        for r in self.records:
            if r["currency"] and r["currency"] not in _AMBIGUOUS:
                explicit[r["currency"]] = explicit.get(r["currency"], 0) + 1
        counts: dict[str, int] = {}
        symbols = set()
        by_count = sorted(explicit, key=lambda c: -explicit[c])  # `explicit` is fixed from here on
        resolved = {}
        for sym, (default, members) in _AMBIGUOUS.items():
            family = [c for c in by_count if c in members]
            resolved[sym] = chosen if chosen in members else family[0] if family else default
        for r in self.records:
            sym = r["currency"]
            if sym in _AMBIGUOUS:
                symbols.add(sym)
                r["currency"] = resolved[sym]
            if r["currency"]:
                counts[r["currency"]] = counts.get(r["currency"], 0) + 1
        if symbols and not chosen:
            read = ", ".join(f"{sym} as {next((c for c in counts if c in _AMBIGUOUS[sym][1]), _AMBIGUOUS[sym][0])}"
                             for sym in sorted(symbols))
            self.warnings.append(f"currency symbols read {read} (pass currency= if they mean another currency)")
        if chosen:
            keep = chosen
        elif counts:
            keep = max(counts, key=lambda c: counts[c])  # ties: the first seen
        else:
            keep = DEFAULT_CURRENCY
            self.warnings.append(f"no currency in the file; amounts taken as {keep} (pass currency= if not)")
        if any(c != keep for c in counts):
            listing = ", ".join(f"{c} {n}" for c, n in sorted(counts.items(), key=lambda kv: -kv[1]))
            why = "the chosen currency" if chosen else "the most common currency"
            reason = f"several currencies: {listing}; convert or filter first (kept {keep}, {why})"
            kept = []
            header = self.table.header
            rows = {ln: cells for ln, cells in zip(self.table.lines, self.table.rows)}
            for r in self.records:
                if r["currency"] and r["currency"] != keep:
                    col = self.header.get("currency", self.header.get("amount", ""))
                    self._reject(self.short, r["line"], col, r["currency"], f"currency {r['currency']}: {reason}",
                                 rows[r["line"]], header)
                else:
                    kept.append(r)
            self.records = kept
            self.warnings.append(f"{reason}: {sum(n for c, n in counts.items() if c != keep)} rows rejected")
        self.currency = keep

    # --- stage history (Salesforce Opportunity History) ------------------------------------------------------------
    def _read_history(self, src: Any, encoding: str | None, sep: str | None) -> list[tuple]:
        hname = _display(src)
        hshort = Path(hname).name if not isinstance(src, pd.DataFrame) else "history DataFrame"
        self.hshort = hshort
        hint = [a for al in _HISTORY_COLUMNS.values() for a in al]
        t = _read_table(src, encoding=encoding, sep=sep, sheet=None, hint=hint)
        found = {}
        for i, h in enumerate(t.header):
            found.setdefault(_norm(h), i)
        cols: dict[str, int] = {}
        for f, aliases in _HISTORY_COLUMNS.items():
            for a in aliases:
                if _norm(a) in found and found[_norm(a)] not in cols.values():
                    cols[f] = found[_norm(a)]
                    break
            if f not in cols and f != "from":
                raise CRMImportError(f"{hname}: no {f} column in the stage history (looked for "
                                     f"{', '.join(map(repr, aliases))}); columns found: "
                                     f"{', '.join(map(repr, t.header))}")
        dates = _Dates(r[cols["date"]] for r in t.rows)
        self._decide_date_order({"date": dates}, self._dayfirst, {"date": t.header[cols["date"]]}, hshort)
        by_id = {r["deal_id"]: r for r in self.records}
        rejected_ids = {}
        if "id" in self.cols:
            for rj in self.rejects:
                v = _text(rj["row"].get(self.header["id"]))
                if v is not None:
                    rejected_ids.setdefault(v, rj["line"])
        self.history_rows = len(t.rows)
        out = []
        last: dict[str, tuple[dt.date, str]] = {}
        H = t.header
        # Reports list an opportunity's changes oldest first or newest first: read them oldest first.
        seq: dict[str, dt.date] = {}
        up = down = 0
        for cells in t.rows:
            oid, raw = _text(cells[cols["id"]]), cells[cols["date"]]
            d = dates.parse(raw) if oid is not None and not _blank(raw) else None
            if d is None:
                continue
            if oid in seq:
                up += d > seq[oid]
                down += d < seq[oid]
            seq[oid] = d
        order = list(range(len(t.rows)))
        if down > up:
            order.reverse()
            self.warnings.append(f"{hshort}: the stage history lists changes newest first; read oldest first")
        for i in order:
            line, cells = t.lines[i], t.rows[i]
            try:
                if t.truncated == i or i in t.long_rows:
                    raise _Reject("", "", "row cut inside a quoted cell or with more cells than the header")
                oid = _text(cells[cols["id"]])
                if oid is None:
                    raise _Reject(H[cols["id"]], cells[cols["id"]], "missing opportunity id")
                if oid not in by_id:
                    why = (f"opportunity {oid!r} was rejected in {self.short} (line {rejected_ids[oid]})"
                           if oid in rejected_ids else f"unknown opportunity {oid!r} (not in {self.short})")
                    raise _Reject(H[cols["id"]], oid, why)
                raw = cells[cols["date"]]
                d = dates.parse(raw) if not _blank(raw) else None
                if d is None:
                    raise _Reject(H[cols["date"]], raw, f"unreadable date {raw!r}" if not _blank(raw)
                                  else "missing date")
                to_name = _text(cells[cols["stage"]])
                if to_name is None:
                    raise _Reject(H[cols["stage"]], cells[cols["stage"]], "missing stage")
                to = self.lookup.get(_norm(to_name))
                if to is None:
                    raise _Reject(H[cols["stage"]], to_name, f"unknown stage {to_name!r}")
                frm = None
                if "from" in cols and _text(cells[cols["from"]]) is not None:
                    fn = _text(cells[cols["from"]])
                    frm = self.lookup.get(_norm(fn))
                    if frm is None:
                        raise _Reject(H[cols["from"]], fn, f"unknown stage {fn!r}")
                elif oid in last:
                    frm = last[oid][1]
                if oid in last and d < last[oid][0]:
                    raise _Reject(H[cols["date"]], raw,
                                  f"out of date order: opportunity {oid!r} changes on {d}, before its previous "
                                  f"change on {last[oid][0]} (line order is not chronological)")
                last[oid] = (d, to)
                out.append((oid, d, frm, to, line))
            except _Reject as r:
                self._reject(hshort, line, r.column, r.value, r.reason, cells, H)
        return out

    # --- the History ---------------------------------------------------------------------------------------
    def finish(self, history: Any, *, encoding: str | None, sep: str | None, sheet: Any) -> ImportResult:
        hist_rows = self._read_history(history, encoding, sep) if history is not None else None
        recs = self.records
        dates = [r["created"] for r in recs] + [r["closed"] for r in recs if r["closed"]]
        if self.as_of is not None and recs:
            assumed = sum(r["created_assumed"] for r in recs)
            if assumed:
                self.warnings.append(f"{assumed} deals without a created date dated at as_of {self.as_of} "
                                     "(deal column created_assumed): their age in the funnel is unknown")
        zero = sum(1 for r in recs if r["amount"] == 0 and r.get("amount_source", "export") == "export")
        if zero:
            self.warnings.append(
                f"{zero} deals have an amount of 0 in the export (some CRMs, Pipedrive among them, write 0 when no "
                "value was entered): they fall below any threshold; fill them or filter them out")
        if hist_rows:
            dates += [h[1] for h in hist_rows]
        origin = min(dates) if dates else dt.date.today()
        week0 = origin - dt.timedelta(days=origin.weekday())

        weeks: dict[dt.date, int] = {}

        def week(d: dt.date | None) -> Any:
            if d is None:
                return pd.NA
            try:
                return weeks[d]
            except KeyError:
                w = weeks[d] = (d - week0).days // 7
                return w

        deals = pd.DataFrame({
            "deal_id": pd.Series([r["deal_id"] for r in recs], dtype=object),
            "account_id": pd.Series([r["account_id"] for r in recs], dtype=object),
            "owner": pd.Series([r["owner"] for r in recs], dtype=object),
            "amount": pd.Series([float(r["amount"]) for r in recs], dtype=float),
            "created_week": pd.Series([week(r["created"]) for r in recs], dtype="int64"),
            "stage": pd.Series([r["stage"] for r in recs], dtype=object),
            "status": pd.Series([r["status"] for r in recs], dtype=object),
            "closed_week": pd.array([week(r["closed"]) for r in recs], dtype="Int64"),
            "expected_close_week": pd.array([week(r["expected"]) for r in recs], dtype="Int64"),
            "win_rate_override": pd.Series([np.nan] * len(recs), dtype=float),
            "paid_week": pd.array([pd.NA] * len(recs), dtype="Int64"),
        })
        extra = ["name", "crm_stage", "crm_probability", "forecast_category", "pipeline", "lost_reason",
                 "product", "amount_source", "created_assumed", "line"]
        extra += [f for f in self.cols if f not in FIELDS]
        for f in extra:
            if recs and f in recs[0]:
                deals[f] = [r.get(f) for r in recs]
        events = self._events(recs, hist_rows, week)
        end_week = int(max([0, *deals.created_week.tolist(), *deals.closed_week.dropna().tolist(),
                            *events.week.tolist(),
                            *([week(self.as_of)] if self.as_of is not None and self.as_of >= week0 else [])]))
        try:
            h = History(deals, events, funnel=self.funnel, currency=self.currency,
                        start_week=max(0, end_week - PERIOD_WEEKS), end_week=end_week,
                        meta={"source": self.spec.name, "file": self.short, "week0": week0.isoformat()})
        except ValueError as exc:  # a bug in the importer, not in the file: still name the file
            raise CRMImportError(f"{self.name}: imported tables are inconsistent ({exc})") from None
        rejects = pd.DataFrame(self.rejects, columns=list(REJECT_COLUMNS))
        rejects["line"] = rejects["line"].astype("int64")
        rejects = rejects.sort_values(["file", "line"], kind="stable", key=lambda s: s if s.name == "line" else
                                      (s != self.short).astype(int)).reset_index(drop=True)
        main = rejects[rejects.file == self.short]
        status = deals.status.value_counts().to_dict()
        summary: dict[str, Any] = {
            "rows_read": len(self.table.rows),
            "imported": len(deals),
            "rejected": len(main),
            "by_status": {s: int(status.get(s, 0)) for s in ("open", "won", "lost")},
            "currency": self.currency,
            "weeks": {"week0": week0.isoformat(), "start_week": h.start_week, "end_week": h.end_week},
            "source": self.spec.name,
            "file": self.short,
        }
        if self.table.above:
            summary["skipped_above_header"] = len(self.table.above)
        if hist_rows is not None:
            summary.update(history_rows=self.history_rows, events=len(events),
                           history_rejected=int((rejects.file != self.short).sum()))
        assert summary["rows_read"] == summary["imported"] + summary["rejected"], summary
        return ImportResult(h, rejects, self.warnings, summary, self.spec.name, self.name,
                            self.table.encoding)

    def _events(self, recs: list[dict], hist_rows: list[tuple] | None, week: Any) -> pd.DataFrame:
        rows = []
        f = self.funnel

        def outcome(frm: str, to: str) -> str:
            if to == WON:
                return "order"
            if to == LOST:
                return "no_sale"
            return "advance" if f.index(to) > f.index(frm) else "continuation"

        if hist_rows is not None:
            for oid, d, frm, to, _line in hist_rows:
                if frm is None or frm == to:
                    continue  # the opportunity's creation, or a change of amount/date only
                rows.append((oid, week(d), frm, to, outcome(frm, to), "stage history"))
            ends = {}
            for oid, _d, _frm, to, _ in hist_rows:
                ends[oid] = to
            by_id = {r["deal_id"]: r for r in recs}
            off = [(o, s, by_id[o]["stage"]) for o, s in ends.items() if by_id[o]["stage"] != s]
            if off:
                o, s, now = off[0]
                self.warnings.append(f"{len(off)} opportunities end their stage history in another stage than "
                                     f"{self.short} says (e.g. {o}: history {s}, export {now})")
        else:
            for r in recs:
                if r["close_from"] is not None and r["closed"] is not None:
                    rows.append((r["deal_id"], week(r["closed"]), r["close_from"], r["stage"],
                                 outcome(r["close_from"], r["stage"]), "closed in CRM"))
            if any(r["status"] != "open" and r["close_from"] is None for r in recs):
                self.warnings.append("no stage history: closed deals have no closing event and the weekly "
                                     "snapshots show each deal in its current stage from its creation week")
        return pd.DataFrame(rows, columns=["deal_id", "week", "from_stage", "to_stage", "outcome", "action"]) \
            .astype({"week": "int64"}) if rows else pd.DataFrame(
            {"deal_id": pd.Series(dtype=object), "week": pd.Series(dtype="int64"),
             "from_stage": pd.Series(dtype=object), "to_stage": pd.Series(dtype=object),
             "outcome": pd.Series(dtype=object), "action": pd.Series(dtype=object)})


# --- the worked example on a real export ----------------------------------------------------------
def _kit_folder(relative: str) -> Path:
    """``relative`` in the checkout holding this package (the nearest parent folder that has it)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / relative).is_dir():
            return parent / relative
    return here.parents[2] / relative  # where a checkout keeps it; the error reading it names this path


MAVEN_FOLDER = _kit_folder("datasets/maven-crm")  # in a checkout of the kit

MAVEN_FUNNEL = {
    "name": "maven-crm",
    "label": {"zh": "Maven CRM 自身的阶段", "en": "Maven CRM's own stages"},
    "note": "Built from the export's own open stages; win rates are placeholders until measured.",
    "stages": [
        {"key": "prospecting", "zh": "初步接触", "en": "Prospecting", "win_rate": 0.5,
         "forecast_category": "pipeline", "key_step": "customer_analysis"},
        {"key": "engaging", "zh": "跟进中", "en": "Engaging", "win_rate": 0.5,
         "forecast_category": "best_case", "key_step": "present_value"},
    ],
}


def maven_example(folder: str | Path | None = None, *, measured_rates: bool = True) -> ImportResult:
    """The worked example: the real Maven Analytics CRM export (8,800 opportunities, current stage only).

    What it does, openly (each point is also in ``result.warnings``):

    - **Funnel from its own stages**: Prospecting → Engaging, then Won / Lost.
    - **Amounts**: won deals keep ``close_value`` (what was really booked). Open deals
      have none, and lost deals carry 0 (lost revenue is not revenue, but a deal worth
      0 would sit below every threshold): both get their product's list price from
      ``products.csv`` (``amount_source = "price_list"``), with the product name
      ``GTXPro`` mapped to the price list's ``GTX Pro``. So open and lost amounts are
      list prices, not negotiated amounts.
    - **Dates**: ``engage_date`` (the day Engaging began) is the creation week of every
      dated deal. The 500 Prospecting deals carry no date at all: they are taken as
      created in the export's last week (they are in the pipeline now, with no past).
    - **Stage history**: the export keeps the current stage only. What the data does tell
      is rebuilt: a closed deal was at Engaging from its engage date until its close date,
      so it gets one closing event Engaging → Won/Lost. Whether a lost deal was ever
      lost at Prospecting cannot be seen: deals lost before engaging are not in the export.
    - **Accounts**: 1,425 open deals have no account; they are kept with an empty account.
    - **Win rates**: measured from the history (``measured_rates=True``): Engaging's is
      won / (won + lost); Prospecting's can only be Engaging's times the share of
      Prospecting deals that reach Engaging, which the export does not show — it is set
      equal to Engaging's and the warning says so.

    Args:
        folder: the folder with ``sales_pipeline.csv`` and ``products.csv`` (default: the
            kit's ``datasets/maven-crm``).
        measured_rates: put the measured win rates into the funnel (else 0.5 placeholders).
    """
    src = Path(folder) if folder is not None else MAVEN_FOLDER
    pipeline_file = src / "sales_pipeline.csv"
    if not pipeline_file.is_file():
        raise CRMImportError(f"{pipeline_file}: not found; give the folder of the Maven CRM export")
    raw = pd.read_csv(pipeline_file, dtype=str, keep_default_na=False)
    last_day = max(d for d in list(raw["engage_date"]) + list(raw["close_date"]) if d)
    undated = int((raw["engage_date"] == "").sum())
    n_lost_zero = int(((raw["deal_stage"] == "Lost") & (raw["close_value"].isin(["0", "0.0"]))).sum())
    funnel = Funnel.from_dict(MAVEN_FUNNEL)
    result = load(
        pipeline_file,
        source="generic",
        funnel=funnel,
        mapping={"id": "opportunity_id", "stage": "deal_stage", "amount": "close_value", "created": "engage_date",
                 "closed": "close_date", "account": "account", "owner": "sales_agent", "product": "product",
                 "stages": {"Prospecting": "prospecting", "Engaging": "engaging", "Won": "won", "Lost": "lost"}},
        currency="USD",
        prices=src / "products.csv",
        # Lost deals record 0: their list price stands in (fill_zero), flagged in amount_source.
        price_mapping={"key": "product", "price_key": "product", "price": "sales_price",
                       "aliases": {"GTXPro": "GTX Pro"}, "fill_zero": True},
        as_of=last_day,
    )
    h = result.history
    d = h.deals
    closed = d["status"].astype(str) != "open"
    events = pd.DataFrame({
        "deal_id": d.loc[closed, "deal_id"].to_numpy(),
        "week": d.loc[closed, "closed_week"].to_numpy(dtype=np.int64),
        "from_stage": "engaging",
        "to_stage": d.loc[closed, "stage"].astype(str).to_numpy(),
        "outcome": np.where(d.loc[closed, "status"].astype(str) == "won", "order", "no_sale"),
        "action": None,
    })
    won = (d["status"].astype(str) == "won").sum()
    n_lost = (d["status"].astype(str) == "lost").sum()
    rate = float(won / (won + n_lost)) if won + n_lost else 0.5
    if measured_rates:
        funnel = funnel.with_win_rates({"prospecting": rate, "engaging": rate})
    # No quota in the export: the mean quarterly bookings over the history stand in (said below).
    booked = float(d.loc[d["status"].astype(str) == "won", "amount"].sum())
    quota = round(booked / max(1.0, (h.end_week + 1) / PERIOD_WEEKS), -3)
    history = History(d.assign(stage=d["stage"].astype(str)), events, None, funnel, h.currency,
                      start_week=h.start_week, end_week=h.end_week, quota=quota, meta=dict(h.meta))
    notes = [
        f"Maven example: {undated} Prospecting deals have no date; taken as created in the export's "
        f"last week ({last_day}): they are in the pipeline now and have no past",
        f"Maven example: {n_lost_zero} lost deals record close_value 0; their product's list price stands in "
        "(amount_source = price_list), so lost amounts are list prices",
        f"Maven example: {int(closed.sum())} closing events rebuilt Engaging → Won/Lost at the close date (every closed "
        "deal has an engage date); deals lost before engaging are not in the export",
        f"Maven example: {int(d['account_id'].isna().sum())} deals have no account (all open); kept without one",
        f"Maven example: win rate measured at Engaging = won / closed = {rate:.1%}; Prospecting's cannot be measured "
        "(no Prospecting deal has closed yet) and is set equal to it" if measured_rates else
        "Maven example: win rates left at 0.5 placeholders",
    ]
    notes.append(f"Maven example: no quota in the export; the mean quarterly bookings stand in: {quota:,.0f} USD")
    kept = [w for w in result.warnings if not w.startswith("no stage history")]  # rebuilt above
    return ImportResult(history=history, rejects=result.rejects, warnings=kept + notes,
                        summary=dict(result.summary), source="generic", path=str(pipeline_file))
