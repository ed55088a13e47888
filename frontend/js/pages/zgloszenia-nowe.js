// A new ticket: one form for both kinds. A complaint names its subject (an invoice — chosen
// from the customer's invoices, GET /invoices —, a reading, the service or other); an
// operational report its category, the location (the service address from GET /me, which
// the customer may change) and an optional phone for the crew. Attachments (up to 5 JPEG,
// PNG or PDF files of up to 10 MB) are checked here before anything is sent, then each is
// uploaded straight to storage through the presigned POST the API returns
// (POST /tickets/{id}/attachments), with its progress. The API checks each file's content
// afterwards; the ticket's page shows what it found.
import { api, ApiError } from '../api.js';
import { el } from '../billing.js';
import { date, money } from '../format.js';
import { bindForm, showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';
import {
  TICKET_CATEGORIES, fileSize, keepFlash, ticketUrl,
} from '../ticket-texts.js';

customerLayout();

const MAX_FILES = 5;
const MAX_BYTES = 10 * 1024 * 1024;
const TYPES = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', pdf: 'application/pdf' };
const ALLOWED = new Set(Object.values(TYPES));
const INVOICE_PAGE = 100;

const status = document.getElementById('status');
const form = document.getElementById('ticket-form');
const category = document.getElementById('category');
const categoryLabel = document.getElementById('category-label');
const invoiceField = document.getElementById('invoice-field');
const invoice = document.getElementById('invoice');
const locationFields = document.getElementById('location-fields');
const phoneField = document.getElementById('phone-field');
const fileInput = document.getElementById('attachments');
const problems = document.getElementById('attachment-problems');
const fileList = document.getElementById('attachment-list');
const chosen = []; // {file, type, item, state}

function kind() {
  return form.elements.namedItem('kind').value;
}

/** The options of the category list for the chosen kind. */
function fillCategories() {
  const categories = TICKET_CATEGORIES[kind()];
  category.replaceChildren(
    el('option', { value: '' }, 'Wybierz…'),
    ...Object.entries(categories).map(([value, label]) => el('option', { value }, label)),
  );
  categoryLabel.textContent = kind() === 'complaint' ? 'Temat reklamacji' : 'Rodzaj problemu';
}

function setRequired(container, required) {
  for (const field of container.querySelectorAll('input, select')) {
    if (!field.dataset.requiredMessage) continue;
    if (required) field.setAttribute('required', '');
    else field.removeAttribute('required');
  }
}

/** Show the fields of the chosen kind (and the invoice list for an invoice complaint). */
function showKindFields() {
  const complaint = kind() === 'complaint';
  const aboutInvoice = complaint && category.value === 'invoice';
  invoiceField.hidden = !aboutInvoice;
  setRequired(invoiceField, aboutInvoice);
  locationFields.hidden = complaint;
  setRequired(locationFields, !complaint);
  phoneField.hidden = complaint;
}

for (const radio of form.querySelectorAll('input[name="kind"]')) {
  radio.addEventListener('change', () => {
    fillCategories();
    showKindFields();
  });
}
category.addEventListener('change', showKindFields);

async function loadInvoices() {
  const page = await api(`/invoices?limit=${INVOICE_PAGE}`);
  invoice.replaceChildren(
    el('option', { value: '' }, page.items.length ? 'Wybierz fakturę…' : 'Brak faktur na koncie'),
    ...page.items.map((item) => el('option', { value: item.id },
      `${item.number} z dnia ${date(item.issue_date)}, ${money(item.gross)}`)),
  );
}

async function loadAddress() {
  const me = await api('/me');
  const address = me.service_address;
  if (!address) return;
  form.elements.namedItem('location.street').value = address.street;
  form.elements.namedItem('location.postal_code').value = address.postal_code;
  form.elements.namedItem('location.city').value = address.city;
}

// Attachments ---------------------------------------------------------------------------

/** The file's type as the API names it: what the browser says, or its extension's. */
function typeOf(file) {
  if (file.type) return file.type;
  const extension = file.name.split('.').pop().toLowerCase();
  return TYPES[extension] || '';
}

function refusal(file) {
  if (!ALLOWED.has(typeOf(file))) {
    return `Plik „${file.name}” ma niedozwolony format — dołącz plik JPEG, PNG lub PDF.`;
  }
  if (file.size > MAX_BYTES) {
    return `Plik „${file.name}” ma ${fileSize(file.size)} — plik może mieć najwyżej 10 MB.`;
  }
  if (file.size < 1) return `Plik „${file.name}” jest pusty.`;
  if (chosen.length >= MAX_FILES) {
    return `Plik „${file.name}” nie został dodany — możesz dołączyć najwyżej ${MAX_FILES} plików.`;
  }
  return '';
}

function setFileState(entry, text, progress = null) {
  entry.state.textContent = text;
  if (progress === null) {
    entry.progress.hidden = true;
  } else {
    entry.progress.hidden = false;
    entry.progress.value = progress;
  }
}

function removeFile(entry) {
  const index = chosen.indexOf(entry);
  if (index >= 0) chosen.splice(index, 1);
  entry.item.remove();
  fileList.hidden = chosen.length === 0;
  problems.replaceChildren();
  fileInput.focus();
}

function addFile(file) {
  const state = el('span', { class: 'file-state' }, 'gotowy do wysłania');
  const progress = el('progress', { max: '100', value: '0', hidden: '', 'aria-label': `Przesyłanie ${file.name}` });
  const remove = el('button', { type: 'button', class: 'link-button small' }, 'Usuń',
    el('span', { class: 'visually-hidden' }, ` plik ${file.name}`));
  const item = el('li', {}, el('span', { class: 'file-name' }, file.name),
    ` (${fileSize(file.size)}) — `, state, progress, ' ', remove);
  const entry = { file, type: typeOf(file), item, state, progress, remove };
  remove.addEventListener('click', () => removeFile(entry));
  chosen.push(entry);
  fileList.append(item);
  fileList.hidden = false;
}

fileInput.addEventListener('change', () => {
  const refused = [];
  for (const file of fileInput.files) {
    const reason = refusal(file);
    if (reason) refused.push(reason);
    else addFile(file);
  }
  fileInput.value = ''; // the list below holds them; the control can pick more
  problems.replaceChildren(...refused.map((text) => el('p', { class: 'field-error' }, text)));
});

/** POST the file to storage with the presigned form, reporting progress; true when taken. */
function upload(form_, entry) {
  return new Promise((resolve) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(form_.fields)) body.append(name, value);
    body.append('file', entry.file);
    const request = new XMLHttpRequest();
    request.open('POST', form_.url);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        const percent = Math.round((event.loaded / event.total) * 100);
        setFileState(entry, `wysyłanie… ${percent}%`, percent);
      }
    });
    request.addEventListener('load', () => resolve(request.status >= 200 && request.status < 300));
    request.addEventListener('error', () => resolve(false));
    request.addEventListener('abort', () => resolve(false));
    request.send(body);
  });
}

