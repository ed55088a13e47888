// Profile: phone, consents with their history, e-mail change, password change, recent
// logins, the terms of service, and the resignation from the account (§7) with its notice. One GET /me (with /me/logins and /terms) fills the page;
// every change answers with the new profile, which is shown again.
import { api, ApiError } from '../api.js';
import { date, time } from '../format.js';
import { bindForm, clearErrors, showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';
import { markdownNodes } from '../markdown.js';
import { showPasswordRules } from '../account.js';

customerLayout();

const CONSENT_NAMES = {
  email_notices: 'Powiadomienia e-mail',
  sms_notices: 'Powiadomienia SMS',
};
const SOURCES = { registration: 'Rejestracja', profile: 'Profil' };
const RESULTS = {
  success: 'Udane',
  failure: 'Nieudane (błędne hasło)',
  throttled: 'Zablokowane (zbyt wiele prób)',
};

const $ = (id) => document.getElementById(id);
const status = $('status');
let me = null;
let terms = null;

/** "01.11.2026 14:05" in Europe/Warsaw. */
function moment(iso) {
  return iso ? `${date(iso)} ${time(iso)}` : '';
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function row(...cells) {
  return element('tr', {}, ...cells.map((cell) => element('td', {}, cell)));
}

function consentName(kind) {
  return CONSENT_NAMES[kind] || kind;
}

/** A browser's User-Agent as a person says it: "Chrome, Windows". */
export function deviceName(userAgent) {
  if (!userAgent) return 'Nieznane urządzenie';
  const browsers = [
    [/Edg(e|A|iOS)?\//, 'Edge'], [/OPR\/|Opera/, 'Opera'], [/SamsungBrowser\//, 'Samsung Internet'],
    [/Firefox\/|FxiOS\//, 'Firefox'], [/Chrome\/|CriOS\//, 'Chrome'], [/Safari\//, 'Safari'],
  ];
  const systems = [
    [/Windows/, 'Windows'], [/Android/, 'Android'], [/iPhone|iPad|iPod/, 'iOS'],
    [/CrOS/, 'ChromeOS'], [/Mac OS X|Macintosh/, 'macOS'], [/Linux/, 'Linux'],
  ];
  const browser = browsers.find(([pattern]) => pattern.test(userAgent));
  const system = systems.find(([pattern]) => pattern.test(userAgent));
  if (!browser && !system) return userAgent.slice(0, 60);
  return [browser && browser[1], system && system[1]].filter(Boolean).join(', ');
}

// ---- account facts ----

function showAccount() {
  $('customer-number').textContent = me.customer_number;
  $('name').textContent = me.name || '—';
  $('email').textContent = me.email;
  $('phone-now').textContent = me.phone || 'nie podano';
  const pending = $('pending-email');
  pending.hidden = !me.pending_email;
  pending.textContent = me.pending_email
    ? `Czekamy na potwierdzenie nowego adresu ${me.pending_email}. Kliknij link, który na `
      + 'niego wysłaliśmy. Do tego czasu wiadomości wysyłamy na obecny adres.'
    : '';
}

// ---- phone ----

const phoneForm = $('phone-form');
bindForm(phoneForm, async ({ phone }) => {
  showStatus($('phone-status'), '');
  const value = phone.trim();
  const hadSms = me.consents.sms_notices && me.consents.sms_notices.granted;
  me = await api('/me', { method: 'PATCH', body: { phone: value || null } });
  showProfile();
  let text = me.phone ? `Zapisano numer telefonu ${me.phone}.` : 'Usunięto numer telefonu.';
  if (!me.phone && hadSms) text += ' Zgoda na SMS-y została wycofana.';
  showStatus($('phone-status'), text);
});

function showPhone() {
  phoneForm.elements.phone.value = me.phone || '';
}

// ---- consents ----

const consentsForm = $('consents-form');

function consentState(consent) {
  if (!consent.changed_at) return 'Nie wyrażono zgody.';
  const when = moment(consent.changed_at);
  const version = consent.text_version ? ` (treść w wersji ${consent.text_version})` : '';
  return consent.granted ? `Wyrażona ${when}${version}.` : `Wycofana ${when}${version}.`;
}

function buildConsentFields() {
  const fields = $('consent-fields');
  fields.replaceChildren();
  for (const [kind, consent] of Object.entries(me.consents)) {
    if (!consent.text) continue; // no longer collected: shown only in the history
    const id = `consent-${kind}`;
    const box = element('input', {
      type: 'checkbox', id, name: `consents.${kind}`, 'aria-describedby': `${id}-state`,
    });
    const label = element('label', { for: id },
      element('strong', {}, `${consentName(kind)}. `), consent.text);
    const state = element('p', { class: 'hint', id: `${id}-state` });
    fields.append(element('div', { class: 'field' }, element('div', { class: 'check' }, box, label), state));
  }
}

function showConsents() {
  for (const [kind, consent] of Object.entries(me.consents)) {
    const box = $(`consent-${kind}`);
    if (!box) continue;
    box.checked = consent.granted;
    $(`consent-${kind}-state`).textContent = consentState(consent);
  }
  const history = me.consent_history || [];
  $('consent-history').tBodies[0].replaceChildren(...history.map((decision) => row(
    moment(decision.at),
    consentName(decision.kind),
    decision.granted ? 'Wyrażona' : 'Wycofana',
    decision.text_version,
    SOURCES[decision.source] || decision.source,
  )));
  $('consent-history-empty').hidden = history.length > 0;
  $('consent-history').closest('.table-wrap').hidden = history.length === 0;
}

bindForm(consentsForm, async (values) => {
  showStatus($('consents-status'), '');
  const changes = {};
  for (const [kind, consent] of Object.entries(me.consents)) {
    const wanted = values[`consents.${kind}`];
    if (wanted !== undefined && wanted !== consent.granted) changes[kind] = wanted;
  }
  if (!Object.keys(changes).length) {
    showStatus($('consents-status'), 'Nic się nie zmieniło: zgody są takie jak wcześniej.');
    return;
  }
  me = await api('/me', { method: 'PATCH', body: { consents: changes } });
  showProfile();
  const told = Object.entries(changes).map(([kind, granted]) =>
    `${consentName(kind)}: ${granted ? 'zgoda wyrażona' : 'zgoda wycofana'}`);
  showStatus($('consents-status'), `Zapisano. ${told.join('; ')}.`);
});

// ---- e-mail ----

const emailForm = $('email-form');
bindForm(emailForm, async ({ email, current_password: password }) => {
  showStatus($('email-status'), '');
  const wanted = email.trim();
  if (wanted.toLowerCase() === me.email.toLowerCase()) {
    throw new ApiError(400, 'invalid_input', '', { email: 'To jest Twój obecny adres e-mail.' });
  }
  const old = me.email;
  me = await api('/me', { method: 'PATCH', body: { email: wanted, current_password: password } });
  emailForm.reset();
  showProfile();
  showStatus($('email-status'),
    `Wysłaliśmy link potwierdzający na adres ${me.pending_email || wanted}. Adres zmieni się po `
    + `kliknięciu tego linku. Na dotychczasowy adres ${old} wysłaliśmy powiadomienie o zmianie `
    + 'z linkiem do jej anulowania.');
});

// ---- password ----

const passwordForm = $('password-form');
bindForm(passwordForm, async (values) => {
  showStatus($('password-status'), '');
  if (values.password !== values.password_confirm) {
    throw new ApiError(400, 'invalid_input', '', { password_confirm: 'Hasła nie są identyczne.' });
  }
  await api('/me/password', { method: 'POST', body: values });
  passwordForm.reset();
  showStatus($('password-status'),
    'Hasło zostało zmienione. Na innych urządzeniach wylogowaliśmy Cię; tutaj pozostajesz '
    + 'zalogowany. Wysłaliśmy też powiadomienie na Twój adres e-mail.');
  // A password change also ends a pending e-mail change.
  me = await api('/me');
  showAccount();
});

// ---- recent logins ----

function showLogins(history) {
  const items = history.items || [];
  $('logins').tBodies[0].replaceChildren(...items.map((login) => row(
    moment(login.at), deviceName(login.user_agent), login.ip || '—',
    RESULTS[login.result] || login.result,
  )));
  $('logins-empty').hidden = items.length > 0;
  $('logins').closest('.table-wrap').hidden = items.length === 0;
}

// ---- terms ----


function showTerms() {
  $('terms-version').textContent = me.terms_version;
  $('terms-accepted-at').textContent = moment(me.terms_accepted_at);
  $('terms-current-version').textContent =
    `${terms.version} (obowiązuje od ${date(terms.effective_from)})`;
  const due = !me.terms_current;
  $('terms-due').hidden = !due;
  if (due) {
    $('terms-due-text').textContent = `Od ${date(terms.effective_from)} obowiązuje nowa wersja `
      + `regulaminu (${terms.version}). Przeczytaj ją poniżej i zaakceptuj.`;
    $('terms-accept-label').textContent =
      `Przeczytałem(-am) i akceptuję regulamin w wersji ${terms.version}.`;
    $('terms-text').closest('details').open = true;
  }
}

bindForm($('terms-form'), async () => {
  me = await api('/me/terms/accept', { method: 'POST', body: { version: terms.version } });
  showProfile();
  showStatus($('terms-status'), `Dziękujemy. Zaakceptowano regulamin w wersji ${me.terms_version}.`);
  $('terms-title').focus();
});

// ---- the page ----

function showProfile() {
  showAccount();
  showPhone();
  showConsents();
  showTerms();
  showSuppression();
  showTermination();
}

// ---- notifications (issue 13): the address SES reported bouncing or complaining ----

function showSuppression() {
  $('email-suppressed').hidden = !me.email_suppressed;
}

// ---- §7 termination (issue 13): the resignation, its notice and its withdrawal ----

// The API's TERMINATION_DAYS (chalicelib/settings.py, default 14): the dialog's closing day
// is a forecast; the notice shows the API's own `closing_on` once it has answered.
const TERMINATION_DAYS = 14;
const WARSAW_DAY = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit',
});

/** Today in Poland plus `days`, as "2026-12-15". */
function warsawDayAfter(days) {
  const parts = Object.fromEntries(WARSAW_DAY.formatToParts(new Date())
    .filter(({ type }) => type !== 'literal').map(({ type, value }) => [type, Number(value)]));
  return new Date(Date.UTC(parts.year, parts.month - 1, parts.day + days)).toISOString().slice(0, 10);
}

/** Why the account closes, in plain Polish (the API's `termination.reason`). */
function terminationText(termination) {
  switch (termination.reason) {
    case 'resignation':
      return `Twoja rezygnacja z konta została przyjęta ${date(termination.started_on)}. `
        + 'Do dnia zamknięcia możesz się logować'
        + (termination.withdrawable ? ' i wycofać rezygnację. ' : '. ')
        + 'Potem usuniemy dane osobowe zapisane w portalu; dane rozliczeniowe pozostaną u nas.';
    case 'contract_ended':
      return 'Twoja umowa z wodociągami została rozwiązana, dlatego zamkniemy też Twoje konto '
        + 'w portalu. Do dnia zamknięcia możesz się logować. Potem usuniemy dane osobowe '
        + 'zapisane w portalu; dane rozliczeniowe pozostaną u nas.';
    case 'deactivation':
      return 'Biuro Obsługi Klienta dezaktywowało Twoje konto. W dniu zamknięcia usuniemy dane '
        + 'osobowe zapisane w portalu; dane rozliczeniowe pozostaną u nas. Kopie e-faktur '
        + 'otrzymasz w Biurze Obsługi Klienta.';
    default:
      return 'W dniu zamknięcia usuniemy dane osobowe zapisane w portalu; dane rozliczeniowe '
        + 'pozostaną u nas.';
  }
}

function showTermination() {
  const termination = me.termination;
  $('termination').hidden = !termination;
  $('resign-open').hidden = Boolean(termination);
  $('resign-running').hidden = !termination;
  if (!termination) return;
  $('termination-title').textContent = `Konto zostanie zamknięte ${date(termination.closing_on)}`;
  $('termination-text').textContent = terminationText(termination);
  $('termination-downloads').hidden = termination.reason === 'deactivation';
  $('withdraw-open').hidden = !termination.withdrawable;
}

/** A dialog that starts clean each time, and gives the focus back when it closes
 *  (to `focusAfter()`, which depends on what happened in it). */
function wireDialog(dialog, form, cancel, focusAfter) {
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    form.reset();
    clearErrors(form);
    focusAfter().focus();
  });
}

