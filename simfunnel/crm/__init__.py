"""Import CRM exports into a History."""

from simfunnel.crm.importer import *  # noqa: F401,F403
