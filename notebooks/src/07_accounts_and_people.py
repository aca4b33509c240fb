# Source of notebooks/{en,zh,trainer/en,trainer/zh}/07_accounts_and_people.ipynb — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # 07 Accounts and people: who decides, who guides, where your time goes
#
# A deal does not move because a seller is busy. It moves because **people at the
# customer** act: the decision maker (the *eagle*) approves, the users (the *sheep*) want
# it, the technical or financial gatekeepers (the *donkeys*) let it pass, the purchaser
# (the *fox*) negotiates. A **coach** inside the account tells you what is really
# going on. Each person also listens in their own way: the whole-brain types
# **A** (data and ROI), **B** (process and low risk), **C** (relationship and trust) and
# **D** (vision).
#
# In this notebook you will map an account, find the coach, meet the right people,
# present value in their style, and then decide where a sales team's year should go
# across the four segments of the attack/defend model.

# %% [markdown] lang=zh
# # 07 客户与人：谁决策，谁引路，时间花在哪里
#
# 商机不会因为销售忙碌就往前走。推动商机的，是**客户那边的人**：决策者（**鹰**）拍板，使用者
# （**羊**）想要，技术或财务把关者（**驴**）放行，采购人员（**狐**）谈判。客户内部的**向导**
# 告诉你真实情况。每个人听东西的方式也不一样，全脑类型分为 **A**（数据与投资回报）、**B**
# （流程与低风险）、**C**（关系与信赖）、**D**（愿景）。
#
# 这一本里，你要画出一个客户的组织图，找到向导，见对的人，用对方的风格呈现价值；最后，决定一个
# 销售团队一年的时间，怎样分给攻守模型的四类客户。

# %%
import simfunnel as sf
from simfunnel import plots
from simfunnel.model.people import PeopleParams
from simfunnel.analysis.meetings import compare_meetings
from simfunnel.widgets import AccountMap, AllocationExercise, DealBoard

world = sf.generate(seed=2026)
sim = sf.Simulation(world, seed=2026, people=PeopleParams())

# %% [markdown] lang=en
# ## The account map
#
# The simulation now runs with the **people layer** on: who you have met changes the
# odds of every deal in the account. The map shows one account:
#
# - **Rows** are the levels (decision, management, operational); **columns** the functions.
# - Each person shows the animal of their buying role, once you know it: you learn it by
#   meeting them, or from the coach. Their whole-brain type (the colour) shows once you have
#   met them.
# - Solid cards are people you have met; dashed ones you have not. The ★ marks the coach.
# - The **guided path** on the right is the course's order: find a coach, gather
#   information, analyse the organisation, judge the opportunity. Each step offers its
#   actions for the deal you pick.
#
# Actions you take on the map are moves on the deal board below it: classify the
# customer's reply there, then press **Next week**. A meeting counts from the next week.

# %% [markdown] lang=zh
# ## 客户地图
#
# 现在模拟打开了**人的因素**：你见过谁，会改变这个客户里每个商机的赢面。地图展示一个客户：
#
# - **行**是层级（决策层、管理层、操作层），**列**是职能。
# - 每个人的采购角色（用动物表示）要等你知道了才显示：亲自拜访，或者由向导告诉你。全脑类型
#   （颜色）要见过本人才知道。
# - 实线的卡片是见过的人，虚线的是还没见过的，★ 是向导。
# - 右边的**分析路径**就是课程里的顺序：发展向导、收集信息、分析组织、判断商机。每一步都为你选中
#   的商机给出可做的行动。
#
# 在地图上采取的行动，就是下方商机看板上的行动：在看板上判断客户的回复，再点**下一周**。拜访从
# 下一周起生效。

# %%
board = DealBoard(sim, threshold=50_000)
account_map = AccountMap(board)
account_map

# %%
board

# %% [markdown] exercise lang=en
# ## Exercise: work the account for three weeks
#
# 1. Week 1: **find the coach**; classify the reply; press **Next week**.
# 2. Week 2: the coach has told you who is who. **Meet the decision maker** and a
#    **gatekeeper** (on two different deals: one action per deal a week; an action's button
#    is greyed out when it does not fit the deal's stage, and its tip says which deals fit).
# 3. As soon as a deal is at a stage where it fits: **present value** to the decision maker
#    **in their style** (their colour on the map). Then read the coach's report under *Judge
#    the opportunity*.
#
# Note which deals the coach says are at risk, and the weakest purchase factor of your
# biggest deal.

