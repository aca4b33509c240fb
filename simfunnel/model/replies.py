"""Customer replies to classify: judge by the customer's action, not their words.

A bank of customer replies in Chinese and English (``simfunnel/data/replies.json``),
each labelled with its true call outcome (SPIN):

- ``order`` (订单): the customer buys — a contract stamped, a purchase order issued;
- ``advance`` (推进): the customer commits to an action that moves the purchase on —
  a demo, a trial, a site visit, a meeting with a higher decision maker, part of a
  budget they had refused, inviting us to write the technical criteria, sharing the
  purchase timetable, introducing the procurement department;
- ``continuation`` (延续): pleasant words and no customer action ("very interesting,
  let's keep in touch", "we'll study the material", "management takes it seriously");
- ``no_sale`` (无法成交): a competitor chosen, the project cancelled, the budget frozen.

Each reply names the seller's actions it can follow (``actions``: it never speaks of an event that did
not happen — trial results only after a trial was proposed, "the demo was great" only after a demo) and
the key steps (六个关键步骤) at which it fits, and why it has its outcome (``why_zh`` / ``why_en``: what the
customer did or did not commit to, in the course's terms). The board draws the reply from those that fit
the action taken, the deal's key step and the customer's response (:func:`pick_reply`); every response
can follow every action at every stage where it can happen, so the answer is never given away by the
action (an order only at the last stage, 赢取承诺). The module is pure: no matplotlib, no ipywidgets.

Example:
    >>> from simfunnel.model.replies import pick_reply, is_correct
    >>> r = pick_reply("continuation", "build_trust", seed=1, action="friendly_dinner")
    >>> r.outcome, "friendly_dinner" in r.actions
    ('continuation', True)
    >>> r == pick_reply("continuation", "build_trust", seed=1, action="friendly_dinner")
    True
    >>> is_correct("advance", "order"), is_correct("advance", "continuation")
    (True, False)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np
import pandas as pd

from simfunnel.i18n import resolve_language, text
from simfunnel.model.actions import ALL_ACTIONS_BY_KEY
from simfunnel.model.funnel import KEY_STEPS
from simfunnel.model import generate
from simfunnel.model.history import OUTCOMES

__all__ = ["OUTCOMES", "OUTCOME_LABELS", "Reply", "replies", "pick_reply", "is_correct", "outcome_label",
           "confusion_table"]

# The four call outcomes in the order the quiz buttons show them.
OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "order": ("订单", "Order"),
    "advance": ("推进", "Advance"),
    "continuation": ("延续", "Continuation"),
    "no_sale": ("无法成交", "No sale"),
}
# The account industries and deal products a reply may name (the world's keys, simfunnel.model.generate).
INDUSTRIES = tuple(row[0] for row in generate.INDUSTRIES)
PRODUCTS = tuple(row[0] for row in generate.PRODUCTS)
# Key steps a reply can fit: the five before ``won`` (collecting payment comes after the sale).
REPLY_KEY_STEPS = tuple(k for k in KEY_STEPS if k != "collect_payment")


@dataclass(frozen=True)
class Reply:
    """One customer reply and its true outcome.

    Attributes:
        id: short ASCII id (``"c01"``; the letter is the outcome's initial).
        zh, en: what the customer says.
        outcome: ``order``, ``advance``, ``continuation`` or ``no_sale``.
        why_zh, why_en: why — what the customer did or did not commit to.
        key_steps: the seller's key steps at which the reply is typical.
        actions: the seller's actions (keys) the reply can follow.
        industries: the account industries the reply names or implies (a hospital's 门诊, a plant's 车间);
            empty: any account.
        products: the products it speaks of (equipment delivered, a sample unit); empty: any product.
    """

    id: str
    zh: str
    en: str
    outcome: str
    why_zh: str
    why_en: str
    key_steps: tuple[str, ...]
    actions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    products: tuple[str, ...] = ()

    def fits(self, action: str, key_step: str) -> bool:
        """Whether the reply can follow ``action`` taken at ``key_step``."""
        return action in self.actions and key_step in self.key_steps

    def suits(self, industry: str | None = None, product: str | None = None) -> bool:
        """Whether the reply can be said by an account of ``industry`` about a deal for ``product`` (None: any)."""
        return ((industry is None or not self.industries or industry in self.industries)
                and (product is None or not self.products or product in self.products))

    def text(self, lang: str = "en") -> str:
        """What the customer says, in ``lang``."""
        return self.zh if lang == "zh" else self.en

    def why(self, lang: str = "en") -> str:
        """Why the reply has its outcome, in ``lang``."""
        return self.why_zh if lang == "zh" else self.why_en


def outcome_label(outcome: str, lang: str = "en") -> str:
    """The outcome's label: ``订单 / 推进 / 延续 / 无法成交`` or ``Order / Advance / Continuation / No sale``."""
    return OUTCOME_LABELS[_check_outcome(outcome, "outcome")][0 if lang == "zh" else 1]


def _check_outcome(value: object, name: str) -> str:
    if value not in OUTCOMES:
        raise ValueError(f"{name} must be one of {', '.join(OUTCOMES)}; got {value!r}")
    return value  # type: ignore[return-value]


def _check_key_step(value: object) -> str:
    if value not in KEY_STEPS:
        raise ValueError(f"key_step must be one of {', '.join(KEY_STEPS)}; got {value!r}")
    return value  # type: ignore[return-value]


@lru_cache(maxsize=1)
def reply_bank() -> tuple[Reply, ...]:
    """The replies of ``simfunnel/data/replies.json``, checked once."""
    source = "simfunnel/data/replies.json"
    raw = json.loads(resources.files("simfunnel.data").joinpath("replies.json").read_text("utf-8"))
    out: list[Reply] = []
    seen: set[str] = set()
    for pos, r in enumerate(raw["replies"]):
        where = f"{source}: reply {pos} ({r.get('id', '?')!r})"
        missing = [k for k in ("id", "zh", "en", "outcome", "why_zh", "why_en", "key_steps", "actions") if not r.get(k)]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        if r["id"] in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(r["id"])
        if r["outcome"] not in OUTCOMES:
            raise ValueError(f"{where}: outcome {r['outcome']!r} is not one of {', '.join(OUTCOMES)}")
        bad = [k for k in r["key_steps"] if k not in REPLY_KEY_STEPS]
        if bad:
            raise ValueError(f"{where}: key step {bad[0]!r} is not one of {', '.join(REPLY_KEY_STEPS)}")
        if r["outcome"] == "order" and r["key_steps"] != ["win_commitment"]:
            raise ValueError(f"{where}: an order only comes at win_commitment (the last stage), not at {r['key_steps']}")
        for key in r["actions"]:
            act = ALL_ACTIONS_BY_KEY.get(key)
            if act is None:
                raise ValueError(f"{where}: unknown action {key!r}; actions are {', '.join(ALL_ACTIONS_BY_KEY)}")
            if act.key_steps and not set(act.key_steps) & set(r["key_steps"]):
                raise ValueError(f"{where}: action {key!r} cannot be taken at any of its key steps {r['key_steps']}")
        for key, known in (("industries", INDUSTRIES), ("products", PRODUCTS)):
            bad = [v for v in r.get(key, []) if v not in known]
            if bad:
                raise ValueError(f"{where}: {key} {bad[0]!r} is not one of {', '.join(known)}")
        out.append(Reply(r["id"], r["zh"], r["en"], r["outcome"], r["why_zh"], r["why_en"], tuple(r["key_steps"]),
                         tuple(r["actions"]), tuple(r.get("industries", ())), tuple(r.get("products", ()))))
    return tuple(out)


def _matching(outcome: str | None, key_step: str | None, action: str | None = None,
              industry: str | None = None, product: str | None = None) -> list[Reply]:
    return [
        r for r in reply_bank()
        if (outcome is None or r.outcome == outcome) and (key_step is None or key_step in r.key_steps)
        and (action is None or action in r.actions) and r.suits(industry, product)
    ]


def _check_action(value: object) -> str:
    if value not in ALL_ACTIONS_BY_KEY:
        raise ValueError(f"action must be one of {', '.join(ALL_ACTIONS_BY_KEY)}; got {value!r}")
    return value  # type: ignore[return-value]


def replies(outcome: str | None = None, key_step: str | None = None, action: str | None = None) -> pd.DataFrame:
    """The reply bank as a table, optionally only one outcome, key step and/or action.

    Args:
        outcome: ``order``, ``advance``, ``continuation`` or ``no_sale`` (default: all).
        key_step: one of :data:`simfunnel.model.funnel.KEY_STEPS` (default: all).
        action: an action key (``"arrange_demo"``): the replies that can follow it (default: all).

    Returns:
        One row per reply: id, outcome, key_steps (a tuple), actions (a tuple), zh, en, why_zh, why_en.

    Example:
        >>> len(replies()) >= 150
        True
        >>> set(replies("advance").outcome)
        {'advance'}
    """
    if outcome is not None:
        _check_outcome(outcome, "outcome")
    if key_step is not None:
        _check_key_step(key_step)
    if action is not None:
        _check_action(action)
    rows = _matching(outcome, key_step, action)
    columns = ["id", "outcome", "key_steps", "actions", "industries", "products", "zh", "en", "why_zh", "why_en"]
    return pd.DataFrame([{c: getattr(r, c) for c in columns} for r in rows], columns=columns)


def pick_reply(outcome: str, key_step: str | None = None, seed: int | Sequence[int] = 0,
               action: str | None = None, industry: str | None = None, product: str | None = None) -> Reply:
    """A reply with this outcome that fits the action taken and the key step, drawn deterministically from ``seed``.

    The bank has at least two replies for every action at every key step where it can be taken, and every
    response possible there (``tests/test_replies.py`` checks it); with ``action`` or ``key_step`` left out,
    any reply of the outcome fitting the other is drawn. A step where the outcome cannot happen (an order
    before 赢取承诺) draws from the outcome's replies for the action, then from all of the outcome's.

    Args:
        outcome: the customer's response the reply must show.
        key_step: the seller's key step at the deal's stage (``Stage.key_step``).
        seed: an int or a sequence of non-negative ints (e.g. ``[seed, week, deal_id]``);
            the same seed gives the same reply.
        action: the action taken (``"arrange_demo"``): only replies that can follow it.
        industry, product: the deal's account industry and product: no reply that names another kind of
            customer (a school's contract for a factory) or product (equipment delivered for a training deal).

    Example:
        >>> pick_reply("order", "win_commitment", seed=[2026, 3, 17], action="joint_plan").outcome
        'order'
    """
    _check_outcome(outcome, "outcome")
    if key_step is not None:
        _check_key_step(key_step)
    if action is not None:
        _check_action(action)
    pool = (_matching(outcome, key_step, action, industry, product) or _matching(outcome, key_step, action)
            or _matching(outcome, None, action) or _matching(outcome, None))
    rng = np.random.default_rng(seed)
    return pool[int(rng.integers(len(pool)))]


def is_correct(answer: str, outcome: str) -> bool:
    """Whether the trainee's classification ``answer`` of a reply fits its true ``outcome``.

    ``answer`` must equal ``outcome``, with one allowance: answering ``advance`` to an
    ``order`` counts as correct, because an order is the customer's ultimate action —
    the last and biggest advance. The reverse does not hold (an advance is not an
    order), and continuation is never an advance: judge by what the customer does,
    not by how warm the words are.

    Raises:
        ValueError: an answer or outcome that is not one of the four outcomes.

    Example:
        >>> is_correct("continuation", "continuation"), is_correct("order", "advance")
        (True, False)
    """
    _check_outcome(answer, "answer")
    _check_outcome(outcome, "outcome")
    return answer == outcome or (answer == "advance" and outcome == "order")


def confusion_table(outcomes: Sequence[str], answers: Sequence[str], lang: str | None = None) -> pd.DataFrame:
    """How replies were classified: rows = the true outcome, columns = the trainee's answer, counts.

    Every outcome appears as a row and a column (zeros included), in the quiz's order, labelled in
    ``lang`` (default: the kit's language); the diagonal is right (an order answered "advance" is
    also right, see :func:`is_correct`). The row and column index names say which is which.

    Raises:
        ValueError: sequences of different lengths, or a value that is not one of the four outcomes.

    Example:
        >>> confusion_table(["advance", "continuation", "continuation"], ["advance", "advance", "continuation"],
        ...                 lang="en").loc["Continuation"].tolist()
        [0, 1, 1, 0]
    """
    lang = resolve_language(lang)
    outcomes, answers = [str(o) for o in outcomes], [str(a) for a in answers]
    if len(outcomes) != len(answers):
        raise ValueError(f"confusion_table: {len(outcomes)} outcomes but {len(answers)} answers")
    for name, values in (("outcome", outcomes), ("answer", answers)):
        bad = [v for v in values if v not in OUTCOME_LABELS]
        if bad:
            raise ValueError(f"confusion_table: unknown {name} {bad[0]!r}; outcomes are {', '.join(OUTCOME_LABELS)}")
    keys = list(OUTCOME_LABELS)
    counts = np.zeros((len(keys), len(keys)), dtype=np.int64)
    np.add.at(counts, ([keys.index(o) for o in outcomes], [keys.index(a) for a in answers]), 1)
    labels = [text(OUTCOME_LABELS[k], lang) for k in keys]
    return pd.DataFrame(counts, index=pd.Index(labels, name=text(("真实结果", "True outcome"), lang)),
                        columns=pd.Index(labels, name=text(("学员的判断", "Trainee's answer"), lang)))
