"""The people of an account: its org chart, and the words and colours for buying roles and brain types.

:func:`org_chart` (sized by :func:`org_chart_size`), :func:`role_icon` (a buying role's animal:
鹰 eagle, 羊 sheep, 驴 donkey, 狐 fox), :func:`brain_label` (a whole-brain type and what that
audience wants), :data:`BRAIN_COLORS` (A blue, B green, C red, D yellow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyBboxPatch, Rectangle

from simfunnel import i18n
from simfunnel.model.generate import BRAIN_TYPES, BUYING_ROLES, FUNCTIONS, LEVELS
from simfunnel.plots.style import MUTED, TEXT_COLOR

if TYPE_CHECKING:
    from matplotlib.axes import Axes


# Whole-brain colours as in Herrmann's model: A blue, B green, C red, D yellow (darkened for text on white).
BRAIN_COLORS = {"A": "#2f6fbf", "B": "#2e8b57", "C": "#c0392b", "D": "#c9970c"}
BRAIN_HINTS = {"A": ("数据与投资回报", "data & ROI"), "B": ("流程与低风险", "process & low risk"),
               "C": ("关系与信赖", "relationship & trust"), "D": ("愿景", "vision")}
# Short role names for the chart's nodes (the long ones are in generate.BUYING_ROLES).
ROLE_SHORT = {"decision_maker": ("决策者", "Decision maker"), "user": ("使用者", "User"),
              "technical_gatekeeper": ("技术把关者", "Tech. gatekeeper"),
              "financial_gatekeeper": ("财务把关者", "Fin. gatekeeper"), "purchaser": ("采购人员", "Purchaser")}
ORG_TEXT = {
    "unknown_role": ("角色？", "role ?"),
    "unknown_brain": ("类型？", "style ?"),
    "coach": ("向导", "coach"),
    "met": ("✓ 已见", "✓ met"),
    "met_week": ("✓ 第{week}周", "✓ wk {week}"),
    "legend_met": ("实线实心 = 已拜访", "solid, filled = met"),
    "legend_not_met": ("虚线空心 = 未拜访", "dashed, empty = not met yet"),
    "legend_unknown": ("？= 还不知道（拜访本人，或由向导告诉你）", "? = not known yet (meet them, or ask the coach)"),
    "no_contacts": ("这个客户还没有联系人资料", "No contacts on file for this account"),
}


def brain_label(brain: str, lang: str | None = None) -> str:
    """A whole-brain type with what that audience wants: ``'A 分析型 · 数据与投资回报'`` / ``'A analytical · data & ROI'``."""
    names = {k: (zh, en) for k, zh, en in BRAIN_TYPES}
    if brain not in names:
        raise ValueError(f"unknown whole-brain type {brain!r}; types are {', '.join(names)}")
    lang = i18n.resolve_language(lang)
    name, hint = i18n.text(names[brain], lang), i18n.text(BRAIN_HINTS[brain], lang)
    return f"{brain} {name if lang == 'zh' else name.lower()} · {hint}"


def role_icon(role: str, lang: str | None = None) -> str:
    """The animal of a buying role in the course's picture: 鹰 / eagle (decision maker), 羊 / sheep (user),
    驴 / donkey (gatekeepers), 狐 / fox (purchaser). Text, not emoji: the CJK font has no emoji glyphs."""
    animals = {k: (a_zh, a_en) for k, _zh, _en, a_zh, a_en in BUYING_ROLES}
    if role not in animals:
        raise ValueError(f"unknown buying role {role!r}; roles are {', '.join(animals)}")
    return i18n.text(animals[role], lang)


_ORG = {"node_w": 1.6, "node_h": 0.74, "gap_x": 0.14, "gap_y": 0.2, "label_w": 0.95, "head_h": 0.34,
        "title_h": 0.72, "legend_h": 0.78, "margin": 0.12, "min_w": 8.2, "max_w": 10.8}


def _org_layout(contacts: pd.DataFrame) -> dict:
    """Where each contact goes: levels as rows (decision on top), functions present as columns.

    Contacts sharing a level and a function sit side by side (two per line) or stacked,
    whichever keeps the chart within ``max_w`` inches and smaller.
    """
    levels = [k for k, *_ in LEVELS][::-1]  # decision, management, operational
    functions = [k for k, *_ in FUNCTIONS if (contacts["function"].astype(str) == k).any()] if len(contacts) else []
    lv = contacts["level"].astype(str).to_numpy()
    fn = contacts["function"].astype(str).to_numpy()
    cells = {(a, b): np.flatnonzero((lv == a) & (fn == b)) for a in levels for b in functions}
    options = [_org_grid(levels, functions, cells, per) for per in (2, 1)]
    fitting = [o for o in options if o["width"] <= _ORG["max_w"]]
    if fitting:
        return min(fitting, key=lambda o: o["width"] * o["height"])
    return min(options, key=lambda o: o["width"])


def _org_grid(levels: list, functions: list, cells: dict, per: int) -> dict:
    g = _ORG
    sub_cols = {b: max([min(len(cells[a, b]), per) for a in levels] + [1]) for b in functions}
    sub_rows = {a: max([-(-len(cells[a, b]) // per) for b in functions] + [1]) for a in levels}
    col_w = {b: sub_cols[b] * (g["node_w"] + g["gap_x"]) + g["gap_x"] for b in functions}
    empty = {a: not any(len(cells[a, b]) for b in functions) for a in levels}
    row_h = {a: 0.5 if empty[a] else sub_rows[a] * (g["node_h"] + g["gap_y"]) + g["gap_y"] for a in levels}
    body_w = sum(col_w.values()) if functions else 4.0
    width = max(g["label_w"] + body_w + 2 * g["margin"], g["min_w"])
    height = g["title_h"] + g["head_h"] + sum(row_h.values()) + g["legend_h"]
    return {"levels": levels, "functions": functions, "cells": cells, "col_w": col_w, "row_h": row_h,
            "sub_cols": sub_cols, "width": width, "height": height}


def org_chart_size(contacts: pd.DataFrame) -> tuple[float, float]:
    """The figure size (inches) at which :func:`org_chart` draws ``contacts`` with nothing cramped."""
    layout = _org_layout(contacts)
    return layout["width"], layout["height"]


def org_chart(
    contacts: pd.DataFrame,
    met=(),
    ax: "Axes | None" = None,
    lang: str | None = None,
    *,
    roles_known=None,
    brains_known=None,
    coach_known: bool = True,
    title: str | None = None,
    subtitle: str | None = None,
) -> "Axes":
    """One account's people as an org chart: levels as rows (决策层 on top), functions as columns.

    Each contact is a node with the animal of its buying role (鹰 eagle = decision maker,
    羊 sheep = user, 驴 donkey = gatekeeper, 狐 fox = purchaser; text, as the CJK font has
    no emoji), the name, the role and the whole-brain type, whose colour is the node's
    (A blue, B green, C red, D yellow). Contacts met are drawn solid and filled, the others
    dashed and empty. The coach (向导) carries a gold ★ tab. What the seller does not know
    yet is drawn as "?" and grey: pass ``roles_known`` / ``brains_known`` (contact ids) and
    ``coach_known`` to hide it; by default everything is shown (a plain chart of the data).

    Args:
        contacts: one account's rows of ``World.contacts`` (contact_id, name_zh, name_en,
            function, level, buying_role, coach, brain_type).
        met: contact ids met, or a mapping contact id → week met (shown on the node).
        ax: Axes to draw on. The chart is laid out in inches: give it a figure of
            :func:`org_chart_size` (the default, ``ax=None``, makes one) with the Axes filling it.
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        roles_known, brains_known: contact ids whose buying role / brain type the seller
            knows (``None``: all).
        coach_known: whether the coach is marked.
        title, subtitle: drawn at the top (e.g. the account's name and its facts).

    Raises:
        ValueError: a missing column, or contacts of more than one account.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import simfunnel as sf
        >>> from simfunnel import plots
        >>> people = sf.generate(accounts=5, seed=1).contacts.query("account_id == 1")
        >>> ax = plots.org_chart(people, met=[int(people.contact_id.iloc[0])], lang="en")
        >>> "eagle" in [t.get_text() for t in ax.texts]
        True
    """
    need = ("contact_id", "name_zh", "name_en", "function", "level", "buying_role", "coach", "brain_type")
    if not isinstance(contacts, pd.DataFrame):
        raise ValueError(f"org_chart: expected a contacts DataFrame, got {type(contacts).__name__}")
    missing = [c for c in need if c not in contacts.columns]
    if missing:
        raise ValueError(f"org_chart: the contacts table has no column {missing[0]!r} (needs {', '.join(need)})")
    if "account_id" in contacts.columns and contacts["account_id"].nunique() > 1:
        raise ValueError("org_chart: draw one account at a time (the contacts belong to "
                         f"{contacts['account_id'].nunique()} accounts)")
    lang = i18n.resolve_language(lang)
    i18n.setup_cjk_font()
    met_weeks = dict(met) if isinstance(met, dict) else {c: None for c in met}
    ids = contacts["contact_id"].to_numpy()
    role_ok = np.ones(len(ids), bool) if roles_known is None else np.isin(ids, list(roles_known))
    brain_ok = np.ones(len(ids), bool) if brains_known is None else np.isin(ids, list(brains_known))
    layout = _org_layout(contacts)
    g = _ORG
    width, height = layout["width"], layout["height"]
    if ax is None:
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal", adjustable="box")
    t = lambda key, **f: i18n.text(ORG_TEXT[key], lang, **f)  # noqa: E731
    li = 0 if lang == "zh" else 1
    m = g["margin"]
    if title:
        ax.text(m, height - 0.12, title, ha="left", va="top", fontsize=13, color=TEXT_COLOR)
    if subtitle:
        ax.text(m, height - 0.44, subtitle, ha="left", va="top", fontsize=9, color=MUTED)
    fn_names = {k: (zh, en) for k, zh, en in FUNCTIONS}
    lv_names = {k: (zh, en) for k, zh, en in LEVELS}
    top = height - g["title_h"]
    x0 = m + g["label_w"]
    col_x, x = {}, x0
    for b in layout["functions"]:
        col_x[b] = x
        ax.text(x + layout["col_w"][b] / 2, top - g["head_h"] / 2, fn_names[b][li], ha="center", va="center",
                fontsize=9, color=TEXT_COLOR)
        x += layout["col_w"][b]
    right = max(x, x0 + 4.0)
    y = top - g["head_h"]
    if not layout["functions"]:
        ax.text(x0, y - 0.5, t("no_contacts"), ha="left", va="center", fontsize=10, color=MUTED)
    names = contacts[f"name_{lang}"].astype(str).to_numpy()
    roles = contacts["buying_role"].astype(str).to_numpy()
    brains = contacts["brain_type"].astype(str).to_numpy()
    coach = contacts["coach"].to_numpy(dtype=bool)
    nw, nh = g["node_w"], g["node_h"]
    for i, a in enumerate(layout["levels"]):
        h = layout["row_h"][a]
        ax.add_patch(Rectangle((m, y - h), right - m, h, fc="#f3f6fa" if i % 2 == 0 else "#ffffff", ec="none",
                               zorder=0))
        ax.text(m + 0.08, y - h / 2, lv_names[a][li], ha="left", va="center", fontsize=10, color=TEXT_COLOR)
        for b in layout["functions"]:
            members = layout["cells"][a, b]
            per = layout["sub_cols"][b]
            for j, p in enumerate(members):
                cx = col_x[b] + g["gap_x"] + (j % per) * (nw + g["gap_x"])
                cy = y - g["gap_y"] - (j // per) * (nh + g["gap_y"]) - nh
                _org_node(ax, cx, cy, nw, nh, name=names[p], role=roles[p] if role_ok[p] else None,
                          brain=brains[p] if brain_ok[p] else None, is_met=ids[p] in met_weeks,
                          week=met_weeks.get(ids[p]), coach=bool(coach[p]) and coach_known, lang=lang,
                          patch=FancyBboxPatch)
        y -= h
    _org_legend(ax, m, y - 0.12, right, lang)
    return ax


def _org_node(ax, x, y, w, h, *, name, role, brain, is_met, week, coach, lang, patch) -> None:
    """One contact: a rounded box coloured by brain type, the role's animal on the left, texts on the right."""
    t = lambda key, **f: i18n.text(ORG_TEXT[key], lang, **f)  # noqa: E731
    color = BRAIN_COLORS.get(brain, "#8a96a3") if brain else "#8a96a3"
    face = _tint(color, 0.78) if is_met else "white"
    ax.add_patch(patch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.08", fc=face, ec=color,
                       lw=2.0 if is_met else 1.3, ls="-" if is_met else (0, (3, 2)), zorder=2))
    icon = role_icon(role, lang) if role else "?"
    bx, by = x + 0.27, y + h / 2 + 0.07
    ax.add_patch(patch((bx - 0.22, by - 0.17), 0.44, 0.34, boxstyle="round,pad=0,rounding_size=0.1",
                       fc="#3d4a5c" if role else "#b8c0ca", ec="none", zorder=3))
    size = 11 if lang == "zh" or not role else (7 if len(icon) <= 5 else 6.3)
    ax.text(bx, by, icon, ha="center", va="center", fontsize=size, color="white", zorder=4)
    tx = x + 0.55
    ax.text(tx, y + h - 0.09, name, ha="left", va="top", fontsize=9, color=TEXT_COLOR, zorder=4)
    role_text = i18n.text(ROLE_SHORT[role], lang) if role else t("unknown_role")
    ax.text(tx, y + h / 2 - 0.02, role_text, ha="left", va="center", fontsize=7.5,
            color=TEXT_COLOR if role else MUTED, zorder=4)
    if brain:
        name_b = {k: (zh, en) for k, zh, en in BRAIN_TYPES}[brain]
        brain_text = f"{brain} {i18n.text(name_b, lang) if lang == 'zh' else name_b[1].lower()}"
    else:
        brain_text = t("unknown_brain")
    ax.text(tx, y + 0.08, brain_text, ha="left", va="bottom", fontsize=7.5, color=color if brain else MUTED,
            zorder=4)
    if is_met:
        mark = t("met") if week is None else t("met_week", week=week)
        ax.text(bx, y + 0.05, mark, ha="center", va="bottom", fontsize=6.5, color="#1b5e20", zorder=4)
    if coach:
        ax.text(x + w - 0.04, y + h + 0.01, "★ " + t("coach"), ha="right", va="center", fontsize=7.5,
                color="#6b4e00", zorder=5,
                bbox={"boxstyle": "round,pad=0.18", "fc": "#ffd54f", "ec": "#b8860b", "lw": 0.8})


def _tint(color: str, amount: float) -> tuple[float, float, float]:
    """``color`` mixed with white (``amount`` = share of white)."""
    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _org_legend(ax, x, y, right, lang) -> None:
    """Brain-type colours (two per line), then what filled, dashed, ★ and ? mean."""
    t = lambda key: i18n.text(ORG_TEXT[key], lang)  # noqa: E731
    half = (right - x) / 2
    for k, brain in enumerate("ABCD"):
        lx, ly = x + (k % 2) * half, y - (k // 2) * 0.2
        ax.add_patch(Rectangle((lx, ly - 0.06), 0.16, 0.12, fc=_tint(BRAIN_COLORS[brain], 0.6),
                               ec=BRAIN_COLORS[brain], lw=1.2))
        ax.text(lx + 0.22, ly, brain_label(brain, lang), ha="left", va="center", fontsize=8, color=TEXT_COLOR)
    ly = y - 0.44
    note = f"{t('legend_met')}  ·  {t('legend_not_met')}  ·  ★ {i18n.text(ORG_TEXT['coach'], lang)}  ·  " \
           f"{t('legend_unknown')}"
    ax.text(x, ly, note, ha="left", va="center", fontsize=8, color=MUTED)
