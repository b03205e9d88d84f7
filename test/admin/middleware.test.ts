import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, USER, startAdminWorld, type AdminWorld } from '../helpers/admin-world.js';

/** requireAuth, requireAdmin and requestLog on the admin API. */
describe('admin middleware', () => {
  let w: AdminWorld;
  beforeAll(async () => {
    w = await startAdminWorld();
  });
  afterAll(() => w?.stop());
  const call: AdminWorld['call'] = (...a) => w.call(...a);

  it('needs an authenticated admin', async () => {
    const anon = await fetch(w.gw.url + '/api/v1/backends');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic/);
    const user = await call('GET', '/api/v1/backends', undefined, USER);
    expect(user.status).toBe(403);
    expect(user.json.message).toMatch(/admin/);
    for (const path of ['/gateway/backend/all', '/entity/GATEWAY_BACKEND', '/api/v1/users']) {
      expect((await fetch(w.gw.url + path)).status).toBe(401);
      expect((await call('GET', path, undefined, USER)).status).toBe(403);
    }
  });

  it('tags every answer with a request id and logs it at debug, never the credentials', async () => {
    const mine = await fetch(w.gw.url + '/api/v1/groups', {
      headers: { authorization: ADMIN, 'x-request-id': 'trace-42' },
    });
    expect(mine.headers.get('x-request-id')).toBe('trace-42');
    const odd = await fetch(w.gw.url + '/api/v1/groups', {
      headers: { authorization: ADMIN, 'x-request-id': 'a b;"c' },
    });
    const made = odd.headers.get('x-request-id')!;
    expect(made).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    const line = w.gw
      .logs()
      .split('\n')
      .find((l: string) => l.includes('"reqId":"trace-42"'));
    expect(JSON.parse(line!)).toMatchObject({
      msg: 'app request',
      method: 'GET',
      path: '/api/v1/groups',
      status: 200,
    });
    expect(w.gw.logs()).toContain(`"reqId":"${made}"`);
    expect(w.gw.logs()).not.toContain(ADMIN.slice(6));
    expect(w.gw.logs()).not.toMatch(/ops-password|alice-password|bob-password|new-password/);
  });
});
