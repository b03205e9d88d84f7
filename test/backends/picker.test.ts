import { describe, expect, it } from 'vitest';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { BackendPicker } from '../../src/backends/picker.js';
import { openDatabase } from '../../src/db/open.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

const rec = (name: string, group: string, over: Partial<BackendRecord> = {}): BackendRecord => ({
  name,
  url: `http://${name}:8080`,
  group,
  active: true,
  weight: 1,
  catalogDriver: 'sql',
  ...over,
});

/** adhoc (round-robin, falls back to spare) holds a1, a2; spare holds s1; all HEALTHY. */
function setup() {
  const repo = new BackendRepo(openDatabase(':memory:').db);
  repo.seedGroup({ name: 'spare', policy: 'least-loaded' });
  repo.seedGroup({ name: 'adhoc', policy: 'round-robin', fallback: 'spare' });
  for (const b of [rec('a1', 'adhoc'), rec('a2', 'adhoc'), rec('s1', 'spare')]) repo.seedBackend(b);
  const registry = sqliteRegistry(repo, 1);
  for (const b of registry.all()) b.health = 'HEALTHY';
  return { registry, picker: new BackendPicker(registry) };
}

const facts = { user: 'alice' };

describe('BackendPicker', () => {
  it("chooses with the group's policy among its available backends", () => {
    const { registry, picker } = setup();
    const names = Array.from({ length: 4 }, () => picker.pick('adhoc', facts)?.backend.name);
    expect(names.sort()).toEqual(['a1', 'a1', 'a2', 'a2']);
    expect(picker.pick('adhoc', facts)).toMatchObject({ group: 'adhoc', policy: 'round-robin' });
    registry.close();
  });

  it('leaves out backends that are not available, and the one excluded (a retry)', async () => {
    const { registry, picker } = setup();
    registry.get('a1')!.health = 'UNHEALTHY';
    expect(picker.pool('adhoc').map((b) => b.name)).toEqual(['a2']);
    await registry.setActive('a2', false);
    expect(picker.pool('adhoc')).toEqual([]);
    await registry.setActive('a2', true);
    expect(picker.pool('adhoc', registry.get('a2'))).toEqual([]);
    registry.close();
  });

  it("falls back to the group's fallback when its pool is empty, one hop only", () => {
    const { registry, picker } = setup();
    for (const n of ['a1', 'a2']) registry.get(n)!.health = 'PENDING';
    expect(picker.pick('adhoc', facts)).toMatchObject({
      backend: { name: 's1' },
      group: 'spare',
      policy: 'least-loaded',
    });
    registry.get('s1')!.health = 'UNHEALTHY';
    expect(picker.pick('adhoc', facts)).toBeUndefined();
    registry.close();
  });

  it('finds nothing in a group it does not know', () => {
    const { registry, picker } = setup();
    expect(picker.pick('nope', facts)).toBeUndefined();
    registry.close();
  });
});
