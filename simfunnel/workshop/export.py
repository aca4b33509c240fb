"""Exporting the workshop store: its moves and leaderboard as ``.xlsx`` or ``.csv``, safe to open in Excel."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import pandas as pd

from simfunnel.workshop.errors import StoreError

__all__ = ["ExportMixin", "excel_safe_text"]


class ExportMixin:
    """:class:`~simfunnel.workshop.store.WorkshopStore`'s export (of :meth:`moves` and :meth:`leaderboard`)."""

    def export(self, path: str | os.PathLike) -> list[Path]:
        """Write the moves and the leaderboard, safe to open in Excel; returns the files written.

        ``.xlsx``: one workbook with the sheets ``moves`` and ``leaderboard``. ``.csv``: the
        moves in ``path`` and the leaderboard in ``<stem>-leaderboard.csv`` (UTF-8 with a
        BOM, so Excel shows Chinese). Text cells starting with ``=``, ``+``, ``-``, ``@``
        (or their full-width forms), a tab or a carriage return get a leading ``'`` so
        Excel never runs them as formulas; numbers stay numbers. Timestamps are UTC text.

        Raises:
            StoreError: another suffix.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise StoreError(f"{path}: export to .csv or .xlsx")
        moves = _excel_safe(self.moves())
        board = _excel_safe(self.leaderboard())
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".xlsx":
            def write_xlsx(tmp: Path) -> None:
                with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                    moves.to_excel(writer, sheet_name="moves", index=False)
                    board.to_excel(writer, sheet_name="leaderboard", index=False)

            _write_atomic(path, write_xlsx)
            return [path]
        board_path = path.with_name(f"{path.stem}-leaderboard.csv")
        _write_atomic(path, lambda tmp: moves.to_csv(tmp, index=False, encoding="utf-8-sig"))
        _write_atomic(board_path, lambda tmp: board.to_csv(tmp, index=False, encoding="utf-8-sig"))
        return [path, board_path]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def excel_safe_text(value: object) -> object:
    """A text cell made safe for Excel (a leading ``'`` before a formula character); other values as they are.

    Example:
        >>> excel_safe_text("=1+1"), excel_safe_text("-2"), excel_safe_text("ok"), excel_safe_text(-2)
        ("'=1+1", "'-2", 'ok', -2)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(object).where(s.notna(), None)
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = pd.Series([excel_safe_text(json.dumps(list(v)) if isinstance(v, tuple) else v) for v in s],
                                 index=s.index, dtype=object)
    out.columns = [excel_safe_text(str(c)) for c in out.columns]
    return out


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
