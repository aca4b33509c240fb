"""The column-at-a-time import gives what the row-by-row import gives (issue 15 point 7).

:mod:`simfunnel.crm.columnar` imports a plain CSV's clean rows a column at a time and sends every other row to
the row importer; ``SIMFUNNEL_IMPORT_ROWS=1`` forces the row importer for everything. Every fixture of every
source, and a generated export full of faults, is imported both ways: deals, events, rejects, warnings and the
summary must be equal, and the column path must actually have been taken (else the test proves nothing).
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pandas as pd
import pytest

from simfunnel import crm
from simfunnel.crm import columnar, importer, readers

FIX = Path(__file__).parent / "fixtures" / "crm"


def _fixture_cases():
    import test_crm_sources as t

    for folder in ("salesforce", "hubspot", "pipedrive", "odoo", "generic", "broken"):
        for name, spec in json.loads((FIX / folder / "expected.json").read_text("utf-8"))["files"].items():
            if isinstance(spec, dict) and "source" in spec:
                yield pytest.param(folder, name, spec, id=f"{folder}/{name}")


def _load_both(monkeypatch, load):
    """(column-path result or error, row-path result or error, whether the column path was taken)."""
    taken = []
    real = importer.import_columns

    def spy(imp):
        done = real(imp)
        taken.append(done)
        return done

    monkeypatch.setattr(importer, "import_columns", spy)
    monkeypatch.delenv(columnar.ROWS_ENV, raising=False)
    fast = _run(load)
    monkeypatch.setenv(columnar.ROWS_ENV, "1")
    slow = _run(load)
    monkeypatch.delenv(columnar.ROWS_ENV)
    return fast, slow, any(taken[:1])


def _run(load):
    try:
        return load()
    except crm.CRMImportError as err:
        return f"CRMImportError: {err}"


def assert_same(fast, slow) -> None:
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    pd.testing.assert_frame_equal(fast.history.deals, slow.history.deals)
    pd.testing.assert_frame_equal(fast.history.events, slow.history.events)
    assert fast.history.meta == slow.history.meta and fast.history.funnel.keys == slow.history.funnel.keys
    pd.testing.assert_frame_equal(fast.rejects, slow.rejects)
    assert fast.warnings == slow.warnings
    assert fast.summary == slow.summary


FIXTURES = list(_fixture_cases())


@pytest.mark.parametrize("folder,name,spec", FIXTURES)
def test_every_fixture_imports_the_same_a_column_at_a_time(folder, name, spec, monkeypatch):
    import test_crm_sources as t

    fast, slow, _ = _load_both(monkeypatch, lambda: t._load(folder, name, spec))
    assert_same(fast, slow)


def test_the_column_path_is_taken_for_the_plain_fixtures(monkeypatch):
    import test_crm_sources as t

    taken = [name for folder, name, spec in (p.values for p in FIXTURES)
             if _load_both(monkeypatch, lambda f=folder, n=name, s=spec: t._load(f, n, s))[2]]
    # every plain CSV but the Age report (days in pipeline), Odoo's (its False cells) and the price-list pair
    assert {"opportunities_api.csv", "opportunities_report.csv", "deals_labels.csv", "deals_internal.csv",
            "deals_export.csv", "deals_export_eu_bom.csv", "fxiaoke_export_gbk.csv", "bad_values.csv",
            "unknown_stage.csv", "multi_currency.csv", "close_before_create.csv", "won_iswon_false.csv",
            "history_out_of_order.csv"} - set(taken) == set()
    assert not {"opportunities_report_age.csv", "crm_lead_labels.csv", "deals_without_amounts.csv",
                "truncated_quote.csv"} & set(taken)


def _messy_export(path: Path, n: int = 3000, seed: int = 11) -> Path:
    """A Salesforce report layout with a fault in about one row in six, written with Python's csv module."""
    rng = random.Random(seed)
    stages = ["Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
              "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"]
    amounts = ["$1,234.56", "12345", " $98,000.00 ", "$7", "1.234,56", "-5", "", "abc", "€1,000", "¥1,280,000.00",
               "12 345", ".5", "5.", "$1,23", "1,234,567.8", "$$5", "5$", "１２３"]
    dates = ["1/15/2024", "3/7/2024", "2024-02-30", "13/45/2024", "", "  ", "12/31/2023", "6/1/2024"]
    rows = []
    for i in range(n):
        fault = rng.random() < 1 / 6
        created = f"{rng.randint(1, 6)}/{rng.randint(1, 28)}/2024"
        closed = f"{rng.randint(7, 12)}/{rng.randint(1, 28)}/2024"
        row = {
            "Opportunity Owner": rng.choice(["Dana Whitfield", " Tom Kowalczyk", "Priya Raman ", ""]),
            "Account Name": f"Account {rng.randint(1, 300)}",
            "Opportunity Name": f"Deal {i}" if rng.random() > 0.01 else "  ",
            "Opportunity ID": f"006{i:09d}" if not (fault and rng.random() < 0.3) else rng.choice(
                ["", "006000000007", f"006{i - 1:09d}", " 006000000009 "]),
            "Stage": rng.choice(stages) if not (fault and rng.random() < 0.3) else rng.choice(
                ["Closed won", "negotiation/review", "Unknown Stage", "", "  Prospecting  "]),
            "Amount": f"${rng.randint(1, 900_000):,}.{rng.randint(0, 99):02d}" if not (fault and rng.random() < 0.5)
            else rng.choice(amounts),
            "Probability (%)": rng.choice(["10%", "0.2", "75", "", "n/a", "150%"]),
            "Created Date": created if not (fault and rng.random() < 0.3) else rng.choice(dates),
            "Close Date": closed if not (fault and rng.random() < 0.3) else rng.choice(dates + ["1/2/2024"]),
            "Lead Source": rng.choice(["Web", "Partner Referral", "", "Trade Show"]),
        }
        rows.append(row)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _messy_api_export(path: Path, n: int = 3000, seed: int = 12) -> Path:
    """A Salesforce Data Loader layout (IsClosed/IsWon, CurrencyIsoCode) with stale flags, unreadable flags and
    currencies that disagree with the amount's symbol in some rows."""
    rng = random.Random(seed)
    stages = ["Prospecting", "Qualification", "Negotiation/Review", "Closed Won", "Closed Lost"]
    rows = []
    for i in range(n):
        stage = rng.choice(stages)
        closed, won = stage.startswith("Closed"), stage == "Closed Won"
        if rng.random() < 0.1:  # a stale or odd flag
            closed, won = rng.choice([(True, True), (False, True), (True, False), (False, False), ("maybe", False)])
        rows.append({
            "Id": f"006{i:012d}", "Name": f"Deal {i}", "AccountId": f"001{rng.randint(1, 200):012d}",
            "OwnerId": f"005{rng.randint(1, 20):012d}", "StageName": stage,
            "Amount": rng.choice([f"{rng.randint(1, 90000)}.{rng.randint(0, 99)}", "€5,000.00", "$12,000", "",
                                  f"{rng.randint(1, 90000)}"]),
            "Probability": rng.choice(["10", "90", "", "abc"]),
            "CloseDate": f"2024-{rng.randint(6, 12):02d}-{rng.randint(1, 28):02d}",
            "CreatedDate": f"2024-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}T10:00:00.000+0000",
            "IsClosed": str(closed).lower(), "IsWon": str(won).lower(),
            "CurrencyIsoCode": rng.choice(["USD"] * 8 + ["EUR", ""]),
        })
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize("trust_flags", [False, True])
def test_an_api_export_with_stale_flags_and_currencies_imports_the_same(tmp_path, monkeypatch, trust_flags):
    path = _messy_api_export(tmp_path / "api.csv")
    fast, slow, taken = _load_both(monkeypatch, lambda: crm.load(path, source="salesforce", trust_flags=trust_flags))
    assert_same(fast, slow)
    assert taken and slow.summary["rejected"] > 0
    assert any("the stage decides" in w for w in slow.warnings) != trust_flags


