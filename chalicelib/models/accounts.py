"""Items of the accounts table: accounts, sessions, one-time tokens, login events,
throttle counters and the scheduled jobs' marks. Keys: `pk` / `sk`; indexes `by_email`
(accounts), `by_owner` (sessions and tokens of one account) and `lifecycle` (accounts by
the day something is due: `<kind>#<YYYY-MM-DD>`, domain/lifecycle.py; sparse) and
`email_changes` (accounts with a pending e-mail change by the day its link ends; sparse)."""

from __future__ import annotations

import zlib

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.models.base import TableModel, meta_for


class ByEmail(GlobalSecondaryIndex):
    """Accounts by lower-cased e-mail (for "forgot password" by e-mail)."""

    class Meta:
        index_name = "by_email"
        projection = KeysOnlyProjection()

    email_key = UnicodeAttribute(hash_key=True)


class ByOwner(GlobalSecondaryIndex):
    """Sessions and tokens by the login that owns them (for revocation)."""

    class Meta:
        index_name = "by_owner"
        projection = KeysOnlyProjection()

    owner = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class Lifecycle(GlobalSecondaryIndex):
    """Accounts by the day a lifecycle step is due (`activation#<day>`: a registration's
    link ends; `notice#<day>`: a termination's day-0 notice is still to go out;
    `closing#<day>`: the account closes). Sparse: only accounts with a step ahead."""

    class Meta:
        index_name = "lifecycle"
        projection = KeysOnlyProjection()

    lifecycle_day = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class EmailChanges(GlobalSecondaryIndex):
    """Accounts with a pending e-mail change by the day its confirmation link ends (ISO
    date), for the `cleanup` job. Sparse: set in the write that makes a change pending,
    removed by every write that ends it (confirmed, cancelled, a password change or reset,
    closure, the job). Not `lifecycle`: an account under termination is listed there and
    may have an e-mail change pending at the same time."""

    class Meta:
        index_name = "email_changes"
        projection = KeysOnlyProjection()

    email_change_day = UnicodeAttribute(hash_key=True)  # 2026-12-02
    pk = UnicodeAttribute(range_key=True)


class CustomerAccounts(GlobalSecondaryIndex):
    """Customers' accounts (not staff's) in `ACCOUNT_SHARDS` partitions by login, so a
    notice to the whole service area lists every account without a Scan (sparse: closing
    removes the key)."""

    class Meta:
        index_name = "customer_accounts"
        projection = KeysOnlyProjection()

    account_shard = UnicodeAttribute(hash_key=True)  # "00".."15"
    pk = UnicodeAttribute(range_key=True)


ACCOUNT_SHARDS = 16


def account_shard(login: str) -> str:
    """The `customer_accounts` partition of a login."""
    return f"{zlib.crc32(login.encode()) % ACCOUNT_SHARDS:02d}"


