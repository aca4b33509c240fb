"""Charts in zh and en (Agg), with no missing-glyph warning; i18n labels and money formats."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties, findfont

from simfunnel import i18n, plots
from simfunnel.model.funnel import Funnel
from simfunnel.model.history import History

CJK = re.compile(r"[\u3400-\u9fff]")
LANGS = ("zh", "en")


# --- hand-made data ------------------------------------------------------------
def make_history(preset: str = "key-account", n: int = 48, seed: int = 3, end_week: int = 12) -> History:
    """Deals walking through the funnel week by week (no simulator involved)."""
    funnel = Funnel.preset(preset)
    keys = list(funnel.keys)
    rng = np.random.default_rng(seed)
    amounts = [8_000, 20_000, 35_000, 60_000, 120_000, 280_000, 650_000]
    deals, events = [], []
    for i in range(n):
        deal_id = f"D{i:03d}"
        created = int(rng.integers(0, 5))
        pos = int(rng.integers(0, len(keys)))
        stage, week, closed = keys[pos], created, None
        for _ in range(int(rng.integers(0, 4))):
            week += int(rng.integers(1, 3))
            if week > end_week:
                break
            if pos == len(keys) - 1 or rng.random() < 0.15:
                to = "won" if pos == len(keys) - 1 else "lost"
                events.append((deal_id, week, stage, to, "order" if to == "won" else "no_sale", "call"))
                stage, closed = to, week
                break
            pos += 1
            events.append((deal_id, week, stage, keys[pos], "advance", "demo"))
            stage = keys[pos]
        status = stage if stage in ("won", "lost") else "open"
        deals.append(
            {
                "deal_id": deal_id,
                "account_id": f"A{i % 9:02d}",
                "owner": ["王芳", "Li Wei", "张伟"][i % 3],
                "amount": float(amounts[int(rng.integers(0, len(amounts)))]),
                "created_week": created,
                "stage": stage,
                "status": status,
                "closed_week": closed,
                "expected_close_week": created + 8,
                "win_rate_override": 0.5 if i % 11 == 0 else None,
                "paid_week": None,
            }
        )
    ev = pd.DataFrame(events, columns=["deal_id", "week", "from_stage", "to_stage", "outcome", "action"])
    return History(pd.DataFrame(deals), ev, funnel=funnel, end_week=end_week)


def make_table(n: int = 13, quota: float = 2_000_000.0) -> pd.DataFrame:
    """A table shaped like simfunnel.analysis.metrics.indicators() output, with plausible numbers."""
    t = np.arange(n + 1)
    booked_week = np.r_[0.0, np.linspace(60_000, 220_000, n)]
    booked = np.r_[0.0, np.cumsum(booked_week[1:])]
    oof_week = booked_week * 0.1
    run_rate = np.full(n + 1, 12_000.0)
    expected = run_rate * (n - t)
    fif = 1_500_000 - 70_000 * t + 25_000 * np.sin(t)
    forecast = fif + expected
    progress = np.r_[np.nan, np.diff(forecast + booked) / quota]
    return pd.DataFrame(
        {
            "t": t,
            "week": t + 13,
            "forecast_in_funnel": fif,
            "booked_week": booked_week,
            "out_of_funnel_booked_week": oof_week,
            "booked": booked,
            "out_of_funnel_booked": np.r_[0.0, np.cumsum(oof_week[1:])],
            "run_rate": run_rate,
            "expected_out_of_funnel": expected,
            "forecast": forecast,
            "progress": progress,
            "benchmark": np.full(n + 1, (1 - expected[0] / quota) / n),
            "coverage": forecast / (quota - booked),
            "forecast_error": np.linspace(0.08, 0.0, n + 1),
            "censored": np.zeros(n + 1, dtype=int),
        }
    )


# --- helpers ---------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _restore_language_and_close():
    lang = i18n.get_language()
    yield
    i18n.set_language(lang)
    plt.close("all")


def all_texts(ax: Axes) -> str:
    parts = [t.get_text() for t in ax.texts]
    parts += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
    parts += [ax.get_title(loc) for loc in ("left", "center", "right")]
    parts += [ax.get_xlabel(), ax.get_ylabel()]
    legend = ax.get_legend()
    if legend is not None:
        parts += [t.get_text() for t in legend.get_texts()]
    return "\n".join(parts)


def draw_and_save(ax: Axes, path, caplog) -> None:
    """Render (where missing glyphs are reported) and fail on any glyph or font warning."""
    caplog.clear()
    # findfont answers are cached: forget them so this figure's look-ups are logged again
    cached = getattr(matplotlib.font_manager.fontManager, "_findfont_cached", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()
    with caplog.at_level(logging.WARNING, logger="matplotlib"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.savefig(path, dpi=80)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    bad = [m for m in messages if "glyph" in m.lower() or "findfont" in m.lower() or "font" in m.lower()]
    assert not bad, bad
    assert path.stat().st_size > 5_000


# --- charts ----------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("preset", ["key-account", "salesforce"])
def test_funnel_chart_labels_in_language(lang, preset, tmp_path, caplog):
    history = make_history(preset)
    ax = plots.funnel_chart(history, threshold=50_000, lang=lang)
    assert isinstance(ax, Axes)
    text = all_texts(ax)
    other = "en" if lang == "zh" else "zh"
    for stage in history.funnel.stages:
        assert stage.label(lang) in text
        if stage.label(other) != stage.label(lang):
            assert stage.label(other) not in text
    if lang == "en":
        assert not CJK.search(text), text
    else:
        assert "第 12 周" in ax.get_title("left")
        assert "万" in text
    assert "12" in ax.get_title("left")
    legend = "\n".join(t.get_text() for t in ax.get_legend().get_texts())
    assert ("漏斗外" if lang == "zh" else "outside the funnel") in legend
    draw_and_save(ax, tmp_path / f"funnel_{preset}_{lang}.png", caplog)


@pytest.mark.parametrize("lang", LANGS)
def test_funnel_chart_uses_current_language_and_given_axes(lang, tmp_path, caplog):
    i18n.set_language(lang)
    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    history = make_history()
    ax = plots.funnel_chart(history, week=6, ax=axes[1])
    assert ax is axes[1]
    assert history.funnel.stages[0].label(lang) in all_texts(ax)
    assert "6" in ax.get_title("left")
    draw_and_save(ax, tmp_path / f"funnel_current_{lang}.png", caplog)


def test_funnel_chart_figures_match_the_deals():
    funnel = Funnel.preset("key-account")
    deals = pd.DataFrame(
        {
            "deal_id": ["a", "b", "c", "d"],
            "account_id": [None, None, None, None],
            "owner": ["x", "x", "y", "y"],
            "amount": [200_000.0, 100_000.0, 10_000.0, 300_000.0],
            "created_week": [0, 0, 0, 0],
            "stage": ["criteria", "criteria", "criteria", "won"],
            "status": ["open", "open", "open", "won"],
            "closed_week": [None, None, None, 2],
            "expected_close_week": [None, None, None, None],
            "win_rate_override": [None, 0.9, None, None],
            "paid_week": [None, None, None, None],
        }
    )
    events = pd.DataFrame(
        [("d", 2, "commitment", "won", "order", "sign")],
        columns=["deal_id", "week", "from_stage", "to_stage", "outcome", "action"],
    )
    history = History(deals, events, funnel=funnel, end_week=4)
    ax = plots.funnel_chart(history, threshold=50_000, lang="en")
    text = all_texts(ax)
    # criteria (40 %): two deals ≥ T worth ¥300k; weighted 200k × 0.4 + 100k × 0.9 = ¥170k
    assert "2 deals · ¥300k" in text
    assert "weighted ¥170k" in text
    assert "below threshold 1 deal ¥10k" in text
    assert "Forecast in funnel ¥170k" in text
    ax = plots.funnel_chart(history, threshold=0, lang="zh")
    text = all_texts(ax)
    assert "3 个商机 · ¥31万" in text
    assert "加权 ¥17.4万" in text


def test_funnel_chart_week_without_open_deals_and_bad_arguments(tmp_path, caplog):
    deals = pd.DataFrame(
        {
            "deal_id": ["a"], "account_id": ["x"], "owner": ["王芳"], "amount": [80_000.0], "created_week": [0],
            "stage": ["won"], "status": ["won"], "closed_week": [2], "expected_close_week": [3],
            "win_rate_override": [None], "paid_week": [None],
        }
    )
    events = pd.DataFrame(
        [("a", 1, "criteria", "commitment", "advance", "demo"), ("a", 2, "commitment", "won", "order", "sign")],
        columns=["deal_id", "week", "from_stage", "to_stage", "outcome", "action"],
    )
    history = History(deals, events, end_week=5)
    for lang in LANGS:
        ax = plots.funnel_chart(history, week=4, lang=lang)
        assert isinstance(ax, Axes)
        assert i18n.label("no_open_deals", lang) in all_texts(ax)
        draw_and_save(ax, tmp_path / f"funnel_empty_{lang}.png", caplog)
    ax = plots.funnel_chart(history, week=np.int64(1), lang="en")
    assert "1 deal · ¥80k" in all_texts(ax)
    for week in (6, -1, 2.5, "3"):
        with pytest.raises(ValueError, match="week"):
            plots.funnel_chart(history, week=week)
    with pytest.raises(ValueError, match="threshold"):
        plots.funnel_chart(history, threshold=-1)
    with pytest.raises(ValueError, match="'fr'"):
        plots.funnel_chart(history, lang="fr")


@pytest.mark.parametrize("lang", LANGS)
def test_indicator_chart(lang, tmp_path, caplog):
    table = make_table()
    ax = plots.indicator_chart(table, quota=2_000_000, lang=lang)
    assert isinstance(ax, Axes)
    text = all_texts(ax)
    for key in ("forecast", "booked", "forecast_plus_booked", "quota", "week"):
        assert i18n.label(key, lang) in text
    assert ("¥200万" if lang == "zh" else "¥2M") in text
    if lang == "en":
        assert not CJK.search(text), text
    lines = ax.get_lines()
    assert any(np.allclose(line.get_ydata(), table.forecast + table.booked) for line in lines[:3])
    draw_and_save(ax, tmp_path / f"indicators_{lang}.png", caplog)


@pytest.mark.parametrize("lang", LANGS)
def test_progress_chart(lang, tmp_path, caplog):
    table = make_table()
    ax = plots.progress_chart(table, lang=lang)
    assert isinstance(ax, Axes)
    text = all_texts(ax)
    assert i18n.label("benchmark", lang) in text
    assert i18n.label("below_benchmark", lang) in text
    if lang == "en":
        assert not CJK.search(text), text
    bars = [p for p in ax.patches if p.get_height() != 0 or p.get_width() != 0]
    assert len(bars) == len(table) - 1  # no bar at t = 0
    bench = table.benchmark.iloc[0]
    for bar in bars:
        colour = matplotlib.colors.to_hex(bar.get_facecolor())
        expected = plots.GREEN if bar.get_height() >= bench else plots.RED
        assert colour == expected
    draw_and_save(ax, tmp_path / f"progress_{lang}.png", caplog)


def test_charts_name_a_missing_column():
    with pytest.raises(ValueError, match="'booked'"):
        plots.indicator_chart(pd.DataFrame({"week": [0], "forecast": [1.0]}))
    with pytest.raises(ValueError, match="'benchmark'"):
        plots.progress_chart(pd.DataFrame({"week": [0], "progress": [0.1]}))


# --- i18n ------------------------------------------------------------------------
def test_set_language_rejects_others():
    for bad in ("fr", "ZH", "zh-CN", "", None):
        with pytest.raises(ValueError, match=re.escape(repr(bad))):
            i18n.set_language(bad)
    i18n.set_language("zh")
    assert i18n.get_language() == "zh"
    assert i18n.label("forecast") == "销售预计"
    i18n.set_language("en")
    assert i18n.label("forecast") == "Forecast"
    assert i18n.label("forecast", "zh") == "销售预计"
    with pytest.raises(ValueError, match="no_such_label"):
        i18n.label("no_such_label")


def test_indicator_labels():
    zh = {
        "forecast_in_funnel": "漏斗内预计",
        "booked": "已成交",
        "out_of_funnel_booked": "漏斗外销售额",
        "forecast": "销售预计",
        "progress": "销售进展",
        "benchmark": "基准进度",
        "coverage": "覆盖率",
        "run_rate": "漏斗外周均",
        "expected_out_of_funnel": "预计漏斗外销售额",
        "forecast_error": "预测误差",
        "booked_week": "本周成交",
        "out_of_funnel_booked_week": "本周漏斗外成交",
    }
    for key, name in zh.items():
        assert i18n.label(key, "zh") == name
        assert i18n.label(key, "en") and not CJK.search(i18n.label(key, "en"))
    for key, labels in i18n.LABELS.items():
        assert set(labels) == set(i18n.LANGUAGES), key


@pytest.mark.parametrize(
    ("amount", "kwargs", "expected"),
    [
        (1_234_567, {}, "¥1,234,567"),
        (1_234_567, {"lang": "zh"}, "¥1,234,567"),
        (1_234_567, {"lang": "zh", "compact": True}, "¥123.5万"),
        (123_000, {"lang": "zh", "compact": True}, "¥12.3万"),
        (50_000, {"lang": "zh", "compact": True}, "¥5万"),
        (9_999, {"lang": "zh", "compact": True}, "¥9,999"),
        (123_456_789, {"lang": "zh", "compact": True}, "¥1.23亿"),
        (99_999_999, {"lang": "zh", "compact": True}, "¥1亿"),
        (1_234_567, {"lang": "en", "compact": True}, "¥1.23M"),
        (123_456, {"lang": "en", "compact": True}, "¥123k"),
        (12_345, {"lang": "en", "compact": True}, "¥12.3k"),
        (999_960, {"lang": "en", "compact": True}, "¥1M"),
        (999, {"lang": "en", "compact": True}, "¥999"),
        (1_234_567, {"lang": "en"}, "¥1,234,567"),
        (-123_000, {"lang": "zh", "compact": True}, "-¥12.3万"),
        (-0.2, {}, "¥0"),
        (2_500, {"currency": "USD", "lang": "en", "compact": True}, "$2.5k"),
        (2_500, {"currency": "XYZ"}, "XYZ 2,500"),
        (float("nan"), {}, "—"),
        (None, {}, "—"),
    ],
)
def test_format_money(amount, kwargs, expected):
    assert i18n.format_money(amount, **kwargs) == expected


def test_format_money_uses_current_language():
    i18n.set_language("zh")
    assert i18n.format_money(123_000, compact=True) == "¥12.3万"
    i18n.set_language("en")
    assert i18n.format_money(123_000, compact=True) == "¥123k"
    with pytest.raises(ValueError, match="'fr'"):
        i18n.format_money(1, lang="fr")


def test_setup_cjk_font_is_idempotent_and_renders_chinese():
    family = i18n.setup_cjk_font()
    assert family is not None
    assert family in i18n.SYSTEM_CJK_FONTS
    assert i18n.setup_cjk_font() == family
    rc = matplotlib.rcParams
    assert rc["font.sans-serif"][0] == family
    assert rc["font.sans-serif"].count(family) == 1
    assert list(rc["font.family"]) == ["sans-serif"]
    assert rc["axes.unicode_minus"] is False
    path = findfont(FontProperties(family=["sans-serif"]), fallback_to_default=False)
    assert "simhei" not in path.lower()
    # after a reset, calling again restores the set-up (rc_context puts the rcParams back after)
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        assert matplotlib.rcParams["font.sans-serif"][0] != family
        assert i18n.setup_cjk_font() == family
        assert matplotlib.rcParams["font.sans-serif"][0] == family


def test_mplfonts_noto_file_is_found_without_simhei():
    path = i18n._mplfonts_font_path()
    assert path is not None, "mplfonts (a dependency in pyproject.toml) is not installed"
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert path.is_file()


def test_i18n_import_loads_no_matplotlib():
    code = "import sys, simfunnel.i18n; sys.exit(1 if 'matplotlib' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- the board's chart as SVG (plots.svg) -------------------------------------------------------------
def test_indicator_svg_draws_the_table_with_gaps_quota_and_labels_in_both_languages():
    import xml.etree.ElementTree as ET

    from simfunnel.plots.svg import indicator_svg, nice_ticks

    table = pd.DataFrame({"t": [13, 14, 15, 16], "forecast": [2.0e6, np.nan, 2.4e6, 2.2e6],
                          "booked": [0.0, 1.0e5, 3.0e5, 9.0e5]})
    ns = "{http://www.w3.org/2000/svg}"
    zh = ET.fromstring(indicator_svg(table, quota=3.0e6, lang="zh", weeks=(13, 26)))
    texts = [t.text for t in zh.iter(f"{ns}text")]
    assert {"销售预计与已成交", "周", "金额", "销售预计", "已成交", "销售预计 + 已成交", "销售任务 ¥300万"} <= set(texts)
    assert {"14", "20", "26"} <= set(texts) and "13" not in texts  # every other week, to the quarter's end
    lines = list(zh.iter(f"{ns}polyline"))
    # the sum and the forecast break at the missing week; booked is one line
    assert sorted(len(p.get("points").split()) for p in lines) == [1, 1, 2, 2, 4]
    assert len(list(zh.iter(f"{ns}circle"))) == 3 and len(list(zh.iter(f"{ns}rect"))) == 4
    en = indicator_svg(table, lang="en")
    assert "Forecast and bookings" in en and "Quota" not in en  # no quota: no line, no legend entry
    with pytest.raises(ValueError, match="forecast, booked"):
        indicator_svg(pd.DataFrame({"t": [1], "forecast": [1.0]}))
    assert nice_ticks(0, 5.4e6, 6) == [0.0, 1e6, 2e6, 3e6, 4e6, 5e6]
    assert nice_ticks(0, 0) == [0.0] and nice_ticks(-1.0, 1.0, 4) == [-1.0, -0.5, 0.0, 0.5, 1.0]
