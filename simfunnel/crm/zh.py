"""The import report in Chinese: the importer's warnings and reject reasons, said in zh (``report("zh")``).

The importer writes its warnings and reasons in English (they go into logs and CSVs as they are); under
``--lang zh`` the report translates each by pattern (:func:`warning_zh`, :func:`reason_zh`). A text no pattern
knows is shown as it is — ``tests/test_crm_zh.py`` imports the kit's fixtures and checks that the zh report
holds no English word but file and column names.

    >>> reason_zh("unreadable amount 'abc'")
    "金额无法读取：'abc'"
    >>> warning_zh("no currency in the file; amounts taken as CNY (pass currency= if not)")
    '文件里没有币种，金额按 CNY 处理（如果不是，请用 currency= 指定）'
"""

from __future__ import annotations

import re

__all__ = ["warning_zh", "reason_zh"]

_ORDER = {"day-first (d/m/y)": "日/月/年", "month-first (m/d/y, US dates)": "月/日/年（美式）"}


def _order(text: str) -> str:
    return _ORDER.get(text, text)


def _lines(text: str) -> str:
    return text.replace(" …", "……")


_WARNINGS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"^(.+?): column (.+?): dates read (.+?), detected from values like (.+?)"
                r"(?:; (\d+) dates fit only the other order and are rejected)?$"),
     lambda m: f"{m[1]}：列 {m[2]} 的日期按{_order(m[3])}读取（由 {m[4]} 这样的值判断）"
               + (f"；{m[5]} 个日期只符合另一种顺序，已拒收" if m[5] else "")),
    (re.compile(r"^(.+?): column (.+?): dates like (.+?) read (.+?), as the file's other date columns show$"),
     lambda m: f"{m[1]}：列 {m[2]} 里 {m[3]} 这样的日期按{_order(m[4])}读取，和文件里其他日期列一致"),
    (re.compile(r"^(.+?): column (.+?): (\d+) dates like (.+?) could be day-first or month-first and nothing in the "
                r"file decides; read (.+?) as (\S+) exports usually are; pass (\S+) if that is wrong$"),
     lambda m: f"{m[1]}：列 {m[2]} 有 {m[3]} 个 {m[4]} 这样的日期，既可能是日/月/年也可能是月/日/年，文件里没有"
               f"能判断的值；按 {m[6]} 导出的习惯读作{_order(m[5])}；不对的话请传 {m[7]}"),
    (re.compile(r"^(.+?): (\d+) lines above the header row skipped as a report title: line (.+)$"),
     lambda m: f"{m[1]}：表头上方 {m[2]} 行是报表标题，已跳过：第 {_lines(m[3])} 行"),
    (re.compile(r"^(\d+) unreadable probabilities ignored \(column (.+?)\)$"),
     lambda m: f"{m[1]} 个无法读取的概率已忽略（列 {m[2]}）"),
    (re.compile(r"^(\d+) amounts without a value( \(blank or 0\))? in the export taken from the price list (.+?) "
                r"\(column (.+?)\): list prices, not negotiated amounts \(deal column amount_source says which\)$"),
     lambda m: f"导出里 {m[1]} 个没有金额{'（空或 0）' if m[2] else ''}的商机取了价目表 {m[3]}（列 {m[4]}）的价格："
               "这是目录价，不是谈判后的金额（商机的 amount_source 列注明了来源）"),
    (re.compile(r"^deals from (\d+) pipelines \((.+?)\) share one funnel; filter one pipeline first if their stages "
                r"differ \(deal column pipeline\)$"),
     lambda m: f"{m[1]} 条销售流水线（{m[2]}）的商机共用一个漏斗；如果它们的阶段不同，请先筛选出一条（商机的 pipeline 列）"),
    (re.compile(r"^(\d+) open deals expect to close before they were created \(kept as written\)$"),
     lambda m: f"{m[1]} 个进行中的商机预计成交日期早于创建日期（按原样保留）"),
    (re.compile(r"^(\d+) rows where (.+?) says (\w+) but the stage says (\w+): the stage decides, as in the CRM "
                r"\(lines (.+?); --trust-flags rejects them instead\)$"),
     lambda m: f"{m[1]} 行的 {m[2]} 标记为{_STATUS.get(m[3], m[3])}，阶段却是{_STATUS.get(m[4], m[4])}："
               f"和客户管理系统一样，以阶段为准（第 {_lines(m[5])} 行；加 --trust-flags 则拒收这些行）"),
    (re.compile(r"^(\d+) rows where (.+?) is true but (.+?) is false \(the stage says (\w+)\): the stage decides, as in "
                r"the CRM \(lines (.+?); --trust-flags rejects them instead\)$"),
     lambda m: f"{m[1]} 行的 {m[2]} 为真、{m[3]} 却为假（阶段是{_STATUS.get(m[4], m[4])}）：以阶段为准（第 "
               f"{_lines(m[5])} 行；加 --trust-flags 则拒收这些行）"),
    (re.compile(r"^currency symbols read (.+?) \(pass currency= if they mean another currency\)$"),
     lambda m: f"货币符号读作 {m[1]}（如果指的是别的币种，请用 currency= 指定）"),
    (re.compile(r"^no currency in the file; amounts taken as (\w+) \(pass currency= if not\)$"),
     lambda m: f"文件里没有币种，金额按 {m[1]} 处理（如果不是，请用 currency= 指定）"),
    (re.compile(r"^(.+?): (\d+) rows rejected$"), lambda m: f"{reason_zh(m[1])}：拒收 {m[2]} 行"),
    (re.compile(r"^(.+?): the stage history lists changes newest first; read oldest first$"),
     lambda m: f"{m[1]}：阶段历史按从新到旧排列，已按从旧到新读取"),
    (re.compile(r"^(\d+) deals without a created date dated at as_of (\S+) \(deal column created_assumed\): their age "
                r"in the funnel is unknown$"),
     lambda m: f"{m[1]} 个没有创建日期的商机按导出日 {m[2]} 记为创建（商机的 created_assumed 列）：它们在漏斗里待了多久不得而知"),
    (re.compile(r"^(\d+) deals have an amount of 0 in the export .*$"),
     lambda m: f"导出里有 {m[1]} 个商机金额为 0（有些系统没填金额时写 0）：它们在任何门槛下都在漏斗外；请补上金额或筛掉"),
    (re.compile(r"^(\d+) opportunities end their stage history in another stage than (.+?) says \(e\.g\. (.+?): "
                r"history (.+?), export (.+?)\)$"),
     lambda m: f"{m[1]} 个商机的阶段历史最后停在的阶段和 {m[2]} 不一致（例如 {m[3]}：历史 {m[4]}，导出 {m[5]}）"),
    (re.compile(r"^no stage history: closed deals have no closing event and the weekly snapshots show each deal in "
                r"its current stage from its creation week$"),
     lambda m: "没有阶段历史：已关闭的商机没有关闭事件，逐周快照从创建那周起就显示它现在的阶段"),
    (re.compile(r"^no dates: an outcome-only file .*$"),
     lambda m: "没有日期：只有结果的文件——可以算总体赢单比例、按门槛计数和校准；逐周指标、销售预计和蒙特卡洛需要创建和关闭日期"),
    # the Maven worked example's own notes (simfunnel.crm.maven)
    (re.compile(r"^Maven example: (\d+) Prospecting deals have no date; taken as created in the export's last week "
                r"\((\S+)\): they are in the pipeline now and have no past$"),
     lambda m: f"示例数据：{m[1]} 个初步接触阶段的商机没有日期，按导出文件的最后一周（{m[2]}）记为创建：它们现在在漏斗里，"
               "没有过去"),
    (re.compile(r"^Maven example: (\d+) lost deals record close_value 0; their product's list price stands in "
                r"\(amount_source = price_list\), so lost amounts are list prices$"),
     lambda m: f"示例数据：{m[1]} 个丢单的成交金额记为 0，用其产品的目录价代替（amount_source = price_list），"
               "所以丢单金额是目录价"),
    (re.compile(r"^Maven example: (\d+) closing events rebuilt Engaging → Won/Lost at the close date \(every closed "
                r"deal has an engage date\); deals lost before engaging are not in the export$"),
     lambda m: f"示例数据：按关闭日期重建了 {m[1]} 个关闭事件（跟进中 → 赢单/丢单；每个已关闭的商机都有跟进日期）；"
               "在跟进之前就丢掉的商机不在导出里"),
    (re.compile(r"^Maven example: (\d+) deals have no account \(all open\); kept without one$"),
     lambda m: f"示例数据：{m[1]} 个商机没有客户（都在进行中），照样保留"),
    (re.compile(r"^Maven example: win rate measured at Engaging = won / closed = (\S+); Prospecting's cannot be "
                r"measured \(no Prospecting deal has closed yet\) and is set equal to it$"),
     lambda m: f"示例数据：跟进中阶段实测赢率 = 赢单 ÷ 已关闭 = {m[1]}；初步接触阶段测不出来（还没有一个关闭），"
               "取同样的值"),
    (re.compile(r"^Maven example: win rates left at 0\.5 placeholders$"), lambda m: "示例数据：赢率暂定为 0.5"),
    (re.compile(r"^Maven example: no quota in the export; the mean quarterly bookings stand in: (\S+) (\w+)$"),
     lambda m: f"示例数据：导出里没有销售任务，用平均每季度成交额代替：{m[1]} {m[2]}"),
    (re.compile(r"^days in pipeline \(column (.+?)\) kept as the deal column days: with no created or close date "
                r"they cannot date the deals$"),
     lambda m: f"在漏斗中的天数（列 {m[1]}）保留为商机的 days 列：没有创建或关闭日期，无法用它推出日期"),
    (re.compile(r"^funnel built from the export's own open stages \((.+?)\), in order of first appearance; (.+)$"),
     lambda m: f"漏斗按导出文件自己的进行中阶段（{m[1]}）建立，按第一次出现的顺序；{_rates(m[2])}"),
    (re.compile(r"^funnel built from the export's own open stages \((.+?)\), in (\w+)'s default pipeline order; (.+)$"),
     lambda m: f"漏斗按导出文件自己的进行中阶段（{m[1]}）建立，按 {m[2]} 默认流水线的顺序；{_rates(m[3])}"),
]
_STATUS = {"won": "赢单", "lost": "丢单", "open": "进行中"}


