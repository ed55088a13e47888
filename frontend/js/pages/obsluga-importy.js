// The billing import's reports (`GET /staff/imports`), newest first, paged by cursor.
import { api } from '../api.js';
import { row } from '../billing.js';
import { dateTime, plural } from '../format.js';
import { cursorPager } from '../staff.js';
import { staffLayout } from '../staff-layout.js';

await staffLayout();

const failure = document.getElementById('failure');
const pager = cursorPager(document.getElementById('pages'), async (cursor) => {
  failure.hidden = true;
  try {
    const page = await api(`/staff/imports?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    document.getElementById('reports').replaceChildren(...page.items.map((r) => row(
      r.batch, dateTime(r.written_at), plural(r.size, 'bajt', 'bajty', 'bajtów'), r.key,
    )));
    document.getElementById('reports-wrap').hidden = page.items.length === 0;
    document.getElementById('empty').hidden = page.items.length > 0;
    return page;
  } catch (error) {
    if (error.status !== 401) {
      failure.textContent = error.message;
      failure.hidden = false;
    }
    return null;
  }
});
await pager.reset();
