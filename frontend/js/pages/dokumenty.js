// Contracts with their annexes and the scanned documents; each file is downloaded through
// a short-lived link the API issues on demand (GET …/file), so a link is never stale.
import { api } from '../api.js';
import { showStatus } from '../forms.js';
import { date } from '../format.js';
import { customerLayout } from '../layout.js';

customerLayout();

const KINDS = { water: 'dostawa wody', sewage: 'odbiór ścieków', both: 'dostawa wody i odbiór ścieków' };
const status = document.getElementById('status');
const failure = document.getElementById('download-error');

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A button that fetches a fresh link and opens it (the file comes as a download). `what`
 *  completes the button's name for screen readers ("Pobierz PDF — umowa U/2019/1"). */
function downloadButton(path, what, className = 'secondary') {
  const button = element('button', { type: 'button', class: `${className} download` }, 'Pobierz PDF');
  button.append(element('span', { class: 'visually-hidden' }, ` — ${what}`));
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    failure.hidden = true;
    try {
      const link = await api(path);
      showStatus(status, `Pobieranie: ${link.filename}.`);
      location.assign(link.url);
    } catch (error) {
      if (error.status === 401) return;
      failure.replaceChildren(element('h2', {}, 'Nie udało się pobrać pliku'),
        element('p', {}, error.message));
      failure.hidden = false;
      failure.focus();
    } finally {
      button.removeAttribute('aria-disabled');
    }
  });
  return button;
}

function validity(contract) {
  const until = contract.valid_to ? `do ${date(contract.valid_to)}` : 'na czas nieokreślony';
  return `od ${date(contract.valid_from)} ${until}`;
}

function annexItem(contract, annex) {
  const title = `Aneks nr ${annex.number}${annex.title ? ` — ${annex.title}` : ''}`;
  const facts = `podpisany ${date(annex.signed_on)}`
    + `${annex.valid_from ? `, obowiązuje od ${date(annex.valid_from)}` : ''}`;
  const item = element('li', {}, element('span', { class: 'annex-title' }, title), ` (${facts})`);
  if (annex.has_pdf) {
    const path = `/contracts/${encodeURIComponent(contract.id)}/annexes/${encodeURIComponent(annex.id)}/file`;
    item.append(' ', downloadButton(path, `aneks nr ${annex.number} do umowy ${contract.number}`, 'link-button'));
  }
  return item;
}

function contractCard(contract, index) {
  const titleId = `contract-${index}-title`;
  const card = element('section', { class: 'card contract', 'aria-labelledby': titleId },
    element('h3', { id: titleId }, `Umowa ${contract.number}`));
  const facts = element('dl', { class: 'facts' });
  const add = (term, value) => facts.append(element('dt', {}, term), element('dd', {}, value));
  add('Przedmiot', KINDS[contract.kind] || contract.kind);
  add('Zawarta', date(contract.signed_on));
  add('Obowiązuje', validity(contract));
  add('Stan', contract.active ? 'obowiązuje' : 'nie obowiązuje');
  card.append(facts);
  if (contract.has_pdf) {
    card.append(element('div', { class: 'actions' },
      downloadButton(`/contracts/${encodeURIComponent(contract.id)}/file`, `umowa ${contract.number}`)));
  }
  if (contract.annexes.length) {
    const listId = `contract-${index}-annexes`;
    card.append(element('h4', { id: listId, class: 'annexes-title' }, 'Aneksy'),
      element('ul', { class: 'annexes', 'aria-labelledby': listId },
        ...contract.annexes.map((annex) => annexItem(contract, annex))));
  }
  return card;
}

function documentRow(document_) {
  return element('tr', {},
    element('td', {}, date(document_.date)),
    element('td', {}, document_.title),
    element('td', {}, downloadButton(`/documents/${encodeURIComponent(document_.id)}/file`,
      `${document_.title} z dnia ${date(document_.date)}`, 'link-button')));
}

try {
  const [contracts, documents] = await Promise.all([api('/contracts'), api('/documents')]);
  document.getElementById('contracts').replaceChildren(...contracts.items.map(contractCard));
  document.getElementById('no-contracts').hidden = contracts.items.length > 0;
  document.getElementById('documents').replaceChildren(...documents.items.map(documentRow));
  document.getElementById('no-documents').hidden = documents.items.length > 0;
  document.getElementById('documents-wrap').hidden = documents.items.length === 0;
  document.getElementById('contracts-section').hidden = false;
  document.getElementById('documents-section').hidden = false;
  showStatus(status, '');
} catch (error) {
  if (error.status !== 401) showStatus(status, error.message);
}
