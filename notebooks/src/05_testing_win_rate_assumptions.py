# Source of notebooks/{en,zh,trainer/en,trainer/zh}/05_testing_win_rate_assumptions.ipynb — build
# with `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # 05 Testing win-rate assumptions (for analysts)
#
# Every forecast in this workshop multiplies amounts by **stage win rates**. Those rates
# are assumptions, usually typed into the CRM once and never checked. This notebook shows
# how to test them against history:
#
# - **assumed** rates: what the CRM multiplies by;
# - **true** rates: how the market really behaves (known here only because it is simulated);
# - **measured** rates: what the history shows, with an interval for the sampling error.
#
# We also look at calibration, the Brier score, and what a wrong assumption does to the
# forecast. To run the same analysis on your own data, save it as a dataset folder and load
# it with `history = sf.History.load("path/to/folder")`.

# %% [markdown] lang=zh
# # 05 检验赢率假设（给分析人员）
#
# 这个工作坊里的每一个销售预计，都是用金额乘以**阶段赢率**算出来的。这些赢率其实是假设，
# 通常在 CRM 里设一次就再也没人检查过。这一本讲怎么用历史数据检验它们：
#
# - **假设赢率**：CRM 用来相乘的赢率；
# - **真实赢率**：市场真实的情况（这里之所以知道，是因为市场是模拟的）；
# - **实测赢率**：从历史数据里测出来的赢率，附带一个反映抽样误差的区间。
#
# 我们还会看校准、布里尔分数，以及错误的假设会让销售预计偏成什么样。要用自己的数据做同样的
# 分析，把数据存成一个数据集文件夹，再用 `history = sf.History.load("文件夹路径")` 读入。

# %% [markdown] lang=en
# ## A market more difficult than the CRM thinks
#
# The workshop market's true rates equal the CRM's, which makes a poor test. So we replay
# the same accounts and deals in a harder market: the CRM still assumes 10/25/40/60/80 %,
# but deals really win 6/15/28/45/70 %.

# %% [markdown] lang=zh
# ## 市场比 CRM 里设想的更难做
#
# 工作坊市场的真实赢率和 CRM 里的一模一样，拿来检验没什么意思。所以我们让同样的客户和商机在
# 一个更难做的市场里再走一遍：CRM 里仍然假设 10/25/40/60/80%，而商机真实的赢率是
# 6/15/28/45/70%。

# %%
import pandas as pd

import simfunnel as sf
from simfunnel import plots
from simfunnel.model.chain import calibrated_chain
from simfunnel.widgets import WinRateLab, lesson_exercises

world = sf.generate(seed=2026)
truth = world.funnel.with_win_rates([0.06, 0.15, 0.28, 0.45, 0.70])
sim = sf.Simulation(world, seed=2026, chain=calibrated_chain(truth))
history = sim.run()
lang = sf.get_language()

# %% [markdown] lang=en
# ## Measured rates, with their intervals
#
# The kit measures a stage's win rate as the product of its next-step conversions
# (advanced ÷ (advanced + lost) at this stage and every later one). Deals still open are
# not counted as lost. The naive alternative, "won ÷ closed" among the deals that reached
# a stage, is biased low: losing is quicker than winning, so young deals that have closed
# are mostly losses.

# %% [markdown] lang=zh
# ## 实测赢率及其区间
#
# 工具测量某阶段赢率的方法，是把这一阶段及之后每一阶段的“下一步转化率”（推进 ÷（推进 + 丢单））
# 连乘起来。还在途的商机不算丢单。更简单的做法是：在到过这个阶段的商机里，数“赢单 ÷ 已关闭”。
# 但这样会偏低：丢单比赢单来得快，新商机里已经关闭的大多是丢单。

# %%
rates = sf.empirical_win_rates(history)
true_rates = sf.true_win_rates(sim.chain)
table = pd.DataFrame(
    {
        "Stage": rates[lang],  # lang=en
        "阶段": rates[lang],  # lang=zh
        "Assumed": rates.assumed,  # lang=en
        "假设赢率": rates.assumed,  # lang=zh
        "True": true_rates,  # lang=en
        "真实赢率": true_rates,  # lang=zh
        "Measured": rates.win_rate,  # lang=en
        "实测赢率": rates.win_rate,  # lang=zh
        "95% from": rates.low,  # lang=en
        "95% 区间下限": rates.low,  # lang=zh
        "to": rates.high,  # lang=en
        "上限": rates.high,  # lang=zh
        "Naive won ÷ closed": rates.naive_win_rate,  # lang=en
        "简单算法：赢单 ÷ 已关闭": rates.naive_win_rate,  # lang=zh
    }
)
table.style.hide(axis="index").format("{:.1%}", subset=list(table.columns[1:]))

