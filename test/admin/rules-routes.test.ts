import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseRules } from '../../src/routing/database-rules.js';
import { RuleEngine } from '../../src/routing/rule-engine.js';
import { silentLogger } from '../../src/observability/logger.js';
import { runTrino } from '../helpers/clients.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const ADMIN = 'Basic ' + Buffer.from('ops:ops-password').toString('base64');
const USER = 'Basic ' + Buffer.from('alice:alice-password').toString('base64');

const ANALYSTS = `
- name: analysts-to-etl
  priority: 5
  condition:
    source: { equals: reports }
  actions:
    routeTo: etl
`;

describe('routing rules edited through the API', () => {
  let adhoc: TrinoEmulator;
  let etl: TrinoEmulator;
  let gw: TestGateway;

  const call = async (method: string, path: string, body?: unknown, auth = ADMIN) => {
    const res = await fetch(gw.url + path, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  const clusterOf = async (source: string) =>
    (
      await runTrino(gw.url, 'SELECT current_cluster()', {
        user: 'alice',
        password: 'alice-password',
        headers: { 'X-Trino-Source': source },
      })
    ).rows;

  beforeAll(async () => {
    adhoc = await TrinoEmulator.start({ name: 'adhoc-1' });
    etl = await TrinoEmulator.start({ name: 'etl-1' });
    gw = await startGateway(
      testConfig(
        [
          { name: 'adhoc-1', url: adhoc.url },
          { name: 'etl-1', url: etl.url, group: 'etl' },
        ],
        {
          auth: await passwordAuth(
            ['ops', 'ops-password', ['admin']],
            ['alice', 'alice-password', ['user'], ['*']],
          ),
        },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([adhoc?.stop(), etl?.stop()]);
  });

  it('starts with the file rules only, and no database version', async () => {
    const r = await call('GET', '/api/v1/rules');
    expect(r.json.version).toBe(0);
    expect(r.json.rules.every((x: any) => x.origin === 'file')).toBe(true);
    expect((await call('GET', '/api/v1/rules/database')).json).toMatchObject({
      version: 0,
      yaml: '',
      rules: [],
    });
  });

  it('needs an admin', async () => {
    expect(
      (await call('PUT', '/api/v1/rules/database', { yaml: ANALYSTS, baseVersion: 0 }, USER)).status,
    ).toBe(403);
  });

  it('refuses an invalid rule with the field and the reason, and keeps the rules in force', async () => {
    expect(await clusterOf('reports')).toEqual([['adhoc-1']]);
    const bad = `${ANALYSTS}\n- name: typo\n  condition:\n    sourse: { equals: x }\n  actions:\n    routeTo: nowhere\n`;
    const r = await call('PUT', '/api/v1/rules/database', { yaml: bad, baseVersion: 0 });
    expect(r.status).toBe(400);
    expect(r.json.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'typo', line: 11, message: 'condition: unknown field "sourse"' }),
      ]),
    );
    expect(r.json.message).toContain('line 11: rule "typo": condition: unknown field "sourse"');
    const group = await call('PUT', '/api/v1/rules/database', {
      yaml: ANALYSTS.replace('routeTo: etl', 'routeTo: nowhere'),
      baseVersion: 0,
    });
    expect(group.status).toBe(400);
    expect(group.json.message).toContain('actions.routeTo: routing group "nowhere" does not exist');
    const clash = await call('PUT', '/api/v1/rules/database', {
      yaml: ANALYSTS.replace('analysts-to-etl', 'airflow-to-etl'),
      baseVersion: 0,
    });
    expect(clash.json.message).toMatch(/name: already the name of a file rule \(.*10-etl-sources.yaml:4\)/);
    expect((await call('GET', '/api/v1/rules/database')).json.version).toBe(0);
    expect(await clusterOf('reports')).toEqual([['adhoc-1']]);
  });

  it('saves a valid set as version 1, in force at once, ordered with the file rules by priority', async () => {
    const r = await call('PUT', '/api/v1/rules/database', {
      yaml: ANALYSTS,
      baseVersion: 0,
      note: 'ticket 42',
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ version: 1, author: 'ops', summary: 'added analysts-to-etl — ticket 42' });
    expect(await clusterOf('reports')).toEqual([['etl-1']]);
    const inForce = (await call('GET', '/api/v1/rules')).json.rules;
    expect(inForce[0]).toMatchObject({
      name: 'analysts-to-etl',
      origin: 'database',
      file: 'database',
      line: 2,
    });
    expect(inForce.length).toBeGreaterThan(1);
    // The dry run sees it too.
    const explain = await call('POST', '/api/v1/routing/explain', {
      user: 'alice',
      headers: { 'X-Trino-Source': 'reports' },
      sql: 'SELECT 1',
    });
    expect(explain.json.decision).toMatchObject({ ok: true, group: 'etl', rule: 'analysts-to-etl' });
  });

  it('refuses a save from a stale version (409) and stores nothing', async () => {
    const r = await call('PUT', '/api/v1/rules/database', { rules: [], baseVersion: 0 });
    expect(r.status).toBe(409);
    expect(r.json.message).toContain('changed since version 0');
    expect((await call('GET', '/api/v1/rules/database')).json.version).toBe(1);
  });

  it('takes JSON rules, keeps every version with who and what, and an old version can be read back', async () => {
    const r = await call('PUT', '/api/v1/rules/database', { rules: [], baseVersion: 1 });
    expect(r.json).toMatchObject({ version: 2, summary: 'removed analysts-to-etl' });
    expect(await clusterOf('reports')).toEqual([['adhoc-1']]);
    const versions = (await call('GET', '/api/v1/rules/database/versions')).json;
    expect(versions.map((v: any) => [v.version, v.author])).toEqual([
      [2, 'ops'],
      [1, 'ops'],
    ]);
    const v1 = await call('GET', '/api/v1/rules/database/versions/1');
    expect(v1.json.yaml).toBe(ANALYSTS);
    expect(v1.json.rules[0].name).toBe('analysts-to-etl');
    expect((await call('GET', '/api/v1/rules/database/versions/9')).status).toBe(404);
  });

  it('validates without saving', async () => {
    const ok = await call('POST', '/api/v1/rules/database/validate', { yaml: ANALYSTS, baseVersion: 2 });
    expect(ok.status).toBe(200);
    const bad = await call('POST', '/api/v1/rules/database/validate', { yaml: 'name: [', baseVersion: 2 });
    expect(bad.status).toBe(400);
    expect(bad.json.issues[0].message).toMatch(/^invalid YAML/);
    const json = await call('POST', '/api/v1/rules/database/validate', {
      rules: [{ name: 'x', actions: {} }],
      baseVersion: 2,
    });
    expect(json.status).toBe(400);
    expect(json.json.message).toContain('rules.0.actions.routeTo');
    const neither = await call('POST', '/api/v1/rules/database/validate', { baseVersion: 2 });
    expect(neither.json.message).toBe('body: give either yaml or rules');
    expect((await call('GET', '/api/v1/rules/database')).json.version).toBe(2);
  });

  it('puts the stored version back in force at start', async () => {
    await call('PUT', '/api/v1/rules/database', { yaml: ANALYSTS, baseVersion: 2 });
    const engine = RuleEngine.fromRules(gw.services.rules!.files, silentLogger());
    const store = new DatabaseRules({
      repo: gw.services.store.ruleVersions,
      engine: () => engine,
      groups: () => new Set(),
      logger: silentLogger(),
    });
    expect(engine.rules.some((r) => r.name === 'analysts-to-etl')).toBe(false);
    await store.load();
    expect(engine.rules[0]).toMatchObject({ name: 'analysts-to-etl', file: 'database' });
  });
});
