/**
 * A minimal Trino statement client for the gateway's own statements (catalog broadcast), over node:http
 * so a connection agent can be passed. Follows Trino's client protocol (StatementClientV1): POST
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
import http from 'node:http';
import https from 'node:https';

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

export interface HttpCallResult {
  status: number;
  body: string;
}
export type HttpCallOutcome =
  | ({ ok: true } & HttpCallResult)
  | { ok: false; errorName: 'BACKEND_UNREACHABLE' | 'BACKEND_TIMEOUT'; message: string };

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface HttpCallOptions {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  deadline: number;
  agent?: http.Agent;
}

/**
 * httpCall makes one request and reads the whole answer as text, until `deadline` (epoch ms). Transport
 * failures and the deadline are outcomes, not exceptions. A reset of a reused keep-alive connection before
 * any answer is retried once on a fresh one (the server closed an idle connection; Node's documented
 * pattern, and what OkHttp does for Trino's own clients).
 */
export async function httpCall(opts: HttpCallOptions): Promise<HttpCallOutcome> {
  const first = await httpCallOnce(opts);
  return first.staleSocket ? (await httpCallOnce(opts)).outcome : first.outcome;
}

function httpCallOnce(opts: HttpCallOptions): Promise<{ outcome: HttpCallOutcome; staleSocket?: boolean }> {
  return new Promise((resolveOnce) => {
    let stale = false;
    const resolve = (outcome: HttpCallOutcome) => resolveOnce({ outcome, staleSocket: stale });
    let url: URL;
    try {
      url = new URL(opts.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('unsupported protocol');
    } catch {
      return resolve({ ok: false, errorName: 'BACKEND_UNREACHABLE', message: 'invalid backend URL' });
    }
    const where = `${opts.method} ${url.pathname}`;
    const remaining = opts.deadline - Date.now();
    if (remaining <= 0)
      return resolve({ ok: false, errorName: 'BACKEND_TIMEOUT', message: `${where}: timed out` });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (o: HttpCallOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const headers: Record<string, string | number> = { ...opts.headers };
    const payload = opts.body === undefined ? undefined : Buffer.from(opts.body, 'utf8');
    if (payload) headers['content-length'] = payload.length;
    const lib = url.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    try {
      req = lib.request(url, { method: opts.method, headers, agent: opts.agent }, onResponse);
    } catch (e) {
      // e.g. a header value with a control character: node refuses before any I/O
      return finish({
        ok: false,
        errorName: 'BACKEND_UNREACHABLE',
        message: `${where}: ${(e as Error).message}`,
      });
    }
    let gotResponse = false;
    function onResponse(res: http.IncomingMessage): void {
      gotResponse = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy();
          finish({ ok: false, errorName: 'BACKEND_UNREACHABLE', message: `${where}: response too large` });
        } else chunks.push(c);
      });
      res.on('end', () =>
        finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (e) => finish(transportFailure(where, e)));
      res.on('aborted', () => finish(transportFailure(where, new Error('response aborted'))));
    }
    timer = setTimeout(() => {
      finish({ ok: false, errorName: 'BACKEND_TIMEOUT', message: `${where}: timed out` });
      req.destroy();
    }, remaining);
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (!gotResponse && req.reusedSocket && e.code === 'ECONNRESET') stale = true;
      finish(transportFailure(where, e));
    });
    req.end(payload);
  });
}

function transportFailure(where: string, e: NodeJS.ErrnoException): HttpCallOutcome {
  const what =
    e.code === 'ECONNREFUSED'
      ? 'connection refused'
      : e.code === 'ECONNRESET'
        ? 'connection reset'
        : (e.code ?? e.message ?? 'transport error');
  return { ok: false, errorName: 'BACKEND_UNREACHABLE', message: `${where}: ${what}` };
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);

interface QueryResultsJson {
  id?: unknown;
  nextUri?: unknown;
  data?: unknown;
  error?: { errorName?: unknown; errorType?: unknown; message?: unknown };
}

/** runStatement runs one SQL statement to completion and returns its rows or its failure. */
export async function runStatement(opts: {
  baseUrl: string;
  sql: string;
  user: string;
  timeoutMs: number;
  agent?: http.Agent;
  headers?: Record<string, string>;
}): Promise<StatementOutcome> {
  const deadline = Date.now() + opts.timeoutMs;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['x-trino-source'] ??= 'switchyard';
  headers['x-trino-user'] = opts.user;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const rows: unknown[][] = [];

  let res = await httpCall({
    method: 'POST',
    url: `${base}/v1/statement`,
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
    body: opts.sql,
    deadline,
    agent: opts.agent,
  });
  let current: string | undefined;
  let queryId: string | undefined;
  for (;;) {
    if (!res.ok) {
      if (current !== undefined && res.errorName === 'BACKEND_TIMEOUT') cancel(current, headers, opts.agent);
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
    const next = sameOrigin(doc.nextUri, base);
    if (!next) {
      if (current !== undefined) cancel(current, headers, opts.agent);
      return {
        ok: false,
        errorName: 'BACKEND_BAD_RESPONSE',
        message: `backend's nextUri points away from ${new URL(base).origin} (${doc.nextUri.slice(0, 200)}); not followed`,
        transport: true,
      };
    }
    current = next;
    res = await poll(current, headers, deadline, opts.agent);
  }
}

/**
 * sameOrigin resolves a nextUri against the backend's URL and returns it only when it stays on the
 * backend's origin: the gateway's own SQL carries its user (and any credentials) to no other host.
 */
function sameOrigin(uri: string, base: string): string | undefined {
  try {
    const u = new URL(uri, base);
    return u.origin === new URL(base).origin ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** poll GETs a nextUri, retrying 502/503/504 and connection failures with back-off until the deadline. */
async function poll(
  uri: string,
  headers: Record<string, string>,
  deadline: number,
  agent: http.Agent | undefined,
): Promise<HttpCallOutcome> {
  for (let attempt = 1; ; attempt++) {
    const res = await httpCall({ method: 'GET', url: uri, headers, deadline, agent });
    const retry = res.ok ? RETRYABLE_STATUS.has(res.status) : res.errorName === 'BACKEND_UNREACHABLE';
    if (!retry) return res;
    const wait = Math.min(100 * attempt, 1000);
    if (Date.now() + wait >= deadline) return res;
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** cancel abandons a query (DELETE of its nextUri), fire and forget, bounded to one second. */
function cancel(uri: string, headers: Record<string, string>, agent: http.Agent | undefined): void {
  void httpCall({ method: 'DELETE', url: uri, headers, deadline: Date.now() + 1000, agent });
}
