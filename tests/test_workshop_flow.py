"""The trainee flow of a workshop: join once, then the team's DealBoard reads and writes the store.

Driven from code, as a trainee's clicks would: the join form (``JoinWidget``: a team's join code and a
name; a folder and a team list for a trusted coder), the kernel-wide session, ``DealBoard.for_team`` (``TeamBoard``) with two trainees of one team
on two boards, and a board rebuilt from the store as after a kernel restart.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from simfunnel.model.actions import actions_for
from simfunnel.workshop.store import WorkshopStore
from simfunnel.widgets import DealBoard
from simfunnel.widgets.workshop import JoinWidget, TeamBoard, WorkshopPlay
from simfunnel.workshop import session as ws
from simfunnel.workshop.session import JoinError, current_session, join

from chart_checks import assert_language, closing_new_widgets

ACCOUNTS = 80


@pytest.fixture(autouse=True)
def clean_session(monkeypatch):
    monkeypatch.delenv(ws.ENV, raising=False)
    ws.leave()
    with closing_new_widgets():
        yield
    ws.leave()


@pytest.fixture
def folder(tmp_path):
    WorkshopStore.init(tmp_path / "w", teams=["red", "blue"], seed=11, accounts=ACCOUNTS)
    return tmp_path / "w"


def _target(board, stage_index=1, skip=()):
    """A deal of the board at an open stage, not acted on yet, and the first action that fits it."""
    stage = board.funnel.keys[stage_index]
    deal = next(d for d in board.page(stage) if d not in skip)
    return deal, actions_for(board.funnel, stage)[0].key


def _live(store, team):
    moves = store.moves(team)
    return moves[~moves["withdrawn"]]


# --- joining ------------------------------------------------------------------------------------
def test_join_widget_takes_a_code_and_a_name_never_a_folder_and_sets_the_session(folder, monkeypatch):
    monkeypatch.setenv(ws.ENV, str(folder))
    code = WorkshopStore.open(folder).team_codes()["blue"]
    form = JoinWidget(lang="en")
    assert form.folder_field is None and form.team_field is None  # the server's workshop: no path, no team list
    assert str(folder) not in " ".join(form.texts())
    form.code_field.value = f" {code[:3].lower()}-{code[3:]} "  # as typed from the card
    form.name_field.value = "  Li  "
    joined = []
    form.on_join(joined.append)
    form.join_button.click()
    session = current_session()
    assert session is not None and joined == [session]
    assert (session.team, session.trainee, session.code) == ("blue", "Li", code)
    assert session.store.path == folder / "workshop.sqlite"
    assert "Joined: blue · Li" in form._message.value
    assert form._form.layout.display == "none" and form.change_button.layout.display is None

    board = DealBoard.for_team()  # no arguments: the session's team and trainee
    assert isinstance(board, TeamBoard) and isinstance(board, DealBoard)
    assert (board.team, board.trainee, board.week) == ("blue", "Li", 13)
    deal, action = _target(board)
    board.act(deal, action)
    assert _live(session.store, "blue")[["deal_id", "trainee"]].values.tolist() == [[deal, "Li"]]
    assert _live(session.store, "red").empty


def test_a_trusted_coder_may_still_join_with_a_folder_and_a_team_list(folder, monkeypatch):
    monkeypatch.setenv(ws.ENV, str(folder))
    form = JoinWidget(lang="en", with_code=False)
    assert form.folder_field.value == str(folder) and form.code_field is None
    assert [v for _, v in form.team_field.options] == ["red", "blue"]
    assert "2 teams found" in form._message.value
    form.team_field.value = "blue"
    form.name_field.value = "  Li  "
    form.join_button.click()
    session = current_session()
    assert (session.team, session.trainee, session.code) == ("blue", "Li", None)
    assert "Joined: blue · Li" in form._message.value


def test_default_team_names_read_as_teams_in_both_languages(tmp_path):
    WorkshopStore.init(tmp_path, teams=3, seed=1, accounts=ACCOUNTS)
    zh = JoinWidget(tmp_path, lang="zh", with_code=False)
    en = JoinWidget(tmp_path, lang="en", with_code=False)
    assert [label for label, _ in zh.team_field.options] == ["第 1 组", "第 2 组", "第 3 组"]
    assert [label for label, _ in en.team_field.options] == ["Team 1", "Team 2", "Team 3"]
    assert zh.team_field.value is None  # nobody is put in a team by default
    with pytest.raises(JoinError, match="Choose your team"):
        en.join(trainee="Li")


@pytest.mark.parametrize("case", ["empty", "missing", "no_store", "text_file", "other_sqlite"])
def test_join_refuses_a_missing_or_foreign_store_in_zh_and_en_and_leaves_it_untouched(tmp_path, case):
    target = tmp_path / "w"
    expected_en, expected_zh = {
        "empty": ("Enter the workshop folder", "请填写工作坊文件夹"),
        "missing": ("There is no folder", "找不到这个文件夹"),
        "no_store": ("There is no workshop in", "这个文件夹里没有工作坊"),
        "text_file": ("is not a workshop store (the file was left untouched)", "这不是工作坊的数据文件"),
        "other_sqlite": ("is not a workshop store (the file was left untouched)", "这不是工作坊的数据文件"),
    }[case]
    if case == "no_store":
        target.mkdir()
    elif case == "text_file":
        target.mkdir()
        (target / "workshop.sqlite").write_text("deal_id,amount\n1,2\n")
    elif case == "other_sqlite":
        target.mkdir()
        con = sqlite3.connect(target / "workshop.sqlite")
        con.execute("CREATE TABLE crm (id INTEGER)")
        con.commit()
        con.close()
    before = (target / "workshop.sqlite").read_bytes() if case in ("text_file", "other_sqlite") else None
    value = "" if case == "empty" else str(target)
    en = JoinWidget(value, lang="en", with_code=False)
    zh = JoinWidget(value, lang="zh", with_code=False)
    with pytest.raises(JoinError) as err:
        en.join(trainee="Li")
    assert expected_en in str(err.value) and expected_zh in err.value.zh
    for form, text in ((en, expected_en), (zh, expected_zh)):
        form.name_field.value = "Li"
        form.join_button.click()  # the button shows the message, never a traceback
        assert text in form._message.value and "sf-warn" in form._message.value
        assert form.team_field.options == ()
    assert current_session() is None
    if before is not None:
        assert (target / "workshop.sqlite").read_bytes() == before
        assert sorted(p.name for p in target.iterdir()) == ["workshop.sqlite"]  # no -wal / -shm made
    # The page's form (a code and a name) says so without the server's path
    page = JoinWidget(value, lang="zh")
    page.code_field.value, page.name_field.value = "K7MX2P", "李雷"
    page.join_button.click()
    assert "这里现在没有可以加入的工作坊：请告诉讲师" in page._message.value and current_session() is None
    assert (value == "" or value not in page._message.value) and page.store is None


def test_join_needs_a_name_in_the_form_and_a_known_team(folder):
    form = JoinWidget(folder, lang="zh", with_code=False)
    form.team_field.value = "red"
    form.join_button.click()
    assert "请填写你的名字" in form._message.value and current_session() is None
    page = JoinWidget(folder, lang="zh")
    page.code_field.value = WorkshopStore.open(folder).team_codes()["red"]
    page.join_button.click()
    assert "请填写你的名字" in page._message.value and current_session() is None
    with pytest.raises(JoinError, match="no team 'green'"):
        join(folder, "green", "Li")
    with pytest.raises(JoinError, match="No workshop joined"):
        DealBoard.for_team()


@pytest.mark.parametrize("name", ["李" * 61, "Li\tLei"])
def test_a_name_the_store_would_refuse_on_every_move_is_refused_at_the_join(folder, name):
    """The store keeps trainee names of at most 60 characters without control characters: a longer one used to
    join fine, then every move failed with an English-only message."""
    form = JoinWidget(folder, lang="zh")
    form.code_field.value = WorkshopStore.open(folder).team_codes()["red"]
    form.name_field.value = name
    form.join_button.click()
    assert current_session() is None and "sf-warn" in form._message.value
    assert_language([form._message.value.replace("sf-warn", "").replace("span", "").replace("class", "")], "zh")
    with pytest.raises(JoinError, match="at most 60 characters") as info:
        join(folder, "red", name)
    assert "60" in info.value.zh
    with pytest.raises(JoinError, match="at most 60 characters"):
        DealBoard.for_team(folder, "red", trainee=name)
    assert join(folder, "red", "李" * 60).trainee == "李" * 60  # the longest name allowed


# --- moves, classifications and the store --------------------------------------------------------
def test_a_move_is_in_the_store_before_its_reply_is_shown_and_an_answer_before_its_verdict(folder):
    store = WorkshopStore.open(folder)
    board = DealBoard.for_team(store, "red", trainee="Li", lang="en")
    seen = []

    def reply_shown(change):
        if change["new"]:
            seen.append(("reply", _live(WorkshopStore.open(folder), "red")[["deal_id", "reply_id"]].values.tolist()))

    def verdict_shown(change):
        if change["new"]:
            seen.append(("verdict", _live(WorkshopStore.open(folder), "red")["answer"].tolist()))

    board._reply.observe(reply_shown, names="value")
    board._verdict.observe(verdict_shown, names="value")
    deal, action = _target(board)
    move = board.act(deal, action)
    assert seen[0] == ("reply", [[deal, move.reply.id]])  # a second reader already saw it committed
    right = board.classify("continuation")
    assert seen[-1] == ("verdict", ["continuation"])
    row = _live(store, "red").iloc[0]
    assert (row.action, row.outcome, row.from_stage, row.to_stage) == (action, move.outcome, move.from_stage,
                                                                      move.to_stage)
    assert bool(row.correct) is right and row.trainee == "Li"
    preview = board.sim.preview({deal: action})
    assert row.outcome == preview["outcome"].iloc[0]


def test_a_teammates_move_on_the_same_deal_is_refused_with_a_clear_message(folder):
    store = WorkshopStore.open(folder)
    li = DealBoard.for_team(store, "red", trainee="Li", lang="en")
    wang = DealBoard.for_team(WorkshopStore.open(folder), "red", trainee="Wang", lang="zh")
    deal, action = _target(li)
    li.act(deal, action)
    with pytest.raises(ValueError, match=f"Deal {deal} already has a move in week 14: Li chose"):
        wang.act(deal, action)
    assert wang.pending == [] and wang._reply.value == ""  # no reply shown for a refused move
    wang.select(deal)
    wang._action.value = action
    wang._btn_act.click()
    assert f"商机 {deal} 在第 14 周已有行动：Li已选择" in wang._act_message.value  # next to the Act button
    assert "Traceback" not in wang._act_message.value and wang._message.value == ""  # not at the top
    assert [m.deal_id for _, m in wang.teammates] == [deal]  # Wang's board shows Li's move
    assert "Li" in wang._moves_html.value
    assert len(_live(store, "red")) == 1
    # the other team is not affected
    blue = DealBoard.for_team(store, "blue", trainee="Wang", lang="en")
    assert blue.teammates == []


def test_next_week_plays_every_teammates_move_and_the_other_board_catches_up(folder):
    store = WorkshopStore.open(folder)
    li = DealBoard.for_team(store, "red", trainee="Li", lang="en")
    wang = DealBoard.for_team(WorkshopStore.open(folder), "red", trainee="Wang", lang="en")
    deal_li, action_li = _target(li, 1)
    deal_wang, action_wang = _target(wang, 2)
    li.act(deal_li, action_li)
    wang.act(deal_wang, action_wang)
    wang.classify("advance")
    before = wang.indicators
    events = li.next_week()
    acted = events.set_index("deal_id").loc[[deal_li, deal_wang], "action"].tolist()
    assert acted == [action_li, action_wang]  # Wang's move was played by Li's "next week"
    assert store.week("red") == 14 and store.week("blue") == 13
    assert li.week == 14 and wang.week == 13  # Wang has not looked yet
    replay = store.simulation("red")
    assert np.array_equal(replay.stage_codes(), li.sim.stage_codes())

    # Wang's next action finds the week closed: the board catches up and asks to look again
    wang._ui(lambda: wang.act(*_target(wang, 1, skip={deal_li, deal_wang})))
    assert wang.week == 14 and "A teammate closed week 14" in wang._message.value
    assert len(_live(store, "red")) == 2
    pd.testing.assert_frame_equal(wang.indicators, li.indicators)
    assert not wang.indicators.iloc[-1].equals(before.iloc[-1])
    assert wang.score == (1 if wang.moves[0].correct else 0, 1)
    assert "Week 14 results" in wang._summary_html.value  # the week a teammate played, summed up here

    # "next week" pressed on a board that is behind closes nothing: it only catches up
    li2 = DealBoard.for_team(WorkshopStore.open(folder), "red", trainee="Li", lang="en")
    wang.next_week()
    assert store.week("red") == 15 and li2.week == 14
    li2.next_week()
    assert store.week("red") == 15 and li2.week == 15
    assert "A teammate closed week 15" in li2._message.value


def test_refresh_catches_up_and_a_new_board_shows_the_same_state_to_the_cent(folder):
    store = WorkshopStore.open(folder)
    li = DealBoard.for_team(store, "red", trainee="Li", lang="en")
    watcher = DealBoard.for_team(WorkshopStore.open(folder), "red", trainee="Zhao", lang="en")
    skip = set()
    for _ in range(3):  # three weeks, two moves each, both classified
        for k in (1, 2):
            deal, action = _target(li, k, skip)
            skip.add(deal)
            li.act(deal, action)
            li.classify("advance")
        li.next_week()
    deal, action = _target(li, 1, skip)
    li.act(deal, action)  # a move of the open week, not classified yet
    watcher.refresh()
    assert watcher.week == li.week == 16

    # a kernel restart: a new store object, a new board
    again = DealBoard.for_team(WorkshopStore.open(folder), "red", trainee="Li", lang="en")
    assert again.week == 16
    pd.testing.assert_frame_equal(again.indicators, li.indicators, check_exact=True)
    for board in (again, watcher):
        assert np.round(board.indicators[["forecast", "booked"]].to_numpy() * 100).tolist() == \
            np.round(li.indicators[["forecast", "booked"]].to_numpy() * 100).tolist()
    assert again.score == li.score and again.score.answered == 6
    assert [(m.deal_id, m.action, m.reply.id) for m in again.pending] == [(deal, action, li.pending[0].reply.id)]
    assert again._header.value == li._header.value
    again.classify("order")  # the restarted board carries on with the reply left open
    assert _live(store, "red").set_index("deal_id").loc[deal, "answer"] == "order"


def test_undo_withdraws_your_last_move_only_and_a_workshop_has_no_reset(folder):
    store = WorkshopStore.open(folder)
    li = DealBoard.for_team(store, "red", trainee="Li", lang="en")
    wang = DealBoard.for_team(WorkshopStore.open(folder), "red", trainee="Wang", lang="en")
    assert li._btn_reset.layout.display == "none" and li._btn_undo.disabled
    d1, a1 = _target(li, 1)
    d2, a2 = _target(wang, 2)
    li.act(d1, a1)
    wang.act(d2, a2)
    li.undo()
    moves = store.moves("red").set_index("deal_id")
    assert bool(moves.loc[d1, "withdrawn"]) and moves.loc[d1, "withdrawn_by"] == "Li"
    assert not bool(moves.loc[d2, "withdrawn"])  # Wang's move stays
    assert li.pending == []
    with pytest.raises(ValueError, match="a closed week cannot be undone"):
        li.undo()
    wang.act(d1, a1)  # the deal is free again
    wang.next_week()
    with pytest.raises(ValueError, match="a closed week cannot be undone"):
        wang.undo()
    with pytest.raises(ValueError, match="No reset in a workshop"):
        wang.reset()
    assert store.week("red") == 14


def test_the_end_of_the_workshop_period_is_a_message_not_a_traceback(tmp_path):
    WorkshopStore.init(tmp_path, teams=1, seed=3, accounts=ACCOUNTS, start_week=13, period_weeks=2)
    board = DealBoard.for_team(tmp_path, "team1", trainee="Li", lang="zh")
    board.next_week()
    board.next_week()
    assert board.week == 15 and board._btn_next.disabled
    board._ui(board.next_week)
    assert "本次工作坊的周期已在第 15 周结束" in board._message.value
    assert "本次工作坊：第 14–15 周" in board._header.value


# --- the page a trainee sees ---------------------------------------------------------------------
def test_workshop_play_makes_a_demo_without_a_folder_then_shows_the_board_after_joining():
    play = WorkshopPlay(lang="en")
    assert play.demo and ws.ENV not in __import__("os").environ
    assert "demo workshop" in play.join_widget._title.value
    assert play.board is None and "appears here once you have joined" in play._waiting.value
    codes = play.join_widget.store.team_codes()
    assert all(f"Team {i} {codes[f'team{i}']}" in play.join_widget._title.value for i in (1, 2))  # the demo's codes
    play.join_widget.join(code=codes["team2"], trainee="Li")
    assert play.board is not None and play._area.children == (play.board.root,)
    assert (play.board.team, play.board.trainee) == ("team2", "Li")
    # the cell run again in the same kernel: the session's board at once
    again = WorkshopPlay(play.folder, lang="en")
    assert again.board is not None and again.board.team == "team2" and not again.demo
    assert again.join_widget._form.layout.display == "none"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workshop_page_speaks_one_language(tmp_path, lang):
    WorkshopStore.init(tmp_path, teams=2, seed=5, accounts=ACCOUNTS)  # teams named by the kit: 第 1 组 / Team 1
    play = WorkshopPlay(tmp_path, lang=lang)
    assert_language(play.texts(), lang)
    names = ("李雷", "王芳") if lang == "zh" else ("Li Lei", "Wang Fang")  # what trainees type, in their language
    play.join_widget.join(code=WorkshopStore.open(tmp_path).team_codes()["team1"], trainee=names[0])
    wang = DealBoard.for_team(WorkshopStore.open(tmp_path), "team1", trainee=names[1], lang=lang)
    board = play.board
    deal, action = _target(board)
    board.act(deal, action)
    wang.act(*_target(wang, 2))
    board.refresh()
    texts = play.texts()
    assert_language(texts, lang)
    board.classify("advance")
    board._ui(board.reset)
    assert_language(play.texts(), lang)
    wang.next_week()
    board._ui(lambda: board.act(*_target(board, 2, {deal})))
    texts = play.texts()
    assert_language(texts, lang)
    assert any(("组员已经结束了第 14 周" if lang == "zh" else "A teammate closed week 14") in t for t in texts)
    assert any(("工作坊" if lang == "zh" else "Workshop") in t for t in texts)


def test_every_workshop_text_has_one_language_per_side():
    import re

    from chart_checks import chinese, english_words

    keys = [k for k in DealBoard.TEXT if k.startswith(("team_", "err_workshop", "err_caught", "caught_", "teammate",
                                                        "undo_tip_team", "next_tip_team"))]
    pairs = [DealBoard.TEXT[k] for k in keys] + list(JoinWidget.TEXT.values()) + list(WorkshopPlay.TEXT.values())
    assert len(keys) >= 10 and len(pairs) > 30
    for zh, en in pairs:
        zh, en = (re.sub(r"\{[^}]*\}", "", t) for t in (zh, en))  # the fields are filled in at run time
        assert not english_words([zh]), zh
        assert chinese([zh]) and not chinese([en]), (zh, en)


def test_analysis_widgets_follow_the_joined_team(tmp_path):
    from simfunnel.workshop.store import play_demo
    from simfunnel.widgets import ForecastDashboard, ThresholdExplorer, WinRateLab
    from simfunnel.workshop.session import JoinError, join, leave, team_history

    store = WorkshopStore.init(tmp_path / "w", teams=["red", "blue"], seed=3, accounts=60)
    play_demo(store, weeks=3, seed=1)
    leave()
    with pytest.raises(JoinError, match="No workshop joined"):
        ThresholdExplorer.for_team()
    join(store, "blue", "li")
    try:
        history, quota, threshold = team_history()
        replayed = store.simulation("blue").history
        pd.testing.assert_frame_equal(history.events, replayed.events)
        assert (history.start_week, history.end_week) == (store.start_week, store.week("blue"))
        assert (quota, threshold) == (store.scenario("blue")["quota"], store.scenario("blue")["threshold"])
        for cls in (ThresholdExplorer, WinRateLab, ForecastDashboard):
            widget = cls.for_team(lang="en", **({"trials": 200} if cls is ForecastDashboard else {}))
            try:
                assert widget.history.end_week == store.week("blue")
                if hasattr(widget, "quota"):
                    assert widget.quota == quota
            finally:
                widget.close()
        other = ThresholdExplorer.for_team(store, "red", lang="en")  # another team, named
        assert other.history.end_week == store.week("red")
        other.close()
    finally:
        leave()
