// Dashboard session: the access token lives in memory only; the refresh token is an HttpOnly cookie (path /auth) that
// POST /auth/refresh rotates. A refresh runs a minute before expiry and on a 401; concurrent callers share one.
// An API token (service use) is the alternative: kept in sessionStorage, never refreshed.
const API_TOKEN_KEY = 'freeda.agent.token';

let accessToken = null;
let apiToken = sessionStorage.getItem(API_TOKEN_KEY);
let refreshTimer = null;
let pending = null;
let onEnded = () => undefined;

/** Called once the session cannot be renewed (refresh refused): the page shows the sign-in form. */
export function whenEnded(callback) {
  onEnded = callback;
}

export const currentToken = () => apiToken ?? accessToken;
export const usesApiToken = () => apiToken !== null;

function schedule(expiresIn) {
  clearTimeout(refreshTimer);
  // A minute early (or at two thirds for short lifetimes), so a request never carries an expired token.
  const lead = Math.min(60, expiresIn / 3);
  refreshTimer = setTimeout(() => void refresh().catch(() => undefined), Math.max(5, expiresIn - lead) * 1000);
}

function accept(session) {
  accessToken = session.access_token;
  schedule(session.expires_in);
  return session;
}

export class SignInError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

async function post(path, body) {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
}

/** Email + password → session (access token in memory, refresh cookie set by the server). */
export async function signIn(email, password) {
  const response = await post('/auth/login', { email, password });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new SignInError(
      response.status,
      body?.error?.code ?? 'http_error',
      body?.error?.message ?? '',
      response.headers.get('retry-after'),
    );
  }
  return accept(await response.json());
}

/** A new access token through the refresh cookie; null when there is no valid session (cookie absent or revoked). */
export function refresh() {
  if (apiToken) return Promise.resolve(null);
  pending ??= (async () => {
    try {
      const response = await post('/auth/refresh');
      if (response.status === 401) {
        end();
        return null;
      }
      if (!response.ok) throw new SignInError(response.status, 'http_error', `Erreur HTTP ${response.status}`);
      return accept(await response.json());
    } finally {
      pending = null;
    }
  })();
  return pending;
}

/** Resume a session left by an earlier page load (refresh cookie), without a password. */
export async function resume() {
  if (apiToken) return { api_token: true };
  return refresh().catch(() => null);
}

export function useApiToken(token) {
  apiToken = token;
  sessionStorage.setItem(API_TOKEN_KEY, token);
}

function end() {
  const hadSession = accessToken !== null;
  clearTimeout(refreshTimer);
  accessToken = null;
  if (hadSession) onEnded();
}

/** "Se déconnecter": the server revokes the session (refresh family) and clears the cookie. */
export async function signOut() {
  const token = accessToken;
  clearTimeout(refreshTimer);
  accessToken = null;
  apiToken = null;
  sessionStorage.removeItem(API_TOKEN_KEY);
  await fetch('/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch(() => undefined);
}

/** fetch with the bearer token; on a 401 one refresh and one retry (a signed-in session outlives its access tokens). */
export async function authFetch(path, init = {}) {
  const send = () =>
    fetch(path, {
      ...init,
      headers: { ...(init.headers ?? {}), authorization: `Bearer ${currentToken()}` },
    });
  let response = await send();
  if (response.status === 401 && !apiToken && accessToken && (await refresh().catch(() => null))) response = await send();
  return response;
}
