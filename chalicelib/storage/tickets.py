"""Every access to the service table's tickets: reference numbers, tickets with their
messages, events and attachments (one partition per ticket), a customer's list, the staff
queue by due date, and the complaint digest's daily mark. Callers get domain objects;
failed conditions become domain errors here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.tickets import (
    CATEGORIES,
    MAX_ATTACHMENTS,
    Attachment,
    AttachmentState,
    Event,
    Location,
    Message,
    Thread,
    Ticket,
    TicketKind,
    TicketStatus,
    due_order,
    scope,
)
from chalicelib.models.service import (
    AttachmentItem,
    DigestMark,
    EventItem,
    MessageItem,
    ReferenceCounter,
    ServiceItem,
    TicketItem,
)
from chalicelib.paging import decode_cursor, encode_cursor
from chalicelib.storage.errors import is_condition_failure

CHANGED_MEANWHILE = "Zgłoszenie zmieniło się w międzyczasie. Odśwież je i spróbuj ponownie."
TOO_MANY_ATTACHMENTS = f"Do zgłoszenia można dołączyć najwyżej {MAX_ATTACHMENTS} plików."
UNASSIGNED = "-"


def _connection() -> Any:
    return ServiceItem._get_connection().connection


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def allocate_number(prefix: str, year: int) -> int:
    """The next reference number of `prefix` in `year`: one atomic ADD (no read first),
    so two tickets never get the same number."""
    counter = ReferenceCounter(*ReferenceCounter.key(prefix, year))
    counter.update(
        actions=[ReferenceCounter.value.add(1), ReferenceCounter.cls.set(ReferenceCounter)]
    )
    return int(counter.value)


def _queue_keys(status: TicketStatus, kind: str, category: str, assignee: str | None) -> dict:
    where = scope(status)
    return {
        "queue_scope": where,
        "queue_status": str(status),
        "queue_kind": f"{where}#{kind}",
        "queue_category": f"{where}#{kind}#{category}",
        "queue_assignee": f"{where}#{assignee or UNASSIGNED}",
    }


def _ticket_item(ticket: Ticket) -> TicketItem:
    location = ticket.location
    return TicketItem(
        ServiceItem.partition(ticket.id),
        TicketItem.SORT_KEY,
        reference=ticket.reference,
        kind=str(ticket.kind),
        category=ticket.category,
        status=str(ticket.status),
        customer=ticket.customer,
        description=ticket.description,
        created_at=ticket.created_at.isoformat(),
        updated_at=ticket.updated_at.isoformat(),
        created_order=f"{ticket.created_at.isoformat()}#{ticket.id}",
        due_on=ticket.due_on.isoformat() if ticket.due_on else None,
        due_order=due_order(ticket.due_on, ticket.created_at, ticket.id),
        invoice=ticket.invoice,
        meter=ticket.meter,
        street=location.street if location else None,
        postal_code=location.postal_code if location else None,
        city=location.city if location else None,
        phone=ticket.phone,
        assignee=ticket.assignee,
        attachment_count=ticket.attachment_count,
        **_queue_keys(ticket.status, ticket.kind, ticket.category, ticket.assignee),
    )


def _ticket(item: TicketItem) -> Ticket:
    location = (
        Location(street=item.street, postal_code=item.postal_code or "", city=item.city or "")
        if item.street
        else None
    )
    return Ticket(
        id=item.pk.removeprefix("TICKET#"),
        reference=item.reference,
        kind=TicketKind(item.kind),
        category=item.category,
        status=TicketStatus(item.status),
        customer=item.customer,
        description=item.description,
        created_at=datetime.fromisoformat(item.created_at),
        updated_at=datetime.fromisoformat(item.updated_at),
        due_on=date.fromisoformat(item.due_on) if item.due_on else None,
        invoice=item.invoice,
        meter=item.meter,
        location=location,
        phone=item.phone,
        assignee=item.assignee,
        closed_at=_time(item.closed_at),
        attachment_count=int(item.attachment_count or 0),
    )


def _message_item(ticket: str, message: Message) -> MessageItem:
    return MessageItem(
        ServiceItem.partition(ticket),
        f"{MessageItem.PREFIX}{message.at.isoformat()}#{message.id}",
        author=message.author,
        author_role=message.author_role,
        body=message.body,
        at=message.at.isoformat(),
        internal=message.internal,
    )


def _message(item: MessageItem) -> Message:
    return Message(
        id=item.sk.rsplit("#", 1)[-1],
        author=item.author,
        author_role=item.author_role,
        body=item.body,
        at=datetime.fromisoformat(item.at),
        internal=bool(item.internal),
    )


def _event_item(ticket: Ticket, event: Event) -> EventItem:
    return EventItem(
        ServiceItem.partition(ticket.id),
        f"{EventItem.PREFIX}{event.at.isoformat()}#{event.id}",
        actor=event.actor,
        actor_role=event.actor_role,
        action=event.action,
        at=event.at.isoformat(),
        from_status=event.from_status,
        to_status=event.to_status,
        detail=event.detail,
        customer_visible=event.customer_visible,
    )


def _event(item: EventItem) -> Event:
    return Event(
        id=item.sk.rsplit("#", 1)[-1],
        actor=item.actor,
        actor_role=item.actor_role,
        action=item.action,
        at=datetime.fromisoformat(item.at),
        from_status=item.from_status,
        to_status=item.to_status,
        detail=item.detail,
        customer_visible=bool(item.customer_visible),
    )


def _attachment(item: AttachmentItem) -> Attachment:
    return Attachment(
        id=item.sk.removeprefix(AttachmentItem.PREFIX),
        name=item.name,
        content_type=item.content_type,
        size=int(item.size),
        state=AttachmentState(item.state),
        created_at=datetime.fromisoformat(item.created_at),
        key=item.key,
    )


def create(ticket: Ticket, event: Event) -> None:
    """Write a new ticket and its first event at once (its id is new: a number from the
    counter)."""
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.save(_ticket_item(ticket), condition=TicketItem.pk.does_not_exist())
            tx.save(_event_item(ticket, event))
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            raise
        raise Conflict(CHANGED_MEANWHILE) from exc


def thread(ticket_id: str) -> Thread | None:
    """The ticket with its messages, events and attachments (one Query), or None."""
    items = list(ServiceItem.query(ServiceItem.partition(ticket_id)))
    tickets = [i for i in items if isinstance(i, TicketItem)]
    if not tickets:
        return None
    return Thread(
        ticket=_ticket(tickets[0]),
        messages=[_message(i) for i in items if isinstance(i, MessageItem)],
        events=[_event(i) for i in items if isinstance(i, EventItem)],
        attachments=[_attachment(i) for i in items if isinstance(i, AttachmentItem)],
    )


def get(ticket_id: str) -> Ticket | None:
    """The ticket alone (one GetItem), or None."""
    try:
        item = ServiceItem.get(ServiceItem.partition(ticket_id), TicketItem.SORT_KEY)
    except ServiceItem.DoesNotExist:
        return None
    return _ticket(item) if isinstance(item, TicketItem) else None


@dataclass(frozen=True)
class TicketPage:
    """One page of tickets and the cursor of the next."""

    items: list[Ticket]
    next_cursor: str | None


def _start(
    cursor: str | None, hash_name: str, hash_key: str, range_name: str
) -> dict[str, Any] | None:
    """The start key a cursor stands for; InvalidInput unless it is one of this list's:
    string keys of the index, in the partition queried (DynamoDB refuses a start key of
    another partition with a ValidationException)."""
    if not cursor:
        return None
    try:
        key = json.loads(decode_cursor(cursor))
    except ValueError as exc:
        raise InvalidInput(fields={"cursor": "Nieprawidłowy kursor strony."}) from exc
    if (
        not isinstance(key, dict)
        or set(key) != {"pk", "sk", hash_name, range_name}
        or not all(isinstance(value, str) for value in key.values())
        or key[hash_name] != hash_key
    ):
        raise InvalidInput(fields={"cursor": "Nieprawidłowy kursor strony."})
    return {name: {"S": value} for name, value in key.items()}


def _page(results: Any, limit: int) -> TicketPage:
    items = [_ticket(item) for item in results if isinstance(item, TicketItem)][:limit]
    last = results.last_evaluated_key
    return TicketPage(items, _cursor({k: v["S"] for k, v in last.items()}) if last else None)


def _cursor(key: dict[str, str]) -> str:
    """The cursor of the page after the one ending at `key` (its attributes by name)."""
    return encode_cursor(json.dumps(dict(sorted(key.items()))))


def customer_tickets(customer: str, limit: int, cursor: str | None = None) -> TicketPage:
    """A customer's tickets, newest first (one Query of `by_customer`)."""
    results = TicketItem.by_customer.query(
        customer,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=_start(cursor, "customer", customer, "created_order"),
    )
    return _page(results, limit)


