# Source of notebooks/{en,zh,trainer/en,trainer/zh}/09_relationships_and_trust.ipynb — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.
# Issue 13 part 4: the course's lessons the kit had only as mechanics, each an exercise answered through
# widgets (simfunnel.widgets.exercise), so they work in the no-code app as in JupyterLab.

# %% [markdown] lang=en
# # 09 Relationships and trust: the people side of the six key steps
#
# Notebook 02 showed that trust pays later: a seller who builds the customer's trust first
# and then asks for commitments wins more than one who only pushes. This notebook is the
# craft behind that: the four steps of relationship selling, winning a coach, telling facts
# from needs and needs from wants, the five purchase factors, the collective decisions of
# state-owned customers ("three majors, one large") and the sixth key step, collecting
# payment.
#
# Every exercise is answered by clicking or typing in it. Press **Check answers** under
# each one to see what is right and why.

# %% [markdown] lang=zh
# # 09 关系与信赖：六个关键步骤里“人”的那一面
#
# 第 02 本已经看到：信赖的回报来得晚一些。先建立信赖、再争取承诺的销售，比一味推进的销售赢得
# 更多。这一本讲背后的功夫：关系营销的四个步骤，怎样让向导愿意帮你，分清资料和需求、需要和想要，
# 采购5要素，国有客户的集体决策（三重一大），以及第六个关键步骤：回收账款。
#
# 每个练习都直接在练习里点选或输入作答，做完点下面的**检查答案**，就能看到哪些对、为什么。

# %%
import simfunnel as sf
from simfunnel import i18n, plots
from simfunnel.analysis.collections import booked_vs_collected
from simfunnel.widgets.names_game import NamesGame
from simfunnel.widgets import trust_lessons as lessons

world = sf.generate(seed=2026)

# %% [markdown] lang=en
# ## 1. The four steps of relationship selling
#
# Trust is built in small things, meeting after meeting. The course names four steps:
#
# 1. **Don't criticise, blame or complain**: not the customer, not your competitor, not your
#    own company.
# 2. **Remember people's names**, and their titles, and what they told you.
# 3. **Praise and thank sincerely**, and specifically.
# 4. **Ask and listen**: the customer talks, you learn.

# %% [markdown] lang=zh
# ## 1. 关系营销4步骤
#
# 信赖是一次次见面、一件件小事攒出来的。课程讲四个步骤：
#
# 1. **不批评、不责备、不抱怨**：不说客户的不是，不贬低竞争对手，也不埋怨自己公司。
# 2. **记住他人的名字**，还有他的职务和他跟你说过的话。
# 3. **真诚地赞赏与感谢**，而且要具体。
# 4. **提问与聆听**：让客户多说，你来听。

# %%
steps = lessons.relationship_steps()
steps

# %% [markdown] trainer lang=en
# *Expected:* cards 1–2 under the first step, 3–4 under names, 5–6 under praise and thanks,
# 7–8 under ask and listen; the reply is "apologise, ask which invoices, follow up today".
# Debrief: ask who in the room has heard a seller run down a competitor in front of a
# customer, and what the customer thought of the seller afterwards.

# %% [markdown] trainer lang=zh
# *预期答案*：第 1–2 张卡片放在第一步，3–4 张放在记名字，5–6 张放在赞赏与感谢，7–8 张放在
# 提问与聆听；回应选“先道歉，问清是哪几张开错了，答应今天之内跟进”。讲评：问学员有没有见过销售
# 当着客户的面贬低竞争对手，客户事后怎么看这个销售。

# %% trainer
steps.solve()
assert steps.check() == len(steps.questions)

# %% [markdown] lang=en
# ### The names game
#
# Meet the people of one of the market's accounts. Remember their names; press the button
# and the cards turn over. Then name each person from their job and what they told you.
# **Play again** meets another account.

# %% [markdown] lang=zh
# ### 记名字小游戏
#
# 先认识市场里一个客户的几位客户。记住他们的名字；点按钮，卡片会翻过去。然后根据职务和他说过的
# 话，选出每个人的名字。**再来一局**会换一个客户。

# %%
names = NamesGame(world, seed=2026)
names

# %% [markdown] trainer lang=en
# Give the room 60 seconds to memorise, then everyone presses the button at once. Most get
# 3 or 4 of 6. Ask those with 6 how they did it (a story for each person, the name said
# aloud, the detail linked to the title): the same habits work in a customer's meeting room.
# Then have them write the people down, as they would after a real first visit.

