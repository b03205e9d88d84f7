import { describe, expect, it } from 'vitest';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { BackendRegistry, type RegistryChange } from '../../src/backends/registry.js';
import { openDatabase } from '../../src/db/open.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

const rec = (name: string, over: Partial<BackendRecord> = {}): BackendRecord => ({
  name,
  url: 'http://127.0.0.1:1',
  group: 'adhoc',
  active: true,
  weight: 1,
  catalogDriver: 'sql',
  ...over,
});

/**
 * Two registries on one database, as two workers hold them: a change through one, then `sync` from the
 * store in the other (what a change notice triggers).
 */
function pair() {
  const db = openDatabase(':memory:').db;
  const repo = new BackendRepo(db);
  repo.seedGroup({ name: 'adhoc', policy: 'least-loaded' });
  repo.seedBackend(rec('t1'));
  repo.seedBackend(rec('t2'));
  const here = sqliteRegistry(repo, 8);
  const there = sqliteRegistry(new BackendRepo(db), 8);
  const events: string[] = [];
  const changes: RegistryChange[] = [];
  for (const e of ['added', 'removed', 'activated', 'deactivated'] as const)
    there.on(e, (b) => events.push(`${e} ${b.name}`));
  there.on('groupsChanged', () => events.push('groupsChanged'));
  there.on('changed', (c) => changes.push(c));
  const sync = () => there.sync(repo.listBackends(), repo.listGroups());
  return { here, there, events, changes, sync };
}

describe('BackendRegistry.sync: changes another process committed', () => {
  it('takes a deactivation as a deactivation, keeping what it knows of the cluster', async () => {
    const { here, there, events, changes, sync } = pair();
    there.get('t1')!.health = 'HEALTHY';
    await here.setActive('t1', false);
    sync();
    expect(events).toEqual(['deactivated t1']);
    expect(there.get('t1')!.active).toBe(false);
    expect(there.get('t1')!.health).toBe('HEALTHY');
    expect(changes).toEqual([]); // the audit line is the other process's
  });

  it('replaces a changed backend, adds a new one and removes a deleted one', async () => {
    const { here, there, events, sync } = pair();
    await here.update(rec('t1', { url: 'http://127.0.0.2:1', weight: 4 }));
    await here.add(rec('t3'));
    await here.remove('t2');
    sync();
    expect(events.sort()).toEqual(['added t1', 'added t3', 'removed t2']);
    expect(there.get('t1')!.url).toBe('http://127.0.0.2:1');
    expect(
      there
        .all()
        .map((b) => b.name)
        .sort(),
    ).toEqual(['t1', 't3']);
  });

  it('announces group changes, and nothing at all when nothing changed', async () => {
    const { here, events, sync } = pair();
    sync();
    expect(events).toEqual([]);
    await here.upsertGroup({ name: 'etl', policy: 'random' });
    sync();
    expect(events).toEqual(['groupsChanged']);
  });
});
