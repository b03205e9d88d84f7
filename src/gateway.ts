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
import { audit } from './observability/audit.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { AffinityRepo } from './proxy/affinity-repo.js';
import { Affinity } from './proxy/affinity.js';
import { Forwarder } from './proxy/forward.js';
import { HandleCodec } from './proxy/handle-codec.js';
import { ProtocolProxy } from './proxy/protocol-proxy.js';
import { QueryTracker } from './proxy/query-tracker.js';
import { QueueService, queueConfigs } from './queue/queue-service.js';
import { FailureLimiter } from './auth/failure-limiter.js';
import { HashGate } from './auth/hash-gate.js';
import type { QueryRouter } from './proxy/seams.js';
import { GatewayError } from './trino/errors.js';
import { header } from './trino/headers.js';
import { createListener } from './server.js';
import { HealthMonitor } from './health/monitor.js';
import { StatsPoller } from './health/stats-poller.js';
import type { Backend } from './backends/backend.js';
import { openRules, ruleGroupWarnings } from './routing/rule-start.js';
import { clusterWarnings, resolveForwardAuthorization } from './backends/cluster-checks.js';
import { mountAppRoutes } from './app-routes.js';
import { createAuthenticator, type GatewayAuthenticator } from './auth/auth-chain.js';
import { LayeredUserDirectory } from './auth/user-directory.js';
import { createOidc, type OidcService } from './auth/oidc-service.js';
import { UserRepo } from './auth/user-repo.js';
import { CatalogRepo } from './catalogs/catalog-repo.js';
import { CatalogService } from './catalogs/catalog-service.js';
import { recordCatalogQuery } from './history/catalog-queries.js';
import { storedSql, type StoredSql } from './history/stored-sql.js';
import { settleHistory } from './history/start-up.js';
import { SecretSealer, secretKeyMatcher } from './catalogs/secrets.js';
import { loadSealKey } from './catalogs/seal-key.js';
import { resolveTrinoUser } from './auth/impersonation.js';
import { buildRequestFacts } from './routing/request-facts.js';
import { chooseGroup } from './routing/group-choice.js';
import { RuleEngine } from './routing/rule-engine.js';
import { DatabaseRules } from './routing/database-rules.js';
import { RuleVersionRepo } from './routing/rule-version-repo.js';
import { LoadSamples } from './ui/load-samples.js';
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
  /** The gateway's own queue, when some group has one (groups[].queue). */
  readonly queue?: QueueService;
  /** Failed-login limits, shared by Basic authentication and the console's sign-in. */
  readonly loginLimiter: FailureLimiter;
  /** Bounds password-hash work (Basic and console sign-ins). */
  readonly hashGate: HashGate;
  readonly affinity: Affinity;
  readonly authenticator: GatewayAuthenticator;
  readonly monitor: HealthMonitor | undefined;
  readonly users: LayeredUserDirectory;
  /** OIDC sign-in (auth.oidc), when configured and authentication is on. */
  readonly oidc: OidcService | undefined;
  private readonly retention: Retention;
  readonly app: Hono;
  readonly server: http.Server;
  private readonly forwarder: Forwarder;
  /** Catalog broadcast; built by start() (the seal key is imported asynchronously). */
  catalogs: CatalogService | undefined;
  private readonly catalogRepo: CatalogRepo;
  private readonly isSecretProperty: (key: string) => boolean;
  /** What history keeps of SQL text: its bounded prefix with catalog secrets removed. */
  readonly redactSql: (sql: string) => string;
  /** What a history row keeps of a statement (bounded prefix, redacted; length and hash). */
  private readonly storeSql: (sql: string) => StoredSql;
  /** Routing rules in force; loaded by start(). */
  rules: RuleEngine | undefined;
  /** Routing rules edited through the API and the console, versioned in the database. */
  readonly databaseRules: DatabaseRules;
  /** Queued and running per cluster over the last hour, for the console's live chart. */
  readonly loadSamples = new LoadSamples();
  /** True once start() finished (readiness). */
  private ready = false;
  /** isReady: start() finished (the first health round is done). */
  isReady(): boolean {
    return this.ready;
  }
  private stopping: Promise<void> | undefined;
  /** When this run began: history rows RUNNING from before it are repaired at start. */
  private readonly bornAt = Date.now();
  /** Settles once the rows an earlier run left RUNNING are repaired (started by start()). */
  historyRepaired: Promise<unknown> = Promise.resolve();
  /** Aborted by stop(): start-up history work ends early. */
  private readonly stopSignal = new AbortController();

  constructor(opts: GatewayOptions) {
    const cfg = opts.config;
    this.config = cfg;
    this.logger = opts.logger ?? createLogger({ level: cfg.log.level, format: cfg.log.format });
    this.metrics = opts.metrics ?? new Metrics({ processMetrics: true });
    this.dbPath = cfg.database.path === ':memory:' ? ':memory:' : resolvePath(cfg.baseDir, cfg.database.path);
    this.db = openDatabase(this.dbPath);
    for (const w of this.db.warnings) this.logger.warn({ path: this.dbPath }, w);

    const backendRepo = new BackendRepo(this.db.db);
    for (const g of cfg.groups)
      backendRepo.seedGroup({ name: g.name, policy: g.policy, fallback: g.fallback });
    if (!cfg.groups.some((g) => g.name === cfg.routing.defaultGroup))
      backendRepo.seedGroup({ name: cfg.routing.defaultGroup, policy: 'least-loaded' });
    for (const b of cfg.backends) backendRepo.seedBackend(b);
    this.registry = new BackendRegistry(
      backendRepo,
      cfg.proxy.maxSocketsPerBackend,
      resolveForwardAuthorization(cfg.auth.forwardAuthorization, cfg.auth.mode),
    );
    // Ways of reaching a cluster that cannot work (or send credentials in cleartext): said at start, and for
    // each such backend added later through the admin API.
    const warn = (bs: Backend[]) => {
      for (const line of clusterWarnings(bs, cfg.auth.mode, cfg.server.publicUrl)) this.logger.warn(line);
    };
    warn(this.registry.all());
    this.registry.on('added', (b) => warn([b]));
    this.registry.on('changed', (c) => audit(this.logger, c));
    this.picker = new BackendPicker(this.registry);

    this.catalogRepo = new CatalogRepo(this.db.db);
    const isSecret = (this.isSecretProperty = secretKeyMatcher(cfg.catalogs.secretPatterns));
    const storeSql = (this.storeSql = (sql: string) => storedSql(sql, cfg.history.maxSqlBytes, isSecret));
    this.redactSql = (sql) => storeSql(sql).sql;
    this.history = new HistoryRepo(this.db.db);
    this.recorder = new HistoryRecorder(this.history, cfg.history, this.metrics, this.logger);
    this.tracker = new QueryTracker(this.registry, this.recorder, this.metrics, {
      abandonAfterMs: cfg.proxy.abandonAfterMinutes * 60_000,
      unpolledAbandonMs: cfg.proxy.unpolledAbandonSeconds * 1000,
      lostGraceMs: cfg.proxy.lostQueryGraceSeconds * 1000,
      maxInFlightPerUser: cfg.proxy.maxInFlightPerUser,
      maxUnpolledPerUser: cfg.proxy.maxUnpolledPerUser,
      storeSql,
      isSecretKey: isSecret,
      logger: this.logger,
      onEnded: (queryId) => this.queue?.gate.ended(queryId),
    });
    const affinityRepo = new AffinityRepo(this.db.db);
    // A query memory forgot (a restart, another replica) is bound to the user its history row names.
    this.affinity = new Affinity(affinityRepo, this.logger, (id) => this.history.get(id)?.user);
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
    this.forwarder = new Forwarder(cfg.proxy.upstreamTimeoutMs, cfg.server.publicUrl);

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
    this.databaseRules = new DatabaseRules({
      repo: new RuleVersionRepo(this.db.db),
      engine: () => this.rules,
      groups: () => this.registry.groupNames(),
      logger: this.logger,
    });
    this.users = new LayeredUserDirectory(cfg.auth.users, new UserRepo(this.db.db), (c) =>
      audit(this.logger, c),
    );
    // One failed-login limiter and one bound on password hashing for the protocol and the console.
    this.loginLimiter = new FailureLimiter(cfg.auth.lockout);
    this.hashGate = new HashGate(cfg.auth.basic.maxConcurrentHashes, 256, () =>
      this.metrics.passwordHashes.inc(),
    );
    this.oidc =
      cfg.auth.oidc && cfg.auth.mode !== 'none'
        ? createOidc(cfg.auth.oidc, {
            publicUrl: cfg.server.publicUrl,
            secret: new SettingsRepo(this.db.db).getOrCreateSecret('oidc-secret'),
            logger: this.logger,
            isPasswordUser: (name) => this.users.get(name) !== undefined,
          })
        : undefined;
    this.authenticator = createAuthenticator(cfg.auth, {
      users: this.users,
      metrics: this.metrics,
      logger: this.logger,
      baseDir: cfg.baseDir,
      limiter: this.loginLimiter,
      gate: this.hashGate,
      oidc: this.oidc?.authenticator,
    });
    const codec = new HandleCodec(secret);
    this.queue = queueConfigs(cfg).size
      ? new QueueService(cfg, {
          registry: this.registry,
          picker: this.picker,
          codec,
          metrics: this.metrics,
          logger: this.logger,
          live: () => this.tracker.liveQueries(),
        })
      : undefined;
    const proxy = new ProtocolProxy({
      publicUrl: cfg.server.publicUrl,
      defaultGroup: cfg.routing.defaultGroup,
      tls: !!cfg.server.tls,
      maxStatementBytes: MAX_STATEMENT_BYTES,
      registry: this.registry,
      picker: this.picker,
      affinity: this.affinity,
      codec,
      tracker: this.tracker,
      queue: this.queue?.gate,
      forwarder: this.forwarder,
      authenticator: this.authenticator,
      router: { route: (input) => this.route(input) },
      resolveUser: resolveTrinoUser,
      metrics: this.metrics,
      logger: this.logger,
      onUpstreamFailure: (name, kind) => this.monitor?.reportFailure(name, kind),
    });

    this.app = new Hono();
    const settings = new SettingsRepo(this.db.db);
    mountAppRoutes(this, settings.getOrCreateSecret('console-session-secret'), settings);
    const appListener = getRequestListener(this.app.fetch);
    this.server = createListener(cfg, (req, res) => proxy.handle(req, res), appListener);
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
    this.rules = await openRules(this.config, this.logger, this.metrics);
    const groups = new Set(this.registry.groups().map((g) => g.name));
    for (const line of ruleGroupWarnings(this.rules.rules, groups)) this.logger.warn(line);
    this.databaseRules.load();
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
      onQuery: (q) => recordCatalogQuery(this.recorder, this.storeSql, q),
    });
    this.recorder.start();
    this.tracker.start();
    this.queue?.start();
    this.retention.start();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.server.port, this.config.server.host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    await this.monitor?.start();
    this.loadSamples.start(() => this.registry.all());
    this.catalogs.start(c.reconcileIntervalSeconds * 1000, {
      onHealthy: (fn) => this.monitor?.on('healthy', fn),
    });
    this.historyRepaired = settleHistory({
      repo: this.history,
      recorder: this.recorder,
      registry: this.registry,
      tracker: this.tracker,
      bornAt: this.bornAt,
      maxSqlBytes: this.config.history.maxSqlBytes,
      isSecretKey: this.isSecretProperty,
      user: c.user,
      timeoutMs: this.config.health.timeoutSeconds * 1000,
      logger: this.logger,
      signal: this.stopSignal.signal,
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
      this.loadSamples.stop();
      this.monitor?.stop();
      await this.catalogs?.stop();
      this.tracker.stop();
      this.queue?.stop();
      this.retention.stop();
      this.stopSignal.abort();
      // Repair answers land in the recorder: let a running repair finish (bounded by its timeouts), briefly.
      await Promise.race([this.historyRepaired, new Promise((r) => setTimeout(r, 2000).unref())]);
      await this.recorder.stop();
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
