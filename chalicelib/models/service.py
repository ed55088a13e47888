"""Items of the service table: tickets with everything that belongs to them, one partition
per ticket (`pk = TICKET#<id>`), so a ticket with its messages, events and attachments is
one Query:

    TICKET                          the ticket
    MESSAGE#<time>#<id>             a message (or a staff-only internal note)
    EVENT#<time>#<id>               who did what when
    ATTACHMENT#<id>                 an attachment and its check

Outside ticket partitions: `COUNTER#<R|Z>#<year>` / `COUNTER` (the reference numbers,
moved by an atomic ADD) and `DIGEST#<date>` / `DIGEST` (the daily complaint digest's mark).

Terms versions staff published: `TERMS` / `VERSION#<label>` (one partition, one Query).

Announcements, one partition each (`pk = ANNOUNCEMENT#<id>`): `ANNOUNCEMENT` (the notice)
and `BROADCAST#<time>` (its publication, for the notifications issue to broadcast). Their
indexes: `announcements` (`list_name`, `list_order`: every announcement newest first under
`announcements`, the publications still to broadcast under `broadcasts#pending`, and the
ticket attachments whose upload is still pending under `uploads#pending`) and
`current_announcements` (`published_scope` = `published` while published, `ends_order`: the
end of validity, so "not ended yet" is a key condition).

Only tickets carry the index keys (sparse indexes): `by_customer` (newest first) and the
staff queue by due date, one index per filter (`queue`, `queue_status`, `queue_kind`,
`queue_category`, `queue_assignee`), each hash key naming open or closed tickets, so the
first page of any one filter is one Query.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import TableModel, meta_for


class ServiceItem(TableModel):
    """Base of every item in the service table."""

    Meta = meta_for("service_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    cls = DiscriminatorAttribute()

    @staticmethod
    def partition(ticket: str) -> str:
        """The partition holding one ticket."""
        return f"TICKET#{ticket}"


class CustomerTicketsIndex(GlobalSecondaryIndex):
    """A customer's tickets by creation time."""

    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer = UnicodeAttribute(hash_key=True)
    created_order = UnicodeAttribute(range_key=True)  # <created_at>#<id>


class QueueIndex(GlobalSecondaryIndex):
    """Open (or closed) tickets by due date."""

    class Meta:
        index_name = "queue"
        projection = AllProjection()

    queue_scope = UnicodeAttribute(hash_key=True)  # open | closed
    due_order = UnicodeAttribute(range_key=True)  # domain/tickets.py due_order


class QueueStatusIndex(GlobalSecondaryIndex):
    """Tickets of one status by due date."""

    class Meta:
        index_name = "queue_status"
        projection = AllProjection()

    queue_status = UnicodeAttribute(hash_key=True)  # the status
    due_order = UnicodeAttribute(range_key=True)


class QueueKindIndex(GlobalSecondaryIndex):
    """Open (or closed) tickets of one kind by due date."""

    class Meta:
        index_name = "queue_kind"
        projection = AllProjection()

    queue_kind = UnicodeAttribute(hash_key=True)  # <scope>#<kind>
    due_order = UnicodeAttribute(range_key=True)


class QueueCategoryIndex(GlobalSecondaryIndex):
    """Open (or closed) tickets of one category of one kind by due date."""

    class Meta:
        index_name = "queue_category"
        projection = AllProjection()

    queue_category = UnicodeAttribute(hash_key=True)  # <scope>#<kind>#<category>
    due_order = UnicodeAttribute(range_key=True)


class QueueAssigneeIndex(GlobalSecondaryIndex):
    """Open (or closed) tickets of one assignee (or unassigned: "-") by due date."""

    class Meta:
        index_name = "queue_assignee"
        projection = AllProjection()

    queue_assignee = UnicodeAttribute(hash_key=True)  # <scope>#<login or ->
    due_order = UnicodeAttribute(range_key=True)


class TicketItem(ServiceItem, discriminator="ticket"):
    """A complaint or an operational report."""

    SORT_KEY = "TICKET"

    reference = UnicodeAttribute()
    kind = UnicodeAttribute()  # domain/tickets.py TicketKind
    category = UnicodeAttribute()
    status = UnicodeAttribute()  # domain/tickets.py TicketStatus
    customer = UnicodeAttribute()
    description = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    created_order = UnicodeAttribute()
    due_on = UnicodeAttribute(null=True)  # complaints: the last day to answer
    due_order = UnicodeAttribute()
    queue_scope = UnicodeAttribute()
    queue_status = UnicodeAttribute()
    queue_kind = UnicodeAttribute()
    queue_category = UnicodeAttribute()
    queue_assignee = UnicodeAttribute()
    invoice = UnicodeAttribute(null=True)
    meter = UnicodeAttribute(null=True)
    street = UnicodeAttribute(null=True)
    postal_code = UnicodeAttribute(null=True)
    city = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    assignee = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    attachment_count = NumberAttribute(default=0)  # slots taken (pending or ready)

    by_customer = CustomerTicketsIndex()
    queue = QueueIndex()
    queue_by_status = QueueStatusIndex()
    queue_by_kind = QueueKindIndex()
    queue_by_category = QueueCategoryIndex()
    queue_by_assignee = QueueAssigneeIndex()


class MessageItem(ServiceItem, discriminator="message"):
    """A message on a ticket; internal notes are never shown to the customer."""

    PREFIX = "MESSAGE#"

    author = UnicodeAttribute()
    author_role = UnicodeAttribute()
    body = UnicodeAttribute()
    at = UnicodeAttribute()
    internal = BooleanAttribute(default=False)


