"""The trainer's console in Chinese: every ``simfunnel workshop`` subcommand with ``--lang zh`` prints Chinese
sentences, headers and errors; and an error message keeps its closing quote (in either language)."""

from __future__ import annotations

import re

import pytest
from chart_checks import chinese, english_words

from simfunnel import cli
from simfunnel.cli import main
from simfunnel.workshop.store import WorkshopStore, play_demo_round

# What stays as it is typed in a Chinese line: the program and its subcommands, option names (with a value in
# ASCII after them: --lang zh, --cards cards.html), the stand-in trainees' names (data), the event kinds' keys
# in the catalogue's 代号 column (what `event add` takes, besides the events' Chinese names).
COMMAND = re.compile(r"simfunnel(?: (?:workshop|codes|round|open|init|status|weights))*")
OPTION = re.compile(r"--[a-z-]+(?: (?:zh|cards\.html))?")
TRAINEE = re.compile(r"\bdemo-\d+\b")
KINDS = re.compile(r"\b(?:price_cut|budget_freeze|coach_leaves|large_tender|market_up|market_down)\b")


@pytest.fixture()
def room(tmp_path):
    """A small workshop in rounds (2 teams, 40 accounts, rounds of 2 weeks), not played yet."""
    WorkshopStore.init(tmp_path / "w", teams=2, seed=1, accounts=40, weeks_per_round=2).close()
    return tmp_path


def _zh(room, capsys, *argv, status=0):
    """Run ``simfunnel workshop *argv --lang zh``; its output (stdout and stderr), checked: Chinese, no English
    word once paths, join codes and what is typed are set aside."""
    assert main(["workshop", *argv, "--lang", "zh"]) == status, argv
    out, err = capsys.readouterr()
    if status:
        assert err.count("\n") == 1 and err.startswith("simfunnel"), err
    text = out + err
    shown = re.sub(re.escape(str(room)) + r"[A-Za-z0-9_/.\-]*", "", text)
    for path in room.glob("*/workshop.sqlite"):
        with WorkshopStore.open(path) as store:
            for code in store.team_codes().values():
                shown = shown.replace(code, "")
    for pattern in (COMMAND, OPTION, TRAINEE, KINDS):
        shown = pattern.sub("", shown)
    assert chinese([shown]), text
    assert not english_words([shown]), (english_words([shown]), text)
    return text


def _play(room, seed, late=()):
    with WorkshopStore.open(room / "w") as store:
        play_demo_round(store, seed=seed, late=list(late))


