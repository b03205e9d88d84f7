import { describe, expect, it } from 'vitest';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { BackendPicker } from '../../src/backends/picker.js';
import type { BackendRegistry } from '../../src/backends/registry.js';
import { openDatabase } from '../../src/db/open.js';
import type { ConsoleUser } from '../../src/ui/console-deps.js';
import { dryRun, parseHeaderLines, type DryRunDeps } from '../../src/ui/dry-run.js';
import { engineOf } from '../helpers/routing-fixtures.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

describe('dry-run header lines', () => {
  it('reads names in lower case and joins repeats', () => {
    expect(
      parseHeaderLines('X-Trino-Source: airflow\n\nX-Trino-Client-Tags: a\nx-trino-client-tags: b'),
    ).toEqual({
      ok: true,
      headers: { 'x-trino-source': 'airflow', 'x-trino-client-tags': 'a, b' },
    });
  });

  it('names the bad line', () => {
    expect(parseHeaderLines('a: 1\nno colon here')).toEqual({
      ok: false,
      error: 'header line 2: expected "Name: value"',
    });
  });
});

/** Two groups over an in-memory database; etl falls back to adhoc. Only healthy backends can be picked. */
function deps(): DryRunDeps & { registry: BackendRegistry } {
  const repo = new BackendRepo(openDatabase(':memory:').db);
  repo.seedGroup({ name: 'adhoc', policy: 'least-loaded' });
  repo.seedGroup({ name: 'etl', policy: 'round-robin', fallback: 'adhoc' });
  for (const [name, group] of [
    ['trino-1', 'adhoc'],
    ['trino-2', 'etl'],
  ])
    repo.seedBackend({
      name,
      url: 'http://127.0.0.1:1',
      group,
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
  const registry = sqliteRegistry(repo, 4);
  for (const b of registry.all()) b.health = 'HEALTHY';
  const users = new Map<string, ConsoleUser>([
    ['ana', { name: 'ana', passwordHash: 'x', groups: ['adhoc'], roles: ['user'] }],
  ]);
  return {
    engine: engineOf(`
- name: airflow-to-etl
  condition: { source: { equals: airflow } }
  actions: { routeTo: etl }
`),
    registry,
    picker: new BackendPicker(registry),
    users: { get: (n) => users.get(n) },
    defaultGroup: 'adhoc',
  };
}

describe('dryRun', () => {
  it.each([
    ['no user', { user: '  ', headers: '', sql: 'SELECT 1' }, 'A user is required.'],
    ['a bad header line', { user: 'ana', headers: 'oops', sql: '' }, 'header line 1: expected "Name: value"'],
  ])('refuses %s with a message', (_what, input, error) => {
    expect(dryRun(input, deps())).toEqual({ ok: false, error });
  });

  it('routes a known user by the rules, within its groups, and names the backend the policy would pick', () => {
    const d = deps();
    const plain = dryRun({ user: ' ana ', headers: '', sql: 'SELECT 1' }, d);
    expect(plain).toMatchObject({
      ok: true,
      knownUser: true,
      explanation: { decision: { ok: true, group: 'adhoc' }, facts: { user: 'ana' } },
      pick: { backend: 'trino-1', group: 'adhoc', policy: 'least-loaded' },
    });
    // The rule sends airflow to etl, which ana may not use: it is skipped, and she stays on adhoc.
    const airflow = dryRun({ user: 'ana', headers: 'X-Trino-Source: airflow', sql: '' }, d);
    expect(airflow.ok && airflow.explanation.decision).toMatchObject({ ok: true, group: 'adhoc' });
  });

  it('assumes an unknown user may use every group, and follows the fallback when a group has no healthy backend', () => {
    const d = deps();
    const r = dryRun({ user: 'zed', headers: 'X-Trino-Source: airflow', sql: 'SELECT 1' }, d);
    expect(r).toMatchObject({
      ok: true,
      knownUser: false,
      explanation: { decision: { ok: true, group: 'etl', source: 'rule', rule: 'airflow-to-etl' } },
      pick: { backend: 'trino-2', group: 'etl', policy: 'round-robin' },
    });
    d.registry.get('trino-2')!.health = 'UNHEALTHY';
    const fallback = dryRun({ user: 'zed', headers: 'X-Trino-Source: airflow', sql: '' }, d);
    expect(fallback.ok && fallback.pick).toEqual({
      backend: 'trino-1',
      group: 'adhoc',
      policy: 'least-loaded',
    });
    d.registry.get('trino-1')!.health = 'UNHEALTHY';
    const none = dryRun({ user: 'zed', headers: '', sql: '' }, d);
    expect(none).toMatchObject({ ok: true, explanation: { decision: { ok: true, group: 'adhoc' } } });
    expect(none.ok && none.pick).toBeUndefined();
  });

  it('honours a routing-group header the way the gateway would, refusing a group that does not exist', () => {
    const d = deps();
    const r = dryRun({ user: 'zed', headers: 'X-Trino-Routing-Group: etl', sql: '' }, d);
    expect(r.ok && r.explanation.decision).toMatchObject({ ok: true, group: 'etl', source: 'header' });
    const missing = dryRun({ user: 'zed', headers: 'X-Trino-Routing-Group: nope', sql: '' }, d);
    expect(missing.ok && missing.explanation.decision).toMatchObject({ ok: false, status: 404 });
    expect(missing.ok && missing.pick).toBeUndefined();
  });
});
