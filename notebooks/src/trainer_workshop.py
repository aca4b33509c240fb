# Source of notebooks/trainer/{en,zh}/workshop.ipynb (trainer only) — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # Workshop console
#
# Run this notebook on your own machine while the teams play. It reads and drives the
# workshop store, the one file where every team's moves are committed, so what you see is
# exactly what the teams have done.
#
# **Before the session** (two commands, in the repository folder):
#
# ```
# simfunnel workshop init --dir W --teams 6 --seed 2026 --same-world --weeks-per-round 3 --pace fast
# make app WORKSHOP=W PORT=8866
# ```
#
# Then print the team cards — one per team, with its **join code** and a QR code of the app's
# address: `simfunnel workshop codes --dir W --cards cards.html --url http://ADDRESS:8866/ --lang zh`
# (`--names Red,Blue,…` at `init`, or `simfunnel workshop name --dir W team1 Red`, names the
# teams; by default they are Team 1, Team 2 …). Hand each team its card: trainees type the
# code and their own name, nobody picks a team from a list. A name reconnects from the same
# browser only; a trainee on a new laptop needs `simfunnel workshop allow --dir W team1 "Li Lei"`;
# a code that got out of the room is replaced with **New code** below (or `codes --regenerate team1`).
# Each trainee then plans moves on the team's board and presses **Submit the round**. You open and close the
# rounds here (or with `simfunnel workshop round open --timer 8` and `… round close`). With
# `--same-world` every team plays the same market with the same luck, so the differences on
# the leaderboard come from the teams' decisions alone; with `--pace fast` deals move fast
# enough for the teams' moves to show in revenue within the quarter, not only in the forecast.

# %% [markdown] lang=zh
# # 工作坊控制台
#
# 各组练习时，在讲师自己的电脑上运行这一本。它读取并控制工作坊数据库，也就是保存每个组每一步行动的
# 那个文件，所以这里看到的，正是各组实际做过的。
#
# **开课前**（在项目文件夹里运行两条命令）：
#
# ```
# simfunnel workshop init --dir W --teams 6 --seed 2026 --same-world --weeks-per-round 3 --pace fast
# make app WORKSHOP=W PORT=8866
# ```
#
# 然后打印小组卡片：每个小组一张，上面有本组的**加入码**和网址的二维码：
# `simfunnel workshop codes --dir W --cards cards.html --url http://网址:8866/ --lang zh`
# （`init` 时加 `--names 华东组,华南组,…`，或运行 `simfunnel workshop name --dir W team1 华东组`，可以给小组起
# 名字；默认叫第 1 组、第 2 组……）。把卡片发给各组：学员输入加入码和自己的名字，不用从列表里选小组。
# 同一个名字只能从原来的浏览器重新进入；学员换了电脑，运行 `simfunnel workshop allow --dir W team1 李雷`；
# 加入码外泄了，在下面点**换新码**（或 `codes --regenerate team1`）。之后每个学员在本组看板上安排行动，
# 点**提交本回合决策**。回合由你在这里开始和结束（也可以用命令 `simfunnel workshop round open --timer 8` 和
# `… round close`）。使用 `--same-world` 时，各组面对同一个市场、同样的运气，排行榜上的差别就只
# 来自各组的决策。

# %% [markdown] lang=en
# Set `SIMFUNNEL_WORKSHOP` to your workshop folder before starting Jupyter (`make app`
# does it for the app). Without it, this notebook makes a **rehearsal workshop**: four
# stand-in teams play a practice round and three scored rounds below, so you can try every
# button before the session.

# %% [markdown] lang=zh
# 启动 Jupyter 之前，把环境变量 `SIMFUNNEL_WORKSHOP` 设为工作坊文件夹（`make app` 会为网页应用
# 设好）。没有设置时，这一本会建一个**彩排用的工作坊**：四个模拟组在下面练一个练习回合和三个计分回合，
# 开课前可以把每个按钮都试一遍。

# %%
import os
import tempfile

import simfunnel as sf
from simfunnel.workshop.demo import play_demo_test
from simfunnel.workshop.store import WorkshopStore, play_demo_round
from simfunnel.widgets import DebriefPanel, RepliesPanel, RoundControl, WorkshopLeaderboard
from simfunnel.widgets.knowledge_test import TestControl

