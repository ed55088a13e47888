// Meters: each meter's state, certification and last reading; submitting a reading (value,
// date, an optional photo sent straight to S3 through the presigned POST the API returns);
// an unusual reading is confirmed in a second step ("Tak, odczyt jest poprawny"), which sends
// it again with `confirm: true`; each meter's reading history, page by page.
//
// `/wodomierze?wodomierz=<serial>#odczyt` opens the form with that meter chosen (the
// dashboard's "Podaj odczyt").
import { api, ApiError } from '../api.js';
import { bindForm, showErrors, showStatus } from '../forms.js';
import { date, plural, volume } from '../format.js';
import { customerLayout } from '../layout.js';

customerLayout();

const HISTORY_PAGE = 12;
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/heic'];
const KINDS = { main: 'główny', garden: 'ogrodowy (podlicznik)', other: 'inny' };
const STATES = { active: 'czynny', removed: 'zdemontowany', faulty: 'uszkodzony' };
const SOURCES = {
  billing: 'rozliczenie',
  collector: 'inkasent',
  customer: 'podany przez Ciebie',
  estimate: 'szacunek',
};

const status = document.getElementById('status');
const form = document.getElementById('reading-form');
const meterSelect = document.getElementById('meter');
const valueInput = document.getElementById('value');
const dateInput = document.getElementById('date');
const photoInput = document.getElementById('photo');
const confirmStep = document.getElementById('confirm-step');
const confirmText = document.getElementById('confirm-text');
let confirming = false;
let meters = [];
const openHistories = new Set(); // meters whose history is shown (kept across reloads)

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** Today in Warsaw as "2026-11-01" (the API's calendar). */
function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(new Date());
}

/** "1.12.2026" or "01.12.2026" (or ISO "2026-12-01") → "2026-12-01"; null when it is no
 *  calendar day. */
function dayInput(text) {
  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  const polish = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(trimmed);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]].map(Number)
    : polish ? [polish[3], polish[2], polish[1]].map(Number) : [0, 0, 0];
  const when = new Date(Date.UTC(year, month - 1, day));
  if (!year || when.getUTCMonth() !== month - 1 || when.getUTCDate() !== day) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** What the customer typed ("1 234,5", "1234.5") in the API's form ("1234.5"); anything
 *  else goes as typed, and the API's answer says what is wrong with it. */
function volumeInput(text) {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '');
  return /^\d+(?:[.,]\d+)?$/.test(compact) ? compact.replace(',', '.') : text.trim();
}

function certificationText(certification) {
  const until = date(certification.valid_until);
  switch (certification.state) {
    case 'valid':
      return `ważna do ${until}`;
    case 'expiring':
      return `wygasa ${until} (za ${plural(certification.days_left, 'dzień', 'dni', 'dni')})`;
    case 'expired':
      return `wygasła ${until}`;
    default:
      return 'brak danych';
  }
}

function lastReadingText(last) {
  if (!last) return 'brak odczytów';
  return `${volume(last.value)} z dnia ${date(last.date)} (${SOURCES[last.source] || last.source})`;
}

function meterName(meter) {
  return `${meter.serial}${meter.location ? `, ${meter.location}` : ''}`;
}

function facts(meter) {
  const list = element('dl', { class: 'facts' });
  const add = (term, value) => list.append(element('dt', {}, term), element('dd', {}, value));
  add('Rodzaj', KINDS[meter.kind] || meter.kind);
  add('Miejsce', meter.location || '—');
  add('Stan', STATES[meter.status] || meter.status);
  add('Zamontowany', date(meter.installed_on));
  if (meter.removed_on) add('Zdemontowany', date(meter.removed_on));
  if (meter.seal) add('Plomba', meter.seal);
  add('Legalizacja', certificationText(meter.certification));
  add('Ostatni odczyt', lastReadingText(meter.last_reading));
  return list;
}

function certificationNotice(meter) {
  const { state, valid_until: until } = meter.certification;
  if (!meter.attention || meter.status !== 'active') return null;
  const text = state === 'expired'
    ? `Legalizacja tego wodomierza wygasła ${date(until)}. Skontaktuj się z nami, aby umówić wymianę.`
    : `Legalizacja tego wodomierza wygasa ${date(until)}. Skontaktujemy się, aby umówić wymianę.`;
  return element('p', { class: 'notice' }, text);
}

