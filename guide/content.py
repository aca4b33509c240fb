"""The facilitator guide, the opening slides and the workbook's fixed parts: one source, zh and en.

Every text is a ``(zh, en)`` pair. ``guide/build.py`` renders them (``make guide``); ``tests/test_guide.py`` checks
that the half-day agenda adds up to 210 minutes ± 10 and that every block names a notebook or a console step
that exists.

A block's ``where`` is ``notebook:<stem>`` (``notebooks/src/<stem>.py``) or ``console:<step>`` (a panel of the
trainer's console notebook, ``notebooks/src/trainer_workshop.py``: see :data:`CONSOLE_STEPS`) or ``break``.
"""

from __future__ import annotations

Pair = tuple[str, str]

# console step → the widget of the trainer's console that does it
CONSOLE_STEPS = {
    "test": "TestControl",
    "rounds": "RoundControl",
    "leaderboard": "WorkshopLeaderboard",
    "debrief": "DebriefPanel",
}

BLOCKS: dict[str, dict] = {
    "opening": {
        "where": "console:test", "title": ("开场与课前测验", "Opening and pre-test"),
        "objective": ("学员知道今天要练什么、怎么加入；做完课前测验，留下起点。",
                      "Trainees know what the day practises and how to join; the pre-test records where they start."),
        "say": ("讲开场白（见“开场”），把地址和二维码放在投影上，请每组用加入码加入；然后在控制台点“开始课前测验”，"
                "五分钟后点“结束测验”。",
                "Give the opening (see Opening), put the address and QR code on the screen, have each team join with "
                "its code; then press Open the pre-test in the console and Close the test after five minutes."),
        "expected": ("每个学员的页面上方出现十道题；交卷后只显示得分。", "Every trainee's page shows ten questions above "
                                                                  "the board; after Submit only the score shows."),
        "questions": (("你上一次丢单，是在哪个阶段？", "Where in the funnel did you last lose a deal?"),),
    },
    "stages": {
        "where": "notebook:01_stages_and_win_rates", "title": ("销售阶段与阶段赢率", "Stages and win rates"),
        "objective": ("把销售阶段和客户的采购流程对应起来；会手算销售预计。",
                      "Tie stages to the customer's buying process; compute a forecast by hand."),
        "say": ("赢率属于阶段，阶段要由客户的行动来证明。让大家用按钮换四种漏斗，看同一个市场的样子。",
                "A win rate belongs to a stage, and a stage is proved by a customer action. Let the room switch between "
                "the four funnels with the buttons."),
        "expected": ("三个商机的销售预计是 637,230 元；常见错误是把金额直接相加（880,800 元）。",
                     "The three deals forecast ¥637,230; the usual slip is adding the amounts (¥880,800)."),
        "questions": (("HubSpot 的阶段里，哪些是客户走的一步，哪些是我们做的事？",
                       "Which HubSpot stages are steps of the customer, and which are tasks of ours?"),),
    },
    "moving": {
        "where": "notebook:02_moving_deals", "title": ("推动商机：推进还是延续", "Moving deals: advance or continuation"),
        "objective": ("分清订单、推进、延续、无法成交；知道推进是客户同意的具体行动。",
                      "Tell order, advance, continuation and no sale apart; an advance is a concrete action the "
                      "customer agrees to."),
        "say": ("先做热身的八句话，再在商机看板上推动四周。提醒大家：话说得再热情也不等于推进。",
                "First the eight warm-up replies, then four weeks on the deal board. Warm words are not an advance."),
        "expected": ("热身题四句推进、四句延续；四周后用推进类行动的“销售预计 + 已成交”约 415 万元。",
                     "The warm-up has four advances and four continuations; after four weeks advance actions give "
                     "forecast + booked of about ¥4.15M."),
        "questions": (("哪条回复骗过了你？", "Which reply fooled you?"),
                      ("请吃饭为什么当周很少换来推进？", "Why does a dinner rarely bring an advance in its week?")),
    },
    "threshold": {
        "where": "notebook:03_small_order_threshold", "title": ("小单门槛", "The small-order threshold"),
        "objective": ("知道为什么小单不进漏斗，以及门槛省下什么、付出什么。",
                      "Know why small orders stay out of the funnel, and what a threshold saves and costs."),
        "say": ("拖动门槛探索器的滑块，先回答练习里的四个问题，再请每对学员写两句话给销售总监。",
                "Drag the explorer's slider, answer the four questions, then each pair writes two sentences to the "
                "sales director."),
        "expected": ("8 万元门槛：漏斗里还剩 134 个商机，录入少约 79%；加上漏斗外周均，误差不会变大。",
                     "At ¥80,000: 134 deals left, about 79 % fewer records; with the run rate the error does not grow."),
        "questions": (("哪些商机是你想逐个辅导、亲自盯的？", "Which deals do you want to coach one by one?"),),
    },
    "forecast": {
        "where": "notebook:04_forecast_and_progress", "title": ("销售预计与销售进展", "Forecast and progress"),
        "objective": ("会读三个指标；知道销售预计的区间和达成任务的概率。",
                      "Read the three indicators; know the forecast's range and the chance of making quota."),
        "say": ("逐周看这个季度；用滑块试一个更高的目标，回答两个问题。",
                "Walk the quarter week by week; try a stretch target with the slider and answer the two questions."),
        "expected": ("第 13 周达到 350 万的概率约 30%，第 23 周起一直高于 80%。",
                     "In week 13 the chance of ¥3.5M is about 30 %; from week 23 on it stays above 80 %."),
        "questions": (("销售预计超过任务，我们可以松口气了吗？", "The forecast is above quota: can we relax?"),),
    },
    "people": {
        "where": "notebook:07_accounts_and_people", "title": ("客户与人", "Accounts and people"),
        "objective": ("画客户的组织图，找向导，见对的人；把团队的时间分给攻守模型的四类客户。",
                      "Map an account, find the coach, meet the right people; split a team's time over the four "
                      "segments."),
        "say": ("各组在地图上的客户里经营三周；然后做资源分配练习，每组一分钟介绍方案。",
                "Teams work the map's account for three weeks; then the allocation exercise, one minute per team."),
        "expected": ("平均分配成交 2,430 万元；全部进攻 2,170 万元；偏重攻守的方案 2,580 万元。",
                     "Even split ¥24.3M; all on attack ¥21.7M; the attack-and-defend plan ¥25.8M."),
        "questions": (("你最大的客户里，谁是向导？", "Who is the coach in your biggest account?"),),
    },
    "trust": {
        "where": "notebook:09_relationships_and_trust", "title": ("关系与信赖", "Relationships and trust"),
        "objective": ("会用关系营销四步骤，知道怎样让向导愿意帮你，分清资料与需求、需要与想要，知道采购5要素、三重一大和"
                      "回收账款。",
                      "Use the four steps of relationship selling, win a coach, tell facts from needs and needs from "
                      "wants, know the five purchase factors, collective decisions and collecting payment."),
        "say": ("每个练习直接在页面上作答；记名字小游戏给 60 秒，大家同时点按钮。",
                "Every exercise is answered on the page; the names game gets 60 seconds, then all press at once."),
        "expected": ("练习的答案见讲师版第 09 本；回款练习：杨伟签单 358,100 元，第 13 周末收回 111,900 元。",
                     "The answers are in trainer copy 09; collection: Yang Wei booked ¥358,100 and had collected "
                     "¥111,900 by the end of week 13."),
        "questions": (("这个季度你有哪一单是签了还没回款的？", "Which of your orders this quarter is booked but not "
                                                           "collected?"),),
    },
    "rounds": {
        "where": "console:rounds", "title": ("工作坊：分组对抗", "The workshop rounds"),
        "objective": ("在同一个市场里分组推动商机，每回合限时，体会推进、门槛和销售预计之间的关系。",
                      "Teams move deals in one market, round by round on a timer, and feel how advances, the threshold "
                      "and the forecast connect."),
        "say": ("先开一个练习回合（10 分钟）并重置；然后三个计分回合，每回合 8–10 分钟；第 2 回合前加入一个市场事件。",
                "A practice round (10 min), reset; then three scored rounds of 8–10 min; add a market event before "
                "round 2."),
        "expected": ("回合之间看排行榜和最容易判断错的回复。", "Between rounds: the leaderboard and the replies that "
                                                             "fooled the room."),
        "questions": (("哪个组成交最多，哪个组预测最准？", "Which team booked most, and which forecast best?"),),
    },
    "debrief": {
        "where": "console:debrief", "title": ("复盘与讲义", "Debrief and handout"),
        "objective": ("用时间线和“如果当时……”的重放讲清一个决策的影响；发讲义。",
                      "Use a team's timeline and a what-if replay to show what one decision did; hand out the notes."),
        "say": ("选一个组的时间线，改一个决策重放；最后生成讲义。", "Pick a team's timeline, change one decision and "
                                                                 "replay; then write the handout."),
        "expected": ("不改任何东西的重放，结果分毫不差；差别只来自那个改动。",
                     "A replay with no change gives the original to the cent: the difference is the change's."),
        "questions": (("竞争对手降价的那一回合，哪些组改变了行动？", "In the price-cut round, which teams changed their "
                                                                   "moves?"),),
    },
    "closing": {
        "where": "console:test", "title": ("课后测验与结束", "Post-test and closing"),
        "objective": ("做课后测验，看到自己和全场的进步；带走三条要点。",
                      "Take the post-test, see one's own and the room's gain; leave with three points."),
        "say": ("点“开始课后测验”；大家交卷后，把控制台里的进步和答错最多的题放到投影上，讲结束语（见“结束”）。",
                "Open the post-test; when the room is done, put the gain and the most missed questions on screen, "
                "then the closing (see Closing)."),
        "expected": ("全场的进步一般在 20 到 40 个百分点。", "The room's gain is usually 20 to 40 points."),
        "questions": (("下周一你要改的一件事是什么？", "What is the one thing you change next Monday?"),),
    },
    "break": {"where": "break", "title": ("休息", "Break"), "objective": ("", ""), "say": ("", ""),
              "expected": ("", ""), "questions": ()},
    "lunch": {"where": "break", "title": ("午餐", "Lunch"), "objective": ("", ""), "say": ("", ""),
              "expected": ("", ""), "questions": ()},
}

