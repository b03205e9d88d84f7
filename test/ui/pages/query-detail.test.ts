import { describe, expect, it } from 'vitest';
import { signedIn } from '../../helpers/console-fixture.js';

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
