import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runStatement } from '../../src/catalogs/statement-client.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { backendClient, closeBackendClients } from '../helpers/backend-client.js';

afterAll(closeBackendClients);

describe('runStatement against the emulator', () => {
  let emu: TrinoEmulator;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'sc', queuedPages: 2, executingPages: 2, rowsPerPage: 3 });
  });
  afterEach(async () => {
    await emu.setMode('ok');
    emu.clearRequests();
  });
  afterAll(() => emu?.stop());

  const run = (sql: string, timeoutMs = 5000) =>
    runStatement({ client: backendClient(emu.url), sql, user: 'switchyard-admin', timeoutMs });

  it('runs SELECT 1 to completion and returns its rows', async () => {
    expect(await run('SELECT 1')).toEqual({
      ok: true,
      rows: [[1]],
      queryId: expect.stringMatching(/^\d{8}_\d{6}_\d{5}_\w{5}$/),
    });
    const post = emu.requests[0];
    expect(post.method).toBe('POST');
    expect(post.url).toBe('/v1/statement');
    expect(post.headers['x-trino-user']).toBe('switchyard-admin');
    expect(post.headers['x-trino-source']).toBe('switchyard');
    // queued pages, executing pages: every nextUri was followed
    expect(emu.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(4);
  });

  it('collects rows over several pages', async () => {
    const r = await run('SELECT * FROM UNNEST(sequence(1, 10))');
    expect(r).toEqual({
      ok: true,
      rows: Array.from({ length: 10 }, (_, i) => [i + 1]),
      queryId: expect.stringMatching(/^\d{8}_\d{6}_\d{5}_\w{5}$/),
    });
  });

  it('passes extra headers, keeping the user it was given', async () => {
    await runStatement({
      client: backendClient(emu.url + '/'),
      sql: 'SELECT 1',
      user: 'u1',
      timeoutMs: 5000,
      headers: { 'X-Trino-Source': 'reconciler', 'X-Trino-User': 'someone-else', 'X-Extra': 'e' },
    });
    const h = emu.requests[0].headers;
    expect([h['x-trino-user'], h['x-trino-source'], h['x-extra']]).toEqual(['u1', 'reconciler', 'e']);
  });

  it('returns a failing query as Trino reports it', async () => {
    const r = await run('SELECT * FROM nope.s.t');
    expect(r).toEqual({
      ok: false,
      errorName: 'CATALOG_NOT_FOUND',
      errorType: 'USER_ERROR',
      message: "line 1:15: Catalog 'nope' not found",
      queryId: expect.stringMatching(/^\d{8}_\d{6}_\d{5}_\w{5}$/),
    });
    const syntax = await run('FROB');
    expect(syntax.ok === false && syntax.errorName).toBe('SYNTAX_ERROR');
    expect(syntax.ok === false && syntax.transport).toBeFalsy();
  });

  it('reports an unavailable backend (503 on submit) as a transport failure', async () => {
    await emu.setMode('unavailable');
    const r = await run('SELECT 1');
    expect(r).toMatchObject({ ok: false, errorName: 'BACKEND_UNREACHABLE', transport: true });
    expect(r.ok === false && r.message).toContain('503');
  });

  it('reports a refused connection as a transport failure, quickly', async () => {
    await emu.setMode('refuse');
    const t0 = Date.now();
    const r = await run('SELECT 1');
    expect(r).toMatchObject({ ok: false, errorName: 'BACKEND_UNREACHABLE', transport: true });
    expect(r.ok === false && r.message).toContain('connection refused');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('times out on a hanging backend within about the timeout', async () => {
    await emu.setMode('hang');
    const t0 = Date.now();
    const r = await run('SELECT 1', 300);
    const took = Date.now() - t0;
    expect(r).toMatchObject({ ok: false, errorName: 'BACKEND_TIMEOUT', transport: true });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
  });

  it('bounds the whole statement, not each request, and cancels the query', async () => {
    const t0 = Date.now();
    const r = await run('SELECT sleep(5000)', 600);
    expect(r).toMatchObject({ ok: false, errorName: 'BACKEND_TIMEOUT', transport: true });
    expect(Date.now() - t0).toBeLessThan(2000);
    await new Promise((res) => setTimeout(res, 200));
    expect(emu.requests.some((q) => q.method === 'DELETE')).toBe(true);
  });
});

describe('runStatement against a flaky coordinator', () => {
  let emu: TrinoEmulator;
  let proxy: http.Server;
  let failures = 0;
  let proxyUrl = '';
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'flaky' });
    // answers 503 for the first `failures` polls of a nextUri, then forwards to the emulator
    proxy = http.createServer((req, res) => {
      if (req.method === 'GET' && failures > 0) {
        failures--;
        res.writeHead(503).end('Service Unavailable');
        return;
      }
      const up = http.request(
        emu.url + req.url,
        {
          method: req.method,
          headers: { ...req.headers, host: `127.0.0.1:${(proxy.address() as AddressInfo).port}` },
        },
        (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => proxy?.close(r));
    await emu?.stop();
  });

  it('retries a 503 on a nextUri poll and completes', async () => {
    failures = 3;
    const r = await runStatement({
      client: backendClient(proxyUrl),
      sql: 'SELECT 1',
      user: 'u',
      timeoutMs: 5000,
    });
    expect(r).toEqual({ ok: true, rows: [[1]], queryId: expect.stringMatching(/^\d{8}_\d{6}_\d{5}_\w{5}$/) });
    expect(failures).toBe(0);
  });

  it('gives up on a nextUri that stays unavailable when the time is up', async () => {
    failures = 1_000_000;
    const t0 = Date.now();
    const r = await runStatement({
      client: backendClient(proxyUrl),
      sql: 'SELECT 1',
      user: 'u',
      timeoutMs: 700,
    });
    expect(r).toMatchObject({ ok: false, transport: true });
    expect(Date.now() - t0).toBeLessThan(1500);
    failures = 0;
  });
});
