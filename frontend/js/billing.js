// What the money pages (dashboard, invoices, settlements, pay, payment return) share: the
// Polish names of the API's invoice, payment and ledger codes, a small table builder and
// the PDF download (the API gives a link valid for minutes; the browser follows it).

import { api } from './api.js';
import { money } from './format.js';

export const INVOICE_KINDS = {
  invoice: 'Faktura',
  correction: 'Faktura korygująca',
  duplicate: 'Duplikat faktury',
  interest_note: 'Nota odsetkowa',
  accounting_note: 'Nota księgowa',
};

export const INVOICE_STATUSES = {
  unpaid: 'nieopłacona',
  partially_paid: 'częściowo opłacona',
  paid: 'opłacona',
  paid_pending_booking: 'opłacona, czeka na zaksięgowanie',
};

export const PAYMENT_STATUSES = {
  started: 'rozpoczęta',
  pending: 'w toku',
  paid: 'opłacona, czeka na zaksięgowanie',
  failed: 'nieudana',
  booked: 'zaksięgowana',
};

export const PAYMENT_METHODS = {
  transfer: 'przelew',
  cash: 'gotówka',
  card: 'karta',
  online: 'płatność online',
  offset: 'kompensata',
};

export const SETTLEMENT_KINDS = {
  opening: 'Saldo otwarcia',
  charge: 'Obciążenie',
  payment: 'Wpłata',
  online_payment: 'Płatność online (czeka na zaksięgowanie)',
};

/** An invoice's state as a customer reads it: "nieopłacona, po terminie". */
export function invoiceStatus(invoice) {
  const text = INVOICE_STATUSES[invoice.status] || invoice.status;
  const open = invoice.status === 'unpaid' || invoice.status === 'partially_paid';
  return invoice.overdue && open ? `${text}, po terminie` : text;
}

/** The balance in words: what is owed, the overpayment, or nothing. */
export function balanceText(balance) {
  if (balance.state === 'owed') return `Do zapłaty: ${money(balance.balance)}`;
  if (balance.state === 'overpaid') return `Nadpłata: ${money(balance.balance.replace(/^-/, ''))}`;
  return 'Wszystko rozliczone';
}

/** True when a money string ("0.00", "-3.10", "12.00") is above zero. */
export function positive(amount) {
  return /^\d/.test(amount) && /[1-9]/.test(amount);
}

/** A DOM element: el('td', {class: 'amount'}, '12,00 zł'). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** A table row of cells; a cell is text, a node, or [content, {attributes}]. */
export function row(...cells) {
  return el('tr', {}, ...cells.map((cell) => (Array.isArray(cell)
    ? el('td', cell[1], cell[0])
    : el('td', {}, cell))));
}

/** Download an invoice's PDF: ask the API for a short-lived link and follow it (the file
 *  comes as an attachment, so the page stays). Rejects with the API's error. */
export async function downloadInvoicePdf(invoiceId) {
  const link = await api(`/invoices/${encodeURIComponent(invoiceId)}/pdf`);
  location.assign(link.url);
  return link;
}

/** A "Pobierz PDF" button for an invoice; errors go to `report(message)`. */
export function pdfButton(invoice, report) {
  const button = el('button', { type: 'button', class: 'secondary small' }, 'Pobierz PDF',
    el('span', { class: 'visually-hidden' }, ` faktury ${invoice.number}`));
  button.addEventListener('click', async () => {
    button.setAttribute('aria-disabled', 'true');
    try {
      await downloadInvoicePdf(invoice.id);
      report(`Pobieranie faktury ${invoice.number} rozpoczęte.`);
    } catch (error) {
      if (error.status !== 401) report(error.message);
    } finally {
      button.removeAttribute('aria-disabled');
    }
  });
  return button;
}
