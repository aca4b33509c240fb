"""What the numbers say: the three indicators, the threshold trade-off, win rates, Monte Carlo,
assumption tests, scorecards, scenario sweeps and seller-time allocation.

Pure computations on :class:`~simfunnel.model.history.History` tables: no matplotlib, no
ipywidgets. Takes from :mod:`simfunnel.model` only.
"""
