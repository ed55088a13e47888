// The audit log (`GET /staff/audit`, admins only): one day's entries or one target's,
// newest first, paged by cursor. A staff member who is not an admin sees the API's refusal.
import { api } from '../api.js';
import { el, row } from '../billing.js';
import { dateTime } from '../format.js';
import {
  bindForm, clearErrors, showApiError, showErrors,
} from '../forms.js';
import { cursorPager } from '../staff.js';
import { staffLayout } from '../staff-layout.js';

await staffLayout();

const form = document.getElementById('audit-filters');
const count = document.getElementById('count');

function state(value) {
  if (!value) return '—';
  return el('code', { class: 'audit-state' }, Object.entries(value)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`).join('; '));
}

function query(cursor) {
  const params = new URLSearchParams({ limit: '50' });
  const { day, target } = form.elements;
  if (target.value.trim()) params.set('target', target.value.trim());
  else if (day.value) params.set('day', day.value);
  if (cursor) params.set('cursor', cursor);
  return `/staff/audit?${params}`;
}

const pager = cursorPager(document.getElementById('pages'), async (cursor) => {
  clearErrors(form);
  try {
    const page = await api(query(cursor));
    document.getElementById('entries').replaceChildren(...page.items.map((e) => row(
      dateTime(e.at), e.actor, e.action, e.target, state(e.before), state(e.after),
    )));
    document.getElementById('entries-wrap').hidden = page.items.length === 0;
    count.textContent = page.items.length ? `Wpisów na tej stronie: ${page.items.length}.` : 'Brak wpisów.';
    return page;
  } catch (error) {
    count.textContent = '';
    document.getElementById('entries-wrap').hidden = true;
    if (error.status === 403) {
      showErrors(form, {}, `${error.message} Dziennik zdarzeń czytają tylko administratorzy.`);
    } else if (error.status !== 401) {
      showApiError(form, error);
    }
    return null;
  }
});

bindForm(form, async () => {
  await pager.reset();
});
await pager.reset();
