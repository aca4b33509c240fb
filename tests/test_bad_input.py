"""Bad input gets one line, never a traceback, and nothing is allocated first (issue 12, point 7)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import simfunnel as sf
from simfunnel import cli
from simfunnel.model.generate import MAX_ACCOUNTS, MAX_DEALS
from simfunnel.model.history import MAX_WEEKS
from simfunnel.workshop.errors import StoreError, hidden_controls
from simfunnel.workshop.session import JoinError, join
from simfunnel.workshop.store import WorkshopStore

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simfunnel", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def _one_line_error(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("args, words", [
    (["generate", "--accounts", str(10**12), "--out", "x"], ["--accounts", f"{MAX_ACCOUNTS:,}"]),
    (["generate", "--deals", str(10**12), "--out", "x"], ["--deals", f"{MAX_DEALS:,}"]),
    (["generate", "--weeks", str(10**9), "--out", "x"], ["--weeks", str(MAX_WEEKS)]),
    (["simulate", "--accounts", str(10**12)], ["--accounts"]),
    (["workshop", "init", "--dir", "w", "--teams", "2", "--seed", "1", "--accounts", str(10**9)], ["--accounts", "5,000"]),
    (["report", "--dataset", "datasets/workshop", "--period-weeks", "100000000"], ["--period-weeks", str(MAX_WEEKS)]),
    (["report", "--dataset", "datasets/workshop", "--period-weeks", "45"], ["does not fit", "0-52"]),
])
def test_counts_and_weeks_out_of_bounds_end_in_one_line_before_any_allocation(tmp_path, args, words):
    started = time.perf_counter()
    done = _run(*[str(tmp_path / a) if a in ("x", "w") else a for a in args])
    _one_line_error(done, *words)
    assert time.perf_counter() - started < 60  # refused up front, not after minutes of allocating


def test_help_states_the_bounds():
    text = _run("generate", "--help").stdout
    assert f"1 to {MAX_ACCOUNTS:,}" in " ".join(text.split()) and f"1 to {MAX_WEEKS}" in " ".join(text.split())


def test_generate_refuses_huge_worlds_at_once():
    for kwargs, word in ((dict(accounts=10**12), "accounts"), (dict(deals=10**12), "deals"),
                         (dict(weeks=10**9), "weeks"), (dict(accounts=900_000), "about")):
        started = time.perf_counter()
        with pytest.raises(ValueError, match=word):
            sf.generate(**kwargs)
        assert time.perf_counter() - started < 1


def test_indicators_refuse_a_nonsense_period():
    history = sf.Simulation(sf.generate(accounts=20, seed=1), seed=1).run()
    with pytest.raises(ValueError, match="period_weeks must be at most 520"):
        sf.indicators(history, quota=1e6, period_weeks=100_000_000)


def test_a_memory_error_is_one_line(monkeypatch, capsys):
    def boom(args):
        raise MemoryError

    monkeypatch.setattr(cli, "_generate", boom)
    assert cli.main(["generate", "--out", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not enough memory" in err[0]


def test_chart_into_a_folder_and_round_status_before_any_round(tmp_path):
    folder = tmp_path / "charts"
    folder.mkdir()
    done = _run("report", "--dataset", "datasets/workshop", "--chart", str(folder))
    assert done.returncode == 0, done.stderr
    assert (folder / "funnel.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {folder / 'funnel.png'}" in done.stdout and not (tmp_path / "charts.png").exists()

    WorkshopStore.init(tmp_path / "w", teams=2, seed=1, accounts=30, weeks_per_round=2)
    done = _run("workshop", "round", "status", "--dir", str(tmp_path / "w"))
    assert done.returncode == 0, done.stderr
    assert "no round played yet" in done.stdout and "Empty DataFrame" not in done.stdout


@pytest.mark.parametrize("name", ["li\u202eexe.live", "a\u200bb", "x\u2066y\u2069", "\ufeffli", "li\u2028wang"])
def test_names_with_bidi_or_zero_width_controls_are_refused(tmp_path, name):
    assert hidden_controls(name)
    with pytest.raises(StoreError, match="invisible"):
        WorkshopStore.init(tmp_path / "a", teams=[name, "blue"], seed=1, accounts=20)
    WorkshopStore.init(tmp_path / "b", teams=2, seed=1, accounts=20)
    with pytest.raises(JoinError):
        join(tmp_path / "b", "team1", name)


def test_ordinary_names_pass():
    assert not any(hidden_controls(n) for n in ("李雷", "Li Lei", "O'Brien", "Ana-María", "华东组 2"))


# --- the store: damaged, read-only, a full disk, no temp files ------------------------------------------------
def _store_with_moves(folder: Path) -> WorkshopStore:
    from simfunnel.workshop.store import play_demo

    store = WorkshopStore.init(folder, teams=2, seed=1, accounts=50)
    play_demo(store, weeks=3, seed=1)
    store.close()
    return store


def test_a_damaged_index_page_is_refused_at_open_with_the_restore_advice(tmp_path):
    import sqlite3

    _store_with_moves(tmp_path)
    path = tmp_path / "workshop.sqlite"
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(path, "r+b") as fh:  # garbage inside an index page: tables still read, the index is wrong
        fh.seek((root - 1) * size + 8)
        fh.write(b"\xff" * 64)
    with pytest.raises(StoreError) as err:
        WorkshopStore.open(tmp_path)
    assert "damaged" in err.value.en and "Restore" in err.value.en and "损坏" in err.value.zh
    assert "\n" not in err.value.en
    for command in (["workshop", "status", "--dir", str(tmp_path)], ["workshop", "leaderboard", "--dir", str(tmp_path)]):
        _one_line_error(_run(*command), "damaged")


def test_a_read_only_store_serves_status_leaderboard_report_and_export_and_refuses_writes(tmp_path, monkeypatch):
    import os

    _store_with_moves(tmp_path / "w")
    path = (tmp_path / "w" / "workshop.sqlite").resolve()
    real_access = os.access
    # As if the file and its folder could not be written (root ignores permissions; a read-only disk is the case)
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if mode & os.W_OK and Path(p).resolve() in (
        path, path.parent) else real_access(p, mode, *a, **k))
    store = WorkshopStore.open(tmp_path / "w")
    assert store.read_only
    assert len(store.status()) == 2 and len(store.leaderboard()) == 2
    written = store.export(tmp_path / "out.csv")
    assert all(Path(f).exists() for f in written)
    from simfunnel.workshop import debrief

    assert debrief.report(store, tmp_path / "debrief.html").stat().st_size > 1000
    with pytest.raises(StoreError, match="read-only") as err:
        store.tick() if store.rounds_mode else store.set_weights(booked=1.0)
    assert "只读" in err.value.zh


def test_a_full_disk_at_init_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    import sqlite3

    from simfunnel.workshop import schema

    real_connect = sqlite3.connect

    def full(*args, **kwargs):  # SQLite's own refusal when the disk is full
        conn = real_connect(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 2")
        return conn

    monkeypatch.setattr(schema.sqlite3, "connect", full)
    with pytest.raises(StoreError, match="could not be created.*disk is full") as err:
        WorkshopStore.init(tmp_path / "w", teams=6, seed=1, accounts=50)
    assert "没有写入任何内容" in err.value.zh
    assert not (tmp_path / "w").exists() and list(tmp_path.iterdir()) == []


def test_the_handout_into_a_folder_leaves_no_temp_file(tmp_path):
    _store_with_moves(tmp_path / "w")
    out = tmp_path / "out"
    out.mkdir()
    done = _run("workshop", "report", "--dir", str(tmp_path / "w"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert [p.name for p in out.iterdir()] == ["debrief.html"] and str(out / "debrief.html") in done.stdout
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_a_headers_only_file_and_a_two_sheet_workbook_end_in_one_line_and_exit_2(tmp_path, capsys):
    import json

    import openpyxl

    from simfunnel.cli import main

    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"id": "ID", "stage": "Stage", "amount": "Amount", "created": "Created"}))
    headers = tmp_path / "headers.csv"
    headers.write_text("ID,Stage,Amount,Created\n")
    assert main(["import", str(headers), "--mapping", str(mapping), "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("simfunnel import: error: ")
    assert err[0].endswith("headers.csv: a header row and no data rows: nothing to import")
    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.active.append(["Report", "x"])
    deals = wb.create_sheet("Deals")
    deals.append(["ID", "Stage", "Amount", "Created"])
    deals.append(["A", "Won", "5", "2024-01-01"])
    wb.save(tmp_path / "two.xlsx")
    assert main(["import", str(tmp_path / "two.xlsx"), "--mapping", str(mapping), "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith("(read the first sheet 'Summary' of 'Summary', 'Deals': pick one with "
                                             "--sheet)")
    assert main(["import", str(tmp_path / "two.xlsx"), "--mapping", str(mapping), "--sheet", "Deals",
                 "--out", str(tmp_path / "c")]) == 0
