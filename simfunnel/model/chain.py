"""The weekly transition chain of a funnel and the true win rates it implies.

At each open stage a deal advances, is lost or stays with weekly chances (the chain);
:func:`calibrated_chain` makes a chain whose eventual win rates equal the funnel's stage
rates, :func:`true_win_rates` computes them for any chain (absorbing Markov chain), and
:func:`win_within` the chance of winning within *k* weeks.

Example:
    >>> from simfunnel.model.funnel import Funnel
    >>> chain = calibrated_chain(Funnel.preset("simple"))
    >>> [round(x, 2) for x in true_win_rates(chain)]
    [0.1, 0.3, 0.5, 0.7]
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import pandas as pd

from simfunnel.model.funnel import Funnel
from simfunnel.model.history import History

MAX_ADVANCE = 0.9  # no weekly advance chance, however many factors multiply it, passes this


def calibrated_chain(funnel: Funnel, exit_hazard: float | Sequence[float] = 0.3) -> pd.DataFrame:
    """Weekly transition chances whose true win rates equal the funnel's stage rates.

    At stage *i* a deal leaves with weekly chance ``h_i`` (``exit_hazard``); it
    advances with chance ``r_i · h_i`` and is lost with ``(1 − r_i) · h_i``, where
    ``r_i = rate_i / rate_{i+1}`` (``rate`` of won = 1). Then the eventual win rate
    from stage *i* is ``Π_{j ≥ i} r_j = rate_i``. Rates that fall along the
    funnel cannot be matched (``r_i`` is capped at 1, with a warning).

    Returns:
        DataFrame indexed by open stage key with columns ``advance``, ``lost``, ``stay``.

    Example:
        >>> c = calibrated_chain(Funnel.preset("key-account"))
        >>> [round(x, 4) for x in true_win_rates(c)]
        [0.1, 0.25, 0.4, 0.6, 0.8]
    """
    rates = np.array([s.win_rate for s in funnel.stages] + [1.0])
    h = np.broadcast_to(np.asarray(exit_hazard, dtype=float), (len(funnel),)).copy()
    if np.any((h <= 0) | (h > 1)):
        raise ValueError(f"exit_hazard must be in (0, 1], got {exit_hazard!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(rates[1:] > 0, rates[:-1] / rates[1:], 0.0)
    if np.any(r > 1 + 1e-12):
        bad = funnel.keys[int(np.flatnonzero(r > 1)[0])]
        warnings.warn(f"funnel {funnel.name!r}: win rate falls after stage {bad!r}; the chain cannot match it",
                      UserWarning, stacklevel=2)
    r = np.clip(r, 0.0, 1.0)
    return pd.DataFrame({"advance": r * h, "lost": (1 - r) * h, "stay": 1 - h}, index=pd.Index(funnel.keys, name="stage"))


def history_chain(history: History) -> pd.DataFrame | None:
    """The chain that simulated ``history``, when its metadata records it (simulated datasets do); else None.

    Imports carry no chain: their within-period chances are unknown.
    """
    params = (history.meta or {}).get("params")
    if not isinstance(params, dict) or "exit_hazard" not in params:
        return None
    return calibrated_chain(history.funnel, exit_hazard=params["exit_hazard"])


def check_chain(chain: pd.DataFrame) -> np.ndarray:
    missing = [c for c in ("advance", "lost") if c not in chain.columns]
    if missing:
        raise ValueError(f"chain: missing column {missing[0]!r}")
    a = chain["advance"].to_numpy(dtype=float)
    lost = chain["lost"].to_numpy(dtype=float)
    bad = (a < 0) | (lost < 0) | (a + lost > 1 + 1e-12) | ~np.isfinite(a + lost)
    if bad.any():
        raise ValueError(f"chain: stage {chain.index[int(np.flatnonzero(bad)[0])]!r} has chances outside [0, 1]")
    return np.column_stack([a, lost])


def transition_matrix(chain: pd.DataFrame) -> np.ndarray:
    """The weekly transition matrix over open stages, won and lost (rows sum to 1)."""
    al = check_chain(chain)
    n = len(al)
    m = np.zeros((n + 2, n + 2))
    for i, (a, lost) in enumerate(al):  # one row per stage, not per deal
        m[i, i] = 1 - a - lost
        m[i, i + 1 if i + 1 < n else n] += a
        m[i, n + 1] += lost
    m[n, n] = m[n + 1, n + 1] = 1.0
    return m


def true_win_rates(chain: pd.DataFrame) -> pd.Series:
    """Each open stage's eventual win rate under the chain (absorbing Markov chain: B = (I − Q)⁻¹ R)."""
    m = transition_matrix(chain)
    n = len(chain)
    q, r = m[:n, :n], m[:n, n:]
    b = np.linalg.solve(np.eye(n) - q, r)
    return pd.Series(b[:, 0], index=chain.index, name="true_win_rate")


def win_within(chain: pd.DataFrame, weeks: int) -> np.ndarray:
    """``out[i, k]`` = chance that a deal at open stage *i* now is won within *k* weeks, k = 0 … weeks."""
    m = transition_matrix(chain)
    n = len(chain)
    out = np.zeros((n, weeks + 1))
    dist = np.eye(n + 2)[:n]
    for k in range(1, weeks + 1):  # over weeks, not deals
        dist = dist @ m
        out[:, k] = dist[:, n]
    return out
