import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import { consoleCatalogs } from '../../src/ui/console-catalogs.js';
import { buildTestServices, releaseServices } from '../helpers/built-services.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

describe('consoleCatalogs', () => {
  let t1: TrinoEmulator;
  beforeAll(async () => {
    t1 = await TrinoEmulator.start({ name: 't1' });
  });
  afterAll(() => t1?.stop());
  afterEach(releaseServices);

  it('creates, lists and deletes through the catalog service, as user console', async () => {
    const b = await buildTestServices([{ name: 't1', url: t1.url }]);
    const c = consoleCatalogs(b.s.catalogs);
    const made = await c.create({ group: 'adhoc', name: 'mem', connector: 'memory', properties: {} });
    expect(made).toEqual({ deployments: [{ backend: 't1', state: 'applied' }] });
    expect(t1.catalogs()).toContain('mem');
    expect((await c.list()).map((x) => `${x.group}/${x.name}`)).toEqual(['adhoc/mem']);
    await c.delete('adhoc', 'mem');
    expect(t1.catalogs()).not.toContain('mem');
    const audits = b.lines().filter((l) => l.audit === true && String(l.what).startsWith('catalog.'));
    expect(audits.map((l) => [l.who, l.what])).toEqual([
      ['console', 'catalog.create'],
      ['console', 'catalog.delete'],
    ]);
  });

  it('rejects what the service refuses with an AppError carrying its status', async () => {
    const c = consoleCatalogs((await buildTestServices([{ name: 't1', url: t1.url }])).s.catalogs);
    const e = await c
      .create({ group: 'nope', name: 'x', connector: 'memory', properties: {} })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).status).toBe(404);
    const bad = await c
      .create({ group: 'adhoc', name: 'bad name!', connector: 'memory', properties: {} })
      .catch((x: unknown) => x);
    expect((bad as AppError).status).toBe(400);
  });
});
