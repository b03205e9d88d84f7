import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import type { GatewayConfig } from './config/gateway-config.js';
import { openDatabase, type OpenedDb } from './db/open.js';
import { SettingsRepo } from './db/settings-repo.js';
import { BackendRepo } from './backends/backend-repo.js';
import { BackendRegistry } from './backends/registry.js';
import { BackendPicker } from './backends/picker.js';
import { HistoryRepo } from './history/history-repo.js';
import { HistoryRecorder } from './history/recorder.js';
import { Retention } from './history/retention.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { requestId } from './observability/request-id.js';
import { AffinityRepo } from './proxy/affinity-repo.js';
import { Affinity } from './proxy/affinity.js';
import { Forwarder } from './proxy/forward.js';
import { HandleCodec } from './proxy/handle-codec.js';
import { ProtocolProxy } from './proxy/protocol-proxy.js';
import { QueryTracker } from './proxy/query-tracker.js';
import type { QueryRouter } from './proxy/seams.js';
import { GatewayError } from './trino/errors.js';
import { header } from './trino/headers.js';
import { createListener } from './server.js';
import { HealthMonitor } from './health/monitor.js';
import { StatsPoller } from './health/stats-poller.js';
import type { Backend } from './backends/backend.js';
import { consoleRoutes } from './ui/console-routes.js';
import { historyRoutes } from './history/history-routes.js';
import { verifyPassword } from './auth/password-hash.js';
import { isAdmin, type Principal } from './auth/principal.js';
import { createAuthenticator, type GatewayAuthenticator } from './auth/auth-chain.js';
import { LayeredUserDirectory } from './auth/user-directory.js';
import { UserRepo } from './auth/user-repo.js';
import { bodyLimit } from 'hono/body-limit';
import type { Context, Next } from 'hono';
import { adminRoutes } from './admin/admin-routes.js';
import { compatRoutes, publicBackendRoutes } from './admin/compat-routes.js';
import { MAX_ADMIN_BODY, type AppEnv } from './admin/http.js';
import { catalogRoutes } from './admin/catalog-routes.js';
import { CatalogRepo } from './catalogs/catalog-repo.js';
import { CatalogService, type CatalogQuery } from './catalogs/catalog-service.js';
import { redactCatalogSql } from './catalogs/catalog-sql.js';
import { SecretSealer, secretKeyMatcher } from './catalogs/secrets.js';
import { loadSealKey } from './catalogs/seal-key.js';
import {
  CatalogInputError,
  validateCatalogName,
  validateConnectorName,
  validateProperties,
} from './catalogs/identifiers.js';
import type { ConsoleCatalogs } from './ui/console-deps.js';
import { resolveTrinoUser } from './auth/impersonation.js';
import { buildRequestFacts } from './routing/request-facts.js';
import { chooseGroup } from './routing/group-choice.js';
import { explainRouting } from './routing/explain.js';
import { RuleEngine } from './routing/rule-engine.js';
import { resolve as resolvePathOf } from 'node:path';

export interface GatewayOptions {
  config: GatewayConfig;
  logger?: Logger;
  metrics?: Metrics;
}

/** Largest query text accepted (Trino's own query.max-length is 1,000,000 characters). */
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/**
 * Gateway builds every service once from the frozen config and owns their lifecycle: start() listens,
 * stop() drains. Nothing happens at import time.
 */
export class Gateway {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly db: OpenedDb;
  private readonly dbPath: string;
  readonly registry: BackendRegistry;
  readonly picker: BackendPicker;
  readonly history: HistoryRepo;
  readonly recorder: HistoryRecorder;
  readonly tracker: QueryTracker;
  readonly affinity: Affinity;
  readonly authenticator: GatewayAuthenticator;
  readonly monitor: HealthMonitor | undefined;
  readonly users: LayeredUserDirectory;
  private readonly retention: Retention;
  readonly app: Hono;
  readonly server: http.Server;
  private readonly forwarder: Forwarder;
  /** Catalog broadcast; built by start() (the seal key is imported asynchronously). */
  catalogs: CatalogService | undefined;
  private readonly catalogRepo: CatalogRepo;
  private readonly isSecretProperty: (key: string) => boolean;
  /** Removes catalog secrets from SQL text before it is stored or shown. */
  readonly redactSql: (sql: string) => string;
  /** Routing rules in force; loaded by start(). */
  rules: RuleEngine | undefined;
  /** True once start() finished (readiness). */
  private ready = false;
  private stopping: Promise<void> | undefined;