/** Reserve and upload every chosen file; return how many went. */
async function sendAttachments(ticket) {
  let sent = 0;
  for (const entry of chosen) {
    entry.remove.hidden = true;
    setFileState(entry, 'przygotowanie…', 0);
    try {
      const slot = await api(`/tickets/${encodeURIComponent(ticket.id)}/attachments`, {
        method: 'POST',
        body: { name: entry.file.name, content_type: entry.type, size: entry.file.size },
      });
      if (await upload(slot.upload, entry)) {
        sent += 1;
        setFileState(entry, 'przesłano — czeka na sprawdzenie');
      } else {
        setFileState(entry, 'nie udało się przesłać');
      }
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) throw error;
      setFileState(entry, `nie przyjęto: ${Object.values(error.fields)[0] || error.message}`);
    }
  }
  return sent;
}

// Sending -----------------------------------------------------------------------------

function ticketBody(values) {
  const body = { kind: kind(), category: values.category, description: values.description };
  if (body.kind === 'complaint') {
    if (values.category === 'invoice') body.invoice = values.invoice;
  } else {
    body.location = {
      street: values['location.street'].trim(),
      postal_code: values['location.postal_code'].trim(),
      city: values['location.city'].trim(),
    };
    if (values.phone.trim()) body.phone = values.phone.trim();
  }
  return body;
}

let filed = null; // the ticket, once the API took it (attachments may still fail)

bindForm(form, async (values) => {
  if (!filed) {
    if (problems.childElementCount) problems.replaceChildren();
    filed = await api('/tickets', { method: 'POST', body: ticketBody(values) });
  }
  const sent = chosen.length ? await sendAttachments(filed) : 0;
  let text = filed.kind === 'complaint'
    ? `Reklamacja ${filed.reference} została przyjęta. Odpowiemy do ${date(filed.due_on)}.`
    : `Zgłoszenie ${filed.reference} zostało przyjęte.`;
  if (chosen.length) {
    text += sent === chosen.length
      ? ' Załączniki zostały przesłane i czekają na sprawdzenie.'
      : ` Przesłano ${sent} z ${chosen.length} załączników.`;
  }
  keepFlash(text);
  location.assign(ticketUrl(filed));
});

fillCategories();
const wanted = new URLSearchParams(location.search).get('rodzaj');
if (wanted === 'awaria') {
  form.elements.namedItem('kind').value = 'operational';
  fillCategories();
}
showKindFields();
fileList.hidden = true;
try {
  await Promise.all([loadInvoices(), loadAddress()]);
  form.hidden = false;
  showStatus(status, '');
} catch (error) {
  if (error.status !== 401) {
    status.classList.add('failed');
    showStatus(status, error.message);
  }
}
