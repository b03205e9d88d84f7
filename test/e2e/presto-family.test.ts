import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { runPresto } from '../helpers/clients.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

const ALICE = `Basic ${Buffer.from('alice:pw').toString('base64')}`;

interface Page {
  nextUri?: string;
  data?: unknown[][];
  error?: { message: string };
}

/**
 * Clients of the Presto era (presto-client's default engine) speak X-Presto-*, which a Trino at its
 * defaults ignores (protocol.v1.alternate-header-name unset). The gateway renames them X-Trino-* and
 * renames the cluster's X-Trino-* answers back; these clusters keep Trino's defaults.
 */
describe('X-Presto-* clients against clusters at Trino defaults', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: TestGateway;
  let port: number;
  const all = () => [...a.requests, ...b.requests];

  beforeAll(async () => {
    a = await TrinoEmulator.start({ name: 'trino-1' });
    b = await TrinoEmulator.start({ name: 'trino-2' });
    gw = await startGateway(
      testConfig(
        [
          { name: 'trino-1', url: a.url },
          { name: 'trino-2', url: b.url },
        ],
        { auth: await passwordAuth(['alice', 'pw']) },
      ),
    );
    port = Number(new URL(gw.url).port);
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const presto = (sql: string, session?: string) =>
    runPresto({ host: '127.0.0.1', port, password: 'pw', engine: 'presto' }, sql, { session });

  /** drain runs a statement with raw X-Presto-* headers and returns every answer's headers and the last page. */
  async function drain(sql: string, headers: Record<string, string>) {
    const h = { authorization: ALICE, ...headers };
    let res = await fetch(`${gw.url}/v1/statement`, { method: 'POST', body: sql, headers: h });
    const answers = [res.headers];
    let page = (await res.json()) as Page;
    while (page.nextUri) {
      res = await fetch(page.nextUri, { headers: h });
      answers.push(res.headers);
      page = (await res.json()) as Page;
    }
    return { answers, page };
  }

  it('runs presto-client queries as the authenticated user, with its catalog and schema', async () => {
    const user = await presto('SELECT current_user');
    expect(user.error).toBeUndefined();
    expect(user.rows).toEqual([['alice']]);
    expect((await presto('SELECT current_catalog')).rows).toEqual([['tpch']]);
    expect((await presto('SELECT current_schema')).rows).toEqual([['tiny']]);
    // No cluster saw a header it would ignore: each got the X-Trino-* twin.
    for (const r of all())
      expect(Object.keys(r.headers).filter((k) => k.startsWith('x-presto-'))).toEqual([]);
    const submitted = all().find(
      (r) => r.method === 'POST' && String(r.headers['user-agent']).startsWith('presto-client-node'),
    )!;
    expect(submitted.headers).toMatchObject({
      'x-trino-user': 'alice',
      'x-trino-catalog': 'tpch',
      'x-trino-source': 'nodejs-client',
    });
  });

  it('passes presto-client session properties on as X-Trino-Session', async () => {
    const r = await presto("SHOW SESSION LIKE 'query_max%'", 'query_max_run_time=1h');
    expect(r.error).toBeUndefined();
    expect(r.rows).toEqual([['query_max_run_time', '1h', '', 'varchar', '']]);
  });

  it("answers SET SESSION and USE in the client's family: X-Presto-Set-Session, -Set-Catalog, -Set-Schema", async () => {
    const family = { 'X-Presto-User': 'alice', 'X-Presto-Catalog': 'tpch' };
    const set = await drain("SET SESSION query_max_run_time = '2h'", family);
    expect(set.page.error).toBeUndefined();
    const sets = set.answers.map((h) => h.get('x-presto-set-session')).filter(Boolean);
    expect(sets).toEqual(['query_max_run_time=2h']);
    expect(set.answers.some((h) => [...h.keys()].some((k) => k.startsWith('x-trino-')))).toBe(false);
    // The client sends what it was told to set, and the cluster has it.
    const show = await drain("SHOW SESSION LIKE 'query_max_run_time'", {
      ...family,
      'X-Presto-Session': sets[0]!,
    });
    expect(show.page.data).toEqual([['query_max_run_time', '2h', '', 'varchar', '']]);
    const use = await drain('USE sf1', family);
    const last = use.answers.at(-1)!;
    expect([last.get('x-presto-set-catalog'), last.get('x-presto-set-schema')]).toEqual(['tpch', 'sf1']);
  });

  it('applies the identity rule to X-Presto-User: the cluster sees the user the gateway checked', async () => {
    const other = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT current_user',
      headers: { authorization: ALICE, 'X-Presto-User': 'mallory' },
    });
    expect(other.status).toBe(403);
    // A mixed request is in the Trino family; its stray X-Presto-* go, as a default Trino ignores them.
    a.clearRequests();
    b.clearRequests();
    const mixed = await drain('SELECT current_user', { 'X-Trino-User': 'alice', 'X-Presto-User': 'mallory' });
    expect(mixed.page.data).toEqual([['alice']]);
    const seen = all().find((r) => r.method === 'POST' && r.headers['x-trino-user'])!.headers;
    expect(seen['x-trino-user']).toBe('alice');
    expect(seen['x-presto-user']).toBeUndefined();
  });
});
