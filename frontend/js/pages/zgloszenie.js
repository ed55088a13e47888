// One ticket (`/zgloszenie?id=R-2026-000123`): its facts and, for a complaint, the answer
// deadline; the description and location; the attachments (a checked one downloads through
// the API's short-lived link, a refused one is listed and never linked, one still being
// checked is looked at again for a while); the conversation with the office; a reply form
// while it is open, and "Otwórz ponownie" (with a confirm step) while a closed one may be
// reopened. Another customer's ticket, or none, is "not found".
import { api } from '../api.js';
import { el } from '../billing.js';
import { date, dateTime } from '../format.js';
import { bindForm, showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';
import {
  CLOSED_STATUSES, TICKET_STATUSES, fileSize, takeFlash, ticketCategory, ticketKind,
  ticketStatus,
} from '../ticket-texts.js';

customerLayout();

const RECHECKS = [1000, 2000, 3000, 5000, 8000, 13000]; // while an attachment is being checked
const ACTIONS = {
  created: 'Złożono zgłoszenie',
  message: 'Wiadomość',
  reopened: 'Otwarto ponownie',
  status: 'Zmiana stanu',
};

const byId = (id) => document.getElementById(id);
const status = byId('status');
const id = new URLSearchParams(location.search).get('id') || '';
const dialog = byId('reopen-dialog');
let ticket = null;
let recheck = 0;

function who(role) {
  return role === 'customer' ? 'Ty' : 'Biuro Obsługi Klienta';
}

function addFact(list, term, value) {
  list.append(el('dt', {}, term), el('dd', {}, value));
}

function showFacts() {
  const list = byId('facts');
  list.replaceChildren();
  addFact(list, 'Numer', ticket.reference);
  addFact(list, 'Rodzaj', ticketKind(ticket));
  addFact(list, ticket.kind === 'complaint' ? 'Temat' : 'Problem', ticketCategory(ticket));
  if (ticket.invoice) addFact(list, 'Faktura', ticket.invoice);
  if (ticket.meter) addFact(list, 'Wodomierz', ticket.meter);
  addFact(list, 'Stan', ticketStatus(ticket));
  addFact(list, 'Złożono', dateTime(ticket.created_at));
  addFact(list, 'Ostatnia zmiana', dateTime(ticket.updated_at));
  if (ticket.location) {
    const where = ticket.location;
    addFact(list, 'Miejsce', `${where.street}, ${where.postal_code} ${where.city}`);
  }
  if (ticket.phone) addFact(list, 'Telefon dla ekipy', ticket.phone);
  const deadline = byId('deadline');
  deadline.hidden = !ticket.due_on;
  deadline.textContent = ticket.due_on ? `Termin odpowiedzi: ${date(ticket.due_on)}` : '';
}

function expired(attachment) {
  return !attachment.download_expires_at || new Date(attachment.download_expires_at) <= new Date();
}

/** Follow a fresh short-lived link (the one on the page may be minutes old). */
async function download(attachment, event) {
  if (!expired(attachment)) return;
  event.preventDefault();
  try {
    const fresh = await api(`/tickets/${encodeURIComponent(id)}`);
    const same = fresh.attachments.find((a) => a.id === attachment.id);
    if (same && same.download_url) location.assign(same.download_url);
  } catch (error) {
    if (error.status !== 401) showStatus(status, error.message);
  }
}

function attachmentItem(attachment) {
  const size = ` (${fileSize(attachment.size)})`;
  if (attachment.state === 'ready' && attachment.download_url) {
    const link = el('a', { href: attachment.download_url, download: attachment.name },
      el('span', { class: 'visually-hidden' }, 'Pobierz '), attachment.name);
    link.addEventListener('click', (event) => download(attachment, event));
    return el('li', { class: 'attachment ready' }, link, size, ' — sprawdzony');
  }
  if (attachment.state === 'quarantined') {
    return el('li', { class: 'attachment refused' }, el('span', {}, attachment.name), size,
      el('strong', {}, ' — odrzucony: '),
      'zawartość pliku nie jest obrazem JPEG, PNG ani dokumentem PDF, więc nie jest udostępniany.');
  }
  return el('li', { class: 'attachment pending' }, el('span', {}, attachment.name), size,
    ' — sprawdzamy plik…');
}

function showAttachments() {
  const items = ticket.attachments;
  byId('attachments').replaceChildren(...items.map(attachmentItem));
  byId('attachments-section').hidden = items.length === 0;
  const pending = items.filter((a) => a.state === 'pending').length;
  const refused = items.filter((a) => a.state === 'quarantined').length;
  const note = [];
  if (pending) note.push('Sprawdzamy przesłane pliki — stan odświeży się sam.');
  if (refused) note.push('Odrzuconych plików nie udostępniamy nikomu. Jeśli są potrzebne, napisz o tym '
    + 'w wiadomości albo dołącz pliki JPEG, PNG lub PDF do nowego zgłoszenia.');
  byId('attachments-note').textContent = note.join(' ');
  if (pending && recheck < RECHECKS.length) {
    setTimeout(refresh, RECHECKS[recheck]);
    recheck += 1;
  }
}

function showConversation() {
  const messages = ticket.messages.filter((m) => !m.internal);
  byId('conversation').replaceChildren(...messages.map((message) => el('li', {
    class: `message from-${message.author_role}`,
  },
  el('p', { class: 'message-meta' }, el('strong', {}, who(message.author_role)), `, ${dateTime(message.at)}`),
  el('p', { class: 'ticket-text' }, message.body))));
  byId('conversation-empty').hidden = messages.length > 0;
}

function showHistory() {
  byId('history').replaceChildren(...ticket.events.map((event) => {
    const change = event.to_status
      ? ` — ${TICKET_STATUSES[event.to_status] || event.to_status}` : '';
    return el('li', {}, `${dateTime(event.at)}: ${ACTIONS[event.action] || event.action}`
      + ` (${who(event.by)})${change}`);
  }));
}

function showActions() {
  const closed = CLOSED_STATUSES.has(ticket.status);
  byId('reply').hidden = closed;
  byId('closed').hidden = !closed;
  if (!closed) return;
  const until = ticket.reopen_until ? new Date(ticket.reopen_until) : null;
  const canReopen = until && until > new Date();
  const word = ticket.status === 'resolved' ? 'rozwiązane' : 'odrzucone';
  byId('closed-text').textContent = canReopen
    ? `Zgłoszenie jest ${word}. Jeśli sprawa nie została załatwiona, możesz je otworzyć ponownie `
      + `do ${dateTime(ticket.reopen_until)}.`
    : `Zgłoszenie jest ${word}. Czas na ponowne otwarcie minął — jeśli problem trwa, złóż nowe zgłoszenie.`;
  byId('reopen').hidden = !canReopen;
  byId('new-ticket').hidden = Boolean(canReopen);
}

function show(data) {
  ticket = data;
  document.title = `${ticketKind(ticket)} ${ticket.reference} — IBOK`;
  byId('title').textContent = `${ticketKind(ticket)} ${ticket.reference}`;
  showFacts();
  byId('description').textContent = ticket.description;
  showAttachments();
  showConversation();
  showHistory();
  showActions();
  byId('ticket').hidden = false;
}

function notFound() {
  byId('missing').hidden = false;
  byId('ticket').hidden = true;
  document.title = 'Nie znaleziono zgłoszenia — IBOK';
}

async function refresh() {
  try {
    show(await api(`/tickets/${encodeURIComponent(id)}`));
  } catch (error) {
    if (error.status !== 401) showStatus(status, error.message);
  }
}

async function send(body, done) {
  const answer = await api(`/tickets/${encodeURIComponent(id)}/messages`, {
    method: 'POST', body: { body },
  });
  show(answer);
  showStatus(status, done);
  status.focus();
}

bindForm(byId('reply-form'), async ({ body }) => {
  await send(body, 'Wiadomość została wysłana.');
  byId('reply-form').reset();
});

bindForm(byId('reopen-form'), async ({ body }) => {
  await send(body, 'Zgłoszenie zostało otwarte ponownie.');
  byId('reopen-form').reset();
  dialog.close();
});

byId('reopen').addEventListener('click', () => {
  dialog.showModal();
  byId('reopen-body').focus();
});
byId('reopen-cancel').addEventListener('click', () => dialog.close());
dialog.addEventListener('close', () => {
  if (!byId('reopen').hidden) byId('reopen').focus();
});

if (!/^[RZ]-\d{4}-\d{6}$/.test(id)) {
  // Nothing to ask the API about: the address is not a ticket's.
  notFound();
  showStatus(status, '');
} else {
  try {
    show(await api(`/tickets/${encodeURIComponent(id)}`));
    showStatus(status, takeFlash());
  } catch (error) {
    if (error.status === 404) {
      notFound();
      showStatus(status, '');
    } else if (error.status !== 401) {
      status.classList.add('failed');
      showStatus(status, error.message);
    }
  }
}
