import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagResponse } from '../../src/observability/request-id.js';
import { emptyQueryStats, sendQueryPage } from '../../src/trino/query-page.js';

describe('emptyQueryStats', () => {
  it('is a queued query that waited, every counter zero', () => {
    const s = emptyQueryStats('QUEUED', 1234);
    expect(s).toMatchObject({
      state: 'QUEUED',
      queued: true,
      scheduled: false,
      queuedTimeMillis: 1234,
      elapsedTimeMillis: 1234,
    });
    const counters = Object.entries(s).filter(
      ([k]) => !['state', 'queued', 'scheduled', 'queuedTimeMillis', 'elapsedTimeMillis'].includes(k),
    );
    expect(counters.length).toBeGreaterThanOrEqual(12);
    for (const [k, v] of counters) expect(v, k).toBe(0);
  });

  it('is not queued when failed', () => {
    expect(emptyQueryStats('FAILED', 0)).toMatchObject({ state: 'FAILED', queued: false });
  });
});

describe('sendQueryPage', () => {
  let server: http.Server;
  let url: string;
  let handle: (res: http.ServerResponse) => void;
  beforeAll(async () => {
    server = http.createServer((_req, res) => handle(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers 200 JSON with its byte length and the request id', async () => {
    handle = (res) => {
      tagResponse(res, 'rid-1');
      sendQueryPage(res, '{"id":"é"}');
    };
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength('{"id":"é"}')));
    expect(res.headers.get('x-request-id')).toBe('rid-1');
    expect(await res.json()).toEqual({ id: 'é' });
  });

  it('sends no request id header when there is none', async () => {
    handle = (res) => sendQueryPage(res, '{}');
    expect((await fetch(url)).headers.get('x-request-id')).toBeNull();
  });

  it('cuts off an answer whose head already went, rather than writing a second', async () => {
    handle = (res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      sendQueryPage(res, '{"id":"x"}');
    };
    await expect(fetch(url).then((r) => r.text())).rejects.toThrow();
  });
});
