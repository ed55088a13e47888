// Polish names of the ticket API's codes (complaints and operational reports), as the
// customer pages show them, and the small pieces the ticket pages share.

/** Kinds of ticket. */
export const TICKET_KINDS = {
  complaint: 'Reklamacja',
  operational: 'Zgłoszenie eksploatacyjne',
};

/** Categories of each kind, in the API's order (`chalicelib/domain/tickets.py`). */
export const TICKET_CATEGORIES = {
  complaint: {
    invoice: 'Faktura',
    reading: 'Odczyt wodomierza',
    service: 'Usługa',
    other: 'Inna sprawa',
  },
  operational: {
    no_water: 'Brak wody',
    low_pressure: 'Niskie ciśnienie wody',
    leak_or_failure: 'Wyciek lub awaria',
    water_quality: 'Jakość wody',
    sewage: 'Kanalizacja',
    meter_damage: 'Uszkodzenie wodomierza',
    other: 'Inna sprawa',
  },
};

/** Where a ticket stands. */
export const TICKET_STATUSES = {
  new: 'Nowe',
  in_progress: 'W realizacji',
  waiting_for_customer: 'Czeka na Twoją odpowiedź',
  resolved: 'Rozwiązane',
  rejected: 'Odrzucone',
};

/** Closed tickets (reopened only within the API's `reopen_until`). */
export const CLOSED_STATUSES = new Set(['resolved', 'rejected']);

/** "Reklamacja" / "Zgłoszenie eksploatacyjne" for a ticket. */
export function ticketKind(ticket) {
  return TICKET_KINDS[ticket.kind] || ticket.kind;
}

/** The Polish name of a ticket's category. */
export function ticketCategory(ticket) {
  return (TICKET_CATEGORIES[ticket.kind] || {})[ticket.category] || ticket.category;
}

/** The Polish name of a ticket's status. */
export function ticketStatus(ticket) {
  return TICKET_STATUSES[ticket.status] || ticket.status;
}

/** The ticket page's address. */
export function ticketUrl(ticket) {
  return `/zgloszenie?id=${encodeURIComponent(ticket.id)}`;
}

/** File size in Polish units: "820 B", "12,5 kB", "3,4 MB". */
export function fileSize(bytes) {
  if (bytes < 1024) return `${bytes}\u00a0B`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'kB'] : [bytes / (1024 * 1024), 'MB'];
  return `${value.toFixed(1).replace('.', ',')}\u00a0${unit}`;
}

// A message handed from one page to the next (e.g. "Zgłoszenie przyjęte" after filing).
const FLASH_KEY = 'ibok.ticketFlash';

/** Keep a status message for the next page. */
export function keepFlash(text) {
  sessionStorage.setItem(FLASH_KEY, text);
}

/** The message kept for this page (once), or ''. */
export function takeFlash() {
  const text = sessionStorage.getItem(FLASH_KEY) || '';
  sessionStorage.removeItem(FLASH_KEY);
  return text;
}
