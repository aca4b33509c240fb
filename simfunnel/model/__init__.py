"""The world and how it moves: funnels, histories, generated accounts and deals, the simulation.

Modules, bottom up: :mod:`~simfunnel.model.funnel` (stages, win rates, presets),
:mod:`~simfunnel.model.history` (the tables every analysis takes),
:mod:`~simfunnel.model.chain` (the calibrated weekly chain, true win rates),
:mod:`~simfunnel.model.segments` (the attack/defend rule), :mod:`~simfunnel.model.generate`
(the world), :mod:`~simfunnel.model.actions` (the seller's actions),
:mod:`~simfunnel.model.people` (contacts met, purchase factors), :mod:`~simfunnel.model.events`
(market events), :mod:`~simfunnel.model.replies` (the customer-reply bank) and
:mod:`~simfunnel.model.simulate` (:class:`~simfunnel.model.simulate.Simulation`).
No plotting, no widgets: this layer imports only :mod:`simfunnel.i18n` from the kit.
"""
