"""Exercises answered through widgets (issue 13 part 4, issue 14 point 1), the names game, the lessons of 09
and booked vs collected (回收账款).

The widgets are driven through their own inputs (the values a click or a keystroke sets) and their own
Check button, so what passes here is what a trainee's page does.
"""

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import simfunnel as sf  # noqa: E402
from simfunnel import plots  # noqa: E402
from simfunnel.analysis.collections import booked_vs_collected, seller_with_gap, won_in_period  # noqa: E402
from simfunnel.model.generate import FUNCTIONS, LEVELS  # noqa: E402
from simfunnel.model.history import EVENT_COLUMNS, History  # noqa: E402
from simfunnel.model.people import ACTION_RAISES, PeopleParams  # noqa: E402
from simfunnel.widgets import trust_lessons as lessons  # noqa: E402
from simfunnel.widgets.base import shown  # noqa: E402
from simfunnel.widgets.exercise import Choice, Exercise, Number, Sort, Text, response_question  # noqa: E402
from simfunnel.widgets.names_game import JOB_TITLES, NamesGame  # noqa: E402

from chart_checks import assert_language, closing_new_widgets, render_clean  # noqa: E402

Q_CHOICE = Choice(("哪一个是推进？", "Which is an advance?"),
                  (("客户说会考虑", "They will think about it"), ("客户约了演示时间", "A demo date is set")), 1,
                  ("推进是具体行动。", "An advance is a concrete action."))
Q_SEVERAL = Choice(("哪些是买方角色？", "Which are buying roles?"),
                   (("决策者", "Decision maker"), ("使用者", "User"), ("竞争对手", "Competitor")), (0, 1),
                   ("竞争对手不是客户内部的角色。", "A competitor is not a role inside the customer."))
Q_NUMBER = Number(("赢率 40% 的 10 万元商机，销售预计多少？", "Forecast of a ¥100,000 deal at 40%?"), 40_000, 1,
                  ("10 万 × 40%。", "100,000 × 40%."), unit=("元", "yuan"))
Q_TEXT = Text(("一个词说出门槛下的订单叫什么。", "Name the orders below the threshold."),
              (("漏斗外", "out-of-funnel"),), ("漏斗外销售额。", "Out-of-funnel sales."))
Q_SORT = Sort(("分类：", "Sort:"), (("资料", "Facts"), ("需求", "Needs")),
              ((("有 3 个工厂", "3 plants"), 0), (("想缩短结账", "Wants faster closing"), 1)),
              ("事实与将来。", "Facts and the future."))


@pytest.fixture(scope="module")
def world():
    return sf.generate(seed=2026)


@pytest.fixture(scope="module")
def history(world):
    return sf.Simulation(world, seed=2026).run(weeks=26)


def _feedback(ex: Exercise, i: int) -> str:
    fb = ex._feedback[i]
    return fb.value if shown(fb) else ""


def test_every_kind_is_unanswered_then_wrong_then_right_through_its_widget_and_the_button():
    with closing_new_widgets():
        ex = Exercise([Q_CHOICE, Q_SEVERAL, Q_NUMBER, Q_TEXT, Q_SORT], lang="en")
        assert not any(_feedback(ex, i) for i in range(5))  # nothing before Check
        ex._button.click()
        assert ex.results == [None] * 5 and ex.right == 0
        assert all("Not answered yet" in _feedback(ex, i) for i in range(5))
        wrong = [0, (0, 2), 4_000, "in the funnel", [1, 1]]
        for i, value in enumerate(wrong):
            ex.answer(i, value)
        ex._button.click()
        assert ex.results == [False] * 5
        assert all("Not yet" in _feedback(ex, i) for i in range(5))
        assert "1 of 2 cards in the right place" in _feedback(ex, 4)
        right = [1, (1, 0), 40_000.5, "Out-of-funnel sales!", [0, 1]]
        for i, value in enumerate(right):
            ex.answer(i, value)
        ex._button.click()
        assert ex.results == [True] * 5 and ex.score_text() == "5 of 5 right"
        assert all("Right." in _feedback(ex, i) for i in range(5))
        assert "An advance is a concrete action." in _feedback(ex, 0)  # the why is shown with the verdict


