# Source of notebooks/{en,zh,trainer/en,trainer/zh}/01_stages_and_win_rates.ipynb — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # 01 Stages and win rates
#
# A forecast is only as good as its stages. In this notebook you will
#
# 1. tie each funnel stage to a step of the **customer's** purchase process,
# 2. see why a deal at a later stage is worth more than the same deal at an earlier one,
# 3. compare four common funnels, and
# 4. forecast three deals by hand, exactly as the kit does it for the whole funnel.

# %% [markdown] lang=zh
# # 01 销售阶段与阶段赢率
#
# 销售预计准不准，首先看阶段划分得对不对。这一本里你会：
#
# 1. 把漏斗的每个阶段和**客户**采购流程的每一步对应起来；
# 2. 弄明白为什么同一个商机，处在后面的阶段就更“值钱”；
# 3. 比较四种常见的销售漏斗；
# 4. 亲手算出三个商机的销售预计——工具对整个漏斗就是这么算的。

# %%
import pandas as pd

import simfunnel as sf
from simfunnel import i18n, plots
from simfunnel.model.funnel import KEY_STEP_LABELS
from simfunnel.widgets import lesson_exercises
from simfunnel.widgets.chart_picker import ChartPicker

world = sf.generate(seed=2026)
history = sf.Simulation(world, seed=2026).run()
funnel = history.funnel
lang = sf.get_language()

# %% [markdown] lang=en
# ## Stages follow the customer, not us
#
# A stage says where the **customer** is in their purchase process, and each one is proved
# by something the customer did: they told us about a need, approved a project internally,
# wrote down their buying criteria, compared suppliers, committed to buy. "We sent a
# proposal" is our activity; it proves nothing about the customer.
#
# At each stage we have a job to do, one of the **six key steps**: customer analysis,
# building trust, digging for needs, presenting value, winning commitment and, after the
# order, collecting payment (booked is not yet paid).

# %% [markdown] lang=zh
# ## 阶段跟着客户走，而不是跟着我们走
#
# 阶段说明的是**客户**走到了采购流程的哪一步，每一步都要有客户的实际行动作证：客户说出了
# 需求、内部立了项、写下了采购标准、开始评估比较供应商、做出了购买承诺。“我们发了方案”
# 只是我们自己的动作，证明不了客户走到了哪里。
#
# 客户每走一步，我们都有对应的工作，也就是**六个关键步骤**：客户分析、建立信任、挖掘需求、
# 呈现价值、赢取承诺，以及成交之后的回收账款（签了单不等于收到钱）。

# %%
stages = pd.DataFrame(
    {
        "stage": [s.label(lang) for s in funnel.stages],
        "win_rate": [s.win_rate for s in funnel.stages],
        "key_step": [i18n.text(KEY_STEP_LABELS[s.key_step]) for s in funnel.stages],
    }
)
stages.columns = ["Customer's purchase stage", "Win rate", "Our key step"]  # lang=en
stages.columns = ["客户采购阶段", "阶段赢率", "我方关键步骤"]  # lang=zh
stages.style.format({stages.columns[1]: "{:.0%}"}).hide(axis="index").set_properties(**{"text-align": "left"})

# %% [markdown] lang=en
# ## Why win rates differ by stage
#
# - **Projects die on the way.** Many needs never get a budget; priorities change; the
#   customer simply does nothing. Each stage a deal passes is one more test it survived.
# - **Competitors drop out.** As the customer narrows the field, fewer suppliers remain.
# - **The customer has invested.** Approvals, meetings, trials: the further they are, the
#   more it costs them to turn back.
#
# So the same ¥100,000 deal is worth ¥10,000 of forecast when the need has just been
# identified and ¥80,000 at commitment. The win rates above are the kit's defaults. In the
# simulated market they are also the truth, and a year of deals bears them out: the
# *measured* rate of each stage (with its 95 % range) is close to the assumed one.
# Notebook 05 shows how to check your own.

# %% [markdown] lang=zh
# ## 为什么不同阶段的赢率不同
#
# - **项目会半路夭折**。很多需求最后拿不到预算；客户的优先级会变；客户也可能干脆不动了。
#   商机每过一个阶段，就多经受住了一次考验。
# - **竞争对手会被淘汰**。客户一步步缩小范围，留下来的供应商越来越少。
# - **客户投入越来越多**。立项审批、开会、试用……走得越远，客户回头的代价越大。
#
# 所以同样一个 10 万元的商机，刚发现需求时只算 1 万元的销售预计，到了购买承诺阶段就算
# 8 万元。上表的赢率是工具的默认值；在这个模拟市场里，它们也正好是“真实”的赢率。用一年
# 的商机实际测一测，每个阶段**测出来**的赢率（以及 95% 的可能范围）都和假设的很接近。
# 怎么检验你们自己的赢率，见第 05 本。

