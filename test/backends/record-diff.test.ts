import { describe, expect, it } from 'vitest';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import { backendDifferences, groupDifferences } from '../../src/backends/record-diff.js';

const backend = (o: Partial<BackendRecord> = {}): BackendRecord => ({
  name: 'one',
  url: 'http://a:8080',
  group: 'adhoc',
  active: true,
  weight: 1,
  catalogDriver: 'sql',
  ...o,
});

describe('backendDifferences', () => {
  it('finds none between equal records, whatever the name', () => {
    expect(backendDifferences(backend(), backend({ name: 'other' }))).toEqual([]);
  });

  it('lists each differing field in report order, named as in the YAML', () => {
    const a = backend({
      url: 'http://b:8080',
      group: 'etl',
      active: false,
      weight: 2,
      catalogDriver: 'rest',
    });
    expect(backendDifferences(a, backend())).toEqual([
      { field: 'url', a: 'http://b:8080', b: 'http://a:8080' },
      { field: 'group', a: 'etl', b: 'adhoc' },
      { field: 'active', a: false, b: true },
      { field: 'weight', a: 2, b: 1 },
      { field: 'catalogDriver', a: 'rest', b: 'sql' },
    ]);
  });

  it('compares as stored: trailing slashes, unset and default values, empty lists are the same', () => {
    const a = backend({ url: 'http://a:8080//', processForwarded: false, advertisedUrls: [] });
    expect(backendDifferences(a, backend())).toEqual([]);
  });

  it('shows unset optional fields as undefined and advertised URLs as lists', () => {
    const a = backend({
      externalUrl: 'https://gw.example',
      forwardAuthorization: 'never',
      processForwarded: true,
      advertisedUrls: ['https://lb.example'],
    });
    expect(backendDifferences(a, backend())).toEqual([
      { field: 'externalUrl', a: 'https://gw.example', b: undefined },
      { field: 'processForwarded', a: true, b: false },
      { field: 'forwardAuthorization', a: 'never', b: undefined },
      { field: 'advertisedUrls', a: ['https://lb.example'], b: [] },
    ]);
  });
});

describe('groupDifferences', () => {
  it('lists policy and fallback; an absent fallback equals an undefined one', () => {
    expect(groupDifferences({ name: 'g', policy: 'random' }, { name: 'g', policy: 'random' })).toEqual([]);
    expect(
      groupDifferences(
        { name: 'g', policy: 'random', fallback: 'adhoc' },
        { name: 'g', policy: 'least-loaded' },
      ),
    ).toEqual([
      { field: 'policy', a: 'random', b: 'least-loaded' },
      { field: 'fallback', a: 'adhoc', b: undefined },
    ]);
    const storedNull = { name: 'g', policy: 'random', fallback: null as unknown as string };
    expect(groupDifferences({ name: 'g', policy: 'random' }, storedNull)).toEqual([]);
  });
});
