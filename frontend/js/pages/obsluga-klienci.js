// A customer's file (`GET /staff/customers/{number}`, audited): the portal account (never
// a hash or token), the billing record, the newest tickets and logins; "Dezaktywuj konto"
// asks first in a dialog and then starts the 14-day termination
// (`POST /staff/customers/{number}/deactivate`). `?numer=` opens a file straight away.
import { api } from '../api.js';
import { el, row } from '../billing.js';
import { date, dateTime } from '../format.js';
import { bindForm, showStatus } from '../forms.js';
import {
  KINDS, STATUSES, categoryName, confirmDialog, dueText,
} from '../staff.js';
import { staffLayout } from '../staff-layout.js';

await staffLayout();

const $ = (id) => document.getElementById(id);
const status = $('status');
const form = $('lookup');
const ACCOUNT_STATUSES = {
  pending: 'czeka na aktywację',
  active: 'aktywne',
  disabled: 'zablokowane',
  deactivated: 'dezaktywowane (trwa okres wypowiedzenia)',
};
const RESULTS = {
  success: 'udane', failure: 'nieudane (błędne hasło)', throttled: 'zablokowane (zbyt wiele prób)',
};
const CUSTOMER_KINDS = { person: 'osoba fizyczna', business: 'firma' };
const CONTRACTS = { active: 'obowiązuje', terminated: 'rozwiązana' };
const TERMINATION_DAYS = 14;
let shown = null;

function facts(pairs) {
  return pairs.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value || '—')]);
}

function ticketRow(t) {
  const link = el('a', { href: `/obsluga/zgloszenie?id=${encodeURIComponent(t.id)}` }, t.reference);
  return row(link, `${KINDS[t.kind] || t.kind}: ${categoryName(t.kind, t.category)}`,
    STATUSES[t.status] || t.status, dueText(t).text, dateTime(t.created_at));
}

function show(file) {
  shown = file;
  $('file-title').textContent = file.customer ? `Klient ${file.number}: ${file.customer.name}` : `Klient ${file.number}`;
  const a = file.account;
  $('account').hidden = !a;
  $('no-account').hidden = Boolean(a);
  if (a) {
    const ends = a.termination_started_at
      ? date(new Date(Date.parse(a.termination_started_at) + TERMINATION_DAYS * 86400000).toISOString()) : '';
    $('account').replaceChildren(...facts([
      ['Login', a.login],
      ['Status', ACCOUNT_STATUSES[a.status] || a.status],
      ['E-mail', a.email],
      ['Telefon', a.phone],
      ['Założone', dateTime(a.created_at)],
      ['Aktywowane', dateTime(a.activated_at)],
      ['Regulamin', `wersja ${a.terms_version}, zaakceptowany ${dateTime(a.terms_accepted_at)}`],
      ...(a.termination_started_at
        ? [['Wypowiedzenie', `od ${dateTime(a.termination_started_at)} do ${ends}`]] : []),
    ]));
  }
  $('deactivate').hidden = !a || a.status !== 'active';
  const c = file.customer;
  $('record').hidden = !c;
  $('no-record').hidden = Boolean(c);
  if (c) {
    $('record').replaceChildren(...facts([
      ['Nazwa', c.name],
      ['Rodzaj', CUSTOMER_KINDS[c.kind] || c.kind],
      ['Adres punktu', c.service_address],
      ['Adres korespondencyjny', c.correspondence_address],
      ['E-mail', c.email],
      ['Telefon', c.phone],
      ['Umowa', CONTRACTS[c.contract_status] || c.contract_status],
    ]));
  }
  $('tickets').replaceChildren(...file.tickets.map(ticketRow));
  $('tickets-wrap').hidden = file.tickets.length === 0;
  $('no-tickets').hidden = file.tickets.length > 0;
  $('logins').replaceChildren(...file.logins.map((l) => row(
    dateTime(l.at), RESULTS[l.result] || l.result, l.ip, l.user_agent,
  )));
  $('logins-wrap').hidden = file.logins.length === 0;
  $('no-logins').hidden = file.logins.length > 0;
  $('file').hidden = false;
}

async function open(number) {
  const file = await api(`/staff/customers/${encodeURIComponent(number)}`);
  history.replaceState(null, '', `${location.pathname}?numer=${encodeURIComponent(number)}`);
  show(file);
  return file;
}

bindForm(form, async ({ number }) => {
  status.classList.remove('failed');
  showStatus(status, '');
  $('file').hidden = true;
  await open(number.trim());
  $('file-title').focus();
});

$('deactivate').addEventListener('click', async () => {
  const number = shown.number;
  const body = el('div', {},
    el('p', {}, `Konto klienta ${number} zostanie dezaktywowane: klient zostanie wylogowany i nie zaloguje się ponownie.`),
    el('p', {}, el('strong', {}, `Rozpocznie się ${TERMINATION_DAYS}-dniowy okres wypowiedzenia umowy o świadczenie usług drogą elektroniczną`),
      ', po którym konto zostanie zamknięte. Tej operacji nie można cofnąć w portalu.'));
  const answer = await confirmDialog({
    title: `Dezaktywować konto klienta ${number}?`,
    body,
    confirm: 'Dezaktywuj konto',
    reason: 'Powód (zapisywany w dzienniku zdarzeń, opcjonalnie)',
  });
  if (!answer.confirmed) return;
  try {
    const done = await api(`/staff/customers/${encodeURIComponent(number)}/deactivate`, {
      method: 'POST', body: answer.reason ? { reason: answer.reason } : {},
    });
    await open(number);
    status.classList.remove('failed');
    showStatus(status, `Konto klienta ${number} zostało dezaktywowane. Okres wypowiedzenia trwa do ${date(done.termination_ends_at)}.`);
  } catch (error) {
    if (error.status !== 401) {
      status.classList.add('failed');
      showStatus(status, error.message);
    }
  }
});

const start = new URLSearchParams(location.search).get('numer');
if (start) {
  form.elements.namedItem('number').value = start;
  form.requestSubmit();
}
