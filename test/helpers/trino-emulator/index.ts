/**
 * A protocol-faithful Trino 476 coordinator for tests and benchmarks. Its defaults are Trino's defaults
 * (options.ts names each knob and the Trino property it stands for): X-Forwarded-* answered 406, the
 * insecure authenticator refusing any password, X-Presto-* meaning nothing, no spooling manager, the web
 * UI behind its form login. Endpoint families live beside it: gate.ts (what runs before any resource),
 * statement.ts and results.ts (the statement protocol), spooling.ts, ui.ts, catalog-rest.ts.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { QueryIdGenerator, Slug, queryError } from './protocol.js';
import type { Cluster } from './sql.js';
import { body, jettyPage, json, text } from './http-util.js';
import { authenticate, forwardedGate, mixedFamilies, oauth2Token, view } from './gate.js';
import { settings, type EmulatorOptions, type Settings } from './options.js';
import { SegmentStore } from './spooling.js';
import { cancel, killQuery, poll, submit } from './statement.js';
import { WebUi } from './ui.js';
import { ClusterOAuth2 } from './oauth2.js';
import { restAddCatalog, restDropCatalog } from './catalog-rest.js';
import type { EmulatorCore, EmulatedQuery, LargePageWriter, Query } from './core.js';

export type { EmulatorOptions, ProcessForwarded, RetrievalMode } from './options.js';
export type { EmulatedQuery } from './core.js';
export { SEGMENT_KEY_HEADER } from './spooling.js';

/**
 * How the cluster answers: normally; refusing connections; 503 to everything; never; or, for `truncate`,
 * a response head with a Content-Length followed by a few bytes and a reset connection.
 */
export type EmulatorMode = 'ok' | 'refuse' | 'unavailable' | 'hang' | 'truncate';
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

const STATEMENT_FOLLOW_UP = /^\/v1\/statement\/(queued|executing)\/([^/]+)\/([^/]+)\/(\d+)$/;
const PARTIAL_CANCEL = /^\/v1\/statement\/executing\/partialCancel\/([^/]+)\/\d+\/([^/]+)\/(\d+)$/;

export class TrinoEmulator implements EmulatorCore {
  readonly name: string;
  readonly host: string;
  port = 0;
  requests: RecordedRequest[] = [];
  queries = new Map<string, Query>();
  largeBytesWritten = 0;
  /** Requests left unanswered in `hang` mode whose connection the caller then closed. */
  hungClosed = 0;
  closeLargePages = false;
  largePageWriter?: LargePageWriter;
  readonly settings: Settings;
  readonly cluster: Cluster;
  ids = new QueryIdGenerator();
  slug = new Slug();
  readonly segments: SegmentStore | undefined;
  private readonly ui: WebUi;
  /** The cluster's own OAuth2 against a real provider (options.oauth2), when configured. */
  readonly oauth2: ClusterOAuth2 | undefined;
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private mode: EmulatorMode = 'ok';
  private delayMs = 0;
  private startingNow = false;

  private constructor(o: EmulatorOptions) {
    this.name = o.name ?? 'trino';
    this.host = o.host ?? '127.0.0.1';
    this.port = o.port ?? 0;
    this.settings = settings(o);
    this.segments = this.settings.spooling
      ? new SegmentStore(this.settings.spooling.retrievalMode)
      : undefined;
    this.oauth2 = this.settings.oauth2 ? new ClusterOAuth2(this.settings.oauth2) : undefined;
    this.ui = new WebUi(this, this.oauth2);
    this.cluster = {
      name: this.name,
      catalogs: new Map(),
      staticCatalogs: new Set(this.settings.staticCatalogs),
      catalogStore: this.settings.catalogStore,
      connectors: this.settings.connectors,
      transactions: new Set(),
      newTransactionId: () => randomUUID(),
      killQuery: (id, message) => killQuery(this, id, message),
    };
  }

  static async start(opts: EmulatorOptions = {}): Promise<TrinoEmulator> {
    const e = new TrinoEmulator(opts);
    await e.segments?.startSide(e.host);
    await e.listen();
    return e;
  }

  get url(): string {
    return `${this.settings.tls ? 'https' : 'http'}://${this.host}:${this.port}`;
  }

