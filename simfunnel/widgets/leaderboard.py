"""WorkshopLeaderboard: the trainer's live view of a workshop — the ranking, charts comparing teams, the export.

It reads everything from the workshop store (:class:`~simfunnel.workshop.store.WorkshopStore`),
never from a trainee's kernel, so it shows what is committed: press "Refresh" (or
switch on auto-refresh) while the teams play. Each team's numbers are those of
:meth:`~simfunnel.workshop.store.WorkshopStore.leaderboard` (definitions there): revenue booked
in the weeks played (and against the quota), forecast accuracy, progress against the
benchmark, records entered, the reply-quiz score.

From code (tests drive it without a browser)::

    board = WorkshopLeaderboard(WorkshopStore.open("W"))
    board.refresh()                 # re-read the store
    board.table                     # the leaderboard, ranked
    board.rank_by = "quiz_score"    # rank by another column (default: the weighted score)
    board.export("xlsx")            # → the files written (in W/exports/)

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=["red", "blue"], seed=3, accounts=30)
    >>> board = WorkshopLeaderboard(store, lang="en")
    >>> sorted(board.table.team), board.rank_by
    (['blue', 'red'], 'score')
"""

from __future__ import annotations

import html
import math
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from simfunnel import plots
from simfunnel.analysis.metrics import indicators
from simfunnel.widgets.base import CSS, Widget, figure_png
from simfunnel.widgets.controls import AutoRefresh, AutoRefreshed, check_refresh_args, image, new_figure, pct, relayout
from simfunnel.workshop.scoring import score_formula
from simfunnel.workshop.store import WorkshopStore

__all__ = ["WorkshopLeaderboard", "RANK_COLUMNS"]

# column → (higher is better?, TEXT key of its heading)
RANK_COLUMNS: dict[str, tuple[bool, str]] = {
    "score": (True, "col_score"),
    "booked": (True, "col_booked"),
    "forecast_accuracy": (True, "col_accuracy"),
    "progress_vs_benchmark": (True, "col_progress"),
    "records_entered": (False, "col_records"),
    "quiz_score": (True, "col_quiz"),
}
TABLE_CSS = """
<style>
.sf-lb table {border-collapse:collapse; font-size:13px}
.sf-lb {overflow-x:auto; max-width:100%}
.sf-lb th {text-align:right; padding:4px 8px; border-bottom:2px solid #c9d3e0; font-weight:600; color:#33404d;
  white-space:nowrap}
.sf-lb td {text-align:right; padding:4px 8px; border-bottom:1px solid #e5e9ef}
.sf-lb td.sf-team {white-space:nowrap}
.sf-lb td.sf-team, .sf-lb th.sf-team {text-align:left}
.sf-lb tr.sf-first td {background:#eef6ee}
.sf-lb .sf-dot {display:inline-block; width:10px; height:10px; border-radius:5px; margin-right:6px}
</style>
"""


