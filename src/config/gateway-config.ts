import { z } from 'zod';
import { authConfigSchema } from '../auth/auth-config.js';
import {
  backendSchema,
  catalogsSchema,
  databaseSchema,
  groupSchema,
  healthSchema,
  historySchema,
  logSchema,
  metricsSchema,
  proxySchema,
  routingSchema,
  serverSchema,
} from './schema.js';

/** The whole gateway.config.yaml. Sections default to {} so an empty file is a valid (if useless) config. */
export const gatewayConfigSchema = z
  .object({
    server: serverSchema.default(serverSchema.parse({})),
    database: databaseSchema.default(databaseSchema.parse({})),
    routing: routingSchema.default(routingSchema.parse({})),
    groups: z.array(groupSchema).default([]),
    backends: z.array(backendSchema).default([]),
    proxy: proxySchema.default(proxySchema.parse({})),
    history: historySchema.default(historySchema.parse({})),
    log: logSchema.default(logSchema.parse({})),
    metrics: metricsSchema.default(metricsSchema.parse({})),
    health: healthSchema.default(healthSchema.parse({})),
    auth: authConfigSchema.default(authConfigSchema.parse({})),
    catalogs: catalogsSchema.default(catalogsSchema.parse({})),
    /**
     * Who owns the groups, backends and users this file declares. `seed`: the file fills an empty database
     * and the database wins afterwards (admin API changes stay; a start where the two disagree logs the
     * differences). `file`: the file wins, at start and on every reload (SIGHUP): its entries are written
     * over the database's, entries it declared before and no longer does are deleted, and the admin API
     * refuses to change them (409). Default seed.
     */
    configAuthority: z.enum(['seed', 'file']).default('seed'),
  })
  .strict();

type Parsed = z.infer<typeof gatewayConfigSchema>;

/** The validated, defaulted and frozen configuration every module receives. */
export type GatewayConfig = Parsed & {
  server: Parsed['server'] & { publicUrl: string };
  /** Directory of the config file; relative paths in the config resolve against it. */
  baseDir: string;
};

export interface ConfigIssue {
  path: string;
  message: string;
}

/** crossCheck returns the problems zod cannot see: unknown group references and duplicate names. */
export function crossCheck(cfg: Parsed): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const groups = new Set<string>();
  cfg.groups.forEach((g, i) => {
    if (groups.has(g.name))
      issues.push({ path: `groups[${i}].name`, message: `duplicate group "${g.name}"` });
    groups.add(g.name);
  });
  cfg.groups.forEach((g, i) => {
    if (g.fallback && !groups.has(g.fallback))
      issues.push({ path: `groups[${i}].fallback`, message: `unknown group "${g.fallback}"` });
    if (g.fallback === g.name)
      issues.push({ path: `groups[${i}].fallback`, message: 'a group cannot fall back to itself' });
  });
  const names = new Set<string>();
  cfg.backends.forEach((b, i) => {
    if (names.has(b.name))
      issues.push({ path: `backends[${i}].name`, message: `duplicate backend "${b.name}"` });
    names.add(b.name);
    if (!groups.has(b.group))
      issues.push({
        path: `backends[${i}].group`,
        message: `unknown group "${b.group}" (declare it under groups)`,
      });
  });
  cfg.auth.users.forEach((u, i) => {
    for (const g of [...u.groups, ...(u.defaultGroup ? [u.defaultGroup] : [])])
      if (g !== '*' && groups.size > 0 && !groups.has(g))
        issues.push({ path: `auth.users[${i}].groups`, message: `unknown group "${g}"` });
  });
  const srv = cfg.server;
  if (srv.headersTimeoutSeconds > srv.requestTimeoutSeconds)
    issues.push({
      path: 'server.headersTimeoutSeconds',
      message: 'must not exceed server.requestTimeoutSeconds (the headers are part of the request)',
    });
  if (srv.idleTimeoutSeconds * 1000 <= cfg.proxy.upstreamTimeoutMs)
    issues.push({
      path: 'server.idleTimeoutSeconds',
      message: `must exceed proxy.upstreamTimeoutMs (${cfg.proxy.upstreamTimeoutMs} ms), or a slow backend's answer is cut`,
    });
  if (groups.size > 0 && !groups.has(cfg.routing.defaultGroup))
    issues.push({ path: 'routing.defaultGroup', message: `unknown group "${cfg.routing.defaultGroup}"` });
  // Replicas on one PostgreSQL must open each other's sealed catalog secrets: a key generated beside a
  // local database file would differ per replica.
  if (cfg.database.url !== undefined && !cfg.catalogs.sealKey && !cfg.catalogs.sealKeyFile)
    issues.push({
      path: 'catalogs.sealKey',
      message:
        'required with database.url (replicas share the catalog secrets): set catalogs.sealKey (${ENV:NAME}) or catalogs.sealKeyFile to the same key on every replica',
    });
  issues.push(...workerIssues(cfg));
  if (cfg.auth.oidc && cfg.auth.mode === 'none')
    issues.push({
      path: 'auth.oidc',
      message: 'needs auth.mode: password (mode none trusts X-Trino-User as sent)',
    });
  return issues;
}

/** workerIssues: what several worker processes (server.workers) cannot share. */
function workerIssues(cfg: Parsed): ConfigIssue[] {
  if (cfg.server.workers === 1) return [];
  const issues: ConfigIssue[] = [];
  if (cfg.database.url === undefined && cfg.database.path === ':memory:')
    issues.push({
      path: 'server.workers',
      message:
        'needs a database the workers share: database.path is :memory:, private to each process (set a file path, or server.workers: 1)',
    });
  cfg.groups.forEach((g, i) => {
    if (g.queue)
      issues.push({
        path: `groups[${i}].queue`,
        message:
          'holds waiting queries in one process, so it needs server.workers: 1 (remove the queue or the workers setting)',
      });
  });
  return issues;
}
