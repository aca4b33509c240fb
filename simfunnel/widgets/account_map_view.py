"""How the AccountMap looks: pickers, the org chart, the guided path's boxes and buttons, the moves to classify.

:class:`AccountMapView` is the drawing half of :class:`~simfunnel.widgets.account_map.AccountMap`:
it builds the ipywidgets tree once (``_build_ui``), runs the controls (a refused action shows
its reason in the map's language, not a traceback) and redraws every text and the org chart
(:func:`simfunnel.plots.org_chart`) in the map's language (:meth:`refresh`).
"""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np

from simfunnel import i18n, plots
from simfunnel.model.actions import ALL_ACTIONS_BY_KEY
from simfunnel.model.generate import INDUSTRIES, OWNERSHIP
from simfunnel.model.replies import OUTCOME_LABELS, OUTCOMES
from simfunnel.model.segments import DEFAULT_SEGMENTS
from simfunnel.widgets.account_map_texts import MapError
from simfunnel.widgets.base import CSS, Widget, figure_png
from simfunnel.widgets.controls import DPI, new_figure
from simfunnel.widgets.deal_board import DealBoard
from simfunnel.widgets.deal_board_texts import BOARD_TEXT
from simfunnel.widgets.guided_path import STEP_ACTIONS
from simfunnel.widgets.moves import BoardError, plain_value

__all__ = ["MAP_CSS", "AccountMapView"]

MAP_CSS = """
<style>
.sf-map .sf-step {border:1px solid #c9d3e0; border-radius:6px; padding:4px 8px; margin:3px 0; background:#fff}
.sf-map .sf-step-current {border:2px solid #1f5fa8; background:#eef4fb}
.sf-map .sf-step-done {background:#f4faf5}
.sf-map .sf-step-title {font-size:13px}
.sf-map .sf-tick {color:#1b7f3b; font-weight:600}
.sf-map .sf-now {color:#1f5fa8; font-weight:600}
.sf-map .sf-step-body {font-size:12px; line-height:1.4}
.sf-map table.sf-report {border-collapse:collapse; font-size:12px; margin:3px 0}
.sf-map table.sf-report td, .sf-map table.sf-report th {border-bottom:1px solid #e3e8ef; padding:2px 8px;
  text-align:left; font-weight:normal}
.sf-map table.sf-report th {color:#6b7785}
.sf-map .sf-risk-at_risk {color:#b23a3a} .sf-map .sf-risk-stalled {color:#c98a0c} .sf-map .sf-risk-moving {color:#1b7f3b}
.sf-map .sf-dots {letter-spacing:1px; color:#2f6fbf}
.sf-map .sf-plan {color:#1b7f3b} .sf-map .sf-good {color:#1b7f3b} .sf-map .sf-bad {color:#b23a3a}
.sf-map .sf-reply {font-size:13px; padding:4px 8px; border-left:4px solid #2f6fbf; background:#f5f8fc; margin:3px 0}
</style>
"""



