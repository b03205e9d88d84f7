/**
 * How catalogs are applied to one Trino cluster: with SQL (`CREATE/DROP CATALOG`, Trino's dynamic
 * catalogs) or with the REST endpoints some forks offer (`POST /v1/catalog/add`,
 * `DELETE /v1/catalog/delete`). Both list catalogs with `SHOW CATALOGS`.
 *
 * Dropping a catalog that does not exist is a success (so reconciling converges); creating one that
 * already exists is a failure carrying the backend's message (the caller decides what it means).
 * `transport: true` marks failures without a backend verdict (unreachable, timeout, bad answer).
 */
import { createCatalogSql, dropCatalogSql } from './catalog-sql.js';
import type { BackendClient } from '../backends/backend-client.js';
import { runStatement, type StatementOutcome } from './statement-client.js';

export type FailedOutcome = { ok: false; message: string; errorName?: string; transport?: boolean };
export type ApplyOutcome = { ok: true } | FailedOutcome;
export type ListOutcome = { ok: true; names: string[] } | FailedOutcome;

export interface CatalogDriver {
  list(): Promise<ListOutcome>;
  create(name: string, connector: string, props: Record<string, string>): Promise<ApplyOutcome>;
  drop(name: string): Promise<ApplyOutcome>;
}

export interface DriverOptions {
  /** The backend's client (its one connection pool). */
  client: BackendClient;
  user: string;
  timeoutMs: number;
  /**
   * Told of every CREATE/DROP CATALOG that became a Trino query (it has a query id), with its outcome, so
   * the gateway can keep it in query history. SHOW CATALOGS (reconcile's every round) is not reported.
   */
  onQuery?: (q: { queryId: string; sql: string; startedAt: number; outcome: StatementOutcome }) => void;
}

const SOURCE = 'switchyard';
const MAX_MESSAGE = 500;

function failed(o: { message: string; errorName?: string; transport?: boolean }): FailedOutcome {
  return {
    ok: false,
    message: o.message,
    ...(o.errorName !== undefined ? { errorName: o.errorName } : {}),
    ...(o.transport ? { transport: true } : {}),
  };
}

async function listCatalogs(opts: DriverOptions): Promise<ListOutcome> {
  const r = await runStatement({ ...opts, sql: 'SHOW CATALOGS' });
  if (!r.ok) return failed(r);
  return { ok: true, names: r.rows.map((row) => String(row[0])) };
}

/** sqlDriver applies catalogs with CREATE CATALOG / DROP CATALOG statements. */
export function sqlDriver(opts: DriverOptions): CatalogDriver {
  const run = async (sql: string, okErrors: readonly string[] = []): Promise<ApplyOutcome> => {
    const startedAt = Date.now();
    const r = await runStatement({ ...opts, sql });
    if (r.queryId) opts.onQuery?.({ queryId: r.queryId, sql, startedAt, outcome: r });
    if (r.ok || okErrors.includes(r.errorName)) return { ok: true };
    return failed(r);
  };
  return {
    list: () => listCatalogs(opts),
    create: (name, connector, props) => run(createCatalogSql(name, connector, props)),
    drop: (name) => run(dropCatalogSql(name), ['CATALOG_NOT_FOUND']),
  };
}

/** restDriver applies catalogs with the forks' REST endpoints; non-2xx answers fail with their body text. */
export function restDriver(opts: DriverOptions): CatalogDriver {
  const headers = { 'x-trino-user': opts.user, 'x-trino-source': SOURCE };
  const call = async (
    method: 'POST' | 'DELETE',
    path: string,
    body?: string,
    notFoundIsOk = false,
  ): Promise<ApplyOutcome> => {
    const r = await opts.client.call({
      method,
      path,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body,
      deadline: Date.now() + opts.timeoutMs,
    });
    if (!r.ok) return failed({ ...r, transport: true });
    if (r.status >= 200 && r.status < 300) return { ok: true };
    const errorName = errorNameOf(r.body);
    if (notFoundIsOk && r.status === 404 && errorName === 'CATALOG_NOT_FOUND') return { ok: true };
    return failed({
      message: r.body.trim().slice(0, MAX_MESSAGE) || `HTTP ${r.status}`,
      errorName: errorName ?? `HTTP_${r.status}`,
      transport: r.status === 502 || r.status === 503 || r.status === 504,
    });
  };
  return {
    list: () => listCatalogs(opts),
    create: (name, connector, props) =>
      call(
        'POST',
        '/v1/catalog/add',
        JSON.stringify({ catalogName: name, connectorName: connector, properties: props }),
      ),
    drop: (name) =>
      call('DELETE', `/v1/catalog/delete?catalogName=${encodeURIComponent(name)}`, undefined, true),
  };
}

/** errorNameOf reads `errorName` from a JSON error body (Trino's QueryError shape), if there is one. */
function errorNameOf(body: string): string | undefined {
  try {
    const doc = JSON.parse(body) as { errorName?: unknown; error?: { errorName?: unknown } };
    const name = doc?.errorName ?? doc?.error?.errorName;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
