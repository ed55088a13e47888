"""Structured JSON logging (Powertools Logger) with the request id on every line.

No full e-mail address reaches a log line: the formatter masks every address in the values
of a line before it is serialised, so an exception whose text names one (SES's
MessageRejected does) is logged with its type, message and stack trace, the address as
`***@domain`.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]"
# The local part is bounded (RFC 5321: 64) and must start where no local-part character
# stands before it, so each position is tried a bounded number of times: linear in the text.
EMAIL = re.compile(rf"(?<!{_LOCAL}){_LOCAL}{{1,64}}@(?=[\w-]+\.)")


def mask_emails(text: str) -> str:
    """`text` with the local part of every e-mail address masked.

    >>> mask_emails("MessageRejected: jan.kowalski@example.pl failed")
    'MessageRejected: ***@example.pl failed'
    """
    return EMAIL.sub("***@", text) if "@" in text else text


def _masked(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    # Strings, and what the serialiser would turn into one (an exception, a date…).
    return mask_emails(value if isinstance(value, str) else str(value))


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON lines, with e-mail addresses masked in every value."""

    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        """The JSON line of `log`, its values masked."""
        return super().serialize(_masked(log))


# Not "ibok": Chalice sets its own app logger of that name to ERROR when debug is off.
logger = Logger(
    service="ibok-api", log_uncaught_exceptions=True, logger_formatter=MaskingFormatter()
)
