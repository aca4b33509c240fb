# Source of notebooks/{en,zh,trainer/en,trainer/zh}/04_forecast_and_progress.ipynb — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # 04 Forecast and progress
#
# Time to put it together. We follow one quarter (weeks 13 to 26) of the workshop market,
# week by week, with the ¥50,000 threshold of notebook 03, and ask the questions a sales
# director asks every Monday: What is the forecast? Did we make progress this week? Does
# the funnel cover what is left of the quota? How sure are we?

# %% [markdown] lang=zh
# # 04 销售预计与销售进展
#
# 现在把前面学的串起来。我们跟踪工作坊市场的一个季度（第 13 到 26 周），逐周来看，门槛
# 沿用第 03 本的 5 万元。每周一销售总监都会问这几个问题：销售预计是多少？这周有没有进展？
# 漏斗够不够覆盖剩下的任务？我们有多大把握？

# %%
import simfunnel as sf
from simfunnel import i18n, plots
from simfunnel.widgets import ForecastDashboard, lesson_exercises
from simfunnel.widgets.lesson_exercises import StretchTarget

world = sf.generate(seed=2026)
sim = sf.Simulation(world, seed=2026)
history = sim.run()
quota, threshold = world.quota, 50_000
table = sf.indicators(history, quota=quota, threshold=threshold)

# %% [markdown] lang=en
# ## The quarter, week by week
#
# Week 13 is the opening state; each row after it is the end of a week of the quarter.

# %% [markdown] lang=zh
# ## 逐周看这个季度
#
# 第 13 周是季度开始时的状态，之后每一行是季度里每一周结束时的情况。

# %%
columns = ["week", "forecast", "booked", "progress", "benchmark", "coverage"]
(
    table[columns].rename(columns=i18n.label).style.hide(axis="index")
    .format(i18n.format_money, subset=[i18n.label("forecast"), i18n.label("booked")])
    .format("{:.1%}", subset=[i18n.label("progress"), i18n.label("benchmark")], na_rep="—")
    .format(lambda v: f"{v:.2f}" if v < float("inf") else "∞", subset=[i18n.label("coverage")])
)

# %%
plots.indicator_chart(table, quota=quota);

# %%
plots.progress_chart(table);

# %% [markdown] lang=en
# ## Reading progress
#
# Progress is how much *forecast + booked* grew in the week, as a share of the quota. To
# make the quota, a quarter needs about the benchmark every week (here 7.1 %: a little less
# than 1/13 because part of the quota is expected from out-of-funnel sales).
#
# - **Winning a deal** barely moves it: the deal leaves the forecast at 80 % and enters
#   booked at 100 %.
# - **Real progress** comes from new deals entering the funnel and deals advancing to a
#   stage with a higher win rate.
# - **Lost deals** are negative progress, and show at once.

# %% [markdown] lang=zh
# ## 怎么看销售进展
#
# 销售进展是这一周“销售预计 + 已成交”增加了多少，占销售任务的比例。要完成任务，每周大约要
# 达到基准进度（这里是 7.1%：比 1/13 略低，因为有一部分任务预计由漏斗外销售额完成）。
#
# - **赢单**几乎不带来进展：商机从销售预计里按 80% 移出，再按 100% 计入已成交。
# - **真正的进展**来自新商机进入漏斗，以及商机推进到赢率更高的阶段。
# - **丢单**是负的进展，而且马上就会显示出来。

# %% [markdown] trainer lang=en
# **Ask:** what happened in week 15 (progress −16.7 %)? *Expected:* 10 deals at or above
# the threshold were lost that week, worth ¥3.74M; 8 advanced. Losing big deals further
# down the funnel is what hurts: the ¥1.48M deal lost at *Criteria set* took ¥0.59M off the
# forecast on its own; the cell below shows them. Then ask: in which week was the quota met?
# (Week 20, only just: booked ¥2.71M against ¥2.7M; from then on coverage is ∞.)

# %% [markdown] trainer lang=zh
# **提问**：第 15 周发生了什么（销售进展 −16.7%）？*预期答案*：那一周有 10 个门槛以上的商机丢单，
# 金额 374 万元；推进的有 8 个。漏斗中后段的大单丢了，打击最大：在“确定标准”阶段丢掉的那个 148 万元
# 的商机，单独就让销售预计少了 59 万元；下面的单元格列出了这些商机。再问：哪一周完成了销售任务？
# （第 20 周，刚刚好：已成交 271 万元，任务 270 万元；此后覆盖率为 ∞。）

