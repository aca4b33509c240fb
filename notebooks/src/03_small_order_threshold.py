# Source of notebooks/{en,zh,trainer/en,trainer/zh}/03_small_order_threshold.ipynb — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # 03 The small-order threshold: out-of-funnel sales
#
# Every deal in the funnel costs work: someone enters it in the CRM and records every
# stage change. Most deals are small, and together they hold little of the money. So
# key-account teams set a **threshold**: deals below it stay **out of the funnel**. Nobody
# enters them or tracks their stages; once won, they count as **out-of-funnel sales**.
#
# In this notebook you will see what a threshold saves, what it costs the forecast, how
# the formulas change to pay for it, and then choose a threshold and defend it.

# %% [markdown] lang=zh
# # 03 小单门槛：漏斗外销售额
#
# 漏斗里的每个商机都要花功夫：有人要把它录进 CRM，还要记录它每一次阶段变化。大多数商机
# 金额都不大，加起来也占不了多少钱。所以大客户销售团队会定一个**门槛**：金额低于门槛的
# 商机**不进漏斗**，不录入、不跟踪阶段；一旦成交，就计入**漏斗外销售额**。
#
# 这一本里你会看到：门槛省下了多少工作，让销售预计付出了什么代价，公式要怎么改才能弥补，
# 最后由你来选一个门槛，并说出理由。

# %%
import simfunnel as sf
from simfunnel import i18n, plots
from simfunnel.widgets import ThresholdExplorer, lesson_exercises

world = sf.generate(seed=2026)
history = sf.Simulation(world, seed=2026).run()
quota = world.quota

# %% [markdown] lang=en
# ## Many small deals, little money
#
# Below ¥50,000 (the kit's default threshold) lie most of this market's deals, but only a
# small part of its money. In the funnel, the grey fringe is what stays outside.

# %% [markdown] lang=zh
# ## 小单数量多，金额少
#
# 这个市场里，低于 5 万元（工具的默认门槛）的商机占了大多数，金额却只占一小部分。在漏斗图
# 里，灰色的边就是留在漏斗外的部分。

# %%
amounts = history.deals.amount
small = amounts < 50_000
print(f"{small.mean():.0%} of the deals are below ¥50,000; they hold {amounts[small].sum() / amounts.sum():.0%} of the money.")  # lang=en
print(f"{small.mean():.0%} 的商机低于 5 万元，但只占总金额的 {amounts[small].sum() / amounts.sum():.0%}。")  # lang=zh
plots.funnel_chart(history, week=13, threshold=50_000);

# %% [markdown] lang=en
# ## What it saves, what it costs
#
# **Saved:** the records entered. One record per deal above the threshold when it is
# created, plus one per stage change. With a threshold of ¥50,000 this quarter needs 410
# records instead of 1,291.
#
# **Cost:** the funnel no longer sees the small deals that will be won, so the forecast
# would come out too low every week. The fix is to forecast them from their **run rate**,
# the average weekly out-of-funnel sales of the last 4 weeks. In week $t$ of a quarter of
# $n = 13$ weeks, with quota $Q$:
#
# | | formula |
# |---|---|
# | forecast in the funnel | $F_t = \sum \text{amount} \times \text{win rate}$ over the open deals at or above the threshold |
# | expected out-of-funnel sales | $\hat O_t = \text{run rate} \times (n - t)$ |
# | **forecast** | $F'_t = F_t + \hat O_t$ |
# | booked (in and out of the funnel) | $B_t$ |
# | **progress** | $P_t = \dfrac{(F'_t + B_t) - (F'_{t-1} + B_{t-1})}{Q}$ |
# | benchmark | $\dfrac{1 - \hat O_0 / Q}{n}$ |
#
# With no threshold, $\hat O_t = 0$ and these are the plain formulas of notebook 00:
# forecast = Σ amount × win rate, benchmark = 1/13.

# %% [markdown] lang=zh
# ## 省下了什么，付出了什么
#
# **省下的**：录入工作。门槛以上的商机，建立时录一条记录，之后每次阶段变化再录一条。门槛
# 定在 5 万元，这个季度只需要录 410 条，而不是 1,291 条。
#
# **付出的**：漏斗看不到那些将来会成交的小单，销售预计每周都会偏低。弥补的办法是用
# **漏斗外周均**来预计它们，也就是最近 4 周平均每周的漏斗外销售额。一个季度 $n = 13$ 周，
# 销售任务为 $Q$，第 $t$ 周：
#
# | | 公式 |
# |---|---|
# | 漏斗内预计 | $F_t = \sum$ 金额 × 阶段赢率（门槛以上的在途商机） |
# | 预计漏斗外销售额 | $\hat O_t =$ 漏斗外周均 $\times (n - t)$ |
# | **销售预计** | $F'_t = F_t + \hat O_t$ |
# | 已成交（漏斗内外合计） | $B_t$ |
# | **销售进展** | $P_t = \dfrac{(F'_t + B_t) - (F'_{t-1} + B_{t-1})}{Q}$ |
# | 基准进度 | $\dfrac{1 - \hat O_0 / Q}{n}$ |
#
# 不设门槛时 $\hat O_t = 0$，公式就回到第 00 本里最简单的样子：销售预计 = Σ 金额 × 阶段赢率，
# 基准进度 = 1/13。

