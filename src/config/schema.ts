import { z } from 'zod';
import { DEFAULT_SECRET_PATTERNS } from '../catalogs/secrets.js';
import { parseTrusted } from '../observability/client-address.js';
import { queueSchema } from './queue-schema.js';

/** A Trino-style identifier-ish name used for backends and groups: letters, digits, '-', '_' and '.'. */
export const nameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a name of letters, digits, ".", "_" or "-"');

export const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'an http:// or https:// URL');

/** isOrigin tells whether a URL is an origin (no path but "/", no query, no fragment). */
function isOrigin(u: string): boolean {
  try {
    const url = new URL(u);
    return url.pathname === '/' && !url.search && !url.hash;
  } catch {
    return false;
  }
}

export const SELECTION_POLICIES = ['least-loaded', 'round-robin', 'random', 'weighted', 'user-hash'] as const;
/** Health probes by name (src/health/probes.ts). */
export const HEALTH_PROBES = ['info', 'info+stats'] as const;

export const serverSchema = z
  .object({
    /** Address to listen on. Default 0.0.0.0. */
    host: z.string().default('0.0.0.0'),
    /** Port to listen on. Default 8080. */
    port: z.number().int().min(0).max(65535).default(8080),
    /** URL clients use to reach the gateway; follow-up URLs are rewritten to it. Default http://localhost:<port>. */
    publicUrl: httpUrl.optional(),
    /** TLS: PEM files. When set the listener speaks HTTPS only. Default: none (plain HTTP). */
    tls: z
      .object({ cert: z.string().min(1), key: z.string().min(1) })
      .strict()
      .optional(),
    /**
     * Load balancers or ingresses in front of the gateway (addresses or CIDRs). When the peer is one, the
     * client address (for failed-login limits, X-Forwarded-For and history) is the rightmost
     * X-Forwarded-For entry that is not. Default none: the TCP peer, and a client's X-Forwarded-For is ignored.
     */
    trustedProxies: z
      .array(
        z.string().refine((t) => {
          try {
            parseTrusted(t);
            return true;
          } catch {
            return false;
          }
        }, 'an IP address or a CIDR narrower than /0 (e.g. 10.0.0.0/8)'),
      )
      .default([]),
    /** Secret that signs the backend handle in follow-up URLs. Default: generated once and kept in the database. */
    affinitySecret: z.string().min(16).optional(),
    /**
     * Largest request header block accepted, in bytes (larger → 431). Default 2 MiB, Trino's own (its
     * CoordinatorModule raises http-server.max-request-header-size so prepared statements, which JDBC and
     * the other clients send in X-Trino-Prepared-Statement on every request, fit).
     */
    maxHeaderBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(2 * 1024 * 1024),
    /**
     * Seconds a client has to send a request's whole header block, counted from the connection's start (or
     * the end of its previous response); slower connections get 408 and are closed (slowloris). Default 10.
     */
    headersTimeoutSeconds: z.number().min(0.1).max(600).default(10),
    /**
     * Seconds a client has to send a whole request, headers and body, before it gets 408 and the connection is
     * closed (a statement body of up to 4 MB trickling in). Default 30: 4 MB at 140 KB/s.
     */
    requestTimeoutSeconds: z.number().min(0.1).max(3600).default(30),
    /**
     * Seconds a connection may stay silent both ways while a request is open (a client that stops reading its
     * answer, a relay nobody uses) before it is closed. Must exceed proxy.upstreamTimeoutMs so a backend's
     * slow answer is never cut. Default 180.
     */
    idleTimeoutSeconds: z.number().min(1).max(3600).default(180),
    /** Seconds an idle keep-alive connection stays open between requests. Default 65 (above common balancers' 60). */
    keepAliveTimeoutSeconds: z.number().min(0.1).max(3600).default(65),
    /**
     * Connections the kernel may hold for the gateway before it accepts them (the listen backlog; Linux caps it
     * at net.core.somaxconn). Default 8000, Trino's own (airlift's http-server.http.accept-queue-size): with
     * Node's 511, thousands of clients connecting at once overflow it and some are reset.
     */
    acceptQueueSize: z.number().int().min(1).max(65_535).default(8000),
    /** Seconds SIGTERM waits for in-flight requests before closing. Default 30. */
    shutdownGraceSeconds: z.number().min(0).max(3600).default(30),
    /**
     * Worker processes (node:cluster), each a full gateway on the same store; `auto` is one per core
     * (os.availableParallelism()). The primary process only supervises them. Default 1: one process.
     */
    workers: z
      .union([z.number().int().min(1).max(256), z.literal('auto')], {
        error: 'a whole number from 1 to 256, or auto',
      })
      .default(1),
  })
  .strict();

