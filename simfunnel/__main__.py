"""``python -m simfunnel`` runs the ``simfunnel`` command."""

import sys

from .cli import main

sys.exit(main())
