import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedQuery } from '../helpers/failed-query.js';
import { runStatement } from '../../src/catalogs/statement-client.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { backendClient, closeBackendClients } from '../helpers/backend-client.js';

afterAll(closeBackendClients);

/** listen starts a server on 127.0.0.1:0 and returns its origin. */
async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/**
 * A cluster (misconfigured, or compromised) that points clients at another host: a nextUri or a redirect
 * on a foreign origin, and cookies named like the gateway's own. None of it reaches a client unchanged, and
 * the gateway's own statement client follows it nowhere.
 */
describe('a backend pointing elsewhere', () => {
  const seenAbroad: string[] = [];
  const abroad = http.createServer((req, res) => {
    seenAbroad.push(`${req.method} ${req.url} user=${req.headers['x-trino-user'] ?? ''}`);
    res.end('{}');
  });
  let foreign = '';
  let self = '';
  const cluster = http.createServer((req, res) => {
    let sql = '';
    req.on('data', (c) => (sql += c));
    req.on('end', () => {
      const json = (body: object, headers: http.OutgoingHttpHeaders = {}) => {
        const text = JSON.stringify(body);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length, ...headers });
        res.end(text);
      };
      if (req.method === 'POST' && req.url === '/v1/statement') {
        if (sql === 'FOREIGN')
          return json({
            id: 'q_1',
            nextUri: `${foreign}/v1/statement/executing/q_1/s1/1`,
            stats: { state: 'QUEUED' },
          });
        if (sql === 'REDIRECT') return res.writeHead(307, { location: `${foreign}/v1/statement` }).end();
        return json(
          { id: 'q_2', nextUri: `${self}/v1/statement/executing/q_2/s2/1`, stats: { state: 'QUEUED' } },
          { 'set-cookie': ['sy_console=planted; Path=/console', 'Trino-UI-Token=t; Path=/ui'] },
        );
      }
      if (req.url === '/ui/away') return res.writeHead(302, { location: `${foreign}/ui/` }).end();
      if (req.url === '/ui/home')
        return res
          .writeHead(302, {
            location: `${self}/ui/next?x=1`,
            'set-cookie': ['sy_console=planted; Path=/console', 'SY_LOGIN=x', 'keep=1'],
          })
          .end();
      res.writeHead(404).end();
    });
  });
  let gw: TestGateway;

  beforeAll(async () => {
    foreign = await listen(abroad);
    self = await listen(cluster);
    gw = await startGateway(
      testConfig([{ name: 'odd', url: self }], { health: { enabled: false }, auth: { mode: 'none' } }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    cluster.close();
    abroad.close();
  });

  const submit = (sql: string) =>
    fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: sql,
      redirect: 'manual',
      headers: { 'x-trino-user': 'alice' },
    });

  it('answers a statement page whose nextUri is on a foreign origin with a failed query that names no URL', async () => {
    const res = await submit('FOREIGN');
    const error = await failedQuery(res, { 'x-trino-user': 'alice' });
    expect(error.errorName).toBe('BACKEND_UNREACHABLE');
    expect(JSON.stringify(error)).not.toContain(foreign);
    expect(JSON.stringify(error)).not.toContain(self);
  });

  it('answers a 307 to a foreign origin with a failed query and no Location', async () => {
    const res = await submit('REDIRECT');
    expect(res.headers.get('location')).toBeNull();
    expect((await failedQuery(res, { 'x-trino-user': 'alice' })).errorName).toBe('BACKEND_UNREACHABLE');
  });

  it("drops a backend's Set-Cookie for the gateway's own cookies, on statement pages and UI relays", async () => {
    const page = await submit('LOCAL');
    expect(page.status).toBe(200);
    expect(page.headers.getSetCookie()).toEqual(['Trino-UI-Token=t; Path=/ui']);
    expect(((await page.json()) as { nextUri: string }).nextUri.startsWith(`${gw.url}/`)).toBe(true);
    const ui = await fetch(`${gw.url}/ui/home`, { redirect: 'manual', headers: { 'x-trino-user': 'alice' } });
    // The gateway's cookie names are dropped; the cluster's own cookie gets the cluster's name at the gateway.
    // (The gateway's own pin of this browser's UI to the cluster comes beside it.)
    const cookies = ui.headers.getSetCookie();
    expect(cookies.filter((c) => !c.startsWith('switchyard_ui='))).toEqual([
      expect.stringMatching(/^sy[0-9a-f]{8}-keep=1$/),
    ]);
    expect(cookies.some((c) => /planted|SY_LOGIN/.test(c))).toBe(false);
    // A redirect on the backend's own origin comes back through the gateway.
    expect(ui.status).toBe(302);
    expect(ui.headers.get('location')).toBe(`${gw.url}/ui/next?x=1`);
  });

  it('answers a relayed redirect to a foreign origin with a 502', async () => {
    const res = await fetch(`${gw.url}/ui/away`, {
      redirect: 'manual',
      headers: { 'x-trino-user': 'alice' },
    });
    expect(res.status).toBe(502);
    expect(res.headers.get('location')).toBeNull();
    expect(((await res.json()) as { errorName: string }).errorName).toBe('BACKEND_UNREACHABLE');
  });

  it("keeps the gateway's own statement client (catalog SQL) on the backend's origin", async () => {
    const out = await runStatement({
      client: backendClient(self),
      sql: 'FOREIGN',
      user: 'admin',
      timeoutMs: 3000,
    });
    expect(out).toMatchObject({ ok: false, errorName: 'BACKEND_BAD_RESPONSE' });
    expect((out as { message: string }).message).toMatch(/points away from/);
    expect(seenAbroad).toEqual([]);
  });
});
