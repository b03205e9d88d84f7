import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Small key/value facts the gateway keeps across restarts (e.g. the generated affinity secret). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Backends: seeded from config, then changed by the admin API. Deletes are soft so a seed never resurrects. */
export const backends = sqliteTable('backends', {
  name: text('name').primaryKey(),
  url: text('url').notNull(),
  externalUrl: text('external_url'),
  groupName: text('group_name').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  weight: integer('weight').notNull().default(1),
  catalogDriver: text('catalog_driver').notNull().default('sql'),
  processForwarded: integer('process_forwarded', { mode: 'boolean' }).notNull().default(false),
  forwardAuthorization: text('forward_authorization'),
  /** JSON array of origins. */
  advertisedUrls: text('advertised_urls'),
  deletedAt: integer('deleted_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const routingGroups = sqliteTable('routing_groups', {
  name: text('name').primaryKey(),
  policy: text('policy').notNull().default('least-loaded'),
  fallback: text('fallback'),
  deletedAt: integer('deleted_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Users added through the admin API (config users live in config). Passwords are stored hashed only. */
export const users = sqliteTable('users', {
  name: text('name').primaryKey(),
  passwordHash: text('password_hash').notNull(),
  groups: text('groups', { mode: 'json' }).$type<string[]>().notNull(),
  roles: text('roles', { mode: 'json' }).$type<string[]>().notNull(),
  defaultGroup: text('default_group'),
  impersonate: text('impersonate', { mode: 'json' }).$type<string[]>(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** One row per query routed by the gateway. */
export const queryHistory = sqliteTable(
  'query_history',
  {
    queryId: text('query_id').primaryKey(),
    user: text('user').notNull(),
    source: text('source'),
    clientAddress: text('client_address'),
    routingGroup: text('routing_group').notNull(),
    rule: text('rule'),
    policy: text('policy'),
    backend: text('backend').notNull(),
    /** The statement as stored: its first history.maxSqlBytes, secrets redacted. */
    sql: text('sql').notNull(),
    /** UTF-8 length of the statement as submitted (more than `sql` holds when it was cut). */
    sqlBytes: integer('sql_bytes'),
    /** SHA-256 (hex) of the whole statement as submitted; null when it names a catalog (could confirm a guessed secret). */
    sqlSha256: text('sql_sha256'),
    submittedAt: integer('submitted_at').notNull(),
    finishedAt: integer('finished_at'),
    state: text('state').notNull(),
    errorName: text('error_name'),
    errorType: text('error_type'),
    errorMessage: text('error_message'),
    elapsedMs: integer('elapsed_ms'),
    /** Milliseconds the query waited in the gateway's own queue before a cluster got it; null when it did not wait. */
    queuedMs: integer('queued_ms'),
    rows: integer('rows'),
    bytes: integer('bytes'),
  },
  (t) => [
    index('query_history_submitted_idx').on(t.submittedAt),
    index('query_history_user_idx').on(t.user, t.submittedAt),
    index('query_history_backend_idx').on(t.backend, t.submittedAt),
    index('query_history_group_idx').on(t.routingGroup, t.submittedAt),
    index('query_history_state_idx').on(t.state, t.submittedAt),
  ],
);

/** query id → owning backend, written before the client sees the first response. */
export const queryAffinity = sqliteTable(
  'query_affinity',
  {
    queryId: text('query_id').primaryKey(),
    backend: text('backend').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('query_affinity_created_idx').on(t.createdAt)],
);

/** transaction id → owning backend, from X-Trino-Started-Transaction-Id until the transaction clears. */
export const transactionAffinity = sqliteTable('transaction_affinity', {
  transactionId: text('transaction_id').primaryKey(),
  backend: text('backend').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * Failed logins counted for every replica (the limiter's keys: `p:` address and user, `u:` user, `a:`
 * address; long names are digests): failures in the window since first_at, and a block until blocked_until.
 */
export const loginFailures = sqliteTable('login_failures', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  firstAt: integer('first_at').notNull(),
  blockedUntil: integer('blocked_until').notNull(),
});

/** Desired state of a catalog in a routing group. Secret property values are sealed (JWE). */
export const catalogSpecs = sqliteTable(
  'catalog_specs',
  {
    groupName: text('group_name').notNull(),
    name: text('name').notNull(),
    connector: text('connector').notNull(),
    properties: text('properties', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    version: integer('version').notNull().default(1),
    /** 'present' or 'absent' (deleted: kept until every backend dropped it). */
    desired: text('desired').notNull().default('present'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupName, t.name] })],
);

/** State of one catalog spec on one backend: pending, applied, failed, dropping. */
export const catalogDeployments = sqliteTable(
  'catalog_deployments',
  {
    groupName: text('group_name').notNull(),
    catalogName: text('catalog_name').notNull(),
    backend: text('backend').notNull(),
    state: text('state').notNull(),
    specVersion: integer('spec_version').notNull(),
    error: text('error'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupName, t.catalogName, t.backend] })],
);

/**
 * Routing rules edited through the API or the console: every save is a new version holding the whole
 * database rule set as YAML (the newest version is in force), with who saved it and what changed: the
 * audit trail. Rule files stay in rules/ and are never written here.
 */
export const ruleVersions = sqliteTable('rule_versions', {
  version: integer('version').primaryKey(),
  yaml: text('yaml').notNull(),
  author: text('author').notNull(),
  /** What changed against the previous version: rules added, changed, removed; or the note given. */
  summary: text('summary').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * The gateway queue's slot counts shared by replicas (PostgreSQL, src/queue/pg-slot-store.ts; single-node
 * mode counts in memory and leaves this table empty). `key` is `b:<backend>` or `u:["<group>","<user>"]`. The
 * row of replica `*` is the count across replicas, taken only while below the limit; a replica's own row
 * is its share of it, with the lease its heartbeat extends: a dead replica's shares are given back.
 */
export const queueSlots = sqliteTable(
  'queue_slots',
  {
    key: text('key').notNull(),
    replica: text('replica').notNull(),
    running: integer('running').notNull(),
    leaseUntil: integer('lease_until'),
  },
  (t) => [primaryKey({ columns: [t.key, t.replica] })],
);
