"""`reading-window`: on the day the reading window opens (`READING_WINDOW`, e.g. `25-31`:
the 25th to the month's end), customers with an active meter who have no reading in the
window yet get a notice with a link to the reading page (`<PUBLIC_URL>/wodomierze`).

Read: the billing table's sparse `active_meters` index, all 16 shards (the recipients are
every customer with an active meter, not the items of a date): for 500,000 meters some 25
pages of 1 MB, 16+ Queries, well within the 300 s timeout. Work: one item per customer
(deduplicated), task `notify`: the handler reads the account (customers without an active
account stop there, one GetItem) and the customer's meters and readings (one Query), and
sends through `notifications.notify` under the key `reading_window:all:<opening day>`.
On any other day, or with no window set (readings accepted every day), the job lists
nothing. A run missed on the opening day is not caught up by the next day's run; `make job
NAME=reading-window` on the opening day sends it (nothing twice)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.readings import Window
from chalicelib.jobs import fanout
from chalicelib.services import meter_notices
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import meters as meters_store

JOB = "reading-window"


def reading_window(deps: Collaborators | None = None) -> fanout.Enqueued:
    """On the window's opening day, list the customers with an active meter and queue them."""
    deps = deps or current()
    today = deps.clock.today()
    window = Window.parse(get_settings().reading_window)
    customers = (
        meters_store.customers_with_active_meters()
        if window is not None and window.opens_on(today)
        else []
    )
    return fanout.enqueue(JOB, today, {"notify": customers}, deps)


@fanout.task(JOB, "notify", marked=False)  # once by its key `reading_window:all:<day>`
def notify_customer(customer_number: str, day: date, deps: Collaborators) -> None:
    """Tell one customer the window opened on `day`, unless every meter is read already."""
    window = Window.parse(get_settings().reading_window)
    if window is None:
        return
    meter_notices.tell_reading_window(customer_number, day, window.closes_on(day), deps)
