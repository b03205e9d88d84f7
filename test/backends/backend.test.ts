import { describe, expect, it } from 'vitest';
import { Backend, isAvailable, type ForwardAuthorization } from '../../src/backends/backend.js';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const rec = (over: Partial<BackendRecord> = {}): BackendRecord => ({
  name: 'b',
  url: 'http://trino:8080',
  group: 'g',
  active: true,
  weight: 1,
  catalogDriver: 'sql',
  ...over,
});

describe('Backend', () => {
  it('normalises its url and knows its origin', () => {
    const b = new Backend(rec({ url: 'https://trino.example:8443/' }), 4);
    expect([b.url, b.origin, b.target.protocol]).toEqual([
      'https://trino.example:8443',
      'https://trino.example:8443',
      'https:',
    ]);
    b.release();
  });

  it.each([
    ['always', 'http://t:8080', undefined, true],
    ['never', 'https://t:8443', undefined, false],
    ['https', 'http://t:8080', undefined, false],
    ['https', 'https://t:8443', undefined, true],
    ['never', 'http://t:8080', 'always', true],
    ['always', 'https://t:8443', 'never', false],
  ] as const)(
    'with auth %s, a cluster at %s and its own setting %s receives Authorization: %s',
    (auth, url, own, expected) => {
      const b = new Backend(rec({ url, forwardAuthorization: own }), 4, auth as ForwardAuthorization);
      expect(b.forwardsAuthorization).toBe(expected);
      b.release();
    },
  );

  it("keeps advertised origins other than its own, and defaults to Trino's forwarded-header refusal", () => {
    const b = new Backend(
      rec({ advertisedUrls: ['https://lb:8443', 'http://trino:8080', 'https://lb:8443/'] }),
      4,
    );
    expect(b.advertisedOrigins).toEqual(['https://lb:8443', 'https://lb:8443']);
    expect(b.processForwarded).toBe(false);
    expect(b.record()).toMatchObject({
      name: 'b',
      url: 'http://trino:8080',
      advertisedUrls: expect.any(Array),
    });
    b.release();
  });

  it.each([
    [true, 'HEALTHY', true],
    [false, 'HEALTHY', false],
    [true, 'PENDING', false],
    [true, 'UNHEALTHY', false],
    [true, 'UNKNOWN', false],
  ] as const)('isAvailable: active %s and %s → %s', (active, health, expected) => {
    const b = new Backend(rec({ active }), 4);
    b.health = health;
    expect(isAvailable(b)).toBe(expected);
    b.release();
  });

  it('reaches its cluster through its client, and lets go of its connections on release', async () => {
    const emu = await TrinoEmulator.start({ name: 'b' });
    try {
      const b = new Backend(rec({ url: emu.url }), 4);
      const r = await b.client.call({ method: 'GET', path: '/v1/info', deadline: Date.now() + 5000 });
      expect(r).toMatchObject({ ok: true, status: 200 });
      expect(b.pool.stats.connected).toBe(1);
      b.release();
      const after = await b.client.call({ method: 'GET', path: '/v1/info', deadline: Date.now() + 5000 });
      expect(after).toMatchObject({ ok: false, errorName: 'BACKEND_UNREACHABLE' });
    } finally {
      await emu.stop();
    }
  });
});