function historyRow(item) {
  const source = SOURCES[item.source] || item.source;
  const note = item.confirmed_unusual ? ' — potwierdzony nietypowy' : '';
  return element('tr', {},
    element('td', {}, date(item.date)),
    element('td', { class: 'amount' }, volume(item.value)),
    element('td', { class: 'amount' }, item.consumption === null ? '—' : volume(item.consumption)),
    element('td', { class: 'amount' }, item.days === null ? '—' : String(item.days)),
    element('td', { class: 'amount' }, item.daily_average === null ? '—' : volume(item.daily_average)),
    element('td', {}, `${source}${note}`));
}

/** The history panel of one meter: a table filled page by page. */
function historyPanel(meter, index) {
  const panel = element('div', { id: `history-${index}`, class: 'history', hidden: '' });
  const headers = ['Data', 'Stan licznika', 'Zużycie', 'Dni', 'Średnio na dobę', 'Źródło'];
  const amount = new Set(['Stan licznika', 'Zużycie', 'Dni', 'Średnio na dobę']);
  const body = element('tbody');
  const captionId = `history-${index}-caption`;
  const table = element('table', {},
    element('caption', { id: captionId }, `Historia odczytów wodomierza ${meter.serial}`),
    element('thead', {}, element('tr', {}, ...headers.map((h) => element('th', {
      scope: 'col', ...(amount.has(h) ? { class: 'amount' } : {}),
    }, h)))),
    body);
  const more = element('button', { type: 'button', class: 'secondary', hidden: '' },
    'Pokaż starsze odczyty');
  const note = element('p', { class: 'hint', role: 'status' });
  // Focusable, so a keyboard can scroll it where it is wider than the screen.
  const wrap = element('div', {
    class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': captionId,
  }, table);
  panel.append(wrap, note, more);
  let cursor = null;

  async function load(reset) {
    if (reset) {
      cursor = null;
      body.replaceChildren();
    }
    const query = new URLSearchParams({ limit: String(HISTORY_PAGE) });
    if (cursor) query.set('cursor', cursor);
    try {
      const page = await api(`/meters/${encodeURIComponent(meter.id)}/readings?${query}`);
      const firstNew = body.rows.length;
      body.append(...page.items.map(historyRow));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      const shown = body.rows.length;
      note.textContent = shown
        ? `Pokazano ${plural(shown, 'odczyt', 'odczyty', 'odczytów')}${cursor ? '' : ' — to wszystkie'}.`
        : 'Brak odczytów tego wodomierza.';
      return firstNew;
    } catch (error) {
      if (error.status !== 401) note.textContent = error.message;
      return null;
    }
  }

  more.addEventListener('click', async () => {
    const firstNew = await load(false);
    // Keep the keyboard where the new rows are: on the first of them, or on the table.
    const row = firstNew === null ? null : body.rows[firstNew];
    if (row) {
      row.tabIndex = -1;
      row.focus();
    }
  });
  return { panel, load };
}

function meterCard(meter, index) {
  const titleId = `meter-${index}-title`;
  const card = element('section', { class: 'card meter', 'aria-labelledby': titleId });
  card.append(element('h3', { id: titleId }, `Wodomierz ${meterName(meter)}`), facts(meter));
  const notice = certificationNotice(meter);
  if (notice) card.append(notice);
  const actions = element('div', { class: 'actions' });
  if (meter.accepts_readings) {
    const link = element('a', { class: 'button', href: `#odczyt` }, 'Podaj odczyt');
    link.append(element('span', { class: 'visually-hidden' }, ` dla wodomierza ${meter.serial}`));
    link.addEventListener('click', (event) => {
      event.preventDefault();
      chooseMeter(meter.id);
    });
    actions.append(link);
  }
  const { panel, load } = historyPanel(meter, index);
  const toggle = element('button', {
    type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': panel.id,
  }, 'Historia odczytów');
  toggle.append(element('span', { class: 'visually-hidden' }, ` wodomierza ${meter.serial}`));
  const show = async (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    panel.hidden = !open;
    if (open) openHistories.add(meter.id);
    else openHistories.delete(meter.id);
    if (open) await load(true);
  };
  toggle.addEventListener('click', () => show(toggle.getAttribute('aria-expanded') !== 'true'));
  actions.append(toggle);
  card.append(actions, panel);
  if (openHistories.has(meter.id)) show(true);
  return card;
}

function chooseMeter(id) {
  meterSelect.value = id;
  const section = document.getElementById('odczyt');
  section.scrollIntoView({ block: 'start' });
  valueInput.focus();
}

