// Settlements (the ledger with its running balance, GET /settlements) and the payment
// history (booked and online payments, GET /payments), each a page at a time.
import { api } from '../api.js';
import {
  INVOICE_KINDS, PAYMENT_METHODS, PAYMENT_STATUSES, SETTLEMENT_KINDS, balanceText, el, row,
} from '../billing.js';
import { date, money, plural } from '../format.js';
import { showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';

customerLayout();

const PAGE_SIZE = 20;
const status = document.getElementById('status');
const byId = (id) => document.getElementById(id);

function settlementRow(entry) {
  const operation = entry.kind === 'charge' && entry.document_kind
    ? INVOICE_KINDS[entry.document_kind] || SETTLEMENT_KINDS.charge
    : SETTLEMENT_KINDS[entry.kind] || entry.kind;
  return row(
    date(entry.date),
    operation,
    entry.reference,
    [money(entry.amount), { class: 'amount' }],
    [money(entry.balance_after), { class: 'amount' }],
  );
}

function paymentRow(payment) {
  const method = payment.source === 'online' ? 'płatność online'
    : PAYMENT_METHODS[payment.method] || payment.method;
  const paid = payment.allocations.map((a) => `${a.invoice} (${money(a.amount)})`).join(', ');
  return row(
    date(payment.paid_on),
    [money(payment.amount), { class: 'amount' }],
    method,
    PAYMENT_STATUSES[payment.status] || payment.status,
    paid || payment.title || '—',
  );
}

/** One paged table: the first page now, "Pokaż starsze…" for the next ones. */
function pagedTable({ path, name, render, few, many, onFirst }) {
  const rows = byId(`${name}-rows`);
  const more = byId(`${name}-more`);
  let cursor = null;
  let total = 0;
  async function load() {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor) params.set('cursor', cursor);
    const page = await api(`${path}?${params}`);
    if (total === 0 && onFirst) onFirst(page);
    rows.append(...page.items.map(render));
    total += page.items.length;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    byId(`${name}-empty`).hidden = total > 0;
    byId(`${name}-table`).hidden = total === 0;
    byId(name).hidden = false;
    return page.items.length;
  }
  more.addEventListener('click', async () => {
    more.setAttribute('aria-disabled', 'true');
    try {
      const before = rows.children.length;
      const added = await load();
      showStatus(status, `Dodano ${plural(added, few[0], few[1], many)}.`);
      const first = rows.children[before];
      if (first) {
        first.tabIndex = -1;
        first.focus();
      }
    } catch (error) {
      if (error.status !== 401) showStatus(status, error.message);
    } finally {
      more.removeAttribute('aria-disabled');
    }
  });
  return load;
}

const loadSettlements = pagedTable({
  path: '/settlements',
  name: 'settlements',
  render: settlementRow,
  few: ['pozycję', 'pozycje'],
  many: 'pozycji',
  onFirst: (page) => {
    const balance = byId('balance');
    const amount = page.balance;
    const state = amount.startsWith('-') ? 'overpaid' : /[1-9]/.test(amount) ? 'owed' : 'settled';
    balance.textContent = balanceText({ state, balance: amount });
    balance.hidden = false;
  },
});
const loadPayments = pagedTable({
  path: '/payments',
  name: 'payments',
  render: paymentRow,
  few: ['wpłatę', 'wpłaty'],
  many: 'wpłat',
});

try {
  await Promise.all([loadSettlements(), loadPayments()]);
  showStatus(status, '');
} catch (error) {
  if (error.status !== 401) {
    status.classList.add('failed');
    showStatus(status, error.message);
  }
}