  constructor(opts: GatewayOptions) {
    const cfg = opts.config;
    this.config = cfg;
    this.logger = opts.logger ?? createLogger({ level: cfg.log.level });
    this.metrics = opts.metrics ?? new Metrics({ processMetrics: true });
    this.dbPath = cfg.database.path === ':memory:' ? ':memory:' : resolvePath(cfg.baseDir, cfg.database.path);
    this.db = openDatabase(this.dbPath);

    const backendRepo = new BackendRepo(this.db.db);
    for (const g of cfg.groups)
      backendRepo.seedGroup({ name: g.name, policy: g.policy, fallback: g.fallback });
    if (!cfg.groups.some((g) => g.name === cfg.routing.defaultGroup))
      backendRepo.seedGroup({ name: cfg.routing.defaultGroup, policy: 'least-loaded' });
    for (const b of cfg.backends) backendRepo.seedBackend(b);
    this.registry = new BackendRegistry(backendRepo, cfg.proxy.maxSocketsPerBackend);
    this.picker = new BackendPicker(this.registry);

    this.catalogRepo = new CatalogRepo(this.db.db);
    const isSecret = (this.isSecretProperty = secretKeyMatcher(cfg.catalogs.secretPatterns));
    this.redactSql = (sql) => (/catalog/i.test(sql) ? redactCatalogSql(sql, isSecret) : sql);
    this.history = new HistoryRepo(this.db.db);
    this.recorder = new HistoryRecorder(this.history, cfg.history, this.metrics, this.logger);
    this.tracker = new QueryTracker(
      this.registry,
      this.recorder,
      this.metrics,
      cfg.proxy.abandonAfterMinutes * 60_000,
      this.redactSql,
      cfg.proxy.lostQueryGraceSeconds * 1000,
    );
    const affinityRepo = new AffinityRepo(this.db.db);
    this.affinity = new Affinity(affinityRepo, this.logger);
    const DAY = 86_400_000;
    this.retention = new Retention({
      targets: [
        { name: 'query_history', store: this.history, maxAgeMs: cfg.history.retentionDays * DAY },
        { name: 'affinity', store: affinityRepo, maxAgeMs: 2 * DAY },
      ],
      intervalMs: 3_600_000,
      logger: this.logger,
    });
    const secret =
      cfg.server.affinitySecret ?? new SettingsRepo(this.db.db).getOrCreateSecret('affinity-secret');
    this.forwarder = new Forwarder(cfg.proxy.upstreamTimeoutMs);

    const h = cfg.health;
    const stats = h.stats.enabled
      ? new StatsPoller({ ...h.stats, timeoutMs: h.timeoutSeconds * 1000 }, this.logger)
      : undefined;
    this.monitor = h.enabled
      ? new HealthMonitor(
          this.registry,
          {
            intervalMs: h.intervalSeconds * 1000,
            timeoutMs: h.timeoutSeconds * 1000,
            jitter: h.jitter,
            healthyThreshold: h.healthyThreshold,
            unhealthyThreshold: h.unhealthyThreshold,
          },
          this.metrics,
          this.logger,
          stats && ((b: Backend) => stats.poll(b)),
        )
      : undefined;
    this.users = new LayeredUserDirectory(cfg.auth.users, new UserRepo(this.db.db));
    this.authenticator = createAuthenticator(cfg.auth, {
      users: this.users,
      metrics: this.metrics,
      logger: this.logger,
      baseDir: cfg.baseDir,
    });
    const proxy = new ProtocolProxy({
      publicUrl: cfg.server.publicUrl,
      defaultGroup: cfg.routing.defaultGroup,
      tls: !!cfg.server.tls,
      maxStatementBytes: MAX_STATEMENT_BYTES,
      registry: this.registry,
      picker: this.picker,
      affinity: this.affinity,
      codec: new HandleCodec(secret),
      tracker: this.tracker,
      forwarder: this.forwarder,
      authenticator: this.authenticator,
      router: { route: (input) => this.route(input) },
      resolveUser: resolveTrinoUser,
      metrics: this.metrics,
      logger: this.logger,
      onUpstreamFailure: (name, kind) => this.monitor?.reportFailure(name, kind),
    });

    this.app = new Hono();
    this.mountApp(new SettingsRepo(this.db.db).getOrCreateSecret('console-session-secret'));
    const appListener = getRequestListener(this.app.fetch);
    this.server = createListener(cfg, (req, res) => proxy.handle(req, res), appListener);
  }

