# Source of notebooks/{en,zh,trainer/en,trainer/zh}/02_moving_deals.ipynb — build with
# `python notebooks/build.py`; the cell markers are described at the top of build.py.

# %% [markdown] lang=en
# # 02 Moving deals
#
# A deal moves to the next stage when the **customer's buying process** moves. What a seller
# can win in a call or a visit is the customer's commitment to the next step. Every call or
# visit ends in one of four outcomes:
#
# | outcome | what the customer did |
# |---|---|
# | **Order** | bought: a stamped contract, a purchase order |
# | **Advance** | agreed to an action that moves their purchase on: a demo, a trial, a meeting with a higher decision maker, a budget, a joint plan |
# | **Continuation** | said something pleasant and did nothing: "very interesting, let's keep in touch" |
# | **No sale** | chose a competitor, cancelled the project, froze the budget |
#
# Warm words are not an advance. Judge by what the customer *does*, not by what they say.

# %% [markdown] lang=zh
# # 02 推动商机
#
# 商机往下一个阶段走，是因为**客户的采购流程**往前走了。销售在一次拜访、一个电话里能争取到的，
# 是客户对下一步的承诺。每一次拜访、每一个电话，结果只有四种：
#
# | 结果 | 客户做了什么 |
# |---|---|
# | **订单** | 买了：合同盖章、下了采购订单 |
# | **推进** | 同意了一个让采购往前走的行动：看演示、试用、安排见更高层的决策者、给预算、一起定计划 |
# | **延续** | 说了好听的话，但什么也没做：“很有意思，保持联系” |
# | **无法成交** | 选了竞争对手、项目取消、预算冻结 |
#
# 话说得再热情也不等于推进。判断标准是客户**做了什么**，而不是客户**说了什么**。

# %%
import pandas as pd

import simfunnel as sf
from simfunnel import plots
from simfunnel.model import replies
from simfunnel.widgets import DealBoard, lesson_exercises
from simfunnel.widgets.board_progress import BoardProgress

world = sf.generate(seed=2026)
lang = sf.get_language()

# %% [markdown] lang=en
# ## Warm-up: advance or continuation?
#
# Eight things customers said after a visit. For each one, decide: did the customer commit
# to an action (**advance**), or only say something nice (**continuation**)? Press one of the
# four buttons under each reply, then **Check answers**.

# %% [markdown] lang=zh
# ## 热身：推进还是延续？
#
# 下面是拜访之后客户说的八句话。逐句判断：客户是答应了一个实际行动（**推进**），还是只说了
# 几句好听的话（**延续**）？在每句话下面点四个按钮中的一个，最后点**检查答案**。

# %%
quiz = replies.replies().set_index("id").loc[["c03", "a19", "c12", "a16", "c15", "c14", "a03", "a04"]]
warm_up = lesson_exercises.reply_quiz(quiz)
warm_up

# %% trainer
# en: Solution. The four continuations sound warm; none of them commits the customer to anything.
# zh: 参考答案。四句延续听起来都很热情，但没有一句让客户承诺任何行动。
assert list(quiz.outcome) == ["continuation", "advance", "continuation", "advance",
                              "continuation", "continuation", "advance", "advance"]
warm_up.solve()
assert warm_up.check() == 8

# %% [markdown] trainer lang=en
# **Debrief (10 minutes).** Go through the replies the room got wrong. The usual traps:
# "Management takes this project very seriously" (no meeting with management, no date),
# "The demo was great, everyone liked it" (praise, no next step) and "Legal is still looking
# at the terms" (waiting is not acting). Contrast with "Send over your contract template,
# legal will start this week": the customer commits their own people to a task. Ask each
# trainee for one reply they heard last month, and let the room classify it.

# %% [markdown] trainer lang=zh
# **讲评（10 分钟）**：重点讲大家答错的句子。常见的坑：“领导很重视这个项目”（没安排见领导，
# 没有时间表）、“演示挺精彩的，大家反响都不错”（是夸奖，没有下一步）、“合同条款法务还在看”
# （等待不是行动）。对比“把合同模板先发过来，我们法务这周就开始审”：客户安排了自己的人去做
# 一件具体的事。请每位学员说一句上个月客户对自己说过的话，让大家一起判断。

