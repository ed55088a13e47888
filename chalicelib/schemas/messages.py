"""Bodies of the messages the app puts on its SQS queues: work handed to a consumer."""

from __future__ import annotations

from pydantic import Field

from chalicelib.schemas.base import Strict


class ResetMailRequest(Strict):
    """Someone asked for a password reset link for `login` (a login or an e-mail address,
    as typed: personal data, never logged). `id` is this request's own, so a redelivered
    message is recognised; `requested_at` is in epoch seconds."""

    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    login: str = Field(min_length=1, max_length=254)
    requested_at: int = Field(ge=0)
