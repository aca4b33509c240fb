# Source of notebooks/{en,zh,trainer/en,trainer/zh}/00_start_here.ipynb — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # Start here: the sales funnel workshop
#
# This kit lets you practise managing a key-account sales funnel on a simulated market:
# 200 customer accounts and about 1,800 opportunities over one year. You will judge what
# customers really mean, move deals forward, decide which small orders stay out of the
# funnel, and watch the forecast react.
#
# You do not need to program. You read, click, and now and then change a number.

# %% [markdown] lang=zh
# # 从这里开始：销售漏斗管理工作坊
#
# 这套工具让你在一个模拟市场里练习大客户的销售漏斗管理：200 家客户，一年里大约
# 1,800 个销售机会。你要判断客户的话到底是推进还是延续，推动商机往前走，决定哪些小单
# 不进漏斗，并亲眼看到销售预计随之变化。
#
# 不需要会编程：读一读、点一点，偶尔改一个数字就行。

# %% [markdown] lab lang=en
# ## How to use a notebook (two minutes)
#
# - A notebook is a page of **cells**. Text cells like this one explain; grey cells hold
#   code that draws a chart or a table.
# - To run a cell, click in it and press **Shift + Enter**. Its result appears below it and
#   the next cell is selected, so you can keep pressing Shift + Enter to walk through.
# - To run everything at once: menu **Run → Run All Cells**.
# - `[*]` to the left of a cell means it is still running; a number such as `[3]` means it
#   has run.
# - Stuck, or want a fresh start? **Kernel → Restart Kernel and Run All Cells**. Nothing
#   you do here can break the kit.
# - Change code only where a comment asks you to, usually a single number.

# %% [markdown] lab lang=zh
# ## 笔记本怎么用（两分钟）
#
# - 笔记本由一个个**单元格**组成。像这样的文字单元格负责讲解；灰色的代码单元格负责画图、出表。
# - 运行一个单元格：点一下它，按 **Shift + Enter**。结果显示在它下面，同时自动选中下一个
#   单元格——一路按 Shift + Enter，就能从头走到尾。
# - 一次全部运行：点菜单**运行 → 运行所有单元格**（用 `make lab LANG=zh` 打开的中文界面；英文界面是 Run → Run All Cells）。
# - 单元格左边显示 `[*]`，说明还在运行；显示数字（比如 `[3]`），说明已经运行完了。
# - 卡住了，或者想从头再来：**内核 → 重启并运行所有单元格**。
#   在这里怎么操作都不会把工具弄坏。
# - 只在注释请你改的地方改代码，通常只是一个数字。

# %% [markdown] lab lang=en
# Run the next cell now (click in it, Shift + Enter). It loads the kit and the workshop
# market. The line `sf.set_language(...)` sets the language of every chart and panel.

# %% [markdown] lab lang=zh
# 现在运行下面这个单元格（点一下，按 Shift + Enter）。它会加载工具和工作坊的模拟市场。
# `sf.set_language(...)` 这一行决定所有图表和面板显示的语言。

# %% [markdown] app lang=en
# ## How to use these pages
#
# Each lesson is one page: read from the top, and use the charts and panels as you reach
# them. Exercises are answered right in the page: press a button, tick a box or type a number,
# then press **Check answers** under the exercise. Nothing you do here can break the kit;
# reload the page to start a lesson again.

# %% [markdown] app lang=zh
# ## 这些页面怎么用
#
# 每一课是一页：从上往下读，读到图表和面板时动手试一试。练习直接在页面里作答：点按钮、勾选，
# 或者输入一个数，再点练习下面的**检查答案**。在这里怎么操作都不会把工具弄坏；想从头再来，
# 刷新页面就行。

# %%
import simfunnel as sf
from simfunnel import plots
from simfunnel.widgets.chart_picker import ChartPicker

# en: The workshop market: the same accounts and deals as the dataset datasets/workshop.
# zh: 工作坊的模拟市场：和数据集 datasets/workshop 里的客户、商机完全一样。
world = sf.generate(seed=2026)
history = sf.Simulation(world, seed=2026).run()

# %% [markdown] lang=en
# ## What is a sales funnel?
#
# Every opportunity sits at a **stage** of the customer's purchase process: the customer
# has found a need, approved a project internally, set the buying criteria, is evaluating
# suppliers, or is ready to commit. The further a deal has come, the more likely we win it,
# so each stage has its own **win rate**.
#
# The chart shows the market at the end of week 13, the start of the quarter we study.
# Each bar is a stage; its width is the money of the open deals at that stage, and the dark
# inner bar is the weighted amount (amount × win rate).

# %% [markdown] lang=zh
# ## 什么是销售漏斗？
#
# 每个商机都处在客户采购流程的某个**阶段**：客户发现了需求、内部立了项、定下了采购标准、
# 正在评估比较供应商，或者已经准备做出购买承诺。商机走得越远，我们赢单的把握越大，
# 所以每个阶段都有自己的**阶段赢率**。
#
# 下图是第 13 周末的市场，也就是我们要研究的这个季度开始的时候。每一条是一个阶段，
# 宽度是这个阶段在途商机的金额，中间深色的部分是加权金额（金额 × 赢率）。

