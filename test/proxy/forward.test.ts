import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tagResponse } from '../../src/observability/request-id.js';
import { Forwarder, type ForwardOptions, type ForwardOutcome } from '../../src/proxy/forward.js';
import { prepareHeaders } from '../../src/proxy/forward-headers.js';
import { backendAt, releaseBackends } from '../helpers/backend.js';
import { listen, type Server } from '../helpers/http-pair.js';
import { rawRequest } from '../helpers/raw-http.js';
import { until } from '../helpers/routing-fixtures.js';

/**
 * Forwarder (forward.ts): one request to a backend, relayed as it is (http-proxy-3) or handled by the
 * caller (undici), with one contract for the outcome. A scripted cluster stands in for Trino here: these
 * are transport behaviours (status, headers, resets, silence) no Trino setting chooses.
 */
describe('Forwarder', () => {
  let cluster: Server;
  let front: Server;
  let forwarder: Forwarder;
  let outcomes: ForwardOutcome[];
  /** How the front (the gateway side) forwards each request it receives. */
  let forward: (req: IncomingMessage, res: ServerResponse) => Promise<ForwardOutcome>;

  beforeAll(async () => {
    cluster = await listen();
    front = await listen((req, res) => {
      void forward(req, res).then((o) => {
        outcomes.push(o);
        if (!o.ok && !res.headersSent && !res.destroyed) res.writeHead(599).end(o.kind);
      });
    });
    forwarder = new Forwarder(1000, 'https://gw.example');
  });
  afterAll(async () => {
    forwarder.close();
    releaseBackends();
    await Promise.all([cluster.close(), front.close()]);
  });
  afterEach(() => {
    cluster.seen = [];
  });
  const relayWith = (opts: ForwardOptions = {}, b = backendAt(cluster.url)) => {
    outcomes = [];
    forward = (req, res) => forwarder.forward(req, res, b, opts);
  };

  describe('a relay', () => {
    it('passes status, headers and body through, without hop-by-hop headers', async () => {
      cluster.handle = (_q, s) => {
        s.writeHead(201, { 'x-trino-thing': 'v', 'keep-alive': 'timeout=1', 'content-type': 'text/plain' });
        s.end('hello');
      };
      relayWith();
      const res = await fetch(`${front.url}/v1/info?x=1`);
      expect(res.status).toBe(201);
      expect(res.headers.get('x-trino-thing')).toBe('v');
      expect(res.headers.get('keep-alive')).toBeNull();
      expect(await res.text()).toBe('hello');
      expect(cluster.seen[0].url).toBe('/v1/info?x=1');
      expect(outcomes).toEqual([{ ok: true, status: 201 }]);
    });

    it('sends opts.path and opts.body instead of the request’s, with the body’s length', async () => {
      cluster.handle = (_q, s) => s.end();
      relayWith({ path: '/other', body: Buffer.from('replaced') });
      await fetch(`${front.url}/v1/x`, { method: 'POST', body: 'original body' });
      await until(() => cluster.seen[0]?.body !== undefined && cluster.seen[0].body !== '');
      expect(cluster.seen[0]).toMatchObject({ method: 'POST', url: '/other', body: 'replaced' });
      expect(cluster.seen[0].headers['content-length']).toBe('8');
    });

    it("rewrites a Location with rewriteLocation, and points the cluster's own origin at the gateway", async () => {
      cluster.handle = (_q, s) => s.writeHead(303, { location: 'http://worker:8080/v1/x' }).end();
      relayWith({ rewriteLocation: (l) => l.replace('http://worker:8080', cluster.url) });
      const res = await fetch(`${front.url}/a`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('https://gw.example/v1/x');
    });

    it('answers a redirect to a foreign origin itself, with a 502 naming the backend', async () => {
      cluster.handle = (_q, s) => s.writeHead(307, { location: 'https://evil.example/steal' }).end('body');
      relayWith({}, backendAt(cluster.url, 'c1'));
      const res = await fetch(`${front.url}/a`, { redirect: 'manual' });
      expect(res.status).toBe(502);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.json()).toMatchObject({
        errorName: 'BACKEND_UNREACHABLE',
        message: 'backend c1 answered with a redirect on another origin; not passed on',
      });
      expect(outcomes).toEqual([{ ok: true, status: 502 }]);
    });

    it('passes a storage redirect of a spooled segment when asked to', async () => {
      cluster.handle = (_q, s) => s.writeHead(303, { location: 'https://bucket.s3.example/seg?sig=1' }).end();
      relayWith({ storageRedirects: true });
      const res = await fetch(`${front.url}/v1/spooled/download/x`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('https://bucket.s3.example/seg?sig=1');
    });

    it("rewrites a 401's challenges only, keeping every one", async () => {
      cluster.handle = (q, s) => {
        const status = q.url === '/401' ? 401 : 403;
        s.setHeader('www-authenticate', ['Bearer x_redirect_server="http://c/oauth2"', 'Basic realm="c"']);
        s.writeHead(status).end();
      };
      relayWith({ rewriteChallenge: (v) => v.replaceAll('http://c/', 'https://gw.example/') });
      const res = await fetch(`${front.url}/401`);
      // Node joins the challenges into one value (RFC 9110 allows a list): each is rewritten, none lost.
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer x_redirect_server="https://gw.example/oauth2", Basic realm="c"',
      );
      const other = await fetch(`${front.url}/403`);
      expect(other.headers.get('www-authenticate')).toContain('x_redirect_server="http://c/oauth2"');
    });

    it('closes the connection when the client asked to, and tags the request id', async () => {
      cluster.handle = (_q, s) => s.end('x');
      const b = backendAt(cluster.url);
      outcomes = [];
      // As every caller does: prepareHeaders first, which takes the client's Connection header away.
      forward = (req, res) => {
        prepareHeaders(req, b, false, false);
        tagResponse(res, 'req-42');
        return forwarder.forward(req, res, b, {});
      };
      const req = (connection: string) =>
        rawRequest(front.port, `GET /a HTTP/1.1\r\nHost: x\r\nConnection: ${connection}\r\n\r\n`);
      const closing = await req('close');
      expect(closing.head).toMatch(/\r\nconnection: close/i);
      expect(closing.head).toMatch(/\r\nx-request-id: req-42/i);
      expect((await req('keep-alive')).head).toMatch(/\r\nconnection: keep-alive/i);
    });

    it('settles refused for a backend that is not listening', async () => {
      const gone = await listen();
      const url = gone.url;
      await gone.close();
      relayWith({}, backendAt(url));
      const res = await fetch(`${front.url}/a`);
      expect(res.status).toBe(599);
      expect(outcomes[0]).toMatchObject({ ok: false, kind: 'refused' });
    });

    it('settles timeout for a backend that never answers', async () => {
      cluster.handle = () => undefined;
      relayWith();
      const res = await fetch(`${front.url}/a`);
      expect(res.status).toBe(599);
      expect(outcomes[0]).toMatchObject({ ok: false, kind: 'timeout' });
    });
  });

  describe('a self-handled exchange', () => {
    const handled = (extra: ForwardOptions = {}, b = backendAt(cluster.url)) => {
      const got: { status?: number; body: string; headers?: Record<string, unknown> } = { body: '' };
      relayWith(
        {
          ...extra,
          onResponse: (up, res) => {
            got.status = up.statusCode;
            got.headers = up.headers;
            return {
              data: (c) => (got.body += c.toString()),
              end: () => res.writeHead(200).end(`handled ${up.statusCode}: ${got.body}`),
              abort: () => res.destroy(),
              discard: () => undefined,
            };
          },
        },
        b,
      );
      return got;
    };

    it('gives the head to onResponse and pushes the body to its consumer', async () => {
      cluster.handle = (_q, s) => s.writeHead(200, { 'x-a': '1' }).end('{"id":"q"}');
      const got = handled();
      const res = await fetch(`${front.url}/v1/statement/executing/q/s/1`);
      expect(await res.text()).toBe('handled 200: {"id":"q"}');
      expect(got.headers?.['x-a']).toBe('1');
      expect(outcomes).toEqual([{ ok: true, status: 200 }]);
    });

    it('sends the body given in place of the client’s, with its own length', async () => {
      cluster.handle = (_q, s) => s.end('ok');
      handled({ body: Buffer.from('SELECT 1'), path: '/v1/statement' });
      await fetch(`${front.url}/whatever`, {
        method: 'POST',
        body: 'a much longer client body',
      });
      await until(() => cluster.seen[0]?.body === 'SELECT 1');
      expect(cluster.seen[0].url).toBe('/v1/statement');
      expect(cluster.seen[0].headers['content-length']).toBe('8');
      expect(cluster.seen[0].headers.expect).toBeUndefined();
    });

    it('reports a 503 as unavailable with refuse503, and never hands it to onResponse', async () => {
      cluster.handle = (_q, s) => s.writeHead(503).end('busy');
      const got = handled({ refuse503: true });
      const res = await fetch(`${front.url}/v1/statement`, { method: 'POST', body: 'x' });
      expect(res.status).toBe(599);
      expect(outcomes).toEqual([{ ok: false, kind: 'unavailable' }]);
      expect(got.status).toBeUndefined();
      // Without refuse503 a 503 is an answer like any other.
      const plain = handled();
      expect(await (await fetch(`${front.url}/v1/statement`, { method: 'POST', body: 'x' })).text()).toBe(
        'handled 503: busy',
      );
      expect(plain.status).toBe(503);
    });

    it('settles refused and timeout as a relay does', async () => {
      const gone = await listen();
      const url = gone.url;
      await gone.close();
      handled({}, backendAt(url));
      await fetch(`${front.url}/a`);
      expect(outcomes[0]).toMatchObject({ ok: false, kind: 'refused' });
      cluster.handle = () => undefined;
      handled();
      await fetch(`${front.url}/a`);
      expect(outcomes[0]).toMatchObject({ ok: false, kind: 'timeout' });
    });

    it('settles client-gone without sending when the client already went away', async () => {
      const b = backendAt(cluster.url);
      outcomes = [];
      const settled = new Promise<ForwardOutcome>((resolve) => {
        forward = (req, res) => {
          res.destroy();
          return new Promise((r) =>
            forwarder.send(req, res, b, { onResponse: () => ({}) as never }, (o) => {
              resolve(o);
              r(o);
            }),
          );
        };
      });
      await fetch(`${front.url}/a`).catch(() => undefined);
      expect(await settled).toEqual({ ok: false, kind: 'client-gone' });
      expect(cluster.seen).toHaveLength(0);
    });
  });
});