class EventItem(ServiceItem, discriminator="event"):
    """Who did what to a ticket, and when. The customer is e-mailed of a staff reply or
    status change under the event's key (services/ticket_work.py), which is their
    notifications list's record; events written before that carry `notice_customer` and
    `notice_state = pending`, which nothing reads (kept so those items still load)."""

    PREFIX = "EVENT#"

    actor = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    action = UnicodeAttribute()
    at = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(null=True)
    customer_visible = BooleanAttribute(default=True)
    notice_customer = UnicodeAttribute(null=True)  # old items only; no longer written
    notice_state = UnicodeAttribute(null=True)  # old items only; no longer written


class ReferenceCounter(ServiceItem, discriminator="counter"):
    """The last reference number given out for one prefix and year."""

    value = NumberAttribute(default=0)

    @staticmethod
    def key(prefix: str, year: int) -> tuple[str, str]:
        """The counter's key."""
        return f"COUNTER#{prefix}#{year}", "COUNTER"


class DigestMark(ServiceItem, discriminator="digest"):
    """The complaint digest of one day: written once (a conditional put), so a second run
    that day sends nothing."""

    claimed_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    complaints = NumberAttribute(null=True)

    @staticmethod
    def key(day: str) -> tuple[str, str]:
        """The mark's key."""
        return f"DIGEST#{day}", "DIGEST"


class AnnouncementListIndex(GlobalSecondaryIndex):
    """Lists outside the ticket partitions' own Query: every announcement
    (`announcements`), newest first, the publications still to broadcast
    (`broadcasts#pending`) and the ticket attachments still pending (`uploads#pending`),
    oldest first."""

    class Meta:
        index_name = "announcements"
        projection = AllProjection()

    list_name = UnicodeAttribute(hash_key=True)
    list_order = UnicodeAttribute(range_key=True)  # <time>#<id>


class CurrentAnnouncementsIndex(GlobalSecondaryIndex):
    """Published announcements by the end of their validity (sparse: only published ones
    carry `published_scope`)."""

    class Meta:
        index_name = "current_announcements"
        projection = AllProjection()

    published_scope = UnicodeAttribute(hash_key=True)  # "published"
    ends_order = UnicodeAttribute(range_key=True)  # <ends_at or OPEN_END>#<id>


class AttachmentItem(ServiceItem, discriminator="attachment"):
    """A file attached to a ticket and its check (domain/tickets.py AttachmentState).
    While pending (its upload not yet checked) it is listed under `uploads#pending` in the
    `announcements` index, oldest first, so the `cleanup` job finds the slots whose upload
    never came without reading any ticket; the check takes it off the list."""

    PREFIX = "ATTACHMENT#"
    PENDING = "uploads#pending"

    name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    state = UnicodeAttribute()
    created_at = UnicodeAttribute()
    uploader = UnicodeAttribute()
    key = UnicodeAttribute(null=True)
    checked_at = UnicodeAttribute(null=True)
    refusal = UnicodeAttribute(null=True)  # why it was quarantined
    list_name = UnicodeAttribute(null=True)  # PENDING while pending
    list_order = UnicodeAttribute(null=True)  # <created_at>#<ticket>#<attachment id>

    lists = AnnouncementListIndex()


class AnnouncementItem(ServiceItem, discriminator="announcement"):
    """A notice of planned works, a failure or a general one (domain/announcements.py)."""

    SORT_KEY = "ANNOUNCEMENT"
    LIST = "announcements"
    PUBLISHED = "published"
    OPEN_END = "9999-12-31T23:59:59+00:00"  # sorts after every real end

    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    whole_area = BooleanAttribute(default=False)
    postal_codes = ListAttribute(of=UnicodeAttribute, default=list)
    streets = ListAttribute(of=UnicodeAttribute, default=list)
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    withdrawn_at = UnicodeAttribute(null=True)
    list_name = UnicodeAttribute()
    list_order = UnicodeAttribute()
    published_scope = UnicodeAttribute(null=True)
    ends_order = UnicodeAttribute(null=True)

    lists = AnnouncementListIndex()
    current = CurrentAnnouncementsIndex()

    @staticmethod
    def partition(announcement: str) -> str:  # type: ignore[override]
        """The partition holding one announcement."""
        return f"ANNOUNCEMENT#{announcement}"


class BroadcastItem(ServiceItem, discriminator="broadcast"):
    """An announcement's publication, for the notifications issue to broadcast: listed
    under `broadcasts#pending` in the `announcements` index until that job moves it on."""

    PREFIX = "BROADCAST#"
    PENDING = "broadcasts#pending"
    DONE = "broadcasts#done"  # queued by the announcements job (newest last)

    announcement = UnicodeAttribute()
    actor = UnicodeAttribute()
    at = UnicodeAttribute()
    list_name = UnicodeAttribute()
    list_order = UnicodeAttribute()

    lists = AnnouncementListIndex()


class TermsVersionItem(ServiceItem, discriminator="terms_version"):
    """A terms version staff published (domain/terms.py), all in one partition
    (`TERMS` / `VERSION#<label>`): the versions are few, so every read is one Query."""

    PARTITION = "TERMS"
    PREFIX = "VERSION#"

    version = UnicodeAttribute()
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    effective_from = UnicodeAttribute()  # ISO 8601, UTC
    published_at = UnicodeAttribute()
    published_by = UnicodeAttribute()

    @staticmethod
    def key(version: str) -> tuple[str, str]:
        """The item's key."""
        return TermsVersionItem.PARTITION, f"{TermsVersionItem.PREFIX}{version}"
