"""The check of uploaded ticket attachments (the `ticket_upload` Lambda): the content's
magic bytes must show an allowed type, the one declared, within the size limits; a good
file moves to its ticket's prefix (and is served from there), anything else to quarantine
(never served). Runs on the data bucket's object-created events under tickets-pending/,
queued by EventBridge."""

from __future__ import annotations

import json
import re

from chalicelib.adapters import uploads
from chalicelib.domain.tickets import quarantine_key, stored_key, upload_verdict
from chalicelib.logs import logger
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import tickets as store
from chalicelib.telemetry import security_event

PENDING = re.compile(r"tickets-pending/(?P<ticket>[RZ]-\d{4}-\d{6})/(?P<attachment>[0-9a-f]{12})")


def uploaded_key(body: str) -> str | None:
    """The object key an upload-queue message (an EventBridge "Object Created" event)
    names; None when it is not such an event."""
    try:
        return str(json.loads(body)["detail"]["object"]["key"])
    except (ValueError, TypeError, KeyError):
        return None


def check_upload(key: str, deps: Collaborators | None = None) -> str | None:
    """Check one uploaded file and move it; return why it was refused (None: accepted or
    nothing to do). A redelivered event finds the attachment no longer pending."""
    deps = deps or current()
    found = PENDING.fullmatch(key)
    if found is None:
        logger.warning("unexpected upload key", extra={"key": key[:200]})
        return None
    ticket, attachment_id = found["ticket"], found["attachment"]
    attachment = store.pending_attachment(ticket, attachment_id)
    if attachment is None:
        logger.info("upload already checked", extra={"ticket": ticket})
        return None
    head, size, version = uploads.read_head(key)  # the version checked is the one moved
    detected = uploads.content_type_of(head)
    refusal = upload_verdict(attachment.content_type, detected, size)
    if refusal is None and size > attachment.size:
        refusal = "size"
    now = deps.clock.now()
    if refusal is not None:
        uploads.move(key, quarantine_key(ticket, attachment_id), version)
        store.finish_attachment(ticket, attachment_id, now, refusal=refusal)
        security_event(
            "ticket_upload_quarantined",
            ticket=ticket,
            declared=attachment.content_type,
            detected=detected or "unknown",
            reason=refusal,
        )
        return refusal
    target = stored_key(ticket, attachment_id, attachment.content_type)
    uploads.move(key, target, version)
    store.finish_attachment(ticket, attachment_id, now, key=target)
    return None


def check_queued_upload(body: str, deps: Collaborators | None = None) -> str | None:
    """Check the upload one queue message names."""
    key = uploaded_key(body)
    if key is None:
        logger.error("malformed upload message")
        return None
    return check_upload(key, deps)
