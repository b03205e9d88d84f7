import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { Backend } from '../../src/backends/backend.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const record = (url: string) => ({
  name: 'b',
  url,
  group: 'adhoc',
  active: true,
  weight: 1,
  catalogDriver: 'sql' as const,
});

describe('auth.forwardAuthorization', () => {
  it('passes credentials on to all clusters by default, to https ones only with https, to none with never', () => {
    const forwards = (url: string, mode?: 'https' | 'always' | 'never') => {
      const b = new Backend(record(url), 1, mode);
      b.release();
      return b.forwardsAuthorization;
    };
    expect(forwards('http://trino.internal:8080')).toBe(true);
    expect(forwards('https://trino.internal:8443', 'https')).toBe(true);
    expect(forwards('http://trino.internal:8080', 'https')).toBe(false);
    expect(forwards('https://trino.internal:8443', 'never')).toBe(false);
  });

  let emu: TrinoEmulator | undefined;
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  it.each([
    [undefined, true],
    ['https', false],
  ] as const)(
    'with %s, an http cluster receives the Authorization on submissions and polls: %s',
    async (mode, expected) => {
      emu = await TrinoEmulator.start({ name: 'trino-1', queuedPages: 1, executingPages: 1 });
      gw = await startGateway(
        testConfig([{ name: 'trino-1', url: emu.url }], {
          auth: {
            mode: 'password',
            users: [{ name: 'alice', passwordHash: await hashPassword('pw'), groups: ['adhoc'] }],
            ...(mode ? { forwardAuthorization: mode } : {}),
          },
        }),
      );
      const authorization = `Basic ${Buffer.from('alice:pw').toString('base64')}`;
      let page = (await (
        await fetch(`${gw.url}/v1/statement`, {
          method: 'POST',
          body: 'SELECT 1',
          headers: { authorization },
        })
      ).json()) as { nextUri?: string };
      while (page.nextUri)
        page = (await (await fetch(page.nextUri, { headers: { authorization } })).json()) as typeof page;
      // Passing credentials on over http is said once, at start, naming the cluster.
      const warned = gw.logs().includes('passed on to these http:// clusters in cleartext');
      expect(warned).toBe(expected);
      if (expected) expect(gw.logs()).toContain('trino-1');
      // …and again for an http cluster added later (through the admin API, which calls the registry).
      gw.gateway.registry.add({ ...record('http://127.0.0.1:9'), name: 'trino-late' });
      const lateWarning = gw
        .logs()
        .split('\n')
        .some((l) => l.includes('cleartext') && l.includes('trino-late')); // (its audit line names it too)
      expect(lateWarning).toBe(expected);
      const seen = emu.requests.filter((r) => r.url.startsWith('/v1/statement'));
      expect(seen.length).toBeGreaterThan(2);
      for (const r of seen) {
        expect(r.headers.authorization !== undefined, `${r.method} ${r.url}`).toBe(expected);
        expect(r.headers['x-trino-user']).toBe('alice');
      }
    },
  );
});
