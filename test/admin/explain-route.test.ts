import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from '../helpers/admin-world.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

/** POST /api/v1/routing/explain: the routing dry run, with the shipped rules (rules/) and health off. */
describe('explain route', () => {
  let gw: TestGateway;
  const explain = async (body: unknown) => {
    const res = await fetch(gw.url + '/api/v1/routing/explain', {
      method: 'POST',
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  beforeAll(async () => {
    gw = await startGateway(
      testConfig(
        [
          { name: 'a1', url: 'http://127.0.0.1:9' },
          { name: 'e1', url: 'http://127.0.0.1:10', group: 'etl' },
        ],
        {
          auth: await passwordAuth(
            ['ops', 'ops-password', ['admin']],
            ['alice', 'alice-pw', ['user'], ['adhoc']],
          ),
          health: { enabled: false },
          groups: [{ name: 'adhoc' }, { name: 'etl', queue: { maxRunningPerBackend: 1 } }, { name: 'empty' }],
        },
      ),
    );
  });
  afterAll(() => gw?.stop());

  it('answers the group, the rule, the backend it would pick now and every rule', async () => {
    const r = await explain({
      user: 'bob',
      groups: ['*'],
      headers: { 'X-Trino-Source': 'airflow' },
      sql: 'SELECT 1',
    });
    expect(r.status).toBe(200);
    expect(r.json.decision).toEqual({ ok: true, group: 'etl', source: 'rule', rule: 'airflow-to-etl' });
    expect(r.json.backend).toBe('e1');
    expect(r.json.rules.map((x: { name: string }) => x.name)).toEqual(
      expect.arrayContaining(['airflow-to-etl', 'dbt-to-etl', 'ddl-to-etl']),
    );
  });

  it('reads header names in any case', async () => {
    const r = await explain({
      user: 'bob',
      groups: ['*'],
      headers: { 'x-TRINO-routing-GROUP': 'etl' },
      sql: 'SELECT 1',
    });
    expect(r.json.decision).toMatchObject({ ok: true, group: 'etl', source: 'header' });
  });

  it("uses a known user's own groups over the ones asked, and the asked ones for an unknown user", async () => {
    const known = await explain({ user: 'alice', groups: ['etl'], sql: 'INSERT INTO t VALUES 1' });
    expect(known.json.decision).toMatchObject({ ok: true, group: 'adhoc' });
    expect(known.json.decision.skipped).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'writes-to-etl' })]),
    );
    const unknown = await explain({ user: 'zed', groups: ['etl'], sql: 'INSERT INTO t VALUES 1' });
    expect(unknown.json.decision).toMatchObject({ ok: true, group: 'etl', rule: 'writes-to-etl' });
    const nobody = await explain({ user: 'zed', sql: 'SELECT 1' });
    expect(nobody.json.decision).toMatchObject({ ok: false, status: 403 });
    expect(nobody.json.backend).toBeNull();
  });

  it('answers no backend for a group without one', async () => {
    const r = await explain({
      user: 'bob',
      groups: ['*'],
      headers: { 'X-Trino-Routing-Group': 'empty' },
      sql: 'SELECT 1',
    });
    expect(r.json.decision).toMatchObject({ ok: true, group: 'empty' });
    expect(r.json.backend).toBeNull();
    expect(r.json.queue).toBeUndefined();
  });

  it("says whether the group's queue would hold the query, for groups with a queue only", async () => {
    const etl = await explain({
      user: 'bob',
      groups: ['*'],
      headers: { 'X-Trino-Routing-Group': 'etl' },
      sql: 'SELECT 1',
    });
    expect(etl.json.queue).toEqual({ queued: false });
    const adhoc = await explain({ user: 'bob', groups: ['*'], sql: 'SELECT 1' });
    expect(adhoc.json.queue).toBeUndefined();
  });

  it('refuses bad input with 400 naming the field', async () => {
    for (const [body, re] of [
      [{ sql: 'SELECT 1' }, /^user: /],
      [{ user: '', sql: 'SELECT 1' }, /^user: /],
      [{ user: 'bob' }, /^sql: /],
      [{ user: 'bob', sql: 'SELECT 1', headers: { a: 1 } }, /^headers\.a: /],
      [{ user: 'bob', sql: 'SELECT 1', colour: 'red' }, /colour/],
    ] as const) {
      const r = await explain(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.message).toMatch(re);
    }
  });
});
