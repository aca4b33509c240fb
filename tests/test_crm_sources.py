"""Per-source import tests on exports written in each CRM's real layout (issue 4, points 2 and 7).

Each folder of ``tests/fixtures/crm/`` holds exports in one system's real column names
and value formats (``SOURCE.md`` cites the vendor documentation each layout was taken
from) and an ``expected.json`` stating, from the rows as written, what a correct import
must give: rows read, imported and rejected (with the line and a reason keyword), status
and stage counts, won / lost / open amounts, the currency, the warnings that must appear,
and every deal's dates, which must turn into weeks in the same order and spacing.
``broken/`` holds files an importer must refuse or report row by row.

Nothing here is computed by the importer under test: expected.json was derived by hand
from the fixture rows. When a number here disagrees with ``simfunnel.crm``, read the
fixture row before touching either.

Generic exports need a column mapping; the ones used are ``MAPPINGS`` below (the Chinese
商机 export and the deals-plus-price-list pair), documented in generic/SOURCE.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from simfunnel import Funnel, crm

FIX = Path(__file__).parent / "fixtures" / "crm"

# Column mappings for source="generic": simfunnel field -> column of the export.
MAPPINGS = {
    # A Salesforce report without its "Created Date" column: the days in pipeline ("Age") date the deals back
    # from their close (closed) or from the report's date (open, as_of) (salesforce/opportunities_report_age.csv).
    "age-as-days": {"days": "Age"},
    # A 纷享销客 / 销售易-style 商机 list export (generic/fxiaoke_export_gbk.csv).
    "fxiaoke": {
        "deal_id": "商机编号",
        "account_id": "客户名称",
        "stage": "销售阶段",
        "amount": "预计金额",
        "created": "创建时间",
        "closed": "结单日期",
        "owner": "负责人",
    },
    # Deals tracked without amounts (generic/deals_without_amounts.csv) ...
    "price-list-deals": {
        "deal_id": "Deal ID",
        "account_id": "Account",
        "product": "Product",
        "stage": "Stage",
        "created": "Created",
        "closed": "Close Date",
        "owner": "Owner",
    },
    # ... priced from the product list (generic/price_list.csv): the export's column to look
    # prices up by, the price table's key column and its price column.
    "price-list": {"key": "Product", "price_key": "Product", "price": "List Price"},
}


def _pipedrive_default() -> Funnel:
    """Pipedrive's default pipeline, as an analyst would declare it (rates are the analyst's)."""
    names = ["Qualified", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started"]
    rates = [0.1, 0.2, 0.4, 0.6, 0.8]
    return Funnel.from_dict(
        {
            "name": "pipedrive-default",
            "stages": [
                {"key": n.lower().replace(" ", "_"), "zh": n, "en": n, "win_rate": r} for n, r in zip(names, rates)
            ],
        }
    )


FUNNELS = {"key-account": lambda: Funnel.preset("key-account"), "pipedrive-default": _pipedrive_default}


def _expected(folder: str) -> dict:
    return json.loads((FIX / folder / "expected.json").read_text("utf-8"))["files"]


def _cases(folder: str) -> list:
    return [pytest.param(folder, name, id=f"{folder}/{name}") for name in _expected(folder)]


def _kwargs(folder: str, spec: dict) -> dict:
    kw = {"source": spec["source"]}
    for key, value in spec.get("load", {}).items():
        if key in ("mapping", "price_mapping"):
            kw[key] = MAPPINGS[value]
        elif key == "funnel":
            kw[key] = FUNNELS[value]()
        elif key in ("history", "prices"):
            kw[key] = FIX / folder / value
        elif key != "main":
            kw[key] = value
    return kw


def _load(folder: str, name: str, spec: dict):
    main = spec.get("load", {}).get("main")
    path = FIX / main if main else FIX / folder / spec.get("file", name)
    return crm.load(path, **_kwargs(folder, spec))


def _norm(s) -> str:
    return " ".join(str(s).split()).casefold()


def _names(funnel: Funnel, key: str) -> set[str]:
    """What a stage may be called in expected.json: its key or its en / zh label."""
    return {_norm(key), _norm(funnel.label(key, "en")), _norm(funnel.label(key, "zh"))}


def _reasons_by_line(result) -> dict[int, str]:
    rej = result.rejects
    out: dict[int, str] = {}
    for line, reason in zip(rej["line"], rej["reason"]):
        out.setdefault(int(line), "")
        out[int(line)] += f" {reason}"
    return out


def _has_any(text: str, keywords) -> bool:
    return not keywords or any(k.casefold() in text.casefold() for k in keywords)


# --- the checks ---------------------------------------------------------------------------


def check_counts(result, spec: dict) -> None:
    s = result.summary
    where = f"summary {s}"
    assert s["rows_read"] == spec["rows"], where
    assert s["imported"] == spec["imported"], where
    assert s["rejected"] == spec["rejected"], where
    assert s["imported"] + s["rejected"] == s["rows_read"], f"rows lost: {where}"
    assert len(result.history.deals) == spec["imported"]
    assert len(result.rejects) >= spec["rejected"]
    assert {"line", "column", "reason"} <= set(result.rejects.columns)


def check_rejects(result, expected: list[dict], file: str | None = None) -> None:
    got = _reasons_by_line(result)
    assert sorted(got) == sorted(r["line"] for r in expected), f"rejected lines {got}"
    rej = result.rejects
    for r in expected:
        assert _has_any(got[r["line"]], r["keywords"]), (
            f"line {r['line']}: reason {got[r['line']]!r}, wanted one of {r['keywords']}"
        )
        if r.get("columns"):
            named = set(rej["column"][rej["line"] == r["line"]].astype(str))
            assert named & set(r["columns"]), f"line {r['line']}: reject names column {named}, not {r['columns']}"
    if file is not None and "file" in rej.columns and len(rej):
        assert set(rej["file"].astype(str).map(lambda f: Path(f).name)) == {file}, "rejects do not name the file"


def check_stages_and_amounts(result, spec: dict) -> None:
    h = result.history
    d = h.deals
    status = d.status.astype(str)
    got = status.value_counts().to_dict()
    for st in ("open", "won", "lost"):
        assert got.get(st, 0) == spec["status_counts"].get(st, 0), f"status counts {got}"
    open_keys = d.stage.astype(str)[status == "open"]
    for name, n in spec.get("open_stage_counts", {}).items():
        count = sum(_norm(name) in _names(h.funnel, k) for k in open_keys)
        assert count == n, (
            f"open deals in stage {name!r}: {count}, expected {n} (stages {open_keys.value_counts().to_dict()})"
        )
    if "open_stage_counts" in spec:
        assert sum(spec["open_stage_counts"].values()) == (status == "open").sum()
    for st in ("won", "lost", "open"):
        key = f"{st}_amount"
        if key in spec:
            assert d.amount[status == st].sum() == pytest.approx(spec[key], abs=0.01), key


def check_currency_and_warnings(result, spec: dict) -> None:
    if "currency" in spec:
        assert result.history.currency == spec["currency"]
    for alternatives in spec.get("warnings", []):
        assert any(_has_any(w, alternatives) for w in result.warnings), (
            f"no warning mentions any of {alternatives}: {result.warnings}"
        )


def _date(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def check_weeks(points: list[tuple[dt.date, int, str]]) -> None:
    """Dates become weeks in the same order and spacing, whatever the week-0 origin.

    For any two dates Δ days apart, their weeks must be floor(Δ/7) or ceil(Δ/7) apart: a
    calendar week count from any origin gives exactly that, and it forbids both reordering
    and counting in days or months.
    """
    pts = sorted(points)
    for i, (da, wa, la) in enumerate(pts):
        for db, wb, lb in pts[i + 1 :]:
            days = (db - da).days
            gap = int(wb) - int(wa)
            assert math.floor(days / 7) <= gap <= math.ceil(days / 7), (
                f"{la} ({da}, week {wa}) and {lb} ({db}, week {wb}): {days} days apart but {gap} weeks"
            )


def _index_deals(result, spec: dict) -> dict:
    d = result.history.deals
    if spec["join"] == "id":
        keys = d.deal_id.astype(str)
    else:
        keys = d.amount.map(lambda a: repr(float(a)))
    index = dict(zip(keys, d.itertuples(index=False)))
    missing = sorted(set(spec["deals"]) - set(index))
    assert not missing, (
        f"deals not found by {spec['join']}: {missing[:5]} … (imported ids/amounts look like {sorted(index)[:5]})"
    )
    return index


def check_deal_dates(result, spec: dict) -> list[tuple[dt.date, int, str]]:
    index = _index_deals(result, spec)
    points = []
    for key, e in spec["deals"].items():
        row = index[key]
        assert str(row.status) == e["status"], f"deal {key}: status {row.status}, expected {e['status']}"
        points.append((_date(e["created"]), int(row.created_week), f"deal {key} created"))
        if e["status"] == "open":
            assert pd.isna(row.closed_week), f"open deal {key} has closed_week {row.closed_week}"
        else:
            assert pd.notna(row.closed_week), f"closed deal {key} has no closed_week"
            points.append((_date(e["closed"]), int(row.closed_week), f"deal {key} closed"))
        if e.get("expected_close"):
            assert pd.notna(row.expected_close_week), f"open deal {key} lost its expected close date"
            points.append((_date(e["expected_close"]), int(row.expected_close_week), f"deal {key} expected close"))
    check_weeks(points)
    return points


# --- the fixtures of each source ------------------------------------------------------------

SOURCE_CASES = [c for folder in ("salesforce", "hubspot", "pipedrive", "odoo", "generic") for c in _cases(folder)]


@pytest.mark.parametrize("folder,name", SOURCE_CASES)
def test_fixture_imports_as_expected(folder, name):
    spec = _expected(folder)[name]
    result = _load(folder, name, spec)
    check_counts(result, spec)
    check_rejects(result, spec["rejects"], spec.get("file", name))
    check_stages_and_amounts(result, spec)
    check_currency_and_warnings(result, spec)
    check_deal_dates(result, spec)
    # The history is a valid History: its weekly snapshots build.
    assert len(result.history.snapshots) > 0


def test_salesforce_stage_history_becomes_events():
    spec = _expected("salesforce")["opportunities_api.csv+opportunity_history.csv"]
    result = _load("salesforce", "opportunities_api.csv+opportunity_history.csv", spec)
    h = result.history
    ev = h.events
    assert len(ev) == spec["events"], f"{len(ev)} events from {spec['history_rows']} history rows"
    # Every history row is read: moves become events; rows that change only the amount or the
    # close date (From Stage = To Stage) or open the record (no From Stage) do not.
    assert result.summary.get("history_rows") == spec["history_rows"], result.summary
    assert result.summary.get("history_rejected", 0) == spec["history_rejected"], result.summary
    index = _index_deals(result, spec)
    points = check_deal_dates(result, spec)
    for deal, seq in spec["events_by_deal"].items():
        got = ev[ev.deal_id.astype(str) == deal].sort_values("week", kind="stable")
        assert len(got) == len(seq), f"deal {deal}: {len(got)} events, expected {len(seq)}"
        for (fr, to, day), e in zip(seq, got.itertuples(index=False)):
            assert _norm(fr) in _names(h.funnel, str(e.from_stage)), f"deal {deal}: from {e.from_stage}, expected {fr}"
            assert _norm(to) in _names(h.funnel, str(e.to_stage)), f"deal {deal}: to {e.to_stage}, expected {to}"
            points.append((_date(day), int(e.week), f"deal {deal} {fr} -> {to}"))
        # The last move ends where the opportunity export says the deal is now.
        assert str(got.to_stage.iloc[-1]) == str(index[deal].stage)
    check_weeks(points)


# --- file formats: encodings, BOM, xlsx --------------------------------------------------------


def test_gbk_file_is_detected_and_same_as_declared():
    spec = _expected("generic")["fxiaoke_export_gbk.csv"]
    detected = _load("generic", "fxiaoke_export_gbk.csv", spec)
    declared = crm.load(FIX / "generic" / "fxiaoke_export_gbk.csv", encoding="gbk", **_kwargs("generic", spec))
    assert detected.summary == declared.summary
    pd.testing.assert_frame_equal(detected.history.deals, declared.history.deals)
    # Chinese text survived decoding: the stages are the key-account funnel's, found by their zh labels.
    assert set(detected.history.deals.stage.astype(str)) <= set(Funnel.preset("key-account").all_keys)


def test_bom_does_not_leak_into_the_first_column():
    spec = _expected("pipedrive")["deals_export_eu_bom.csv"]
    result = _load("pipedrive", "deals_export_eu_bom.csv", spec)
    # "Deal - ID" is the first column, right after the BOM: the deals keep their Pipedrive ids.
    assert sorted(result.history.deals.deal_id.astype(str)) == sorted(spec["deals"])
    assert not any("\ufeff" in str(c) for c in result.history.deals.columns)


def test_xlsx_sheet_by_name_equals_default_sheet():
    spec = _expected("odoo")["crm_lead_export.xlsx"]
    default = _load("odoo", "crm_lead_export.xlsx", spec)
    named = crm.load(FIX / "odoo" / "crm_lead_export.xlsx", sheet="Sheet1", **_kwargs("odoo", spec))
    assert default.summary == named.summary
    assert default.history.deals.amount.sum() == pytest.approx(named.history.deals.amount.sum())


def test_explicit_date_order_overrides_detection():
    """The EU Pipedrive file read with dayfirst=True gives the detected result, without guessing."""
    spec = _expected("pipedrive")["deals_export_eu_bom.csv"]
    kw = _kwargs("pipedrive", spec)
    result = crm.load(FIX / "pipedrive" / "deals_export_eu_bom.csv", dayfirst=True, **kw)
    check_counts(result, spec)
    check_deal_dates(result, spec)


def test_xlsx_fixture_is_what_make_xlsx_writes(tmp_path):
    """The committed workbook holds what tests/fixtures/crm/make_xlsx.py writes (cell by cell)."""
    openpyxl = pytest.importorskip("openpyxl")
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_xlsx", FIX / "make_xlsx.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "crm_lead_export.xlsx"
    mod.write_odoo(out)

    def cells(path):
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return [wb.sheetnames, [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]]
        finally:
            wb.close()

    assert cells(out) == cells(FIX / "odoo" / "crm_lead_export.xlsx")


# --- broken files -------------------------------------------------------------------------------

BROKEN = _expected("broken")


def _check_raise(err: Exception, name: str, keywords) -> None:
    msg = str(err)
    assert isinstance(err, ValueError)
    assert name in msg, f"error does not name the file {name!r}: {msg!r}"
    assert _has_any(msg, keywords), f"error {msg!r} gives none of {keywords}"


def _check_outcome(name: str, spec: dict, outcome: dict, result) -> None:
    check_counts(result, outcome)
    if "rejects" in outcome:
        check_rejects(result, outcome["rejects"])
    if "reject_lines" in outcome:
        assert sorted(_reasons_by_line(result)) == outcome["reject_lines"]
    if "all_reject_keywords" in outcome:
        for line, reason in _reasons_by_line(result).items():
            assert _has_any(reason, outcome["all_reject_keywords"]), f"line {line}: {reason!r}"
    if "status_counts" in outcome:
        check_stages_and_amounts(result, outcome)
    if "currency" in outcome:
        assert result.history.currency == outcome["currency"]


def _run_either(name: str, spec: dict, alternatives: list[dict], load) -> None:
    try:
        result = load()
    except crm.CRMImportError as err:
        raising = [a for a in alternatives if "raises" in a]
        assert raising, f"{name}: raised {err!r} but a row-by-row report was expected"
        _check_raise(err, name, raising[0]["raises"]["keywords"])
        return
    reporting = [a for a in alternatives if "raises" not in a]
    assert reporting, f"{name}: imported, but only an error was acceptable"
    _check_outcome(name, spec, reporting[0], result)


@pytest.mark.parametrize("name", [n for n, s in BROKEN.items() if "raises" in s])
def test_unreadable_file_raises_naming_it(name):
    spec = BROKEN[name]
    with pytest.raises(crm.CRMImportError) as info:
        _load("broken", name, spec)
    _check_raise(info.value, name, spec["raises"]["keywords"])


@pytest.mark.parametrize("name", [n for n, s in BROKEN.items() if "either" in s])
def test_broken_file_is_refused_or_reported(name):
    spec = BROKEN[name]
    _run_either(name, spec, spec["either"], lambda: _load("broken", name, spec))


@pytest.mark.parametrize("name", [n for n, s in BROKEN.items() if "rows" in s])
def test_bad_rows_are_rejected_with_their_reason(name):
    spec = BROKEN[name]
    result = _load("broken", name, spec)
    check_counts(result, spec)
    check_rejects(result, spec["rejects"], name)
    check_stages_and_amounts(result, spec)


def test_several_currencies_without_a_chosen_one_are_never_summed():
    name = "multi_currency.csv"
    spec = dict(BROKEN[name])
    spec["load"] = {}
    _run_either(name, spec, BROKEN[name]["without_currency"]["either"], lambda: _load("broken", name, spec))


def test_history_out_of_date_order_is_reported():
    name = "history_out_of_order.csv"
    spec = BROKEN[name]
    result = _load("broken", name, spec)
    report = " ".join(result.warnings) + " " + " ".join(map(str, result.rejects["reason"]))
    assert _has_any(report, spec["reported"]["keywords"]), f"not reported: {report!r}"
    lines = set(_reasons_by_line(result))
    assert spec["reported"]["deal"] in report or "Nordwind" in report or lines & {10, 11}, (
        f"the report does not say which opportunity: {report!r}"
    )
    # The opportunities themselves are still all accounted for.
    s = result.summary
    assert s["imported"] + s["rejected"] == s["rows_read"] == 24