# %% [markdown] exercise lang=zh
# ## 练习：经营这个客户三周
#
# 1. 第 1 周：**发展向导**，判断回复，点**下一周**。
# 2. 第 2 周：向导已经告诉你谁是谁。**拜访决策者**和一位**把关者**（用两个不同的商机：每个商机
#    每周只能有一个行动；行动不适合商机所处的阶段时按钮是灰色的，提示会告诉你哪些商机适合）。
# 3. 一旦有商机到了合适的阶段：按决策者的**风格**（地图上的颜色）向他**呈现价值**。然后在
#    “判断商机”下看向导的报告。
#
# 记下向导说哪些商机有风险，以及你最大那个商机最弱的购买要素。

# %% trainer
# en: Solution, played from code: the three weeks of the exercise on the map's account.
# zh: 参考答案（用代码完成）：在地图上的客户里完成练习的三周。
account_map.find_coach(deal_id=account_map.deal_for("find_coach"))
account_map.next_week()
assert account_map.steps[0].done and account_map.people["role"].notna().all()  # the coach told us who is who
for action in ("meet_decision_maker", "meet_technical_gatekeeper", "meet_financial_gatekeeper"):
    deal = account_map.deal_for(action)  # a deal where this meeting fits and no move is planned yet
    if deal is not None:
        account_map.act(action, deal_id=deal)
decision_maker = account_map.people.query("role == 'decision_maker'").iloc[0]
deal = account_map.deal_for("arrange_demo") or account_map.deal_for("reference_visit")
if deal is not None:
    account_map.present_value(decision_maker.brain_type or "A", deal_id=deal)
account_map.next_week()
account_map.people[["name", "level", "role", "brain_type", "met"]]

# %% [markdown] trainer lang=en
# After week 1 the coach is met (★ solid) and every buying role in the account shows: the
# coach told you. Brain types appear only for the people you met yourself. Ask the room:
# what would you have done without a coach? (Guessed who decides, and met the wrong
# people.)

# %% [markdown] trainer lang=zh
# 第 1 周后向导已经见过（★ 变成实线），客户里每个人的采购角色都显示出来了：是向导告诉你的。
# 全脑类型只对你亲自见过的人显示。问学员：如果没有向导，你会怎么做？（只能猜谁拍板，结果见错
# 了人。）

# %% [markdown] lang=en
# ## Does meeting the right people pay?
#
# The same market, the same luck (the same random draws), four ways of covering every
# account from the first week: meet nobody, only the coaches, only the decision makers, or
# the coaches and the whole decision level. Then let a year run without any other action.

# %% [markdown] lang=zh
# ## 见对的人，值不值？
#
# 同一个市场，同样的运气（同样的随机数），四种覆盖客户的方式，都从第一周开始：谁也不见、只见向导、
# 只见决策者、见向导和整个决策层。然后不做任何其他行动，让这一年跑完。

# %%
coverage = compare_meetings(world, seed=2026)
label = sf.i18n.label
coverage.rename(columns=label).style.format(
    {label("won_amount"): sf.i18n.format_money, label("win_rate"): "{:.1%}", label("approval_advance"): "{:.1%}"}
)

# %% [markdown] lang=en
# The last column is the weekly chance that a deal at **Project approved** moves on. The coach lifts that early step most, and most in
# new accounts; the decision makers matter at **Commitment**, where a deal with no decision
# maker met stalls. State-owned accounts decide large amounts collectively (the "three majors,
# one large" rule): there,
# one decision maker is not enough.

# %% [markdown] lang=zh
# 最后一列是处在**内部立项**阶段的商机每周前进的机会。向导最能推动这个早期阶段，对新客户尤其如此；决策者在**购买承诺**阶段起作用，没见过决策者的
# 商机会卡在那里。国有企业的大额采购要集体决策（三重一大）：只见一位决策者是不够的。

# %% trainer
# en: Expected answer: every group beats meeting nobody; coaches lift the approval step.
# zh: 预期结果：每一种覆盖都比谁也不见好；向导提高了内部立项阶段的前进机会。
won = coverage["won_amount"].to_numpy()
approval = coverage["approval_advance"].to_numpy()
assert won[0] < won[1] < won[2] < won[3]
assert [round(x / 1e6, 2) for x in won] == [10.78, 11.28, 12.85, 13.42]
assert approval[1] > 1.25 * approval[0] and abs(approval[2] - approval[0]) < 0.02
[round(x / 1e6, 2) for x in won]

