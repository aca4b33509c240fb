"""The seller's actions (the catalogue) and the people actions that meet an account's contacts.

**What an action does in its week** (the course's 推进 / 延续, see DESIGN.md "Responses and moves"):
the customer either **commits** to a concrete next step that fits the action — a demo date, a trial, a
meeting with a higher decision maker, part of a budget: an **advance** (推进) — or answers with kind words
and no action: a **continuation** (延续). The customer commits with the action's ``commit_chance``
(raised by the account's trust, below); a commitment multiplies the deal's weekly advance chance by
``commit_factor`` (at most :data:`~simfunnel.model.chain.MAX_ADVANCE`), a continuation leaves it as with no
action. On average over the two, the week's advance chance is multiplied by ``advance_factor`` (the
catalogue's documented effect). The loss chance is multiplied by ``loss_factor`` either way. Whether the
deal then moves a stage is the week's own draw: an advance makes the move likelier, it is not the move.

**Relationship actions** (``kind == "relationship"``: a brochure, a friendly dinner, a courtesy call) rarely
bring a commitment in their week (``commit_chance`` 0.10–0.15; they never lower the week's chances), but
they build the account's **trust** (信赖): each raises it by :data:`TRUST_GAIN` of what is left to 1
(diminishing returns), from the next week. Trust ``T`` multiplies every later action's commit chance on the
account's deals by ``1 + boost · T`` — :data:`TRUST_BOOST_NEW` in an account that is not yet a customer,
:data:`TRUST_BOOST_EXISTING` in a customer's (who knows us already) — capped at :data:`MAX_COMMIT`.
Every size here is a **kit assumption**, not a figure from the course: the course gives the direction
(信赖 is one of the five purchase factors; 建立信任 is a key step of its own), not the numbers.

:data:`ACTIONS` are always available; :data:`PEOPLE_ACTIONS` (meeting gatekeepers) only with the people
layer (:mod:`simfunnel.model.people`); :data:`MEETS` says which contacts an action meets.

Example:
    >>> from simfunnel.model.funnel import Funnel
    >>> [a.key for a in actions_for(Funnel.preset("key-account"), "evaluation")][:2]
    ['arrange_demo', 'propose_trial']
    >>> demo = ACTIONS_BY_KEY["arrange_demo"]
    >>> round(demo.commit_chance * demo.commit_factor + 1 - demo.commit_chance, 9) == demo.advance_factor
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from simfunnel.model.funnel import LOST, WON, Funnel

BRAIN_STYLES = ("A", "B", "C", "D")


# Trust (信赖) built by relationship actions: kit assumptions (see the module's notes).
TRUST_GAIN = 0.5  # a relationship action closes this share of the gap between the account's trust and 1
TRUST_BOOST_NEW = 1.5  # × (1 + boost · trust) on commit chances in an account that is not yet a customer
TRUST_BOOST_EXISTING = 0.3  # … in an existing customer's account (they know us already)
MAX_COMMIT = 0.95  # no commit chance, however much trust, passes this


@dataclass(frozen=True)
class Action:
    """A seller's action on a deal and its documented effect on that week's odds.

    Attributes:
        key: ASCII name used in events (``"arrange_demo"``).
        zh, en: labels.
        kind: ``"advance"`` (asks the customer for a concrete action) or ``"relationship"`` (builds trust;
            rarely a commitment in its week).
        key_steps: the key steps (六个关键步骤) at which it can be used; empty = at any stage.
        advance_factor: the average multiplier of the week's advance chance, over commitment and
            continuation (``commit_chance · commit_factor + 1 − commit_chance``), with no trust built.
        loss_factor: multiplies the weekly loss chance.
        why_zh, why_en: what it does, for the trainee.
        commit_chance: the chance the customer commits to a concrete next step (an advance) with no trust
            built (see the module's notes).
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
    commit_chance: float = 0.5

    def label(self, lang: str = "en") -> str:
        """The action's label in ``lang``."""
        return self.zh if lang == "zh" else self.en

    @property
    def commit_factor(self) -> float:
        """The multiplier of the week's advance chance when the customer commits (a continuation: × 1)."""
        return 1.0 + (self.advance_factor - 1.0) / self.commit_chance


ACTIONS: tuple[Action, ...] = (
    Action("needs_interview", "SPIN 需求访谈", "SPIN needs interview", "advance",
           ("customer_analysis", "dig_for_needs"), 1.8, 0.9,
           "用背景、难点、暗示、需求-效益问题把隐性需求变成明确需求。",
           "Situation, problem, implication and need-payoff questions turn implied needs into explicit ones.",
           commit_chance=0.5),
    Action("find_coach", "发展向导", "Find a coach", "advance",
           ("customer_analysis", "build_trust"), 1.5, 0.7,
           "客户内部的向导告诉我们项目的真实进展和决策链。",
           "A coach inside the customer tells us the project's real state and who decides.",
           commit_chance=0.45),
    Action("meet_decision_maker", "拜访决策者", "Meet the decision maker", "advance",
           ("build_trust", "win_commitment"), 2.0, 0.9,
           "与更高层决策者会面是客户的实际行动，是推进。",
           "A meeting with a higher decision maker is an action by the customer: an advance.",
           commit_chance=0.4),
    Action("arrange_demo", "安排产品演示", "Arrange a demo", "advance",
           ("dig_for_needs", "present_value"), 2.0, 1.0,
           "客户同意投入时间看演示，采购流程向前走了一步。",
           "The customer agrees to spend time on a demo: the purchase moves a step.",
           commit_chance=0.55),
    Action("propose_trial", "提议试用", "Propose a trial", "advance",
           ("present_value",), 2.2, 0.8,
           "试用让使用者亲身体验价值，并降低决策风险。",
           "A trial lets users feel the value and lowers the risk of deciding.",
           commit_chance=0.45),
    Action("reference_visit", "参观样板客户", "Reference site visit", "advance",
           ("build_trust", "present_value"), 1.6, 0.8,
           "同行的成功案例建立信赖。",
           "A peer's success builds trust.",
           commit_chance=0.5),
    Action("agree_budget", "确认预算", "Agree a budget", "advance",
           ("build_trust", "win_commitment"), 1.8, 1.0,
           "客户确认（或追加）预算，是明确的推进。",
           "The customer confirms (or adds) budget: a clear advance.",
           commit_chance=0.4),
    Action("joint_plan", "共同制定采购计划", "Joint purchase plan", "advance",
           ("dig_for_needs", "win_commitment"), 2.5, 0.7,
           "与客户约定下一步的时间和责任人，赢取承诺。",
           "Agree with the customer who does what by when: winning commitment.",
           commit_chance=0.45),
    Action("send_brochure", "发送产品资料", "Send a brochure", "relationship", (), 1.1, 1.0,
           "资料很少当周换来客户的行动，但让客户了解你、记住你，信赖在积累，以后的推进更容易。",
           "A brochure seldom brings a customer action in its week, but it keeps you known: trust builds, later advances come easier.",
           commit_chance=0.1),
    Action("friendly_dinner", "请客户吃饭", "Friendly dinner", "relationship", (), 1.15, 0.9,
           "饭桌上很少当场定下一步，但关系和信赖在积累：以后这家客户更愿意答应你的请求。",
           "A dinner seldom settles a next step there and then, but it builds the trust that makes the account readier to say yes later.",
           commit_chance=0.15),
    Action("courtesy_call", "礼节性回访", "Courtesy call", "relationship", (), 1.12, 1.0,
           "回访多半换来“保持联系”这样的延续，但记住对方、真诚致谢，信赖在慢慢增加。",
           "A courtesy call mostly gets a \u201clet's keep in touch\u201d (a continuation), but remembering people and thanking them builds trust.",
           commit_chance=0.12),
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
           "The technical gatekeeper (donkey) decides whether we meet the criteria.",
           commit_chance=0.4),
    Action("meet_financial_gatekeeper", "拜访财务把关者", "Meet the financial gatekeeper", "advance",
           ("customer_analysis", "build_trust", "win_commitment"), 1.0, 1.0,
           "财务把关者（驴）守着预算。",
           "The financial gatekeeper (donkey) guards the budget.",
           commit_chance=0.4),
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
