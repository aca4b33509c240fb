"""The trainer's DebriefPanel driven from code: timeline, round chart, what-if branches from the form, the handout."""

import html
from html.parser import HTMLParser

import matplotlib
import pytest

matplotlib.use("Agg")

from simfunnel.workshop import debrief  # noqa: E402
from simfunnel.workshop.store import WorkshopStore, play_demo_round  # noqa: E402
from simfunnel.widgets import DebriefPanel  # noqa: E402

from chart_checks import assert_language, closing_new_widgets, render_clean  # noqa: E402


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """Practice (reset), three rounds of 3 weeks, a price cut in round 2, team gold late in round 2."""
    store = WorkshopStore.init(tmp_path_factory.mktemp("w"), teams=["red", "blue", "gold"], seed=2026,
                               same_world=True, accounts=80, weeks_per_round=3)
    store.open_round(practice=True)
    play_demo_round(store, seed=1)
    store.close_round()
    store.reset_practice()
    for r in (1, 2, 3):
        if r == 2:
            store.add_event("price_cut")
        store.open_round(timer_minutes=10)
        play_demo_round(store, seed=r, late=["gold"] if r == 2 else [])
        store.close_round()
    return store


def test_timeline_and_rounds_follow_the_team(played):
    with closing_new_widgets():
        panel = DebriefPanel(played, lang="en")
        assert panel.team == "red"
        for text in debrief.timeline(played, "red", "en")["text"]:
            assert html.escape(text) in panel.timeline_html.value
        panel.show_team("gold")
        assert panel.team_select.value == "gold"
        assert "the default decision" in panel.timeline_html.value  # gold was late in round 2
        assert "Market event" in panel.timeline_html.value
        assert [o[1] for o in panel.round_select.options] == [1, 2, 3]
        # the round chart: one line per team
        lines = [ln for ax in panel.figures["rounds"].axes for ln in ax.get_lines() if ln.get_label() in played.teams]
        assert {ln.get_label() for ln in lines} == set(played.teams)
        with pytest.raises(ValueError, match="unknown team"):
            panel.show_team("nobody")


def test_what_if_from_the_form_equals_debrief_branch(played):
    with closing_new_widgets():
        panel = DebriefPanel(played, lang="en")
        panel.round_select.value = 2
        moves = [v for _, v in panel.deal_select.options if v]
        assert moves, "red made moves in round 2"
        panel.deal_select.value = moves[0]
        panel.action_select.value = "__none__"  # what if we had not acted on it?
        panel.replay_button.click()
        b = panel.branch
        expected = debrief.branch(played, "red", 2, {moves[0]: None})
        assert b.changes == {moves[0]: None} and b.change_week == expected.change_week
        assert b.branched.equals(expected.branched)
        assert f"deal {moves[0]}" in panel.branch_html.value and "Original" in panel.branch_html.value
        # no change: the original to the cent
        panel.action_select.value = ""
        panel.replay_button.click()
        assert panel.branch.original.equals(panel.branch.branched)
        # a threshold from round 2 on
        panel.threshold_change.value = True
        panel.threshold_field.value = 100_000
        panel.replay_button.click()
        assert panel.branch.threshold == 100_000 and len(panel.branches) == 3
        # a bad change is shown, not raised, from the form
        panel.threshold_change.value = False
        panel.deal_select.value = 0
        panel.deal_other.value = 999_999
        panel.action_select.value = "arrange_demo"
        panel.replay_button.click()
        assert "Not done" in panel.note.value and len(panel.branches) == 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_what_if_refusals_from_the_form_are_in_the_panels_language(played, lang):
    """A deal id typed in, "no action" on a deal without a move, a deal created later, a negative threshold."""
    deals = played.world("red").deals
    later = int(deals.loc[deals.created_week > played.end_week - 2, "deal_id"].iloc[0])
    moved = set(played.moves("red").deal_id)
    unmoved = int(next(d for d in deals.deal_id if d not in moved))
    with closing_new_widgets():
        panel = DebriefPanel(played, lang=lang)
        panel.round_select.value = 2
        panel.deal_select.value = 0
        notes = []
        for deal, action, threshold in ((999_999, "arrange_demo", None), (unmoved, "__none__", None),
                                        (later, "needs_interview", None), (0, "", -5.0)):
            panel.deal_other.value = deal
            panel.action_select.value = action
            panel.threshold_change.value = threshold is not None
            panel.threshold_field.value = -5.0 if threshold is not None else 50_000.0
            panel.replay_button.click()
            notes.append(panel.note.value)
        assert len(panel.branches) == 0
        for note in notes:
            assert "sf-warn" in note
            text = html.unescape(note).replace("sf-warn", "").replace("span", "").replace("class", "")
            assert_language([text.replace("red", "")], lang)
        if lang == "en":  # the messages as before
            assert "changes: deal 999999 is not in team red's world" in html.unescape(notes[0])
            assert f"changes: deal {unmoved} has no move in week 17 (round 2) to remove" in notes[1]
            assert f"changes: deal {later} in week 17: the deal is created in week" in notes[2]
            assert "threshold must be an amount ≥ 0, got -5.0" in notes[3]
        with pytest.raises(ValueError, match="is not in team red's world") as info:
            debrief.branch(played, "red", 2, {999_999: "arrange_demo"})
        assert "999999" in info.value.zh


