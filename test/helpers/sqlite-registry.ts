import type { ForwardAuthorization } from '../../src/backends/backend.js';
import type { BackendRepo } from '../../src/backends/backend-repo.js';
import { BackendRegistry } from '../../src/backends/registry.js';
import { backendPort } from '../../src/store/sqlite/sqlite-store.js';

/** sqliteRegistry builds a registry over a SQLite repo, starting from what the repo holds now. */
export function sqliteRegistry(
  repo: BackendRepo,
  maxSockets: number,
  forwardAuthorization?: ForwardAuthorization,
): BackendRegistry {
  const snapshot = { backends: repo.listBackends(), groups: repo.listGroups() };
  return new BackendRegistry(backendPort(repo), snapshot, maxSockets, forwardAuthorization);
}
