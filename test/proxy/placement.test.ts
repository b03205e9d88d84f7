import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueryFailure } from '../../src/proxy/failed-queries.js';
import { placeElsewhere, placeQuery, type Placement } from '../../src/proxy/placement.js';
import { GatewayError } from '../../src/trino/errors.js';
import { counter, proxyFixture, type ProxyFixture } from '../helpers/proxy-context.js';
import { principal } from '../helpers/routing-fixtures.js';

const req = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage;
const alice = principal('alice', ['*']);
const etlOnly = principal('bob', ['etl']);

/** thrown runs f and returns what it throws. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('placeQuery and placeElsewhere', () => {
  let f: ProxyFixture;
  beforeAll(async () => {
    f = await proxyFixture(
      [
        { name: 'a1', url: 'http://127.0.0.1:9' },
        { name: 'a2', url: 'http://127.0.0.1:10' },
        { name: 'e1', url: 'http://127.0.0.1:11', group: 'etl' },
        { name: 'q1', url: 'http://127.0.0.1:12', group: 'queued' },
      ],
      {
        groups: [
          { name: 'adhoc', policy: 'round-robin' },
          { name: 'etl' },
          { name: 'empty' },
          { name: 'queued', queue: { maxRunningPerBackend: 1 } },
        ],
      },
    );
  });
  afterAll(async () => f?.close());
  beforeEach(() => {
    for (const b of f.s.registry.all()) b.health = 'HEALTHY';
  });

  const place = (headers: Record<string, string> = {}, sql = 'SELECT 1', who = alice) =>
    placeQuery(f.cx, req(headers), who, who.name, sql);

  describe('a new query', () => {
    it("goes to the routing group's pick, with the policy and the decision, not pinned", () => {
      const p = place() as Placement;
      expect(p.decision).toMatchObject({ group: 'adhoc', source: 'config-default' });
      expect(p.decision.rule).toBeUndefined();
      expect(['a1', 'a2']).toContain(p.backend.name);
      expect(p.policy).toBe('round-robin');
      expect(p.pinned).toBe(false);
    });

    it('goes to the group asked for in X-Trino-Routing-Group', () => {
      const p = place({ 'x-trino-routing-group': 'etl' }) as Placement;
      expect(p.decision).toMatchObject({ group: 'etl', source: 'header' });
      expect(p.backend.name).toBe('e1');
    });

    it('is refused with 403 for a group the principal may not use, counted as forbidden_group', async () => {
      const before = await counter(f.s.metrics.routingFailures, { reason: 'forbidden_group' });
      const e = thrown(() => place({ 'x-trino-routing-group': 'adhoc' }, 'SELECT 1', etlOnly));
      expect(e).toBeInstanceOf(GatewayError);
      expect(e).toMatchObject({ status: 403 });
      expect(await counter(f.s.metrics.routingFailures, { reason: 'forbidden_group' })).toBe(before + 1);
    });

    it('is refused with 404 for a group that does not exist, counted as no_group', async () => {
      const before = await counter(f.s.metrics.routingFailures, { reason: 'no_group' });
      expect(thrown(() => place({ 'x-trino-routing-group': 'nope' }))).toMatchObject({ status: 404 });
      expect(await counter(f.s.metrics.routingFailures, { reason: 'no_group' })).toBe(before + 1);
    });

    it('is refused with the no-backend 503 when the pool is empty, counted as no_backend', async () => {
      const before = await counter(f.s.metrics.routingFailures, { reason: 'no_backend' });
      expect(thrown(() => place({ 'x-trino-routing-group': 'empty' }))).toMatchObject({
        status: 503,
        errorName: 'NO_NODES_AVAILABLE',
        message: 'no available backend in routing group "empty" (asked for in X-Trino-Routing-Group)',
      });
      for (const n of ['a1', 'a2']) f.s.registry.get(n)!.health = 'UNHEALTHY';
      expect(thrown(() => place())).toMatchObject({
        status: 503,
        message: expect.stringContaining('"adhoc"'),
      });
      expect(await counter(f.s.metrics.routingFailures, { reason: 'no_backend' })).toBe(before + 2);
    });

    it("of a group with a queue goes to the gateway's queue, which chooses the backend", () => {
      const p = place({ 'x-trino-routing-group': 'queued' });
      expect('queue' in p && p.queue).toBe(f.cx.queue);
      expect(p.decision).toMatchObject({ group: 'queued' });
      expect('backend' in p).toBe(false);
    });
  });

  describe('a statement of a transaction', () => {
    it("goes to the transaction's cluster, pinned, whatever the routing would choose", () => {
      f.s.affinity.rememberTransaction('txn-1', 'e1');
      const p = place({ 'x-trino-transaction-id': 'txn-1', 'x-trino-routing-group': 'adhoc' }) as Placement;
      expect(p).toMatchObject({ decision: { group: 'etl', source: 'transaction' }, pinned: true });
      expect(p.backend.name).toBe('e1');
      expect(p.policy).toBeUndefined();
    });

    it('is routed as any statement when the transaction id is NONE, in any case', () => {
      for (const none of ['NONE', 'none', 'None']) {
        expect((place({ 'x-trino-transaction-id': none }) as Placement).decision.source).toBe(
          'config-default',
        );
      }
    });

    it('fails like Trino (200, UNKNOWN_TRANSACTION) for a transaction the gateway does not know', () => {
      const e = thrown(() => place({ 'x-trino-transaction-id': 'nobody-knows' }));
      expect(e).toBeInstanceOf(QueryFailure);
      expect(e).toMatchObject({
        status: 200,
        errorName: 'UNKNOWN_TRANSACTION',
        errorType: 'USER_ERROR',
        message:
          'Unknown transaction ID: nobody-knows. Possibly expired? Commands ignored until end of transaction block',
      });
    });

    it('names at most 64 characters of an unknown transaction id', () => {
      const e = thrown(() => place({ 'x-trino-transaction-id': 'x'.repeat(65) + 'TAIL' })) as Error;
      expect(e.message).toContain(`ID: ${'x'.repeat(64)}. Possibly`);
    });

    it('is refused with 403 when the principal may not use the transaction’s group', () => {
      f.s.affinity.rememberTransaction('txn-2', 'a1');
      expect(thrown(() => place({ 'x-trino-transaction-id': 'txn-2' }, 'SELECT 1', etlOnly))).toMatchObject({
        status: 403,
        errorName: 'PERMISSION_DENIED',
        message: "user 'bob' may not use routing group 'adhoc' of transaction txn-2",
      });
    });

    it('is a 404 when the transaction’s backend is no longer configured', () => {
      f.s.affinity.rememberTransaction('txn-3', 'gone');
      expect(thrown(() => place({ 'x-trino-transaction-id': 'txn-3' }))).toMatchObject({
        status: 404,
        message: 'backend gone is no longer configured',
      });
    });
  });

  describe('a kill_query call', () => {
    const kill = (id: string) => `CALL system.runtime.kill_query(query_id => '${id}', message => 'stop')`;

    it('goes to the cluster of the query it names, pinned', () => {
      f.s.affinity.rememberQuery('20260101_000000_00001_kill1', 'e1', 'alice');
      const p = place({}, kill('20260101_000000_00001_kill1')) as Placement;
      expect(p).toMatchObject({ decision: { group: 'etl', source: 'kill_query' }, pinned: true });
      expect(p.backend.name).toBe('e1');
    });

    it('is routed as any statement when the gateway does not know the query', () => {
      const p = place({}, kill('20260101_000000_00002_nobody')) as Placement;
      expect(p.decision.source).toBe('config-default');
      expect(p.pinned).toBe(false);
    });

    it('is refused with 403 when the principal may not use the group of the query it names', () => {
      f.s.affinity.rememberQuery('20260101_000000_00003_kill3', 'a2', 'alice');
      expect(thrown(() => place({}, kill('20260101_000000_00003_kill3'), etlOnly))).toMatchObject({
        status: 403,
        message: "user 'bob' may not use routing group 'adhoc' of query 20260101_000000_00003_kill3",
      });
    });

    it('is not looked for in a statement of 4096 characters or more', () => {
      f.s.affinity.rememberQuery('20260101_000000_00004_kill4', 'e1', 'alice');
      const sql = kill('20260101_000000_00004_kill4');
      const padded = (n: number) => `${' '.repeat(n - sql.length)}${sql}`;
      expect((place({}, padded(4095)) as Placement).backend.name).toBe('e1');
      expect((place({}, padded(4096)) as Placement).decision.source).toBe('config-default');
    });
  });

  describe('placeElsewhere', () => {
    it('is another backend of the same group and decision', () => {
      const first = place() as Placement;
      const second = placeElsewhere(f.cx, first, 'alice')!;
      expect(second.backend.name).not.toBe(first.backend.name);
      expect(['a1', 'a2']).toContain(second.backend.name);
      expect(second).toMatchObject({ decision: first.decision, policy: 'round-robin', pinned: false });
    });

    it('is nothing for a pinned placement', () => {
      f.s.affinity.rememberTransaction('txn-4', 'a1');
      const pinned = place({ 'x-trino-transaction-id': 'txn-4' }) as Placement;
      expect(placeElsewhere(f.cx, pinned, 'alice')).toBeUndefined();
    });

    it('is nothing when the pool has no other backend', () => {
      const only = place({ 'x-trino-routing-group': 'etl' }) as Placement;
      expect(placeElsewhere(f.cx, only, 'alice')).toBeUndefined();
      f.s.registry.get('a2')!.health = 'UNHEALTHY';
      const a1 = place() as Placement;
      expect(a1.backend.name).toBe('a1');
      expect(placeElsewhere(f.cx, a1, 'alice')).toBeUndefined();
    });
  });
});
