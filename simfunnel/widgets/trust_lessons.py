"""The exercises of lesson 09 (relationships and trust): the course's lessons the kit had only as mechanics.

Each function returns an :class:`~simfunnel.widgets.exercise.Exercise` (the names game is
:class:`~simfunnel.widgets.names_game.NamesGame`). The texts follow the course's words; where the kit adds a
number of its own (the collective-decision rule of its people layer, the payment delays) the question says so.

- :func:`relationship_steps` — 关系营销4步骤: sort what a seller does into the four steps, and one reply;
- :func:`winning_a_coach` — 如何让向导愿意帮你: whom to develop, why they help, what the seller does;
- :func:`facts_vs_needs` — 资料 vs 需求: facts already fixed vs needs that are future and changing;
- :func:`needs_vs_wants` — 需要 vs 想要: what the customer asks for vs the problem behind it;
- :func:`purchase_factors` — 采购5要素: sort what customers say into 价值/需求/价格/信赖/体验, and the action
  that raises a weak one in the kit's simulation;
- :func:`collective_decision` — 三重一大's four items on one of the world's state-owned deals;
- :func:`collection_exercise` — 回收账款: one seller's quarter, booked vs collected (:mod:`simfunnel.analysis.collections`).

Every exercise's key is in its questions (``answer``): the trainer copy of lesson 09 answers each from it and
asserts full marks, and tests do the same through the widgets' own inputs.

    >>> ex = facts_vs_needs(lang="zh")
    >>> len(ex.questions), ex.questions[0].bins
    (2, (('资料', 'Facts'), ('需求', 'Needs')))
"""

from __future__ import annotations

from simfunnel import i18n
from simfunnel.analysis.collections import booked_vs_collected, seller_with_gap, won_in_period
from simfunnel.model.actions import ACTIONS_BY_KEY
from simfunnel.model.generate import person_name
from simfunnel.model.people import ACTION_RAISES, PURCHASE_FACTOR_LABELS, PURCHASE_FACTORS, PeopleParams
from simfunnel.widgets.base import Pair
from simfunnel.widgets.exercise import Choice, Exercise, Number, Sort

__all__ = ["relationship_steps", "winning_a_coach", "facts_vs_needs", "needs_vs_wants", "purchase_factors",
           "collective_decision", "collection_exercise", "STEPS", "THREE_ONE_ITEMS", "state_owned_deal"]

# 关系营销4步骤
STEPS: tuple[Pair, ...] = (
    ("不批评、不责备、不抱怨", "Don't criticise, blame or complain"),
    ("记住他人的名字", "Remember people's names"),
    ("真诚地赞赏与感谢", "Sincere praise and thanks"),
    ("提问与聆听", "Ask and listen"),
)
# 三重一大: the four kinds of matter a state-owned enterprise decides collectively
THREE_ONE_ITEMS: tuple[Pair, ...] = (
    ("重大事项决策", "Decisions on major matters"),
    ("重要干部任免", "Appointing and removing key managers"),
    ("重大项目安排", "Arranging major projects"),
    ("大额度资金运作", "Spending large sums"),
)


