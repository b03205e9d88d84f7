import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { SESSION_COOKIE, readForm, type ConsoleEnv, type ConsoleKit } from './console-app.js';
import { ErrorPage } from './layout.js';
import { actingAs } from '../observability/audit.js';

export const isAdminUser = (u: { roles: readonly string[] }): boolean => u.roles.includes('admin');

/**
 * requireAdmin guards every console page but the sign-in page. No valid session (absent, forged, tampered
 * with, expired, revoked, or from before a password change) → redirect to sign-in. A user who lost the
 * admin role → 403. A POST whose CSRF token is not this session's → 403, before any handler runs.
 */
export function requireAdmin(k: ConsoleKit): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    const session = k.sessions.read(cookie);
    const user = session ? (k.deps.users.get(session.user) ?? k.deps.oidc?.user(session.user)) : undefined;
    if (!session || !user || !k.sessions.matches(session, user.passwordHash)) {
      if (cookie !== undefined) deleteCookie(c, SESSION_COOKIE, { path: '/console' });
      const url = new URL(c.req.url);
      const next = c.req.method === 'GET' ? url.pathname + url.search : '/console';
      return c.redirect(`/console/login?next=${encodeURIComponent(next)}`, 303);
    }
    if (!isAdminUser(user)) {
      deleteCookie(c, SESSION_COOKIE, { path: '/console' });
      return c.html(
        <ErrorPage
          status={403}
          title="Administrators only"
          message={`You are signed in as ${user.name}, who does not have the admin role. The console is for administrators; ask one to grant you the role.`}
        />,
        403,
      );
    }
    const csrf = k.sessions.csrfToken(session);
    const ctx = {
      user: user.name,
      csrf,
      hasCatalogs: !!k.deps.catalogs,
      hasRules: !!k.deps.rules,
      hasApi: !!k.deps.openApi,
      hasQueue: !!k.deps.queue,
    };
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const form = await readForm(c);
      const crossSite = c.req.header('sec-fetch-site') === 'cross-site';
      if (crossSite || !k.sessions.checkCsrf(session, form._csrf))
        return c.html(
          <ErrorPage
            status={403}
            title="Request refused"
            ctx={ctx}
            message="This form did not carry a valid token for your session (it is stale, or it did not come from this console). Nothing was changed. Reload the page and try again."
          />,
          403,
        );
      c.set('form', form);
    }
    c.set('session', session);
    c.set('user', user);
    c.set('ctx', ctx);
    await actingAs(user.name, next); // admin changes from the console are audited as this user
  };
}
