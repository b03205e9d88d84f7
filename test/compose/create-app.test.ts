import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ADMIN_BODY } from '../../src/admin/http.js';
import { VERSION } from '../../src/version.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ADMIN = basic('ops', 'ops-pw');
const USER = basic('alice', 'alice-pw');

/** The gateway's own HTTP surface, in the order createApp lays it out: who may call what. */
describe('createApp', () => {
  let gw: TestGateway;
  let open: TestGateway;
  beforeAll(async () => {
    const auth = await passwordAuth(['ops', 'ops-pw', ['admin']], ['alice', 'alice-pw']);
    [gw, open] = await Promise.all([
      startGateway(
        testConfig([{ name: 't1', url: 'http://127.0.0.1:9' }], {
          auth,
          health: { enabled: false },
          metrics: { enabled: true, token: 'scrape-token' },
        }),
      ),
      startGateway(testConfig([], { auth, metrics: { enabled: false } })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([gw?.stop(), open?.stop()]);
  });
  const get = (path: string, authorization?: string, base = gw) =>
    fetch(base.url + path, { headers: authorization ? { authorization } : {}, redirect: 'manual' });

  it('sends a browser opening / to the console', async () => {
    const r = await get('/');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/console');
  });

  it('answers the probes without authentication', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await get('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('guards /metrics with its bearer token when one is configured', async () => {
    const none = await get('/metrics');
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: 'metrics need a bearer token' });
    expect((await get('/metrics', 'Bearer scrape-tokeX')).status).toBe(401);
    expect((await get('/metrics', 'scrape-token')).status).toBe(401);
    const ok = await get('/metrics', 'Bearer scrape-token');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toContain('switchyard_build_info{');
  });

  it('serves no /metrics when metrics are off', async () => {
    const r = await get('/metrics', undefined, open);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ message: 'no route for GET /metrics' });
  });

  it('reports the version to any signed-in principal, and to nobody else', async () => {
    const r = await get('/api/v1/info', USER);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      name: 'switchyard',
      defaultGroup: 'adhoc',
      version: VERSION,
      node: process.versions.node,
    });
    expect((await get('/api/v1/info')).status).toBe(401);
  });

  it('lets any principal read the history API but keeps the admin API for the admin role', async () => {
    expect((await get('/api/v1/queries', USER)).status).toBe(200);
    const refused = await get('/api/v1/backends', USER);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: 'the admin role is required' });
    expect((await get('/api/v1/backends', ADMIN)).status).toBe(200);
    expect((await get('/api/v1/backends')).status).toBe(401);
  });

  it('guards the trino-gateway compat paths, but lists public backends to anyone', async () => {
    expect((await get('/gateway/backend/all')).status).toBe(401);
    expect((await get('/entity', USER)).status).toBe(403);
    expect((await get('/gateway/backend/all', ADMIN)).status).toBe(200);
    const anon = await get('/api/public/backends');
    expect(anon.status).toBe(200);
    expect(await anon.json()).toEqual([{ name: 't1', active: true, routingGroup: 'adhoc' }]);
  });

  it('refuses a body over the admin limit with 413 and a message, before reading it', async () => {
    const r = await fetch(gw.url + '/api/v1/groups', {
      method: 'POST',
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'big', pad: 'x'.repeat(MAX_ADMIN_BODY) }),
    });
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ message: `body: larger than ${MAX_ADMIN_BODY} bytes` });
    expect(gw.services.registry.group('big')).toBeUndefined();
  });

  it('answers an unknown path with JSON naming the method and path', async () => {
    const r = await fetch(gw.url + '/api/v1/nothing-here', {
      method: 'DELETE',
      headers: { authorization: ADMIN },
    });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ message: 'no route for DELETE /api/v1/nothing-here' });
  });

  it('serves its OpenAPI document to admins', async () => {
    const r = await get('/api/v1/openapi.json', ADMIN);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/info', '/gateway/backend/all']));
    const post = (doc.paths['/api/v1/backends'] as any).post;
    expect(post.requestBody.content['application/json'].schema.properties.url).toBeTruthy();
  });

  it('tags every answer with a request id, keeping a sane one the caller sent', async () => {
    const r = await fetch(gw.url + '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
    expect((await get('/healthz')).headers.get('x-request-id')).toBeTruthy();
  });
});
