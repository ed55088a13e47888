"""Connection settings shared by every PynamoDB model."""

from __future__ import annotations

import os

from pynamodb.models import Model

from chalicelib.settings import get_settings


def meta_for(table_setting: str) -> type:
    """Build a PynamoDB `Meta` for the table named by `table_setting` in the settings."""
    settings = get_settings()

    class Meta:
        table_name = getattr(settings, table_setting)
        region = settings.region
        host = os.environ.get("AWS_ENDPOINT_URL") or None
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 3

    return Meta


class TableModel(Model):
    """Abstract base: a model stored in a pk/sk table."""

    class Meta:
        abstract = True