export const databaseSchema = z
  .object({
    /** SQLite file, or ':memory:'. Default ./data/switchyard.db (directory created when missing). Unused with url. */
    path: z.string().min(1).default('./data/switchyard.db'),
    /**
     * PostgreSQL connection URL (postgres://user:password@host:5432/db): the store replicas share. When set,
     * it replaces the SQLite file. Default: unset (SQLite).
     */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// or postgresql:// URL')
      .refine((u) => URL.canParse(u), 'is not a valid URL')
      .optional(),
    /** PostgreSQL connections per process (budget processes × (poolSize + 2) against max_connections). Default 10. */
    poolSize: z.number().int().min(1).max(200).default(10),
    /** Seconds to open a PostgreSQL connection before failing. Default 5. */
    connectTimeoutSeconds: z.number().min(0.1).max(300).default(5),
    /** Seconds one PostgreSQL query may take before the client gives up on it. Default 10. */
    queryTimeoutSeconds: z.number().min(0.1).max(3600).default(10),
  })
  .strict();

export type DatabaseConfig = z.infer<typeof databaseSchema>;

export const routingSchema = z
  .object({
    /** Group used when neither header, rule nor user picks one. Default adhoc. */
    defaultGroup: nameSchema.default('adhoc'),
    /**
     * Directory of routing rule files (*.yaml), relative to the config file; it must exist. Default ./rules
     * when that exists, else no rules.
     */
    rulesDir: z.string().min(1).optional(),
  })
  .strict();

export const groupSchema = z
  .object({
    name: nameSchema,
    /** Selection policy for new queries. Default least-loaded. */
    policy: z.enum(SELECTION_POLICIES).default('least-loaded'),
    /** Group whose backends take new queries when this group has none available. Default: none. */
    fallback: nameSchema.optional(),
    /** The gateway's own queue for this group (see queueSchema). Default: none, queries are not held. */
    queue: queueSchema.optional(),
  })
  .strict();

export const backendSchema = z
  .object({
    name: nameSchema,
    /** Coordinator URL the gateway talks to: scheme, host and port only (Trino's paths are fixed). */
    url: httpUrl.refine(isOrigin, 'scheme://host:port without a path (Trino serves /v1/... at its root)'),
    /** Routing group. */
    group: nameSchema,
    /** Whether the backend takes new queries (when healthy). Default true. */
    active: z.boolean().default(true),
    /** URL for people's browsers (cluster UI links). Default: none. */
    externalUrl: httpUrl.optional(),
    /** Weight for the weighted policy. Default 1. */
    weight: z.number().int().min(1).max(1000).default(1),
    /** How catalogs are applied: 'sql' (CREATE/DROP CATALOG) or 'rest' (/v1/catalog/add). Default sql. */
    catalogDriver: z.enum(['sql', 'rest']).default('sql'),
    /**
     * Whether the cluster processes forwarded headers (its `http-server.process-forwarded=true`). Then it
     * receives X-Forwarded-For/Proto/Host (and X-Forwarded-Prefix when server.publicUrl has a path) and
     * builds the gateway's URLs itself. Default false: a Trino ≥ 451 left at its default answers any
     * X-Forwarded-* header with 406, so the cluster receives none and the gateway rewrites its URLs.
     */
    processForwarded: z.boolean().default(false),
    /**
     * Whether the cluster receives the client's Authorization header: `always` when it checks the same
     * credentials itself, `never` when it trusts the gateway's X-Trino-User. Default: auth.forwardAuthorization.
     */
    forwardAuthorization: z.enum(['always', 'never']).optional(),
    /**
     * Other origins the cluster puts in the URLs it hands out (its own TLS load balancer, e.g.
     * https://trino-lb:8443): they are rewritten like `url`'s. Origins only, no paths. Default none.
     */
    advertisedUrls: z
      .array(httpUrl.refine((u) => /^https?:\/\/[^/]+\/?$/i.test(u), 'an origin without a path'))
      .max(16)
      .default([]),
  })
  .strict();

