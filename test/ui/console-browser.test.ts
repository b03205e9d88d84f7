import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrino } from '../helpers/clients.js';
import type { TestGateway } from '../helpers/start-gateway.js';
import type { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { openBrowser, type Browser } from '../helpers/browser.js';
import { twoClusterGateway } from '../helpers/two-cluster-gateway.js';

/**
 * The console in a real browser (Debian's Chromium through playwright-core) against a real gateway and
 * two emulated clusters: sign in, dashboard, add a catalog, a cluster going down, drain, history filters.
 * Screenshots at desktop and phone widths land in test-artifacts/.
 */
describe('the console in a browser', () => {
  let adhoc: TrinoEmulator;
  let etl: TrinoEmulator;
  let gw: TestGateway;
  let stop: (() => Promise<void>) | undefined;
  let b: Browser;
  const shots: string[] = [];

  beforeAll(async () => {
    ({ adhoc, etl, gw, stop } = await twoClusterGateway());
    b = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await stop?.();
  });

  const go = async (path: string) => {
    const res = await b.page.goto(`${gw.url}${path}`);
    return res!.status();
  };
  const shoot = async (name: string) => {
    shots.push(await b.screenshot(name, 'desktop'), await b.screenshot(name, 'phone'));
  };

  it('signs in and lands on the dashboard with both groups and the queries chart', async () => {
    for (const sql of ['SELECT 1', 'SELECT * FROM UNNEST(sequence(1, 5))'])
      expect((await runTrino(gw.url, sql, { user: 'alice' })).error).toBeUndefined();
    expect((await runTrino(gw.url, 'SELEC 1', { user: 'alice' })).error?.errorName).toBe('SYNTAX_ERROR');
    const airflow = { user: 'bob', headers: { 'X-Trino-Source': 'airflow' } };
    expect((await runTrino(gw.url, 'SELECT current_cluster()', airflow)).rows).toEqual([['trino-etl']]);
    await go('/console');
    expect(b.page.url()).toContain('/console/login');
    await shoot('login');
    await b.page.fill('#user', 'root');
    await b.page.fill('#password', 's3cret');
    await b.page.click('button[type=submit]');
    await b.page.waitForURL(/\/console$/);
    await expect.poll(async () => (await gw.services.history.list({ limit: 10 })).length).toBe(4);
    await b.page.reload();
    expect(await b.page.textContent('h1')).toBe('Dashboard');
    expect(await b.page.locator('[data-group]').count()).toBe(2);
    expect(await b.page.locator('svg.chart rect').count()).toBeGreaterThan(0);
    await shoot('dashboard');
  });

  it('adds a catalog and shows where it was applied, with its secret masked', async () => {
    await go('/console/catalogs');
    await b.page.selectOption('#group', 'adhoc');
    await b.page.fill('#name', 'sales');
    await b.page.fill('#connector', 'memory');
    await b.page.fill('#properties', 'memory.max-data-per-node=64MB\nconnection-password=browser-secret');
    await b.page.click('form[action="/console/catalogs"] button[type=submit]');
    await b.page.waitForSelector('[data-catalog="adhoc/sales"]');
    expect(await b.page.textContent('[role=status]')).toContain('Catalog sales added to adhoc');
    expect(
      await b.page.textContent('[data-catalog="adhoc/sales"] [data-deployment="trino-adhoc"]'),
    ).toContain('applied');
    expect(await b.page.content()).not.toContain('browser-secret');
    expect(adhoc.catalogProperties('sales')?.['connection-password']).toBe('browser-secret');
    await shoot('catalogs');
  });

  it('shows a cluster going unhealthy on the dashboard', async () => {
    etl.setMode('refuse');
    await expect
      .poll(() => gw.services.registry.get('trino-etl')!.health, { timeout: 5_000 })
      .toBe('UNHEALTHY');
    await go('/console');
    expect(await b.page.textContent('[data-backend="trino-etl"]')).toContain('unhealthy');
    expect(await b.page.textContent('[data-backend="trino-adhoc"]')).toContain('healthy');
    await shoot('dashboard-unhealthy');
    etl.setMode('ok');
    await expect
      .poll(() => gw.services.registry.get('trino-etl')!.health, { timeout: 5_000 })
      .toBe('HEALTHY');
  });

  it('drains a backend from the backends page', async () => {
    await go('/console/backends');
    await b.page.click('[data-backend="trino-adhoc"] button');
    await b.page.waitForURL(/done=deactivate/);
    expect(await b.page.textContent('[role=status]')).toContain('trino-adhoc is deactivated');
    expect(await b.page.textContent('[data-backend="trino-adhoc"]')).toContain('drained');
    expect(gw.services.registry.get('trino-adhoc')!.active).toBe(false);
    await shoot('backends');
  });

  it('filters the query history and links to the cluster UI', async () => {
    await go('/console/queries');
    await b.page.fill('#user', 'bob');
    await b.page.click('form.filters button[type=submit]');
    await b.page.waitForURL(/user=bob/);
    const rows = b.page.locator('tr[data-query]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('SELECT current_cluster()');
    await go('/console/queries?user=alice');
    expect(await b.page.locator('tr[data-query]').count()).toBe(3);
    const link = await b.page
      .locator('tr[data-query] a[title="Open in the cluster\'s UI"]')
      .first()
      .getAttribute('href');
    expect(link).toMatch(/^https:\/\/trino-adhoc\.example\.com\/ui\/query\.html\?\d{8}_\d{6}_\d{5}_\w{5}$/);
    await shoot('queries');
    // A bad filter is a clear 400 (fetched beside the page: a 400 document would log a console error).
    const bad = await b.page.request.get(`${gw.url}/console/queries?limit=100000`);
    expect(bad.status()).toBe(400);
    expect(await bad.text()).toContain('limit: must be between 1 and 500');
  });

  it('explains a routing dry run', async () => {
    await go('/console/rules');
    await b.page.fill('#user', 'alice');
    await b.page.fill('#headers', 'X-Trino-Source: airflow');
    await b.page.fill('#sql', 'SELECT 1');
    await b.page.click('#explain');
    await b.page.waitForSelector('#decision');
    expect(await b.page.textContent('[data-result="group"]')).toBe('etl');
    expect(await b.page.textContent('[data-rule="airflow-to-etl"]')).toContain('matched');
    await shoot('rules');
  });

  it('signs out', async () => {
    await go('/console');
    await b.page.click('header form.who button');
    await b.page.waitForURL(/\/console\/login$/);
    expect(await go('/console/backends')).toBe(200);
    expect(b.page.url()).toContain('/console/login');
  });

  it('saw no console errors, page errors or failed requests, and saved the screenshots', () => {
    expect(b.problems).toEqual([]);
    expect(shots.length).toBeGreaterThanOrEqual(14);
  });
});