# %% [markdown] trainer lang=en
# *Expected:* ¥10.78M won meeting nobody, ¥11.28M with the coaches, ¥12.85M with the decision
# makers, ¥13.42M with both. The sizes are the kit's defaults (a coach × 1.5 at project
# approval, × 1.3 more in a new account; no decision maker met × 0.5 at commitment), not
# figures from the course: the direction is the lesson. Ask: the decision makers brought
# more than the coaches here; why would a seller still look for the coach first? (The coach
# tells you who the decision makers are, and what the project's real state is.)

# %% [markdown] trainer lang=zh
# *预期结果*：谁也不见成交 1,078 万元，只见向导 1,128 万元，只见决策者 1,285 万元，两者都见
# 1,342 万元。这些大小是工具的默认值（见到向导，内部立项阶段 × 1.5，新客户再 × 1.3；没见过
# 决策者，购买承诺阶段 × 0.5），不是课程里的数字：要学的是方向。问学员：这里见决策者比见向导带来
# 的更多，为什么销售还是要先找向导？（向导会告诉你谁是决策者，以及项目的真实进展。）

# %% [markdown] lang=en
# ## Attack or defend: where should the year go?
#
# The attack/defend model places each account by its **purchase potential** (x) and **our
# share of its wallet** (y): *defend* the big accounts where we are strong, *attack* the big
# ones where we are weak, *maintain* the small strong ones, *monitor* the small weak ones.

# %% [markdown] lang=zh
# ## 进攻还是防守：一年的时间该花在哪里？
#
# 攻守模型按**采购潜力**（横轴）和**我们的份额**（纵轴）给客户分类：潜力大、份额高的要**防守**，
# 潜力大、份额低的要**进攻**，潜力小、份额高的要**维持**，潜力小、份额低的只需**观察**。

# %%
history = sf.Simulation(world, seed=2026).run()
plots.segment_chart(history);

# %%
segments = sf.segment_table(history)
columns = ["label", "accounts", "potential", "sales", "share_of_wallet_mean", "open_pipeline", "win_rate"]
segments[columns].rename(columns=label).style.hide(axis="index").format(
    {label(c): sf.i18n.format_money for c in ("potential", "sales", "open_pipeline")}
    | {label("share_of_wallet_mean"): "{:.0%}", label("win_rate"): "{:.1%}"}
)

# %% [markdown] lang=en
# The balanced scorecard of each segment: financial results, customers, the internal process
# (win rate, cycle, data entry, deals going cold) and learning and growth (do we know the
# coach and the decision maker, how many people do we know per account).

# %% [markdown] lang=zh
# 每类客户的平衡计分卡：财务结果、客户、内部流程（赢率、成交周期、录入工作量、停滞的商机），以及
# 学习与成长（是否找到了向导和决策者，每个客户认识多少人）。

# %%
from simfunnel.analysis.scorecard import scorecard_view

scorecard_view(sf.scorecard(history))

# %% [markdown] lang=en
# Now you are the sales manager. The team has **368 seller weeks** this year (8 sellers ×
# 46 weeks). Split them across the four segments with the sliders and press **Run the
# year**: the simulation spends each week's time on that segment's customers and biggest
# deals. It shows the revenue, the new customers won, the existing customers kept or lost,
# and what winning one customer costs against keeping one. The course's folk figure, that
# winning a customer costs 5–10 times as much as keeping one, is shown as a labelled
# parameter, not a truth.

# %% [markdown] lang=zh
# 现在你是销售经理。团队今年共有 **368 个销售人周**（8 名销售 × 46 周）。用滑块把时间分给四类客户，
# 点**运行一年**：模拟每周把时间花在该类客户的老客户维护和金额最大的商机上。结果会显示成交额、
# 新赢得的客户、保住或流失的老客户，以及赢得一个客户与保住一个客户的成本对比。课程里的经验说法
# “赢得一个新客户的成本是保住一个老客户的 5–10 倍”，在这里是一个标明出处的参数，不是定论。

# %%
allocation = AllocationExercise(world, seed=2026)
allocation

# %% [markdown] exercise lang=en
# ## Exercise: allocate the year
#
# Try at least three allocations: an even split, everything on *attack*, and your own plan.
# For your plan, write down the revenue, new customers, customers lost, and the cost ratio
# of winning vs keeping. Be ready to defend it: what did you give up?

