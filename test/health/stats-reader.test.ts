import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsReader } from '../../src/health/stats-reader.js';
import { createLogger } from '../../src/observability/logger.js';
import { backendAt, releaseBackends } from '../helpers/backend.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

afterAll(releaseBackends);

const logger = createLogger({ level: 'silent' });
const signal = new AbortController().signal;

describe('StatsReader against a cluster at Trino defaults (form login on the web UI)', () => {
  let emu: TrinoEmulator;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'stats', queuedPages: 50 });
  });
  afterAll(() => emu?.stop());

  it('logs in through the UI form once, then reads the load with the session cookie', async () => {
    for (let i = 0; i < 2; i++)
      await fetch(`${emu.url}/v1/statement`, {
        method: 'POST',
        headers: { 'x-trino-user': 'x' },
        body: 'SELECT 1',
      });
    emu.clearRequests();
    const reader = new StatsReader({ user: 'switchyard', timeoutMs: 2000 }, logger);
    const b = backendAt(emu.url);
    expect(await reader.read(b, signal)).toEqual({
      runningQueries: 0,
      queuedQueries: 2,
      blockedQueries: 0,
      updatedAt: expect.any(Number),
    });
    await reader.read(b, signal);
    expect(emu.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /ui/api/stats',
      'POST /ui/login',
      'GET /ui/api/stats',
      'GET /ui/api/stats',
    ]);
    expect(emu.requests[2].headers.cookie).toMatch(/^Trino-UI-Token=/);
  });

  it('reads nothing when the login is refused', async () => {
    const locked = await TrinoEmulator.start({
      name: 'locked',
      authentication: 'password',
      passwords: { a: 'b' },
    });
    try {
      const reader = new StatsReader({ user: 'switchyard', password: 'wrong', timeoutMs: 2000 }, logger);
      expect(await reader.read(backendAt(locked.url), signal)).toBeUndefined();
    } finally {
      await locked.stop();
    }
  });

  it('reads nothing from a cluster that cannot be reached', async () => {
    const gone = await TrinoEmulator.start({ name: 'gone' });
    await gone.stop();
    const reader = new StatsReader({ user: 'switchyard', timeoutMs: 2000 }, logger);
    expect(await reader.read(backendAt(gone.url), signal)).toBeUndefined();
  });
});
