"""The committed workshop dataset is exactly what `simfunnel generate --seed 2026` makes, and is fully described."""

import json
from pathlib import Path

import pandas as pd
import pytest

from simfunnel.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
TABLES = ["accounts", "contacts", "deals", "events", "snapshots"]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("ws")
    assert main(["generate", "--seed", "2026", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("table", TABLES)
def test_regenerated_table_equals_committed(regenerated, table):
    committed = pd.read_csv(DATASETS / "workshop" / f"{table}.csv")
    fresh = pd.read_csv(regenerated / f"{table}.csv")
    pd.testing.assert_frame_equal(fresh, committed)
    if "amount" in committed:
        assert (committed.amount == committed.amount.round()).all()  # whole currency units


def test_regenerated_metadata_equals_committed(regenerated):
    assert json.loads((regenerated / "dataset.json").read_text("utf-8")) == json.loads(
        (DATASETS / "workshop" / "dataset.json").read_text("utf-8")
    )


def test_datapackage_describes_every_column_in_zh_and_en():
    pkg = json.loads((DATASETS / "datapackage.json").read_text("utf-8"))
    resources = {r["path"]: r for r in pkg["resources"]}
    maven = {f"maven-crm/{t}.csv" for t in ("sales_pipeline", "accounts", "products", "sales_teams", "data_dictionary")}
    assert set(resources) == {f"workshop/{t}.csv" for t in TABLES} | maven
    assert {p.name for p in (DATASETS / "maven-crm").glob("*.csv")} == {p.split("/")[1] for p in maven}
    for path, res in resources.items():
        header = list(pd.read_csv(DATASETS / path, nrows=0).columns)
        fields = res["schema"]["fields"]
        assert [f["name"] for f in fields] == header, path
        for f in fields:
            assert sum(ch.isascii() and ch.isalpha() for ch in f["description"]) > 5, (path, f["name"])
            assert any("\u4e00" <= ch <= "\u9fff" for ch in f["description_zh"]), (path, f["name"])


def test_datapackage_constraints_hold():
    pkg = json.loads((DATASETS / "datapackage.json").read_text("utf-8"))
    for res in pkg["resources"]:
        df = pd.read_csv(DATASETS / res["path"])
        for f in res["schema"]["fields"]:
            c = f.get("constraints", {})
            col = df[f["name"]].dropna()
            if "enum" in c:
                assert set(col.astype(str)) <= set(c["enum"]), (res["path"], f["name"])
            if "minimum" in c:
                assert (col >= c["minimum"]).all(), (res["path"], f["name"])
            if c.get("unique"):
                assert col.is_unique