@pytest.mark.parametrize("kwargs", [{}, {"currency": "USD"}, {"funnel": "key-account",
                                                               "mapping": {"stages": {"Prospecting": "need"}}}],
                         ids=["detected", "currency", "other-funnel"])
def test_a_messy_export_imports_the_same_a_column_at_a_time(tmp_path, monkeypatch, kwargs):
    path = _messy_export(tmp_path / "messy.csv")
    fast, slow, taken = _load_both(monkeypatch, lambda: crm.load(path, source="salesforce", **kwargs))
    assert_same(fast, slow)
    if not isinstance(slow, str):
        assert taken and 0 < slow.summary["rejected"] < slow.summary["rows_read"] and slow.warnings


def test_the_c_reader_reads_a_plain_csv_as_the_row_reader_does(tmp_path, monkeypatch):
    path = _messy_export(tmp_path / "messy.csv")
    monkeypatch.delenv(columnar.ROWS_ENV, raising=False)
    plain = readers.read_table(path, encoding=None, sep=None, sheet=None, hint=["Stage", "Amount"])
    monkeypatch.setenv(columnar.ROWS_ENV, "1")
    rows = readers.read_table(path, encoding=None, sep=None, sheet=None, hint=["Stage", "Amount"])
    assert isinstance(plain.rows, readers.FrameRows) and not isinstance(rows.rows, readers.FrameRows)
    assert plain.header == rows.header and list(plain.lines) == rows.lines and list(plain.rows) == rows.rows
    for text in ("a,b\n1,2\n\n3,4\n", "a,b\n1,\"x\ny\"\n", "title\na,b\n1,2\n", "a,b\n1,2\n , \n",
                 "a,b\r\n1,2\r\n", "a,b\n1,2,3\n", "a,b\n1\n", 'a,b\n"1,2\n'):
        p = tmp_path / "t.csv"
        p.write_text(text, "utf-8")
        monkeypatch.delenv(columnar.ROWS_ENV, raising=False)
        one = readers.read_table(p, encoding=None, sep=None, sheet=None, hint=["a", "b"])
        monkeypatch.setenv(columnar.ROWS_ENV, "1")
        two = readers.read_table(p, encoding=None, sep=None, sheet=None, hint=["a", "b"])
        assert (one.header, list(one.lines), list(one.rows), one.above, one.long_rows, one.truncated) == \
            (two.header, list(two.lines), list(two.rows), two.above, two.long_rows, two.truncated), text


