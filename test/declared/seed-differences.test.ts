import { describe, expect, it } from 'vitest';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import { seedDifferences } from '../../src/declared/seed-differences.js';

const backend = (o: Partial<BackendRecord> = {}): BackendRecord => ({
  name: 'one',
  url: 'http://a:8080',
  group: 'adhoc',
  active: true,
  weight: 1,
  catalogDriver: 'sql',
  ...o,
});
const none = { groups: new Set<string>(), backends: new Set<string>() };

describe('seedDifferences', () => {
  it('names each differing field by its YAML key and entry name, unset shown as such', () => {
    const cfg = {
      groups: [
        { name: 'adhoc', policy: 'least-loaded' },
        { name: 'etl', policy: 'random', fallback: 'adhoc' },
      ],
      backends: [backend(), backend({ name: 'two', url: 'http://b:8080', weight: 3 })],
    };
    const stored = {
      groups: [
        { name: 'adhoc', policy: 'least-loaded' },
        { name: 'etl', policy: 'round-robin' },
      ],
      backends: [backend(), backend({ name: 'two', url: 'http://c:8080/' })],
    };
    expect(seedDifferences(cfg as never, stored, none)).toEqual([
      'groups[1] (etl).policy: file "random", database "round-robin"',
      'groups[1] (etl).fallback: file "adhoc", database (unset)',
      'backends[1] (two).url: file "http://b:8080", database "http://c:8080"',
      'backends[1] (two).weight: file 3, database 1',
    ]);
  });

  it('names an entry deleted through the admin API that the file still declares', () => {
    const cfg = { groups: [{ name: 'etl', policy: 'random' }], backends: [backend()] };
    expect(seedDifferences(cfg as never, { groups: [], backends: [] }, none)).toEqual([
      'groups[0] (etl): deleted through the admin API, still in the file',
      'backends[0] (one): deleted through the admin API, still in the file',
    ]);
  });

  it('says nothing of entries this seeding inserted, or that agree (a trailing slash is the same URL)', () => {
    const cfg = {
      groups: [{ name: 'etl', policy: 'random' }],
      backends: [backend({ url: 'http://a:8080/' })],
    };
    const stored = { groups: [], backends: [backend()] };
    expect(seedDifferences(cfg as never, stored, { groups: new Set(['etl']), backends: new Set() })).toEqual(
      [],
    );
  });
});
