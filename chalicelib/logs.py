"""Structured JSON logging (Powertools Logger) with the request id on every line."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="ibok", log_uncaught_exceptions=True)
