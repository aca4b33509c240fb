"""The DealBoard's texts: every label, message and error of the board as (zh, en) pairs.

``DealBoard.TEXT`` is :data:`BOARD_TEXT`; :class:`~simfunnel.widgets.moves.BoardError` raises its
English error texts. The workshop board (:class:`simfunnel.widgets.workshop.TeamBoard`) uses the
``team_``, ``round_`` and workshop error texts.

    >>> BOARD_TEXT["next_week"]
    ('下一周 ▶', 'Next week ▶')
"""

from __future__ import annotations

from simfunnel.widgets.base import Pair

__all__ = ["BOARD_TEXT"]

BOARD_TEXT: dict[str, Pair] = {
    # header
    "week": ("第 {week} 周", "Week {week}"),
    "quarter_week": ("本季度第 {t}/{n} 周", "week {t} of {n} this quarter"),
    "forecast": ("销售预计", "Forecast"),
    "booked": ("已成交", "Booked"),
    "out_of_funnel": ("漏斗外销售额", "Out-of-funnel booked"),
    "quota": ("本季度任务", "Quarter quota"),
    "progress": ("本周销售进展", "Progress this week"),
    "benchmark": ("基准 {value}", "benchmark {value}"),
    "progress_none": ("本季度尚未开始", "quarter just starting"),
    "coverage": ("剩余任务覆盖率", "Coverage of remaining quota"),
    "coverage_low": ("覆盖率低于 1：需要发现更多商机", "Below 1: find more opportunities"),
    "coverage_ok": ("销售预计足以覆盖剩余任务", "The forecast covers the remaining quota"),
    "quota_met": ("本季度任务已完成", "Quota met this quarter"),
    "score": ("答题得分", "Quiz score"),
    "threshold_note": (
        "小单门槛 {threshold}：低于门槛的商机不进漏斗",
        "Small-order threshold {threshold}: smaller deals stay out of the funnel",
    ),
    # columns and cards
    "win_rate": ("赢率 {rate}", "win rate {rate}"),
    "n_deals": ("{n} 个商机 · {amount}", "{n} deals · {amount}"),
    "n_deal": ("{n} 个商机 · {amount}", "{n} deal · {amount}"),
    "below": ("门槛以下另有 {n} 个（不在漏斗内）", "{n} more below the threshold (outside the funnel)"),
    "empty": ("暂无商机", "No deals"),
    "weeks_in_stage": ("本阶段 {n} 周", "{n} wk in stage"),
    "rotting": (
        "在本阶段已停留 {n} 周（≥ {limit} 周）：商机可能在变冷",
        "{n} weeks in this stage (≥ {limit}): the deal may be going cold",
    ),
    "planned_mark": ("✓ {action}", "✓ {action}"),
    "select": ("选择", "Select"),
    "selected": ("已选中", "Selected"),
    "page": ("第 {page}/{pages} 页", "page {page}/{pages}"),
    "prev_page": ("上一页", "Previous page"),
    "next_page": ("下一页", "Next page"),
    "unnamed": ("客户 #{deal}", "Account #{deal}"),
    # selected deal
    "no_selection": ("点击商机卡片上的“选择”，再为它安排本周的行动。",
                     "Click “Select” on a deal card, then choose this week's action for it."),
    "deal_stage": ("阶段：{stage}（赢率 {rate}）", "Stage: {stage} (win rate {rate})"),
    "deal_amount": ("金额：{amount}", "Amount: {amount}"),
    "deal_weeks": ("在本阶段：{n} 周", "In this stage: {n} weeks"),
    "deal_week": ("在本阶段：1 周", "In this stage: 1 week"),
    "deal_close": ("预计成交：第 {week} 周", "Expected close: week {week}"),
    "deal_product": ("产品：{product}", "Product: {product}"),
    "deal_step": ("关键步骤：{step}", "Key step: {step}"),
    "deal_won": ("这个商机已在第 {week} 周赢单。", "This deal was won in week {week}."),
    "deal_lost": ("这个商机已在第 {week} 周丢单。", "This deal was lost in week {week}."),
    "deal_planned": ("本周已安排：{action}", "Planned this week: {action}"),
    "action": ("行动", "Action"),
    "act": ("采取行动", "Act"),
    "act_tip": ("对选中的商机采取这个行动，看看客户怎么回复",
                "Take this action on the selected deal and see how the customer replies"),
    "why": ("为什么：{why}", "Why: {why}"),
    # quiz
    "reply_title": ("客户回复（{account} · {action}）", "Customer reply ({account} · {action})"),
    "quiz_question": ("这是哪种结果？看客户做了什么，而不是说了什么。",
                      "Which outcome is this? Judge by what the customer does, not by what they say."),
    "more_to_classify": ("还有 {n} 条回复待判断", "{n} more replies to classify"),
    "one_more_to_classify": ("还有 1 条回复待判断", "1 more reply to classify"),
    "correct": ("✔ 判断正确", "✔ Correct"),
    "wrong": ("✘ 判断有误：你选了“{answer}”", "✘ Not quite: you chose “{answer}”"),
    "order_as_advance": (
        "订单是客户的最终行动，答“推进”也算对。",
        "An order is the customer's ultimate action, so “Advance” counts as correct too.",
    ),
    "not_classified": ("未判断", "not classified"),
    "to_classify": ("待判断", "to classify"),
    "moves_title": ("本周行动（{n}）", "This week's actions ({n})"),
    "no_moves_yet": ("本周还没有安排行动。", "No action planned this week yet."),
    # controls
    "next_week": ("下一周 ▶", "Next week ▶"),
    "next_tip": ("执行本周所有行动，进入下一周", "Apply this week's actions and move to the next week"),
    "undo": ("↶ 撤销", "↶ Undo"),
    "undo_tip": ("撤销本周最后一个行动；本周没有行动时退回上一周",
                 "Undo this week's last action; with none, go back one week"),
    "reset": ("重新开始", "Reset"),
    "reset_tip": ("回到第 0 周，清空所有行动和得分", "Back to week 0: clears every action and the score"),
    "reset_confirm": ("确定重新开始？再点一次", "Really reset? Click again"),
    # week summary
    "summary_title": ("第 {week} 周结果", "Week {week} results"),
    "summary_all": (
        "全部商机：赢单 {won} 个（{won_amount}） · 丢单 {lost} 个（{lost_amount}） · "
        "进入下一阶段 {advanced} 个 · 新增 {new} 个",
        "All deals: {won} won ({won_amount}) · {lost} lost ({lost_amount}) · {advanced} moved a stage · {new} new",
    ),
    # a move's line: the customer's response, then the deal's stage (the two are not the same event)
    "stage_moved": ("阶段：{frm} → {to}", "stage: {frm} → {to}"),
    "stage_same": ("阶段：{frm}（未变）", "stage: {frm} (unchanged)"),
    # a deal that moved after kind words: the customer's own buying process moved it, not the call
    "moved_anyway": ("（客户自己的采购流程往前走了，不是这次行动换来的）",
                     "(the customer's own buying process moved it, not this action)"),
    "summary_none": ("这一周你没有采取行动。", "You took no action that week."),
    "undone_move": ("已撤销：{account} 的“{action}”", "Undone: “{action}” on {account}"),
    "undone_week": ("已退回到第 {week} 周", "Back to week {week}"),
    "reset_done": ("已重新开始：第 0 周", "Started again: week 0"),
    # workshop (store) mode: simfunnel.widgets.workshop.TeamBoard
    "team_line": ("工作坊 · {team} · {trainee}", "Workshop · {team} · {trainee}"),
    "team_period": ("本次工作坊：第 {first}–{end} 周", "Workshop weeks {first}–{end}"),
    "err_store": ("{zh}", "{en}"),
    "err_workshop_reset": ("工作坊里不能重新开始：每个行动都已记录在案。",
                           "No reset in a workshop: every move is on record."),
    "err_workshop_week": ("工作坊里已经结束的周不能撤销；本周你还没有可撤销的行动。",
                          "In a workshop a closed week cannot be undone, and you have no move this week to undo."),
    "err_caught_up": ("组员已经结束了第 {week} 周，看板已经更新：请重新查看后再操作。",
                      "A teammate closed week {week} and the board has caught up: look again, then act."),
    "caught_up": ("组员已经结束了第 {week} 周，看板已经更新。", "A teammate closed week {week}: the board has caught up."),
    "teammates_title": ("组员本周的行动（{n}）", "Teammates' actions this week ({n})"),
    "teammate_planned": ("组员{who}本周已安排：{action}", "{who} planned this week: {action}"),
    # in rounds a move is planned for the round (its weeks are played together): the same texts, said of the round
    "deal_planned_round": ("本回合已安排：{action}", "Planned this round: {action}"),
    "moves_title_round": ("本回合行动（{n}）", "This round's actions ({n})"),
    "teammate_planned_round": ("组员{who}本回合已安排：{action}", "{who} planned this round: {action}"),
    "teammates_title_round": ("组员本回合的行动（{n}）", "Teammates' actions this round ({n})"),
    "undo_tip_team": ("撤销你本周最后一个行动", "Undo your last action this week"),
    "ask_undo": ("请组员确认撤回", "Ask to withdraw it"),
    "ask_undo_tip": ("这是{who}的行动：只有另一位组员确认后才会撤回", "{who}'s move: withdrawn once another teammate confirms"),
    "asked_undo": ("已请求撤回{who}的“{action}”：等另一位组员确认。", "Asked to withdraw {who}'s “{action}”: a teammate must confirm."),
    "undo_request": ("{asker}请求撤回{mover}在 {account} 上的行动“{action}”。同意吗？",
                     "{asker} asks to withdraw {mover}'s “{action}” on {account}. Agree?"),
    "undo_request_mine": ("你已请求撤回{mover}在 {account} 上的“{action}”：等另一位组员确认。",
                          "You asked to withdraw {mover}'s “{action}” on {account}: waiting for a teammate to confirm."),
    "confirm_undo": ("同意撤回", "Withdraw it"),
    "keep_move": ("保留", "Keep it"),
    "undo_confirmed": ("已撤回{mover}的“{action}”（{asker}请求，你确认）。", "Withdrawn: {mover}'s “{action}” ({asker} asked, you confirmed)."),
    "undo_kept": ("已保留{mover}的“{action}”。", "Kept: {mover}'s “{action}”."),
    "next_tip_team": ("为全组结束本周：执行全组本周的所有行动", "Close this week for the whole team: apply every teammate's actions"),
    # workshop rounds (the trainer opens and closes rounds): simfunnel.widgets.round_view
    "submit": ("提交本回合决策 ✔", "Submit the round ✔"),
    "submit_tip": ("全组本回合的行动定稿：讲师结束回合时统一执行", "Your team's moves for this round are final: the trainer plays the round"),
    "round_line": ("{name} · 第 {first}–{last} 周", "{name} · weeks {first}–{last}"),
    "round_practice": ("练习回合", "Practice round"),
    "round_number": ("第 {n} 回合", "Round {n}"),
    "round_none": ("回合还没有开始", "No round has started yet"),
    "round_clock_label": ("剩余时间", "time left"),
    "round_no_timer": ("不限时", "no time limit"),
    "round_no_timer_label": ("由讲师结束本回合", "the trainer closes the round"),
    "round_time_up": ("时间到", "time is up"),
    "todo_plan": ("现在：全组商量本回合要对哪些商机采取什么行动——选中商机，选好行动，点“采取行动”。"
                  "都安排好后，由其中一人点“提交本回合决策”。",
                  "Now: plan your team's moves for this round — select a deal, choose an action, press Act. "
                  "When the team is ready, one of you presses “Submit the round”."),
    "todo_submitted": ("{who}已为全组提交本回合决策：行动已经定稿。请等讲师结束本回合，或等计时结束。",
                       "{who} submitted the round for the team: your moves are final. Waiting for the trainer "
                       "to close the round, or for the timer."),
    "todo_submitted_no_timer": ("{who}已为全组提交本回合决策：行动已经定稿。请等讲师结束本回合。",
                                "{who} submitted the round for the team: your moves are final. Waiting for the "
                                "trainer to close the round."),
    "todo_time_up": ("时间到：本回合不能再行动或提交，马上统一执行。",
                     "Time is up: no more moves or submitting; the round is about to be played."),
    "todo_wait_first": ("等待讲师开始第一个回合。回合开始后：全组商量行动，再由其中一人提交本回合决策。",
                        "Waiting for the trainer to open the first round. Then: plan your team's moves, and one "
                        "of you submits the round."),
    "round_over": ("{name}已结束", "{name} is over"),
    "todo_wait_next": ("第 {first}–{last} 周已经执行完毕，结果见下方。请等待讲师开始下一回合。",
                       "Weeks {first}–{last} have been played: the results are below. Waiting for the trainer to "
                       "open the next round."),
    "todo_over": ("本次工作坊的所有周都已进行完毕，结果见下方。", "Every week of the workshop has been played: the results are below."),
    "round_tile": ("本回合模拟", "This round plays"),
    "round_tile_weeks": ("第 {first}–{last} 周", "weeks {first}–{last}"),
    "round_tile_asof": ("数据截至第 {week} 周", "figures as of week {week}"),
    "act_no_round": ("现在没有进行中的回合：讲师开始下一个回合后才能行动。", "No round is open: you can act once the trainer opens one."),
    "act_time_up": ("本回合时间已到：不能再采取行动或撤销。", "Time is up for this round: no more actions or undos."),
    "act_submitted": ("{who}已为全组提交本回合决策：不能再采取行动或撤销。",
                      "{who} submitted the round for the team: no more actions or undos."),
    "teammates_title_round": ("组员本回合的行动（{n}）", "Teammates' moves this round ({n})"),
    "result_title": ("{name}结果（第 {first}–{last} 周）", "{name} results (weeks {first}–{last})"),
    "result_earlier": ("上一回合结果：{name}（第 {first}–{last} 周）", "Last round's results: {name} (weeks {first}–{last})"),
    "result_week": ("第 {week} 周", "Week {week}"),
    "result_right": ("判断正确 ✔", "judged right ✔"),
    "result_wrong": ("判断有误 ✘", "judged wrong ✘"),
    "mate_mark": ("✓ {who}：{action}", "✓ {who}: {action}"),
    "result_no_moves": ("本组这一周没有采取行动（默认决策：不行动）。",
                        "Your team took no action this week (the default decision: no action)."),
    "result_later_week": ("回合的行动都在第 {first} 周执行；这一周没有新行动。",
                          "A round's moves are all played in week {first}: no new moves this week."),
    "result_followups": ("本回合行动过的商机这一周：", "The deals your team acted on, this week:"),
    "result_followups_none": ("本回合行动过的商机这一周没有变化。", "No change this week for the deals your team acted on."),
    "news_title": ("市场动态", "Market news"),
    "err_round_moved": ("回合已经有了变化，看板已经更新：请重新查看后再操作。",
                        "The round has moved on and the board has caught up: look again, then act."),
    # errors (also raised as ValueError with the English text)
    "err_unknown_deal": ("没有编号为 {deal} 的商机。", "There is no deal {deal!r}."),
    "err_not_created": ("这个商机第 {week} 周才出现。", "Deal {deal} only appears in week {week}."),
    "err_closed": ("这个商机已经关闭，不能再采取行动。", "Deal {deal} is closed and cannot be acted on."),
    "err_twice": (
        "本周已经对这个商机采取过行动了，下周再来。",
        "Deal {deal} has already been acted on this week; one action per deal per week.",
    ),
    "err_unknown_action": ("没有这个行动。", "Unknown action {action!r}."),
    "err_action": ("这个行动不适合“{stage}”阶段。", "Action {action!r} does not fit stage {stage!r}."),
    "err_no_selection": ("请先选择一个商机。", "Select a deal first."),
    "err_nothing_to_classify": ("没有待判断的客户回复：先对一个商机采取行动。",
                                "No customer reply to classify: act on a deal first."),
    "err_answer": (
        "请选择订单、推进、延续或无法成交。",
        "The answer must be one of order, advance, continuation, no_sale; got {answer!r}.",
    ),
    "err_end": ("模拟已经到了最后一周（第 {week} 周）。", "The simulation has reached its last week ({week})."),
    "err_nothing_to_undo": ("已经在第 0 周，没有可以撤销的了。", "Already at week 0: nothing to undo."),
    "err_stage": ("没有这个阶段。", "Unknown open stage {stage!r}."),
    "err_page": ("没有这一页。", "Page {page!r} does not exist for stage {stage!r} (pages 1 to {pages})."),
    # people layer (Simulation(..., people=PeopleParams()))
    "style": ("风格", "Style"),
    "style_none": ("不指定风格", "no particular style"),
    "style_tip": ("按听众的全脑类型呈现价值：风格相符更易推进，不符则更难",
                  "Present value in the audience's whole-brain style: a match helps, a mismatch hurts"),
    "style_mark": ("风格 {style}", "style {style}"),
    "err_people_action": ("这个行动需要人员层。", "Action {action!r} needs the people layer "
                          "(Simulation(world, seed, people=PeopleParams()))."),
    "err_style_people": ("指定风格需要人员层。", "A style needs the people layer "
                         "(Simulation(world, seed, people=PeopleParams()))."),
    "err_style_action": ("只有呈现价值的行动才能指定风格。",
                         "A style applies to present-value actions only, not to {action!r}."),
    "err_style": ("风格不对：{why}", "Bad style: {why}"),
}
