import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { Exchange } from '../../src/proxy/exchange.js';
import type { ForwardOptions, ForwardOutcome, ResponseBody, UpstreamFlow } from '../../src/proxy/forward.js';
import { backendAt, releaseBackends } from '../helpers/backend.js';
import { listen, type Server } from '../helpers/http-pair.js';
import { until } from '../helpers/routing-fixtures.js';

/** What an exchange did, as its body consumer and its settle callback saw it. */
interface Trace {
  outcomes: ForwardOutcome[];
  events: string[];
  late: string[];
  flow?: UpstreamFlow;
  res?: ServerResponse;
}

/**
 * Exchange (exchange.ts): the undici handler of one self-handled request. It settles once, pushes the body
 * to its consumer, turns a break after the head into onLateFailure (or closes the client), never lets the
 * gateway's own failure reach undici, and cuts off a client that stops reading.
 */
describe('Exchange', () => {
  let cluster: Server;
  let front: Server;
  let backend: Backend;
  let run: (req: IncomingMessage, res: ServerResponse) => void;

  beforeAll(async () => {
    cluster = await listen();
    front = await listen((req, res) => run(req, res));
    backend = backendAt(cluster.url);
  });
  afterAll(async () => {
    releaseBackends();
    await Promise.all([cluster.close(), front.close()]);
  });

  /** exchange makes the front dispatch every request to the cluster through a new Exchange. */
  function exchange(
    opts: Partial<ForwardOptions> & { body?: never } = {},
    timeoutMs = 1000,
    consumer?: (t: Trace) => ResponseBody,
  ): Trace {
    const t: Trace = { outcomes: [], events: [], late: [] };
    run = (req, res) => {
      t.res = res;
      const x = new Exchange(
        res,
        {
          onResponse: (up, r, flow) => {
            t.flow = flow;
            t.events.push(`head ${up.statusCode}`);
            return consumer
              ? consumer(t)
              : {
                  data: (c) => t.events.push(`data ${c.length}`),
                  end: () => {
                    t.events.push('end');
                    r.writeHead(200).end('done');
                  },
                  abort: () => {
                    t.events.push('abort');
                    r.destroy();
                  },
                  discard: () => t.events.push('discard'),
                };
          },
          onLateFailure: (kind, r) => {
            t.late.push(kind);
            r.writeHead(200).end(`late ${kind}`);
          },
          ...opts,
        },
        (o) => {
          t.outcomes.push(o);
          // As the Forwarder's callers do: an exchange that got no answer is answered by the caller.
          if (!o.ok && !res.headersSent && !res.destroyed) res.writeHead(599).end(o.kind);
        },
        timeoutMs,
      );
      res.on('close', () => x.clientClosed());
      backend.pool.dispatch(
        {
          method: 'GET',
          path: req.url ?? '/',
          headers: {},
          // undici's own timeouts stay long: the exchange's (its pause timer) is what a test shortens.
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        },
        x,
      );
    };
    return t;
  }

  it('settles ok once at the head, then pushes every chunk and the end', async () => {
    cluster.handle = (_q, s) => {
      s.writeHead(200);
      s.write('a'.repeat(10));
      s.end('b'.repeat(5));
    };
    const t = exchange();
    const res = await fetch(`${front.url}/x`);
    expect(await res.text()).toBe('done');
    expect(t.outcomes).toEqual([{ ok: true, status: 200 }]);
    expect(t.events[0]).toBe('head 200');
    expect(t.events.at(-1)).toBe('end');
    const bytes = t.events
      .filter((e) => e.startsWith('data'))
      .reduce((n, e) => n + Number(e.split(' ')[1]), 0);
    expect(bytes).toBe(15);
  });

  it('turns a break after the head, before the client had anything, into onLateFailure', async () => {
    cluster.handle = (_q, s) => {
      s.writeHead(200, { 'content-length': '1000' });
      s.write('{"id":"', () => s.socket?.resetAndDestroy());
    };
    const t = exchange();
    const res = await fetch(`${front.url}/x`);
    expect(await res.text()).toBe('late reset');
    expect(t.outcomes).toEqual([{ ok: true, status: 200 }]);
    expect(t.late).toEqual(['reset']);
    expect(t.events).toContain('discard');
    expect(t.events).not.toContain('abort');
  });

  it('aborts the body (the client connection closes) when the client already has the head', async () => {
    cluster.handle = (_q, s) => {
      s.writeHead(200, { 'content-length': '1000' });
      s.write('x'.repeat(10), () => setImmediate(() => s.socket?.resetAndDestroy()));
    };
    const t = exchange({}, 1000, (tr) => ({
      data: (c) => {
        tr.events.push(`data ${c.length}`);
        if (!tr.res!.headersSent) tr.res!.writeHead(200, { 'content-length': '1000' });
        tr.res!.write(c);
      },
      end: () => tr.events.push('end'),
      abort: () => {
        tr.events.push('abort');
        tr.res!.destroy();
      },
      discard: () => tr.events.push('discard'),
    }));
    await expect(fetch(`${front.url}/x`).then((r) => r.text())).rejects.toThrow();
    await until(() => t.events.includes('abort'));
    expect(t.late).toEqual([]);
  });

  it('settles a failure before any head with its kind', async () => {
    cluster.handle = (_q, s) => s.socket?.resetAndDestroy();
    const t = exchange();
    expect(await (await fetch(`${front.url}/x`)).text()).toBe('reset');
    expect(t.outcomes).toEqual([expect.objectContaining({ ok: false, kind: 'reset' })]);
    expect(t.events).toEqual([]);
  });

  it('reports 503 as unavailable with refuse503, handing nothing to onResponse', async () => {
    cluster.handle = (_q, s) => s.writeHead(503).end('busy');
    const t = exchange({ refuse503: true });
    const res = await fetch(`${front.url}/x`);
    expect(await res.text()).toBe('unavailable');
    expect(t.outcomes).toEqual([{ ok: false, kind: 'unavailable' }]);
    expect(t.events).toEqual([]);
  });

  it("closes the client's connection when the gateway's own consumer throws, and keeps undici whole", async () => {
    cluster.handle = (_q, s) => s.writeHead(200).end('x');
    exchange({}, 1000, () => {
      throw new Error('bug in the gateway');
    });
    await expect(fetch(`${front.url}/x`)).rejects.toThrow();
    // The pool still serves the next exchange.
    cluster.handle = (_q, s) => s.writeHead(200).end('ok');
    const t = exchange();
    expect(await (await fetch(`${front.url}/y`)).text()).toBe('done');
    expect(t.outcomes).toEqual([{ ok: true, status: 200 }]);
  });

  it('aborts the upstream request when the client goes away', async () => {
    let upstreamClosed = false;
    cluster.handle = (q, s) => {
      s.writeHead(200);
      s.write('partial');
      q.socket.on('close', () => (upstreamClosed = true));
    };
    const t = exchange({}, 10_000, (tr) => ({
      data: () => {
        if (!tr.res!.headersSent) tr.res!.writeHead(200).write('x');
      },
      end: () => undefined,
      abort: () => tr.events.push('abort'),
      discard: () => undefined,
    }));
    const client = new AbortController();
    const res = await fetch(`${front.url}/x`, { signal: client.signal });
    expect(res.status).toBe(200);
    client.abort();
    await until(() => upstreamClosed, 10_000);
    expect(t.outcomes).toEqual([{ ok: true, status: 200 }]);
  });

  it('cuts off a client that stops reading while the exchange is paused', async () => {
    let upstreamClosed = false;
    cluster.handle = (q, s) => {
      s.writeHead(200);
      s.write('x');
      q.socket.on('close', () => (upstreamClosed = true));
    };
    const t = exchange({}, 200, (tr) => ({
      data: () => tr.flow!.pause(),
      end: () => undefined,
      abort: () => undefined,
      discard: () => undefined,
    }));
    // A raw client that sends its request and never reads: the pause timer ends the exchange.
    const sock = net.connect(front.port, '127.0.0.1');
    sock.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.on('error', () => undefined);
    await closed;
    await until(() => upstreamClosed, 10_000);
    expect(t.res!.destroyed).toBe(true);
  });
});
