"""Charts of a workshop's teams: the trainer's leaderboard and the debrief.

Leaderboard (:mod:`simfunnel.widgets.leaderboard`): :func:`team_chart` (four panels comparing teams)
and :func:`team_weeks_chart` (booked week by week). Debrief (:mod:`simfunnel.workshop.debrief`):
:func:`round_chart` (the indicators round by round) and :func:`branch_chart` (a what-if branch
against the original). A team has the same colour in all of them (:func:`team_colors`), and is labelled with
its name for people when ``names`` (team key → name, the store's ``team_names(lang)``) is given; the gids keep
the keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, PercentFormatter

from simfunnel import i18n
from simfunnel.plots.style import (
    BOOKED_COLOR,
    FORECAST_COLOR,
    MUTED,
    QUOTA_COLOR,
    TEXT_COLOR,
    literal,
    money_formatter,
    new_axes,
    plain_axes,
    require_indicator_columns,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


TEAM_TEXT = {
    "team_title": ("各组对比（第 {week} 周）", "Teams compared (week {week})"),
    "team_booked": ("已成交 / 任务", "Booked / quota"),
    "team_accuracy": ("预测准确度", "Forecast accuracy"),
    "team_progress": ("销售进展 / 基准", "Progress / benchmark"),
    "team_quiz": ("答题得分", "Quiz score"),
    "team_weeks_title": ("已成交（逐周累计）", "Booked, week by week"),
    "team_week_axis": ("本季度第几周", "Week of the quarter"),
    "team_quota": ("任务", "quota"),
    "team_none": ("还没有数据", "no data yet"),
}
TEAM_PANELS = (("booked_vs_quota", "team_booked", True), ("forecast_accuracy", "team_accuracy", True),
               ("progress_vs_benchmark", "team_progress", False), ("quiz_score", "team_quiz", True))
TEAM_COLORS = ("#1f5fa8", "#c0392b", "#2e8b57", "#c9970c", "#7b3294", "#16a2b8", "#8c564b", "#e377c2",
               "#555555", "#bcbd22")


def team_colors(n: int) -> list[str]:
    """A colour per team, the same in every team chart (cycled beyond ten teams)."""
    return [TEAM_COLORS[i % len(TEAM_COLORS)] for i in range(n)]


# Teams playing the same world (``--same-world``) can draw the very same line: each team's line also has a
# marker, a marker size and a dash pattern of its own, so a line drawn over another still shows the one below.
TEAM_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")
TEAM_DASHES = ("-", (0, (6, 2)), (0, (2, 2)), (0, (6, 2, 2, 2)), (0, (1, 1)), (0, (8, 3, 1, 3)))


def team_dodge(i: int, n: int, step: float = 0.07) -> float:
    """A small sideways shift of team ``i``'s points (of ``n``) on a week or round axis: teams with the same
    numbers draw side by side instead of one over the other."""
    return (i - (n - 1) / 2) * step


def team_line_styles(n: int) -> list[dict]:
    """Keyword arguments of ``ax.plot`` for team ``i`` of ``n``: colour, marker, size and dashes (earlier teams'
    markers larger, so identical lines stack as nested marks)."""
    return [{"color": c, "marker": TEAM_MARKERS[i % len(TEAM_MARKERS)], "ms": max(3.0, 7.0 - 0.5 * i),
             "ls": TEAM_DASHES[i % len(TEAM_DASHES)], "lw": 2} for i, c in enumerate(team_colors(n))]


def team_chart(board: pd.DataFrame, axes=None, lang: str | None = None, names: Mapping[str, str] | None = None) -> list:
    """Four small bar charts comparing teams: booked / quota, forecast accuracy, progress / benchmark, quiz score.

    Args:
        board: :meth:`simfunnel.workshop.store.WorkshopStore.leaderboard` (columns team, week and the four).
        axes: four Axes to draw on (a new 12×3.4 inch figure when ``None``).
        lang: ``"zh"`` or ``"en"``.
        names: team key → the name shown (default: the keys).

    A missing value (no reply classified yet, no week played) shows as "—" without a bar.
    The bars carry gid ``team-<column>``. Returns the four Axes.
    """
    lang = i18n.resolve_language(lang)
    require_indicator_columns(board, ("team", "week") + tuple(c for c, _, _ in TEAM_PANELS), "team_chart")
    i18n.setup_cjk_font()
    if axes is None:
        _, axes = plt.subplots(1, 4, figsize=(12, 3.4))
    axes = list(np.ravel(axes))
    if len(axes) != len(TEAM_PANELS):
        raise ValueError(f"team_chart: pass {len(TEAM_PANELS)} Axes, got {len(axes)}")
    teams = [(names or {}).get(t, t) for t in board["team"].astype(str)]
    colors = team_colors(len(teams))
    y = np.arange(len(teams))
    for ax, (column, key, share) in zip(axes, TEAM_PANELS):
        values = board[column].to_numpy(dtype=float)
        shown = np.where(np.isfinite(values), values, 0.0)
        ax.barh(y, shown, color=colors, height=0.65, gid=f"team-{column}")
        top = max(float(np.nanmax(values)) if np.isfinite(values).any() else 0.0, 1.0 if share else 1.2)
        for i, v in enumerate(values):
            label = "—" if not np.isfinite(v) else (f"{v:.0%}" if share else f"{v:.2f}")
            ax.text(max(v, 0.0) if np.isfinite(v) else 0.0, i, " " + label, va="center", fontsize=9, color=TEXT_COLOR)
        if column == "progress_vs_benchmark":
            ax.axvline(1.0, color=QUOTA_COLOR, ls="--", lw=1)
        ax.set_xlim(min(0.0, float(np.nanmin(shown)) * 1.2), top * 1.3)
        ax.set_yticks(y, [literal(t) for t in teams])
        ax.invert_yaxis()
        ax.set_title(i18n.text(TEAM_TEXT[key], lang), loc="left", fontsize=11)
        if share:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.xaxis.set_major_locator(MaxNLocator(3))
        plain_axes(ax)
    return axes


def team_weeks_chart(tables: dict, quota: float | dict, ax: "Axes | None" = None, lang: str | None = None,
                     currency: str = "CNY", names: Mapping[str, str] | None = None) -> "Axes":
    """Each team's booked amount ``B_t`` week by week of the quarter, against the quota.

    Args:
        tables: team → its :func:`~simfunnel.analysis.metrics.indicators` table (rows t = 0 … weeks played).
        quota: the quota (one for all, or team → quota; drawn once when all are equal).
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.
        names: team key → the name in the legend (default: the keys).

    Each team's line carries gid ``team-weeks-<team>``.
    """
    lang = i18n.resolve_language(lang)
    i18n.setup_cjk_font()
    ax = new_axes(ax)
    quotas = quota if isinstance(quota, dict) else {team: quota for team in tables}
    styles = team_line_styles(len(tables))
    n = 13
    for table in tables.values():
        require_indicator_columns(table, ("t", "booked"), "team_weeks_chart")
        n = max(n, int(table["t"].max()) if len(table) else 0)
    for i, (style, (team, table)) in enumerate(zip(styles, tables.items())):
        ax.plot(table["t"] + team_dodge(i, len(tables)), table["booked"], **style,
                label=literal((names or {}).get(team, team)), gid=f"team-weeks-{team}")
    values = sorted({float(q) for q in quotas.values()})
    if len(values) == 1:
        ax.axhline(values[0], color=QUOTA_COLOR, ls="--", lw=1)
        ax.text(n, values[0], i18n.text(TEAM_TEXT["team_quota"], lang) + " "
                + i18n.format_money(values[0], currency, lang, compact=True),
                ha="right", va="bottom", fontsize=9, color=QUOTA_COLOR)
    if not tables:
        ax.text(0.5, 0.5, i18n.text(TEAM_TEXT["team_none"], lang), transform=ax.transAxes, ha="center", color=MUTED)
    ax.set_xlim(0, n)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(money_formatter(currency, lang))
    ax.set_xlabel(i18n.text(TEAM_TEXT["team_week_axis"], lang))
    ax.set_title(i18n.text(TEAM_TEXT["team_weeks_title"], lang), loc="left", fontsize=12)
    if tables:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    ax.grid(color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


DEBRIEF_TEXT = {
    "round_forecast": ("每回合结束时的销售预计", "Forecast at each round's end"),
    "round_booked": ("每回合结束时的已成交", "Booked at each round's end"),
    "round_progress": ("每回合平均销售进展 / 基准（1 = 按进度）", "Mean progress per round / benchmark (1 = on pace)"),
    "round_axis": ("回合", "Round"),
    "round_start": ("开始", "start"),
    "round_quota": ("任务", "quota"),
    "branch_title": ("假设分支：{team}，第 {round} 回合", "What if: {team}, round {round}"),
    "branch_forecast": ("销售预计（原来）", "Forecast (original)"),
    "branch_forecast_b": ("销售预计（假设分支）", "Forecast (branch)"),
    "branch_booked": ("已成交（原来）", "Booked (original)"),
    "branch_booked_b": ("已成交（假设分支）", "Booked (branch)"),
    "branch_change": ("改变", "change"),
}


def _debrief_axes(ax: "Axes") -> None:
    ax.grid(color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def round_chart(table: pd.DataFrame, axes=None, lang: str | None = None, currency: str = "CNY",
                names: Mapping[str, str] | None = None) -> list:
    """The three indicators round by round, a line per team: forecast and booked at each round's end,
    and each round's mean weekly progress over the benchmark (1 = on pace for the quota).

    Args:
        table: :func:`simfunnel.workshop.debrief.round_indicators` (team, round, forecast, booked, progress,
            benchmark, quota); round 0 is the start.
        axes: three Axes to draw on (a new 13×3.8 inch figure when ``None``).
        lang: ``"zh"`` or ``"en"``; currency: of the amounts; names: team key → the name in the legend.

    Lines carry gid ``round-<column>-<team>``. Returns the three Axes.
    """
    lang = i18n.resolve_language(lang)
    require_indicator_columns(table, ("team", "round", "forecast", "booked", "progress", "benchmark", "quota"),
                              "round_chart")
    i18n.setup_cjk_font()
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
    axes = list(np.ravel(axes))
    if len(axes) != 3:
        raise ValueError(f"round_chart: pass 3 Axes, got {len(axes)}")
    teams = list(dict.fromkeys(table["team"].astype(str)))
    styles = dict(zip(teams, team_line_styles(len(teams))))
    text = lambda key: i18n.text(DEBRIEF_TEXT[key], lang)  # noqa: E731
    last = int(table["round"].max()) if len(table) else 1
    for i, team in enumerate(teams):
        rows = table[table["team"].astype(str) == team].sort_values("round")
        x = rows["round"].to_numpy(dtype=float) + team_dodge(i, len(teams))
        axes[0].plot(x, rows["forecast"], **styles[team], label=literal((names or {}).get(team, team)),
                     gid=f"round-forecast-{team}")
        axes[1].plot(x, rows["booked"], **styles[team], gid=f"round-booked-{team}")
        bench = rows["benchmark"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(bench > 0, rows["progress"].to_numpy(dtype=float) / bench, np.nan)
        axes[2].plot(x[1:], ratio[1:], **styles[team], gid=f"round-progress-{team}")
    quotas = sorted({float(q) for q in table["quota"]})
    if len(quotas) == 1:
        axes[1].axhline(quotas[0], color=QUOTA_COLOR, ls="--", lw=1)
        quota_text = f"{text('round_quota')} {i18n.format_money(quotas[0], currency, lang, compact=True)}"
        axes[1].text(0.02, quotas[0], quota_text, transform=axes[1].get_yaxis_transform(), ha="left", va="bottom",
                     fontsize=9, color=QUOTA_COLOR)
    axes[2].axhline(1.0, color=QUOTA_COLOR, ls="--", lw=1)
    for ax, key in zip(axes, ("round_forecast", "round_booked", "round_progress")):
        ax.set_title(text(key), loc="left", fontsize=11)
        ax.set_xlabel(text("round_axis"))
        first = 0 if ax is not axes[2] else 1
        # a round is a whole number: with one round played MaxNLocator fell back to 0.7, 0.8 … shown as "1 1 1"
        ax.xaxis.set_major_locator(FixedLocator(range(first, last + 1)) if last - first <= 12
                                   else MaxNLocator(integer=True, nbins=8))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: text("round_start") if v == 0 else f"{v:.0f}"))
        ax.set_xlim(-0.3 if ax is not axes[2] else 0.7, last + 0.3)
        _debrief_axes(ax)
    for ax in axes[:2]:
        ax.yaxis.set_major_formatter(money_formatter(currency, lang))
        ax.set_ylim(bottom=0)
    if teams:
        axes[2].legend(*axes[0].get_legend_handles_labels(), loc="upper left", bbox_to_anchor=(1.02, 1.0),
                       fontsize=9, frameon=False)
    return axes


def branch_chart(branch, ax: "Axes | None" = None, lang: str | None = None) -> "Axes":
    """A what-if branch against the original, week by week: forecast and booked, the change week marked.

    Args:
        branch: a :class:`simfunnel.workshop.debrief.Branch`.
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.

    The original is drawn solid, the branch dashed (gid ``branch-<forecast|booked>-<original|branch>``);
    the two coincide before the change week, drawn as a dotted line (gid ``branch-change``).
    """
    lang = i18n.resolve_language(lang)
    i18n.setup_cjk_font()
    ax = new_axes(ax)
    text = lambda key, **f: i18n.text(DEBRIEF_TEXT[key], lang, **f)  # noqa: E731
    diff = branch.difference()
    x = diff["week"].to_numpy(dtype=float)
    for col, color, key in (("forecast", FORECAST_COLOR, "branch_forecast"), ("booked", BOOKED_COLOR, "branch_booked")):
        ax.plot(x, diff[f"{col}_original"], color=color, lw=2.2, marker="o", ms=3, label=text(key),
                gid=f"branch-{col}-original")
        ax.plot(x, diff[f"{col}_branch"], color=color, lw=2.2, ls="--", marker="s", ms=3, mfc="white",
                label=text(key + "_b"), gid=f"branch-{col}-branch")
    ax.axvline(branch.change_week - 0.5, color=MUTED, ls=":", lw=1.5, gid="branch-change")
    ax.text(branch.change_week - 0.45, 1.0, text("branch_change"), transform=ax.get_xaxis_transform(), ha="left",
            va="top", fontsize=9, color=MUTED)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(money_formatter(branch.currency, lang))
    ax.set_ylim(bottom=0)
    ax.set_xlabel(i18n.label("week", lang))
    team = getattr(branch, "team_zh" if lang == "zh" else "team_en", "") or f"team {branch.team}"  # its name
    ax.set_title(text("branch_title", team=literal(team), round=branch.at_round), loc="left", fontsize=12)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    _debrief_axes(ax)
    return ax