@dataclass(frozen=True)
class QueueFilter:
    """The staff queue's filters (each optional); `closed` lists closed tickets instead."""

    closed: bool = False
    status: TicketStatus | None = None
    kind: TicketKind | None = None
    category: str | None = None
    assignee: str | None = None  # a staff login, or "-" for unassigned


# Index items a page with two filters at once reads (in one Query): the second filter is
# DynamoDB's filter expression on them, so such a page may hold fewer tickets (even none)
# and still have a next cursor. Never more than one Query per page.
FILTERED_READ = 100


def _kind_of(category: str) -> TicketKind | None:
    """The kind a category belongs to, when only one kind has it."""
    kinds = [kind for kind, names in CATEGORIES.items() if category in names]
    return kinds[0] if len(kinds) == 1 else None


def _queue_index(filters: QueueFilter, where: str) -> tuple[str, str, set[str]]:
    """The index serving `filters`: its hash key name, that key's value and the filters
    it serves (the others are a filter expression)."""
    kind = filters.kind or (_kind_of(filters.category) if filters.category else None)
    if filters.status is not None:
        return "queue_status", str(filters.status), {"status"}
    if filters.assignee is not None:
        return "queue_assignee", f"{where}#{filters.assignee}", {"assignee"}
    if filters.category is not None and kind is not None:
        return "queue_category", f"{where}#{kind}#{filters.category}", {"kind", "category"}
    if kind is not None:
        return "queue_kind", f"{where}#{kind}", {"kind"}
    return "queue_scope", where, set()


