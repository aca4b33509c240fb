"""记住他人的名字 — the remember-names game of the course's four steps of relationship selling.

The trainee meets the people of one account of the kit's world (their names, their jobs and one thing each
said), presses **Got them**, and the cards turn over: for each person, described by job and detail only,
they pick the name. Seeded: the same seed meets the same people in the same order; **Play again** meets
the next account.

Example:
    >>> from simfunnel.model.generate import generate
    >>> game = NamesGame(generate(accounts=30, seed=5), seed=1, lang="en")
    >>> game.phase, len(game.people)
    ('meet', 6)
    >>> game.start_recall()
    >>> for i, k in enumerate(game.answer_key()):
    ...     game.recall.answer(i, k)
    >>> game.recall.check() == len(game.people)
    True
"""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np

from simfunnel import i18n
from simfunnel.widgets.base import CSS, Pair, Widget, held, show
from simfunnel.widgets.exercise import Choice, Exercise

__all__ = ["NamesGame", "JOB_TITLES", "DETAILS"]

# A job title for each function × level of the world's contacts.
JOB_TITLES: dict[tuple[str, str], Pair] = {
    ("management", "decision"): ("总经理", "General manager"),
    ("management", "management"): ("总经理助理", "Assistant to the GM"),
    ("management", "operational"): ("总经办秘书", "Office secretary"),
    ("procurement", "decision"): ("采购副总", "VP of procurement"),
    ("procurement", "management"): ("采购经理", "Purchasing manager"),
    ("procurement", "operational"): ("采购专员", "Buyer"),
    ("finance", "decision"): ("财务总监", "Finance director"),
    ("finance", "management"): ("财务经理", "Finance manager"),
    ("finance", "operational"): ("会计", "Accountant"),
    ("it", "decision"): ("技术副总", "VP of engineering"),
    ("it", "management"): ("信息中心主任", "Head of IT"),
    ("it", "operational"): ("系统工程师", "Systems engineer"),
    ("operations", "decision"): ("生产副总", "VP of operations"),
    ("operations", "management"): ("车间主任", "Plant manager"),
    ("operations", "operational"): ("班组长", "Shift leader"),
    ("business", "decision"): ("事业部总经理", "Head of the business unit"),
    ("business", "management"): ("业务经理", "Business manager"),
    ("business", "operational"): ("业务主管", "Team lead"),
}
# One thing each person mentions at the first meeting: what a seller notes down to remember them by.
DETAILS: tuple[Pair, ...] = (
    ("刚从德国出差回来", "just back from a trip to Germany"),
    ("女儿今年考大学", "has a daughter taking the college entrance exam"),
    ("周末都去打羽毛球", "plays badminton every weekend"),
    ("上个月刚调到这个岗位", "moved into the job last month"),
    ("在这家公司干了二十年", "has been with the company twenty years"),
    ("正在读在职研究生", "is studying for a part-time master's"),
    ("老家在成都，爱吃辣", "is from Chengdu and loves spicy food"),
    ("办公室里养了很多绿植", "keeps many plants in the office"),
    ("每天骑车上班", "cycles to work every day"),
    ("以前在你们的竞争对手那里工作过", "used to work for your competitor"),
    ("正在筹备公司二十周年庆", "is organising the company's 20th anniversary"),
    ("喜欢收集茶叶", "collects teas"),
)
GAME_TEXT: dict[str, Pair] = {
    "intro": ("先认识 {account} 的 {n} 位客户。记住每个人的名字：下次见面要叫得出来。记好了就点下面的按钮，卡片会翻过去。",
              "Meet {n} people of {account}. Remember each one's name: you will need it at the next meeting. When "
              "you have them, press the button below and the cards turn over."),
    "got_them": ("记住了，考考我", "Got them, test me"),
    "recall": ("卡片翻过去了。按职务和他们说过的话，选出每个人的名字：", "The cards are turned over. From the job and what "
               "each said, pick each person's name:"),
    "who": ("{title}，{detail}", "{title}, {detail}"),
    "is": ("这位是{name}。", "This is {name}."),
    "again": ("再来一局（换一个客户）", "Play again (another account)"),
    "title": ("记住他人的名字", "Remember names"),
}


