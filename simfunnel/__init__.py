"""simfunnel: a training and simulation kit for key-account (B2B) sales funnel management.

Generate or import deals, simulate them through funnel stages, and study the
three indicators of opportunity management: 销售预计 forecast, 销售进展 progress
and 漏斗外销售额 out-of-funnel sales.

Example:
    >>> import simfunnel as sf
    >>> world = sf.generate(accounts=50, seed=7)
    >>> history = sf.Simulation(world, seed=7).run(weeks=52)
    >>> table = sf.indicators(history, quota=world.quota, threshold=50_000)

``import simfunnel`` loads numpy and pandas only; matplotlib and ipywidgets are
imported by ``simfunnel.plots`` and ``simfunnel.widgets`` when used.
"""

from .funnel import Funnel, Stage, preset_names
from .history import History

__all__ = ["Funnel", "Stage", "History", "preset_names"]
__version__ = "0.1.0"