# %% [markdown] exercise lang=zh
# ## 练习：分配这一年
#
# 至少试三种分配：平均分配、全部投入*进攻*、你自己的方案。记下你的方案的成交额、新客户数、流失
# 客户数，以及赢得与保住一个客户的成本之比。准备好为它辩护：你放弃了什么？

# %% trainer
# en: Expected answer, from code: the even split, all on attack, and a plan weighted to attack and defend.
# zh: 预期结果（用代码算出）：平均分配、全部进攻，以及偏重进攻和防守的方案。
plans = {
    "even": {"defend": 92, "attack": 92, "maintain": 92, "monitor": 92},
    "attack": {"defend": 0, "attack": 368, "maintain": 0, "monitor": 0},
    "plan": {"defend": 120, "attack": 200, "maintain": 30, "monitor": 18},
}
results = {}
for name, plan in plans.items():
    allocation.set_allocation(plan)
    allocation.run()
    total = allocation.result.totals
    results[name] = (round(total["revenue"] / 1e6, 1), int(total["new_customers"]), int(total["churned_customers"]))
assert results["plan"][0] > results["even"][0] > results["attack"][0]
assert results["attack"][2] > results["plan"][2]
assert results == {"even": (24.3, 52, 7), "attack": (21.7, 55, 22), "plan": (25.8, 49, 8)}
results

# %% [markdown] trainer lang=en
# *Expected:* even split ¥24.3M, 52 new customers, 7 lost; all on attack ¥21.7M, 55 new, 22
# lost (nobody looked after the existing customers); the attack-and-defend plan ¥25.8M, 49
# new, 8 lost. Debrief: all-attack wins a few more new customers but loses three times as
# many old ones, and revenue falls. In this world existing and new accounts' deals follow
# the same funnel odds, so the simulation does not show the course's 50% vs 15% conversion:
# ask the room whether it should, and what would make it true in their market.

# %% [markdown] trainer lang=zh
# *预期结果*：平均分配成交 2,430 万元，新客户 52 家，流失 7 家；全部进攻 2,170 万元，新客户 55
# 家，流失 22 家（没有人照顾老客户）；偏重进攻和防守的方案 2,580 万元，新客户 49 家，流失 8 家。
# 讲评：全部进攻多赢得了几家新客户，流失的老客户却多了两倍，成交额反而下降。在这个模拟世界里，
# 老客户和新客户的商机遵循同样的漏斗赢率，所以模拟不会出现课程所说的 50% 对 15% 的转化率差异：
# 问学员，应不应该有这个差异？在他们的市场里，什么会让它成立？

# %% [markdown] lang=en
# ## Discuss
#
# - Which person in your own biggest account is the coach? If you cannot name one, what is
#   your first action next week?
# - Think of a deal you lost at commitment. Had you met the decision maker, or the whole
#   decision group of a state-owned customer?
# - Your team's time is the scarcest resource. Which segment gets too much of it today?

# %% [markdown] lang=zh
# ## 讨论
#
# - 你自己最大的客户里，谁是向导？如果说不出来，下周的第一个行动是什么？
# - 想一个在购买承诺阶段丢掉的商机。你见过决策者吗？如果是国有企业，见过整个决策班子吗？
# - 团队的时间是最稀缺的资源。今天哪一类客户占用的时间太多了？

# %% [markdown] trainer lang=en
# ### Trainer notes (07: 60 minutes)
#
# - Course slides: *buying roles* (eagle, sheep, donkey, fox), *the coach*, *whole-brain types* and *the
#   attack/defend model*.
# - 10 min: roles, coach and whole-brain types, with a real account from the room.
# - 20 min: teams work the map's account for three weeks (call "next week" for the room);
#   5 min on the coverage table.
# - 20 min: the allocation exercise in teams, each team presents its plan in one minute.
# - 5 min: discussion questions.

# %% [markdown] trainer lang=zh
# ### 讲师备注（07：60 分钟）
#
# - 对应课程：《采购角色》（鹰、羊、驴、狐）、《向导》、《全脑类型》和《攻守模型》。
# - 10 分钟：讲角色、向导和全脑类型，用学员的一个真实客户举例。
# - 20 分钟：各组在地图上的客户里经营三周（讲师统一喊“下一周”）；5 分钟讨论覆盖对比表。
# - 20 分钟：分组做资源分配练习，每组用一分钟介绍自己的方案。
# - 5 分钟：讨论题。