def test_a_text_answer_counts_in_either_language_and_full_width():
    assert Q_TEXT.correct("就是漏斗外的销售额") and Q_TEXT.correct("ＯＵＴ-OF-FUNNEL") and not Q_TEXT.correct("小单")
    two = Text(("", ""), (("价值", "value"), ("信赖", "trust")), ("", ""), need=2)
    assert two.correct("value and 信赖") and not two.correct("value only")


def test_the_response_buttons_are_the_four_of_the_course():
    q = response_question(("客户说……", "The customer says…"), "continuation", ("", ""))
    assert q.options == (("订单", "Order"), ("推进", "Advance"), ("延续", "Continuation"), ("无法成交", "No sale"))
    assert q.correct(2) and not q.correct(1)
    with closing_new_widgets():
        ex = Exercise([q], lang="zh")
        assert ex._inputs[0]._options_labels == ("订单", "推进", "延续", "无法成交")  # one row of buttons
    with pytest.raises(ValueError, match="one of order, advance, continuation, no_sale"):
        response_question(("", ""), "yes", ("", ""))


def test_bad_questions_are_refused_with_what_is_wrong():
    with pytest.raises(ValueError, match="answer 3 is not an index of its 2 options"):
        Choice(("", "Q"), (("a", "a"), ("b", "b")), 3, ("", ""))
    with pytest.raises(ValueError, match="names no bin"):
        Sort(("", "S"), (("a", "a"),), ((("c", "c"), 1),), ("", ""))
    with pytest.raises(ValueError, match="at least one question"):
        Exercise([])
    with closing_new_widgets():
        ex = Exercise([Q_SORT], lang="en")
        with pytest.raises(ValueError, match="2 cards to sort, got 1"):
            ex.answer(0, [0])


def test_a_language_switch_relabels_and_keeps_the_answers_and_feedback():
    with closing_new_widgets():
        ex = Exercise([Q_CHOICE, Q_SORT], title=("标题", "Title"))
        try:
            sf.set_language("zh")
            ex.answer(0, 1)
            ex.answer(1, [0, None])
            ex.check()
            assert_language(ex.texts(), "zh")
            assert ex._inputs[0]._options_labels == ("客户说会考虑", "客户约了演示时间")
            sf.set_language("en")
            assert_language(ex.texts(), "en")
            assert ex._inputs[0].value == 1 and ex._inputs[0]._options_labels[1] == "A demo date is set"
            assert ex.results == [True, False] and "Right." in _feedback(ex, 0)
        finally:
            sf.set_language("en")


LESSON_BUILDERS = [lessons.relationship_steps, lessons.winning_a_coach, lessons.facts_vs_needs,
                   lessons.needs_vs_wants, lessons.purchase_factors]


def _all_lessons(world, history, lang):
    built = [make(lang=lang) for make in LESSON_BUILDERS]
    built.append(lessons.collective_decision(world, lang=lang))
    built.append(lessons.collection_exercise(history, lang=lang)[0])
    return built


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lesson_09_exercises_speak_one_language_and_their_keys_score_full_marks(world, history, lang):
    with closing_new_widgets():
        for ex in _all_lessons(world, history, lang):
            assert ex.check() == 0  # nothing answered: nothing right
            ex.solve()
            assert ex.check() == len(ex.questions), ex.title
            assert_language(ex.texts(), lang)


def test_lesson_09_keys_are_not_guessable_by_always_pressing_the_same_button(world, history):
    with closing_new_widgets():
        for ex in _all_lessons(world, history, "en"):
            for i, q in enumerate(ex.questions):
                if isinstance(q, Sort):
                    assert len({c[1] for c in q.cards}) == len(q.bins)  # every bin gets cards
                    for b in range(len(q.bins)):
                        ex.answer(i, [b] * len(q.cards))
                        ex.check()
                        assert ex.results[i] is False
                elif isinstance(q, Choice) and not q.several:
                    assert len(q.options) >= 4
                    ex.answer(i, (q.answer + 1) % len(q.options))
                    ex.check()
                    assert ex.results[i] is False


