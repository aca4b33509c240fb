"""The room app: one Python process serves every trainee's page (Solara), in Chinese or English.

``make app WORKSHOP=W`` runs ``solara run simfunnel.app.pages --production``: each browser page is a
virtual kernel inside one process, so nothing a trainee changes lives in a module global. A page
holds its own :class:`~simfunnel.app.room.Seat` — the trainee's session (team, name, language) and
the team's :class:`~simfunnel.widgets.workshop.TeamBoard` — and closes it when the page goes.

- :mod:`~simfunnel.app.texts` — every text of the app's own pages, as (zh, en) pairs;
- :mod:`~simfunnel.app.room` — the workshop served (one store per process), the page's address
  (join code, name, browser token and language in its query) and the page's :class:`Seat`;
- :mod:`~simfunnel.app.front` — the front page: language switch, the workshop's name, code, name, Join;
- :mod:`~simfunnel.app.board` — the board page: the team's board for the page's session;
- :mod:`~simfunnel.app.lessons` — the trainee lessons (00–07 and 09), read from ``notebooks/src`` by ``notebooks/build.py``
  and run for a page with their code hidden (a namespace and a language of the page's own);
- :mod:`~simfunnel.app.lesson_page` — ``/lesson`` (the list) and ``/lesson/NN`` (one lesson, zh or en);
- :mod:`~simfunnel.app.pages` — the Solara entry point (``Page``: front page or board, by the address; ``routes``:
  ``/`` and ``/lesson``);
- :mod:`~simfunnel.app.serve` — what ``make app`` prints before Solara starts: the address, its QR code;
- :mod:`~simfunnel.app.compress` — Solara's static files gzipped once per process, not once per browser;
- :mod:`~simfunnel.app.shells` — the pages' IPython shells without per-interpreter script magics.

Importing this package loads neither Solara nor ipywidgets; :mod:`~simfunnel.app.pages` does.
"""
