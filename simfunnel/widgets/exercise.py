"""Exercises answered through widgets, in a notebook and in the no-code app alike.

A lesson's exercise is a list of questions; :class:`Exercise` shows them with an input each and one
**Check answers** button. Nothing is typed into code and no cell needs to be run again: the trainee
clicks, types a number or a few words, presses the button, and each question shows whether it is right
and why.

Question kinds (each a frozen dataclass; every text a ``(zh, en)`` pair):

- :class:`Choice` — one answer among options (buttons), or several (tick boxes) when ``answer`` is a tuple;
- :func:`response_question` — a :class:`Choice` with the course's four responses as its buttons:
  订单 / 推进 / 延续 / 无法成交 (Order / Advance / Continuation / No sale);
- :class:`Number` — a number box (typed as a trainee writes it: ``358,100``, ``35.81万``, ``¥358,100``), or a slider
  when ``slider=(min, max, step)``; right within ``tolerance``;
- :class:`Text` — a short text, right when it names at least ``need`` of the ``keywords`` (either language);
- :class:`Sort` — cards to sort into bins (资料 vs 需求, the five purchase factors…): one button row a card;
- :class:`Live` — answered in another widget of the page (a lab's sliders): judged from that widget on Check.

Code and tests answer through the same widgets (:meth:`Exercise.answer`, then :meth:`Exercise.check`), so
what a test checks is what a trainee's click does.

Example:
    >>> q = Choice(("哪一个是推进？", "Which is an advance?"),
    ...            (("客户说会考虑", "The customer will think about it"), ("客户约了演示时间", "A demo date is set")),
    ...            answer=1, explain=("推进是客户答应的具体行动。", "An advance is a concrete action the customer agrees to."))
    >>> ex = Exercise([q], lang="en")
    >>> ex.answer(0, 1)
    >>> ex.check()
    1
    >>> ex.results, ex.score_text()
    ([True], '1 of 1 right')
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import ipywidgets as w

from simfunnel import i18n
from simfunnel.model.replies import OUTCOME_LABELS
from simfunnel.widgets.base import CSS, Pair, Widget, held, show

__all__ = ["Choice", "Number", "Text", "Sort", "Live", "Exercise", "response_question", "parse_number", "RESPONSE_OPTIONS"]

RESPONSE_OPTIONS: tuple[str, ...] = tuple(OUTCOME_LABELS)  # order, advance, continuation, no_sale


@dataclass(frozen=True)
class Choice:
    """One answer among ``options`` (``answer`` an index), or several (``answer`` a tuple of indices: tick boxes)."""

    prompt: Pair
    options: tuple[Pair, ...]
    answer: int | tuple[int, ...]
    explain: Pair

    def __post_init__(self) -> None:
        picks = self.answer if isinstance(self.answer, tuple) else (self.answer,)
        if not self.options or any(not 0 <= int(i) < len(self.options) for i in picks):
            raise ValueError(f"Choice {self.prompt[1]!r}: answer {self.answer!r} is not an index of its "
                             f"{len(self.options)} options")

    @property
    def several(self) -> bool:
        return isinstance(self.answer, tuple)

    def correct(self, value: Any) -> bool | None:
        if self.several:
            picked = tuple(sorted(int(i) for i in (value or ())))
            return None if not picked else picked == tuple(sorted(self.answer))  # type: ignore[arg-type]
        return None if value is None else int(value) == self.answer


def response_question(prompt: Pair, answer: str, explain: Pair) -> Choice:
    """A :class:`Choice` whose buttons are the four responses of the course (订单 / 推进 / 延续 / 无法成交)."""
    if answer not in RESPONSE_OPTIONS:
        raise ValueError(f"response_question: answer must be one of {', '.join(RESPONSE_OPTIONS)}, got {answer!r}")
    return Choice(prompt, tuple(OUTCOME_LABELS[k] for k in RESPONSE_OPTIONS), RESPONSE_OPTIONS.index(answer), explain)


@dataclass(frozen=True)
class Number:
    """A number: right when within ``tolerance`` of ``answer``. ``slider=(min, max, step)`` shows a slider."""

    prompt: Pair
    answer: float
    tolerance: float
    explain: Pair
    unit: Pair = ("", "")
    slider: tuple[float, float, float] | None = None
    percent: bool = False  # answer a share (0.30); "30", "30%" and "0.3" all read as 0.30

    def correct(self, value: Any) -> bool | None:
        number = parse_number(value)
        if self.percent and number is not None and not (isinstance(value, str) and value.strip().endswith(("%", "％"))):
            number = number / 100 if abs(number) > 1 else number
        if number is None:
            return None if value is None or not str(value).strip() else False
        return abs(number - float(self.answer)) <= float(self.tolerance) + 1e-9


_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


def parse_number(value: Any) -> float | None:
    """A number as a trainee types it: ``358100``, ``358,100``, ``¥358,100.00``, ``35.81万``, ``40%`` (0.4);
    ``None`` when it is not a number. Full-width digits and signs count (NFKC)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if math.isnan(float(value)) else float(value)
    text = re.sub(r"[\s,，¥￥$元]", "", unicodedata.normalize("NFKC", str(value)))
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    elif text.endswith("万"):
        text, scale = text[:-1], 10_000.0
    if not _NUMBER.match(text):
        return None
    return float(text) * scale


