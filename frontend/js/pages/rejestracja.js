// Registration: the three facts from an invoice (proof of being the customer), contact,
// a password (its rules from GET /terms, shown before typing), the terms and the optional
// consents. Success: the activation e-mail is on its way.
import { api } from '../api.js';
import {
  bindShowPasswords, loadTerms, newPasswordErrors, showOutcome, showPasswordRules,
} from '../account.js';
import { bindForm, showErrors, showStatus } from '../forms.js';
import { date, dateTime } from '../format.js';
import { publicLayout } from '../layout.js';
import { markdownNodes } from '../markdown.js';

publicLayout();

const form = document.getElementById('register-form');
const status = document.getElementById('status');
let terms = null;

function consentField(consent) {
  const id = `consent-${consent.kind}`;
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.id = id;
  input.name = `consents.${consent.kind}`;
  input.dataset.version = consent.version;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = consent.text;
  const field = document.createElement('div');
  field.className = 'field check-field';
  field.append(input, label);
  return field;
}

function showTerms(loaded) {
  terms = loaded;
  showPasswordRules(document.getElementById('password-rules'), loaded.password_rules.rules);
  document.getElementById('terms-text').replaceChildren(...markdownNodes(loaded.text, { topLevel: 3 }));
  document.getElementById('accept_terms-label').textContent =
    `Akceptuję regulamin IBOK (wersja z ${date(loaded.effective_from)}).`;
  document.getElementById('consents').replaceChildren(...loaded.consents.map(consentField));
}

/** The money as the API reads it: "1 234,56 zł" → "1234,56". */
function amount(text) {
  return text.replace(/z[łl]/gi, '').replace(/[\s\u00a0]/g, '');
}

function ownChecks(values) {
  const errors = newPasswordErrors(values, terms && terms.password_rules.min_length);
  if (values['consents.sms_notices'] && !values.phone.trim()) {
    errors.phone = 'Podaj numer telefonu, jeśli chcesz dostawać SMS-y, albo odznacz zgodę na SMS-y.';
  }
  return errors;
}

function bodyOf(values) {
  const consents = {};
  for (const [name, granted] of Object.entries(values)) {
    if (name.startsWith('consents.')) consents[name.slice('consents.'.length)] = granted;
  }
  return {
    customer_number: values.customer_number.trim(),
    invoice_number: values.invoice_number.trim(),
    invoice_gross: amount(values.invoice_gross),
    email: values.email.trim(),
    phone: values.phone.trim() || null,
    password: values.password,
    password_confirm: values.password_confirm,
    accept_terms: terms.version,
    consents,
  };
}

bindShowPasswords(document.getElementById('show-passwords'));

bindForm(form, async (values) => {
  if (!terms) showTerms(await loadTerms()); // the first load failed: try again
  const errors = ownChecks(values);
  if (Object.keys(errors).length) {
    showErrors(form, errors);
    return;
  }
  const body = bodyOf(values);
  const registered = await api('/auth/register', { method: 'POST', body });
  document.getElementById('registered-email').textContent = body.email;
  document.getElementById('registered-until').textContent = dateTime(registered.activation_expires_at);
  document.getElementById('registered-login').textContent = registered.login;
  document.title = 'Sprawdź skrzynkę e-mail — Rejestracja — IBOK';
  showStatus(status, '');
  showOutcome(document.getElementById('registered'), { hide: [document.getElementById('registration')] });
});

try {
  showTerms(await loadTerms());
} catch (error) {
  showStatus(status, `Nie udało się wczytać regulaminu i zasad hasła. ${error.message}`);
}