AGENDAS: dict[str, dict] = {
    "half_day": {"title": ("半天（3.5 小时）", "Half day (3.5 hours)"),
                 "blocks": [("opening", 15), ("stages", 25), ("moving", 35), ("break", 10), ("threshold", 25),
                            ("forecast", 15), ("rounds", 60), ("debrief", 15), ("closing", 10)]},
    "full_day": {"title": ("一天（约 7 小时，另加午餐）", "Full day (about 7 hours plus lunch)"),
                 "blocks": [("opening", 20), ("stages", 30), ("moving", 45), ("break", 15), ("threshold", 40),
                            ("forecast", 30), ("lunch", 60), ("people", 60), ("trust", 60), ("break", 15),
                            ("rounds", 75), ("debrief", 20), ("closing", 15)]},
}

# The course deck's chapters and where the kit teaches them.
DECK_MAP: list[tuple[Pair, list[str]]] = [
    (("大客户销售的结果（订单、推进、延续、无法成交）", "The results of key-account selling (order, advance, continuation, "
                                                   "no sale)"), ["notebook:02_moving_deals", "console:rounds"]),
    (("不同采购阶段的不同赢率；销售漏斗", "Win rates by purchase stage; the sales funnel"),
     ["notebook:00_start_here", "notebook:01_stages_and_win_rates"]),
    (("销售机会管理的三个指标（销售预计、销售进展、漏斗外销售额）", "The three indicators (forecast, progress, "
                                                                 "out-of-funnel sales)"),
     ["notebook:03_small_order_threshold", "notebook:04_forecast_and_progress", "console:leaderboard"]),
    (("六个关键步骤", "The six key steps"), ["notebook:02_moving_deals", "notebook:07_accounts_and_people",
                                            "notebook:09_relationships_and_trust"]),
    (("采购角色、向导、全脑类型", "Buying roles, the coach, whole-brain types"), ["notebook:07_accounts_and_people"]),
    (("攻守模型", "The attack/defend model"), ["notebook:07_accounts_and_people"]),
    (("关系营销4步骤；如何让向导愿意帮你；资料与需求；需要与想要；采购5要素；三重一大；回收账款",
      "Relationship selling's four steps; winning a coach; facts and needs; needs and wants; the five purchase "
      "factors; collective decisions; collecting payment"), ["notebook:09_relationships_and_trust"]),
    (("（本工具增加）检验赢率假设、真实的客户关系管理数据", "(the kit's addition) Testing win-rate assumptions, real CRM "
                                                         "data"),
     ["notebook:05_testing_win_rate_assumptions", "notebook:06_real_crm_data"]),
]

