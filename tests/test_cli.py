import re
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
    # the overall won share and the product-limit stage rates, labelled, with intervals (issue 15)
    from simfunnel import History
    from simfunnel.analysis.winrates import empirical_win_rates, overall_win_rate

    h = History.load(ROOT / "datasets/workshop")
    o = overall_win_rate(h)
    assert (f"overall won share (won ÷ closed, every deal): {o['share']:.1%} (95% interval {o['low']:.1%}–"
            f"{o['high']:.1%}; {int(o['won'])} of {int(o['closed'])})") in out
    r = empirical_win_rates(h).loc["commitment"]
    assert f"  Commitment: {r['win_rate']:.1%} (95% interval {r['low']:.1%}–{r['high']:.1%}" in out
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
        (["workshop", "status", "--dir", "/nonexistent"], "/nonexistent/workshop.sqlite: no workshop store here"),
        (["workshop", "leaderboard", "--dir", "README.md"], "README.md: not a simfunnel workshop store"),
        (["workshop", "init", "--dir", "/nonexistent"], "the following arguments are required: --seed"),
        (["workshop", "export", "--dir", "/nonexistent", "--out", "x.csv"], "no workshop store here"),
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


def test_workshop_init_status_leaderboard_export(tmp_path, capsys):
    import openpyxl

    from simfunnel.workshop.store import WorkshopStore

    w = tmp_path / "room"
    assert main(["workshop", "init", "--dir", str(w), "--team-names", "red,blue", "--seed", "4", "--accounts", "40",
                 "--threshold", "20000"]) == 0
    assert "2 teams (red, blue), seed 4" in capsys.readouterr().out
    with WorkshopStore.open(w) as store:
        assert store.config["threshold"] == 20_000 and store.config["accounts"] == 40
        sim = store.simulation("red")
        deal = int(sim.history.deals.query("status == 'open'").deal_id.iloc[0])
        store.record_move("red", 14, deal, "courtesy_call", trainee="Li")
    assert main(["workshop", "status", "--dir", str(w)]) == 0
    out = capsys.readouterr().out.splitlines()
    red = next(line.split() for line in out if line.strip().startswith("red"))
    assert red[:6] == ["red", "13", "14", "1", "0", "0"] and red[-1] == "UTC"
    assert main(["workshop", "leaderboard", "--dir", str(w / "workshop.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "forecast_accuracy" in out and "quiz_score" in out and "threshold 20,000 CNY" in out
    assert main(["workshop", "export", "--dir", str(w), "--out", str(tmp_path / "out.xlsx")]) == 0
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["moves", "leaderboard"] and book["moves"].max_row == 2
    assert main(["workshop", "export", "--dir", str(w), "--out", str(tmp_path / "out.csv")]) == 0
    assert (tmp_path / "out.csv").exists() and (tmp_path / "out-leaderboard.csv").exists()


def test_workshop_errors_name_the_file_and_exit_2(tmp_path, capsys):
    foreign = tmp_path / "workshop.sqlite"
    foreign.write_bytes(b"not a database at all")
    assert main(["workshop", "status", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"simfunnel workshop: error: {foreign}: not a simfunnel workshop store (not an SQLite database); " \
                  "left untouched\n"
    assert foreign.read_bytes() == b"not a database at all"
    assert main(["workshop", "init", "--dir", str(tmp_path), "--teams", "2", "--seed", "1"]) == 2
    assert f"{foreign}: a workshop store already exists here" in capsys.readouterr().err
    assert main(["workshop", "init", "--dir", str(tmp_path / "n"), "--teams", "3", "--team-names", "a,b",
                 "--seed", "1"]) == 2
    assert "--teams 3 but --team-names names 2 teams" in capsys.readouterr().err
    assert main(["workshop", "init", "--dir", str(tmp_path / "n"), "--team-names", "a,,b", "--seed", "1"]) == 2
    assert "team name must not be empty" in capsys.readouterr().err


def test_workshop_report_and_whatif(tmp_path, capsys):
    from html.parser import HTMLParser

    from simfunnel.workshop.store import WorkshopStore, play_demo

    w = tmp_path / "room"
    with WorkshopStore.init(w, teams=["red", "blue"], seed=4, accounts=40) as store:
        play_demo(store, weeks=3, seed=2)
        moves = store.moves("red")
        first = moves[moves["week"] == store.start_week + 1]
        deal, other = int(first["deal_id"].iloc[0]), int(first["deal_id"].iloc[1])
        action = str(first["action"].iloc[0])
    # what if: no change reproduces the original (difference 0 everywhere)
    assert main(["workshop", "whatif", "--dir", str(w), "--team", "red", "--round", "1"]) == 0
    out = capsys.readouterr().out
    assert "team red, round 1 (from week 14): no change" in out
    summary = [line.split() for line in out.splitlines() if line.split()[:1] in (["booked"], ["records_entered"])]
    assert summary and all(row[-1] in ("0", "0.000", "-0") for row in summary)
    assert main(["workshop", "whatif", "--dir", str(w), "--team", "red", "--round", "1", "--deal", str(deal),
                 "--action", "courtesy_call", "--remove", str(other), "--threshold", "20000", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert f"商机 {deal}" in out and "礼节性回访" in out and f"商机 {other}：不做" in out and "门槛" in out
    assert "销售预计（原来）" in out and "已成交差别" in out  # --lang zh: its tables' headers too
    # the handout, with two branches
    html_path = tmp_path / "debrief.html"
    assert main(["workshop", "report", "--dir", str(w), "--out", str(html_path), "--lang", "zh",
                 "--branch", f"red:1:{deal}=courtesy_call,{other}=remove", "--branch", "blue:2:threshold=20000"]) == 0
    assert f"已写入讲义 {html_path}（中文）：2 个组，2 个假设分支" in capsys.readouterr().out

    class Images(HTMLParser):
        count = 0

        def handle_starttag(self, tag, attrs):
            self.count += tag == "img" and dict(attrs)["src"].startswith("data:image/png;base64,")

    page = Images()
    page.feed(html_path.read_text("utf-8"))
    assert page.count == 4 and "假设分支" in html_path.read_text("utf-8")
    assert action  # the move changed was a real one
    # errors: one clear line, exit 2
    for argv, message in (
        (["whatif", "--team", "red", "--round", "9"], "not a round this team has played"),
        (["whatif", "--team", "red", "--round", "1", "--deal", str(deal)], "one --action per --deal"),
        (["whatif", "--team", "red", "--round", "1", "--deal", str(deal), "--action", "fly"], "unknown action 'fly'"),
        (["whatif", "--team", "pink", "--round", "1"], "No team named 'pink'"),
        (["report", "--out", str(tmp_path / "x.html"), "--branch", "red"], "expected TEAM:ROUND"),
        (["report", "--out", str(tmp_path / "x.html"), "--branch", "red:one"], "round 'one' is not a whole number"),
        (["report", "--out", str(tmp_path / "x.html"), "--branch", f"red:1:{deal}"], f"give deal {deal} an action"),
    ):
        assert main(["workshop", argv[0], "--dir", str(w), *argv[1:]]) == 2
        err = capsys.readouterr().err
        assert err.startswith("simfunnel workshop: error:") and message in err and err.count("\n") == 1, err


def test_workshop_rounds_practice_events_and_weights(tmp_path, capsys):
    from simfunnel.workshop.store import WorkshopStore

    w = tmp_path / "room"
    assert main(["workshop", "init", "--dir", str(w), "--team-names", "red,blue", "--seed", "4", "--accounts", "40",
                 "--weeks-per-round", "2"]) == 0
    assert "weeks 14-26, rounds of 2 weeks" in capsys.readouterr().out
    assert main(["workshop", "round", "open", "--dir", str(w), "--practice"]) == 0
    assert capsys.readouterr().out == "opened the practice round: weeks 14-15, open\n"
    with WorkshopStore.open(w) as store:
        sim = store.simulation("red")
        deal = int(sim.history.deals.query("status == 'open'").deal_id.iloc[0])
        store.record_move("red", 14, deal, "courtesy_call", trainee="Li")
        store.submit("red", "Li")
    assert main(["workshop", "round", "status", "--dir", str(w)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "open: the practice round: weeks 14-15, open"
    red = next(line.split() for line in out if line.strip().startswith("red"))
    assert red[:3] == ["red", "0", "True"] and red[-3:] == ["1", "Li", "False"]
    assert main(["workshop", "round", "close", "--dir", str(w)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("closed the practice round: weeks 14-15 played for every team\n") and "practice" in out
    assert main(["workshop", "practice", "reset", "--dir", str(w)]) == 0
    assert capsys.readouterr().out == "practice round reset: 1 moves withdrawn, every team back at week 13\n"

    assert main(["workshop", "event", "list", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "竞争对手降价" in out and "market_down" in out and "市场下行" in out
    assert main(["workshop", "event", "add", "price_cut", "--dir", str(w), "--team", "blue", "--param", "weeks=3",
                 "--param", "advance=0.5"]) == 0
    assert capsys.readouterr().out == ("scheduled event 1 (round 1): Week 14, team blue: Competitor's price cut — "
                                       "weekly advance at the Evaluation stage × 0.5, loss × 1.3, for 3 weeks "
                                       "(weeks 14–16).\n")
    assert main(["workshop", "event", "add", "market_up", "--dir", str(w), "--round", "3"]) == 0
    capsys.readouterr()
    assert main(["workshop", "event", "list", "--dir", str(w)]) == 0
    out = capsys.readouterr().out
    assert "2 market events scheduled" in out and "Week 18, every team: Market turns up" in out
    with WorkshopStore.open(w) as store:
        assert store.events().params.tolist() == [{"weeks": 3, "advance": 0.5}, {}]
        assert store.events()[["team", "week"]].values.tolist() == [["blue", 14], [None, 18]]

    assert main(["workshop", "weights", "--dir", str(w), "booked=4", "quiz_score=0.5"]) == 0
    out = capsys.readouterr().out
    assert [line.split() for line in out.splitlines()][1:3] == [["booked", "4.0"], ["forecast_accuracy", "2.0"]]
    assert main(["workshop", "round", "open", "--dir", str(w), "--timer", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("opened round 1: weeks 14-15, open, deadline ") and "(5.0 min left)" in out
    assert main(["workshop", "status", "--dir", str(w)]) == 0
    assert "open: round 1: weeks 14-15" in capsys.readouterr().out
    assert main(["workshop", "leaderboard", "--dir", str(w)]) == 0
    out = capsys.readouterr().out
    assert ("score weights: booked 4, forecast_accuracy 2, progress_vs_benchmark 2, quiz_score 0.5, "
            "records_entered 1") in out
    assert out.splitlines()[2].split()[-2:] == ["score", "rank"]
    assert main(["workshop", "round", "close", "--dir", str(w)]) == 0
    assert capsys.readouterr().out.startswith("closed round 1: weeks 14-15 played for every team")
    assert main(["workshop", "round", "status", "--dir", str(w)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "no round open; the last one: round 1: weeks 14-15, closed"
    assert [line.split()[-1] for line in out[2:]] == ["True", "True"]  # both teams: the default decision
    with WorkshopStore.open(w) as store:
        assert store.week("blue") == 15 and store.weights["quiz_score"] == 0.5


def test_workshop_round_errors_are_one_clear_line(tmp_path, capsys):
    free, rounds = tmp_path / "free", tmp_path / "rounds"
    assert main(["workshop", "init", "--dir", str(free), "--teams", "2", "--seed", "1", "--accounts", "20"]) == 0
    assert main(["workshop", "init", "--dir", str(rounds), "--teams", "2", "--seed", "1", "--accounts", "20",
                 "--weeks-per-round", "3"]) == 0
    capsys.readouterr()
    for argv, message in (
        (["round", "open", "--dir", str(free)], "This workshop plays free (it was created without weeks per round)"),
        (["round", "close", "--dir", str(rounds)], "No round is open to close."),
        (["practice", "reset", "--dir", str(rounds)], "There is no practice round to reset."),
        (["event", "add", "meteor", "--dir", str(rounds)], "unknown market event 'meteor'; the catalogue: price_cut"),
        (["event", "add", "price_cut", "--dir", str(rounds), "--param", "speed=2"], "unknown parameter 'speed'"),
        (["event", "add", "price_cut", "--dir", str(rounds), "--param", "weeks=1", "--param", "weeks=2"],
         "--param names a parameter twice"),
        (["weights", "--dir", str(rounds), "luck=1"], "unknown score weight 'luck'"),
        (["weights", "--dir", str(rounds), "booked=lots"], "weight booked: 'lots' is not a number"),
    ):
        assert main(["workshop", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("simfunnel workshop: error: ") and message in err and err.count("\n") == 1, err
    for argv, message in ((["round", "open", "--dir", str(rounds), "--timer", "0"], "must be more than 0 minutes"),
                          (["weights", "--dir", str(rounds), "booked"], "'booked' is not name=value"),
                          (["init", "--dir", str(tmp_path / "x"), "--teams", "2", "--seed", "1",
                            "--weeks-per-round", "-1"], "must be 0 or more")):
        with pytest.raises(SystemExit) as info:
            main(["workshop", *argv])
        err = capsys.readouterr().err
        assert info.value.code == 2 and message in err and err.count("\n") == 1, err


def test_workshop_branch_specs_and_multi_line_errors_end_in_one_line(tmp_path, capsys, monkeypatch):
    from simfunnel.workshop import debrief
    from simfunnel.workshop.store import WorkshopStore

    w = tmp_path / "room"
    WorkshopStore.init(w, teams=["red"], seed=4, accounts=20).close()
    out = str(tmp_path / "x.html")
    for spec, message in (("red:1:threshold=abc", "--branch 'red:1:threshold=abc': 'abc' is not a number"),
                          ("red:1:threshold=-5", "--branch 'red:1:threshold=-5': '-5' must be 0 or more"),
                          ("red:1:=remove", "--branch 'red:1:=remove': '=remove' is not name=value")):
        assert main(["workshop", "report", "--dir", str(w), "--out", out, "--branch", spec]) == 2, spec
        err = capsys.readouterr().err
        assert err == f"simfunnel workshop: error: {message}\n", err

    def fails(*args, **kwargs):  # e.g. matplotlib's mathtext error: a message over several lines
        raise ValueError("\nbad text\n   ^\nParseException: expected")

    monkeypatch.setattr(debrief, "report", fails)
    assert main(["workshop", "report", "--dir", str(w), "--out", out]) == 2
    assert capsys.readouterr().err == "simfunnel workshop: error: bad text ^ ParseException: expected\n"


def test_workshop_init_with_a_seed_too_large_for_the_store_is_one_line(tmp_path, capsys):
    argv = ["workshop", "init", "--dir", str(tmp_path / "w"), "--teams", "2", "--seed", str(2**64), "--same-world"]
    assert main(argv) == 2
    assert capsys.readouterr().err == "simfunnel workshop: error: seed must be at most 9223372036854775807, got " \
                                      "18446744073709551616\n"


def test_import_keeps_rows_whose_flags_contradict_the_stage_unless_trust_flags(tmp_path, capsys):
    source = ROOT / "tests/fixtures/crm/broken/won_iswon_false.csv"
    assert main(["import", str(source), "--source", "salesforce", "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "the stage decides" in out and "--trust-flags" in out
    kept = pd.read_csv(tmp_path / "a" / "deals.csv")
    assert len(kept) == 11  # 12 rows: only the one without an amount is rejected
    assert main(["import", str(source), "--source", "salesforce", "--out", str(tmp_path / "b"), "--trust-flags"]) == 0
    assert len(pd.read_csv(tmp_path / "b" / "deals.csv")) == 8  # today's behaviour: the three contradictions rejected


def test_report_without_a_quota_uses_the_mean_quarterly_bookings_and_says_so(tmp_path, capsys):
    folder = ROOT / "tests/fixtures/crm/salesforce"
    assert main(["import", str(folder / "opportunities_api.csv"), "--source", "salesforce", "--history",
                 str(folder / "opportunity_history.csv"), "--out", str(tmp_path / "sf")]) == 0
    capsys.readouterr()
    assert main(["report", "--dataset", str(tmp_path / "sf"), "--chart", str(tmp_path / "f.png")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "(the history's mean bookings per 13 weeks; give --quota to set one)" in first
    assert re.search(r"quota [\d,]+ USD", first)
    capsys.readouterr()
    assert main(["report", "--dataset", str(tmp_path / "sf"), "--chart", str(tmp_path / "f.png"), "--csv",
                 str(tmp_path / "t.csv")]) == 0
    lines = capsys.readouterr().out.splitlines()
    last_week = next(line for line in lines if line.strip().startswith("13 "))
    assert last_week.split()[-2] == "—"  # every in-funnel deal of that week still open: no error yet, not +0.0%
