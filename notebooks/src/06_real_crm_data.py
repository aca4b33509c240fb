# Source of notebooks/{en,zh,trainer/en,trainer/zh}/06_real_crm_data.ipynb — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # 06 Real CRM data (for analysts)
#
# So far the market was simulated. Analysts come with their own data: an export from
# Salesforce, HubSpot, Pipedrive, Odoo or any CRM as CSV or Excel. This notebook imports a
# **real public export** — Maven Analytics' "CRM Sales Opportunities" (a fictitious
# computer-hardware company, 8,800 opportunities) — and asks the analyst's questions:
#
# 1. Did every row arrive? What was rejected, and why?
# 2. What did the import have to assume, and what does that do to the numbers?
# 3. What are the real stage win rates, and how sure are we?
# 4. Can other columns (product, seller) predict a win? Are those probabilities calibrated?
# 5. What would a small-order threshold save here, and what would it cost?
#
# Your own file goes through the same door: `crm.load("export.csv", source="salesforce")`
# (or `hubspot`, `pipedrive`, `odoo`, `generic` with a column mapping), or on the command
# line `simfunnel import export.csv --source salesforce --out my_dataset`.

# %% [markdown] lang=zh
# # 06 真实的客户管理系统数据（给分析人员）
#
# 前面用的都是模拟市场。分析人员手里是自己的数据：从 Salesforce、HubSpot、Pipedrive、Odoo 或任何
# CRM 导出的 CSV、Excel。这一本导入一份**真实的公开导出数据**——Maven Analytics 的“CRM Sales
# Opportunities”（一家虚构的电脑硬件公司，8,800 个商机），回答分析人员关心的问题：
#
# 1. 每一行都导进来了吗？哪些被拒绝了，为什么？
# 2. 导入时不得不做了哪些假设？这些假设会怎样影响数字？
# 3. 各阶段真实的赢率是多少？有多大把握？
# 4. 其他字段（产品、销售）能不能预测赢单？这些概率准不准（校准）？
# 5. 在这份数据里设一个小单门槛，能省多少工作，又要付出什么代价？
#
# 导入你自己的文件，用的是同样的方法：`crm.load("export.csv", source="salesforce")`（或 `hubspot`、
# `pipedrive`、`odoo`，以及配上字段映射的 `generic`），或者在命令行里运行
# `simfunnel import export.csv --source salesforce --out my_dataset`。

# %%
import pandas as pd

import simfunnel as sf
from simfunnel import crm, plots
from simfunnel.widgets import lesson_exercises

lang = sf.get_language()

# %% [markdown] lang=en
# ## 1. A plain import: nothing is lost silently
#
# First the export as it is, with a column mapping and the product price list for the
# amounts the export lacks. Every row ends either in the history or in the **rejects**,
# each with its file line and reason — and the counts add up.

# %% [markdown] lang=zh
# ## 1. 直接导入：不会悄悄丢掉任何一行
#
# 先按原样导入，配上字段映射，再用产品价目表补上导出里没有的金额。每一行要么进入历史数据，
# 要么进入**拒绝清单**（附文件行号和原因），两边的数目加起来正好等于读到的行数。

# %%
folder = crm.MAVEN_FOLDER  # datasets/maven-crm in the kit
plain = crm.load(
    folder / "sales_pipeline.csv",
    source="generic",
    mapping={"id": "opportunity_id", "stage": "deal_stage", "amount": "close_value",
             "created": "engage_date", "closed": "close_date", "account": "account",
             "owner": "sales_agent", "product": "product"},
    currency="USD",
    prices=folder / "products.csv",
    price_mapping={"key": "product", "price_key": "product", "price": "sales_price",
                   "aliases": {"GTXPro": "GTX Pro"}},
)
print(plain.report(lang))

# %%
plain.rejects[["line", "column", "reason"]].head()  # lang=en
plain.rejects[["line", "column", "reason"]].assign(reason=plain.rejects["reason"].map(crm.reason_zh)).head()  # lang=zh

# %% [markdown] lang=en
# The 500 rejected rows are the **Prospecting** deals: the export gives them no date at all,
# so the importer cannot place them in time and says so instead of guessing.

# %% [markdown] lang=zh
# 被拒绝的 500 行都是 **Prospecting**（初步接触）阶段的商机：导出数据里它们根本没有日期，
# 导入工具无法把它们放到时间线上，于是明确报告出来，而不是自己瞎猜。