CHECKLIST: list[Pair] = [
    ("讲师电脑：装好本工具（`make setup`），课前跑一遍 `make test` 或至少打开一次 `make app`。",
     "The trainer's laptop: the kit installed (`make setup`); before the day run `make test`, or at least open "
     "`make app` once."),
    ("建好工作坊：`simfunnel workshop init --dir room --teams 6 --seed 2026 --weeks-per-round 3 --pace fast`，打印各组的"
     "加入卡片。",
     "Create the workshop: `simfunnel workshop init --dir room --teams 6 --seed 2026 --weeks-per-round 3 --pace fast`, "
     "and print the teams' join cards."),
    ("网络：讲师电脑和学员手机/电脑连同一个局域网（不需要外网）。", "Network: the trainer's laptop and the trainees' "
                                                                 "devices on one local network (no internet needed)."),
    ("启动：`make app IP=0.0.0.0 WORKSHOP=room`。终端里会打印地址，并生成地址的二维码图片。",
     "Start: `make app IP=0.0.0.0 WORKSHOP=room`. The terminal prints the address and writes a QR code of it."),
    ("投影：把地址和二维码放在屏幕上；讲师自己打开控制台笔记本（`notebooks/trainer/zh/workshop.ipynb`）。",
     "Screen: the address and the QR code; the trainer opens the console notebook "
     "(`notebooks/trainer/en/workshop.ipynb`)."),
    ("学员页面打不开：确认在同一个网络；用地址而不是二维码再试；换个浏览器；还不行就两人合用一台设备。",
     "A trainee's page does not open: check the network; type the address instead of the QR code; try another "
     "browser; else two share a device."),
    ("学员页面卡住或报错：刷新页面，用同样的加入码和名字重新加入（行动都保存在工作坊文件里）。",
     "A trainee's page hangs or shows an error: reload and join again with the same code and name (every move is "
     "saved in the workshop file)."),
    ("换了设备：在控制台允许该学员重新加入。", "A new device: let the trainee rejoin from the console."),
    ("结束后：导出（Excel 或 CSV）并生成讲义，发给学员。", "At the end: export (Excel or CSV), write the handout, send it."),
]

