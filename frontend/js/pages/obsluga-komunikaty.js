// Announcements (`/staff/announcements`): the list (any state, newest first), a draft's
// form (kind, title, text, the area — the whole service area, or postal codes and/or
// streets —, valid from/to as Europe/Warsaw date-times), editing a draft, and publishing
// and withdrawing behind confirm dialogs.
import { ApiError, api } from '../api.js';
import { el, row } from '../billing.js';
import { dateTime } from '../format.js';
import { bindForm, showStatus } from '../forms.js';
import {
  ANNOUNCEMENT_KINDS, ANNOUNCEMENT_STATES, confirmDialog, cursorPager, fromWarsawInput,
  toWarsawInput,
} from '../staff.js';
import { staffLayout } from '../staff-layout.js';

await staffLayout();

const $ = (id) => document.getElementById(id);
const status = $('status');
const failure = $('failure');
const form = $('editor');
let editing = null; // the draft being edited, or null for a new one

function areaText(a) {
  if (a.whole_area) return 'cały obszar';
  return [a.postal_codes.join(', '), a.streets.join(', ')].filter(Boolean).join('; ') || '—';
}

function validity(a) {
  return `od ${dateTime(a.starts_at)} ${a.ends_at ? `do ${dateTime(a.ends_at)}` : 'do wycofania'}`;
}

function said(text, failed = false) {
  status.classList.toggle('failed', failed);
  showStatus(status, text);
}

function actionButton(label, title, handler) {
  const button = el('button', { type: 'button', class: 'secondary small' }, label,
    el('span', { class: 'visually-hidden' }, `: ${title}`));
  button.addEventListener('click', () => handler(button));
  return button;
}

function actions(a) {
  const cell = el('div', { class: 'actions' });
  if (a.state === 'draft') {
    cell.append(actionButton('Edytuj', a.title, () => edit(a)), actionButton('Opublikuj', a.title, () => publish(a)));
  } else if (a.state === 'published') {
    cell.append(actionButton('Wycofaj', a.title, () => withdraw(a)));
  } else {
    cell.append('—');
  }
  return cell;
}

const pager = cursorPager($('pages'), async (cursor) => {
  failure.hidden = true;
  try {
    const page = await api(`/staff/announcements?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    $('list').replaceChildren(...page.items.map((a) => row(
      a.title, ANNOUNCEMENT_KINDS[a.kind] || a.kind, ANNOUNCEMENT_STATES[a.state] || a.state,
      validity(a), areaText(a), actions(a),
    )));
    $('list-wrap').hidden = page.items.length === 0;
    $('empty').hidden = page.items.length > 0;
    return page;
  } catch (error) {
    if (error.status !== 401) {
      failure.textContent = error.message;
      failure.hidden = false;
    }
    return null;
  }
});

function showArea() {
  const whole = $('area-whole').checked;
  $('postal-field').hidden = whole;
  $('streets-field').hidden = whole;
}

function splitList(text, lines) {
  return text.split(lines ? /\n/ : /[\n,;]/).map((part) => part.trim()).filter(Boolean);
}

function startNew() {
  editing = null;
  form.reset();
  $('area-part').checked = true;
  showArea();
  $('editor-title').textContent = 'Nowy komunikat (szkic)';
  $('save').textContent = 'Zapisz szkic';
  $('cancel-edit').hidden = true;
}

function edit(a) {
  editing = a;
  form.elements.namedItem('kind').value = a.kind;
  form.elements.namedItem('title').value = a.title;
  form.elements.namedItem('text').value = a.text;
  $(a.whole_area ? 'area-whole' : 'area-part').checked = true;
  $('postal_codes').value = a.postal_codes.join(', ');
  $('streets').value = a.streets.join('\n');
  $('starts_at').value = toWarsawInput(a.starts_at);
  $('ends_at').value = toWarsawInput(a.ends_at);
  showArea();
  $('editor-title').textContent = `Edycja szkicu: ${a.title}`;
  $('save').textContent = 'Zapisz zmiany szkicu';
  $('cancel-edit').hidden = false;
  $('editor-title').focus();
}

/** The API names list items `postal_codes.1`; the form has one field for the list. */
function onFormFields(error) {
  if (!(error instanceof ApiError)) return error;
  const fields = {};
  for (const [name, text] of Object.entries(error.fields)) {
    const base = name.split('.')[0];
    fields[base] = fields[base] ? `${fields[base]} ${text}` : text;
  }
  return new ApiError(error.status, error.code, error.message, fields, error.requestId);
}

bindForm(form, async (values) => {
  const whole = values.area === 'whole' || $('area-whole').checked;
  const body = {
    kind: values.kind,
    title: values.title.trim(),
    text: values.text.trim(),
    whole_area: whole,
    postal_codes: whole ? [] : splitList(values.postal_codes, false),
    streets: whole ? [] : splitList(values.streets, true),
    starts_at: fromWarsawInput(values.starts_at),
  };
  const ends = fromWarsawInput(values.ends_at);
  try {
    if (editing) {
      body.ends_at = ends || null;
      await api(`/staff/announcements/${encodeURIComponent(editing.id)}`, { method: 'PATCH', body });
    } else {
      if (ends) body.ends_at = ends;
      await api('/staff/announcements', { method: 'POST', body });
    }
  } catch (error) {
    throw onFormFields(error);
  }
  const text = editing ? `Zapisano zmiany szkicu „${body.title}”.` : `Zapisano szkic „${body.title}”. Opublikuj go z listy, gdy będzie gotowy.`;
  startNew();
  await pager.reset();
  said(text);
});

async function publish(a) {
  const ok = await confirmDialog({
    title: `Opublikować komunikat „${a.title}”?`,
    body: `Komunikat zobaczą klienci (obszar: ${areaText(a)}; ${validity(a)}). Po publikacji nie można go już zmienić, tylko wycofać.`,
    confirm: 'Opublikuj',
  });
  if (!ok) return;
  try {
    await api(`/staff/announcements/${encodeURIComponent(a.id)}/publish`, { method: 'POST', body: {} });
    await pager.reload();
    said(`Opublikowano komunikat „${a.title}”.`);
  } catch (error) {
    if (error.status !== 401) said(error.message, true);
  }
}

async function withdraw(a) {
  const answer = await confirmDialog({
    title: `Wycofać komunikat „${a.title}”?`,
    body: 'Komunikat od razu zniknie z listy komunikatów dla klientów.',
    confirm: 'Wycofaj',
    reason: 'Powód wycofania (zapisywany w dzienniku zdarzeń, opcjonalnie)',
  });
  if (!answer.confirmed) return;
  try {
    await api(`/staff/announcements/${encodeURIComponent(a.id)}/withdraw`, {
      method: 'POST', body: answer.reason ? { note: answer.reason } : {},
    });
    await pager.reload();
    said(`Wycofano komunikat „${a.title}”.`);
  } catch (error) {
    if (error.status !== 401) said(error.message, true);
  }
}

$('area-whole').addEventListener('change', showArea);
$('area-part').addEventListener('change', showArea);
$('cancel-edit').addEventListener('click', () => {
  startNew();
  $('editor-title').focus();
});
startNew();
await pager.reset();