def test_the_sorts_cover_the_course_lists():
    steps = lessons.relationship_steps(lang="en").questions[0]
    assert [b[0] for b in steps.bins] == ["不批评、不责备、不抱怨", "记住他人的名字", "真诚地赞赏与感谢", "提问与聆听"]
    assert [sum(c[1] == b for c in steps.cards) for b in range(4)] == [2, 2, 2, 2]
    factors = lessons.purchase_factors(lang="en").questions[0]
    assert [b[0] for b in factors.bins] == ["价值", "需求", "价格", "信赖", "体验"]
    assert [sum(c[1] == b for c in factors.cards) for b in range(5)] == [2] * 5
    assert [i[0] for i in lessons.THREE_ONE_ITEMS] == ["重大事项决策", "重要干部任免", "重大项目安排", "大额度资金运作"]


def test_the_purchase_factor_action_question_follows_the_people_layer():
    act = lessons.purchase_factors(lang="en").questions[1]
    right = act.options[act.answer][1]
    assert right == "Propose a trial" and ACTION_RAISES["propose_trial"] == "experience"


def test_the_collective_rule_question_reads_the_people_layer(world):
    ex = lessons.collective_decision(world, lang="en")
    rule = ex.questions[3]
    assert rule.answer == PeopleParams().collective_min_decision
    deal = lessons.state_owned_deal(world)
    acc = world.accounts.set_index("account_id").loc[deal["account_id"]]
    assert acc["ownership"] == "state_owned" and deal["amount"] > PeopleParams().collective_amount
    assert f"#{int(deal['deal_id'])}" in ex.questions[1].prompt[1]
    with pytest.raises(ValueError, match="no deal of a state-owned account is above"):
        lessons.state_owned_deal(world, min_amount=1e12)


# --- the names game -----------------------------------------------------------------------------

def test_every_function_and_level_has_a_job_title():
    assert set(JOB_TITLES) == {(f, lv) for f, *_ in FUNCTIONS for lv, *_ in LEVELS}


def test_the_names_game_is_seeded_hides_the_cards_and_scores_the_recall(world):
    with closing_new_widgets():
        a, b = NamesGame(world, seed=7, lang="zh"), NamesGame(world, seed=7, lang="zh")
        assert a.people == b.people and a.answer_key() == b.answer_key() and len(a.people) == 6
        names = [p["name"][0] for p in a.people]
        assert all(n in a._cards.value for n in names) and shown(a._cards)
        a.start_recall()
        assert not shown(a._cards) and not shown(a._got) and shown(a._again)
        recall_prompts = " ".join(q.prompt[0] for q in a.recall.questions)
        assert not any(n in recall_prompts for n in names)  # the names are only on the buttons
        key = a.answer_key()
        for i, k in enumerate(key):
            a.recall.answer(i, k)
        assert a.recall.check() == 6
        a.recall.answer(0, (key[0] + 1) % 6)
        assert a.recall.check() == 5 and "这位是" in a.recall._feedback[0].value
        assert_language(a.texts(), "zh")
        first = a.account
        a.new_round()
        assert a.phase == "meet" and a.recall is None and shown(a._cards) and a.account != first
        assert NamesGame(world, seed=8, lang="en").people != b.people
    with pytest.raises(ValueError, match="at least 3 people"):
        NamesGame(world, people=2)


def test_the_names_game_speaks_english(world):
    with closing_new_widgets():
        game = NamesGame(world, seed=3, lang="en")
        assert_language(game.texts(), "en")
        game.start_recall()
        assert_language(game.texts(), "en")


# --- booked vs collected ------------------------------------------------------------------------

def _hand_history():
    deals = pd.DataFrame({
        "deal_id": [1, 2, 3, 4, 5], "account_id": [1, 1, 2, 2, 3], "owner": ["A", "A", "B", "B", "B"],
        "amount": [100.0, 50.0, 70.0, 30.0, 999.0], "created_week": [0] * 5,
        "stage": ["won", "won", "won", "lost", "won"], "status": ["won", "won", "won", "lost", "won"],
        "closed_week": [2, 5, 13, 4, 14], "expected_close_week": [4] * 5, "win_rate_override": [None] * 5,
        "paid_week": [6, None, 13, None, 15]})
    return History(deals, pd.DataFrame(columns=list(EVENT_COLUMNS)), funnel=sf.Funnel.preset("key-account"))


