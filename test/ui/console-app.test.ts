import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAddressResolver } from '../../src/observability/client-address.js';
import { clientAddress, cookieOptions, readForm, safeNext } from '../../src/ui/console-app.js';
import type { ConsoleDeps } from '../../src/ui/console-deps.js';

describe('safeNext', () => {
  it('keeps a target inside the console', () => {
    for (const next of ['/console', '/console/backends', '/console?x=1', '/console/history?user=a&b=/c'])
      expect(safeNext(next)).toBe(next);
  });

  it('sends anything else to /console: other paths, other hosts, lookalikes, backslashes', () => {
    for (const next of [
      undefined,
      '',
      '/',
      '/api/v1/backends',
      '/consoled',
      '/console-x',
      '//evil.example/console',
      'https://evil.example/console',
      '/console/\\evil.example',
      '/console\\@evil',
      ' /console',
    ])
      expect(safeNext(next), String(next)).toBe('/console');
  });
});

describe('readForm', () => {
  const app = new Hono().post('/f', async (c) => c.json(await readForm(c)));
  const post = async (body: BodyInit, type?: string) =>
    (await app.request('/f', { method: 'POST', body, headers: type ? { 'content-type': type } : {} })).json();

  it('reads an urlencoded form, last value of a repeated field', async () => {
    expect(await post('a=1&b=x%20y&a=2', 'application/x-www-form-urlencoded')).toEqual({ a: '2', b: 'x y' });
  });

  it('reads multipart string fields and drops files', async () => {
    const fd = new FormData();
    fd.set('name', 'sales');
    fd.set('upload', new Blob(['secret']), 'f.txt');
    expect(await post(fd)).toEqual({ name: 'sales' });
  });

  it('answers an empty form for any other content type, or none', async () => {
    expect(await post('{"a":"1"}', 'application/json')).toEqual({});
    expect(await post('a=1', 'text/plain')).toEqual({});
    expect(await post('a=1')).toEqual({});
  });
});

describe('cookieOptions and clientAddress', () => {
  let server: http.Server;
  let base: string;
  const deps = (secureCookies?: boolean) => ({ secureCookies }) as ConsoleDeps;
  const app = new Hono()
    .get('/opts', (c) =>
      c.json(
        cookieOptions(
          c,
          deps(c.req.query('secure') === undefined ? undefined : c.req.query('secure') === '1'),
          60,
        ),
      ),
    )
    .get('/addr', (c) => c.text(clientAddress(c)));

  beforeAll(async () => {
    const resolver = new ClientAddressResolver(['127.0.0.1']);
    const listener = getRequestListener(app.fetch);
    // As the gateway's server does: the resolver tags each request before the app sees it.
    server = http.createServer((req, res) => {
      resolver.tag(req);
      return listener(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server?.close(r)));

  it('limits the session cookie to /console, HttpOnly and SameSite=Strict, for the given lifetime', async () => {
    expect(await (await fetch(`${base}/opts`)).json()).toEqual({
      path: '/console',
      httpOnly: true,
      sameSite: 'Strict',
      secure: false,
      maxAge: 60,
    });
  });

  it('marks it Secure over https, behind a trusted proxy that says https, or when configured', async () => {
    expect((await (await app.request('https://gw.example/opts')).json()).secure).toBe(true);
    const proxied = await fetch(`${base}/opts`, { headers: { 'x-forwarded-proto': 'https' } });
    expect((await proxied.json()).secure).toBe(true);
    expect((await (await fetch(`${base}/opts?secure=1`)).json()).secure).toBe(true);
    expect((await (await app.request('https://gw.example/opts?secure=0')).json()).secure).toBe(false);
  });

  it('finds the client address behind the trusted proxy, and says unknown without a socket', async () => {
    expect(await (await fetch(`${base}/addr`)).text()).toBe('127.0.0.1');
    expect(
      await (await fetch(`${base}/addr`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).text(),
    ).toBe('203.0.113.9');
    expect(await (await app.request('/addr')).text()).toBe('unknown');
  });
});