/** After a 409 the account changed elsewhere (another tab): show it as it is now. */
async function refreshAfterConflict(error) {
  if (error instanceof ApiError && error.status === 409) {
    me = await api('/me');
    showProfile();
  }
}

const resignDialog = $('resign-dialog');
const resignForm = $('resign-form');
const withdrawDialog = $('withdraw-dialog');
const withdrawForm = $('withdraw-form');
const afterTermination = () => (me.termination ? $('termination-title') : $('resign-open'));

$('resign-open').addEventListener('click', () => {
  $('resign-closing-on').textContent = date(warsawDayAfter(TERMINATION_DAYS));
  showStatus($('resign-status'), '');
  resignDialog.showModal();
  $('resign-password').focus();
});
wireDialog(resignDialog, resignForm, $('resign-cancel'), afterTermination);

bindForm(resignForm, async ({ password }) => {
  try {
    me.termination = await api('/me', { method: 'DELETE', body: { password } });
  } catch (error) {
    await refreshAfterConflict(error);
    throw error;
  }
  showTermination();
  showStatus($('resign-status'), 'Przyjęliśmy Twoją rezygnację. Konto zostanie zamknięte '
    + `${date(me.termination.closing_on)}. Potwierdzenie wysłaliśmy na adres ${me.email}.`);
  resignDialog.close();
});

