// The page the e-mailed link opens (`/aktywacja#token=…`): one button posts the token to
// /auth/activate; the outcome says what happened and where to go next.
import { bindLinkAction } from '../account.js';
import { publicLayout } from '../layout.js';

publicLayout();

bindLinkAction({
  form: document.getElementById('link-form'),
  path: '/auth/activate',
  start: document.getElementById('start'),
  done: document.getElementById('done'),
  failed: document.getElementById('failed'),
});
