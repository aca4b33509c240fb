"""The debrief's handout: one self-contained HTML file (charts embedded as PNG) in zh or en, to print or share.

:func:`write_handout` lays out what :func:`simfunnel.workshop.debrief.report` reads from the store: the
leaderboard, the indicators round by round, the market events that hit, the what-if branches, each team's
timeline. It imports matplotlib (and :mod:`simfunnel.plots`) only when it draws, so the workshop's pure
modules load without it.
"""

from __future__ import annotations

import base64
import html
import os
import io
import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import pandas as pd

from simfunnel import i18n
from simfunnel.workshop.knowledge import GAIN_TEXT, gain_html
from simfunnel.workshop.played import TEXT, action_label, money, phrase, plays_in_rounds, round_names
from simfunnel.workshop.scoring import score_formula
from simfunnel.workshop.whatif import SUMMARY_METRICS, Branch

if TYPE_CHECKING:
    from simfunnel.workshop.store import WorkshopStore

__all__ = ["write_handout"]

_CSS = """
body {font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial,
      sans-serif; color: #222; margin: 24px auto; max-width: 1100px; padding: 0 16px; line-height: 1.45}
h1 {font-size: 26px; font-weight: 600; margin: 0 0 4px}
h2 {font-size: 20px; font-weight: 600; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #c9d3e0}
h3 {font-size: 16px; font-weight: 600; margin: 22px 0 6px}
p.meta, p.note {color: #555; font-size: 13px; margin: 4px 0 10px}
ul.note {color: #555; font-size: 13px; margin: 0 0 10px; padding-left: 22px}
img {max-width: 100%; height: auto; display: block; margin: 8px 0}
table {border-collapse: collapse; font-size: 13px; margin: 6px 0 12px}
th {text-align: right; padding: 4px 10px; border-bottom: 2px solid #c9d3e0; font-weight: 600; color: #33404d;
    white-space: nowrap}
td {text-align: right; padding: 3px 10px; border-bottom: 1px solid #e5e9ef; vertical-align: top}
td.l, th.l {text-align: left}
td.team {text-align: left; white-space: nowrap}
table.compact th, table.compact td {padding: 3px 6px}
td.text {text-align: left; max-width: 700px}
tr.first td {background: #eef6ee}
tr.k-event td {background: #fff6e0}
tr.k-round_open td, tr.k-round_close td {color: #555; background: #f4f6f9}
tr.k-withdrawn td, tr.k-default td {color: #777}
td.up {color: #1e7b45} td.down {color: #b03a2e}
td.good {background: #e3f3e6} td.bad {background: #f8e1df}
span.dot {display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 6px}
@media print {body {margin: 0; max-width: none} h2 {page-break-after: avoid} tr, img {page-break-inside: avoid}}
"""


def _png(fig) -> str:
    """A figure as a base64 PNG (no pyplot: the figure is dropped afterwards)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(fig, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_png(fig)}">'


def _pct(value: float, digits: int = 0) -> str:
    return "—" if value is None or not math.isfinite(float(value)) else f"{float(value):.{digits}%}"


def _ratio(value: float) -> str:
    return "—" if value is None or not math.isfinite(float(value)) else f"{float(value):.2f}"


def _table(heads: Sequence[tuple[str, str]], rows: Sequence[Sequence[tuple[str, str]]],
           row_classes: Sequence[str] | None = None, klass: str = "") -> str:
    """An HTML table: heads and cells are (text already escaped, css class)."""
    head = "".join(f'<th class="{c}">{h}</th>' for h, c in heads)
    body = []
    for i, cells in enumerate(rows):
        row_class = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        body.append(f"<tr{row_class}>" + "".join(f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>"
                                            for v, c in cells) + "</tr>")
    table = f'<table class="{klass}">' if klass else "<table>"
    return f"{table}<tr>{head}</tr>{''.join(body)}</table>"


def _team_cell(team: str, color: str) -> tuple[str, str]:
    return f'<span class="dot" style="background:{color}"></span>{html.escape(team)}', "team"


def _to_date(row: pd.Series) -> float:
    """Booked against the quota of the weeks played (NaN before a week is played)."""
    to_date = float(row.get("quota_to_date", math.nan))
    return float(row["booked"]) / to_date if to_date > 0 else math.nan


def _quiz_cell(row: pd.Series, lang: str) -> str:
    """The quiz's share right, with the replies answered and those left unanswered (never shown as 0 %)."""
    moves, answered = int(row.get("moves", 0)), int(row.get("quiz_answered", 0))
    if moves == 0:
        return html.escape(phrase("quiz_none", lang))
    key = "quiz_n_open" if answered < moves else "quiz_n"
    return html.escape(_pct(row["quiz_score"]) + phrase(key, lang, n=answered, open=moves - answered))


