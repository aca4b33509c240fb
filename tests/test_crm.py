"""simfunnel.crm: files as people have them, row accounting, rejects, history, CLI (issue 4 point 1).

Every file here is written in tmp_path by the test itself; the vendors' real layouts are in
tests/test_crm_sources.py with tests/fixtures/crm/.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simfunnel import Funnel, crm
from simfunnel.crm import CRMImportError, load

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "crm"

MAP = {"id": "ID", "stage": "Stage", "amount": "Amount", "created": "Created", "closed": "Closed"}
KA = Funnel.preset("key-account")

ROWS = [  # id, stage, amount, created, closed
    ("D1", "赢单", "￥1,280,000.00", "2024-01-08", "2024-03-01"),
    ("D2", "丢单", "¥356,000", "2024-01-22", "2024-02-26"),
    ("D3", "评估比较", "1 234", "2024-02-05", "2024-06-30"),
    ("D4", "Commitment", "¥1,234.50", "2024-02-12", ""),
]


def _write(path: Path, rows, header=("ID", "Stage", "Amount", "Created", "Closed"), *, sep=",",
           encoding="utf-8", bom=False) -> Path:
    lines = [sep.join(header)] + [sep.join(_q(c, sep) for c in r) for r in rows]
    data = ("\n".join(lines) + "\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _q(cell: str, sep: str) -> str:
    return f'"{cell}"' if sep in cell or '"' in cell else cell


def _accounted(result) -> None:
    s = result.summary
    assert s["rows_read"] == s["imported"] + s["rejected"]
    assert s["imported"] == len(result.history.deals)
    assert s["rejected"] == int((result.rejects.file == s["file"]).sum())


# --- encodings and separators --------------------------------------------------------------------------


def test_gbk_file_with_chinese_stages_and_yuan_amounts(tmp_path):
    rows = [tuple(c.replace("¥", "￥") for c in r) for r in ROWS]  # GBK has the full-width yuan sign only
    path = _write(tmp_path / "gbk.csv", rows, header=("编号", "阶段", "金额", "创建", "结单"), encoding="gbk")
    mapping = {"id": "编号", "stage": "阶段", "amount": "金额", "created": "创建", "closed": "结单"}
    r = load(path, mapping=mapping, funnel=KA)
    _accounted(r)
    assert r.summary["rejected"] == 0 and r.encoding == "gb18030"
    d = r.history.deals.set_index("deal_id")
    assert d.amount.to_dict() == {"D1": 1_280_000.0, "D2": 356_000.0, "D3": 1234.0, "D4": 1234.5}
    assert d.stage.astype(str).to_dict() == {"D1": "won", "D2": "lost", "D3": "evaluation", "D4": "commitment"}
    assert r.history.currency == "CNY"


def test_utf8_bom_does_not_stick_to_the_first_header(tmp_path):
    path = _write(tmp_path / "bom.csv", ROWS, bom=True)
    r = load(path, mapping=MAP, funnel=KA)
    assert sorted(r.history.deals.deal_id) == ["D1", "D2", "D3", "D4"]


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separators_are_sniffed(tmp_path, sep):
    rows = [("D1", "Won", "€1.234,50", "05.03.2024", "20.03.2024"),
            ("D2", "Evaluation", "€12.000,00", "13.03.2024", "01.06.2024"),
            ("D3", "Lost", "€999,99", "01.02.2024", "03.03.2024")]
    path = _write(tmp_path / "eu.csv", rows, sep=sep)
    r = load(path, mapping=MAP, funnel=KA)
    _accounted(r)
    d = r.history.deals.set_index("deal_id")
    assert d.amount.to_dict() == {"D1": 1234.5, "D2": 12000.0, "D3": 999.99}
    assert r.history.currency == "EUR"
    # 05.03.2024 is 5 March: D1 created 4 weeks after D3's 1 February
    assert d.created_week["D1"] - d.created_week["D3"] == 5


def test_amount_formats(tmp_path):
    rows = [("A", "Won", "$1,234.56", "2024-01-01", "2024-01-09"),
            ("B", "Won", "USD 1,234", "2024-01-01", "2024-01-09"),
            ("C", "Won", "1 234", "2024-01-01", "2024-01-09"),
            ("D", "Won", "1234.5 USD", "2024-01-01", "2024-01-09")]
    r = load(_write(tmp_path / "a.csv", rows), mapping=MAP, funnel=KA)
    assert r.history.deals.set_index("deal_id").amount.to_dict() == {"A": 1234.56, "B": 1234.0, "C": 1234.0,
                                                                      "D": 1234.5}
    assert r.history.currency == "USD"


def test_bad_amounts_are_rejected_with_reasons(tmp_path):
    rows = [("A", "Won", "TBD", "2024-01-01", "2024-01-09"),
            ("B", "Won", "-500", "2024-01-01", "2024-01-09"),
            ("C", "Won", "", "2024-01-01", "2024-01-09"),
            ("D", "Won", "500", "2024-01-01", "2024-01-09")]
    r = load(_write(tmp_path / "a.csv", rows), mapping=MAP, funnel=KA)
    _accounted(r)
    reasons = dict(zip(r.rejects.line, r.rejects.reason))
    assert "unreadable amount" in reasons[2] and "negative amount" in reasons[3] and "missing amount" in reasons[4]
    assert r.rejects.set_index("line").column[2] == "Amount"
    assert r.rejects.row[0]["ID"] == "A"


# --- dates ---------------------------------------------------------------------------------------------------


def test_day_first_detected_from_a_day_above_12(tmp_path):
    rows = [("A", "Won", "1", "03/02/2024", "25/03/2024"), ("B", "Won", "1", "04/03/2024", "05/04/2024")]
    r = load(_write(tmp_path / "d.csv", rows), mapping=MAP, funnel=KA)
    d = r.history.deals.set_index("deal_id")
    # 3 Feb and 4 March: 30 days apart
    assert d.created_week["B"] - d.created_week["A"] in (4, 5)
    assert not any("could be day-first or month-first" in w for w in r.warnings)


def test_ambiguous_dates_warn_naming_the_column_and_follow_dayfirst(tmp_path):
    rows = [("A", "Won", "1", "03/02/2024", "04/03/2024"), ("B", "Won", "1", "01/02/2024", "02/03/2024")]
    path = _write(tmp_path / "d.csv", rows)
    r = load(path, mapping=MAP, funnel=KA)  # generic: day-first assumed
    assert any("'Created'" in w and "day-first" in w for w in r.warnings)
    d = r.history.deals.set_index("deal_id")
    assert d.created_week["A"] - d.created_week["B"] == 0  # 3 and 1 February
    m = load(path, mapping=MAP, funnel=KA, dayfirst=False)
    assert not any("could be" in w for w in m.warnings)
    dm = m.history.deals.set_index("deal_id")
    assert dm.created_week["A"] - dm.created_week["B"] == 8  # 2 March and 2 January


def test_salesforce_report_dates_are_month_first_when_ambiguous(tmp_path):
    header = ("Opportunity Name", "Stage", "Amount", "Created Date", "Close Date")
    rows = [("X", "Prospecting", "$1,000.00", "3/5/2024 2:30 PM", "4/6/2024")]
    r = load(_write(tmp_path / "sf.csv", rows, header=header), source="salesforce")
    assert any("month-first" in w and "Created Date" in w for w in r.warnings)
    d = r.history.deals.iloc[0]
    assert d.expected_close_week - d.created_week == 4  # 5 March -> 6 April


def test_iso_excel_and_other_date_forms():
    p = crm.cells.DateColumn(["x"])
    p.dayfirst = False
    import datetime as dt

    want = dt.date(2024, 3, 5)
    for text in ("2024-03-05", "2024/03/05", "2024-03-05T10:00:00.000Z", "3/5/2024 2:30 PM", "2024年3月5日",
                 "Mar 5, 2024", "5 March 2024", 45356, dt.datetime(2024, 3, 5, 9)):
        assert p.parse(text) == want, text
    p.dayfirst = True
    assert p.parse("05.03.2024") == want and p.parse("05/03/2024 14:30") == want
    assert p.parse("2025-02-30") is None and p.parse("next week") is None


def test_close_before_create_is_rejected(tmp_path):
    rows = [("A", "Won", "1", "2024-03-01", "2024-02-01"), ("B", "Won", "1", "2024-01-01", "2024-02-01")]
    r = load(_write(tmp_path / "c.csv", rows), mapping=MAP, funnel=KA)
    _accounted(r)
    assert r.rejects.line.tolist() == [2] and "before the created date" in r.rejects.reason[0]


def test_unreadable_date_is_rejected(tmp_path):
    rows = [("A", "Won", "1", "soon", "2024-02-01"), ("B", "Evaluation", "1", "2024-01-01", "2024-02-30")]
    r = load(_write(tmp_path / "c.csv", rows), mapping=MAP, funnel=KA)
    assert r.summary["imported"] == 0
    assert all("unreadable" in x and "date" in x for x in r.rejects.reason)


# --- xlsx ---------------------------------------------------------------------------------------------------


def test_xlsx_round_trip_with_real_dates_and_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(["Pipeline report"])  # a title row above the header
    ws.append(list(MAP.values()))
    ws.append(["D1", "Won", 1234.5, dt.datetime(2024, 1, 8, 9, 30), dt.datetime(2024, 2, 5)])
    ws.append(["D2", "Evaluation", "¥2,000", dt.datetime(2024, 1, 15), None])
    ws.append(["D3", "Evaluation", None, dt.datetime(2024, 1, 15), None])
    path = tmp_path / "deals.xlsx"
    wb.save(path)
    r = load(path, mapping=MAP, funnel=KA, currency="CNY")
    _accounted(r)
    d = r.history.deals.set_index("deal_id")
    assert d.amount.to_dict() == {"D1": 1234.5, "D2": 2000.0}
    assert d.closed_week["D1"] == 4 and d.created_week["D2"] == 1
    assert r.rejects.line.tolist() == [5]  # the sheet row
    assert r.summary["skipped_above_header"] == 1 and any("line 1" in w for w in r.warnings)
    assert load(path, mapping=MAP, funnel=KA, sheet="Deals").summary == r.summary


# --- currencies -------------------------------------------------------------------------------------------


def test_several_currencies_are_never_summed(tmp_path):
    rows = [("A", "Won", "$100", "2024-01-01", "2024-01-09"), ("B", "Won", "€200", "2024-01-01", "2024-01-09"),
            ("C", "Won", "$300", "2024-01-01", "2024-01-09"), ("D", "Won", "€400", "2024-01-01", "2024-01-09"),
            ("E", "Won", "$500", "2024-01-01", "2024-01-09")]
    path = _write(tmp_path / "m.csv", rows)
    r = load(path, mapping=MAP, funnel=KA)
    _accounted(r)
    assert r.history.currency == "USD" and r.history.deals.amount.sum() == 900
    assert r.rejects.line.tolist() == [3, 5]
    assert all("several currencies: USD 3, EUR 2" in x and "convert or filter first" in x for x in r.rejects.reason)
    e = load(path, mapping=MAP, funnel=KA, currency="EUR")
    assert e.history.currency == "EUR" and e.history.deals.amount.sum() == 600 and e.summary["rejected"] == 3


def test_currency_column_contradicting_the_symbol_is_rejected(tmp_path):
    rows = [("A", "Won", "$100", "2024-01-01", "2024-01-09", "EUR")]
    path = _write(tmp_path / "c.csv", rows, header=("ID", "Stage", "Amount", "Created", "Closed", "Currency"))
    r = load(path, mapping={**MAP, "currency": "Currency"}, funnel=KA)
    assert "currency column says EUR" in r.rejects.reason[0]


# --- columns and stages -------------------------------------------------------------------------------------


def test_missing_required_column_names_it_and_the_columns_found(tmp_path):
    path = _write(tmp_path / "x.csv", [("1", "Won", "2", "2024-01-01", "")],
                  header=("Id", "Stage", "Amount", "CreatedDate", "CloseDate"))
    with pytest.raises(CRMImportError, match=r"x\.csv.*StageName.*columns found: 'Id', 'Stage'") as info:
        load(path, source="salesforce", mapping={"stage": "StageName"})
    assert isinstance(info.value, ValueError)
    with pytest.raises(CRMImportError, match=r"no column 'Opened' \(mapping 'created'\); columns found: 'Id'"):
        load(path, mapping={"id": "Id", "stage": "Stage", "amount": "Amount", "created": "Opened"})
    bare = _write(tmp_path / "y.csv", [("1", "Won", "2")], header=("Id", "Stage", "Amount"))
    undated = load(bare, mapping={"id": "Id", "stage": "Stage", "amount": "Amount"})  # no dates: outcome-only
    assert undated.history.meta.get("undated") and any("outcome-only" in w for w in undated.warnings)
    with pytest.raises(CRMImportError, match=r"y\.csv: no created .*columns found: 'Id', 'Stage', 'Amount'"):
        load(bare, source="salesforce", mapping={"id": "Id", "stage": "Stage", "amount": "Amount"})


def test_unknown_stage_is_rejected_with_the_closest_names(tmp_path):
    rows = [("A", "Evalution", "1", "2024-01-01", ""), ("B", "Evaluation", "1", "2024-01-01", "")]
    r = load(_write(tmp_path / "s.csv", rows), mapping=MAP, funnel=KA)
    _accounted(r)
    assert r.rejects.line.tolist() == [2]
    assert "unknown stage 'Evalution'" in r.rejects.reason[0] and "'Evaluation'" in r.rejects.reason[0]


def test_user_stage_mapping_and_case_spacing(tmp_path):
    rows = [("A", "  closed   WON ", "1", "2024-01-01", "2024-02-01"), ("B", "Demo", "1", "2024-01-01", ""),
            ("C", "criteria SET", "1", "2024-01-01", "")]
    r = load(_write(tmp_path / "s.csv", rows), mapping={**MAP, "stages": {"Demo": "evaluation"}}, funnel=KA)
    assert r.history.deals.stage.astype(str).tolist() == ["won", "evaluation", "criteria"]


def test_funnel_built_from_the_exports_own_stages(tmp_path):
    rows = [("A", "Discovery", "1", "2024-01-01", "", "10%"), ("B", "Proposal", "1", "2024-01-01", "", "60%"),
            ("C", "Demo", "1", "2024-01-01", "", "30"), ("D", "Won", "1", "2024-01-01", "2024-02-01", "100")]
    path = _write(tmp_path / "own.csv", rows, header=("ID", "Stage", "Amount", "Created", "Closed", "Prob"))
    r = load(path, mapping={**MAP, "probability": "Prob"})
    f = r.history.funnel
    assert [s.en for s in f.stages] == ["Discovery", "Demo", "Proposal"]
    assert [s.win_rate for s in f.stages] == pytest.approx([0.1, 0.3, 0.6])
    assert any("own open stages" in w and "probabilit" in w for w in r.warnings)
    plain = load(_write(tmp_path / "p.csv", [r[:5] for r in rows]), mapping=MAP)
    assert [s.en for s in plain.history.funnel.stages] == ["Discovery", "Proposal", "Demo"]
    assert [s.win_rate for s in plain.history.funnel.stages] == [0.5] * 3
    assert any("0.5 placeholders" in w for w in plain.warnings)


def test_missing_and_duplicate_ids(tmp_path):
    rows = [("A", "Won", "1", "2024-01-01", "2024-02-01"), ("", "Won", "1", "2024-01-01", "2024-02-01"),
            ("A", "Won", "1", "2024-01-01", "2024-02-01")]
    r = load(_write(tmp_path / "i.csv", rows), mapping=MAP, funnel=KA)
    _accounted(r)
    reasons = dict(zip(r.rejects.line, r.rejects.reason))
    assert reasons[3] == "missing id" and "duplicate id 'A' (first on line 2)" in reasons[4]


SF_FLAGS_HEADER = ("Id", "StageName", "Amount", "CreatedDate", "CloseDate", "IsClosed", "IsWon")
SF_FLAGS_ROWS = [("1", "Closed Won", "1", "2024-01-01", "2024-02-01", "true", "false"),
                 ("2", "Negotiation/Review", "1", "2024-01-01", "2024-02-01", "true", "false"),
                 ("3", "Closed Lost", "1", "2024-01-01", "2024-02-01", "true", "true"),
                 ("4", "Prospecting", "1", "2024-01-01", "2024-02-01", "false", "true"),
                 ("5", "Closed Won", "1", "2024-01-01", "2024-02-01", "true", "true")]


def test_salesforce_flags_that_contradict_the_stage_are_counted_and_the_stage_decides(tmp_path):
    rows = SF_FLAGS_ROWS + [("6", "Closed Won", "1", "2024-01-01", "2024-02-01", "true", "false")]
    r = load(_write(tmp_path / "sf.csv", rows, header=SF_FLAGS_HEADER), source="salesforce", currency="USD")
    _accounted(r)
    assert r.summary["imported"] == 6 and r.summary["rejected"] == 0  # not a reject: the CRM's stage decides
    d = r.history.deals.set_index("deal_id")
    assert d.status.astype(str).tolist() == ["won", "open", "lost", "open", "won", "won"]
    conflicts = [w for w in r.warnings if "the stage decides" in w]
    assert len(conflicts) == 4  # one warning per kind, with its example lines
    assert any(w.startswith("2 rows where IsWon says lost but the stage says won") and "lines 2, 7" in w
               for w in conflicts), conflicts
    assert all("--trust-flags" in w for w in conflicts)


def test_salesforce_contradictions_are_rejected_with_trust_flags(tmp_path):
    r = load(_write(tmp_path / "sf.csv", SF_FLAGS_ROWS, header=SF_FLAGS_HEADER), source="salesforce", currency="USD",
             trust_flags=True)
    _accounted(r)
    assert r.summary["imported"] == 1
    cols = dict(zip(r.rejects.line, r.rejects.column))
    assert cols == {2: "IsWon", 3: "IsClosed", 4: "IsWon", 5: "IsWon"}
    assert all("contradict" in x for x in r.rejects.reason)


def test_pipedrive_status_closes_a_deal_kept_in_an_open_stage(tmp_path):
    header = ("Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Stage", "Deal - Status",
              "Deal - Deal created", "Deal - Won time", "Deal - Lost time", "Deal - Expected close date")
    rows = [("1", "a", "100", "EUR", "Proposal Made", "won", "2024-01-02 10:00:00", "2024-02-01 10:00:00", "", ""),
            ("2", "b", "100", "EUR", "Contact Made", "open", "2024-01-02 10:00:00", "", "", "2024-05-01"),
            ("3", "c", "100", "EUR", "Contact Made", "lost", "2024-01-02 10:00:00", "", "2024-03-01", "")]
    r = load(_write(tmp_path / "pd.csv", rows, header=header), source="pipedrive")
    d = r.history.deals.set_index("deal_id")
    assert d.status.astype(str).tolist() == ["won", "open", "lost"]
    assert d.crm_stage["1"] == "Proposal Made"
    ev = r.history.events
    assert ev[["deal_id", "from_stage", "to_stage", "outcome"]].astype(str).values.tolist() == [
        ["1", "proposal_made", "won", "order"], ["3", "contact_made", "lost", "no_sale"]]


# --- price list -------------------------------------------------------------------------------------------------


def test_amounts_from_a_price_list_with_aliases(tmp_path):
    header = ("ID", "Stage", "Product", "Created", "Closed", "Amount")
    rows = [("A", "Won", "GTXPro", "2024-01-01", "2024-02-01", ""), ("B", "Evaluation", "MG Special",
            "2024-01-01", "", ""), ("C", "Evaluation", "Nope", "2024-01-01", "", ""),
            ("D", "Won", "GTXPro", "2024-01-01", "2024-02-01", "900")]
    path = _write(tmp_path / "p.csv", rows, header=header)
    prices = pd.DataFrame({"product": ["GTX Pro", "MG Special"], "sales_price": [4821, 55]})
    r = load(path, mapping={**MAP, "product": "Product"}, funnel=KA, prices=prices, currency="USD",
             price_mapping={"key": "Product", "price_key": "product", "price": "sales_price",
                            "aliases": {"GTXPro": "GTX Pro"}})
    _accounted(r)
    d = r.history.deals.set_index("deal_id")
    assert d.amount.to_dict() == {"A": 4821.0, "B": 55.0, "D": 900.0}
    assert d.amount_source.to_dict() == {"A": "price_list", "B": "price_list", "D": "export"}
    assert "'Nope' is not in the price list" in r.rejects.reason[0]


# --- stage history ------------------------------------------------------------------------------------------------


def test_history_export_becomes_events_and_bad_rows_are_rejected(tmp_path):
    header = ("Id", "StageName", "Amount", "CreatedDate", "CloseDate", "IsClosed", "IsWon")
    rows = [("1", "Closed Won", "100", "2024-01-01", "2024-03-01", "true", "true"),
            ("2", "Qualification", "100", "2024-01-01", "2024-06-01", "false", "false")]
    main = _write(tmp_path / "opps.csv", rows, header=header)
    hist = _write(tmp_path / "hist.csv", [
        ("1", "Prospecting", "1/1/2024"), ("1", "Needs Analysis", "1/15/2024"), ("1", "Closed Won", "3/1/2024"),
        ("2", "Prospecting", "1/1/2024"), ("2", "Qualification", "1/22/2024"), ("2", "Prospecting", "1/8/2024"),
        ("9", "Prospecting", "1/8/2024")], header=("Opportunity ID", "Stage", "Last Modified"))
    r = load(main, source="salesforce", history=hist, currency="USD")
    _accounted(r)
    ev = r.history.events
    assert ev[["deal_id", "from_stage", "to_stage", "outcome"]].astype(str).values.tolist() == [
        ["1", "prospecting", "needs_analysis", "advance"], ["1", "needs_analysis", "won", "order"],
        ["2", "prospecting", "qualification", "advance"]]
    assert ev.week.tolist() == [2, 8, 3]
    hr = r.rejects[r.rejects.file == "hist.csv"]
    assert hr.line.tolist() == [7, 8]
    assert "out of date order" in hr.reason.iloc[0] and "unknown opportunity '9'" in hr.reason.iloc[1]
    assert r.summary["history_rows"] == 7 and r.summary["events"] == 3
    assert len(r.history.snapshots) > 0


# --- unreadable files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content,why", [
    (None, "no such file"),
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
    (b"PK\x03\x04garbage", "xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
])
def test_unreadable_files_raise_naming_the_file(tmp_path, content, why):
    path = tmp_path / "export.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CRMImportError, match=why) as info:
        load(path, mapping=MAP)
    assert "export.csv" in str(info.value)


def test_truncated_quote_reports_the_cut_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('ID,Stage,Amount,Created,Closed\nA,Won,1,2024-01-01,2024-02-01\nB,Won,"1\n', "utf-8")
    r = load(path, mapping=MAP, funnel=KA)
    _accounted(r)
    assert r.rejects.line.tolist() == [3] and "unterminated quote" in r.rejects.reason[0]


def test_rows_with_extra_cells_are_rejected(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("ID,Stage,Amount,Created,Closed\nA,Won,1,000,2024-01-01,2024-02-01\n"
                    "B,Won,1,2024-01-01,2024-02-01\n", "utf-8")
    r = load(path, mapping=MAP, funnel=KA)
    _accounted(r)
    assert r.rejects.line.tolist() == [2] and "6 cells" in r.rejects.reason[0]


# --- result, rejects CSV and CLI ------------------------------------------------------------------------------------


def test_report_and_repr_in_both_languages(tmp_path):
    rows = [("A", "Won", "1", "2024-01-01", "2024-02-01"), ("B", "Nope", "1", "2024-01-01", "")]
    r = load(_write(tmp_path / "r.csv", rows), mapping=MAP, funnel=KA)
    assert "rows read 2: imported 1, rejected 1" in r.report()
    assert "读取 2 行：导入 1，拒收 1" in r.report("zh") and "赢单" in r.report("zh")
    assert repr(r).startswith("<ImportResult generic 'r.csv': 2 rows, 1 imported, 1 rejected")
    assert r.summary["by_status"] == {"open": 0, "won": 1, "lost": 0}
    assert r.summary["weeks"]["week0"] == "2024-01-01"


def test_rejects_csv_neutralises_formulas(tmp_path):
    rows = [("=HYPERLINK(\"http://x\")", "Nope", "1", "2024-01-01", ""), ("@SUM(1)", "+x", "-1", "2024-01-01", "")]
    r = load(_write(tmp_path / "f.csv", rows), mapping=MAP, funnel=KA)
    out = crm.write_rejects(r.rejects, tmp_path / "rej.csv")
    cells = [c for row in csv.reader(out.read_text("utf-8-sig").splitlines()) for c in row]
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    assert "'+x" in cells and "'-1" not in cells  # the rejected value, neutralised; the row stays JSON
    assert json.loads(cells[cells.index("'+x") + 2])["ID"] == "@SUM(1)"


def test_cli_import_end_to_end(tmp_path):
    rows = [("A", "Won", "￥1,000", "2024-01-01", "2024-02-01"), ("B", "=cmd()", "￥5", "2024-01-01", ""),
            ("C", "Evaluation", "￥2,000", "2024-01-08", "2024-04-01")]
    path = _write(tmp_path / "deals.csv", rows, encoding="gbk")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAP), "utf-8")
    out, rej = tmp_path / "ds", tmp_path / "rejects.csv"
    cmd = [sys.executable, "-m", "simfunnel", "import", str(path), "--source", "generic", "--mapping", str(mapping),
           "--preset", "key-account", "--out", str(out), "--rejects", str(rej)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "rows read 3: imported 2, rejected 1" in done.stdout
    from simfunnel.model.history import History

    h = History.load(out)
    assert len(h.deals) == 2 and h.currency == "CNY"
    assert "'=cmd()" in rej.read_text("utf-8-sig")
    bad = subprocess.run([sys.executable, "-m", "simfunnel", "import", str(tmp_path / "none.csv")], check=False,
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and "none.csv: no such file" in bad.stderr and len(bad.stderr.splitlines()) == 1


# --- real-data traps (the Maven CRM export's shapes) -------------------------------------------------------


def test_undated_deals_are_rejected_or_dated_at_as_of(tmp_path):
    rows = [("A", "Won", "10", "2024-01-01", "2024-02-01"), ("B", "Prospecting", "", "", ""),
            ("C", "Engaging", "", "2024-01-15", ""), ("D", "Lost", "0", "2024-01-08", "2024-01-22")]
    path = _write(tmp_path / "maven.csv", rows)
    prices = pd.DataFrame({"ID": ["A", "B", "C", "D"], "price": [10, 20, 30, 40]})
    kw = {"mapping": {**MAP, "stages": {"Prospecting": "prospecting", "Engaging": "engaging"}}, "prices": prices,
              "price_mapping": {"key": "ID", "price": "price"}, "currency": "USD"}
    strict = load(path, **kw)
    assert strict.rejects.line.tolist() == [3] and "missing created date" in strict.rejects.reason[0]
    r = load(path, as_of="2024-03-04", **{**kw, "price_mapping": {**kw["price_mapping"], "fill_zero": True}})
    _accounted(r)
    d = r.history.deals.set_index("deal_id")
    assert [s.key for s in r.history.funnel.stages] == ["prospecting", "engaging"]  # the mapping's order
    assert d.created_assumed.to_dict() == {"A": False, "B": True, "C": False, "D": False}
    assert d.created_week["B"] == r.history.end_week == 9
    assert d.amount.to_dict() == {"A": 10.0, "B": 20.0, "C": 30.0, "D": 40.0}
    assert any("as_of" in w for w in r.warnings) and any("(blank or 0)" in w for w in r.warnings)


def test_salesforce_report_footer_lines_are_named_as_such(tmp_path):
    header = ("Opportunity Name", "Stage", "Amount", "Created Date", "Close Date")
    rows = [("X", "Prospecting", "$1,000.00", "3/15/2024", "4/6/2024"), ("Total", "", "$1,000.00", "", ""),
            ("Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved.", "", "", "", "")]
    r = load(_write(tmp_path / "sf.csv", rows, header=header), source="salesforce")
    _accounted(r)
    assert r.rejects.line.tolist() == [3, 4] and all("footer" in x for x in r.rejects.reason)


def test_history_listed_newest_first_is_read_oldest_first(tmp_path):
    header = ("Id", "StageName", "Amount", "CreatedDate", "CloseDate")
    main = _write(tmp_path / "opps.csv", [("1", "Closed Won", "100", "2024-01-01", "2024-03-01")], header=header)
    hist = _write(tmp_path / "hist.csv", [
        ("1", "Closed Won", "2024-03-01"), ("1", "Needs Analysis", "2024-01-15"), ("1", "Prospecting", "2024-01-01")],
        header=("OpportunityId", "StageName", "CreatedDate"))
    r = load(main, source="salesforce", history=hist, currency="USD")
    assert r.history.events[["from_stage", "to_stage"]].astype(str).values.tolist() == [
        ["prospecting", "needs_analysis"], ["needs_analysis", "won"]]
    assert len(r.rejects) == 0 and any("newest first" in w for w in r.warnings)


def test_generic_status_column_closes_a_deal_kept_in_its_stage(tmp_path):
    header = ("ID", "Stage", "Amount", "Created", "Closed", "Status")
    rows = [("A", "Evaluation", "5", "2024-01-01", "2024-02-01", "won"), ("B", "Won", "5", "2024-01-01",
            "2024-02-01", "lost"), ("C", "Evaluation", "5", "2024-01-01", "", "paused")]
    r = load(_write(tmp_path / "g.csv", rows, header=header), mapping={**MAP, "status": "Status"}, funnel=KA,
             trust_flags=True)
    _accounted(r)
    assert r.history.deals.status.astype(str).tolist() == ["won"]
    reasons = dict(zip(r.rejects.line, r.rejects.reason))
    assert "contradict" in reasons[3] and "unknown status 'paused'" in reasons[4]


def test_dollar_and_yen_signs_follow_the_named_currency(tmp_path):
    header = ("ID", "Stage", "Amount", "Created", "Closed", "Currency")
    rows = [("A", "Won", "$100", "2024-01-01", "2024-01-09", "CAD"), ("B", "Won", "$50", "2024-01-01", "2024-01-09",
            "")]
    r = load(_write(tmp_path / "cad.csv", rows, header=header), mapping={**MAP, "currency": "Currency"}, funnel=KA)
    _accounted(r)
    assert r.summary["rejected"] == 0 and r.history.currency == "CAD"  # $50 is CAD like the file's other dollars
    j = load(_write(tmp_path / "jpy.csv", [("A", "Won", "¥1,000", "2024-01-01", "2024-01-09")]), mapping=MAP,
             funnel=KA, currency="JPY")
    assert j.history.currency == "JPY" and j.summary["imported"] == 1
    y = load(_write(tmp_path / "cny.csv", [("A", "Won", "¥1,000", "2024-01-01", "2024-01-09")]), mapping=MAP,
             funnel=KA)
    assert y.history.currency == "CNY" and any("¥ as CNY" in w for w in y.warnings)


def test_odoo_false_means_empty_outside_flag_columns(tmp_path):
    # Odoo's API writes False for unset fields; the Active flag keeps its meaning.
    path = tmp_path / "odoo.csv"
    path.write_text(
        "id,name,stage_id,expected_revenue,probability,create_date,date_deadline,date_closed,active,partner_id,"
        "user_id,company_currency\n"
        "1,Deal A,New,10000,10,2024-03-01 10:00:00,False,False,True,Acme,Mitchell,USD\n"
        "2,Deal B,Won,20000,100,2024-03-02 10:00:00,2024-05-01,2024-04-10 10:00:00,True,False,Mitchell,USD\n"
        "3,Deal C,Qualified,5000,20,2024-03-03 10:00:00,False,2024-03-20 09:00:00,False,Beta,Mitchell,USD\n",
        encoding="utf-8",
    )
    result = load(path, source="odoo")
    assert result.summary["imported"] == 3 and result.summary["rejected"] == 0
    d = result.history.deals.set_index("deal_id")
    assert d.loc["2", "account_id"] is None or d.loc["2", "account_id"] != d.loc["2", "account_id"]
    assert str(d.loc["3", "status"]) == "lost"  # Active False still closes it
    assert d.loc["1", "expected_close_week"] is pd.NA or pd.isna(d.loc["1", "expected_close_week"])


def test_amounts_of_zero_are_counted_in_a_warning(tmp_path):
    path = tmp_path / "pipedrive.csv"
    path.write_text(
        "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,Deal - Status,Deal - Deal created\n"
        "1,A,0,EUR,Qualified,open,2024-03-01 10:00:00\n"
        "2,B,1500,EUR,Qualified,open,2024-03-02 10:00:00\n"
        "3,C,0,EUR,Qualified,open,2024-03-03 10:00:00\n",
        encoding="utf-8",
    )
    result = load(path, source="pipedrive")
    assert result.summary["imported"] == 3
    assert any(w.startswith("2 deals have an amount of 0") for w in result.warnings), result.warnings


def test_load_pauses_the_garbage_collector_only_while_it_runs(tmp_path):
    """load() pauses the cyclic collector for speed and restores its state, also when the file is refused."""
    import gc

    f = tmp_path / "o.csv"
    f.write_text("Opportunity ID,Stage,Amount,Created Date,Close Date\n"
                 "1,Prospecting,\"$1,000.00\",3/4/2024,5/6/2024\n", "utf-8")
    big = tmp_path / "big.csv"
    big.write_text("Opportunity ID,Stage,Amount,Created Date,Close Date\n" + "".join(
        f"{i},Prospecting,\"${i},000.00\",3/4/2024,5/6/2024\n" for i in range(1, 3001)), "utf-8")
    runs = []
    gc.callbacks.append(lambda phase, info: runs.append(phase))
    try:
        assert gc.isenabled()
        load(big, source="salesforce")
        assert runs.count("start") <= 1 and gc.isenabled()  # none while the rows were read (one may follow)
    finally:
        gc.callbacks.pop()
    with pytest.raises(CRMImportError):
        load(tmp_path / "missing.csv", source="salesforce")
    assert gc.isenabled()
    gc.disable()
    try:
        load(f, source="salesforce")
        assert not gc.isenabled()  # a caller's own pause is left as it was
    finally:
        gc.enable()


def test_repeated_cells_read_alike_on_every_row(tmp_path):
    """Cached dates and amounts: a value read once reads the same on every later row; blank lines are no rows."""
    f = tmp_path / "o.csv"
    rows = ["Opportunity ID,Stage,Amount,Created Date,Close Date"]
    for i in range(30):
        won = i % 3 == 0  # won rows close on 13/5/2024: no month-first date
        rows.append(f"{i},{'Closed Won' if won else 'Prospecting'},\"$1,250.50\",3/4/2024,{'13/5' if won else '5/6'}/2024")
        if i == 10:
            rows.append(",,,,")
        if i == 20:
            rows.append(f"x{i},Prospecting,\"$1,250.50\",31/31/2024,5/6/2024")
    f.write_text("\n".join(rows) + "\n", "utf-8")
    r = load(f, source="salesforce", dayfirst=False)
    assert r.summary["rows_read"] == 31 and r.summary["imported"] + r.summary["rejected"] == 31
    d = r.history.deals
    assert (d["amount"] == 1250.5).all() and len(d) == 20 and (d["created_week"] == d["created_week"].iloc[0]).all()
    assert sorted(r.rejects["reason"].map(crm.importer.reason_kind).unique()) == ["unreadable close date",
                                                                                   "unreadable created date"]
    assert r.rejects.loc[r.rejects["reason"].str.startswith("unreadable created"), "line"].tolist() == [24]


def test_the_date_order_warning_names_the_files_first_ambiguous_date(tmp_path):
    import subprocess
    import sys

    rows = ["Opportunity Name,Amount,Stage,Close Date,Created Date"]
    rows += [f"Deal {i},1000,Prospecting,{m}/{d}/2024,{created}" for i, ((m, d), created) in
             enumerate(zip([(3, 25), (1, 29), (10, 21), (2, 2)], ["3/4/2024", "1/2/2024", "5/6/2024", "2/1/2024"]))]
    path = tmp_path / "sf.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    code = ("import simfunnel.crm as c; r = c.load(%r, source='salesforce'); "
            "print([w for w in r.warnings if 'month-first' in w])" % str(path))
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in (1, 2, 3)}
    assert len(outs) == 1 and "dates like '3/4/2024'" in outs.pop()  # the file's first, whatever the hashing


def test_a_stage_history_is_mapped_like_the_export(tmp_path):
    folder = Path(__file__).resolve().parent / "fixtures" / "crm" / "salesforce"
    opps, hist = folder / "opportunities_api.csv", folder / "opportunity_history.csv"
    plain = load(opps, source="salesforce", history=hist)
    renamed = tmp_path / "history.csv"
    text = hist.read_text("utf-8").replace('"Opportunity ID"', '"OppID"', 1).replace('"Last Modified"', '"When"', 1)
    renamed.write_text(text, "utf-8")
    with pytest.raises(CRMImportError, match=r"no id column in the stage history .*columns found: 'OppID'"):
        load(opps, source="salesforce", history=renamed)
    mapped = load(opps, source="salesforce", history=renamed, mapping={"history": {"id": "OppID", "date": "When"}})
    assert mapped.history.events.equals(plain.history.events) and len(plain.history.events) > 0
    with pytest.raises(CRMImportError, match=r"mapping 'history' 'id': no column 'OppId2' in the stage history; "
                                             r"columns found: 'OppID', "):
        load(opps, source="salesforce", history=renamed, mapping={"history": {"id": "OppId2", "date": "When"}})
    with pytest.raises(CRMImportError, match="mapping 'history': unknown field 'opp'; history fields are id, stage"):
        load(opps, source="salesforce", history=renamed, mapping={"history": {"opp": "OppID"}})


def test_an_outcome_only_file_imports_undated_for_win_rates_and_refuses_the_weekly_work(tmp_path):
    import warnings

    import simfunnel as sf

    rows = [(str(i), "Won" if i % 4 == 0 else "Loss", str(100 + i), "East" if i % 2 else "West") for i in range(40)]
    path = _write(tmp_path / "winloss.csv", rows, header=("Opportunity Number", "Result", "Amount", "Region"))
    mapping = {"id": "Opportunity Number", "stage": "Result", "amount": "Amount",
               "stages": {"Won": "won", "Loss": "lost"}}  # the mapping an analyst tries first
    r = load(path, mapping=mapping)
    _accounted(r)
    assert r.summary["imported"] == 40 and r.history.meta["undated"] is True
    assert any(w.startswith("no dates: an outcome-only file") for w in r.warnings)
    overall = sf.overall_win_rate(r.history)
    assert (overall["won"], overall["closed"]) == (10, 40) and overall["share"] == pytest.approx(0.25)
    assert sf.empirical_win_rates(r.history)["win_rate"].isna().all()  # no stage was observed: not measurable
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="indicators: this history has outcomes but no dates"):
            sf.indicators(r.history, quota=1_000)
        with pytest.raises(ValueError, match="montecarlo: this history has outcomes but no dates"):
            sf.montecarlo(r.history, quota=1_000)


def test_a_date_field_mapped_to_a_column_without_dates_is_one_line(tmp_path):
    path = _write(tmp_path / "days.csv", [("1", "Won", "100", "30"), ("2", "Loss", "50", "12")],
                  header=("Opportunity Number", "Result", "Amount", "Days"))
    with pytest.raises(CRMImportError, match=r"days.csv: column 'Days' \(created\) holds no dates \(e.g. '30'\)"):
        load(path, mapping={"id": "Opportunity Number", "stage": "Result", "amount": "Amount", "created": "Days",
                            "stages": {"Won": "won", "Loss": "lost"}})


def test_an_export_without_its_stage_history_gives_no_weekly_backtest(tmp_path):
    import simfunnel as sf

    folder = Path(__file__).resolve().parent / "fixtures" / "crm" / "salesforce"
    bare = load(folder / "opportunities_api.csv", source="salesforce").history
    with pytest.raises(ValueError, match=r"backtest: \d+ closed deals have no stage history .*import the stage history"):
        sf.backtest(bare, trials=0)
    from simfunnel.analysis.backtest import closed_without_events

    with_history = load(folder / "opportunities_api.csv", source="salesforce",
                        history=folder / "opportunity_history.csv").history
    assert 0 < closed_without_events(with_history) < closed_without_events(bare)  # the fixture's history is partial
    simulated = sf.Simulation(sf.generate(accounts=60, seed=2), seed=2).run()
    assert closed_without_events(simulated) == 0 and len(sf.backtest(simulated, trials=0)) > 1


def test_days_in_pipeline_stand_in_for_the_missing_created_date_when_mapped():
    """Issue 15 point 4: a Salesforce report without "Created Date" dates its deals back from "Age" — the close
    date of a closed deal, the report's date (as_of) of an open one — exactly as the report with the column."""
    folder = Path(__file__).resolve().parent / "fixtures" / "crm" / "salesforce"
    full = load(folder / "opportunities_report.csv", source="salesforce", currency="USD").history.deals
    with pytest.raises(CRMImportError, match=r"no created \(creation date\) column"):
        load(folder / "opportunities_report_age.csv", source="salesforce", currency="USD")  # Age is never guessed
    r = load(folder / "opportunities_report_age.csv", source="salesforce", currency="USD", mapping={"days": "Age"},
             as_of="2025-01-20")
    _accounted(r)
    d = r.history.deals
    cols = ["amount", "status", "created_week", "closed_week"]
    assert d[cols].equals(full[cols]) and len(d) == 19
    assert d["days"].tolist()[:3] == [96.0, 102.0, 119.0] and r.history.meta.get("undated") is None
    bare = load(folder / "opportunities_report_age.csv", source="salesforce", currency="USD", mapping={"days": "Age"})
    _accounted(bare)
    open_rejects = bare.rejects[bare.rejects.reason.str.startswith("open deal without a created date")]
    assert len(open_rejects) == 10 and set(open_rejects.column) == {"Age"}
    assert bare.summary["by_status"] == {"open": 0, "won": 5, "lost": 4}


