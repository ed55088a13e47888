// My data: everything GET /me/export holds, section by section, and the same as a JSON
// file (the download link is the API's own answer, sent as an attachment).
import { api } from '../api.js';
import { PAYMENT_STATUSES, el, row } from '../billing.js';
import { dateTime, date, money, volume } from '../format.js';
import { showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';

customerLayout();

const $ = (id) => document.getElementById(id);
const status = $('status');
const CONSENTS = { email_notices: 'Powiadomienia e-mail', sms_notices: 'Powiadomienia SMS' };
const SOURCES = { registration: 'Rejestracja', profile: 'Profil' };
const CHANNELS = { email: 'e-mail', sms: 'SMS' };
const RESULTS = { success: 'Udane', failure: 'Nieudane', throttled: 'Zablokowane' };
const ROLES = { customer: 'Ty', staff: 'Biuro Obsługi Klienta', admin: 'Biuro Obsługi Klienta' };
const KINDS = { complaint: 'Reklamacja', report: 'Zgłoszenie' };
const SUPPRESSIONS = { bounce: 'adres odrzuca wiadomości', complaint: 'zgłoszono wiadomość jako spam' };
let tables = 0;

const address = (a) => (a ? `${a.street}, ${a.postal_code} ${a.city}` : '—');

/** A captioned, scrollable table (or `empty` when there are no rows). */
function table(caption, headers, rows, empty) {
  if (rows.length === 0) return el('p', {}, empty);
  tables += 1;
  const id = `table-${tables}`;
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': id },
    el('table', {},
      el('caption', { id, class: 'visually-hidden' }, caption),
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows)));
}

function facts(pairs) {
  return pairs.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value || '—')]);
}

function ticket(t) {
  const messages = t.messages.map((m) => el('li', {},
    el('p', {}, el('strong', {}, ROLES[m.author_role] || m.author_role), `, ${dateTime(m.at)}`),
    el('p', {}, m.body)));
  return el('article', { class: 'card' },
    el('h3', {}, `${KINDS[t.kind] || t.kind} ${t.reference}`),
    el('dl', { class: 'facts' }, ...facts([
      ['Złożone', dateTime(t.created_at)],
      ['Opis', t.description],
      ['Telefon', t.phone],
      ['Miejsce', t.location ? address(t.location) : null],
      ['Załączniki', t.attachments.map((f) => `${f.name} (${f.content_type}, ${f.size} B)`).join(', ')],
    ])),
    messages.length ? el('ul', {}, ...messages) : el('p', {}, 'Bez wiadomości.'));
}

function suppression(s) {
  if (!s) return null;
  const why = SUPPRESSIONS[s.reason] || s.reason || 'bez podanej przyczyny';
  return `${s.address}: ${why}${s.at ? `, od ${dateTime(s.at)}` : ''}`;
}

function show(data) {
  const a = data.account;
  $('account').replaceChildren(...facts([
    ['Numer klienta', a.login],
    ['Imię i nazwisko lub nazwa', a.name],
    ['E-mail', a.email],
    ['Telefon', a.phone],
    ['Adres świadczenia usług', address(a.service_address)],
    ['Adres korespondencyjny', address(a.correspondence_address)],
    ['Konto założone', dateTime(a.created_at)],
    ['Hasło zmienione', a.password_changed_at ? dateTime(a.password_changed_at) : null],
    ['Nowy e-mail do potwierdzenia', a.pending_email],
    ['Potwierdzenie możliwe do', a.pending_email_until ? dateTime(a.pending_email_until) : null],
    ['Wstrzymana wysyłka e-mail', suppression(data.email_suppression)],
  ]));
  $('terms').replaceChildren(table('Akceptacje regulaminu, od najstarszej', ['Wersja', 'Data i godzina'],
    data.terms.map((t) => row(t.version, dateTime(t.at))), 'Brak akceptacji.'));
  $('consents').replaceChildren(table('Decyzje o zgodach, od najstarszej',
    ['Data i godzina', 'Zgoda', 'Decyzja', 'Gdzie'],
    data.consents.map((c) => row(dateTime(c.at), CONSENTS[c.kind] || c.kind,
      c.granted ? 'Wyrażona' : 'Wycofana', SOURCES[c.source] || c.source)), 'Brak decyzji.'));
  $('sessions').replaceChildren(table('Aktywne sesje, od najnowszej',
    ['Rozpoczęta', 'Ostatnio aktywna', 'Adres IP', 'Przeglądarka'],
    data.sessions.map((x) => row(dateTime(x.created_at), dateTime(x.last_seen), x.ip || '—',
      x.user_agent || '—')),
    'Brak aktywnych sesji.'));
  $('logins').replaceChildren(table('Próby logowania, od najnowszej',
    ['Data i godzina', 'Adres IP', 'Wynik'],
    data.login_history.map((l) => row(dateTime(l.at), l.ip || '—', RESULTS[l.result] || l.result)),
    'Brak zapisanych logowań.'));
  $('notifications').replaceChildren(table('Wysłane powiadomienia, od najnowszego',
    ['Data i godzina', 'Tytuł', 'Kanał'],
    data.notifications.map((n) => row(dateTime(n.sent_at), n.title,
      n.channels.map((c) => CHANNELS[c] || c).join(', '))),
    'Brak zapisanych powiadomień.'));
  $('tickets').replaceChildren(...(data.tickets.length
    ? data.tickets.map(ticket) : [el('p', {}, 'Brak zgłoszeń.')]));
  $('readings').replaceChildren(table('Podane odczyty', ['Wodomierz', 'Data odczytu', 'Stan', 'Wysłany'],
    data.readings.map((r) => row(r.meter, date(r.date), volume(r.value_m3),
      r.submitted_at ? dateTime(r.submitted_at) : '—')), 'Brak podanych odczytów.'));
  $('payments').replaceChildren(table('Płatności online',
    ['Rozpoczęta', 'Kwota', 'Opis', 'Stan', 'E-mail dla operatora płatności'],
    data.payments.map((p) => row(dateTime(p.created_at), money(p.amount), p.description,
      PAYMENT_STATUSES[p.status] || p.status, p.provider_email || '—')), 'Brak płatności online.'));
}

try {
  show(await api('/me/export'));
  $('export').hidden = false;
  showStatus(status, '');
} catch (error) {
  if (error.status !== 401) showStatus(status, error.message || 'Nie udało się wczytać danych.');
}
