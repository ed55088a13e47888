// What the portal has told the customer (GET /notifications), newest first, with
// "Pokaż więcej" for the next page.
import { api } from '../api.js';
import { dateTime, plural } from '../format.js';
import { showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';

customerLayout();

const PAGE_SIZE = 20;
const CHANNELS = { email: 'e-mail', sms: 'SMS' };
const CATEGORIES = { transactional: 'dotyczy konta lub sprawy', notice: 'powiadomienie (za zgodą)' };
const byId = (id) => document.getElementById(id);
const status = byId('status');
const more = byId('more');

let shown = 0;
let cursor = null;

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function notificationRow(item) {
  const tr = document.createElement('tr');
  tr.append(
    cell(dateTime(item.sent_at)),
    cell(item.title),
    cell(CATEGORIES[item.category] || item.category),
    cell(item.channels.map((c) => CHANNELS[c] || c).join(', ')),
  );
  return tr;
}

async function loadPage() {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (cursor) params.set('cursor', cursor);
  const page = await api(`/notifications?${params}`);
  byId('rows').append(...page.items.map(notificationRow));
  shown += page.items.length;
  cursor = page.next_cursor;
  more.hidden = !cursor;
  byId('table').hidden = shown === 0;
  byId('empty').hidden = shown > 0;
  const count = plural(shown, 'powiadomienie', 'powiadomienia', 'powiadomień');
  byId('count').textContent = shown ? (cursor ? `Pokazano ${count}; są kolejne.` : `Pokazano ${count}.`) : '';
}

async function load() {
  try {
    await loadPage();
    showStatus(status, '');
  } catch (error) {
    if (error.status !== 401) showStatus(status, error.message || 'Nie udało się wczytać powiadomień.');
  }
}

more.addEventListener('click', async () => {
  more.setAttribute('aria-disabled', 'true');
  await load();
  more.removeAttribute('aria-disabled');
});

load();
