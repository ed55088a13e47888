// The page the payment gateway sends the customer back to (`?ServiceID=…&OrderID=…&Hash=…`;
// the pay page links here with only `OrderID` while a payment is in progress). The return
// itself decides nothing: the gateway's notification does. So the page asks
// GET /payments/{id} politely — less and less often, paused while the tab is hidden — until
// the order is paid, failed or booked, and announces each change of state (role="status").
import { api } from '../api.js';
import { PAYMENT_STATUSES } from '../billing.js';
import { date, money } from '../format.js';
import { showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';

customerLayout();

const FINAL = new Set(['paid', 'failed', 'booked']);
const DELAYS_MS = [1000, 2000, 3000, 5000, 8000, 13000, 20000, 30000];
const GIVE_UP_MS = 5 * 60 * 1000;
const ORDER_ID = /^[A-Za-z0-9]{1,32}$/;

const status = document.getElementById('status');
const byId = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const orderId = params.get('OrderID') || '';
let started = Date.now();
let attempt = 0;
let lastStatus = null;
let timer = null;

function show(payment) {
  byId('order-status').textContent = PAYMENT_STATUSES[payment.status] || payment.status;
  byId('order-amount').textContent = `${money(payment.amount)} (${date(payment.paid_on)})`;
  const paid = payment.allocations.map((a) => a.invoice).join(', ');
  byId('order-title-text').textContent = paid || payment.title || 'wpłata na konto';
  byId('order-id').textContent = payment.id;
  byId('order').hidden = false;
  byId('retry').hidden = payment.status !== 'failed';
  if (payment.status !== lastStatus) {
    // Only a change is announced, so a screen reader hears each state once.
    status.classList.toggle('failed', payment.status === 'failed');
    showStatus(status, payment.message);
    lastStatus = payment.status;
  }
}

function schedule() {
  clearTimeout(timer);
  if (Date.now() - started > GIVE_UP_MS) {
    showStatus(status, 'Potwierdzenie płatności jeszcze nie dotarło. Stan płatności zobaczysz '
      + 'później na pulpicie i w rozliczeniach; możesz też sprawdzić ponownie.');
    byId('check').hidden = false;
    return;
  }
  const delay = DELAYS_MS[Math.min(attempt, DELAYS_MS.length - 1)];
  attempt += 1;
  timer = setTimeout(check, delay);
}

async function check() {
  clearTimeout(timer);
  if (document.hidden) return; // resumed by visibilitychange
  try {
    const payment = await api(`/payments/${encodeURIComponent(orderId)}`);
    show(payment);
    if (!FINAL.has(payment.status)) schedule();
  } catch (error) {
    if (error.status === 401) return;
    if (error.status === 0 || error.status >= 500) {
      schedule(); // a passing problem: try again later
      return;
    }
    status.classList.add('failed');
    showStatus(status, error.message);
  }
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && lastStatus !== null && !FINAL.has(lastStatus)) check();
});
byId('check').addEventListener('click', () => {
  byId('check').hidden = true;
  attempt = 0;
  started = Date.now();
  check();
});

if (ORDER_ID.test(orderId)) {
  check();
} else {
  status.classList.add('failed');
  showStatus(status, 'Nie rozpoznajemy tej płatności. Jej stan sprawdzisz w rozliczeniach.');
}
