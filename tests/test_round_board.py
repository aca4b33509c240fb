"""The trainee's board in a workshop run in rounds tells the truth (issue 12): two teammates' boards driven from code.

What a trainer saw in a zh workshop and what each test pins down:
- the round, its weeks, a large countdown and what to do now, computed from the store at each render (no
  「现在没有进行中的回合」 under an open round, no 「本回合已执行」 left from an earlier round);
- the result of a round played: every week of it, with the team's moves (who, deal, action) and outcomes;
- a teammate's move shows after one tick of the board's clock, without a click (free play too), and a tick
  with nothing new draws nothing;
- after the team's submit, Act, the action list and Undo are locked with the reason, and the store refuses;
- a refusal shows next to the button that caused it, not at the top;
- the week tile shows the round's weeks;
- market news names the board's own stages (「评估比较」), not the key steps (呈现价值).
"""

import re

import matplotlib
import pytest

matplotlib.use("Agg")

from simfunnel.model.funnel import KEY_STEP_LABELS  # noqa: E402
from simfunnel.widgets.workshop import TeamBoard  # noqa: E402
from simfunnel.workshop.errors import MoveRefused  # noqa: E402
from simfunnel.workshop.store import WorkshopStore  # noqa: E402

from chart_checks import assert_language, closing_new_widgets  # noqa: E402

LI, WANG = "李雷", "王芳"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def store(tmp_path):
    store = WorkshopStore.init(tmp_path / "w", teams=2, seed=2026, same_world=True, accounts=80, weeks_per_round=3)
    store.add_event("price_cut")  # hits round 1: news once the round opens
    return store


@pytest.fixture
def boards(store):
    """Li's and Wang's boards of team 1, each on its own store object (two pages of one server), clocks idle:
    the tests tick them by hand."""
    with closing_new_widgets():
        li = TeamBoard(store, "team1", trainee=LI, lang="zh", poll_seconds=3600)
        wang = TeamBoard(WorkshopStore.open(store.path.parent), "team1", trainee=WANG, lang="zh", poll_seconds=3600)
        yield li, wang


def _deal(board, stage="criteria", n=0):
    return board.page(stage)[n]


def test_the_round_box_says_where_the_round_is_and_what_to_do_now(store, boards):
    li, wang = boards
    box = text(li._round_box.value)
    assert "等待讲师开始第一个回合" in box and "提交本回合决策" in box and "sf-round-time" not in li._round_box.value
    li.select(_deal(li))
    li._ui_act()  # no round yet: refused under the Act button …
    assert "没有进行中的回合" in li._act_message.value and li._message.value == ""
    store.open_round(timer_minutes=5)
    assert li.tick() and not li.tick()  # the clock catches up once; a tick with nothing new redraws nothing
    box = text(li._round_box.value)
    assert "第 1 回合 · 第 14–16 周" in box and "现在：全组商量本回合" in box and "由其中一人点“提交本回合决策”" in box
    assert re.search(r'class="sf-round-time">[45]:\d\d<', li._round_box.value)  # the large countdown
    assert "剩余时间" in box
    # … and the refusal of before the round is gone: no 「没有进行中的回合」 under an open round
    assert "没有进行中的回合" not in " ".join(li.texts()) and not li._btn_act.disabled
    wang.submit()
    li.tick()
    box = text(li._round_box.value)
    assert f"{WANG}已为全组提交本回合决策" in box and "请等讲师结束本回合" in box and "sf-round-done" in li._round_box.value
    store.close_round()
    li.tick()
    box = text(li._round_box.value)
    assert "第 1 回合已结束" in box and "第 14–16 周已经执行完毕" in box and "请等待讲师开始下一回合" in box
    assert "sf-round-time" not in li._round_box.value
    store.open_round()  # round 2: no timer; nothing of round 1 is left in the status lines
    li.tick()
    box = text(li._round_box.value)
    assert "第 2 回合 · 第 17–19 周" in box and "不限时" in box and "已提交" not in box and "已执行" not in box
    assert "本回合已执行" not in " ".join(li.texts()) and "看板已更新" not in " ".join(li.texts())
    # no timer: the clock says who closes the round (not "time left"), and a submitted team waits for the trainer only
    assert "由讲师结束本回合" in box and "剩余时间" not in box
    wang.tick()
    wang.submit()
    li.tick()
    box = text(li._round_box.value)
    assert "请等讲师结束本回合。" in box and "计时" not in box.replace("不限时", "")
    assert_language(li.texts(), "zh")


def test_the_countdown_turns_to_time_up_and_locks_the_actions(store, boards):
    import time

    li, _ = boards
    store.open_round(timer_minutes=0.01)  # 0.6 s
    li.tick()
    assert not li._btn_next.disabled
    time.sleep(0.7)
    li.tick()  # the store's tick closes the expired round: the board catches up to the result
    assert li.week == 16 and "第 1 回合结果（第 14–16 周）" in text(li._result_box.value)
    store.open_round(timer_minutes=0.01)
    li.tick()
    li.poll.stop()
    time.sleep(0.7)
    li._render_round()
    assert "时间到" in text(li._round_box.value) and "sf-round-late" in li._round_box.value


