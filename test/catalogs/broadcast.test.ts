import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrino } from '../helpers/clients.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const ADMIN = 'Basic ' + Buffer.from('ops:ops-password').toString('base64');
const SECRET = 'hunter2-very-secret';

describe('catalog broadcast', () => {
  let t1: TrinoEmulator, t2: TrinoEmulator, t3: TrinoEmulator, rest: TrinoEmulator, frozen: TrinoEmulator;
  let gw: TestGateway;

  const call = async (method: string, path: string, body?: unknown, raw?: string) => {
    const res = await fetch(gw.url + path, {
      method,
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
  };
  const states = (r: { json: any }) =>
    Object.fromEntries(r.json.catalog.deployments.map((d: any) => [d.backend, d.state]));
  const deployment = async (group: string, name: string, backend: string) =>
    (await call('GET', `/api/v1/catalogs/${group}/${name}`)).json.deployments.find(
      (d: any) => d.backend === backend,
    );
  const health = (name: string) => gw.services.registry.get(name)!.health;
  /** onlyOn runs a query through the gateway while only `name` of the adhoc group is active. */
  const onlyOn = async (name: string, sql: string) => {
    const others = ['t1', 't2', 't3'].filter((n) => n !== name);
    for (const n of others) await gw.services.registry.setActive(n, false);
    try {
      return await runTrino(gw.url, sql, { user: 'ops', password: 'ops-password' });
    } finally {
      for (const n of others) await gw.services.registry.setActive(n, true);
    }
  };

  beforeAll(async () => {
    [t1, t2, t3, rest, frozen] = await Promise.all([
      TrinoEmulator.start({ name: 't1' }),
      TrinoEmulator.start({ name: 't2', connectors: ['memory', 'tpch'] }),
      TrinoEmulator.start({ name: 't3' }),
      TrinoEmulator.start({ name: 'rest', catalogRest: true }),
      TrinoEmulator.start({ name: 'frozen', catalogStore: 'static' }),
    ]);
    gw = await startGateway(
      testConfig(
        [
          { name: 't1', url: t1.url },
          { name: 't2', url: t2.url },
          { name: 't3', url: t3.url },
          { name: 'rest', url: rest.url, group: 'legacy', catalogDriver: 'rest' },
          { name: 'frozen', url: frozen.url, group: 'legacy' },
        ],
        {
          auth: await passwordAuth(
            ['ops', 'ops-password', ['admin']],
            ['alice', 'alice-password', ['user'], ['adhoc']],
          ),
          // A refused cluster is seen within two rounds; the generous timeout and the second failure keep one
          // slow probe on a loaded machine from marking a live cluster down (a create then answered 202).
          health: { intervalSeconds: 0.2, timeoutSeconds: 5, healthyThreshold: 1, unhealthyThreshold: 2 },
          catalogs: { reconcileIntervalSeconds: 1, statementTimeoutSeconds: 5 },
          log: { level: 'debug' },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([t1, t2, t3, rest, frozen].map((t) => t?.stop()));
  });

  it('applies to every healthy cluster at once, keeps the down one pending, and reconciles it when it returns', async () => {
    t3.setMode('refuse');
    await waitFor(() => health('t3') === 'UNHEALTHY');
    const r = await call('POST', '/api/v1/catalogs', {
      name: 'Sales',
      connector: 'memory',
      properties: { 'memory.max-data-per-node': '128MB', 'connection-password': SECRET },
    });
    expect(r.status).toBe(207);
    expect(r.json.applied).toBe('partial');
    expect(states(r)).toEqual({ t1: 'applied', t2: 'applied', t3: 'pending' });
    expect(r.json.catalog).toMatchObject({
      group: 'adhoc',
      name: 'sales',
      connector: 'memory',
      status: 'present',
    });
    expect(r.json.catalog.properties['connection-password']).toBe('***');
    expect(t1.catalogProperties('sales')).toEqual({
      'memory.max-data-per-node': '128MB',
      'connection-password': SECRET,
    });
    expect(t2.catalogs()).toContain('sales');
    expect(t3.catalogs()).not.toContain('sales');

    // Usable through the gateway at once on each applied cluster.
    for (const n of ['t1', 't2']) {
      const q = await onlyOn(n, 'SELECT * FROM sales.s.t');
      expect(q.error).toBeUndefined();
      expect(q.rows).toEqual([[`sales.s.t@${n}`]]);
    }

    t3.setMode('ok');
    await waitFor(async () => (await deployment('adhoc', 'sales', 't3')).state === 'applied', 5_000);
    expect(t3.catalogProperties('sales')?.['connection-password']).toBe(SECRET);
    const q3 = await onlyOn('t3', 'SELECT * FROM sales.s.t');
    expect(q3.rows).toEqual([['sales.s.t@t3']]);
  });

  it('gives a cluster restarted with an in-memory catalog store its catalogs back', async () => {
    await t1.restart();
    expect(t1.catalogs()).not.toContain('sales');
    await waitFor(() => t1.catalogs().includes('sales'), 5_000);
    expect(t1.catalogProperties('sales')?.['connection-password']).toBe(SECRET);
  });

  it('never shows or logs the secret, stores it sealed, and redacts it from history', async () => {
    for (const path of ['/api/v1/catalogs', '/api/v1/catalogs/adhoc/sales', '/api/v1/catalogs?group=adhoc']) {
      const r = await call('GET', path);
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(SECRET);
      expect(r.text).toContain('***');
    }
    const row = gw.services
      .db!.sqlite.prepare("SELECT properties FROM catalog_specs WHERE name = 'sales'")
      .get() as {
      properties: string;
    };
    expect(row.properties).not.toContain(SECRET);
    expect(JSON.parse(row.properties)['connection-password']).toMatch(/^jwe:/);
    // A user running CREATE CATALOG through the gateway: Trino gets the secret, history does not.
    const q = await onlyOn(
      't2',
      `CREATE CATALOG direct USING memory WITH ("connection-password" = '${SECRET}')`,
    );
    expect(q.error).toBeUndefined();
    expect(t2.catalogProperties('direct')?.['connection-password']).toBe(SECRET);
    await gw.services.recorder.flush();
    const hist = await call('GET', '/api/v1/queries?q=direct');
    expect(hist.json.queries?.[0]?.sql ?? hist.text).toMatch(/CREATE CATALOG direct/);
    expect(hist.text).not.toContain(SECRET);
    // The gateway's own CREATE CATALOG statements are in history too, as run by the admin, redacted.
    const own = await call('GET', '/api/v1/queries?q=' + encodeURIComponent('CREATE CATALOG sales'));
    const rows = own.json.queries.filter((q: any) => q.source === 'switchyard-catalogs');
    expect(rows.map((q: any) => q.backend)).toEqual(expect.arrayContaining(['t1', 't2', 't3']));
    for (const q of rows) {
      expect(q).toMatchObject({
        user: expect.stringMatching(/^(ops|switchyard)$/),
        routingGroup: 'adhoc',
        state: 'FINISHED',
      });
      expect(q.sql).toContain("'***'");
    }
    const stored = gw.services.db!.sqlite.prepare('SELECT sql FROM query_history').all() as Array<{
      sql: string;
    }>;
    expect(stored.map((s) => s.sql).join('\n')).not.toContain(SECRET);
    expect(gw.logs()).not.toContain(SECRET);
  });

  it('replaces properties with drop-then-create on every cluster', async () => {
    const r = await call('PUT', '/api/v1/catalogs/adhoc/sales', {
      properties: { 'memory.max-data-per-node': '256MB', 'connection-password': SECRET },
    });
    expect(r.status).toBe(200);
    expect(r.json.catalog.version).toBeGreaterThan(1);
    for (const t of [t1, t2, t3])
      expect(t.catalogProperties('sales')?.['memory.max-data-per-node']).toBe('256MB');
  });

  it("reports a partial failure per backend with Trino's message", async () => {
    const r = await call('POST', '/api/v1/catalogs', {
      name: 'pg',
      connector: 'postgresql',
      properties: { 'connection-url': 'jdbc:postgresql://db/x' },
    });
    expect(r.status).toBe(207);
    expect(states(r)).toEqual({ t1: 'applied', t2: 'failed', t3: 'applied' });
    const failed = r.json.outcomes.find((o: any) => o.backend === 't2');
    expect(failed.error).toMatch(/postgresql/i);
    expect((await deployment('adhoc', 'pg', 't2')).error).toMatch(/postgresql/i);
    await gw.services.recorder.flush();
    const failedRow = gw.services
      .db!.sqlite.prepare(
        "SELECT state, error_name FROM query_history WHERE backend = 't2' AND sql LIKE 'CREATE CATALOG pg %'",
      )
      .get();
    expect(failedRow).toMatchObject({
      state: 'FAILED',
      error_name: expect.stringMatching(/NOT_FOUND|CONNECTOR/),
    });
  });

  it('drops from every cluster and re-creates the same name', async () => {
    const d = await call('DELETE', '/api/v1/catalogs/adhoc/pg');
    expect(d.status).toBe(200);
    expect(d.json.outcomes.map((o: any) => o.state).sort()).toEqual(['dropped', 'dropped', 'dropped']);
    for (const t of [t1, t2, t3]) expect(t.catalogs()).not.toContain('pg');
    expect((await call('GET', '/api/v1/catalogs/adhoc/pg')).status).toBe(404);
    const again = await call('POST', '/api/v1/catalogs', { name: 'pg', connector: 'memory' });
    expect(again.status).toBe(201);
    expect(again.json.applied).toBe('all');
    for (const t of [t1, t2, t3]) expect(t.catalogs()).toContain('pg');
    const q = await onlyOn('t2', 'SELECT * FROM pg.s.t');
    expect(q.rows).toEqual([['pg.s.t@t2']]);
  });

  it('refuses bad input with a 400 naming the problem, sending nothing to any cluster', async () => {
    /** Catalog statements a cluster received (health probes and reconcile's SHOW CATALOGS aside). */
    const changes = () =>
      [t1, t2, t3].map(
        (t) => [...t.queries.values()].filter((q) => /^\s*(create|drop)\s+catalog/i.test(q.sql)).length,
      );
    const before = changes();
    const cases: Array<[unknown, number, RegExp]> = [
      [{ name: 'x; DROP CATALOG sales', connector: 'memory' }, 400, /name: .* not a valid catalog name/],
      [{ name: 'a"b', connector: 'memory' }, 400, /name/],
      [{ name: 'ok', connector: "memory' OR 1=1" }, 400, /connector/],
      [{ name: 'ok', connector: 'memory', properties: { 'a=b': 'x' } }, 400, /property name/],
      [
        { name: 'ok', connector: 'memory', properties: { k: '' } },
        400,
        /properties\.k: expected a non-empty string/,
      ],
      [{ name: 'ok', connector: 'memory', properties: { k: 5 } }, 400, /properties\.k/],
      [{ name: 'ok', connector: 'memory', properties: 'k=v' }, 400, /properties/],
      [{ name: 'ok', connector: 'memory', group: 'nope' }, 404, /group "nope" not found/],
      [{ name: 'sales', connector: 'memory' }, 409, /already exists/],
      [{ name: 'ok', connector: 'memory', extra: 1 }, 400, /extra/],
    ];
    for (const [body, status, re] of cases) {
      const r = await call('POST', '/api/v1/catalogs', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.json.message).toMatch(re);
    }
    expect((await call('POST', '/api/v1/catalogs', undefined, '{"name":')).status).toBe(400);
    expect((await call('DELETE', '/api/v1/catalogs/adhoc/nope')).status).toBe(404);
    expect((await call('PUT', '/api/v1/catalogs/adhoc/nope', { properties: {} })).status).toBe(404);
    expect((await call('DELETE', '/v1/catalog/delete?catalogName=nope')).status).toBe(404);
    expect((await call('DELETE', '/v1/catalog/delete')).status).toBe(400);
    expect(changes()).toEqual(before);
    expect(
      gw.services.db!.sqlite.prepare("SELECT count(*) AS n FROM catalog_specs WHERE name = 'ok'").get(),
    ).toEqual({ n: 0 });
  });

  it('needs the admin role', async () => {
    expect((await fetch(gw.url + '/api/v1/catalogs')).status).toBe(401);
    const r = await fetch(gw.url + '/v1/catalog/add', { method: 'POST', body: '{}' });
    expect(r.status).toBe(401);
    const user = { authorization: 'Basic ' + Buffer.from('alice:alice-password').toString('base64') };
    const body = JSON.stringify({ catalogName: 'sneaky', connectorName: 'memory' });
    for (const [method, path] of [
      ['POST', '/v1/catalog/add'],
      ['DELETE', '/v1/catalog/delete?catalogName=sales'],
      ['POST', '/api/v1/catalogs'],
      ['GET', '/api/v1/catalogs'],
      ['DELETE', '/api/v1/catalogs/adhoc/sales'],
    ]) {
      const res = await fetch(gw.url + path!, {
        method,
        headers: user,
        body: method === 'POST' ? body : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(t1.catalogs()).not.toContain('sneaky');
    expect(t1.catalogs()).toContain('sales');
  });

  it('seed-compatible /v1/catalog/add and /v1/catalog/delete; the rest driver; a static store reports failure', async () => {
    const add = await call('POST', '/v1/catalog/add?group=legacy', {
      catalogName: 'hive_sales',
      connectorName: 'hive',
      properties: { 'hive.metastore.uri': 'thrift://meta:9083' },
    });
    expect(add.status).toBe(207);
    expect(states(add)).toEqual({ rest: 'applied', frozen: 'failed' });
    expect(add.json.outcomes.find((o: any) => o.backend === 'frozen').error).toMatch(
      /not supported by the static catalog store/,
    );
    expect(rest.catalogProperties('hive_sales')).toEqual({ 'hive.metastore.uri': 'thrift://meta:9083' });
    expect(rest.requests.some((q) => q.url.startsWith('/v1/catalog/add'))).toBe(true);
    const del = await call('DELETE', '/v1/catalog/delete?catalogName=hive_sales&group=legacy');
    expect(del.status).toBe(200);
    expect(rest.catalogs()).not.toContain('hive_sales');
    const dflt = await call('POST', '/v1/catalog/add', { catalogName: 'seeded', connectorName: 'memory' });
    expect(dflt.status).toBe(201);
    expect(dflt.json.catalog.group).toBe('adhoc');
  });

  it('refuses values that look sealed, and keeps groups with catalogs or the default group', async () => {
    const r = await call('POST', '/api/v1/catalogs', {
      name: 'fake',
      connector: 'memory',
      properties: { note: 'jwe:a..b.c.d' },
    });
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/properties\.note: .*reserved/);
    expect((await call('PUT', '/api/v1/groups/lonely', {})).status).toBe(201);
    expect(
      (await call('POST', '/api/v1/catalogs', { group: 'lonely', name: 'solo', connector: 'memory' })).status,
    ).toBe(201);
    const busy = await call('DELETE', '/api/v1/groups/lonely');
    expect(busy.status).toBe(409);
    expect(busy.json.message).toMatch(/has catalogs/);
    expect((await call('DELETE', '/api/v1/catalogs/lonely/solo')).status).toBe(200);
    expect((await call('DELETE', '/api/v1/groups/lonely')).status).toBe(200);
    const dflt = await call('DELETE', '/api/v1/groups/adhoc');
    expect(dflt.status).toBe(409);
    expect(dflt.json.message).toMatch(/default routing group/);
  });

  it('survives a stored secret it cannot unseal: the deployment is failed, the gateway keeps running', async () => {
    expect(
      (
        await call('POST', '/api/v1/catalogs', {
          name: 'locked',
          connector: 'memory',
          properties: { 'connection-password': SECRET },
        })
      ).status,
    ).toBe(201);
    // As if the seal key had been replaced: the stored value no longer opens.
    const db = gw.services.db!.sqlite;
    const row = db.prepare("SELECT properties FROM catalog_specs WHERE name = 'locked'").get() as {
      properties: string;
    };
    const props = JSON.parse(row.properties);
    props['connection-password'] =
      'jwe:eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA';
    db.prepare("UPDATE catalog_specs SET properties = ? WHERE name = 'locked'").run(JSON.stringify(props));
    await t3.restart(); // forgets its catalogs: reconcile must re-create, and cannot for this one
    await waitFor(async () => (await deployment('adhoc', 'locked', 't3')).state === 'failed', 5_000);
    expect((await deployment('adhoc', 'locked', 't3')).error).toMatch(/cannot be unsealed/);
    await waitFor(() => t3.catalogs().includes('sales'), 5_000); // the others are reconciled all the same
    expect((await fetch(gw.url + '/healthz')).status).toBe(200);
    expect((await call('DELETE', '/api/v1/catalogs/adhoc/locked')).status).toBe(200);
  });

  it('reconciles a backend added to the group later', async () => {
    const t4 = await TrinoEmulator.start({ name: 't4' });
    try {
      const r = await call('POST', '/api/v1/backends', { name: 't4', url: t4.url, group: 'adhoc' });
      expect(r.status).toBe(201);
      await waitFor(() => ['sales', 'pg', 'seeded'].every((c) => t4.catalogs().includes(c)), 5_000);
      expect(t4.catalogs()).not.toContain('direct'); // created by a user, not managed: never copied
    } finally {
      await call('DELETE', '/api/v1/backends/t4?force=true');
      await t4.stop();
    }
  });
});

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
