"""Charts."""

from simfunnel.plots.charts import *  # noqa: F401,F403
