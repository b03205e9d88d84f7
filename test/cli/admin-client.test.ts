import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminCallError, call, targetFromEnv } from '../../src/cli/admin-client.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('targetFromEnv', () => {
  it.each([
    [{}, 'http://localhost:8080', undefined],
    [{ SWITCHYARD_URL: 'https://gw.example:8443//' }, 'https://gw.example:8443', undefined],
    [{ SWITCHYARD_TOKEN: 't0k' }, 'http://localhost:8080', 'Bearer t0k'],
    [
      { SWITCHYARD_USER: 'ops', SWITCHYARD_PASSWORD: 'pw' },
      'http://localhost:8080',
      `Basic ${b64('ops:pw')}`,
    ],
    [{ SWITCHYARD_USER: 'ops' }, 'http://localhost:8080', `Basic ${b64('ops:')}`],
    [{ SWITCHYARD_TOKEN: 't0k', SWITCHYARD_USER: 'ops' }, 'http://localhost:8080', 'Bearer t0k'],
  ])('reads %j', (env, url, authorization) => {
    const t = targetFromEnv(env);
    expect({ url: t.url, authorization: t.authorization, insecure: !!t.dispatcher }).toEqual({
      url,
      authorization,
      insecure: false,
    });
  });

  it('accepts any certificate only with SWITCHYARD_INSECURE=1', () => {
    expect(targetFromEnv({ SWITCHYARD_INSECURE: '1' }).dispatcher).toBeDefined();
    expect(targetFromEnv({ SWITCHYARD_INSECURE: 'true' }).dispatcher).toBeUndefined();
  });

  it('refuses a URL that is none, naming the variable', () => {
    expect(() => targetFromEnv({ SWITCHYARD_URL: 'not a url' })).toThrow(
      new AdminCallError('SWITCHYARD_URL: not a URL: not a url'),
    );
  });
});

describe('call', () => {
  let server: http.Server;
  let url: string;
  const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        const [, status, kind] = /^\/(\d+)\/?(\w*)/.exec(req.url ?? '') ?? [];
        res.statusCode = Number(status);
        if (kind === 'text') res.end('plain words');
        else if (kind === 'empty') res.end();
        else res.end(JSON.stringify({ message: `said ${status}`, echo: body ? JSON.parse(body) : null }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends JSON with the credential and returns the answer, 207 included', async () => {
    seen.length = 0;
    const t = { url, authorization: 'Bearer x' };
    expect(await call(t, 'POST', '/200', { a: 1 })).toEqual({ message: 'said 200', echo: { a: 1 } });
    expect(await call(t, 'GET', '/207')).toEqual({ message: 'said 207', echo: null });
    expect(await call(t, 'DELETE', '/204/empty')).toBeUndefined();
    expect(seen[0]).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json', accept: 'application/json' },
    });
    expect(seen[1].headers['content-type']).toBeUndefined();
  });

  it.each([
    ['/400', 400, 'GET /400: 400 said 400'],
    [
      '/401',
      401,
      'GET /401: 401 said 401 (set SWITCHYARD_USER and SWITCHYARD_PASSWORD, or SWITCHYARD_TOKEN)',
    ],
    ['/403', 403, 'GET /403: 403 said 403 (the admin role is required)'],
    ['/500/text', 500, 'GET /500/text: 500 plain words'],
  ])('turns %s into an error carrying the API message', async (path, status, message) => {
    const err = await call({ url }, 'GET', path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminCallError);
    expect(err).toMatchObject({ status, message });
  });

  it('reports a gateway it cannot reach by its URL and the cause', async () => {
    const dead = await new Promise<string>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const u = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
        s.close(() => resolve(u));
      });
    });
    await expect(call({ url: dead }, 'GET', '/x')).rejects.toThrow(`${dead}: ECONNREFUSED`);
  });
});