# %% [markdown] trainer lang=zh
# 给学员 60 秒记忆，然后大家同时点按钮。多数人 6 个能答对 3 到 4 个。请全对的人讲讲怎么记的（给
# 每个人编一个小故事，把名字念出来，把细节和职务连起来）：在客户的会议室里也是同样的习惯。然后
# 让大家把这几个人写下来，就像真实的第一次拜访之后那样。

# %% trainer
names.start_recall()
for question, button in enumerate(names.answer_key()):
    names.recall.answer(question, button)
assert names.recall.check() == len(names.people) == 6

# %% [markdown] lang=en
# ## 2. Winning a coach
#
# A coach is someone inside the account who tells you what is really going on. In
# notebook 07 the coach told you every person's buying role. But why would anyone help a
# seller? The course's answer: pick the person most eager to succeed, make your win their
# win, and be the humble, persistent seller they can help without risk.

# %% [markdown] lang=zh
# ## 2. 如何让向导愿意帮你
#
# 向导是客户内部告诉你真实情况的人。在第 07 本里，是向导告诉了你每个人的采购角色。可是别人凭什么
# 帮一个销售？课程的答案：挑最渴望成功的人；把你的成功变成他的成功；做一个谦虚、锲而不舍、让他
# 帮得放心的销售。

# %%
coach = lessons.winning_a_coach()
coach

# %% [markdown] trainer lang=en
# *Expected:* the new deputy head of IT; "your win is also their win"; the first three
# behaviours (humble, persistent, give them the credit). Ask the room for a coach they had
# and what that person got out of helping.

# %% [markdown] trainer lang=zh
# *预期答案*：新上任的信息中心副主任；“你的成功也是他的成功”；前三种做法（谦虚、锲而不舍、把功劳
# 归给他）。请学员讲一个自己遇到过的向导，以及那个人从帮忙里得到了什么。

# %% trainer
coach.solve()
assert coach.check() == len(coach.questions)

# %% [markdown] lang=en
# ## 3. Facts and needs, needs and wants
#
# While gathering information, keep two kinds of notes apart. **Facts** are already
# fixed: the customer's size, current systems, budget, buying process, organisation. Ask
# once and write them down. **Needs** are about the future: what the customer wants to
# reach or fears, and they change with time and with people. Check them again at every
# meeting.
#
# Inside needs, the course separates what the customer **wants** (the thing or term they
# ask for) from what they **need** (the problem to solve or goal to reach behind it).
# Find the need before you answer the want.

# %% [markdown] lang=zh
# ## 3. 资料与需求，需要与想要
#
# 收集信息时，要把两类东西分开记。**资料**是已经确定的事实：客户的规模、现有系统、预算、采购
# 流程、组织结构，问清一次记下来就行。**需求**说的是将来：客户想达到什么、担心什么，它会随着时间
# 和人变化，每次见面都要再确认。
#
# 在需求里，课程又区分客户**想要**的（他开口要的东西或条件）和他**需要**的（背后要解决的问题、要达到
# 的目标）。先弄清需要，再回应想要。

# %%
facts = lessons.facts_vs_needs()
facts

# %%
wants = lessons.needs_vs_wants()
wants

# %% [markdown] trainer lang=en
# *Expected:* the first five cards are facts (plants and staff, the old ERP, the budget, the
# tender, who IT reports to), the last five needs; keep them apart because needs change.
# Wants: the ERP, the 10 % and the mobile app; needs: slow closing, stock not visible, the
# cost target; the first move on "cheaper" is to ask what the price is compared with.
# This is the course's needs vs wants, not SPIN's implied and explicit needs (notebook 07's
# people layer models the SPIN one). Debrief: each participant names one want a customer
# voiced this month and guesses the need behind it.

# %% [markdown] trainer lang=zh
# *预期答案*：前五张是资料（工厂和人数、旧管理系统、预算、招标、信息中心归谁管），后五张是需求；要分开
# 记，因为需求会变。想要：新管理系统、再降 10%、手机端；需要：结账慢、查不到库存、降成本指标；客户要
# “更便宜”时，先问清这个价格在跟什么比。这是课程讲的需要与想要，不是 SPIN 的隐性需求和明确需求
# （第 07 本的人的因素模拟的是 SPIN 那一种）。讲评：每位学员说一个这个月客户提出的“想要”，猜一猜
# 背后的“需要”。