  /** mountApp adds the gateway's own routes: probes, metrics, history API and the console. */
  private mountApp(sessionSecret: string): void {
    const app = this.app as unknown as Hono<AppEnv>;
    app.use('*', async (c, next) => {
      const id = requestId(c.req.header('x-request-id'));
      c.set('requestId', id);
      const t0 = performance.now();
      await next();
      c.res.headers.set('x-request-id', id);
      if (this.logger.isLevelEnabled('debug'))
        this.logger.debug(
          {
            reqId: id,
            method: c.req.method,
            path: c.req.path,
            status: c.res.status,
            ms: performance.now() - t0,
          },
          'app request',
        );
    });
    app.get('/healthz', (c) => c.json({ status: 'ok' }));
    app.get('/readyz', (c) =>
      this.ready ? c.json({ status: 'ready' }) : c.json({ status: 'starting' }, 503),
    );
    if (this.config.metrics.enabled)
      app.get('/metrics', async (c) => {
        const token = this.config.metrics.token;
        if (token && c.req.header('authorization') !== `Bearer ${token}`)
          return c.json({ message: 'metrics need a bearer token' }, 401);
        return c.body(await this.metrics.registry.metrics(), 200, {
          'content-type': this.metrics.registry.contentType,
        });
      });
    const limit = bodyLimit({
      maxSize: MAX_ADMIN_BODY,
      onError: (c) => c.json({ message: `body: larger than ${MAX_ADMIN_BODY} bytes` }, 413),
    });
    const authenticate = async (c: Context<AppEnv>) =>
      this.authenticator.authenticate({
        headers: Object.fromEntries(c.req.raw.headers),
        remoteAddress:
          (c.env as { incoming?: http.IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress ?? '',
      });
    const requireAuth = async (c: Context<AppEnv>, next: Next) => {
      const r = await authenticate(c);
      if (!r.ok) {
        if (r.challenge) c.header('www-authenticate', r.challenge);
        if (r.retryAfterSeconds) c.header('retry-after', String(r.retryAfterSeconds));
        return c.json({ message: r.message }, r.status);
      }
      c.set('principal', r.principal);
      await next();
    };
    const requireAdmin = async (c: Context<AppEnv>, next: Next) => {
      if (!isAdmin(c.get('principal'))) return c.json({ message: 'the admin role is required' }, 403);
      await next();
    };
    // Anonymous callers may list backends the trino-gateway way, without internal URLs.
    app.route(
      '/',
      publicBackendRoutes(this.registry, async (c) => (await authenticate(c as Context<AppEnv>)).ok),
    );
    const guarded = ['/api/*', '/gateway', '/gateway/*', '/entity', '/entity/*', '/v1/catalog/*'];
    for (const path of guarded) app.use(path, limit, requireAuth);
    app.route(
      '/',
      historyRoutes({
        repo: this.history,
        redactSql: this.redactSql,
        principal: (c) => c.get('principal'),
        externalUrl: (b) => this.registry.get(b)?.externalUrl,
        backendUrl: (b) => this.registry.get(b)?.url,
      }),
    );
    for (const path of guarded) app.use(path, requireAdmin);
    app.route(
      '/',
      adminRoutes({
        registry: this.registry,
        users: this.users,
        groupInUse: (g) =>
          g === this.config.routing.defaultGroup
            ? 'it is the default routing group (routing.defaultGroup)'
            : this.catalogs!.list(g).length > 0
              ? 'it has catalogs; delete them first'
              : undefined,
      }),
    );
    app.route('/', compatRoutes(this.registry));
    app.route(
      '/',
      catalogRoutes(() => this.catalogs!, this.config.routing.defaultGroup),
    );
    app.post('/api/v1/routing/explain', async (c) => {
      let body: { user?: unknown; groups?: unknown; headers?: unknown; sql?: unknown };
      try {
        body = await c.req.json();
      } catch {
        return c.json({ message: 'body: expected a JSON object' }, 400);
      }
      if (!body || typeof body !== 'object' || Array.isArray(body))
        return c.json({ message: 'body: expected a JSON object' }, 400);
      if (typeof body.user !== 'string' || !body.user)
        return c.json({ message: 'user: expected a non-empty string' }, 400);
      if (typeof body.sql !== 'string') return c.json({ message: 'sql: expected a string' }, 400);
      const headers: Record<string, string> = {};
      if (body.headers !== undefined) {
        if (typeof body.headers !== 'object' || body.headers === null || Array.isArray(body.headers))
          return c.json({ message: 'headers: expected an object of strings' }, 400);
        for (const [k, v] of Object.entries(body.headers)) {
          if (typeof v !== 'string') return c.json({ message: `headers.${k}: expected a string` }, 400);
          headers[k.toLowerCase()] = v;
        }
      }
      const known = this.users.get(body.user);
      const principal: Principal = {
        name: body.user,
        roles: known?.roles ?? ['user'],
        groups:
          known?.groups ??
          (Array.isArray(body.groups) ? body.groups.filter((g): g is string => typeof g === 'string') : []),
        defaultGroup: known?.defaultGroup,
        method: 'header',
      };
      const input = {
        facts: buildRequestFacts(headers, principal, body.sql),
        principal,
        requestedGroup: header(headers, 'routingGroup'),
        engine: this.rules!,
        defaultGroup: this.config.routing.defaultGroup,
        knownGroups: this.registry.groupNames(),
      };
      const explanation = explainRouting(input);
      const group = explanation.decision.ok ? explanation.decision.group : undefined;
      const pick = group ? this.picker.pick(group, { user: principal.name }) : undefined;
      return c.json({ ...explanation, backend: pick?.backend.name ?? null });
    });
    app.route(
      '/',
      consoleRoutes({
        registry: this.registry,
        picker: this.picker,
        history: this.history,
        users: this.users,
        verifyPassword,
        sessionSecret,
        redactSql: this.redactSql,
        catalogs: this.consoleCatalogs(),
        defaultGroup: this.config.routing.defaultGroup,
        rules: () => this.rules,
        logger: this.logger,
      }),
    );
    app.notFound((c) => c.json({ message: `no route for ${c.req.method} ${c.req.path}` }, 404));
    app.onError((err, c) => {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY'))
        return c.json({ message: 'the database is busy (locked by another process); try again' }, 503);
      this.logger.error({ reqId: c.get('requestId'), err: err.stack }, 'app request failed');
      return c.json({ message: 'internal error' }, 500);
    });
  }

  /** recordCatalogQuery keeps a CREATE/DROP CATALOG the gateway ran in query history, secrets redacted. */
  private recordCatalogQuery(q: CatalogQuery): void {
    const now = Date.now();
    const o = q.outcome;
    this.recorder.submitted({
      queryId: q.queryId,
      user: q.user,
      source: 'switchyard-catalogs',
      routingGroup: q.group,
      backend: q.backend,
      sql: this.redactSql(q.sql),
      submittedAt: q.startedAt,
      state: 'RUNNING',
    });
    this.recorder.completed({
      queryId: q.queryId,
      finishedAt: now,
      state: o.ok ? 'FINISHED' : 'FAILED',
      errorName: o.ok ? null : o.errorName,
      errorType: o.ok ? null : (o.errorType ?? null),
      errorMessage: o.ok ? null : o.message,
      elapsedMs: now - q.startedAt,
      rows: null,
      bytes: null,
    });
  }

  /** consoleCatalogs adapts the catalog service to the console (which shows refusals with their status). */
  private consoleCatalogs(): ConsoleCatalogs {
    const refuse = (e: unknown) =>
      e instanceof CatalogInputError ? Object.assign(new Error(e.message), { status: 400 }) : e;
    return {
      list: () => this.catalogs!.list(),
      create: async (spec) => {
        try {
          const r = await this.catalogs!.create(
            spec.group,
            validateCatalogName(spec.name),
            validateConnectorName(spec.connector),
            validateProperties(spec.properties),
            'console',
          );
          return { deployments: r.outcomes };
        } catch (e) {
          throw refuse(e);
        }
      },
      delete: async (group, name) => {
        try {
          return await this.catalogs!.delete(group, validateCatalogName(name), 'console');
        } catch (e) {
          throw refuse(e);
        }
      },
    };
  }

  /** route chooses the routing group of a new query: header, rules, the user's default, the configured default. */
  private route(input: Parameters<QueryRouter['route']>[0]): ReturnType<QueryRouter['route']> {
    const choice = chooseGroup({
      facts: buildRequestFacts(input.headers, input.principal, input.sql),
      principal: input.principal,
      requestedGroup: header(input.headers, 'routingGroup'),
      engine: this.rules!,
      defaultGroup: this.config.routing.defaultGroup,
      knownGroups: this.registry.groupNames(),
    });
    if (!choice.ok)
      return new GatewayError(
        choice.status,
        choice.status === 404 ? 'NOT_FOUND' : 'PERMISSION_DENIED',
        choice.message,
      );
    return { group: choice.group, rule: choice.rule, source: choice.source };
  }

  /** start loads the routing rules, listens and starts the background loops; resolves with the bound port. */
  async start(): Promise<number> {
    this.rules = await RuleEngine.open({
      dir: resolvePathOf(this.config.baseDir, this.config.routing.rulesDir),
      logger: this.logger,
      metrics: this.metrics,
    });
    if (!this.monitor) {
      for (const b of this.registry.all()) b.health = 'HEALTHY';
      this.registry.on('added', (b) => (b.health = 'HEALTHY'));
    }
    // Built before listening: the catalog routes need it from the first request.
    const c = this.config.catalogs;
    const key = loadSealKey(
      {
        sealKey: c.sealKey,
        sealKeyFile: c.sealKeyFile,
        baseDir: this.config.baseDir,
        databasePath: this.dbPath,
      },
      this.logger,
    );
    this.catalogs = new CatalogService({
      repo: this.catalogRepo,
      registry: this.registry,
      sealer: await SecretSealer.fromKey(key),
      isSecret: this.isSecretProperty,
      timeoutMs: c.statementTimeoutSeconds * 1000,
      reconcileUser: c.user,
      logger: this.logger,
      metrics: this.metrics,
      onQuery: (q) => this.recordCatalogQuery(q),
    });
    this.recorder.start();
    this.tracker.start();
    this.retention.start();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.server.port, this.config.server.host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    await this.monitor?.start();
    this.catalogs.start(c.reconcileIntervalSeconds * 1000, {
      onHealthy: (fn) => this.monitor?.on('healthy', fn),
    });
    this.ready = true;
    this.logger.info({ port, publicUrl: this.config.server.publicUrl }, 'switchyard listening');
    return port;
  }

  /** reload re-reads what can change without a restart (routing rules); called on SIGHUP. */
  reload(): void {
    this.logger.info('reload requested');
    void this.rules?.reload();
  }

  /**
   * stop stops accepting connections, lets in-flight requests finish within the grace period, flushes
   * history and closes the database. Idempotent.
   */
  stop(graceMs = this.config.server.shutdownGraceSeconds * 1000): Promise<void> {
    this.stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      // Keep-alive connections close as soon as their request in flight is answered.
      this.server.closeIdleConnections();
      const idle = setInterval(() => this.server.closeIdleConnections(), 50);
      const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
      await closed;
      clearInterval(idle);
      clearTimeout(timer);
      this.rules?.close();
      this.monitor?.stop();
      await this.catalogs?.stop();
      this.tracker.stop();
      this.retention.stop();
      this.recorder.stop();
      this.affinity.stop();
      this.forwarder.close();
      this.registry.close();
      this.db.close();
      this.logger.info('switchyard stopped');
    })();
    return this.stopping;
  }
}

function resolvePath(base: string, p: string): string {
  return p.startsWith('/') ? p : `${base}/${p}`;
}
