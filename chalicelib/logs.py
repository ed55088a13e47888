"""Structured JSON logging (Powertools Logger) with the request id on every line.

No full e-mail address reaches a log line: the formatter masks every address in the
finished line, so an exception whose text names one (SES's MessageRejected does) is logged
with its type, message and stack trace but as `***@domain`.
"""

from __future__ import annotations

import logging
import re

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@(?=[\w-]+\.)")


def mask_emails(text: str) -> str:
    """`text` with the local part of every e-mail address masked.

    >>> mask_emails("MessageRejected: jan.kowalski@example.pl failed")
    'MessageRejected: ***@example.pl failed'
    """
    return EMAIL.sub("***@", text)


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON lines, with e-mail addresses masked."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line of `record`, masked."""
        return mask_emails(super().format(record))


# Not "ibok": Chalice sets its own app logger of that name to ERROR when debug is off.
logger = Logger(
    service="ibok-api", log_uncaught_exceptions=True, logger_formatter=MaskingFormatter()
)
