import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { backendRoutes } from '../admin/backend-routes.js';
import { groupRoutes } from '../admin/group-routes.js';
import { userRoutes } from '../admin/user-routes.js';
import { catalogRoutes } from '../admin/catalog-routes.js';
import { compatRoutes, publicBackendRoutes } from '../admin/compat-routes.js';
import { doc } from '../admin/docs/describe.js';
import { historyDocs } from '../admin/docs/history-docs.js';
import { explainRoute } from '../admin/explain-route.js';
import { MAX_ADMIN_BODY, type AppEnv } from '../admin/http.js';
import { authMiddleware, requestLog } from '../admin/middleware.js';
import { appErrorHandler } from '../admin/on-error.js';
import { openApiDocument } from '../admin/openapi.js';
import { rulesRoutes } from '../admin/rules-routes.js';
import { sameSecret } from '../auth/same-secret.js';
import { historyRoutes } from '../history/history-routes.js';
import { actingAs } from '../observability/audit.js';
import { VERSION } from '../version.js';
import { mountConsole } from './mount-console.js';
import type { Services } from './services.js';

/** Paths behind authentication (and, after the history API and /api/v1/info, the admin role). */
const GUARDED = ['/api/*', '/gateway', '/gateway/*', '/entity', '/entity/*', '/v1/catalog/*'];

/**
 * createApp builds the gateway's own HTTP surface (everything but the Trino protocol paths), in the order
 * that decides who may call what: probes and metrics; trino-gateway's public backend list (anonymous
 * callers see no URLs); then authentication for the API, compat and catalog paths; the history API (any
 * principal, own rows only for non-admins); then the admin role for the rest; and the console, which has
 * its own sessions. Refusals are AppErrors, answered by the one onError.
 */
export function createApp(s: Services, o: { isReady: () => boolean }): Hono<AppEnv> {
  const cfg = s.config;
  const app = new Hono<AppEnv>();
  app.use('*', requestLog(s.logger));
  // A browser opening the gateway's URL lands on the console (Trino's own UI keeps /ui).
  app.get('/', (c) => c.redirect('/console', 302));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Ready while PostgreSQL is away too: polls and routing go on from memory, so a balancer keeps sending.
  app.get('/readyz', (c) => {
    if (!o.isReady()) return c.json({ status: 'starting' }, 503);
    if (s.replicas && !s.replicas.listening())
      return c.json({
        status: 'ready',
        database:
          'unreachable (database.url): queries are routed and polled from memory, admin changes answer 503; reconnecting',
      });
    return c.json({ status: 'ready' });
  });
  if (cfg.metrics.enabled) {
    // Under server.workers: N, every worker's metrics summed (host-metrics.ts), whichever one answers.
    const own = s.metrics.registry;
    const scrape = s.replica.scrapeOf?.(own) ?? (() => Promise.resolve(own));
    app.get('/metrics', async (c) => {
      const token = cfg.metrics.token;
      if (token && !sameSecret(c.req.header('authorization') ?? '', `Bearer ${token}`))
        return c.json({ message: 'metrics need a bearer token' }, 401);
      const registry = await scrape();
      return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
    });
  }
  const limit = bodyLimit({
    maxSize: MAX_ADMIN_BODY,
    onError: (c) => c.json({ message: `body: larger than ${MAX_ADMIN_BODY} bytes` }, 413),
  });
  const { authenticate, requireAuth, requireAdmin } = authMiddleware(s.authenticator);
  // Anonymous callers may list backends the trino-gateway way, without internal URLs.
  app.route(
    '/',
    publicBackendRoutes(s.registry, async (c) => (await authenticate(c)).ok),
  );
  for (const path of GUARDED)
    app.use(path, limit, requireAuth, (c, next) => actingAs(c.get('principal').name, next));
  app.route('/', historyDocs());
  app.route(
    '/',
    historyRoutes({
      repo: s.store.history,
      maxPageBytes: cfg.history.maxPageBytes,
      principal: (c) => c.get('principal'),
      externalUrl: (b) => s.registry.get(b)?.externalUrl,
      backendUrl: (b) => s.registry.get(b)?.url,
    }),
  );
  app.get('/api/v1/info', infoDoc, (c) =>
    c.json({
      name: 'switchyard',
      defaultGroup: cfg.routing.defaultGroup,
      version: VERSION,
      node: process.versions.node,
      uptimeSeconds: Math.round(process.uptime()),
    }),
  );
  for (const path of GUARDED) app.use(path, requireAdmin);
  const spec = openApiDocument(app);
  app.get(
    '/api/v1/openapi.json',
    doc({ tag: 'reference', summary: 'This OpenAPI 3.1 document', responses: { 200: 'the document' } }),
    async (c) => c.json(await spec()),
  );
  mountAdmin(app, s);
  mountConsole(app, s, spec);
  app.notFound((c) => c.json({ message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError(appErrorHandler(s.logger));
  return app;
}

// Any principal may ask which version it talks to (the same as --version and switchyard_build_info).
const infoDoc = doc({
  tag: 'reference',
  summary: 'Name, version and default routing group of this gateway',
  access: 'user',
  responses: { 200: 'name, defaultGroup, version, node, uptimeSeconds' },
});

/** mountAdmin adds the admin-role API: backends, groups, users, compat, catalogs, rules, dry runs. */
function mountAdmin(app: Hono<AppEnv>, s: Services): void {
  const defaultGroup = s.config.routing.defaultGroup;
  app.route('/', backendRoutes(s.registry));
  app.route(
    '/',
    groupRoutes(s.registry, async (name) =>
      name === defaultGroup
        ? 'it is the default routing group (routing.defaultGroup)'
        : (await s.catalogs.list(name)).length > 0
          ? 'it has catalogs; delete them first'
          : undefined,
    ),
  );
  app.route('/', userRoutes(s.users, s.registry));
  app.route('/', compatRoutes(s.registry));
  app.route('/', catalogRoutes(s.catalogs, defaultGroup));
  app.route('/', rulesRoutes({ rules: s.rules, database: s.databaseRules }));
  app.route(
    '/',
    explainRoute({
      users: s.users,
      registry: s.registry,
      picker: s.picker,
      rules: s.rules,
      defaultGroup,
      wouldWait: (group, user) => s.queue?.wouldWait(group, user),
    }),
  );
}
