import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrino } from '../helpers/clients.js';
import { startAdminWorld, type AdminWorld } from '../helpers/admin-world.js';

/** /api/v1/groups: routing groups and their selection policy, changed at runtime. */
describe('group routes', () => {
  let w: AdminWorld;
  beforeAll(async () => {
    w = await startAdminWorld();
  });
  afterAll(() => w?.stop());
  const call: AdminWorld['call'] = (...a) => w.call(...a);

  it('manages routing groups', async () => {
    const created = await call('PUT', '/api/v1/groups/batch', { policy: 'least-loaded', fallback: 'adhoc' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ name: 'batch', policy: 'least-loaded', fallback: 'adhoc', backends: [] });
    expect((await call('PUT', '/api/v1/groups/batch', { policy: 'fastest' })).json.message).toMatch(/policy/);
    expect((await call('PUT', '/api/v1/groups/batch2', { fallback: 'nope' })).status).toBe(400);
    expect((await call('DELETE', '/api/v1/groups/adhoc')).status).toBe(409);
    expect((await call('GET', '/api/v1/groups')).json.map((g: any) => g.name)).toContain('batch');
    expect((await call('DELETE', '/api/v1/groups/batch')).status).toBe(200);
    expect((await call('GET', '/api/v1/groups/batch')).status).toBe(404);
  });

  it("changes a group's selection policy at runtime", async () => {
    const ask = async (user = 'ops') =>
      (await runTrino(w.gw.url, 'SELECT current_cluster()', { user, password: `${user}-password` }))
        .rows[0]?.[0];
    try {
      expect((await call('PUT', '/api/v1/groups/adhoc', { policy: 'round-robin' })).json.policy).toBe(
        'round-robin',
      );
      const seen = [await ask(), await ask(), await ask(), await ask()];
      expect(seen[0]).not.toBe(seen[1]);
      expect(seen[2]).toBe(seen[0]);
      expect(seen[3]).toBe(seen[1]);
      await call('PUT', '/api/v1/groups/adhoc', { policy: 'user-hash' });
      const a = [await ask('alice'), await ask('alice'), await ask('alice')];
      expect(new Set(a).size).toBe(1);
    } finally {
      await call('PUT', '/api/v1/groups/adhoc', { policy: 'least-loaded' });
    }
  });

  it('persists a group in the database', async () => {
    await call('PUT', '/api/v1/groups/persisted', {});
    expect(
      w.gw.services
        .db!.sqlite.prepare("SELECT name FROM routing_groups WHERE name = 'persisted' AND deleted_at IS NULL")
        .get(),
    ).toBeTruthy();
  });
});
