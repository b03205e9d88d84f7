import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { adminRoutes } from './admin/admin-routes.js';
import { catalogRoutes } from './admin/catalog-routes.js';
import { compatRoutes, publicBackendRoutes } from './admin/compat-routes.js';
import { rulesRoutes } from './admin/rules-routes.js';
import { explainRoute } from './admin/explain-route.js';
import { MAX_ADMIN_BODY, type AppEnv } from './admin/http.js';
import { authMiddleware, requestLog } from './admin/middleware.js';
import { oidcConsole } from './auth/oidc-console.js';
import { oidcRoutes } from './auth/oidc-routes.js';
import { doc } from './admin/docs/describe.js';
import { historyDocs } from './admin/docs/history-docs.js';
import { openApiDocument } from './admin/openapi.js';
import { sameSecret } from './auth/same-secret.js';
import { actingAs } from './observability/audit.js';
import { VERSION } from './version.js';
import type { Gateway } from './gateway.js';
import { historyRoutes } from './history/history-routes.js';
import { HistoryStatsRepo } from './history/history-stats-repo.js';
import { consoleCatalogs } from './ui/console-catalogs.js';
import { consoleRoutes } from './ui/console-routes.js';
import type { RevocationStore } from './ui/session.js';
import type { SettingsRepo } from './db/settings-repo.js';

/**
 * mountAppRoutes adds the gateway's own HTTP surface (everything but the Trino protocol paths) to its Hono
 * app, in the order that decides who may call what: probes and metrics; trino-gateway's public backend
 * list (anonymous callers see no URLs); then authentication for the API, compat and catalog paths; the
 * history API (any principal, own rows only for non-admins); then the admin role for the rest; and the
 * console, which has its own sessions.
 */