folder = os.environ.get("SIMFUNNEL_WORKSHOP")
if folder:
    store = WorkshopStore.open(folder)
else:
    store = WorkshopStore.init(tempfile.mkdtemp(prefix="simfunnel-rehearsal-"), teams=["red", "blue", "green", "gold"],
                               seed=2026, same_world=True, weeks_per_round=3, pace="fast")
    print(f"Rehearsal workshop in {store.path.parent}: four stand-in teams, rounds of 3 weeks.")  # lang=en
    print(f"彩排用的工作坊：{store.path.parent}，四个模拟组，每回合 3 周。")  # lang=zh

# %% [markdown] trainer lang=en
# **Timing.** Open this console before the teams start (2 min: check that every team
# shows up below). A practice round of 10 min so everybody learns the buttons; then each
# scored round 8–10 min with the timer, and 5 min between rounds on the leaderboard and the
# replies that fooled the room; 15 min for the final debrief.

# %% [markdown] trainer lang=zh
# **时间安排**：各组开始前先打开控制台（2 分钟：确认每个组都出现在下表中）。先用 10 分钟的练习
# 回合让大家熟悉按钮；之后每个计分回合限时 8–10 分钟，两轮之间用 5 分钟看排行榜和最容易判断错的
# 回复；最后的复盘留 15 分钟。

# %% [markdown] lang=en
# ## Running the rounds
#
# - **Open practice round**: the teams play a round that will not count; **Reset practice**
#   then takes every team back, with no trace in the scores.
# - **Open next round** with a timer (minutes; 0 = none). The table shows live which teams
#   have submitted. When the timer runs out, or when you press **Close and play the round**,
#   the round is played for every team at once; a team that submitted nothing gets the
#   default decision (no action: continuation), recorded as such.
# - **Market events**: between rounds, add an event from the catalogue for every team or
#   one. Trainees do not see it until the round it falls in opens.
# - **Score weights**: the leaderboard ranks by their weighted score.

# %% [markdown] lang=zh
# ## 控制回合
#
# - **开始练习回合**：各组先练一个不计分的回合；之后点**重置练习回合**，各组回到起点，分数里不留
#   任何痕迹。
# - **开始下一回合**，可以计时（分钟，0 为不计时）。表格实时显示哪些组已经提交。时间到，或者你点
#   **结束并处理本回合**，本回合就为所有组同时执行；没有提交的组按默认决策处理（不行动：延续），并
#   记录在案。
# - **市场事件**：两轮之间，从事件目录里为所有组或某一个组加入事件。学员要等事件所在的回合开始才
#   看得到。
# - **计分权重**：排行榜按加权得分排名。

# %% [markdown] lang=en
# ## The pre/post test
#
# At the start, press **Open the pre-test**: every trainee's page shows ten questions on the
# course's ideas above the board (their score only, no answers). Close it when the room is done
# (5 min). At the end, **Open the post-test**: the same ten questions, with the answers. The table
# shows each team's and the room's scores and gain, and the questions most often missed; the
# handout has them too.

# %% [markdown] lang=zh
# ## 课前 / 课后测验
#
# 开始时点**开始课前测验**：每位学员的页面在看板上方出现十道关于课程要点的题（交卷后只显示得分，不显示
# 答案）。大家做完后点**结束测验**（约 5 分钟）。最后点**开始课后测验**：同样的十道题，交卷后显示答案。
# 下表是各组和全场的得分、进步，以及答错最多的题；讲义里也有。

# %%
tests = TestControl(store)
tests

# %%
control = RoundControl(store)
control

# %% [markdown] lang=en
# In the rehearsal, the next cell plays the whole workshop with the stand-in teams, through
# the same calls as the buttons: the pre-test, the practice round and its reset, then three
# rounds with a timer, a competitor's price cut added before round 2, team gold late in
# round 2, and the post-test. In a real workshop it does nothing.

