import { EventEmitter } from 'node:events';
import { ROLE_KIND, type RoleMessage } from './peer-bus.js';

/**
 * Leadership says whether this process runs the loops that must run once per host or per deployment
 * (stats polling, catalog reconcile, history retention and the start-up history repair). The PostgreSQL
 * store's LeaderLock (src/store/pg/leader-lock.ts) has this shape, so it can stand in for the IPC one.
 */
export interface Leadership {
  isLeader(): boolean;
  on(event: 'change', fn: (leading: boolean) => void): unknown;
}

/** soleLeader: a gateway alone (server.workers: 1, SQLite) always leads. */
export const soleLeader: Leadership = { isLeader: () => true, on: () => undefined };

/**
 * IpcLeadership is a worker's role as the primary gives it (RoleMessage over IPC). The primary names one
 * live worker the leader and names another only after that one has exited, so two never lead at once.
 */
export class IpcLeadership extends EventEmitter<{ change: [leading: boolean] }> implements Leadership {
  private leading = false;

  constructor(proc: NodeJS.Process = process) {
    super();
    proc.on('message', (m: unknown) => {
      const r = m as Partial<RoleMessage> | null;
      if (!r || typeof r !== 'object' || r.kind !== ROLE_KIND || typeof r.leader !== 'boolean') return;
      if (r.leader === this.leading) return;
      this.leading = r.leader;
      this.emit('change', r.leader);
    });
  }

  isLeader(): boolean {
    return this.leading;
  }
}
