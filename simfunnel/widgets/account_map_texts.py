"""The AccountMap's texts as (zh, en) pairs, and :class:`MapError`, the map's refusals in both languages.

``AccountMap.TEXT`` is :data:`MAP_TEXT`.

    >>> str(MapError("err_role", role="cook", roles="coach"))
    "Unknown role 'cook'; roles to meet are coach."
"""

from __future__ import annotations

from simfunnel.widgets.base import Pair

__all__ = ["MAP_TEXT", "MapError"]

MAP_TEXT: dict[str, Pair] = {
    "title": ("客户地图", "Account map"),
    "intro": (
        "看清客户的组织：谁决策（鹰）、谁使用（羊）、谁把关（驴）、谁采购（狐），各人是哪种全脑类型，"
        "你见过谁。按课程的分析顺序走：发展向导 → 收集信息 → 分析组织 → 判断商机。"
        "这里的行动会成为商机看板上本周的行动；见面从下一周起生效。",
        "See the customer's organisation: who decides (eagle), who uses (sheep), who guards (donkey), "
        "who buys (fox), each person's whole-brain type, and whom you have met. Follow the course's "
        "analysis order: find a coach → gather information → analyse the organisation → judge the "
        "opportunity. Actions here become this week's moves on the DealBoard; a meeting counts from the next week.",
    ),
    "account": ("客户", "Account"),
    "deal": ("商机", "Deal"),
    "next_week": ("下一周 ▶", "Next week ▶"),
    "next_tip": ("执行本周所有行动（包括商机看板上的），进入下一周",
                 "Apply this week's actions (the DealBoard's too) and move to the next week"),
    "week": ("第 {week} 周", "Week {week}"),
    "account_option": ("{name} · {segment} · {n} 个商机", "{name} · {segment} · {n} deals"),
    "account_option_one": ("{name} · {segment} · {n} 个商机", "{name} · {segment} · {n} deal"),
    "account_option_none": ("{name} · {segment} · 暂无在途商机", "{name} · {segment} · no open deals"),
    "deal_option": ("#{deal} · {stage} · {amount} · 本阶段 {weeks} 周", "#{deal} · {stage} · {amount} · {weeks} wk in stage"),
    "customer_existing": ("老客户（我方份额 {share}）", "existing customer ({share} share of wallet)"),
    "customer_new": ("新客户", "new customer"),
    "potential": ("采购潜力 {amount}", "potential {amount}"),
    "facts_met": ("已拜访 {met}/{n} 人", "met {met} of {n} people"),
    "open_deals": ("在途商机 {n} 个，{amount}", "{n} open deals worth {amount}"),
    "open_deal": ("在途商机 {n} 个，{amount}", "{n} open deal worth {amount}"),
    "no_open_deals": ("这个客户现在没有在途商机。", "This account has no open deal now."),
    "reveal_note": ("讲师视图：显示全部角色和类型（学员看不到未知信息）",
                    "Trainer's view: every role and type shown (trainees don't see what is unknown)"),
    # the guided path
    "path_title": ("分析路径", "Guided path"),
    "step_1": ("发展向导", "Find a coach"),
    "step_2": ("收集信息", "Gather information"),
    "step_3": ("分析组织", "Analyse the organisation"),
    "step_4": ("判断商机", "Judge the opportunity"),
    "do_1": ("在客户内部找到向导：他会告诉你谁决策、谁把关，以及项目的真实进展。",
             "Find a coach inside the customer: they tell you who decides, who guards, and the project's real state."),
    "do_2": ("拜访决策者和把关者，用 SPIN 需求访谈把客户谈到的问题和不满（隐性需求）变成明确需求。",
             "Meet the decision maker and the gatekeepers; a SPIN needs interview turns the problems and "
             "dissatisfactions the customer mentions (implied needs) into explicit needs."),
    "do_3": ("看清谁拍板、怎么拍板，再按听众的全脑类型呈现价值。",
             "See who decides and how, then present value in the audience's whole-brain style."),
    "do_4": ("向导告诉你每个商机下周的真实机会和风险；再看五个购买要素，决定在哪里投入。",
             "The coach tells you each deal's real chances next week and its risk; with the five purchase "
             "factors, decide where to spend your time."),
    "done_mark": ("✓ 已完成", "✓ done"),
    "deal_busy": ("商机 #{deal} 本周已经安排了行动：选另一个商机，或者进入下一周。",
                  "Deal #{deal} already has an action this week: choose another deal, or play the week."),
    "now_mark": ("▶ 当前步骤", "▶ current step"),
    "coach_met": ("向导：{name}（{role}），第 {week} 周见面。", "Coach: {name} ({role}), met in week {week}."),
    "coach_none": ("第 {week} 周尝试过：这个客户里没有人愿意做向导，只能自己收集信息。",
                   "Tried in week {week}: nobody in this account will be your coach; gather information yourself."),
    "coach_not_yet": ("还没有向导。", "No coach yet."),
    "coach_left": ("向导在第 {week} 周离开了客户：重新发展向导。", "The coach left in week {week}: find a new one."),
    "planned": ("本周已安排：{what}", "Planned this week: {what}"),
    "met_summary": ("已拜访 {met}/{n} 人：{names}", "Met {met} of {n}: {names}"),
    "met_nobody": ("还没有拜访任何人。", "Nobody met yet."),
    "dm_met": ("决策者已见：{names}", "Decision maker met: {names}"),
    "dm_not_met": ("还没有见到决策者（鹰）：没有决策者，商机会卡在购买承诺。",
                   "Decision maker (eagle) not met yet: without one, deals stall at commitment."),
    "gk_met": ("把关者已见：{names}", "Gatekeeper met: {names}"),
    "gk_not_met": ("还没有见到把关者（驴）。", "No gatekeeper (donkey) met yet."),
    "gk_none": ("这个客户没有把关者。", "This account has no gatekeeper."),
    "need_explicit": ("这个商机的需求：明确（客户明确说出了要解决什么、要什么）",
                      "This deal's need: explicit (the customer stated clearly what they want solved)"),
    "need_implicit": ("这个商机的需求：隐性（客户只谈了问题和不满，还没有明确的需求）：用 SPIN 需求访谈挖掘",
                      "This deal's need: implied (the customer only spoke of problems and dissatisfaction): dig with "
                      "a SPIN needs interview"),
    "deciders": ("决策层：{names}", "Decision level: {names}"),
    "collective": ("三重一大：国有客户金额超过 {amount} 的商机集体决策，需要见到至少 {k} 位决策层联系人（已见 {met} 位）。",
                   "Collective decision: at a state-owned account, deals above {amount} need at least {k} "
                   "decision-level contacts met ({met} met)."),
    "styled_done": ("已按风格呈现价值：{what}", "Value presented in a style: {what}"),
    "audience": ("听众", "Audience"),
    "audience_default": ("决策者（默认）", "the decision maker (default)"),
    "style": ("风格", "Style"),
    "style_choose": ("— 请选择风格 —", "— choose a style —"),
    "pv_action": ("行动", "Action"),
    "present": ("呈现价值", "Present value"),
    "present_tip": ("按选定的风格向听众呈现价值", "Present value to the audience in the chosen style"),
    "audience_brain": ("听众 {name}：{brain}", "Audience {name}: {brain}"),
    "audience_unknown": ("还不知道 {name} 的全脑类型：先见一面，或者猜。",
                         "You don't know {name}'s whole-brain type yet: meet them first, or guess."),
    "no_dm": ("这个客户没有决策者：请选一位听众。", "This account has no decision maker: choose an audience."),
    "fits_at": ("“{action}”适合这些阶段：{stages}；这个商机在“{stage}”。",
                "“{action}” fits at {stages}; this deal is at {stage}."),
    "fits_other": ("本客户可用的商机：{deals}", "Deals of this account where it fits: {deals}"),
    "report_title": ("向导的报告（第 {week} 周）", "The coach's report (week {week})"),
    "report_deal": ("商机", "Deal"),
    "report_stage": ("阶段", "Stage"),
    "report_amount": ("金额", "Amount"),
    "report_advance": ("下周推进机会", "Advance next week"),
    "report_loss": ("下周丢单风险", "Loss next week"),
    "report_weakest": ("最弱要素", "Weakest factor"),
    "report_risk": ("判断", "Verdict"),
    "report_need": ("需求", "Need"),
    "report_need_yes": ("明确", "explicit"),
    "report_need_no": ("隐性", "implicit"),
    "report_find_coach": ("先找到向导：只有向导能告诉你商机的真实机会和风险。",
                          "Find a coach first: only a coach can tell you the deals' real chances and risk."),
    "report_no_coach": ("这个客户没有向导：只能根据自己见到的情况判断。",
                        "This account has no coach: judge from what you have seen yourself."),
    "report_none": ("没有在途商机。", "No open deals."),
    "factors_title": ("商机 #{deal} 的五个购买要素（1 很弱 … 5 很强）",
                      "Deal #{deal}'s five purchase factors (1 very weak … 5 very strong)"),
    "moves_title": ("本周在这个客户上的行动", "This week's actions on this account"),
    "move_line": ("#{deal} · {action}", "#{deal} · {action}"),
    "classify_here": ("这是哪种结果？看客户做了什么。", "Which outcome is this? Judge by what the customer does."),
    "no_moves": ("本周还没有在这个客户上安排行动。", "No action planned on this account this week."),
    "style_mark": ("风格 {style}", "style {style}"),
    "to_classify": ("待判断", "to classify"),
    # errors (raised as ValueError with the English text; shown in the map's language)
    "err_people": ("客户地图需要人员层：Simulation(world, seed, people=PeopleParams())",
                   "The AccountMap needs the people layer: Simulation(world, seed, people=PeopleParams())."),
    "err_source": ("请传入商机看板或模拟。", "Expected a DealBoard or a Simulation, got {got}."),
    "err_account": ("没有这个客户。", "There is no account {account!r}."),
    "err_no_open": ("这个客户现在没有在途商机。", "Account {account} has no open deal at week {week}."),
    "err_deal": ("没有这个商机。", "There is no deal {deal!r}."),
    "err_other_account": ("这个商机属于另一个客户。", "Deal {deal} belongs to account {other}, not to account {account}."),
    "err_deal_closed": ("这个商机已经关闭。", "Deal {deal} is closed ({stage}) and cannot be worked on."),
    "err_deal_later": ("这个商机还没有出现。", "Deal {deal} only appears in week {week}."),
    "err_deal_below": ("这个商机低于小单门槛，不在漏斗里。", "Deal {deal} is below the board's threshold: outside the funnel."),
    "err_no_deal": ("请先选择一个商机。", "Choose an open deal of the account first."),
    "err_action_unknown": ("没有这个行动。", "Unknown action {action!r}."),
    "err_role": ("没有这个角色。", "Unknown role {role!r}; roles to meet are {roles}."),
    "err_no_pv": ("这个商机的阶段没有呈现价值的行动。",
                  "No present-value action fits deal {deal} at stage {stage}; they fit at {stages}."),
    "err_pv_action": ("这不是呈现价值的行动。", "{action!r} is not a present-value action; they are {actions}."),
    "err_choose_style": ("请先选择风格。", "Choose a style (A, B, C or D) first."),
    "err_audience": ("听众必须是这个客户的联系人。", "The audience {contact!r} is not a contact of account {account}."),
    "err_audience_style": ("指定听众时也要指定风格。", "An audience needs a style: present_value(style, audience=...)."),
}


class MapError(ValueError):
    """A ValueError whose message the map also shows in Chinese (``key`` into ``AccountMap.TEXT``)."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key, self.fields = key, fields
        super().__init__(MAP_TEXT[key][1].format(**fields))