export function mountAppRoutes(g: Gateway, sessionSecret: string, settings: SettingsRepo): void {
  const app = g.app as unknown as Hono<AppEnv>;
  app.use('*', requestLog(g.logger));
  // A browser opening the gateway's URL lands on the console (Trino's own UI keeps /ui).
  app.get('/', (c) => c.redirect('/console', 302));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) =>
    g.isReady() ? c.json({ status: 'ready' }) : c.json({ status: 'starting' }, 503),
  );
  if (g.config.metrics.enabled)
    app.get('/metrics', async (c) => {
      const token = g.config.metrics.token;
      if (token && !sameSecret(c.req.header('authorization') ?? '', `Bearer ${token}`))
        return c.json({ message: 'metrics need a bearer token' }, 401);
      return c.body(await g.metrics.registry.metrics(), 200, {
        'content-type': g.metrics.registry.contentType,
      });
    });
  const limit = bodyLimit({
    maxSize: MAX_ADMIN_BODY,
    onError: (c) => c.json({ message: `body: larger than ${MAX_ADMIN_BODY} bytes` }, 413),
  });
  const { authenticate, requireAuth, requireAdmin } = authMiddleware(g.authenticator);
  // Anonymous callers may list backends the trino-gateway way, without internal URLs.
  app.route(
    '/',
    publicBackendRoutes(g.registry, async (c) => (await authenticate(c)).ok),
  );
  const guarded = ['/api/*', '/gateway', '/gateway/*', '/entity', '/entity/*', '/v1/catalog/*'];
  for (const path of guarded)
    app.use(path, limit, requireAuth, (c, next) => actingAs(c.get('principal').name, next));
  app.route('/', historyDocs());
  app.route(
    '/',
    historyRoutes({
      repo: g.history,
      maxPageBytes: g.config.history.maxPageBytes,
      principal: (c) => c.get('principal'),
      externalUrl: (b) => g.registry.get(b)?.externalUrl,
      backendUrl: (b) => g.registry.get(b)?.url,
    }),
  );
  // Any principal may ask which version it talks to (the same as --version and switchyard_build_info).
  app.get(
    '/api/v1/info',
    doc({
      tag: 'reference',
      summary: 'Name, version and default routing group of this gateway',
      access: 'user',
      responses: { 200: 'name, defaultGroup, version, node, uptimeSeconds' },
    }),
    (c) =>
      c.json({
        name: 'switchyard',
        defaultGroup: g.config.routing.defaultGroup,
        version: VERSION,
        node: process.versions.node,
        uptimeSeconds: Math.round(process.uptime()),
      }),
  );
  for (const path of guarded) app.use(path, requireAdmin);
  const spec = openApiDocument(app);
  app.get(
    '/api/v1/openapi.json',
    doc({ tag: 'reference', summary: 'This OpenAPI 3.1 document', responses: { 200: 'the document' } }),
    async (c) => c.json(await spec()),
  );
  app.route(
    '/',
    adminRoutes({
      registry: g.registry,
      users: g.users,
      groupInUse: (name) =>
        name === g.config.routing.defaultGroup
          ? 'it is the default routing group (routing.defaultGroup)'
          : g.catalogs!.list(name).length > 0
            ? 'it has catalogs; delete them first'
            : undefined,
    }),
  );
  app.route('/', compatRoutes(g.registry));
  app.route(
    '/',
    catalogRoutes(() => g.catalogs!, g.config.routing.defaultGroup),
  );
  app.route('/', rulesRoutes({ rules: () => g.rules, database: g.databaseRules }));
  app.route(
    '/',
    explainRoute({
      users: g.users,
      registry: g.registry,
      picker: g.picker,
      rules: () => g.rules!,
      defaultGroup: g.config.routing.defaultGroup,
      wouldWait: (group, user) => g.queue?.wouldWait(group, user),
    }),
  );
  const sso =
    g.oidc &&
    oidcConsole(g.oidc.cfg, {
      sessionSecret,
      isPasswordUser: (name) => g.users.get(name) !== undefined,
      // Behind TLS terminated in front, the callback arrives over http, but the browser speaks https.
      secureCookies: g.config.server.publicUrl.startsWith('https:') ? true : undefined,
    });
  if (g.oidc) app.route('/', oidcRoutes(g.oidc, g.logger, sso?.signIn));
  app.route(
    '/',
    consoleRoutes({
      registry: g.registry,
      picker: g.picker,
      history: g.history,
      historyStats: new HistoryStatsRepo(g.db.db),
      loadSamples: g.loadSamples,
      users: g.users,
      verifyPassword: (password, hash, familiar) =>
        g.hashGate.verify(password, hash, familiar).then((ok) => ok === true),
      loginLimiter: g.loginLimiter,
      // A public URL on https: the console is reached over TLS (perhaps terminated in front), so Secure.
      secureCookies: g.config.server.publicUrl.startsWith('https:') ? true : undefined,
      revokedSessions: jsonSetting(settings, 'console-revoked-sessions'),
      sessionSecret,
      // Rows are redacted when written (older rows by the start-up pass), never again per view.
      redactSql: (sql) => sql,
      catalogs: consoleCatalogs(() => g.catalogs!),
      defaultGroup: g.config.routing.defaultGroup,
      rules: () => g.rules,
      databaseRules: g.databaseRules,
      openApi: spec,
      queue: g.queue?.consoleView(),
      logger: g.logger,
      ...(sso ? { oidc: { loginUrl: sso.loginUrl, user: sso.user } } : {}),
    }),
  );
  app.notFound((c) => c.json({ message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY'))
      return c.json({ message: 'the database is busy (locked by another process); try again' }, 503);
    // Nothing was changed: every admin change writes the database before memory.
    if (code === 'SQLITE_FULL')
      return c.json(
        { message: 'the database disk is full; nothing was changed (free space and retry)' },
        507,
      );
    if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN')
      return c.json({ message: `the database cannot be written (${code}); nothing was changed` }, 503);
    g.logger.error({ reqId: c.get('requestId'), err: err.stack }, 'app request failed');
    return c.json({ message: 'internal error' }, 500);
  });
}

/** jsonSetting keeps revoked console sessions as one JSON value of the settings table. */
function jsonSetting(settings: SettingsRepo, key: string): RevocationStore {
  return {
    load() {
      try {
        const v = JSON.parse(settings.get(key) ?? '{}') as unknown;
        return v && typeof v === 'object' ? (v as Record<string, number>) : {};
      } catch {
        return {};
      }
    },
    save(revoked) {
      try {
        settings.set(key, JSON.stringify(revoked));
      } catch {
        // The database takes no writes (locked, full): the logout still holds in memory until a restart.
      }
    },
  };
}
