import { describe, expect, it } from 'vitest';
import type { CatalogView, ConsoleCatalogs } from '../../../src/ui/console-deps.js';
import { signedIn } from '../../helpers/console-fixture.js';

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
