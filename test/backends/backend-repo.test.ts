import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  backendColumns,
  BackendRepo,
  toBackendRecord,
  type BackendRecord,
} from '../../src/backends/backend-repo.js';
import { openDatabase } from '../../src/db/open.js';

const rec = (name: string, extra: Partial<BackendRecord> = {}): BackendRecord => ({
  name,
  url: `http://${name}:8080`,
  group: 'adhoc',
  active: true,
  weight: 1,
  catalogDriver: 'sql',
  ...extra,
});

// The store port's contract on both dialects is test/db/store-contract.test.ts; here: the SQLite repo itself.
describe('BackendRepo', () => {
  let opened: ReturnType<typeof openDatabase>;
  let repo: BackendRepo;
  beforeEach(() => {
    opened = openDatabase(':memory:');
    repo = new BackendRepo(opened.db);
    repo.seedGroup({ name: 'adhoc', policy: 'least-loaded' });
  });
  afterEach(() => opened.close());

  it('seeds a backend once, and never again once its name was stored, even when deleted since', () => {
    expect(repo.seedBackend(rec('a'))).toBe(true);
    expect(repo.seedBackend(rec('a', { weight: 5 }))).toBe(false);
    expect(repo.listBackends()).toEqual([{ ...rec('a'), processForwarded: false, advertisedUrls: [] }]);
    expect(repo.deleteBackend('a')).toBe(true);
    expect(repo.seedBackend(rec('a'))).toBe(false);
    expect(repo.listBackends()).toEqual([]);
  });

  it('upsert replaces a backend and revives a deleted name', () => {
    repo.upsertBackend(rec('a'));
    repo.upsertBackend(rec('a', { weight: 7, active: false }));
    expect(repo.listBackends()).toMatchObject([{ name: 'a', weight: 7, active: false }]);
    repo.deleteBackend('a');
    repo.upsertBackend(rec('a', { weight: 3 }));
    expect(repo.listBackends()).toMatchObject([{ name: 'a', weight: 3 }]);
  });

  it('deletes only what exists and is not deleted yet', () => {
    expect(repo.deleteBackend('nope')).toBe(false);
    repo.upsertBackend(rec('a'));
    expect(repo.deleteBackend('a')).toBe(true);
    expect(repo.deleteBackend('a')).toBe(false);
  });

  it('keeps every field of a record through a write and a read', () => {
    const full = rec('f', {
      externalUrl: 'https://f.example',
      weight: 9,
      catalogDriver: 'rest',
      processForwarded: true,
      forwardAuthorization: 'never',
      advertisedUrls: ['https://lb:8443'],
    });
    repo.upsertBackend(full);
    expect(repo.listBackends()).toEqual([full]);
  });

  it('seeds, replaces, revives and deletes groups the same way', () => {
    expect(repo.seedGroup({ name: 'adhoc', policy: 'random' })).toBe(false);
    repo.upsertGroup({ name: 'etl', policy: 'weighted', fallback: 'adhoc' });
    expect(repo.listGroups()).toEqual([
      { name: 'adhoc', policy: 'least-loaded', fallback: undefined },
      { name: 'etl', policy: 'weighted', fallback: 'adhoc' },
    ]);
    expect(repo.deleteGroup('etl')).toBe(true);
    expect(repo.deleteGroup('etl')).toBe(false);
    expect(repo.seedGroup({ name: 'etl', policy: 'random' })).toBe(false);
    repo.upsertGroup({ name: 'etl', policy: 'random' });
    expect(repo.listGroups().find((g) => g.name === 'etl')).toEqual({
      name: 'etl',
      policy: 'random',
      fallback: undefined,
    });
  });
});

describe('backendColumns and toBackendRecord', () => {
  it('write absent optional fields as NULL, and an empty advertisedUrls as NULL', () => {
    expect(backendColumns(rec('a', { advertisedUrls: [] }))).toEqual({
      name: 'a',
      url: 'http://a:8080',
      externalUrl: null,
      groupName: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
      processForwarded: false,
      forwardAuthorization: null,
      advertisedUrls: null,
    });
  });

  it('read unknown driver and forwardAuthorization values as the defaults', () => {
    const row = {
      ...backendColumns(rec('a')),
      catalogDriver: 'jdbc',
      forwardAuthorization: 'sometimes',
      createdAt: 1,
      updatedAt: 1,
      deletedAt: null,
    };
    expect(toBackendRecord(row as never)).toMatchObject({
      catalogDriver: 'sql',
      forwardAuthorization: undefined,
      externalUrl: undefined,
      advertisedUrls: [],
    });
  });
});