# %% [markdown] lang=en
# ## What our actions do
#
# On the board you choose an action for a deal, and the customer answers. Two things happen in
# the week, and they are not the same:
#
# - **The customer's response** — what you judge. An *advance* is a concrete commitment that fits
#   your action: a demo date, a trial, a meeting with the general manager, part of a budget. A
#   *continuation* is kind words and no action. The table gives the chance of a commitment.
# - **The deal's move** — whether the buying process moves the deal to the next stage this week.
#   A commitment makes the move likelier (× the factor in the table); a continuation leaves the
#   week's chance as it was. So you can win an advance and see the deal stay where it is this week,
#   and a deal can move after kind words because the customer's process moved on its own.
#
# **Advance** actions ask the customer for something (a demo, a trial, a meeting, a budget).
# **Relationship** actions (a brochure, a dinner, a courtesy call) rarely bring a commitment in
# their week, but they build the account's **trust**: later, the same customer says yes to
# your requests more readily — much more in an account that is not yet a customer. Each action
# fits certain key steps, so the board only offers the ones that fit the deal's stage. The sizes
# are the kit's assumptions, not figures from the course.

# %% [markdown] lang=zh
# ## 我们的行动有什么用
#
# 在商机看板上，你为商机选择一个行动，客户会给出回应。一周里发生两件事，它们不是一回事：
#
# - **客户的回应**：这是你要判断的。*推进*是客户做出了与你的行动相符的具体承诺：定了演示的时间、
#   同意试用、安排见总经理、批了一部分预算。*延续*是好听的话，没有行动。表中给出客户做出承诺的机会。
# - **商机的阶段变化**：这一周客户的采购流程有没有把商机带到下一个阶段。客户做出承诺，商机前进的
#   机会就提高（乘以表中的倍数）；延续则保持原来的机会。所以，你可能拿到了推进，商机这周却还在
#   原阶段；也可能客户只说了几句好话，商机却前进了，因为客户自己的采购流程往前走了。
#
# **推进类**行动是向客户提出要求（看演示、试用、见面、给预算）。**关系类**行动（发资料、请吃饭、
# 礼节性回访）当周很少换来客户的承诺，但会积累这家客户对你的**信赖**：以后同一家客户更愿意答应你的
# 请求，对还不是老客户的新客户作用更大。每个行动只适合特定的关键步骤，看板只会列出适合商机当前阶段的
# 行动。这些数值是本工具的假设，不是课程给出的数字。

# %%
kinds = {"advance": "Advance", "relationship": "Relationship"}  # lang=en
kinds = {"advance": "推进类", "relationship": "关系类"}  # lang=zh
pd.DataFrame(
    {
        "Action": [a.label(lang) for a in sf.ACTIONS],  # lang=en
        "行动": [a.label(lang) for a in sf.ACTIONS],  # lang=zh
        "Kind": [kinds[a.kind] for a in sf.ACTIONS],  # lang=en
        "类型": [kinds[a.kind] for a in sf.ACTIONS],  # lang=zh
        "Chance of a commitment": [f"{a.commit_chance:.0%}" for a in sf.ACTIONS],  # lang=en
        "客户做出承诺的机会": [f"{a.commit_chance:.0%}" for a in sf.ACTIONS],  # lang=zh
        "Chance to move, after a commitment": [f"× {a.commit_factor:.1f}" for a in sf.ACTIONS],  # lang=en
        "承诺后本周前进机会": [f"× {a.commit_factor:.1f}" for a in sf.ACTIONS],  # lang=zh
        "Builds trust": ["✔" if a.kind == "relationship" else "" for a in sf.ACTIONS],  # lang=en
        "积累信赖": ["✔" if a.kind == "relationship" else "" for a in sf.ACTIONS],  # lang=zh
        "Why": [a.why_en for a in sf.ACTIONS],  # lang=en
        "原因": [a.why_zh for a in sf.ACTIONS],  # lang=zh
    }
).style.hide(axis="index").set_properties(**{"text-align": "left"})

