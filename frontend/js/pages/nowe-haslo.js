// A new password with the token of the reset e-mail (`/nowe-haslo#token=…`): the rules
// (from GET /terms) shown before typing, the password twice; then on to the login page.
import {
  bindLinkAction, bindShowPasswords, loadTerms, newPasswordErrors, showPasswordRules,
} from '../account.js';
import { publicLayout } from '../layout.js';

publicLayout();

let minLength = null;
bindShowPasswords(document.getElementById('show-passwords'));
bindLinkAction({
  form: document.getElementById('link-form'),
  path: '/auth/password/reset',
  start: document.getElementById('start'),
  done: document.getElementById('done'),
  failed: document.getElementById('failed'),
  check: (values) => newPasswordErrors(values, minLength),
  extra: ({ password, password_confirm: confirm }) => ({ password, password_confirm: confirm }),
});

try {
  const terms = await loadTerms();
  minLength = terms.password_rules.min_length;
  showPasswordRules(document.getElementById('password-rules'), terms.password_rules.rules);
} catch {
  // The rules stay as the page gives them; the API checks the password anyway.
}
