import type { Services } from '../compose/services.js';
import type { ChangeArea } from './change-notices.js';
import { followPeers } from './shared-queries.js';

/**
 * syncReplica connects a gateway's services to the other processes on its store: each change committed
 * here is announced (backends and groups, users, database rules; console logouts announce themselves),
 * and each change announced elsewhere is reloaded from the store, one reload per area at a time. A
 * reload that fails is logged and tried again on the next notice; memory keeps the last state.
 */
export function syncReplica(s: Services): void {
  const { notices, bus } = s.replica;
  s.registry.on('changed', () => notices.announce('backends'));
  s.users.onCommitted(() => notices.announce('users'));
  s.databaseRules.onSaved(() => notices.announce('rules'));
  followPeers(bus, s.tracker);
  const reloads: Partial<Record<ChangeArea, () => Promise<void>>> = {
    backends: async () => {
      const [backends, groups] = await Promise.all([
        s.store.backends.listBackends(),
        s.store.backends.listGroups(),
      ]);
      s.registry.sync(backends, groups);
    },
    users: () => s.users.load(),
    rules: () => s.databaseRules.load(),
    // Catalog specs and deployments are read from the store on every use; sessions reload in their codec.
  };
  const running = new Map<ChangeArea, Promise<void>>();
  const reload = (area: ChangeArea) => {
    const run = reloads[area];
    if (!run) return;
    const next = (running.get(area) ?? Promise.resolve()).then(run).catch((e: unknown) => {
      s.logger.warn({ area, err: (e as Error).message }, 'cannot reload a change another worker made');
    });
    running.set(area, next);
  };
  notices.on('change', reload);
  notices.on('reload', () => {
    for (const area of Object.keys(reloads) as ChangeArea[]) reload(area);
  });
}