class AccountsItem(TableModel):
    """Base of every item in the accounts table."""

    Meta = meta_for("accounts_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = TTLAttribute(null=True)  # DynamoDB removes the item some time after this


class Consent(MapAttribute):
    """One consent as given or withdrawn: kind, decision, text version, time, source."""

    kind = UnicodeAttribute()
    granted = BooleanAttribute()
    text_version = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    source = UnicodeAttribute()


class TermsAcceptance(MapAttribute):
    """One acceptance of a terms version: which, and when."""

    version = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class Account(AccountsItem):
    """A customer's portal account; login = customer number."""

    login = UnicodeAttribute()
    email = UnicodeAttribute()
    email_key = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # domain/accounts.py AccountStatus
    role = UnicodeAttribute(default="customer")
    password_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    activated_at = UTCDateTimeAttribute(null=True)
    pending_until = UTCDateTimeAttribute(null=True)
    terms_version = UnicodeAttribute()
    terms_accepted_at = UTCDateTimeAttribute()
    # Every acceptance, oldest first (registration's included; accounts made before the
    # history was kept start it at their next acceptance).
    terms_history = ListAttribute(of=TermsAcceptance, null=True)
    consents = ListAttribute(of=Consent, default=list)
    password_changed_at = UTCDateTimeAttribute(null=True)
    pending_email = UnicodeAttribute(null=True)
    # The hash of the pending e-mail change's confirmation token: confirming needs it to be
    # the current one; a cancellation, a password change or reset removes it.
    email_change_id = UnicodeAttribute(null=True)
    # When the pending change's confirmation link ends, and its day (the `email_changes`
    # key): the `cleanup` job removes a change whose link has ended.
    email_change_until = UTCDateTimeAttribute(null=True)
    email_change_day = UnicodeAttribute(null=True)
    # Staff: the sealed TOTP secret and the last time step a code was accepted in (a code
    # is accepted only in a later step: storage/accounts.py `claim_totp_step`).
    totp_secret = UnicodeAttribute(null=True)
    totp_last_step = NumberAttribute(null=True)
    # Failed codes since the last right one; at the cap (services/second_factor.py) the
    # second factor is locked until an operator issues a new secret.
    totp_failures = NumberAttribute(null=True)
    termination_started_at = UTCDateTimeAttribute(null=True)
    # The address SES reported as bouncing or complaining: while it is the account's
    # address, nothing is sent to it (services/notifications.py); a new address clears it.
    suppressed_email = UnicodeAttribute(null=True)  # lower-cased
    suppressed_reason = UnicodeAttribute(null=True)  # bounce / complaint
    suppressed_at = UTCDateTimeAttribute(null=True)
    # §7 termination (domain/lifecycle.py): why it started and the day the account closes.
    termination_reason = UnicodeAttribute(null=True)
    closing_on = UnicodeAttribute(null=True)  # ISO date
    closed_at = UTCDateTimeAttribute(null=True)  # a closed account is a tombstone
    lifecycle_day = UnicodeAttribute(null=True)  # the `lifecycle` index key, while due

    by_email = ByEmail()
    lifecycle = Lifecycle()
    email_changes = EmailChanges()
    account_shard = UnicodeAttribute(null=True)  # a customer's: the `customer_accounts` key
    customer_accounts = CustomerAccounts()

    @staticmethod
    def key(login: str) -> tuple[str, str]:
        """Primary key of the account with this login."""
        return f"ACCOUNT#{login}", "ACCOUNT"


class Session(AccountsItem):
    """A login session, keyed by the SHA-256 of its token."""

    owner = UnicodeAttribute()
    role = UnicodeAttribute(default="customer")
    created_at = UTCDateTimeAttribute()
    last_seen = NumberAttribute()  # epoch seconds
    absolute_expires = NumberAttribute()  # epoch seconds
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    # "pending" while a staff session waits for its TOTP code; removed when it is given.
    second_factor = UnicodeAttribute(null=True)
    # A customer's session: the terms version its account has accepted (copied at login and
    # at each acceptance), so the terms gate needs no read besides the session's own write.
    terms_version = UnicodeAttribute(null=True)

    by_owner = ByOwner()

    @staticmethod
    def key(token_hash: str) -> tuple[str, str]:
        """Primary key of the session whose token hashes to `token_hash`."""
        return f"SESSION#{token_hash}", "SESSION"


class SessionRef(AccountsItem):
    """A session's entry in its owner's account partition (`SESSION#<token hash>`), written
    in the transaction that creates the session and removed by TTL with it. Ending every
    session of a login finds the entries with a strongly consistent Query of the account's
    own partition, which the eventually consistent `by_owner` index cannot promise
    (storage/accounts.py `delete_sessions_of`). No attribute but the key and the TTL."""

    PREFIX = "SESSION#"

    @staticmethod
    def key(login: str, token_hash: str) -> tuple[str, str]:
        """Primary key of the entry of the session whose token hashes to `token_hash`."""
        return f"ACCOUNT#{login}", f"{SessionRef.PREFIX}{token_hash}"


class OneTimeToken(AccountsItem):
    """An e-mailed one-time token (storage/accounts.py `issue_token`), keyed by its hash."""

    kind = UnicodeAttribute()  # domain/tokens.py TokenKind
    owner = UnicodeAttribute()
    valid_until = NumberAttribute()  # epoch seconds (in conditions); TTL removes it later
    used_at = UTCDateTimeAttribute(null=True)
    new_email = UnicodeAttribute(null=True)
    change_id = UnicodeAttribute(null=True)  # email_cancel: the change (its token's hash)

    by_owner = ByOwner()

    @staticmethod
    def key(token_hash: str) -> tuple[str, str]:
        """Primary key of the token whose value hashes to `token_hash`."""
        return f"TOKEN#{token_hash}", "TOKEN"


class ConsentProof(AccountsItem):
    """What a closed account's tombstone kept as the proof of consent (each decision: kind,
    decision, text version, time, source; each terms acceptance), copied to an item of its
    own at closure so that a new registration of the same number, which replaces the
    tombstone, cannot erase it. No personal field: no e-mail, phone or address."""

    closed_at = UTCDateTimeAttribute()
    consents = ListAttribute(of=Consent, default=list)
    terms_history = ListAttribute(of=TermsAcceptance, null=True)

    @staticmethod
    def key(login: str, closed_at: str) -> tuple[str, str]:
        """Primary key of the proof kept at the closure at `closed_at` (ISO time)."""
        return f"ACCOUNT#{login}", f"CONSENT_PROOF#{closed_at}"


class LoginEvent(AccountsItem):
    """One login attempt on a login (kept 180 days)."""

    at = UTCDateTimeAttribute()
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    result = UnicodeAttribute()  # domain/accounts.py LoginResult

    @staticmethod
    def partition(login: str) -> str:
        """The partition holding this login's events (its account's partition)."""
        return f"ACCOUNT#{login}"


class NotificationRecord(AccountsItem):
    """A notification sent to the customer (`GET /notifications`), in the account's
    partition, newest last by its sort key `NOTE#<sent at>#<key hash>`; removed by TTL
    after NOTIFICATION_RETENTION_DAYS."""

    kind = UnicodeAttribute()  # domain/notifications.py NotificationKind
    key = UnicodeAttribute()  # the natural key it was sent under
    title = UnicodeAttribute()
    channels = ListAttribute(of=UnicodeAttribute, default=list)
    state = UnicodeAttribute()  # sending / sent
    sent_at = UTCDateTimeAttribute()
    message_ids = MapAttribute(default=dict)  # by channel: the SES / SNS message id

    @staticmethod
    def prefix(login: str) -> tuple[str, str]:
        """The partition and sort-key prefix of a login's notifications."""
        return f"ACCOUNT#{login}", "NOTE#"


class NotificationKey(AccountsItem):
    """The natural key of a notification, taken by a conditional put in the transaction
    that writes its record: a second send under the same key finds it and sends nothing."""

    record_sk = UnicodeAttribute()

    @staticmethod
    def key(login: str, key_hash: str) -> tuple[str, str]:
        """Primary key of the mark of one natural key (in the account's partition)."""
        return f"ACCOUNT#{login}", f"NOTIFYKEY#{key_hash}"


class ThrottleCounter(AccountsItem):
    """Failures of one throttle scope in one fixed window."""

    count = NumberAttribute(default=0)
    last_at = NumberAttribute(default=0)


class ResetMailMark(AccountsItem):
    """The reset e-mail of one request to one account: claimed while it is being sent,
    then done, so that a redelivered request sends nothing again (removed by TTL)."""

    claim = UnicodeAttribute(null=True)
    claimed_at = NumberAttribute(null=True)  # epoch seconds
    done_at = NumberAttribute(null=True)  # epoch seconds

    @staticmethod
    def key(request_id: str, login: str) -> tuple[str, str]:
        """Primary key of the mark of request `request_id` for `login`."""
        return f"RESETMAIL#{request_id}", f"ACCOUNT#{login}"


class JobMark(AccountsItem):
    """One unit of a scheduled job's work done for one recipient on one day (a customer
    told, an account closed): claimed by a conditional put before the work, marked done
    after it, given back if it fails; removed by TTL (storage/job_marks.py)."""

    claimed_at = NumberAttribute()  # epoch seconds
    done_at = NumberAttribute(null=True)  # epoch seconds

    @staticmethod
    def key(job: str, day: str, recipient: str) -> tuple[str, str]:
        """Primary key of the mark of `job` for `recipient` on `day` (one partition each,
        so a 500,000-customer run spreads its writes)."""
        return f"JOB#{job}#{day}#{recipient}", "MARK"