# %% [markdown] lang=en
# ## 2. The worked example: every trap handled openly
#
# `crm.maven_example()` imports the same files and decides, in the open, what to do with each
# trap of this export. Read its warnings: each one is an assumption that moves the numbers.

# %% [markdown] lang=zh
# ## 2. 完整示例：这份数据的每个坑，怎么处理都摆在明处
#
# `crm.maven_example()` 导入同样的文件，并且公开说明它如何处理这份数据的每一个陷阱。请逐条
# 读它的警告：每一条都是一个会影响数字的假设。

# %%
result = crm.maven_example(folder)
history = result.history
print(result.report(lang))

# %% [markdown] lang=en
# What the assumptions mean for the numbers:
#
# - **Open and lost amounts are list prices**, won amounts are what was really booked. The
#   forecast of open deals is therefore a list-price forecast: if this company discounts,
#   it is too high.
# - **Lost deals have no amount in the export** (they record 0). With 0 they would all fall
#   below any threshold; the list price puts them back where they were while open.
# - **Prospecting deals are dated at the export's last day**: they are in today's pipeline,
#   but the history cannot say how long they have been there.
# - **The export keeps only the current stage.** Every closed deal has an engage date, so it
#   was at Engaging until it closed — that much history can be rebuilt. Deals lost *before*
#   engaging are not in the export at all.

# %% [markdown] lang=zh
# 这些假设对数字意味着什么：
#
# - **进行中和丢单商机的金额是价目表上的价格**，赢单金额才是实际成交额。所以在途商机的销售预计
#   是按价目表算的：如果这家公司常打折，预计就偏高。
# - **丢单商机在导出里没有金额**（记为 0）。按 0 算，它们在任何门槛下都会落到漏斗外；用价目表
#   价格，才能还原它们还在跟进时的样子。
# - **Prospecting 商机的日期取导出数据的最后一天**：它们在今天的漏斗里，但历史数据说不清它们
#   已经待了多久。
# - **导出数据只保留当前阶段**。每个已关闭的商机都有 engage 日期，说明它在关闭前一直处于
#   Engaging 阶段——这部分历史可以重建。而在进入 Engaging *之前*就丢掉的商机，根本不在导出里。

# %% [markdown] lang=en
# ## 3. Real stage win rates
#
# The win rate at **Engaging** is measured directly: of the deals that left Engaging, the
# share that was won, with a 95 % interval. **Prospecting** cannot be measured: none of its
# deals has closed yet, and deals lost while prospecting were never recorded.

# %% [markdown] lang=zh
# ## 3. 真实的阶段赢率
#
# **Engaging**（跟进中）的赢率可以直接测出来：离开 Engaging 的商机里赢单的比例，附 95% 区间。
# **Prospecting**（初步接触）的赢率测不出来：这个阶段的商机还没有一个关闭，而在初步接触时就丢掉
# 的商机从来没有被记录过。

# %%
overall = sf.overall_win_rate(history)
print(f"Overall won share (won ÷ closed, every deal): {overall.share:.1%} "  # lang=en
      f"(95% interval {overall.low:.1%}–{overall.high:.1%}; {overall.won:.0f} of {overall.closed:.0f})")  # lang=en
print(f"总体赢单比例（赢单 ÷ 已关闭，全部商机）：{overall.share:.1%}"  # lang=zh
      f"（95% 区间 {overall.low:.1%}–{overall.high:.1%}，{overall.won:.0f} / {overall.closed:.0f}）")  # lang=zh
rates = sf.compare_rates(history)
why = "reason" if lang == "en" else "reason_zh"
shown = rates[["en" if lang == "en" else "zh", "empirical", "low", "high", "left", "open", why]].round(3)
shown.astype({"empirical": object}).fillna({"empirical": "—"})

# %%
ax = plots.calibration_chart(sf.empirical_win_rates(history), lang=lang)

# %% [markdown] lang=en
# ## 4. Can other columns predict a win?
#
# Odoo's predictive lead scoring multiplies frequency tables: how often each stage, product
# or seller appears among won and among lost deals (naive Bayes). We learn the tables from
# the deals closed by week 45, score the deals open then, and check the scores against what
# happened: the **Brier score** (lower is better) and the **reliability curve** (predicted
# vs observed share won per bin).

# %% [markdown] lang=zh
# ## 4. 其他字段能预测赢单吗？
#
# Odoo 的预测性线索评分把频率表相乘：每个阶段、产品、销售在赢单和丢单里各出现多少次（朴素贝叶斯）。
# 我们用第 45 周之前关闭的商机学习这些频率表，给当时还在跟进的商机打分，再和后来的实际结果比较：
# 看**布里尔分数**（越低越好）和**可靠性曲线**（每一档预测概率对应的实际赢单比例）。