def test_booked_and_collected_by_hand():
    h = _hand_history()
    t = booked_vs_collected(h, 0, 13)
    assert t["week"].tolist() == list(range(14))
    assert t.set_index("week").loc[[1, 2, 5, 6, 12, 13], "booked"].tolist() == [0, 100, 150, 150, 150, 220]
    assert t.set_index("week").loc[[5, 6, 12, 13], "collected"].tolist() == [0, 100, 100, 170]
    # deal 4 (lost) and deal 5 (won in week 14, after the period) count nowhere
    assert won_in_period(h, 0, 13)["deal_id"].tolist() == [1, 2, 3]
    assert won_in_period(h, 0, 13, owner="B")["paid_by_end"].tolist() == [True]
    assert seller_with_gap(h, 0, 13) == "A"  # 50 booked and unpaid; B has only one win in the period
    with pytest.raises(ValueError, match="no seller named 'C'; sellers are A, B"):
        won_in_period(h, 0, 13, owner="C")
    with pytest.raises(ValueError, match="must end after it starts"):
        booked_vs_collected(h, 5, 5)


def test_collected_never_exceeds_booked_in_the_simulation(history):
    t = booked_vs_collected(history, 0, 13)
    assert (t["collected"] <= t["booked"] + 1e-9).all()
    assert (np.diff(t["booked"]) >= 0).all() and (np.diff(t["collected"]) >= 0).all()
    assert t["outstanding"].iloc[-1] > 0  # a quarter ends with money still owed: the lesson's point


def test_the_collection_exercise_answers_are_the_tables(history):
    ex, won, owner = lessons.collection_exercise(history, lang="en")
    last = booked_vs_collected(history, 0, 13, owner).iloc[-1]
    assert ex.questions[0].answer == won["amount"].sum() == last["booked"]
    assert ex.questions[1].answer == won.loc[won["paid_by_end"], "amount"].sum() == last["collected"]
    assert not won["paid_by_end"].all()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_collection_chart_draws_the_gap_in_one_language(history, lang, tmp_path, caplog):
    import matplotlib.pyplot as plt

    owner = seller_with_gap(history, 0, 13)
    ax = plots.collection_chart(booked_vs_collected(history, 0, 13, owner), lang=lang, owner=owner)
    texts = [t.get_text() for t in ax.figure.findobj(matplotlib.text.Text) if t.get_text().strip()]
    assert_language(texts, lang)
    assert plots.find_artist(ax, "gap") is not None and plots.find_artist(ax, "collection-note") is not None
    render_clean(ax.figure, tmp_path / f"collection_{lang}.png", caplog)
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="no column .booked."):
        plots.collection_chart(pd.DataFrame({"week": [0]}))


def test_a_number_is_read_as_a_trainee_types_it():
    from simfunnel.widgets.exercise import parse_number

    assert [parse_number(v) for v in ("358100", "358,100", "¥358,100.00", "35.81万", "４０％", " 1 234 ")] == \
        [358100, 358100, 358100, 358100, 0.4, 1234]
    assert parse_number("abc") is None and parse_number("") is None and parse_number(float("nan")) is None
    with closing_new_widgets():
        ex = Exercise([Q_NUMBER], lang="zh")
        ex.answer(0, "四万")
        ex.check()
        assert ex.results == [False] and "“四万”不是一个数。" in _feedback(ex, 0)
        ex.answer(0, "4万")
        assert ex.check() == 1


def test_a_sorted_card_is_marked_after_check():
    with closing_new_widgets():
        ex = Exercise([Q_SORT], lang="en")
        ex.answer(0, [1, 1])
        ex.check()
        cards = [row.children[0].value for row in ex._inputs[0].children]
        assert cards[0].startswith('<b class="sf-warn">✗</b>') and cards[1].startswith('<b class="sf-ok">✓</b>')


def test_the_recall_made_by_a_click_follows_the_page_that_shows_the_game(world):
    import contextvars

    with closing_new_widgets():
        page = contextvars.copy_context()
        game = page.run(lambda: (sf.i18n.use_language("zh"), NamesGame(world, seed=7))[1])
        contextvars.Context().run(game.start_recall)  # a click: another thread's context, English by default
        assert_language(game.texts(), "zh")
        assert game.recall.lang == "zh"


# --- lessons 01-06 -------------------------------------------------------------------------------

