import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

/**
 * Failed logins through the gateway, all from one address (127.0.0.1, as behind an ingress or a NAT).
 * The verification cache is off, so every request meets the limiter: what passes here passes on its own
 * merits, not because an earlier success was cached.
 */
describe('failed-login limits through the gateway', () => {
  let emu: TrinoEmulator;
  let gw: TestGateway;
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  const submit = (auth: string) =>
    fetch(`${gw.url}/v1/statement`, { method: 'POST', body: 'SELECT 1', headers: { authorization: auth } });

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1' });
    const user = async (name: string) => ({
      name,
      passwordHash: await hashPassword(`${name}-pw`),
      groups: ['adhoc'],
      roles: ['user'],
    });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
        auth: {
          mode: 'password',
          users: await Promise.all(['victim', 'bob', 'carol', 'newcomer'].map(user)),
          basic: { cacheTtlSeconds: 0 },
          lockout: { maxFailures: 3, addressMaxFailures: 6, windowSeconds: 60, blockSeconds: 60 },
        },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  it('refuses the guessed user at that address, and lets other users of the address in', async () => {
    expect((await submit(basic('carol', 'carol-pw'))).status).toBe(200); // carol has logged in from here
    for (let i = 0; i < 3; i++) expect((await submit(basic('victim', `guess${i}`))).status).toBe(401);
    const blocked = await submit(basic('victim', 'victim-pw')); // even the right password, for now
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { errorName: string }).errorName).toBeDefined();
    // A user who never logged in from here before, with the right password: not locked out.
    expect((await submit(basic('bob', 'bob-pw'))).status).toBe(200);
  });

  it('refuses an address that sprays many users, except for users who logged in from it', async () => {
    for (const u of ['x1', 'x2', 'x3']) expect((await submit(basic(u, 'nope'))).status).toBe(401);
    // 3 failures for victim + 3 here = 6 from this address: users new to it are refused…
    expect((await submit(basic('newcomer', 'newcomer-pw'))).status).toBe(429);
    // …users who logged in from it are not.
    expect((await submit(basic('bob', 'bob-pw'))).status).toBe(200);
    expect((await submit(basic('carol', 'carol-pw'))).status).toBe(200);
  });
});