$('withdraw-open').addEventListener('click', () => {
  withdrawDialog.showModal();
  withdrawForm.querySelector('button[type="submit"]').focus();
});
wireDialog(withdrawDialog, withdrawForm, $('withdraw-cancel'),
  () => (me.termination ? $('withdraw-open') : $('resign-title')));

bindForm(withdrawForm, async () => {
  try {
    me = await api('/me/resignation/withdraw', { method: 'POST', body: {} });
  } catch (error) {
    await refreshAfterConflict(error);
    throw error;
  }
  showProfile();
  showStatus($('resign-status'), 'Rezygnacja została wycofana. Konto nie zostanie zamknięte '
    + 'i działa tak jak dotąd.');
  withdrawDialog.close();
});

try {
  const [profile, logins, current] = await Promise.all([api('/me'), api('/me/logins'), api('/terms')]);
  me = profile;
  terms = current;
  buildConsentFields();
  $('terms-text').replaceChildren(...markdownNodes(current.text, { topLevel: 3 }));
  showPasswordRules($('password-rules-list'), current.password_rules.rules);
  showProfile();
  showLogins(logins);
  $('profile').hidden = false;
  showStatus(status, '');
} catch (error) {
  if (error.status !== 401) showStatus(status, error.message || 'Nie udało się wczytać profilu.');
}
