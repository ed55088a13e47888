// The staff login: login and password (`POST /auth/login`, cookie session), then the TOTP
// code (`POST /auth/login/totp`); then back to the page that sent them here (`?next=`) or
// the queue. The API decides who gets in: a customer's login ends at `GET /staff/me`'s
// refusal, shown as it is, and the customer session is ended again.
import { ApiError, api, safeNext } from '../api.js';
import { bindForm, showErrors, showStatus } from '../forms.js';
import { STAFF_HOME, rememberStaffIdleTimeout, staffPublicLayout } from '../staff-layout.js';

staffPublicLayout();

const params = new URLSearchParams(location.search);
const status = document.getElementById('status');
const passwordForm = document.getElementById('password-form');
const totpForm = document.getElementById('totp-form');
const code = document.getElementById('code');
if (params.has('wylogowano')) showStatus(status, 'Wylogowano z obsługi.');
else if (params.has('next')) showStatus(status, 'Zaloguj się, aby przejść dalej.');

function target() {
  return params.get('next') ? safeNext(params.get('next')) : STAFF_HOME;
}

function stepOne(message) {
  totpForm.hidden = true;
  passwordForm.hidden = false;
  passwordForm.reset();
  if (message) showErrors(passwordForm, {}, message);
  else document.getElementById('login').focus();
}

function stepTwo() {
  passwordForm.hidden = true;
  totpForm.hidden = false;
  totpForm.reset();
  showStatus(status, 'Hasło przyjęte. Teraz podaj kod z aplikacji uwierzytelniającej.');
  code.focus();
}

async function refuseCustomer() {
  // Not a staff session: the API says what it thinks of this account here.
  let message = 'To konto nie ma dostępu do obsługi.';
  try {
    await api('/staff/me', { redirectOn401: false });
  } catch (error) {
    if (error instanceof ApiError) message = error.message;
  }
  try {
    await api('/auth/logout', { method: 'POST', redirectOn401: false });
  } catch {
    // Nothing to end.
  }
  throw new ApiError(403, 'forbidden', message);
}

bindForm(passwordForm, async ({ login, password }) => {
  showStatus(status, '');
  const session = await api('/auth/login', {
    method: 'POST',
    body: { login: login.trim(), password, session: 'cookie' },
    redirectOn401: false,
  });
  if (session.second_factor !== 'totp') await refuseCustomer();
  rememberStaffIdleTimeout(session.idle_timeout_minutes);
  stepTwo();
});

bindForm(totpForm, async ({ code: given }) => {
  showStatus(status, '');
  try {
    await api('/auth/login/totp', {
      method: 'POST', body: { code: given.replace(/\s/g, '') }, redirectOn401: false,
    });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 429 || error.status === 403)) {
      // The API ended this session: start again later (429) or, with the second factor
      // locked after too many failed codes (403), after the administrator's reset.
      stepOne(error.message);
      return;
    }
    if (error instanceof ApiError && error.status === 401) {
      stepOne('Sesja logowania wygasła. Zaloguj się ponownie: login, hasło i nowy kod.');
      return;
    }
    throw error;
  }
  location.assign(target());
});

document.getElementById('restart').addEventListener('click', async () => {
  try {
    await api('/auth/logout', { method: 'POST', redirectOn401: false });
  } catch {
    // Nothing to end.
  }
  showStatus(status, '');
  stepOne();
});
