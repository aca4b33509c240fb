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
MINIMUM = {"continuation": 18, "advance": 18, "order": 6, "no_sale": 6}


def test_bank_has_enough_replies_of_each_outcome():
    table = replies()
    assert len(table) >= 48
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
    for phrase in ("演示", "试用", "总经理", "预算", "技术规格", "采购时间表", "采购部"):
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
    """No order is typical of building trust; an order reply is still given."""
    assert replies("order", "build_trust").empty
    r = pick_reply("order", "build_trust", seed=1)
    assert r.outcome == "order"
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
