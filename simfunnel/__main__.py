"""``python -m simfunnel`` runs the ``simfunnel`` command."""

import sys

from simfunnel.cli import main

sys.exit(main())
