// The dashboard (placeholder until the dashboard page uses GET /summary): who is logged in.
import { api } from '../api.js';
import { showStatus } from '../forms.js';
import { customerLayout } from '../layout.js';

customerLayout();

const status = document.getElementById('status');
try {
  const me = await api('/me');
  document.getElementById('customer-number').textContent = me.customer_number;
  document.getElementById('name').textContent = me.name || '—';
  document.getElementById('email').textContent = me.email;
  document.getElementById('account').hidden = false;
  showStatus(status, '');
} catch (error) {
  if (error.status !== 401) showStatus(status, error.message);
}
