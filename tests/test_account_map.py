"""AccountMap driven from code: the org chart it draws, what the seller can see, the guided path,
its actions as DealBoard moves that feed the simulation, languages and bad input; and the DealBoard
with the people layer (people actions, styles previewed and played)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import simfunnel as sf  # noqa: E402
from simfunnel import i18n, plots  # noqa: E402
from simfunnel.model.actions import PEOPLE_ACTIONS_BY_KEY  # noqa: E402
from simfunnel.model.people import PeopleParams
from simfunnel.widgets import AccountMap  # noqa: E402
from simfunnel.widgets.deal_board import DealBoard  # noqa: E402

try:
    from chart_checks import PREVIEW, assert_language, closing_new_widgets, render_clean
except ImportError:  # pragma: no cover - run from the repository root
    from tests.chart_checks import PREVIEW, assert_language, closing_new_widgets, render_clean

SEED = 2026


@pytest.fixture(scope="module")
def world():
    return sf.generate(seed=SEED)


@pytest.fixture(autouse=True)
def _clean():
    lang = i18n.get_language()
    with closing_new_widgets():
        yield
    i18n.set_language(lang)


def board_of(world, lang="en", **kw) -> DealBoard:
    return DealBoard(sf.Simulation(world, seed=SEED, people=PeopleParams(**kw)), lang=lang)


def contacts_of(world, account_id):
    c = world.contacts
    return c[c["account_id"] == account_id]


def open_at_start(world, account_id, stages=None):
    d = world.deals
    hit = d[(d["account_id"] == account_id) & (d["created_week"] <= 0)]
    if stages is not None:
        hit = hit[hit["stage"].astype(str).isin(stages)]
    return hit.sort_values("amount", ascending=False)["deal_id"].tolist()


def account_where(world, *, coach: bool, gatekeeper: bool | None = None, stages=("need", "approved")):
    """The first account (by id) with or without a coach, with an open deal at one of ``stages`` at week 0."""
    c = world.contacts
    with_coach = set(c.loc[c["coach"], "account_id"])
    with_gk = set(c.loc[c["buying_role"].astype(str).str.endswith("gatekeeper"), "account_id"])
    for acc in world.accounts["account_id"]:
        if (acc in with_coach) != coach or (gatekeeper is not None and (acc in with_gk) != gatekeeper):
            continue
        if open_at_start(world, acc, stages):
            return int(acc)
    raise AssertionError("the workshop world has no such account")


def figure_texts(amap) -> list[str]:
    return [t.get_text() for t in amap.figure.findobj(matplotlib.text.Text) if t.get_text().strip()]


def fitting_deal(amap, action):
    """An open deal of the shown account where ``action`` fits and nothing is planned this week."""
    planned = {m.deal_id for m in amap.board.pending}
    for deal in amap.open_deals():
        stage = amap.funnel.all_keys[int(amap.sim.stage_codes()[amap._deal_index.get_loc(deal)])]
        if deal not in planned and action in [a.key for a in amap.board.fitting_actions(stage)]:
            return deal
    return None


# --- the org chart ------------------------------------------------------------------------------
def test_chart_draws_every_contact_by_level_and_function(world):
    acc = account_where(world, coach=True)
    amap = AccountMap(board_of(world), account_id=acc, lang="en")
    people = contacts_of(world, acc)
    texts = figure_texts(amap)
    for name in people["name_en"].astype(str):
        assert name in texts
    for level in ("Decision", "Management", "Operational"):
        assert level in texts
    names = {"management": "General management", "procurement": "Procurement", "finance": "Finance",
             "it": "IT & engineering", "operations": "Operations", "business": "Business unit"}
    present = set(people["function"].astype(str))
    for key, label in names.items():
        assert (label in texts) == (key in present)
    # nothing known yet: every role and type is a question mark, nobody is met, no coach is marked
    assert texts.count("role ?") == len(people) and texts.count("style ?") == len(people)
    assert "★ coach" not in texts and not any(t.startswith("✓ wk") for t in texts)
    assert all(plots.brain_label(b, "en") in texts for b in "ABCD")  # the colour legend
    account = world.accounts.set_index("account_id").loc[acc]
    assert str(account["name_en"]) in texts
    assert amap.people["role"].isna().all() and not amap.people["met"].any()


def test_reveal_shows_roles_types_and_coach(world):
    acc = account_where(world, coach=True)
    amap = AccountMap(board_of(world), account_id=acc, lang="en", reveal=True)
    people = contacts_of(world, acc)
    texts = figure_texts(amap)
    assert "role ?" not in texts and "style ?" not in texts
    animals = {"decision_maker": "eagle", "user": "sheep", "technical_gatekeeper": "donkey",
               "financial_gatekeeper": "donkey", "purchaser": "fox"}
    for role in people["buying_role"].astype(str):
        assert animals[role] in texts
    assert texts.count("★ coach") == int(people["coach"].sum()) == 1
    assert "Trainer's view" in " ".join(amap.texts())
    amap.reveal = False
    assert "★ coach" not in figure_texts(amap)


# --- meeting people: from the next week -------------------------------------------------------------
def test_find_coach_is_a_board_move_and_marks_the_coach_after_the_week(world):
    acc = account_where(world, coach=True)
    board = board_of(world)
    amap = AccountMap(board, account_id=acc, lang="en")
    people = contacts_of(world, acc)
    coach = int(people.loc[people["coach"], "contact_id"].iloc[0])
    deal = fitting_deal(amap, "find_coach")
    amap.select_deal(deal)
    assert amap.step == 1
    move = amap.find_coach()
    assert [(m.deal_id, m.action) for m in board.pending] == [(deal, "find_coach")]
    assert move is board.pending[0] and move.reply.text("en")
    assert "Find a coach" in " ".join(board.texts())  # the board's "this week's actions"
    assert f"Planned this week: #{deal} · Find a coach" in " ".join(amap.texts())
    # planned, not played: nobody is met yet and the chart is unchanged
    assert not board.sim.coverage.met and "★ coach" not in figure_texts(amap)
    events = amap.next_week()
    row = events[events["deal_id"] == deal].iloc[0]
    assert row["action"] == "find_coach" and row["outcome"] == move.outcome
    assert coach in board.sim.coverage.met
    texts = figure_texts(amap)
    assert "★ coach" in texts and "✓ wk 1" in texts
    shown = amap.people.set_index("contact_id")
    # the coach tells every role; a whole-brain type only shows for the one met
    assert shown["role"].notna().all()
    assert shown["brain_type"].notna().sum() == 1 and shown.loc[coach, "brain_type"] is not None
    assert shown.loc[coach, "met"] and shown.loc[coach, "met_week"] == 1 and shown.loc[coach, "coach"]
    assert amap.step == 2 and amap.steps[0].done
    assert "Coach: " in " ".join(amap.texts())


def test_a_try_in_an_account_without_a_coach_passes_step_one(world):
    acc = account_where(world, coach=False)
    amap = AccountMap(board_of(world), account_id=acc, lang="en")
    amap.select_deal(fitting_deal(amap, "find_coach"))
    amap.find_coach()
    amap.next_week()
    assert not amap.sim.coverage.met  # nobody to meet
    assert amap.steps[0].done and amap.step == 2
    text = " ".join(amap.texts())
    assert "nobody in this account will be your coach" in text
    assert "This account has no coach: judge from what you have seen yourself." in text
    assert amap.people["coach"].eq(False).all()  # now known: nobody is


def test_guided_path_in_the_course_order(world):
    acc = account_where(world, coach=True, gatekeeper=True)
    board = board_of(world)
    amap = AccountMap(board, account_id=acc, lang="en")
    assert [s.key for s in amap.steps] == ["find_coach", "gather_information", "analyse_organisation",
                                          "judge_opportunity"]

    def current_box():
        return [k for k, box in amap._step_box.items() if "sf-step-current" in box._dom_classes]

    assert amap.step == 1 and current_box() == [1]
    assert "Find a coach first" in " ".join(amap.texts())
    amap.find_coach(deal_id=fitting_deal(amap, "find_coach"))
    amap.next_week()
    assert amap.step == 2 and current_box() == [2]
    assert "1. Find a coach ✓ done" in " ".join(amap.texts())
    # step 4 now has the coach's report: the coming week's true chances of each open deal
    report = board.sim.coach_report(acc)
    text = " ".join(amap.texts())
    assert "The coach's report (week 1)" in text
    first = report.sort_values("amount", ascending=False).iloc[0]
    assert f"#{first['deal_id']}" in text and f"{first['advance_chance']:.0%}" in text
    roles = contacts_of(world, acc)["buying_role"].astype(str)
    gk = "technical_gatekeeper" if (roles == "technical_gatekeeper").any() else "financial_gatekeeper"
    for role in ("decision_maker", gk):
        for _ in range(12):  # play weeks until a deal of the account sits where the meeting fits
            deal = fitting_deal(amap, f"meet_{role}")
            if deal is not None:
                break
            amap.next_week()
        amap.meet(role, deal_id=deal)
    amap.next_week()
    assert amap.step == 3 and current_box() == [3] and all(s.done for s in amap.steps[:2])
    dm = int(contacts_of(world, acc).query("buying_role == 'decision_maker'")["contact_id"].iloc[0])
    brain = str(contacts_of(world, acc).set_index("contact_id").loc[dm, "brain_type"])
    assert amap.people.set_index("contact_id").loc[dm, "brain_type"] == brain  # met: the type shows
    assert plots.brain_label(brain, "en") in " ".join(amap.texts())  # "Audience …: A analytical · data & ROI"
    for _ in range(20):
        deal = fitting_deal(amap, "arrange_demo") or fitting_deal(amap, "propose_trial")
        if deal is not None:
            break
        amap.next_week()
    move = amap.present_value(brain, audience=dm, deal_id=deal)
    assert move.style == (brain, dm)
    assert amap.step == 3  # planned, not played
    amap.next_week()
    assert amap.step == 4 and current_box() == [4] and all(s.done for s in amap.steps[:3])
    assert "Value presented in a style" in " ".join(amap.texts())


# --- actions feed the simulation ------------------------------------------------------------------
def _deal_where_style_decides(world):
    """A deal at the present-value stage at week 0 whose coming week advances with the audience's own
    style and not with another one (common random numbers make this a fixed fact of the seed)."""
    board = board_of(world)
    sim = board.sim
    c = world.contacts
    d = world.deals
    for _, deal in d[(d["created_week"] <= 0) & (d["stage"].astype(str) == "evaluation")].iterrows():
        dms = c[(c["account_id"] == deal["account_id"]) & (c["buying_role"].astype(str) == "decision_maker")]
        if dms.empty:
            continue
        dm = int(dms["contact_id"].iloc[0])
        brain = str(dms["brain_type"].iloc[0])
        other = next(b for b in "ABCD" if b != brain)
        deal_id = int(deal["deal_id"])
        good = sim.preview({deal_id: "arrange_demo"}, {deal_id: (brain, dm)})["outcome"].iloc[0]
        bad = sim.preview({deal_id: "arrange_demo"}, {deal_id: (other, dm)})["outcome"].iloc[0]
        if good == "advance" and bad == "continuation":
            return int(deal["account_id"]), deal_id, dm, brain, other
    raise AssertionError("no deal in the workshop world where the style decides the coming week")


def test_style_reaches_the_board_move_and_the_simulation(world):
    acc, deal, dm, brain, other = _deal_where_style_decides(world)
    outcomes = {}
    for style in (brain, other):
        board = board_of(world)
        amap = AccountMap(board, account_id=acc, lang="en")
        move = amap.present_value(style, action="arrange_demo", audience=dm, deal_id=deal)
        assert board.pending == [move] and move.style == (style, dm)
        assert f"style {style}" in " ".join(board.texts()) and f"style {style}" in " ".join(amap.texts())
        events = board.next_week()
        row = events[events["deal_id"] == deal].iloc[0]
        assert row["action"] == "arrange_demo" and row["response"] == move.outcome  # preview = step
        outcomes[style] = row["outcome"]
    assert outcomes == {brain: "advance", other: "continuation"}


def test_meetings_count_from_the_next_week_and_survive_undo(world):
    acc = account_where(world, coach=True)
    board = board_of(world)
    amap = AccountMap(board, account_id=acc, lang="en")
    amap.find_coach(deal_id=fitting_deal(amap, "find_coach"))
    assert not board.sim.coverage.met
    board.next_week()  # the board's button: the map follows
    met = set(board.sim.coverage.met)
    assert met and "★ coach" in figure_texts(amap) and amap.step == 2
    board.next_week()
    board.undo()  # back to week 1 by replay: the meeting of week 1 is kept
    assert board.sim.week == 1 and set(board.sim.coverage.met) == met and "★ coach" in figure_texts(amap)
    board.undo()  # back to week 0: the move is planned again, the coach no longer met
    assert board.sim.week == 0 and not board.sim.coverage.met
    assert "★ coach" not in figure_texts(amap) and amap.step == 1
    board.reset()
    assert amap.sim is board.sim and not amap.sim.coverage.met and amap.board.moves == []


def test_map_over_a_bare_simulation_has_its_own_board_and_quiz(world):
    acc = account_where(world, coach=True)
    sim = sf.Simulation(world, seed=SEED, people=PeopleParams())
    amap = AccountMap(sim, account_id=acc, lang="en")
    assert amap.owns_board and amap.board.sim is sim
    move = amap.find_coach(deal_id=fitting_deal(amap, "find_coach"))
    assert amap._quiz_row.layout.display is None  # the reply waits for a verdict
    assert move.reply.text("en") in " ".join(amap.texts())
    correct = amap.classify(move.outcome)
    assert correct and move.revealed and amap.board.score == (1, 1)
    assert amap._quiz_row.layout.display == "none"
    amap.next_week()
    assert sim.week == 1 and sim.coverage.met


def test_account_picker_lists_accounts_with_open_deals(world):
    board = board_of(world)
    amap = AccountMap(board, lang="en")
    options = amap._account_dd.options
    d = world.deals
    with_open = set(d.loc[d["created_week"] <= 0, "account_id"])
    assert {v for _, v in options} == with_open
    names = world.accounts.set_index("account_id")
    label, acc = options[0]
    assert label.startswith(str(names.loc[acc, "name_en"]))
    segment = {"defend": "Defend", "attack": "Attack", "maintain": "Maintain", "monitor": "Monitor"}
    assert segment[str(names.loc[acc, "segment"])] in label
    other = options[3][1]
    amap._account_dd.value = other  # what a click does
    assert amap.account_id == other and str(names.loc[other, "name_en"]) in figure_texts(amap)
    assert {v for _, v in amap._deal_dd.options} == set(amap.open_deals())


def test_collective_decision_shown_for_large_state_owned_deals(world):
    d = world.deals
    so = set(world.accounts.loc[world.accounts["ownership"].astype(str) == "state_owned", "account_id"])
    big = d[(d["created_week"] <= 0) & (d["amount"] > 500_000) & d["account_id"].isin(so)]
    acc = int(big["account_id"].iloc[0])
    amap = AccountMap(board_of(world), account_id=acc, lang="en")
    text = " ".join(amap.texts())
    assert "Collective decision: at a state-owned account, deals above ¥500k need at least 2" in text
    assert "decision-level contacts met (0 met)" in text
    zh = AccountMap(board_of(world), account_id=acc, lang="zh")
    assert "三重一大" in " ".join(zh.texts())


# --- languages ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_language_everywhere_and_clean_glyphs(world, lang, caplog):
    acc = account_where(world, coach=True)
    amap = AccountMap(board_of(world, lang=lang), account_id=acc, lang=lang)
    amap.find_coach(deal_id=fitting_deal(amap, "find_coach"))
    amap.next_week()
    deal = fitting_deal(amap, "meet_decision_maker")
    if deal is not None:
        amap.meet("decision_maker", deal_id=deal)
    texts = amap.texts()
    assert_language(texts, lang)
    fig = amap.figure
    if lang == "zh":
        assert "★ 向导" in figure_texts(amap) and any(t in figure_texts(amap) for t in ("鹰", "羊", "驴", "狐"))
    render_clean(fig, PREVIEW / f"account_map_{lang}.png", caplog)


def test_set_language_switches_everything(world):
    amap = AccountMap(board_of(world), account_id=account_where(world, coach=True))
    try:
        i18n.set_language("zh")
        assert_language(amap.texts(), "zh")
        amap.set_language("en")
        assert_language(amap.texts(), "en")
        amap.set_language("zh")
        assert "决策层" in figure_texts(amap) and "Decision" not in figure_texts(amap)
    finally:
        i18n.set_language("en")


# --- bad input ----------------------------------------------------------------------------------
def test_bad_input_is_refused_clearly(world):
    with pytest.raises(ValueError, match="people layer"):
        AccountMap(sf.Simulation(world, seed=SEED))
    with pytest.raises(ValueError, match="people layer"):
        AccountMap(DealBoard(sf.Simulation(world, seed=SEED)))
    with pytest.raises(ValueError, match="Expected a DealBoard or a Simulation, got str"):
        AccountMap("board")
    board = board_of(world)
    with pytest.raises(ValueError, match="There is no account 99999"):
        AccountMap(board, account_id=99_999)
    d = world.deals
    idle = min(set(world.accounts["account_id"]) - set(d.loc[d["created_week"] <= 0, "account_id"]))
    with pytest.raises(ValueError, match=f"Account {idle} has no open deal at week 0"):
        AccountMap(board, account_id=idle)
    acc = account_where(world, coach=True)
    amap = AccountMap(board, account_id=acc, lang="en")
    with pytest.raises(ValueError, match="There is no deal 10000000"):
        amap.select_deal(10_000_000)
    foreign = int(d.loc[(d["account_id"] != acc) & (d["created_week"] <= 0), "deal_id"].iloc[0])
    with pytest.raises(ValueError, match="belongs to account"):
        amap.select_deal(foreign)
    later = int(d.loc[(d["account_id"] == acc) & (d["created_week"] > 3), "deal_id"].iloc[0])
    with pytest.raises(ValueError, match="only appears in week"):
        amap.select_deal(later)
    with pytest.raises(ValueError, match="A style applies to present-value actions only, not to 'find_coach'"):
        amap.act("find_coach", style="A", deal_id=fitting_deal(amap, "find_coach"))
    with pytest.raises(ValueError, match="Unknown role 'boss'"):
        amap.meet("boss")
    with pytest.raises(ValueError, match="Choose a style"):
        amap.present_value(None)
    with pytest.raises(ValueError, match="not a present-value action"):
        amap.present_value("A", action="find_coach")
    shown = AccountMap(board, account_id=account_where(world, coach=True, stages=("evaluation",)), lang="en")
    with pytest.raises(ValueError, match="unknown style 'E'"):
        shown.present_value("E", action="arrange_demo", deal_id=fitting_deal(shown, "arrange_demo"))
    other = int(world.contacts.loc[world.contacts["account_id"] != acc, "contact_id"].iloc[0])
    with pytest.raises(ValueError, match="not a contact of account"):
        amap.present_value("A", audience=other)
    with pytest.raises(ValueError, match="An audience needs a style"):
        amap.act("arrange_demo", audience=other)
    assert board.pending == []  # nothing refused was planned
    # a deal that closes: the map moves to another open deal and refuses the closed one
    for _ in range(30):
        board.next_week()
        closed = [x for x in open_at_start(world, acc) if board.sim.stage_codes()[amap._deal_index.get_loc(x)] >= 5]
        if closed:
            break
    with pytest.raises(ValueError, match=f"Deal {closed[0]} is closed"):
        amap.select_deal(closed[0])
    assert amap.deal_id != closed[0]


def test_refusals_show_in_the_maps_language(world):
    amap = AccountMap(board_of(world, lang="zh"), account_id=account_where(world, coach=True), lang="zh")
    amap._ui(lambda: amap.meet("boss"))
    assert "没有这个角色" in amap._message.value
    amap._ui(lambda: amap.act("find_coach", style="A", deal_id=fitting_deal(amap, "find_coach")))
    assert "只有呈现价值的行动才能指定风格" in amap._message.value  # the board's refusal, in Chinese
    assert_language(amap.texts(), "zh")


# --- the DealBoard with people --------------------------------------------------------------------
def test_board_with_people_offers_meetings_and_plays_styles(world):
    board = board_of(world)
    plain = DealBoard(sf.Simulation(world, seed=SEED), lang="en")
    d = world.deals
    need = int(d.loc[(d["created_week"] <= 0) & (d["stage"].astype(str) == "need"), "deal_id"].iloc[0])
    for b in (board, plain):
        b.select(need)
    offered = {v for _, v in board._action.options}
    assert {"meet_technical_gatekeeper", "meet_financial_gatekeeper"} <= offered
    assert not offered & set(PEOPLE_ACTIONS_BY_KEY) - {"meet_technical_gatekeeper", "meet_financial_gatekeeper"}
    assert not {v for _, v in plain._action.options} & set(PEOPLE_ACTIONS_BY_KEY)
    with pytest.raises(ValueError, match="needs the people layer"):
        plain.act(need, "meet_technical_gatekeeper")
    evaluation = d.loc[(d["created_week"] <= 0) & (d["stage"].astype(str) == "evaluation"), "deal_id"]
    with pytest.raises(ValueError, match="A style needs the people layer"):
        plain.act(int(evaluation.iloc[0]), "arrange_demo", style="A")
    # the style list shows for a present-value action only
    board.select(int(evaluation.iloc[0]))
    board._action.value = "arrange_demo"
    assert board._style.layout.display is None and [v for _, v in board._style.options] == ["", *"ABCD"]
    board._action.value = "meet_technical_gatekeeper"
    assert board._style.layout.display == "none"
    # styled moves: previewed = played, and the style is kept on the move
    moves = [board.act(int(x), "arrange_demo", style="ABCD"[i % 4]) for i, x in enumerate(evaluation.iloc[:8])]
    moves.append(board.act(need, "meet_technical_gatekeeper"))
    assert [m.style for m in moves[:4]] == ["A", "B", "C", "D"] and moves[-1].style is None
    assert "style=" in repr(moves[0])
    events = board.next_week().set_index("deal_id")
    assert all(events.loc[m.deal_id, "response"] == m.outcome for m in moves)  # the customer's response
    assert all(events.loc[m.deal_id, "action"] == m.action for m in moves)
    gatekeepers = contacts_of(world, int(d.set_index("deal_id").loc[need, "account_id"]))
    tech = set(gatekeepers.loc[gatekeepers["buying_role"].astype(str) == "technical_gatekeeper", "contact_id"])
    assert tech <= set(board.sim.coverage.met)
    # undo the week and play it again: the same outcomes (replay keeps the styles)
    board.undo()
    assert board.sim.week == 0
    again = [board.act(m.deal_id, m.action, style=m.style) for m in moves]
    assert [m.outcome for m in again] == [m.outcome for m in moves]


def test_default_board_is_unchanged_by_the_people_support(world):
    board = DealBoard(sf.Simulation(world, seed=SEED), lang="en")
    reference = sf.Simulation(world, seed=SEED)
    d = world.deals
    deal = int(d.loc[(d["created_week"] <= 0) & (d["stage"].astype(str) == "evaluation"), "deal_id"].iloc[0])
    move = board.act(deal, "arrange_demo")
    assert move.style is None and "style" not in repr(move)
    events = board.next_week()
    expected = reference.step({deal: "arrange_demo"})
    assert events.equals(expected)
    assert board._style.layout.display == "none"


def test_select_account_redraws_quickly(world):
    """Not a timed test: the redraw reuses one figure and skips an unchanged chart."""
    amap = AccountMap(board_of(world), lang="en")
    png = amap.chart_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    key = amap._chart_key
    amap.refresh()
    assert amap._chart_key == key and amap.chart_png() == png  # nothing changed: the same image
    width, height = plots.org_chart_size(amap.contacts)
    assert tuple(np.round(amap.figure.get_size_inches(), 6)) == (round(width, 6), round(height, 6))


def test_the_controls_do_what_the_methods_do(world):
    """What a click does: buttons and lists call the same verbs, refusals show as messages."""
    acc, deal, dm, brain, _other = _deal_where_style_decides(world)
    board = board_of(world)
    amap = AccountMap(board, account_id=acc, lang="en")
    amap._deal_dd.value = deal
    assert amap.deal_id == deal
    assert amap._buttons["find_coach"].disabled  # does not fit the evaluation stage …
    assert "fits at Need identified, Project approved" in amap._buttons["find_coach"].tooltip  # … and says where
    amap._pv_dd.value = "arrange_demo"
    amap._btn_present.click()  # no style chosen yet
    assert "Choose a style" in amap._message.value and board.pending == []
    amap._style_dd.value = brain
    amap._audience_dd.value = dm
    amap._btn_present.click()
    assert amap._message.value == ""
    [move] = board.pending
    assert (move.deal_id, move.action, move.style) == (deal, "arrange_demo", (brain, dm))
    assert amap._btn_present.disabled and "already has an action this week" in amap._path_title.value
    amap._quiz_buttons[move.outcome].click()
    assert move.revealed and move.correct
    amap._btn_next.click()
    assert board.sim.week == 1 and board.moves[0].week == 1


def test_default_account_lets_every_guided_step_be_played(world):
    board = board_of(world)
    amap = AccountMap(board)
    assert contacts_of(world, amap.account_id)["coach"].any()
    deals = {a: amap.deal_for(a) for a in ("find_coach", "meet_decision_maker", "arrange_demo")}
    assert all(d is not None for d in deals.values()), deals
    codes = board.sim.stage_codes()
    for action, deal in deals.items():  # each found deal is of the account, open, and the action fits its stage
        pos = board._pos(deal)
        stage = board.funnel.all_keys[int(codes[pos])]
        assert deal in amap.open_deals() and action in {a.key for a in board.fitting_actions(stage)}
    amap.find_coach(deal_id=deals["find_coach"])
    assert amap.deal_for("find_coach") != deals["find_coach"]  # a deal with a move this week is skipped
    assert amap.deal_for("propose_trial", account_id=amap.account_id) in (None, *amap.open_deals())
    with pytest.raises(ValueError, match="Unknown action 'fly'"):
        amap.deal_for("fly")


def test_a_coach_who_leaves_is_no_longer_shown_as_met_and_the_map_keeps_working(world):
    """A coach_leaves market event in the shown account: the map redraws (it used to raise from the
    coach report), step 1 is current again, the roles the coach told stay known, a new coach counts."""
    import pandas as pd

    from simfunnel.model.events import MarketEvent, apply_events

    acc = account_where(world, coach=True)
    world2, effects = apply_events(world, [MarketEvent("coach_leaves", 3, params={"accounts": [acc]})])
    board = DealBoard(sf.Simulation(world2, seed=SEED, people=PeopleParams(), effects=effects), lang="en")
    amap = AccountMap(board, account_id=acc, lang="en")
    people = contacts_of(world, acc)
    coach = int(people.loc[people["coach"], "contact_id"].iloc[0])
    amap.find_coach(deal_id=fitting_deal(amap, "find_coach"))
    amap.next_week()
    amap.next_week()
    assert amap.step == 2 and amap.people.set_index("contact_id").loc[coach, "met"]
    assert "The coach's report" in " ".join(amap.texts())
    amap.next_week()  # week 3: the coach leaves
    shown = amap.people.set_index("contact_id")
    assert not amap.sim.coverage.coach_met(acc)
    assert not shown.loc[coach, "met"] and pd.isna(shown.loc[coach, "met_week"])
    assert shown["role"].notna().all()  # what the coach told is still known
    assert amap.step == 1 and not amap.steps[0].done
    text = " ".join(amap.texts())
    assert "The coach left in week 3" in text and "Find a coach first" in text
    amap.find_coach(deal_id=fitting_deal(amap, "find_coach"))  # a new try: met again from the week played
    amap.next_week()
    assert amap.people.set_index("contact_id").loc[coach, "met_week"] == 4 and amap.steps[0].done
    assert "met in week 4" in " ".join(amap.texts())
    board.undo()
    assert amap.sim.coverage.met == board.sim.coverage.met and "Account map" in " ".join(amap.texts())
