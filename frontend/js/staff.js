// What the back office's pages share: Polish names of the ticket and announcement codes,
// the due-date marks (in words, not only colour), Europe/Warsaw date-time inputs, a confirm
// dialog, and small paging of the API's cursors.

import { el } from './billing.js';
import { date } from './format.js';

export const KINDS = { complaint: 'Reklamacja', operational: 'Zgłoszenie eksploatacyjne' };

export const CATEGORIES = {
  complaint: {
    invoice: 'Faktura', reading: 'Odczyt wodomierza', service: 'Jakość obsługi', other: 'Inna sprawa',
  },
  operational: {
    no_water: 'Brak wody',
    low_pressure: 'Niskie ciśnienie',
    leak_or_failure: 'Wyciek lub awaria',
    water_quality: 'Jakość wody',
    sewage: 'Kanalizacja',
    meter_damage: 'Uszkodzenie wodomierza',
    other: 'Inna sprawa',
  },
};

export const STATUSES = {
  new: 'nowe',
  in_progress: 'w realizacji',
  waiting_for_customer: 'oczekuje na klienta',
  resolved: 'rozwiązane',
  rejected: 'odrzucone',
};

export const OPEN_STATUSES = new Set(['new', 'in_progress', 'waiting_for_customer']);

export const ANNOUNCEMENT_KINDS = {
  planned_works: 'Prace planowe', failure: 'Awaria', general: 'Komunikat ogólny',
};
export const ANNOUNCEMENT_STATES = {
  draft: 'szkic', published: 'opublikowany', withdrawn: 'wycofany',
};

/** A ticket's category in Polish. */
export function categoryName(kind, category) {
  return (CATEGORIES[kind] || {})[category] || category;
}

const DUE_SOON_DAYS = 3;

/** Today in Europe/Warsaw as "YYYY-MM-DD". */
export function warsawToday() {
  return warsawParts(new Date()).slice(0, 10);
}

function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000);
}

/**
 * A ticket's deadline in words: {text, mark} where mark is 'overdue', 'soon' or ''.
 * "12.01.2027 — po terminie (2 dni)", "12.01.2027 — termin za 1 dzień", "— (bez terminu)".
 */
export function dueText(ticket, today = warsawToday()) {
  if (!ticket.due_on) return { text: 'bez terminu', mark: '' };
  const shown = date(ticket.due_on);
  if (!OPEN_STATUSES.has(ticket.status)) return { text: shown, mark: '' };
  const left = daysBetween(today, ticket.due_on);
  if (left < 0) {
    const late = -left;
    return { text: `${shown} — PO TERMINIE (${late} ${late === 1 ? 'dzień' : 'dni'})`, mark: 'overdue' };
  }
  if (left === 0) return { text: `${shown} — termin DZIŚ`, mark: 'soon' };
  if (left <= DUE_SOON_DAYS) {
    return { text: `${shown} — termin za ${left} ${left === 1 ? 'dzień' : 'dni'}`, mark: 'soon' };
  }
  return { text: shown, mark: '' };
}

const WARSAW_PARTS = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** An instant as Europe/Warsaw wall time "YYYY-MM-DDTHH:MM" (the value of a
 *  `datetime-local` input). */
export function warsawParts(moment) {
  const parts = Object.fromEntries(WARSAW_PARTS.formatToParts(moment).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** An ISO moment → the `datetime-local` value of its Warsaw wall time ('' for none). */
export function toWarsawInput(iso) {
  return iso ? warsawParts(new Date(iso)) : '';
}

function offsetAt(instantMs) {
  // Warsaw wall time of the instant, read as if it were UTC, minus the instant.
  const wall = warsawParts(new Date(instantMs));
  return Date.parse(`${wall}:00Z`) - instantMs;
}

/** A `datetime-local` value meant as Europe/Warsaw wall time → ISO 8601 with its offset
 *  ("2026-12-01T08:00:00+01:00"); '' stays ''. */
export function fromWarsawInput(value) {
  if (!value) return '';
  const wall = Date.parse(`${value}:00Z`);
  let offset = offsetAt(wall - offsetAt(wall));
  if (Number.isNaN(offset)) return value;
  const instant = wall - offset;
  offset = offsetAt(instant);
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / 60000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${value}:00${sign}${hh}:${mm}`;
}

/**
 * Ask to confirm in a modal dialog (focus moves in, Escape cancels, focus returns).
 * `body` is a node or text; resolves true when confirmed. With `reason`, a text field
 * labelled so is shown and its value is given as `{confirmed, reason}`.
 */
export function confirmDialog({ title, body, confirm, cancel = 'Anuluj', reason = null }) {
  const id = `confirm-${Math.random().toString(36).slice(2, 8)}`;
  const heading = el('h2', { id: `${id}-title` }, title);
  const text = el('div', { id: `${id}-text` }, typeof body === 'string' ? el('p', {}, body) : body);
  const yes = el('button', { type: 'button' }, confirm);
  const no = el('button', { type: 'button', class: 'secondary' }, cancel);
  const field = reason
    ? el('div', { class: 'field' }, el('label', { for: `${id}-reason` }, reason),
      el('textarea', { id: `${id}-reason`, rows: '2', maxlength: '500' }))
    : null;
  const dialog = el('dialog', { 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-text` },
    heading, text, field, el('div', { class: 'actions' }, yes, no));
  const opener = document.activeElement;
  document.body.append(dialog);
  return new Promise((resolve) => {
    const finish = (confirmed) => {
      const value = field ? field.querySelector('textarea').value.trim() : '';
      dialog.close();
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(reason ? { confirmed, reason: value } : confirmed);
    };
    yes.addEventListener('click', () => finish(true));
    no.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    dialog.showModal();
    no.focus();
  });
}

/**
 * Paging through the API's cursors: `pager.load(cursor)` calls `fetchPage(cursor)`; the
 * buttons "Poprzednia strona" / "Następna strona" in `nav` walk back and forth.
 */
export function cursorPager(nav, fetchPage) {
  const back = el('button', { type: 'button', class: 'secondary small' }, 'Poprzednia strona');
  const next = el('button', { type: 'button', class: 'secondary small' }, 'Następna strona');
  const where = el('span', { class: 'result-count' });
  nav.replaceChildren(back, where, next);
  const seen = [];
  let page = 0;
  let nextCursor = null;
  const show = async (index) => {
    const answer = await fetchPage(seen[index] || null);
    page = index;
    nextCursor = answer ? answer.next_cursor : null;
    back.hidden = page === 0;
    next.hidden = !nextCursor;
    where.textContent = page === 0 && !nextCursor ? '' : `Strona ${page + 1}`;
    nav.hidden = back.hidden && next.hidden;
  };
  back.addEventListener('click', () => show(page - 1));
  next.addEventListener('click', () => {
    seen[page + 1] = nextCursor;
    show(page + 1);
  });
  return {
    reset: () => {
      seen.length = 0;
      return show(0);
    },
    reload: () => show(page),
  };
}
