import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { SlotLimits, SlotStore } from './slot-store.js';

export interface PgSlotStoreOptions {
  /** This replica's name in the table; default a random one per process. */
  replica?: string;
  /** How long a replica's shares live without a heartbeat before another replica gives them back. Default 30 s. */
  leaseMs?: number;
  /** Time between heartbeats (lease renewal, dead replicas' shares given back, counts refreshed). Default 5 s. */
  heartbeatMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** The total of every replica, in the row of this replica name (no replica is named so: names are uuids). */
const ALL = '*';

const backendKey = (backend: string) => `b:${backend}`;
/** A user's key: JSON keeps any group and user name apart (PostgreSQL text holds no NUL). */
const userKey = (group: string, user: string) => `u:${JSON.stringify([group, user])}`;

/**
 * PgSlotStore is the SlotStore of several replicas on one PostgreSQL database (table queue_slots). A take
 * is one transaction of conditional increments, each `UPDATE … SET running = running + 1 WHERE running <
 * $limit RETURNING running` on the total row (replica `*`), which PostgreSQL serialises by row lock: two
 * replicas never both get the last slot. The replica's own row counts its share, under a lease that its
 * heartbeat renews; when a replica dies, the next heartbeat of any other gives its shares back. The sync
 * hints (running, userRunning) are the totals this replica last saw (its own steps and each heartbeat).
 */
export class PgSlotStore implements SlotStore {
  readonly replica: string;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** Told after a heartbeat that may have freed slots (another replica gave some back): hand them out. */
  onRefresh?: () => void;

  constructor(
    private readonly pool: pg.Pool,
    private readonly o: PgSlotStoreOptions = {},
  ) {
    this.replica = o.replica ?? randomUUID();
    this.leaseMs = o.leaseMs ?? 30_000;
    this.now = o.now ?? Date.now;
  }

  async take(group: string, backend: string, user: string, limits: SlotLimits): Promise<boolean> {
    const keys: Array<[string, number | undefined]> = [
      [backendKey(backend), limits.maxRunningPerBackend],
      [userKey(group, user), limits.perUserMaxRunning],
    ];
    return this.inTransaction(async (c) => {
      await ensureRows(
        c,
        keys.map(([k]) => k),
      );
      const totals: number[] = [];
      for (const [key, limit] of keys) {
        const r = await c.query<{ running: number }>(
          `UPDATE queue_slots SET running = running + 1
            WHERE key = $1 AND replica = $2 AND ($3::int IS NULL OR running < $3::int) RETURNING running`,
          [key, ALL, limit ?? null],
        );
        if (r.rowCount !== 1) {
          // This limit is full (the transaction rolls back): the hint says so until the next heartbeat.
          if (limit !== undefined) this.seen.set(key, limit);
          return false;
        }
        totals.push(r.rows[0]!.running);
      }
      await this.addShares(
        c,
        keys.map(([k]) => k),
      );
      keys.forEach(([k], i) => this.seen.set(k, totals[i]!));
      return true;
    });
  }

  async force(group: string, backend: string, user: string): Promise<void> {
    const keys = [backendKey(backend), userKey(group, user)];
    await this.inTransaction(async (c) => {
      await ensureRows(c, keys);
      const r = await c.query<{ key: string; running: number }>(
        `UPDATE queue_slots SET running = running + 1 WHERE key = ANY($1) AND replica = $2 RETURNING key, running`,
        [keys, ALL],
      );
      await this.addShares(c, keys);
      for (const row of r.rows) this.seen.set(row.key, row.running);
      return true;
    });
  }