def _board_section(store: "WorkshopStore", board: pd.DataFrame, lang: str) -> list[str]:
    from matplotlib.figure import Figure  # noqa: PLC0415 — matplotlib only when a handout is drawn

    from simfunnel import plots  # noqa: PLC0415 — it loads matplotlib

    t = lambda key, **f: html.escape(phrase(key, lang, **f))  # noqa: E731
    fig = Figure(figsize=(12, 0.9 + 0.42 * max(len(board), 4)), layout="constrained")
    plots.team_chart(board, axes=fig.subplots(1, 4), lang=lang, names=store.team_names(lang))  # the store's order
    chart = _img(fig, phrase("h_board", lang))
    colors = dict(zip(board["team"].astype(str), plots.team_colors(len(board))))
    has_score = "score" in board.columns
    if has_score:
        board = board.sort_values(["rank", "team"] if "rank" in board.columns else ["score"],
                                  ascending=[True, True] if "rank" in board.columns else [False], kind="stable")
    else:
        board = board.sort_values("booked", ascending=False, kind="stable")
    board = board.reset_index(drop=True)
    heads = [(t("rank"), ""), (t("team"), "l"), (t("week"), ""), (t("moves"), ""), (t("booked"), ""),
             (t("forecast_accuracy"), ""), (t("progress_vs_benchmark"), ""), (t("records_entered"), ""),
             (t("quiz_score"), "")] + ([(t("score"), "")] if has_score else [])
    rows = []
    for i, r in board.iterrows():
        rank = int(r["rank"]) if has_score and "rank" in board.columns else i + 1
        cells = [(str(rank), ""), _team_cell(store.team_name(str(r["team"]), lang), colors[str(r["team"])]), (str(int(r["week"])), ""),
                 (str(int(r["moves"])), ""),
                 (html.escape(money(store, r["booked"], lang)) + f" ({t('of_quota')} {_pct(r['booked_vs_quota'])} · "
                  f"{t('to_date')} {_pct(_to_date(r))})",
                  ""),
                 (_pct(r["forecast_accuracy"]), ""), (_ratio(r["progress_vs_benchmark"]), ""),
                 (f"{int(r['records_entered']):,}", ""), (_quiz_cell(r, lang), "")]
        if has_score:
            cells.append(("—" if not math.isfinite(float(r["score"])) else f"{float(r['score']):.0f}", ""))
        rows.append(cells)
    out = [f"<h2>{t('h_board')}</h2>", _table(heads, rows, ["first"] + [""] * (len(rows) - 1))]
    weights = getattr(store, "weights", None) if has_score else None
    if isinstance(weights, Mapping) and weights:
        listed = ("，" if lang == "zh" else ", ").join(f"{phrase(k, lang) if k in TEXT else k} {v:g}"
                                                      for k, v in weights.items())
        heading, *lines = score_formula(weights, lang, int(store.config.get("period_weeks", 13)))
        out.append(f'<p class="note">{t("weights", weights=listed)}{"" if lang == "zh" else " "}{html.escape(heading)}</p>')
        out.append('<ul class="note">' + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
    else:
        out.append(f'<p class="note">{t("no_score")}</p>')
    out.append(f'<p class="note">{t("board_note")}</p>')
    return out + [chart]


def _rounds_section(store: "WorkshopStore", table: pd.DataFrame, lang: str, colors: dict[str, str]) -> list[str]:
    from matplotlib.figure import Figure  # noqa: PLC0415 — matplotlib only when a handout is drawn

    from simfunnel import plots  # noqa: PLC0415 — it loads matplotlib

    t = lambda key, **f: html.escape(phrase(key, lang, **f))  # noqa: E731
    out = [f"<h2>{t('h_rounds')}</h2>", f'<p class="note">{t("rounds_note")}</p>']
    if not (table["round"] > 0).any():
        return out + [f'<p class="note">{t("no_rounds")}</p>']
    fig = Figure(figsize=(13, 4.0), layout="constrained")
    plots.round_chart(table, axes=fig.subplots(1, 3), lang=lang, currency=store.config.get("currency", "CNY"),
                      names=store.team_names(lang))
    out.append(_img(fig, phrase("h_rounds", lang)))
    numbers = sorted(int(r) for r in table["round"].unique() if r > 0)
    heads = [(t("team"), "l")] + [(t("round_n", n=n), "") for n in numbers] + [(t("benchmark"), "")]
    rows = []
    for team, rows_of in table.groupby("team", sort=False):
        by_round = rows_of.set_index("round")
        bench = float(rows_of["benchmark"].iloc[0])
        cells = [_team_cell(store.team_name(str(team), lang), colors[str(team)])]
        for n in numbers:
            if n not in by_round.index:
                cells.append(("", ""))
                continue
            p = float(by_round.loc[n, "progress"])
            cells.append((_pct(p, 1), "good" if p >= bench else "bad"))
        cells.append((_pct(bench, 1), ""))
        rows.append(cells)
    out += [f'<h3>{t("progress_table")}</h3>', _table(heads, rows, klass="compact" if len(numbers) > 6 else "")]
    return out


def _events_section(store: "WorkshopStore", lang: str) -> list[str]:
    """The market events that have hit (what the trainees met), if any."""
    reader = getattr(store, "events", None)
    if not callable(reader):
        return []
    events = reader(lang=lang)
    events = events[events["hit"].astype(bool)]
    if not len(events):
        return []
    t = lambda key, **f: html.escape(phrase(key, lang, **f))  # noqa: E731
    rows = [[(str(int(e["round"])), ""), (str(int(e["week"])), ""),
             (t("all_teams") if e["team"] is None else html.escape(store.team_name(str(e["team"]), lang)), "l"),
             (html.escape(str(e["text"])), "text")] for e in events.to_dict("records")]
    return [f"<h2>{t('h_events')}</h2>",
            _table([(t("round"), ""), (t("week"), ""), (t("teams"), "l"), (t("details"), "l")], rows)]


def _branch_section(store: "WorkshopStore", branches: Sequence[Branch], lang: str) -> list[str]:
    from matplotlib.figure import Figure  # noqa: PLC0415 — matplotlib only when a handout is drawn

    from simfunnel import plots  # noqa: PLC0415 — it loads matplotlib

    t = lambda key, **f: html.escape(phrase(key, lang, **f))  # noqa: E731
    out = [f"<h2>{t('h_branches')}</h2>"]
    if not branches:
        return out + [f'<p class="note">{t("no_branches")}</p>']
    out.append(f'<p class="note">{t("branch_note")}</p>')
    for b in branches:
        names = round_names(b.at_round, b.round_kind)
        out.append(f"<h3>{t('branch_head', team_zh=b.team_zh, team_en_cap=b.team_en_cap, week=b.change_week, **names)}"
                   "</h3>")
        out.append(f"<p>{html.escape(b.describe(lang))}</p>")
        fig = Figure(figsize=(9, 3.6), layout="constrained")
        plots.branch_chart(b, ax=fig.subplots(), lang=lang)
        out.append(_img(fig, b.describe(lang)))
        rows = []
        for r in b.summary().to_dict("records"):
            m, better = r["metric"], SUMMARY_METRICS[r["metric"]]
            if m in ("booked", "forecast"):
                fmt = lambda v: html.escape(money(store, v, lang))  # noqa: E731
                diff = ("+" if r["difference"] > 0 else "") + fmt(r["difference"])
            elif m == "records_entered":
                fmt = lambda v: f"{int(v):,}"  # noqa: E731
                diff = f"{int(r['difference']):+,}"
            elif m == "progress_vs_benchmark":
                fmt, diff = _ratio, ("—" if not math.isfinite(r["difference"]) else f"{r['difference']:+.2f}")
            else:
                fmt, diff = _pct, ("—" if not math.isfinite(r["difference"]) else f"{r['difference'] * 100:+.1f}"
                                   + ("个百分点" if lang == "zh" else " pts"))
            d = r["difference"]
            if d == 0:
                diff = fmt(0.0)
            klass = "" if better is None or not math.isfinite(d) or d == 0 else ("up" if (d > 0) == better else "down")
            rows.append([(t(m), "l"), (fmt(r["original"]), ""), (fmt(r["branched"]), ""), (diff, klass)])
        out.append(_table([(t("metric"), "l"), (t("original"), ""), (t("branched"), ""), (t("difference"), "")],
                          rows))
        if len(b.skipped):
            listed = ("；" if lang == "zh" else "; ").join(
                phrase("skipped_move", lang, week=int(s["week"]), deal=int(s["deal_id"]),
                       action=action_label(s["action"], lang),
                       why=phrase(s["reason"], lang, stage=store.world(b.team).funnel.label(s["stage"], lang)))
                for s in b.skipped.to_dict("records"))
            out.append(f'<p class="note">{t("skipped", moves=listed)}</p>')
    return out


def _timeline_section(store: "WorkshopStore", timelines: Mapping[str, pd.DataFrame], lang: str,
                      colors: dict[str, str]) -> list[str]:
    t = lambda key, **f: html.escape(phrase(key, lang, **f))  # noqa: E731
    out = [f"<h2>{t('h_timelines')}</h2>"]
    for team in store.teams:
        out.append(f'<h3>{_team_cell(store.team_name(team, lang), colors[team])[0]}</h3>')
        table = timelines[team]
        if not len(table):
            out.append(f'<p class="note">{t("no_timeline")}</p>')
            continue
        rows, classes = [], []
        for r in table.to_dict("records"):
            number = "" if pd.isna(r["round"]) else str(int(r["round"]))
            rows.append([(t("practice_short") if r["round_kind"] == "practice" else number, ""),
                         ("" if pd.isna(r["week"]) else str(int(r["week"])), ""),
                         (t("kind_" + r["kind"]), "l"), (html.escape(r["text"] or ""), "text"),
                         (html.escape(r["trainee"] or "") if r["kind"] in ("move", "withdrawn", "default") else "",
                          "l")])
            classes.append(f"k-{r['kind']}")
        heads = [(t("round"), ""), (t("week"), ""), (t("what"), "l"), (t("details"), "l"), (t("trainee"), "l")]
        out.append(_table(heads, rows, classes))
    return out


def _tests_section(store: "WorkshopStore", lang: str) -> list[str]:
    """The pre/post test: each team's and the room's gain and the most missed questions (none taken: nothing)."""
    gain = store.test_gain()
    room = gain[gain["team"] == ""].iloc[0]
    if room["pre_n"] == 0 and room["post_n"] == 0:
        return []
    return [f"<h2>{html.escape(i18n.text(GAIN_TEXT['title'], lang))}</h2>", gain_html(store, lang)]


def write_handout(store: "WorkshopStore", path: str | Path, lang: str, branches: Sequence[Branch],
                  indicators: pd.DataFrame, timelines: Mapping[str, pd.DataFrame]) -> Path:
    """Write the handout of ``store`` to ``path`` (its folder created if missing); returns the path.

    ``lang`` is a resolved language (zh or en), ``branches`` the what-if branches to show (checked by the
    caller), ``indicators`` :func:`~simfunnel.workshop.debrief.round_indicators` of the store and
    ``timelines`` each team's :func:`~simfunnel.workshop.debrief.timeline` in ``lang``. The leaderboard, the
    market events and the workshop's settings are read from the store. See
    :func:`simfunnel.workshop.debrief.report` for the sections.
    """
    from simfunnel import plots  # noqa: PLC0415 — it loads matplotlib: only when a handout is drawn

    i18n.setup_cjk_font()
    path = Path(path)
    colors = dict(zip(store.teams, plots.team_colors(len(store.teams))))
    c = store.config
    funnel = store.world(store.teams[0]).funnel
    mode = phrase("rounds_mode", lang, k=int(c["weeks_per_round"])) if plays_in_rounds(store) \
        else phrase("free_play", lang)
    meta = phrase("meta", lang, teams=len(store.teams), first=store.start_week + 1, last=store.end_week,
                  funnel=funnel.label_zh if lang == "zh" else funnel.label_en,
                  threshold=i18n.format_money(float(c["threshold"]), c.get("currency", "CNY"), lang), seed=c["seed"],
                  time=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"))
    parts = [f"<h1>{html.escape(phrase('title', lang))}</h1>", f'<p class="meta">{html.escape(meta)} · '
             f"{html.escape(mode)}</p>"]
    parts += _board_section(store, store.leaderboard(), lang)
    parts += _tests_section(store, lang)
    parts += _rounds_section(store, indicators, lang, colors)
    parts += _events_section(store, lang)
    parts += _branch_section(store, branches, lang)
    parts += _timeline_section(store, timelines, lang, colors)
    doc = (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f"<title>{html.escape(phrase('title', lang))}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
           + "\n".join(parts) + "\n</body>\n</html>\n")
    if path.is_dir():  # --out FOLDER: the handout goes into it
        path = path / "debrief.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        tmp.write_text(doc, encoding="utf-8")
        tmp.replace(path)
    finally:  # a full disk or an unwritable target: the error is reported, no temp file stays
        tmp.unlink(missing_ok=True)
    return path