# %% trainer
week15 = history.events.merge(history.deals[["deal_id", "amount"]]).query("week == 15 and amount >= @threshold")
lost15 = week15.query("outcome == 'no_sale'")
assert round(table.set_index("week").progress[15], 3) == -0.167
assert len(lost15) == 10 and lost15.amount.sum() == 3_738_900 and (week15.outcome == "advance").sum() == 8
biggest = lost15.loc[lost15.amount.idxmax()]  # ¥1.48M at Criteria set: 40 % of it left the forecast
assert biggest.from_stage == "criteria" and round(biggest.amount * world.funnel.win_rate("criteria"), -4) == 590_000
assert round(table.set_index("week").booked[20]) == 2_706_300 and table.set_index("week").booked[19] < quota
week15.sort_values("amount", ascending=False)

# %% [markdown] lang=en
# ## Coverage: is the funnel big enough?
#
# Coverage = forecast ÷ (quota − booked). Above 1, the funnel's forecast covers what is left
# of the quota; **below 1, find more opportunities**, because even if every deal closes at
# its win rate the quota will be missed. Once the quota is met, coverage is ∞.

# %% [markdown] lang=zh
# ## 覆盖率：漏斗够大吗？
#
# 覆盖率 = 销售预计 ÷（销售任务 − 已成交）。大于 1，说明漏斗里的销售预计足以覆盖剩下的任务；
# **小于 1，就要去发现更多的商机**，因为即使每个商机都按赢率成交，任务也完成不了。任务完成以后，
# 覆盖率就是 ∞。

# %% [markdown] lang=en
# ## How sure are we? The Monte Carlo range
#
# The forecast is one number; the quarter will end somewhere in a range. The kit plays the
# quarter 10,000 times: in each trial every open deal in the funnel is won or not, at its
# chance of being won **within this quarter**, and the small orders are drawn from recent
# weeks. The spread of the trials gives the range (P10 to P90: 8 trials in 10 land in
# between) and the chance of hitting the quota.

# %% [markdown] lang=zh
# ## 有多大把握？蒙特卡洛区间
#
# 销售预计只是一个数，而季度最终的成交额会落在一个区间里。工具把这个季度模拟 10,000 次：每次
# 模拟里，漏斗内的每个在途商机按它**在本季度内**赢单的概率决定赢或不赢，小单按最近几周的情况
# 抽取。把所有模拟结果放在一起，就得到可能的区间（P10 到 P90：十次里有八次落在这个范围内），
# 以及完成任务的概率。

# %%
mc = sf.montecarlo(history, chain=sim.chain, quota=quota, threshold=threshold, seed=1)
low, mid, high = (i18n.format_money(v) for v in (mc.p10, mc.p50, mc.p90))
print(f"At the start of the quarter: median (P50) {mid}, 8 in 10 between {low} and {high}.")  # lang=en
print(f"Chance of hitting the quota of {i18n.format_money(quota)}: {mc.p_quota:.0%}")  # lang=en
print(f"季度初：中位数（P50）是 {mid}，十次有八次在 {low} 到 {high} 之间。")  # lang=zh
print(f"完成 {i18n.format_money(quota)} 任务的概率：{mc.p_quota:.0%}")  # lang=zh

# %% [markdown] lang=en
# Notice that the median (P50, about ¥2.9M) is well below the forecast of ¥3.9M.
# The forecast counts every deal at its **eventual** win rate, including the deals that will
# only close next quarter; the range counts only what can close **in** this quarter. Neither
# counts the new deals you will still find this quarter: they come on top.

# %% [markdown] lang=zh
# 请注意：中位数（P50，约 290 万元）比销售预计（约 390 万元）低不少。销售预计按**最终**赢率
# 计算每个商机，包括那些下个季度才会成交的；而这个区间只算**本季度内**能成交的部分。两者都
# 没有算上你在本季度还会发现的新商机——那是额外的。

# %% [markdown] lang=en
# ## The forecast dashboard
#
# Move the **week** slider through the quarter: the fan shows the range of the quarter's
# final bookings as it was forecast in each week, and it narrows as the quarter closes. The
# **threshold** slider changes what is in the funnel. The numbers above the chart give the
# chance of hitting the quota, the median and the 80 % range, coverage and the week's
# progress; the bar chart below shows every week's progress against the benchmark.

# %% [markdown] lang=zh
# ## 销售预计仪表盘
#
# 拖动**本期第几周**滑块走过整个季度：扇形图显示在每一周预测的季度最终成交额区间，越接近季度末
# 区间越窄。**门槛**滑块决定哪些商机在漏斗里。图上方的数字是完成任务的概率、中位数和 80% 区间、
# 覆盖率以及本周的销售进展；下面的柱状图是每周销售进展和基准进度的对比。

# %%
dashboard = ForecastDashboard(history, quota=quota, threshold=threshold, chain=sim.chain)
dashboard

# %% [markdown] lang=en
# ## Exercise: can we commit to a stretch target?
#
# At the start of the quarter your director asks: "Can we commit to ¥3.5M instead of
# ¥2.7M?" The bars below show, week by week, the chance of reaching the target; drag the
# slider to try others. Then answer the two questions for ¥3.5M and press **Check answers**.
# What do you tell the director in week 13? From which week would you commit?