  /**
   * give lowers the total only where this replica still holds a share (a share a heartbeat gave back as a
   * dead replica's is not given twice). It locks the total rows first, in the order take does, so the two
   * never wait on each other in a circle.
   */
  async give(group: string, backend: string, user: string): Promise<void> {
    const keys = [backendKey(backend), userKey(group, user)];
    await this.inTransaction(async (c) => {
      await c.query(
        `SELECT 1 FROM queue_slots WHERE key = ANY($1) AND replica = $2 ORDER BY key FOR UPDATE`,
        [keys, ALL],
      );
      const r = await c.query<{ key: string; running: number }>(
        `WITH mine AS (
           UPDATE queue_slots SET running = running - 1
            WHERE key = ANY($1) AND replica = $2 AND running > 0 RETURNING key)
         UPDATE queue_slots t SET running = GREATEST(t.running - 1, 0)
           FROM mine WHERE t.key = mine.key AND t.replica = $3 RETURNING t.key, t.running`,
        [keys, this.replica, ALL],
      );
      for (const row of r.rows) this.seen.set(row.key, row.running);
      return true;
    });
  }

  running(backend: string): number {
    return this.seen.get(backendKey(backend)) ?? 0;
  }

  userRunning(group: string, user: string): number {
    return this.seen.get(userKey(group, user)) ?? 0;
  }

  /**
   * heartbeat renews this replica's lease, gives back the shares of replicas whose lease ran out, and
   * refreshes the totals this replica sees. Returns how many slots it gave back.
   */
  async heartbeat(): Promise<number> {
    const now = this.now();
    await this.pool.query(`UPDATE queue_slots SET lease_until = $1 WHERE replica = $2`, [
      now + this.leaseMs,
      this.replica,
    ]);
    const reclaimed = await this.pool.query<{ n: string }>(
      `WITH dead AS (
         DELETE FROM queue_slots WHERE replica <> $1 AND replica <> $2 AND lease_until < $3
         RETURNING key, running),
       per_key AS (SELECT key, sum(running)::int AS n FROM dead GROUP BY key),
       fixed AS (
         UPDATE queue_slots t SET running = GREATEST(t.running - per_key.n, 0)
           FROM per_key WHERE t.key = per_key.key AND t.replica = $2 RETURNING per_key.n)
       SELECT coalesce(sum(n), 0)::text AS n FROM fixed`,
      [this.replica, ALL, now],
    );
    const totals = await this.pool.query<{ key: string; running: number }>(
      `SELECT key, running FROM queue_slots WHERE replica = $1 AND running > 0`,
      [ALL],
    );
    this.seen.clear();
    for (const row of totals.rows) this.seen.set(row.key, row.running);
    this.onRefresh?.();
    return Number(reclaimed.rows[0]?.n ?? 0);
  }

  /** start runs the heartbeat every heartbeatMs until stop(); a failed beat is reported, never thrown. */
  start(onError: (e: unknown) => void): void {
    if (this.timer) return;
    const beat = () => void this.heartbeat().catch(onError);
    beat();
    this.timer = setInterval(beat, this.o.heartbeatMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async addShares(c: pg.PoolClient, keys: string[]): Promise<void> {
    await c.query(
      `INSERT INTO queue_slots (key, replica, running, lease_until)
         SELECT k, $2, 1, $3::bigint FROM unnest($1::text[]) AS k
       ON CONFLICT (key, replica) DO UPDATE
         SET running = queue_slots.running + 1, lease_until = EXCLUDED.lease_until`,
      [keys, this.replica, this.now() + this.leaseMs],
    );
  }

  /** inTransaction runs fn in one transaction on one pooled connection: committed when fn answers true. */
  private async inTransaction(fn: (c: pg.PoolClient) => Promise<boolean>): Promise<boolean> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const ok = await fn(c);
      await c.query(ok ? 'COMMIT' : 'ROLLBACK');
      return ok;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }
}

/** ensureRows makes the total rows of keys exist (running 0), so the conditional UPDATEs find them. */
async function ensureRows(c: pg.PoolClient, keys: string[]): Promise<void> {
  await c.query(
    `INSERT INTO queue_slots (key, replica, running) SELECT k, $2, 0 FROM unnest($1::text[]) AS k
     ON CONFLICT (key, replica) DO NOTHING`,
    [keys, ALL],
  );
}