def relationship_steps(lang: str | None = None) -> Exercise:
    """关系营销4步骤: which step is each thing a seller does; and the reply that keeps the first step."""
    cards = (
        (("客户的信息中心主任抱怨上一家供应商，你只说“我们看看怎么帮您解决”，不跟着数落对方。",
          "The customer's head of IT complains about the last supplier; you say \"let's see how we can solve it\" "
          "and do not pile on."), 0),
        (("项目延期是客户内部审批慢造成的，你在会上不追究是谁的责任，只谈下一步怎么赶进度。",
          "The project slipped because the customer's approvals were slow; in the meeting you blame no one and "
          "talk only about how to catch up."), 0),
        (("第二次拜访，一见面你就叫出“张主任”，还问起他上次说的出差。",
          "At the second visit you greet \"Director Zhang\" by name and ask about the trip he mentioned."), 1),
        (("会后你把每位参会者的姓名、职务和说过的话记进客户档案。",
          "After the meeting you note each attendee's name, title and what they said in the account file."), 1),
        (("系统上线后，你给客户的工程师团队写信，具体感谢他们周末加班配合。",
          "After go-live you write to the customer's engineers and thank them, specifically, for working the "
          "weekend."), 2),
        (("当着客户领导的面，你点名称赞采购经理把招标组织得很专业。",
          "In front of the customer's leaders you praise the purchasing manager by name for a well-run tender."), 2),
        (("你先问“这件事您最担心的是什么？”，然后听对方说完，不打断。",
          "You ask \"what worries you most about this?\", then listen to the end without interrupting."), 3),
        (("演示之前，你先请使用部门讲讲他们现在一天是怎么干活的。",
          "Before the demo you ask the users to walk you through their working day as it is now."), 3),
    )
    sort = Sort(("把下面每件事放进它做到的那一步：", "Put each thing the seller does under the step it practises:"),
                STEPS, cards,
                ("关系营销的四步：不批评、不责备、不抱怨；记住他人的名字；真诚地赞赏与感谢；提问与聆听。每一步都是让客户"
                 "愿意再见你、愿意多说一点。",
                 "The four steps of relationship selling: don't criticise, blame or complain; remember names; praise "
                 "and thank sincerely; ask and listen. Each makes the customer glad to see you again and to say a "
                 "little more."))
    reply = Choice(
        ("客户的财务经理当面抱怨：贵公司的发票总是开错。哪种回应守住了第一步？",
         "The customer's finance manager complains to your face that your company's invoices are always wrong. "
         "Which reply keeps the first step?"),
        (("解释那是我们财务部的问题，和销售无关", "Explain that it is our finance department's fault, not sales'"),
         ("先道歉，问清是哪几张开错了，答应今天之内跟进", "Apologise, ask which invoices were wrong, promise to "
                                                        "follow up today"),
         ("说别家供应商的发票更糟", "Say other suppliers' invoices are worse"),
         ("不接话，转而谈新项目", "Let it pass and move on to the new project")),
        1,
        ("不推给别人（不责备），不贬低别人（不批评），也不诉苦（不抱怨）：先认下来，再用行动解决。",
         "No passing the blame, no running others down, no complaining: own it, then fix it."))
    return Exercise([sort, reply], title=("关系营销4步骤", "The four steps of relationship selling"), lang=lang)


def winning_a_coach(lang: str | None = None) -> Exercise:
    """如何让向导愿意帮你: whom to develop as coach, why a coach helps, what the seller does."""
    who = Choice(
        ("一个制造业客户里，谁最可能愿意做你的向导？", "In a manufacturing customer, who is most likely to be willing to "
                                                  "be your coach?"),
        (("采购经理：和每家供应商都保持一样的距离", "The purchasing manager, who keeps every supplier at the same distance"),
         ("新上任的信息中心副主任：想靠这个项目做出成绩", "The new deputy head of IT, who wants this project to make "
                                                       "their name"),
         ("总经理：很忙，一个月见一次", "The general manager: busy, seen once a month"),
         ("快退休的老工程师：对新项目不太上心", "A senior engineer close to retirement, not much interested in new "
                                                "projects")),
        1,
        ("挑最渴望成功的人：项目成了，就是他的成绩。采购要对所有供应商一视同仁，总经理够不着，快退休的人没有动力。",
         "Pick the person most eager to succeed: if the project succeeds, it is their success. The purchaser must "
         "treat every supplier alike, the general manager is out of reach, and someone about to retire has no "
         "reason to."))
    why = Choice(
        ("向导为什么愿意帮你？", "Why does a coach help you?"),
        (("收了你的好处", "You gave them something"),
         ("你的成功也是他的成功", "Your win is also their win"),
         ("他欠你一个人情", "They owe you a favour"),
         ("他只是好说话", "They are just easy-going")),
        1,
        ("向导帮你，是因为你赢了他也赢：项目成功，他在公司里有面子、有业绩。把你的成功变成他的成功。",
         "A coach helps because when you win, they win: the project's success is their credit inside the company. "
         "Make your win their win."))
    how = Choice(
        ("哪些做法能让向导愿意一直帮你？", "Which of these keep a coach willing to help you?"),
        (("谦虚，多向他请教", "Be humble and ask their advice"),
         ("锲而不舍，一次不成就再来", "Be persistent: come back when it does not work the first time"),
         ("项目有进展时，在他的领导面前把功劳归给他", "When the project moves, give them the credit in front of their "
                                                     "boss"),
         ("催他尽快把内部文件给你", "Press them to hand over internal documents quickly"),
         ("嫌他级别低，绕过他直接找他的领导", "Go over their head to their boss because they are too junior")),
        (0, 1, 2),
        ("谦虚、锲而不舍、让他的付出被看见。催要内部文件会让他冒风险，绕过他会让他丢面子：这样向导就没了。",
         "Humble, persistent, and making their help seen. Pressing for internal documents puts them at risk; going "
         "over their head costs them face: either way you lose the coach."))
    return Exercise([who, why, how], title=("如何让向导愿意帮你", "Winning a coach"), lang=lang)