def test_the_result_lists_every_week_of_the_round_with_the_teams_moves(store, boards):
    li, wang = boards
    store.open_round(timer_minutes=5)
    li.tick(), wang.tick()
    mine = li.act(_deal(li, "criteria"), "arrange_demo")
    li.classify(mine.outcome)
    theirs = wang.act(_deal(wang, "need"), "needs_interview")
    store.close_round()
    li.tick()
    result = text(li._result_box.value)
    assert "第 1 回合结果（第 14–16 周）" in result and "<details class=\"sf-result\" open>" in li._result_box.value
    for week in (14, 15, 16):
        assert f"第 {week} 周" in result
    labels = {"arrange_demo": "安排产品演示", "needs_interview": "SPIN 需求访谈"}
    outcome = {"order": "订单", "advance": "推进", "continuation": "延续", "no_sale": "无法成交"}
    for who, move in ((LI, mine), (WANG, theirs)):
        # the customer's response, then the stage: 「推进 判断正确 ✔ · 阶段：确定标准 → 评估比较」 or 「阶段：发现需求（未变）」
        line = re.search(rf"{who} · [^·]+ #{move.deal_id} · {labels[move.action]} (\S+)[^·]* · 阶段：(\S+?)(?: → (\S+)|（未变）)",
                         result)
        assert line, result
        assert line[1] == outcome[move.outcome]
        frm, to = li.funnel.label(move.from_stage, "zh"), li.funnel.label(move.to_stage, "zh")
        assert (line[2], line[3] or line[2]) == (frm, to)
    assert f"{labels['arrange_demo']} " in result and "判断正确 ✔" in result  # Li's classification
    assert result.count("回合的行动都在第 14 周执行") == 2  # weeks 15 and 16 say so, then what happened next
    assert result.count("全部商机：赢单") == 3
    assert li._summary_html.value == ""  # no more 「第 16 周结果：这一周你没有采取行动」
    # the next round folds it away but keeps it at hand
    store.open_round()
    li.tick()
    assert "上一回合结果：第 1 回合（第 14–16 周）" in text(li._result_box.value)
    assert "<details class=\"sf-result\">" in li._result_box.value


def test_a_teammates_move_shows_after_one_tick_without_a_click(store, boards):
    li, wang = boards
    store.open_round(timer_minutes=5)
    li.tick(), wang.tick()
    assert not wang.tick()  # nothing new: no redraw
    deal = _deal(li)
    li.act(deal, "arrange_demo")
    assert not li.tick()  # its own move: already drawn
    assert wang.teammates == []
    assert wang.tick()  # the clock, no click
    assert [(who, m.deal_id) for who, m in wang.teammates] == [(LI, deal)]
    assert f"{LI}: " in wang._moves_html.value and "组员本回合的行动（1）" in wang._moves_html.value
    assert f"✓ {LI}：安排产品演示" in " ".join(body.value for column in wang._slots for _, body, _ in column)
    li.undo()
    assert wang.tick() and wang.teammates == []


def test_a_teammates_move_shows_after_one_tick_in_free_play_too(tmp_path):
    store = WorkshopStore.init(tmp_path / "free", teams=2, seed=2026, same_world=True, accounts=80)
    with closing_new_widgets():
        li = TeamBoard(store, "team1", trainee="Li", lang="en", poll_seconds=3600)
        wang = TeamBoard(WorkshopStore.open(store.path.parent), "team1", trainee="Wang", lang="en", poll_seconds=3600)
        assert li.poll.on and wang.poll.on  # a clock in free play too
        deal = li.page("criteria")[0]
        li.act(deal, "arrange_demo")
        assert wang.tick() and [m.deal_id for _, m in wang.teammates] == [deal]
        assert "Li: " in wang._moves_html.value and not wang.tick()
        assert li._round_box.value == "" and li._result_box.value == ""  # no rounds: no round box


def test_after_the_submit_actions_are_locked_and_the_store_refuses(store, boards):
    li, wang = boards
    store.open_round(timer_minutes=5)
    li.tick(), wang.tick()
    mine = li.act(_deal(li), "arrange_demo")
    wang.submit()
    assert li.tick()
    li.select(_deal(li, "need"))
    assert li._btn_act.disabled and li._action.disabled and li._btn_undo.disabled and li._btn_next.disabled
    assert f"{WANG}已为全组提交本回合决策：不能再采取行动或撤销" in text(li._act_message.value)
    assert wang._btn_act.disabled and "不能再采取行动" in text(wang._act_message.value)
    # the store refuses too, whoever asks
    with pytest.raises(MoveRefused, match="has submitted"):
        store.record_move("team1", 14, _deal(li, "need"), "needs_interview", trainee=LI)
    with pytest.raises(MoveRefused, match="has submitted"):
        store.withdraw("team1", 14, mine.deal_id, trainee=LI)
    with pytest.raises(ValueError, match="has submitted"):
        li.act(_deal(li, "need"), "needs_interview")
    li._ui_act()  # the button's path (disabled on the page): the store's refusal, under the Act button
    assert "已提交第 1 回合的决定" in li._act_message.value and "sf-warn" in li._act_message.value
    assert li._message.value == ""
    li._btn_undo.click()  # disabled on the page; from code the refusal shows beside Undo
    assert "已提交第 1 回合的决定" in li._message.value
    assert "sf-warn" not in li._act_message.value and "sf-locked" in li._act_message.value  # the lock line again
    assert [m.deal_id for m in li.pending] == [mine.deal_id]  # nothing withdrawn