export const proxySchema = z
  .object({
    /**
     * Milliseconds to wait for a backend's response headers, and between body chunks (→ 504). Default 120000
     * (Trino long-polls ≤ 1 s). undici checks it on a timer of about one second's resolution.
     */
    upstreamTimeoutMs: z.number().int().min(100).default(120_000),
    /**
     * Connections per backend (opened on demand, idle ones closed by keep-alive). Every running or queued
     * query's long poll holds one for its wait, so the default covers what a cluster at Trino's defaults
     * admits (query.max-concurrent-queries 1000 + query.max-queued-queries 5000); beyond it, polls wait for
     * a connection (bench/README.md, issue 20). Default 6000.
     */
    maxSocketsPerBackend: z.number().int().min(1).default(6000),
    /** Minutes after which a query with no poll is treated as abandoned. Default 5 (Trino's client timeout). */
    abandonAfterMinutes: z.number().min(1).default(5),
    /**
     * Seconds a query whose poll found its cluster gone (refused, reset, or the cluster's 404) waits for an
     * answered poll before it is recorded FAILED and stops counting as load. Default 10.
     */
    lostQueryGraceSeconds: z.number().min(0.1).max(600).default(10),
    /**
     * Seconds after which a query whose first answer was never followed by a poll is recorded ABANDONED and
     * stops counting as load (clients poll at once; a flood of unpolled submissions must not hold a drain).
     * Default 60.
     */
    unpolledAbandonSeconds: z.number().min(1).max(3600).default(60),
    /** Queries one user may have running through the gateway at once; more → a failed query QUERY_QUEUE_FULL. Default 1000. */
    maxInFlightPerUser: z.number().int().min(1).default(1000),
    /** Queries one user may have that were never polled after their first answer; more → QUERY_QUEUE_FULL. Default 100. */
    maxUnpolledPerUser: z.number().int().min(1).default(100),
  })
  .strict();

export const historySchema = z
  .object({
    /** Days a history row is kept. Default 30. */
    retentionDays: z.number().int().min(1).default(30),
    /** Milliseconds between batched writes. Default 500. */
    flushIntervalMs: z.number().int().min(10).default(500),
    /**
     * Rows one history transaction writes at most; a larger flush is written in slices with the event loop
     * free between them (SQLite writes run on it). Default 64.
     */
    maxBatchRows: z.number().int().min(1).max(100_000).default(64),
    /** Events held in memory at most; beyond this new events are dropped and counted. Default 10000. */
    maxQueue: z.number().int().min(10).default(10_000),
    /**
     * Memory the queued events may hold, in bytes (their SQL and error text as held, plus 256 per event);
     * beyond it new events are dropped and counted. Default 33554432 (32 MiB).
     */
    maxQueueBytes: z
      .number()
      .int()
      .min(65_536)
      .default(32 * 1024 * 1024),
    /**
     * Bytes of a statement's SQL a history row keeps (UTF-8); a longer statement keeps this prefix, its
     * whole length and its SHA-256. Redaction works on this prefix only. Default 65536.
     */
    maxSqlBytes: z
      .number()
      .int()
      .min(256)
      .max(4 * 1024 * 1024)
      .default(65_536),
    /** Bytes of SQL one history API page carries at most; a page stops early (with a cursor) past it. Default 4194304. */
    maxPageBytes: z
      .number()
      .int()
      .min(65_536)
      .default(4 * 1024 * 1024),
    /**
     * Write each submission's row before the client sees its first answer (a crash loses no row); when
     * false, submissions are batched like completions. Default true.
     */
    durableSubmissions: z.boolean().default(true),
  })
  .strict();