def _query_queue(hash_name: str, hash_key: str, **options: Any) -> Any:
    """Query the queue index whose hash key is `hash_name`."""
    if hash_name == "queue_status":
        return TicketItem.queue_by_status.query(hash_key, **options)
    if hash_name == "queue_assignee":
        return TicketItem.queue_by_assignee.query(hash_key, **options)
    if hash_name == "queue_category":
        return TicketItem.queue_by_category.query(hash_key, **options)
    if hash_name == "queue_kind":
        return TicketItem.queue_by_kind.query(hash_key, **options)
    return TicketItem.queue.query(hash_key, **options)


def _queue_filter(filters: QueueFilter, served: set[str]) -> Any:
    """The filter expression of what the index does not serve, or None."""
    tests = []
    if filters.kind is not None and "kind" not in served:
        tests.append(TicketItem.kind == str(filters.kind))
    if filters.category is not None and "category" not in served:
        tests.append(TicketItem.category == filters.category)
    if filters.assignee is not None and "assignee" not in served:
        if filters.assignee == UNASSIGNED:
            tests.append(TicketItem.assignee.does_not_exist())
        else:
            tests.append(TicketItem.assignee == filters.assignee)
    extra = None
    for test in tests:
        extra = test if extra is None else extra & test
    return extra


def queue(
    filters: QueueFilter, limit: int, cursor: str | None = None, until: str | None = None
) -> TicketPage:
    """Tickets by due date, earliest first, through the index that serves the filters:
    every page is one Query with its Limit (never a second page read behind the caller's
    back). The first page of any one filter is the first `limit` items of one partition of
    its index; a category names its kind unless both kinds have it. A second filter is a
    filter expression on FILTERED_READ index items, so that page may be short. `until`: due
    orders up to this prefix only (a key condition)."""
    where = "closed" if filters.closed else "open"
    if filters.status is not None:
        where = scope(filters.status)
    hash_name, hash_key, served = _queue_index(filters, where)
    extra = _queue_filter(filters, served)
    read = limit if extra is None else max(limit, FILTERED_READ)
    results = _query_queue(
        hash_name,
        hash_key,
        range_key_condition=TicketItem.due_order <= f"{until}#~" if until else None,
        filter_condition=extra,
        limit=read,
        page_size=read,
        last_evaluated_key=_start(cursor, hash_name, hash_key, "due_order"),
    )
    page = next(results.page_iter)  # one Query, whatever its filter leaves
    found = [TicketItem.from_raw_data(raw) for raw in page.get("Items", [])]
    found = [item for item in found if isinstance(item, TicketItem)]
    if len(found) > limit:
        last = found[limit - 1]
        key = {name: getattr(last, name) for name in ("pk", "sk", hash_name, "due_order")}
        return TicketPage([_ticket(i) for i in found[:limit]], _cursor(key))
    last_key = page.get("LastEvaluatedKey")
    plain = {k: v["S"] for k, v in last_key.items()} if last_key else None
    return TicketPage([_ticket(i) for i in found], _cursor(plain) if plain else None)


