"""Structured JSON logging (Powertools Logger) with the request id on every line."""

from __future__ import annotations

from aws_lambda_powertools import Logger

# Not "ibok": Chalice sets its own app logger of that name to ERROR when debug is off.
logger = Logger(service="ibok-api", log_uncaught_exceptions=True)
