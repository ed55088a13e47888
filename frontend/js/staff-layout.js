// The frame of the staff back office (`/obsluga/…`): skip link, the header "IBOK — obsługa"
// with its own navigation and "Wyloguj", a footer, and the idle-timeout warning with the
// staff's shorter timeout. A staff page calls
//   const me = await staffLayout();   // {login, email, role, idle_timeout_minutes}
// before anything else; a 401 (no session, or the TOTP code still to come) goes to
// /obsluga/logowanie and back. The navigation shows "Regulaminy" and "Dziennik zdarzeń" to
// admins only.

import { api, useStaffLogin } from './api.js';
import { watchIdle } from './layout.js';

export const STAFF_SITE_NAME = 'IBOK — obsługa';
export const STAFF_HOME = '/obsluga/';
const IDLE_KEY = 'ibok.staffIdleMinutes';
const DEFAULT_IDLE_MINUTES = 15;

/** The back office's pages, in the navigation's order; `admin`: shown to admins only. */
export const STAFF_NAV = [
  ['/obsluga/', 'Zgłoszenia'],
  ['/obsluga/klienci', 'Klienci'],
  ['/obsluga/importy', 'Importy'],
  ['/obsluga/komunikaty', 'Komunikaty'],
  ['/obsluga/regulaminy', 'Regulaminy', 'admin'],
  ['/obsluga/dziennik', 'Dziennik zdarzeń', 'admin'],
];

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function currentPath() {
  return location.pathname.replace(/\.html$/, '').replace(/\/index$/, '/');
}

function frame(header) {
  const main = document.getElementById('main');
  const skip = element('a', { class: 'skip-link', href: '#main' }, 'Przejdź do treści');
  const footer = element('footer', { class: 'site-footer' },
    element('p', {}, 'IBOK — obsługa. Dostęp tylko dla pracowników. Każde działanie jest zapisywane w dzienniku zdarzeń.'));
  document.body.prepend(skip, header);
  main.after(footer);
}

function brand() {
  return element('a', { class: 'brand', href: STAFF_HOME }, STAFF_SITE_NAME);
}

/** The header of the staff login page (no navigation, no session). */
export function staffPublicLayout() {
  useStaffLogin();
  frame(element('header', { class: 'site-header staff-header' }, element('div', { class: 'bar' }, brand())));
}

function navItem(path, label) {
  const link = element('a', { href: path }, label);
  if (path === currentPath()) link.setAttribute('aria-current', 'page');
  return element('li', {}, link);
}

/**
 * Header with the back office's navigation and logout, footer, the idle warning. Resolves
 * to the logged-in staff member (`GET /staff/me`); the admins' links appear once the role
 * is known.
 */
export async function staffLayout() {
  useStaffLogin();
  const list = element('ul', { class: 'nav' },
    ...STAFF_NAV.filter(([, , only]) => !only).map(([path, label]) => navItem(path, label)));
  const logout = element('button', { type: 'button', class: 'link-button' }, 'Wyloguj');
  logout.addEventListener('click', () => staffLogOut());
  const who = element('span', { class: 'staff-who' });
  const header = element('header', { class: 'site-header staff-header' },
    element('div', { class: 'bar' }, brand(), element('span', { class: 'staff-bar-end' }, who, logout)),
    element('nav', { 'aria-label': 'Menu obsługi' }, list));
  frame(header);
  let me;
  try {
    me = await api('/staff/me');
  } catch (error) {
    // A 401 is on its way to the login page: the page waits for it instead of failing.
    if (error.status === 401) return new Promise(() => {});
    throw error;
  }
  rememberStaffIdleTimeout(me.idle_timeout_minutes);
  who.textContent = `${me.login} (${me.role === 'admin' ? 'administrator' : 'pracownik'})`;
  for (const [path, label, only] of STAFF_NAV) {
    if (only && only === me.role) list.append(navItem(path, label));
  }
  watchIdle({
    key: IDLE_KEY,
    defaultMinutes: DEFAULT_IDLE_MINUTES,
    text: 'Sesja obsługi za chwilę wygaśnie z powodu braku aktywności. Wybierz „Pozostań zalogowany”, aby kontynuować.',
    ping: '/staff/me',
    leave: staffLogOut,
  });
  return me;
}

/** End the staff session and go to the staff login page, which says so. */
export async function staffLogOut() {
  try {
    await api('/auth/logout', { method: 'POST', redirectOn401: false });
  } catch {
    // Already logged out or offline: the login page is the right place either way.
  }
  sessionStorage.removeItem(IDLE_KEY);
  location.assign('/obsluga/logowanie?wylogowano=1');
}

/** Remember the staff session's idle timeout (`idle_timeout_minutes`). */
export function rememberStaffIdleTimeout(minutes) {
  if (minutes) sessionStorage.setItem(IDLE_KEY, String(minutes));
}
