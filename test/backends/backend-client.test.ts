import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { backendClient, closeBackendClients } from '../helpers/backend-client.js';

afterAll(closeBackendClients);

const soon = (ms = 5000) => Date.now() + ms;

describe('BackendClient against the emulator', () => {
  let emu: TrinoEmulator;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'bc' });
  });
  afterEach(async () => {
    await emu.setMode('ok');
    emu.clearRequests();
  });
  afterAll(() => emu?.stop());

  it('reads an answer whole, with its status and headers', async () => {
    const r = await backendClient(emu.url).call({ method: 'GET', path: '/v1/info', deadline: soon() });
    expect(r).toMatchObject({
      ok: true,
      status: 200,
      headers: { 'content-type': expect.stringContaining('json') },
    });
    expect(r.ok && JSON.parse(r.body)).toMatchObject({ starting: false });
  });

  it('sends a POST body with its headers', async () => {
    const r = await backendClient(emu.url).call({
      method: 'POST',
      path: '/v1/statement',
      headers: { 'x-trino-user': 'alice', 'content-type': 'text/plain' },
      body: 'SELECT 1',
      deadline: soon(),
    });
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect(emu.requests[0]).toMatchObject({
      method: 'POST',
      url: '/v1/statement',
      headers: { 'x-trino-user': 'alice', 'content-length': '8' },
    });
  });

  it('reports a refused connection as unreachable', async () => {
    await emu.setMode('refuse');
    expect(await backendClient(emu.url).call({ method: 'GET', path: '/v1/info', deadline: soon() })).toEqual({
      ok: false,
      errorName: 'BACKEND_UNREACHABLE',
      message: 'GET /v1/info: connection refused',
    });
  });

  it('ends at the deadline on a hanging backend', async () => {
    await emu.setMode('hang');
    expect(
      await backendClient(emu.url).call({ method: 'GET', path: '/v1/info', deadline: soon(200) }),
    ).toEqual({
      ok: false,
      errorName: 'BACKEND_TIMEOUT',
      message: 'GET /v1/info: timed out',
    });
  });

  it('ends when its signal is aborted, and does not start when it already was', async () => {
    await emu.setMode('hang');
    const ac = new AbortController();
    const call = backendClient(emu.url).call({
      method: 'GET',
      path: '/v1/info',
      deadline: soon(),
      signal: ac.signal,
    });
    await expect.poll(() => emu.requests.length).toBe(1);
    ac.abort();
    expect(await call).toMatchObject({
      ok: false,
      errorName: 'BACKEND_UNREACHABLE',
      message: 'GET /v1/info: aborted',
    });
    const again = await backendClient(emu.url).call({
      method: 'GET',
      path: '/v1/info',
      deadline: soon(),
      signal: ac.signal,
    });
    expect(again).toMatchObject({ ok: false, message: 'GET /v1/info: aborted' });
    expect(emu.requests.length).toBe(1);
  });

  it('ends a call still waiting for a connection at its deadline, and never sends it', async () => {
    await emu.setMode('hang');
    const c = backendClient(emu.url, 1);
    const ac = new AbortController();
    const holder = c.call({ method: 'GET', path: '/v1/info', deadline: soon(), signal: ac.signal });
    await expect.poll(() => emu.requests.length).toBe(1);
    expect(await c.call({ method: 'GET', path: '/v1/status', deadline: soon(200) })).toEqual({
      ok: false,
      errorName: 'BACKEND_TIMEOUT',
      message: 'GET /v1/status: timed out',
    });
    ac.abort();
    expect(await holder).toMatchObject({ ok: false, message: 'GET /v1/info: aborted' });
    await emu.setMode('ok');
    expect(await c.call({ method: 'GET', path: '/v1/info', deadline: soon() })).toMatchObject({ ok: true });
    expect(emu.requests.map((r) => r.url)).toEqual(['/v1/info', '/v1/info']);
  });

  it('refuses an answer larger than maxBytes', async () => {
    const r = await backendClient(emu.url).call({
      method: 'GET',
      path: '/v1/info',
      deadline: soon(),
      maxBytes: 10,
    });
    expect(r).toEqual({
      ok: false,
      errorName: 'BACKEND_UNREACHABLE',
      message: 'GET /v1/info: response too large',
    });
  });

  it('reports a header value node cannot send as unreachable, without a request', async () => {
    const r = await backendClient(emu.url).call({
      method: 'GET',
      path: '/v1/info',
      headers: { 'x-trino-user': 'a\r\nb' },
      deadline: soon(),
    });
    expect(r).toMatchObject({ ok: false, errorName: 'BACKEND_UNREACHABLE' });
    expect(emu.requests).toEqual([]);
  });
});

describe('BackendClient on a keep-alive connection the server closed', () => {
  // Answers the first request on each connection, then drops the connection at its next request without
  // answering: what a server that closed an idle keep-alive connection looks like to its client.
  let server: http.Server;
  let url = '';
  let seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const n = ((req.socket as { served?: number }).served ?? 0) + 1;
      (req.socket as { served?: number }).served = n;
      seen.push(`${req.method} ${n}`);
      if (n > 1) return req.socket.destroy();
      res.end('fine');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    seen = [];
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('sends a GET once more on a fresh connection', async () => {
    const c = backendClient(url, 1);
    expect(await c.call({ method: 'GET', path: '/a', deadline: soon() })).toMatchObject({
      ok: true,
      body: 'fine',
    });
    expect(await c.call({ method: 'GET', path: '/b', deadline: soon() })).toMatchObject({
      ok: true,
      body: 'fine',
    });
    expect(seen).toEqual(['GET 1', 'GET 2', 'GET 1']);
  });

  it('never sends a POST twice', async () => {
    const c = backendClient(url, 1);
    await c.call({ method: 'GET', path: '/a', deadline: soon() });
    expect(await c.call({ method: 'POST', path: '/b', body: 'x', deadline: soon() })).toEqual({
      ok: false,
      errorName: 'BACKEND_UNREACHABLE',
      message: 'POST /b: connection reset',
    });
    expect(seen).toEqual(['GET 1', 'POST 2']);
  });
});
