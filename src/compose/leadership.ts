import { EventEmitter } from 'node:events';
import type { Logger } from '../observability/logger.js';
import { soleLeader, type Leadership as LeaderSource } from '../cluster/leadership.js';
import { LeaderLock } from '../store/pg/leader-lock.js';

/** The advisory lock key replicas contend for to lead ("SwitchLd" as int8; the migrations use another). */
export const LEADER_LOCK_KEY = 0x5377_6974_6368_4c64n;

/**
 * Leadership says whether this replica runs the work one replica does for all: stats polling, catalog
 * reconciliation and retention. On SQLite the process alone leads, or the worker the primary names
 * (server.workers). On PostgreSQL it leads while it
 * holds the leader lock (store/pg/leader-lock.ts): a killed leader's lock goes with its connection, a
 * frozen one's with its idle session, and a follower takes it over at its next heartbeat. Emits `change`
 * on each transition. Health probes are not its business: every replica probes every backend itself.
 */
export class Leadership extends EventEmitter<{ change: [leading: boolean] }> {
  private constructor(
    private readonly source: LeaderSource,
    private readonly lock?: LeaderLock,
  ) {
    super();
    source.on('change', (leading) => this.emit('change', leading));
  }

  /** single: the only process there is (SQLite, one worker), always the leader. */
  static single(): Leadership {
    return new Leadership(soleLeader);
  }

  /** of: the leader another mechanism names (server.workers: the primary's choice among its workers). */
  static of(source: LeaderSource): Leadership {
    return new Leadership(source);
  }

  static postgres(
    url: string,
    o: { heartbeatMs?: number; idleTimeoutMs?: number; connectTimeoutMs?: number },
    logger: Logger,
  ): Leadership {
    const lock = new LeaderLock({ url, key: LEADER_LOCK_KEY.toString(), ...o });
    const l = new Leadership(lock, lock);
    l.on('change', (leading) =>
      logger.info(
        { leading },
        leading
          ? 'this replica now leads (stats, catalog reconcile, retention)'
          : 'this replica no longer leads',
      ),
    );
    return l;
  }

  isLeader(): boolean {
    return this.source.isLeader();
  }

  /** start contends for the lock until `signal` aborts (then gives it up); others need no start. */
  start(signal: AbortSignal): void {
    const lock = this.lock;
    if (!lock) return;
    signal.addEventListener('abort', () => void lock.stop(), { once: true });
    lock.start();
  }
}
