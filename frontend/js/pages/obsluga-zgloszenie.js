// One ticket as staff see it (`GET /staff/tickets/{id}`): its facts and the customer's
// number (a link to the customer's file), attachments (links only for checked ones), the
// conversation with internal notes marked in words, and the forms: reply (optionally
// moving the status), internal note, status change (the moves the API allows now),
// assignment to me or to another login. After each change the ticket is read again.
import { api } from '../api.js';
import { el, row } from '../billing.js';
import { date, dateTime } from '../format.js';
import { bindForm, showStatus } from '../forms.js';
import {
  KINDS, STATUSES, categoryName, dueText,
} from '../staff.js';
import { staffLayout } from '../staff-layout.js';

const me = await staffLayout();

const id = new URLSearchParams(location.search).get('id') || '';
const status = document.getElementById('status');
const failure = document.getElementById('failure');
const box = document.getElementById('ticket');
const path = `/staff/tickets/${encodeURIComponent(id)}`;

const ACTIONS = {
  created: 'złożenie zgłoszenia',
  message: 'wiadomość',
  reopened: 'wznowienie przez klienta',
  status: 'zmiana statusu',
  note: 'notatka wewnętrzna',
  assigned: 'przydzielenie',
};

function fact(term, value) {
  return [el('dt', {}, term), el('dd', {}, value || '—')];
}

function size(bytes) {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1).replace('.', ',')} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

function attachmentItem(a) {
  if (a.state === 'ready' && a.download_url) {
    return el('li', {}, el('a', { href: a.download_url }, `Pobierz ${a.name}`), ` (${size(a.size)})`);
  }
  const why = a.state === 'quarantined'
    ? 'odrzucony przy sprawdzaniu (plik nie jest tym, za co się podaje) — niedostępny'
    : 'w trakcie sprawdzania — pobranie będzie możliwe po sprawdzeniu';
  return el('li', {}, `${a.name} (${size(a.size)}): ${why}`);
}

function messageItem(m) {
  const who = m.author_role === 'customer' ? 'Klient' : 'Obsługa';
  const label = m.internal
    ? el('p', { class: 'note-label' }, el('strong', {}, 'Notatka wewnętrzna — niewidoczna dla klienta'))
    : null;
  const heading = el('h3', {}, m.internal ? `Notatka obsługi, ${dateTime(m.at)}` : `${who}, ${dateTime(m.at)}`);
  const cls = m.internal ? 'message internal-note' : `message from-${m.author_role}`;
  return el('li', { class: cls }, heading, label, el('p', { class: 'message-body' }, m.body));
}

function eventText(e) {
  let what = ACTIONS[e.action] || e.action;
  if (e.to_status) what += `: ${STATUSES[e.from_status] || e.from_status || '—'} → ${STATUSES[e.to_status] || e.to_status}`;
  if (e.action === 'assigned' && e.detail) what += `: ${e.detail}`;
  if (!e.customer_visible) what += ' (tylko dla obsługi)';
  return what;
}

function statusOptions(select, next, empty) {
  select.replaceChildren(el('option', { value: '' }, empty),
    ...next.map((s) => el('option', { value: s }, STATUSES[s] || s)));
}

function show(t) {
  document.title = `Zgłoszenie ${t.reference} — IBOK — obsługa`;
  document.getElementById('title').textContent = `${KINDS[t.kind] || t.kind} ${t.reference}`;
  const due = dueText(t);
  const customer = el('a', { href: `/obsluga/klienci?numer=${encodeURIComponent(t.customer)}` }, `${t.customer} (kartoteka klienta)`);
  const place = t.location ? `${t.location.street}, ${t.location.postal_code} ${t.location.city}` : '';
  const facts = [
    fact('Numer', t.reference),
    fact('Rodzaj', KINDS[t.kind] || t.kind),
    fact('Kategoria', categoryName(t.kind, t.category)),
    fact('Status', STATUSES[t.status] || t.status),
    fact('Termin odpowiedzi', due.mark ? el('strong', { class: `due-${due.mark}` }, due.text) : due.text),
    fact('Przyjęte', dateTime(t.created_at)),
    fact('Klient', customer),
    fact('Przydzielone', t.assignee ? (t.assignee === me.login ? `${t.assignee} (Ty)` : t.assignee) : 'nieprzydzielone'),
  ];
  if (t.invoice) facts.push(fact('Faktura (id)', t.invoice));
  if (t.meter) facts.push(fact('Wodomierz', t.meter));
  if (place) facts.push(fact('Miejsce', place));
  if (t.phone) facts.push(fact('Telefon dla ekipy', t.phone));
  if (t.closed_at) facts.push(fact('Zamknięte', dateTime(t.closed_at)));
  if (t.reopen_until) facts.push(fact('Klient może wznowić do', date(t.reopen_until)));
  document.getElementById('facts').replaceChildren(...facts.flat());
  document.getElementById('description').textContent = t.description;
  const attachments = document.getElementById('attachments');
  attachments.replaceChildren(...(t.attachments.length
    ? t.attachments.map(attachmentItem) : [el('li', {}, 'Brak załączników.')]));
  const conversation = document.getElementById('conversation');
  conversation.replaceChildren(...(t.messages.length
    ? t.messages.map(messageItem) : [el('li', {}, 'Jeszcze nikt nic nie napisał.')]));
  document.getElementById('history').replaceChildren(...t.events.map((e) => row(
    dateTime(e.at), e.by === 'customer' ? `klient ${e.actor}` : e.actor, eventText(e),
  )));
  statusOptions(document.getElementById('reply-status'), t.next_statuses, 'bez zmiany');
  statusOptions(document.getElementById('new-status'), t.next_statuses, 'wybierz…');
  document.getElementById('assign-me').hidden = t.assignee === me.login;
  box.hidden = false;
}

async function load() {
  const ticket = await api(path);
  show(ticket);
  return ticket;
}

async function done(text) {
  await load();
  showStatus(status, text);
}

bindForm(document.getElementById('reply-form'), async ({ body, status: next }) => {
  const sent = { body };
  if (next) sent.status = next;
  await api(`${path}/messages`, { method: 'POST', body: sent });
  document.getElementById('reply-form').reset();
  await done(next ? `Odpowiedź wysłana, status: ${STATUSES[next]}.` : 'Odpowiedź wysłana do klienta.');
});

bindForm(document.getElementById('note-form'), async ({ body }) => {
  await api(`${path}/messages`, { method: 'POST', body: { body, internal: true } });
  document.getElementById('note-form').reset();
  await done('Notatka wewnętrzna dodana (klient jej nie widzi).');
});

bindForm(document.getElementById('status-form'), async ({ status: next }) => {
  await api(`${path}/status`, { method: 'POST', body: { status: next } });
  await done(`Status zmieniony na: ${STATUSES[next]}.`);
});

bindForm(document.getElementById('assign-me-form'), async () => {
  await api(`${path}/assign`, { method: 'POST', body: { assignee: me.login } });
  await done('Zgłoszenie przydzielone do Ciebie.');
});

bindForm(document.getElementById('assign-form'), async ({ assignee }) => {
  const login = assignee.trim();
  await api(`${path}/assign`, { method: 'POST', body: { assignee: login } });
  document.getElementById('assign-form').reset();
  await done(`Zgłoszenie przydzielone: ${login}.`);
});

if (!id) {
  failure.textContent = 'Nie wskazano zgłoszenia. Wybierz je z kolejki.';
  failure.hidden = false;
} else {
  try {
    await load();
  } catch (error) {
    if (error.status !== 401) {
      failure.textContent = error.message;
      failure.hidden = false;
    }
  }
}
