import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { infoProbe } from '../../src/health/info-probe.js';
import { backendAt, releaseBackends } from '../helpers/backend.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

afterAll(releaseBackends);

describe('the info probe against a cluster at Trino defaults', () => {
  let emu: TrinoEmulator;
  const probe = infoProbe(300);
  const signal = new AbortController().signal;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'info' });
  });
  afterEach(async () => {
    emu.setStarting(false);
    await emu.setMode('ok');
  });
  afterAll(() => emu?.stop());

  it('finds a running coordinator HEALTHY, asking GET /v1/info', async () => {
    emu.clearRequests();
    expect(await probe.probe(backendAt(emu.url), signal)).toEqual({ state: 'HEALTHY' });
    expect(emu.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/info']);
  });

  it('finds a starting coordinator PENDING', async () => {
    emu.setStarting(true);
    expect(await probe.probe(backendAt(emu.url), signal)).toEqual({ state: 'PENDING', detail: 'starting' });
  });

  it.each([
    ['refuse', 'GET /v1/info: connection refused'],
    ['hang', 'GET /v1/info: timed out'],
    ['unavailable', '/v1/info answered 503'],
    ['truncate', expect.stringMatching(/^GET \/v1\/info: /)],
  ] as const)('finds a cluster that does %s UNHEALTHY, saying why', async (mode, detail) => {
    await emu.setMode(mode);
    expect(await probe.probe(backendAt(emu.url), signal)).toEqual({ state: 'UNHEALTHY', detail });
  });

  it('stops when the gateway stops', async () => {
    await emu.setMode('hang');
    const ac = new AbortController();
    const r = infoProbe(60_000).probe(backendAt(emu.url), ac.signal);
    ac.abort();
    expect(await r).toEqual({ state: 'UNHEALTHY', detail: 'GET /v1/info: aborted' });
  });
});