def test_dollar_amounts_reads_only_what_the_row_importer_reads_the_same_way():
    """The byte-level amount reader against the row importer's parse on 200,000 random cells of digits, commas,
    points, signs, spaces and letters, and on real "$1,234.56" amounts: every cell it reads, the row importer
    reads to the same float and currency; every cell of $, digits, commas and points the row importer reads
    with its fast pattern, it reads too (so the fast path is not silently skipped)."""
    import numpy as np

    from simfunnel.crm.cells import _FAST_AMOUNT, AmountColumn

    rnd = random.Random(15)
    cells = ["".join(rnd.choice("0123456789,.$ -€¥a") for _ in range(rnd.randint(0, 9))) for _ in range(200_000)]
    cells += [f"${x:,.2f}" for x in np.random.default_rng(15).lognormal(8, 3, 5_000)]
    cells += ["1,234", "12,345,678.9", "$0", "0,123", "1234,567", "$1,234,", ",123", "1.5.", "$$1", "$1.2.3"]
    amount, dollar, read = columnar.dollar_amounts(np.array(cells, dtype=object))
    parser = AmountColumn(["1.5"])
    for c, a, d, ok in zip(cells, amount, dollar, read):
        x, cur = parser.parse(c)
        if ok:
            assert (x, cur == "$") == (a, d), c
        elif c and not set(c) - set("0123456789,.$"):
            assert not _FAST_AMOUNT.fullmatch(c), c
    assert 30_000 < read.sum() < len(cells) - 150_000  # both kinds are there


def test_census_counts_as_plain_python_does():
    """The numpy census of a file's text (control characters, NULs, line feeds, carriage returns, quotes and the
    characters that begin a line) against str.count and the regex count, on 5,000 random texts."""
    rnd = random.Random(7)
    for _ in range(5_000):
        t = "".join(rnd.choice('ab"\r\n\t\x00\x01\x7f\x1f ,') for _ in range(rnd.randint(0, 40)))
        got = readers.census(t)
        assert set(got.pop("starts")) == {ord(t[i + 1]) for i, ch in enumerate(t[:-1]) if ch == "\n"}, t
        assert got == {"control": len(readers._CONTROL.findall(t)), "\x00": t.count("\x00"), "\n": t.count("\n"),
                       "\r": t.count("\r"), '"': t.count('"')}, t


def test_symbol_amounts_read_what_the_row_importer_reads_the_same_way():
    """The numpy-string amount reader (other symbols, spaces) against the row importer's parse on 100,000 random
    cells: every cell it reads, the row importer reads to the same float and currency."""
    import numpy as np

    from simfunnel.crm.cells import AmountColumn

    rnd = random.Random(16)
    cells = ["".join(rnd.choice("0123456789,.$ ¥￥€£-a") for _ in range(rnd.randint(1, 10))) for _ in range(100_000)]
    cells += [f" ￥{x:,.2f} " for x in np.random.default_rng(16).lognormal(8, 3, 2_000)]
    amount, currency, read = columnar._symbol_amounts(np.array(cells, dtype=object))
    parser = AmountColumn(["1.5"])
    for c, a, cur, ok in zip(cells, amount, currency, read):
        if ok:
            assert parser.parse(c) == (a, cur), c
    assert 2_000 < read.sum() < len(cells) // 2


def test_the_decimal_comma_vote_does_not_depend_on_the_rows_order():
    """A column of both kinds (1.234,56 and 1,234.56, a few more of the second) far over the sample size: the
    same decision in file order and shuffled (a sample in file order alone would see only every 4th row)."""
    from simfunnel.crm.cells import AmountColumn

    cells = [f"{i % 900 + 100}.{i % 1000:03d},{i % 100:02d}" if i % 2 == 0 else
             f"{i % 900 + 100},{i % 1000:03d}.{i % 100:02d}" for i in range(65_001)]
    cells += [f"{i + 1000},{i % 1000:03d}.50" for i in range(100)]
    first = AmountColumn(cells).decimal_comma
    random.Random(3).shuffle(cells)
    assert first is AmountColumn(cells).decimal_comma is False
