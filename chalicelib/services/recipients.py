"""Who the notification jobs tell: a customer with an active portal account."""

from __future__ import annotations

from chalicelib.domain.accounts import Account, AccountStatus
from chalicelib.storage import accounts as accounts_store


def active_account(login: str) -> Account | None:
    """The customer's account if it is active (a consistent read: the consents as of now);
    a registration not yet activated, a deactivated or a closed account gets no notices.
    Consents and suppression are `notifications.notify`'s to apply."""
    account = accounts_store.get_account(login)
    return account if account is not None and account.status == AccountStatus.ACTIVE else None
