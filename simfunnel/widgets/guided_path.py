"""The AccountMap's guided path: find a coach → gather information → analyse the organisation → judge the opportunity.

The steps' actions and keys, :class:`GuidedStep`, and :class:`GuidedPath`, the part of
:class:`~simfunnel.widgets.account_map.AccountMap` that works out which steps are done (from the
simulation's meetings and the board's moves) and what each step has found so far — down to step 4's
tables: the coach's report on the account's open deals and the chosen deal's purchase factors.
The rules are in :mod:`simfunnel.widgets.account_map`'s notes.

    >>> STEP_KEYS[1], STEP_ACTIONS[1]
    ('find_coach', ('find_coach',))
"""

from __future__ import annotations

import html
from typing import NamedTuple

import numpy as np
import pandas as pd

from simfunnel import i18n, plots
from simfunnel.model.people import PURCHASE_FACTOR_LABELS, PURCHASE_FACTORS, RISK_CODES
from simfunnel.widgets.moves import Move

__all__ = ["GATEKEEPERS", "MEET_ROLES", "STEP_ACTIONS", "STEP_KEYS", "GuidedPath", "GuidedStep"]

# The actions of each guided step (in the order offered).
STEP_ACTIONS: dict[int, tuple[str, ...]] = {
    1: ("find_coach",),
    2: ("meet_decision_maker", "meet_technical_gatekeeper", "meet_financial_gatekeeper", "needs_interview"),
    3: ("arrange_demo", "propose_trial", "reference_visit"),
    4: (),
}
# The steps' keys (GuidedStep.key), the roles AccountMap.meet takes, and the gatekeepers step 2 asks for.
STEP_KEYS = {1: "find_coach", 2: "gather_information", 3: "analyse_organisation", 4: "judge_opportunity"}
MEET_ROLES = ("decision_maker", "technical_gatekeeper", "financial_gatekeeper")
GATEKEEPERS = ("technical_gatekeeper", "financial_gatekeeper")


class GuidedStep(NamedTuple):
    """One step of the guided path: its number (1–4), key, whether it is done, and the current one."""

    number: int
    key: str
    done: bool
    current: bool