# %% [markdown] lang=en
# ## Calibration
#
# For each stage: the assumed rate, the measured rate with its 95 % interval, and (for
# simulated data) the true rate. An assumption is **calibrated** when it lies inside the
# interval. Here every assumed rate lies above its interval: the CRM is optimistic at every
# stage, and the history shows it.

# %% [markdown] lang=zh
# ## 校准
#
# 每个阶段：假设赢率、实测赢率和它的 95% 区间，以及（模拟数据才有的）真实赢率。假设赢率落在
# 区间里，就说明这个假设是**校准**的。这里每个阶段的假设赢率都在区间上方：CRM 在每个阶段都偏
# 乐观，历史数据已经说明了这一点。

# %%
plots.calibration_chart(rates, true_rates=true_rates);

# %% [markdown] trainer lang=en
# **Check with the room:** is each assumed rate above its interval? (Yes, for all five
# stages.) Then ask how many deals a stage needs for a useful measurement: the interval at
# *Commitment* (about 165 closed deals) is still some ±7 points wide. A team with 20 deals a
# quarter should pool several quarters, or several teams, before changing its rates.

# %% [markdown] trainer lang=zh
# **和大家一起核对**：每个假设赢率是不是都在区间上方？（是的，五个阶段都是。）然后问：一个阶段
# 要有多少商机，测出来的赢率才有用？“购买承诺”阶段大约有 165 个已关闭的商机，区间仍有
# 上下约 7 个百分点。一个团队一个季度只有 20 个商机的话，要合并几个季度或几个团队的数据，再考虑
# 修改赢率。

# %% trainer
assert (rates.assumed > rates.high).all() and (rates.low <= true_rates).all() and (true_rates <= rates.high).all()
assert rates.closed["commitment"] == 165 and round((rates.high - rates.low)["commitment"] / 2, 2) == 0.07

# %% [markdown] lang=en
# ## What a wrong assumption does to the forecast
#
# The lab below computes the forecast of the quarter (weeks 13 to 26) three ways: at the
# assumed rates, at the measured rates and at the true rates, next to what actually
# happened to the deals forecast. The optimistic assumption inflates the forecast **every
# week**, by about 45 %.
#
# Notice also the actual line: it swings. In weeks 13 to 15 the deals forecast did even
# worse than the true rates predict; from week 21 on they did better than even the
# optimistic forecast. One quarter's forecast error says little about the rates; a bias that shows stage by stage over many deals does. That is what the
# **Brier score** measures: the mean of (win rate − outcome)² over every week of every
# closed deal, where the outcome is 1 if the deal was won and 0 if lost. Lower is better.

# %% [markdown] lang=zh
# ## 错误的假设会让销售预计偏成什么样
#
# 下面的实验室用三种赢率计算这个季度（第 13 到 26 周）的销售预计：假设赢率、实测赢率和真实赢率，
# 并和这些商机的实际结果放在一起对比。偏乐观的假设让销售预计**每一周**都高出约 45%。
#
# 再看实际结果这条线：它上下摆动。第 13 到 15 周，这些商机的实际结果比按真实赢率算的还差；
# 从第 21 周起，又比偏乐观的预计还好。一个季度的预测误差说明不了赢率准不准；只有在大量商机上、逐个阶段反复出现的偏差才说明问题。
# **布里尔分数**衡量的就是这个：对每个已关闭商机的每一周，计算（赢率 − 结果）² 再求平均，赢单
# 结果记 1，丢单记 0。分数越低越好。

# %%
lab = WinRateLab(history, chain=sim.chain)
forecasts = lab.table()
bias = (forecasts.forecast / forecasts.forecast_true - 1).mean()
print(f"The assumed rates forecast {bias:.0%} more than the true rates, on average over the quarter.")  # lang=en
print(f"Brier score: assumed {lab.brier:.4f} · measured {lab.brier_empirical:.4f} · true {lab.brier_true:.4f}")  # lang=en
print(f"按假设赢率算出的销售预计，整个季度平均比按真实赢率高 {bias:.0%}。")  # lang=zh
print(f"布里尔分数：假设赢率 {lab.brier:.4f} · 实测赢率 {lab.brier_empirical:.4f} · 真实赢率 {lab.brier_true:.4f}")  # lang=zh