# %% [markdown] lang=en
# Week by week at a threshold of ¥50,000: the forecast in the funnel, the run rate, the
# expected out-of-funnel sales and the forecast that adds them up.

# %% [markdown] lang=zh
# 门槛为 5 万元时逐周来看：漏斗内预计、漏斗外周均、预计漏斗外销售额，以及把它们加起来的
# 销售预计。

# %%
table = sf.indicators(history, quota=quota, threshold=50_000)
columns = ["week", "forecast_in_funnel", "run_rate", "expected_out_of_funnel", "forecast", "booked", "progress"]
(
    table[columns].rename(columns=i18n.label).style.hide(axis="index")
    .format(i18n.format_money, subset=[i18n.label(c) for c in columns[1:-1]])
    .format("{:.1%}", subset=[i18n.label("progress")], na_rep="—")
)

# %% [markdown] trainer lang=en
# **Point out** the run rate at the start of the quarter: only ¥15,975 a week, because the
# 4 weeks before had few small orders. The quarter then brought ¥454k of out-of-funnel
# sales, not the ¥208k expected. A 4-week run rate reacts fast but is noisy; ask the room
# how many weeks they would average, and why (seasonality, a big campaign, a new product).
# The cell below shows 4, 8 and 13 weeks.

# %% [markdown] trainer lang=zh
# **请指出**：季度初的漏斗外周均只有 15,975 元，因为之前 4 周小单很少；结果这个季度实际来了
# 45.4 万元的漏斗外销售额，而不是预计的 20.8 万元。4 周的周均反应快，但波动大。请大家讨论：
# 你会用几周来平均？为什么？（季节性、大型促销、新产品上市……）下面的单元格对比了 4 周、8 周和
# 13 周。

# %% trainer
# en: The figures quoted above: the run rate of week 13, what it expects, what the quarter brought.
# zh: 上面引用的数字：第 13 周的漏斗外周均、据此预计的漏斗外销售额，以及这个季度实际的漏斗外销售额。
assert table.run_rate.iloc[0] == 15_975 and round(table.expected_out_of_funnel.iloc[0] / 1e3) == 208
assert round(table.out_of_funnel_booked.iloc[-1] / 1e3) == 454
{weeks: i18n.format_money(sf.indicators(history, quota=quota, threshold=50_000, run_rate_weeks=weeks)
                          .expected_out_of_funnel.iloc[0]) for weeks in (4, 8, 13)}

# %% [markdown] lang=en
# ## The threshold explorer
#
# Drag the slider. The four numbers show the deals left in the funnel, the records
# entered, the revenue outside the funnel and the mean forecast error over the quarter (as
# a share of quota). The upper chart is the trade-off: records entered against forecast
# error for every threshold, with the error **with** the run rate (solid) and **without** it
# (dashed); the big dot is your threshold. The lower chart follows the forecast and what
# actually happened, week by week.

# %% [markdown] lang=zh
# ## 门槛探索器
#
# 拖动滑块。四个数字分别是：留在漏斗里的商机数、录入记录数、漏斗外销售额，以及整个季度
# 销售预计的平均误差（占销售任务的比例）。上面的图是取舍曲线：每个门槛对应的录入记录数和
# 预测误差，实线是**加上**漏斗外周均的误差，虚线是**不加**的误差；大圆点就是你选的门槛。
# 下面的图逐周对比销售预计和实际结果。

# %%
explorer = ThresholdExplorer(history, quota=quota)
explorer

# %% [markdown] lang=en
# **Why is the error large at every threshold?** Deal sizes here are very uneven: a few large
# deals make most of a quarter's revenue, and whether each of them closes this quarter or the next
# moves the result by a large share of quota. The forecast adds amount × win rate, an average over
# many quarters; one quarter is a single draw. The threshold changes the data-entry work and a few
# points of the error, not this basic uncertainty (notebook 04 shows its range).

# %% [markdown] lang=zh
# **为什么每个门槛下误差都不小**？这里商机的金额差别很大：一个季度的销售额大部分来自少数几笔
# 大单，每一笔是这个季度成交还是下个季度成交，都会让结果偏离销售任务的很大一部分。销售预计是
# “金额 × 赢率”之和，是许多个季度的平均；而一个季度只有一次结果。门槛改变的是录入的工作量和
# 几个百分点的误差，改变不了这个基本的不确定性（第 04 本会给出它的区间）。

# %% [markdown] lang=en
# ## Exercise: choose a threshold and defend it
#
# First read the explorer: answer the questions below and press **Check answers**. Then drag
# the explorer's slider to the threshold you would use for this market, and write two
# sentences for your sales director: what your threshold saves, and what it costs. Think
# about more than the numbers: which deals do you want to coach one by one?