def test_the_handout_has_the_branches_and_a_download_link(played):
    with closing_new_widgets():
        panel = DebriefPanel(played, lang="zh")
        panel.what_if("blue", 1)
        path = panel.write_report("zh")
        assert path.parent == played.path.parent / "exports" and path.suffix == ".html"
        assert "data:text/html;base64," in panel.note.value

        class Images(HTMLParser):
            count = 0

            def handle_starttag(self, tag, attrs):
                if tag == "img" and dict(attrs).get("src", "").startswith("data:image/png;base64,"):
                    Images.count += 1

        Images().feed(path.read_text("utf-8"))
        assert Images.count >= 3  # team bars, rounds, the branch


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_language(played, lang, tmp_path, caplog):
    with closing_new_widgets():
        panel = DebriefPanel(played, lang=lang)
        panel.what_if("red", 1)
        texts = [t for t in panel.texts() if t not in ("中文", "English")]
        joined = " ".join(texts)
        for team in played.teams:
            joined = joined.replace(team, "")
        assert_language([joined], lang)
        for name, fig in panel.figures.items():
            render_clean(fig, tmp_path / f"{name}_{lang}.png", caplog)


def test_bad_store():
    with pytest.raises(ValueError, match="WorkshopStore"):
        DebriefPanel("W")


def test_a_people_action_is_named_in_the_panels_language(tmp_path):
    """With the people layer a move may be a people action (meet a gatekeeper …): the what-if form names it
    in zh or en, not by its key."""
    from simfunnel.model.actions import PEOPLE_ACTIONS_BY_KEY, people_actions_for

    store = WorkshopStore.init(tmp_path / "w", teams=["red"], seed=11, accounts=40, people=True)
    sim = store.simulation("red")
    deals = sim.history.deals
    deal, key = next((int(d), acts[0].key) for d, s in zip(deals.deal_id, deals.stage.astype(str))
                     if str(deals.set_index("deal_id").status[d]) == "open" and (acts := people_actions_for(sim.funnel, s)))
    store.record_move("red", 14, deal, key)
    store.close_week("red", 14)
    with closing_new_widgets():
        for lang in ("zh", "en"):
            panel = DebriefPanel(store, lang=lang)
            label = next(text for text, value in panel.deal_select.options if value == deal)
            assert label == f"#{deal} {PEOPLE_ACTIONS_BY_KEY[key].label(lang)}" and key not in label


# --- the panel stays current (issue 12, point 6) ----------------------------------------------------------------
def test_the_panel_follows_rounds_as_they_close_and_offers_only_fitting_what_ifs(tmp_path):
    from simfunnel.workshop.whatif import fitting_actions

    store = WorkshopStore.init(tmp_path / "w", teams=2, seed=7, same_world=True, accounts=60, weeks_per_round=2)
    with closing_new_widgets():
        panel = DebriefPanel(store, lang="zh")
        assert panel.auto.value  # its clock runs: the trainer does not have to press anything
        assert list(panel.round_select.options) == [] and set(panel.rounds_table["kind"]) == {"start"}
        for r in (1, 2):
            store.open_round(timer_minutes=10)
            play_demo_round(store, seed=r)
            store.close_round()
            panel.follow_store()  # what the clock does every few seconds
            assert [v for _, v in panel.round_select.options] == list(range(1, r + 1))
            assert sorted(panel.rounds_table["round"].unique())[-1] == r
        chart_labels = [t.get_text() for ax in panel.figures["rounds"].axes for t in ax.get_xticklabels()]
        assert not [x for x in chart_labels if x.strip() in ("-0", "−0")]
        # every listed move of round 2 offers only the actions that fit its deal when the round began
        first = int(store.rounds().query("number == 2")["first_week"].iloc[0])
        panel.round_select.value = 2
        listed = [v for _, v in panel.deal_select.options if v]
        assert listed
        for deal in listed:
            panel.deal_select.value = deal
            offered = [v for _, v in panel.action_select.options if v not in ("", "__none__")]
            assert offered == fitting_actions(store, panel.team, first, deal) and offered


def test_what_ifs_made_in_the_panel_are_saved_and_in_every_handout(played, tmp_path):
    from simfunnel import cli

    before = len(played.saved_branches())
    with closing_new_widgets():
        panel = DebriefPanel(played, lang="en")
        panel.round_select.value = 2
        deal = [v for _, v in panel.deal_select.options if v][0]
        panel.deal_select.value = deal
        panel.action_select.value = "__none__"
        panel.threshold_change.value = True
        panel.threshold_field.value = 12_345  # a branch no other test made
        panel.replay_button.click()
    saved = played.saved_branches()
    assert len(saved) == before + 1 and saved.iloc[-1]["changes"] == {deal: None}
    assert int(saved.iloc[-1]["round"]) == 2 and saved.iloc[-1]["threshold"] == 12_345
    # the CLI's handout (another process would read the same file) shows it
    out = tmp_path / "debrief.html"
    assert cli.main(["workshop", "report", "--dir", str(played.path.parent), "--out", str(out)]) == 0
    assert f"deal {deal}" in out.read_text("utf-8")
    assert [(b.changes, b.threshold) for b in debrief.saved_branches(played)][-1] == ({deal: None}, 12_345)
