import type { Services } from '../compose/services.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { applyDeclared } from './apply-declared.js';
import { fileOwned } from './declared-names.js';

/**
 * reloadDeclared puts a re-read config file's groups, backends and users in force when it is the
 * authority (configAuthority: file; under seed a reload changes only the routing rules, as before). The
 * leader writes the file's entries to the store and reloads them, then tells the other processes, which
 * reload from the store; every process takes the file's users and what it owns from its own reading.
 */
export async function reloadDeclared(next: GatewayConfig, s: Services): Promise<void> {
  const owned = fileOwned(next);
  s.registry.setFileOwned(owned);
  if (next.configAuthority !== 'file') return;
  s.users.setConfigUsers(next.auth.users);
  if (!s.replica.leadership.isLeader()) return;
  await applyDeclared(next, s.store, s.logger);
  const [backends, groups] = await Promise.all([
    s.store.backends.listBackends(),
    s.store.backends.listGroups(),
  ]);
  s.registry.sync(backends, groups);
  s.replica.notices.announce('backends');
  s.logger.info(
    { backends: owned.backends.size, groups: owned.groups.size, users: next.auth.users.length },
    'config file applied (configAuthority: file)',
  );
}