def facts_vs_needs(lang: str | None = None) -> Exercise:
    """资料 vs 需求: facts already fixed vs needs that are future and changing."""
    bins = (("资料", "Facts"), ("需求", "Needs"))
    cards = (
        (("客户有 3 个工厂、1,200 名员工", "The customer has 3 plants and 1,200 staff"), 0),
        (("现在用的是一套旧的管理系统，已经用了 8 年", "They run an old ERP, in use for 8 years"), 0),
        (("今年的信息化预算是 300 万元", "This year's IT budget is ¥3 million"), 0),
        (("采购要走公开招标，由采购部组织", "Purchases go through an open tender run by procurement"), 0),
        (("信息中心归财务总监管", "IT reports to the finance director"), 0),
        (("希望明年把月底结账从 10 天缩短到 3 天", "Wants month-end closing down from 10 days to 3 next year"), 1),
        (("担心新系统上线时影响生产", "Worries that going live will disrupt production"), 1),
        (("想让各工厂的库存随时都能看到", "Wants every plant's stock visible at any time"), 1),
        (("老板要求两年内能支撑业务翻番", "The boss wants systems that carry twice the business within two years"), 1),
        (("希望供应商派人来现场培训", "Would like the supplier to train people on site"), 1),
    )
    sort = Sort(("把每条信息放进资料（已经确定的事实）或需求（将来的、会变化的）：",
                 "Sort each piece of information into facts (already fixed) or needs (future, and changing):"),
                bins, cards,
                ("资料是已经确定的事实：规模、现有系统、预算、流程、组织。需求是客户将来想达到的、担心的，会随着时间和人变化。",
                 "Facts are already fixed: size, current systems, budget, process, organisation. Needs are what the "
                 "customer wants to reach or fears in the future, and they change with time and people."))
    why = Choice(
        ("为什么要把资料和需求分开记？", "Why keep facts and needs apart in your notes?"),
        (("资料问清一次就够，需求要每次见面再确认，因为它会变", "Facts need asking once; needs must be checked at every "
                                                             "meeting because they change"),
         ("资料比需求重要", "Facts matter more than needs"),
         ("需求写在资料里就行", "Needs can simply go with the facts"),
         ("只有竞争对手才关心资料", "Only competitors care about facts")),
        0,
        ("资料是收集信息时要问全的底子；需求要在挖掘需求时一次次确认。把变了的需求当成不变的资料，方案就会打偏。",
         "Facts are the groundwork you gather in full; needs are confirmed again and again while digging for needs. "
         "Treat a need that has changed as a fixed fact and the proposal misses."))
    return Exercise([sort, why], title=("资料与需求", "Facts and needs"), lang=lang)