class GuidedPath:
    """The guided path of :class:`~simfunnel.widgets.account_map.AccountMap` (a base class of it only).

    :attr:`steps` and :attr:`step` say where the trainee is on the path; ``_findings_1`` …
    ``_findings_4`` are the HTML lines each step shows under its task. Reads the map's state
    (``sim``, ``board``, ``contacts``, the shown account and deal) and its texts.
    """

    # --- which steps are done -----------------------------------------------------------
    def _tried_coach_week(self) -> int | None:
        """The first week a find_coach action was played on a deal of this account (None if never)."""
        pos = self._account_pos(self.account_id)
        for week, acts in enumerate(self.sim.actions_taken, start=1):
            for deal_id, key in acts.items():
                if key == "find_coach" and self._deal_acc[self._deal_index.get_loc(deal_id)] == pos:
                    return week
        return None

    def _styled_moves(self) -> list[Move]:
        """Present-value moves with a style played (weeks done) on deals of this account."""
        pos = self._account_pos(self.account_id)
        return [m for m in self.board.moves if m.style is not None and m.week <= self.sim.week
                and self._deal_acc[self._deal_index.get_loc(m.deal_id)] == pos]

    def _collective_need(self, met: dict) -> tuple[bool, int, int]:
        """(the 三重一大 rule applies to an open deal here, decision-level contacts needed, met)."""
        params = self.sim.people
        acc = self._accounts.iloc[self._account_pos(self.account_id)]
        big = any(self._amount[self._deal_index.get_loc(d)] > params.collective_amount for d in self.open_deals())
        applies = str(acc["ownership"]) == "state_owned" and big
        c = self.contacts
        decision = c["contact_id"][c["level"].astype(str).to_numpy() == "decision"].tolist()
        return applies, int(params.collective_min_decision), sum(1 for x in decision if x in met)

    def _done(self, met: dict) -> dict[int, bool]:
        c = self.contacts
        roles = c["buying_role"].astype(str).to_numpy()
        ids = c["contact_id"].to_numpy()
        has_coach = bool(c["coach"].any())
        step1 = self._coach_met(met) or (not has_coach and self._tried_coach_week() is not None)
        dm_met = any(i in met for i in ids[roles == "decision_maker"])
        gk = ids[np.isin(roles, GATEKEEPERS)]
        step2 = dm_met and (len(gk) == 0 or any(i in met for i in gk))
        applies, need, n_met = self._collective_need(met)
        step3 = bool(self._styled_moves()) and (not applies or n_met >= need)
        return {1: step1, 2: step2, 3: step3, 4: False}

    @property
    def steps(self) -> list[GuidedStep]:
        """The four steps of the guided path with their state (see :mod:`simfunnel.widgets.account_map`'s notes)."""
        done = self._done(self._met_weeks())
        current = next((k for k in (1, 2, 3) if not done[k]), 4)
        return [GuidedStep(k, STEP_KEYS[k], done[k], k == current) for k in (1, 2, 3, 4)]

    @property
    def step(self) -> int:
        """The current step of the guided path: the first not done (1 find a coach, 2 gather
        information, 3 analyse the organisation), else 4 (judge the opportunity)."""
        return next(s.number for s in self.steps if s.current)

    # --- what each step has found ------------------------------------------------------
    def _planned_line(self, keys: tuple[str, ...]) -> list[str]:
        out = []
        for m in self._account_moves():
            if m.action in keys:
                what = self.t("move_line", deal=m.deal_id, action=self._action_label(m.action))
                out.append(f"<span class='sf-plan'>{html.escape(self.t('planned', what=what))}</span>")
        return out

    def _findings_1(self, met: dict) -> list[str]:
        coach = [c for c in self._coach_ids() if c in met]
        if coach:
            role = str(self.contacts["buying_role"][self.contacts["contact_id"] == coach[0]].iloc[0])
            lines = [html.escape(self.t("coach_met", name=self._name(coach[0]), role=self._role_label(role),
                                        week=met[coach[0]]))]
        else:
            tried = self._tried_coach_week()
            has_coach = bool(self.contacts["coach"].any())
            left = self._coach_left_week()
            if tried is not None and not has_coach:
                lines = [html.escape(self.t("coach_none", week=tried))]
            elif left is not None:
                lines = [f"<span class='sf-warn'>{html.escape(self.t('coach_left', week=left))}</span>"]
            else:
                lines = [f"<span class='sf-muted'>{html.escape(self.t('coach_not_yet'))}</span>"]
        return lines + self._planned_line(STEP_ACTIONS[1])

    def _findings_2(self, met: dict) -> list[str]:
        c = self.contacts
        ids = c["contact_id"].to_numpy()
        roles = c["buying_role"].astype(str).to_numpy()
        names = [self._name(i) for i in ids if i in met]
        lines = [html.escape(self.t("met_summary", met=len(names), n=len(ids), names=self._join(names)))
                 if names else f"<span class='sf-muted'>{html.escape(self.t('met_nobody'))}</span>"]
        dm = [self._name(i) for i in ids[roles == "decision_maker"] if i in met]
        lines.append(html.escape(self.t("dm_met", names=self._join(dm))) if dm else
                     f"<span class='sf-warn'>{html.escape(self.t('dm_not_met'))}</span>")
        gk_ids = ids[np.isin(roles, GATEKEEPERS)]
        gk = [self._name(i) for i in gk_ids if i in met]
        if not len(gk_ids):
            lines.append(f"<span class='sf-muted'>{html.escape(self.t('gk_none'))}</span>")
        else:
            lines.append(html.escape(self.t("gk_met", names=self._join(gk))) if gk else
                         f"<span class='sf-muted'>{html.escape(self.t('gk_not_met'))}</span>")
        need = self._deal_factors()
        if need is not None:
            key = "need_explicit" if bool(need["need_explicit"]) else "need_implicit"
            lines.append(html.escape(self.t(key)))
        return lines + self._planned_line(STEP_ACTIONS[2])

    def _findings_3(self, met: dict) -> list[str]:
        c = self.contacts
        people = self.people
        decision = people[people["level"] == "decision"]

        def who(row) -> str:
            bits = [self._role_label(row["role"]) if row["role"] is not None else "?",
                    row["brain_type"] if row["brain_type"] is not None else "?"]
            return f"{row['name']}（{'，'.join(bits)}）" if self.lang == "zh" else f"{row['name']} ({', '.join(bits)})"

        lines = [html.escape(self.t("deciders", names=self._join([who(r) for _, r in decision.iterrows()])))]
        applies, need, n_met = self._collective_need(met)
        if applies:
            cls = "sf-good" if n_met >= need else "sf-warn"
            text = self.t("collective", amount=self.money(self.sim.people.collective_amount, compact=True), k=need,
                          met=n_met)
            lines.append(f"<span class='{cls}'>{html.escape(text)}</span>")
        audience = self._audience_dd.value or None
        if audience is None:
            dms = c["contact_id"][c["buying_role"].astype(str).to_numpy() == "decision_maker"].tolist()
            audience = dms[0] if dms else None
        if audience is None:
            lines.append(f"<span class='sf-warn'>{html.escape(self.t('no_dm'))}</span>")
        else:
            row = people[people["contact_id"] == audience].iloc[0]
            if row["brain_type"] is not None:
                lines.append(html.escape(self.t("audience_brain", name=row["name"],
                                                brain=plots.brain_label(row["brain_type"], self.lang))))
            else:
                lines.append(f"<span class='sf-muted'>{html.escape(self.t('audience_unknown', name=row['name']))}</span>")
        for m in self._styled_moves():
            what = self.t("move_line", deal=m.deal_id, action=self._action_label(m.action)) + " · " + \
                self.t("style_mark", style=m.style if isinstance(m.style, str) else m.style[0])
            lines.append(f"<span class='sf-good'>{html.escape(self.t('styled_done', what=what))}</span>")
        return lines + self._planned_line(STEP_ACTIONS[3])

    def _findings_4(self, met: dict) -> list[str]:
        lines = []
        has_coach = bool(self.contacts["coach"].any())
        report = None
        if self._coach_met(met) and hasattr(self.sim, "coach_report"):
            report = self.sim.coach_report(self.account_id)
        if report is not None:
            lines.append(f"<b>{html.escape(self.t('report_title', week=self.sim.week))}</b>")
            lines.append(self._report_html(report))
        elif has_coach or self._tried_coach_week() is None:
            lines.append(f"<span class='sf-warn'>{html.escape(self.t('report_find_coach'))}</span>")
        else:
            lines.append(f"<span class='sf-muted'>{html.escape(self.t('report_no_coach'))}</span>")
        factors = self._deal_factors()
        if factors is not None:
            lines.append(self._factors_html(factors))
        return lines

    # --- step 4's tables: the coach's report, the purchase factors ------------------------
    def _report_html(self, report: pd.DataFrame) -> str:
        keep = report[report["amount"].to_numpy(dtype=float) >= self.board.threshold]
        if keep.empty:
            return f"<span class='sf-muted'>{html.escape(self.t('report_none'))}</span>"
        factor_labels = PURCHASE_FACTOR_LABELS
        risk_labels = RISK_CODES
        heads = ["report_deal", "report_stage", "report_amount", "report_advance", "report_loss"]
        if "weakest_factor" in keep:
            heads.append("report_weakest")
        if "need_explicit" in keep:
            heads.append("report_need")
        if "risk" in keep:
            heads.append("report_risk")
        rows = []
        for _, r in keep.sort_values("amount", ascending=False).iterrows():
            cells = [f"#{r['deal_id']}", self.funnel.label(str(r["stage"]), self.lang),
                     self.money(float(r["amount"]), compact=True), f"{float(r['advance_chance']):.0%}",
                     f"{float(r['loss_chance']):.0%}"]
            if "weakest_factor" in keep:
                label = factor_labels.get(str(r["weakest_factor"]))
                cells.append(f"{i18n.text(label, self.lang) if label else r['weakest_factor']} {int(r['weakest_level'])}")
            if "need_explicit" in keep:
                cells.append(self.t("report_need_yes" if bool(r["need_explicit"]) else "report_need_no"))
            html_cells = "".join(f"<td>{html.escape(x)}</td>" for x in cells)
            if "risk" in keep:
                label = risk_labels.get(str(r["risk"]))
                text = i18n.text(label, self.lang) if label else str(r["risk"])
                html_cells += f"<td class='sf-risk-{html.escape(str(r['risk']))}'>{html.escape(text)}</td>"
            rows.append(f"<tr>{html_cells}</tr>")
        head = "".join(f"<th>{html.escape(self.t(h))}</th>" for h in heads)
        return f"<table class='sf-report'><tr>{head}</tr>{''.join(rows)}</table>"

    def _deal_factors(self) -> pd.Series | None:
        """The chosen deal's purchase factors (None without the people layer's purchase factors)."""
        if self.deal_id is None or not hasattr(type(self.sim), "purchase_factors"):
            return None
        table = self.sim.purchase_factors
        hit = table[table["deal_id"] == self.deal_id]
        return None if hit.empty else hit.iloc[0]

    def _factors_html(self, row: pd.Series) -> str:
        names = PURCHASE_FACTORS
        labels = PURCHASE_FACTOR_LABELS
        cells = []
        for name in names:
            level = int(row[name])
            dots = "●" * level + "○" * (5 - level)
            cells.append(f"<td>{html.escape(i18n.text(labels[name], self.lang))}</td>"
                         f"<td><span class='sf-dots'>{dots}</span> {level}</td>")
        body = "".join(f"<tr>{c}</tr>" for c in cells)
        return (f"<b>{html.escape(self.t('factors_title', deal=self.deal_id))}</b>"
                f"<table class='sf-report'>{body}</table>")
