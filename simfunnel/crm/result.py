"""The result of an import (:class:`ImportResult`, its report in en or zh) and the rejects written for Excel.

Used by :mod:`simfunnel.crm.importer` (which re-exports all of it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simfunnel.crm.zh import reason_zh, warning_zh
from simfunnel.model.history import History

__all__ = ["REJECT_COLUMNS", "ImportResult", "neutralise", "reason_kind", "write_rejects"]


# --- the result ---------------------------------------------------------------------------------------

REJECT_COLUMNS = ("file", "line", "column", "value", "reason", "row")


@dataclass(repr=False)
class ImportResult:
    """What :func:`load` gives: the :class:`History`, the rejected rows and what was assumed.

    Attributes:
        history: the imported deals (and events/snapshots when the export has stage history).
        rejects: one row per refused input row: ``file``, ``line`` (1-based; header = line 1;
            the sheet row for .xlsx), ``column``, ``value``, ``reason`` and the original ``row`` (dict).
        warnings: what was detected or assumed (date order, currency, funnel built from the export …).
        summary: ``rows_read``, ``imported``, ``rejected`` (``rows_read == imported + rejected``),
            ``by_status``, ``currency``, ``weeks`` (week0 date, start_week, end_week), ``source``, ``file``;
            with ``history=``: ``history_rows``, ``events``, ``history_rejected``.
        source, path: the ``source=`` used and the file read.
    """

    history: History
    rejects: pd.DataFrame
    warnings: list[str]
    summary: dict[str, Any]
    source: str
    path: str
    encoding: str | None = None

    def report(self, lang: str = "en") -> str:
        """A readable summary of the import (``lang="zh"`` for Chinese labels)."""
        s = self.summary
        zh = lang == "zh"
        L = (lambda en, cn: cn if zh else en)
        status = s.get("by_status", {})
        w = s.get("weeks", {})
        lines = [
            L(f"Import of {s['file']} ({self.source})", f"导入 {s['file']}（{self.source}）"),
            L(f"  rows read {s['rows_read']:,}: imported {s['imported']:,}, rejected {s['rejected']:,}",
              f"  读取 {s['rows_read']:,} 行：导入 {s['imported']:,}，拒收 {s['rejected']:,}"),
            L(f"  deals: {status.get('open', 0):,} open, {status.get('won', 0):,} won, {status.get('lost', 0):,} lost",
              f"  商机：进行中 {status.get('open', 0):,}，赢单 {status.get('won', 0):,}，丢单 {status.get('lost', 0):,}"),
            L(f"  currency {s['currency']}; weeks 0-{w.get('end_week', 0)} from {w.get('week0', '?')} "
              f"(period {w.get('start_week', 0)}-{w.get('end_week', 0)})",
              f"  币种 {s['currency']}；第 0-{w.get('end_week', 0)} 周，第 0 周始于 {w.get('week0', '?')}"
              f"（分析期 {w.get('start_week', 0)}-{w.get('end_week', 0)} 周）"),
            L(f"  funnel {self.history.funnel.name}: " + " → ".join(st.en for st in self.history.funnel.stages),
              f"  漏斗 {self.history.funnel.name}：" + " → ".join(st.zh for st in self.history.funnel.stages)),
        ]
        if "history_rows" in s:
            lines.append(L(f"  stage history: {s['history_rows']:,} rows, {s['events']:,} events, "
                           f"{s['history_rejected']:,} rejected",
                           f"  阶段历史：{s['history_rows']:,} 行，{s['events']:,} 个事件，拒收 {s['history_rejected']:,} 行"))
        if len(self.rejects):
            kind = (lambda r: reason_kind(reason_zh(r), zh=True)) if zh else reason_kind
            counts = self.rejects["reason"].map(kind).value_counts()
            lines.append(L("  rejected rows by reason:", "  拒收原因："))
            lines += [f"    {n:>6,}  {k}" for k, n in counts.items()]
            first = self.rejects.iloc[0]
            lines.append(L(f"  e.g. {first['file']} line {first['line']}: {first['reason']}",
                           f"  例如 {first['file']} 第 {first['line']} 行：{reason_zh(first['reason'])}"))
        if self.warnings:
            lines.append(L("  warnings:", "  提示："))
            lines += [f"    - {warning_zh(w) if zh else w}" for w in self.warnings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = self.summary
        return (f"<ImportResult {self.source} {s['file']!r}: {s['rows_read']} rows, {s['imported']} imported, "
                f"{s['rejected']} rejected, {len(self.warnings)} warnings, {s['currency']}>")


def reason_kind(reason: str, zh: bool = False) -> str:
    """The reason without its row-specific values (for counting)."""
    return re.split(r"[:(',：（]" if zh else r"[:(',]", str(reason), maxsplit=1)[0].strip()


# --- excel-safe rejects ---------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A cell made safe to open in Excel: text starting with = + - @ (or tab/CR) gets a leading quote."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def write_rejects(rejects: pd.DataFrame, path: str | Path) -> Path:
    """Write the rejects as CSV (UTF-8 with BOM so Excel shows Chinese), formulas neutralised."""
    out = rejects.copy()
    if "row" in out:
        out["row"] = out["row"].map(lambda r: json.dumps(r, ensure_ascii=False, default=str))
    for col in out.columns:
        out[col] = out[col].map(neutralise)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path