# %%
plots.funnel_chart(history, week=13);

# %% [markdown] trainer lang=en
# **Ask the room:** which stage holds the most money, and which holds the most forecast?
#
# *Expected answer:* *Need identified* holds by far the most money (about ¥8.6M of ¥16.4M),
# but at 10 % it is worth only about ¥0.86M of forecast; *Criteria set* holds less than half
# as much money (¥4.0M) and the most forecast (¥1.6M). A funnel full of early deals looks
# rich and is not.

# %% [markdown] trainer lang=zh
# **请大家回答**：哪个阶段的金额最多？哪个阶段贡献的销售预计最多？
#
# *预期答案：* “发现需求”阶段金额最多（约 859 万，总共约 1,638 万），但赢率只有 10%，
# 只贡献约 86 万的销售预计；“确定标准”阶段的金额还不到它的一半（约 402 万），贡献的销售预计
# 却最多（约 161 万）。前端商机堆得再满，漏斗也不一定“值钱”。

# %% trainer
open_now = history.snapshots.query("week == 13 and status == 'open'")
by_stage = open_now.assign(forecast=open_now.amount * history.win_probability(open_now))
by_stage = by_stage.groupby("stage", observed=True)[["amount", "forecast"]].sum()
assert by_stage.amount.idxmax() == "need" and by_stage.forecast.idxmax() == "criteria"
# en: The figures quoted above, rounded as quoted (¥ in units of ¥10,000).
# zh: 上面引用的数字，按引用的精度取整（单位：万元）。
assert round(by_stage.amount.sum() / 1e4) == 1_638 and round(by_stage.amount["need"] / 1e4) == 859
assert round(by_stage.forecast["need"] / 1e4) == 86 and round(by_stage.amount["criteria"] / 1e4) == 402
assert round(by_stage.forecast["criteria"] / 1e4) == 161
by_stage

# %% [markdown] lang=en
# ## The three indicators of opportunity management
#
# Managing a funnel comes down to three numbers, watched week after week:
#
# 1. **Forecast**: what the funnel is worth today, the sum of amount × win rate
#    over the open deals.
# 2. **Progress**: how much *forecast + booked* grew this week, as a share of the
#    quota. A quarter has 13 weeks, so to make quota you need about 1/13 of it every week:
#    that is the **benchmark**.
# 3. **Out-of-funnel sales**: small orders we do not track deal by deal.
#    They count as soon as they are booked; notebook 03 shows how to forecast them.
#
# The first chart follows forecast and booked through the quarter, against the quota (the
# dashed line); the second shows each week's progress against the benchmark (green: at or
# above it, red: below).

# %% [markdown] lang=zh
# ## 销售机会管理的三个指标
#
# 管好漏斗，归根到底就是每周盯住三个数：
#
# 1. **销售预计**：漏斗今天值多少钱，即所有在途商机“金额 × 阶段赢率”的总和。
# 2. **销售进展**：这一周“销售预计 + 已成交”增加了多少，占销售任务的比例。一个季度 13 周，
#    要完成任务，平均每周要前进任务的 1/13 左右——这就是**基准进度**。
# 3. **漏斗外销售额**：金额小、不逐个放进漏斗跟踪的小单。它们一成交就算业绩；
#    第 03 本笔记讲怎么预计这部分。
#
# 第一张图是整个季度里销售预计和已成交的走势，虚线是销售任务；第二张图是每周的销售进展
# 和基准进度的对比（绿色：达到基准，红色：低于基准）。

# %%
table = sf.indicators(history, quota=world.quota)
plots.indicator_chart(table, quota=world.quota);

# %%
plots.progress_chart(table);

# %% [markdown] lang=en
# ## Try it
#
# Drag the week slider under this text. Watch new deals enter at the top and deals leave as
# they are won or lost.

# %% [markdown] lang=zh
# ## 动手试试
#
# 拖动下面的“周”滑块。看看新商机怎么从漏斗口进来，老商机又怎么因为赢单或丢单离开漏斗。

# %%
ChartPicker(lambda ax, week, lang: plots.funnel_chart(history, week=week, ax=ax, lang=lang),
            weeks=(0, 52), value=20, label=sf.i18n.LABELS["week"])

# %% [markdown] lang=en
# ## Where to click in the panels
#
# From lesson 02 on, some parts of a lesson show an interactive **panel** instead of a chart: click a
# deal card to select it, pick an action from the list, press a button such as **Next
# week**, or drag a slider. The panel updates at once.

# %% [markdown] lang=zh
# ## 面板上点哪里
#
# 从第 02 本开始，有些地方显示的不是图，而是一个可以操作的**面板**：点一张商机卡片选中它，
# 从列表里选一个行动，按“下一周”之类的按钮，或者拖动滑块。面板会立刻更新。

# %% [markdown] lab lang=en
# You do not need to re-run a panel's cell. If a panel shows only text such as `VBox(...)`,
# re-run the cell, or restart and run all.

