/**
 * A protocol-faithful Trino coordinator emulator for tests and benchmarks, written from Trino's
 * QueuedStatementResource (POST → QUEUED, /v1/statement/queued/{id}/{slug}/{token}),
 * ExecutingStatementResource (/v1/statement/executing/{id}/{slug}/{token}, DELETE cancels),
 * QueryResource (/v1/query/{id}), ServerInfoResource (/v1/info with `starting`), the UI's
 * ClusterStatsResource (/ui/api/stats behind the form login), the spooling protocol
 * (/v1/spooled/download|ack/{identifier}) and ProtocolHeaders (X-Trino-* or X-Presto-*, answered in the
 * family the client used). URIs are built from Host, or from X-Forwarded-* when processForwarded is on,
 * as Airlift does with http-server.process-forwarded=true.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { QueryIdGenerator, Slug, column, queryError, stats } from './protocol.js';
import { createCatalog, dropCatalog, plan } from './sql.js';
const ROW_PATTERN = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  .repeat(16)
  .slice(0, 1000);
export class TrinoEmulator {
  name;
  host;
  port = 0;
  requests = [];
  queries = new Map();
  /** Bytes of large_page bodies handed to the socket so far (for back-pressure tests). */
  largeBytesWritten = 0;
  /** Requests left unanswered in `hang` mode whose connection the caller then closed. */
  hungClosed = 0;
  /** Large pages end their connection (`Connection: close`), as a cluster shutting down would. */
  closeLargePages = false;
  opts;
  cluster;
  ids = new QueryIdGenerator();
  slug = new Slug();
  segments = new Map();
  server;
  sockets = new Set();
  mode = 'ok';
  delayMs = 0;
  starting = false;
  uiTokens = new Set();
  constructor(o) {
    this.name = o.name ?? 'trino';
    this.host = o.host ?? '127.0.0.1';
    this.port = o.port ?? 0;
    this.opts = {
      processForwarded: o.processForwarded ?? false,
      queuedPages: o.queuedPages ?? 1,
      executingPages: o.executingPages ?? 1,
      rowsPerPage: o.rowsPerPage ?? 1000,
      catalogStore: o.catalogStore ?? 'memory',
      connectors: o.connectors ?? [
        'memory',
        'tpch',
        'tpcds',
        'blackhole',
        'postgresql',
        'mysql',
        'hive',
        'iceberg',
      ],
      staticCatalogs: o.staticCatalogs ?? ['system', 'tpch'],
      version: o.version ?? '476',
      uiAuth: o.uiAuth ?? false,
      catalogRest: o.catalogRest ?? false,
    };
    this.cluster = {
      name: this.name,
      catalogs: new Map(),
      staticCatalogs: new Set(this.opts.staticCatalogs),
      catalogStore: this.opts.catalogStore,
      connectors: this.opts.connectors,
      transactions: new Set(),
      newTransactionId: () => randomUUID(),
    };
  }
  static async start(opts = {}) {
    const e = new TrinoEmulator(opts);
    await e.listen();
    return e;
  }
  get url() {
    return `http://${this.host}:${this.port}`;
  }
  catalogs() {
    return [...new Set([...this.cluster.staticCatalogs, ...this.cluster.catalogs.keys()])].sort();
  }
  catalogProperties(name) {
    return this.cluster.catalogs.get(name)?.properties;
  }
  clearRequests() {
    this.requests = [];
  }
  setMode(mode) {
    const was = this.mode;
    this.mode = mode;
    if (mode === 'refuse' && was !== 'refuse') return this.close();
    if (mode !== 'refuse' && was === 'refuse') return this.listen();
    return Promise.resolve();
  }
  setDelay(ms) {
    this.delayMs = ms;
  }
  setStarting(starting) {
    this.starting = starting;
  }
  /** restart simulates a coordinator restart: queries, transactions and in-memory catalogs are gone. */
  async restart() {
    await this.close();
    this.queries.clear();
    this.segments.clear();
    this.cluster.transactions.clear();
    if (this.opts.catalogStore === 'memory') this.cluster.catalogs.clear();
    this.ids = new QueryIdGenerator();
    this.slug = new Slug();
    if (this.mode !== 'refuse') await this.listen();
  }
  async stop() {
    this.mode = 'refuse';
    await this.close();
  }
  listen() {
    const server = http.createServer((req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        this.port = server.address().port;
        resolve();
      });
    });
  }
  close() {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    this.sockets.clear();
    return s ? new Promise((r) => s.close(() => r())) : Promise.resolve();
  }
  onRequest(req, res) {
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } });
    if (this.mode === 'hang') {
      res.on('close', () => this.hungClosed++);
      return;
    }
    if (this.mode === 'unavailable') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('Service Unavailable');
      return;
    }
    if (this.mode === 'truncate') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"', () => res.socket?.resetAndDestroy());
      return;
    }
    const go = () => this.route(req, res).catch((e) => text(res, 500, e.message));
    if (this.delayMs > 0) setTimeout(go, this.delayMs);
    else void go();
  }
  async route(req, res) {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const method = req.method ?? 'GET';
    if (p === '/v1/info')
      return json(req, res, 200, {
        nodeVersion: { version: this.opts.version },
        environment: 'test',
        coordinator: true,
        starting: this.starting,
        uptime: '1.00m',
      });
    if (p === '/v1/statement' && method === 'POST') return this.submit(req, res, await body(req));
    let m;
    if ((m = /^\/v1\/statement\/(queued|executing)\/([^/]+)\/([^/]+)\/(\d+)$/.exec(p)))
      return this.poll(req, res, m[1], m[2], m[3], Number(m[4]), url.searchParams.get('maxWait'));
    if ((m = /^\/v1\/statement\/executing\/partialCancel\/([^/]+)\/\d+\/([^/]+)\/(\d+)$/.exec(p))) {
      if (!this.queries.has(m[1])) return text(res, 404, 'Query not found');
      res.writeHead(204).end();
      return;
    }
    if ((m = /^\/v1\/query\/([^/]+)$/.exec(p))) {
      const q = this.queries.get(m[1]);
      if (!q) return text(res, 404, `Query not found: ${m[1]}`);
      if (method === 'DELETE') {
        this.cancel(q);
        res.writeHead(204).end();
        return;
      }
      return json(req, res, 200, {
        queryId: q.id,
        state: q.state,
        query: q.sql,
        session: { user: q.user },
        self: `${this.base(req)}/v1/query/${q.id}`,
      });
    }
    if ((m = /^\/v1\/spooled\/(download|ack)\/([^/]+)$/.exec(p))) {
      const seg = this.segments.get(m[2]);
      if (!seg) return text(res, 404, 'Segment not found');
      if (m[1] === 'ack') {
        this.segments.delete(m[2]);
        res.writeHead(method === 'DELETE' ? 204 : 200).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': seg.length });
      res.end(seg);
      return;
    }
    if (this.opts.catalogRest && p === '/v1/catalog/add' && method === 'POST')
      return this.restAddCatalog(res, await body(req));
    if (this.opts.catalogRest && p === '/v1/catalog/delete' && method === 'DELETE') {
      const name = url.searchParams.get('catalogName');
      if (!name) return text(res, 400, 'catalogName is required');
      return restAnswer(res, dropCatalog(this.cluster, name.toLowerCase(), false, false));
    }
    if (p === '/ui/login' && method === 'POST') {
      const form = new URLSearchParams((await body(req)).toString());
      if (!form.get('username')) return text(res, 401, 'Unauthorized');
      const token = randomUUID();
      this.uiTokens.add(token);
      res
        .writeHead(303, { location: '/ui/', 'set-cookie': `Trino-UI-Token=${token}; Path=/ui; HttpOnly` })
        .end();
      return;
    }
    if (p === '/ui/api/stats') {
      const cookie = /Trino-UI-Token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (this.opts.uiAuth && (!cookie || !this.uiTokens.has(cookie))) return text(res, 401, 'Unauthorized');
      const live = [...this.queries.values()];
      const count = (s) => live.filter((q) => q.state === s).length;
      return json(req, res, 200, {
        runningQueries: count('RUNNING'),
        blockedQueries: 0,
        queuedQueries: count('QUEUED'),
        activeCoordinators: 1,
        activeWorkers: 1,
        runningDrivers: count('RUNNING'),
        totalAvailableProcessors: 2,
        reservedMemory: 0,
        totalInputRows: 0,
        totalInputBytes: 0,
        totalCpuTimeSecs: 0,
      });
    }
    if (p === '/ui/query.html') {
      const id = url.search.slice(1);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!doctype html><title>Query ${escapeHtml(id)}</title><h1>${escapeHtml(id)} on ${escapeHtml(this.name)}</h1>`,
      );
      return;
    }
    if (p.startsWith('/ui')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!doctype html><title>${escapeHtml(this.name)}</title><p>Trino UI of ${escapeHtml(this.name)}</p>`,
      );
      return;
    }
    text(res, 404, 'Not Found');
  }
  restAddCatalog(res, raw) {
    let doc;
    try {
      doc = JSON.parse(raw.toString('utf8'));
    } catch {
      return text(res, 400, 'Invalid JSON body');
    }
    const props = doc?.properties ?? {};
    if (
      typeof doc?.catalogName !== 'string' ||
      !doc.catalogName ||
      typeof doc.connectorName !== 'string' ||
      !doc.connectorName ||
      typeof props !== 'object' ||
      props === null ||
      Array.isArray(props) ||
      Object.values(props).some((v) => typeof v !== 'string')
    )
      return text(
        res,
        400,
        'Expected {"catalogName": string, "connectorName": string, "properties": {string: string}}',
      );
    const err = createCatalog(
      this.cluster,
      doc.catalogName.toLowerCase(),
      doc.connectorName.toLowerCase(),
      { ...props },
      false,
      false,
    );
    restAnswer(res, err);
  }
  submit(req, res, sqlBuf) {
    const h = req.headers;
    const presto = h['x-presto-user'] !== undefined && h['x-trino-user'] === undefined;
    const get = (n) => h[`x-trino-${n}`] ?? h[`x-presto-${n}`];
    const user = get('user');
    if (!user) return text(res, 400, 'User must be set');
    const sql = sqlBuf.toString('utf8');
    if (!sql.trim()) return text(res, 400, 'SQL statement is empty');
    const txn = get('transaction-id');
    let p;
    if (txn && txn.toUpperCase() !== 'NONE' && !this.cluster.transactions.has(txn))
      p = {
        kind: 'error',
        error: queryError(
          'UNKNOWN_TRANSACTION',
          `Unknown transaction ID: ${txn}. Possibly expired? Commands ignored until end of transaction block`,
        ),
      };
    else p = plan(sql, { catalog: get('catalog'), schema: get('schema'), transactionId: txn }, this.cluster);
    const id = this.ids.next();
    const q = {
      id,
      sql,
      user,
      state: 'QUEUED',
      headers: { ...h },
      family: presto ? 'presto' : 'trino',
      plan: p,
      spooled: !!get('query-data-encoding'),
      created: Date.now(),
      queuedLeft: this.opts.queuedPages,
      emptyLeft: this.opts.executingPages,
      offset: 0,
      expect: { phase: 'queued', token: 1 },
      canceled: false,
    };
    this.queries.set(id, q);
    this.send(req, res, q, { state: 'QUEUED', next: { phase: 'queued', token: 1 } });
  }
  async poll(req, res, phase, id, slug, token, maxWait) {
    const q = this.queries.get(id);
    const ctx = phase === 'queued' ? 'QUEUED_QUERY' : 'EXECUTING_QUERY';
    if (!q || !this.slug.isValid(ctx, slug, token)) return text(res, 404, 'Query not found');
    if (req.method === 'DELETE') {
      this.cancel(q);
      res.writeHead(204).end();
      return;
    }
    const key = `${phase}:${token}`;
    if (q.last?.key === key) return this.send(req, res, q, q.last.page);
    if (q.expect.phase !== phase || token !== q.expect.token) return text(res, 410, 'Invalid token');
    const page = await this.advance(q, phase, maxWait);
    page.elapsedMs = Date.now() - q.created;
    q.last = { key, page };
    this.send(req, res, q, page);
  }
  /** advance produces the page for the expected token and moves the query on. */
  async advance(q, phase, maxWait) {
    if (q.canceled) return this.finalPage(q, queryError('USER_CANCELED', 'Query was canceled'));
    if (phase === 'queued') {
      if (q.queuedLeft-- > 1) return this.nextPage(q, 'QUEUED', 'queued');
      q.state = 'RUNNING';
      return this.nextPage(q, 'QUEUED', 'executing', 0);
    }
    const p = q.plan;
    if (p.kind === 'error') return this.finalPage(q, p.error);
    if (q.emptyLeft-- > 0) return this.nextPage(q, 'RUNNING', 'executing');
    if (p.kind === 'sleep') {
      const remaining = q.created + p.ms - Date.now();
      if (remaining > 0) {
        await cancellableWait(q, Math.min(remaining, parseWait(maxWait)));
        if (q.canceled) return this.finalPage(q, queryError('USER_CANCELED', 'Query was canceled'));
        if (q.created + p.ms > Date.now()) return this.nextPage(q, 'RUNNING', 'executing');
      }
      return this.finalPage(q, undefined, { columns: [column('_col0', 'boolean')], rows: [[true]] });
    }
    if (p.kind === 'update') {
      const err = p.apply?.();
      return this.finalPage(q, err, { updateType: p.updateType, headers: err ? undefined : p.headers });
    }
    if (p.kind === 'large') {
      if (q.offset === 0) {
        q.offset = 1;
        return this.nextPage(q, 'RUNNING', 'executing', undefined, {
          columns: [column('v', 'varchar')],
          large: p.bytes,
        });
      }
      return this.finalPage(q, undefined, { columns: [column('v', 'varchar')] });
    }
    if (p.kind === 'binary') {
      const segId = `${q.id}-0`;
      this.segments.set(segId, pseudoRandom(p.bytes, q.id));
      return this.finalPage(q, undefined, { columns: [column('b', 'varbinary')], segments: [segId] });
    }
    // rows
    const chunk = p.rows.slice(q.offset, q.offset + this.opts.rowsPerPage);
    q.offset += chunk.length;
    const extra = { columns: p.columns };
    if (q.spooled && chunk.length) {
      const segId = `${q.id}-${q.offset}`;
      this.segments.set(segId, Buffer.from(JSON.stringify(chunk)));
      extra.segments = [segId];
    } else extra.rows = chunk;
    if (q.offset < p.rows.length) return this.nextPage(q, 'RUNNING', 'executing', undefined, extra);
    return this.finalPage(q, undefined, extra);
  }
  nextPage(q, state, phase, token, extra = {}) {
    const t = token ?? (q.expect.phase === phase ? q.expect.token + 1 : 0);
    q.expect = { phase, token: t };
    return { state, next: { phase, token: t }, ...extra };
  }
  finalPage(q, error, extra = {}) {
    q.state = error ? 'FAILED' : 'FINISHED';
    q.expect = { phase: 'executing', token: -1 };
    return { state: q.state, error, ...extra };
  }
  cancel(q) {
    q.canceled = true;
    if (q.state === 'QUEUED' || q.state === 'RUNNING') q.state = 'FAILED';
  }
  base(req) {
    if (this.opts.processForwarded) {
      const proto = req.headers['x-forwarded-proto']?.split(',')[0].trim();
      const host = req.headers['x-forwarded-host']?.split(',')[0].trim();
      const port = req.headers['x-forwarded-port']?.split(',')[0].trim();
      if (host) return `${proto ?? 'http'}://${port && !host.includes(':') ? `${host}:${port}` : host}`;
    }
    return `http://${req.headers.host ?? `${this.host}:${this.port}`}`;
  }
  send(req, res, q, page) {
    const base = this.base(req);
    const fam = q.family === 'presto' ? 'x-presto-' : 'x-trino-';
    const headers = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(page.headers ?? {})) headers[fam + k] = v;
    const nextUri = page.next
      ? `${base}/v1/statement/${page.next.phase}/${q.id}/${this.slug.make(page.next.phase === 'queued' ? 'QUEUED_QUERY' : 'EXECUTING_QUERY', page.next.token)}/${page.next.token}`
      : undefined;
    const rowsCount = page.rows?.length ?? 0;
    const doc = {
      id: q.id,
      infoUri: `${base}/ui/query.html?${q.id}`,
      partialCancelUri:
        page.next?.phase === 'executing'
          ? `${base}/v1/statement/executing/partialCancel/${q.id}/0/${this.slug.make('EXECUTING_QUERY', page.next.token)}/${page.next.token}`
          : undefined,
      nextUri,
      columns: page.columns,
      data: page.segments
        ? {
            encoding: 'json',
            segments: page.segments.map((s) => ({
              type: 'spooled',
              uri: `${base}/v1/spooled/download/${s}`,
              ackUri: `${base}/v1/spooled/ack/${s}`,
              metadata: { rowOffset: 0, rowsCount: 1, segmentSize: this.segments.get(s)?.length ?? 0 },
            })),
          }
        : page.rows,
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
    if (page.large)
      return this.sendLarge(
        res,
        this.closeLargePages ? { ...headers, connection: 'close' } : headers,
        doc,
        page.large,
      );
    const raw = Buffer.from(JSON.stringify(doc));
    json(req, res, 200, undefined, raw, headers);
  }
  /** sendLarge streams a page of at least `bytes` with back-pressure, never building it whole. */
  sendLarge(res, headers, doc, bytes) {
    const head = JSON.stringify({
      ...doc,
      data: [],
      stats: undefined,
      error: undefined,
      warnings: undefined,
    });
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
        this.largeBytesWritten += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end(suffix);
    };
    pump();
  }
}
function json(req, res, status, doc, raw, extra = {}) {
  let b = raw ?? Buffer.from(JSON.stringify(doc));
  const headers = { 'content-type': 'application/json', ...extra };
  if (b.length > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    b = gzipSync(b);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = b.length;
  res.writeHead(status, headers);
  res.end(b);
}
/** restAnswer: 200 on success; otherwise the QueryError as JSON, 404/409 for missing/existing catalogs. */
function restAnswer(res, err) {
  if (!err) return text(res, 200, 'OK');
  const status =
    err.errorName === 'CATALOG_NOT_FOUND' ? 404 : err.errorName === 'CATALOG_ALREADY_EXISTS' ? 409 : 400;
  const { failureInfo: _omit, ...doc } = err;
  const b = JSON.stringify(doc);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
  res.end(b);
}
function text(res, status, message) {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(message);
}
function body(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
function parseWait(v) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v ?? '');
  if (!m) return 1000;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}
function cancellableWait(q, ms) {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = () =>
      q.canceled || Date.now() - started >= ms ? resolve() : setTimeout(tick, Math.min(20, ms));
    tick();
  });
}
/** pseudoRandom returns deterministic non-UTF-8-safe bytes for binary-safety tests. */
function pseudoRandom(n, seed) {
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
function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
