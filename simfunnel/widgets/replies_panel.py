"""RepliesPanel: which customer replies fool the room, read from the workshop store while the teams play.

The trainer's notebook used to draw this table once, when its cell ran (at Run All, before any play); the
panel reads the store again on **Refresh** or every few seconds with auto-refresh on. Rows are the true
outcome of each move, columns the team's reading of the customer's reply; the diagonal is right. The
continuation row is the course's central mistake: pleasant words taken for an advance.

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=3, accounts=30)
    >>> panel = RepliesPanel(store, lang="en")
    >>> int(panel.table.to_numpy().sum()), panel.judged
    (0, 0)
"""

from __future__ import annotations

import html
import threading
from datetime import datetime
from typing import Any

import ipywidgets as w
import pandas as pd

from simfunnel.model.replies import OUTCOME_LABELS, confusion_table
from simfunnel.widgets.base import CSS, Pair, Widget
from simfunnel.widgets.controls import AutoRefresh, AutoRefreshed, check_refresh_args
from simfunnel.widgets.leaderboard import TABLE_CSS
from simfunnel.workshop.store import WorkshopStore

__all__ = ["RepliesPanel"]


class RepliesPanel(AutoRefreshed, Widget):
    """The confusion table of the teams' readings of customer replies (see the module).

    Args:
        store: an open :class:`~simfunnel.workshop.store.WorkshopStore`.
        auto_seconds: seconds between automatic refreshes when auto-refresh is on (≥ 2).
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.
    """

    TEXT: dict[str, Pair] = {
        "title": ("哪些回复最容易判断错", "Which replies fool the room"),
        "refresh": ("刷新", "Refresh"),
        "auto": ("自动刷新", "Auto-refresh"),
        "info": ("更新于 {time}：已判断 {n} 条回复，判断错 {wrong} 条；其中把“延续”当成“推进”的 {fooled} 条。",
                 "Updated {time}: {n} replies judged, {wrong} wrongly; {fooled} continuations taken for an advance."),
        "none": ("更新于 {time}：还没有判断过的回复。", "Updated {time}: no reply judged yet."),
        "error": ("读取失败：{error}", "Could not read the store: {error}"),
    }

    def __init__(self, store: Any, *, auto_seconds: float = 10.0, lang: str | None = None) -> None:
        super().__init__(lang)
        check_refresh_args(store, auto_seconds, 2, WorkshopStore)
        self.store = store
        self.outcomes: list[str] = []
        self.answers: list[str] = []
        self.updated: datetime | None = None
        self._error = ""
        self._lock = threading.Lock()
        self.title, self.info, self.table_html = w.HTML(), w.HTML(), w.HTML()
        self.refresh_button = w.Button(icon="refresh", layout=w.Layout(width="auto"))
        self.refresh_button.on_click(lambda _: self.reload())
        controls = w.HBox(layout=w.Layout(align_items="center"))
        self.root = w.VBox([w.HTML(CSS + TABLE_CSS), self.title, controls, self.info, self.table_html])
        self._auto = AutoRefresh(float(auto_seconds), self.reload, alive=self.root)
        controls.children = (self.refresh_button, self.auto)
        self.reload()

    @property
    def table(self) -> pd.DataFrame:
        """True outcome (rows) × the teams' answer (columns), counts, labelled in :attr:`lang`."""
        return confusion_table(self.outcomes, self.answers, self.lang)

    @property
    def judged(self) -> int:
        """How many replies the teams have judged (moves not withdrawn, with an answer)."""
        return len(self.answers)

    def reload(self) -> None:
        """Read the moves from the store again and redraw (a failed read keeps the last table and says why)."""
        with self._lock:
            try:
                moves = self.store.moves()
            except ValueError as exc:  # a StoreError
                self._error = self.t("error", error=exc.text(self.lang) if hasattr(exc, "text") else str(exc))
            else:
                answered = moves[~moves["withdrawn"].astype(bool) & moves["answer"].notna()]
                self.outcomes = answered["outcome"].astype(str).tolist()
                self.answers = answered["answer"].astype(str).tolist()
                self.updated, self._error = datetime.now(), ""
            self.refresh()

    def refresh(self) -> None:
        """Redraw from the last read, in :attr:`lang`."""
        t = self.t
        self.title.value = f"<h3 style='margin:4px 0'>{html.escape(t('title'))}</h3>"
        self.refresh_button.description = t("refresh")
        self.auto.description = t("auto")
        time = self.updated.strftime("%H:%M:%S") if self.updated else "—"
        table = self.table
        right = sum(int(table.iat[i, i]) for i in range(len(table)))
        order, advance = list(OUTCOME_LABELS).index("order"), list(OUTCOME_LABELS).index("advance")
        right += int(table.iat[order, advance])  # an order read as an advance is right too (is_correct)
        fooled = int(table.iat[list(OUTCOME_LABELS).index("continuation"), advance])
        info = (t("none", time=time) if not self.judged else
                t("info", time=time, n=self.judged, wrong=self.judged - right, fooled=fooled))
        warn = f"<br><span class='sf-warn'>{html.escape(self._error)}</span>" if self._error else ""
        self.info.value = f"<span class='sf-muted'>{html.escape(info)}</span>{warn}"
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
        rows = "".join(
            f"<tr><td class='sf-team'>{html.escape(str(label))}</td>"
            + "".join(f"<td style='{'font-weight:700' if i == j else ''}'>{int(v)}</td>" for j, v in enumerate(row))
            + "</tr>" for i, (label, row) in enumerate(zip(table.index, table.to_numpy())))
        corner = f"{html.escape(str(table.index.name))} ↓ · {html.escape(str(table.columns.name))} →"
        self.table_html.value = (f"<div class='sf-lb'><table><tr><th class='sf-team'>{corner}</th>{head}</tr>"
                                 f"{rows}</table></div>")