# %%
as_of = 45
deals = history.deals.set_index("deal_id")


def brier_with(columns):
    """Learn naive Bayes on deals closed by `as_of`, score those open then that closed later."""
    p = sf.naive_bayes_probability(history, columns=columns, as_of_week=as_of)
    closed = deals.loc[p.index, "status"].astype(str) != "open"
    won = (deals.loc[p.index[closed], "status"].astype(str) == "won").astype(int)
    return sf.calibration(p[closed], won, bins=5)


stage_only = brier_with(("stage",))
with_product = brier_with(("stage", "product"))
print(f"Brier, stage only:      {stage_only.brier:.4f}  ({stage_only.n} deals)")  # lang=en
print(f"Brier, stage + product: {with_product.brier:.4f}")  # lang=en
print(f"Always guessing the average ({stage_only.base_rate:.1%}): {stage_only.uncertainty:.4f}; "  # lang=en
      f"skill of the stage-only score: {stage_only.skill:+.1%}")  # lang=en
print(f"布里尔分数（只用阶段）：{stage_only.brier:.4f}（{stage_only.n} 个商机）")  # lang=zh
print(f"布里尔分数（阶段 + 产品）：{with_product.brier:.4f}")  # lang=zh
print(f"一律猜平均赢单比例（{stage_only.base_rate:.1%}）：{stage_only.uncertainty:.4f}；"  # lang=zh
      f"只用阶段的评分比它好 {stage_only.skill:+.1%}（技巧分）")  # lang=zh
with_product.table[["bin", "mean_predicted", "observed", "count"]].dropna().round(3)

# %% [markdown] lang=en
# ### Exercise: which column carries signal?
#
# Tick other columns to add to the stage — the seller, the product, or both — and press the
# button: does any of them lower the Brier score clearly? Answer below, then
# say what you would tell the sales director about predicting wins from them.

# %% [markdown] lang=zh
# ### 练习：哪个字段有预测力？
#
# 勾选字段和阶段一起用——销售、产品，或者两个都选——再点按钮：有没有哪一个能明显降低布里尔
# 分数？在下面作答，再说说关于用这些字段预测赢单，你会怎么跟销售总监说。

# %%
columns = lesson_exercises.SCORE_COLUMNS  # the seller and the product
trial = lesson_exercises.ColumnTrial(brier_with, columns, stage_only.brier)
trial

# %%
signal = lesson_exercises.column_question(columns)
signal

# %% trainer
for keys in (("owner",), ("product",), ("owner", "product")):
    trial.pick(*keys)
    assert abs(trial.run() - stage_only.brier) < 0.01  # no column moves it by more than a hundredth
signal.solve()
assert signal.check() == 1

# %% [markdown] trainer lang=en
# *Expected answer:* none of the columns lowers the Brier score by more than about 0.001:
# around 0.214 whatever is added. In this export, who sells and what is sold say almost
# nothing about winning once the stage is known — the probabilities barely leave 60–70 %.
# Tell the director: the stage (a customer action) is the signal; a scoring model built on
# product or seller would look precise and add nothing. Ask the group why a real company's
# data might differ (discount policy, product fit by sector).

# %% [markdown] trainer lang=zh
# *预期答案*：不管加哪个字段，布里尔分数的降低都不超过 0.001 左右，始终在 0.214 附近。在这份数据里，
# 一旦知道了阶段，谁来卖、卖什么几乎不再提供赢单的信息——预测概率基本都在 60%–70% 之间。可以对
# 销售总监说：阶段（客户的行动）才是信号；基于产品或销售人员的评分模型看起来很精确，其实没有增加
# 信息。可以请大家讨论：真实公司的数据为什么可能不一样（折扣政策、产品与行业的匹配）。

# %% [markdown] lang=en
# ## 5. A small-order threshold on real data
#
# Amounts here are in US dollars and much smaller than in the workshop market (the products
# cost $55 to $26,768). The trade-off is the same: records entered against the forecast error,
# with and without the run rate of out-of-funnel sales.

# %% [markdown] lang=zh
# ## 5. 在真实数据上设小单门槛
#
# 这里的金额是美元，比工作坊市场小得多（产品价格从 55 美元到 26,768 美元）。权衡的道理一样：
# 录入记录数和销售预计误差之间的取舍，比较加不加漏斗外周均两种情况。

