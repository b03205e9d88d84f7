import { createHash } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../observability/logger.js';
import { MAX_FORM_BYTES, type ConsoleEnv, type ConsoleKit } from './console-app.js';
import { requireAdmin } from './console-auth.js';
import type { ConsoleDeps } from './console-deps.js';
import { ErrorPage } from './layout.js';
import { registerApiReference } from './pages/api-reference.js';
import { registerBackendForms } from './pages/backend-form.js';
import { registerBackends } from './pages/backends.js';
import { registerCatalogs } from './pages/catalogs.js';
import { registerDashboard } from './pages/dashboard.js';
import { registerLogin } from './pages/login.js';
import { registerQueries } from './pages/queries.js';
import { registerQueryDetail } from './pages/query-detail.js';
import { registerRules } from './pages/rules.js';
import { registerQueue } from './pages/queue.js';
import { SessionCodec } from './session.js';
import { SCRIPT } from './styles.js';

export type { ConsoleDeps } from './console-deps.js';

const EIGHT_HOURS = 8 * 3_600_000;
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/**
 * Nothing but this origin's forms and the one inline script, and no framing. Pages are per-user, so
 * never cached.
 */
const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  // A page that set its own policy (the API reference loads Swagger UI's files) keeps it.
  if (!c.res.headers.has('Content-Security-Policy'))
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:; ` +
        `form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
};

/**
 * consoleRoutes is the web console, every page under /console (Trino's own UI keeps /ui). Mount at '/'.
 * Admins only: signed, HTTP-only, SameSite=Strict session cookies; CSRF tokens on every POST; failed
 * sign-ins limited. Refusals are 4xx pages or a redirect to sign-in, never a 500.
 */
export function consoleRoutes(deps: ConsoleDeps & { logger?: Pick<Logger, 'error'> }): Hono {
  const now = deps.now ?? Date.now;
  const k: ConsoleKit = {
    deps,
    sessions: new SessionCodec(
      deps.sessionSecret,
      deps.sessionTtlMs ?? EIGHT_HOURS,
      now,
      deps.revokedSessions,
    ),
    now,
  };
  const app = new Hono<ConsoleEnv>();
  const tooBig = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: (c) =>
      c.html(
        <ErrorPage status={413} title="Too large" message="That form was larger than the console accepts." />,
        413,
      ),
  });
  const guard = requireAdmin(k);
  // '/console/*' covers '/console' itself too.
  app.use('/console/*', securityHeaders, tooBig);
  app.use('/console/*', (c, next) => (c.req.path === '/console/login' ? next() : guard(c, next)));

  registerLogin(app, k);
  registerDashboard(app, k);
  registerBackendForms(app, k);
  registerBackends(app, k);
  registerQueries(app, k);
  registerQueryDetail(app, k);
  if (deps.catalogs) registerCatalogs(app, k, deps.catalogs);
  if (deps.rules) registerRules(app, k, deps.rules, deps.databaseRules);
  if (deps.openApi) registerApiReference(app, deps.openApi);
  if (deps.queue) registerQueue(app, k, deps.queue);
  app.get('/console/', (c) => c.redirect('/console', 301));

  app.all('/console/*', (c) =>
    c.html(
      <ErrorPage
        status={404}
        title="Not found"
        message={`The console has no page ${c.req.method === 'GET' ? '' : `for ${c.req.method} `}at ${c.req.path.slice(0, 200)}.`}
        ctx={c.get('ctx')}
      />,
      404,
    ),
  );
  app.onError((err, c) => {
    deps.logger?.error({ err: err.stack, path: c.req.path }, 'console request failed');
    return c.html(
      <ErrorPage
        status={500}
        title="Something went wrong"
        message="The console could not show this page; the error is in the gateway's log."
      />,
      500,
    );
  });
  return app as unknown as Hono;
}
