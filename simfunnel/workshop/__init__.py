"""The workshop without a screen: the SQLite store (schema, moves, rounds, market events,
scoring), the trainee's session (join, team binding), the debrief, what-if branches and the
handout. No ipywidgets: the widgets in :mod:`simfunnel.widgets` sit on top of this.
"""
