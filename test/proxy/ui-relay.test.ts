import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { tagResponse } from '../../src/observability/request-id.js';
import { tagOf } from '../../src/proxy/cluster-cookies.js';
import { relay, type RelayHooks } from '../../src/proxy/ui-relay.js';
import { listen, type Server } from '../helpers/http-pair.js';
import { proxyFixture, type ProxyFixture } from '../helpers/proxy-context.js';

/**
 * relay (ui-relay.ts): a web-UI or OAuth2 request to one cluster and its answer back, as the browser must
 * see it. A scripted cluster stands in for Trino: the answers are shaped per test.
 */
describe('relay', () => {
  let cluster: Server;
  let front: Server;
  let f: ProxyFixture;
  let b: Backend;
  let hooks: RelayHooks;
  let results: boolean[];

  beforeAll(async () => {
    cluster = await listen();
    f = await proxyFixture([{ name: 'c1', url: 'http://127.0.0.1:9' }]);
    await f.s.registry.add({
      name: 'ui1',
      url: cluster.url,
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
    b = f.s.registry.get('ui1')!;
    front = await listen((req: IncomingMessage, res: ServerResponse) => {
      tagResponse(res, 'rid-7');
      void relay(f.cx, req, res, b, req.url ?? '/', hooks).then((ok) => results.push(ok));
    });
  });
  afterAll(async () => {
    await Promise.all([cluster.close(), front.close()]);
    await f?.close();
  });
  beforeEach(() => {
    hooks = {};
    results = [];
    cluster.seen = [];
  });

  it('passes the answer with its length and the request id, without hop-by-hop headers', async () => {
    cluster.handle = (_q, s) =>
      s
        .writeHead(200, {
          'content-type': 'text/html',
          'content-length': 9,
          'keep-alive': 'timeout=3',
          'proxy-authenticate': 'Basic',
        })
        .end('<p>ui</p>');
    const res = await fetch(`${front.url}/ui/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<p>ui</p>');
    expect(res.headers.get('content-length')).toBe('9');
    expect(res.headers.get('x-request-id')).toBe('rid-7');
    // The gateway's own keep-alive, never the cluster's.
    expect(res.headers.get('keep-alive')).not.toBe('timeout=3');
    expect(res.headers.get('proxy-authenticate')).toBeNull();
    expect(results).toEqual([true]);
  });

  it("keeps the cluster's cookies apart: renamed for the browser, passed back under their own names only", async () => {
    const tag = tagOf(b);
    cluster.handle = (_q, s) =>
      s
        .writeHead(200, {
          'set-cookie': [
            'Trino-UI-Token=abc; Path=/ui; Domain=trino.internal',
            '__Secure-Trino-Nonce=n; Secure',
          ],
        })
        .end();
    const res = await fetch(`${front.url}/ui/login`);
    expect(res.headers.getSetCookie()).toEqual([
      `${tag}Trino-UI-Token=abc; Path=/ui`,
      `__Secure-${tag}Trino-Nonce=n; Secure`,
    ]);
    cluster.handle = (_q, s) => s.end();
    await fetch(`${front.url}/ui/api/stats`, {
      headers: {
        cookie: `${tag}Trino-UI-Token=abc; syffffffff-Trino-UI-Token=other; switchyard_ui=pin; made=up`,
      },
    });
    expect(cluster.seen.at(-1)?.headers.cookie).toBe('Trino-UI-Token=abc');
    // Only others' cookies: the cluster gets no Cookie header at all.
    await fetch(`${front.url}/ui/api/stats`, { headers: { cookie: 'switchyard_ui=pin; made=up' } });
    expect(cluster.seen.at(-1)?.headers.cookie).toBeUndefined();
  });

  it('drops a cookie named like one of the gateway’s', async () => {
    cluster.handle = (_q, s) => s.writeHead(200, { 'set-cookie': ['switchyard_ui=forged', 'ok=1'] }).end();
    const res = await fetch(`${front.url}/ui/`);
    expect(res.headers.getSetCookie()).toEqual([`${tagOf(b)}ok=1`]);
  });

  it("points a redirect on the cluster's origin at the gateway, and refuses one elsewhere", async () => {
    cluster.handle = (_q, s) => s.writeHead(303, { location: `${cluster.url}/ui/index.html` }).end();
    const own = await fetch(`${front.url}/ui/`, { redirect: 'manual' });
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe(`${f.cx.publicUrl}/ui/index.html`);
    cluster.handle = (_q, s) => s.writeHead(302, { location: 'https://idp.example/authorize?x=1' }).end();
    const foreign = await fetch(`${front.url}/ui/`, { redirect: 'manual' });
    expect(foreign.status).toBe(502);
    expect(foreign.headers.get('location')).toBeNull();
    expect(await foreign.json()).toMatchObject({
      message: 'backend ui1 answered with a redirect on another origin; not passed on',
    });
  });

  it('lets a foreign redirect pass when the caller says so, or answers it the caller’s way', async () => {
    cluster.handle = (_q, s) => s.writeHead(302, { location: 'https://idp.example/authorize?x=1' }).end();
    hooks = { foreignLocation: (l) => l.startsWith('https://idp.example/') };
    const passed = await fetch(`${front.url}/oauth2/x`, { redirect: 'manual' });
    expect(passed.status).toBe(302);
    expect(passed.headers.get('location')).toBe('https://idp.example/authorize?x=1');
    hooks = { refused: (res, loc) => res.writeHead(400).end(`refused ${loc}`) };
    const refused = await fetch(`${front.url}/oauth2/x`, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe('refused https://idp.example/authorize?x=1');
  });

  it('lets the caller shape the head', async () => {
    cluster.handle = (_q, s) => s.writeHead(200, { 'x-a': '1' }).end('x');
    hooks = {
      head: (status, h) => {
        h['x-b'] = String(status);
        return 202;
      },
    };
    const res = await fetch(`${front.url}/ui/`);
    expect(res.status).toBe(202);
    expect(res.headers.get('x-b')).toBe('200');
    expect(res.headers.get('x-a')).toBe('1');
  });

  it('replaces a body read whole, uncompressed, with its new length; cut at 64 KiB', async () => {
    cluster.handle = (q, s) => {
      // The whole body is asked for uncompressed: the relay strips the client's Accept-Encoding.
      expect(q.headers['accept-encoding']).toBeUndefined();
      s.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'identity' }).end(
        'x'.repeat(70_000),
      );
    };
    let seen = 0;
    hooks = {
      whole: (status, body) => {
        seen = body.length;
        return Buffer.from(`{"status":${status}}`);
      },
    };
    const res = await fetch(`${front.url}/oauth2/token/x`, { headers: { 'accept-encoding': 'gzip' } });
    expect(seen).toBe(64 * 1024);
    expect(res.headers.get('content-length')).toBe(String('{"status":200}'.length));
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.json()).toEqual({ status: 200 });
  });

  it('passes a compressed body through untouched when not read whole', async () => {
    const gz = gzipSync('hello');
    cluster.handle = (_q, s) =>
      s.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gz.length }).end(gz);
    const res = await fetch(`${front.url}/ui/app.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(await res.text()).toBe('hello');
    expect(res.headers.get('content-encoding')).toBe('gzip');
  });

  it('answers 502 and returns false when the cluster cannot be reached', async () => {
    const gone = await listen();
    await f.s.registry.add({
      name: 'gone',
      url: gone.url,
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
    await gone.close();
    const was = b;
    b = f.s.registry.get('gone')!;
    try {
      const res = await fetch(`${front.url}/ui/`);
      expect(res.status).toBe(502);
      expect((await res.json()) as object).toMatchObject({
        message: 'backend gone is unreachable (connection refused)',
      });
      expect(results).toEqual([false]);
    } finally {
      b = was;
    }
  });
});
