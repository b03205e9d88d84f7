import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import type { BackendRegistry } from '../../src/backends/registry.js';
import type { Affinity } from '../../src/proxy/affinity.js';
import { checkOwner, ownerBackend, queryBackend } from '../../src/proxy/follow-up-owner.js';
import type { UserResolver } from '../../src/proxy/seams.js';
import { GatewayError } from '../../src/trino/errors.js';

const t1 = { name: 't1' };
const registry = { get: (n: string) => (n === 't1' ? t1 : undefined) } as unknown as BackendRegistry;
const affinity = {
  queryOwner: (q: string) => ({ q1: 't1', q2: 'gone' })[q],
  queryUser: (q: string) => ({ q1: 'alice', q2: 'alice' })[q],
} as unknown as Affinity;
const me = (name: string): Principal => ({ name, groups: ['*'], roles: ['user'], method: 'basic' });
/** ops may act as anyone; nobody else as anyone but themselves. */
const resolve: UserResolver = (p, u) =>
  p.name === 'ops' || u === p.name
    ? { ok: true, user: u ?? p.name }
    : { ok: false, status: 403, message: 'no' };

function thrown(f: () => unknown): GatewayError | undefined {
  try {
    f();
  } catch (e) {
    return e as GatewayError;
  }
  return undefined;
}

describe("a follow-up's owners", () => {
  it('is the backend affinity names, while it is configured', () => {
    expect(queryBackend(registry, affinity, 'q1')).toBe(t1);
    expect(ownerBackend(registry, 't1')).toBe(t1);
  });

  it.each([
    ['q9', 'query q9 is not known to this gateway'],
    ['q2', 'query q2 belongs to backend gone, which is no longer configured'],
  ])('is a Trino-shaped 404 for a query it cannot place (%s), never a guess', (q, message) => {
    const e = thrown(() => queryBackend(registry, affinity, q));
    expect(e).toBeInstanceOf(GatewayError);
    expect([e!.status, e!.errorName, e!.message]).toEqual([404, 'QUERY_NOT_FOUND', message]);
  });

  it('lets the query user and whoever may act as it follow the query, and refuses anyone else with 403', () => {
    expect(thrown(() => checkOwner(me('alice'), 'q1', affinity, resolve))).toBeUndefined();
    expect(thrown(() => checkOwner(me('ops'), 'q1', affinity, resolve))).toBeUndefined();
    const e = thrown(() => checkOwner(me('bob'), 'q1', affinity, resolve));
    expect([e?.status, e?.errorName]).toEqual([403, 'PERMISSION_DENIED']);
    expect(e?.message).toContain('belongs to another user');
  });

  it('takes a query whose user nobody knows for unknown (404), not for anyone', () => {
    expect(thrown(() => checkOwner(me('ops'), 'q9', affinity, resolve))?.status).toBe(404);
  });
});
