// Terms of service versions (`/staff/terms`, admins only): every version with its state
// (in effect, scheduled, past), and publishing a new one - its label, title, Markdown text
// (with a preview) and the moment it takes effect, now or a chosen Europe/Warsaw time -
// behind a confirm dialog, since a published version can be neither changed nor removed.
// A staff member who is not an admin sees the API's refusal and no form.
import { api } from '../api.js';
import { el, row } from '../billing.js';
import { dateTime } from '../format.js';
import { bindForm, showErrors, showStatus } from '../forms.js';
import { markdownNodes } from '../markdown.js';
import { confirmDialog, fromWarsawInput } from '../staff.js';
import { staffLayout } from '../staff-layout.js';

await staffLayout();

const $ = (id) => document.getElementById(id);
const TEXT_BYTES = 60000; // schemas/terms.py: the text's UTF-8 within one request body
const form = $('editor');
const failure = $('failure');

function stateOf(version, inEffect, now) {
  if (version.version === inEffect) return 'obowiązuje';
  return Date.parse(version.effective_from) > now ? 'zaplanowana' : 'archiwalna';
}

function publishedBy(version) {
  return version.published_by
    ? `${version.published_by}, ${dateTime(version.published_at)}`
    : 'dostarczona z aplikacją';
}

async function load() {
  try {
    const list = await api('/staff/terms');
    const now = Date.now();
    $('list').replaceChildren(...list.items.map((v) => row(
      v.version, v.title, dateTime(v.effective_from),
      el('span', { class: 'no-wrap' }, stateOf(v, list.in_effect, now)), publishedBy(v),
    )));
    $('list-wrap').hidden = list.items.length === 0;
    $('in-effect').textContent = `Teraz obowiązuje wersja ${list.in_effect}.`;
    $('editor-section').hidden = false;
    failure.hidden = true;
  } catch (error) {
    if (error.status === 401) return;
    failure.textContent = error.status === 403
      ? `${error.message} Wersje regulaminu publikują tylko administratorzy.`
      : error.message;
    failure.hidden = false;
  }
}

function showWhen() {
  $('effective-field').hidden = $('when-now').checked;
}

function preview() {
  $('preview').replaceChildren(...markdownNodes(form.elements.namedItem('text').value, { topLevel: 3 }));
}

bindForm(form, async (values) => {
  const now = $('when-now').checked;
  if (!now && !values.effective_from) {
    showErrors(form, { effective_from: 'Podaj, od kiedy wersja obowiązuje, albo wybierz „Od razu po publikacji”.' });
    return;
  }
  if (new TextEncoder().encode(values.text.trim()).length > TEXT_BYTES) {
    showErrors(form, { text: 'Treść regulaminu jest za długa (najwyżej 60 kB).' });
    return;
  }
  const body = {
    version: values.version.trim(),
    title: values.title.trim(),
    text: values.text.trim(),
    effective_from: now ? '' : fromWarsawInput(values.effective_from),
  };
  const when = now ? 'od razu po publikacji' : `od ${dateTime(body.effective_from)}`;
  const ok = await confirmDialog({
    title: `Opublikować regulamin w wersji ${body.version}?`,
    body: `Wersja będzie obowiązywać ${when}. Od tej chwili każdy klient musi ją zaakceptować, `
      + 'zanim skorzysta z IBOK. Opublikowanej wersji nie można zmienić ani usunąć.',
    confirm: 'Opublikuj',
  });
  if (!ok) return;
  if (now) body.effective_from = new Date().toISOString(); // the moment it is confirmed
  const published = await api('/staff/terms', { method: 'POST', body });
  form.reset();
  showWhen();
  preview();
  await load();
  showStatus($('status'),
    `Opublikowano regulamin w wersji ${published.version}; obowiązuje od ${dateTime(published.effective_from)}.`);
});

$('when-now').addEventListener('change', showWhen);
$('when-later').addEventListener('change', showWhen);
$('preview-box').addEventListener('toggle', preview);
form.elements.namedItem('text').addEventListener('input', () => {
  if ($('preview-box').open) preview();
});
showWhen();
await load();
