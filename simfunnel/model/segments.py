"""The attack/defend model (攻守模型): accounts by purchase potential × our share of wallet.

Each account falls in one of four segments, by two cut-offs:

================  =====================  =====================
                  share ≥ share cut-off  share < share cut-off
================  =====================  =====================
potential ≥ cut   ``defend`` 防守         ``attack`` 进攻
potential < cut   ``maintain`` 维持       ``monitor`` 观察
================  =====================  =====================

**Ties go up**: an account exactly at a cut-off is on the high side (``≥``), as in
:func:`simfunnel.model.generate.generate`, so that with the default cut-offs the segments
recomputed here equal the generator's ``segment`` column.

The defaults — potential cut-off = the median potential of the accounts segmented,
share cut-off = 20% of wallet, and the four names — are **the kit's own defaults,
not figures from the course**; a trainer sets them with :class:`Segmentation`.

Functions:

- :func:`segment_accounts` — the accounts with ``segment`` recomputed and ``label``;
- :func:`segment_codes` — the segment of each (potential, share) pair.

The tables per segment (``segment_table``, the balanced ``scorecard``) are in
:mod:`simfunnel.analysis.scorecard`.

The chart is :func:`simfunnel.plots.segment_chart`. This module draws nothing and
imports only numpy and pandas (and the kit's pure modules).

Example:
    >>> import pandas as pd
    >>> acc = pd.DataFrame({"account_id": [1, 2, 3, 4], "potential": [5e6, 5e6, 1e6, 1e6],
    ...                     "share_of_wallet": [0.3, 0.0, 0.2, 0.1]})
    >>> list(segment_accounts(acc, Segmentation(potential_cutoff=2e6)).segment)
    ['defend', 'attack', 'maintain', 'monitor']
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simfunnel import i18n

__all__ = [
    "DEFAULT_SEGMENTS",
    "Segmentation",
    "account_segment_codes",
    "account_values",
    "segment_accounts",
    "segment_codes",
]

# (key, zh, en) in quadrant order: high/high, high/low, low/high, low/low (potential/share).
DEFAULT_SEGMENTS: tuple[tuple[str, str, str], ...] = (
    ("defend", "防守", "Defend"),
    ("attack", "进攻", "Attack"),
    ("maintain", "维持", "Maintain"),
    ("monitor", "观察", "Monitor"),
)

def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class Segmentation:
    """Cut-offs and names of the attack/defend model — the kit's defaults, not the course's figures.

    Attributes:
        potential_cutoff: yearly purchase potential (currency) from which an account is "high
            potential"; ``None`` (default) = the median potential of the accounts segmented.
        share_cutoff: our share of the account's wallet (a share in [0, 1]) from which it is
            "high share" (default 0.2).
        segments: four ``(key, zh, en)`` in quadrant order — high potential & high share,
            high & low, low & high, low & low (default defend 防守, attack 进攻, maintain 维持,
            monitor 观察).

    Ties go up: potential ≥ cut-off is high, share ≥ cut-off is high.

    Example:
        >>> Segmentation(share_cutoff=0.3).label("attack", "zh")
        '进攻'
    """

    potential_cutoff: float | None = None
    share_cutoff: float = 0.2
    segments: tuple[tuple[str, str, str], ...] = DEFAULT_SEGMENTS

    def __post_init__(self) -> None:
        pc = self.potential_cutoff
        if pc is not None and (not _is_number(pc) or not math.isfinite(float(pc)) or float(pc) < 0):
            raise ValueError(f"potential_cutoff must be None (the median) or a finite number ≥ 0, got {pc!r}")
        sc = self.share_cutoff
        if not _is_number(sc) or not math.isfinite(float(sc)) or not 0 <= float(sc) <= 1:
            raise ValueError(f"share_cutoff must be a share in [0, 1], got {sc!r}")
        segs = tuple(tuple(s) for s in self.segments)
        if len(segs) != 4 or any(len(s) != 3 or not all(isinstance(x, str) and x for x in s) for s in segs):
            raise ValueError("segments: give four (key, zh, en) tuples of non-empty strings, "
                             "in the order high/high, high/low, low/high, low/low (potential/share)")
        if len({s[0] for s in segs}) != 4:
            raise ValueError(f"segments: the four keys must differ, got {[s[0] for s in segs]}")
        object.__setattr__(self, "segments", segs)

    @property
    def keys(self) -> list[str]:
        """The four segment keys in quadrant order."""
        return [s[0] for s in self.segments]

    def label(self, key: str, lang: str | None = None) -> str:
        """The label of segment ``key`` in ``lang`` (default: the current language)."""
        for k, zh, en in self.segments:
            if k == key:
                return zh if i18n.resolve_language(lang) == "zh" else en
        raise ValueError(f"unknown segment {key!r} (segments: {', '.join(self.keys)})")

    def cutoffs(self, accounts: pd.DataFrame) -> tuple[float, float]:
        """``(potential cut-off, share cut-off)`` for these accounts (the median resolved)."""
        potential, _ = account_values(accounts)
        return self.potential_cut(potential), float(self.share_cutoff)

    def potential_cut(self, potential: np.ndarray) -> float:
        """The potential cut-off applied to these potentials (the median unless set)."""
        if self.potential_cutoff is not None:
            return float(self.potential_cutoff)
        return float(np.median(potential)) if potential.size else 0.0


def account_values(accounts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each account's purchase potential and share of wallet, checked (ValueError names the row)."""
    if not isinstance(accounts, pd.DataFrame):
        raise ValueError(f"accounts: expected a pandas DataFrame, got {type(accounts).__name__}")
    for col in ("potential", "share_of_wallet"):
        if col not in accounts.columns:
            raise ValueError(f"accounts: missing column {col!r} (needs potential, share_of_wallet)")
    out = []
    for col, top in (("potential", math.inf), ("share_of_wallet", 1.0)):
        v = pd.to_numeric(accounts[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(v) | (v < 0) | (v > top)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            what = "a number ≥ 0" if col == "potential" else "a share in [0, 1]"
            raise ValueError(f"accounts: row {row}, column {col!r}: {accounts[col].iloc[row]!r} is not {what}")
        out.append(v)
    return out[0], out[1]


def segment_codes(potential: np.ndarray, share: np.ndarray, segmentation: Segmentation | None = None) -> np.ndarray:
    """Position of each account's segment in ``segmentation.keys`` (ties go to the high side, ≥)."""
    seg = segmentation or Segmentation()
    high_p = potential >= seg.potential_cut(potential)
    high_s = share >= float(seg.share_cutoff)
    return np.where(high_p, np.where(high_s, 0, 1), np.where(high_s, 2, 3)).astype(np.int8)


def account_segment_codes(accounts: pd.DataFrame, seg: Segmentation) -> np.ndarray:
    """The segment code of each account (positions in ``seg.keys``)."""
    potential, share = account_values(accounts)
    return segment_codes(potential, share, seg)


def segment_accounts(
    accounts: pd.DataFrame, segmentation: Segmentation | None = None, lang: str | None = None
) -> pd.DataFrame:
    """The accounts with ``segment`` recomputed (a Categorical of the four keys) and ``label`` in ``lang``.

    Needs columns ``potential`` and ``share_of_wallet``; ValueError names a missing column or
    the first bad value (row and column). The resolved cut-offs are in
    ``result.attrs["potential_cutoff"]`` and ``result.attrs["share_cutoff"]``.
    """
    seg = segmentation or Segmentation()
    lang = i18n.resolve_language(lang)
    codes = account_segment_codes(accounts, seg)
    out = accounts.copy()
    out["segment"] = pd.Categorical.from_codes(codes, categories=seg.keys)
    labels = [seg.label(k, lang) for k in seg.keys]
    out["label"] = np.array(labels, dtype=object)[codes] if len(codes) else np.array([], dtype=object)
    pc, sc = seg.cutoffs(accounts)
    out.attrs["potential_cutoff"], out.attrs["share_cutoff"] = pc, sc
    return out