# %% [markdown] lang=en
# ## The deal board
#
# The board shows the quarter from week 0:
#
# - **Top:** the week, the three indicators, this week's progress against the benchmark,
#   the coverage of the remaining quota, and your quiz score.
# - **Columns:** one per stage, the biggest deals first. A card shows the account, the
#   amount and the weeks the deal has spent in its stage; ⚠ marks a deal stuck for 4 weeks or
#   more. Use the page buttons to see more deals.
# - **To act:** press **Select** on a card, choose an action in the panel, press **Act**.
#   The customer's reply appears. Decide what it is and press one of the four buttons; the
#   true outcome is then revealed with the reason.
# - **Next week** plays the week for every deal in the market: yours and all the others.
#   **Undo** takes back your last action (or the last week); **Reset** goes back to week 0
#   (click it twice to confirm).
#
# Under the board, your quiz score and each week's progress follow your play.

# %% [markdown] lang=zh
# ## 商机看板
#
# 看板从第 0 周开始展示本季度：
#
# - **顶部**：当前周、三个指标、本周销售进展与基准进度的对比、剩余任务覆盖率，以及你的
#   答题得分。
# - **各列**：每个阶段一列，金额大的商机排在前面。卡片上有客户名称、金额、在本阶段停留的
#   周数；⚠ 表示商机在同一阶段停留了 4 周或更久。用翻页按钮看更多商机。
# - **行动**：在卡片上点**选择**，在面板里选一个行动，再点**采取行动**。客户的回复会显示出来。
#   先判断它属于哪种结果，点四个按钮中的一个，然后系统揭晓真实结果和原因。
# - **下一周 ▶**：让整个市场的所有商机（你的和其他所有的）都过一周。**撤销**收回你最近的一个
#   行动（或退回上一周）；**重新开始**回到第 0 周（要连点两次确认）。
#
# 看板下面是你的答题得分和每周的销售进展，随着你的操作随时更新。

# %%
board = DealBoard(sf.Simulation(world, seed=2026))
board

# %%
BoardProgress(board)

# %% [markdown] trainer lang=en
# For the projector, the board can also be driven from code: the next cell plans a demo with
# the biggest deal at *Criteria set* and prints the customer's reply (trainer copy only, so
# trainees' boards open untouched).

# %% [markdown] trainer lang=zh
# 在投影上演示时，看板也可以用代码操作：下一个单元格给“确定标准”阶段金额最大的商机安排一次产品
# 演示，并显示客户的回复（只在讲师版里，学员的看板打开时不会有已经做过的行动）。

# %% trainer
planned = {m.deal_id for m in board.pending}  # a deal takes one action a week
deal = next(d for d in board.page("criteria") if d not in planned)
move = board.act(deal, "arrange_demo")
print(move.reply.text(lang))

# %% [markdown] exercise lang=en
# ## Exercise: play four weeks
#
# Each week: act on **two or three deals**, classify every reply before you look at the
# outcome, then press **Next week**. After four weeks, read under the board and note:
#
# 1. your quiz score,
# 2. forecast + booked after week 4, and how many weeks your progress reached the benchmark.
#
# Be ready to say which actions you used, and why.

# %% [markdown] exercise lang=zh
# ## 练习：推动四周
#
# 每一周：给**两到三个商机**安排行动，每条回复都先自己判断再看结果，然后点**下一周**。四周
# 之后，看看板下面的得分和销售进展，记下：
#
# 1. 你的答题得分；
# 2. 第 4 周末的“销售预计 + 已成交”，以及有几周的销售进展达到了基准。
#
# 准备好说说你用了哪些行动，为什么。

# %% trainer
# en: Expected answer: three sellers play the same four weeks of the same market. One uses the
# en: strongest advance action that fits each of the two biggest deals per stage, one uses
# en: relationship actions on the same deals (the dinner), one does nothing.
# zh: 预期结果：三位销售在同一个市场里推动同样的四周。一位给每个阶段金额最大的两个商机安排
# zh: 最合适的推进类行动，一位给同样的商机安排关系类行动（请吃饭），一位什么也不做。
from simfunnel.model.actions import actions_for


