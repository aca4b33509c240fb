"""The reply bank: judge by the customer's action, not their words."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from simfunnel.model import replies as bank
from simfunnel.model.funnel import KEY_STEPS
from simfunnel.model.replies import OUTCOMES, Reply, is_correct, pick_reply, replies

CJK = re.compile(r"[\u3400-\u9fff]")
ASCII_LETTER = re.compile(r"[A-Za-z]")
STEPS = [k for k in KEY_STEPS if k != "collect_payment"]
MINIMUM = {"continuation": 40, "advance": 40, "order": 20, "no_sale": 25}


def test_bank_has_enough_replies_of_each_outcome():
    table = replies()
    assert len(table) >= 150
    counts = table.outcome.value_counts().to_dict()
    for outcome, least in MINIMUM.items():
        assert counts.get(outcome, 0) >= least, (outcome, counts)
    assert set(table.outcome) == set(OUTCOMES)


def test_ids_unique_and_fields_filled():
    table = replies()
    assert table.id.is_unique
    for column in ("zh", "en", "why_zh", "why_en"):
        assert table[column].str.len().min() > 3, column
    assert all(isinstance(k, tuple) and k and set(k) <= set(STEPS) for k in table.key_steps)


def test_chinese_is_chinese_and_english_is_english():
    allowed_non_ascii = set("“”‘’—–…")
    for r in replies().itertuples():
        for text in (r.zh, r.why_zh):
            assert CJK.search(text), (r.id, text)
            assert not ASCII_LETTER.search(text), (r.id, text)  # no English left in the Chinese
        for text in (r.en, r.why_en):
            assert not CJK.search(text), (r.id, text)
            assert set(c for c in text if ord(c) > 127) <= allowed_non_ascii, (r.id, text)


def test_every_key_step_has_advances_continuations_and_no_sales():
    for step in STEPS:
        for outcome in ("advance", "continuation", "no_sale"):
            assert len(replies(outcome, step)) >= 1, (outcome, step)
    assert len(replies("order", "win_commitment")) >= 6


def test_polite_brush_offs_are_continuations():
    """Warm words without a customer action: the heart of the quiz."""
    table = replies()
    for phrase in ("保持联系", "研究一下", "领导很重视", "内部再讨论"):
        hits = table[table.zh.str.contains(phrase)]
        assert len(hits) >= 1, phrase
        assert set(hits.outcome) == {"continuation"}, phrase
    keep_in_touch = table[table.en.str.contains("keep in touch")]
    assert set(keep_in_touch.outcome) == {"continuation"}


def test_real_advances_are_advances():
    table = replies("advance")
    for phrase in ("演示", "试用", "总经理", "预算", "技术规格", "时间表", "采购部"):
        assert table.zh.str.contains(phrase).any(), phrase


def test_replies_filters_and_rejects_unknown_values():
    assert set(replies("no_sale").outcome) == {"no_sale"}
    assert all("present_value" in k for k in replies(key_step="present_value").key_steps)
    both = replies("advance", "dig_for_needs")
    assert len(both) < len(replies("advance"))
    with pytest.raises(ValueError, match="outcome must be one of"):
        replies("maybe")
    with pytest.raises(ValueError, match="key_step must be one of"):
        replies(key_step="close_the_deal")


def test_pick_reply_is_deterministic_and_fits():
    a = pick_reply("continuation", "build_trust", seed=7)
    assert isinstance(a, Reply)
    assert a == pick_reply("continuation", "build_trust", seed=7)
    assert a.outcome == "continuation" and "build_trust" in a.key_steps
    drawn = {pick_reply("advance", "present_value", seed=s).id for s in range(40)}
    assert len(drawn) > 2  # the seed matters
    assert all(pick_reply("advance", "present_value", seed=s).outcome == "advance" for s in range(10))
    assert pick_reply("no_sale", "win_commitment", seed=[2026, 3, 17, 4]) == pick_reply(
        "no_sale", "win_commitment", seed=[2026, 3, 17, 4])


def test_pick_reply_falls_back_to_any_step():
    """No order is typical of building trust; an order reply is still given (one that can follow the action)."""
    assert replies("order", "build_trust").empty
    r = pick_reply("order", "build_trust", seed=1)
    assert r.outcome == "order"
    r = pick_reply("order", "build_trust", seed=1, action="agree_budget")
    assert r.outcome == "order" and "agree_budget" in r.actions
    with pytest.raises(ValueError, match="action must be one of"):
        pick_reply("order", "win_commitment", action="bribe")
    with pytest.raises(ValueError):
        pick_reply("win", "build_trust")


def test_is_correct():
    for outcome in OUTCOMES:
        assert is_correct(outcome, outcome)
    assert is_correct("advance", "order")  # an order is the customer's ultimate action
    assert not is_correct("order", "advance")
    assert not is_correct("advance", "continuation")
    assert not is_correct("continuation", "advance")
    assert not is_correct("continuation", "no_sale")
    with pytest.raises(ValueError, match="answer must be one of"):
        is_correct("推进", "advance")


def test_reply_text_and_labels_in_both_languages():
    r = pick_reply("advance", "dig_for_needs", seed=3)
    assert r.text("zh") == r.zh and r.text("en") == r.en
    assert r.why("zh") == r.why_zh and r.why("en") == r.why_en
    assert [bank.outcome_label(o, "zh") for o in OUTCOMES] == ["订单", "推进", "延续", "无法成交"]
    assert [bank.outcome_label(o, "en") for o in OUTCOMES] == ["Order", "Advance", "Continuation", "No sale"]


def test_module_is_pure_and_data_is_packaged():
    code = ("import sys, simfunnel.model.replies as r; r.replies(); "
            "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8")
    assert '"simfunnel.data" = ["*.json"]' in pyproject


# --- issue 13: one week, one consistent story ------------------------------------------------------------
def _cells():
    """Every (action, key step, response) a week can bring: each action at each key step it can be taken
    at, with an advance, a continuation or a no-sale, and an order at the last step (赢取承诺)."""
    from simfunnel.model.actions import ALL_ACTIONS_BY_KEY

    for key, act in ALL_ACTIONS_BY_KEY.items():
        for step in STEPS:
            if act.key_steps and step not in act.key_steps:
                continue
            for response in ("advance", "continuation", "no_sale") + (("order",) if step == "win_commitment" else ()):
                yield key, step, response


def test_every_action_at_every_stage_has_at_least_two_fitting_replies_of_each_response():
    cells = list(_cells())
    assert len(cells) == 115  # 36 (action, step) pairs × 3 responses + an order at the 7 pairs of 赢取承诺
    thin = [(a, s, r, len(replies(r, s, a))) for a, s, r in cells if len(replies(r, s, a)) < 2]
    assert not thin, thin
    # the board draws from exactly those: an action's reply is one that can follow it
    for a, s, r in cells[::7]:
        for seed in range(5):
            reply = pick_reply(r, s, seed=[2026, seed], action=a)
            assert reply.fits(a, s) and reply.outcome == r


# Events a reply may name only after the action that made them happen.
NAMED_EVENTS = {
    "试用": ({"propose_trial"}, "试用结果|试用了|试用期间"),
    "演示": ({"arrange_demo"}, "演示挺精彩|演示的效果|演示里|你们演示的|演示很"),
    "参观": ({"reference_visit"}, "参观完|看完了"),
    "饭": ({"friendly_dinner"}, "吃饭时|饭桌上|那天吃饭|吃饭的时候|这顿饭"),
    "资料": ({"send_brochure"}, "资料我看了|资料我转给|你们资料里|资料里的|资料上写的|你们的资料我们|发来的"),
}


def test_no_reply_names_an_event_that_did_not_happen():
    """Trial results only after a trial, "the demo was great" only after a demo, the dinner only after the dinner;
    a reply that says no meeting with the leader was arranged never follows a meeting with the decision maker."""
    table = replies()
    for _, (allowed, pattern) in NAMED_EVENTS.items():
        hits = table[table.zh.str.contains(pattern)]
        assert len(hits) >= 1, pattern
        for r in hits.itertuples():
            assert set(r.actions) <= allowed, (r.id, r.zh, r.actions)
    no_leader = table[table.why_zh.str.contains("没有安排你见领导")]
    assert len(no_leader) and not any("meet_decision_maker" in a for a in no_leader.actions)
    here = table[table.zh.str.contains("专门跑一趟|你来得正好|你来得巧|正好你来了")]  # the seller is there in person
    assert len(here) and not any("send_brochure" in a for a in here.actions), here.id.tolist()
    org_chart = table[table.zh.str.contains("组织架构图")]
    assert set(org_chart.outcome) == {"continuation"}  # information without a commitment


def test_the_answer_is_never_given_away_by_the_action():
    """Every response the customer can give follows every action in the simulation, at every stage where it can
    happen (an order only at 购买承诺): acting with a dinner does not tell the trainee the answer."""
    import numpy as np

    from simfunnel.model.actions import ACTIONS_BY_KEY, actions_for
    from simfunnel.model.generate import generate
    from simfunnel.model.simulate import Simulation

    world = generate(deals=6000, seed=21)
    funnel = world.funnel
    seen: dict[tuple[str, str], set[str]] = {}
    sim = Simulation(world, seed=21)
    rng = np.random.default_rng(3)
    for _ in range(30):
        d = sim.history.deals
        live = d[(d.status == "open") & (d.created_week <= sim.week)]
        plan = {}
        for deal, stage in zip(live.deal_id, live.stage.astype(str)):
            fitting = actions_for(funnel, stage)
            plan[int(deal)] = fitting[int(rng.integers(len(fitting)))].key
        ev = sim.step(plan)
        for a, stage, response in zip(ev.action, ev.from_stage.astype(str), ev.response):
            if a is not None:
                seen.setdefault((a, stage), set()).add(response)
    for key, act in ACTIONS_BY_KEY.items():
        for stage in funnel.keys:
            if act not in actions_for(funnel, stage):
                continue
            expected = {"advance", "continuation", "no_sale"} | ({"order"} if stage == funnel.keys[-1] else set())
            assert seen.get((key, stage)) == expected, (key, stage, seen.get((key, stage)))


# Words that tie a reply to a kind of customer or product (the rehearsal: 「学校的采购合同」 for a factory,
# 「试用的设备」 for a training deal): each reply that says them carries the industries or products it fits.
INDUSTRY_WORDS = {"education": "学校|校长", "healthcare": "医院|门诊|院务会", "energy": "电厂|电网",
                  "manufacturing": "车间|厂长|[一二三四五]号线|样板工厂|排产|新厂|厂里", "logistics": "运单|分拣|仓储|冷链",
                  "finance": "行里", "government": "局里"}
HARDWARE_WORDS = "样机|[0-9一二三四五六七八九十两]+台|发货|备货|交货|交期|试用的设备"


def test_replies_that_name_a_kind_of_customer_or_product_say_so_and_every_deal_still_gets_two():
    from simfunnel.model.replies import INDUSTRIES, PRODUCTS

    table = replies()
    for industry, words in INDUSTRY_WORDS.items():
        for r in table[table.zh.str.contains(words)].itertuples():
            assert industry in r.industries, (r.id, r.zh, r.industries)
    for r in table[table.zh.str.contains(HARDWARE_WORDS)].itertuples():
        assert r.products and "hardware" in r.products, (r.id, r.zh, r.products)
    thin = []
    bank_ = bank.reply_bank()
    for a, s, r in _cells():
        fitting = [x for x in bank_ if x.outcome == r and x.fits(a, s)]
        for industry in INDUSTRIES:
            for product in PRODUCTS:
                if sum(x.suits(industry, product) for x in fitting) < 2:
                    thin.append((a, s, r, industry, product))
    assert not thin, thin[:10]
    school = pick_reply("order", "win_commitment", seed=3, action="joint_plan", industry="manufacturing",
                        product="training")
    assert school.suits("manufacturing", "training")
    for seed in range(60):
        r = pick_reply("order", "win_commitment", seed=seed, action="courtesy_call", industry="retail",
                       product="training")
        assert not r.industries and not r.products, r.id