class WorkshopLeaderboard(AutoRefreshed, Widget):
    """The trainer's leaderboard of a workshop store.

    Args:
        store: an open :class:`~simfunnel.workshop.store.WorkshopStore`.
        rank_by: the column the teams are ranked by (a key of :data:`RANK_COLUMNS`).
        auto_seconds: seconds between automatic refreshes when auto-refresh is on (≥ 2).
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.
    """

    TEXT = {
        "title": ("工作坊排行榜", "Workshop leaderboard"),
        "info": ("{path} · {n} 个组 · 第 {first}–{last} 周 · 更新于 {time}",
                 "{path} · {n} teams · weeks {first}–{last} · updated {time}"),
        "rank": ("名次", "Rank"),
        "team": ("组", "Team"),
        "week": ("当前周", "Week"),
        "moves": ("行动数", "Moves"),
        "col_score": ("得分", "Score"),
        "weights": ("得分 = 五个分项的加权平均 × 100，每项按固定标准折成 0–1（算法见表格下方）；权重：{weights}",
                    "Score = the weighted mean of five parts, each 0–1 on a fixed scale (see below the table), "
                    "× 100; weights: {weights}"),
        "formula_title": ("得分怎么算", "How the score is computed"),
        "col_booked": ("已成交", "Booked"),
        "col_vs_quota": ("占任务", "of quota"),
        "col_to_date": ("按进度", "to date"),
        "col_accuracy": ("预测准确度", "Forecast accuracy"),
        "col_progress": ("进展 / 基准", "Progress / benchmark"),
        "col_records": ("录入记录数", "Records entered"),
        "col_quiz": ("答题得分", "Quiz score"),
        "quiz_n": ("（答 {n} 题）", " ({n} answered)"),
        "quiz_n_open": ("（答 {n} 题，未答 {open} 题）", " ({n} answered, {open} unanswered)"),
        "quiz_none": ("（无行动）", " (no moves)"),
        "records_all": ("（不设门槛 {n}）", "(no threshold: {n})"),
        "rank_by": ("排名依据", "Rank by"),
        "refresh": ("刷新", "Refresh"),
        "auto": ("自动刷新", "Auto-refresh"),
        "export_xlsx": ("导出 Excel", "Export Excel"),
        "export_csv": ("导出 CSV", "Export CSV"),
        "exported": ("已导出：{files}", "Exported: {files}"),
        "download": ("下载 {name}", "Download {name}"),
        "lower_better": ("（越少越好）", " (fewer is better)"),
        "error": ("读取失败：{error}", "Could not read the store: {error}"),
    }

    def __init__(self, store: Any, *, rank_by: str = "score", auto_seconds: float = 10.0,
                 lang: str | None = None) -> None:
        super().__init__(lang)
        check_refresh_args(store, auto_seconds, 2, WorkshopStore)
        if rank_by not in RANK_COLUMNS:
            raise ValueError(f"rank_by must be one of {', '.join(RANK_COLUMNS)}, got {rank_by!r}")
        self.store = store
        self.currency = store.config.get("currency", "CNY")
        self._rank_by = rank_by
        self.auto_seconds = float(auto_seconds)
        self.board: pd.DataFrame = pd.DataFrame()
        self.weekly: dict[str, pd.DataFrame] = {}
        self.updated: datetime | None = None
        self._note = ""
        self._lock = threading.Lock()
        self._build_ui()
        self.reload()

    # --- data ------------------------------------------------------------------------------
    @property
    def rank_by(self) -> str:
        return self._rank_by

    @rank_by.setter
    def rank_by(self, column: str) -> None:
        if column not in RANK_COLUMNS:
            raise ValueError(f"rank_by must be one of {', '.join(RANK_COLUMNS)}, got {column!r}")
        self._rank_by = column
        if self.rank_select.value != column:
            self.rank_select.value = column  # its observer redraws
        else:
            self.refresh()

    @property
    def table(self) -> pd.DataFrame:
        """The leaderboard ranked by :attr:`rank_by` (missing values last), with a ``rank`` column (1 = first;
        ties share the better rank, as the store's ``rank``)."""
        if self.board.empty:
            return self.board.assign(rank=pd.Series(dtype="int64"))
        higher, _ = RANK_COLUMNS[self._rank_by]
        ranked = self.board.sort_values(self._rank_by, ascending=not higher, na_position="last", kind="stable")
        rank = ranked[self._rank_by].astype(float).rank(method="min", ascending=not higher, na_option="bottom")
        return ranked.assign(rank=rank.astype("int64")).reset_index(drop=True)

    def reload(self) -> None:
        """Read the store again (the leaderboard and each team's weekly indicators) and redraw."""
        with self._lock:
            try:
                self.store.tick()  # a round whose timer ran out is closed first (reads never close it)
            except ValueError:
                pass  # a store this kernel cannot write: shown as it is
            try:
                board = self.store.leaderboard()
                s, n = self.store.start_week, int(self.store.config["period_weeks"])
                threshold = float(self.store.config["threshold"])
                weekly = {}
                for team, quota in zip(board["team"], board["quota"]):
                    history = self.store.simulation(team).history
                    weekly[team] = indicators(history, float(quota), threshold, start_week=s, period_weeks=n)
            except ValueError as exc:  # a StoreError: shown, the last good numbers stay
                self._note = self.t("error", error=getattr(exc, "text", lambda lang: str(exc))(self.lang))
            else:
                self.board, self.weekly, self.updated = board, weekly, datetime.now()
                self._note = ""
        self.refresh()

    # --- export ----------------------------------------------------------------------------
    def export(self, kind: str = "xlsx") -> list[Path]:
        """Write the moves and the leaderboard to ``<workshop>/exports/`` as ``xlsx`` or ``csv``; the files."""
        if kind not in ("xlsx", "csv"):
            raise ValueError(f"kind must be 'xlsx' or 'csv', got {kind!r}")
        folder = Path(self.store.path).parent / "exports"
        folder.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        files = self.store.export(folder / f"workshop-{stamp}.{kind}")
        self._note = self.t("exported", files=", ".join(str(f) for f in files))
        self._links = files
        self._render_note()
        return files

    # --- auto-refresh ----------------------------------------------------------------------
    # --- the view --------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.title = w.HTML()
        self.info = w.HTML()
        self.rank_select = w.Dropdown(options=[(c, c) for c in RANK_COLUMNS], value=self._rank_by,
                                      layout=w.Layout(width="300px"))
        self.rank_select.observe(self._on_rank, names="value")
        self.refresh_button = w.Button(icon="refresh", layout=w.Layout(width="auto"))
        self.refresh_button.on_click(lambda _: self.reload())
        self._auto = AutoRefresh(self.auto_seconds, self.reload)
        self.xlsx_button = w.Button(icon="download", layout=w.Layout(width="auto"))
        self.xlsx_button.on_click(lambda _: self.export("xlsx"))
        self.csv_button = w.Button(icon="download", layout=w.Layout(width="auto"))
        self.csv_button.on_click(lambda _: self.export("csv"))
        self.note = w.HTML()
        self.table_html = w.HTML()
        self.formula = w.HTML()
        self.bars_image = image()
        self.weeks_image = image()
        self._links: list[Path] = []
        self.figures["teams"] = new_figure(12, 3.2)
        self.figures["weeks"] = new_figure(8, 4.2)
        controls = w.HBox([self.rank_select, self.refresh_button, self.auto, self.xlsx_button, self.csv_button],
                          layout=w.Layout(align_items="center", flex_flow="row wrap"))
        self.root = w.VBox([w.HTML(CSS + TABLE_CSS), self.title, self.info, controls, self.note, self.table_html,
                            self.formula, self.bars_image, self.weeks_image])

    def _on_rank(self, change: dict) -> None:
        self._rank_by = change["new"]
        self.refresh()

    def refresh(self) -> None:
        """Redraw texts, table and charts in :attr:`lang` from the last data read (see :meth:`reload`)."""
        t = self.t
        self.title.value = f"<h3 style='margin:4px 0'>{html.escape(t('title'))}</h3>"
        time = self.updated.strftime("%H:%M:%S") if self.updated else "—"
        store_weights = self.store.weights
        weights = " · ".join(f"{t(RANK_COLUMNS[k][1])} {v:g}" for k, v in store_weights.items() if k in RANK_COLUMNS)
        self.info.value = "<span class='sf-muted'>" + html.escape(t(
            "info", path=str(self.store.path), n=len(self.store.teams), first=self.store.start_week + 1,
            last=self.store.end_week, time=time)) + "<br>" + html.escape(t("weights", weights=weights)) + "</span>"
        heading, *lines = score_formula(store_weights, self.lang, int(self.store.config["period_weeks"]))
        self.formula.value = (f"<div class='sf-muted' style='font-size:12px; max-width:1100px'><b>"
                              f"{html.escape(t('formula_title'))}</b> {html.escape(heading)}<ul style='margin:2px 0'>"
                              + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul></div>")
        options = [(t(key) + (t("lower_better") if not higher else ""), column)
                   for column, (higher, key) in RANK_COLUMNS.items()]
        if self.rank_select.options != tuple(options):
            with self.rank_select.hold_trait_notifications():
                self.rank_select.options = options
                self.rank_select.value = self._rank_by
        self.rank_select.description = t("rank_by")
        self.refresh_button.description = t("refresh")
        self.auto.description = t("auto")
        self.xlsx_button.description = t("export_xlsx")
        self.csv_button.description = t("export_csv")
        self._render_note()
        self._render_table()
        self._render_charts()

    def _render_note(self) -> None:
        links = ""
        if self._links and self._note:
            import base64

            parts = []
            for path in self._links:
                if path.exists() and path.stat().st_size < 20_000_000:
                    data = base64.b64encode(path.read_bytes()).decode()
                    parts.append(f"<a download='{html.escape(path.name)}' href='data:application/octet-stream;base64,"
                                 f"{data}'>{html.escape(self.t('download', name=path.name))}</a>")
            links = " · ".join(parts)
        cls = "sf-warn" if self._note and not self._links else "sf-muted"
        self.note.value = (f"<span class='{cls}'>{html.escape(self._note)}</span> {links}" if self._note else "")

    def _render_table(self) -> None:
        t = self.t
        table = self.table
        colors = dict(zip(self.board["team"], plots.team_colors(len(self.board)))) if len(self.board) else {}
        names = self.store.team_names(self.lang)  # each team's name for people (the key stays in the exports)
        heads = [("rank", ""), ("team", "sf-team"), ("week", ""), ("moves", "")] + \
                [(key, "") for _, key in RANK_COLUMNS.values()]
        head = "".join(f"<th class='{cls}'>{html.escape(t(key))}{' ▼' if RANK_COLUMNS.get(self._rank_by, (0, ''))[1] == key else ''}</th>"
                       for key, cls in heads)
        rows = []
        for i, row in table.iterrows():
            moves, answered = int(row["moves"]), int(row["quiz_answered"])
            if moves == 0:  # no move, no reply to judge: not "0 %"
                quiz = "—" + t("quiz_none")
            elif answered < moves:  # unanswered replies shown as such, not as wrong answers
                quiz = pct(row["quiz_score"], 0) + t("quiz_n_open", n=answered, open=moves - answered)
            else:
                quiz = pct(row["quiz_score"], 0) + t("quiz_n", n=answered)
            score = "—" if not math.isfinite(row["score"]) else f"{row['score']:.0f}"
            to_date = row["booked"] / row["quota_to_date"] if row["quota_to_date"] > 0 else math.nan
            records_all = t("records_all", n=f"{int(row['records_without_threshold']):,}")
            cells = [str(int(row["rank"])),
                     f"<span class='sf-dot' style='background:{colors.get(row['team'], '#888')}'></span>"
                     f"{html.escape(names.get(row['team'], str(row['team'])))}",
                     str(int(row["week"])), str(int(row["moves"])), f"<b>{score}</b>",
                     html.escape(self.money(row["booked"], compact=True)) + f" <span class='sf-muted'>"
                     f"{html.escape(t('col_vs_quota'))} {pct(row['booked_vs_quota'], 0)} · "
                     f"{html.escape(t('col_to_date'))} {pct(to_date, 0)}</span>",
                     pct(row["forecast_accuracy"], 0),
                     "—" if not math.isfinite(row["progress_vs_benchmark"]) else f"{row['progress_vs_benchmark']:.2f}",
                     f"{int(row['records_entered']):,} <span class='sf-muted'>{html.escape(records_all)}</span>",
                     html.escape(quiz)]
            klass = " class='sf-first'" if int(row["rank"]) == 1 else ""
            rows.append(f"<tr{klass}>" + "".join(
                f"<td class='sf-team'>{c}</td>" if k == 1 else f"<td>{c}</td>" for k, c in enumerate(cells)) + "</tr>")
        self.table_html.value = f"<div class='sf-lb'><table><tr>{head}</tr>{''.join(rows)}</table></div>"

    def _render_charts(self) -> None:
        fig = self.figures["teams"]
        fig.clear()
        if len(self.board):
            axes = fig.subplots(1, 4)
            plots.team_chart(self.board, axes=axes, lang=self.lang, names=self.store.team_names(self.lang))
            week = int(self.board["week"].max())
            fig.suptitle(plots.i18n.text(plots.TEAM_TEXT["team_title"], self.lang, week=week), x=0.01, ha="left",
                         fontsize=12)
        relayout(fig)
        self.bars_image.value = figure_png(fig)
        fig = self.figures["weeks"]
        fig.clear()
        ax = fig.subplots()
        quotas = dict(zip(self.board["team"], self.board["quota"])) if len(self.board) else {}
        plots.team_weeks_chart(self.weekly, quotas, ax=ax, lang=self.lang, currency=self.currency,
                               names=self.store.team_names(self.lang))
        relayout(fig)
        self.weeks_image.value = figure_png(fig)
