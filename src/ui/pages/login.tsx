import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import {
  LOGIN_COOKIE,
  SESSION_COOKIE,
  clientAddress,
  cookieOptions,
  readForm,
  safeNext,
  type ConsoleApp,
  type ConsoleContext,
  type ConsoleKit,
} from '../console-app.js';
import { isAdminUser } from '../console-auth.js';
import type { AuthFailure } from '../../auth/authenticator.js';
import { Document, ErrorPage, Message } from '../layout.js';

function LoginPage(props: { token: string; next: string; user?: string; error?: string; sso?: string }) {
  return (
    <Document title="Sign in">
      <main class="login">
        <h1>Switchyard console</h1>
        {props.error ? <Message kind="error">{props.error}</Message> : null}
        <form class="card" method="post" action="/console/login">
          <input type="hidden" name="_csrf" value={props.token} />
          <input type="hidden" name="next" value={props.next} />
          <label for="user">User</label>
          <input id="user" name="user" autocomplete="username" required value={props.user ?? ''} />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <p class="row end">
            <button class="primary" type="submit">
              Sign in
            </button>
          </p>
        </form>
        {props.sso ? (
          <p class="row">
            <a class="button" href={`${props.sso}?next=${encodeURIComponent(props.next)}`}>
              Sign in with single sign-on
            </a>
          </p>
        ) : null}
      </main>
    </Document>
  );
}

/** showLogin renders the sign-in form with a fresh login token (its nonce in a short-lived cookie). */
function showLogin(
  c: ConsoleContext,
  k: ConsoleKit,
  status: 200 | AuthFailure['status'],
  extra: { next?: string; user?: string; error?: string } = {},
) {
  const { nonce, token } = k.sessions.loginToken();
  setCookie(c, LOGIN_COOKIE, nonce, cookieOptions(c, k.deps, 3600));
  return c.html(
    <LoginPage
      token={token}
      next={safeNext(extra.next)}
      user={extra.user}
      error={extra.error}
      sso={k.deps.oidc?.loginUrl}
    />,
    status,
  );
}

/** loginRefusal is what the sign-in page says of a refused password. */
function loginRefusal(r: AuthFailure): string {
  if (r.status === 429) return `Too many failed sign-ins. Try again in ${r.retryAfterSeconds ?? 60} seconds.`;
  if (r.status === 503) return 'Too many sign-ins are being checked right now. Try again in a moment.';
  return 'Wrong user name or password.';
}

/**
 * Sign-in and sign-out. A password is checked by the gateway's password login (deps.passwords), the one
 * Basic authentication uses: the same failed-login limiter (per user and address, per user except at
 * addresses it signs in from, per address except for users familiar with it) and the same hash bound.
 */
export function registerLogin(app: ConsoleApp, k: ConsoleKit): void {
  app.get('/console/login', (c) => {
    const s = k.sessions.read(getCookie(c, SESSION_COOKIE));
    const u = s && (k.deps.users.get(s.user) ?? k.deps.oidc?.user(s.user));
    if (s && u && isAdminUser(u) && k.sessions.matches(s, u.passwordHash))
      return c.redirect(safeNext(c.req.query('next')), 303);
    return showLogin(c, k, 200, { next: c.req.query('next') });
  });

  app.post('/console/login', async (c) => {
    const form = await readForm(c);
    const name = (form.user ?? '').trim().slice(0, 256);
    const next = form.next;
    if (!k.sessions.checkLogin(getCookie(c, LOGIN_COOKIE), form._csrf))
      return showLogin(c, k, 403, { next, user: name, error: 'The sign-in form expired. Please try again.' });
    const password = (form.password ?? '').slice(0, 1024);
    const r = await k.deps.passwords.check(clientAddress(c), name, password);
    if (!r.ok) {
      if (r.retryAfterSeconds) c.header('Retry-After', String(r.retryAfterSeconds));
      return showLogin(c, k, r.status, {
        next,
        user: name,
        error: loginRefusal(r),
      });
    }
    const user = r.user;
    deleteCookie(c, LOGIN_COOKIE, { path: '/console' });
    if (!isAdminUser(user))
      return c.html(
        <ErrorPage
          status={403}
          title="Administrators only"
          message={`${user.name} signed in correctly but does not have the admin role. The console is for administrators; ask one to grant you the role.`}
        />,
        403,
      );
    const { value } = k.sessions.issue(user.name, user.passwordHash);
    setCookie(c, SESSION_COOKIE, value, cookieOptions(c, k.deps, Math.floor(k.sessions.ttlMs / 1000)));
    return c.redirect(safeNext(next), 303);
  });

  app.post('/console/logout', (c) => {
    k.sessions.revoke(c.get('session'));
    deleteCookie(c, SESSION_COOKIE, { path: '/console' });
    return c.redirect('/console/login', 303);
  });
}
