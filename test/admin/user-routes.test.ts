import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrino } from '../helpers/clients.js';
import { basic, startAdminWorld, type AdminWorld } from '../helpers/admin-world.js';

/** /api/v1/users: users stored hashed, effective at once; config users protected. */
describe('user routes', () => {
  let w: AdminWorld;
  beforeAll(async () => {
    w = await startAdminWorld();
  });
  afterAll(() => w?.stop());
  const call: AdminWorld['call'] = (...a) => w.call(...a);

  it('manages users: stored hashed, effective at once, config users protected', async () => {
    const bad = await call('POST', '/api/v1/users', { name: 'bob', password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/password/);
    expect(
      (await call('POST', '/api/v1/users', { name: 'bob', password: 'bob-password', groups: ['nope'] })).json
        .message,
    ).toMatch(/unknown group "nope"/);
    const made = await call('POST', '/api/v1/users', {
      name: 'bob',
      password: 'bob-password',
      groups: ['adhoc'],
    });
    expect(made.status).toBe(201);
    expect(JSON.stringify(made.json)).not.toMatch(/bob-password|scrypt/);
    expect((await call('POST', '/api/v1/users', { name: 'bob', password: 'bob-password' })).status).toBe(409);
    const list = await call('GET', '/api/v1/users');
    expect(list.text).not.toMatch(/scrypt|passwordHash/);
    expect(list.json.find((u: any) => u.name === 'ops').source).toBe('config');
    // bob can now run queries and read his history, but not the admin API.
    const q = await runTrino(w.gw.url, 'SELECT 1', { user: 'bob', password: 'bob-password' });
    expect(q.rows).toEqual([[1]]);
    expect((await call('GET', '/api/v1/backends', undefined, basic('bob', 'bob-password'))).status).toBe(403);
    expect((await call('PATCH', '/api/v1/users/bob', { roles: ['admin'] })).json.roles).toEqual(['admin']);
    expect((await call('GET', '/api/v1/backends', undefined, basic('bob', 'bob-password'))).status).toBe(200);
    await call('PATCH', '/api/v1/users/bob', { password: 'new-password' });
    expect((await call('GET', '/api/v1/backends', undefined, basic('bob', 'bob-password'))).status).toBe(401);
    expect((await call('GET', '/api/v1/backends', undefined, basic('bob', 'new-password'))).status).toBe(200);
    expect((await call('PATCH', '/api/v1/users/ops', { roles: ['user'] })).status).toBe(409);
    expect((await call('DELETE', '/api/v1/users/ops')).status).toBe(409);
    expect((await call('DELETE', '/api/v1/users/bob')).status).toBe(200);
    expect((await call('GET', '/api/v1/backends', undefined, basic('bob', 'new-password'))).status).toBe(401);
    expect((await call('DELETE', '/api/v1/users/bob')).status).toBe(404);
  });

  it('persists a user in the database, its password hashed', async () => {
    await call('POST', '/api/v1/users', { name: 'carol', password: 'carol-password', groups: ['adhoc'] });
    const user = w.gw.services
      .db!.sqlite.prepare('SELECT password_hash FROM users WHERE name = ?')
      .get('carol') as {
      password_hash: string;
    };
    expect(user.password_hash).toMatch(/^scrypt\$/);
  });
});