def play(kind, weeks=4):
    seller = DealBoard(sf.Simulation(world, seed=2026))
    for _ in range(weeks):
        for stage in world.funnel.keys:
            fitting = [a for a in actions_for(world.funnel, stage) if a.kind == kind]
            if fitting:
                best = max(fitting, key=lambda a: a.advance_factor)
                for deal_id in seller.page(stage)[:2]:
                    seller.act(deal_id, best.key)
        seller.next_week()
    last = seller.indicators.iloc[-1]
    return last.forecast + last.booked


results = {kind: play(kind) for kind in ("advance", "relationship", "none")}
assert results["advance"] > results["relationship"] >= results["none"]
# en: The figures quoted below, in units of ¥10,000.
# zh: 下面引用的数字（单位：万元）。
quoted = {"advance": 415, "relationship": 385, "none": 385}
assert {kind: round(value / 1e4) for kind, value in results.items()} == quoted
{kind: sf.i18n.format_money(value) for kind, value in results.items()}

# %% [markdown] trainer lang=en
# *Expected:* after four weeks, forecast + booked is about ¥4.15M with advance actions and
# ¥3.85M both with dinners and doing nothing: in its week a dinner rarely brings a commitment, and
# four weeks are too short for the trust it builds to pay (the next section shows when it does).
# Debrief questions: Which reply fooled you? Did you act on the stuck ⚠ deals
# or on the big ones? Why does the forecast sometimes drop in a week you did well (deals
# lost elsewhere in the market)?

# %% [markdown] trainer lang=zh
# *预期结果*：四周后，用推进类行动的“销售预计 + 已成交”约 415 万元；请吃饭和什么都不做都约
# 385 万元：一顿饭当周很少换来客户的承诺，四周也太短，它积累的信赖还来不及带来回报（下一节会
# 看到什么时候有回报）。讲评问题：哪条回复骗过了你？你是优先处理 ⚠ 停滞的商机，还是金额大的
# 商机？为什么有时候自己做得不错，销售预计却下降了（市场上别的商机丢了）？

# %% [markdown] lang=en
# Your score and progress are under the board. Green bars are the weeks your progress
# reached the benchmark. Notebook 04 looks at these indicators over a whole quarter.

# %% [markdown] lang=zh
# 得分和销售进展就在看板下面。绿色柱子就是销售进展达到基准的那几周。第 04 本会看一个完整季度里
# 的这些指标。

# %% [markdown] lang=en
# ## Trust that pays later
#
# The course gives a whole key step to **building trust** and counts trust among the
# five purchase factors. A dinner is a continuation in the week it happens; what it buys comes
# later. The next cell lets three sellers work the **new accounts** of this market (not yet
# customers) for half a year, six actions a week each, on the same deals: one uses advance actions
# only, one builds trust first (a relationship action on an account whose trust is still low, at
# most two a week) and then advances, one uses relationship actions only. Each pair of sellers
# plays the same 40 runs of luck, so the differences are the strategies'.

# %% [markdown] lang=zh
# ## 信赖：今天的关系，明天的推进
#
# 课程把**建立信任**单独列为一个关键步骤，信赖也是购买五要素之一。请客户吃饭，当周是延续；它的
# 回报在后面。下一个单元格让三位销售在这个市场的**新客户**（还不是老客户的客户）里各做半年，每人
# 每周六个行动，做的是同样的商机：一位只做推进类行动；一位先建立信赖（客户的信赖还低时先做关系类
# 行动，每周最多两个），再推进；一位只做关系类行动。三位销售经历的是同样的 40 种运气，差别只来自
# 做法。

# %%
from simfunnel.analysis.trust import compare_trust

trust = compare_trust(world, seeds=range(1, 41), weeks=26, actions_per_week=6)
plots.trust_chart(trust, lang=lang);

