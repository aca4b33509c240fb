"""Import real CRM exports (Salesforce, HubSpot, Pipedrive, Odoo, any CSV/xlsx) into a :class:`History`.

Every data row of the file ends either in ``result.history.deals`` or in ``result.rejects``
(with its file line and the reason); the counts add up. Data rows are the non-blank records
after the header row (blank lines are not rows; lines above the header, such as a report
title, are counted in ``summary["skipped_above_header"]`` and named in a warning). A file that
cannot be read at all raises :class:`CRMImportError` naming the file and why.

Per-source column names, default stage names and closed/won rules are data
(:data:`simfunnel.crm.sources.SOURCES`, one :class:`~simfunnel.crm.sources.Source` each), not code paths;
files are read by :mod:`simfunnel.crm.readers` and cells parsed by :mod:`simfunnel.crm.cells`.

Example:
    >>> from simfunnel import crm
    >>> result = crm.load("opportunities.csv", source="salesforce")   # doctest: +SKIP
    >>> print(result.report())                                        # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simfunnel.crm.cells import (
    ISO_DATE,
    AmountColumn,
    choose_currency,
    DateColumn,
    decide_date_order,
    cell_text,
    currency_code,
    is_blank,
    make_date,
    match_key,
    merge_currency,
    parse_flag,
    parse_probability,
    resolve_currency_symbol,
)
from simfunnel.crm.readers import (
    CRMImportError,
    PriceList,
    RowRejected,
    Table,
    display_name,
    gc_paused,
    parse_days,
    read_table,
    report_footer,
)
from simfunnel.crm.columnar import import_columns, objects, record_columns
from simfunnel.crm.result import REJECT_COLUMNS, ImportResult, neutralise, reason_kind, write_rejects
from simfunnel.crm.sources import (
    CLOSE_FIELDS,
    CLOSED_STAGE_NAMES,
    FIELDS,
    FLAG_FIELDS,
    HISTORY_COLUMNS,
    history_mapping,
    STATUS_VALUES,
    Source,
    export_funnel,
    generic_aliases,
    resolve_columns,
    resolve_funnel,
    resolve_source,
    split_mapping,
    stage_lookup,
)
from simfunnel.model.funnel import LOST, WON, Funnel
from simfunnel.model.history import DEFAULT_CURRENCY, PERIOD_WEEKS, History

__all__ = ["REJECT_COLUMNS", "CRMImportError", "ImportResult", "load", "neutralise", "reason_kind", "write_rejects"]


# --- load ---------------------------------------------------------------------------------------------------


def _row_dict(header: list[str], cells: list[Any]) -> dict[str, Any]:
    out = {}
    for i, h in enumerate(header):
        key = h or f"column {i + 1}"
        v = cells[i] if i < len(cells) else None
        out[key] = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
    return out


def _as_of(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    d = ISO_DATE.match(str(value))
    day = make_date(int(d[1]), int(d[2]), int(d[3])) if d else None
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
    trust_flags: bool = False,
) -> ImportResult:
    """Import a CRM export into a :class:`History`; every row is imported or rejected with its reason.

    Args:
        path: CSV/TSV/.xlsx file (or a DataFrame already read).
        source: ``salesforce``, ``hubspot``, ``pipedrive``, ``odoo`` or ``generic``.
        funnel: the :class:`Funnel` (or preset name) to map stages onto; ``None``: the source's
            preset when its stages fit, else a funnel built from the export's own stages.
        mapping: kit field -> column (``id``, ``stage``, ``amount``, ``created``, ``closed``, ``account``,
            ``owner``, ``currency``, ``status`` …) plus ``"stages"``: {stage name: funnel key/"won"/"lost"}
            and ``"history"``: the stage history's own columns, {``id``/``stage``/``from``/``date``: column}.
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
        trust_flags: a won/closed flag (IsWon, IsClosed, status) that contradicts the stage rejects the row, as
            before. By default the **stage decides**, as in the CRM itself (Salesforce derives both flags from
            the stage; stale flags are an export artefact): the row is kept with its stage's status and each
            kind of contradiction is counted in one warning with example lines.

    Raises:
        CRMImportError: the file cannot be read as a table, or a required column is missing.
    """
    with gc_paused():
        return _load(path, source, funnel, mapping, history, currency, dayfirst=dayfirst, encoding=encoding, sep=sep,
                     prices=prices, price_mapping=price_mapping, sheet=sheet, as_of=as_of, trust_flags=trust_flags)


def _load(path: Any, source: Any, funnel: Any, mapping: Any, history: Any, currency: Any, *, dayfirst: Any,
          encoding: Any, sep: Any, prices: Any, price_mapping: Any, sheet: Any, as_of: Any,
          trust_flags: bool = False) -> ImportResult:
    spec = resolve_source(source)
    fields, user_stages = split_mapping(mapping)
    funnel = resolve_funnel(funnel)
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise CRMImportError(f"dayfirst: expected True, False or None, got {dayfirst!r}")
    name = display_name(path)
    short = Path(name).name if not isinstance(path, pd.DataFrame) else name
    hint = [a for al in spec.columns.values() for a in al] + list(fields.values())
    if spec.name == "generic":
        hint += [a for f in FIELDS for a in generic_aliases(f)]
    table = read_table(path, encoding=encoding, sep=sep, sheet=sheet, hint=hint)
    price_lookup = PriceList.build(prices, price_mapping, fields, table, name) if prices is not None else None
    cols = resolve_columns(table, spec, fields, need_amount=price_lookup is None, name=name)
    imp = _Importer(spec, table, cols, name, short, dayfirst, price_lookup)
    imp.as_of = _as_of(as_of)
    imp.trust_flags = bool(trust_flags)
    imp.history_fields = history_mapping(mapping)
    imp.plan_stages(funnel, user_stages)
    imp.run_rows()
    imp.settle_currency(currency)
    return imp.finish(history, encoding=encoding, sep=sep, sheet=sheet)


#: Deal columns of numbers or flags, given to pandas as lists (it infers float, int, bool); the others are text.
AS_LISTS = frozenset({"crm_probability", "created_assumed", "days", "line"})
UNDATED = dt.date(2000, 1, 3)  # an outcome-only file's deals: every date here (week 0), the history marked undated
UNDATED_NOTE = ("no dates: an outcome-only file — the overall won share, counts by threshold and calibration work; "
                "weekly indicators, forecasts and Monte Carlo need created and closed dates")


def _owners(owners: np.ndarray, factor: tuple[np.ndarray, np.ndarray] | None) -> pd.Series:
    """The deals' owners: a categorical as History makes it (sorted names) from the column import's (codes, names),
    else the names as they are (History makes the categorical)."""
    if factor is None:
        return pd.Series(owners, dtype=object)
    codes, names = factor
    cats = sorted({x for x in names if x is not None})
    where = {x: i for i, x in enumerate(cats)}
    per = np.array([where.get(x, -1) for x in names] + [-1], dtype=np.int64)  # a name's category; None: -1
    return pd.Series(pd.Categorical.from_codes(per[codes], categories=cats))


class _Importer:
    def __init__(self, spec: Source, table: Table, cols: dict[str, int], name: str, short: str,
                 dayfirst: bool | None, prices: PriceList | None) -> None:
        self.spec, self.table, self.cols, self.name, self.short = spec, table, cols, name, short
        self.header = {f: table.header[i] for f, i in cols.items()}
        self.prices = prices
        self.as_of: dt.date | None = None
        self._dayfirst: bool | None = dayfirst
        if prices is not None:
            self._price_key = [match_key(h) for h in table.header].index(match_key(prices.key_col))
        kept = ("name", "forecast_category", "pipeline", "lost_reason", "product")
        self.kept_fields = [(f, cols[f]) for f in kept if f in cols] + [(f, i) for f, i in cols.items() if f not in FIELDS]
        self.warnings: list[str] = []
        self.trust_flags = False
        self.history_fields: dict[str, str] = {}  # the stage history's field -> column (mapping "history")
        self.flag_conflicts: dict[str, list[int]] = {}  # "col = value (flag) vs stage status" → lines
        self.rejects: list[dict[str, Any]] = []
        self.records: list[dict[str, Any]] = []
        self.stage_cells: tuple[np.ndarray, np.ndarray] | None = None  # the stage column's (codes, texts)
        self.known_codes: dict[str, tuple[np.ndarray, np.ndarray]] | None = None  # set by the column import
        self.amounts = AmountColumn(table.column(cols["amount"])) if "amount" in cols else None
        date_fields = [f for f in ("created", "closed", "expected_close", "won_time", "lost_time") if f in cols]
        self.dates = {f: DateColumn(table.column(cols[f])) for f in date_fields}
        self._decide_date_order(self.dates, dayfirst, self.header)
        for f in date_fields:  # a date field mapped to a column of no dates: one line, not every row rejected
            if (bad := self.dates[f].no_dates(table.column(cols[f])[:2000])) is not None:
                raise CRMImportError(f"{name}: column {self.header[f]!r} ({f}) holds no dates (e.g. {bad!r}); "
                                     "map a date column to it, or leave it out of the mapping"
                                     + ("; a number of days in pipeline maps as 'days'" if f in ("created", "closed")
                                        else ""))
        # days in pipeline (mapping "days"): stands in for the created date (close minus days) or for the close
        # date of closed deals (created plus days); with both dates, or none, it is kept as the deal column days
        has_close = any(f in cols for f in CLOSE_FIELDS)
        self.days_for = (None if "days" not in cols else "created" if "created" not in cols and has_close
                         else "closed" if "created" in cols and not has_close else None)
        self.undated = "created" not in cols and self.days_for != "created"  # an outcome-only file (generic)
        if table.above:
            self.warnings.append(f"{short}: {len(table.above)} lines above the header row skipped as a report "
                                 f"title: line {', '.join(map(str, table.above[:5]))}"
                                 + (" …" if len(table.above) > 5 else ""))

    # --- dates -----------------------------------------------------------------------------------------
    def _decide_date_order(self, parsers: dict[str, DateColumn], dayfirst: bool | None, header: dict[str, str],
                           file: str | None = None) -> None:
        decide_date_order(parsers, dayfirst, header, file or self.short, self.spec.monthfirst, self.spec.name,
                          self.warnings)

    def _date(self, cells: list[Any], f: str, what: str) -> dt.date | None:
        if f not in self.cols:
            return None
        cell = self.cell(cells, f)
        if is_blank(cell):
            return None
        d = self.dates[f].parse(cell)
        if d is None:
            raise RowRejected(self.header[f], cell, f"unreadable {what} date {cell!r}")
        return d

    def _created_from_days(self, cells: list[Any], status: str, days: float | None) -> dt.date:
        """The created date as the close date (a closed deal) or as_of (an open one) minus the days in pipeline."""
        if days is None:
            raise RowRejected(self.header["days"], "", "missing days in pipeline (the created date is its close "
                                                       "date minus the days)")
        if status in (WON, LOST):
            f = "won_time" if status == WON else "lost_time"
            end = (self._date(cells, f, f"{status} time") if f in self.cols else None) or \
                self._date(cells, "closed", "close")
            if end is None:
                col = self.header.get(f) or self.header.get("closed") or "closed"
                raise RowRejected(col, "", f"{status} deal without a close date")
        elif self.as_of is None:
            raise RowRejected(self.header["days"], self.cell(cells, "days"),
                              "open deal without a created date: its days in pipeline count to the export's date "
                              "(give as_of=)")
        else:
            end = self.as_of
        return end - dt.timedelta(days=round(days))

    def cell(self, cells: list[Any], f: str) -> Any:
        value = cells[self.cols[f]] if f in self.cols else None
        if self.spec.false_is_blank and f not in FLAG_FIELDS and isinstance(value, str) and value.strip() == "False":
            return None
        return value

    # --- stages ---------------------------------------------------------------------------------------------
    def flags_of(self, cells: list[Any]) -> tuple[str | None, str | None]:
        """(status implied by the status/IsClosed/IsWon/Active columns, the column that says so)."""
        if "status" in self.cols:
            v = cells[self.cols["status"]]
            if not is_blank(v):
                st = (self.spec.status_values or STATUS_VALUES).get(match_key(v))
                if st is None:
                    raise RowRejected(self.header["status"], v, f"unknown status {v!r} (expected open, won or lost)")
                return st, "status"
        closed = won = None
        for f in ("is_closed", "is_won", "active"):
            if f in self.cols:
                try:
                    val = parse_flag(cells[self.cols[f]])
                except ValueError:
                    raise RowRejected(self.header[f], cells[self.cols[f]],
                                      f"unreadable {self.header[f]} value {cells[self.cols[f]]!r} (expected true/false)"
                                      ) from None
                if f == "is_closed":
                    closed = val
                elif f == "is_won":
                    won = val
                elif val is False:
                    return "lost", f
        if closed is False and won:
            if not self.trust_flags:  # the flags contradict each other: the stage decides alone
                return None, "flags_disagree"
            raise RowRejected(self.header["is_won"], cells[self.cols["is_won"]],
                              f"won/lost contradiction: {self.header['is_won']} is true but {self.header['is_closed']} "
                              "is false")
        if closed is not None:
            return ("won" if won else "lost") if closed else "open", "is_closed"
        if won:
            return "won", "is_won"
        return None, None

    def plan_stages(self, funnel: Funnel | None, user: dict[str, str]) -> None:
        if funnel is not None:
            self.funnel, self.lookup, self.built = funnel, stage_lookup(funnel, self.spec, user), False
            return
        codes, uniq = pd.factorize(objects(self.table.column(self.cols["stage"])), use_na_sentinel=False)
        texts = objects(cell_text(c) for c in uniq)  # each distinct cell once
        self.stage_cells = codes, texts  # (the column import's too)
        per = np.bincount(codes, minlength=len(uniq))
        nonblank = int(sum(k for x, k in zip(texts, per) if x is not None))
        if self.spec.preset:
            preset = Funnel.preset(self.spec.preset)
            lk = stage_lookup(preset, self.spec, user)
            hits = sum(int(k) for x, k in zip(texts, per) if x is not None and match_key(x) in lk)
            if nonblank and 2 * hits >= nonblank:
                self.funnel, self.lookup, self.built = preset, lk, False
                return
        closed = dict(CLOSED_STAGE_NAMES)
        closed.update({match_key(n): t for n, t in self.spec.stages.items() if t in (WON, LOST)})
        user_keys: dict[str, str] = {}
        for n, t in user.items():
            if t in (WON, LOST) or match_key(t) in CLOSED_STAGE_NAMES:
                closed[match_key(n)] = t if t in (WON, LOST) else CLOSED_STAGE_NAMES[match_key(t)]
            else:
                if not re.fullmatch(r"[A-Za-z0-9_\-]+", t):
                    raise CRMImportError(f"mapping 'stages': {n!r} -> {t!r}: give an ASCII stage key "
                                         "(letters, digits, _) or 'won'/'lost'")
                user_keys[match_key(n)] = t
        groups: list[tuple[str, str]] = []
        seen: set[str] = set()
        for n, key in user.items():  # the stages the user declared, in the mapping's order
            if match_key(n) in user_keys and key not in seen:
                seen.add(key)
                groups.append((key, n))
        probs: dict[str, list[float]] = {}
        pcol = self.cols.get("probability")
        names = texts[codes]
        for cells, n in zip(self.table.rows, names):
            if n is None or match_key(n) in closed:
                continue
            gid = user_keys.get(match_key(n), match_key(n))
            if gid not in seen:
                seen.add(gid)
                groups.append((gid, n))
            if pcol is not None:
                try:
                    st, _ = self.flags_of(cells)
                except RowRejected:
                    st = None
                if st in (None, "open"):
                    p = parse_probability(cells[pcol])
                    if p is not None:
                        probs.setdefault(gid, []).append(p)
        own, lookup, how = export_funnel(groups, probs, sorted(set(user_keys.values())), self.spec.name,
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
        n = cell_text(v)
        if n is None:
            raise RowRejected(self.header["stage"], v, "missing stage")
        target = self.lookup.get(match_key(n))
        if target is None:
            names = sorted({st.en for st in self.funnel.all_stages} | {st.zh for st in self.funnel.all_stages}
                           | {k for k in self.spec.stages} | set(self.funnel.all_keys))
            close = difflib.get_close_matches(n, names, n=3, cutoff=0.4)
            close += [c for c in difflib.get_close_matches(n.lower(), [x.lower() for x in names], n=3, cutoff=0.4)
                      if c not in [x.lower() for x in close]]
            hint = (f"closest: {', '.join(map(repr, close[:3]))}" if close
                    else f"funnel {self.funnel.name!r} has {', '.join(self.funnel.all_keys)}")
            raise RowRejected(self.header["stage"], v, f"unknown stage {n!r} ({hint}); map it with "
                                                       f"mapping={{'stages': {{{n!r}: '<stage>'}}}}")
        return n, target

    # --- rows ------------------------------------------------------------------------------------------------
    def _reject(self, file: str, line: int, column: str, value: Any, reason: str, cells: list[Any],
                header: list[str]) -> None:
        self.rejects.append({"file": file, "line": int(line), "column": column, "value": value, "reason": reason,
                             "row": _row_dict(header, cells)})

    def run_rows(self) -> None:
        """Import every data row: a column at a time where :mod:`simfunnel.crm.columnar` can, else row by row
        (:meth:`_row`); the records end as columns (``self.rec``), in file order."""
        self.bad_probability = 0
        self.early_expected = 0
        if not import_columns(self):
            self.run_slow(range(len(self.table.rows)), {})
            self.rec = record_columns(self.records)
        self._after_rows()

    def run_slow(self, rows: Any, seen_ids: dict[str, int]) -> list[int]:
        """Import the data rows of indices ``rows`` one by one (records to ``self.records``, or rejects); returns the
        indices of the rows imported."""
        t = self.table
        kept = []
        for i in rows:
            line, cells = t.lines[i], t.rows[i]
            try:
                self.records.append(self._row(i, line, cells, seen_ids))
                kept.append(i)
            except RowRejected as err:
                footer = report_footer(cells)
                why = err if footer is None else RowRejected("", footer, f"report footer or total line {footer!r}, "
                                                                         "not a deal")
                self._reject(self.short, line, why.column, why.value, why.reason, cells, t.header)
        return kept

    def _after_rows(self) -> None:
        R = self.rec
        if self.bad_probability:
            self.warnings.append(f"{self.bad_probability} unreadable probabilities ignored "
                                 f"(column {self.header['probability']!r})")
        priced = int((R["amount_source"] == "price_list").sum())
        if self.prices is not None:
            self.warnings.append(
                f"{priced} amounts without a value{' (blank or 0)' if self.prices.fill_zero else ''} in the export "
                "taken from the price list "
                f"{Path(self.prices.name).name} (column {self.prices.key_col!r}): list prices, not negotiated "
                "amounts (deal column amount_source says which)")
        pipelines = {p for p in pd.unique(R["pipeline"]) if p} if "pipeline" in R else set()
        if len(pipelines) > 1:
            shown = ", ".join(sorted(map(str, pipelines))[:5])
            self.warnings.append(f"deals from {len(pipelines)} pipelines ({shown}) share one funnel; filter one "
                                 "pipeline first if their stages differ (deal column pipeline)")
        if self.early_expected:
            self.warnings.append(f"{self.early_expected} open deals expect to close before they were created "
                                 "(kept as written)")
        for kind, lines in self.flag_conflicts.items():
            shown = ", ".join(str(x) for x in lines[:5]) + (" …" if len(lines) > 5 else "")
            self.warnings.append(f"{len(lines)} rows where {kind}: the stage decides, as in the CRM (lines {shown}; "
                                 "--trust-flags rejects them instead)")

    def _row(self, i: int, line: int, cells: list[Any], seen_ids: dict[str, int]) -> dict[str, Any]:
        t = self.table
        if t.truncated == i:
            raise RowRejected("", "", "row cut inside a quoted cell: unterminated quote running to the end of the "
                                      "file (a truncated export?)")
        if i in t.long_rows:
            raise RowRejected("", "", f"row has {t.long_rows[i]} cells but the header has {len(t.header)} columns "
                                      "(an unquoted separator in a cell?)")
        if "id" in self.cols:
            deal_id = cell_text(self.cell(cells, "id"))
            if deal_id is None:
                raise RowRejected(self.header["id"], self.cell(cells, "id"), "missing id")
            if deal_id in seen_ids:
                raise RowRejected(self.header["id"], deal_id, f"duplicate id {deal_id!r} (first on line "
                                                               f"{seen_ids[deal_id]})")
            seen_ids[deal_id] = line
        else:
            deal_id = f"line-{line}"
        stage_name, target = self._stage(cells)
        flag, flag_col = self.flags_of(cells)
        stage_status = target if target in (WON, LOST) else "open"
        if flag_col == "flags_disagree":
            kind = (f"{self.header['is_won']} is true but {self.header['is_closed']} is false (the stage says "
                    f"{stage_status})")
            self.flag_conflicts.setdefault(kind, []).append(line)
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
            if self.trust_flags:
                raise RowRejected(col, value, f"won/lost contradiction: stage {stage_name!r} ({stage_status}) "
                                              f"contradicts {col} = {value!r} ({flag})")
            # the stage decides, as in the CRM: kept with the stage's status, counted per kind of contradiction
            kind = f"{col} says {flag} but the stage says {stage_status}"
            self.flag_conflicts.setdefault(kind, []).append(line)
            status = stage_status
        stage = status if status in (WON, LOST) else target
        # amount and currency
        amount_source = "export"
        cur = None
        raw = self.cell(cells, "amount")
        amount = None
        if "amount" in self.cols and not is_blank(raw):
            amount, cur = self.amounts.parse(raw)
            if amount is None:
                raise RowRejected(self.header["amount"], raw, f"unreadable amount {raw!r}")
            if amount < 0:
                raise RowRejected(self.header["amount"], raw, f"negative amount {raw!r}")
        if amount is None or (amount == 0 and self.prices is not None and self.prices.fill_zero):
            if self.prices is None:
                raise RowRejected(self.header.get("amount", "amount"), raw, "missing amount")
            amount = self.prices.price(cells[self._price_key])
            amount_source, cur = "price_list", self.prices.currency
        if "currency" in self.cols:
            code = currency_code(self.cell(cells, "currency"))
            merged = merge_currency(code, cur)
            if merged is False:
                shown = resolve_currency_symbol(cur, None)
                raise RowRejected(self.header["currency"], self.cell(cells, "currency"),
                                  f"amount {raw!r} is in {shown} but the currency column says {code}")
            cur = merged
        # dates
        created = UNDATED if self.undated else self._date(cells, "created", "created")
        created_assumed = False
        days = parse_days(self.cell(cells, "days"), self.header["days"]) if "days" in self.cols else None
        if created is None and self.days_for == "created":
            created = self._created_from_days(cells, status, days)
        if created is None:
            if self.as_of is None:
                raise RowRejected(self.header["created"], self.cell(cells, "created"),
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
            closed_date = closed_date or main_close or (UNDATED if self.undated else None)
            if closed_date is None and self.days_for == "closed" and days is not None:
                closed_date = created + dt.timedelta(days=days)
            if closed_date is None:
                col = self.header.get(f) or self.header.get("closed") or "closed"
                raise RowRejected(col, "", f"{status} deal without a close date")
            if closed_date < created:
                col = self.header.get(f) if self._date(cells, f, "") == closed_date and f in self.cols \
                    else self.header.get("closed", "")
                raise RowRejected(col, str(closed_date),
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
            "account_id": cell_text(self.cell(cells, "account")), "owner": cell_text(self.cell(cells, "owner")),
        }
        if self.as_of is not None:
            rec["created_assumed"] = created_assumed
        if "days" in self.cols:
            rec["days"] = days
        if "probability" in self.cols:
            p = parse_probability(self.cell(cells, "probability"))
            if p is None and not is_blank(self.cell(cells, "probability")):
                self.bad_probability += 1
            rec["crm_probability"] = p
        for f, ci in self.kept_fields:
            rec[f] = cell_text(cells[ci])
        return rec

    # --- currency ----------------------------------------------------------------------------------------------
    def settle_currency(self, currency: str | None) -> None:
        R = self.rec
        keep, counts, warned = choose_currency(R["currency"], currency, DEFAULT_CURRENCY)
        self.warnings.extend(warned)
        if any(c != keep for c in counts):
            listing = ", ".join(f"{c} {n}" for c, n in sorted(counts.items(), key=lambda kv: -kv[1]))
            why = "the chosen currency" if currency else "the most common currency"
            reason = f"several currencies: {listing}; convert or filter first (kept {keep}, {why})"
            other = np.array([bool(c) and c != keep for c in R["currency"]], dtype=bool)
            row_of = {ln: i for i, ln in enumerate(self.table.lines)}
            col = self.header.get("currency", self.header.get("amount", ""))
            for j in np.flatnonzero(other):
                c, line = R["currency"][j], int(R["line"][j])
                self._reject(self.short, line, col, c, f"currency {c}: {reason}", self.table.rows[row_of[line]],
                             self.table.header)
            self.rec = {k: v[~other] for k, v in R.items()}
            if self.known_codes:  # the same rows out of the column import's date and owner codes
                self.known_codes = {k: (codes[~other], days) for k, (codes, days) in self.known_codes.items()}
            self.warnings.append(f"{reason}: {sum(n for c, n in counts.items() if c != keep)} rows rejected")
        self.currency = keep

    # --- stage history (Salesforce Opportunity History) ------------------------------------------------------------
    def _read_history(self, src: Any, encoding: str | None, sep: str | None) -> list[tuple]:
        hname = display_name(src)
        hshort = Path(hname).name if not isinstance(src, pd.DataFrame) else "history DataFrame"
        self.hshort = hshort
        hint = [a for al in HISTORY_COLUMNS.values() for a in al]
        t = read_table(src, encoding=encoding, sep=sep, sheet=None, hint=hint)
        found = {}
        for i, h in enumerate(t.header):
            found.setdefault(match_key(h), i)
        cols: dict[str, int] = {}
        for f, column in self.history_fields.items():  # the user's mapping first
            if match_key(column) not in found:
                raise CRMImportError(f"{hname}: mapping 'history' {f!r}: no column {column!r} in the stage history; "
                                     f"columns found: {', '.join(map(repr, t.header))}")
            cols[f] = found[match_key(column)]
        for f, aliases in HISTORY_COLUMNS.items():
            if f in cols:
                continue
            for a in aliases:
                if match_key(a) in found and found[match_key(a)] not in cols.values():
                    cols[f] = found[match_key(a)]
                    break
            if f not in cols and f != "from":
                raise CRMImportError(f"{hname}: no {f} column in the stage history (looked for "
                                     f"{', '.join(map(repr, aliases))}); columns found: "
                                     f"{', '.join(map(repr, t.header))}")
        dates = DateColumn(r[cols["date"]] for r in t.rows)
        self._decide_date_order({"date": dates}, self._dayfirst, {"date": t.header[cols["date"]]}, hshort)
        by_id = set(self.rec["deal_id"].tolist())
        rejected_ids = {}
        if "id" in self.cols:
            for rj in self.rejects:
                v = cell_text(rj["row"].get(self.header["id"]))
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
            oid, raw = cell_text(cells[cols["id"]]), cells[cols["date"]]
            d = dates.parse(raw) if oid is not None and not is_blank(raw) else None
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
                    raise RowRejected("", "", "row cut inside a quoted cell or with more cells than the header")
                oid = cell_text(cells[cols["id"]])
                if oid is None:
                    raise RowRejected(H[cols["id"]], cells[cols["id"]], "missing opportunity id")
                if oid not in by_id:
                    why = (f"opportunity {oid!r} was rejected in {self.short} (line {rejected_ids[oid]})"
                           if oid in rejected_ids else f"unknown opportunity {oid!r} (not in {self.short})")
                    raise RowRejected(H[cols["id"]], oid, why)
                raw = cells[cols["date"]]
                d = dates.parse(raw) if not is_blank(raw) else None
                if d is None:
                    raise RowRejected(H[cols["date"]], raw, f"unreadable date {raw!r}" if not is_blank(raw)
                                      else "missing date")
                to_name = cell_text(cells[cols["stage"]])
                if to_name is None:
                    raise RowRejected(H[cols["stage"]], cells[cols["stage"]], "missing stage")
                to = self.lookup.get(match_key(to_name))
                if to is None:
                    raise RowRejected(H[cols["stage"]], to_name, f"unknown stage {to_name!r}")
                frm = None
                if "from" in cols and cell_text(cells[cols["from"]]) is not None:
                    fn = cell_text(cells[cols["from"]])
                    frm = self.lookup.get(match_key(fn))
                    if frm is None:
                        raise RowRejected(H[cols["from"]], fn, f"unknown stage {fn!r}")
                elif oid in last:
                    frm = last[oid][1]
                if oid in last and d < last[oid][0]:
                    raise RowRejected(H[cols["date"]], raw,
                                      f"out of date order: opportunity {oid!r} changes on {d}, before its previous "
                                      f"change on {last[oid][0]} (line order is not chronological)")
                last[oid] = (d, to)
                out.append((oid, d, frm, to, line))
            except RowRejected as r:
                self._reject(hshort, line, r.column, r.value, r.reason, cells, H)
        return out

    # --- the History ---------------------------------------------------------------------------------------
    def finish(self, history: Any, *, encoding: str | None, sep: str | None, sheet: Any) -> ImportResult:
        hist_rows = self._read_history(history, encoding, sep) if history is not None else None
        R = self.rec
        n = len(R["deal_id"])
        # each date column's distinct dates (None the code -1), found once (or by the column import): for the
        # first date and the weeks
        known = {k: f for k, f in (self.known_codes or {}).items() if len(f[0]) == n}
        created, closed, expected = (known.get(k) or pd.factorize(R[k], use_na_sentinel=True)
                                     for k in ("created", "closed", "expected"))
        dates = [d for codes, uniq in (created, closed) for d in uniq[np.bincount(codes[codes >= 0],
                                                                                  minlength=len(uniq)) > 0]]
        if self.as_of is not None and n:
            assumed = int(sum(bool(x) for x in R["created_assumed"]))
            if assumed:
                self.warnings.append(f"{assumed} deals without a created date dated at as_of {self.as_of} "
                                     "(deal column created_assumed): their age in the funnel is unknown")
        zero = int(((R["amount"].astype(float) == 0) & (R["amount_source"] == "export")).sum()) if n else 0
        if zero:
            self.warnings.append(
                f"{zero} deals have an amount of 0 in the export (some CRMs, Pipedrive among them, write 0 when no "
                "value was entered): they fall below any threshold; fill them or filter them out")
        if hist_rows:
            dates += [h[1] for h in hist_rows]
        if self.undated:
            self.warnings.append(UNDATED_NOTE)
            if "days" in self.cols:
                self.warnings.append(f"days in pipeline (column {self.header['days']!r}) kept as the deal column "
                                     "days: with no created or close date they cannot date the deals")
        origin = min(dates) if dates else dt.date.today()
        week0 = origin - dt.timedelta(days=origin.weekday())

        def week(d: dt.date | None) -> Any:
            return pd.NA if d is None else (d - week0).days // 7

        def weeks(factorized: tuple[np.ndarray, np.ndarray]) -> pd.arrays.IntegerArray:  # each distinct date once
            codes, uniq = factorized
            per = np.array([0 if d is None else (d - week0).days // 7 for d in uniq] + [0], dtype=np.int64)
            return pd.arrays.IntegerArray(per[codes], codes < 0)

        deals = pd.DataFrame({
            "deal_id": pd.Series(R["deal_id"], dtype=object),
            "account_id": pd.Series(R["account_id"], dtype=object),
            "owner": _owners(R["owner"], known.get("owner")),
            "amount": pd.Series(R["amount"], dtype=float),
            "created_week": pd.Series(weeks(created).to_numpy(dtype=np.int64), dtype="int64"),
            "stage": pd.Series(R["stage"], dtype=object),
            "status": pd.Series(R["status"], dtype=object),
            "closed_week": weeks(closed),
            "expected_close_week": weeks(expected),
            "win_rate_override": pd.Series(np.full(n, np.nan), dtype=float),
            "paid_week": pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)),
        })
        extra = ["name", "crm_stage", "crm_probability", "forecast_category", "pipeline", "lost_reason",
                 "product", "amount_source", "created_assumed", "days", "line"]
        extra += [f for f in self.cols if f not in FIELDS]
        for f in extra:
            if n and f in R:  # text columns as they are; the others as lists (pandas infers float, int, bool)
                deals[f] = (R[f].astype(np.int64) if f == "line" else R[f].tolist()) if f in AS_LISTS else R[f]
        events = self._events(R, hist_rows, week)
        end_week = int(max([0, *(s.max() for s in (deals.created_week, deals.closed_week.dropna(), events.week)
                                 if len(s)),
                            *([week(self.as_of)] if self.as_of is not None and self.as_of >= week0 else [])]))
        try:
            h = History(deals, events, funnel=self.funnel, currency=self.currency,
                        start_week=max(0, end_week - PERIOD_WEEKS), end_week=end_week,
                        meta={"source": self.spec.name, "file": self.short, "week0": week0.isoformat(),
                              **({"undated": True} if self.undated else {})})
        except ValueError as exc:  # a bug in the importer, not in the file: still name the file
            raise CRMImportError(f"{self.name}: imported tables are inconsistent ({exc})") from None
        rejects = pd.DataFrame(self.rejects, columns=list(REJECT_COLUMNS))
        rejects["line"] = rejects["line"].astype("int64")
        rejects = rejects.sort_values(["file", "line"], kind="stable", key=lambda s: s if s.name == "line" else
                                      (s != self.short).astype(int)).reset_index(drop=True)
        main = rejects[rejects.file == self.short]
        status = h.deals.status.value_counts().to_dict()
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

    def _events(self, R: dict[str, np.ndarray], hist_rows: list[tuple] | None, week: Any) -> pd.DataFrame:
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
            by_id = dict(zip(R["deal_id"].tolist(), R["stage"].tolist()))
            off = [(o, s, by_id[o]) for o, s in ends.items() if by_id[o] != s]
            if off:
                o, s, now = off[0]
                self.warnings.append(f"{len(off)} opportunities end their stage history in another stage than "
                                     f"{self.short} says (e.g. {o}: history {s}, export {now})")
        else:
            has_from = np.not_equal(R["close_from"], None)
            for j in np.flatnonzero(has_from):
                if R["closed"][j] is not None:
                    rows.append((R["deal_id"][j], week(R["closed"][j]), R["close_from"][j], R["stage"][j],
                                 outcome(R["close_from"][j], R["stage"][j]), "closed in CRM"))
            if ((R["status"] != "open") & ~has_from).any():
                self.warnings.append("no stage history: closed deals have no closing event and the weekly "
                                     "snapshots show each deal in its current stage from its creation week")
        return pd.DataFrame(rows, columns=["deal_id", "week", "from_stage", "to_stage", "outcome", "action"]) \
            .astype({"week": "int64"}) if rows else pd.DataFrame(
            {"deal_id": pd.Series(dtype=object), "week": pd.Series(dtype="int64"),
             "from_stage": pd.Series(dtype=object), "to_stage": pd.Series(dtype=object),
             "outcome": pd.Series(dtype=object), "action": pd.Series(dtype=object)})