# %%
rates = sf.empirical_win_rates(history)
measured = rates[[lang, "assumed", "win_rate", "low", "high"]]
measured.columns = ["Stage", "Assumed", "Measured", "Range from", "to"]  # lang=en
measured.columns = ["阶段", "假设赢率", "实测赢率", "范围下限", "范围上限"]  # lang=zh
measured.style.format("{:.0%}", subset=list(measured.columns[1:])).hide(axis="index")

# %% [markdown] lang=en
# ## Four common funnels
#
# The kit ships four funnels. *Simple* is a sales folk rule, 10-30-50-70-100 (not a figure from
# the course), easy to remember; *Salesforce* and *HubSpot* are the default stages of two CRM tools.
# Look at what each stage name describes: a step of the customer, or a task of ours?

# %% [markdown] lang=zh
# ## 四种常见的销售漏斗
#
# 工具里带了四种漏斗。“简易漏斗”是销售行业里流传的“一三五七十”经验法则（不是课程给出的数字），
# 好记好用；Salesforce 和
# HubSpot 是两个 CRM 软件的默认阶段。看看每个阶段的名字说的是什么：是客户走了一步，
# 还是我们做了一件事？

# %%
presets = [sf.Funnel.preset(name) for name in ("key-account", "simple", "salesforce", "hubspot")]
pd.DataFrame(
    {
        (f.label_zh if lang == "zh" else f.label_en): pd.Series(
            [f"{s.label(lang)}  {s.win_rate:.0%}" for s in f.stages], index=range(1, len(f) + 1)
        )
        for f in presets
    }
).fillna("").style.set_properties(**{"text-align": "left"})

# %% [markdown] lang=en
# The same market looks different through another funnel. Press the buttons under this text
# to see it through each of the four.

# %% [markdown] lang=zh
# 同一个市场，换一种漏斗看，样子就不一样了。点下面的按钮，分别用四种漏斗看一看。

# %%
markets = {}


def draw_market(ax, preset, lang):
    if preset not in markets:  # each funnel's market is simulated once
        markets[preset] = sf.Simulation(sf.generate(seed=2026, funnel=preset), seed=2026).run(weeks=13)
    plots.funnel_chart(markets[preset], week=13, ax=ax, lang=lang)


ChartPicker(draw_market, choices=[(f.name, (f.label_zh, f.label_en)) for f in presets], value="simple",
            label=i18n.LABELS["funnel"])

# %% [markdown] trainer lang=en
# **Discussion (10 minutes).** Which HubSpot stages are steps of the customer, and which
# are tasks of ours?
#
# *Expected:* "Qualified to buy" and "Decision maker bought-in" describe the customer.
# "Appointment scheduled", "Presentation scheduled" and "Contract sent" are things **we**
# did: a contract can sit unsigned for months while the funnel says 90 %. Then ask each
# trainee to write down the stages they use at work and, for each, the customer action
# that proves a deal is there.

# %% [markdown] trainer lang=zh
# **讨论（10 分钟）**：HubSpot 的阶段里，哪些是客户走的一步，哪些是我们做的事？
#
# *预期答案：* “确认购买资格”“决策者认可”描述的是客户；“已预约”“已安排演示”“合同已发送”
# 都是**我们**做的事——合同发出去可能几个月都没人签，漏斗里却一直算 90%。接着请每位学员
# 写下自己公司用的销售阶段，并为每个阶段写出能证明商机到了这一步的客户行动。

# %% [markdown] lang=en
# ## Exercise: forecast three deals by hand
#
# Here are three open deals at the start of the quarter. Their **forecast** is the sum of
# amount × win rate. Work it out on paper or with a calculator, type your result into the
# box below the table and press **Check answers**.

# %% [markdown] lang=zh
# ## 练习：手算三个商机的销售预计
#
# 下面是季度初的三个在途商机。它们的**销售预计**就是“金额 × 阶段赢率”的总和。用纸笔或
# 计算器算一算，把结果填进表格下面的框里，再点**检查答案**。

# %%
open_now = history.snapshots.query("week == 13 and status == 'open' and amount >= 50_000")
three = open_now[open_now.stage.isin(["approved", "evaluation", "commitment"])]
three = three.groupby("stage", observed=True).head(1).sort_values("stage")
pd.DataFrame(
    {
        "Deal": three.deal_id.to_numpy(),  # lang=en
        "商机编号": three.deal_id.to_numpy(),  # lang=zh
        "Amount": [i18n.format_money(a) for a in three.amount],  # lang=en
        "金额": [i18n.format_money(a) for a in three.amount],  # lang=zh
        "Stage": [funnel.label(k, lang) for k in three.stage],  # lang=en
        "阶段": [funnel.label(k, lang) for k in three.stage],  # lang=zh
        "Win rate": [f"{funnel.win_rate(k):.0%}" for k in three.stage],  # lang=en
        "阶段赢率": [f"{funnel.win_rate(k):.0%}" for k in three.stage],  # lang=zh
    }
).style.hide(axis="index").set_properties(**{"text-align": "left"})