def test_every_workshop_subcommand_speaks_chinese(room, capsys):
    w = str(room / "w")
    out = _zh(room, capsys, "init", "--dir", str(room / "v"), "--teams", "3", "--seed", "2", "--accounts", "30",
              "--weeks-per-round", "2", "--people")
    assert "3 个组（第 1 组，第 2 组，第 3 组）" in out and "每回合 2 周" in out and "含人员层" in out
    assert "加入码：第 1 组" in out and "--lang zh" in out
    out = _zh(room, capsys, "status", "--dir", w)
    assert "2 个组，第 14–26 周" in out and "现在没有进行中的回合" in out
    assert out.splitlines()[2].split() == ["组", "当前周", "行动周", "行动数", "已撤回", "已判断回复", "最近活动"]
    assert "第 1 组" in out and "team1" not in out
    assert "还没有进行过回合" in _zh(room, capsys, "round", "status", "--dir", w)

    # the practice round: open, played, status, closed, reset
    assert _zh(room, capsys, "round", "open", "--dir", w, "--practice") == "已开始练习回合：第 14–15 周，进行中\n"
    _play(room, seed=1)
    out = _zh(room, capsys, "round", "status", "--dir", w)
    assert out.startswith("进行中：练习回合：第 14–15 周，进行中\n")
    assert out.splitlines()[1].split() == ["组", "回合", "已提交", "提交时间", "本回合行动", "提交人", "默认决策"]
    assert re.search(r"第 1 组\s+0\s+是\s+\d\d:\d\d:\d\d\s+2\s+demo-1\s+否", out), out
    assert "进行中：练习回合" in _zh(room, capsys, "status", "--dir", w)
    out = _zh(room, capsys, "round", "close", "--dir", w)
    assert out.startswith("已结束练习回合：所有组都已模拟第 14–15 周\n") and "练习" in out and "¥" in out
    assert "本回合成交" in out and "销售预计" in out
    assert _zh(room, capsys, "practice", "reset", "--dir", w) == "练习回合已重置：撤回 6 个行动，各组回到第 13 周\n"

    # market events: the catalogue, one scheduled by Chinese names (event, team, parameter), the list
    out = _zh(room, capsys, "event", "list")
    assert "竞争对手降价" in out and "持续周数=4" in out and "market_down" in out
    out = _zh(room, capsys, "event", "add", "竞争对手降价", "--dir", w, "--team", "第 2 组", "--param", "持续周数=3")
    assert out.startswith("已安排市场事件 1（第 1 回合）：第 14 周（第 2 组）：竞争对手降价") and "持续 3 周" in out
    _zh(room, capsys, "event", "add", "market_up", "--dir", w, "--round", "3")
    out = _zh(room, capsys, "event", "list", "--dir", w)
    assert "已安排 2 个市场事件" in out and "所有组" in out and "已发生" in out

    # weights, by key or by Chinese name
    out = _zh(room, capsys, "weights", "--dir", w, "已成交=4", "quiz_score=0.5")
    assert [line.split() for line in out.splitlines()][:3] == [["指标", "权重"], ["已成交", "4.0"],
                                                               ["预测准确度", "2.0"]]

    # two scored rounds (one team late in the first: the default decision)
    out = _zh(room, capsys, "round", "open", "--dir", w, "--timer", "5")
    assert out.startswith("已开始第 1 回合：第 14–15 周，进行中，截止时间 ") and "分钟）" in out
    _play(room, seed=2, late=["team2"])
    assert "还剩" in _zh(room, capsys, "round", "status", "--dir", w)
    assert "已结束第 1 回合" in _zh(room, capsys, "round", "close", "--dir", w)
    out = _zh(room, capsys, "round", "status", "--dir", w)
    assert out.startswith("现在没有进行中的回合；上一回合：第 1 回合：第 14–15 周，已结束\n")
    assert [line.split()[-1] for line in out.splitlines()[2:]] == ["否", "是"]
    _zh(room, capsys, "round", "open", "--dir", w)
    _play(room, seed=3)
    _zh(room, capsys, "round", "close", "--dir", w)

    out = _zh(room, capsys, "leaderboard", "--dir", w)
    assert "门槛 ¥50,000" in out
    assert "得分权重：已成交 4，预测准确度 2，进展 / 基准 2，答题得分 0.5，录入记录数 1" in out
    assert out.splitlines()[2].split()[-2:] == ["得分", "名次"] and "¥530,000" in out and "销售任务" in out
    assert _zh(room, capsys, "export", "--dir", w, "--out", str(room / "board.xlsx")).startswith("已写入 ")
    assert _zh(room, capsys, "export", "--dir", w, "--out", str(room / "board.csv")).count("已写入 ") == 2

    # who may act for a team
    out = _zh(room, capsys, "codes", "--dir", w, "--regenerate", "第 1 组", "--cards", str(room / "cards.html"))
    assert "第 1 组的新加入码" in out and "2 张小组卡片" in out
    assert _zh(room, capsys, "name", "--dir", w, "team1", "华东组") == "第 1 组现在叫「华东组」\n"
    with WorkshopStore.open(room / "w") as store:
        store.claim_name("team1", "李雷", browser="tab-1")
        moves = store.moves("team1")
        deal = int(moves[(moves["round"] == 2) & ~moves["withdrawn"]]["deal_id"].iloc[0])
    assert _zh(room, capsys, "allow", "--dir", w, "华东组", "李雷") == \
        "李雷可以从另一个浏览器再加入华东组一次；之前用的页面不能再行动\n"
    out = _zh(room, capsys, "status", "--dir", w)
    assert out.splitlines()[3].split()[0] == "华东组"

    # the debrief: what-if (an action by its Chinese name) and the handout
    out = _zh(room, capsys, "whatif", "--dir", w, "--team", "华东组", "--round", "2", "--deal", str(deal),
              "--action", "礼节性回访", "--threshold", "20000")
    assert out.startswith(f"华东组，第 2 回合（第 16 周起）：改变：商机 {deal}：") and "门槛 ¥50,000 改为 ¥20,000" in out
    for header in ("指标", "原来", "假设分支", "差别", "销售预计（原来）", "已成交差别"):
        assert header in out, header
    assert "不做" in _zh(room, capsys, "whatif", "--dir", w, "--team", "team1", "--round", "2", "--remove", str(deal))
    out = _zh(room, capsys, "report", "--dir", w, "--out", str(room / "debrief.html"), "--branch",
              f"华东组:2:{deal}=courtesy_call")
    assert out.startswith("已写入讲义 ") and "1 个假设分支" in out and (room / "debrief.html").is_file()


