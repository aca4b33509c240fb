"""How the DealBoard looks: its widget tree, its buttons, and the rendering of cards, panel, quiz and chart.

:class:`DealBoardView` is the half of :class:`~simfunnel.widgets.deal_board.DealBoard` that draws:
the board's state and verbs (``sim``, ``moves``, ``pending``, ``act``, ``classify`` …) live in
:mod:`simfunnel.widgets.deal_board`; this class builds the ipywidgets tree once
(``_build_ui``), runs the buttons (a refused action shows its reason, not a traceback), redraws
every text, card and the indicator chart in the board's language (:meth:`refresh`), and renders
the board as one static HTML page (:meth:`html`). The workshop board
(:class:`simfunnel.widgets.workshop.TeamBoard`) overrides some ``_render_*`` steps.
"""

from __future__ import annotations

import html
import math

import ipywidgets as w
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simfunnel import plots
from simfunnel.model.actions import ALL_ACTIONS_BY_KEY, Action
from simfunnel.model.funnel import KEY_STEP_LABELS
from simfunnel.model.history import PERIOD_WEEKS
from simfunnel.model.replies import OUTCOME_LABELS, OUTCOMES
from simfunnel.plots.svg import indicator_svg
from simfunnel.widgets.base import CSS, Lean, Widget, figure_png, held, show, shown
from simfunnel.widgets.moves import BoardError, Move, styled_span, takes_style

__all__ = ["BOARD_CSS", "LIST_STYLE", "DealBoardView"]

# Extra styles of the board (the shared badge and card styles are in base.CSS).
BOARD_CSS = """
<style>
.sf-board .sf-kpi {vertical-align:top}
.sf-board .sf-col-head {font-size:12px; line-height:1.35; padding:4px 6px; border-radius:6px; background:#e8eef6}
.sf-board .sf-col-head b {font-size:13px}
.sf-board .sf-card .widget-html, .sf-board .sf-card .widget-button {margin:0}
.sf-board .sf-card-body {font-size:12px; line-height:1.35}
.sf-board .sf-rot {color:#b23a3a; font-weight:600}
.sf-board .sf-plan {color:#1b7f3b; font-weight:600}
.sf-board .sf-good {color:#1b7f3b; font-weight:600}
.sf-board .sf-bad {color:#b23a3a; font-weight:600}
.sf-board .sf-reply {font-size:14px; padding:6px 10px; border-left:4px solid #2f6fbf; background:#f5f8fc; margin:4px 0}
.sf-board .sf-panel {border:1px solid #c9d3e0; border-radius:6px; padding:6px 8px}
.sf-board .sf-summary li {margin:1px 0}
</style>
"""

# The inline style of the board's lists (this week's moves, the week's summary).
LIST_STYLE = 'style="margin:2px 0; padding-left:18px"'