# %%
trade_off = sf.threshold_sweep(history, [0, 500, 1_000, 2_000, 5_000], quota=history.quota)
trade_off[["threshold", "records_entered", "share_outside", "mean_abs_error",
           "mean_abs_error_without_run_rate"]].round(3)

# %%
ax = plots.tradeoff_chart(trade_off, current=1_000, currency=history.currency, lang=lang)

# %% [markdown] lang=en
# ## 6. A weekly backtest, with the measured rates
#
# A backtest replays the forecast of each week against what those deals then did. It needs honest
# weekly snapshots: each deal open from its creation until it closed. The worked example can
# give them because every closed deal has its engage and close dates (its closing is an event).
# An export **without** its stage history cannot: its closed deals would look closed from the
# day they were created, so `sf.backtest` refuses such a history and says why. Here the forecast
# uses the win rates measured above (`rates="measured"` does the same in `sf.indicators` and
# `sf.montecarlo`).

# %% [markdown] lang=zh
# ## 6. 用实测赢率做逐周回测
#
# 回测把每一周的销售预计，和这些商机后来的实际结果对比。它需要真实的逐周快照：每个商机从创建到
# 关闭之前都在途。完整示例能做到，因为每个已关闭的商机都有 engage 日期和关闭日期（关闭是一个事件）。
# **没有**阶段历史的导出做不到：已关闭的商机会从创建那天起就显示为已关闭，所以 `sf.backtest` 会拒绝
# 这样的历史，并说明原因。这里的销售预计用的是上面实测的赢率（`sf.indicators` 和 `sf.montecarlo`
# 里的 `rates="measured"` 也是一样）。

# %%
from simfunnel.analysis.winrates import measured_history

measured, not_measured = measured_history(history)
bt = sf.backtest(measured, trials=0)
bt.loc[["overall"], ["scored_forecast", "actual", "wape", "bias"]].round({"scored_forecast": 0, "actual": 0, "wape": 3,
                                                                            "bias": 3}).astype({"scored_forecast": "int64",
                                                                                                "actual": "int64"})

# %% [markdown] trainer lang=en
# ### Trainer notes (06: 45 minutes, analysts)
#
# - Course slides: *the three indicators of opportunity management* (the threshold); real CRM data is the
#   kit's addition, not the course's.
# - 10 min: the plain import and its rejects. Point out that the importer refused to guess
#   dates: an analyst must decide, and write the decision down.
# - 10 min: the worked example's warnings, one by one: which number would each change?
# - 10 min: win rates. Only one stage can be measured; that is a finding about the CRM, not a
#   failure of the analysis (record stage changes with dates!).
# - 10 min: naive Bayes and the exercise.
# - 5 min: the threshold on real data: $1,000 saves about 40 % of the records for a few
#   points of error, and the run rate is what keeps it that small.
# - 5 min: the backtest with measured rates; ask why an export without its stage history
#   cannot give one (its closed deals look closed from creation).

# %% [markdown] trainer lang=zh
# ### 讲师备注（06：45 分钟，分析人员）
#
# - 对应课程：《销售机会管理的三个指标》（门槛）；真实的客户管理系统数据是本工具增加的内容，不是课程内容。
# - 10 分钟：直接导入和拒绝清单。强调导入工具拒绝猜日期：分析人员必须自己做决定，并把决定写下来。
# - 10 分钟：逐条读完整示例的警告：每一条会改变哪个数字？
# - 10 分钟：赢率。只能测出一个阶段的赢率；这是关于这个 CRM 的发现，不是分析失败（记录阶段变化
#   时一定要带日期！）。
# - 10 分钟：朴素贝叶斯和练习。
# - 5 分钟：真实数据上的门槛：1,000 美元的门槛能省下大约 40% 的录入记录，误差只多几个百分点，
#   而让误差保持这么小的，正是漏斗外周均。
# - 5 分钟：用实测赢率的回测；问大家：为什么没有阶段历史的导出做不了回测（已关闭的商机从创建起就显示为
#   已关闭）。

# %% trainer
assert result.summary["rows_read"] == 8_800 == len(history.deals)
assert len(plain.rejects) == 500 and plain.rejects.reason.str.startswith("missing created date").all()
assert round(rates.loc["engaging", "empirical"], 3) == 0.632
assert 0.35 < 1 - trade_off.records_entered[2] / trade_off.records_entered[0] < 0.45
assert not_measured == ["prospecting"] and bt.loc["overall", "actual"] > 0