# %% trainer
for exercise in (facts, wants):
    exercise.solve()
    assert exercise.check() == len(exercise.questions)

# %% [markdown] lang=en
# ## 4. The five purchase factors
#
# Whether a customer buys rests on five factors: **value** (what it brings), **need** (must
# it be solved), **price** (worth it, affordable), **trust** (do they believe you) and
# **experience** (how it feels to use). Listen for which one the customer is talking about:
# a weak one is where the deal sticks. In the kit's people layer (notebook 07) each action
# raises one factor.

# %% [markdown] lang=zh
# ## 4. 采购5要素
#
# 客户买不买，看五个要素：**价值**（能带来什么）、**需求**（要不要解决）、**价格**（值不值、付不
# 付得起）、**信赖**（信不信你）、**体验**（用起来怎样）。听客户在说哪一个：哪个弱，商机就卡在哪里。
# 在本工具的人的因素里（第 07 本），每个行动会提升其中一个要素。

# %%
factors = lessons.purchase_factors()
factors

# %% [markdown] trainer lang=en
# *Expected:* two sentences per factor, in the order value, value, need, need, price, price,
# trust, trust, experience, experience; the trial raises experience. Ask: which factor is
# weakest in your biggest open deal, and what would you do next week about it?

# %% [markdown] trainer lang=zh
# *预期答案*：每个要素两句，依次是价值、价值、需求、需求、价格、价格、信赖、信赖、体验、体验；
# 提升体验的行动是提议试用。提问：你手上最大的商机，哪个要素最弱？下周你打算怎么做？

# %% trainer
factors.solve()
assert factors.check() == len(factors.questions)

# %% [markdown] lang=en
# ## 5. "Three majors, one large": collective decisions in state-owned customers
#
# A state-owned enterprise decides four kinds of matter collectively, in its leadership
# team: **decisions on major matters, appointing and removing key managers, arranging major
# projects and spending large sums**: the "three majors, one large" rule. A large purchase
# is one of them, so no single leader can sign it. The exercise takes the largest
# deal of a state-owned account in the workshop market.

# %% [markdown] lang=zh
# ## 5. 三重一大：国有客户的集体决策
#
# 国有企业有四类事要由领导班子集体决策：**重大事项决策、重要干部任免、重大项目安排、大额度资金
# 运作**。大额采购就在其中，不是哪一位领导一个人能签的。练习用的是工作坊市场里一个国有客户最大的
# 那笔商机。

# %%
collective = lessons.collective_decision(world)
collective

# %% [markdown] trainer lang=en
# *Expected:* the four items (not the office supplies or the roster); the deal touches major
# projects and large sums; plan for a collective decision; 2 decision-level people (the kit's
# own rule: with fewer, the commitment stage's weekly chance is × 0.3). Ask the room how long
# their own state-owned customers take from the leader's yes to the signature.

# %% [markdown] trainer lang=zh
# *预期答案*：四项都选（不选办公用品和排班）；这笔商机涉及重大项目安排和大额度资金运作；要按集体
# 决策来安排；2 位决策层（本工具的设定：少于 2 位，购买承诺阶段每周前进的机会乘以 0.3）。问学员：
# 自己的国有客户，从领导点头到正式签约，通常要多久？

# %% trainer
collective.solve()
assert collective.check() == len(collective.questions)

# %% [markdown] lang=en
# ## 6. Collecting payment: booked is not collected
#
# The sixth key step comes after the order. The quota counts an order the week it is won;
# the company is paid weeks later, when the customer has accepted the work and the invoice
# has gone through. Below is one seller's quarter in the workshop market (weeks 1–13): each
# order won, the week it was won and the week it was paid (blank: not paid yet when the
# history ends). Add them up and answer.

# %% [markdown] lang=zh
# ## 6. 回收账款：签单不等于回款
#
# 第六个关键步骤在签单之后。销售任务在赢单那一周就记下这笔订单；公司收到钱却要晚几周：客户验收、
# 发票走完流程才付款。下面是工作坊市场里一位销售一个季度（第 1–13 周）的订单：每一单的金额、赢单
# 周和付款周（空着的：到模拟结束还没付）。把它们加一加，然后作答。