# %% [markdown] lang=zh
# ## 练习：能不能承诺一个更高的目标？
#
# 季度一开始，销售总监问你：“我们能不能承诺 350 万，而不是 270 万？”下面的横条是每一周达到目标
# 的概率；拖动滑块可以试别的目标。然后按 350 万回答下面两个问题，点**检查答案**。第 13 周你怎么
# 回答总监？从哪一周开始你敢承诺？

# %%
stretch = StretchTarget(history, sim.chain, threshold, weeks=table.week, target=3_500_000)
stretch

# %%
stretch_check = lesson_exercises.stretch_questions(
    stretch.chances, (i18n.format_money(3_500_000, lang="zh"), i18n.format_money(3_500_000, lang="en")),
    first_week=int(table.week.iloc[0]))
stretch_check

# %% [markdown] trainer lang=en
# *Expected:* in week 13 the chance of ¥3.5M is only about 30 % (¥2.7M: about 55 %). It
# first passes 80 % in week 20 (89 %), after the big wins of weeks 19 and 20; as weeks 21
# and 22 pass with almost nothing booked it falls back (72 %, 56 %), and it stays above 80 %
# only from week 23. A good answer to the director: "Not now. Today we can say ¥1.8M to
# ¥4.4M, with a median (P50) of ¥2.9M, plus what we find this quarter. Let's look again in week 19 or
# 20." Ask what would raise the chance earlier: more opportunities (coverage), and advancing
# the deals at *Evaluation* and *Commitment* (notebook 02).

# %% [markdown] trainer lang=zh
# *预期答案*：第 13 周达到 350 万的概率只有约 30%（270 万约 55%）。到第 20 周才第一次超过
# 80%（89%），那是在第 19、20 周几笔大单成交之后；第 21、22 周几乎没有新的成交，概率又回落到
# 72% 和 56%，直到第 23 周起才一直高于 80%。给总监的好回答：“现在不能承诺。今天能说的是 180 万到 440 万，
# 中位数（P50）290 万，再加上本季度新发现的商机。第 19 或 20 周再看。”再问大家：怎样才能更早提高把握？
# 多找商机（覆盖率），以及推进“评估比较”和“购买承诺”阶段的商机（第 02 本）。

# %% trainer
stretch.target = 3_500_000
chance = stretch.chances
assert round(chance[13], 2) == 0.30 and round(mc.p_quota, 2) == 0.55
stretch_check.solve()
assert stretch_check.check() == 2 and [q.answer for q in stretch_check.questions] == [0.30, 23]
assert [w for w, p in chance.items() if p >= 0.8] == [20, 23, 24, 25, 26]
assert [round(chance[w], 2) for w in (20, 21, 22)] == [0.89, 0.72, 0.56]
assert (round(mc.p10, -5), round(mc.p50, -5), round(mc.p90, -5)) == (1_800_000, 2_900_000, 4_400_000)

# %% [markdown] trainer lang=en
# ### Trainer notes (04: 30 minutes)
#
# - Course slides: *the three indicators of opportunity management* (forecast, progress) and the
#   weekly benchmark. The Monte Carlo range and its median (P50) are the kit's addition, not the
#   course's.
# - 10 min: the week-by-week table and the two charts; the week-15 question.
# - 5 min: coverage, and why it jumps to ∞.
# - 10 min: the range and the dashboard on the projector; let trainees move the week slider.
# - 5 min: the stretch-target exercise and the answer to the director.
# - This quarter ended at ¥4.32M booked. The deals in the funnel at week 13 plus the small
#   orders brought ¥3.94M: inside the range, near P90 (¥4.35M). The other ¥0.37M came from
#   two deals found during the quarter, which the range leaves out. A range is not a
#   promise either way: one quarter in ten ends above P90, one in ten below P10.

# %% [markdown] trainer lang=zh
# ### 讲师备注（04：30 分钟）
#
# - 对应课程：《销售机会管理的三个指标》（销售预计、销售进展）与每周的基准进度。
#   蒙特卡洛区间和它的中位数（P50）是本工具补充的内容，不是课程内容。
# - 10 分钟：逐周表格和两张图；第 15 周的问题。
# - 5 分钟：覆盖率，以及它为什么会变成 ∞。
# - 10 分钟：在投影上讲蒙特卡洛区间和仪表盘，让学员自己拖动周数滑块。
# - 5 分钟：更高目标的练习，以及怎么回答总监。
# - 这个季度最终成交 432 万元。其中第 13 周漏斗里的商机加上小单带来 394 万元：在区间之内，
#   接近 P90（435 万元）。另外 37 万元来自本季度新发现的两个商机，区间没有算它们。区间不是承诺：
#   十个季度里总有一个会高于 P90，也总有一个会低于 P10。
