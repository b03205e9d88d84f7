import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrino } from '../helpers/clients.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const basic = (user: string, pw: string) => 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64');
const ADMIN = basic('ops', 'ops-password');
const USER = basic('alice', 'alice-password');

describe('admin REST API', () => {
  let t1: TrinoEmulator;
  let t2: TrinoEmulator;
  let t3: TrinoEmulator;
  let gw: TestGateway;

  const call = async (method: string, path: string, body?: unknown, auth = ADMIN, raw?: string) => {
    const res = await fetch(gw.url + path, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, json, text };
  };

  beforeAll(async () => {
    t1 = await TrinoEmulator.start({ name: 't1' });
    t2 = await TrinoEmulator.start({ name: 't2' });
    t3 = await TrinoEmulator.start({ name: 't3' });
    gw = await startGateway(
      testConfig(
        [
          { name: 't1', url: t1.url },
          { name: 't2', url: t2.url },
        ],
        {
          auth: await passwordAuth(
            ['ops', 'ops-password', ['admin']],
            ['alice', 'alice-password', ['user'], ['adhoc']],
          ),
          health: { intervalSeconds: 0.2, timeoutSeconds: 0.5, healthyThreshold: 1, unhealthyThreshold: 1 },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([t1?.stop(), t2?.stop(), t3?.stop()]);
  });

  it('needs an authenticated admin', async () => {
    const anon = await fetch(gw.url + '/api/v1/backends');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic/);
    const user = await call('GET', '/api/v1/backends', undefined, USER);
    expect(user.status).toBe(403);
    expect(user.json.message).toMatch(/admin/);
    for (const path of ['/gateway/backend/all', '/entity/GATEWAY_BACKEND', '/api/v1/users']) {
      expect((await fetch(gw.url + path)).status).toBe(401);
      expect((await call('GET', path, undefined, USER)).status).toBe(403);
    }
  });

  it('lists backends with health, load, in-flight and drained', async () => {
    const r = await call('GET', '/api/v1/backends');
    expect(r.status).toBe(200);
    expect(r.json.map((b: any) => b.name).sort()).toEqual(['t1', 't2']);
    const b = r.json.find((x: any) => x.name === 't1');
    expect(b).toMatchObject({
      url: t1.url,
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
      url: t3.url,
      group: 'adhoc',
      weight: 3,
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ name: 't3', weight: 3, active: true });
    // Only t3 is active: new queries go there once the monitor saw it healthy.
    await call('POST', '/api/v1/backends/t1/deactivate');
    await call('POST', '/api/v1/backends/t2/deactivate');
    await waitFor(async () => (await call('GET', '/api/v1/backends/t3')).json.health === 'HEALTHY');
    const r = await runTrino(gw.url, 'SELECT current_cluster()', { user: 'ops', password: 'ops-password' });
    expect(r.rows).toEqual([['t3']]);
    const patched = await call('PATCH', '/api/v1/backends/t3', {
      weight: 5,
      externalUrl: 'https://t3.example.com',
    });
    expect(patched.json).toMatchObject({ weight: 5, externalUrl: 'https://t3.example.com', url: t3.url });
    const put = await call('PUT', '/api/v1/backends/t3', { url: t3.url, group: 'adhoc' });
    expect(put.json).toMatchObject({ weight: 1, externalUrl: null });
    const t1On = await call('POST', '/api/v1/backends/t1/activate');
    expect(t1On.json.active).toBe(true);
    const off = await call('POST', '/api/v1/backends/t3/deactivate');
    expect(off.json).toMatchObject({ active: false, drained: true });
    expect((await call('DELETE', '/api/v1/backends/t3')).json).toEqual({ deleted: 't3' });
    expect((await call('GET', '/api/v1/backends/t3')).status).toBe(404);
    await call('POST', '/api/v1/backends/t2/activate');
    const again = await runTrino(gw.url, 'SELECT current_cluster()', {
      user: 'ops',
      password: 'ops-password',
    });
    expect(['t1', 't2']).toContain(again.rows[0]?.[0]);
  });

  it('drains: a deactivated backend finishes its running query and then shows drained', async () => {
    await call('POST', '/api/v1/backends/t2/deactivate');
    t1.setDelay(150);
    try {
      const running = runTrino(gw.url, 'SELECT * FROM UNNEST(sequence(1, 40))', {
        user: 'ops',
        password: 'ops-password',
      });
      await waitFor(async () => (await call('GET', '/api/v1/backends/t1')).json.inFlight === 1);
      await call('POST', '/api/v1/backends/t1/deactivate');
      const mid = (await call('GET', '/api/v1/backends/t1')).json;
      expect(mid).toMatchObject({ active: false, drained: false, inFlight: 1 });
      expect((await call('DELETE', '/api/v1/backends/t1')).status).toBe(409);
      const newQuery = await fetch(gw.url + '/v1/statement', {
        method: 'POST',
        headers: { authorization: ADMIN, 'x-trino-user': 'ops' },
        body: 'SELECT 1',
      });
      expect(newQuery.status).toBe(503);
      const done = await running;
      expect(done.error).toBeUndefined();
      expect(done.rows.length).toBe(40);
      await waitFor(async () => (await call('GET', '/api/v1/backends/t1')).json.drained === true);
    } finally {
      t1.setDelay(0);
      await call('POST', '/api/v1/backends/t1/activate');
      await call('POST', '/api/v1/backends/t2/activate');
    }
  });

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
      (await runTrino(gw.url, 'SELECT current_cluster()', { user, password: `${user}-password` }))
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
    const q = await runTrino(gw.url, 'SELECT 1', { user: 'bob', password: 'bob-password' });
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

  it('persists runtime changes in SQLite', async () => {
    await call('POST', '/api/v1/users', { name: 'carol', password: 'carol-password', groups: ['adhoc'] });
    await call('PUT', '/api/v1/groups/persisted', {});
    const db = gw.services.db!.sqlite;
    const user = db.prepare('SELECT password_hash FROM users WHERE name = ?').get('carol') as {
      password_hash: string;
    };
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(
      db.prepare("SELECT name FROM routing_groups WHERE name = 'persisted' AND deleted_at IS NULL").get(),
    ).toBeTruthy();
  });

  it('tags every answer with a request id and logs it at debug, never the credentials', async () => {
    const mine = await fetch(gw.url + '/api/v1/groups', {
      headers: { authorization: ADMIN, 'x-request-id': 'trace-42' },
    });
    expect(mine.headers.get('x-request-id')).toBe('trace-42');
    const odd = await fetch(gw.url + '/api/v1/groups', {
      headers: { authorization: ADMIN, 'x-request-id': 'a b;"c' },
    });
    const made = odd.headers.get('x-request-id')!;
    expect(made).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    const line = gw
      .logs()
      .split('\n')
      .find((l) => l.includes('"reqId":"trace-42"'));
    expect(JSON.parse(line!)).toMatchObject({
      msg: 'app request',
      method: 'GET',
      path: '/api/v1/groups',
      status: 200,
    });
    expect(gw.logs()).toContain(`"reqId":"${made}"`);
    expect(gw.logs()).not.toContain(ADMIN.slice(6));
    expect(gw.logs()).not.toMatch(/ops-password|alice-password|bob-password|new-password/);
  });

  it('serves an OpenAPI document', async () => {
    const r = await call('GET', '/api/v1/openapi.json');
    expect(r.json.openapi).toBe('3.1.0');
    expect(
      r.json.paths['/api/v1/backends'].post.requestBody.content['application/json'].schema.properties.url,
    ).toBeTruthy();
  });
});

async function waitFor(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