  catalogs(): string[] {
    return [...new Set([...this.cluster.staticCatalogs, ...this.cluster.catalogs.keys()])].sort();
  }

  catalogProperties(name: string): Record<string, string> | undefined {
    return this.cluster.catalogs.get(name)?.properties;
  }

  /** query is what the cluster knows of one query (for tests). */
  query(id: string): EmulatedQuery | undefined {
    return this.queries.get(id);
  }

  clearRequests(): void {
    this.requests = [];
  }

  setMode(mode: EmulatorMode): Promise<void> {
    const was = this.mode;
    this.mode = mode;
    if (mode === 'refuse' && was !== 'refuse') return this.close();
    if (mode !== 'refuse' && was === 'refuse') return this.listen();
    return Promise.resolve();
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** setStarting makes the coordinator answer as one that is still starting (EmulatorCore.starting). */
  setStarting(starting: boolean): void {
    this.startingNow = starting;
  }

  get starting(): boolean {
    return this.startingNow;
  }

  /** restart simulates a coordinator restart: queries, transactions and in-memory catalogs are gone. */
  async restart(): Promise<void> {
    await this.close();
    this.queries.clear();
    this.segments?.clear();
    this.ui.clear();
    this.cluster.transactions.clear();
    if (this.settings.catalogStore === 'memory') this.cluster.catalogs.clear();
    this.ids = new QueryIdGenerator();
    this.slug = new Slug();
    if (this.mode !== 'refuse') await this.listen();
  }

  async stop(): Promise<void> {
    this.mode = 'refuse';
    await this.close();
    await this.segments?.stopSide();
  }

  private listen(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.onRequest(req, res);
    const tls = this.settings.tls;
    const maxHeaderSize = this.settings.maxRequestHeaderSize;
    const server = tls
      ? https.createServer(
          { cert: readFileSync(tls.cert), key: readFileSync(tls.key), maxHeaderSize },
          handler,
        )
      : http.createServer({ maxHeaderSize }, handler);
    server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
      if (err.code !== 'HPE_HEADER_OVERFLOW' || !socket.writable) return void socket.destroy();
      // Jetty's HttpParser: "Header is too large", answered 431 with the ErrorHandler's page.
      const uri = /^[A-Z]+ (\S+)/.exec(err.rawPacket?.toString('latin1') ?? '')?.[1] ?? '/';
      const page = jettyPage(431, 'Request Header Fields Too Large', uri);
      socket.end(
        `HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/html;charset=iso-8859-1\r\n` +
          `content-length: ${Buffer.byteLength(page, 'latin1')}\r\nconnection: close\r\n\r\n${page}`,
        'latin1',
      );
    });
    server.keepAliveTimeout = 30_000;
    server.on(tls ? 'secureConnection' : 'connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      // Trino's accept queue (airlift's http-server.http.accept-queue-size, default 8000), not Node's 511.
      server.listen({ port: this.port, host: this.host, backlog: 8000 }, () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    this.sockets.clear();
    s?.closeAllConnections();
    return s ? new Promise((r) => s.close(() => r())) : Promise.resolve();
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } });
    if (this.mode === 'hang') {
      res.on('close', () => this.hungClosed++);
      return;
    }
    if (this.mode === 'unavailable') return text(res, 503, 'Service Unavailable');
    if (this.mode === 'truncate') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"', () => res.socket?.resetAndDestroy());
      return;
    }
    const go = () => this.route(req, res).catch((e: Error) => text(res, 500, e.message));
    if (this.delayMs > 0) setTimeout(go, this.delayMs);
    else void go();
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!forwardedGate(req, res, this.settings)) return;
    const v = view(req, this.settings, `${this.host}:${this.port}`);
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const method = req.method ?? 'GET';
    const authed = () =>
      this.oauth2 && this.settings.authentication === 'oauth2' && v.secure
        ? this.bearer(req, res, v)
        : authenticate(req, res, this.settings, v);
    if (p === '/v1/info')
      return json(req, res, 200, {
        nodeVersion: { version: this.settings.version },
        environment: 'test',
        coordinator: true,
        starting: this.starting,
        uptime: '1.00m',
      });
    if (p === '/v1/statement') {
      // JAX-RS: the resource has only a POST here, so HEAD and GET are 405 before any filter runs.
      if (method !== 'POST') return void res.writeHead(405, { allow: 'POST,OPTIONS' }).end();
      const principal = await authed();
      const mixed = principal ? mixedFamilies(req, this.settings) : undefined;
      if (mixed) return text(res, 400, mixed);
      if (principal) submit(this, req, res, v, principal, await body(req));
      return;
    }
    let m: RegExpExecArray | null;
    // Follow-ups are PUBLIC resources: the slug is their secret.
    if ((m = STATEMENT_FOLLOW_UP.exec(p)))
      return poll(this, req, res, v, {
        phase: m[1] as 'queued' | 'executing',
        id: m[2],
        slug: m[3],
        token: Number(m[4]),
        maxWait: url.searchParams.get('maxWait'),
      });
    if ((m = PARTIAL_CANCEL.exec(p))) {
      if (!this.queries.has(m[1])) return text(res, 404, 'Query not found');
      return void res.writeHead(204).end();
    }
    if ((m = /^\/v1\/spooled\/(download|ack)\/([^/]+)$/.exec(p))) {
      if (method !== 'GET' || !this.segments) return text(res, method !== 'GET' ? 405 : 404, 'Not Found');
      return m[1] === 'ack' ? this.segments.ack(res, m[2]) : this.segments.download(req, res, m[2]);
    }
    if (p.startsWith('/ui')) return this.ui.route(req, res, v, p);
    if (this.oauth2) {
      if (p === '/oauth2/callback' && method === 'GET') return this.oauth2.callback(req, res, v);
      if ((m = /^\/oauth2\/token\/initiate\/([0-9a-f]{64})$/.exec(p)) && method === 'GET')
        return this.oauth2.start(res, v, m[1]);
      if ((m = /^\/oauth2\/token\/([0-9a-f-]{36})$/.exec(p))) return this.oauth2.poll(req, res, v, m[1]);
    }
    if (/^\/oauth2\/token\/[0-9a-f-]{36}$/.test(p)) return oauth2Token(res, this.settings);
    if ((m = /^\/v1\/query\/([^/]+)$/.exec(p))) {
      if (!(await authed())) return;
      return this.queryResource(req, res, v.base, m[1]);
    }
    // A fork's endpoints, not Trino's: no source to say how they are guarded, so they are left open.
    if (this.settings.catalogRest && p === '/v1/catalog/add' && method === 'POST')
      return restAddCatalog(this.cluster, res, await body(req));
    if (this.settings.catalogRest && p === '/v1/catalog/delete' && method === 'DELETE')
      return restDropCatalog(this.cluster, res, url);
    text(res, 404, 'Not Found');
  }

  /** bearer is OAuth2Authenticator: the token's principal (the user header may name the session user), or a 401 challenge. */
  private async bearer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    v: { base: string; family: string },
  ): Promise<string | undefined> {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const sub = await this.oauth2!.user(token);
    if (!sub)
      return void text(res, 401, 'Unauthorized', { 'www-authenticate': this.oauth2!.challenge(v.base) });
    const named = req.headers[`${v.family}user`];
    return (Array.isArray(named) ? named[0] : named) || sub;
  }

  /** queryResource is QueryResource: GET /v1/query/{id} and DELETE (cancel). */
  private queryResource(req: http.IncomingMessage, res: http.ServerResponse, base: string, id: string): void {
    const q = this.queries.get(id);
    if (!q) return text(res, 404, `Query not found: ${id}`);
    if (req.method === 'DELETE') {
      cancel(q);
      return void res.writeHead(204).end();
    }
    // QueryInfo of a failed query carries its failure as Trino's does: errorType, errorCode (ErrorCode's
    // code/name/type) and failureInfo (ExecutionFailureInfo); a canceled query fails with USER_CANCELED.
    const failure =
      q.state !== 'FAILED'
        ? undefined
        : q.canceled
          ? queryError('USER_CANCELED', 'Query was canceled')
          : q.killed;
    json(req, res, 200, {
      queryId: q.id,
      state: q.state,
      query: q.sql,
      session: { user: q.user },
      self: `${base}/v1/query/${q.id}`,
      ...(failure
        ? {
            errorType: failure.errorType,
            errorCode: { code: failure.errorCode, name: failure.errorName, type: failure.errorType },
            failureInfo: failure.failureInfo,
          }
        : {}),
    });
  }
}
