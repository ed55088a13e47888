"""IBOK: the Chalice app. Creates the app, registers blueprints, wires event handlers."""

from __future__ import annotations

from chalice import Chalice, Cron, Rate

from chalicelib.blueprints import (
    auth,
    billing,
    consumption,
    documents,
    integration,
    me,
    meters,
    notifications,
    payments,
    public,
    staff,
    staff_announcements,
    staff_terms,
    staff_tickets,
    summary,
    tickets,
)
from chalicelib.http import local_only
from chalicelib.http.middleware import http_middleware
from chalicelib.lazy import lazy_module
from chalicelib.settings import get_settings
from chalicelib.tracing import tracing_middleware

import_handler = lazy_module("chalicelib.imports.handler")
export_job = lazy_module("chalicelib.jobs.export_readings")
sessions = lazy_module("chalicelib.services.sessions")
ticket_uploads = lazy_module("chalicelib.services.ticket_uploads")
digest_job = lazy_module("chalicelib.jobs.complaint_digest")
notification_service = lazy_module("chalicelib.services.notifications")
job_work_module = lazy_module("chalicelib.jobs.work")
expiry_job = lazy_module("chalicelib.jobs.expire_unactivated")
terminations_job = lazy_module("chalicelib.jobs.terminations")
cleanup_job = lazy_module("chalicelib.jobs.cleanup")
reminders_job = lazy_module("chalicelib.jobs.invoice_reminders")
new_invoices_job = lazy_module("chalicelib.jobs.new_invoices")
reading_window_job = lazy_module("chalicelib.jobs.reading_window")
certification_job = lazy_module("chalicelib.jobs.certification_digest")
announcements_job = lazy_module("chalicelib.jobs.announcements")

app = Chalice(app_name="ibok")
app.debug = False
app.register_middleware(tracing_middleware, "all")
app.register_middleware(http_middleware, "http")

for blueprint in (
    public.bp,
    auth.bp,
    me.bp,
    billing.bp,
    meters.bp,
    consumption.bp,
    documents.bp,
    integration.bp,
    payments.bp,
    summary.bp,
    notifications.bp,
    tickets.bp,
    staff.bp,
    staff_tickets.bp,
    staff_announcements.bp,
    staff_terms.bp,
):
    app.register_blueprint(blueprint)

if local_only.enabled():  # the local stage on a loopback moto server, never a deployed one
    from chalicelib.blueprints import local_gateway, local_pages

    app.register_blueprint(local_pages.bp)
    app.register_blueprint(local_gateway.bp)


@app.on_sqs_message(queue=get_settings().import_queue, batch_size=1, name="billing_import")
def billing_import(event):
    """A billing batch landed in S3 under imports/ (EventBridge queued its event on the
    FIFO import queue): import it. Raising hands the message back to SQS, which retries it
    and then moves it to the dead-letter queue (the failure report beside the batch)."""
    for record in event:
        import_handler.import_queued_batch(record.to_dict())


@app.schedule(Cron(15, 1, "*", "*", "?", "*"), name="export_readings")
def export_readings(_event):
    """Daily, 01:15 UTC: customer readings to the billing system (exports/readings/)."""
    export_job.export_readings()


@app.on_sqs_message(queue=get_settings().reset_queue, batch_size=1, name="reset_mail")
def reset_mail(event):
    """A password reset was asked for: e-mail the link. Raising hands the message back to
    SQS, which retries it and then moves it to the dead-letter queue."""
    for record in event:
        sessions.send_reset_mail(record.body)


@app.on_sqs_message(queue=get_settings().ticket_upload_queue, batch_size=1, name="ticket_upload")
def ticket_upload(event):
    """A ticket attachment landed under tickets-pending/ (EventBridge queued its event):
    check its content and move it to its ticket or to quarantine. Raising hands the message
    back to SQS, which retries it and then moves it to the dead-letter queue."""
    for record in event:
        ticket_uploads.check_queued_upload(record.body)


@app.schedule(Cron(0, 6, "*", "*", "?", "*"), name="complaint_digest")
def complaint_digest(_event):
    """Daily, 06:00 UTC: staff get one e-mail of complaints overdue or due within 3 days."""
    digest_job.complaint_digest()


@app.on_sns_message(topic=get_settings().mail_events_topic, name="mail_events")
def mail_events(event):
    """SES bounces and complaints (the configuration set's event destination publishes them
    to the mail-events topic): suppress the addresses they name."""
    notification_service.apply_mail_event(event.message)


# The scheduled jobs below only list their work by a date index and queue it in batches
# (chalicelib/jobs/fanout.py); `job_work` does it, at the capped rate (docs/jobs.md).
@app.on_sqs_message(
    queue=get_settings().job_queue, batch_size=get_settings().job_work_batch_size, name="job_work"
)
def job_work(event):
    """Batches of a scheduled job's per-customer work. Raising hands the message back to
    SQS (every item is idempotent per day), which moves it to the DLQ after five tries."""
    job_work_module.consume(record.body for record in event)


@app.schedule(Cron(30, 2, "*", "*", "?", "*"), name="expire_unactivated")
def expire_unactivated(_event):
    """Daily, 02:30 UTC: registrations never activated are removed."""
    expiry_job.expire_unactivated()


@app.schedule(Cron(0, 3, "*", "*", "?", "*"), name="terminations")
def terminations(_event):
    """Daily, 03:00 UTC: §7 terminations: contracts ended, notices owed, accounts closing."""
    terminations_job.terminations()


@app.schedule(Cron(30, 3, "*", "*", "?", "*"), name="cleanup")
def cleanup(_event):
    """Daily, 03:30 UTC: what TTL does not remove."""
    cleanup_job.cleanup()


@app.schedule(Cron(0, 7, "*", "*", "?", "*"), name="invoice_reminders")
def invoice_reminders(_event):
    """Daily, 07:00 UTC: invoice reminders before the due date and overdue notices."""
    reminders_job.invoice_reminders()


@app.schedule(Cron(20, "6-18", "*", "*", "?", "*"), name="new_invoices")
def new_invoices(_event):
    """Hourly in the daytime, at :20 UTC: a notice of each newly imported invoice."""
    new_invoices_job.new_invoices()


@app.schedule(Cron(30, 7, "*", "*", "?", "*"), name="reading_window")
def reading_window(_event):
    """Daily, 07:30 UTC: on the reading window's opening day, a notice to customers with an
    active meter who have not read it yet."""
    reading_window_job.reading_window()


@app.schedule(Cron(15, 6, "*", "*", "?", "*"), name="certification_digest")
def certification_digest(_event):
    """Daily, 06:15 UTC: staff get one e-mail of meter certifications ending within 90 days."""
    certification_job.certification_digest()


@app.schedule(Rate(5, unit=Rate.MINUTES), name="announcements")
def announcements(_event):
    """Every 5 minutes: published failure and planned-works notices go to the customers in
    their area."""
    announcements_job.announcements()
