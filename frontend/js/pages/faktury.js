// Invoices: a list filtered by kind, payment state and issue dates (the filters live in
// the address, so a filtered list can be bookmarked), "Pokaż więcej" for the next page,
// the PDF of each, and one invoice in detail (`?faktura=<id>`) with its corrections.
import { api } from '../api.js';
import {
  INVOICE_KINDS, el, invoiceStatus, pdfButton, positive, row,
} from '../billing.js';
import { date, money, plural } from '../format.js';
import { bindForm, showApiError, showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';

customerLayout();

const FILTERS = ['kind', 'status', 'from', 'to'];
const PAGE_SIZE = 20;
const status = document.getElementById('status');
const form = document.getElementById('filters');
const rows = document.getElementById('rows');
const more = document.getElementById('more');
const byId = (id) => document.getElementById(id);
const report = (text) => showStatus(status, text);

let shown = 0;
let cursor = null;
let query = new URLSearchParams();

function kindName(kind) {
  return INVOICE_KINDS[kind] || kind;
}

function invoiceRow(invoice) {
  return row(
    el('a', { href: `/faktury?faktura=${encodeURIComponent(invoice.id)}` }, invoice.number),
    kindName(invoice.kind),
    date(invoice.issue_date),
    date(invoice.due_date),
    [money(invoice.gross), { class: 'amount' }],
    [money(invoice.outstanding), { class: 'amount' }],
    invoiceStatus(invoice),
    invoice.has_pdf ? pdfButton(invoice, report) : 'brak',
  );
}

async function loadPage(append) {
  const params = new URLSearchParams(query);
  params.set('limit', String(PAGE_SIZE));
  if (append && cursor) params.set('cursor', cursor);
  const page = await api(`/invoices?${params}`);
  if (!append) {
    rows.replaceChildren();
    shown = 0;
  }
  rows.append(...page.items.map(invoiceRow));
  shown += page.items.length;
  cursor = page.next_cursor;
  more.hidden = !cursor;
  byId('table').hidden = shown === 0;
  byId('empty').hidden = shown > 0;
  const count = plural(shown, 'faktura', 'faktury', 'faktur');
  byId('count').textContent = cursor ? `Pokazano ${count}; są kolejne.` : `Pokazano ${count}.`;
  return page.items.length;
}

function queryOf(values) {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (values[name]) params.set(name, values[name]);
  return params;
}

async function applyFilters(values) {
  query = queryOf(values);
  const address = query.toString() ? `/faktury?${query}` : '/faktury';
  history.replaceState(null, '', address);
  await loadPage(false);
  report(`Wyniki: ${plural(shown, 'faktura', 'faktury', 'faktur')}${cursor ? ' (są kolejne)' : ''}.`);
}

async function showList(params) {
  for (const name of FILTERS) {
    if (params.has(name)) form.elements.namedItem(name).value = params.get(name);
  }
  bindForm(form, applyFilters);
  byId('clear').addEventListener('click', () => {
    form.reset();
    form.requestSubmit();
  });
  more.addEventListener('click', async () => {
    more.setAttribute('aria-disabled', 'true');
    try {
      const added = await loadPage(true);
      report(`Dodano ${plural(added, 'fakturę', 'faktury', 'faktur')}.`);
      // The first new row's link takes the focus, so the keyboard goes on from there.
      const first = rows.children[shown - added];
      if (first) first.querySelector('a').focus();
    } catch (error) {
      if (error.status !== 401) report(error.message);
    } finally {
      more.removeAttribute('aria-disabled');
    }
  });
  query = queryOf(Object.fromEntries(params));
  try {
    await loadPage(false);
  } catch (error) {
    if (error.status !== 401) showApiError(form, error);
  }
}

function fact(term, value) {
  return [el('dt', {}, term), el('dd', {}, value)];
}

function chainList(id, title, invoices) {
  return el('section', { 'aria-labelledby': id },
    el('h2', { id }, title),
    el('ul', {}, ...invoices.map((invoice) => el('li', {},
      el('a', { href: `/faktury?faktura=${encodeURIComponent(invoice.id)}` }, invoice.number),
      ` — ${kindName(invoice.kind)} z dnia ${date(invoice.issue_date)}, `,
      `brutto ${money(invoice.gross)}, ${invoiceStatus(invoice)}`))));
}

async function showDetail(id) {
  byId('list-view').hidden = true;
  const view = byId('detail-view');
  try {
    const invoice = await api(`/invoices/${encodeURIComponent(id)}`);
    const title = `${kindName(invoice.kind)} ${invoice.number}`;
    byId('title').textContent = title;
    document.title = `${title} — IBOK`;
    byId('detail-facts').replaceChildren(
      ...fact('Stan', invoiceStatus(invoice)),
      ...fact('Data wystawienia', date(invoice.issue_date)),
      ...(invoice.sale_date ? fact('Data sprzedaży', date(invoice.sale_date)) : []),
      ...fact('Termin płatności', date(invoice.due_date)),
      ...fact('Netto', money(invoice.net)),
      ...fact('VAT', money(invoice.vat)),
      ...fact('Brutto', money(invoice.gross)),
      ...fact('Do zapłaty z korektami', money(invoice.amount_due)),
      ...fact('Zapłacono', money(invoice.paid)),
      ...fact('Pozostało do zapłaty', money(invoice.outstanding)),
    );
    const actions = [];
    if (invoice.has_pdf) actions.push(pdfButton(invoice, report));
    if (positive(invoice.outstanding) && invoice.status !== 'paid_pending_booking') {
      actions.push(el('a', { class: 'button', href: `/zaplac?faktura=${encodeURIComponent(invoice.id)}` },
        'Zapłać tę fakturę'));
    }
    byId('detail-actions').replaceChildren(...actions);
    const chain = [];
    if (invoice.original) chain.push(chainList('original', 'Dokument korygowany', [invoice.original]));
    if (invoice.corrections.length) chain.push(chainList('corrections', 'Korekty', invoice.corrections));
    byId('detail-chain').replaceChildren(...chain);
    view.hidden = false;
  } catch (error) {
    if (error.status === 401) return;
    byId('title').textContent = 'Faktura';
    status.classList.add('failed');
    report(error.message);
    byId('detail-facts').hidden = true;
    view.hidden = false;
  }
}

const params = new URLSearchParams(location.search);
if (params.get('faktura')) await showDetail(params.get('faktura'));
else await showList(params);
