/** QueryResults as Trino writes them (field order of io.trino.client.QueryResults), one page at a time. */
import type http from 'node:http';
import { stats, type Column, type QueryErrorJson } from './protocol.js';
import { json } from './http-util.js';
import type { RequestView } from './gate.js';
import { inlineSegment } from './spooling.js';
import type { EmulatorCore, Query } from './core.js';

export interface Page {
  state: string;
  next?: { phase: 'queued' | 'executing'; token: number };
  columns?: Column[];
  rows?: unknown[][];
  /** Rows sent as one inline segment (spooling protocol). */
  inline?: { rows: unknown[][]; offset: number };
  large?: number;
  segments?: string[];
  error?: QueryErrorJson;
  updateType?: string;
  headers?: Record<string, string>;
  /** Fixed when the page is made, so re-fetching the same token returns the same bytes. */
  elapsedMs?: number;
}

const ROW_PATTERN = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  .repeat(16)
  .slice(0, 1000);

export function sendPage(
  core: EmulatorCore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  v: RequestView,
  q: Query,
  page: Page,
): void {
  const base = v.base;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, val] of Object.entries(page.headers ?? {})) headers[q.family + k] = val;
  if (q.encoding) headers[`${q.family}query-data-encoding`] = q.encoding;
  const slug = (t: number, phase: 'queued' | 'executing') =>
    core.slug.make(phase === 'queued' ? 'QUEUED_QUERY' : 'EXECUTING_QUERY', t);
  const nextUri = page.next
    ? `${base}/v1/statement/${page.next.phase}/${q.id}/${slug(page.next.token, page.next.phase)}/${page.next.token}`
    : undefined;
  const rowsCount = page.rows?.length ?? page.inline?.rows.length ?? 0;
  const doc: Record<string, unknown> = {
    id: q.id,
    infoUri: `${base}/ui/query.html?${q.id}`,
    partialCancelUri:
      page.next?.phase === 'executing'
        ? `${base}/v1/statement/executing/partialCancel/${q.id}/0/${slug(page.next.token, 'executing')}/${page.next.token}`
        : undefined,
    nextUri,
    columns: page.columns,
    data: data(core, base, q, page),
    stats: stats(page.state, {
      processedRows: rowsCount,
      processedBytes: rowsCount * 8,
      elapsedTimeMillis: page.elapsedMs ?? Date.now() - q.created,
    }),
    error: page.error,
    warnings: [],
    updateType: page.updateType,
    updateCount: undefined,
  };
  if (page.large) {
    const large = core.closeLargePages ? { ...headers, connection: 'close' } : headers;
    if (core.largePageWriter) return core.largePageWriter(res, large, doc, page.large);
    return sendLarge(core, res, large, doc, page.large);
  }
  json(req, res, 200, undefined, Buffer.from(JSON.stringify(doc)), headers);
}

/** data is the page's `data`: rows (direct protocol) or the encoding and its segments (spooling). */
function data(core: EmulatorCore, base: string, q: Query, page: Page): unknown {
  if (page.inline)
    return { encoding: q.encoding, segments: [inlineSegment(page.inline.rows, page.inline.offset)] };
  if (page.segments && core.segments)
    return { encoding: q.encoding, segments: page.segments.map((s) => core.segments!.json(s, base)) };
  return page.rows;
}

/** sendLarge streams a page of at least `bytes` with back-pressure, never building it whole. */
function sendLarge(
  core: EmulatorCore,
  res: http.ServerResponse,
  headers: Record<string, string>,
  doc: Record<string, unknown>,
  bytes: number,
): void {
  const head = JSON.stringify({ ...doc, data: [], stats: undefined, error: undefined, warnings: undefined });
  const prefix = head.slice(0, head.lastIndexOf('"data":[]')) + '"data":[';
  const suffix = '],' + JSON.stringify({ stats: doc.stats, warnings: [] }).slice(1);
  const rows = Math.ceil(bytes / (ROW_PATTERN.length + 5)) + 1;
  res.writeHead(200, headers);
  res.write(prefix);
  let i = 0;
  const pump = () => {
    while (i < rows) {
      let chunk = '';
      for (let k = 0; k < 64 && i < rows; k++, i++)
        chunk += `${i ? ',' : ''}["${ROW_PATTERN.slice(i % 7)}${i % 7 ? ROW_PATTERN.slice(0, i % 7) : ''}"]`;
      core.largeBytesWritten += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end(suffix);
  };
  pump();
}