# %% [markdown] lab lang=zh
# 面板不用重新运行单元格。如果面板只显示一行 `VBox(...)` 之类的文字，重新运行这个单元格，
# 或者重启并运行全部。

# %% [markdown] lang=en
# ## The course
#
# | notebook | what you do | time |
# |---|---|---|
# | [01 Stages and win rates](01_stages_and_win_rates.ipynb) | tie stages to the customer's purchase process; forecast three deals by hand | 30 min |
# | [02 Moving deals](02_moving_deals.ipynb) | judge customer replies (advance or continuation?) and play four weeks | 45 min |
# | [03 The small-order threshold](03_small_order_threshold.ipynb) | decide which deals stay out of the funnel, and what that costs | 40 min |
# | [04 Forecast and progress](04_forecast_and_progress.ipynb) | read the three indicators week by week; the likely range and the chance to make quota | 30 min |
# | [05 Testing win-rate assumptions](05_testing_win_rate_assumptions.ipynb) | for analysts: are our stage win rates right, and what if not? | 45 min |
# | [09 Relationships and trust](09_relationships_and_trust.ipynb) | the four steps of relationship selling, winning a coach, needs and wants, the five purchase factors, collective decisions in state-owned customers, collecting payment | 60 min |

# %% [markdown] lang=zh
# ## 课程安排
#
# | 笔记本 | 你要做什么 | 时间 |
# |---|---|---|
# | [01 销售阶段与阶段赢率](01_stages_and_win_rates.ipynb) | 把销售阶段和客户的采购流程对应起来；手算三个商机的销售预计 | 30 分钟 |
# | [02 推动商机](02_moving_deals.ipynb) | 判断客户的回复是推进还是延续，亲手推动四周 | 45 分钟 |
# | [03 小单门槛](03_small_order_threshold.ipynb) | 决定哪些小单不进漏斗，算清这样做的得失 | 40 分钟 |
# | [04 销售预计与销售进展](04_forecast_and_progress.ipynb) | 逐周看三个指标；预计的可能区间和完成任务的概率 | 30 分钟 |
# | [05 检验赢率假设](05_testing_win_rate_assumptions.ipynb) | 给分析人员：我们的阶段赢率对不对？不对会怎样？ | 45 分钟 |
# | [09 关系与信赖](09_relationships_and_trust.ipynb) | 关系营销4步骤、让向导愿意帮你、需要与想要、采购5要素、三重一大、回收账款 | 60 分钟 |

# %% [markdown] trainer lang=en
# ### Trainer notes (00: 15 minutes)
#
# - **Before the session:** run `make lab` on the projector machine. Open the trainer copy
#   (`notebooks/trainer/zh/` or `trainer/en/`) for yourself; trainees open `notebooks/zh/`
#   or `notebooks/en/`. Zoom the browser (Ctrl +) so the back row can read the charts.
# - **Demonstrate** Shift + Enter on the first two cells, then *Run All*. Ask everybody to
#   run all cells and raise a hand when the charts appear. Anyone who sees empty boxes
#   instead of Chinese has a machine without the font: `make lab` installs it.
# - **Ask:** "The forecast is above the quota at the start of the quarter. Can we relax?"
#   *Expected:* no — the forecast is a weighted guess over deals that close over several
#   months; what matters is whether it keeps growing by about 1/13 of the quota a week
#   (the progress chart). That question leads into notebooks 01 and 04.
# - **Timing of the day:** 00 15 min · 01 30 min · 02 45 min · break · 03 40 min ·
#   04 30 min · 05 (analysts, optional) 45 min · 09 60 min.
# - Course slides: *the sales funnel* and *the three indicators of opportunity management*
#   (forecast, progress, out-of-funnel sales).

# %% [markdown] trainer lang=zh
# ### 讲师备注（00：15 分钟）
#
# - **课前**：在投影电脑上运行 `make lab`。讲师自己打开讲师版（`notebooks/trainer/zh/`
#   或 `trainer/en/`），学员打开 `notebooks/zh/` 或 `notebooks/en/`。把浏览器放大（Ctrl +），
#   保证后排也看得清图。
# - **演示**：先在前两个单元格上演示 Shift + Enter，再演示“运行全部”。请所有人运行全部
#   单元格，看到图的举手。如果有人看到的是方框而不是中文，说明那台电脑缺中文字体：
#   用 `make lab` 启动会自动装好。
# - **提问：** “季度一开始，销售预计就超过了销售任务，我们可以松口气了吗？”
#   *预期答案*：不能。销售预计是对未来几个月才成交的商机的加权估计；关键是它能不能每周
#   稳定增加任务的 1/13 左右（看销售进展图）。这个问题正好引出第 01 和第 04 本。
# - **全天时间安排**：00 15 分钟 · 01 30 分钟 · 02 45 分钟 · 休息 · 03 40 分钟 ·
#   04 30 分钟 · 05（分析人员，选学）45 分钟 · 09 60 分钟。
# - 对应课程：销售漏斗；销售机会管理的三个指标（销售预计、销售进展、漏斗外销售额）。
