// The customer's tickets (complaints and operational reports), newest first, page by page
// as the API pages them (GET /tickets), with "Nowe zgłoszenie".
import { api } from '../api.js';
import { el, row } from '../billing.js';
import { date, dateTime, plural } from '../format.js';
import { showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';
import {
  takeFlash, ticketCategory, ticketKind, ticketStatus, ticketUrl,
} from '../ticket-texts.js';

customerLayout();

const PAGE = 20;
const status = document.getElementById('status');
const rows = document.getElementById('ticket-rows');
const more = document.getElementById('more');
const count = document.getElementById('tickets-count');
let cursor = null;

function ticketRow(ticket) {
  const line = row(
    el('a', { href: ticketUrl(ticket) }, ticket.reference),
    ticketKind(ticket),
    ticketCategory(ticket),
    ticketStatus(ticket),
    ticket.due_on ? date(ticket.due_on) : '—',
    dateTime(ticket.updated_at),
  );
  return line;
}

async function load() {
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (cursor) query.set('cursor', cursor);
  const page = await api(`/tickets?${query}`);
  const firstNew = rows.rows.length;
  rows.append(...page.items.map(ticketRow));
  cursor = page.next_cursor;
  more.hidden = !cursor;
  const shown = rows.rows.length;
  document.getElementById('tickets-empty').hidden = shown > 0;
  document.getElementById('tickets-wrap').hidden = shown === 0;
  count.textContent = shown
    ? `Pokazano ${plural(shown, 'zgłoszenie', 'zgłoszenia', 'zgłoszeń')}${cursor ? '' : ' — to wszystkie'}.`
    : '';
  document.getElementById('tickets').hidden = false;
  return firstNew;
}

more.addEventListener('click', async () => {
  try {
    const firstNew = await load();
    const link = rows.rows[firstNew]?.querySelector('a');
    if (link) link.focus(); // the keyboard goes on to the first of the older ones
  } catch (error) {
    if (error.status !== 401) showStatus(status, error.message);
  }
});

try {
  await load();
  showStatus(status, takeFlash());
} catch (error) {
  if (error.status !== 401) {
    status.classList.add('failed');
    showStatus(status, error.message);
  }
}
