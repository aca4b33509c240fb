"""The seller's actions (the catalogue) and the people actions that meet an account's contacts.

An :class:`Action` changes one deal's odds for one week: the weekly advance chance is
multiplied by its ``advance_factor`` (at most :data:`~simfunnel.model.chain.MAX_ADVANCE`)
and the loss chance by its ``loss_factor``. :data:`ACTIONS` are always available;
:data:`PEOPLE_ACTIONS` (meeting gatekeepers) only with the people layer
(:mod:`simfunnel.model.people`); :data:`MEETS` says which contacts an action meets.

Example:
    >>> from simfunnel.model.funnel import Funnel
    >>> [a.key for a in actions_for(Funnel.preset("key-account"), "evaluation")][:2]
    ['arrange_demo', 'propose_trial']
"""

from __future__ import annotations

from dataclasses import dataclass

from simfunnel.model.funnel import LOST, WON, Funnel

BRAIN_STYLES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Action:
    """A seller's action on a deal and its documented effect on that week's odds.

    Attributes:
        key: ASCII name used in events (``"arrange_demo"``).
        zh, en: labels.
        kind: ``"advance"`` (asks the customer for an action) or ``"continuation"`` (never advances).
        key_steps: the key steps (六个关键步骤) at which it can be used; empty = at any stage.
        advance_factor: multiplies the weekly advance chance (capped at ``MAX_ADVANCE``).
        loss_factor: multiplies the weekly loss chance.
        why_zh, why_en: what it does, for the trainee.
    """

    key: str
    zh: str
    en: str
    kind: str
    key_steps: tuple[str, ...]
    advance_factor: float
    loss_factor: float
    why_zh: str
    why_en: str

    def label(self, lang: str = "en") -> str:
        """The action's label in ``lang``."""
        return self.zh if lang == "zh" else self.en


ACTIONS: tuple[Action, ...] = (
    Action("needs_interview", "SPIN 需求访谈", "SPIN needs interview", "advance",
           ("customer_analysis", "dig_for_needs"), 1.8, 0.9,
           "用背景、难点、暗示、需求-效益问题把隐性需求变成明确需求。",
           "Situation, problem, implication and need-payoff questions turn implied needs into explicit ones."),
    Action("find_coach", "发展向导", "Find a coach", "advance",
           ("customer_analysis", "build_trust"), 1.5, 0.7,
           "客户内部的向导告诉我们项目的真实进展和决策链。",
           "A coach inside the customer tells us the project's real state and who decides."),
    Action("meet_decision_maker", "拜访决策者", "Meet the decision maker", "advance",
           ("build_trust", "win_commitment"), 2.0, 0.9,
           "与更高层决策者会面是客户的实际行动，是推进。",
           "A meeting with a higher decision maker is an action by the customer: an advance."),
    Action("arrange_demo", "安排产品演示", "Arrange a demo", "advance",
           ("dig_for_needs", "present_value"), 2.0, 1.0,
           "客户同意投入时间看演示，采购流程向前走了一步。",
           "The customer agrees to spend time on a demo: the purchase moves a step."),
    Action("propose_trial", "提议试用", "Propose a trial", "advance",
           ("present_value",), 2.2, 0.8,
           "试用让使用者亲身体验价值，并降低决策风险。",
           "A trial lets users feel the value and lowers the risk of deciding."),
    Action("reference_visit", "参观样板客户", "Reference site visit", "advance",
           ("build_trust", "present_value"), 1.6, 0.8,
           "同行的成功案例建立信赖。",
           "A peer's success builds trust."),
    Action("agree_budget", "确认预算", "Agree a budget", "advance",
           ("build_trust", "win_commitment"), 1.8, 1.0,
           "客户确认（或追加）预算，是明确的推进。",
           "The customer confirms (or adds) budget: a clear advance."),
    Action("joint_plan", "共同制定采购计划", "Joint purchase plan", "advance",
           ("dig_for_needs", "win_commitment"), 2.5, 0.7,
           "与客户约定下一步的时间和责任人，赢取承诺。",
           "Agree with the customer who does what by when: winning commitment."),
    Action("send_brochure", "发送产品资料", "Send a brochure", "continuation", (), 0.0, 1.0,
           "客户礼貌地收下资料，但没有任何行动：延续。",
           "The customer politely takes the brochure but does nothing: a continuation."),
    Action("friendly_dinner", "请客户吃饭", "Friendly dinner", "continuation", (), 0.0, 0.9,
           "关系更好了，但采购流程没有前进：延续。",
           "The relationship warms, the purchase does not move: a continuation."),
    Action("courtesy_call", "礼节性回访", "Courtesy call", "continuation", (), 0.0, 1.0,
           "“很有意思，保持联系”——好听的话，不是推进。",
           "\u201cVery interesting, let's keep in touch\u201d: pleasant words, not an advance."),
)
ACTIONS_BY_KEY = {a.key: a for a in ACTIONS}


