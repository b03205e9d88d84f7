import type { Backend } from '../backends/backend.js';
import type { CatalogSpec, Deployment, DeploymentState } from './catalog-repo.js';
import { maskProperties } from './secrets.js';

export interface CatalogView {
  group: string;
  name: string;
  connector: string;
  /** Secret values masked (`***`). */
  properties: Record<string, string>;
  version: number;
  /** present, or dropping (deleted; some backend has not dropped it yet). */
  status: 'present' | 'dropping';
  createdAt: number;
  updatedAt: number;
  deployments: Array<{
    backend: string;
    state: DeploymentState;
    specVersion: number | null;
    error: string | null;
  }>;
}

/**
 * catalogView is the API's view of one spec: secret values masked (`masked(key)`), and one deployment per
 * backend of the group or holding a row (a backend without a row yet is pending).
 */
export function catalogView(
  s: CatalogSpec,
  deps: readonly Deployment[],
  groupBackends: readonly Backend[],
  masked: (key: string) => boolean,
): CatalogView {
  const mine = deps.filter((x) => x.group === s.group && x.catalog === s.name);
  const byBackend = new Map(mine.map((x) => [x.backend, x]));
  const names = new Set([...groupBackends.map((b) => b.name), ...byBackend.keys()]);
  return {
    group: s.group,
    name: s.name,
    connector: s.connector,
    properties: maskProperties(s.properties, masked),
    version: s.version,
    status: s.desired === 'present' ? 'present' : 'dropping',
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    deployments: [...names].sort().map((backend) => {
      const x = byBackend.get(backend);
      return {
        backend,
        state: x?.state ?? 'pending',
        specVersion: x?.specVersion ?? null,
        error: x?.error ?? null,
      };
    }),
  };
}
