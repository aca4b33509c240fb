import warnings

import pytest

from simfunnel.model.funnel import KEY_STEPS, Funnel, preset_names

DESIGN_RATES = {
    "key-account": [0.10, 0.25, 0.40, 0.60, 0.80],
    "simple": [0.10, 0.30, 0.50, 0.70],
    "salesforce": [0.10, 0.10, 0.20, 0.50, 0.60, 0.70, 0.75, 0.90],
    "hubspot": [0.20, 0.40, 0.60, 0.80, 0.90],
}


def test_presets_are_the_four_of_design():
    assert preset_names() == sorted(DESIGN_RATES)


@pytest.mark.parametrize("name", sorted(DESIGN_RATES))
def test_preset_rates_labels_and_round_trip(name):
    f = Funnel.preset(name)
    assert [s.win_rate for s in f.stages] == DESIGN_RATES[name]
    assert all(s.zh and s.en and s.key.isascii() for s in f.stages)
    assert all(s.key_step in KEY_STEPS for s in f.stages)
    assert f.all_keys[-2:] == ("won", "lost")
    assert f.win_rate("won") == 1.0 and f.win_rate("lost") == 0.0
    assert Funnel.from_dict(f.to_dict()) == f


def test_key_account_labels():
    f = Funnel.preset("key-account")
    assert [s.zh for s in f.stages] == ["发现需求", "内部立项", "确定标准", "评估比较", "购买承诺"]
    assert f.stage("commitment").forecast_category == "commit"
    assert f.label("criteria", "zh") == "确定标准"
    assert f.label("criteria", "en") == "Criteria set"


def _stages(*rates, keys=None):
    keys = keys or [f"s{i}" for i in range(len(rates))]
    return {"name": "t", "stages": [{"key": k, "zh": "阶段", "en": "Stage", "win_rate": r} for k, r in zip(keys, rates)]}


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan")])
def test_rate_outside_unit_interval_names_stage(rate):
    with pytest.raises(ValueError, match=r"stage 2 's1'.*outside \[0, 1\]"):
        Funnel.from_dict(_stages(0.1, rate))


def test_duplicate_key_and_no_open_stage_and_reserved_key():
    with pytest.raises(ValueError, match="duplicate key 'a'"):
        Funnel.from_dict(_stages(0.1, 0.2, keys=["a", "a"]))
    with pytest.raises(ValueError, match="no open stage"):
        Funnel.from_dict({"name": "t", "stages": []})
    with pytest.raises(ValueError, match="reserved"):
        Funnel.from_dict(_stages(0.1, keys=["won"]))
    with pytest.raises(ValueError, match="missing win_rate"):
        Funnel.from_dict({"name": "t", "stages": [{"key": "a", "zh": "甲", "en": "A"}]})


def test_falling_win_rates_warn_but_rising_do_not():
    with pytest.warns(UserWarning, match="falls from 's0'"):
        Funnel.from_dict(_stages(0.5, 0.2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Funnel.from_dict(_stages(0.2, 0.5))


def test_unknown_stage_and_preset():
    f = Funnel.preset()
    with pytest.raises(ValueError, match="unknown stage 'nope'"):
        f.win_rate("nope")
    with pytest.raises(ValueError, match="unknown funnel preset 'x'"):
        Funnel.preset("x")


def test_with_win_rates():
    f = Funnel.preset("simple").with_win_rates({"solution": 0.55})
    assert f.win_rate("solution") == 0.55 and f.win_rate("need") == 0.30
    with pytest.raises(ValueError, match="unknown stage 'zzz'"):
        f.with_win_rates({"zzz": 0.1})
