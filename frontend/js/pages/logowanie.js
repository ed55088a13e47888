// Login: cookie session, then back to the page that sent the customer here (`?next=`).
import { api, safeNext } from '../api.js';
import { bindForm, showStatus } from '../forms.js';
import { publicLayout, rememberIdleTimeout } from '../layout.js';

publicLayout();

const params = new URLSearchParams(location.search);
const status = document.getElementById('status');
if (params.has('wylogowano')) showStatus(status, 'Wylogowano. Do zobaczenia!');
else if (params.has('next')) showStatus(status, 'Zaloguj się, aby przejść dalej.');

bindForm(document.getElementById('login-form'), async ({ login, password }) => {
  const session = await api('/auth/login', {
    method: 'POST',
    body: { login: login.trim(), password },
    redirectOn401: false,
  });
  rememberIdleTimeout(session.idle_timeout_minutes);
  location.assign(safeNext(params.get('next')));
});
