"""The pre/post test: ten questions on the course's ideas, taken on the trainee's page at the start of the
workshop and again at its end, with every answer in the workshop store.

- :data:`QUESTIONS` — the ten questions (zh, en), each with its options and key; the same ten before and after.
- :class:`KnowledgeMixin` — the store's part: the trainer opens a test (``open_test("pre" | "post")``,
  ``open_test(None)`` closes it), a trainee's answers are recorded once per phase (``record_test``), and the
  results are read back: each trainee's score (:meth:`test_scores`), each team's and the room's gain
  (:meth:`test_gain`: post mean − pre mean, over the trainees who took both) and the questions most often
  missed (:meth:`missed_questions`).

Scores are shares of the ten questions right. A trainee's answers are final: a second submit for the same phase
is refused (the page shows the score instead).
"""

from __future__ import annotations

import html
import json
import sqlite3

import pandas as pd

from simfunnel import i18n
from simfunnel.workshop.errors import StoreError

__all__ = ["QUESTIONS", "PHASES", "KnowledgeMixin", "question_text", "gain_html", "GAIN_TEXT"]

PHASES = ("pre", "post")

# id → prompt, options, key. Options are (zh, en) pairs; "key" is the index of the right option.
QUESTIONS: tuple[dict, ...] = (
    {"id": "stage", "prompt": ("一个商机放在漏斗的哪个阶段，应该看什么？", "What decides a deal's stage in the funnel?"),
     "options": (("销售做了哪些工作", "The work the seller has done"),
                 ("客户的采购流程走到了哪一步", "How far the customer's buying process has come"),
                 ("商机的金额", "The deal's amount"),
                 ("销售自己的把握", "The seller's own confidence")), "key": 1},
    {"id": "reply_continuation", "prompt": ("拜访后客户说：“演示挺精彩的，大家反响都不错。”这是？",
                                            "After a visit the customer says: \"The demo was great, everyone liked it.\" "
                                            "This is…"),
     "options": (("订单", "Order"), ("推进", "Advance"), ("延续", "Continuation"), ("无法成交", "No sale")), "key": 2},
    {"id": "reply_advance", "prompt": ("客户说：“我们总经理下周三下午有空，我帮你约一下。”这是？",
                                       "The customer says: \"Our general manager is free next Wednesday afternoon; "
                                       "I'll set up a meeting.\" This is…"),
     "options": (("订单", "Order"), ("推进", "Advance"), ("延续", "Continuation"), ("无法成交", "No sale")), "key": 1},
    {"id": "forecast", "prompt": ("销售预计怎么算？", "How is the sales forecast computed?"),
     "options": (("漏斗里所有商机的金额相加", "The amounts of all deals in the funnel, added up"),
                 ("每个商机的金额乘以它所在阶段的赢率，再相加", "Each deal's amount times its stage's win rate, added up"),
                 ("本季度已经成交的金额", "What has been booked this quarter"),
                 ("销售任务乘以平均赢率", "The quota times the average win rate")), "key": 1},
    {"id": "threshold", "prompt": ("为什么把门槛以下的小单放在漏斗外？", "Why are small orders below the threshold kept out "
                                                                    "of the funnel?"),
     "options": (("小单不重要，不用管", "Small orders do not matter"),
                 ("逐条录入跟进成本太高，用漏斗外销售额来预计", "Entering and tracking each costs too much; they are "
                                                               "forecast as out-of-funnel sales"),
                 ("小单的赢率是零", "Small orders have a zero win rate"),
                 ("客户不让录入", "Customers forbid recording them")), "key": 1},
    {"id": "progress", "prompt": ("“销售进展”指的是什么？", "What is \"sales progress\"?"),
     "options": (("本周赢了几单", "How many deals were won this week"),
                 ("本周“销售预计 + 已成交”的增加，占销售任务的比例", "This week's growth of forecast + booked, as a "
                                                                   "share of quota"),
                 ("本周拜访了多少客户", "How many customers were visited this week"),
                 ("漏斗里有多少个商机", "How many deals are in the funnel")), "key": 1},
    {"id": "coach", "prompt": ("向导是谁？", "Who is a coach?"),
     "options": (("客户内部告诉你真实情况、愿意帮你的人", "Someone inside the account who tells you what is really "
                                                         "going on and wants to help you"),
                 ("客户的最终决策者", "The customer's final decision maker"),
                 ("你自己的销售经理", "Your own sales manager"),
                 ("客户的采购人员", "The customer's purchaser")), "key": 0},
    {"id": "collective", "prompt": ("国有客户的大额采购要集体决策（三重一大），对销售意味着什么？",
                                    "A state-owned customer decides large purchases collectively. What does that "
                                    "mean for the seller?"),
     "options": (("搞定一位领导就能签", "One leader's yes is enough"),
                 ("要见到班子里的几位决策者，并把上会的时间排进计划", "Meet several of the leadership team and plan "
                                                                   "for the meeting date"),
                 ("只要采购部同意就行", "Procurement's agreement is enough"),
                 ("价格越低越快", "The lower the price, the faster")), "key": 1},
    {"id": "collect", "prompt": ("回收账款这一步，什么时候开始做？", "When does the collect-payment step start?"),
     "options": (("签单以后再说", "After the order is signed"),
                 ("赢取承诺时就谈好付款条件，签单后跟进验收和发票", "At the commitment: agree the payment terms, then "
                                                                 "follow acceptance and invoices"),
                 ("交给财务部，销售不用管", "Leave it to finance"),
                 ("客户付款慢就给他降价", "Cut the price when the customer pays slowly")), "key": 1},
    {"id": "factors", "prompt": ("下面哪一项不是采购5要素之一？", "Which of these is not one of the five purchase factors?"),
     "options": (("价值", "Value"), ("信赖", "Trust"), ("体验", "Experience"), ("销售的职位", "The seller's job title")),
     "key": 3},
)
QUESTION_IDS = tuple(q["id"] for q in QUESTIONS)
assert len(QUESTIONS) == 10 and len(set(QUESTION_IDS)) == 10

