// The page a notice's unsubscribe link opens (`/wypisz#token=…`): one button posts the token
// to /unsubscribe (no login); the outcome confirms the withdrawal. Mail clients use the
// one-click POST of the List-Unsubscribe header instead (RFC 8058).
import { bindLinkAction } from '../account.js';
import { publicLayout } from '../layout.js';

publicLayout();

bindLinkAction({
  form: document.getElementById('link-form'),
  path: '/unsubscribe',
  start: document.getElementById('start'),
  done: document.getElementById('done'),
  failed: document.getElementById('failed'),
});