# %%
history = sf.Simulation(world, seed=2026).run(weeks=26)
collect, seller_orders, seller = lessons.collection_exercise(history, start=0, end=13)
columns = ["deal_id", "amount", "won_week", "paid_week"]
(
    seller_orders[columns].rename(columns=i18n.label).style.hide(axis="index")
    .format(i18n.format_money, subset=[i18n.label("amount")])
    .format(na_rep="—", subset=[i18n.label("paid_week")])
)

# %%
collect

# %% [markdown] lang=en
# After you have checked your answers: the same quarter as a chart, up to the end of week 13
# (the dotted line). The shaded band is money the seller has booked and the company is still
# owed.

# %% [markdown] lang=zh
# 检查完答案以后，再看同一个季度的图，到第 13 周末为止（虚线）。阴影部分是已经签单、公司还没收到
# 的钱。

# %%
plots.collection_chart(booked_vs_collected(history, 0, 13, seller), owner=seller);

# %% [markdown] trainer lang=en
# *Expected* (seed 2026, the seller with most booked but unpaid at week 13): Yang Wei booked
# ¥358,100 in weeks 1–13 and had collected ¥111,900 by the end of week 13; ¥246,200 was still
# owed, two thirds of what he booked, because three of his seven orders came in weeks 11–13.
# Payment delays are the kit's own (about four weeks on average, `payment_p` 0.25), not a
# figure from the course. Ask: what terms do you agree at commitment so that collection is
# fast, and who in the customer signs the acceptance?

# %% [markdown] trainer lang=zh
# *预期答案*（种子 2026，第 13 周末“已签单未回款”最多的销售）：杨伟第 1–13 周签单 358,100
# 元，到第 13 周末收回 111,900 元；还有 246,200 元没收回，占他签单的三分之二，因为他七单里有三单
# 是第 11–13 周才赢的。付款周期是本工具的设定（平均约 4 周，`payment_p` 为 0.25），不是课程给出的
# 数字。提问：在赢取承诺时要谈好哪些条件，回款才快？客户那边谁签验收单？

# %% trainer
collect.solve()
assert collect.check() == len(collect.questions)
last = booked_vs_collected(history, 0, 13, seller).iloc[-1]
assert seller == "Yang Wei" and (last["booked"], last["collected"], last["outstanding"]) == (358_100, 111_900, 246_200)

# %% [markdown] lang=en
# ## Discuss
#
# - Which of the four steps do you skip most when a deal is under pressure?
# - Who is your coach in your biggest account, and what do they get from your success?
# - Which of your orders this quarter is booked but not yet collected, and what is the next
#   step to collect it?

# %% [markdown] lang=zh
# ## 讨论
#
# - 商机一紧张，四个步骤里你最容易跳过哪一步？
# - 你最大的客户里，谁是你的向导？你的成功能给他带来什么？
# - 这个季度你有哪一单是签了还没回款的？收回它的下一步是什么？

# %% [markdown] trainer lang=en
# ### Trainer notes (09: 60 minutes)
#
# Course slides: *the four steps of relationship marketing*; *how to make a coach willing to
# help you*; *facts vs needs*; *needs vs wants*; *the five purchase factors*; *three majors,
# one large*; *the six key steps* (build trust, dig for needs, collect payment).
#
# - 10 min: the four steps, the sort and the names game (60 s to memorise, all press at once).
# - 10 min: winning a coach, with a coach from the room.
# - 15 min: facts and needs, needs and wants; each participant names a want and its need.
# - 5 min: the five purchase factors.
# - 10 min: collective decisions, with the room's own state-owned customers.
# - 10 min: collecting payment and the discussion.

# %% [markdown] trainer lang=zh
# ### 讲师备注（09：60 分钟）
#
# 本篇对应课程的：关系营销4步骤；如何让向导愿意帮你；资料与需求；需要与想要；采购5要素；三重一大；
# 六个关键步骤（建立信任、挖掘需求、回收账款）。
#
# - 10 分钟：四个步骤、分类练习和记名字小游戏（记 60 秒，大家同时点按钮）。
# - 10 分钟：如何让向导愿意帮你，请学员举自己的向导为例。
# - 15 分钟：资料与需求、需要与想要；每位学员说一个想要和它背后的需要。
# - 5 分钟：采购5要素。
# - 10 分钟：三重一大，结合学员自己的国有客户。
# - 10 分钟：回收账款和讨论。