OPENING: list[Pair] = [
    ("大家好。今天我们不讲太多道理，而是在一个模拟市场里推动商机：看客户的回复，判断是推进还是延续，看销售预计怎么变。",
     "Good morning. Today we talk less and play more: in a simulated market you will move deals, read customers' "
     "replies, judge advance or continuation, and watch the forecast react."),
    ("每组有自己的加入码。用手机或电脑打开屏幕上的地址，输入加入码和名字。",
     "Each team has a join code. Open the address on the screen with a phone or laptop, type the code and your name."),
    ("先做十道题，不计成绩，只是看看起点；最后还会再做一次。", "First ten questions: they do not count, they show where "
                                                             "we start; we take them again at the end."),
]
CLOSING: list[Pair] = [
    ("这是全场的进步，也是大家最常答错的几道题，我们再看一遍。", "Here is the room's gain, and the questions most "
                                                             "often missed: let us look at them once more."),
    ("带走三句话：商机的阶段由客户的行动决定；推进是客户同意的具体行动；小单用漏斗外销售额来预计。",
     "Three sentences to take home: a deal's stage is decided by the customer's actions; an advance is a concrete "
     "action the customer agrees to; small orders are forecast as out-of-funnel sales."),
    ("讲义和导出的数据会发给大家。下周一，从你最大的一个商机开始用。", "The handout and the data will be sent to you. Next "
                                                                     "Monday, start with your biggest deal."),
]

