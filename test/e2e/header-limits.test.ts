import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

interface Page {
  nextUri?: string;
  data?: unknown[][];
  error?: { message: string };
}

const USER = { 'X-Trino-User': 'alice' };
/** A client that reads response headers as large as Trino sends (Java and Python clients have no 16 KB limit). */
const client = new Agent({ maxHeaderSize: 4 * 1024 * 1024 });

/** drain runs a statement and returns every answer's headers and the last page. */
async function drain(gw: string, sql: string, headers: Record<string, string> = {}) {
  const h = { ...USER, ...headers };
  let res = await undiciFetch(`${gw}/v1/statement`, {
    method: 'POST',
    body: sql,
    headers: h,
    dispatcher: client,
  });
  expect(res.status).toBe(200);
  const answers = [res.headers];
  let page = (await res.json()) as Page;
  while (page.nextUri) {
    res = await undiciFetch(page.nextUri, { headers: h, dispatcher: client });
    answers.push(res.headers);
    page = (await res.json()) as Page;
  }
  return { answers, page };
}

/**
 * Trino takes request and response headers up to 2 MiB (its CoordinatorModule raises airlift's
 * http-server.max-request-header-size and max-response-header-size for prepared statements, which clients
 * send in X-Trino-Prepared-Statement on every request). The gateway takes as much by default; beyond its
 * limit it answers 431 as Jetty does, and a cluster's own 431 reaches the client as Trino's error JSON.
 */
describe('header limits', () => {
  let emu: TrinoEmulator;
  let small: TrinoEmulator;
  let gw: TestGateway;
  let tight: TestGateway;

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1' });
    // A cluster set to airlift's own default (http-server.max-request-header-size=8kB).
    small = await TrinoEmulator.start({ name: 'small', maxRequestHeaderSize: 8 * 1024 });
    gw = await startGateway(
      testConfig([
        { name: 'trino-1', url: emu.url },
        { name: 'small', url: small.url, group: 'small' },
      ]),
    );
    tight = await startGateway({
      ...testConfig([{ name: 'trino-1', url: emu.url }]),
      server: { host: '127.0.0.1', port: 0, publicUrl: 'http://127.0.0.1:0', maxHeaderBytes: 4096 },
    });
  });
  afterAll(async () => {
    await Promise.all([gw?.stop(), tight?.stop()]);
    await Promise.all([emu?.stop(), small?.stop(), client.close()]);
  });

  it('carries a large prepared statement both ways at the defaults, as Trino does', async () => {
    const text = 'x'.repeat(100_000);
    const prepare = await drain(gw.url, `PREPARE q1 FROM SELECT '${text}'`);
    expect(prepare.page.error).toBeUndefined();
    const added = prepare.answers.map((h) => h.get('x-trino-added-prepare')).find(Boolean);
    expect(added).toBe(`q1=SELECT+%27${text}%27`);
    const run = await drain(gw.url, 'EXECUTE q1', { 'X-Trino-Prepared-Statement': added! });
    expect(run.page.error).toBeUndefined();
    expect(run.page.data).toEqual([[text]]);
  });

  it('answers a header block over server.maxHeaderBytes with 431 in Trino error JSON, and keeps serving', async () => {
    const port = Number(new URL(tight.url).port);
    const res = await rawRequest(
      port,
      `POST /v1/statement HTTP/1.1\r\nHost: x\r\nX-Trino-User: alice\r\nX-Big: ${'x'.repeat(6000)}\r\nContent-Length: 8\r\n\r\nSELECT 1`,
    );
    expect(res.status).toBe(431);
    expect(res.head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large/);
    expect(JSON.parse(res.body)).toMatchObject({
      errorName: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
      message: 'request headers too large',
    });
    expect((await drain(tight.url, 'SELECT 1')).page.data).toEqual([[1]]);
  });

  it("passes a cluster's own 431 (Jetty's page) on as 431 in Trino error JSON naming the cluster", async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { ...USER, 'X-Trino-Routing-Group': 'small', 'X-Trino-Client-Info': 'y'.repeat(10_000) },
    });
    expect(res.status).toBe(431);
    expect(await res.json()).toMatchObject({
      errorName: 'BACKEND_ERROR',
      message: 'backend small answered 431: HTTP ERROR 431 Request Header Fields Too Large',
    });
  });
});