# %% [markdown] lang=en
# ## The win-rate lab
#
# Pick a preset from the list (HubSpot's defaults are even more optimistic) or move the
# sliders, one per stage. The numbers show the Brier score and the forecast error at your
# rates; the charts show the forecast against the actual outcome and the calibration of
# your rates. **Fit from history** sets the sliders to the measured rates.

# %% [markdown] lang=zh
# ## 赢率实验室
#
# 从列表里选一个预设（HubSpot 的默认值更乐观），或者拖动滑块，每个阶段一个。上面的数字是按你的
# 赢率算出的布里尔分数和预测误差；图表对比销售预计和实际结果，并显示你的赢率的校准情况。
# **按历史数据拟合**会把滑块设成实测赢率。

# %%
lab

# %% [markdown] lang=en
# ## Exercise: propose new rates for the CRM
#
# Propose the rates you would put into the CRM for this market, in whole percents: set them
# on the lab's sliders above, then press **Check answers** below. Your rates should score
# better than the assumed ones. Then discuss: would you put the measured rates in as they
# are, or round them? Which stages would you watch most closely next quarter, and why?

# %% [markdown] lang=zh
# ## 练习：给 CRM 提一套新的赢率
#
# 为这个市场提一套你会写进 CRM 的赢率（用整数百分比）：在上面实验室的滑块上设好，再点下面的
# **检查答案**。你的赢率应该比原来的假设得分更好。然后讨论：你会直接用实测赢率，还是取整？下个
# 季度你最要盯住哪些阶段？为什么？

# %%
proposal = lesson_exercises.rates_exercise(lab, rates.assumed.tolist())
proposal

# %% trainer
# en: Solution: the measured rates rounded to simple figures (close to the true 6/15/28/45/70 %).
# zh: 参考答案：把实测赢率取成好记的整数（接近真实的 6/15/28/45/70%）。
lab.set_rates(rates.assumed.tolist())
assumed_brier = lab.brier
lab.set_rates({"need": 0.06, "approved": 0.15, "criteria": 0.30, "evaluation": 0.45, "commitment": 0.70})
proposal.answer(1, (3, 4))
assert proposal.check() == 2
assert lab.brier < assumed_brier and lab.brier - lab.brier_empirical < 0.001
assert round(lab.brier, 4) == 0.1116 and round(assumed_brier, 4) == 0.1173

# %% [markdown] trainer lang=en
# *Expected:* rates close to the measured ones (6/15/28/46/70 %) score about 0.1116,
# against 0.1173 for the assumed rates. Rounding to simple figures costs almost nothing,
# and simple figures are easier to explain to the sales team. Watch *Evaluation* and
# *Commitment*: their rates carry the most money and their intervals are the widest.
# Discuss when to change the CRM: only when the assumed rate lies outside the interval
# for more than one quarter.

# %% [markdown] trainer lang=zh
# *预期答案*：接近实测值（6/15/28/46/70%）的赢率，布里尔分数约 0.1116，原来的假设是 0.1173。
# 取成好记的整数几乎没有损失，而且更容易向销售团队解释。要重点盯住“评估比较”和“购买承诺”：这
# 两个阶段的金额最大，区间也最宽。讨论什么时候该改 CRM：只有当假设赢率连续不止一个季度落在
# 区间外时才改。

# %% [markdown] trainer lang=en
# ### Trainer notes (05: 45 minutes, analysts)
#
# - Course slides: *different win rates for different purchase stages*; testing the rates against data is
#   the kit's addition, not the course's.
# - 10 min: assumed, true and measured rates; why the naive count is biased low.
# - 10 min: calibration chart and intervals; how much data is enough.
# - 10 min: the forecast bias and the Brier score; why one quarter's error is a poor judge.
# - 15 min: the lab and the exercise; each analyst presents the rates and the stage to watch.

# %% [markdown] trainer lang=zh
# ### 讲师备注（05：45 分钟，分析人员）
#
# - 对应课程：《不同采购阶段的不同赢率》；用数据检验赢率是本工具增加的内容，不是课程内容。
# - 10 分钟：假设赢率、真实赢率和实测赢率；为什么简单算法会偏低。
# - 10 分钟：校准图和区间；多少数据才够。
# - 10 分钟：销售预计的偏差和布里尔分数；为什么一个季度的误差不能说明问题。
# - 15 分钟：赢率实验室和练习；每位分析人员讲讲自己提的赢率和要重点盯住的阶段。