class DealBoardView(Widget):
    """The drawing half of :class:`~simfunnel.widgets.deal_board.DealBoard`: widget tree, buttons, rendering, previews.

    A base class of ``DealBoard`` only; it reads the board's state (``sim``, ``funnel``, ``moves``,
    ``pending``, ``selected`` and the static deal arrays) and calls its verbs from the buttons.
    """

    # --- UI ----------------------------------------------------------------------------
    def _build_ui(self) -> None:
        L = w.Layout
        lean = Lean()  # parts share their layouts and styles (one model each, not three): hidden by a class
        self._lean = lean
        self._css = lean.html(CSS + BOARD_CSS + self._extra_css())
        self._header = lean.html(width="100%")
        under_header = self._under_header(lean)
        self._btn_next = lean.button(button_style="primary", width="auto")
        self._btn_undo = lean.button(width="auto")
        self._btn_reset = w.Button(layout=L(width="auto"))  # hidden in a workshop by its own layout
        self._btn_next.on_click(lambda _b: self._ui(self.next_week))
        self._btn_undo.on_click(lambda _b: self._ui(self.undo))
        self._btn_reset.on_click(lambda _b: self._ui_reset())
        self._message = lean.html()
        controls = lean.hbox([self._btn_next, self._btn_undo, self._btn_reset, self._message],
                             align_items="center", flex_flow="row wrap")

        self._col_heads: list[w.HTML] = []
        self._col_notes: list[w.HTML] = []
        self._slots: list[list[tuple[w.VBox, w.HTML, w.Button]]] = []
        self._slot_deals: list[list[int]] = []
        self._pagers: list[tuple[w.HBox, w.Button, w.HTML, w.Button]] = []
        columns = []
        for k in range(self._n_open):
            head = lean.html()
            note = lean.html()
            slots = []
            for j in range(self.page_size):
                body = lean.html()
                # made as they are first shown (each change after is one more message to the page)
                button = lean.button(self.t("select"), width="auto", height="24px", margin="2px 0 0 0")
                button.on_click(lambda _b, k=k, j=j: self._ui_select_slot(k, j))
                card = lean.vbox([body, button], margin="3px 0", classes=("sf-card",))
                slots.append((card, body, button))
            prev = lean.button("◀", width="34px", height="24px", tooltip=self.t("prev_page"))
            nxt = lean.button("▶", width="34px", height="24px", tooltip=self.t("next_page"))
            label = lean.html()
            prev.on_click(lambda _b, k=k: self._ui_page(k, -1))
            nxt.on_click(lambda _b, k=k: self._ui_page(k, +1))
            pager = lean.hbox([prev, label, nxt], align_items="center", justify_content="space-between")
            self._col_heads.append(head)
            self._col_notes.append(note)
            self._slots.append(slots)
            self._slot_deals.append([])
            self._pagers.append((pager, prev, label, nxt))
            columns.append(lean.vbox([head, *[s[0] for s in slots], pager, note],
                                     flex="1 1 0", min_width="150px", margin="0 3px"))
        self._columns = w.HBox(columns, layout=L(width="100%", flex_flow="row wrap", align_items="flex-start"))

        self._deal_html = lean.html()
        self._action = w.Dropdown(layout=L(width="320px"))
        self._action.observe(lambda _c: self._render_why(), names="value")
        self._why = lean.html()
        self._btn_act = lean.button(button_style="primary", width="auto")
        self._btn_act.on_click(lambda _b: self._ui_act())
        self._style = w.Dropdown(options=[("", "")], value="", layout=L(width="320px", display="none"))
        self._act_row = w.HBox([self._action, self._style, self._btn_act],
                               layout=L(align_items="center", flex_flow="row wrap"))
        self._act_message = lean.html()  # what the Act, Select and quiz buttons were told: next to them, not at the top
        self._reply = lean.html()
        self._quiz_buttons = {o: lean.button(width="auto") for o in OUTCOMES}
        for o, b in self._quiz_buttons.items():
            b.on_click(lambda _b, o=o: self._ui(lambda: self.classify(o), where="act"))
        self._quiz_row = w.HBox(list(self._quiz_buttons.values()), layout=L(flex_flow="row wrap"))
        self._verdict = lean.html()
        self._moves_html = lean.html()
        panel = lean.vbox([self._deal_html, self._act_row, self._act_message, *self._panel_parts(lean), self._why,
                           self._reply, self._quiz_row, self._verdict, self._moves_html], classes=("sf-panel",), flex="1 1 360px",
                          min_width="320px", margin="0 8px 0 0")
        self._summary_html = lean.html()

        fig = Figure(figsize=(6.4, 2.9))
        fig.subplots_adjust(left=0.13, right=0.66, bottom=0.17, top=0.86)
        self._ax = fig.add_subplot()
        self.figures["indicators"] = fig
        self._chart = lean.html()  # the indicator chart as SVG (plots.svg): no drawing here
        right = lean.vbox([self._chart, self._summary_html], flex="1 1 420px")
        self.root = lean.vbox([self._css, self._header, *under_header, controls, self._columns,
                               lean.hbox([panel, right], width="100%", flex_flow="row wrap", margin="8px 0 0 0")],
                              classes=("sf-board",))

    def _extra_css(self) -> str:
        """More style rules for a kind of board (a team's board in rounds)."""
        return ""

    def _under_header(self, lean: Lean) -> list[w.Widget]:
        """Parts a kind of board shows under its header (a team's board: its round, news and results)."""
        return []

    def _panel_parts(self, lean: Lean) -> list[w.Widget]:
        """Parts a kind of board shows under the Act row (a team's board: asking to withdraw a teammate's move)."""
        return []

    def _ui(self, call, where: str = "controls") -> None:
        """Run a button's action; a refused action shows its reason in the board's language instead of a traceback,
        next to the button that caused it: ``where`` is ``"controls"`` (Next week, Undo, Reset: the message
        beside them) or ``"act"`` (Select, Act and the quiz: the line under the Act button)."""
        self._reset_armed = False
        with held(self.root):  # what the click changed: one message per widget
            try:
                call()
            except BoardError as err:
                self._note = (err.key, err.fields)
                self._note_error = True
                self._note_where = where
            else:
                self._note_error = False
            self._render_controls()

    def _ui_reset(self) -> None:
        if not self._reset_armed:
            self._reset_armed = True
            self._render_controls()
            return
        self._reset_armed = False
        self.reset()

    def _ui_select_slot(self, k: int, j: int) -> None:
        if j < len(self._slot_deals[k]):
            self._ui(lambda: self.select(self._ids[self._slot_deals[k][j]]), where="act")

    def _ui_page(self, k: int, step: int) -> None:
        self._reset_armed = False
        members = self._stage_members(k)
        pages = max(1, math.ceil(len(members) / self.page_size))
        self._pages[k] = min(max(self._pages[k] + step, 0), pages - 1)
        self._render_columns()
        self._render_controls()

    def _ui_act(self) -> None:
        def act() -> None:
            if self.selected is None or self._action.value is None:
                raise BoardError("err_no_selection")
            self.act(self.selected, self._action.value, style=self._style.value or None)

        self._ui(act, where="act")

    # --- rendering ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw every text, card and the chart in the board's language."""
        if not hasattr(self, "_header"):
            return  # called by a language change before the UI exists
        self._check_in_sync()
        with held(self.root):
            self._render_header()
            self._render_controls()
            self._render_columns()
            self._render_panel()
            self._render_summary()
            self._render_chart()

    def _money(self, amount: float, compact: bool = True) -> str:
        return self.money(amount, compact=compact)

    def _render_header(self) -> None:
        table = self._indicator_table()
        row = table.iloc[-1]
        t = int(row["t"])
        kpi = '<span class="sf-kpi">{label}<br><b>{value}</b>{extra}</span>'
        label, value, extra = self._week_tile(t)
        parts = [
            kpi.format(label=html.escape(label), value=html.escape(value),
                       extra="" if not extra else "<br>" + styled_span("sf-muted", extra)),
            # the formula's letters (F′, B) in English only: a zh page shows no Latin letters
            kpi.format(label=html.escape(self.t("forecast")) + (" F′" if self.lang == "en" else ""),
                       value=self._money(row["forecast"]), extra=""),
            kpi.format(label=html.escape(self.t("booked")) + (" B" if self.lang == "en" else ""),
                       value=self._money(row["booked"]), extra=""),
            kpi.format(label=html.escape(self.t("out_of_funnel")), value=self._money(row["out_of_funnel_booked"]),
                       extra=""),
            kpi.format(label=html.escape(self.t("quota")), value=self._money(self.quota), extra=""),
        ]
        progress, bench = float(row["progress"]), float(row["benchmark"])
        if math.isnan(progress):
            value, cls = html.escape(self.t("progress_none")), "sf-muted"
        else:
            value, cls = f"{progress:+.1%}", "sf-good" if progress >= bench - 1e-12 else "sf-bad"
        parts.append(kpi.format(label=html.escape(self.t("progress")), value=f'<span class="{cls}">{value}</span>',
                                extra="<br>" + styled_span("sf-muted", self.t("benchmark", value=f"{bench:.1%}"))))
        coverage = float(row["coverage"])
        if math.isinf(coverage):
            cov, note = "∞", f'<span class="sf-good">{html.escape(self.t("quota_met"))}</span>'
        elif coverage < 1:
            cov, note = f'<span class="sf-bad">{coverage:.2f}</span>', \
                f'<span class="sf-warn">⚠ {html.escape(self.t("coverage_low"))}</span>'
        else:
            cov, note = f'<span class="sf-good">{coverage:.2f}</span>', \
                f'<span class="sf-muted">{html.escape(self.t("coverage_ok"))}</span>'
        parts.append(kpi.format(label=html.escape(self.t("coverage")), value=cov, extra=f"<br>{note}"))
        score = self.score
        parts.append(kpi.format(label=html.escape(self.t("score")), value=f"{score.correct}/{score.answered}",
                                extra=""))
        threshold = ""
        if self.threshold > 0:
            note = self.t("threshold_note", threshold=self._money(self.threshold))
            threshold = f'<div class="sf-muted">{html.escape(note)}</div>'
        self._header.value = f'<div>{"".join(parts)}</div>{threshold}'

    def _week_tile(self, t: int) -> tuple[str, str, str]:
        """The first tile of the header: (label, value, a muted line or ""): the week and the quarter's week."""
        return self.t("week", week=self.sim.week), self.t("quarter_week", t=t, n=PERIOD_WEEKS), ""

    def _render_controls(self) -> None:
        self._btn_next.description = self.t("next_week")
        self._btn_next.tooltip = self.t("next_tip")
        self._btn_next.disabled = self.sim.week >= self.world.weeks
        self._btn_undo.description = self.t("undo")
        self._btn_undo.tooltip = self.t("undo_tip")
        self._btn_undo.disabled = self.sim.week == 0 and not self.pending
        self._btn_reset.description = self.t("reset_confirm" if self._reset_armed else "reset")
        self._btn_reset.tooltip = self.t("reset_tip")
        self._btn_reset.button_style = "danger" if self._reset_armed else ""
        self._render_note()

    def _note_html(self) -> str:
        """The last message as HTML ("" without one): a refusal in the board's language, or a note."""
        if self._note is None:
            return ""
        key, fields = self._note
        fields = dict(fields)
        if "action" in fields and fields["action"] in ALL_ACTIONS_BY_KEY:
            fields["action"] = self._action_label(fields["action"])
        if key == "undone_move":
            fields["account"] = self._account(self._pos(fields.pop("deal")))
        if key == "err_action":
            fields["stage"] = self.funnel.label(fields["stage"], self.lang)
        if key.startswith("err_"):
            text = self.TEXT[key][0].format(**fields) if self.lang == "zh" else str(BoardError(key, **fields))
            return f'<span class="sf-warn">{html.escape(text)}</span>'
        return f'<span class="sf-muted">{html.escape(self.t(key, **fields))}</span>'

    def _render_note(self) -> None:
        """The message beside the button that caused it: a refusal of Select, Act or the quiz under the Act
        button, everything else beside Next week / Undo."""
        text = self._note_html()
        at_act = self._note is not None and self._note_error and self._note_where == "act"
        self._message.value = "" if at_act else text
        self._act_message.value = text if at_act else ""

    def _render_columns(self) -> None:
        week = self.sim.week
        cur = self.sim.stage_codes(week)
        exists = self._created <= week
        open_ = exists & (cur < self._n_open)
        inside = open_ & self._big
        counts = np.bincount(cur[inside], minlength=self._n_open + 2)
        amounts = np.bincount(cur[inside], weights=self._amount[inside], minlength=self._n_open + 2)
        below = np.bincount(cur[open_ & ~self._big], minlength=self._n_open + 2)
        planned = {m.deal_id: m.action for m in self.pending}
        selected_pos = None if self.selected is None else self._pos(self.selected)
        # one pass over the deals in card order, grouped by stage
        order = self._order
        keep = inside[order]
        members_all = order[keep]
        st = cur[members_all]
        for k, stage in enumerate(self.funnel.stages):
            n = int(counts[k])
            head = (f"<b>{html.escape(stage.label(self.lang))}</b><br>"
                    f"{html.escape(self.t('win_rate', rate=f'{stage.win_rate:.0%}'))}<br>"
                    f"{html.escape(self.t('n_deal' if n == 1 else 'n_deals', n=n, amount=self._money(amounts[k])))}")
            self._col_heads[k].value = f'<div class="sf-col-head">{head}</div>'
            members = members_all[st == k]
            pages = max(1, math.ceil(len(members) / self.page_size))
            self._pages[k] = min(self._pages[k], pages - 1)
            shown = members[self._pages[k] * self.page_size:(self._pages[k] + 1) * self.page_size]
            self._slot_deals[k] = [int(p) for p in shown]
            for j, (card, body, button) in enumerate(self._slots[k]):
                button.description = self.t("select")
                if j >= len(shown):
                    body.value = ""
                    show(card, False)
                    continue
                p = int(shown[j])
                show(card, True)
                body.value = self._card_html(p, planned.get(self._ids[p]))
                chosen = p == selected_pos
                button.description = self.t("selected" if chosen else "select")
                button.button_style = "info" if chosen else ""
                if chosen:
                    card.add_class("sf-selected")
                else:
                    card.remove_class("sf-selected")
            pager, prev, label, nxt = self._pagers[k]
            prev.tooltip, nxt.tooltip = self.t("prev_page"), self.t("next_page")
            label.value = html.escape(self.t("page", page=self._pages[k] + 1, pages=pages))
            prev.disabled = self._pages[k] == 0
            nxt.disabled = self._pages[k] >= pages - 1
            show(pager, pages > 1)
            notes = []
            if n == 0:
                notes.append(f'<span class="sf-muted">{html.escape(self.t("empty"))}</span>')
            if self.threshold > 0 and below[k]:
                notes.append(f'<span class="sf-muted">{html.escape(self.t("below", n=int(below[k])))}</span>')
            self._col_notes[k].value = "<br>".join(notes)

    def _card_html(self, p: int, planned: str | None) -> str:
        weeks = int(self._weeks_in_stage(p))
        marks = ""
        if weeks >= self.rotting_weeks:
            tip = html.escape(self.t("rotting", n=weeks, limit=self.rotting_weeks), quote=True)
            marks += f' <span class="sf-rot" title="{tip}">⚠</span>'
        plan = ""
        if planned is not None:
            plan = "<br>" + styled_span("sf-plan", self.t("planned_mark", action=self._action_label(planned)))
        return (f'<div class="sf-card-body"><b>{html.escape(self._account(p))}</b> '
                f'<span class="sf-muted">#{html.escape(str(self._ids[p]))}</span><br>'
                f'<span class="sf-amount">{self._money(self._amount[p])}</span> · '
                f'<span class="{"sf-rot" if weeks >= self.rotting_weeks else "sf-muted"}">'
                f'{html.escape(self.t("weeks_in_stage", n=weeks))}</span>{marks}{plan}</div>')

    def _render_panel(self) -> None:
        self._btn_act.description = self.t("act")
        self._btn_act.tooltip = self.t("act_tip")
        self._action.description = self.t("action")
        if self.selected is None:
            self._deal_html.value = f'<span class="sf-muted">{html.escape(self.t("no_selection"))}</span>'
            self._act_row.layout.display = "none"
            self._action.options = []
            self._why.value = ""
        else:
            self._render_deal()
        self._render_quiz()

    def _render_deal(self) -> None:
        p = self._pos(self.selected)
        week = self.sim.week
        k = self._stage_code(p)
        stage = self.funnel.all_stages[k]
        lines = [f"<b>{html.escape(self._account(p))}</b> " + styled_span("sf-muted", f"#{self._ids[p]}")]
        rate = self._override[p] if not math.isnan(self._override[p]) else stage.win_rate
        lines.append(html.escape(self.t("deal_stage", stage=stage.label(self.lang), rate=f"{rate:.0%}")))
        lines.append(html.escape(self.t("deal_amount", amount=self._money(self._amount[p], compact=False))))
        product = self._products.get(self._product[p])
        if product:
            lines.append(html.escape(self.t("deal_product", product=product[0 if self.lang == "zh" else 1])))
        planned = next((m for m in self.pending if m.deal_id == self.selected), None)
        if k < self._n_open:
            weeks = int(self._weeks_in_stage(p))
            lines.append(html.escape(self.t("deal_week") if weeks == 1 else self.t("deal_weeks", n=weeks)))
            if not math.isnan(self._expected_close[p]):
                lines.append(html.escape(self.t("deal_close", week=int(self._expected_close[p]))))
            step = KEY_STEP_LABELS[stage.key_step][0 if self.lang == "zh" else 1]
            lines.append(html.escape(self.t("deal_step", step=step)))
            if planned is not None:
                lines.append(styled_span("sf-plan", self.t("deal_planned", action=self._action_label(planned.action))))
        else:
            lines.append(html.escape(self.t("deal_won" if k == self._won else "deal_lost", week=int(self.sim.closed_weeks()[p]))))
        self._deal_html.value = "<br>".join(lines)
        can_act = k < self._n_open and planned is None and week < self.world.weeks
        self._act_row.layout.display = None if can_act else "none"
        options = tuple((a.label(self.lang), a.key) for a in self.fitting_actions(stage.key)) if can_act else ()
        if tuple(tuple(o) for o in self._action.options) != options:
            current = self._action.value
            self._action.options = options
            keys = [key for _, key in options]
            if keys:  # ipywidgets 8 leaves the value empty after new options
                self._action.value = current if current in keys else keys[0]
        self._btn_act.disabled = not can_act
        self._render_why()

    def _render_why(self) -> None:
        key = self._action.value
        if key is None or self._act_row.layout.display == "none":
            self._why.value = ""
            self._action.tooltip = None
            self._render_style(None)
            return
        act = ALL_ACTIONS_BY_KEY[key]
        why = act.why_zh if self.lang == "zh" else act.why_en
        self._action.tooltip = why
        self._why.value = f'<span class="sf-muted">{html.escape(self.t("why", why=why))}</span>'
        self._render_style(act)

    def _render_style(self, act: Action | None) -> None:
        """People layer: the style list, shown for a present-value action (default: no particular style)."""
        styled = act is not None and self.sim.people is not None and takes_style(act)
        self._style.layout.display = None if styled else "none"
        if not styled:
            if tuple(tuple(o) for o in self._style.options) != (("", ""),):
                self._style.options = (("", ""),)  # no hidden labels left in another language
            self._style.value = ""
            return
        # "" = no particular style (a value of None would show an empty list in the browser)
        options = ((self.t("style_none"), ""),) + tuple((plots.brain_label(b, self.lang), b) for b in "ABCD")
        if tuple(tuple(o) for o in self._style.options) != options:
            current = self._style.value
            self._style.options = options
            self._style.value = current
        self._style.description = self.t("style")
        self._style.tooltip = self.t("style_tip")

    def _render_quiz(self) -> None:
        """The reply waiting to be classified (newest first) and the verdict on the one classified last."""
        pending = self.pending
        waiting = [m for m in pending if not m.revealed]
        last = next((m for m in pending if m is self._last_classified), None)
        current = waiting[-1] if waiting else last
        for o, b in self._quiz_buttons.items():
            b.description = OUTCOME_LABELS[o][0 if self.lang == "zh" else 1]
        if current is None:
            self._reply.value = ""
        else:
            reply = self._reply_html(current)
            if not current.revealed:
                reply += f'<span class="sf-muted">{html.escape(self.t("quiz_question"))}</span>'
                if len(waiting) > 1:
                    more = self.t("one_more_to_classify") if len(waiting) == 2 else \
                        self.t("more_to_classify", n=len(waiting) - 1)
                    reply += f'<br><span class="sf-muted">{html.escape(more)}</span>'
            self._reply.value = reply
        self._quiz_row.layout.display = None if current is not None and not current.revealed else "none"
        if last is None:
            self._verdict.value = ""
        elif last is current:
            self._verdict.value = self._verdict_html(last)
        else:  # the next reply is already waiting: keep the verdict of the one just classified in view
            self._verdict.value = (f'<div class="sf-panel" style="margin-top:6px">{self._reply_html(last)}'
                                   f"{self._verdict_html(last)}</div>")
        self._render_moves()

    def _reply_html(self, move: Move) -> str:
        p = self._pos(move.deal_id)
        title = self.t("reply_title", account=self._account(p), action=self._action_label(move.action))
        quote = ("「{}」" if self.lang == "zh" else "“{}”").format(move.reply.text(self.lang))
        return f'<b>{html.escape(title)}</b><div class="sf-reply">{html.escape(quote)}</div>'

    def _stage_text(self, m: Move) -> str:
        """A move's stage after its week — 「阶段：确定标准 → 评估比较」 or 「阶段：发现需求（未变）」 — and, for a deal
        that moved after kind words, that the customer's own buying process moved it (the two are not one event)."""
        frm, to = self.funnel.label(m.from_stage, self.lang), self.funnel.label(m.to_stage, self.lang)
        stage = self.t("stage_same", frm=frm) if to == frm else self.t("stage_moved", frm=frm, to=to)
        if m.outcome == "continuation" and to != frm and m.to_stage != "lost":
            stage += " " + self.t("moved_anyway")
        return stage

    def _badge(self, outcome: str) -> str:
        label = OUTCOME_LABELS[outcome][0 if self.lang == "zh" else 1]
        return f'<span class="sf-badge sf-{outcome}">{html.escape(label)}</span>'

    def _verdict_html(self, move: Move) -> str:
        out = [self._badge(move.outcome) + " " + html.escape(move.reply.why(self.lang))]
        if move.answer is not None:
            if move.correct:
                out.append(f'<span class="sf-good">{html.escape(self.t("correct"))}</span>')
                if move.answer != move.outcome:
                    out.append(f'<span class="sf-muted">{html.escape(self.t("order_as_advance"))}</span>')
            else:
                label = OUTCOME_LABELS[move.answer][0 if self.lang == "zh" else 1]
                out.append(f'<span class="sf-bad">{html.escape(self.t("wrong", answer=label))}</span>')
        return "<br>".join(out)

    def _render_moves(self) -> None:
        pending = self.pending
        if not pending:
            self._moves_html.value = f'<span class="sf-muted">{html.escape(self.t("no_moves_yet"))}</span>'
            return
        items = []
        for m in pending:
            p = self._pos(m.deal_id)
            mark = self._badge(m.outcome) if m.revealed else \
                f'<span class="sf-muted">{html.escape(self.t("to_classify"))}</span>'
            what = f"{self._account(p)} · {self._action_label(m.action)}"
            if m.style is not None:
                what += " · " + self.t("style_mark", style=m.style if isinstance(m.style, str) else m.style[0])
            items.append(f"<li>{html.escape(what)} {mark}</li>")
        self._moves_html.value = (f'<b>{html.escape(self.t("moves_title", n=len(pending)))}</b>'
                                  f'<ul class="sf-summary" {LIST_STYLE}>{"".join(items)}</ul>')

    def _render_summary(self) -> None:
        if self._summary is None or self._summary[0] != self.sim.week:
            self._summary_html.value = ""
            return
        week, events, moves = self._summary
        lines = []
        for m in moves:
            p = self._pos(m.deal_id)
            result = "" if m.answer is None else (" ✔" if m.correct else " ✘")
            if m.answer is None:
                result = f' <span class="sf-muted">({html.escape(self.t("not_classified"))})</span>'
            stage = self._stage_text(m)
            lines.append(f"<li>{html.escape(self._account(p))} · {html.escape(self._action_label(m.action))} "
                         f"{self._badge(m.outcome)}{result} · {html.escape(stage)}</li>")
        body = f'<ul class="sf-summary" {LIST_STYLE}>{"".join(lines)}</ul>' if lines else \
            f'<span class="sf-muted">{html.escape(self.t("summary_none"))}</span>'
        outcome = events["outcome"].to_numpy()
        pos = self._index.get_indexer(events["deal_id"])
        won, lost = outcome == "order", outcome == "no_sale"
        everyone = self.t("summary_all", won=int(won.sum()), won_amount=self._money(self._amount[pos[won]].sum()),
                          lost=int(lost.sum()), lost_amount=self._money(self._amount[pos[lost]].sum()),
                          advanced=int((outcome == "advance").sum()), new=int((self._created == week).sum()))
        self._summary_html.value = (f'<b>{html.escape(self.t("summary_title", week=week))}</b>{body}'
                                    f'<div class="sf-muted">{html.escape(everyone)}</div>')

    def _render_chart(self) -> None:
        key = (self._version, self.lang)
        if key == self._chart_key:
            return
        table = self._indicator_table()
        start = self.period_start  # the whole quarter on the x axis: how far in we are, and what is left
        # SVG drawn by the browser: a millisecond here, where a matplotlib PNG took 0.06-0.15 s a board
        self._chart.value = indicator_svg(table, quota=self.quota, lang=self.lang, currency=self.currency,
                                          weeks=(start, start + PERIOD_WEEKS))
        self._chart_key = key

    def _draw_chart(self, table: pd.DataFrame, start: int) -> None:
        self._ax.clear()
        plots.indicator_chart(table, quota=self.quota, ax=self._ax, lang=self.lang, currency=self.currency)
        self._ax.set_xlim(start - 0.4, start + PERIOD_WEEKS + 0.4)
        self._figure_key = (self._version, self.lang)

    def _ready_figures(self) -> None:
        """The indicator figure drawn if only its cached PNG was shown (for texts() and save_charts())."""
        if hasattr(self, "_ax") and getattr(self, "_figure_key", None) != (self._version, self.lang):
            self._draw_chart(self._indicator_table(), self.period_start)

    # --- previews ------------------------------------------------------------------------
    def chart_png(self) -> bytes:
        """The weekly indicator chart as PNG bytes (matplotlib's drawing of what the board shows as SVG)."""
        self._ready_figures()
        return figure_png(self.figures["indicators"], dpi=80)

    def html(self) -> str:
        """The board as one static HTML page (styles, header, columns, panel, chart), for a browser preview.

        Mirrors the widget tree: the values of its HTML widgets, buttons as ``<button>``,
        the action list as ``<select>`` and the chart as an inline PNG.
        """
        def button(b: w.Button) -> str:
            style = {"primary": "#2f6fbf", "info": "#2f6fbf", "danger": "#b23a3a"}.get(b.button_style, "")
            css = f"background:{style};color:#fff;" if style else ""
            return f'<button style="{css}" {"disabled" if b.disabled else ""}>{html.escape(b.description)}</button>'

        columns = []
        for k in range(self._n_open):
            cards = "".join(
                f'<div class="sf-card{" sf-selected" if "sf-selected" in card._dom_classes else ""}">'
                f"{body.value}{button(b)}</div>"
                for card, body, b in self._slots[k] if shown(card)
            )
            pager, prev, label, nxt = self._pagers[k]
            paging = f'<div class="sf-pager">{button(prev)} {label.value} {button(nxt)}</div>' if shown(pager) else ""
            head, note = self._col_heads[k].value, self._col_notes[k].value
            columns.append(f'<div class="sf-col">{head}{cards}{paging}{note}</div>')
        select = ""
        if shown(self._act_row):
            options = "".join(f"<option{' selected' if key == self._action.value else ''}>{html.escape(label)}</option>"
                              for label, key in self._action.options)
            label = html.escape(self._action.description)
            select = f"<div>{label} <select>{options}</select> {button(self._btn_act)}</div>"
        select += f"<div>{self._act_message.value}</div>" if self._act_message.value else ""
        quiz = " ".join(button(b) for b in self._quiz_buttons.values()) if shown(self._quiz_row) else ""
        self._render_chart()
        extra = """<style>body{font-family:sans-serif;margin:12px;max-width:1200px}
.sf-cols{display:flex;gap:6px;align-items:flex-start;margin:8px 0}.sf-col{flex:1 1 0;min-width:150px}
.sf-row{display:flex;gap:12px;flex-wrap:wrap}.sf-row > div{flex:1 1 380px}
.sf-card button, .sf-pager button{font-size:11px;margin-top:2px}
.sf-pager{display:flex;justify-content:space-between}</style>"""
        return (
            f"<!doctype html><html lang='{self.lang}'><head><meta charset='utf-8'>{CSS}{BOARD_CSS}{extra}</head>"
            f"<body class='sf-board'>{self._header.value}"
            f"<div>{button(self._btn_next)} {button(self._btn_undo)} {button(self._btn_reset)} "
            f"{self._message.value}</div>"
            f"<div class='sf-cols'>{''.join(columns)}</div>"
            f"<div class='sf-row'><div class='sf-panel'><div>{self._deal_html.value}</div>{select}"
            f"<div>{self._why.value}</div><div>{self._reply.value}</div><div>{quiz}</div>"
            f"<div>{self._verdict.value}</div><div>{self._moves_html.value}</div></div>"
            f"<div>{self._chart.value}"
            f"<div>{self._summary_html.value}</div></div></div>"
            "</body></html>"
        )
