import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import { clientAddress } from '../src/observability/client-address.js';
import { connectionOptions, createListener, isProtocolPath } from '../src/server.js';
import { rawRequest } from './helpers/raw-http.js';
import { testConfig } from './helpers/start-gateway.js';

describe('isProtocolPath', () => {
  it('sends the Trino protocol, Trino’s web UI and the clusters’ OAuth2 to the proxy', () => {
    for (const p of [
      '/v1/statement',
      '/v1/statement/queued/x/y/1',
      '/v1/info',
      '/v1',
      '/ui',
      '/ui/',
      '/ui?x',
      '/oauth2/token/x',
      'http://h/v1/statement',
    ])
      expect(isProtocolPath(p), p).toBe(true);
  });

  it('keeps the gateway’s own paths, the seed-compatible catalog API included, for the app', () => {
    for (const p of [
      '/',
      '/api/v1/backends',
      '/v1/catalog/add',
      '/v1/catalog/delete',
      '/console',
      '/uix',
      '/v1x',
      '/oidc/callback',
      '/oauth2',
    ])
      expect(isProtocolPath(p), p).toBe(false);
  });
});

describe('connectionOptions', () => {
  const server = (o: Record<string, unknown> = {}) =>
    parseConfig(stringify(testConfig([], { server: { host: '127.0.0.1', port: 0, ...o } })), { baseDir: '/' })
      .server;

  it('bounds headers, the whole request and idle keep-alive from the config', () => {
    const s = server({
      headersTimeoutSeconds: 8,
      requestTimeoutSeconds: 60,
      keepAliveTimeoutSeconds: 5,
      maxHeaderBytes: 16384,
    });
    expect(connectionOptions(s)).toEqual({
      maxHeaderSize: 16384,
      headersTimeout: 8000,
      requestTimeout: 60_000,
      keepAliveTimeout: 5000,
      connectionsCheckingInterval: 1000,
    });
  });

  it('checks the limits often enough to keep a short header timeout to within a second, never below 50 ms', () => {
    expect(connectionOptions(server({ headersTimeoutSeconds: 2 })).connectionsCheckingInterval).toBe(500);
    expect(connectionOptions(server({ headersTimeoutSeconds: 0.1 })).connectionsCheckingInterval).toBe(50);
  });
});

describe('createListener', () => {
  let server: http.Server;
  let port: number;
  const seen: string[] = [];
  const answer = (who: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push(`${who} ${req.url} ${clientAddress(req)}`);
    res.end(who);
  };
  beforeAll(async () => {
    const cfg = parseConfig(
      stringify(
        testConfig([], {
          server: { host: '127.0.0.1', port: 0, maxHeaderBytes: 4096, trustedProxies: ['127.0.0.1'] },
        }),
      ),
      { baseDir: '/' },
    );
    server = createListener(cfg, undefined, answer('proxy'), answer('app'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server?.close(r)));
  const get = (target: string, headers = '') =>
    rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);

  it('routes protocol paths to the proxy and the rest to the app, tagging the client behind a trusted proxy', async () => {
    expect((await get('/v1/info')).body).toBe('proxy');
    expect((await get('/api/v1/backends', 'X-Forwarded-For: 203.0.113.4\r\n')).body).toBe('app');
    expect(seen).toContain('app /api/v1/backends 203.0.113.4');
  });

  it('refuses app targets the URL parser would reinterpret, in JSON', async () => {
    for (const target of ['/console/../api/v1/users', '/api/%2e%2e/x', '/a\\b', '//evil/x', '/%E0%A4%A']) {
      const r = await get(target);
      expect(r.status, target).toBe(400);
      expect(JSON.parse(r.body)).toEqual({ message: 'malformed request target' });
    }
    expect(seen.some((s) => s.includes('..') || s.includes('%2e'))).toBe(false);
  });

  it("answers a malformed request and oversized headers in JSON, in Trino's error shape", async () => {
    const bad = await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      message: 'malformed HTTP request',
      errorCode: 0,
      errorName: 'BAD_REQUEST',
      errorType: 'USER_ERROR',
    });
    const big = await get('/v1/info', `X-Big: ${'a'.repeat(8000)}\r\n`);
    expect(big.status).toBe(431);
    expect(big.head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large/);
    expect(JSON.parse(big.body)).toMatchObject({ errorName: 'REQUEST_HEADER_FIELDS_TOO_LARGE' });
  });
});
