"""The workshop without a screen: the SQLite store, the trainee's session, the debrief. No ipywidgets: the
widgets in :mod:`simfunnel.widgets` sit on top of this.

- The store, :class:`~simfunnel.workshop.store.WorkshopStore` (:mod:`~simfunnel.workshop.store`), one class
  per concern: :mod:`~simfunnel.workshop.schema` (the file, its schema and upgrades, transactions),
  :mod:`~simfunnel.workshop.teams` (scenarios), :mod:`~simfunnel.workshop.moves` (moves, weeks, replay),
  :mod:`~simfunnel.workshop.rounds` (rounds, the timer's ``tick``, submissions, practice),
  :mod:`~simfunnel.workshop.market` (market events), :mod:`~simfunnel.workshop.scoring` (leaderboard,
  weights), :mod:`~simfunnel.workshop.export` (Excel); its refusals in :mod:`~simfunnel.workshop.errors`;
  stand-in teams in :mod:`~simfunnel.workshop.demo`.
- The trainee's session (join, team binding): :mod:`~simfunnel.workshop.session`.
- The debrief, :mod:`~simfunnel.workshop.debrief` (timelines, indicators round by round), on
  :mod:`~simfunnel.workshop.played` (the rounds played, the debrief's texts), with the what-if branches
  (:mod:`~simfunnel.workshop.whatif`) and the HTML handout (:mod:`~simfunnel.workshop.handout`).
"""
