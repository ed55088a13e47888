// The dashboard: everything from one call, GET /summary — the balance and what is overdue
// (with "Zapłać"), unpaid invoices (each with its PDF), the last reading of each meter
// (with "Podaj odczyt"), certification notices and the announcements for the customer's address.
import { api } from '../api.js';
import {
  balanceText, el, invoiceStatus, pdfButton, positive, row,
} from '../billing.js';
import { date, dateTime, money, volume } from '../format.js';
import { showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';
import { markdownNodes } from '../markdown.js';

customerLayout();

const status = document.getElementById('status');
const byId = (id) => document.getElementById(id);

function showBalance(summary) {
  const { balance } = summary;
  byId('balance-text').textContent = balanceText(balance);
  byId('overdue').textContent = money(balance.overdue);
  byId('next-due').textContent = balance.next_due
    ? `${money(balance.next_due.amount)} do ${date(balance.next_due.date)}`
    : 'brak';
  byId('as-of').textContent = date(balance.as_of);
  const payLink = byId('pay-link');
  if (positive(balance.overdue)) payLink.href = '/zaplac?co=zaleglosc';
  byId('customer-number').textContent = summary.customer_number;
  byId('name').textContent = summary.name || '—';
  byId('dashboard').hidden = false;
}

function showUnpaid(invoices) {
  byId('unpaid-rows').replaceChildren(...invoices.map((invoice) => row(
    el('a', { href: `/faktury?faktura=${encodeURIComponent(invoice.id)}` }, invoice.number),
    date(invoice.due_date),
    [money(invoice.outstanding), { class: 'amount' }],
    invoiceStatus(invoice),
    invoice.has_pdf ? pdfButton(invoice, (message) => showStatus(status, message)) : 'brak',
  )));
  byId('unpaid-empty').hidden = invoices.length > 0;
  byId('unpaid-wrap').hidden = invoices.length === 0;
  byId('unpaid').hidden = false;
}

const METER_KINDS = { main: 'główny', garden: 'ogrodowy', other: 'dodatkowy' };

function showMeters(meters) {
  byId('meter-list').replaceChildren(...meters.map((meter) => {
    const last = meter.last_reading;
    const facts = el('dl', { class: 'facts' },
      el('dt', {}, 'Ostatni odczyt'),
      el('dd', {}, last ? `${volume(last.value)} z dnia ${date(last.date)}` : 'brak odczytu'));
    const where = meter.location ? `, ${meter.location}` : '';
    return el('li', { class: 'card' },
      el('h3', {}, `Wodomierz ${meter.serial}`),
      el('p', { class: 'hint' }, `Wodomierz ${METER_KINDS[meter.kind] || meter.kind}${where}`),
      facts,
      el('p', { class: 'card-actions' }, el('a', { class: 'button secondary', href: '/wodomierze' },
        'Podaj odczyt', el('span', { class: 'visually-hidden' }, ` wodomierza ${meter.serial}`))));
  }));
  byId('meters-empty').hidden = meters.length > 0;
  byId('meters').hidden = false;
}

function showNotices(notices) {
  byId('notices').replaceChildren(...notices.map((notice) => el('p', { class: 'notice' },
    el('strong', {}, 'Legalizacja wodomierza: '), notice.message)));
}

const ANNOUNCEMENT_KINDS = {
  planned_works: 'Planowane prace',
  failure: 'Awaria',
  general: 'Komunikat',
};

function showAnnouncements(announcements) {
  // None is the usual case: then the section stays hidden rather than saying so. The text
  // is the API's plain text with a little Markdown, made into nodes (never HTML).
  byId('announcement-list').replaceChildren(...announcements.map((item) => {
    const until = item.ends_at ? ` do ${dateTime(item.ends_at)}` : ' do odwołania';
    return el('li', { class: 'card announcement' },
      el('p', { class: 'announcement-kind' }, ANNOUNCEMENT_KINDS[item.kind] || 'Komunikat'),
      el('h3', {}, item.title),
      el('p', { class: 'hint' }, `Od ${dateTime(item.starts_at)}${until}`),
      ...markdownNodes(item.text, { topLevel: 4 }));
  }));
  byId('announcements').hidden = announcements.length === 0;
}

try {
  const summary = await api('/summary');
  showBalance(summary);
  showNotices(summary.certification_notices);
  showUnpaid(summary.unpaid_invoices);
  showMeters(summary.meters);
  showAnnouncements(summary.announcements);
  showStatus(status, '');
} catch (error) {
  if (error.status !== 401) {
    status.classList.add('failed');
    showStatus(status, error.message);
  }
}