def needs_vs_wants(lang: str | None = None) -> Exercise:
    """需要 vs 想要: what the customer asks for (a want) vs the problem or goal behind it (the need)."""
    bins = (("想要", "Want"), ("需要", "Need"))
    cards = (
        (("“我们想上一套新的管理系统。”", "\"We want a new ERP.\""), 0),
        (("“报价再降 10%。”", "\"Take another 10% off the price.\""), 0),
        (("“一定要有手机端。”", "\"It must have a mobile app.\""), 0),
        (("“月底结账太慢，财务天天加班。”", "\"Month-end closing is too slow; finance works late every day.\""), 1),
        (("“销售在外面查不到库存，经常答应了客户却交不了货。”",
          "\"Our sales people can't see stock on the road, so they promise deliveries we can't make.\""), 1),
        (("“今年成本必须降下来，老板下了指标。”", "\"Costs must come down this year; the boss set a target.\""), 1),
    )
    sort = Sort(("客户说的话里，哪些是想要（一个具体的东西或条件），哪些是需要（背后要解决的问题或要达到的目标）？",
                 "Which of the customer's sentences is a want (a specific thing or term asked for) and which a need "
                 "(the problem to solve or the goal behind it)?"),
                bins, cards,
                ("想要是客户说出口的方案或条件；需要是背后的问题和目标。先弄清需要，才知道对方想要的东西能不能解决它，"
                 "有没有更好的办法。",
                 "A want is the solution or term the customer names; a need is the problem or goal behind it. Find the "
                 "need first: only then do you know whether what they want solves it, or whether something else "
                 "would serve better."))
    first = Choice(
        ("客户说：“我们想要更便宜的价格。”你先做什么？", "The customer says: \"We want a cheaper price.\" What do you do "
                                                       "first?"),
        (("马上申请折扣", "Ask for a discount at once"),
         ("问清这个价格在跟什么比、预算卡在哪里", "Ask what the price is being compared with and where the budget is "
                                                "stuck"),
         ("坚持原价，不让步", "Hold the price, give nothing"),
         ("换一个便宜的产品报给他", "Quote a cheaper product instead")),
        1,
        ("更便宜是想要；背后的需要可能是预算不够、要向领导交代、或在跟别家比。问清了，才能决定让价、分期还是调整方案。",
         "Cheaper is a want; the need behind it may be a budget short, a boss to satisfy, or a rival's quote. Once "
         "you know, you can choose: a discount, staged payments, or a different scope."))
    return Exercise([sort, first], title=("需要与想要", "Needs and wants"), lang=lang)


def purchase_factors(lang: str | None = None) -> Exercise:
    """采购5要素 (价值, 需求, 价格, 信赖, 体验): sort what customers say, then the action that raises a weak factor
    in the kit's simulation (:data:`simfunnel.model.people.ACTION_RAISES`)."""
    bins = tuple(PURCHASE_FACTOR_LABELS[f] for f in PURCHASE_FACTORS)  # value, need, price, trust, experience
    pos = {f: i for i, f in enumerate(PURCHASE_FACTORS)}
    cards = (
        (("“这套系统一年能帮我们省多少钱？”", "\"How much will this system save us a year?\""), pos["value"]),
        (("“你们的方案能让产能提高多少？”", "\"How much more output will your solution give us?\""), pos["value"]),
        (("“多个工厂的数据打通，确实是我们今年要解决的。”", "\"Connecting the plants' data really is what we must solve this year.\""),
         pos["need"]),
        (("“这个问题不解决，明年的扩产就上不去。”", "\"Unless this is solved, next year's expansion can't happen.\""),
         pos["need"]),
        (("“总价超出预算了。”", "\"The total is over budget.\""), pos["price"]),
        (("“付款能不能分三期？”", "\"Can we pay in three instalments?\""), pos["price"]),
        (("“你们公司靠得住吗？有没有同行业的案例？”", "\"Can we rely on your company? Any references in our industry?\""),
         pos["trust"]),
        (("“上次你答应的事都做到了，我们信你。”", "\"You did everything you promised last time; we trust you.\""),
         pos["trust"]),
        (("“能不能先让我们的人试用两周？”", "\"Could our people try it for two weeks first?\""), pos["experience"]),
        (("“演示的时候，操作很顺手。”", "\"In the demo it felt easy to use.\""), pos["experience"]),
    )
    sort = Sort(("客户的每句话，主要落在采购5要素的哪一个上？", "Which of the five purchase factors does each sentence "
                                                            "mostly speak to?"),
                bins, cards,
                ("客户买不买，看五个要素：价值（能带来什么）、需求（要不要解决）、价格（值不值、付不付得起）、信赖（信不信你）、"
                 "体验（用起来怎样）。哪一个弱，商机就卡在哪里。",
                 "Whether a customer buys rests on five factors: value (what it brings), need (must it be solved), "
                 "price (worth it, affordable), trust (do they believe you), experience (how it feels to use). "
                 "Whichever is weak is where the deal sticks."))
    choices = ("propose_trial", "agree_budget", "needs_interview", "friendly_dinner")
    right = next(i for i, k in enumerate(choices) if ACTION_RAISES[k] == "experience")
    act = Choice(
        ("在本工具的模拟里（人的因素打开时），一个商机最弱的要素是体验。下面哪个行动能提升它？",
         "In the kit's simulation (people layer on), a deal's weakest factor is experience. Which action raises it?"),
        tuple((ACTIONS_BY_KEY[k].zh, ACTIONS_BY_KEY[k].en) for k in choices),
        right,
        ("试用让客户亲手用过：体验提升。谈预算提升价格，需求访谈提升需求，请吃饭提升信赖（本工具的设定）。",
         "A trial lets the customer use it: experience rises. Agreeing a budget raises price, a needs interview "
         "raises need, a dinner raises trust (the kit's settings)."))
    return Exercise([sort, act], title=("采购5要素", "The five purchase factors"), lang=lang)


