// Terms of service: the version in effect, and - when the API's terms gate holds the
// customer back (403 terms_not_accepted sends them here, js/api.js) - the form accepting
// it, after which the customer goes back to the page they came from (`?next=`).
import { api, safeNext } from '../api.js';
import { date, dateTime } from '../format.js';
import { bindForm, showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';
import { markdownNodes } from '../markdown.js';

customerLayout();

const $ = (id) => document.getElementById(id);
const status = $('status');
const next = safeNext(new URLSearchParams(location.search).get('next'));
let terms = null;

function show(me) {
  $('current-version').textContent = `${terms.version} (obowiązuje od ${date(terms.effective_from)})`;
  $('accepted-version').textContent =
    `${me.terms_version} (zaakceptowana ${dateTime(me.terms_accepted_at)})`;
  const due = !me.terms_current;
  $('due').hidden = !due;
  $('back').hidden = due;
  $('back-link').href = next;
  if (due) {
    $('due-text').textContent = `Od ${date(terms.effective_from)} obowiązuje nowa wersja `
      + `regulaminu (${terms.version}). Przeczytaj ją poniżej i zaakceptuj, aby dalej korzystać z IBOK.`;
    $('accept-label').textContent =
      `Przeczytałem(-am) i akceptuję regulamin w wersji ${terms.version}.`;
  }
}

bindForm($('accept-form'), async () => {
  const me = await api('/me/terms/accept', { method: 'POST', body: { version: terms.version } });
  show(me);
  showStatus(status, `Dziękujemy. Zaakceptowano regulamin w wersji ${me.terms_version}.`);
  $('back-link').focus();
});

try {
  const [me, current] = await Promise.all([api('/me'), api('/terms')]);
  terms = current;
  $('terms-text').replaceChildren(...markdownNodes(current.text, { topLevel: 2 }));
  show(me);
  $('terms').hidden = false;
  showStatus(status, '');
} catch (error) {
  if (error.status !== 401) showStatus(status, error.message || 'Nie udało się wczytać regulaminu.');
}