export const logSchema = z
  .object({
    /** pino level: trace, debug, info, warn, error, fatal, silent. Default info. */
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /** `json` (one JSON object a line, for log collectors) or `pretty` (one readable line, for people). Default json. */
    format: z.enum(['json', 'pretty']).default('json'),
  })
  .strict();

export const metricsSchema = z
  .object({
    /** Serve /metrics. Default true. */
    enabled: z.boolean().default(true),
    /** When set, /metrics needs `Authorization: Bearer <token>`. Default: none. */
    token: z.string().min(1).optional(),
  })
  .strict();

export const healthSchema = z
  .object({
    /** Probe backends; when false every backend counts as HEALTHY. Default true. */
    enabled: z.boolean().default(true),
    /** Seconds between probe rounds (plus jitter). Default 5. */
    intervalSeconds: z.number().min(0.05).max(3600).default(5),
    /** Seconds one probe may take. Default 2. */
    timeoutSeconds: z.number().min(0.05).max(60).default(2),
    /** Random extra delay per round, as a fraction of the interval. Default 0.2. */
    jitter: z.number().min(0).max(1).default(0.2),
    /** Consecutive passes before UNHEALTHY/PENDING → HEALTHY. Default 2. */
    healthyThreshold: z.number().int().min(1).max(100).default(2),
    /** Consecutive failures before HEALTHY → UNHEALTHY. Default 2. */
    unhealthyThreshold: z.number().int().min(1).max(100).default(2),
    /**
     * How a backend is probed: `info` (GET /v1/info: up, starting, or down) or `info+stats` (the same, then
     * each healthy cluster's load from its web UI, /ui/api/stats, for least-loaded). Default info+stats.
     */
    probe: z.enum(HEALTH_PROBES).default('info+stats'),
    /** The cluster web UI's login, for the info+stats probe. */
    stats: z
      .object({
        /** UI form login user. Default switchyard. */
        user: z.string().min(1).default('switchyard'),
        /** UI form login password, when the cluster's UI needs one (use ${ENV:NAME}). Default none. */
        password: z.string().optional(),
      })
      .strict()
      .default({ user: 'switchyard' }),
  })
  .strict();

export const catalogsSchema = z
  .object({
    /**
     * Key that seals secret catalog properties at rest: base64 of 32 bytes (`${ENV:NAME}` works). Default:
     * read from sealKeyFile; when that file is missing a key is generated there with a warning.
     */
    sealKey: z.string().min(1).optional(),
    /** File holding the seal key. Default: catalog-seal.key beside the database file. */
    sealKeyFile: z.string().min(1).optional(),
    /** Property keys containing any of these (case-insensitive) are secret. Default password, passwd, passphrase, secret, token, key, credential. */
    secretPatterns: z
      .array(z.string().min(1))
      .min(1)
      .default([...DEFAULT_SECRET_PATTERNS]),
    /** Seconds between reconcile rounds over every backend. Default 30. */
    reconcileIntervalSeconds: z.number().min(0.05).max(86_400).default(30),
    /** Seconds one CREATE/DROP/SHOW CATALOGS may take on one backend. Default 30. */
    statementTimeoutSeconds: z.number().min(0.1).max(600).default(30),
    /** Trino user that runs reconcile statements (API changes run as the admin who made them). Default switchyard. */
    user: z.string().min(1).max(256).default('switchyard'),
  })
  .strict();