SLIDES: list[dict] = [
    {"title": ("大客户销售漏斗工作坊", "Key-account funnel workshop"),
     "points": [("在一个模拟市场里推动商机，看销售预计怎么变", "Move deals in a simulated market and watch the forecast"),
                ("今天的三个问题：阶段、推进、小单", "Today's three questions: stages, advances, small orders")]},
    {"title": ("今天的安排", "Today"), "agenda": "half_day"},
    {"title": ("销售漏斗", "The sales funnel"), "chart": "funnel",
     "points": [("每个阶段对应客户采购流程的一步，有自己的赢率", "Each stage is a step of the customer's buying process, "
                                                          "with its own win rate")]},
    {"title": ("三个指标", "The three indicators"),
     "points": [("销售预计 = Σ 金额 × 阶段赢率 + 漏斗外销售额的预计", "Forecast = Σ amount × stage win rate + expected "
                                                                  "out-of-funnel sales"),
                ("销售进展 = 本周“销售预计 + 已成交”的增加 ÷ 销售任务", "Progress = this week's growth of forecast + booked "
                                                                     "÷ quota"),
                ("漏斗外销售额：门槛以下的小单，按周均来预计", "Out-of-funnel sales: small orders below the threshold, "
                                                          "forecast by their weekly run rate")]},
    {"title": ("一次拜访的四种结果", "Four results of a visit"),
     "points": [("订单：买了", "Order: they bought"), ("推进：同意了一个具体行动", "Advance: they agreed to a concrete "
                                                                                "action"),
                ("延续：好听的话，没有行动", "Continuation: kind words, no action"),
                ("无法成交：选了别人、项目取消", "No sale: a competitor chosen, the project cancelled")]},
    {"title": ("小单门槛", "The small-order threshold"),
     "points": [("门槛以上的商机逐个管理", "Deals above the threshold are managed one by one"),
                ("门槛以下的小单不录入漏斗，用漏斗外周均来预计", "Small orders stay out, forecast by their weekly run "
                                                              "rate"),
                ("门槛省下录入，代价是少管一些商机", "It saves data entry, at the cost of coaching fewer deals")]},
    {"title": ("游戏规则", "Rules of the game"),
     "points": [("每组一个看板，全组共用；每个商机每周一个行动", "One board per team, shared; one action per deal a week"),
                ("看到客户回复，先判断（订单 / 推进 / 延续 / 无法成交），再看结果", "Judge each reply (order / advance / "
                                                                              "continuation / no sale) before the "
                                                                              "result shows"),
                ("每回合限时；时间到，讲师统一执行", "Each round is timed; at the end the trainer plays it for all"),
                ("没提交的组按“不行动”处理", "A team that submits nothing gets the default: no action")]},
    {"title": ("怎么计分", "Scoring"),
     "points": [("已成交、销售预计的准确度、判断回复的正确率", "Booked, forecast accuracy, replies judged right"),
                ("所有组同一个市场、同样的运气：差别只来自决策", "Same market, same luck for all: only decisions differ")]},
    {"title": ("加入", "Join"), "join": True,
     "points": [("打开屏幕上的地址，输入本组的加入码和你的名字", "Open the address on the screen, type your team's code and "
                                                            "your name"),
                ("先做十道课前测验题", "First: the ten pre-test questions")]},
    {"title": ("开始！", "Let's start!"),
     "points": [("有问题随时举手", "Questions any time: raise a hand")]},
]

FORMULAS: list[tuple[Pair, str]] = [
    (("销售预计", "Forecast"), "Σ (金额 × 阶段赢率) + 漏斗外周均 × 剩余周数 | Σ (amount × win rate) + run rate × weeks left"),
    (("销售进展", "Progress"), "Δ(销售预计 + 已成交) ÷ 销售任务 | Δ(forecast + booked) ÷ quota"),
    (("基准进度", "Benchmark"), "(销售任务 − 预计的漏斗外销售额) ÷ 周数 ÷ 销售任务 | (quota − expected out-of-funnel) ÷ weeks ÷ quota"),
    (("覆盖率", "Coverage"), "销售预计 ÷ (销售任务 − 已成交) | forecast ÷ (quota − booked)"),
    (("布里尔分数", "Brier score"), "平均 (赢率 − 结果)² | mean (win rate − outcome)²"),
]
