"""Trainees are who they say they are: join codes, names bound to a browser, a board bound to its session,
undo of one's own moves only, team names for people, the schema's upgrade to version 3, the team cards.

Issue 12 (point 3 and the team names of point 5): a trainer saw another browser join Team 1 as "Li" and undo
Li's move, an outsider close Team 4's weeks, and team1…team6 on the trainer's screens while trainees saw
第 1 组.
"""

from __future__ import annotations

import html
import json
import shutil
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simfunnel.analysis.metrics import indicators
from simfunnel.cli import main
from simfunnel.model.actions import actions_for
from simfunnel.widgets import DealBoard
from simfunnel.widgets.join import JoinWidget, page_browser_token, page_code
from simfunnel.widgets.team_codes import TeamCodes
from simfunnel.widgets.workshop import TeamBoard, WorkshopPlay
from simfunnel.workshop import debrief
from simfunnel.workshop import session as ws
from simfunnel.workshop.cards import team_cards
from simfunnel.workshop.codes import CODE_ALPHABET, CODE_LENGTH, name_key, normalize_code
from simfunnel.workshop.session import JoinError, check_session, current_session, join, join_with_code
from simfunnel.workshop.schema import SCHEMA_VERSION
from simfunnel.workshop.store import MoveRefused, StoreError, WorkshopStore

from chart_checks import assert_language, closing_new_widgets, english_words

