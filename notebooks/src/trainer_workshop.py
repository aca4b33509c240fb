# Source of notebooks/trainer/{en,zh}/workshop.ipynb (trainer only) — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # Workshop console
#
# Run this notebook on your own machine while the teams play. It reads the workshop
# store, the one file where every team's moves are committed, so what you see is exactly
# what the teams have done. Nothing here changes their moves.
#
# **Before the session** (two commands, in the repository folder):
#
# ```
# simfunnel workshop init --dir W --teams 6 --seed 2026 --same-world
# make app WORKSHOP=W PORT=8866
# ```
#
# Give the trainees the address `make app` prints. Each team enters its name once, then
# moves deals on its board. With `--same-world` every team plays the same market with the
# same luck, so the differences on the leaderboard come from the teams' decisions alone.

# %% [markdown] lang=zh
# # 研讨控制台
#
# 各队练习时，在讲师自己的电脑上运行这一本。它读取研讨数据库，也就是保存每个队每一步行动的
# 那个文件，所以这里看到的，正是各队实际做过的。这一本不会改动任何一队的行动。
#
# **开课前**（在项目文件夹里运行两条命令）：
#
# ```
# simfunnel workshop init --dir W --teams 6 --seed 2026 --same-world
# make app WORKSHOP=W PORT=8866
# ```
#
# 把 `make app` 显示的网址发给学员。每个队输入一次队名，然后在自己的看板上推进商机。使用
# `--same-world` 时，各队面对同一个市场、同样的运气，排行榜上的差别就只来自各队的决策。

# %% [markdown] lang=en
# Set `SIMFUNNEL_WORKSHOP` to your workshop folder before starting Jupyter (`make app`
# does it for the app). Without it, this notebook makes a **rehearsal workshop**: four
# stand-in teams play four weeks, so you can try every button before the session.

# %% [markdown] lang=zh
# 启动 Jupyter 之前，把环境变量 `SIMFUNNEL_WORKSHOP` 设为研讨文件夹（`make app` 会为网页应用
# 设好）。没有设置时，这一本会建一个**彩排用的研讨**：四个模拟队各练四周，开课前可以把每个按钮
# 都试一遍。

# %%
import os
import tempfile

import simfunnel as sf
from simfunnel.replies import confusion_table
from simfunnel.store import WorkshopStore, play_demo
from simfunnel.widgets import WorkshopLeaderboard

folder = os.environ.get("SIMFUNNEL_WORKSHOP")
if folder:
    store = WorkshopStore.open(folder)
else:
    store = WorkshopStore.init(tempfile.mkdtemp(prefix="simfunnel-rehearsal-"), teams=["red", "blue", "green", "gold"],
                               seed=2026, same_world=True)
    play_demo(store, weeks=4, seed=1)
    print(f"Rehearsal workshop in {store.path.parent}: four stand-in teams, four weeks played.")  # lang=en
    print(f"彩排用的研讨：{store.path.parent}，四个模拟队，已练四周。")  # lang=zh

# %% [markdown] trainer lang=en
# **Timing.** Open this console before the teams start (2 min: check that every team
# shows up below). Between rounds, 5 min on the leaderboard and the replies that fooled
# the room; 15 min for the final debrief.

# %% [markdown] trainer lang=zh
# **时间安排**：各队开始前先打开控制台（2 分钟：确认每个队都出现在下表中）。两轮之间，用
# 5 分钟看排行榜和最容易判断错的回复；最后的复盘留 15 分钟。

# %% [markdown] lang=en
# ## Who is playing
#
# One row per team: the week it is in, its moves (and the ones it took back), the replies
# it has classified, and when it last did something. A team that has not moved for a while
# may need help.

# %% [markdown] lang=zh
# ## 谁在练习
#
# 每队一行：所在的周、行动数（以及撤回的）、已判断的客户回复数、最近一次操作的时间。很久没有
# 动静的队，可能需要你过去帮一把。

# %%
store.status()

# %% [markdown] lang=en
# ## The leaderboard
#
# Press **Refresh** while the teams play, or tick **Auto-refresh**. Rank by any column:
#
# - **Booked**: revenue booked in the weeks played, and its share of the quota.
# - **Forecast accuracy**: how close each week's forecast came to what the deals then
#   brought (100% = spot on).
# - **Progress / benchmark**: the team's mean weekly progress over the pace the quota needs
#   (1 = on pace).
# - **Records entered**: the data-entry work done; fewer is better, for the same forecast.
# - **Quiz score**: the share of customer replies classified right.
#
# **Export** writes the moves and the leaderboard to `exports/` in the workshop folder,
# as Excel or CSV, and offers a download link.

# %% [markdown] lang=zh
# ## 排行榜
#
# 练习过程中点**刷新**，或勾选**自动刷新**。可以按任何一列排名：
#
# - **已成交**：已练各周的成交额，以及占任务的比例。
# - **预测准确度**：每周的销售预计与这些商机后来实际带来的金额有多接近（100% 为完全准确）。
# - **进展 / 基准**：该队平均每周的销售进展，除以完成任务所需的进度（1 表示正好跟上）。
# - **录入记录数**：做了多少录入工作；销售预计一样准时，越少越好。
# - **答题得分**：判断对的客户回复所占的比例。
#
# **导出**把所有行动和排行榜写进研讨文件夹下的 `exports/`，格式为 Excel 或 CSV，并给出下载链接。

# %%
leaderboard = WorkshopLeaderboard(store)
leaderboard

# %% [markdown] lang=en
# ## Which replies fool the room
#
# For each true outcome, how the teams classified the customer's reply. The diagonal is
# right. Look at the continuation row: pleasant words taken for an advance are the
# course's central mistake. Ask a team that made it to read the reply aloud, then ask
# what the customer actually did.

# %% [markdown] lang=zh
# ## 哪些回复最容易判断错
#
# 按真实结果统计，各队把客户回复判断成了什么。对角线上是判断对的。重点看"延续"那一行：把好听的
# 话当成推进，是这门课最要纠正的错误。请犯过这个错的队把那条回复读出来，再问大家：客户实际做了
# 什么？

# %%
moves = store.moves()
answered = moves[~moves["withdrawn"] & moves["answer"].notna()]
confusion = confusion_table(answered["outcome"], answered["answer"])
confusion

# %% [markdown] lang=en
# ## For the debrief
#
# - Which team booked the most, and which forecast best? Are they the same team? Booking
#   more is luck and work; forecasting well is discipline.
# - Compare records entered with forecast accuracy: did a team that entered fewer records
#   lose accuracy?
# - Every move is in the export, with the customer's reply, the team's classification and
#   the random draw that decided the outcome. A replay of the store gives each team's
#   numbers to the cent.

# %% [markdown] lang=zh
# ## 复盘要点
#
# - 哪个队成交最多？哪个队预测最准？是同一个队吗？成交多，靠运气也靠努力；预测准，靠的是纪律。
# - 对比录入记录数和预测准确度：录入少的队，预测准确度是否下降了？
# - 导出文件里有每一步行动：客户的回复、该队的判断，以及决定结果的随机数。按数据库重放，每个队的
#   数字都能精确复现到分。

# %%
best = leaderboard.table.iloc[0]
assert best["rank"] == 1 and best["team"] in store.teams
if not folder:  # the rehearsal: every stand-in team has played four weeks, all replies classified
    assert list(store.status()["week"]) == [store.start_week + 4] * 4
    assert confusion.to_numpy().sum() == len(answered) == int(store.leaderboard()["quiz_answered"].sum())
