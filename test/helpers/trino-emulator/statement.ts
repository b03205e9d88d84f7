/**
 * The statement protocol, written from QueuedStatementResource (POST /v1/statement → QUEUED,
 * /v1/statement/queued/{id}/{slug}/{token}) and ExecutingStatementResource
 * (/v1/statement/executing/{id}/{slug}/{token}, DELETE cancels), with KillQueryProcedure's effect.
 */
import type http from 'node:http';
import { queryError, column, type QueryErrorJson } from './protocol.js';
import { plan, type Plan } from './sql.js';
import { sessionMap } from './session-sql.js';
import { text } from './http-util.js';
import type { RequestView } from './gate.js';
import { negotiate } from './spooling.js';
import { sendPage, type Page } from './results.js';
import type { EmulatorCore, Query } from './core.js';

export function submit(
  core: EmulatorCore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  v: RequestView,
  principal: string,
  sqlBuf: Buffer,
): void {
  const h = req.headers;
  const get = (n: string) => {
    const x = h[v.family + n];
    return Array.isArray(x) ? x[0] : x;
  };
  const user = get('user') || principal;
  const sql = sqlBuf.toString('utf8');
  if (!sql.trim()) return text(res, 400, 'SQL statement is empty');
  const txn = get('transaction-id');
  let p: Plan;
  if (txn && txn.toUpperCase() !== 'NONE' && !core.cluster.transactions.has(txn))
    p = {
      kind: 'error',
      error: queryError(
        'UNKNOWN_TRANSACTION',
        `Unknown transaction ID: ${txn}. Possibly expired? Commands ignored until end of transaction block`,
      ),
    };
  else
    p = plan(
      sql,
      {
        user,
        catalog: get('catalog'),
        schema: get('schema'),
        properties: sessionMap(h[`${v.family}session`]),
        prepared: sessionMap(h[`${v.family}prepared-statement`]),
        transactionId: txn,
      },
      core.cluster,
    );
  const id = core.ids.next();
  const q: Query = {
    id,
    sql,
    user,
    principal,
    state: 'QUEUED',
    headers: { ...h },
    family: v.family,
    plan: p,
    encoding: core.settings.spooling ? negotiate(h[`${v.family}query-data-encoding`]) : undefined,
    created: Date.now(),
    queuedLeft: core.settings.queuedPages,
    emptyLeft: core.settings.executingPages,
    offset: 0,
    expect: { phase: 'queued', token: 1 },
    canceled: false,
  };
  core.queries.set(id, q);
  sendPage(core, req, res, v, q, { state: 'QUEUED', next: { phase: 'queued', token: 1 } });
}

export async function poll(
  core: EmulatorCore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  v: RequestView,
  m: { phase: 'queued' | 'executing'; id: string; slug: string; token: number; maxWait: string | null },
): Promise<void> {
  const q = core.queries.get(m.id);
  const ctx = m.phase === 'queued' ? 'QUEUED_QUERY' : 'EXECUTING_QUERY';
  if (!q || !core.slug.isValid(ctx, m.slug, m.token)) return text(res, 404, 'Query not found');
  if (req.method === 'DELETE') {
    cancel(q);
    res.writeHead(204).end();
    return;
  }
  const key = `${m.phase}:${m.token}`;
  if (q.last?.key === key) return sendPage(core, req, res, v, q, q.last.page);
  if (q.expect.phase !== m.phase || m.token !== q.expect.token) return text(res, 410, 'Invalid token');
  const page = await advance(core, q, m.phase, m.maxWait);
  page.elapsedMs = Date.now() - q.created;
  q.last = { key, page };
  sendPage(core, req, res, v, q, page);
}

export function cancel(q: Query): void {
  q.canceled = true;
  if (q.state === 'QUEUED' || q.state === 'RUNNING') q.state = 'FAILED';
}

/** killQuery is KillQueryProcedure: it fails a running query of this cluster, or says it is unknown. */
export function killQuery(
  core: EmulatorCore,
  id: string,
  message: string | undefined,
): QueryErrorJson | undefined {
  const q = core.queries.get(id);
  if (!q) return queryError('NOT_FOUND', `Target query not found: ${id}`);
  if (q.state === 'FINISHED' || q.state === 'FAILED' || q.killed)
    return queryError('NOT_SUPPORTED', `Target query is not running: ${id}`);
  q.killed = queryError(
    'ADMINISTRATIVELY_KILLED',
    `Query killed. ${message ? `Message: ${message}` : 'No message provided.'}`,
  );
  q.state = 'FAILED';
  return undefined;
}

