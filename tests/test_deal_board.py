"""DealBoard driven from code: cards, actions, the reply quiz, next week, undo, reset, languages."""

from __future__ import annotations

import html
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import simfunnel as sf
from simfunnel import i18n
from simfunnel.analysis.metrics import indicators
from simfunnel.model.actions import actions_for
from simfunnel.widgets.base import shown as visible
from simfunnel.widgets.deal_board import DealBoard, Move, Score

CJK = re.compile(r"[\u3400-\u9fff]")
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
ALLOWED_IN_ZH = {"CNY", "SPIN"}  # a currency code, and the SPIN selling method's name
SEED = 2026


@pytest.fixture(scope="module")
def world():
    return sf.generate(seed=SEED)


def make(world, **kw) -> DealBoard:
    kw.setdefault("lang", "en")
    return DealBoard(sf.Simulation(world, seed=SEED), **kw)


def shown(board: DealBoard) -> str:
    return "\n".join(board.texts())


def money(board: DealBoard, amount: float, compact: bool = True) -> str:
    return i18n.format_money(amount, board.currency, board.lang, compact=compact)


# --- the header shows the numbers --------------------------------------------------------
def test_header_shows_week_and_indicators_as_money(world):
    board = make(world)
    row = board.indicators.iloc[-1]
    text = shown(board)
    assert "Week 0" in text
    assert money(board, row.forecast) in board._header.value
    assert money(board, board.quota) in board._header.value
    assert f"{row.coverage:.2f}" in board._header.value
    board.next_week()
    row1 = board.indicators.iloc[-1]
    assert "Week 1" in shown(board) and "Week 0" not in board._header.value
    assert row1.forecast != row.forecast
    assert money(board, row1.forecast) in board._header.value
    assert money(board, row1.booked) in board._header.value
    assert f"{row1.progress:+.1%}" in board._header.value
    css = "sf-good" if row1.progress >= row1.benchmark else "sf-bad"
    assert f'<span class="{css}">{row1.progress:+.1%}</span>' in board._header.value


def test_coverage_warning_below_one(world):
    low = make(world, quota=world.quota * 100)
    assert low.indicators.coverage.iloc[-1] < 1
    assert "Below 1: find more opportunities" in shown(low)
    high = make(world, quota=world.quota / 10)
    assert high.indicators.coverage.iloc[-1] >= 1
    assert "find more opportunities" not in shown(high)
    zh = make(world, quota=world.quota * 100, lang="zh")
    assert "覆盖率低于 1：需要发现更多商机" in shown(zh)


