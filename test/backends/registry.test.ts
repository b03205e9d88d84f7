import { describe, expect, it } from 'vitest';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import type { BackendRegistry, RegistryChange } from '../../src/backends/registry.js';
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

/** A registry on a fresh in-memory database seeded with the group adhoc and the backends given. */
function registry(...seed: BackendRecord[]) {
  const repo = new BackendRepo(openDatabase(':memory:').db);
  repo.seedGroup({ name: 'adhoc', policy: 'least-loaded' });
  for (const b of seed) repo.seedBackend(b);
  const r = sqliteRegistry(repo, 8);
  const events: string[] = [];
  const changes: RegistryChange[] = [];
  for (const e of ['added', 'removed', 'activated', 'deactivated'] as const)
    r.on(e, (b) => events.push(`${e} ${b.name}`));
  r.on('groupsChanged', () => events.push('groupsChanged'));
  r.on('changed', (c) => changes.push(c));
  return { r, repo, events, changes };
}

describe('BackendRegistry', () => {
  it('starts from what the database holds', () => {
    const { r } = registry(rec('a'), rec('b'));
    expect(r.all().map((b) => b.name)).toEqual(['a', 'b']);
    expect(r.inGroup('adhoc').map((b) => b.name)).toEqual(['a', 'b']);
    expect([...r.groupNames()]).toEqual(['adhoc']);
    r.close();
  });

  it('persists an added backend first, then announces it', async () => {
    const { r, repo, events, changes } = registry();
    const b = await r.add(rec('a'));
    expect(repo.listBackends().map((x) => x.name)).toEqual(['a']);
    expect(r.get('a')).toBe(b);
    expect(events).toEqual(['added a']);
    expect(changes).toEqual([{ what: 'backend.add', target: 'a', before: undefined, after: rec('a') }]);
    r.close();
  });

  it.each([
    ['a backend that exists', (r: BackendRegistry) => r.add(rec('a')), 409, 'backend "a" already exists'],
    [
      'an unknown group',
      (r: BackendRegistry) => r.add(rec('x', { group: 'nope' })),
      400,
      'group "nope" not found',
    ],
    ['updating an unknown backend', (r: BackendRegistry) => r.update(rec('x')), 404, 'backend "x" not found'],
    ['removing an unknown backend', (r: BackendRegistry) => r.remove('x'), 404, 'backend "x" not found'],
    [
      'activating an unknown backend',
      (r: BackendRegistry) => r.setActive('x', true),
      404,
      'backend "x" not found',
    ],
    [
      'a group falling back to itself',
      (r: BackendRegistry) => r.upsertGroup({ name: 'g', policy: 'random', fallback: 'g' }),
      400,
      'a group cannot fall back to itself',
    ],
    [
      'a fallback that does not exist',
      (r: BackendRegistry) => r.upsertGroup({ name: 'g', policy: 'random', fallback: 'h' }),
      400,
      'fallback group "h" not found',
    ],
    [
      'removing a group with backends',
      (r: BackendRegistry) => r.removeGroup('adhoc'),
      409,
      'group "adhoc" still has backends; move or delete them first',
    ],
  ])('refuses %s, saying why', async (_what, change, status, message) => {
    const { r, events } = registry(rec('a'));
    await expect(change(r)).rejects.toThrow(expect.objectContaining({ status, message }));
    expect(events).toEqual([]);
    r.close();
  });

  it('keeps what it knew of a cluster whose settings changed, and starts afresh when its url did', async () => {
    const { r, events } = registry(rec('a'));
    const old = r.get('a')!;
    old.health = 'HEALTHY';
    old.inFlight = 3;
    const same = await r.update(rec('a', { weight: 5 }));
    expect(same).not.toBe(old);
    expect([same.weight, same.health, same.inFlight]).toEqual([5, 'HEALTHY', 3]);
    const moved = await r.update(rec('a', { url: 'http://127.0.0.1:2' }));
    expect([moved.health, moved.inFlight]).toEqual(['UNKNOWN', 3]);
    expect(events).toEqual(['added a', 'added a']);
    r.close();
  });

  it('moves a backend between groups', async () => {
    const { r } = registry(rec('a'));
    await r.upsertGroup({ name: 'etl', policy: 'round-robin' });
    await r.update(rec('a', { group: 'etl' }));
    expect([r.inGroup('adhoc').length, r.inGroup('etl').map((b) => b.name)]).toEqual([0, ['a']]);
    r.close();
  });

  it('deactivates and activates once each, announcing only changes', async () => {
    const { r, repo, events } = registry(rec('a'));
    await r.setActive('a', false);
    await r.setActive('a', false);
    expect(repo.listBackends()[0].active).toBe(false);
    await r.setActive('a', true);
    expect(events).toEqual(['deactivated a', 'activated a']);
    r.close();
  });

  it('removes a backend from the database and from its group', async () => {
    const { r, repo, events, changes } = registry(rec('a'));
    await r.remove('a');
    expect([repo.listBackends(), r.get('a'), r.inGroup('adhoc')]).toEqual([[], undefined, []]);
    expect(events).toEqual(['removed a']);
    expect(changes[0]).toMatchObject({ what: 'backend.delete', target: 'a' });
    r.close();
  });

  it('adds, updates and removes groups, refusing to remove a fallback in use', async () => {
    const { r, events } = registry();
    await r.upsertGroup({ name: 'etl', policy: 'random', fallback: 'adhoc' });
    await r.upsertGroup({ name: 'etl', policy: 'weighted', fallback: 'adhoc' });
    expect(r.group('etl')).toEqual({ name: 'etl', policy: 'weighted', fallback: 'adhoc' });
    await expect(r.removeGroup('adhoc')).rejects.toThrow('group "adhoc" is the fallback of etl');
    await r.removeGroup('etl');
    expect([...r.groupNames()]).toEqual(['adhoc']);
    expect(events).toEqual(['groupsChanged', 'groupsChanged', 'groupsChanged']);
    r.close();
  });

  it('runs changes one at a time: of two adds of one name, the second is refused', async () => {
    const { r, repo } = registry();
    const [first, second] = await Promise.allSettled([r.add(rec('a')), r.add(rec('a'))]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { status: 409 } });
    expect(repo.listBackends().map((b) => b.name)).toEqual(['a']);
    r.close();
  });

  it('reloads what another replica stored as the usual events, without audit entries', async () => {
    const { r, repo, events, changes } = registry(rec('a'), rec('b'), rec('c'));
    const kept = r.get('c')!;
    repo.upsertGroup({ name: 'etl', policy: 'random' });
    repo.upsertBackend(rec('a', { active: false }));
    repo.upsertBackend(rec('b', { weight: 7, group: 'etl' }));
    repo.deleteBackend('c');
    repo.upsertBackend(rec('d'));
    await r.reload(async () => ({ backends: repo.listBackends(), groups: repo.listGroups() }));
    expect(events).toEqual(['groupsChanged', 'removed c', 'deactivated a', 'added b', 'added d']);
    expect(r.inGroup('etl').map((b) => [b.name, b.weight])).toEqual([['b', 7]]);
    expect([r.get('a')!.active, r.get('c'), kept.name]).toEqual([false, undefined, 'c']);
    expect(changes).toEqual([]);
    events.length = 0;
    await r.reload(async () => ({ backends: repo.listBackends(), groups: repo.listGroups() }));
    expect(events).toEqual([]);
    r.close();
  });
});
