"""Funnels: ordered open stages with win rates, plus the closed stages won and lost.

A funnel follows the customer's purchase process (不同采购阶段的不同赢率): each open
stage has an ASCII ``key``, zh and en labels, a win rate, a forecast category
(Salesforce-style roll-up) and the seller's key step (六个关键步骤). Presets are
JSON files in ``simfunnel/presets/``.

Example:
    >>> f = Funnel.preset("key-account")
    >>> f.keys
    ('need', 'approved', 'criteria', 'evaluation', 'commitment')
    >>> f.win_rate("criteria")
    0.4
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any, Iterable

import numpy as np

WON = "won"
LOST = "lost"
CLOSED_KEYS = (WON, LOST)

FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "closed", "omitted")
KEY_STEPS = (
    "customer_analysis",  # 客户分析
    "build_trust",  # 建立信任
    "dig_for_needs",  # 挖掘需求
    "present_value",  # 呈现价值
    "win_commitment",  # 赢取承诺
    "collect_payment",  # 回收账款 — after won: booked is not collected
)
KEY_STEP_LABELS = {
    "customer_analysis": ("客户分析", "Customer analysis"),
    "build_trust": ("建立信任", "Build trust"),
    "dig_for_needs": ("挖掘需求", "Dig for needs"),
    "present_value": ("呈现价值", "Present value"),
    "win_commitment": ("赢取承诺", "Win commitment"),
    "collect_payment": ("回收账款", "Collect payment"),
}
FORECAST_CATEGORY_LABELS = {
    "pipeline": ("管道", "Pipeline"),
    "best_case": ("最佳情况", "Best case"),
    "commit": ("承诺", "Commit"),
    "closed": ("已成交", "Closed"),
    "omitted": ("不计入", "Omitted"),
}


@dataclass(frozen=True)
class Stage:
    """One funnel stage.

    Args:
        key: ASCII identifier used in data files (``"criteria"``).
        zh: Chinese label (``"确定标准"``).
        en: English label (``"Criteria set"``).
        win_rate: probability in [0, 1] that a deal at this stage is eventually won.
        forecast_category: ``pipeline``, ``best_case``, ``commit``, ``closed`` or ``omitted``.
        key_step: the seller's key step at this stage (one of ``KEY_STEPS``).
    """

    key: str
    zh: str
    en: str
    win_rate: float
    forecast_category: str = "pipeline"
    key_step: str = "customer_analysis"

    def label(self, lang: str = "en") -> str:
        """The stage's label in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.zh if lang == "zh" else self.en


WON_STAGE = Stage(WON, "赢单", "Won", 1.0, "closed", "collect_payment")
LOST_STAGE = Stage(LOST, "丢单", "Lost", 0.0, "omitted", "collect_payment")


