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
import { DUMMY_HASH } from '../../auth/password-hash.js';
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
  status: 200 | 401 | 403 | 429,
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

/**
 * Sign-in and sign-out. Failed sign-ins are limited by the protocol's failed-login limiter (per user and
 * address, per user except at addresses it signs in from, per address except for users familiar with it).
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
    const address = clientAddress(c);
    const wait = k.limiter.blockedFor(address, name);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return showLogin(c, k, 429, {
        next,
        user: name,
        error: `Too many failed sign-ins. Try again in ${wait} seconds.`,
      });
    }
    const user = name ? k.deps.users.get(name) : undefined;
    const password = (form.password ?? '').slice(0, 1024);
    const familiar = k.limiter.isFamiliar(address, name);
    const attempt = k.limiter.attempt(address, name);
    let ok = false;
    try {
      // An unknown user costs a hash too, so the answer's timing does not tell which names exist.
      ok = await k.deps.verifyPassword(password, user?.passwordHash ?? DUMMY_HASH, familiar);
    } finally {
      if (ok && user && password !== '') k.limiter.succeed(attempt);
      else k.limiter.fail(attempt);
    }
    if (!ok || !user || password === '')
      return showLogin(c, k, 401, { next, user: name, error: 'Wrong user name or password.' });
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
