import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaderLock } from '../../src/store/pg/leader-lock.js';
import { createTestDatabase, type TestDatabase } from './pg-test-db.js';

/** until resolves once cond holds, polling every 20 ms; fails after `ms` (an event that never came). */
async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('leader election by advisory lock', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const lock = (key: string) => new LeaderLock({ url: db.url, key, heartbeatMs: 100, idleTimeoutMs: 1000 });

  it('elects exactly one of three, and another when the leader stops', async () => {
    const locks = [lock('101'), lock('101'), lock('101')];
    locks.forEach((l) => l.start());
    await until(() => locks.some((l) => l.isLeader()));
    await new Promise((r) => setTimeout(r, 300)); // a few more rounds: still one
    expect(locks.filter((l) => l.isLeader())).toHaveLength(1);
    const leader = locks.find((l) => l.isLeader())!;
    await leader.stop();
    const rest = locks.filter((l) => l !== leader);
    await until(() => rest.some((l) => l.isLeader()));
    expect(rest.filter((l) => l.isLeader())).toHaveLength(1);
    await Promise.all(locks.map((l) => l.stop()));
  });

  it('steps down when its session is killed, and someone leads again', async () => {
    const a = lock('202');
    const changes: boolean[] = [];
    a.on('change', (x) => changes.push(x));
    a.start();
    await until(() => a.isLeader());
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 202 AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    await admin.end();
    await until(() => changes.length >= 3); // true, false, true again on a new connection
    expect(changes.slice(0, 3)).toEqual([true, false, true]);
    await a.stop();
  });

  it('is replaced when its session goes idle (a frozen leader stops heartbeating)', async () => {
    const frozen = new pg.Client({ connectionString: db.url });
    frozen.on('error', () => undefined);
    await frozen.connect();
    await frozen.query(`SET idle_session_timeout = 500`);
    await frozen.query('SELECT pg_advisory_lock(303)');
    const b = lock('303');
    b.start();
    await until(() => b.isLeader(), 8_000);
    await b.stop();
    await frozen.end().catch(() => undefined);
  });
});