# --- cards, selection, paging -----------------------------------------------------------
def test_cards_sorted_by_amount_and_paged(world):
    board = make(world, page_size=4)
    deals = world.deals.set_index("deal_id")
    first = board.page("need")
    assert len(first) == 4
    amounts = deals.amount[first].to_numpy()
    assert (np.diff(amounts) <= 0).all()
    open_need = deals[(deals.created_week <= 0) & (deals.stage == "need")]
    pages = -(-len(open_need) // 4)
    assert f"page 1/{pages}" in shown(board)
    second = board.page("need", 2)
    assert f"page 2/{pages}" in shown(board)
    assert deals.amount[second].max() <= amounts.min() and not set(second) & set(first)
    # the cards on screen are those of the page: account names and amounts as money
    name = world.accounts.set_index("account_id").name_en[deals.account_id[second[0]]]
    assert name in shown(board) and money(board, deals.amount[second[0]]) in shown(board)
    assert f"#{first[0]}" not in shown(board)
    everything = [d for n in range(1, pages + 1) for d in board.page("need", n)]
    assert sorted(everything) == sorted(open_need.index)
    with pytest.raises(ValueError, match="Page 99 does not exist"):
        board.page("need", 99)
    with pytest.raises(ValueError, match="Unknown open stage"):
        board.page("won")


def test_threshold_keeps_small_deals_off_the_board(world):
    board = make(world, threshold=50_000)
    deals = world.deals.set_index("deal_id")
    shown_ids = [d for k in board.funnel.keys for n in range(1, 30) for d in _page_or_empty(board, k, n)]
    assert shown_ids and (deals.amount[shown_ids] >= 50_000).all()
    assert "more below the threshold" in shown(board)


def _page_or_empty(board, stage, n):
    try:
        return board.page(stage, n)
    except ValueError:
        return []


def test_select_highlights_the_card_and_fills_the_panel(world):
    board = make(world)
    deal = board.page("approved", 2)[0]
    board.page("approved", 1)
    board.select(deal)
    assert board.selected == deal
    assert board.page("approved") == board.page("approved", 2)  # turned to the deal's page
    k = board.funnel.keys.index("approved")
    slot = board._slot_deals[k].index(board._pos(deal))
    card, body, button = board._slots[k][slot]
    assert "sf-selected" in card._dom_classes and button.description == "Selected"
    others = [s for j, s in enumerate(board._slots[k]) if j != slot and visible(s[0])]
    assert others and all("sf-selected" not in c._dom_classes for c, _, _ in others)
    amount = world.deals.set_index("deal_id").amount[deal]
    assert money(board, amount, compact=False) in board._deal_html.value
    labels = [label for label, _ in board._action.options]
    assert labels == [a.en for a in actions_for(board.funnel, "approved")]
    assert "Why:" in board._why.value


# --- act, classify, next week ------------------------------------------------------------
def test_act_classify_next_week(world):
    board = make(world)
    deal = board.page("need")[0]
    move = board.act(deal, "needs_interview")
    assert isinstance(move, Move) and move.deal_id == deal and not move.revealed
    assert "outcome hidden" in repr(move) and move.outcome not in repr(move)
    text = shown(board)
    assert move.reply.en in html.unescape(board._reply.value) and "Which outcome is this?" in text
    assert board._verdict.value == ""  # not revealed before the trainee answers
    assert "✓ SPIN needs interview" in text  # the card's pending mark
    right = board.classify(move.outcome)
    assert right is True and move.revealed and board.score == Score(1, 1)
    assert move.reply.why_en in html.unescape(board._verdict.value) and f"sf-{move.outcome}" in board._verdict.value
    assert "Quiz score<br><b>1/1</b>" in board._header.value
    events = board.next_week()
    row = events[events.deal_id == deal]
    assert len(row) == 1 and row.outcome.iloc[0] == move.outcome
    assert board.week == 1 and board.sim.actions_taken == [{deal: "needs_interview"}]
    assert "Week 1 results" in shown(board)


def test_revealed_outcomes_are_what_the_weeks_bring(world):
    board = make(world)
    seen = []
    for _ in range(8):
        moves = []
        for stage in board.funnel.keys:
            ids = board.page(stage)
            if ids:
                moves.append(board.act(ids[0], actions_for(board.funnel, stage)[0].key))
        for m in moves:
            board.classify("advance", deal_id=m.deal_id)
        events = board.next_week().set_index("deal_id")
        for m in moves:  # the move's outcome is the customer's response; its stages are the week's move
            assert events.response[m.deal_id] == m.outcome
            assert events.to_stage[m.deal_id] == m.to_stage
            seen.append(m.outcome)
    assert {"advance", "continuation"} <= set(seen)
    correct = sum(o in ("advance", "order") for o in seen)
    assert board.score == Score(correct, len(seen))


def test_advance_counts_for_an_order(world):
    board = make(world)
    order = None
    for _ in range(15):
        for deal in board.page("commitment"):
            m = board.act(deal, "joint_plan")
            if m.outcome == "order" and order is None:
                order = m
                assert board.classify("advance", deal_id=deal) is True
                assert "counts as correct" in board._verdict.value
        if order:
            break
        board.next_week()
    assert order is not None, "no order in 15 weeks of commitment deals"
    assert board.score == Score(1, 1)
    assert board.classify("continuation") in (True, False)
    assert board.score.answered == 2


def test_wrong_answer_scores_zero_and_says_so(world):
    board = make(world, lang="zh")
    deal = board.page("need")[0]
    move = board.act(deal, "send_brochure")  # a continuation-type action never advances
    assert move.outcome in ("continuation", "no_sale")
    assert board.classify("advance") is False
    assert board.score == Score(0, 1)
    assert "判断有误" in board._verdict.value


def test_unclassified_moves_are_revealed_unscored(world):
    board = make(world)
    deal = board.page("need")[0]
    move = board.act(deal, "needs_interview")
    board.next_week()
    assert move.revealed and move.answer is None and board.score == Score(0, 0)
    assert "not classified" in board._summary_html.value


def test_errors_are_clear(world):
    board = make(world)
    deal = board.page("need")[0]
    with pytest.raises(ValueError, match="No customer reply to classify"):
        board.classify("advance")
    with pytest.raises(ValueError, match="does not fit stage 'need'"):
        board.act(deal, "propose_trial")
    with pytest.raises(ValueError, match="Unknown action"):
        board.act(deal, "bribe")
    with pytest.raises(ValueError, match="There is no deal"):
        board.act(10**9, "needs_interview")
    late = int(world.deals.deal_id[world.deals.created_week > 3].iloc[0])
    with pytest.raises(ValueError, match="only appears in week"):
        board.act(late, "needs_interview")
    board.act(deal, "needs_interview")
    with pytest.raises(ValueError, match="already been acted on this week"):
        board.act(deal, "send_brochure")
    with pytest.raises(ValueError, match="answer must be one of"):
        board.classify("yes")
    for _ in range(6):
        board.next_week()
    closed = board.sim.history.deals.query("status != 'open'").deal_id
    assert len(closed)
    with pytest.raises(ValueError, match="is closed"):
        board.act(int(closed.iloc[0]), "courtesy_call")
    with pytest.raises(ValueError, match="page_size"):
        make(world, page_size=0)
    with pytest.raises(ValueError, match="quota"):
        make(world, quota=-1)
    with pytest.raises(ValueError, match="Already at week 0"):
        make(world).undo()


# --- undo and reset -----------------------------------------------------------------------
def test_undo_pending_action(world):
    board = make(world)
    board.next_week()
    before = board.indicators
    deal = board.page("need")[0]
    board.act(deal, "needs_interview")
    board.classify("advance")
    board.undo()
    assert board.pending == [] and board.score == Score(0, 0) and board.week == 1
    pd.testing.assert_frame_equal(board.indicators, before)
    assert "Undone:" in board._message.value


def test_undo_rolls_back_a_week_exactly(world):
    board = make(world)
    deal = board.page("approved")[0]
    board.act(deal, "meet_decision_maker")
    board.classify("advance")
    board.next_week()
    after_one = board.indicators
    actions_one = board.sim.actions_taken
    score_one = board.score
    header_one = board._header.value
    for stage in ("need", "criteria"):
        d = board.page(stage)[0]
        board.act(d, actions_for(board.funnel, stage)[0].key)
        board.classify("continuation")
    board.next_week()
    assert board.week == 2 and board.score.answered == 3
    assert not board.indicators.equals(after_one)
    board.undo()
    assert board.week == 1
    pd.testing.assert_frame_equal(board.indicators, after_one)
    assert board.sim.actions_taken == actions_one  # the earlier week's actions are kept
    assert board.score == score_one  # that week's answers are gone
    assert board._header.value == header_one
    board.undo()
    assert board.week == 0 and board.score == Score(0, 0)


def test_reset_returns_to_week_zero(world):
    board = make(world)
    start = board.indicators
    start_header = board._header.value
    for _ in range(3):
        d = board.page("need")[0]
        board.act(d, "needs_interview")
        board.classify("advance")
        board.next_week()
    board.reset()
    assert board.week == 0 and board.score == Score(0, 0) and board.moves == []
    pd.testing.assert_frame_equal(board.indicators, start)
    assert board._header.value == start_header


# --- the numbers are the kit's own ----------------------------------------------------------
def test_indicators_equal_metrics_over_the_quarter_boundary(world):
    board = make(world, threshold=50_000)
    for week in range(1, 16):
        stage = board.funnel.keys[week % 5]
        ids = board.page(stage)
        if ids:
            board.act(ids[0], actions_for(board.funnel, stage)[-1].key)
        board.next_week()
        start = 13 * ((week - 1) // 13)
        assert board.period_start == start
        expected = indicators(board.sim.history, world.quota, 50_000, start_week=start)
        pd.testing.assert_frame_equal(board.indicators, expected)
    assert board.indicators.t.iloc[-1] == 2  # week 15 is the second week of the second quarter
    assert "week 2 of 13 this quarter" in shown(board)


def test_weeks_in_stage_and_rotting_mark(world):
    board = make(world, rotting_weeks=3)
    for _ in range(5):
        board.next_week()
    truth = board.sim.weeks_in_stage()
    for k, stage in enumerate(board.funnel.keys):
        for deal in board.page(stage):
            pos = board._pos(deal)
            weeks = int(truth[deal])
            card = board._slots[k][board._slot_deals[k].index(pos)][1].value
            assert f"{weeks} wk in stage" in card
            assert ("⚠" in card) == (weeks >= 3)
    assert any("⚠" in s[1].value for col in board._slots for s in col)


def test_board_on_a_simulation_already_under_way(world):
    sim = sf.Simulation(world, seed=SEED)
    sim.run(weeks=6)
    board = DealBoard(sim, lang="en")
    pd.testing.assert_frame_equal(board.indicators, indicators(sim.history, world.quota, 0, start_week=0))
    truth = sim.weeks_in_stage()
    open_ids = sim.history.deals.query("status == 'open'").deal_id.to_numpy()
    assert (board._weeks_in_stage(board._index.get_indexer(open_ids)) == truth[open_ids].to_numpy()).all()


# --- the buttons call the same methods ------------------------------------------------------
def test_buttons_drive_the_board(world):
    board = make(world, lang="zh")
    k = board.funnel.keys.index("need")
    deal = board.page("need")[0]
    board._slots[k][0][2].click()  # "选择" on the first card
    assert board.selected == deal
    board._action.value = "needs_interview"
    board._btn_act.click()
    assert [m.deal_id for m in board.pending] == [deal]
    move = board.pending[0]
    board._quiz_buttons[move.outcome].click()
    assert board.score == Score(1, 1)
    board._btn_act.click()  # acting twice is refused on screen, in Chinese, not with a traceback
    board._ui_act()
    board._btn_next.click()
    assert board.week == 1 and "第 1 周" in board._header.value
    board._quiz_buttons["order"].click()  # nothing to classify: a message under the Act button, no exception
    assert "没有待判断的客户回复" in board._act_message.value and board._message.value == ""
    board._btn_undo.click()
    assert board.week == 0
    board._btn_reset.click()
    assert board._btn_reset.description == "确定重新开始？再点一次"
    board._btn_reset.click()
    assert board.week == 0 and board.moves == [] and "已重新开始" in board._message.value
    pages_before = board.page("need")
    board._pagers[k][3].click()  # ▶
    assert board.page("need") != pages_before


# --- languages -----------------------------------------------------------------------------
def played(board: DealBoard) -> DealBoard:
    """A board with every panel filled: a week's summary, a pending move answered wrongly, one to classify."""
    d = board.page("approved")[0]
    board.act(d, "agree_budget")
    board.classify("no_sale")
    board.next_week()
    board.select(board.page("criteria")[0])
    board.act(board.page("criteria")[0], "arrange_demo")
    board.classify("order")
    board.act(board.page("need")[0], "find_coach")
    board.act(board.page("need")[1], "courtesy_call")
    board.page("need", 2)
    board.select(board.page("evaluation")[0])  # the action list and its why text on screen
    board._ui(lambda: board.act(board.page("need")[0], "propose_trial"))  # a refusal shown on screen
    assert board._message.value and board._action.options
    return board


def test_chinese_board_has_no_english_left(world):
    board = played(make(world, lang="zh", threshold=50_000, rotting_weeks=1))
    texts = board.texts()
    assert any(CJK.search(t) for t in texts)
    words = {w for t in texts for w in ASCII_WORD.findall(t)} - ALLOWED_IN_ZH
    assert not words, sorted(words)
    assert any("销售预计" in t for t in texts) and any("答题得分" in t for t in texts)


def test_english_board_has_no_chinese(world):
    board = played(make(world, lang="en", threshold=50_000, rotting_weeks=1))
    texts = board.texts()
    leftovers = [t for t in texts if CJK.search(t)]
    assert not leftovers, leftovers[:5]
    assert any("Forecast" in t for t in texts)


def test_follows_set_language(world):
    board = make(world, lang=None)
    played(board)
    try:
        sf.set_language("zh")
        zh = board.texts()
        assert any("下一周" in t for t in zh)
        assert not ({w for t in zh for w in ASCII_WORD.findall(t)} - ALLOWED_IN_ZH)
        sf.set_language("en")
        en = board.texts()
        assert any("Next week" in t for t in en) and not any(CJK.search(t) for t in en)
    finally:
        sf.set_language("en")
    fixed = make(world, lang="zh")
    sf.set_language("en")
    assert any("下一周" in t for t in fixed.texts())


def test_chart_png_updates_each_week(world, tmp_path):
    board = make(world)
    png0, svg0 = board.chart_png(), board._chart.value
    assert png0[:8] == b"\x89PNG\r\n\x1a\n" and svg0.startswith("<svg")
    board.next_week()
    png1 = board.chart_png()
    assert png1[:8] == b"\x89PNG\r\n\x1a\n" and png1 != png0
    assert board._chart.value != svg0  # the board shows the new week too
    paths = board.save_charts(tmp_path, prefix="deal_board_")
    assert [p.name for p in paths] == ["deal_board_indicators_en.png"]
    page = board.html()
    assert page.startswith("<!doctype html>") and "sf-card" in page and "<svg" in page
    assert money(board, board.indicators.forecast.iloc[-1]) in page


def test_the_board_shows_its_chart_as_svg_and_draws_matplotlib_only_for_files(world, tmp_path):
    """A board's chart is SVG (a millisecond, the browser draws it); the matplotlib figure is drawn only when
    a PNG, a file or the figure's texts are asked for. The SVG's lines follow the indicator table."""
    import xml.etree.ElementTree as ET

    from PIL import Image

    board = make(world, page_size=3)
    calls: list[int] = []
    original = board._draw_chart
    board._draw_chart = lambda *a: (calls.append(1), original(*a))[1]
    board.next_week()
    board.set_language("zh")
    board.next_week()
    assert calls == []  # redrawn twice and in another language: no matplotlib
    svg = ET.fromstring(board._chart.value)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in svg.iter(f"{ns}text")]
    assert "销售预计与已成交" in texts and "周" in texts and any(t.startswith("销售任务 ¥") for t in texts)
    table = board._indicator_table()
    lines = [p for p in svg.iter(f"{ns}polyline")]
    assert len(lines) == 3 and all(len(p.get("points").split()) == len(table) for p in lines)
    total = [float(xy.split(",")[1]) for xy in lines[0].get("points").split()]
    amounts = (table["forecast"] + table["booked"]).to_numpy()
    assert np.argmin(total) == np.argmax(amounts)  # the largest amount is the highest point (SVG y grows down)
    assert "销售预计与已成交" in " ".join(board.texts())
    path = board.save_charts(tmp_path, prefix="b_")[0]
    assert calls == [1] and Image.open(path).size[0] > 300  # drawn for the file
    board.close()


def test_reset_keeps_the_simulations_coupling_and_effects():
    from simfunnel.model.events import Effect

    world = sf.generate(accounts=40, seed=3)
    effects = (Effect(2, 4, ("present_value",), advance_factor=0.5),)
    board = DealBoard(sf.Simulation(world, seed=3, effects=effects, coupling="classic"), lang="en")
    board.next_week()
    board.reset()
    board.reset()  # asked twice
    assert board.sim.week == 0 and board.sim.coupling == "classic" and board.sim.effects == effects
    board.close()


def test_held_sends_one_message_per_changed_widget_at_the_end(monkeypatch):
    """``base.held``: a tree's changes go out when the outermost hold of it ends, one update per widget changed
    with its last values; a shared layout is held once; widgets left unchanged send nothing."""
    import uuid

    import ipywidgets as w
    from ipywidgets.widgets import widget as widget_module

    from simfunnel.widgets.base import held

    class FakeComm:  # a comm with a kernel, whatever the test process's comm factory is (another test may set one)
        kernel = object()

        def __init__(self, **kwargs) -> None:
            self.comm_id = kwargs.get("comm_id") or uuid.uuid4().hex

        def on_msg(self, callback) -> None:
            pass

        def send(self, *args, **kwargs) -> None:
            pass

        def close(self, *args, **kwargs) -> None:
            pass

    monkeypatch.setattr(widget_module.comm, "create_comm", lambda **kwargs: FakeComm(**kwargs))
    shared = w.Layout()
    a, b, c = (w.HTML("", layout=shared) for _ in range(3))
    inner = w.VBox([b, c])
    root = w.VBox([a, inner])
    sent: list[tuple[w.Widget, dict]] = []
    monkeypatch.setattr(w.Widget, "_send", lambda self, msg, buffers=None: sent.append((self, msg)))
    with held(root):
        a.value = "one"
        a.value = "two"
        with held(inner):
            b.value = "three"
        with held(root):
            c.value = "four"
        assert sent == []  # nothing before the outermost hold ends
    updates = [(x, m["state"]) for x, m in sent if m["method"] == "update"]
    assert len(updates) == 3 and {x.model_id: state for x, state in updates} == {
        a.model_id: {"value": "two"}, b.model_id: {"value": "three"}, c.model_id: {"value": "four"}}
    assert not any(x._holding_sync for x in (root, inner, a, b, c, shared))
    sent.clear()
    a.value = "five"  # no hold: at once
    assert [m["state"] for _, m in sent] == [{"value": "five"}]
    for x in (root, inner, a, b, c, shared):
        x.close()


def test_the_week_result_tells_a_move_after_kind_words_from_a_move_the_customer_committed_to(world):
    """Issue 13 (the rehearsal: 「等忙完这阵子再约吧」, then 评估比较 → 购买承诺): a deal that moved a stage after a
    continuation says the customer's own buying process moved it; a committed deal that stayed says so too."""
    board = make(world, lang="zh")
    seen = {"moved_anyway": False, "stayed": False}
    for _ in range(6):
        moves = []
        for stage in board.funnel.keys:
            for deal in board.page(stage)[:3]:
                moves.append(board.act(deal, actions_for(board.funnel, stage)[0].key))
        board.next_week()
        summary = " ".join(re.sub(r"<[^>]+>", " ", board._summary_html.value).split())
        for m in moves:
            frm, to = board.funnel.label(m.from_stage, "zh"), board.funnel.label(m.to_stage, "zh")
            if m.outcome == "continuation" and m.to_stage not in (m.from_stage, "lost"):
                assert f"阶段：{frm} → {to} （客户自己的采购流程往前走了，不是这次行动换来的）" in summary
                seen["moved_anyway"] = True
            if m.outcome == "advance" and m.to_stage == m.from_stage:
                assert f"阶段：{frm}（未变）" in summary
                seen["stayed"] = True
    assert all(seen.values()), seen