def open_complaints_due_by(day: date) -> list[Ticket]:
    """Open complaints due on or before `day`, earliest first (Queries of `queue_kind`,
    each page a round trip)."""
    results = TicketItem.queue_by_kind.query(
        f"open#{TicketKind.COMPLAINT}",
        TicketItem.due_order <= f"{day.isoformat()}#~",
    )
    return [_ticket(item) for item in results if isinstance(item, TicketItem)]


def _status_actions(ticket: Ticket, to: TicketStatus, now: datetime) -> list[Any]:
    keys = _queue_keys(to, ticket.kind, ticket.category, ticket.assignee)
    actions = [TicketItem.status.set(str(to))]
    actions += [getattr(TicketItem, name).set(value) for name, value in keys.items()]
    if to in (TicketStatus.RESOLVED, TicketStatus.REJECTED):
        actions.append(TicketItem.closed_at.set(now.isoformat()))
    else:
        actions.append(TicketItem.closed_at.remove())
    return actions


def record(
    ticket: Ticket,
    event: Event,
    now: datetime,
    *,
    message: Message | None = None,
    status: TicketStatus | None = None,
    assignee: str | None = None,
) -> None:
    """Write a message and/or a change of status or assignee with its event, in one
    transaction conditional on the ticket's status (and assignee) being as read: a change
    made meanwhile is a Conflict."""
    actions: list[Any] = [TicketItem.updated_at.set(now.isoformat())]
    if status is not None and status != ticket.status:
        actions += _status_actions(ticket, status, now)
    if assignee is not None:
        where = scope(status or ticket.status)
        actions.append(TicketItem.assignee.set(assignee))
        actions.append(TicketItem.queue_assignee.set(f"{where}#{assignee}"))
    condition = TicketItem.status == str(ticket.status)
    if ticket.assignee is None:
        condition &= TicketItem.assignee.does_not_exist()
    else:
        condition &= TicketItem.assignee == ticket.assignee
    item = TicketItem(ServiceItem.partition(ticket.id), TicketItem.SORT_KEY)
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.update(item, actions=actions, condition=condition)
            tx.save(_event_item(ticket, event))
            if message is not None:
                tx.save(_message_item(ticket.id, message))
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            raise
        raise Conflict(CHANGED_MEANWHILE) from exc


def reserve_attachment(ticket: Ticket, attachment: Attachment, uploader: str) -> None:
    """Take one of the ticket's attachment slots and write the pending attachment, at once:
    a sixth file is a Conflict, also when two are asked for at the same time."""
    item = TicketItem(ServiceItem.partition(ticket.id), TicketItem.SORT_KEY)
    pending = AttachmentItem(
        ServiceItem.partition(ticket.id),
        f"{AttachmentItem.PREFIX}{attachment.id}",
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        state=str(AttachmentState.PENDING),
        created_at=attachment.created_at.isoformat(),
        uploader=uploader,
        list_name=AttachmentItem.PENDING,
        list_order=f"{attachment.created_at.isoformat()}#{ticket.id}#{attachment.id}",
    )
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.update(
                item,
                actions=[TicketItem.attachment_count.add(1)],
                condition=TicketItem.attachment_count < MAX_ATTACHMENTS,
            )
            tx.save(pending, condition=AttachmentItem.pk.does_not_exist())
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            raise
        raise Conflict(TOO_MANY_ATTACHMENTS) from exc


def pending_attachment(ticket_id: str, attachment_id: str) -> Attachment | None:
    """An attachment still waiting for its check (one GetItem), or None."""
    try:
        item = ServiceItem.get(
            ServiceItem.partition(ticket_id), f"{AttachmentItem.PREFIX}{attachment_id}"
        )
    except ServiceItem.DoesNotExist:
        return None
    if not isinstance(item, AttachmentItem) or item.state != AttachmentState.PENDING:
        return None
    return _attachment(item)


def finish_attachment(
    ticket_id: str,
    attachment_id: str,
    now: datetime,
    key: str | None = None,
    refusal: str | None = None,
) -> bool:
    """Mark a pending attachment checked: READY at `key`, or QUARANTINED for `refusal`
    (its slot given back). False when it was no longer pending (a redelivered event)."""
    partition = ServiceItem.partition(ticket_id)
    item = AttachmentItem(partition, f"{AttachmentItem.PREFIX}{attachment_id}")
    state = AttachmentState.QUARANTINED if refusal else AttachmentState.READY
    actions = [
        AttachmentItem.state.set(str(state)),
        AttachmentItem.checked_at.set(now.isoformat()),
        AttachmentItem.list_name.remove(),  # off the pending uploads' list
        AttachmentItem.list_order.remove(),
    ]
    actions.append(AttachmentItem.refusal.set(refusal) if refusal else AttachmentItem.key.set(key))
    condition = AttachmentItem.state == str(AttachmentState.PENDING)
    try:
        if refusal:
            with TransactWrite(connection=_connection()) as tx:
                tx.update(item, actions=actions, condition=condition)
                tx.update(
                    TicketItem(partition, TicketItem.SORT_KEY),
                    actions=[TicketItem.attachment_count.add(-1)],
                )
        else:
            item.update(actions=actions, condition=condition)
    except (TransactWriteError, UpdateError) as exc:
        if not is_condition_failure(exc):
            raise
        return False
    return True