async function loadMeters() {
  const answer = await api('/meters');
  meters = answer.items;
  const cards = meters.map(meterCard);
  document.getElementById('meters').replaceChildren(...cards);
  document.getElementById('no-meters').hidden = meters.length > 0;
  document.getElementById('meters-section').hidden = false;
  const open = meters.filter((m) => m.accepts_readings);
  const chosen = meterSelect.value;
  meterSelect.replaceChildren(...open.map((m) => element('option', { value: m.id },
    `${meterName(m)} — ostatnio ${m.last_reading ? volume(m.last_reading.value) : 'brak odczytu'}`)));
  if (chosen) meterSelect.value = chosen;
  document.getElementById('odczyt').hidden = open.length === 0;
}

function hideConfirm() {
  confirmStep.hidden = true;
  confirmText.textContent = '';
}

function photoProblem(file) {
  if (!PHOTO_TYPES.includes(file.type)) return 'Zdjęcie musi być w formacie JPG, PNG lub HEIC.';
  if (file.size > MAX_PHOTO_BYTES) return 'Zdjęcie może mieć najwyżej 10 MB.';
  if (file.size < 1) return 'Wybrany plik jest pusty.';
  return '';
}

/** POST the photo to S3 with the presigned form; true when S3 took it. */
async function uploadPhoto(upload, file) {
  const body = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) body.append(name, value);
  body.append('file', file);
  try {
    const response = await fetch(upload.url, { method: 'POST', body, credentials: 'omit' });
    return response.ok;
  } catch {
    return false;
  }
}

/** Field names of the API's answer that belong to the photo control ("photo.size"). */
function onPhotoField(error) {
  if (!(error instanceof ApiError)) return error;
  const fields = {};
  for (const [name, message] of Object.entries(error.fields)) {
    fields[name.startsWith('photo') ? 'photo' : name] = message;
  }
  error.fields = fields;
  return error;
}

function saved(result, photoSent) {
  const reading = result.reading;
  let text = `Dziękujemy! Odczyt ${volume(reading.value)} z dnia ${date(reading.date)} został zapisany.`;
  if (result.replaced) text += ' Zastąpił odczyt podany wcześniej tego dnia.';
  if (photoSent === true) text += ' Zdjęcie licznika zostało wysłane.';
  if (photoSent === false) {
    text += ' Nie udało się wysłać zdjęcia — odczyt jest ważny i bez niego; możesz podać go '
      + 'jeszcze raz ze zdjęciem.';
  }
  return text;
}

bindForm(form, async ({ meter, value, date: readOn }) => {
  const confirm = confirming;
  confirming = false;
  hideConfirm();
  showStatus(status, '');
  const file = photoInput.files[0] || null;
  const problems = {};
  const day = dayInput(readOn);
  if (!day) problems.date = 'Podaj datę w formacie dd.mm.rrrr, np. 01.12.2026.';
  if (file && photoProblem(file)) problems.photo = photoProblem(file);
  if (Object.keys(problems).length) {
    showErrors(form, problems);
    return;
  }
  const body = { value: volumeInput(value), date: day, confirm };
  if (file) body.photo = { content_type: file.type, size: file.size };
  let result;
  try {
    result = await api(`/meters/${encodeURIComponent(meter)}/readings`, { method: 'POST', body });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'reading_unusual') {
      confirmText.textContent = error.message;
      confirmStep.hidden = false;
      confirmStep.focus();
      return;
    }
    throw onPhotoField(error);
  }
  const photoSent = result.photo_upload && file ? await uploadPhoto(result.photo_upload, file) : null;
  form.reset();
  dateInput.value = date(today());
  meterSelect.value = meter;
  await loadMeters();
  showStatus(status, saved(result, photoSent));
  status.focus();
});

document.getElementById('confirm-yes').addEventListener('click', () => {
  confirming = true;
  form.requestSubmit();
});
document.getElementById('confirm-fix').addEventListener('click', () => {
  hideConfirm();
  valueInput.focus();
  valueInput.select();
});
for (const control of [valueInput, dateInput, meterSelect]) {
  control.addEventListener('input', hideConfirm);
}

status.tabIndex = -1;
dateInput.value = date(today());
try {
  await loadMeters();
  showStatus(status, '');
  const wanted = new URLSearchParams(location.search).get('wodomierz');
  if (wanted && meters.some((m) => m.id === wanted && m.accepts_readings)) {
    meterSelect.value = wanted;
    if (location.hash === '#odczyt') chooseMeter(wanted);
  }
} catch (error) {
  if (error.status !== 401) showStatus(status, error.message);
}