ACCOUNTS = 60
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def clean_session(monkeypatch):
    monkeypatch.delenv(ws.ENV, raising=False)
    monkeypatch.delenv("HTTP_COOKIE", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    ws.leave()
    with closing_new_widgets():
        yield
    ws.leave()


@pytest.fixture
def store(tmp_path):
    return WorkshopStore.init(tmp_path / "w", teams=4, seed=11, accounts=ACCOUNTS, same_world=True)


def _target(board, stage_index=1, skip=()):
    stage = board.funnel.keys[stage_index]
    deal = next(d for d in board.page(stage) if d not in skip)
    return deal, actions_for(board.funnel, stage)[0].key


# --- codes ------------------------------------------------------------------------------------------
def test_codes_are_unique_unambiguous_and_read_as_typed(tmp_path):
    big = WorkshopStore.init(tmp_path / "big", teams=100, seed=1, accounts=20)
    codes = big.team_codes()
    assert list(codes) == big.teams and len(set(codes.values())) == 100
    for code in codes.values():
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1IL")  # nothing to misread
    team, code = "team7", codes["team7"]
    for typed in (code, code.lower(), f" {code[:3]}-{code[3:]} ", f"{code[:2]} {code[2:4]} {code[4:]}",
                  code.translate(str.maketrans("ABCDEFGHJKMNPQRSTUVWXYZ23456789",
                                               "ＡＢＣＤＥＦＧＨＪＫＭＮＰＱＲＳＴＵＶＷＸＹＺ２３４５６７８９"))):
        assert big.team_for_code(typed) == team, typed
    for wrong in ("", "ABC", code + "A", "../../etc/passwd", "/tmp/w", None, 123456, code.replace(code[0], "0")):
        assert big.team_for_code(wrong) is None
    assert normalize_code("k7m-x2p") == "K7MX2P" and normalize_code("K7MX2I") is None
    raw = sqlite3.connect(big.path)  # the store holds one live code per team, under a unique key
    assert raw.execute("SELECT COUNT(*), COUNT(DISTINCT code) FROM join_codes WHERE retired_at IS NULL").fetchone() \
        == (100, 100)
    raw.close()


def test_regenerate_kills_the_old_code_and_the_pages_that_joined_with_it(store):
    old = store.team_codes()["team2"]
    session = join_with_code(store, old, "Li", lang="en", browser="tab-li")
    board = DealBoard.for_team(session, lang="en")
    deal, action = _target(board)
    board.act(deal, action)
    new = store.regenerate_code("team2")
    assert new != old and store.team_codes()["team2"] == new and store.team_for_code(old) is None
    with pytest.raises(JoinError, match="No team has this join code") as info:
        join_with_code(store, old, "Wang", browser="tab-wang")
    assert "没有这个加入码" in info.value.zh
    with pytest.raises(JoinError, match="replaced Team 2's join code"):
        check_session(session)
    with pytest.raises(ValueError, match="replaced Team 2's join code"):  # the old page can no longer act
        board.act(*_target(board, 2, {deal}))
    board._ui(board.next_week)
    assert "replaced Team 2's join code" in html.unescape(board._message.value)
    assert store.week("team2") == 13 and len(store.moves("team2")) == 1
    again = join_with_code(store, new.lower(), "li", browser="tab-li")  # the same browser, the new code
    assert (again.team, again.trainee) == ("team2", "Li")
    assert DealBoard.for_team(again).pending[0].deal_id == deal
    assert store.regenerate_code("team2") not in (old, new)  # a retired code never comes back
    with pytest.raises(StoreError, match="No team named 'team9'"):
        store.regenerate_code("team9")


# --- joining with a code and a name -------------------------------------------------------------
@pytest.mark.parametrize("code,name,key,en,zh", [
    ("", "Li", "no_code", "Enter the join code", "请填写讲师给你们小组的加入码"),
    ("ZZZZZZ", "Li", "bad_code", "No team has this join code", "没有这个加入码"),
    ("/tmp/w/workshop.sqlite", "Li", "bad_code", "No team has this join code", "没有这个加入码"),
    (None, "", "no_name", "Enter your name", "请填写你的名字"),
    (None, "  ", "no_name", "Enter your name", "请填写你的名字"),
    (None, "Li\tLei", "bad_name", "at most 60 characters", "最多 60 个字"),
    (None, "李" * 61, "bad_name", "at most 60 characters", "最多 60 个字"),
])
def test_join_with_code_refuses_in_zh_and_en(store, code, name, key, en, zh):
    code = store.team_codes()["team1"] if code is None else code
    with pytest.raises(JoinError) as info:
        join_with_code(store, code, name, browser="tab")
    assert info.value.key == key and en in info.value.en and zh in info.value.zh
    assert current_session() is None and store.trainees().empty


def test_a_name_is_bound_to_its_browser_until_the_trainer_allows_a_rejoin(store):
    code = store.team_codes()["team1"]
    li = join_with_code(store, code, "Li Lei", lang="zh", browser="laptop-1")
    board = DealBoard.for_team(li)
    assert (board.team, board.trainee, board.lang) == ("team1", "Li Lei", "zh")
    deal, action = _target(board)
    board.act(deal, action)
    board.classify("advance")

    # another browser, the same name (any case, any spacing): refused, in zh and en, naming the team
    for other in ("li lei", " LI  LEI ", "Ｌｉ Ｌｅｉ"):
        with pytest.raises(JoinError) as info:
            join_with_code(store, code, other, browser="outsider")
        assert info.value.key == "name_taken"
        assert info.value.en.startswith("The name 'Li Lei' is already used in Team 1 from another browser")
        assert info.value.zh.startswith("第 1 组里已经有人用“Li Lei”这个名字从另一个浏览器加入了")
    with pytest.raises(JoinError):
        join_with_code(store, code, "Li Lei")  # no token: a page of its own, not Li's
    assert current_session() is li  # the refusals changed nothing

    # the same browser reconnects: the same week, the same moves, the answer kept
    again = join_with_code(store, code.lower(), "li lei", lang="en", browser="laptop-1")
    back = DealBoard.for_team(again)
    assert back.trainee == "Li Lei" and back.week == 13 and [m.deal_id for m in back.pending] == [deal]
    assert back.score == board.score and back.pending[0].answer == "advance"
    pd.testing.assert_frame_equal(back.indicators, board.indicators)

    # the same name in another team is another trainee
    assert join_with_code(store, store.team_codes()["team2"], "Li Lei", browser="elsewhere").team == "team2"

    # the trainer lets Li rejoin from a new laptop: the new browser takes the name, the old page stops
    with pytest.raises(StoreError, match="Nobody named 'Zhao' has joined Team 1"):
        store.allow_rejoin("team1", "Zhao")
    assert store.allow_rejoin("team1", "LI LEI") == "Li Lei"
    new = join_with_code(store, code, "Li Lei", browser="laptop-2")
    assert DealBoard.for_team(new).pending[0].deal_id == deal
    with pytest.raises(ValueError, match="has joined Team 1 from another browser"):
        board.undo()
    with pytest.raises(JoinError, match="already used in Team 1"):  # allowed once, not forever
        join_with_code(store, code, "Li Lei", browser="laptop-1")
    trainees = store.trainees("team1")
    assert trainees[["team", "trainee", "browser_bound", "rejoin_allowed"]].values.tolist() == \
        [["team1", "Li Lei", True, False]]
    raw = sqlite3.connect(store.path)  # the token itself is never stored
    assert not any("laptop" in str(v) for row in raw.execute("SELECT * FROM trainees") for v in row)
    raw.close()
    assert name_key("Ｌｉ  Ｌｅｉ") == name_key("li lei")


def test_the_join_form_binds_the_page_and_never_shows_a_path(store, monkeypatch):
    folder = store.path.parent
    monkeypatch.setenv(ws.ENV, str(folder))
    code = store.team_codes()["team3"]
    first = JoinWidget(lang="en", browser="cookie-a")
    first.join(code=code, trainee="Wang")
    other = JoinWidget(lang="zh", browser="cookie-b")
    other.code_field.value, other.name_field.value = code, "wang"
    other.join_button.click()
    assert "第 3 组里已经有人用“Wang”这个名字从另一个浏览器加入了" in other._message.value
    assert other.session is None and str(folder) not in " ".join(other.texts())
    with pytest.raises(ValueError, match="joins with a team's code"):
        other.join(folder=str(folder), team="team3", trainee="Zhao")  # the page never takes a folder or a team
    # a reloaded page of the same browser: the page's token comes from its request (Voilà passes the cookies)
    cookie = 'username-10-0-0-5-8866="2|1:0|10:179|abc"; _xsrf=2|x'
    assert page_browser_token({"HTTP_COOKIE": cookie}) == page_browser_token({"HTTP_COOKIE": cookie + "; a=b"})
    assert page_browser_token({}) is None and page_browser_token({"HTTP_COOKIE": "_xsrf=1"}) is None
    monkeypatch.setenv("HTTP_COOKIE", cookie)
    monkeypatch.setenv("QUERY_STRING", f"code={code.lower()}&lang=zh")  # the QR code on the team's card
    page = WorkshopPlay(folder, lang="en")
    assert page.join_widget.code_field.value == code.lower() and page_code({"QUERY_STRING": ""}) == ""
    page.join_widget.join(trainee="Zhao")
    ws.leave()  # the page reloaded: a new kernel, no session; the same browser's cookie, the same name
    reloaded = WorkshopPlay(folder, lang="en")
    reloaded.join_widget.join(trainee="zhao")
    assert reloaded.board.trainee == "Zhao" and reloaded.board.session.code == code


# --- the board acts for its session only ---------------------------------------------------------
def test_a_board_of_team_a_never_writes_for_team_b_and_cannot_be_re_pointed(store, monkeypatch):
    session = join_with_code(store, store.team_codes()["team1"], "Li", browser="tab")
    board = DealBoard.for_team(session, lang="en")
    with pytest.raises(AttributeError):
        board.team = "team2"
    with pytest.raises(AttributeError):
        board.trainee = "Wang"
    with pytest.raises(AttributeError):
        board.store = WorkshopStore.open(store.path)
    with pytest.raises(AttributeError):
        session.team = "team2"  # a session is a tuple
    with pytest.raises(ValueError, match="plays as its trainee"):
        DealBoard.for_team(session, trainee="Wang")
    written = []
    for name in ("record_move", "classify", "withdraw", "close_week", "submit"):
        original = getattr(store, name)

        def spy(team, *args, _original=original, _name=name, **kwargs):
            written.append((_name, team))
            return _original(team, *args, **kwargs)

        monkeypatch.setattr(store, name, spy)
    skip = set()
    for k in (1, 2, 1):  # same world for every team: the same deal ids exist in team2's world
        deal, action = _target(board, k, skip)
        skip.add(deal)
        board.act(deal, action)
        board.classify("advance")
    board.undo()
    board.next_week()
    assert {team for _, team in written} == {"team1"} and {n for n, _ in written} == \
        {"record_move", "classify", "withdraw", "close_week"}
    assert store.moves("team2").empty and store.week("team2") == 13 and store.week("team1") == 14


def test_undo_withdraws_only_your_own_move_the_store_refuses_a_teammates(store):
    code = store.team_codes()["team1"]
    li = DealBoard.for_team(join_with_code(store, code, "Li", browser="a"), lang="en")
    wang = DealBoard.for_team(join_with_code(store, code, "Wang", browser="b"), lang="zh")
    d_li, a_li = _target(li, 1)
    d_wang, a_wang = _target(wang, 2)
    li.act(d_li, a_li)
    wang.act(d_wang, a_wang)
    li.refresh()
    assert [m.deal_id for _, m in li.teammates] == [d_wang]
    with pytest.raises(MoveRefused) as info:  # the store refuses, whoever asks
        store.withdraw("team1", 14, d_wang, trainee="Li")
    assert info.value.en == (f"The move on deal {d_wang} in week 14 is Wang's: only Wang can undo it directly. "
                             "Ask Wang to undo it, or press “Ask to withdraw it” for another teammate to confirm.")
    assert info.value.zh.startswith(f"商机 {d_wang} 在第 14 周的行动是Wang做的：只有Wang本人可以直接撤回")
    with pytest.raises(MoveRefused, match="is Wang's"):
        store.withdraw("team1", 14, d_wang)  # nameless: not Wang either
    with pytest.raises(ValueError, match="is Wang's: only Wang can undo it directly"):
        li.undo(d_wang)  # the board says whose move it is
    li._ui(lambda: li.undo(d_wang))
    assert "only Wang can undo it directly" in li._message.value
    li.undo()  # the board's undo offers Li's own last move
    moves = store.moves("team1").set_index("deal_id")
    assert bool(moves.loc[d_li, "withdrawn"]) and moves.loc[d_li, "withdrawn_by"] == "Li"
    assert not bool(moves.loc[d_wang, "withdrawn"])
    wang.undo(d_wang)
    assert store.moves("team1").withdrawn.all()


def test_a_teammates_move_is_withdrawn_only_when_another_teammate_confirms(store):
    """Li asks to withdraw Wang's move: nothing happens until a teammate other than Li answers; Li cannot
    answer her own request; Zhao keeps one move and confirms another (recorded: withdrawn by Li)."""
    from simfunnel.widgets.base import shown

    code = store.team_codes()["team1"]
    li = DealBoard.for_team(join_with_code(store, code, "Li", browser="a"), lang="en")
    wang = DealBoard.for_team(join_with_code(store, code, "Wang", browser="b"), lang="zh")
    zhao = DealBoard.for_team(join_with_code(store, code, "Zhao", browser="c"), lang="en")
    first, a1 = _target(wang, 1)
    second, a2 = _target(wang, 2)
    wang.act(first, a1)
    wang.act(second, a2)
    li.refresh()
    li.select(first)
    assert shown(li._ask_row) and "Wang" in li._btn_ask_undo.tooltip
    li._btn_ask_undo.click()
    assert "a teammate must confirm" in li._message.value
    assert not store.moves("team1").withdrawn.any()  # asked, not withdrawn
    assert shown(li._request_row) and not shown(li._btn_confirm_undo)  # Li waits: no buttons for her
    assert "You asked to withdraw Wang's" in html.unescape(li._request_html.value)
    with pytest.raises(ValueError, match="request"):
        li.answer_undo(True)  # her own request: another teammate must answer
    with pytest.raises(MoveRefused, match="another teammate must confirm"):
        store.answer_withdraw("team1", store.undo_requests("team1")[0]["id"], trainee="li", confirm=True)
    zhao.tick()  # the clock: the request shows on Zhao's board without a click
    assert shown(zhao._request_row) and shown(zhao._btn_confirm_undo)
    assert "Li asks to withdraw Wang's" in html.unescape(zhao._request_html.value)
    zhao._btn_keep_move.click()
    assert not store.moves("team1").withdrawn.any() and not store.undo_requests("team1")
    assert "Kept: Wang's" in html.unescape(zhao._message.value)
    li.ask_undo(second)
    wang.tick()  # the move's owner may answer too
    assert shown(wang._btn_confirm_undo) and "Li请求撤回Wang" in wang._request_html.value
    wang._btn_confirm_undo.click()
    moves = store.moves("team1").set_index("deal_id")
    assert bool(moves.loc[second, "withdrawn"]) and moves.loc[second, "withdrawn_by"] == "Li"
    assert not bool(moves.loc[first, "withdrawn"])
    answered = store.answered_requests("team1")
    assert [(r["answer"], r["answered_by"]) for r in answered] == [("kept", "Zhao"), ("confirmed", "Wang")]
    li.tick()
    assert [m.deal_id for _, m in li.teammates] == [first] and not shown(li._request_row)
    with pytest.raises(MoveRefused, match="your own"):
        store.ask_withdraw("team1", 14, first, trainee="WANG")  # one's own move: just undo it
    # Withdraw it answers the request the board showed, never another one that came meanwhile
    third, a3 = _target(wang, 1, skip=(first,))
    wang.act(third, a3)
    zhao.tick()
    li.ask_undo(first)
    zhao.tick()
    shown_first = html.unescape(zhao._request_html.value)
    li.ask_undo(third)
    wang.tick()
    wang._btn_keep_move.click()  # Wang keeps the first: Zhao's board still shows it until its clock ticks
    zhao._btn_confirm_undo.click()
    assert "answered already" in zhao._message.value and not store.moves("team1").set_index("deal_id").loc[
        [first, third], "withdrawn"].any()
    assert html.unescape(zhao._request_html.value) != shown_first and shown(zhao._btn_confirm_undo)  # now the next


# --- team names for people ------------------------------------------------------------------------
def test_each_team_has_one_name_everywhere(tmp_path):
    store = WorkshopStore.init(tmp_path / "w", teams=3, seed=3, accounts=ACCOUNTS, names=["华东组", "华南组", "Team Gold"])
    assert store.teams == ["team1", "team2", "team3"]  # the keys stay
    assert store.team_names("zh") == store.team_names("en") == {"team1": "华东组", "team2": "华南组", "team3": "Team Gold"}
    with pytest.raises(StoreError, match="already the name of team 'team1'"):
        store.set_team_name("team2", "华东组")
    with pytest.raises(StoreError, match="already the name of team 'team1'"):
        store.set_team_name("team2", "team1")
    with pytest.raises(StoreError, match="2 teams but 1 names"):
        WorkshopStore.init(tmp_path / "x", teams=2, names=["a"])
    assert store.set_team_name("team3", None) == "Team 3" and store.team_name("team3", "zh") == "第 3 组"
    assert store.resolve_team("华南组") == "team2" and store.resolve_team("第 3 组") == "team3"
    # the trainer's screens, the what-if, the refusals and the trainee's board all say 第 3 组 / 华东组
    from simfunnel.widgets import DebriefPanel, WorkshopLeaderboard

    from simfunnel.workshop.store import play_demo

    play_demo(store, weeks=2, seed=1)
    lb = WorkshopLeaderboard(store, lang="zh")
    assert "华东组" in lb.table_html.value and "第 3 组" in lb.table_html.value and "team1" not in lb.table_html.value
    panel = DebriefPanel(store, lang="zh")
    assert [label for label, _ in panel.team_select.options] == ["华东组", "华南组", "第 3 组"]
    b = debrief.branch(store, "team3", 1)
    assert (b.team_zh, b.team_en) == ("第 3 组", "Team 3")
    from simfunnel import plots

    ax = plots.branch_chart(b, lang="zh")
    assert ax.get_title(loc="left") == "假设分支：第 3 组，第 1 回合"
    assert plots.branch_chart(b, lang="en").get_title(loc="left") == "What if: Team 3, round 1"
    with pytest.raises(ValueError, match="not in Team 3's world"):
        debrief.branch(store, "team3", 1, {999_999: None})
    with pytest.raises(MoveRefused) as info:
        store.record_move("team1", 20, 1, "courtesy_call")
    assert "华东组正在进行第 16 周" in info.value.zh and "华东组 is playing week 16" in info.value.en
    board = DealBoard.for_team(join_with_code(store, store.team_codes()["team1"], "李雷", browser="x"), lang="zh")
    assert "工作坊 · 华东组 · 李雷" in board._header.value
    html_path = debrief.report(store, tmp_path / "debrief.html", lang="zh")
    page = html_path.read_text("utf-8")
    assert "华东组" in page and "第 3 组" in page and ">team1<" not in page


def test_the_trainers_codes_list_and_buttons(store):
    codes = TeamCodes(store, lang="zh")
    shown = " ".join(codes.texts())
    for team, code in store.team_codes().items():
        assert code in shown and store.team_name(team, "zh") in shown
        shown = shown.replace(code, "")
    assert_language([shown], "zh")
    old = store.team_codes()["team4"]
    codes._buttons["team4"].click()
    assert store.team_for_code(old) is None and store.team_codes()["team4"] in " ".join(codes.texts())
    codes.team_field.value, codes.name_field.value = "team2", "Nobody"
    codes.allow_button.click()
    assert "未完成" in codes.note.value and "第 2 组" in codes.note.value


# --- the schema's upgrade -------------------------------------------------------------------------
@pytest.mark.parametrize("version", [1, 2])
def test_an_older_store_is_upgraded_to_the_current_version_and_replays_to_the_cent(tmp_path, version):
    fixture = FIXTURES / f"workshop-v{version}"
    path = tmp_path / "old" / "workshop.sqlite"
    path.parent.mkdir()
    shutil.copy(fixture / "workshop.sqlite", path)  # written by the code of that version (make.py / make_v2.py beside it)
    expected = json.loads((fixture / "expected.json").read_text())
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(version),)
    before = pd.read_sql("SELECT * FROM moves ORDER BY id", raw)
    raw.close()

    store = WorkshopStore.open(path)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    after = pd.read_sql("SELECT * FROM moves ORDER BY id", raw)
    raw.close()
    pd.testing.assert_frame_equal(after[before.columns], before)  # every move kept, column by column
    fresh = WorkshopStore.init(tmp_path / "new", teams=1, accounts=30)
    schema = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    assert sqlite3.connect(path).execute(schema).fetchall() == sqlite3.connect(fresh.path).execute(schema).fetchall()
    for team, want in expected.items():
        sc = store.scenario(team)
        t = indicators(store.simulation(team).history, sc["quota"], sc["threshold"], start_week=13)
        assert store.week(team) == want["week"]
        assert t.forecast.round(6).tolist() == want["forecast"] and t.booked.round(6).tolist() == want["booked"]
    codes = store.team_codes()
    assert list(codes) == store.teams and len(set(codes.values())) == len(store.teams)
    assert store.trainees().empty and store.team_names("zh") == {t: ws.team_label(t, "zh") for t in store.teams}
    # and it plays on with codes: a trainee joins, acts and is bound
    team = store.teams[-1]
    session = join_with_code(store, codes[team], "新学员", browser="b", lang="zh")
    assert session.team == team and DealBoard.for_team(session).week == store.week(team)