# %% trainer
# en: Expected: trust first, then advance wins more than advance actions alone (the interval of the
# en: paired difference is above 0), and relationship actions alone lose to both.
# zh: 预期结果：先建立信赖再推进，比只做推进成交得多（配对差值的区间在 0 以上）；只做关系类行动输给
# zh: 另外两种。
diff = trust.differences
assert diff.loc["mix − advance_only", "low"] > 0 and diff.loc["advance_only − relationship_only", "low"] > 0
# en: The figures quoted below, in units of ¥10,000.
# zh: 下面引用的数字（单位：万元）。
quoted = {"mean": {"advance_only": 501, "mix": 597, "relationship_only": 301}, "gain": [96, 67, 126]}
assert {name: round(value / 1e4) for name, value in trust.summary["mean"].items()} == quoted["mean"]
assert [round(v / 1e4) for v in diff.loc["mix − advance_only", ["mean", "low", "high"]]] == quoted["gain"]

# %% [markdown] trainer lang=en
# *Expected:* over half a year in new accounts, advance actions alone win about ¥5.01M, trust first
# then advance about ¥5.97M, relationship actions alone about ¥3.01M. Trust first wins ¥0.96M more
# than advance alone (95 % interval of the paired difference ¥0.67M to ¥1.26M). Debrief: which of your accounts were new, and what did you do there
# first? The course's four steps of relationship selling (no criticising, blaming or complaining;
# remembering names; sincere appreciation and thanks; asking and listening) are how a dinner
# builds trust rather than just filling a calendar. The size of the effect is the kit's assumption;
# the direction is the course's.

# %% [markdown] trainer lang=zh
# *预期结果*：在新客户里做半年，只做推进类行动约成交 501 万元，先建立信赖再推进约 597 万元，只做
# 关系类行动约 301 万元。先建立信赖比只做推进多成交约 96 万元（配对差值的 95% 区间为 67 万到 126 万元）。
# 讲评：你的商机里哪些是新客户？在那里你先做了什么？课程的关系营销
# 四步骤（不批评、不责备、不抱怨；记住他人的名字；真诚地赞赏与感谢；提问与聆听）正是让一顿饭真正
# 积累信赖、而不只是占用日程的方法。作用的大小是本工具的假设，方向来自课程。

# %% [markdown] trainer lang=en
# ### Trainer notes (02: 45 minutes)
#
# - Course slides: *the results of key-account selling* (order, advance, continuation, no sale: an
#   advance is the customer agreeing to a concrete action), the key step *build trust* with *the
#   four steps of relationship selling*, and *the five purchase factors* (trust). Add 5 minutes
#   for the trust comparison.
# - 10 min warm-up quiz and debrief; 5 min demonstrate the board on the projector (select,
#   act, classify, next week, undo); 20 min teams play four weeks (about 5 min a week: call
#   "next week" for the room to keep teams in step); 10 min debrief with the expected answer.
# - Everybody plays the same market and the same luck (seed 2026): differences between
#   teams come from their decisions only. That makes a fair leaderboard: quiz score, then
#   forecast + booked after week 4.
# - If a team's board shows only text such as `VBox(...)`, re-run the board cell; if the
#   kernel was restarted, *Run All* rebuilds the board at week 0.

# %% [markdown] trainer lang=zh
# ### 讲师备注（02：45 分钟）
#
# - 对应课程：《大客户销售的结果》（订单、推进、延续、无法成交：推进是客户同意了具体的行动）、
#   关键步骤《建立信任》与《关系营销4步骤》、《采购5要素》（信赖）。信赖的对比再加 5 分钟。
# - 热身答题和讲评 10 分钟；在投影上演示看板 5 分钟（选择、行动、判断、下一周、撤销）；各组推动
#   四周 20 分钟（每周约 5 分钟，由讲师统一喊“下一周”，让各组步调一致）；对照预期结果讲评 10 分钟。
# - 所有人玩的是同一个市场、同样的运气（种子 2026），各组的差别只来自自己的决策，所以排行榜
#   是公平的：先比答题得分，再比第 4 周末的“销售预计 + 已成交”。
# - 如果某组的看板只显示 `VBox(...)` 之类的文字，重新运行看板所在的单元格；如果重启过内核，
#   “运行全部”会把看板重建到第 0 周。