def test_refusals_in_chinese_are_one_line(room, capsys):
    w = str(room / "w")
    _zh(room, capsys, "round", "open", "--dir", w)
    for argv, message in (
        (["name", "--dir", w, "紫组", "x"], "没有名为「紫组」的组；各组是：第 1 组、第 2 组。"),
        (["event", "add", "market_up", "--dir", w, "--team", "紫组"], "没有名为「紫组」的组"),
        (["round", "open", "--dir", w], "第 1 回合还在进行中（第 14–15 周）：先结束它，再开始下一回合。"),
        (["weights", "--dir", w, "已成交=-1"], "得分权重「已成交」必须是不小于 0 的数（填的是 -1.0）"),
        (["weights", "--dir", w, "运气=1"], "没有「运气」这个得分权重；得分权重有：已成交、预测准确度"),
        (["weights", "--dir", w, "已成交=很多"], "得分权重「已成交」：「很多」不是数字"),
        (["practice", "reset", "--dir", w], "没有需要重置的练习回合。"),
        (["event", "add", "流星", "--dir", w], "没有「流星」这种市场事件；可以安排：竞争对手降价"),
        (["status", "--dir", str(room / "nowhere")], "这里没有工作坊数据文件"),
        (["init", "--dir", w, "--teams", "2", "--seed", "1"], "这里已经有一个工作坊数据文件"),
        (["init", "--dir", str(room / "n"), "--seed", "1"], "请给出 --teams 组数"),
        (["export", "--dir", w, "--out", str(room / "x.txt")], "只能导出为 CSV 或 Excel 文件"),
        (["whatif", "--dir", w, "--team", "第 1 组", "--round", "9"], "第 9 回合不是这个组进行过的回合"),
    ):
        err = _zh(room, capsys, *argv, status=2)
        assert err.startswith("simfunnel workshop：错误：") and message in err, err
    # argparse's own errors, in Chinese too
    for argv, message in ((["round", "open", "--dir", w, "--timer", "0"], "参数 --timer：「0」：分钟数必须大于 0"),
                          (["status"], "缺少必需的参数：--dir"),
                          (["init", "--dir", w, "--teams", "两", "--seed", "1"], "参数 --teams：「两」不是整数"),
                          (["weights", "--dir", w, "已成交"], "参数「名称=值」：「已成交」不是「名称=值」的形式")):
        with pytest.raises(SystemExit) as info:
            _zh(room, capsys, *argv)
        err = capsys.readouterr().err
        assert info.value.code == 2 and err.startswith("simfunnel：错误：") and message in err, err
        assert err.count("\n") == 1 and "（帮助：simfunnel workshop " in err


def test_english_stays_english(room, capsys):
    w = str(room / "w")
    assert main(["workshop", "round", "open", "--dir", w, "--lang", "en"]) == 0
    assert capsys.readouterr().out == "opened round 1: weeks 14-15, open\n"
    assert main(["workshop", "name", "--dir", w, "紫组", "x"]) == 2
    assert capsys.readouterr().err == ("simfunnel workshop: error: No team named '紫组'; the teams are: "
                                       "team1, team2.\n")
    with pytest.raises(SystemExit):
        main(["workshop", "status"])
    assert capsys.readouterr().err == ("simfunnel: error: the following arguments are required: --dir "
                                       "(see 'simfunnel workshop status --help')\n")
    with pytest.raises(SystemExit):
        main(["workshop", "status", "--dir", w, "--bogus"])
    assert "(see 'simfunnel --help')" in capsys.readouterr().err


def test_an_error_message_keeps_its_closing_quote(room, capsys, monkeypatch):
    argv = ["workshop", "init", "--dir", str(room / "p"), "--teams", "2", "--seed", "1", "--pace", "slow"]
    assert main(argv) == 2
    assert capsys.readouterr().err.endswith("a weekly chance in (0, 1], got 'slow'\n")
    assert main([*argv, "--lang", "zh"]) == 2
    assert capsys.readouterr().err.endswith("不能是「slow」\n")
    for raised, shown in ((KeyError("no column 'x'"), "no column 'x'"),  # KeyError's repr: its quotes unwrapped
                          (KeyError("plain"), "plain"),
                          (KeyError('say "hi"'), 'say "hi"'),
                          (ValueError("'a' is not 'b'"), "'a' is not 'b'"),  # quotes at both ends, not one string
                          (ValueError("got 'abc'"), "got 'abc'"),
                          (ValueError('"quoted" at the start'), '"quoted" at the start'),
                          (FileNotFoundError(2, "No such file or directory", "x.csv"),
                           "[Errno 2] No such file or directory: 'x.csv'")):
        def fails(args, exc=raised):
            raise exc

        monkeypatch.setattr(cli, "_debrief", fails)
        assert main(["workshop", "report", "--dir", "w", "--out", "x.html"]) == 2
        assert capsys.readouterr().err == f"simfunnel workshop: error: {shown}\n", raised
    assert main(["workshop", "report", "--dir", "w", "--out", "x.html", "--lang", "zh"]) == 2
    assert capsys.readouterr().err == "simfunnel workshop：错误：x.csv：没有这个文件或文件夹\n"


def test_import_and_report_speak_chinese(tmp_path, capsys):
    from pathlib import Path

    folder = Path(__file__).resolve().parent / "fixtures" / "crm" / "salesforce"
    assert main(["import", str(folder / "opportunities_api.csv"), "--source", "salesforce", "--history",
                 str(folder / "opportunity_history.csv"), "--out", str(tmp_path / "sf"), "--lang", "zh"]) == 0
    assert main(["report", "--dataset", str(tmp_path / "sf"), "--chart", str(tmp_path / "f.png"), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    text = re.sub(r"\S+\.(csv|png)\b|/\S+|'[^']*'|--\w+|\w+=\S*", " ", out)  # paths, file names, quoted values, code
    for line in text.splitlines():
        if line.strip().startswith(("导入", "漏斗")) or "salesforce" in line:
            continue  # the source's and funnel's own names
        assert not english_words([line]) - {"USD", "Opportunity", "History"}, line
    assert "已写入" in out and "总体赢单比例" in out and "销售任务" in out