def test_a_live_question_is_judged_from_its_own_panel_and_cannot_be_answered_here():
    from simfunnel.widgets.exercise import Live

    state = {"v": None}
    q = Live(("在上面设置。", "Set it above."),
             lambda: (None, ("先设置。", "Set it first.")) if state["v"] is None
             else (state["v"] > 1, ("好。", "Good.") if state["v"] > 1 else ("不够。", "Not enough.")),
             solve=lambda: state.update(v=2))
    with closing_new_widgets():
        ex = Exercise([q, Q_CHOICE], lang="en")
        ex.check()
        assert ex.results[0] is None and "Set it first." in _feedback(ex, 0)
        state["v"] = 0
        ex.check()
        assert ex.results[0] is False and "Not enough." in _feedback(ex, 0)
        ex.solve()
        assert ex.check() == 2 and "Good." in _feedback(ex, 0)
        with pytest.raises(ValueError, match="answered in its own widget"):
            ex.answer(0, 1)


def test_a_percent_is_read_as_typed():
    q = Number(("", ""), 0.30, 0.031, ("", ""), percent=True)
    assert q.correct("30") and q.correct("30%") and q.correct("0.3") and q.correct("３０％") and not q.correct("40")


def test_the_reply_quiz_has_the_four_buttons_and_the_replies_outcomes():
    from simfunnel.model import replies
    from simfunnel.widgets import lesson_exercises

    quiz = replies.replies().set_index("id").loc[["c03", "a19"]]
    with closing_new_widgets():
        ex = lesson_exercises.reply_quiz(quiz, lang="zh")
        assert [q.options[q.answer][1] for q in ex.questions] == ["Continuation", "Advance"]
        assert ex._inputs[0]._options_labels == ("订单", "推进", "延续", "无法成交")
        assert quiz.loc["c03", "zh"] in ex.questions[0].prompt[0]


def test_the_hand_forecast_key_is_the_kit_s_forecast(world, history):
    from simfunnel.widgets import lesson_exercises

    three = history.snapshots.query("week == 13 and status == 'open'").head(3)
    ex = lesson_exercises.hand_forecast(three, history, lang="en")
    assert ex.questions[0].answer == round(float((three.amount * history.win_probability(three)).sum()))
    ex.answer(0, f"{ex.questions[0].answer:,.0f}")
    assert ex.check() == 1
    ex.answer(0, f"{three.amount.sum():,.0f}")  # the pipeline, not the forecast
    assert ex.check() == 0


def test_the_stretch_target_redraws_for_the_slider_and_its_questions_read_it(world):
    from simfunnel.widgets import lesson_exercises

    sim = sf.Simulation(world, seed=2026)
    h = sim.run()
    with closing_new_widgets():
        st = lesson_exercises.StretchTarget(h, sim.chain, 50_000, weeks=range(13, 27), trials=500)
        high = dict(st.chances)
        st.target = 2_000_000
        assert all(st.chances[w] >= high[w] for w in high)  # a lower target is never less likely
        assert "¥2,000,000" in st._label.value
        st.target = 3_500_000
        ex = lesson_exercises.stretch_questions(st.chances, ("350万", "3.5M"), first_week=13, lang="en")
        ex.solve()
        assert ex.check() == 2
        with pytest.raises(ValueError, match="never stays at 80"):
            lesson_exercises.stretch_questions({13: 0.1, 14: 0.9, 15: 0.5}, ("", ""), 13)


def test_the_column_trial_computes_the_brier_of_the_ticked_columns():
    from types import SimpleNamespace

    from simfunnel.widgets import lesson_exercises

    seen = []

    def brier_with(columns):
        seen.append(columns)
        return SimpleNamespace(brier=0.2 + 0.001 * len(columns))

    with closing_new_widgets():
        trial = lesson_exercises.ColumnTrial(brier_with, [("owner", ("销售", "Seller")), ("product", ("产品", "Product"))],
                                             0.201, lang="zh")
        assert trial.run() is None and "先勾选" in trial._result.value
        trial.pick("product")
        trial._button.click()
        assert seen[-1] == ("stage", "product") and "阶段 + 产品" in trial._result.value
        assert_language(trial.texts(), "zh")


# --- the pre/post test ----------------------------------------------------------------------------