/** advance produces the page for the expected token and moves the query on. */
async function advance(
  core: EmulatorCore,
  q: Query,
  phase: 'queued' | 'executing',
  maxWait: string | null,
): Promise<Page> {
  if (q.killed) return finalPage(q, q.killed);
  if (q.canceled) return finalPage(q, queryError('USER_CANCELED', 'Query was canceled'));
  if (phase === 'queued') {
    // DispatchManager.createQuery runs on the first queued poll; a starting coordinator's access control
    // refuses the session there, and the query fails before it is analysed (QueuedStatementResource).
    if (core.starting && q.expect.token === 1)
      return finalPage(q, queryError('SERVER_STARTING_UP', 'Trino server is still initializing'));
    if (q.queuedLeft-- > 1) return nextPage(q, 'QUEUED', 'queued');
    q.state = 'RUNNING';
    return nextPage(q, 'QUEUED', 'executing', 0);
  }
  const p = q.plan;
  if (p.kind === 'error') return finalPage(q, p.error);
  if (q.emptyLeft-- > 0) return nextPage(q, 'RUNNING', 'executing');
  if (p.kind === 'sleep') {
    const remaining = q.created + p.ms - Date.now();
    if (remaining > 0) {
      await interruptibleWait(q, Math.min(remaining, parseWait(maxWait)));
      if (q.killed) return finalPage(q, q.killed);
      if (q.canceled) return finalPage(q, queryError('USER_CANCELED', 'Query was canceled'));
      if (q.created + p.ms > Date.now()) return nextPage(q, 'RUNNING', 'executing');
    }
    return finalPage(q, undefined, { columns: [column('_col0', 'boolean')], rows: [[true]] });
  }
  if (p.kind === 'update') {
    const err = p.apply?.();
    return finalPage(q, err, { updateType: p.updateType, headers: err ? undefined : p.headers });
  }
  if (p.kind === 'large') {
    if (q.offset === 0) {
      q.offset = 1;
      return nextPage(q, 'RUNNING', 'executing', undefined, {
        columns: [column('v', 'varchar')],
        large: p.bytes,
      });
    }
    return finalPage(q, undefined, { columns: [column('v', 'varchar')] });
  }
  if (p.kind === 'binary') {
    if (!q.encoding || !core.segments)
      return finalPage(q, queryError('NOT_SUPPORTED', 'binary_segment() needs the spooling protocol'));
    const segId = `${q.id}-0`;
    core.segments.put(segId, pseudoRandom(p.bytes, q.id), 0, 1);
    return finalPage(q, undefined, { columns: [column('b', 'varbinary')], segments: [segId] });
  }
  return rowsPage(core, q, p);
}

function rowsPage(core: EmulatorCore, q: Query, p: Extract<Plan, { kind: 'rows' }>): Page {
  const from = q.offset;
  const chunk = p.rows.slice(from, from + core.settings.rowsPerPage);
  q.offset += chunk.length;
  const extra: Partial<Page> = { columns: p.columns };
  const spool = core.settings.spooling;
  if (q.encoding && core.segments && spool && chunk.length) {
    if (chunk.length <= spool.inlineMaxRows) extra.inline = { rows: chunk, offset: from };
    else {
      const segId = `${q.id}-${q.offset}`;
      core.segments.put(segId, Buffer.from(JSON.stringify(chunk)), from, chunk.length);
      extra.segments = [segId];
    }
  } else extra.rows = chunk;
  if (q.offset < p.rows.length) return nextPage(q, 'RUNNING', 'executing', undefined, extra);
  return finalPage(q, undefined, extra);
}

function nextPage(
  q: Query,
  state: string,
  phase: 'queued' | 'executing',
  token?: number,
  extra: Partial<Page> = {},
): Page {
  const t = token ?? (q.expect.phase === phase ? q.expect.token + 1 : 0);
  q.expect = { phase, token: t };
  return { state, next: { phase, token: t }, ...extra };
}

function finalPage(q: Query, error: QueryErrorJson | undefined, extra: Partial<Page> = {}): Page {
  q.state = error ? 'FAILED' : 'FINISHED';
  q.expect = { phase: 'executing', token: -1 };
  return { state: q.state, error, ...extra };
}

function parseWait(v: string | null): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v ?? '');
  if (!m) return 1000;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

function interruptibleWait(q: Query, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = () =>
      q.canceled || q.killed || Date.now() - started >= ms ? resolve() : setTimeout(tick, Math.min(20, ms));
    tick();
  });
}

/** pseudoRandom returns deterministic non-UTF-8-safe bytes for binary-safety tests. */
function pseudoRandom(n: number, seed: string): Buffer {
  const b = Buffer.alloc(n);
  let x = [...seed].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