def state_owned_deal(world, min_amount: float | None = None):
    """The largest deal of a state-owned account of ``world`` above ``min_amount`` (default: the people layer's
    collective-decision amount): a row of ``world.deals`` with the account's names added."""
    floor = PeopleParams().collective_amount if min_amount is None else float(min_amount)
    acc = world.accounts.set_index("account_id")
    soe = acc.index[acc["ownership"].astype(str) == "state_owned"]
    deals = world.deals[world.deals["account_id"].isin(soe) & (world.deals["amount"] > floor)]
    if deals.empty:
        raise ValueError(f"no deal of a state-owned account is above {floor:,.0f} in this world")
    row = deals.sort_values(["amount", "deal_id"], ascending=[False, True]).iloc[0].copy()
    row["account_zh"] = acc.loc[row["account_id"], "name_zh"]
    row["account_en"] = acc.loc[row["account_id"], "name_en"]
    return row


def collective_decision(world, lang: str | None = None) -> Exercise:
    """三重一大 on one of the world's state-owned deals: the four items, which this deal touches, what it means
    for the seller, and the kit's own rule for it."""
    deal = state_owned_deal(world)
    params = PeopleParams()
    amount = {lg: i18n.format_money(float(deal["amount"]), world.currency, lg) for lg in ("zh", "en")}
    items = Choice(
        ("下面哪些属于“三重一大”？", "Which of these are among the \"three majors, one large\"?"),
        THREE_ONE_ITEMS + (("日常办公用品采购", "Buying everyday office supplies"),
                           ("部门内部排班", "A department's duty roster")),
        (0, 1, 2, 3),
        ("三重一大：重大事项决策、重要干部任免、重大项目安排、大额度资金运作。国有企业这四类事要由领导班子集体决策。",
         "The four: decisions on major matters, appointing key managers, arranging major projects and spending "
         "large sums. A state-owned enterprise decides these collectively, in its leadership team."))
    touches = Choice(
        (f"国有客户{deal['account_zh']}要采购一个 {amount['zh']} 的信息化项目（商机 #{int(deal['deal_id'])}）。"
         "它碰到三重一大里的哪几项？",
         f"The state-owned {deal['account_en']} is buying a {amount['en']} IT project (deal #{int(deal['deal_id'])}). "
         "Which of the four does it touch?"),
        THREE_ONE_ITEMS,
        (2, 3),
        ("它既是重大项目安排，也是大额度资金运作：要上领导班子的会，集体决策。",
         "It is both a major project and a large sum: it goes to the leadership team for a collective decision."))
    means = Choice(
        ("这对你的销售意味着什么？", "What does that mean for your selling?"),
        (("一位领导点头就能签", "One leader's nod is enough to sign"),
         ("要集体决策：见到不止一位决策层，把上会的时间排进计划", "A collective decision: meet more than one decision "
                                                            "maker and plan for the meeting date"),
         ("只要采购部同意就行", "Procurement's agreement is enough"),
         ("国有客户不用考虑预算", "A state-owned customer need not think of budget")),
        1,
        ("集体决策时，只搞定一位领导不够；赢取承诺要覆盖班子里的几位决策者，还要等上会，时间更长。",
         "In a collective decision one leader is not enough: winning the commitment means covering several "
         "decision makers, and waiting for the meeting, which takes longer."))
    rule = Number(
        (f"本工具的设定：人的因素打开时，国有客户 {i18n.format_money(params.collective_amount, world.currency, 'zh')} "
         "以上的商机，至少要见过几位决策层的人，购买承诺才不会被拖住？",
         f"The kit's own rule: with the people layer on, for a state-owned deal above "
         f"{i18n.format_money(params.collective_amount, world.currency, 'en')}, how many decision-level people must "
         "you have met so the commitment is not held back?"),
        float(params.collective_min_decision), 0.0,
        (f"{params.collective_min_decision} 位。少于这个数，购买承诺阶段每周前进的机会乘以 "
         f"{params.collective_factor:g}（本工具的假设，不是课程给出的数字）。",
         f"{params.collective_min_decision}. With fewer, the weekly chance to advance at the commitment stage is "
         f"× {params.collective_factor:g} (a kit assumption, not a figure from the course)."),
        unit=("位", "people"))
    return Exercise([items, touches, means, rule], title=("三重一大", "Three majors, one large: collective decisions"), lang=lang)