# %% [markdown] lang=zh
# 彩排时，下一个单元格用模拟组把整个工作坊走一遍，调用的和按钮是同样的功能：课前测验，练习回合及其重置，
# 然后是三个限时回合，第 2 回合之前加入“竞争对手降价”，第 2 回合 gold 组迟交，最后是课后测验。正式工作坊时
# 它什么也不做。

# %%
if not folder:
    store.open_test("pre")
    play_demo_test(store, "pre", seed=1)
    store.open_test(None)
    control.open_round(practice=True)
    play_demo_round(store, seed=1)
    control.close_round()
    control.reset_practice()
    for number in (1, 2, 3):
        if number == 2:
            control.add_event("price_cut")
        control.open_round(timer_minutes=8)
        play_demo_round(store, seed=number, late=["gold"] if number == 2 else [])
        control.close_round()
    control.auto.value = False
    store.open_test("post")
    play_demo_test(store, "post", seed=1)
    store.open_test(None)
    tests.refresh()
for r in store.rounds().itertuples():
    name = "practice round" if r.kind == "practice" else f"round {r.number}"  # lang=en
    name = "练习回合" if r.kind == "practice" else f"第 {r.number} 回合"  # lang=zh
    print(f"{name}: weeks {r.first_week}–{r.last_week}, {r.status}")  # lang=en
    print(f"{name}：第 {r.first_week}–{r.last_week} 周，{ {'reset': '已重置', 'closed': '已结束', 'open': '进行中'}[r.status] }")  # lang=zh

# %% [markdown] lang=en
# ## The leaderboard
#
# Press **Refresh** while the teams play, or tick **Auto-refresh**. The **score** (0–100)
# is the weighted mean of five parts, each turned into 0–1 points on a fixed scale — never
# against the other teams, so a team's points do not depend on who else plays; the weights
# are shown above the table and the formula, a line per part, below it. Rank by any column:
#
# - **Booked**: revenue booked in the weeks played, its share of the quota, and its share of
#   the quota of the weeks played ("to date"): on pace earns 2/3 of the part, 150% all of it.
# - **Forecast accuracy**: how close each week's forecast came to what the deals then
#   brought (100% = spot on); already 0–1.
# - **Progress / benchmark**: the team's mean weekly progress over the pace the quota needs
#   (1 = on pace: 2/3 of the part; 1.5 or more: all of it; below 0: nothing).
# - **Records entered**: the data-entry work done, next to what the same deals would need
#   with no threshold; the part is the share the threshold saves (fewer is better).
# - **Quiz score**: the share of the answered customer replies classified right, and how
#   many were left unanswered. The part counts correct answers against moves made: an
#   unanswered reply earns nothing, and a team that made no move gets 0 for it.
#
# **Export** writes the moves and the leaderboard to `exports/` in the workshop folder,
# as Excel or CSV, and offers a download link.

# %% [markdown] lang=zh
# ## 排行榜
#
# 练习过程中点**刷新**，或勾选**自动刷新**。**得分**（0–100）是五个分项的加权平均，每个分项按固定
# 标准折成 0–1，不和其他组比，所以一个组的得分与别的组无关；权重显示在表格上方，算法（每个分项一行）
# 写在表格下方。也可以按任何一列排名：
#
# - **已成交**：已练各周的成交额、占任务的比例，以及占已练各周任务的比例（“按进度”）：正好按进度
#   得这一项 2/3 的分，达到 150% 得满分。
# - **预测准确度**：每周的销售预计与这些商机后来实际带来的金额有多接近（100% 为完全准确），本身就是 0–1。
# - **进展 / 基准**：该组平均每周的销售进展，除以完成任务所需的进度（1 表示正好跟上，得这一项 2/3
#   的分；1.5 及以上得满分；低于 0 不得分）。
# - **录入记录数**：做了多少录入工作，旁边是不设门槛时同样的商机要录入的记录数；这一项的分是门槛省下
#   的比例（越少越好）。
# - **答题得分**：已答的客户回复中判断对的比例，以及还有几题未答。这一项按答对的题数除以行动数计分：
#   没答的题不得分，一个行动也没有的组这一项为 0。
#
# **导出**把所有行动和排行榜写进工作坊文件夹下的 `exports/`，格式为 Excel 或 CSV，并给出下载链接。

