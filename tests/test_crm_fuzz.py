"""Fuzzing the CRM importer: random CSV shapes never lose a row and never raise anything but CRMImportError.

Random headers (missing, extra, duplicated required columns), random cells (numbers, dates in
several forms, amounts with symbols, quotes, separators, control characters, Chinese text), random
separators and encodings, and plain random bytes. Each file either imports with
``rows_read == imported + rejected == data rows`` (counted here independently with the csv module)
or raises :class:`CRMImportError`.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simfunnel.crm import CRMImportError, load

# CRM_FUZZ_EXAMPLES=5000 for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("CRM_FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

GENERIC = {"id": "ID", "stage": "Stage", "amount": "Amount", "created": "Created", "closed": "Closed"}
SF_COLUMNS = ["Id", "StageName", "Amount", "CreatedDate", "CloseDate", "IsClosed", "IsWon", "CurrencyIsoCode",
              "Probability", "Opportunity Name", "Stage", "Close Date", "Created Date"]
STAGES = ["Won", "Lost", "Evaluation", "Commitment", "需求", "赢单", "Closed Won", "Closed Lost", "Prospecting",
          "Negotiation/Review", "Qualification", "Nope", "", " won "]
CELLS = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "1,234.50", "€1.234,50", "¥1,000", "￥2", "$5", "USD 7", "1 234", "TBD",
                     "2024-01-08", "3/5/2024 2:30 PM", "13/05/2024", "05.03.2024", "2024/3/5", "2025-02-30",
                     "true", "false", "EUR", "USD", "CNY", "100%", "=1+1", '"', "a\nb", "NaN", "inf", "1e308",
                     "9" * 40]),
    st.sampled_from(STAGES),
    st.integers(-10**6, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)

DATES = st.sampled_from(["2024-01-08", "2024-02-05T10:00:00Z", "3/5/2024 2:30 PM", "13/05/2024", "05.03.2024",
                         "2024/3/5", "2025-02-30", "", "6/14/2024", "2023-12-31"])
TYPED = {
    "ID": st.sampled_from(["A", "B", "C", "D", "E", "", "1", "1.0"]),
    "Id": st.sampled_from(["A", "B", "C", "D", "E", "", "1", "1.0"]),
    "Stage": st.sampled_from(STAGES), "StageName": st.sampled_from(STAGES),
    "Amount": st.sampled_from(["100", "1,234.50", "€1.234,50", "¥1,000", "$5", "USD 7", "", "-3", "TBD", "0"]),
    "Created": DATES, "Closed": DATES, "CreatedDate": DATES, "CloseDate": DATES, "Close Date": DATES,
    "Created Date": DATES,
    "IsClosed": st.sampled_from(["true", "false", "", "maybe"]), "IsWon": st.sampled_from(["true", "false", ""]),
    "Currency": st.sampled_from(["USD", "EUR", "", "CNY"]), "CurrencyIsoCode": st.sampled_from(["USD", "EUR", ""]),
    "Status": st.sampled_from(["open", "won", "lost", "", "paused"]),
    "Probability": st.sampled_from(["10", "50%", "", "x", "100"]),
}


def _data_rows(text: str, sep: str) -> int:
    """Data rows as the importer counts them: non-blank records after the first non-blank one."""
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=sep)
            if any(c.strip() for c in r)]
    return max(0, len(rows) - 1)


def _check(path: Path, text: str | None, sep: str | None, **kw) -> None:
    try:
        result = load(path, sep=sep, **kw)
    except CRMImportError as err:
        assert path.name in str(err) or "mapping" in str(err) or "source" in str(err), str(err)
        return
    s = result.summary
    assert s["rows_read"] == s["imported"] + s["rejected"]
    assert s["imported"] == len(result.history.deals)
    assert s["rejected"] == int((result.rejects.file == path.name).sum())
    if text is not None and sep is not None:
        assert s["rows_read"] + s.get("skipped_above_header", 0) == _data_rows(text, sep), (s, text)
    assert set(result.history.deals.status.astype(str)) <= {"open", "won", "lost"}
    assert (result.history.deals.amount >= 0).all()


@st.composite
def tables(draw, required, optional=()):
    """Header: each required column with probability 0.95, some optional/extra/blank/duplicate ones, shuffled."""
    header = [c for c in required if draw(st.integers(0, 19)) > 0]
    header += draw(st.lists(st.sampled_from(list(optional) + ["Extra", "备注", ""] + list(required)), max_size=4))
    header = draw(st.permutations(header))
    n = draw(st.integers(0, 12))
    rows = []
    for _ in range(n):
        row = [draw(st.one_of(TYPED.get(h, CELLS), CELLS) if draw(st.integers(0, 4)) == 0 else TYPED.get(h, CELLS))
               for h in header]
        cut = draw(st.sampled_from([0, 0, 0, 0, -1, 1]))  # sometimes a cell short or a cell too many
        row = row[:cut] if cut < 0 else row + [draw(CELLS)] * cut
        rows.append(row)
    return header, rows


def _render(header, rows, sep: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def _write(text_or_bytes, encoding: str = "utf-8") -> Path:
    d = Path(tempfile.mkdtemp(prefix="crmfuzz"))
    path = d / "fuzz.csv"
    data = text_or_bytes if isinstance(text_or_bytes, bytes) else text_or_bytes.encode(encoding, "replace")
    path.write_bytes(data)
    return path


@SETTINGS
@given(tables(list(GENERIC.values()), ["Currency", "Status"]), st.sampled_from([",", ";", "\t"]),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), st.booleans())
def test_generic_random_tables(table, sep, encoding, with_stage_map):
    header, rows = table
    text = _render(header, rows, sep)
    path = _write(text, encoding)
    mapping = dict(GENERIC)
    if with_stage_map:
        mapping["stages"] = {"Nope": "won", "需求": "evaluation"}
    for col in ("Currency", "Status"):
        if col in header:
            mapping[col.lower()] = col
    decoded = path.read_bytes().decode(encoding)
    _check(path, decoded if decoded.encode(encoding) == path.read_bytes() else None, sep, source="generic",
           mapping=mapping, funnel="key-account", encoding=encoding)


@SETTINGS
@given(tables(["StageName", "Amount", "CreatedDate"], SF_COLUMNS), st.sampled_from([",", ";", "\t"]), st.sampled_from([None, "USD", "EUR"]),
       st.sampled_from([None, True, False]))
def test_salesforce_random_tables(table, sep, currency, dayfirst):
    header, rows = table
    text = _render(header, rows, sep)
    path = _write(text)
    _check(path, text, sep, source="salesforce", currency=currency, dayfirst=dayfirst)


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["generic", "salesforce", "hubspot", "pipedrive", "odoo"]),
       st.sampled_from(["x.csv", "x.xlsx", "x.tsv"]))
def test_random_bytes(data, source, name):
    path = _write(data).with_name(name)
    path.write_bytes(data)
    mapping = GENERIC if source == "generic" else None
    _check(path, None, None, source=source, mapping=mapping)


@SETTINGS
@given(tables(list(GENERIC.values())), st.binary(min_size=1, max_size=40), st.integers(0, 10**6))
def test_csv_with_random_bytes_spliced_in(table, junk, where):
    header, rows = table
    data = bytearray(_render(header, rows, ",").encode("utf-8"))
    at = where % (len(data) + 1)
    data[at:at] = junk
    path = _write(bytes(data))
    _check(path, None, None, source="generic", mapping=GENERIC, funnel="key-account")


@pytest.mark.parametrize("source", ["salesforce", "hubspot", "pipedrive", "odoo"])
def test_every_source_on_a_header_only_file(tmp_path, source):
    """A header with no data rows: an empty import or a clear error, never a crash."""
    path = tmp_path / "h.csv"
    path.write_text("Id,StageName,Amount,CreatedDate,Record ID,Deal Stage,Create Date,Deal - ID,Deal - Stage,"
                    "Deal - Deal created,Deal - Value,Stage,Expected Revenue,Created on\n", "utf-8")
    try:
        r = load(path, source=source)
    except CRMImportError as err:
        assert "h.csv" in str(err)
    else:
        assert r.summary["rows_read"] == 0 and len(r.history.deals) == 0