# %% [markdown] lang=zh
# ## 练习：选一个门槛，并说出理由
#
# 先读一读探索器：回答下面的问题，点**检查答案**。然后把探索器的滑块拖到你会在这个市场里使用的
# 门槛，给销售总监写两句话：你的门槛省下了什么，付出了什么。不要只看数字：哪些商机是你想逐个
# 辅导、亲自盯的？

# %%
reading = lesson_exercises.threshold_questions(history, quota)
reading

# %% trainer
# en: One defensible answer: ¥80,000. Records fall by about 79 %, the forecast error stays at the
# en: level of no threshold (with the run rate), and 134 deals remain to coach one by one.
# zh: 一个站得住的答案：8 万元。录入记录减少约 79%，（加上漏斗外周均后）预测误差和不设门槛时
# zh: 差不多，漏斗里还剩 134 个商机可以逐个辅导。
sweep = sf.threshold_sweep(history, [0, 30_000, 50_000, 80_000, 100_000, 150_000], quota=quota)
sweep = sweep.set_index("threshold")
assert sweep.mean_abs_error[80_000] <= sweep.mean_abs_error[0] + 0.01
assert sweep.mean_abs_error_without_run_rate[100_000] > sweep.mean_abs_error_without_run_rate[0] + 0.05
assert sweep.deals_in_funnel[80_000] == 134
assert round(1 - sweep.records_entered[80_000] / sweep.records_entered[0], 2) == 0.79
# en: The figures of the expected answer below.
# zh: 下面预期答案里的数字。
assert sweep.records_entered[[50_000, 0]].tolist() == [410, 1_291]
assert sweep.mean_abs_error[[0, 30_000, 50_000, 80_000]].round(2).between(0.43, 0.47).all()
assert round(sweep.mean_abs_error_without_run_rate[0], 2) == 0.47
assert sweep.mean_abs_error_without_run_rate[[50_000, 80_000]].min() > 0.50
assert sweep.share_outside[[50_000, 80_000]].round(2).tolist() == [0.11, 0.18]
assert abs(sweep.share_outside[150_000] - 1 / 3) < 0.02
reading.solve()
assert reading.check() == len(reading.questions)
assert [q.answer for q in reading.questions] == [134, 0.79, 2, 0]  # 134 deals, 79 % fewer, larger, smaller
explorer.threshold = 80_000
sweep

# %% [markdown] trainer lang=en
# *Expected:* any threshold from about ¥30,000 to ¥80,000 can be defended; what matters is
# the argument. A good one names (1) the records saved (¥50,000: 410 instead of 1,291,
# −68 %), (2) the error **with** the run rate, which stays near the no-threshold level
# (about 43–47 % of quota here: one quarter of lumpy deals is hard to forecast whatever
# you do), while **without** the run rate it climbs from 47 % to over 50 %, and (3) the
# share of revenue left outside the funnel (11 % at ¥50,000, 18 % at ¥80,000): the higher
# it is, the more the forecast rests on a noisy run rate and the fewer deals the manager
# can coach. Push back on ¥150,000: it saves little more and leaves a third of the revenue
# to the run rate.

# %% [markdown] trainer lang=zh
# *预期答案*：大约 3 万到 8 万元之间的门槛都说得通，关键看理由。好的理由会讲到：（1）省下的
# 录入（5 万元：410 条而不是 1,291 条，少了 68%）；（2）**加上**漏斗外周均之后的误差，和不设
# 门槛时差不多（这里约为销售任务的 43–47%：一个季度里大单成交时间不确定，怎么预计都难），而
# **不加**的话误差会从 47% 升到 50% 以上；（3）留在漏斗外的销售额比例（5 万元时 11%，8 万元时
# 18%）：比例越高，销售预计越依赖波动很大的周均，经理能逐个辅导的商机也越少。如果有人选
# 15 万元，请反驳：录入省不了多少，却把三分之一的销售额交给了周均。

# %% [markdown] trainer lang=en
# ### Trainer notes (03: 40 minutes)
#
# - Course slides: *the three indicators of opportunity management* (out-of-funnel sales) and the
#   rule that small orders stay out of the funnel.
# - 10 min: why small orders stay out (the first chart) and what it saves.
# - 10 min: the modified formulas, using the week-by-week table: ask a trainee to check
#   $F'_t = F_t + \hat O_t$ on one row.
# - 15 min: the explorer and the exercise, in pairs; each pair reads out its two sentences.
# - 5 min: wrap up. The threshold is a management decision, not a statistical one: the
#   funnel is also the list of deals a manager coaches.

# %% [markdown] trainer lang=zh
# ### 讲师备注（03：40 分钟）
#
# - 对应课程：《销售机会管理的三个指标》（漏斗外销售额）与“小单不进漏斗”的规则。
# - 10 分钟：为什么小单不进漏斗（第一张图），能省下什么。
# - 10 分钟：改进后的公式，结合逐周表格讲：请一位学员在其中一行验算 $F'_t = F_t + \hat O_t$。
# - 15 分钟：两人一组用门槛探索器做练习，每组读出自己的两句话。
# - 5 分钟：总结。门槛是管理决策，不只是统计问题：漏斗也是经理要逐个辅导的商机清单。