PHASE_KEY = "knowledge_test"  # the meta key of the open test's phase ('' when none)


def question_text(qid: str, lang: str) -> str:
    q = QUESTIONS[QUESTION_IDS.index(qid)]
    return q["prompt"][0 if lang == "zh" else 1]


class KnowledgeMixin:
    """The store's pre/post test (see the module). Mixed into :class:`~simfunnel.workshop.store.WorkshopStore`."""

    def open_test(self, phase: str | None) -> None:
        """Open the ``"pre"`` or ``"post"`` test on every trainee's page; ``None`` closes it."""
        if phase is not None and phase not in PHASES:
            raise StoreError(f"test phase must be one of {', '.join(PHASES)} or None, got {phase!r}",
                             f"测验只能是课前（pre）或课后（post），收到的是 {phase!r}")

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                         "excluded.value", (PHASE_KEY, phase or ""))

        self._transaction(write)

    def test_phase(self) -> str | None:
        """The test open on trainees' pages, or None."""
        row = self._transaction(lambda conn: conn.execute("SELECT value FROM meta WHERE key = ?", (PHASE_KEY,)).fetchone(), write=False)
        return (row[0] or None) if row else None

    def record_test(self, team: str, trainee: str, phase: str, answers: dict[str, int | None]) -> int:
        """Record a trainee's answers (question id → option index, None: not answered) for an open phase; returns
        the number right. Refused when the phase is not open, when a question id is unknown, or when the
        trainee already took this phase."""
        self._team(team)
        if phase not in PHASES:
            raise StoreError(f"test phase must be one of {', '.join(PHASES)}, got {phase!r}")
        if self.test_phase() != phase:
            raise StoreError(f"the {phase} test is not open", "讲师还没有开始这次测验")
        unknown = [k for k in answers if k not in QUESTION_IDS]
        if unknown:
            raise StoreError(f"unknown test question {unknown[0]!r}; questions are {', '.join(QUESTION_IDS)}")
        clean = {q["id"]: (None if answers.get(q["id"]) is None else int(answers[q["id"]])) for q in QUESTIONS}
        right = sum(clean[q["id"]] == q["key"] for q in QUESTIONS)
        from simfunnel.workshop.schema import utc_now

        def write(conn: sqlite3.Connection) -> None:
            done = conn.execute("SELECT 1 FROM knowledge_tests WHERE team = ? AND trainee = ? AND phase = ?",
                                (team, trainee, phase)).fetchone()
            if done:
                raise StoreError(f"{trainee or 'this trainee'} of {team} already took the {phase} test",
                                 f"{trainee or '这位学员'}已经做过这次测验了")
            conn.execute("INSERT INTO knowledge_tests VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (team, trainee, phase, json.dumps(clean, sort_keys=True), right, len(QUESTIONS), utc_now()))

        self._transaction(write)
        return right

    def test_taken(self, team: str, trainee: str, phase: str) -> int | None:
        """The trainee's number right in ``phase``, or None when not taken."""
        row = self._transaction(lambda conn: conn.execute(
            "SELECT right FROM knowledge_tests WHERE team = ? AND trainee = ? AND phase = ?",
            (team, trainee, phase)).fetchone(), write=False)
        return None if row is None else int(row[0])

    def test_scores(self) -> pd.DataFrame:
        """One row per trainee: team, trainee, pre and post (shares right; NaN when not taken), gain."""
        rows = self._transaction(lambda conn: conn.execute(
            "SELECT team, trainee, phase, right, total FROM knowledge_tests ORDER BY team, trainee").fetchall(), write=False)
        table = pd.DataFrame(rows, columns=["team", "trainee", "phase", "right", "total"])
        if table.empty:
            return pd.DataFrame(columns=["team", "trainee", "pre", "post", "gain"])
        table["score"] = table["right"] / table["total"]
        wide = table.pivot_table(index=["team", "trainee"], columns="phase", values="score").reset_index()
        for phase in PHASES:
            if phase not in wide:
                wide[phase] = float("nan")
        wide["gain"] = wide["post"] - wide["pre"]
        wide.columns.name = None
        return wide[["team", "trainee", "pre", "post", "gain"]]

    def test_gain(self) -> pd.DataFrame:
        """Per team and for the room (team ``""``): trainees who took each test, mean pre, mean post, and the mean
        gain of the trainees who took both."""
        s = self.test_scores()
        out = []
        groups = [(t, s[s["team"] == t]) for t in self.teams] + [("", s)]
        for team, g in groups:
            both = g.dropna(subset=["pre", "post"])
            out.append({"team": team, "pre_n": int(g["pre"].notna().sum()), "post_n": int(g["post"].notna().sum()),
                        "pre": g["pre"].mean(), "post": g["post"].mean(),
                        "gain": both["gain"].mean() if len(both) else float("nan"), "both_n": len(both)})
        return pd.DataFrame(out)

    def missed_questions(self, phase: str = "post") -> pd.DataFrame:
        """For each question: the share of ``phase``'s takers who missed it, most missed first (ties: course order)."""
        rows = self._transaction(lambda conn: conn.execute(
            "SELECT answers FROM knowledge_tests WHERE phase = ?", (phase,)).fetchall(), write=False)
        taken = [json.loads(r[0]) for r in rows]
        out = []
        for order, q in enumerate(QUESTIONS):
            missed = sum(a.get(q["id"]) != q["key"] for a in taken)
            out.append({"question": q["id"], "order": order, "takers": len(taken),
                        "missed": missed, "share_missed": missed / len(taken) if taken else float("nan")})
        table = pd.DataFrame(out).sort_values(["missed", "order"], ascending=[False, True], kind="stable")
        return table.drop(columns="order").reset_index(drop=True)


GAIN_TEXT: dict[str, tuple[str, str]] = {
    "title": ("课前 / 课后测验", "Pre/post test"),
    "team": ("组", "Team"), "room": ("全场", "Room"),
    "pre_col": ("课前", "Pre"), "post_col": ("课后", "Post"), "gain_col": ("进步（百分点）", "Gain (points)"),
    "takers": ("人数（课前/课后）", "Takers (pre/post)"),
    "missed": ("答错最多的题（课后）", "Most missed (post-test)"),
    "missed_pre": ("答错最多的题（课前）", "Most missed (pre-test)"),
    "nobody": ("还没有人交卷。", "Nobody has submitted yet."),
}


def _pct(v: float) -> str:
    return "—" if v != v else f"{v:.0%}"


def _gain(v: float) -> str:
    return "—" if v != v else f"{v * 100:+.0f}"


def gain_html(store, lang: str) -> str:
    """Each team's and the room's pre and post scores and gain, and the most missed questions, as HTML in
    ``lang`` (the trainer's console and the handout)."""
    def t(key: str) -> str:
        return i18n.text(GAIN_TEXT[key], lang)

    gain = store.test_gain()
    room = gain[gain["team"] == ""].iloc[0]
    if room["pre_n"] == 0 and room["post_n"] == 0:
        return f'<p class="sf-muted">{html.escape(t("nobody"))}</p>'
    names = store.team_names(lang)
    rows = []
    for r in gain.itertuples():
        name = t("room") if r.team == "" else names.get(r.team, r.team)
        style = ' style="font-weight:600;border-top:1px solid #999"' if r.team == "" else ""
        rows.append(f"<tr{style}><td>{html.escape(str(name))}</td><td>{r.pre_n}/{r.post_n}</td><td>{_pct(r.pre)}</td>"
                    f"<td>{_pct(r.post)}</td><td>{_gain(r.gain)}</td></tr>")
    head = "".join(f"<th style='text-align:left;padding-right:12px'>{html.escape(t(k))}</th>"
                   for k in ("team", "takers", "pre_col", "post_col", "gain_col"))
    phase = "post" if room["post_n"] else "pre"
    missed = store.missed_questions(phase).head(3)
    items = "".join(f"<li>{html.escape(question_text(m.question, lang))} — {m.missed}/{m.takers}</li>"
                    for m in missed.itertuples() if m.missed)
    return (f'<table class="sf-test-gain" style="border-collapse:collapse;font-size:13px">'
            f"<tr>{head}</tr>{''.join(rows)}</table>"
            f"<p style='margin:6px 0 2px 0'><b>{html.escape(t('missed' if phase == 'post' else 'missed_pre'))}</b></p>"
            f"<ol style='margin:0'>{items}</ol>")