def collection_exercise(history, start: int = 0, end: int = 13, owner: str | None = None,
                        lang: str | None = None) -> tuple[Exercise, "object", str]:
    """回收账款 on one seller's quarter: the exercise, the table of the seller's won deals the trainee reads
    (deal, amount, week won, week paid) and the seller's name. Questions: booked, collected by the end of week
    ``end``, and what the seller does about the gap."""
    owner = owner or seller_with_gap(history, start, end)
    won = won_in_period(history, start, end, owner)
    last = booked_vs_collected(history, start, end, owner).iloc[-1]
    currency = history.currency
    booked = Number(
        (f"{person_name(owner, 'zh')}在第 {start + 1}–{end} 周一共签下多少？",
         f"How much did {owner} book in weeks {start + 1}–{end}?"),
        float(last["booked"]), 0.5,
        (f"签单 {i18n.format_money(float(last['booked']), currency, 'zh')}：表里每一单都算，赢单那一周就记为签单。",
         f"{i18n.format_money(float(last['booked']), currency, 'en')} booked: every row counts, booked the week it "
         "is won."),
        unit=("元", "yuan") if currency == "CNY" else (currency, currency))
    collected = Number(
        (f"到第 {end} 周末，其中收回了多少？", f"How much of it had been collected by the end of week {end}?"),
        float(last["collected"]), 0.5,
        (f"回款 {i18n.format_money(float(last['collected']), currency, 'zh')}：只算付款周不晚于第 {end} 周的订单；"
         f"还有 {i18n.format_money(float(last['outstanding']), currency, 'zh')} 是签了单、钱还没到。",
         f"{i18n.format_money(float(last['collected']), currency, 'en')} collected: only rows paid in week {end} "
         f"or before; {i18n.format_money(float(last['outstanding']), currency, 'en')} is booked but not yet paid."),
        unit=("元", "yuan") if currency == "CNY" else (currency, currency))
    do = Choice(
        ("回收账款这一步，从什么时候开始做？", "When does the collect-payment step start?"),
        (("签单以后再说", "After the order is signed"),
         ("赢取承诺时就谈好付款条件，签单后跟进验收和发票", "At the commitment: agree payment terms, then follow "
                                                            "acceptance and invoices after the order"),
         ("交给财务部，销售不用管", "Leave it to finance; not the seller's job"),
         ("客户付款慢，就给他降价", "If the customer pays slowly, cut the price")),
        1,
        ("回收账款是六个关键步骤的最后一步，但要在赢取承诺时就铺好：付款条件、验收标准、发票信息。签单不等于回款。",
         "Collecting payment is the last of the six key steps, but it is laid at the commitment: payment terms, "
         "acceptance criteria, invoice details. Booked is not collected."))
    return Exercise([booked, collected, do], title=("回收账款", "Collecting payment"), lang=lang), won, owner
