import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../src/backends/backend.js';
import { ClientAddressResolver } from '../../src/observability/client-address.js';
import { acceptsGzip, clientWantsClose, prepareHeaders } from '../../src/proxy/forward-headers.js';

const made: Backend[] = [];
function backend(
  opts: { url?: string; processForwarded?: boolean; forward?: 'always' | 'never' } = {},
): Backend {
  const b = new Backend(
    {
      name: 'b',
      url: opts.url ?? 'http://trino.internal:8080',
      group: 'g',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
      processForwarded: opts.processForwarded,
      forwardAuthorization: opts.forward,
    },
    1,
  );
  made.push(b);
  return b;
}
afterAll(() => made.forEach((b) => b.release()));

const request = (headers: IncomingHttpHeaders, remoteAddress = '203.0.113.7') =>
  ({ headers: { ...headers }, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('prepareHeaders for a cluster at Trino defaults (no forwarded headers)', () => {
  it('strips hop-by-hop headers and those the client named in Connection, keeps the rest', () => {
    const req = request({
      host: 'gw.example',
      connection: 'keep-alive, X-Secret-Hop',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic x',
      te: 'trailers',
      trailer: 'x',
      upgrade: 'h2c',
      'x-secret-hop': '1',
      'x-trino-user': 'alice',
      'content-type': 'text/plain',
    });
    expect(prepareHeaders(req, backend(), false, false)).toBe('http://trino.internal:8080');
    expect(req.headers).toEqual({
      host: 'trino.internal:8080',
      'x-trino-user': 'alice',
      'content-type': 'text/plain',
    });
  });

  it('drops every forwarding header a client sent, and sends none', () => {
    const req = request({
      forwarded: 'for=1.2.3.4',
      'x-real-ip': '1.2.3.4',
      'x-forwarded-for': '1.2.3.4',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil',
      'x-forwarded-prefix': '/p',
      'x-forwarded-anything': 'x',
      'x-trino-source': 'cli',
    });
    prepareHeaders(req, backend(), true, false, '/gw');
    expect(req.headers).toEqual({ host: 'trino.internal:8080', 'x-trino-source': 'cli' });
  });

  it('sends Authorization only to a cluster that receives credentials', () => {
    const keep = request({ authorization: 'Basic YTpi' });
    prepareHeaders(keep, backend({ forward: 'always' }), false, false);
    expect(keep.headers.authorization).toBe('Basic YTpi');
    const drop = request({ authorization: 'Basic YTpi' });
    prepareHeaders(drop, backend({ forward: 'never' }), false, false);
    expect(drop.headers.authorization).toBeUndefined();
  });

  it('strips Accept-Encoding only when asked to (the gateway reads the answer)', () => {
    const strip = request({ 'accept-encoding': 'gzip' });
    prepareHeaders(strip, backend(), false, true);
    expect(strip.headers['accept-encoding']).toBeUndefined();
    const keep = request({ 'accept-encoding': 'gzip' });
    prepareHeaders(keep, backend(), false, false);
    expect(keep.headers['accept-encoding']).toBe('gzip');
  });
});

describe('prepareHeaders for a cluster that processes forwarded headers', () => {
  const fwd = () => backend({ processForwarded: true });

  it("sets X-Forwarded-For/Proto/Host from the gateway's own view and returns the client's origin", () => {
    const req = request({
      host: 'gw.example:8443',
      'x-forwarded-for': '6.6.6.6',
      'x-forwarded-host': 'evil',
    });
    expect(prepareHeaders(req, fwd(), true, false)).toBe('https://gw.example:8443');
    expect(req.headers).toEqual({
      host: 'trino.internal:8080',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'gw.example:8443',
    });
  });

  it('says http when the gateway listens without TLS, and sends the prefix of a public URL with a path', () => {
    const req = request({ host: 'gw' });
    expect(prepareHeaders(req, fwd(), false, false, '/trino')).toBe('http://gw/trino');
    expect(req.headers['x-forwarded-proto']).toBe('http');
    expect(req.headers['x-forwarded-prefix']).toBe('/trino');
  });

  it("takes the scheme a trusted proxy reported over the listener's", () => {
    const req = request(
      { host: 'gw', 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.1' },
      '10.0.0.2',
    );
    new ClientAddressResolver(['10.0.0.0/8']).tag(req);
    expect(prepareHeaders(req, fwd(), false, false)).toBe('https://gw');
    expect(req.headers['x-forwarded-for']).toBe('198.51.100.1');
    expect(req.headers['x-forwarded-proto']).toBe('https');
  });

  it("falls back to the backend's origin without a client Host", () => {
    const req = request({});
    expect(prepareHeaders(req, fwd(), false, false)).toBe('http://trino.internal:8080');
    expect(req.headers['x-forwarded-host']).toBeUndefined();
  });

  it("keeps the client's Host for a second attempt, which must not see the first backend's", () => {
    const req = request({ host: 'gw.example' });
    prepareHeaders(req, backend({ url: 'http://first:1', processForwarded: true }), false, false);
    expect(req.headers.host).toBe('first:1');
    const origin = prepareHeaders(
      req,
      backend({ url: 'http://second:2', processForwarded: true }),
      false,
      false,
    );
    expect(origin).toBe('http://gw.example');
    expect(req.headers).toMatchObject({ host: 'second:2', 'x-forwarded-host': 'gw.example' });
  });
});

describe('clientWantsClose', () => {
  it('reads the Connection header, also after prepareHeaders removed it', () => {
    const req = request({ connection: 'Close' });
    expect(clientWantsClose(req)).toBe(true);
    prepareHeaders(req, backend(), false, false);
    expect(req.headers.connection).toBeUndefined();
    expect(clientWantsClose(req)).toBe(true);
  });

  it('is false for keep-alive, no header, and a token that merely contains "close"', () => {
    expect(clientWantsClose(request({ connection: 'keep-alive' }))).toBe(false);
    expect(clientWantsClose(request({}))).toBe(false);
    expect(clientWantsClose(request({ connection: 'closed-ish' }))).toBe(false);
    expect(clientWantsClose(request({ connection: 'keep-alive, close' }))).toBe(true);
  });
});

describe('acceptsGzip', () => {
  it('is true when gzip is listed', () => {
    expect(acceptsGzip(request({ 'accept-encoding': 'gzip, deflate' }))).toBe(true);
    expect(acceptsGzip(request({ 'accept-encoding': 'br, gzip;q=0.5' }))).toBe(true);
  });
  it('is false otherwise, and after the header was stripped', () => {
    expect(acceptsGzip(request({ 'accept-encoding': 'br' }))).toBe(false);
    expect(acceptsGzip(request({}))).toBe(false);
    const req = request({ 'accept-encoding': 'gzip' });
    prepareHeaders(req, backend(), false, true);
    expect(acceptsGzip(req)).toBe(false);
  });
});