# %%
forecast_by_hand = lesson_exercises.hand_forecast(three, history)
forecast_by_hand

# %% trainer
# en: Solution: amount × win rate, deal by deal; the exercise's key is the kit's own forecast.
# zh: 参考答案：逐个商机算“金额 × 阶段赢率”，再相加；练习的答案就是工具算出的销售预计。
my_forecast = 87_000 * 0.25 + 97_800 * 0.60 + 696_000 * 0.80
assert round(my_forecast) == 637_230 == forecast_by_hand.questions[0].answer
# en: The three deals of the table, as the expected answer below quotes them.
# zh: 表中的三个商机，和下面预期答案里引用的一致。
assert three.amount.tolist() == [87_000, 97_800, 696_000] and three.deal_id.iloc[0] == 18
forecast_by_hand.answer(0, "637,230")
assert forecast_by_hand.check() == 1

# %% [markdown] trainer lang=en
# *Expected answer:* 87,000 × 25 % + 97,800 × 60 % + 696,000 × 80 % = 21,750 + 58,680 +
# 556,800 = **¥637,230**. Common slips: adding the amounts (¥880,800, the pipeline, not
# the forecast); taking one's own feeling about a deal instead of its stage's rate ("this
# one is 100 % sure"). Ask: *what would move deal 18 to 40 % next week?* (The customer
# writes down their criteria with us — a customer action, not ours.)

# %% [markdown] trainer lang=zh
# *预期答案：* 87,000 × 25% + 97,800 × 60% + 696,000 × 80% = 21,750 + 58,680 + 556,800 =
# **637,230 元**。常见错误：把金额直接相加（880,800 元，这是在途金额，不是销售预计）；
# 按自己的感觉给赢率（“这单百分之百能成”），而不用阶段赢率。可以追问：*下周要让 18 号
# 商机升到 40%，需要发生什么？*（客户和我们一起定下采购标准——这是客户的行动，不是我们的。）

# %% [markdown] lang=en
# ## From three deals to the whole funnel
#
# The kit's forecast is the very same sum over every open deal in the funnel.

# %% [markdown] lang=zh
# ## 从三个商机到整个漏斗
#
# 工具算的销售预计，就是把同样的算法用在漏斗里的每一个在途商机上，再加起来。

# %%
table = sf.indicators(history, quota=world.quota)
forecast, quota = table.forecast.iloc[0], world.quota
print(f"Forecast at the start of the quarter: {i18n.format_money(forecast)}"  # lang=en
      f" against a quota of {i18n.format_money(quota)}")  # lang=en
print(f"季度初的销售预计：{i18n.format_money(forecast)}，销售任务：{i18n.format_money(quota)}")  # lang=zh

# %% trainer
# en: Check: the indicator is the hand calculation applied to every open deal of week 13.
# zh: 核对：指标就是把手算的方法用在第 13 周的每个在途商机上。
everything = history.snapshots.query("week == 13 and status == 'open'")
assert round(float((everything.amount * history.win_probability(everything)).sum())) == round(forecast)

# %% [markdown] trainer lang=en
# ### Trainer notes (01: 30 minutes)
#
# - Course slides: *different win rates for different purchase stages* and *the sales funnel*. The
#   10-30-50-70-100 rule is a sales folk rule, not the course's.
# - 10 min stages and win rates, 10 min the four funnels and the discussion above, 10 min
#   the exercise.
# - Keep the point simple: a win rate belongs to a **stage**, and a stage is proved by a
#   **customer action**. Everything else in the workshop (moving deals, the threshold, the
#   forecast) rests on that.
# - If someone asks where 10/25/40/60/80 % come from: they are the kit's defaults, not
#   universal figures. Every company should measure its own (notebook 05).

# %% [markdown] trainer lang=zh
# ### 讲师备注（01：30 分钟）
#
# - 对应课程：《不同采购阶段的不同赢率》《销售漏斗》。
#   “一三五七十”是行业里流传的经验法则，不是课程内容。
# - 阶段与赢率 10 分钟，四种漏斗和上面的讨论 10 分钟，练习 10 分钟。
# - 要点讲简单：赢率属于**阶段**，阶段要有**客户的行动**来证明。工作坊后面的内容（推动商机、
#   小单门槛、销售预计）都建立在这一点上。
# - 如果有人问 10/25/40/60/80% 从哪来：这是工具的默认值，不是放之四海皆准的数字。每家公司
#   都应该用自己的数据测一测（第 05 本）。
