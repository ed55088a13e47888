// The one API client of the portal. Every call goes to `/api` on the portal's own origin
// (CloudFront in production, scripts/local_portal.py locally), with the session cookie;
// unsafe methods carry the CSRF header. Errors come back as ApiError (code, message,
// fields: the API's `{"error": {...}}`); a 401 sends the customer to the login page, which
// brings them back here afterwards.

export const API_BASE = '/api';
export const LOGIN_PAGE = '/logowanie';
export const STAFF_LOGIN_PAGE = '/obsluga/logowanie';
let loginPage = LOGIN_PAGE;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const GENERIC = 'Coś poszło nie tak. Spróbuj ponownie za chwilę.';
const OFFLINE = 'Nie udało się połączyć z serwerem. Sprawdź połączenie z internetem i spróbuj ponownie.';

/** An error answer of the API (or no answer at all: status 0, code "network"). */
export class ApiError extends Error {
  constructor(status, code, message, fields = {}, requestId = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields; // {field name: Polish message}
    this.requestId = requestId;
  }
}

/**
 * The page to return to after logging in: only a path of this site, never elsewhere. The
 * browser's own URL parser decides (it drops tabs and newlines and reads a backslash as a slash, so
 * `/<tab>/evil` is `//evil`); what it places on another origin becomes `/`.
 */
export function safeNext(raw) {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  let url;
  try {
    url = new URL(raw, location.origin);
  } catch {
    return '/';
  }
  if (url.origin !== location.origin) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page's address that returns to `here` (default: the current page). */
export function loginUrl(here = location.pathname + location.search + location.hash) {
  return `${loginPage}?next=${encodeURIComponent(safeNext(here))}`;
}

/** Staff pages (`/obsluga/…`): a 401 goes to the staff login page instead of the
 *  customers' one (the staff layout calls this first). */
export function useStaffLogin() {
  loginPage = STAFF_LOGIN_PAGE;
}

/**
 * Call the API: `api('/me')`, `api('/me', {method: 'PATCH', body: {phone: '…'}})`.
 * Resolves to the JSON body (null for 204); rejects with ApiError. On 401 it goes to the
 * login page unless `redirectOn401` is false (the login form itself).
 */
export async function api(path, { method = 'GET', body, headers = {}, redirectOn401 = true } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (UNSAFE.has(method)) init.headers['X-IBOK-CSRF'] = '1';
  let response;
  try {
    response = await fetch(`${API_BASE}${path}`, init);
  } catch {
    throw new ApiError(0, 'network', OFFLINE);
  }
  if (response.status === 401 && redirectOn401) {
    location.assign(loginUrl());
  } else if (response.ok) {
    window.dispatchEvent(new Event('ibok:activity')); // the session was extended
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || 'error', error.message || GENERIC,
      error.fields || {}, error.request_id || response.headers.get('X-Request-Id'));
  }
  return data;
}
