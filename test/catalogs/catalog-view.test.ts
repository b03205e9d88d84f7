import { afterAll, describe, expect, it } from 'vitest';
import type { CatalogSpec, Deployment } from '../../src/catalogs/catalog-repo.js';
import { catalogView } from '../../src/catalogs/catalog-view.js';
import { secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { backendAt, releaseBackends } from '../helpers/backend.js';

const spec = (o: Partial<CatalogSpec> = {}): CatalogSpec => ({
  group: 'g',
  name: 'sales',
  connector: 'postgresql',
  properties: { 'connection-url': 'jdbc:postgresql://db/x', 'connection-password': 'jwe:sealed' },
  version: 3,
  desired: 'present',
  createdAt: 1000,
  updatedAt: 2000,
  ...o,
});
const dep = (o: Partial<Deployment>): Deployment =>
  ({
    group: 'g',
    catalog: 'sales',
    backend: 'b1',
    state: 'applied',
    specVersion: 3,
    error: null,
    updatedAt: 2000,
    ...o,
  }) as Deployment;

afterAll(() => releaseBackends());

describe('catalogView', () => {
  const masked = secretKeyMatcher(['password']);

  it('masks secret values and copies the spec fields', () => {
    const v = catalogView(spec(), [], [], masked);
    expect(v).toEqual({
      group: 'g',
      name: 'sales',
      connector: 'postgresql',
      properties: { 'connection-url': 'jdbc:postgresql://db/x', 'connection-password': '***' },
      version: 3,
      status: 'present',
      createdAt: 1000,
      updatedAt: 2000,
      deployments: [],
    });
  });

  it('shows a deleted spec as dropping', () => {
    expect(catalogView(spec({ desired: 'absent' }), [], [], masked).status).toBe('dropping');
  });

  it('lists one deployment per backend of the group or holding a row, sorted, pending without a row', () => {
    const backends = [backendAt('http://127.0.0.1:1', 'c'), backendAt('http://127.0.0.1:2', 'a')];
    const v = catalogView(
      spec(),
      [
        dep({ backend: 'b-left-the-group', state: 'dropping', specVersion: 2 }),
        dep({ backend: 'a', state: 'failed', specVersion: 3, error: 'refused' }),
        dep({ backend: 'z', catalog: 'other' }), // another catalog
        dep({ backend: 'y', group: 'h' }), // another group
      ],
      backends,
      masked,
    );
    expect(v.deployments).toEqual([
      { backend: 'a', state: 'failed', specVersion: 3, error: 'refused' },
      { backend: 'b-left-the-group', state: 'dropping', specVersion: 2, error: null },
      { backend: 'c', state: 'pending', specVersion: null, error: null },
    ]);
  });
});