class NamesGame(Widget):
    """The remember-names game (see the module).

    Args:
        world: the kit's world (:func:`simfunnel.generate`); its contacts are the people met.
        seed: which account and details (the same seed, the same game).
        people: how many people to meet (at most the account's contacts; at least 3).
        lang: fix the language (default: the page's).
    """

    TEXT = GAME_TEXT

    def __init__(self, world, seed: int = 2026, people: int = 6, lang: str | None = None) -> None:
        super().__init__(lang)
        if people < 3:
            raise ValueError(f"NamesGame: meet at least 3 people, got people={people}")
        self.world = world
        self.seed = int(seed)
        self.size = int(people)
        self.round = 0
        self.recall: Exercise | None = None
        self._intro = w.HTML()
        self._cards = w.HTML()
        self._got = w.Button(button_style="primary", layout=w.Layout(width="auto", align_self="flex-start"))
        self._got.on_click(lambda _b: self.start_recall())
        self._again = w.Button(icon="refresh", layout=w.Layout(width="auto", align_self="flex-start"))
        self._again.on_click(lambda _b: self.new_round())
        self._recall_box = w.VBox()
        self.root = w.VBox([w.HTML(CSS + NAMES_CSS), self._intro, self._cards, self._got, self._recall_box,
                            self._again], layout=w.Layout(width="100%", max_width="900px"))
        self._deal()
        self.refresh()

    # --- the game -----------------------------------------------------------------------
    def _deal(self) -> None:
        """Pick this round's account, people and details (seeded), and show the cards."""
        rng = np.random.default_rng([self.seed, self.round])
        contacts = self.world.contacts
        counts = contacts.groupby("account_id").size()
        fit = counts[counts >= self.size].index.to_numpy()  # an account with enough people to meet
        if len(fit) == 0:
            fit = counts[counts >= 3].index.to_numpy()
        if len(fit) == 0:
            raise ValueError("NamesGame: no account of the world has 3 people or more")
        account_id = int(rng.choice(fit))
        people = contacts[contacts["account_id"] == account_id].head(self.size)
        details = rng.permutation(len(DETAILS))[: len(people)]
        acc = self.world.accounts.set_index("account_id").loc[account_id]
        self.account: Pair = (str(acc["name_zh"]), str(acc["name_en"]))
        self.people: list[dict] = [
            {"name": (str(p.name_zh), str(p.name_en)),
             "title": JOB_TITLES.get((str(p.function), str(p.level)), (str(p.function), str(p.function))),
             "detail": DETAILS[int(d)]}
            for p, d in zip(people.itertuples(index=False), details)]
        self._order = [int(i) for i in rng.permutation(len(self.people))]  # the order they are asked in
        self._name_order = [int(i) for i in rng.permutation(len(self.people))]  # the buttons' order
        self.phase = "meet"
        if self.recall is not None:
            self.recall.close()
            self.recall = None
        self._recall_box.children = ()

    def answer_key(self) -> list[int]:
        """The right button for each recall question, in the order asked (for the trainer and tests)."""
        return [self._name_order.index(k) for k in self._order]

    def start_recall(self) -> None:
        """Turn the cards over: one question a person, by job and detail, the names as buttons."""
        if self.phase == "recall":
            return
        names = tuple(self.people[k]["name"] for k in self._name_order)
        questions = []
        for k in self._order:
            p = self.people[k]
            prompt = tuple(GAME_TEXT["who"][j].format(title=p["title"][j], detail=p["detail"][j]) for j in (0, 1))
            explain = tuple(GAME_TEXT["is"][j].format(name=p["name"][j]) for j in (0, 1))
            questions.append(Choice(prompt, names, self._name_order.index(k), explain))  # type: ignore[arg-type]
        with i18n.in_scope(self._scope):  # a click runs in another context: the recall follows this page
            self.recall = Exercise(questions, lang=self._fixed_lang)
        self.phase = "recall"
        with held(self.root):
            self._recall_box.children = (self.recall.root,)
            self.refresh()

    def new_round(self) -> None:
        """Meet the people of another account (the next round of the same seed)."""
        self.round += 1
        with held(self.root):
            self._deal()
            self.refresh()

    # --- drawing ------------------------------------------------------------------------
    def refresh(self) -> None:
        lang = self.lang
        j = 0 if lang == "zh" else 1
        with held(self.root):
            if self.phase == "meet":
                self._intro.value = ("<h4 style='margin:4px 0'>" + html.escape(self.t("title")) + "</h4><p>"
                                     + html.escape(self.t("intro", account=self.account[j], n=len(self.people))) + "</p>")
                cards = "".join(
                    f'<div class="sf-person"><div class="sf-person-name">{html.escape(p["name"][j])}</div>'
                    f'<div>{html.escape(p["title"][j])}</div>'
                    f'<div class="sf-muted">{html.escape(p["detail"][j])}</div></div>' for p in self.people)
                self._cards.value = f'<div class="sf-people">{cards}</div>'
            else:
                self._intro.value = ("<h4 style='margin:4px 0'>" + html.escape(self.t("title")) + "</h4><p>"
                                     + html.escape(self.t("recall")) + "</p>")
            show(self._cards, self.phase == "meet")
            show(self._got, self.phase == "meet")
            show(self._again, self.phase == "recall")
            self._got.description = self.t("got_them")
            self._again.description = self.t("again")

    def texts(self) -> list[str]:
        out = super().texts()
        if self.recall is not None:
            out.extend(self.recall.texts())
        return out

    def close(self) -> None:
        if self.recall is not None:
            self.recall.close()
        super().close()


NAMES_CSS = """
<style>
.sf-people {display:flex; flex-wrap:wrap; gap:8px; margin:6px 0}
.sf-person {border:1px solid #c9d3e0; border-radius:6px; padding:6px 10px; width:190px; background:#fff;
            font-size:13px; line-height:1.45}
.sf-person-name {font-size:17px; font-weight:600; color:#1f5fa8}
</style>
"""

