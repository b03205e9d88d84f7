import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * The PostgreSQL schema: the same tables, columns and indexes as the SQLite one (schema.ts), in
 * PostgreSQL's types. Times are epoch milliseconds in bigint (read as JS numbers), flags are boolean, lists
 * and maps are jsonb. schema-shape.ts checks at compile time that every table reads and writes the same
 * TypeScript shape in both dialects, so the adapters share their record types.
 */
const ms = (name: string) => bigint(name, { mode: 'number' });

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const backends = pgTable('backends', {
  name: text('name').primaryKey(),
  url: text('url').notNull(),
  externalUrl: text('external_url'),
  groupName: text('group_name').notNull(),
  active: boolean('active').notNull().default(true),
  weight: integer('weight').notNull().default(1),
  catalogDriver: text('catalog_driver').notNull().default('sql'),
  processForwarded: boolean('process_forwarded').notNull().default(false),
  forwardAuthorization: text('forward_authorization'),
  /** JSON array of origins (text, as in SQLite, so both adapters parse the same value). */
  advertisedUrls: text('advertised_urls'),
  deletedAt: ms('deleted_at'),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const routingGroups = pgTable('routing_groups', {
  name: text('name').primaryKey(),
  policy: text('policy').notNull().default('least-loaded'),
  fallback: text('fallback'),
  deletedAt: ms('deleted_at'),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const users = pgTable('users', {
  name: text('name').primaryKey(),
  passwordHash: text('password_hash').notNull(),
  groups: jsonb('groups').$type<string[]>().notNull(),
  roles: jsonb('roles').$type<string[]>().notNull(),
  defaultGroup: text('default_group'),
  impersonate: jsonb('impersonate').$type<string[]>(),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const queryHistory = pgTable(
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
    sql: text('sql').notNull(),
    sqlBytes: integer('sql_bytes'),
    sqlSha256: text('sql_sha256'),
    submittedAt: ms('submitted_at').notNull(),
    finishedAt: ms('finished_at'),
    state: text('state').notNull(),
    errorName: text('error_name'),
    errorType: text('error_type'),
    errorMessage: text('error_message'),
    elapsedMs: ms('elapsed_ms'),
    /** Milliseconds the query waited in the gateway's own queue before a cluster got it; null when it did not wait. */
    queuedMs: ms('queued_ms'),
    rows: bigint('rows', { mode: 'number' }),
    bytes: bigint('bytes', { mode: 'number' }),
  },
  (t) => [
    index('query_history_submitted_idx').on(t.submittedAt),
    index('query_history_user_idx').on(t.user, t.submittedAt),
    index('query_history_backend_idx').on(t.backend, t.submittedAt),
    index('query_history_group_idx').on(t.routingGroup, t.submittedAt),
    index('query_history_state_idx').on(t.state, t.submittedAt),
  ],
);

export const queryAffinity = pgTable(
  'query_affinity',
  {
    queryId: text('query_id').primaryKey(),
    backend: text('backend').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('query_affinity_created_idx').on(t.createdAt)],
);

export const transactionAffinity = pgTable('transaction_affinity', {
  transactionId: text('transaction_id').primaryKey(),
  backend: text('backend').notNull(),
  createdAt: ms('created_at').notNull(),
});

export const catalogSpecs = pgTable(
  'catalog_specs',
  {
    groupName: text('group_name').notNull(),
    name: text('name').notNull(),
    connector: text('connector').notNull(),
    properties: jsonb('properties').$type<Record<string, string>>().notNull(),
    version: integer('version').notNull().default(1),
    desired: text('desired').notNull().default('present'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupName, t.name] })],
);

export const catalogDeployments = pgTable(
  'catalog_deployments',
  {
    groupName: text('group_name').notNull(),
    catalogName: text('catalog_name').notNull(),
    backend: text('backend').notNull(),
    state: text('state').notNull(),
    specVersion: integer('spec_version').notNull(),
    error: text('error'),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupName, t.catalogName, t.backend] })],
);

export const ruleVersions = pgTable('rule_versions', {
  /** Assigned by the saver (newest + 1); identity only to mirror SQLite's INTEGER PRIMARY KEY (a rowid). */
  version: integer('version').primaryKey().generatedByDefaultAsIdentity(),
  yaml: text('yaml').notNull(),
  author: text('author').notNull(),
  summary: text('summary').notNull(),
  createdAt: ms('created_at').notNull(),
});

/** The gateway queue's slot counts shared by replicas (see schema.ts). */
export const queueSlots = pgTable(
  'queue_slots',
  {
    key: text('key').notNull(),
    replica: text('replica').notNull(),
    running: integer('running').notNull(),
    leaseUntil: ms('lease_until'),
  },
  (t) => [primaryKey({ columns: [t.key, t.replica] })],
);

/** Failed logins counted for every replica (see schema.ts). */
export const loginFailures = pgTable('login_failures', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  firstAt: ms('first_at').notNull(),
  blockedUntil: ms('blocked_until').notNull(),
});