# --- the team cards and the command line ----------------------------------------------------------
class _Cards(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict] = []
        self._field: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("class") == "card":
            self.cards.append({"team": a.get("data-team"), "name": "", "code": "", "svg": 0})
        elif self.cards and a.get("class") in ("team", "code"):
            self._field = a["class"]
        elif tag == "svg" and self.cards:
            self.cards[-1]["svg"] += 1

    def handle_endtag(self, tag):
        self._field = None

    def handle_data(self, data):
        if self._field == "team":
            self.cards[-1]["name"] += data
        elif self._field == "code":
            self.cards[-1]["code"] += data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_cards_sheet_has_one_card_per_team_with_its_code(store, lang):
    store.set_team_name("team2", "华南组")
    parser = _Cards()
    parser.feed(team_cards(store, lang=lang, url="http://192.168.1.20:8866/", title="Q3"))
    names, codes = store.team_names(lang), store.team_codes()
    assert [(c["team"], c["name"], c["code"], c["svg"]) for c in parser.cards] == \
        [(t, names[t], codes[t], 1) for t in store.teams]
    plain = _Cards()
    plain.feed(team_cards(store, lang=lang))
    assert [c["svg"] for c in plain.cards] == [0, 0, 0, 0] and len(plain.cards) == 4
    with pytest.raises(ValueError, match="the app's address"):
        team_cards(store, url="file:///etc/passwd")


