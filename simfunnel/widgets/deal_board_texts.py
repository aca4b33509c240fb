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
        "推进 {advanced} 个 · 新增 {new} 个",
        "All deals: {won} won ({won_amount}) · {lost} lost ({lost_amount}) · {advanced} advanced · {new} new",
    ),
    "summary_none": ("这一周你没有采取行动。", "You took no action that week."),
    "undone_move": ("已撤销：{account} 的“{action}”", "Undone: “{action}” on {account}"),
    "undone_week": ("已退回到第 {week} 周", "Back to week {week}"),
    "reset_done": ("已重新开始：第 0 周", "Started again: week 0"),
    # workshop (store) mode: simfunnel.widgets.workshop.TeamBoard
    "team_line": ("工作坊 · {team} · {trainee}", "Workshop · {team} · {trainee}"),
    "team_period": ("本次研讨：第 {first}–{end} 周", "Workshop weeks {first}–{end}"),
    "err_store": ("{zh}", "{en}"),
    "err_workshop_reset": ("工作坊里不能重新开始：每个行动都已记录在案。",
                           "No reset in a workshop: every move is on record."),
    "err_workshop_week": ("工作坊里已经结束的周不能撤销；本周你还没有可撤销的行动。",
                          "In a workshop a closed week cannot be undone, and you have no move this week to undo."),
    "err_caught_up": ("队友已经结束了第 {week} 周，看板已经更新：请重新查看后再操作。",
                      "A teammate closed week {week} and the board has caught up: look again, then act."),
    "caught_up": ("队友已经结束了第 {week} 周，看板已经更新。", "A teammate closed week {week}: the board has caught up."),
    "teammates_title": ("队友本周的行动（{n}）", "Teammates' actions this week ({n})"),
    "teammate_planned": ("队友{who}本周已安排：{action}", "{who} planned this week: {action}"),
    "undo_tip_team": ("撤销你本周最后一个行动", "Undo your last action this week"),
    "next_tip_team": ("为全组结束本周：执行全组本周的所有行动", "Close this week for the whole team: apply every teammate's actions"),
    # workshop rounds (the trainer opens and closes rounds)
    "submit": ("提交本回合决策 ✔", "Submit the round ✔"),
    "submit_tip": ("全组本回合的行动定稿：讲师结束回合时统一执行", "Your team's moves for this round are final: the trainer plays the round"),
    "submitted": ("已提交，等待讲师结束本回合", "Submitted: waiting for the trainer to close the round"),
    "submitted_by": ("{who}已为全组提交本回合决策", "{who} submitted the round for the team"),
    "round_line": ("{name} · 第 {first}–{last} 周", "{name} · weeks {first}–{last}"),
    "round_practice": ("练习回合", "Practice round"),
    "round_number": ("第 {n} 回合", "Round {n}"),
    "round_left": ("剩余 {time}", "{time} left"),
    "round_none": ("等待讲师开始下一回合", "Waiting for the trainer to open the next round"),
    "round_processed": ("本回合已执行：看板已更新到第 {week} 周", "The round has been played: the board is at week {week}"),
    "news_title": ("市场动态", "Market news"),
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
