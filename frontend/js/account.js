// Pieces shared by the public account pages (registration, activation, password reset,
// e-mail confirmation): the token of an e-mailed link, the password rules, and showing
// the outcome of a page's one action.

import { api, ApiError } from './api.js';
import { bindForm, showErrors } from './forms.js';

const NO_TOKEN = 'Ten adres nie zawiera kodu z wiadomości e-mail. Otwórz link z wiadomości jeszcze raz '
  + 'albo skopiuj go w całości do paska adresu przeglądarki.';

/** The token of an e-mailed link (`/aktywacja#token=…`), or null when there is none. */
export function tokenFromHash(hash = location.hash) {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && token.trim() ? token.trim() : null;
}

/** Take the fragment (the link's token) out of the address bar, replacing the history
 *  entry: the page keeps the token in memory, the history and a shared screen do not. */
export function forgetHash() {
  if (location.hash) history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}

/** GET /terms: the terms, the consent texts and the password rules. */
export function loadTerms() {
  return api('/terms');
}

/** Fill a list with the password rules from GET /terms (`password_rules.rules`). */
export function showPasswordRules(list, rules) {
  list.replaceChildren(...rules.map((rule) => {
    const item = document.createElement('li');
    item.textContent = rule;
    return item;
  }));
}

/**
 * Checks of a new password the page can make before sending (the API checks them again,
 * and more): as {field name: message}, empty when none fails.
 */
export function newPasswordErrors({ password, password_confirm: confirm }, minLength) {
  const errors = {};
  if (minLength && password && [...password.normalize('NFKC')].length < minLength) {
    errors.password = `Hasło musi mieć co najmniej ${minLength} znaków.`;
  }
  if (password && confirm !== undefined && password !== confirm) {
    errors.password_confirm = 'Hasła nie są identyczne. Wpisz to samo hasło dwa razy.';
  }
  return errors;
}

/** "Pokaż hasła": a checkbox that shows or hides the password fields of its form. */
export function bindShowPasswords(checkbox) {
  const fields = checkbox.form.querySelectorAll('input[data-password]');
  checkbox.addEventListener('change', () => {
    for (const field of fields) field.type = checkbox.checked ? 'text' : 'password';
  });
}

/**
 * Show one outcome of the page (`<section class="outcome" hidden>`): the other outcomes
 * and the parts listed in `hide` are hidden; the section's heading takes the focus, so it
 * is read out; `text` (optional) replaces the text of its `[data-message]` element.
 */
export function showOutcome(section, { text, hide = [], focus = true } = {}) {
  for (const other of document.querySelectorAll('.outcome')) other.hidden = other !== section;
  for (const part of hide) part.hidden = true;
  const message = section.querySelector('[data-message]');
  if (text && message) message.textContent = text;
  section.hidden = false;
  if (focus) {
    // The heading takes the focus and the message is its description: both are read out.
    const heading = section.querySelector('h2');
    heading.tabIndex = -1;
    if (message) {
      message.id = message.id || `${section.id}-message`;
      heading.setAttribute('aria-describedby', message.id);
    }
    heading.focus();
  }
}

/** Whether an ApiError is about the link itself (a 400 without fields, or its token). */
export function isBadLink(error) {
  const fields = Object.keys(error.fields || {});
  return error.status === 400 && (fields.length === 0 || fields.includes('token'));
}

/**
 * The page of an e-mailed link whose one action is a button: POST `{token}` to `path`.
 * `start` holds the explanation and the form; `done` and `failed` are the outcomes (the
 * API's message goes into their `[data-message]`). Without a token in the address the
 * page says so at once. On a page with fields, `check(values)` gives the page's own
 * errors ({field: message}) before anything is sent and `extra(values)` the rest of the body.
 */
export function bindLinkAction({
  form, path, start, done, failed, extra = () => ({}), check = () => ({}),
}) {
  const token = tokenFromHash();
  forgetHash();
  if (!token) {
    showOutcome(failed, { text: NO_TOKEN, hide: [start], focus: false });
    return;
  }
  bindForm(form, async (values) => {
    const errors = check(values);
    if (Object.keys(errors).length) {
      showErrors(form, errors);
      return;
    }
    try {
      const answer = await api(path, { method: 'POST', body: { token, ...extra(values) } });
      showOutcome(done, { text: answer.message, hide: [start] });
    } catch (error) {
      if (!(error instanceof ApiError) || !isBadLink(error)) throw error;
      const own = Object.keys(error.fields).length === 0; // the API's sentence about the link
      showOutcome(failed, { text: own ? error.message : undefined, hide: [start] });
    }
  });
}
