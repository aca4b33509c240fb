"""Reading a CRM export file into a :class:`Table` of header, rows and file lines.

CSV/TSV text in UTF-8 (with or without BOM), UTF-16 or GB18030/GBK, the separator sniffed (comma,
semicolon, tab); .xlsx workbooks and their sheets; the header row found below report titles and
report footers (Total, Copyright …) told apart from deals. Also the two refusals,
:class:`CRMImportError` (a file that cannot be imported at all) and :class:`RowRejected` (one row,
with its column, value and reason), and the price table :class:`PriceList` that fills amounts an
export lacks.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import gc
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simfunnel.crm.cells import AmountColumn, cell_text, is_blank, match_key, merge_currency

__all__ = ["CRMImportError", "FrameRows", "PriceList", "RowRejected", "Table", "display_name", "gc_paused", "parse_days", "read_table",
           "report_footer"]


class CRMImportError(ValueError):
    """A CRM file that cannot be imported at all (unreadable, no table, a required column missing)."""


class RowRejected(Exception):
    """One data row refused: the column and the value that decided it, and the reason (for the rejects)."""

    def __init__(self, column: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def parse_days(cell: Any, column: str) -> float | None:
    """A days-in-pipeline cell (mapping ``days``) as a number of days, 0 or more; blank: None.

    >>> parse_days("1,234", "Days"), parse_days(" ", "Days")
    (1234.0, None)
    """
    if is_blank(cell):
        return None
    try:
        days = float(str(cell).replace(",", "").strip())
    except ValueError:
        raise RowRejected(column, cell, f"unreadable days in pipeline {cell!r} (expected a number of days)") from None
    if not 0 <= days < float("inf"):
        raise RowRejected(column, cell, f"days in pipeline must be 0 or more, got {cell!r}")
    return days


# --- reading files ----------------------------------------------------------------------------------


class FrameRows:
    """A table's rows over its columns (object arrays of a CSV read by pandas' C parser): indexed and iterated as
    lists of cells like the row reader's rows; :meth:`column` is a column as an array (no row lists made)."""

    def __init__(self, columns: list[np.ndarray]) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns[0])

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [list(r) for r in zip(*(c[i] for c in self.columns))]
        return [c[i] for c in self.columns]

    def __iter__(self) -> Any:
        return (list(r) for r in zip(*self.columns))

    def column(self, j: int) -> np.ndarray:
        return self.columns[j]


@dataclass
class Table:
    """A file's table as strings/cells: header, rows and each row's file line."""

    header: list[str]
    rows: list[list[Any]]
    lines: list[int] | range  # (a range for a plain CSV read by pandas)
    encoding: str | None = None
    sep: str | None = None
    long_rows: dict[int, int] = field(default_factory=dict)  # row index -> cells beyond the header
    truncated: int | None = None  # row index of a record cut inside a quoted cell
    above: list[int] = field(default_factory=list)  # lines above the header (report titles), skipped
    sheets: list[str] = field(default_factory=list)  # a workbook's sheet names when it has several and none was named

    def column(self, j: int) -> Any:
        """Column ``j``'s cells (an array for a table read by pandas, else a list)."""
        return self.rows.column(j) if isinstance(self.rows, FrameRows) else [r[j] for r in self.rows]


def _fail(path: Any, why: str) -> CRMImportError:
    return CRMImportError(f"{path}: {why}")


def read_table(src: Any, *, encoding: str | None, sep: str | None, sheet: Any, hint: Iterable[str] = ()) -> Table:
    """Read a CSV/TSV/xlsx file (or take a DataFrame) into a :class:`Table`."""
    if isinstance(src, pd.DataFrame):
        header = [str(c) for c in src.columns]
        rows = [list(r) for r in src.itertuples(index=False, name=None)]
        return Table(header, rows, list(range(2, len(rows) + 2)))
    path = Path(src)
    if not path.exists():
        raise _fail(path, "no such file")
    if path.is_dir():
        raise _fail(path, "is a folder, not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    blank = b" \t\r\n\x00\xef\xbb\xbf"
    if not data[: 1 << 16].strip(blank) and not data.strip(blank):  # (the start first: no copy of a large file)
        raise _fail(path, "empty file: no header and no data rows")
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data, sheet, hint)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _fail(path, "an old binary Excel .xls workbook; save it as .xlsx or CSV")
    text, used, counts = _decode(path, data, encoding)
    return _read_csv_text(path, text, used, sep, hint, counts)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ud800-\udfff\ufffe\uffff]")


_CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xE000, 0xF8FF), (0xD800, 0xDFFF),
                   (0xFFFE, 0xFFFF))


def control_characters(text: str, chunk: int = 1 << 23) -> int:
    r"""How many characters of ``text`` are control, private-use or non-characters (``_CONTROL``), counted on
    code points with numpy (a regex over a large file took half a second a million rows).

    >>> control_characters("a\x01b\ue000\t\n"), len(_CONTROL.findall("a\x01b\ue000\t\n"))
    (2, 2)
    """
    if text.isascii():  # no private use or surrogates: count the ASCII controls in C
        raw = text.encode("ascii")
        return len(raw) - len(raw.translate(None, bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])))
    n = 0
    for i in range(0, len(text), chunk):
        cp = np.frombuffer(text[i: i + chunk].encode("utf-32-le", "surrogatepass"), dtype="<u4")
        n += int(sum(((cp >= lo) & (cp <= hi)).sum() for lo, hi in _CONTROL_RANGES))
    return n


def census(text: str, raw: bytes | None = None) -> dict[str, int]:
    r"""Counts in ``text`` of control characters (``"control"``, as :func:`control_characters`), NULs, line feeds,
    carriage returns and double quotes: for ASCII text with numpy over its bytes and ``str`` searches for the rare
    characters (a CR, a tab; no regex) (``raw``: those bytes, when
    the caller has them).

    ``"starts"``: the characters that begin a line after the first (ASCII text only).

    >>> census('a"\x01\r\n b')
    {'control': 1, '\x00': 0, '\n': 1, '\r': 1, '"': 1, 'starts': b' '}
    """
    if text.isascii():
        raw = text.encode("ascii") if raw is None or len(raw) != len(text) else raw
        a = np.frombuffer(raw, dtype=np.uint8)
        ends = np.flatnonzero(a == 10)
        low, lf = a < 32, len(ends)
        firsts = a[ends[ends + 1 < len(a)] + 1]  # the first character of every line after the first
        others = int(np.count_nonzero(low)) - lf  # tabs, carriage returns and control characters
        cr = text.count("\r") if "\r" in text else 0
        ctl = others - cr - (text.count("\t") if "\t" in text else 0)
        if ctl:
            ctl = int(np.count_nonzero(low & (a != 9) & (a != 10) & (a != 13)))
        ctl += int(np.count_nonzero(a == 127)) if a.max(initial=0) == 127 else 0
        return {"control": ctl, "\x00": text.count("\x00") if ctl else 0, "\n": lf, "\r": cr,
                '"': int(np.count_nonzero(a == 34)), "starts": bytes(np.flatnonzero(np.bincount(firsts, minlength=256)).tolist())}
    return {"control": control_characters(text), **{c: text.count(c) for c in '\x00\n\r"'}}


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str, dict[str, int] | None]:
    """(text, encoding used, its :func:`census` when one was taken)."""
    if encoding:
        try:
            return data.decode(encoding), encoding, None
        except (UnicodeDecodeError, LookupError) as exc:
            raise _fail(path, f"cannot be decoded as {encoding} ({exc})") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16", None
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise _fail(path, "binary data (NUL bytes), not a CSV text file")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        counts = census(text, data)
        if counts["control"] > max(8, len(text) // 20):
            raise _fail(path, f"binary data ({counts['control']} control characters), not a CSV text file")
        return text, enc, counts
    raise _fail(path, "cannot be decoded as UTF-8 or GB18030 (GBK); give encoding=")


def _sniff(text: str, sep: str | None) -> str:
    if sep:
        return sep
    head = text[: 1 << 16].splitlines()
    sample_lines = [ln for ln in (head if len(head) > 31 else text.splitlines())[:30] if ln.strip()]
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


def _read_csv_text(path: Path, text: str, enc: str, sep: str | None, hint: Iterable[str],
                   counts: dict[str, int] | None = None) -> Table:
    if text.startswith("\ufeff"):
        text, counts = text.lstrip("\ufeff"), None
    delim = _sniff(text, sep)
    plain = _read_plain_csv(path, text, delim, enc, hint, counts)
    if plain is not None:
        return plain
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
    table = Table(header, [r for _, r in body], [ln for ln, _ in body], enc, delim)
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


#: Set to 1 to read every CSV with Python's csv module and import it row by row (the reference the C parser and
#: :mod:`simfunnel.crm.columnar` are tested against).
ROWS_ENV = "SIMFUNNEL_IMPORT_ROWS"
_BLANK_LINE = re.compile(r"\n[^\S\n]+(?:\n|$)")  # a line of spaces (empty lines are found as "\n\n")


def _read_plain_csv(path: Path | None, text: str, delim: str, enc: str, hint: Iterable[str],
                    counts: dict[str, int] | None = None) -> Table | None:
    """A plain CSV (header on the first line, one record a line, every row as wide as the header, no blank
    line, quotes paired) read by pandas' C parser as text, exactly as the row reader reads it; None otherwise.
    ``counts``: the text's :func:`census`, when taken."""
    if os.environ.get(ROWS_ENV, "") not in ("", "0"):
        return None
    counts = counts or census(text)
    if counts["\r"] and counts["\r"] != text.count("\r\n"):
        return None  # old Mac line ends, or a CR inside a cell
    if counts["\x00"] or counts['"'] % 2 or not text[: text.find("\n")].strip():
        return None  # NULs, an unpaired quote, a blank header line
    # a line that starts blank (spaces, quotes) up to its end or its first separator: an empty line (not a row
    # for the row reader) or a row whose first cell is blank, told apart below
    if "starts" in counts:  # ASCII: a line that starts with a space, a quote, a separator or a line end
        starts_blank = bool(set(counts["starts"]) & set(b' "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f' + delim.encode()))
    else:
        starts_blank = re.search(r'\n(?:[^\S\n]|")*(?:' + re.escape(delim) + r'|\n)|\n(?:[^\S\n]|")+\Z', text)
    if starts_blank and ("\n\n" in text or "\n\r\n" in text or _BLANK_LINE.search(text)):
        return None
    # short rows come padded with "" (as the row reader pads them); a longer row is a ParserError
    source = path if enc in ("utf-8-sig", "utf-8") and path is not None else io.StringIO(text)
    try:
        frame = pd.read_csv(source, sep=delim, header=None, dtype=object, keep_default_na=False, na_filter=False,
                            skip_blank_lines=False, engine="c", encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError, csv.Error, UnicodeDecodeError):
        return None
    n = len(frame)
    if n != counts["\n"] + (not text.endswith("\n")) or n < 2:
        return None  # a record spans lines (a quoted line break)
    columns = [frame.iloc[:, j].to_numpy(dtype=object) for j in range(frame.shape[1])]
    if _header_index([[c[i] for c in columns] for i in range(min(n, 30))], hint) != 0:
        return None  # a report title above the header: the row reader says so
    if starts_blank:
        blank_first = np.array([not c.strip() for c in columns[0][1:]], dtype=bool)
        if blank_first.any() and any(not any(c[i + 1].strip() for c in columns) for i in np.flatnonzero(blank_first)):
            return None  # a row of empty cells is not a row for the row reader
    header = [c[0].strip().lstrip("\ufeff") for c in columns]
    return Table(header, FrameRows([c[1:] for c in columns]), range(2, n + 1), enc, delim)


def _header_index(rows: list[list[Any]], hint: Iterable[str]) -> int:
    """The header row: the first of the top rows naming the most known columns (else the first)."""
    known = {match_key(h) for h in hint}
    if not known:
        return 0
    best, best_hits = 0, 0
    for i, r in enumerate(rows):
        hits = sum(match_key(c) in known for c in r if not is_blank(c))
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def _read_xlsx(path: Path, data: bytes, sheet: Any, hint: Iterable[str]) -> Table:
    try:
        # openpyxl is heavy and only needed for .xlsx files: imported when the first one is read.
        import openpyxl  # noqa: PLC0415
    except ImportError:  # pragma: no cover - a declared dependency
        raise _fail(path, "reading .xlsx needs openpyxl (pip install openpyxl)") from None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means the workbook is unreadable
        raise _fail(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    names: list[str] = []
    try:
        if sheet is None:
            ws = wb.worksheets[0]
            names = list(wb.sheetnames) if len(wb.sheetnames) > 1 else []
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
            if any(not is_blank(c) for c in cells):
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
    table = Table(header, [], [], "xlsx", None)
    table.sheets = names
    table.above = [ln for ln, _ in fixed[:h]]
    for ln, cells in body:
        extra = cells[n:]
        if any(not is_blank(c) for c in extra):
            table.long_rows[len(table.rows)] = len(cells)
        table.rows.append((list(cells) + [None] * n)[:n])
        table.lines.append(ln)
    return table


def display_name(path: Any) -> str:
    """How a file (or a DataFrame) is named in messages."""
    return "DataFrame" if isinstance(path, pd.DataFrame) else str(path)


# --- report layout: footers and totals ---------------------------------------------------------------

_FOOTER = re.compile(r"^\s*(grand total|total|subtotal|sum|count|record count|copyright|©|\(c\)|confidential|"
                     r"generated by|合计|总计|小计|共计)", re.IGNORECASE)


def report_footer(cells: list[Any]) -> str | None:
    """The text of a report's footer/total line (Salesforce: Total, Copyright …, Generated By …), else None."""
    filled = [c for c in cells if not is_blank(c)]
    if 1 <= len(filled) <= 2 and isinstance(filled[0], str) and _FOOTER.match(filled[0]):
        return filled[0].strip()
    return None


# --- the price table ------------------------------------------------------------------------------


class PriceList:
    """Amounts looked up from a second table (e.g. a product price list)."""

    def __init__(self, key_col: str, prices: dict[str, float], currency: str | None, aliases: dict[str, str],
                 name: str) -> None:
        self.key_col, self.prices, self.currency, self.aliases, self.name = key_col, prices, currency, aliases, name
        self.fill_zero = False

    @classmethod
    def build(cls, prices: Any, pm: Mapping[str, Any] | None, fields: dict[str, str], table: Table,
              name: str) -> PriceList:
        """The price table ``prices`` read and checked against the export's ``table`` (``pm``: ``price_mapping``)."""
        pm = dict(pm or {})
        key_col = pm.get("key") or fields.get("product") or pm.get("product")
        price_key = pm.get("price_key") or pm.get("product") or key_col
        price_col = pm.get("price")
        pname = display_name(prices)
        if not key_col or not price_key or not price_col:
            raise CRMImportError("price_mapping: give 'key' (export column), 'price_key' (price-table column) "
                                 "and 'price' (price column)")
        if match_key(key_col) not in {match_key(h) for h in table.header}:
            raise CRMImportError(f"{name}: no column {key_col!r} to look prices up by; columns found: "
                                 f"{', '.join(map(repr, table.header))}")
        pt = read_table(prices, encoding=None, sep=None, sheet=None, hint=[price_key, price_col])
        where = {match_key(h): i for i, h in reversed(list(enumerate(pt.header)))}
        for c in (price_key, price_col):
            if match_key(c) not in where:
                raise CRMImportError(f"{pname}: no column {c!r} in the price table; columns found: "
                                     f"{', '.join(map(repr, pt.header))}")
        ki, pi = where[match_key(price_key)], where[match_key(price_col)]
        parser = AmountColumn(r[pi] for r in pt.rows)
        table_prices: dict[str, float] = {}
        currencies = set()
        for line, r in zip(pt.lines, pt.rows):
            k = cell_text(r[ki])
            if k is None:
                continue
            amount, cur = parser.parse(r[pi]) if not is_blank(r[pi]) else (None, None)
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
            merged = merge_currency(merged, c) if merged is not False else False
        if merged is False:
            raise CRMImportError(f"{pname}: prices in several currencies ({', '.join(sorted(currencies))})")
        aliases = {str(a): str(b) for a, b in dict(pm.get("aliases") or {}).items()}
        out = cls(key_col, table_prices, merged or None, aliases, pname)
        out.fill_zero = bool(pm.get("fill_zero", False))
        return out

    def price(self, key: Any) -> float:
        """The price of a deal's key cell (after the aliases); RowRejected when it has none."""
        k = cell_text(key)
        if k is None:
            raise RowRejected(self.key_col, key, f"missing amount, and no {self.key_col} to look a price up by")
        k = self.aliases.get(k, k)
        if k not in self.prices:
            close = difflib.get_close_matches(k, list(self.prices), n=3, cutoff=0.5)
            hint = f" (closest: {', '.join(map(repr, close))}; add an alias)" if close else ""
            raise RowRejected(self.key_col, key, f"missing amount, and product {k!r} is not in the price list "
                                                 f"{Path(self.name).name}{hint}")
        return self.prices[k]


@contextlib.contextmanager
def gc_paused() -> Any:
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
