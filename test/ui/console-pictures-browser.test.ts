import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrino } from '../helpers/clients.js';
import type { TestGateway } from '../helpers/start-gateway.js';
import type { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { openBrowser, type Browser } from '../helpers/browser.js';
import { twoClusterGateway } from '../helpers/two-cluster-gateway.js';

/**
 * The console's newer pages in a real browser (Debian's Chromium through playwright-core) against a real
 * gateway and two emulated clusters: the dashboard's charts, a query's detail page found by its id,
 * backends added, edited and deleted, the routing rules editor with its dry run, and the API reference
 * (Swagger UI served by the gateway, nothing from a CDN). Screenshots land in test-artifacts/.
 */
describe('the console with pictures, in a browser', () => {
  let adhoc: TrinoEmulator;
  let etl: TrinoEmulator;
  let gw: TestGateway;
  let stop: (() => Promise<void>) | undefined;
  let b: Browser;
  let failedId = '';
  const shots: string[] = [];
  const outside: string[] = [];

  beforeAll(async () => {
    ({ adhoc, etl, gw, stop } = await twoClusterGateway());
    b = await openBrowser();
    // Nothing may leave for another origin (a CDN, a validator badge): the console works offline.
    b.page.on('request', (r) => {
      if (!r.url().startsWith(gw.url) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    for (const sql of ['SELECT 1', 'SELECT * FROM UNNEST(sequence(1, 5))', 'SELECT current_cluster()'])
      expect((await runTrino(gw.url, sql, { user: 'alice' })).error).toBeUndefined();
    const failed = await runTrino(gw.url, 'SELEC 1', {
      user: 'alice',
      headers: { 'X-Trino-Source': 'superset' },
    });
    expect(failed.error?.errorName).toBe('SYNTAX_ERROR');
    failedId = failed.queryId!;
    await runTrino(gw.url, 'SELECT 1', { user: 'bob', headers: { 'X-Trino-Source': 'airflow' } });
    const done = async () =>
      (await gw.services.history.list({ limit: 10 })).filter((r) => r.state !== 'RUNNING').length;
    for (let i = 0; i < 100 && (await done()) < 5; i++) await new Promise((r) => setTimeout(r, 50));
    await b.page.goto(`${gw.url}/console/login`);
    await b.page.fill('#user', 'root');
    await b.page.fill('#password', 's3cret');
    await b.page.click('button[type=submit]');
    await b.page.waitForURL(/\/console$/);
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await stop?.();
  });

  const go = async (path: string) => (await b.page.goto(`${gw.url}${path}`))!.status();
  const shoot = async (name: string) => {
    shots.push(await b.screenshot(name, 'desktop'), await b.screenshot(name, 'phone'));
  };

  it('draws the dashboard: per backend, per group, finished and failed, p50/p95, and the live load', async () => {
    expect(await go('/console')).toBe(200);
    for (const id of ['by-backend', 'by-group', 'by-state'])
      expect(await b.page.locator(`#${id} svg.chart rect`).count(), id).toBeGreaterThan(0);
    expect(await b.page.locator('#by-backend .legend li').allTextContents()).toEqual(
      expect.arrayContaining(['trino-adhoc', 'trino-etl']),
    );
    expect(await b.page.locator('#by-state .legend li').allTextContents()).toEqual(
      expect.arrayContaining(['FINISHED', 'FAILED']),
    );
    expect(await b.page.locator('#latency svg path').count()).toBe(2);
    expect(await b.page.locator('[data-load]').count()).toBe(2);
    expect(await b.page.textContent('.row.window')).toContain('over the last hour');
    await shoot('dashboard-charts');
  });

  it('finds a query by its id and shows its detail page', async () => {
    await go('/console/queries');
    expect(await b.page.locator('th', { hasText: 'Source' }).count()).toBe(1);
    await b.page.fill('#id', failedId);
    await b.page.click('form.filters button[type=submit]');
    await b.page.waitForURL(new RegExp(`/console/queries/${failedId}$`));
    expect(await b.page.textContent('#error')).toContain('SYNTAX_ERROR');
    expect(await b.page.textContent('#sql')).toContain('SELEC 1');
    expect(await b.page.textContent('dl.facts')).toContain('superset');
    expect(await b.page.getAttribute('#cluster-ui', 'href')).toBe(
      `https://trino-adhoc.example.com/ui/query.html?${failedId}`,
    );
    await shoot('query-detail');
  });

  it('adds, edits and deletes a backend', async () => {
    await go('/console/backends');
    await b.page.click('#add-backend');
    await b.page.fill('#name', 'trino-new');
    await b.page.fill('#url', 'not a url');
    await b.page.selectOption('#group', 'etl');
    await b.page.click('#save');
    expect(await b.page.textContent('[role=alert]')).toContain('url:');
    await shoot('backend-form-error');
    await b.page.fill('#url', `${etl.url}`);
    await b.page.click('#save');
    await b.page.waitForURL(/done=added/);
    expect(gw.services.registry.get('trino-new')?.group).toBe('etl');
    await b.page.click('[data-backend="trino-new"] a.button');
    await b.page.fill('#weight', '7');
    await b.page.click('#save');
    await b.page.waitForURL(/done=edited/);
    expect(gw.services.registry.get('trino-new')?.weight).toBe(7);
    await shoot('backends-crud');
    await b.page.click('[data-backend="trino-new"] button.danger:has-text("Delete")');
    await b.page.waitForURL(/done=deleted/);
    expect(gw.services.registry.get('trino-new')).toBeUndefined();
  });

  it('edits the routing rules: refuses an invalid rule, dry-runs the draft, saves a version', async () => {
    await go('/console/rules');
    const rule =
      '- name: superset-to-etl\n  priority: 1\n  condition:\n    source: { equals: superset }\n  actions:\n    routeTo: etl\n';
    await b.page.fill('#rules', rule.replace('source:', 'sourc:'));
    await b.page.click('#save');
    expect(await b.page.textContent('[role=alert]')).toContain('condition: unknown field "sourc"');
    expect(gw.services.databaseRules.current()).toBeUndefined();
    await b.page.fill('#rules', rule);
    await b.page.fill('#user', 'alice');
    await b.page.fill('#headers', 'X-Trino-Source: superset');
    await b.page.fill('#sql', 'SELECT 1');
    await b.page.click('#explain');
    await b.page.waitForSelector('#decision');
    expect(await b.page.textContent('#decision')).toContain('with the draft in the editor');
    expect(await b.page.textContent('[data-result="group"]')).toBe('etl');
    await shoot('rules-editor');
    await b.page.fill('#note', 'superset dashboards are heavy');
    await b.page.click('#save');
    await b.page.waitForURL(/saved=1/);
    expect(await b.page.textContent('[data-version="1"]')).toContain('superset dashboards are heavy');
    expect(await b.page.locator('tr[data-rule="superset-to-etl"][data-origin="database"]').count()).toBe(1);
    const r = await runTrino(gw.url, 'SELECT current_cluster()', {
      user: 'alice',
      headers: { 'X-Trino-Source': 'superset' },
    });
    expect(r.rows).toEqual([['trino-etl']]);
    await shoot('rules-saved');
  });

  it('shows the interactive API reference, served by the gateway', async () => {
    expect(await go('/console/api')).toBe(200);
    await b.page.waitForSelector('.opblock-summary', { timeout: 20_000 });
    expect(await b.page.locator('.opblock').count()).toBeGreaterThan(45);
    expect(await b.page.textContent('.swagger-ui .info')).toContain('Switchyard API');
    await b.page.click('#operations-backends-getApiV1BackendsByName .opblock-summary');
    await b.page.waitForSelector('#operations-backends-getApiV1BackendsByName .parameters');
    expect(await b.page.textContent('#operations-backends-getApiV1BackendsByName .parameters')).toContain(
      'name',
    );
    await shoot('api-reference');
  });

  it('saw no console errors, page errors, failed requests or requests to other origins', () => {
    // The two refusals (a bad backend URL, an invalid rule) are 400 documents, which Chromium logs.
    const refusals = b.problems.filter((p) => p.includes('status of 400 (Bad Request)'));
    expect(refusals).toHaveLength(2);
    expect(b.problems.filter((p) => !refusals.includes(p))).toEqual([]);
    expect(outside).toEqual([]);
    expect(shots.length).toBeGreaterThanOrEqual(14);
  });
});