def test_days_in_pipeline_give_the_close_date_and_bad_days_are_rejected_by_cell(tmp_path):
    rows = [("1", "Won", "100", "2026-03-02", "30"), ("2", "Lost", "50", "2026-03-02", "7"),
            ("3", "Won", "80", "2026-03-02", "many"), ("4", "Lost", "60", "2026-03-02", "-2"),
            ("5", "need", "70", "2026-03-02", "5")]
    path = _write(tmp_path / "d.csv", rows, header=("ID", "Stage", "Amount", "Created", "Days In Pipeline"))
    r = load(path, mapping={"days_in_pipeline": "Days In Pipeline"})
    _accounted(r)
    d = r.history.deals.set_index("deal_id")
    assert (d.loc["1", "closed_week"] - d.loc["1", "created_week"], d.loc["2", "closed_week"]) == (4, d.loc["2", "created_week"] + 1)
    assert pd.isna(d.loc["5", "closed_week"]) and d.loc["5", "days"] == 5.0
    assert r.rejects[["line", "column", "value"]].values.tolist() == [[4, "Days In Pipeline", "many"],
                                                                        [5, "Days In Pipeline", "-2"]]
    assert r.rejects.reason.tolist() == ["unreadable days in pipeline 'many' (expected a number of days)",
                                         "days in pipeline must be 0 or more, got '-2'"]


def test_an_outcome_only_file_keeps_its_days_in_pipeline_as_a_column(tmp_path):
    rows = [(str(i), "Won" if i % 3 == 0 else "Loss", str(100 + i), str(10 + i)) for i in range(12)]
    path = _write(tmp_path / "winloss.csv", rows, header=("Opportunity Number", "Result", "Amount",
                                                          "Total Days Identified Through Closing"))
    r = load(path, mapping={"id": "Opportunity Number", "stage": "Result", "amount": "Amount",
                            "days": "Total Days Identified Through Closing", "stages": {"Won": "won", "Loss": "lost"}})
    _accounted(r)
    assert r.history.meta["undated"] is True and r.history.deals["days"].tolist() == [float(10 + i) for i in range(12)]
    assert any(w.startswith("days in pipeline (column 'Total Days Identified Through Closing') kept as the deal "
                            "column days") for w in r.warnings)
