"""Chinese and English labels, money formatting and the CJK font for matplotlib.

The language, ``"zh"`` or ``"en"``, belongs to a page: every chart and widget takes
``lang=``, and its default comes from the current context's :class:`LanguageScope` (a
:class:`contextvars.ContextVar`: a notebook kernel's, an app session's, a thread's — never a
module global that one user could change under another). ``set_language`` sets it for the
notebook (or page). Where nothing was set, the default is ``"en"``, or the ``SIMFUNNEL_LANG``
environment variable when it names one of the two (handy for building the zh notebooks from
one source).

This module is pure: importing it loads no matplotlib. :func:`setup_cjk_font`
imports matplotlib when called and makes Chinese text render with a real CJK
font (no empty boxes).

Example:
    >>> from simfunnel import i18n
    >>> i18n.label("forecast", "zh")
    '销售预计'
    >>> i18n.format_money(1_234_567, lang="zh", compact=True)
    '¥123.5万'
    >>> i18n.format_money(1_234_567, lang="en", compact=True)
    '¥1.23M'
    >>> i18n.format_money(1_234_567)
    '¥1,234,567'
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
import weakref
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "en"

# System fonts that cover Simplified Chinese, best first.
SYSTEM_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Microsoft YaHei",
)
# Shipped by the mplfonts package (SIL OFL 1.1). Never SimHei: no licence text.
MPLFONTS_FILE = "NotoSansCJKsc-Regular.otf"
MPLFONTS_FAMILY = "Noto Sans CJK SC"

# Labels of charts and widgets. Stage labels come from the funnel
# (``Funnel.label(key, lang)``), not from here.
LABELS: dict[str, dict[str, str]] = {
    # chart furniture
    "funnel_title": {"zh": "销售漏斗（第 {week} 周）", "en": "Sales funnel, week {week}"},
    "indicator_title": {"zh": "销售预计与已成交", "en": "Forecast and bookings"},
    "progress_title": {"zh": "每周销售进展与基准进度", "en": "Weekly progress vs benchmark"},
    "deals": {"zh": "商机数", "en": "Deals"},
    "amount": {"zh": "金额", "en": "Amount"},
    "deal_id": {"zh": "商机", "en": "Deal"},
    "won_week": {"zh": "赢单周", "en": "Week won"},
    "paid_week": {"zh": "付款周", "en": "Week paid"},
    "week": {"zh": "周", "en": "Week"},
    "funnel": {"zh": "漏斗", "en": "Funnel"},
    "n_deals": {"zh": "{n} 个商机", "en": "{n} deals"},
    "n_deal": {"zh": "{n} 个商机", "en": "{n} deal"},
    "weighted": {"zh": "加权", "en": "weighted"},
    "weighted_amount": {"zh": "加权金额（金额 × 赢率）", "en": "Weighted amount (amount × win rate)"},
    "win_rate": {"zh": "赢率", "en": "win rate"},
    "open_amount": {"zh": "在途金额", "en": "Open amount"},
    "in_funnel": {"zh": "漏斗内商机（≥ {threshold}）", "en": "In the funnel (≥ {threshold})"},
    "below_threshold": {
        "zh": "小于门槛 {threshold}（漏斗外，不计入预计）",
        "en": "Below the {threshold} threshold (outside the funnel, not forecast)",
    },
    "below_short": {"zh": "门槛以下", "en": "below threshold"},
    "funnel_total": {
        "zh": "漏斗内预计 {forecast} · 漏斗内 {deals}，金额 {amount}",
        "en": "Forecast in funnel {forecast} · {deals} worth {amount} in the funnel",
    },
    "funnel_below": {
        "zh": "门槛以下（漏斗外）{deals}，金额 {amount}",
        "en": "Below threshold (outside the funnel): {deals} worth {amount}",
    },
    "no_open_deals": {"zh": "本周没有在途商机", "en": "No open deals this week"},
    "quota": {"zh": "销售任务", "en": "Quota"},
    "forecast_plus_booked": {"zh": "销售预计 + 已成交", "en": "Forecast + booked"},
    "at_or_above_benchmark": {"zh": "达到基准", "en": "At or above benchmark"},
    "below_benchmark": {"zh": "低于基准", "en": "Below benchmark"},
    "progress_axis": {"zh": "占销售任务的比例", "en": "Share of quota"},
    # the indicator columns of metrics.indicators() (DESIGN.md)
    "forecast_in_funnel": {"zh": "漏斗内预计", "en": "Forecast in funnel"},
    "booked": {"zh": "已成交", "en": "Booked"},
    "out_of_funnel_booked": {"zh": "漏斗外销售额", "en": "Out-of-funnel booked"},
    "forecast": {"zh": "销售预计", "en": "Forecast"},
    "progress": {"zh": "销售进展", "en": "Progress"},
    "benchmark": {"zh": "基准进度", "en": "Benchmark"},
    "coverage": {"zh": "覆盖率", "en": "Coverage"},
    "run_rate": {"zh": "漏斗外周均", "en": "Out-of-funnel weekly run rate"},
    "expected_out_of_funnel": {"zh": "预计漏斗外销售额", "en": "Expected out-of-funnel"},
    "forecast_error": {"zh": "预测误差", "en": "Forecast error"},
    "booked_week": {"zh": "本周成交", "en": "Booked this week"},
    "out_of_funnel_booked_week": {"zh": "本周漏斗外成交", "en": "Out-of-funnel booked this week"},
    # segments.segment_table() and people.compare_meetings() columns
    "label": {"zh": "客户细分", "en": "Segment"},
    "accounts": {"zh": "客户数", "en": "Accounts"},
    "potential": {"zh": "采购潜力", "en": "Purchase potential"},
    "sales": {"zh": "我们的成交额", "en": "Our sales"},
    "share_of_wallet_mean": {"zh": "平均份额", "en": "Mean share of wallet"},
    "open_pipeline": {"zh": "在途商机金额", "en": "Open pipeline"},
    "contacts_met": {"zh": "拜访人数", "en": "Contacts met"},
    "deals_won": {"zh": "赢单数", "en": "Deals won"},
    "won_amount": {"zh": "全年成交额", "en": "Won in the year"},
    "approval_advance": {"zh": "内部立项阶段每周前进机会", "en": "Weekly advance at project approval"},
}

CURRENCY_SYMBOLS = {
    "CNY": "¥",
    "RMB": "¥",
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "JP¥",
    "HKD": "HK$",
    "TWD": "NT$",
    "SGD": "S$",
}


def _initial_language() -> str:
    env = os.environ.get("SIMFUNNEL_LANG", "").strip()
    return env if env in LANGUAGES else DEFAULT_LANGUAGE


def _check_language(lang: object) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose 'zh' (中文) or 'en' (English)")
    return lang  # type: ignore[return-value]


class LanguageScope:
    """The language of one page — a notebook's kernel, an app session, a thread — and the widgets following it.

    Widgets made in a scope follow it (:meth:`add_listener`); :meth:`set` changes the language
    and redraws them. Scopes are not shared: two pages served by one process each have
    their own, so one page's choice never turns another's Chinese.
    """

    def __init__(self, lang: str | None = None) -> None:
        self.lang = _initial_language() if lang is None else _check_language(lang)
        self._listeners: list[weakref.ref] = []

    def set(self, lang: str) -> None:
        """Change the scope's language and call every live listener with it."""
        self.lang = _check_language(lang)
        for ref in list(self._listeners):
            callback = ref()
            if callback is None:
                self._listeners.remove(ref)
            else:
                callback(self.lang)

    def add_listener(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(lang)`` after each :meth:`set`; bound methods are held weakly."""
        ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else weakref.ref(callback)
        self._listeners.append(ref)

    def remove_listener(self, callback: Callable[[str], None]) -> None:
        """Stop calling ``callback`` after :meth:`set`."""
        for ref in list(self._listeners):
            target = ref()
            if target is None or target == callback:
                self._listeners.remove(ref)


# The scope of the current context: a notebook kernel's (it lasts across cells), a thread's, or
# the one an app page makes with use_language(). A ContextVar, never a module global.
_scope: ContextVar[LanguageScope | None] = ContextVar("simfunnel_language", default=None)


def language_scope() -> LanguageScope:
    """The current context's :class:`LanguageScope`, made on first use (``SIMFUNNEL_LANG`` or English)."""
    scope = _scope.get()
    if scope is None:
        scope = LanguageScope()
        _scope.set(scope)
    return scope


def use_language(lang: str | None = None) -> LanguageScope:
    """Give the current context a scope of its own in ``lang`` (a page or session starting); returns it."""
    scope = LanguageScope(lang)
    _scope.set(scope)
    return scope


@contextlib.contextmanager
def in_scope(scope: LanguageScope) -> Iterator[LanguageScope]:
    """Run a block in ``scope``, e.g. a widget's page: a widget made in a click's callback (another thread's
    context) then follows the page that shows it."""
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


@lru_cache(maxsize=1)
def glossary() -> tuple[dict, ...]:
    """The kit's Chinese terms (``simfunnel/data/glossary.json``): each with zh, en, a definition in both and the
    names to avoid for the same thing (one name per thing; tests check every zh string against them)."""
    import json

    path = Path(__file__).resolve().parent / "data" / "glossary.json"
    return tuple(json.loads(path.read_text("utf-8"))["terms"])


def set_language(lang: str) -> None:
    """Set the language, ``"zh"`` or ``"en"``, of this notebook (or page, or thread); ValueError names anything else.

    Every live widget made here that follows the language redraws itself in the new one.
    With ``"zh"`` it also makes matplotlib ready for Chinese (:func:`setup_cjk_font`), so a
    user's own chart right after it (``plt.title("赢率")``) shows glyphs, not boxes.
    """
    lang = _check_language(lang)
    if lang == "zh":
        setup_cjk_font()
    language_scope().set(lang)


def on_language_change(callback: Callable[[str], None]) -> None:
    """Call ``callback(lang)`` after each :func:`set_language` in this context; bound methods are held weakly."""
    language_scope().add_listener(callback)


def remove_language_listener(callback: Callable[[str], None]) -> None:
    """Stop calling ``callback`` after :func:`set_language` in this context."""
    language_scope().remove_listener(callback)


def text(pair: tuple[str, str] | dict[str, str], lang: str | None = None, **fields: object) -> str:
    """Pick the zh or en text of a ``(zh, en)`` pair or a ``{"zh": …, "en": …}`` dict, filling ``{fields}``.

    Example:
        >>> text(("第 {n} 周", "week {n}"), "en", n=3)
        'week 3'
    """
    lang = resolve_language(lang)
    chosen = pair[lang] if isinstance(pair, dict) else pair[0 if lang == "zh" else 1]
    return chosen.format(**fields) if fields else chosen


def get_language() -> str:
    """The current context's language, ``"zh"`` or ``"en"`` (see :func:`set_language`)."""
    scope = _scope.get()
    return _initial_language() if scope is None else scope.lang


def resolve_language(lang: str | None = None) -> str:
    """``lang`` if given (checked), else the current context's language."""
    return get_language() if lang is None else _check_language(lang)


def label(key: str, lang: str | None = None, **fields: object) -> str:
    """The label ``key`` in ``lang`` (default: the current language).

    Keyword ``fields`` fill placeholders, e.g. ``label("funnel_title", week=26)``.

    Raises:
        ValueError: an unknown language or label key.
    """
    lang = resolve_language(lang)
    try:
        text = LABELS[key][lang]
    except KeyError:
        raise ValueError(f"unknown label {key!r}; labels are {', '.join(sorted(LABELS))}") from None
    return text.format(**fields) if fields else text


# --- money ------------------------------------------------------------------
def currency_symbol(currency: str = "CNY") -> str:
    """The symbol shown before amounts (``¥`` for CNY); an unknown code is shown as ``"XYZ "``."""
    code = str(currency).upper()
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_money(amount: float, currency: str = "CNY", lang: str | None = None, *, compact: bool = False) -> str:
    """An amount for people: ``¥1,234,567`` in full, or compact for chart labels.

    Compact, Chinese counts in 万 (10⁴) and 亿 (10⁸) from ¥10,000 up
    (``¥12.3万``, ``¥123.5万``, ``¥1.25亿``); English uses k / M / B with three
    significant digits (``¥123k``, ``¥1.23M``). Smaller amounts, and every full
    amount, are whole units with thousands separators. Negative amounts get a
    leading ``-``; a missing amount (None, NaN) is ``—``.

    Example:
        >>> format_money(123_000, lang="zh", compact=True)
        '¥12.3万'
        >>> format_money(123_456, lang="en", compact=True)
        '¥123k'
    """
    lang = resolve_language(lang)
    if amount is None:
        return "—"
    value = float(amount)
    if math.isnan(value):
        return "—"
    symbol = currency_symbol(currency)
    magnitude = abs(value)
    if math.isinf(magnitude):
        number = "∞"
    elif compact and lang == "zh" and magnitude >= 1e4:
        number = _compact_zh(magnitude)
    elif compact and lang == "en" and magnitude >= 1e3:
        number = _compact_en(magnitude)
    else:
        number = f"{magnitude:,.0f}"
    negative = value < 0 and any(c in "123456789∞" for c in number)
    return f"{'-' if negative else ''}{symbol}{number}"


def _compact_zh(v: float) -> str:
    """万 (one decimal) from 10⁴, 亿 (two decimals) from 10⁸; no thousands separators."""
    if v < 1e8 and round(v / 1e4, 1) < 1e4:
        return f"{_trim(f'{v / 1e4:.1f}')}万"
    return f"{_trim(f'{v / 1e8:.2f}')}亿"


def _compact_en(v: float) -> str:
    """k / M / B with three significant digits (999.96k becomes 1M)."""
    units = (("k", 1e3), ("M", 1e6), ("B", 1e9))
    for i, (unit, size) in enumerate(units):
        scaled = v / size
        if scaled >= 1000 and i < len(units) - 1:
            continue
        digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
        text = f"{scaled:.{digits}f}"
        if float(text) >= 1000 and i < len(units) - 1:  # rounding crossed into the next unit
            next_unit, next_size = units[i + 1]
            return f"{_trim(f'{v / next_size:.2f}')}{next_unit}"
        return f"{_trim(text) if scaled < 1000 else f'{scaled:,.0f}'}{unit}"
    raise AssertionError("unreachable")


# --- fonts --------------------------------------------------------------------
def _mplfonts_font_path() -> Path | None:
    """Path of Noto Sans CJK SC inside the installed mplfonts package, without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("mplfonts")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    folders = list(spec.submodule_search_locations or [])
    if not folders and spec.origin:
        folders = [str(Path(spec.origin).parent)]
    for folder in folders:
        path = Path(folder) / "fonts" / MPLFONTS_FILE
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=1)  # the fonts of the process: found once
def _find_cjk_family() -> str | None:
    from matplotlib import font_manager  # noqa: PLC0415 — importing i18n must not load matplotlib

    fm = font_manager.fontManager
    names = {f.name for f in fm.ttflist}
    for family in SYSTEM_CJK_FONTS:
        if family in names:
            return family
    path = _mplfonts_font_path()
    if path is None:
        return None
    if not any(Path(f.fname) == path for f in fm.ttflist):
        fm.addfont(str(path))
    names = {f.name for f in fm.ttflist}
    return MPLFONTS_FAMILY if MPLFONTS_FAMILY in names else None


def setup_cjk_font() -> str | None:
    """Make matplotlib render Chinese; returns the font family used.

    Prefers an installed system CJK font (Noto Sans CJK SC/JP, Source Han Sans SC,
    WenQuanYi, PingFang SC, Microsoft YaHei); otherwise registers Noto Sans CJK SC
    from the ``mplfonts`` package (never ``mplfonts init``, never SimHei). Puts the
    family first in ``font.sans-serif``, sets ``font.family`` to sans-serif and
    turns off the Unicode minus (CJK fonts lack it). Idempotent and cheap on
    repeated calls; call it again after ``rcdefaults()`` or a style change.

    Returns ``None``, with a warning saying how to fix it, when no CJK font can
    be found.
    """
    import matplotlib  # noqa: PLC0415 — importing i18n must not load matplotlib

    # amounts in dollars ("$1.07M · $3.89M") are text, not maths between two $ signs (issue 15); the lessons'
    # formulas are drawn by mathtext directly (simfunnel.app.lessons), which this does not touch
    matplotlib.rcParams["text.parse_math"] = False
    family = _find_cjk_family()
    if family is None:
        warnings.warn(
            "no Chinese font found: Chinese chart labels will show as boxes. "
            "Install one with `pip install mplfonts` (or `apt-get install fonts-noto-cjk`)",
            UserWarning,
            stacklevel=2,
        )
        return None
    rc = matplotlib.rcParams
    current = list(rc["font.sans-serif"])
    if not current or current[0] != family:
        rc["font.sans-serif"] = [family] + [f for f in current if f != family]
    if list(rc["font.family"]) != ["sans-serif"]:
        rc["font.family"] = ["sans-serif"]
    rc["axes.unicode_minus"] = False
    return family
