// The frame of every page: skip link, header, navigation, footer; on pages for a logged-in
// customer also the logout button and the idle-timeout warning. A page calls one of
//   customerLayout()  — logged-in pages (header with navigation and "Wyloguj")
//   publicLayout()    — login, registration, pages opened from e-mails
// before anything else. The page's HTML holds <main id="main" tabindex="-1">.

import { api, loginUrl } from './api.js';

export const SITE_NAME = 'IBOK — Internetowe Biuro Obsługi Klienta';
const IDLE_KEY = 'ibok.idleMinutes';
const DEFAULT_IDLE_MINUTES = 30;
const WARN_BEFORE_MS = 2 * 60 * 1000;

/** The customer's pages, in the navigation's order (paths without extension). */
export const NAV = [
  ['/', 'Pulpit'],
  ['/faktury', 'Faktury'],
  ['/rozliczenia', 'Rozliczenia'],
  ['/zaplac', 'Zapłać'],
  ['/wodomierze', 'Wodomierze'],
  ['/zuzycie', 'Zużycie'],
  ['/dokumenty', 'Umowy i dokumenty'],
  ['/zgloszenia', 'Zgłoszenia'],
  ['/powiadomienia', 'Powiadomienia'],
  ['/profil', 'Profil'],
];

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function currentPath() {
  const path = location.pathname.replace(/\.html$/, '').replace(/\/index$/, '/');
  return path || '/';
}

function frame(header) {
  const main = document.getElementById('main');
  const skip = element('a', { class: 'skip-link', href: '#main' }, 'Przejdź do treści');
  const footer = element('footer', { class: 'site-footer' },
    element('p', {}, 'Wodociągi — Internetowe Biuro Obsługi Klienta. Pomoc: BOK, tel. 32 000 00 00.'));
  document.body.prepend(skip, header);
  main.after(footer);
}

function brand() {
  return element('a', { class: 'brand', href: '/' }, SITE_NAME);
}

/** Header and footer for pages without a session. */
export function publicLayout() {
  frame(element('header', { class: 'site-header' }, element('div', { class: 'bar' }, brand())));
}

/** Header with navigation and logout, footer, and the idle warning, for logged-in pages. */
export function customerLayout() {
  const here = currentPath();
  const links = NAV.map(([path, label]) => {
    const link = element('a', { href: path }, label);
    if (path === here) link.setAttribute('aria-current', 'page');
    return element('li', {}, link);
  });
  const logout = element('button', { type: 'button', class: 'link-button' }, 'Wyloguj');
  logout.addEventListener('click', () => logOut());
  const header = element('header', { class: 'site-header' },
    element('div', { class: 'bar' }, brand(), logout),
    element('nav', { 'aria-label': 'Menu główne' }, element('ul', { class: 'nav' }, ...links)));
  frame(header);
  watchIdle();
}

/** End the session and go to the login page, which says so. */
export async function logOut() {
  try {
    await api('/auth/logout', { method: 'POST', redirectOn401: false });
  } catch {
    // Already logged out (401) or offline: the login page is the right place either way.
  }
  sessionStorage.removeItem(IDLE_KEY);
  location.assign('/logowanie?wylogowano=1');
}

/** Remember the session's idle timeout from the login answer (`idle_timeout_minutes`). */
export function rememberIdleTimeout(minutes) {
  sessionStorage.setItem(IDLE_KEY, String(minutes));
}

function idleDialog({ text, ping, leave: logOutNow }) {
  const title = element('h2', { id: 'idle-title' }, 'Sesja wkrótce wygaśnie');
  const description = element('p', { id: 'idle-text' }, text);
  const stay = element('button', { type: 'button' }, 'Pozostań zalogowany');
  const leave = element('button', { type: 'button', class: 'secondary' }, 'Wyloguj');
  const dialog = element('dialog', {
    class: 'idle-dialog', 'aria-labelledby': 'idle-title', 'aria-describedby': 'idle-text',
  }, title, description, element('div', { class: 'actions' }, stay, leave));
  stay.addEventListener('click', async () => {
    dialog.close();
    await api(ping); // any call extends the session
  });
  leave.addEventListener('click', () => logOutNow());
  document.body.append(dialog);
  return dialog;
}

/** Warn before the idle timeout ends; every API answer (an `ibok:activity` event)
 *  starts the count again. When the time is up, go to the login page and come back.
 *  The staff's layout passes its own key, default, text, call and logout. */
export function watchIdle({
  key = IDLE_KEY,
  defaultMinutes = DEFAULT_IDLE_MINUTES,
  text = 'Sesja za chwilę wygaśnie z powodu braku aktywności. Wybierz „Pozostań zalogowany”, aby kontynuować.',
  ping = '/me',
  leave = logOut,
} = {}) {
  const dialog = idleDialog({ text, ping, leave });
  let warnTimer;
  let endTimer;
  const restart = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    const total = (Number(sessionStorage.getItem(key)) || defaultMinutes) * 60 * 1000;
    const warnAt = Math.max(total - WARN_BEFORE_MS, total / 2);
    warnTimer = setTimeout(() => {
      if (!dialog.open) dialog.showModal();
    }, warnAt);
    endTimer = setTimeout(() => location.assign(loginUrl()), total);
  };
  window.addEventListener('ibok:activity', restart);
  restart();
}