def _fold(text: str) -> str:
    """Text compared loosely: NFKC (full-width → half-width), lower case, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Text:
    """A short text: right when it contains at least ``need`` of the ``keywords`` (each a ``(zh, en)`` pair;
    either language's word counts)."""

    prompt: Pair
    keywords: tuple[Pair, ...]
    explain: Pair
    need: int = 1

    def correct(self, value: Any) -> bool | None:
        typed = _fold(str(value or ""))
        if not typed:
            return None
        found = sum(any(_fold(k) in typed for k in pair if k) for pair in self.keywords)
        return found >= self.need


@dataclass(frozen=True)
class Sort:
    """Cards to sort into ``bins``: ``cards`` are ``(text, bin index)``; right when every card is in its bin."""

    prompt: Pair
    bins: tuple[Pair, ...]
    cards: tuple[tuple[Pair, int], ...]
    explain: Pair

    def __post_init__(self) -> None:
        bad = [c[0][1] for c in self.cards if not 0 <= c[1] < len(self.bins)]
        if bad:
            raise ValueError(f"Sort {self.prompt[1]!r}: card {bad[0]!r} names no bin of {len(self.bins)}")

    def correct(self, value: Any) -> bool | None:
        placed = list(value or ())
        if not placed or all(v is None for v in placed):
            return None
        return len(placed) == len(self.cards) and all(v == c[1] for v, c in zip(placed, self.cards))

    def right_cards(self, value: Any) -> int:
        return sum(v == c[1] for v, c in zip(list(value or ()), self.cards))


@dataclass(frozen=True)
class Live:
    """A question answered in another widget on the page (a lab's sliders, an explorer's threshold): no input of
    its own; on Check, ``judge()`` returns ``(right, message)`` — ``right`` ``None`` when not answered yet —
    and ``message`` (a ``(zh, en)`` pair) is shown as the why. ``solve`` (optional) sets the key in that widget."""

    prompt: Pair
    judge: Callable[[], tuple[bool | None, Pair]]
    solve: Callable[[], None] | None = None

    def correct(self, _value: Any = None) -> bool | None:
        return self.judge()[0]


Question = Choice | Number | Text | Sort | Live

EXERCISE_TEXT: dict[str, Pair] = {
    "check": ("检查答案", "Check answers"),
    "score": ("答对 {right} / {total} 题", "{right} of {total} right"),
    "right": ("✓ 对。", "✓ Right."),
    "wrong": ("✗ 还不对。", "✗ Not yet."),
    "missing": ("还没作答。", "Not answered yet."),
    "several": ("（可多选）", "(tick all that apply)"),
    "type": ("在这里输入", "Type here"),
    "type_number": ("输入一个数", "Type a number"),
    "not_number": ("“{typed}”不是一个数。", "\"{typed}\" is not a number."),
    "cards": ("放对了 {right} / {total} 张卡片。", "{right} of {total} cards in the right place."),
    "hint": ("作答后点“检查答案”。", "Answer, then press Check answers."),
    "number": ("第 {n} 题", "Question {n}"),
}
LONG_OPTION = 10  # Chinese characters (twice as many Latin ones): longer options go one per line (radio buttons)


class Exercise(Widget):
    """Questions with an input each and one **Check answers** button; feedback under each question on check.

    Args:
        questions: the questions (:class:`Choice`, :class:`Number`, :class:`Text`, :class:`Sort`).
        title: the exercise's name, a ``(zh, en)`` pair (for printed copies; shown with ``show_title=True``).
        lang: fix the language (default: the page's, see :func:`simfunnel.set_language`).

    ``results`` holds, after :meth:`check`, ``True``/``False`` a question or ``None`` when not answered;
    ``right`` the count of right answers.
    """

    TEXT = EXERCISE_TEXT

    def __init__(self, questions: Sequence[Question], title: Pair | None = None, lang: str | None = None,
                 show_title: bool = False, reveal: bool = True, button: Pair | None = None,
                 on_check: Callable[["Exercise"], None] | None = None) -> None:
        super().__init__(lang)
        if not questions:
            raise ValueError("Exercise: give at least one question")
        self.questions = list(questions)
        self.title = title  # kept for printed copies; shown only with show_title (a lesson's heading says it)
        self.show_title = show_title
        self.reveal = reveal  # False: on Check only the score shows (a pre-test keeps its answers for later)
        self.button_label = button
        self.on_check = on_check  # called after each Check (a test records its answers)
        self.results: list[bool | None] = [None] * len(self.questions)
        self.checked = False
        self._heading = w.HTML()
        self._prompts = [w.HTML(layout=w.Layout(width="100%")) for _ in self.questions]
        self._inputs = [self._make_input(q) for q in self.questions]
        self._feedback = [w.HTML(layout=w.Layout(width="100%")) for _ in self.questions]
        for fb in self._feedback:
            show(fb, False)
        self._button = w.Button(button_style="primary", icon="check", layout=w.Layout(width="auto", min_width="140px"))
        self._button.add_class("sf-check")
        self._button.on_click(lambda _b: self._pressed())
        self._score = w.HTML()
        blocks = [w.VBox([p, i, f], layout=w.Layout(margin="0 0 12px 0", width="100%"), _dom_classes=("sf-q",))
                  for p, i, f in zip(self._prompts, self._inputs, self._feedback)]  # classes: found by browser tests
        self.root = w.VBox([w.HTML(CSS + EXERCISE_CSS), self._heading, *blocks,
                            w.HBox([self._button, self._score], layout=w.Layout(align_items="center"))],
                           layout=w.Layout(width="100%", max_width="900px"))
        self.root.add_class("sf-exercise")
        self.refresh()

    # --- inputs -------------------------------------------------------------------------
    def _make_input(self, q: Question) -> w.Widget:
        if isinstance(q, Choice):
            if q.several:
                return w.VBox([w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto")) for _ in q.options])
            if max(len(p[0]) for p in q.options) > LONG_OPTION or max(len(p[1]) for p in q.options) > 2 * LONG_OPTION:
                return w.RadioButtons(options=[(str(i), i) for i in range(len(q.options))], value=None,
                                      layout=w.Layout(width="100%"))
            return w.ToggleButtons(options=[(str(i), i) for i in range(len(q.options))], value=None,
                                   style={"button_width": "auto"})
        if isinstance(q, Number):
            if q.slider is not None:
                lo, hi, step = q.slider
                return w.FloatSlider(value=lo, min=lo, max=hi, step=step, readout=True, continuous_update=False,
                                     layout=w.Layout(width="420px"))
            return w.Text(value="", layout=w.Layout(width="180px"))
        if isinstance(q, Text):
            return w.Text(value="", layout=w.Layout(width="100%", max_width="620px"))
        if isinstance(q, Sort):
            rows = []
            for _ in q.cards:
                card = w.HTML(layout=w.Layout(width="100%"))
                card.add_class("sf-sort-card")
                pick = w.ToggleButtons(options=[(str(i), i) for i in range(len(q.bins))], value=None,
                                       style={"button_width": "auto"})
                rows.append(w.HBox([card, pick], layout=w.Layout(align_items="center", flex_flow="row wrap"),
                                   _dom_classes=("sf-sort-row",)))
            return w.VBox(rows)
        if isinstance(q, Live):
            return w.HTML("")
        raise TypeError(f"Exercise: unknown question kind {type(q).__name__}")

    def _value(self, i: int) -> Any:
        q, box = self.questions[i], self._inputs[i]
        if isinstance(q, Choice) and q.several:
            return tuple(k for k, c in enumerate(box.children) if c.value)
        if isinstance(q, Sort):
            return tuple(row.children[1].value for row in box.children)
        return box.value

    def answer(self, index: int, value: Any) -> None:
        """Answer question ``index`` as a trainee would: an option index (a tuple of them for tick boxes),
        a number, a text, or for a :class:`Sort` a bin index a card (``None`` leaves a card unsorted)."""
        q, box = self.questions[index], self._inputs[index]
        if isinstance(q, Live):
            raise ValueError(f"answer: question {index + 1} is answered in its own widget on the page, not here")
        if isinstance(q, Choice) and q.several:
            picks = {int(v) for v in value}
            for k, c in enumerate(box.children):
                c.value = k in picks
        elif isinstance(q, Sort):
            value = list(value)
            if len(value) != len(q.cards):
                raise ValueError(f"answer: {len(q.cards)} cards to sort, got {len(value)} bins")
            for row, v in zip(box.children, value):
                row.children[1].value = v
        elif isinstance(q, Number) and q.slider is None:
            box.value = "" if value is None else (value if isinstance(value, str) else f"{float(value):.12g}")
        else:
            box.value = value

    def solve(self) -> None:
        """Answer every question with its key (the trainer's copy shows the solved exercise; tests use it)."""
        for i, q in enumerate(self.questions):
            if isinstance(q, Sort):
                self.answer(i, [c[1] for c in q.cards])
            elif isinstance(q, Text):
                self.answer(i, " ".join(pair[0] for pair in q.keywords[: max(q.need, 1)]))
            elif isinstance(q, Live):
                if q.solve is not None:
                    q.solve()
            else:
                self.answer(i, q.answer)

    # --- checking -----------------------------------------------------------------------
    def check(self) -> int:
        """Check every answer (what the button does): feedback under each question; returns the right count."""
        self.results = [q.correct(self._value(i)) for i, q in enumerate(self.questions)]
        self.checked = True
        self._draw_feedback()
        return self.right

    def _pressed(self) -> None:
        self.check()
        if self.on_check is not None:
            self.on_check(self)

    def values(self) -> list[Any]:
        """What is answered now, question by question (an option index, a tuple of them, a text, bins)."""
        return [self._value(i) for i in range(len(self.questions))]

    def lock(self) -> None:
        """No more answers or checks (a submitted test)."""
        with held(self.root):
            for box in self._inputs:
                for node in [box, *getattr(box, "children", ())]:
                    if hasattr(node, "disabled"):
                        node.disabled = True
                    for child in getattr(node, "children", ()):
                        if hasattr(child, "disabled"):
                            child.disabled = True
            self._button.disabled = True

    @property
    def right(self) -> int:
        return sum(r is True for r in self.results)

    def score_text(self) -> str:
        return self.t("score", right=self.right, total=len(self.questions))

    def _draw_feedback(self) -> None:
        with held(self.root):
            for i, (q, fb) in enumerate(zip(self.questions, self._feedback)):
                result = self.results[i]
                if not self.checked or not self.reveal:
                    show(fb, False)
                    continue
                if result is None:
                    note = i18n.text(q.judge()[1], self.lang) if isinstance(q, Live) else self.t("missing")
                    body = f'<span class="sf-muted">{html.escape(note)}</span>'
                else:
                    verdict = self.t("right" if result else "wrong")
                    extra = ""
                    if isinstance(q, Sort) and not result:
                        extra = " " + self.t("cards", right=q.right_cards(self._value(i)), total=len(q.cards))
                    if isinstance(q, Number) and parse_number(self._value(i)) is None:
                        extra = " " + self.t("not_number", typed=str(self._value(i)).strip())
                    why = q.judge()[1] if isinstance(q, Live) else q.explain
                    body = (f'<b class="{"sf-ok" if result else "sf-warn"}">{html.escape(verdict)}</b>'
                            f'{html.escape(extra)} {html.escape(i18n.text(why, self.lang))}')
                fb.value = f'<div class="sf-feedback">{body}</div>'
                show(fb, True)
                if isinstance(q, Sort):  # each card marked: which ones to move
                    placed = self._value(i)
                    for row, (card, right_bin), v in zip(self._inputs[i].children, q.cards, placed):
                        mark = "" if v is None else ('<b class="sf-ok">✓</b> ' if v == right_bin
                                                     else '<b class="sf-warn">✗</b> ')
                        row.children[0].value = mark + html.escape(i18n.text(card, self.lang))
            self._score.value = (f'<b style="margin-left:12px">{html.escape(self.score_text())}</b>' if self.checked
                                 else f'<span class="sf-muted" style="margin-left:12px">{html.escape(self.t("hint"))}</span>')

    # --- drawing ------------------------------------------------------------------------
    def refresh(self) -> None:
        lang = self.lang
        with held(self.root):
            shown_title = self.title if self.show_title else None
            self._heading.value = f"<h4 style='margin:4px 0'>{html.escape(i18n.text(shown_title, lang))}</h4>" \
                if shown_title else ""
            show(self._heading, shown_title is not None)
            for n, (q, prompt, box) in enumerate(zip(self.questions, self._prompts, self._inputs), start=1):
                label = html.escape(self.t("number", n=n))
                extra = f' <span class="sf-muted">{html.escape(self.t("several"))}</span>' if isinstance(q, Choice) and q.several else ""
                unit = ""
                if isinstance(q, Number) and any(q.unit):
                    unit = f' <span class="sf-muted">（{html.escape(i18n.text(q.unit, lang))}）</span>' if lang == "zh" \
                        else f' <span class="sf-muted">({html.escape(i18n.text(q.unit, lang))})</span>'
                prompt.value = (f'<div class="sf-question"><b>{label}</b> {html.escape(i18n.text(q.prompt, lang))}'
                                f'{unit}{extra}</div>')
                self._label_input(q, box, lang)
            self._button.description = i18n.text(self.button_label, lang) if self.button_label else self.t("check")
            self._draw_feedback()

    def _label_input(self, q: Question, box: w.Widget, lang: str) -> None:
        if isinstance(q, Choice):
            labels = [i18n.text(p, lang) for p in q.options]
            if q.several:
                for c, label in zip(box.children, labels):
                    c.description = label
            else:
                _relabel(box, labels)
        elif isinstance(q, Text):
            box.placeholder = self.t("type")
        elif isinstance(q, Number) and q.slider is None:
            box.placeholder = self.t("type_number")
        elif isinstance(q, Sort):
            bins = [i18n.text(b, lang) for b in q.bins]
            for row, (card, _bin) in zip(box.children, q.cards):
                row.children[0].value = html.escape(i18n.text(card, lang))
                _relabel(row.children[1], bins)


def _relabel(select: w.Widget, labels: list[str]) -> None:
    """New labels for a selection widget's options, keeping what is picked."""
    value = select.value
    select.options = [(label, k) for k, label in enumerate(labels)]
    select.value = value


EXERCISE_CSS = """
<style>
.sf-exercise .sf-question {font-size:14px; line-height:1.5; margin:2px 0 4px 0}
.sf-exercise .sf-feedback {font-size:13px; line-height:1.5; padding:4px 8px; border-left:3px solid #c9d3e0;
                           background:#f7f9fc; margin-top:4px}
.sf-exercise .sf-ok {color:#1b7f3b}
.sf-exercise .sf-sort-card {font-size:13px; line-height:1.4; padding:2px 8px 2px 0}
.sf-exercise .widget-radio-box label {white-space:normal; line-height:1.4; height:auto; padding:2px 0}
.sf-exercise .widget-toggle-buttons .widget-toggle-button {margin:1px 2px}
.sf-exercise .widget-toggle-buttons .widget-toggle-button.mod-active {background:#1f5fa8; color:#fff}
</style>
"""