def test_the_codes_command_in_zh_has_no_english_but_the_codes(store, tmp_path, capsys):
    w = str(store.path.parent)
    assert main(["workshop", "name", "--dir", w, "team1", "华东组"]) == 0
    assert capsys.readouterr().out == "team1 is now called 华东组 in English, 华东组 in Chinese\n"
    old = store.team_codes()["team2"]
    cards = tmp_path / "cards.html"
    assert main(["workshop", "codes", "--dir", w, "--lang", "zh", "--regenerate", "第 2 组", "--cards", str(cards),
                 "--url", "http://10.1.2.3:8866/"]) == 0
    out = capsys.readouterr().out
    codes = store.team_codes()
    assert codes["team2"] != old and f"第 2 组的新加入码：{codes['team2']}" in out
    shown = out.replace(str(cards), "")
    for code in codes.values():
        assert code in shown
        shown = shown.replace(code, "")
    assert not english_words([shown]), english_words([shown])
    assert "华东组" in out and "第 4 组" in out and "team1" not in out and cards.is_file()
    assert main(["workshop", "codes", "--dir", w]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Join codes of 4 teams (trainees join with their team's code and their name):"
    assert [line.split()[0] for line in lines[2:]] == store.teams and lines[2].split()[-1] == codes["team1"]
    join_with_code(store, codes["team3"], "Zhao", browser="x")
    assert main(["workshop", "allow", "--dir", w, "Team 3", "zhao"]) == 0
    assert "Zhao may join team3 (Team 3) once more from another browser" in capsys.readouterr().out
    assert main(["workshop", "allow", "--dir", w, "team3", "Nobody"]) == 2
    assert "Nobody named 'Nobody' has joined Team 3" in capsys.readouterr().err
    assert main(["workshop", "status", "--dir", w]) == 0
    status = capsys.readouterr().out.splitlines()
    assert status[1].split()[:2] == ["team", "name"] and status[2].split()[:2] == ["team1", "华东组"]


def test_a_trusted_join_is_not_bound_and_a_notebook_may_still_use_it(store):
    session = join(store.path.parent, "team1", "Li")
    assert session.code is None and session.browser is None
    check_session(session)  # never refused: trusted code
    board = DealBoard.for_team(store, "team1", trainee="Li")
    assert isinstance(board, TeamBoard) and board.session.code is None
    assert np.isfinite(board.indicators["forecast"]).all()