def stale_uploads(before: datetime) -> list[str]:
    """The attachments still pending that were asked for before `before`, as
    `<ticket>|<attachment id>` (one Query of `uploads#pending` in the `announcements`
    index, bounded by its sort key: no ticket is read)."""
    return [
        f"{ticket}|{attachment}"
        for item in AttachmentItem.lists.query(
            AttachmentItem.PENDING, AttachmentItem.list_order < before.isoformat()
        )
        for _, ticket, attachment in [item.list_order.split("#")]
    ]


def drop_stale_upload(ticket_id: str, attachment_id: str, before: datetime) -> bool:
    """Delete an attachment whose upload never came (still pending, asked for before
    `before`) and give its slot back, in one transaction. False when it is gone or no
    longer pending (its upload was checked meanwhile)."""
    partition = ServiceItem.partition(ticket_id)
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.delete(
                AttachmentItem(partition, f"{AttachmentItem.PREFIX}{attachment_id}"),
                condition=(AttachmentItem.state == str(AttachmentState.PENDING))
                & (AttachmentItem.created_at < before.isoformat()),
            )
            tx.update(
                TicketItem(partition, TicketItem.SORT_KEY),
                actions=[TicketItem.attachment_count.add(-1)],
                condition=TicketItem.attachment_count > 0,
            )
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            raise
        return False
    return True


def claim_digest(day: date, now: datetime) -> bool:
    """Claim the complaint digest of `day` (a conditional put): False when it is taken."""
    mark = DigestMark(*DigestMark.key(day.isoformat()), claimed_at=now.isoformat())
    try:
        mark.save(condition=DigestMark.pk.does_not_exist())
    except PutError as exc:
        if not is_condition_failure(exc):
            raise
        return False
    return True


def digest_sent(day: date, now: datetime, complaints: int) -> None:
    """Note on the day's mark that the digest went out."""
    DigestMark(*DigestMark.key(day.isoformat())).update(
        actions=[DigestMark.sent_at.set(now.isoformat()), DigestMark.complaints.set(complaints)]
    )


def release_digest(day: date) -> None:
    """Give the day's digest back (its e-mail failed): the next run sends it."""
    DigestMark(*DigestMark.key(day.isoformat())).delete()


def delete_digest_mark(day: date) -> None:
    """Delete the complaint digest's mark of `day` (cleanup; idempotent)."""
    DigestMark(*DigestMark.key(day.isoformat())).delete()


@dataclass(frozen=True)
class ErasedTicket:
    """A ticket whose personal fields were erased, and the files its attachments left."""

    id: str
    attachment_keys: list[str]
    attachment_ids: list[str]


def erase_customer_tickets(customer: str, erased: str) -> list[ErasedTicket]:
    """Erase the personal fields of every ticket of `customer` (account closure, §7): the
    description, the location and phone given, the text of every message (the customer's,
    staff replies that quote it, internal notes) and attachment names, each replaced by
    `erased` or removed. The complaint record stays: reference, kind, category, invoice or
    meter, status and its history, dates and who handled it. Returns the attachment files
    to delete."""
    found = []
    for listed in TicketItem.by_customer.query(customer):
        ticket_id = listed.pk.removeprefix("TICKET#")
        items = list(ServiceItem.query(listed.pk))
        keys, ids = [], []
        for item in items:
            if isinstance(item, TicketItem):
                item.update(
                    actions=[
                        TicketItem.description.set(erased),
                        TicketItem.street.remove(),
                        TicketItem.postal_code.remove(),
                        TicketItem.city.remove(),
                        TicketItem.phone.remove(),
                    ]
                )
            elif isinstance(item, MessageItem):
                item.update(actions=[MessageItem.body.set(erased)])
            elif isinstance(item, AttachmentItem):
                item.update(actions=[AttachmentItem.name.set(erased)])
                ids.append(item.sk.removeprefix(AttachmentItem.PREFIX))
                if item.key:
                    keys.append(item.key)
        found.append(ErasedTicket(ticket_id, keys, ids))
    return found