def test_a_refusal_shows_next_to_the_button_that_caused_it(store, boards):
    li, wang = boards
    li._btn_next.click()  # Submit with no round open: beside the Submit button
    assert "没有进行中的回合" in li._message.value and "sf-warn" not in li._act_message.value  # the lock line only
    store.open_round(timer_minutes=5)
    li.tick(), wang.tick()
    assert li._message.value == ""  # the round opened: the old refusal is gone
    deal = _deal(li)
    li.act(deal, "arrange_demo")
    wang.select(deal)  # before Wang's clock ticked: the board still offers the deal
    wang._action.value = "arrange_demo"
    wang._btn_act.click()
    assert f"商机 {deal} 在第 14 周已有行动：{LI}已选择" in wang._act_message.value
    assert wang._message.value == ""  # under the Act button, not at the top of the board
    panel = wang.root.children[-1].children[0]
    assert list(panel.children).index(wang._act_message) == list(panel.children).index(wang._act_row) + 1


def test_the_week_tile_shows_the_rounds_weeks(store, boards):
    li, _ = boards
    assert "第 13 周" in text(li._header.value)
    store.open_round(timer_minutes=5)
    li.tick()
    header = text(li._header.value)
    assert "本回合模拟 第 14–16 周 数据截至第 13 周" in header and "第 13 周 本季度" not in header
    store.close_round()
    li.tick()
    assert "第 16 周 本季度第 3/13 周" in text(li._header.value)


def test_market_news_names_the_boards_own_stages(store, boards):
    li, _ = boards
    assert li._news_box.value == ""  # hidden until its round opens
    store.open_round(timer_minutes=5)
    li.tick()
    news = text(li._news_box.value)
    columns = [stage.label("zh") for stage in li.funnel.stages]
    assert "市场动态" in news and "「评估比较」阶段每周推进机会 × 0.6" in news and "评估比较" in columns
    assert KEY_STEP_LABELS["present_value"][0] not in news  # 呈现价值 is a key step, not a column of the board
    en = store.events("team1", lang="en").text.iloc[0]
    assert "weekly advance at the Evaluation stage × 0.6" in en


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_round_text_is_in_one_language(store, lang):
    with closing_new_widgets():
        li = TeamBoard(store, "team1", trainee=LI if lang == "zh" else "Li", lang=lang, poll_seconds=3600)
        texts = list(li.texts())
        store.open_round(timer_minutes=5)
        li.tick()
        li.act(li.page("criteria")[0], "arrange_demo")
        li.submit()
        texts += li.texts()
        store.close_round()
        li.tick()
        texts += li.texts()
        store.open_round(timer_minutes=0.001)
        li.tick()
        texts += li.texts()
        assert_language(texts, lang)


def test_in_rounds_the_board_speaks_of_the_round_not_the_week(tmp_path):
    """Seen in the rehearsal: "本周已安排" and "本周行动（2）" under a round of weeks 14–16."""
    from simfunnel.workshop.store import WorkshopStore
    from simfunnel.widgets.workshop import TeamBoard

    store = WorkshopStore.init(tmp_path / "w", teams=["red"], seed=5, weeks_per_round=3)
    store.open_round(timer_minutes=5)
    board = TeamBoard(store, "red", trainee="李雷", lang="zh")
    try:
        stage = next(k for k in board.funnel.keys if board.page(k))
        deal = board.page(stage)[0]
        board.act(deal, board.fitting_actions(stage)[0].key)
        board.select(deal)
        assert "本回合已安排" in board._deal_html.value and "本周已安排" not in board._deal_html.value
        assert "本回合行动（1）" in board._moves_html.value
        board.set_language("en")
        assert "This round&#x27;s actions (1)" in board._moves_html.value
    finally:
        board.close()
    free = WorkshopStore.init(tmp_path / "f", teams=["red"], seed=5)
    board = TeamBoard(free, "red", trainee="Li", lang="en")
    try:
        stage = next(k for k in board.funnel.keys if board.page(k))
        board.act(board.page(stage)[0], board.fitting_actions(stage)[0].key)
        assert "This week&#x27;s actions (1)" in board._moves_html.value
    finally:
        board.close()