@dataclass(frozen=True)
class Funnel:
    """An ordered list of open stages plus the closed stages ``won`` and ``lost``.

    Build one with :meth:`preset` or :meth:`from_dict`; the constructor validates.

    Raises:
        ValueError: a win rate outside [0, 1], a duplicate or reserved key, a
            non-ASCII key, an unknown forecast category or key step, or no open stage.
    """

    name: str
    stages: tuple[Stage, ...]
    label_zh: str = ""
    label_en: str = ""
    note: str = ""
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stages = tuple(self.stages)
        object.__setattr__(self, "stages", stages)
        if not stages:
            raise ValueError(f"funnel {self.name!r}: no open stage; a funnel needs at least one")
        seen: set[str] = set()
        for pos, s in enumerate(stages, start=1):
            where = f"funnel {self.name!r}, stage {pos} {s.key!r}"
            if not isinstance(s.key, str) or not s.key or not s.key.isascii() or " " in s.key:
                raise ValueError(f"{where}: key must be a non-empty ASCII word without spaces")
            if s.key in CLOSED_KEYS:
                raise ValueError(f"{where}: key {s.key!r} is reserved for the closed stages")
            if s.key in seen:
                raise ValueError(f"{where}: duplicate key {s.key!r}")
            seen.add(s.key)
            rate = s.win_rate
            if not isinstance(rate, (int, float)) or not np.isfinite(rate) or not 0.0 <= rate <= 1.0:
                raise ValueError(f"{where}: win rate {rate!r} is outside [0, 1]")
            if s.forecast_category not in FORECAST_CATEGORIES:
                raise ValueError(
                    f"{where}: forecast category {s.forecast_category!r} is not one of {FORECAST_CATEGORIES}"
                )
            if s.key_step not in KEY_STEPS:
                raise ValueError(f"{where}: key step {s.key_step!r} is not one of {KEY_STEPS}")
        for a, b in zip(stages, stages[1:]):
            if b.win_rate < a.win_rate:
                warnings.warn(
                    f"funnel {self.name!r}: win rate falls from {a.key!r} ({a.win_rate:.0%}) "
                    f"to {b.key!r} ({b.win_rate:.0%}); later stages usually win more often",
                    UserWarning,
                    stacklevel=3,
                )
        index = {s.key: i for i, s in enumerate(stages)}
        index[WON] = len(stages)
        index[LOST] = len(stages) + 1
        object.__setattr__(self, "_index", index)

    # --- construction -------------------------------------------------
    @classmethod
    def preset(cls, name: str = "key-account") -> "Funnel":
        """Load a preset shipped in ``simfunnel/presets/`` by name.

        Example:
            >>> Funnel.preset("simple").win_rate("solution")
            0.5
        """
        names = preset_names()
        if name not in names:
            raise ValueError(f"unknown funnel preset {name!r}; choose one of {', '.join(names)}")
        text = resources.files("simfunnel.presets").joinpath(f"{name}.json").read_text("utf-8")
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Funnel":
        """Build a funnel from the preset JSON layout (see ``to_dict``)."""
        if not isinstance(d, dict) or "stages" not in d:
            raise ValueError("funnel definition must be a mapping with a 'stages' list")
        stages = []
        for pos, s in enumerate(d["stages"], start=1):
            missing = [k for k in ("key", "zh", "en", "win_rate") if k not in s]
            if missing:
                raise ValueError(f"funnel {d.get('name', '?')!r}, stage {pos}: missing {', '.join(missing)}")
            stages.append(
                Stage(
                    key=s["key"],
                    zh=s["zh"],
                    en=s["en"],
                    win_rate=float(s["win_rate"]),
                    forecast_category=s.get("forecast_category", "pipeline"),
                    key_step=s.get("key_step", "customer_analysis"),
                )
            )
        label = d.get("label", {})
        return cls(
            name=d.get("name", "custom"),
            stages=tuple(stages),
            label_zh=label.get("zh", ""),
            label_en=label.get("en", ""),
            note=d.get("note", ""),
        )

    def to_dict(self) -> dict[str, Any]:
        """The preset JSON layout; ``Funnel.from_dict(f.to_dict()) == f``."""
        return {
            "name": self.name,
            "label": {"zh": self.label_zh, "en": self.label_en},
            "note": self.note,
            "stages": [asdict(s) for s in self.stages],
        }

    def with_win_rates(self, rates: dict[str, float] | Iterable[float]) -> "Funnel":
        """A copy with new win rates, given per key or in stage order."""
        if isinstance(rates, dict):
            unknown = set(rates) - set(self.keys)
            if unknown:
                raise ValueError(f"funnel {self.name!r}: unknown stage {sorted(unknown)[0]!r}")
            new = [s.win_rate if s.key not in rates else float(rates[s.key]) for s in self.stages]
        else:
            new = [float(r) for r in rates]
            if len(new) != len(self.stages):
                raise ValueError(f"funnel {self.name!r}: {len(new)} rates for {len(self.stages)} stages")
        d = self.to_dict()
        for s, r in zip(d["stages"], new):
            s["win_rate"] = r
        return Funnel.from_dict(d)

    # --- look-ups ----------------------------------------------------------
    @property
    def keys(self) -> tuple[str, ...]:
        """Keys of the open stages, in funnel order."""
        return tuple(s.key for s in self.stages)

    @property
    def all_keys(self) -> tuple[str, ...]:
        """Open stage keys followed by ``won`` and ``lost``."""
        return self.keys + CLOSED_KEYS

    @property
    def all_stages(self) -> tuple[Stage, ...]:
        """Open stages followed by the closed stages won and lost."""
        return self.stages + (WON_STAGE, LOST_STAGE)

    @property
    def rates(self) -> np.ndarray:
        """Win rates of the open stages, won (1.0) and lost (0.0), in ``all_keys`` order."""
        return np.array([s.win_rate for s in self.all_stages], dtype=float)

    def __len__(self) -> int:
        return len(self.stages)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def index(self, key: str) -> int:
        """Position of ``key`` in ``all_keys``; raises ValueError naming an unknown stage."""
        try:
            return self._index[key]
        except KeyError:
            raise ValueError(
                f"unknown stage {key!r} for funnel {self.name!r}; stages are {', '.join(self.all_keys)}"
            ) from None

    def stage(self, key: str) -> Stage:
        """The :class:`Stage` with this key (``won`` and ``lost`` included)."""
        return self.all_stages[self.index(key)]

    def win_rate(self, stage_key: str) -> float:
        """Win rate of a stage (1.0 for won, 0.0 for lost)."""
        return self.stage(stage_key).win_rate

    def label(self, key: str, lang: str = "en") -> str:
        """Label of a stage in ``lang``."""
        return self.stage(key).label(lang)

    def codes(self, keys: Iterable[str], *, what: str = "stage") -> np.ndarray:
        """Map stage keys to positions in ``all_keys`` (vectorised); ValueError names the first unknown one."""
        import pandas as pd

        values = pd.Series(keys, dtype=object)
        codes = pd.Index(self.all_keys).get_indexer(values)
        bad = np.flatnonzero(codes < 0)
        if bad.size:
            raise ValueError(
                f"unknown {what} {values.iloc[bad[0]]!r} at row {bad[0]} for funnel {self.name!r}; "
                f"stages are {', '.join(self.all_keys)}"
            )
        return codes


def preset_names() -> list[str]:
    """Names of the funnel presets shipped with the kit."""
    files = resources.files("simfunnel.presets").iterdir()
    return sorted(p.name[:-5] for p in files if p.name.endswith(".json"))
