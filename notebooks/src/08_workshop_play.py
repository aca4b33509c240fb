# Source of notebooks/{en,zh,trainer/en,trainer/zh}/08_workshop_play.ipynb — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.
# This is the page trainees open in the app (`make app WORKSHOP=…`, Voilà hides the code):
# keep it short, the logic lives in simfunnel/widgets/workshop.py.

# %% [markdown] lang=en
# # 08 Workshop: play as a team
#
# Your trainer has set up a workshop: each team plays its own market for one quarter.
#
# 1. **Join.** Type the **join code** on your team's card (or scan its QR code) and your
#    name, then press **Join**. Upper or lower case, spaces or dashes: all fine.
# 2. **Act.** Your team's deal board appears. Press **Select** on a deal card, choose an
#    action and press **Act**. Read the customer's reply and decide what it is: order,
#    advance, continuation or no sale. Judge by what the customer does, not by what they say.
# 3. **Together.** Your teammates act on the same board at the same time: one action per
#    deal and week, so agree who takes which deals.
# 4. **Next week.** When the team is ready, one of you presses **Next week**: the week is
#    played with every teammate's actions, and everyone's board moves on. In a workshop run
#    in **rounds**, the button reads **Submit the round** instead: your team's moves are then
#    final, and the trainer plays the round for every team when the time is up. Market news
#    appears above the board when a round opens.
#
# Every move is saved the moment you make it. If the page closes, open it again in the same
# browser and join with the same code and name: you carry on where you were. Your name is
# yours in the team: nobody can join as you from another browser, and nobody else can undo
# your moves (nor you theirs — ask your teammate). On another computer, ask your trainer to
# let you rejoin.

# %% [markdown] lang=zh
# # 08 工作坊：小组对抗
#
# 讲师已经准备好了工作坊：每个小组在自己的市场里推动一个季度的商机。
#
# 1. **加入**：输入小组卡片上的**加入码**（或扫卡片上的二维码），写上你的名字，点**加入**。
#    大小写、空格和短横线都没关系。
# 2. **行动**：小组的商机看板出现后，在商机卡片上点**选择**，选一个行动，点**采取行动**。读客户的
#    回复，判断它是订单、推进、延续还是无法成交——看客户做了什么，而不是说了什么。
# 3. **协作**：组员们同时在同一块看板上行动。每个商机每周只能有一个行动，所以先商量好谁负责
#    哪些商机。
# 4. **下一周**：小组准备好后，由一个人点**下一周**：全组本周的所有行动一起执行，每个人的看板
#    都会进入下一周。如果工作坊按**回合**进行，这个按钮叫**提交本回合决策**：提交后全组本回合的行动
#    就定下来了，时间到时由讲师为所有小组统一执行。每回合开始时，市场动态会显示在看板上方。
#
# 每个行动一做就保存了。页面关掉了也没关系：在同一个浏览器里重新打开，用同样的加入码和名字加入，
# 接着玩。你的名字在小组里只属于你：别人不能从另一个浏览器用你的名字加入，也不能撤回你的行动（你也
# 不能撤回组员的行动，请组员自己撤回）。换了电脑，请讲师允许你重新加入。

# %%
import simfunnel as sf
from simfunnel.widgets.workshop import WorkshopPlay

# en: The workshop comes from the app (SIMFUNNEL_WORKSHOP); without one, a demo workshop. Join with a code.
# zh: 工作坊由应用提供（SIMFUNNEL_WORKSHOP）；没有的话，会建一个演示工作坊。用加入码加入。
play = WorkshopPlay()
play

# %% [markdown] trainer lang=en
# ### Trainer notes (08: 60 minutes)
#
# - **Before:** `simfunnel workshop init --dir W --teams 6 --seed 2026` (add `--same-world`
#   for the same market and the same luck for every team: the fairest leaderboard; `--names
#   Red,Blue,…` to name the teams), then `make app WORKSHOP=W IP=0.0.0.0` and give the room the
#   address it prints. Print the team cards with `simfunnel workshop codes --dir W --cards
#   cards.html --url http://ADDRESS:PORT/` and hand each team its card: the join code is the
#   only way into a team, so keep each card with its team.
# - **Rhythm:** 5 min to join and split the deals; then about 4 min a week for 10 weeks;
#   call "next week" for the room so teams stay in step. 5 min at the end for the leaderboard
#   (the trainer's workshop notebook).
# - **Nothing is lost:** every move is committed to `W/workshop.sqlite` before its reply is
#   shown. A closed browser tab or a restarted app loses nothing: join again from the same
#   browser with the same code and name. Another browser is refused that name until you run
#   `simfunnel workshop allow --dir W TEAM NAME`; a leaked code is replaced with `simfunnel
#   workshop codes --dir W --regenerate TEAM`. Two trainees on the same deal in the same week:
#   the second gets a clear message saying who was first; only the trainee who made a move can
#   undo it.
# - Without a workshop folder the page makes a private demo workshop and says so: fine to
#   rehearse, but moves there are not on the leaderboard.

# %% [markdown] trainer lang=zh
# ### 讲师备注（08：60 分钟）
#
# - **课前**：运行 `simfunnel workshop init --dir W --teams 6 --seed 2026`（加上 `--same-world`，
#   各组就是同一个市场、同样的运气，排行榜最公平；加上 `--names 华东组,华南组,…` 给小组起名字），然后运行
#   `make app WORKSHOP=W IP=0.0.0.0`，把它显示的地址告诉学员。用 `simfunnel workshop codes --dir W
#   --cards cards.html --url http://网址:端口/ --lang zh` 打印小组卡片，每组发一张：加入码是进入小组的
#   唯一方式，卡片只给本组。
# - **节奏**：加入和分工 5 分钟；之后每周约 4 分钟，共 10 周，由讲师统一喊“下一周”，让各组步调
#   一致；最后 5 分钟看排行榜（讲师版工作坊笔记本）。
# - **不会丢数据**：每个行动在显示客户回复之前就已写入 `W/workshop.sqlite`。浏览器标签关了、应用
#   重启了都不会丢：在同一个浏览器里用同样的加入码和名字重新加入即可。别的浏览器用这个名字会被拒绝，
#   除非你运行 `simfunnel workshop allow --dir W team1 李雷`；加入码外泄了，运行 `simfunnel workshop
#   codes --dir W --regenerate team1` 换新码。两个人在同一周对同一个商机行动，后一个会看到清楚的提示，
#   说明是谁先做的；只有做这个行动的人才能撤回它。
# - 没有工作坊文件夹时，页面会自己建一个只给自己用的演示工作坊，并提示这一点：适合课前演练，但
#   这里的行动不会进排行榜。

# %% trainer
# en: Check, on the demo workshop only (never on a real one): join, act, classify, next week.
# zh: 检查（只在演示工作坊上运行，不碰正式工作坊）：加入、行动、判断、下一周。
if play.demo:
    session = play.join_widget.join(code=play.join_widget.store.team_codes()["team1"], trainee="trainer")
    board = play.board
    deal = board.page("criteria")[0]
    move = board.act(deal, "arrange_demo")
    board.classify(move.outcome)
    board.next_week()
    stored = session.store.moves("team1")
    assert stored[["deal_id", "action", "answer"]].values.tolist() == [[deal, "arrange_demo", move.outcome]]
    assert board.week == session.store.week("team1") == 14 and board.score == (1, 1)
    assert session.code is not None and board.session is session  # bound to the code's team and this page
