import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/routing/rule-engine.js';
import { parseRuleText } from '../../src/routing/rule-loader.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { CatalogView, ConsoleCatalogs } from '../../src/ui/console-deps.js';
import { LoadSamples } from '../../src/ui/load-samples.js';
import { Client, consoleFixture } from '../helpers/console-fixture.js';

async function signedIn(extra: Parameters<typeof consoleFixture>[0] = {}) {
  const fx = consoleFixture(extra);
  const client = new Client(fx.app);
  await client.login('root', 's3cret');
  return { ...fx, client, html: async (path: string) => (await client.get(path)).text() };
}

function seedHistory(history: ReturnType<typeof consoleFixture>['history'], now = Date.now()) {
  history.writeBatch(
    Array.from({ length: 7 }, (_, i) => ({
      queryId: `20250101_000000_0000${i}_abcde`,
      user: i % 2 ? 'alice' : 'bob',
      routingGroup: i < 4 ? 'adhoc' : 'etl',
      backend: i < 4 ? 'trino-1' : 'trino-3',
      sql: i === 6 ? "SELECT '<script>alert(1)</script>' WHERE pw = 'hunter2'" : `SELECT ${i}`,
      submittedAt: now - (7 - i) * 60_000,
      state: i === 3 ? 'FAILED' : 'FINISHED',
      elapsedMs: (i + 1) * 100,
    })),
    [],
  );
}

describe('dashboard', () => {
  it('shows every group with its backends, health, activity and load, and a server-drawn chart', async () => {
    const { registry, history, html } = await signedIn();
    seedHistory(history);
    registry.get('trino-2')!.health = 'UNHEALTHY';
    registry.get('trino-3')!.stats = {
      runningQueries: 4,
      queuedQueries: 9,
      blockedQueries: 0,
      updatedAt: Date.now(),
    };
    const page = await html('/console');
    expect(page).toMatch(
      /data-group="adhoc"[\s\S]*trino-1[\s\S]*trino-2[\s\S]*data-group="etl"[\s\S]*trino-3/,
    );
    expect(page).toMatch(/trino-2<\/b><\/a> <span class="badge bad"[^>]*>unhealthy/);
    expect(page).toContain('4 running · 9 queued');
    expect(page).toContain('<b>2 / 3</b><span>backends healthy</span>');
    expect(page).toMatch(/<svg class="chart"[^>]*role="img"/);
    expect(page).toContain('<b>7</b><span>queries in the last hour</span>');
  });

  it('draws queries per backend, per group and by final state, and p50/p95, over one hour by default', async () => {
    const { history, html } = await signedIn();
    seedHistory(history);
    const page = await html('/console');
    expect(page).toContain('over the last hour');
    const chart = (id: string) =>
      page.slice(page.indexOf(`id="${id}"`), page.indexOf('</section>', page.indexOf(`id="${id}"`)));
    const titles = (id: string) =>
      [...chart(id).matchAll(/<title>[^<]*· ([^<]*)<\/title>/g)].map((m) => m[1]);
    // One bar per query-minute: four on trino-1, three on trino-3.
    expect(titles('by-backend').sort()).toEqual(
      [...Array(4).fill('trino-1: 1'), ...Array(3).fill('trino-3: 1')].sort(),
    );
    expect(titles('by-group').filter((t) => t.startsWith('etl'))).toHaveLength(3);
    expect(titles('by-state')).toContain('FAILED: 1');
    expect(chart('by-state')).toContain('fill="#b42318"');
    expect(chart('latency')).toMatch(/<path d="M[^"]+L[^"]+"[^>]*stroke="#b86e00"/);
    expect(chart('latency')).toContain('7 completed queries');
  });

  it('shows queued and running per cluster as bars', async () => {
    const { registry, html } = await signedIn();
    registry.get('trino-3')!.stats = {
      runningQueries: 4,
      queuedQueries: 12,
      blockedQueries: 0,
      updatedAt: Date.now(),
    };
    const page = await html('/console');
    expect(page).toMatch(
      /data-load="trino-3"[\s\S]*?width:25\.0%[\s\S]*?width:75\.0%[\s\S]*?4 running · 12 queued/,
    );
    expect(page).toMatch(/data-load="trino-1"[\s\S]*?no stats yet/);
  });

  it('draws running and queued per cluster over the last hour from the samples', async () => {
    const now = Date.now();
    let at = now - 30 * 60_000;
    const samples = new LoadSamples({ now: () => at });
    const { registry, html } = await signedIn({ loadSamples: samples, now: () => now });
    const etl = registry.get('trino-3')!;
    for (const [running, queued] of [
      [1, 0],
      [4, 2],
      [2, 8],
    ]) {
      etl.stats = { runningQueries: running, queuedQueries: queued, blockedQueries: 0, updatedAt: at };
      samples.record(registry.all());
      at += 60_000;
    }
    const page = await html('/console');
    const running = page.slice(page.indexOf('data-chart="running per cluster"'));
    expect(running).toMatch(/peak 4 running/);
    // trino-3 reported three times: one line of three points; trino-1 never did: no line.
    expect(running).toMatch(/<path d="M50\.00 \d+\.\d+ L51\.67 [\d.]+ L53\.33 [\d.]+"/);
    expect(running).toMatch(/trino-3<span class="muted"> now 2</);
    const queued = page.slice(page.indexOf('data-chart="queued per cluster"'));
    expect(queued).toMatch(/peak 8 queued/);
    expect(queued).toMatch(/trino-1<span class="muted"> now –</);
  });

  it('accepts only the offered chart windows', async () => {
    const { html } = await signedIn();
    expect(await html('/console?hours=24')).toContain('over the last 24 hours');
    expect(await html('/console?hours=99999')).toContain('over the last hour');
  });
});

