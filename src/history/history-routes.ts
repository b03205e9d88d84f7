import { Hono } from 'hono';
import { AppError } from '../app-error.js';
import { isAdmin, type Principal } from '../auth/principal.js';
import type { HistoryStore } from '../store/ports.js';
import type { HistoryFilter, HistoryRow } from './history-repo.js';

const STATES = new Set(['RUNNING', 'FINISHED', 'FAILED', 'CANCELED', 'ABANDONED', 'LOST']);
export const MAX_PAGE = 500;

export interface HistoryRoutesDeps {
  repo: Pick<HistoryStore, 'list' | 'get'>;
  /** The authenticated caller, set by the authentication middleware in front of these routes. */
  principal: (c: { get(key: 'principal'): Principal | undefined }) => Principal | undefined;
  /**
   * Bytes of SQL and error text one page carries at most: a page stops early (with a cursor) once past it,
   * always holding at least one row. Rows are stored redacted and bounded, so nothing is redacted here.
   */
  maxPageBytes: number;
  /** Cluster UI link for a backend name (its externalUrl), when it has one. */
  externalUrl?: (backend: string) => string | undefined;
  /** A backend's coordinator URL (trino-gateway's `backendUrl`), shown to admins only. */
  backendUrl?: (backend: string) => string | undefined;
}

/** How many recent queries trino-gateway's /api/queryHistory returns. */
const COMPAT_HISTORY_LIMIT = 2000;

/** badFilter: a 400 naming the query-string field at fault. */
const badFilter = (message: string) => new AppError(400, message);

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,15}$/.test(v)) throw badFilter(`${name}: expected a non-negative integer`);
  return Number(v);
}

function time(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (/^\d{1,15}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badFilter(`${name}: expected epoch milliseconds or an ISO-8601 time`);
  return t;
}

export function encodeCursor(r: Pick<HistoryRow, 'submittedAt' | 'queryId'>): string {
  return Buffer.from(`${r.submittedAt}:${r.queryId}`).toString('base64url');
}

function decodeCursor(c: string): HistoryFilter['before'] {
  const m = /^(\d{1,15}):([a-z0-9_]{1,128})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (!m) throw badFilter('cursor: not a cursor this API issued');
  return { submittedAt: Number(m[1]), queryId: m[2] };
}

/** parseFilter validates query-string filters into a HistoryFilter, or throws a 400 naming the field. */
export function parseFilter(q: Record<string, string | undefined>): HistoryFilter {
  const limit = int(q.limit, 'limit') ?? 50;
  if (limit < 1 || limit > MAX_PAGE) throw badFilter(`limit: must be between 1 and ${MAX_PAGE}`);
  const state = q.state?.toUpperCase();
  if (state && !STATES.has(state)) throw badFilter(`state: one of ${[...STATES].join(', ')}`);
  for (const k of ['user', 'group', 'backend', 'q'] as const)
    if (q[k] !== undefined && q[k]!.length > 512) throw badFilter(`${k}: too long`);
  return {
    user: q.user || undefined,
    group: q.group || undefined,
    backend: q.backend || undefined,
    state: state || undefined,
    from: time(q.from, 'from'),
    to: time(q.to, 'to'),
    text: q.q || undefined,
    before: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit,
  };
}

/** withinBytes: the leading rows whose SQL and error text fit in maxBytes (at least one row). */
function withinBytes(rows: HistoryRow[], maxBytes: number): HistoryRow[] {
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    total += 512 + Buffer.byteLength(rows[i].sql) + Buffer.byteLength(rows[i].errorMessage ?? '');
    if (total > maxBytes && i > 0) return rows.slice(0, i);
  }
  return rows;
}

/**
 * History API: filter by user, group, backend, state, time range and SQL text; cursor paging in a
 * stable order (newest first, ties by query id). Non-admins see only their own queries.
 */
export function historyRoutes(d: HistoryRoutesDeps): Hono<{ Variables: { principal: Principal } }> {
  const app = new Hono<{ Variables: { principal: Principal } }>();
  const present = (r: HistoryRow) => ({
    ...r,
    clusterUiUrl: d.externalUrl?.(r.backend)
      ? `${d.externalUrl(r.backend)}/ui/query.html?${r.queryId}`
      : undefined,
  });

  app.get('/api/v1/queries', async (c) => {
    const p = d.principal(c);
    if (!p) return c.json({ message: 'authentication required' }, 401);
    const f = parseFilter(c.req.query());
    if (!isAdmin(p)) f.user = p.name;
    const all = await d.repo.list(f);
    const rows = withinBytes(all, d.maxPageBytes);
    const next =
      rows.length < all.length || all.length === f.limit ? encodeCursor(rows[rows.length - 1]) : undefined;
    return c.json({ queries: rows.map(present), nextCursor: next });
  });

  app.get('/api/v1/queries/:id', async (c) => {
    const p = d.principal(c);
    if (!p) return c.json({ message: 'authentication required' }, 401);
    const row = await d.repo.get(c.req.param('id'));
    if (!row || (!isAdmin(p) && row.user !== p.name))
      return c.json({ message: `query ${c.req.param('id').slice(0, 128)} not found` }, 404);
    return c.json(present(row));
  });

  // trino-gateway's history shapes (GatewayViewResource): the newest queries, the caller's own unless admin.
  const recent = (p: Principal) =>
    d.repo.list({ limit: COMPAT_HISTORY_LIMIT, ...(isAdmin(p) ? {} : { user: p.name }) });
  app.get('/api/queryHistory', async (c) => {
    const p = d.principal(c);
    if (!p) return c.json({ message: 'authentication required' }, 401);
    const admin = isAdmin(p);
    return c.json(
      withinBytes(await recent(p), d.maxPageBytes).map((r) => ({
        queryId: r.queryId,
        queryText: r.sql,
        user: r.user,
        source: r.source,
        backendUrl: (admin ? d.backendUrl?.(r.backend) : undefined) ?? d.externalUrl?.(r.backend) ?? null,
        captureTime: r.submittedAt,
        routingGroup: r.routingGroup,
        externalUrl: d.externalUrl?.(r.backend) ?? null,
      })),
    );
  });
  app.get('/api/queryHistoryDistribution', async (c) => {
    const p = d.principal(c);
    if (!p) return c.json({ message: 'authentication required' }, 401);
    const counts: Record<string, number> = {};
    for (const r of await recent(p)) counts[r.backend] = (counts[r.backend] ?? 0) + 1;
    return c.json(counts);
  });

  return app;
}