def test_the_pre_post_test_is_taken_once_a_phase_and_its_gain_and_misses_are_counted(tmp_path):
    from simfunnel.widgets.knowledge_test import KnowledgeTest, TestControl
    from simfunnel.workshop.errors import StoreError
    from simfunnel.workshop.knowledge import QUESTIONS
    from simfunnel.workshop.store import WorkshopStore

    store = WorkshopStore.init(tmp_path, teams=2, accounts=30)
    with closing_new_widgets():
        ana = KnowledgeTest(store, "team1", "Ana", lang="zh")
        bo = KnowledgeTest(store, "team2", "Bo", lang="en")
        control = TestControl(store, lang="zh")
        assert not shown(ana.root) and "还没有人交卷" in control._table.value
        with pytest.raises(StoreError, match="not open"):
            store.record_test("team1", "Ana", "pre", {})
        control._buttons["open_pre"].click()
        ana.sync(), bo.sync()
        assert shown(ana.root) and ana.exercise is not None and not ana.exercise.reveal
        assert_language(ana.texts(), "zh")
        ana.exercise._pressed()  # nothing answered: not submitted
        assert store.test_taken("team1", "Ana", "pre") is None and "还有 10 题没答" in ana._note.value
        for i, q in enumerate(QUESTIONS):  # Ana: 4 right (the first four), Bo: all right
            ana.exercise.answer(i, q["key"] if i < 4 else (q["key"] + 1) % len(q["options"]))
        ana.exercise._button.click()
        bo.exercise.solve()
        bo.exercise._button.click()
        assert store.test_taken("team1", "Ana", "pre") == 4 and store.test_taken("team2", "Bo", "pre") == 10
        assert "答对 4 / 10 题" in ana._note.value and not any(shown(f) for f in ana.exercise._feedback)
        with pytest.raises(StoreError, match="already took the pre test"):
            store.record_test("team1", "Ana", "pre", {})
        control._buttons["open_post"].click()
        ana.sync()
        assert ana.exercise.reveal and store.test_taken("team1", "Ana", "post") is None
        for i, q in enumerate(QUESTIONS):  # Ana after: 9 right (misses the last question)
            ana.exercise.answer(i, q["key"] if i < 9 else (q["key"] + 1) % len(q["options"]))
        ana.exercise._button.click()
        assert "答对 9 / 10 题（课前 4 / 10）" in ana._note.value and any(shown(f) for f in ana.exercise._feedback)
        gain = store.test_gain().set_index("team")
        assert gain.loc["team1", "gain"] == pytest.approx(0.5) and gain.loc["team1", "both_n"] == 1
        assert gain.loc["team2", "post_n"] == 0 and np.isnan(gain.loc["team2", "gain"])
        assert gain.loc["", "pre"] == pytest.approx(0.7) and gain.loc["", "gain"] == pytest.approx(0.5)
        missed = store.missed_questions("post")
        assert missed.iloc[0]["question"] == QUESTIONS[9]["id"] and missed.iloc[0]["missed"] == 1
        control.refresh()
        assert "+50" in control._table.value and "下面哪一项不是采购5要素之一" in control._table.value
        control._buttons["close"].click()
        ana.sync()
        assert not shown(ana.root) and store.test_phase() is None


def test_a_board_follows_the_open_test_from_its_board_version_without_reading_it_again(tmp_path, monkeypatch):
    """The room's cost (issue 14): the panel has no parts until a test opens, and a board learns the open test
    from the ``board_version`` it reads anyway: ``test_phase`` is never called by a board's clock or refresh."""
    from simfunnel.widgets.workshop import TeamBoard
    from simfunnel.workshop.store import WorkshopStore

    store = WorkshopStore.init(tmp_path, teams=1, accounts=30)
    with closing_new_widgets():
        board = TeamBoard(store, "team1", trainee="Ana", lang="en", poll_seconds=3600)
        assert board.knowledge.root.children == () and not shown(board.knowledge.root)
        monkeypatch.setattr(WorkshopStore, "test_phase", lambda self: pytest.fail("the board read the test again"))
        assert not board.tick() and board.knowledge.root.children == ()
        WorkshopStore.open(tmp_path).open_test("pre")
        assert board.tick() and shown(board.knowledge.root) and board.knowledge.phase == "pre"
        assert "Pre-test (10 questions)" in "\n".join(board.knowledge.texts())
        board.refresh()  # a click's redraw: the open test is unchanged, the panel keeps its answers
        assert board.knowledge.exercise is not None and board.knowledge.phase == "pre"
        WorkshopStore.open(tmp_path).open_test(None)
        assert board.tick() and not shown(board.knowledge.root) and board.knowledge.exercise is None