describe('backends page', () => {
  it('deactivates (drains) and reactivates a backend through CSRF-protected forms', async () => {
    const { registry, client, html } = await signedIn();
    const res = await client.post('/console/backends/trino-1/deactivate', { _csrf: await client.csrf() });
    expect(res.status).toBe(303);
    expect(registry.get('trino-1')!.active).toBe(false);
    const page = await html(res.headers.get('location')!);
    expect(page).toContain('trino-1 is deactivated');
    expect(page).toMatch(/data-backend="trino-1"[\s\S]*?badge off">drained</);
    await client.post('/console/backends/trino-1/activate', { _csrf: await client.csrf() });
    expect(registry.get('trino-1')!.active).toBe(true);
  });

  it('says "draining" while queries are in flight on an inactive backend', async () => {
    const { registry, html } = await signedIn();
    await registry.setActive('trino-2', false);
    registry.get('trino-2')!.inFlight = 3;
    expect(await html('/console/backends')).toContain('draining (3 in flight)');
  });

  it('answers 404 for an unknown backend', async () => {
    const { client } = await signedIn();
    const res = await client.post('/console/backends/nope/deactivate', { _csrf: await client.csrf() });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('backend &quot;nope&quot; not found');
  });
});

describe('query history page', () => {
  it('lists newest first with escaped, redacted SQL and links to the cluster UI where there is one', async () => {
    const { history, html } = await signedIn();
    seedHistory(history);
    const page = await html('/console/queries');
    expect(page.indexOf('00006_abcde')).toBeLessThan(page.indexOf('00000_abcde'));
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('hunter2');
    expect(page).toContain('href="https://trino-1.example.com/ui/query.html?20250101_000000_00001_abcde"');
    expect(page).not.toContain('ui/query.html?20250101_000000_00005_abcde');
  });

  it.each([
    ['?group=etl', ['00006', '00005', '00004']],
    ['?state=failed', ['00003']],
    ['?user=alice&group=adhoc', ['00003', '00001']],
    ['?q=SELECT+5', ['00005']],
    ['?backend=trino-3&user=bob', ['00006', '00004']],
  ])('filters %s', async (qs, ids) => {
    const { history, html } = await signedIn();
    seedHistory(history);
    const page = await html(`/console/queries${qs}`);
    expect([...page.matchAll(/data-query="20250101_000000_(\d+)_abcde"/g)].map((m) => m[1])).toEqual(ids);
  });

  it('filters by a UTC time range from the form', async () => {
    const { history, html } = await signedIn();
    const base = Date.parse('2025-01-01T10:00:00Z');
    seedHistory(history, base);
    const page = await html('/console/queries?from=2025-01-01T09:55&to=2025-01-01T09:57');
    expect([...page.matchAll(/data-query="20250101_000000_(\d+)_abcde"/g)].map((m) => m[1])).toEqual([
      '00004',
      '00003',
      '00002',
    ]);
  });

  it('pages with a cursor, keeping the filters, until the last page', async () => {
    const { history, html } = await signedIn();
    seedHistory(history);
    const seen: string[] = [];
    let path = '/console/queries?limit=25&group=adhoc';
    for (let i = 0; i < 3 && path; i++) {
      const page = await html(path);
      seen.push(...[...page.matchAll(/data-query="([^"]+)"/g)].map((m) => m[1]));
      path = /href="([^"]+)" rel="next"/.exec(page)?.[1].replace(/&amp;/g, '&') ?? '';
    }
    expect(seen).toHaveLength(4);
    const small = consoleFixture();
    seedHistory(small.history);
    const client = new Client(small.app);
    await client.login('root', 's3cret');
    const first = await (await client.get('/console/queries?limit=25')).text();
    expect(first).not.toContain('rel="next"');
  });

  it.each([
    ['a huge page size', '?limit=100000', 'limit: must be between 1 and 500'],
    ['a zero page size', '?limit=0', 'limit'],
    ['an unknown state', '?state=EXPLODED', 'state: one of'],
    ['a bad time', '?from=yesterday-ish', 'from: expected'],
    ['a forged cursor', '?cursor=bm90IGEgY3Vyc29y', 'cursor: not a cursor'],
    ['an overlong user', `?user=${'x'.repeat(600)}`, 'user: too long'],
  ])('answers %s with 400 and says which filter is wrong', async (_, qs, message) => {
    const { client } = await signedIn();
    const res = await client.get(`/console/queries${qs}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
  });
});

const SALES: CatalogView = {
  group: 'adhoc',
  name: 'sales',
  connector: 'postgresql',
  properties: { 'connection-url': 'jdbc:postgresql://db/sales', 'connection-password': '***' },
  deployments: [
    { backend: 'trino-1', state: 'applied' },
    { backend: 'trino-2', state: 'failed', error: 'connection refused' },
  ],
};

function fakeCatalogs(): ConsoleCatalogs & { created: unknown[]; deleted: unknown[] } {
  const list: CatalogView[] = [SALES];
  const created: unknown[] = [];
  const deleted: unknown[] = [];
  return {
    created,
    deleted,
    list: () => list,
    async create(spec) {
      if (spec.name === 'sales')
        throw Object.assign(new Error('catalog "sales" already exists in adhoc'), { status: 409 });
      created.push(spec);
      const deployments = [{ backend: 'trino-1', state: 'applied' }];
      list.push({ ...spec, deployments });
      return { deployments };
    },
    async delete(group, name) {
      deleted.push([group, name]);
    },
  };
}

describe('catalogs page', () => {
  it('is hidden when the gateway has no catalog service', async () => {
    const { client, html } = await signedIn();
    expect(await html('/console')).not.toContain('/console/catalogs');
    expect((await client.get('/console/catalogs')).status).toBe(404);
  });

  it('lists catalogs with per-backend deployment states and masked properties', async () => {
    const { html } = await signedIn({ catalogs: fakeCatalogs() });
    const page = await html('/console/catalogs');
    expect(page).toContain('data-deployment="trino-1">trino-1: applied');
    expect(page).toMatch(/badge bad" title="connection refused" data-deployment="trino-2"/);
    expect(page).toContain('connection-password=***');
  });

  it('adds a catalog from key=value lines and shows the outcome per backend', async () => {
    const catalogs = fakeCatalogs();
    const { client } = await signedIn({ catalogs });
    const res = await client.post('/console/catalogs', {
      _csrf: await client.csrf(),
      group: 'etl',
      name: 'tpch',
      connector: 'tpch',
      properties: '# scale\ntpch.splits-per-node = 4\n\ntpch.column-naming=STANDARD\n',
    });
    expect(res.status).toBe(200);
    expect(catalogs.created).toEqual([
      {
        group: 'etl',
        name: 'tpch',
        connector: 'tpch',
        properties: { 'tpch.splits-per-node': '4', 'tpch.column-naming': 'STANDARD' },
      },
    ]);
    expect(await res.text()).toContain('Catalog tpch added to etl.');
  });

  it.each([
    ['a property line without =', { properties: 'oops' }, 400, 'line 1: expected key=value'],
    ['a missing connector', { connector: '' }, 400, 'required'],
    ['a refusal from the service', { name: 'sales' }, 409, 'already exists'],
  ])('refuses %s with a clear message and keeps what was typed', async (_, change, status, message) => {
    const { client } = await signedIn({ catalogs: fakeCatalogs() });
    const form = {
      _csrf: await client.csrf(),
      group: 'etl',
      name: 'kept_name',
      connector: 'tpch',
      properties: '',
      ...change,
    };
    const res = await client.post('/console/catalogs', form);
    expect(res.status).toBe(status);
    const page = await res.text();
    expect(page).toContain(message);
    expect(page).toContain(`value="${form.name}"`);
  });

  it('deletes a catalog', async () => {
    const catalogs = fakeCatalogs();
    const { client } = await signedIn({ catalogs });
    const res = await client.post('/console/catalogs/delete', {
      _csrf: await client.csrf(),
      group: 'adhoc',
      name: 'sales',
    });
    expect(res.status).toBe(200);
    expect(catalogs.deleted).toEqual([['adhoc', 'sales']]);
  });
});

const RULES = `
- name: airflow-to-etl
  priority: 10
  condition: { source: { equals: airflow } }
  actions: { routeTo: etl }
- name: writes-to-etl
  priority: 20
  condition: { statementType: { in: [INSERT] } }
  actions: { routeTo: etl }
`;

const engine = () => RuleEngine.fromRules(parseRuleText(RULES, 'rules/etl.yaml'), silentLogger());

describe('routing rules page', () => {
  it('lists the rules in force in the order they run', async () => {
    const e = engine();
    const { html } = await signedIn({ rules: () => e });
    const page = await html('/console/rules');
    expect(page.indexOf('airflow-to-etl')).toBeLessThan(page.indexOf('writes-to-etl'));
    expect(page).toContain('etl.yaml:6');
  });

  it('explains a dry run: the group, the backend and every rule with why it matched or not', async () => {
    const e = engine();
    const { client } = await signedIn({ rules: () => e });
    const res = await client.post('/console/rules/dry-run', {
      _csrf: await client.csrf('/console/rules'),
      user: 'alice',
      headers: 'X-Trino-Source: airflow',
      sql: 'SELECT 1',
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<b data-result="group">etl</b>');
    expect(page).toContain('<b data-result="backend">trino-3</b>');
    expect(page).toMatch(/data-rule="airflow-to-etl"[\s\S]*?badge ok">matched[\s\S]*?chose routing group/);
    expect(page).toMatch(/data-rule="writes-to-etl"[\s\S]*?badge off">no match/);
    expect(page).toContain('not in the user directory');
  });

  it('says when no backend is available and when a header line is malformed', async () => {
    const e = engine();
    const { client, registry } = await signedIn({ rules: () => e });
    registry.get('trino-3')!.health = 'UNHEALTHY';
    const _csrf = await client.csrf('/console/rules');
    const none = await client.post('/console/rules/dry-run', {
      _csrf,
      user: 'root',
      headers: 'x-trino-source: airflow',
      sql: '',
    });
    expect(await none.text()).toContain('no available backend');
    const bad = await client.post('/console/rules/dry-run', {
      _csrf,
      user: 'root',
      headers: 'not a header',
      sql: '',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('header line 1');
  });
});

describe('everything else', () => {
  it('answers an unknown console page with a 404 page, not the API JSON', async () => {
    const { client } = await signedIn();
    const res = await client.get('/console/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('query detail page', () => {
  const full = {
    queryId: '20250101_120000_00042_zzzzz',
    user: 'alice',
    source: 'superset',
    clientAddress: '10.0.0.7',
    routingGroup: 'etl',
    rule: 'airflow-to-etl',
    policy: 'least-loaded',
    backend: 'trino-1',
    sql: 'CREATE CATALOG pg USING postgresql WITH ("connection-password" = \'hunter2\')',
    submittedAt: Date.parse('2025-01-01T12:00:00Z'),
    finishedAt: Date.parse('2025-01-01T12:00:03Z'),
    state: 'FAILED',
    errorName: 'CATALOG_NOT_FOUND',
    errorType: 'USER_ERROR',
    errorMessage: 'Catalog <pg> does not exist',
    elapsedMs: 2500,
    rows: 0,
    bytes: 1234,
  };

  it('shows SQL redacted, timings, rule, backend, error and a link to the cluster UI', async () => {
    const { history, html } = await signedIn();
    history.writeBatch([full], []);
    const page = await html(`/console/queries/${full.queryId}`);
    expect(page).not.toContain('hunter2');
    expect(page).toContain('&#39;***&#39;');
    for (const text of [
      '<dt>Source</dt><dd>superset</dd>',
      '<dt>Rule</dt><dd>airflow-to-etl</dd>',
      '<dt>Submitted (UTC)</dt><dd>2025-01-01 12:00:00</dd>',
      '<dt>Finished (UTC)</dt><dd>2025-01-01 12:00:03</dd>',
      '<dt>Elapsed</dt><dd>2.5 s</dd>',
      'CATALOG_NOT_FOUND',
      'Catalog &lt;pg&gt; does not exist',
      'href="https://trino-1.example.com/ui/query.html?20250101_120000_00042_zzzzz"',
    ])
      expect(page).toContain(text);
  });

  it('is reached from the history list, which has a source column', async () => {
    const { history, html } = await signedIn();
    history.writeBatch([full], []);
    const page = await html('/console/queries');
    expect(page).toContain(`href="/console/queries/${full.queryId}"`);
    expect(page).toMatch(/<th>Source<\/th>[\s\S]*data-label="Source"><div>superset</);
  });

  it('searches by query id: a well-formed id opens its page, a malformed one is refused by name', async () => {
    const { history, client } = await signedIn();
    history.writeBatch([full], []);
    const go = await client.get(`/console/queries?id=+${full.queryId.toUpperCase()}+`);
    expect(go.status).toBe(303);
    expect(go.headers.get('location')).toBe(`/console/queries/${full.queryId}`);
    const missing = await client.get('/console/queries/20250101_120000_00043_zzzzz');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('The history holds no query 20250101_120000_00043_zzzzz');
    const bad = await client.get('/console/queries?id=x%20y');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('id: expected a query id');
  });
});
