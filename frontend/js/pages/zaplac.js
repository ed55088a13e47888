// Pay online: the whole overdue amount, chosen invoices, or an amount of one's own (limits
// from GET /summary). POST /payments answers with the gateway's signed form, which the
// browser then submits, leaving the portal; the gateway sends it back to /platnosc/powrot.
// One open payment per invoice: a 409 `payment_in_progress` links to that payment's state.
import { ApiError, api } from '../api.js';
import { balanceText, el, invoiceStatus, positive } from '../billing.js';
import { NBSP, date, money } from '../format.js';
import { bindForm, showErrors, showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';

customerLayout();

const status = document.getElementById('status');
const form = document.getElementById('pay-form');
const byId = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/** Grosze of a money string "123.45" (exact: no floats). */
function grosze(text) {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (!match) return 0;
  const value = Number(match[2]) * 100 + Number(match[3]);
  return match[1] ? -value : value;
}

function fromGrosze(value) {
  const whole = Math.floor(value / 100);
  return `${whole}.${String(value % 100).padStart(2, '0')}`;
}

function purpose() {
  return form.elements.namedItem('purpose').value;
}

function showPurpose() {
  const chosen = purpose();
  byId('invoice-list').hidden = chosen !== 'invoices';
  byId('amount-field').hidden = chosen !== 'amount';
}

function updateTotal(invoices) {
  const checked = invoices.filter((invoice) => byId(`invoice-${invoice.id}`).checked);
  const total = checked.reduce((sum, invoice) => sum + grosze(invoice.outstanding), 0);
  byId('invoices-total').textContent = checked.length
    ? `Razem: ${money(fromGrosze(total))}` : 'Nie zaznaczono żadnej faktury.';
}

function invoiceBox(invoice) {
  const id = `invoice-${invoice.id}`;
  return el('div', { class: 'choice' },
    el('input', { type: 'checkbox', id, name: 'invoices', value: invoice.id }),
    el('label', { for: id },
      `${invoice.number}: ${money(invoice.outstanding)}`,
      el('span', { class: 'hint' }, `termin ${date(invoice.due_date)}, ${invoiceStatus(invoice)}`)));
}

function checkedInvoices() {
  return [...form.querySelectorAll('input[name="invoices"]:checked')].map((box) => box.value);
}

/** Leave for the gateway: a form POSTed by the browser, as the gateway expects. */
function goToGateway(gateway) {
  const leave = el('form', { method: gateway.method || 'POST', action: gateway.url, hidden: '' },
    ...gateway.fields.map((field) => el('input', { type: 'hidden', name: field.name, value: field.value })));
  document.body.append(leave);
  leave.submit();
}

function showInProgress(error) {
  const notice = byId('in-progress');
  const orderId = error.fields && error.fields.order_id;
  notice.replaceChildren(error.message, ' ');
  if (orderId) {
    notice.append(el('a', { href: `/platnosc/powrot?OrderID=${encodeURIComponent(orderId)}` },
      'Zobacz stan tej płatności'));
  }
  notice.hidden = false;
}

function bodyOf(values) {
  const chosen = purpose();
  if (chosen === 'overdue') return { overdue: true };
  if (chosen === 'invoices') return { invoices: checkedInvoices() };
  return { amount: values.amount.trim().replace(/\s|zł/g, '').replaceAll(NBSP, '') };
}

function localErrors(values) {
  const chosen = purpose();
  if (!chosen) return { purpose: 'Wybierz, co chcesz zapłacić.' };
  if (chosen === 'invoices' && !checkedInvoices().length) {
    return { invoices: 'Zaznacz co najmniej jedną fakturę.' };
  }
  if (chosen === 'amount' && !values.amount.trim()) return { amount: 'Podaj kwotę.' };
  return null;
}

function setUp(summary) {
  const { balance, unpaid_invoices: invoices, payment_limits: limits } = summary;
  const shownBalance = byId('balance');
  shownBalance.textContent = balanceText(balance);
  shownBalance.hidden = false;
  const hasOverdue = positive(balance.overdue);
  byId('overdue-amount').textContent = money(balance.overdue);
  byId('overdue-choice').hidden = !hasOverdue;
  byId('purpose-overdue').disabled = !hasOverdue;
  byId('invoices-choice').hidden = invoices.length === 0;
  byId('purpose-invoices').disabled = invoices.length === 0;
  byId('invoice-boxes').replaceChildren(...invoices.map(invoiceBox));
  byId('amount-hint').textContent = `Od ${money(limits.minimum)} do ${money(limits.maximum)}, `
    + 'np. 150,00.';

  const wanted = params.get('faktura');
  if (wanted && invoices.some((invoice) => invoice.id === wanted)) {
    byId('purpose-invoices').checked = true;
    byId(`invoice-${wanted}`).checked = true;
  } else if (hasOverdue) {
    byId('purpose-overdue').checked = true;
  } else if (invoices.length) {
    byId('purpose-invoices').checked = true;
    for (const box of form.querySelectorAll('input[name="invoices"]')) box.checked = true;
  } else {
    byId('purpose-amount').checked = true;
  }
  updateTotal(invoices);
  showPurpose();
  form.addEventListener('change', (event) => {
    if (event.target.name === 'purpose') showPurpose();
    if (event.target.name === 'invoices') updateTotal(invoices);
  });

  bindForm(form, async (values) => {
    byId('in-progress').hidden = true;
    const problems = localErrors(values);
    if (problems) {
      showErrors(form, problems);
      return;
    }
    try {
      const started = await api('/payments', { method: 'POST', body: bodyOf(values) });
      showStatus(status, `Przechodzisz do płatności na kwotę ${money(started.amount)}…`);
      goToGateway(started.gateway);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'payment_in_progress') showInProgress(error);
      throw error;
    }
  });
  form.hidden = false;
  if (!positive(balance.balance) && !invoices.length) {
    showStatus(status, 'Nie masz nic do zapłaty. Możesz wpłacić dowolną kwotę na poczet przyszłych faktur.');
  } else {
    showStatus(status, '');
  }
}

try {
  setUp(await api('/summary'));
} catch (error) {
  if (error.status !== 401) {
    status.classList.add('failed');
    showStatus(status, error.message);
  }
}
