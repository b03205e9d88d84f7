import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedQuery } from '../helpers/failed-query.js';
import { runTrino } from '../helpers/clients.js';
import { ADMIN, startAdminWorld, type AdminWorld, waitFor } from '../helpers/admin-world.js';

/** /api/v1/backends: list, add, change, (de)activate, drain and delete clusters at runtime, behind the admin role. */
describe('backend routes', () => {
  let w: AdminWorld;
  beforeAll(async () => {
    w = await startAdminWorld();
  });
  afterAll(() => w?.stop());
  const call: AdminWorld['call'] = (...a) => w.call(...a);

  it('lists backends with health, load, in-flight and drained', async () => {
    const r = await call('GET', '/api/v1/backends');
    expect(r.status).toBe(200);
    expect(r.json.map((b: any) => b.name).sort()).toEqual(['t1', 't2']);
    const b = r.json.find((x: any) => x.name === 't1');
    expect(b).toMatchObject({
      url: w.t1.url,
      group: 'adhoc',
      active: true,
      health: 'HEALTHY',
      inFlight: 0,
      drained: false,
    });
    expect((await call('GET', '/api/v1/backends/t2')).json.name).toBe('t2');
    expect((await call('GET', '/api/v1/backends/nope')).status).toBe(404);
    expect((await call('GET', '/api/v1/backends?group=nope')).json.message).toMatch(/unknown group "nope"/);
  });

  it('refuses bad backend input with a message naming the field, writing nothing', async () => {
    const before = (await call('GET', '/api/v1/backends')).json.length;
    const cases: Array<[unknown, RegExp, number?]> = [
      [{ name: 'x1', url: 'not a url', group: 'adhoc' }, /url/],
      [{ name: 'x1', url: 'ftp://h:1', group: 'adhoc' }, /url/],
      [{ name: 'x 1', url: 'http://h:1', group: 'adhoc' }, /name/],
      [{ name: 'x1', url: 'http://h:1', group: 'nope' }, /group "nope" not found/],
      [{ name: 'x1', url: 'http://h:1', group: 'adhoc', weight: 0 }, /weight/],
      [{ name: 'x1', url: 'http://h:1', group: 'adhoc', bogus: 1 }, /bogus/],
      [{ name: 't1', url: 'http://h:1', group: 'adhoc' }, /already exists/, 409],
      [[1, 2], /JSON object/],
    ];
    for (const [body, re, status] of cases) {
      const r = await call('POST', '/api/v1/backends', body);
      expect(r.status, JSON.stringify(body)).toBe(status ?? 400);
      expect(r.json.message).toMatch(re);
    }
    const notJson = await call('POST', '/api/v1/backends', undefined, ADMIN, '{"name": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json.message).toMatch(/not valid JSON/);
    const huge = await call(
      'POST',
      '/api/v1/backends',
      undefined,
      ADMIN,
      JSON.stringify({ name: 'x'.repeat(100_000) }),
    );
    expect(huge.status).toBe(413);
    expect((await call('GET', '/api/v1/backends')).json.length).toBe(before);
    expect((await call('POST', '/api/v1/backends/nope/deactivate')).status).toBe(404);
    expect((await call('DELETE', '/api/v1/backends/nope')).status).toBe(404);
    expect((await call('PATCH', '/api/v1/backends/t1', { name: 'renamed' })).status).toBe(400);
  });

  it('adds, changes, deactivates, activates and deletes a backend without a restart', async () => {
    const added = await call('POST', '/api/v1/backends', {
      name: 't3',
      url: w.t3.url,
      group: 'adhoc',
      weight: 3,
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ name: 't3', weight: 3, active: true });
    // Only t3 is active: new queries go there once the monitor saw it healthy.
    await call('POST', '/api/v1/backends/t1/deactivate');
    await call('POST', '/api/v1/backends/t2/deactivate');
    await waitFor(async () => (await call('GET', '/api/v1/backends/t3')).json.health === 'HEALTHY');
    const r = await runTrino(w.gw.url, 'SELECT current_cluster()', { user: 'ops', password: 'ops-password' });
    expect(r.rows).toEqual([['t3']]);
    const patched = await call('PATCH', '/api/v1/backends/t3', {
      weight: 5,
      externalUrl: 'https://t3.example.com',
    });
    expect(patched.json).toMatchObject({ weight: 5, externalUrl: 'https://t3.example.com', url: w.t3.url });
    const put = await call('PUT', '/api/v1/backends/t3', { url: w.t3.url, group: 'adhoc' });
    expect(put.json).toMatchObject({ weight: 1, externalUrl: null });
    const t1On = await call('POST', '/api/v1/backends/t1/activate');
    expect(t1On.json.active).toBe(true);
    const off = await call('POST', '/api/v1/backends/t3/deactivate');
    expect(off.json).toMatchObject({ active: false, drained: true });
    expect((await call('DELETE', '/api/v1/backends/t3')).json).toEqual({ deleted: 't3' });
    expect((await call('GET', '/api/v1/backends/t3')).status).toBe(404);
    await call('POST', '/api/v1/backends/t2/activate');
    const again = await runTrino(w.gw.url, 'SELECT current_cluster()', {
      user: 'ops',
      password: 'ops-password',
    });
    expect(['t1', 't2']).toContain(again.rows[0]?.[0]);
  });

  it('drains: a deactivated backend finishes its running query and then shows drained', async () => {
    await call('POST', '/api/v1/backends/t2/deactivate');
    w.t1.setDelay(150);
    try {
      const running = runTrino(w.gw.url, 'SELECT * FROM UNNEST(sequence(1, 40))', {
        user: 'ops',
        password: 'ops-password',
      });
      await waitFor(async () => (await call('GET', '/api/v1/backends/t1')).json.inFlight === 1);
      await call('POST', '/api/v1/backends/t1/deactivate');
      const mid = (await call('GET', '/api/v1/backends/t1')).json;
      expect(mid).toMatchObject({ active: false, drained: false, inFlight: 1 });
      expect((await call('DELETE', '/api/v1/backends/t1')).status).toBe(409);
      const newQuery = await fetch(w.gw.url + '/v1/statement', {
        method: 'POST',
        headers: { authorization: ADMIN, 'x-trino-user': 'ops' },
        body: 'SELECT 1',
      });
      const refused = await failedQuery(newQuery, { authorization: ADMIN, 'x-trino-user': 'ops' });
      expect(refused.errorName).toBe('NO_NODES_AVAILABLE');
      const done = await running;
      expect(done.error).toBeUndefined();
      expect(done.rows.length).toBe(40);
      await waitFor(async () => (await call('GET', '/api/v1/backends/t1')).json.drained === true);
    } finally {
      w.t1.setDelay(0);
      await call('POST', '/api/v1/backends/t1/activate');
      await call('POST', '/api/v1/backends/t2/activate');
    }
  });
});
