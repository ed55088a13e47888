// The staff queue (`GET /staff/tickets`): filters kept in the address (kind, status,
// category, due date, assignee with "moje"), earliest due first, overdue and due-soon
// tickets marked in words, paged with the API's cursor.
import { api } from '../api.js';
import { el, row } from '../billing.js';
import { dateTime } from '../format.js';
import { clearErrors, showApiError, showStatus } from '../forms.js';
import {
  CATEGORIES, KINDS, STATUSES, categoryName, cursorPager, dueText,
} from '../staff.js';
import { staffLayout } from '../staff-layout.js';

const me = await staffLayout();

const form = document.getElementById('filters');
const kind = document.getElementById('kind');
const category = document.getElementById('category');
const body = document.querySelector('#queue tbody');
const wrap = document.getElementById('queue-wrap');
const count = document.getElementById('count');
const status = document.getElementById('status');
const FIELDS = ['kind', 'status', 'category', 'due_by', 'assignee'];

function fillCategories() {
  const chosen = category.value;
  const kinds = kind.value ? [kind.value] : Object.keys(CATEGORIES);
  const options = [el('option', { value: '' }, 'wszystkie')];
  const seen = new Set();
  for (const k of kinds) {
    for (const [code, label] of Object.entries(CATEGORIES[k])) {
      if (seen.has(code)) continue;
      seen.add(code);
      const name = kinds.length > 1 && code !== 'other' ? `${label} (${KINDS[k].toLowerCase()})` : label;
      options.push(el('option', { value: code }, name));
    }
  }
  category.replaceChildren(...options);
  category.value = seen.has(chosen) ? chosen : '';
}

function fromAddress() {
  const params = new URLSearchParams(location.search);
  kind.value = params.get('kind') || '';
  fillCategories();
  for (const name of FIELDS) {
    const field = form.elements.namedItem(name);
    field.value = params.get(name) || '';
    if (field.value !== (params.get(name) || '')) field.value = '';
  }
}

function query(cursor) {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    let value = form.elements.namedItem(name).value;
    if (name === 'assignee' && value === 'me') value = me.login;
    if (value) params.set(name, value);
  }
  params.set('limit', '25');
  if (cursor) params.set('cursor', cursor);
  return `/staff/tickets?${params}`;
}

function ticketRow(ticket) {
  const due = dueText(ticket);
  const link = el('a', { href: `/obsluga/zgloszenie?id=${encodeURIComponent(ticket.id)}` }, ticket.reference);
  const kindText = `${KINDS[ticket.kind] || ticket.kind}: ${categoryName(ticket.kind, ticket.category)}`;
  const dueCell = due.mark ? el('strong', { class: `due-${due.mark}` }, due.text) : due.text;
  const assignee = ticket.assignee === me.login ? `${ticket.assignee} (Ty)` : ticket.assignee || 'nieprzydzielone';
  const tr = row(link, kindText, STATUSES[ticket.status] || ticket.status, dueCell,
    ticket.customer, assignee, dateTime(ticket.created_at));
  if (due.mark) tr.classList.add(`row-${due.mark}`);
  return tr;
}

const pager = cursorPager(document.getElementById('pages'), async (cursor) => {
  clearErrors(form);
  try {
    const page = await api(query(cursor));
    body.replaceChildren(...page.items.map(ticketRow));
    wrap.hidden = page.items.length === 0;
    // With two filters a page may be short, even empty, and still lead further.
    if (page.items.length) count.textContent = `Na tej stronie: ${page.items.length}. Najpilniejsze na górze.`;
    else if (page.next_cursor) count.textContent = 'Na tej stronie nie ma pasujących zgłoszeń. Sprawdź następną stronę.';
    else count.textContent = 'Brak zgłoszeń spełniających wybrane warunki.';
    return page;
  } catch (error) {
    showApiError(form, error);
    return null;
  }
});

kind.addEventListener('change', fillCategories);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = form.elements.namedItem(name).value;
    if (value) params.set(name, value);
  }
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
  showStatus(status, '');
  pager.reset();
});
document.getElementById('clear').addEventListener('click', () => {
  history.replaceState(null, '', location.pathname);
  fromAddress();
  pager.reset();
});

fromAddress();
await pager.reset();
