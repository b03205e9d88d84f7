import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSY, HashGate } from '../../src/auth/hash-gate.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

/** Spellings of one Basic credential that decode to the same name and password. */
function spellings(user: string, password: string): string[] {
  const b64 = Buffer.from(`${user}:${password}`).toString('base64');
  const bare = b64.replace(/=+$/, '');
  const out = new Set<string>([`Basic ${b64}`, `Basic ${bare}`, `basic ${b64}`, `BASIC ${b64}`]);
  for (let i = 1; i < bare.length; i++) {
    out.add(`Basic ${bare.slice(0, i)} ${bare.slice(i)}`);
    out.add(`Basic ${bare.slice(0, i)}\t${bare.slice(i)}${'='.repeat((4 - (bare.length % 4)) % 4)}`);
  }
  out.add(`Basic  ${b64}`);
  out.add(`Basic ${b64} `);
  return [...out];
}

/**
 * A password hash costs tens of milliseconds of a thread on purpose. These attacks must not multiply it:
 * spellings of one credential (padding, whitespace, scheme case) share one verification, and an unknown
 * user costs a hash like a known one, so timing does not tell which names exist.
 */
describe('hash amplification', () => {
  let gw: TestGateway;
  const hashes = async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    return Number(/^switchyard_auth_password_hashes_total (\d+)/m.exec(text)?.[1] ?? NaN);
  };
  const call = (authorization: string) =>
    fetch(`${gw.url}/api/v1/queries`, { headers: { authorization } }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });

  beforeAll(async () => {
    gw = await startGateway(
      testConfig([], {
        auth: {
          mode: 'password',
          users: [
            { name: 'alice', passwordHash: await hashPassword('alice-pw'), roles: ['user'], groups: ['*'] },
          ],
          lockout: { maxFailures: 1000, windowSeconds: 60, blockSeconds: 60 },
        },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('verifies a credential once however it is spelled', async () => {
    const variants = spellings('alice', 'alice-pw');
    expect(variants.length).toBeGreaterThan(30);
    const before = await hashes();
    const statuses = await Promise.all(variants.map(call));
    expect(statuses.every((s) => s === 200)).toBe(true);
    for (const v of variants) expect(await call(v)).toBe(200);
    expect((await hashes()) - before).toBe(1);
  });

  it('spends a hash on an unknown user as on a known one', async () => {
    const before = await hashes();
    expect(await call(`Basic ${Buffer.from('nobody:guess').toString('base64')}`)).toBe(401);
    expect(await call(`Basic ${Buffer.from('alice:guess').toString('base64')}`)).toBe(401);
    expect((await hashes()) - before).toBe(2);
  });
});

describe('HashGate', () => {
  it('runs at most `concurrency` hashes at once, familiar logins first, and answers BUSY beyond its queue', async () => {
    const hash = await hashPassword('pw');
    let most = 0;
    // The order hashes start in (finish order races: two scrypts of one cost end in either order).
    const starts: boolean[] = [];
    const gate: HashGate = new HashGate(2, 2, (familiar) => {
      starts.push(familiar);
      most = Math.max(most, gate.active());
    });
    const run = (_tag: string, familiar: boolean) => gate.verify('pw', hash, familiar);
    const all = [run('s1', false), run('s2', false), run('s3', false), run('s4', false), run('f1', true)];
    expect(await run('s5', false)).toBe(BUSY); // two running, two strangers queued: the queue is full
    const results = await Promise.all(all);
    expect(results).toEqual([true, true, true, true, true]);
    expect(most).toBeLessThanOrEqual(2);
    // The familiar login, queued last, started before the strangers queued before it (s3, s4).
    expect(starts).toEqual([false, false, true, false, false]);
  });
});
