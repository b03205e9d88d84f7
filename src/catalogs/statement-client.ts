/**
 * A minimal Trino statement client for the gateway's own statements (catalog broadcast), on the backend's
 * BackendClient (its one connection pool). Follows Trino's client protocol (StatementClientV1): POST
 * /v1/statement once (never retried: it is not idempotent), then GET each `nextUri` until none is left;
 * a 502/503/504 or a connection failure on a `nextUri` is retried with a short growing back-off, like
 * Trino's clients. The whole statement is bounded by `timeoutMs`; on timeout the in-flight request is
 * aborted and the query cancelled (best effort, DELETE of the last `nextUri`).
 *
 * Outcomes: a Trino verdict (`error` in the results) → `{ok:false, errorName, errorType, message}`.
 * No verdict → `{ok:false, transport:true, …}` with errorName BACKEND_UNREACHABLE (connection refused/reset,
 * 502/503/504), BACKEND_TIMEOUT, BACKEND_HTTP_ERROR (another status) or BACKEND_BAD_RESPONSE (not the
 * protocol's JSON); for a statement that changes state, `transport` means the outcome is unknown.
 */
import type { BackendAnswer, BackendClient } from '../backends/backend-client.js';

/** queryId: the id Trino gave the statement, when it got that far (for the gateway's own history rows). */
export type StatementOutcome =
  | { ok: true; rows: unknown[][]; queryId?: string }
  | {
      ok: false;
      errorName: string;
      errorType?: string;
      message: string;
      transport?: boolean;
      queryId?: string;
    };

const RETRYABLE_STATUS = new Set([502, 503, 504]);

interface QueryResultsJson {
  id?: unknown;
  nextUri?: unknown;
  data?: unknown;
  error?: { errorName?: unknown; errorType?: unknown; message?: unknown };
}

/** runStatement runs one SQL statement to completion on the client's backend and returns its rows or its failure. */
export async function runStatement(opts: {
  client: BackendClient;
  sql: string;
  user: string;
  timeoutMs: number;
  headers?: Record<string, string>;
}): Promise<StatementOutcome> {
  const { client } = opts;
  const deadline = Date.now() + opts.timeoutMs;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['x-trino-source'] ??= 'switchyard';
  headers['x-trino-user'] = opts.user;
  const rows: unknown[][] = [];

  let res = await client.call({
    method: 'POST',
    path: '/v1/statement',
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
    body: opts.sql,
    deadline,
  });
  let current: string | undefined;
  let queryId: string | undefined;
  for (;;) {
    if (!res.ok) {
      if (current !== undefined && res.errorName === 'BACKEND_TIMEOUT') cancel(client, current, headers);
      return { ok: false, errorName: res.errorName, message: res.message, transport: true };
    }
    if (res.status !== 200) {
      const unavailable = RETRYABLE_STATUS.has(res.status);
      return {
        ok: false,
        errorName: unavailable ? 'BACKEND_UNREACHABLE' : 'BACKEND_HTTP_ERROR',
        message: `HTTP ${res.status}: ${res.body.slice(0, 500)}`,
        transport: true,
      };
    }
    let doc: QueryResultsJson;
    try {
      doc = JSON.parse(res.body) as QueryResultsJson;
      if (typeof doc !== 'object' || doc === null) throw new Error('not an object');
    } catch {
      return {
        ok: false,
        errorName: 'BACKEND_BAD_RESPONSE',
        message: 'backend answered with something other than Trino query results',
        transport: true,
      };
    }
    if (Array.isArray(doc.data)) for (const r of doc.data) if (Array.isArray(r)) rows.push(r);
    if (typeof doc.id === 'string') queryId ??= doc.id;
    if (doc.error) {
      const e = doc.error;
      return {
        ok: false,
        errorName: typeof e.errorName === 'string' ? e.errorName : 'GENERIC_INTERNAL_ERROR',
        ...(typeof e.errorType === 'string' ? { errorType: e.errorType } : {}),
        message: typeof e.message === 'string' ? e.message : 'query failed',
        ...(queryId ? { queryId } : {}),
      };
    }
    if (typeof doc.nextUri !== 'string') return { ok: true, rows, ...(queryId ? { queryId } : {}) };
    const next = pathOnOrigin(doc.nextUri, client.origin);
    if (!next) {
      if (current !== undefined) cancel(client, current, headers);
      return {
        ok: false,
        errorName: 'BACKEND_BAD_RESPONSE',
        message: `backend's nextUri points away from ${client.origin} (${doc.nextUri.slice(0, 200)}); not followed`,
        transport: true,
      };
    }
    current = next;
    res = await poll(client, current, headers, deadline);
  }
}

/**
 * pathOnOrigin resolves a nextUri against the backend's origin and returns its path and query only when it
 * stays on that origin: the gateway's own SQL carries its user (and any credentials) to no other host.
 */
function pathOnOrigin(uri: string, origin: string): string | undefined {
  try {
    const u = new URL(uri, origin);
    return u.origin === origin ? u.pathname + u.search : undefined;
  } catch {
    return undefined;
  }
}

/** poll GETs a nextUri, retrying 502/503/504 and connection failures with back-off until the deadline. */
async function poll(
  client: BackendClient,
  path: string,
  headers: Record<string, string>,
  deadline: number,
): Promise<BackendAnswer> {
  for (let attempt = 1; ; attempt++) {
    const res = await client.call({ method: 'GET', path, headers, deadline });
    const retry = res.ok ? RETRYABLE_STATUS.has(res.status) : res.errorName === 'BACKEND_UNREACHABLE';
    if (!retry) return res;
    const wait = Math.min(100 * attempt, 1000);
    if (Date.now() + wait >= deadline) return res;
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** cancel abandons a query (DELETE of its nextUri), fire and forget, bounded to one second. */
function cancel(client: BackendClient, path: string, headers: Record<string, string>): void {
  void client.call({ method: 'DELETE', path, headers, deadline: Date.now() + 1000 });
}
