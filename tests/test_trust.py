"""Trust that pays later (issue 13): relationship work mixed with advance actions, against either alone.

The comparison on the workshop world is the one notebook 02 shows: trust first, then advance, beats advance
actions alone on new accounts, and relationship actions alone lose to both — paired over 40 seeds, with 95 %
intervals above 0.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from simfunnel import plots  # noqa: E402
from simfunnel.analysis.trust import STRATEGIES, compare_trust, play_strategy  # noqa: E402
from simfunnel.model.generate import generate  # noqa: E402

from chart_checks import assert_language, render_clean  # noqa: E402


@pytest.fixture(scope="module")
def workshop_world():
    return generate(seed=2026)


def test_trust_first_beats_advance_alone_and_relationship_alone_loses_on_new_accounts(workshop_world):
    result = compare_trust(workshop_world, seeds=range(1, 41), weeks=26, actions_per_week=6)
    d = result.differences
    assert d.loc["mix − advance_only", "low"] > 0
    assert d.loc["advance_only − relationship_only", "low"] > 0 and d.loc["mix − relationship_only", "low"] > 0
    s = result.summary
    assert s.loc["mix", "mean"] > s.loc["advance_only", "mean"] > s.loc["relationship_only", "mean"]
    assert (s["low"] < s["mean"]).all() and (s["mean"] < s["high"]).all() and (s["seeds"] == 40).all()
    # the paired difference is the mean of each seed's difference, not a difference of means' intervals
    wide = result.runs.pivot(index="seed", columns="strategy", values="won_amount")
    assert np.isclose(d.loc["mix − advance_only", "mean"], (wide["mix"] - wide["advance_only"]).mean())
    assert result.settings["new_accounts"] == int((~workshop_world.accounts.existing_customer).sum())


def test_each_strategy_spends_the_same_time_as_it_says(workshop_world):
    runs = {s: play_strategy(workshop_world, 3, s, weeks=10, actions_per_week=6) for s in STRATEGIES}
    assert runs["advance_only"]["relationship_actions"] == 0 and runs["relationship_only"]["advance_actions"] == 0
    mix = runs["mix"]
    assert 0 < mix["relationship_actions"] <= 2 * 10 and mix["advance_actions"] > 0
    total = {s: r["relationship_actions"] + r["advance_actions"] for s, r in runs.items()}
    assert len(set(total.values())) == 1 and total["mix"] == 60  # six actions every week, whoever spends them
    assert play_strategy(workshop_world, 3, "mix", weeks=10) == mix  # seeded: the same again


def test_bad_settings_are_refused(workshop_world):
    with pytest.raises(ValueError, match="strategy must be one of"):
        play_strategy(workshop_world, 1, "bribes")
    with pytest.raises(ValueError, match="relationship_action must be a relationship action"):
        play_strategy(workshop_world, 1, "mix", relationship_action="arrange_demo")
    with pytest.raises(ValueError, match="weeks must be"):
        play_strategy(workshop_world, 1, "mix", weeks=0)
    with pytest.raises(ValueError, match="at least one seed"):
        compare_trust(workshop_world, seeds=[])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trust_chart_shows_the_means_their_intervals_and_the_gain(workshop_world, lang, tmp_path, caplog):
    result = compare_trust(generate(accounts=60, seed=3), seeds=range(4), weeks=10, actions_per_week=4)
    fig = Figure(figsize=(8, 5), layout="constrained")
    ax = plots.trust_chart(result, ax=fig.subplots(), lang=lang)
    bars = [p for p in ax.patches if p.get_gid() == "trust-bars"]  # one per strategy, top to bottom
    assert [b.get_width() for b in bars] == pytest.approx(result.summary["mean"].tolist())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [plots.TRUST_TEXT[s][0 if lang == "zh" else 1] for s in STRATEGIES]
    texts = labels + [ax.get_title(loc="left"), plots.find_artist(ax, "trust-note").get_text(), ax.get_xlabel()]
    assert_language(texts, lang)
    render_clean(fig, tmp_path / f"trust_{lang}.png", caplog)
    with pytest.raises(ValueError, match="TrustComparison"):
        plots.trust_chart(result.summary)