def action(key: str) -> Action:
    """Look up an action by key; ValueError lists the known ones."""
    try:
        return ACTIONS_BY_KEY[key]
    except KeyError:
        raise ValueError(f"unknown action {key!r}; actions are {', '.join(ACTIONS_BY_KEY)}") from None


def actions_for(funnel: Funnel, stage_key: str) -> list[Action]:
    """The actions a seller can take on a deal at this open stage."""
    step = funnel.stage(stage_key).key_step
    if stage_key in (WON, LOST):
        return []
    return [a for a in ACTIONS if not a.key_steps or step in a.key_steps]


# Actions that only exist with people on: meeting someone. Their own weekly factor is neutral (1.0):
# what they change is the coverage, from the next week.
PEOPLE_ACTIONS: tuple[Action, ...] = (
    Action("meet_technical_gatekeeper", "拜访技术把关者", "Meet the technical gatekeeper", "advance",
           ("customer_analysis", "dig_for_needs", "present_value"), 1.0, 1.0,
           "技术把关者（驴）决定我们是否符合标准。",
           "The technical gatekeeper (donkey) decides whether we meet the criteria."),
    Action("meet_financial_gatekeeper", "拜访财务把关者", "Meet the financial gatekeeper", "advance",
           ("customer_analysis", "build_trust", "win_commitment"), 1.0, 1.0,
           "财务把关者（驴）守着预算。",
           "The financial gatekeeper (donkey) guards the budget."),
)
PEOPLE_ACTIONS_BY_KEY = {a.key: a for a in PEOPLE_ACTIONS}

# Which contacts an action meets: (column, value) of the deal's account's contacts.
MEETS = {
    "find_coach": ("coach", True),
    "meet_decision_maker": ("buying_role", "decision_maker"),
    "meet_technical_gatekeeper": ("buying_role", "technical_gatekeeper"),
    "meet_financial_gatekeeper": ("buying_role", "financial_gatekeeper"),
}
# Present-value actions: the ones a style applies to.
STYLE_STEP = "present_value"


def people_actions_for(funnel: Funnel, stage_key: str) -> list[Action]:
    """The people-only actions (meeting gatekeepers) that fit this open stage."""
    if stage_key not in funnel.keys:
        return []
    step = funnel.stage(stage_key).key_step
    return [a for a in PEOPLE_ACTIONS if step in a.key_steps]


def parse_style(value) -> tuple[str, int | None]:
    """``"A"`` or ``("A", contact_id)`` → (style, contact_id or None); ValueError otherwise."""
    if isinstance(value, str):
        style, contact = value, None
    elif isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[0], str):
        style, contact = value[0], value[1]
    else:
        raise ValueError(f"a style is 'A'…'D' or (style, contact_id), got {value!r}")
    if style not in BRAIN_STYLES:
        raise ValueError(f"unknown style {style!r}; styles are {', '.join(BRAIN_STYLES)}")
    return style, contact


# Every action a board can offer, plain and people actions alike.
ALL_ACTIONS_BY_KEY = {**ACTIONS_BY_KEY, **PEOPLE_ACTIONS_BY_KEY}
