import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

const ADMIN = 'Basic ' + Buffer.from('ops:ops-password').toString('base64');

/** trino-gateway's documented backend API (docs/gateway-api.md), answered by Switchyard behind authentication. */
describe('trino-gateway compatible routes', () => {
  let gw: TestGateway;
  const call = async (method: string, path: string, body?: string, auth: string | null = ADMIN) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = auth;
    const res = await fetch(gw.url + path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text), type: res.headers.get('content-type') };
  };

  beforeAll(async () => {
    gw = await startGateway(
      testConfig(
        [
          { name: 'trino-1', url: 'http://127.0.0.1:9', externalUrl: 'https://trino-1.example.com' },
          { name: 'trino-2', url: 'http://127.0.0.1:10', active: false, group: 'etl' },
        ],
        {
          auth: await passwordAuth(['ops', 'ops-password', ['admin']]),
          health: { enabled: false },
        },
      ),
    );
  });
  afterAll(() => gw?.stop());

  it('GET /gateway/backend/all and /active answer ProxyBackendConfiguration lists', async () => {
    const all = await call('GET', '/gateway/backend/all');
    expect(all.status).toBe(200);
    expect(all.json()).toEqual([
      {
        name: 'trino-1',
        proxyTo: 'http://127.0.0.1:9',
        active: true,
        routingGroup: 'adhoc',
        externalUrl: 'https://trino-1.example.com',
      },
      {
        name: 'trino-2',
        proxyTo: 'http://127.0.0.1:10',
        active: false,
        routingGroup: 'etl',
        externalUrl: 'http://127.0.0.1:10',
      },
    ]);
    expect((await call('GET', '/gateway/backend/active')).json().map((b: any) => b.name)).toEqual([
      'trino-1',
    ]);
    expect((await call('GET', '/gateway')).text).toBe('ok');
  });

  it('activate / deactivate by name; unknown name → 404 text', async () => {
    const r = await call('POST', '/gateway/backend/activate/trino-2');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(gw.services.registry.get('trino-2')!.active).toBe(true);
    await call('POST', '/gateway/backend/deactivate/trino-2');
    expect(gw.services.registry.get('trino-2')!.active).toBe(false);
    const missing = await call('POST', '/gateway/backend/deactivate/nope');
    expect(missing.status).toBe(404);
    expect(missing.text).toMatch(/nope/);
  });

  it('modify/add, modify/update and modify/delete', async () => {
    const body = { name: 'trino-3', proxyTo: 'http://127.0.0.1:11', active: true, routingGroup: 'blue' };
    const added = await call('POST', '/gateway/backend/modify/add', JSON.stringify(body));
    expect(added.status).toBe(200);
    expect(added.json()).toEqual({ ...body, externalUrl: 'http://127.0.0.1:11' });
    expect(gw.services.registry.group('blue')).toBeTruthy(); // free-form group created, as in trino-gateway
    expect((await call('POST', '/gateway/backend/modify/add', JSON.stringify(body))).status).toBe(409);
    const upd = await call(
      'POST',
      '/gateway/backend/modify/update',
      JSON.stringify({ ...body, active: false, externalUrl: 'https://t3.example.com' }),
    );
    expect(upd.json()).toMatchObject({ active: false, externalUrl: 'https://t3.example.com' });
    const bad = await call(
      'POST',
      '/gateway/backend/modify/update',
      JSON.stringify({ name: 'trino-4', proxyTo: 'javascript:alert(1)' }),
    );
    expect(bad.status).toBe(400);
    expect(bad.json().message).toMatch(/proxyTo/);
    expect((await call('POST', '/gateway/backend/modify/update', '{oops')).status).toBe(400);
    expect(gw.services.registry.get('trino-4')).toBeUndefined();
    const del = await call('POST', '/gateway/backend/modify/delete', 'trino-3');
    expect(del.status).toBe(200);
    expect(gw.services.registry.get('trino-3')).toBeUndefined();
    expect((await call('POST', '/gateway/backend/modify/delete', 'trino-3')).status).toBe(404);
    expect((await call('POST', '/gateway/backend/modify/delete', '')).status).toBe(400);
  });

  it('GET /entity/GATEWAY_BACKEND and POST /entity?entityType=GATEWAY_BACKEND', async () => {
    expect((await call('GET', '/entity')).json()).toEqual(['GATEWAY_BACKEND']);
    expect((await call('GET', '/entity/GATEWAY_BACKEND')).json().map((b: any) => b.name)).toContain(
      'trino-1',
    );
    const up = await call(
      'POST',
      '/entity?entityType=GATEWAY_BACKEND',
      JSON.stringify({ name: 'trino-5', proxyTo: 'http://127.0.0.1:12', routingGroup: 'adhoc' }),
    );
    expect(up.status).toBe(200);
    expect(gw.services.registry.get('trino-5')?.url).toBe('http://127.0.0.1:12');
    expect((await call('POST', '/entity?entityType=RESOURCE_GROUP', '{}')).status).toBe(400);
    expect((await call('GET', '/entity/SELECTOR')).status).toBe(400);
  });

  it('GET /api/public/backends hides internal URLs from anonymous callers', async () => {
    const anon = await call('GET', '/api/public/backends', undefined, null);
    expect(anon.status).toBe(200);
    expect(anon.text).not.toMatch(/127\.0\.0\.1|example\.com/);
    expect(anon.json()[0]).toEqual({ name: 'trino-1', active: true, routingGroup: 'adhoc' });
    const authed = await call('GET', '/api/public/backends');
    expect(authed.json()[0].proxyTo).toBe('http://127.0.0.1:9');
    expect((await call('GET', '/api/public/backends/trino-1/state', undefined, null)).json()).toEqual({
      QUEUED: 0,
      RUNNING: 0,
    });
    expect((await call('GET', '/api/public/backends/nope', undefined, null)).status).toBe(404);
  });
});