class AccountMapView(Widget):
    """The drawing half of :class:`~simfunnel.widgets.account_map.AccountMap`: widget tree, controls, rendering.

    A base class of ``AccountMap`` only; it reads the map's state (``board``, ``sim``, the shown
    account and deal, ``people``, ``steps``) and calls its verbs from the controls.
    """

    # --- UI ------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        L = w.Layout
        self._title = w.HTML()
        self._account_dd = w.Dropdown(layout=L(width="420px"), style={"description_width": "initial"})
        self._deal_dd = w.Dropdown(layout=L(width="420px"), style={"description_width": "initial"})
        self._account_dd.observe(self._on_account, names="value")
        self._deal_dd.observe(self._on_deal, names="value")
        self._btn_next = w.Button(button_style="primary", layout=L(width="auto"))
        self._btn_next.on_click(lambda _b: self._ui(self.next_week))
        self._message = w.HTML()
        pickers = w.HBox([self._account_dd, self._deal_dd, self._btn_next],
                         layout=L(flex_flow="row wrap", align_items="center"))
        self._facts = w.HTML()
        self.figures["org"] = new_figure(8.2, 5.3)
        self._ax = self.figures["org"].add_axes((0, 0, 1, 1))
        self._chart = w.Image(format="png", layout=L(max_width="100%", height="auto"))
        self._path_title = w.HTML()
        self._step_html: dict[int, w.HTML] = {k: w.HTML() for k in (1, 2, 3, 4)}
        self._buttons: dict[str, w.Button] = {}
        for k in (1, 2):
            for key in STEP_ACTIONS[k]:
                b = w.Button(layout=L(width="auto"))
                b.on_click(lambda _b, key=key: self._ui(lambda: self.act(key)))
                self._buttons[key] = b
        self._audience_dd = w.Dropdown(layout=L(width="300px"), style={"description_width": "initial"})
        self._style_dd = w.Dropdown(layout=L(width="330px"), style={"description_width": "initial"})
        self._pv_dd = w.Dropdown(layout=L(width="260px"), style={"description_width": "initial"})
        self._audience_dd.observe(lambda _c: self._quiet or self._render_path(), names="value")
        self._btn_present = w.Button(button_style="primary", layout=L(width="auto"))
        self._btn_present.on_click(lambda _b: self._ui(self._ui_present))
        rows = {
            1: [w.HBox([self._buttons["find_coach"]])],
            2: [w.HBox([self._buttons[k] for k in STEP_ACTIONS[2]], layout=L(flex_flow="row wrap"))],
            3: [w.HBox([self._audience_dd, self._style_dd], layout=L(flex_flow="row wrap")),
                w.HBox([self._pv_dd, self._btn_present], layout=L(flex_flow="row wrap", align_items="center"))],
            4: [],
        }
        self._step_box = {k: w.VBox([self._step_html[k], *rows[k]]) for k in (1, 2, 3, 4)}
        for box in self._step_box.values():
            box.add_class("sf-step")
        self._moves_html = w.HTML()
        self._quiz_buttons = {o: w.Button(layout=L(width="auto")) for o in OUTCOMES}
        for o, b in self._quiz_buttons.items():
            b.on_click(lambda _b, o=o: self._ui(lambda: self.classify(o)))
        self._quiz_row = w.HBox(list(self._quiz_buttons.values()), layout=L(flex_flow="row wrap"))
        path = w.VBox([self._path_title, *self._step_box.values(), self._moves_html, self._quiz_row],
                      layout=L(flex="1 1 420px", min_width="360px", margin="0 0 0 8px"))
        self.root = w.VBox([self._title, pickers, self._message, self._facts,
                            w.HBox([w.VBox([self._chart], layout=L(flex="0 1 auto")), path],
                                   layout=L(flex_flow="row wrap", align_items="flex-start"))])
        self.root.add_class("sf-map")

    def _on_board(self, _board: DealBoard) -> None:
        if self.account_id is not None:
            self.refresh()

    def _on_account(self, change: dict) -> None:
        if self._quiet or change["new"] is None or change["new"] == self.account_id:
            return
        self._ui(lambda: self.select_account(change["new"]))

    def _on_deal(self, change: dict) -> None:
        if self._quiet or change["new"] is None or change["new"] == self.deal_id:
            return
        self._ui(lambda: self.select_deal(change["new"]))

    def _ui_present(self) -> None:
        if self._pv_dd.value is None:
            raise MapError("err_no_pv", deal=self.deal_id, stage=self._stage_key(self.deal_id),
                            stages=", ".join(self._stages_of(STEP_ACTIONS[3][0])))
        self.present_value(self._style_dd.value or None, action=self._pv_dd.value,
                           audience=self._audience_dd.value or None)

    def _ui(self, call) -> None:
        """Run a control's action; a refused one shows its reason in the map's language, not a traceback."""
        try:
            call()
        except (MapError, BoardError) as err:
            self._note = (err.key, dict(err.fields), isinstance(err, BoardError))
        else:
            self._note = None
        self._render_message()

    def _render_message(self) -> None:
        if self._note is None:
            self._message.value = ""
            return
        key, fields, from_board = self._note
        table = BOARD_TEXT if from_board else self.TEXT
        if self.lang == "zh":
            text = table[key][0].format(**fields)
        else:
            text = str(BoardError(key, **fields) if from_board else MapError(key, **fields))
        self._message.value = f'<span class="sf-warn">{html.escape(text)}</span>'

    # --- rendering ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw every text and the chart in the map's language (after the simulation moved, too)."""
        if not hasattr(self, "_chart") or self.account_id is None:
            return
        if self.deal_id is not None:
            try:
                self._check_deal(self.deal_id)
            except MapError:  # the deal closed (or an undo went back before it): the account's next one
                self.deal_id = None
        if self.deal_id is None:
            deals = self.open_deals()
            self.deal_id = deals[0] if deals else None
        self._title.value = (CSS + MAP_CSS + f"<h3 style='margin:4px 0'>{html.escape(self.t('title'))}</h3>"
                             f"<div style='max-width:900px'>{html.escape(self.t('intro'))}</div>")
        self._btn_next.description = self.t("next_week")
        self._btn_next.tooltip = self.t("next_tip")
        self._btn_next.disabled = self.sim.week >= self.world.weeks
        self._render_pickers()
        self._render_facts()
        self._render_chart()
        self._render_path()
        self._render_moves()
        self._render_message()

    def _render_pickers(self) -> None:
        mask = self._open_mask() & (self._deal_acc >= 0)
        n_acc = len(self._acc_index)
        counts = np.bincount(self._deal_acc[mask], minlength=n_acc)
        amount = np.bincount(self._deal_acc[mask], weights=self._amount[mask], minlength=n_acc)
        cur = self._account_pos(self.account_id)
        shown = np.flatnonzero(counts > 0)
        if cur not in set(shown.tolist()):
            shown = np.r_[shown, cur]
        shown = shown[np.lexsort((shown, -amount[shown]))]
        names = self._accounts[f"name_{self.lang}"].astype(str).to_numpy()
        seg_col = self._accounts["segment"].astype(str).to_numpy() if "segment" in self._accounts else None
        seg_names = {k: (zh, en) for k, zh, en in DEFAULT_SEGMENTS}
        options = []
        for p in shown:  # the accounts with open deals: a few hundred at most in a workshop
            seg = i18n.text(seg_names[seg_col[p]], self.lang) if seg_col is not None and seg_col[p] in seg_names \
                else "—"
            n = int(counts[p])
            key = "account_option_none" if n == 0 else ("account_option_one" if n == 1 else "account_option")
            options.append((self.t(key, name=names[p], segment=seg, n=n), plain_value(self._acc_index[p])))
        deals = self.open_deals()
        stage = self.sim.stage_codes()
        entered = self.sim.entered_weeks()
        deal_options = []
        for d in deals:
            p = self._deal_index.get_loc(d)
            deal_options.append((self.t("deal_option", deal=d, stage=self.funnel.all_stages[int(stage[p])].label(self.lang),
                                        amount=self.money(self._amount[p], compact=True),
                                        weeks=int(self.sim.week - entered[p])), d))
        self._quiet = True
        try:
            self._account_dd.description = self.t("account")
            if tuple(tuple(o) for o in self._account_dd.options) != tuple(options):
                self._account_dd.options = options
            self._account_dd.value = self.account_id
            self._deal_dd.description = self.t("deal")
            if tuple(tuple(o) for o in self._deal_dd.options) != tuple(deal_options):
                self._deal_dd.options = deal_options
            self._deal_dd.value = self.deal_id if deal_options else None
            self._deal_dd.disabled = not deal_options
        finally:
            self._quiet = False

    def _facts_text(self) -> tuple[str, str]:
        acc = self._accounts.iloc[self._account_pos(self.account_id)]
        lang = self.lang
        industry = {k: (zh, en) for k, zh, en, *_ in INDUSTRIES}.get(str(acc.get("industry")))
        ownership = {k: (zh, en) for k, zh, en, *_ in OWNERSHIP}.get(str(acc.get("ownership")))
        segment = {k: (zh, en) for k, zh, en in DEFAULT_SEGMENTS}.get(str(acc.get("segment")))
        parts = [i18n.text(x, lang) for x in (industry, ownership) if x]
        if bool(acc.get("existing_customer", False)):
            parts.append(self.t("customer_existing", share=f"{float(acc['share_of_wallet']):.0%}"))
        else:
            parts.append(self.t("customer_new"))
        if segment:
            parts.append(i18n.text(segment, lang))
        if "potential" in acc:
            parts.append(self.t("potential", amount=self.money(float(acc["potential"]), compact=True)))
        met = self._met_weeks()
        parts.append(self.t("facts_met", met=len(met), n=len(self.contacts)))
        return str(acc[f"name_{lang}"]), " · ".join(parts)

    def _render_facts(self) -> None:
        deals = self.open_deals()
        amount = float(sum(self._amount[self._deal_index.get_loc(d)] for d in deals))
        if deals:
            key = "open_deal" if len(deals) == 1 else "open_deals"
            line = self.t(key, n=len(deals), amount=self.money(amount, compact=True))
        else:
            line = self.t("no_open_deals")
        reveal = f"<br><span class='sf-warn'>{html.escape(self.t('reveal_note'))}</span>" if self._reveal else ""
        self._facts.value = (f"<span class='sf-muted'>{html.escape(self.t('week', week=self.sim.week))} · "
                             f"{html.escape(line)}</span>{reveal}")

    def _render_chart(self) -> None:
        met = self._met_weeks()
        # what the chart shows: the account, who is met when, what is known; a week without meetings here keeps it
        key = (self.account_id, self.lang, self._reveal, tuple(sorted(met.items())), tuple(sorted(self._ever_met())),
               self._tried_coach_week())
        if key == self._chart_key:
            return
        roles_known, brains_known, coach_known = self._known(met)
        fig = self.figures["org"]
        fig.set_size_inches(*plots.org_chart_size(self.contacts))
        ax = self._ax
        ax.clear()
        title, subtitle = self._facts_text()
        plots.org_chart(self.contacts, met=met, ax=ax, lang=self.lang, roles_known=roles_known,
                        brains_known=brains_known, coach_known=coach_known, title=title, subtitle=subtitle)
        self._chart.value = figure_png(fig, dpi=DPI)
        self._chart_key = key

    def _render_path(self) -> None:
        met = self._met_weeks()
        steps = self.steps
        title = f"<b>{html.escape(self.t('path_title'))}</b>"
        if self.deal_id is not None and self.deal_id in {m.deal_id for m in self.board.pending}:
            title += f"<br><span class='sf-muted'>{html.escape(self.t('deal_busy', deal=self.deal_id))}</span>"
        self._path_title.value = title
        fitting = self._fitting(self.deal_id) if self.deal_id is not None else []
        pending = {m.deal_id: m for m in self.board.pending}
        can_act = (self.deal_id is not None and self.deal_id not in pending
                   and self.sim.week < self.world.weeks)
        self._render_present(fitting, can_act)
        for s in steps:
            box = self._step_box[s.number]
            for cls, on in (("sf-step-current", s.current), ("sf-step-done", s.done)):
                if on:
                    box.add_class(cls)
                else:
                    box.remove_class(cls)
            mark = (f" <span class='sf-tick'>{html.escape(self.t('done_mark'))}</span>" if s.done else
                    f" <span class='sf-now'>{html.escape(self.t('now_mark'))}</span>" if s.current else "")
            body = [html.escape(self.t(f"do_{s.number}"))]
            body += getattr(self, f"_findings_{s.number}")(met)
            self._step_html[s.number].value = (
                f"<div class='sf-step-title'>{s.number}. {html.escape(self.t(f'step_{s.number}'))}{mark}</div>"
                f"<div class='sf-step-body'>{'<br>'.join(body)}</div>")
        notes = []
        for key, b in self._buttons.items():
            b.description = self._action_label(key)
            fits = key in fitting
            b.disabled = not (can_act and fits)
            act = ALL_ACTIONS_BY_KEY[key]
            b.tooltip = act.why_zh if self.lang == "zh" else act.why_en
            if can_act and not fits and self.deal_id is not None:
                notes.append(key)
        for key in notes:  # why a button is off: where the action fits, and the account's deals there
            b = self._buttons[key]
            b.tooltip = self._fits_note(key)

    def _fits_note(self, action: str) -> str:
        stages = self._stages_of(action)
        labels = self._join([self.funnel.label(s, self.lang) for s in stages])
        note = self.t("fits_at", action=self._action_label(action), stages=labels,
                      stage=self.funnel.label(self._stage_key(self.deal_id), self.lang))
        others = [d for d in self.open_deals() if self._stage_key(d) in stages]
        if others:
            note += " " + self.t("fits_other", deals=self._join([f"#{d}" for d in others[:6]]))
        return note

    def _render_present(self, fitting: list[str], can_act: bool) -> None:
        people = self.people
        # "" = the default audience / no style chosen (a value of None shows an empty list in the browser)
        audience_opts = [(self.t("audience_default"), "")]
        for _, r in people.iterrows():
            bits = [r["name"]]
            if r["role"] is not None:
                bits.append(self._role_label(r["role"]))
            bits.append(r["brain_type"] if r["brain_type"] is not None else "?")
            audience_opts.append((" · ".join(bits), int(r["contact_id"])))
        style_opts = [(self.t("style_choose"), "")] + [(plots.brain_label(b, self.lang), b) for b in "ABCD"]
        pv = [k for k in STEP_ACTIONS[3] if k in fitting]
        pv_opts = [(self._action_label(k), k) for k in pv]
        self._quiet = True
        try:
            for dd, options, label in ((self._audience_dd, audience_opts, "audience"),
                                       (self._style_dd, style_opts, "style"), (self._pv_dd, pv_opts, "pv_action")):
                dd.description = self.t(label)
                if tuple(tuple(o) for o in dd.options) != tuple(options):
                    current = dd.value
                    dd.options = options
                    values = [v for _, v in options]
                    dd.value = current if current in values else (values[0] if values else None)
        finally:
            self._quiet = False
        self._btn_present.description = self.t("present")
        self._btn_present.tooltip = self.t("present_tip") if pv or not can_act else self._fits_note(STEP_ACTIONS[3][0])
        self._btn_present.disabled = not (can_act and pv)
        self._pv_dd.disabled = not pv

    def _render_moves(self) -> None:
        moves = self._account_moves()
        for o, b in self._quiz_buttons.items():
            b.description = OUTCOME_LABELS[o][0 if self.lang == "zh" else 1]
        if not moves:
            self._moves_html.value = f"<span class='sf-muted'>{html.escape(self.t('no_moves'))}</span>"
            self._quiz_row.layout.display = "none"
            return
        items = []
        for m in moves:
            what = self.t("move_line", deal=m.deal_id, action=self._action_label(m.action))
            if m.style is not None:
                what += " · " + self.t("style_mark", style=m.style if isinstance(m.style, str) else m.style[0])
            if m.revealed:
                label = OUTCOME_LABELS[m.outcome][0 if self.lang == "zh" else 1]
                mark = f'<span class="sf-badge sf-{m.outcome}">{html.escape(label)}</span>'
            else:
                mark = f"<span class='sf-muted'>{html.escape(self.t('to_classify'))}</span>"
            quote = ("「{}」" if self.lang == "zh" else "“{}”").format(m.reply.text(self.lang))
            items.append(f"<li>{html.escape(what)} {mark}<div class='sf-reply'>{html.escape(quote)}</div></li>")
        waiting = any(not m.revealed for m in moves)
        ask = f"<span class='sf-muted'>{html.escape(self.t('classify_here'))}</span>" if waiting else ""
        self._moves_html.value = (f"<b>{html.escape(self.t('moves_title'))}</b>"
                                  f"<ul style='margin:2px 0; padding-left:18px'>{''.join(items)}</ul>{ask}")
        self._quiz_row.layout.display = None if waiting else "none"