# %%
leaderboard = WorkshopLeaderboard(store)
leaderboard

# %% [markdown] lang=en
# ## Which replies fool the room
#
# For each true outcome, how the teams classified the customer's reply. The diagonal is
# right. Look at the continuation row: pleasant words taken for an advance are the
# course's central mistake. Ask a team that made it to read the reply aloud, then ask
# what the customer actually did. Press **Refresh** (or tick **Auto-refresh**) while the
# teams play: the table reads the store again.

# %% [markdown] lang=zh
# ## 哪些回复最容易判断错
#
# 按真实结果统计，各组把客户回复判断成了什么。对角线上是判断对的。重点看“延续”那一行：把好听的
# 话当成推进，是这门课最要纠正的错误。请犯过这个错的组把那条回复读出来，再问大家：客户实际做了
# 什么？各组练习时点**刷新**（或勾选**自动刷新**），表格会重新读取最新的判断。

# %%
replies = RepliesPanel(store)
replies

# %% [markdown] lang=en
# ## Debrief
#
# Pick a team to see its **timeline**: every decision, its outcome, how the team read the
# customer's reply, the market events that hit it, the rounds it let pass. The charts show
# the three indicators round by round across teams.
#
# **What if?** Take a team at a round, change one decision (or the threshold) and press
# **Replay**: the play is replayed with the same random draws, so the difference you see is
# caused by the change alone, and a replay with no change gives the original to the cent.
# Then write the **handout**: an HTML page in Chinese or English with the charts, tables,
# timelines and your what-if branches, to print to PDF or send.

# %% [markdown] lang=zh
# ## 复盘
#
# 选一个组，看它的**时间线**：每一个决策、它的结果、该组如何判断客户的回复、遇到的市场事件、
# 哪一回合没有提交。图表按回合对比各组的三个指标。
#
# **如果当时……**：选一个组和一个回合，改一个决策（或门槛），点**重放**：用同样的随机数重放，
# 看到的差别只来自这个改动；什么都不改的重放，结果分毫不差。最后生成**讲义**：一份中文或英文的
# 网页，包括图表、表格、各组时间线和你做过的重放，可以打印成 PDF 或直接发给学员。

# %%
panel = DebriefPanel(store)
panel

# %% [markdown] trainer lang=en
# A what-if from code: the best-placed team that moved in round 2, had it not made its first
# move of that round. The same call as the form above; the branch is kept for the handout.

# %% [markdown] trainer lang=zh
# 用代码做一次重放：第 2 回合有行动的组中排名最靠前的那个，如果没有做它在这一回合的第一个行动，
# 会怎样。和上面的表单是同一个
# 功能；这次重放会写进讲义。

# %% trainer
moves = store.moves()
round_2 = moves[~moves["withdrawn"] & (moves["round"] == 2)]
ranked = [team for team in leaderboard.table["team"] if team in set(round_2["team"])]  # teams that moved in round 2
if ranked:
    team = ranked[0]
    deal = int(round_2.loc[round_2["team"] == team, "deal_id"].iloc[0])
    branch = panel.what_if(team, 2, changes={deal: None})
    print(branch.describe())
report = panel.write_report("en")  # lang=en
report = panel.write_report("zh")  # lang=zh
print(report)

# %% [markdown] lang=en
# ## For the debrief
#
# - Which team booked the most, and which forecast best? Are they the same team? Booking
#   more is luck and work; forecasting well is discipline.
# - Compare records entered with forecast accuracy: did a team that entered fewer records
#   lose accuracy?
# - The round with the price cut: which teams changed their moves when the news came, and
#   did it help?
# - Every move is in the export and the handout, with the customer's reply, the team's
#   classification and the random draw that decided the outcome.

# %% [markdown] lang=zh
# ## 复盘要点
#
# - 哪个组成交最多？哪个组预测最准？是同一个组吗？成交多，靠运气也靠努力；预测准，靠的是纪律。
# - 对比录入记录数和预测准确度：录入少的组，预测准确度是否下降了？
# - 竞争对手降价的那一回合：哪些组看到消息后改变了行动？有没有用？
# - 导出文件和讲义里有每一步行动：客户的回复、该组的判断，以及决定结果的随机数。
