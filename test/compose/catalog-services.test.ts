import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestServices, releaseServices } from '../helpers/built-services.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

describe('buildCatalogs', () => {
  let t1: TrinoEmulator;
  beforeAll(async () => {
    t1 = await TrinoEmulator.start({ name: 't1' });
  });
  afterAll(() => t1?.stop());
  afterEach(releaseServices);

  it('records each catalog statement in the query history, as its user, with the secret redacted', async () => {
    const { s } = await buildTestServices([{ name: 't1', url: t1.url }], {
      catalogs: { secretPatterns: ['password'], user: 'catalog-robot' },
    });
    const r = await s.catalogs.create(
      'adhoc',
      { name: 'pg', connector: 'memory', properties: { 'connection-password': 'hunter2' } },
      'ops',
    );
    expect(r.applied).toBe('all');
    await s.recorder.flush();
    const rows = await s.store.history.list({ limit: 10 });
    const create = rows.find((q) => q.sql.startsWith('CREATE CATALOG'));
    expect(create).toMatchObject({
      user: 'ops',
      source: 'switchyard-catalogs',
      routingGroup: 'adhoc',
      backend: 't1',
      state: 'FINISHED',
    });
    expect(create!.sql).not.toContain('hunter2');
    expect(JSON.stringify(rows)).not.toContain('hunter2');
  });

  it('seals secret properties at rest with the key openResources read', async () => {
    const { s } = await buildTestServices([{ name: 't1', url: t1.url }]);
    await s.catalogs.create(
      'adhoc',
      { name: 'sealed', connector: 'memory', properties: { 'x-token': 'tok-1' } },
      'ops',
    );
    const stored = s
      .db!.sqlite.prepare("SELECT properties FROM catalog_specs WHERE name = 'sealed'")
      .get() as {
      properties: string;
    };
    expect(stored.properties).not.toContain('tok-1');
    expect(stored.properties).toMatch(/jwe:/);
    expect(t1.catalogProperties('sealed')).toEqual({ 'x-token': 'tok-1' });
    expect((await s.catalogs.get('adhoc', 'sealed')).properties).toEqual({ 'x-token': '***' });
  });
});
