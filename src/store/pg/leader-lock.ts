import { EventEmitter } from 'node:events';
import pg from 'pg';

export interface LeaderLockOptions {
  url: string;
  /** The advisory lock key (int8 as a decimal string) the replicas contend for. */
  key: string;
  /** Time between heartbeats, and between attempts while following. Default 1000 ms. */
  heartbeatMs?: number;
  /**
   * The server ends a session idle this long (PostgreSQL's idle_session_timeout), releasing its lock: a
   * frozen leader (SIGSTOP, a stalled event loop) stops its heartbeat and is replaced. Default 3000 ms.
   */
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * LeaderLock elects one replica by a session advisory lock on a connection of its own: whoever holds
 * pg_try_advisory_lock(key) leads. The leader heartbeats on that connection; when the connection fails
 * (PostgreSQL restarted, the session ended, the network cut) it stops leading at once and, like every
 * follower, tries again each heartbeat. A killed leader's lock goes with its connection; a frozen one's
 * with its idle session. Emits 'change' (leading: boolean) on each transition. Never throws.
 */
export class LeaderLock extends EventEmitter<{ change: [leading: boolean] }> {
  private client: pg.Client | undefined;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly o: LeaderLockOptions) {
    super();
  }

  /** isLeader: whether this replica held the lock at its last heartbeat. */
  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    this.tick();
  }

  private tick(): void {
    this.round = this.attempt().finally(() => {
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.o.heartbeatMs ?? 1000).unref();
    });
  }

  private async attempt(): Promise<void> {
    try {
      const c = this.client ?? (await this.connect());
      if (this.leading) await c.query('SELECT 1');
      else {
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
          this.o.key,
        ]);
        this.set(r.rows[0]?.ok === true);
      }
    } catch {
      this.drop();
    }
  }

  private async connect(): Promise<pg.Client> {
    const c = new pg.Client({
      connectionString: this.o.url,
      connectionTimeoutMillis: this.o.connectTimeoutMs ?? 5000,
    });
    c.on('error', () => this.drop());
    c.on('end', () => this.drop(c));
    await c.connect();
    await c.query(`SET idle_session_timeout = ${Math.max(100, Math.trunc(this.o.idleTimeoutMs ?? 3000))}`);
    this.client = c;
    return c;
  }

  /** drop forgets a failed connection (its session, and any lock it held, end with it). */
  private drop(which?: pg.Client): void {
    if (which && which !== this.client) return;
    const c = this.client;
    this.client = undefined;
    c?.end().catch(() => undefined);
    this.set(false);
  }

  private set(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.emit('change', leading);
  }

  /** stop gives the lock up (ending the connection) and stops trying. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    this.set(false);
    await c?.end().catch(() => undefined);
  }
}