def _rates(text: str) -> str:
    if text.startswith("win rates are 0.5 placeholders"):
        return "赢率暂定为 0.5：请用数据测一测"
    if text.startswith("win rates are the export's mean probabilities of open deals"):
        return "赢率取导出里进行中商机的平均概率，不是实测的"
    if text.startswith("win rates are the export's mean probabilities where it has them"):
        return "有概率的阶段取导出里的平均概率，其余暂定为 0.5：请用数据测一测"
    return text


_REASONS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"^unreadable amount (.+)$"), lambda m: f"金额无法读取：{m[1]}"),
    (re.compile(r"^negative amount (.+)$"), lambda m: f"金额为负：{m[1]}"),
    (re.compile(r"^missing amount$"), lambda m: "没有金额"),
    (re.compile(r"^missing amount, and product (.+?) is not in the price list (\S+?)(?: \(closest: (.+?); add an "
                r"alias\))?$"),
     lambda m: f"没有金额，产品 {m[1]} 也不在价目表 {m[2]} 里" + (f"（最接近的：{m[3]}；请加一个别名）" if m[3] else "")),
    (re.compile(r"^out of date order: opportunity (.+?) changes on (\S+), before its previous change on (\S+) \(line "
                r"order is not chronological\)$"),
     lambda m: f"日期顺序不对：商机 {m[1]} 在 {m[2]} 的变更早于它上一次在 {m[3]} 的变更（各行不是按时间排列的）"),
    (re.compile(r"^missing id$"), lambda m: "没有编号"),
    (re.compile(r"^missing opportunity id$"), lambda m: "没有商机编号"),
    (re.compile(r"^missing stage$"), lambda m: "没有阶段"),
    (re.compile(r"^duplicate id (.+?) \(first on line (\d+)\)$"), lambda m: f"编号 {m[1]} 重复（第一次出现在第 {m[2]} 行）"),
    (re.compile(r"^unreadable days in pipeline (.+?) \(expected a number of days\)$"),
     lambda m: f"在漏斗中的天数无法读取：{m[1]}（应为天数）"),
    (re.compile(r"^days in pipeline must be 0 or more, got (.+)$"), lambda m: f"在漏斗中的天数不能为负：{m[1]}"),
    (re.compile(r"^missing days in pipeline .*$"), lambda m: "没有在漏斗中的天数（创建日期按关闭日期减去天数推出）"),
    (re.compile(r"^open deal without a created date: its days in pipeline count to the export's date \(give "
                r"as_of=\)$"), lambda m: "进行中的商机没有创建日期：它的天数要从导出日往前算（请给出 as_of=）"),
    (re.compile(r"^missing created date.*$"), lambda m: "没有创建日期（as_of= 可以把这样的商机记在导出日）"),
    (re.compile(r"^unreadable (.+?) date (.+)$"), lambda m: f"{_DATE.get(m[1], m[1])}日期无法读取：{m[2]}"),
    (re.compile(r"^(won|lost) deal without a close date$"), lambda m: f"{_STATUS[m[1]]}的商机没有关闭日期"),
    (re.compile(r"^close date (\S+) is before the created date (\S+)$"),
     lambda m: f"关闭日期 {m[1]} 早于创建日期 {m[2]}"),
    (re.compile(r"^unknown stage (.+?) \((.*)\); map it with (.+)$"),
     lambda m: f"未知阶段 {m[1]}（{_closest(m[2])}）；请用 {m[3]} 对应"),
    (re.compile(r"^unknown status (.+?) \(expected open, won or lost\)$"),
     lambda m: f"未知状态 {m[1]}（应为 open、won 或 lost）"),
    (re.compile(r"^won/lost contradiction: (.+?) is true but (.+?) is false$"),
     lambda m: f"赢单/丢单矛盾：{m[1]} 为真，{m[2]} 却为假"),
    (re.compile(r"^won/lost contradiction: stage (.+?) \((\w+)\) contradicts (.+?) = (.+?) \((\w+)\)$"),
     lambda m: f"赢单/丢单矛盾：阶段 {m[1]}（{_STATUS.get(m[2], m[2])}）和 {m[3]} = {m[4]}"
               f"（{_STATUS.get(m[5], m[5])}）矛盾"),
    (re.compile(r"^amount (.+?) is in (.+?) but the currency column says (\w+)$"),
     lambda m: f"金额 {m[1]} 的币种是 {m[2]}，币种列却写着 {m[3]}"),
    (re.compile(r"^report footer or total line (.+?), not a deal$"), lambda m: f"报表的页脚或合计行 {m[1]}，不是商机"),
    (re.compile(r"^row has (\d+) cells but the header has (\d+) columns.*$"),
     lambda m: f"这一行有 {m[1]} 个单元格，表头只有 {m[2]} 列（单元格里有没加引号的分隔符？）"),
    (re.compile(r"^row cut inside a quoted cell.*$"), lambda m: "这一行在带引号的单元格里被截断（导出文件不完整？）"),
    (re.compile(r"^unreadable (.+?) value (.+?) \(expected true/false\)$"),
     lambda m: f"{m[1]} 的值 {m[2]} 无法读取（应为 true 或 false）"),
    (re.compile(r"^currency (\w+): several currencies: (.+?); convert or filter first \(kept (\w+), the (chosen|most "
                r"common) currency\)$"),
     lambda m: f"币种 {m[1]}：文件里有多种币种（{m[2]}），请先换算或筛选（保留 {m[3]}，"
               f"{'指定的币种' if m[4] == 'chosen' else '最常见的币种'}）"),
    (re.compile(r"^several currencies: (.+?); convert or filter first \(kept (\w+), the (chosen|most common) "
                r"currency\)$"),
     lambda m: f"文件里有多种币种（{m[1]}），请先换算或筛选（保留 {m[2]}，"
               f"{'指定的币种' if m[3] == 'chosen' else '最常见的币种'}）"),
]
_DATE = {"created": "创建", "close": "关闭", "expected close": "预计成交", "won time": "赢单", "lost time": "丢单"}


def _closest(text: str) -> str:
    text = re.sub(r"^closest: ", "最接近的：", text)
    return re.sub(r"^funnel (.+?) has (.+)$", r"漏斗 \1 的阶段是 \2", text)


def _translate(text: str, table) -> str:
    for pattern, say in table:
        m = pattern.match(str(text))
        if m:
            return say(m)
    return str(text)


def warning_zh(text: str) -> str:
    """An import warning in Chinese (as it is when no pattern knows it)."""
    return _translate(text, _WARNINGS)


def reason_zh(text: str) -> str:
    """A reject reason in Chinese (as it is when no pattern knows it)."""
    return _translate(text, _REASONS)
