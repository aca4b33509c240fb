import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simfunnel.cli import main

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = [
    "forecast_in_funnel", "booked_week", "out_of_funnel_booked_week", "booked", "out_of_funnel_booked", "run_rate",
    "expected_out_of_funnel", "forecast", "progress", "benchmark", "coverage", "forecast_error",
]


def test_report_on_workshop_dataset_prints_every_column(tmp_path, capsys):
    chart = tmp_path / "funnel.png"
    table = tmp_path / "table.csv"
    assert main(["report", "--dataset", str(ROOT / "datasets/workshop"), "--threshold", "50000",
                 "--chart", str(chart), "--csv", str(table)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.strip().startswith("t "))
    for col in COLUMNS:
        assert col in header.split(), col
    assert "records entered:" in out
    rows = pd.read_csv(table)
    assert len(rows) == 14 and rows.week.tolist() == list(range(13, 27))
    assert chart.stat().st_size > 10_000 and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_generate_then_simulate_then_report(tmp_path, capsys):
    ds = tmp_path / "ds"
    assert main(["generate", "--seed", "5", "--accounts", "40", "--out", str(ds)]) == 0
    assert {p.name for p in ds.iterdir()} >= {"accounts.csv", "contacts.csv", "deals.csv", "events.csv",
                                              "snapshots.csv", "dataset.json"}
    again = tmp_path / "again"
    assert main(["simulate", "--dataset", str(ds), "--seed", "9", "--out", str(again)]) == 0
    a, b = pd.read_csv(ds / "deals.csv"), pd.read_csv(again / "deals.csv")
    assert a.deal_id.tolist() == b.deal_id.tolist() and a.amount.tolist() == b.amount.tolist()
    assert a.status.tolist() != b.status.tolist()  # another seed, another history of the same world
    assert main(["report", "--dataset", str(again), "--threshold", "0", "--chart", str(tmp_path / "c.png"),
                 "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "7.7%" in out  # benchmark 1/13 with threshold 0


@pytest.mark.parametrize(
    "argv,message",
    [
        (["report", "--dataset", "/nonexistent"], "no such dataset folder"),
        (["report", "--dataset", "."], "not a simfunnel dataset"),
        (["report", "--dataset", "datasets/workshop", "--threshold", "-5"], "must be 0 or more"),
        (["report", "--dataset", "datasets/workshop", "--threshold", "abc"], "is not a number"),
        (["report", "--dataset", "datasets/workshop", "--start-week", "60"], "start_week"),
        (["generate", "--out", "x", "--accounts", "0"], "must be at least 1"),
        (["generate", "--out", "x", "--preset", "nope"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_get_one_clear_line(argv, message):
    run = subprocess.run([sys.executable, "-m", "simfunnel", *argv], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_console_script_is_installed():
    exe = Path(sys.executable).with_name("simfunnel")
    run = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and "generate" in run.stdout and "report" in run.stdout
