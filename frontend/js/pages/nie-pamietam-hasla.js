// "Nie pamiętam hasła": the login or the e-mail address; the answer is always the same
// (whether such an account exists is never told), and says to check the e-mail.
import { api } from '../api.js';
import { showOutcome } from '../account.js';
import { bindForm } from '../forms.js';
import { publicLayout } from '../layout.js';

publicLayout();

bindForm(document.getElementById('forgot-form'), async ({ login }) => {
  const answer = await api('/auth/password/forgot', { method: 'POST', body: { login: login.trim() } });
  showOutcome(document.getElementById('done'), {
    text: answer.message,
    hide: [document.getElementById('start')],
  });
});
