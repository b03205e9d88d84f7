import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createProbe, PROBES } from '../../src/health/probes.js';
import { createLogger } from '../../src/observability/logger.js';
import { backendAt, releaseBackends } from '../helpers/backend.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

afterAll(releaseBackends);

const deps = { timeoutMs: 2000, stats: { user: 'switchyard' }, logger: createLogger({ level: 'silent' }) };
const signal = new AbortController().signal;

describe('health probes chosen by name', () => {
  let emu: TrinoEmulator;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'probes' });
    await fetch(`${emu.url}/v1/statement`, {
      method: 'POST',
      headers: { 'x-trino-user': 'x' },
      body: 'SELECT 1',
    });
  });
  afterAll(() => emu?.stop());

  it('has info and info+stats', () => {
    expect(Object.keys(PROBES)).toEqual(['info', 'info+stats']);
  });

  it('info reads no load', async () => {
    emu.clearRequests();
    expect(await createProbe('info', deps).probe(backendAt(emu.url), signal)).toEqual({ state: 'HEALTHY' });
    expect(emu.requests.map((r) => r.url)).toEqual(['/v1/info']);
  });

  it('info+stats reads the load of a healthy cluster', async () => {
    const r = await createProbe('info+stats', deps).probe(backendAt(emu.url), signal);
    expect(r).toEqual({ state: 'HEALTHY', stats: expect.objectContaining({ queuedQueries: 1 }) });
  });

  it('info+stats reads no load from a cluster that is not healthy', async () => {
    emu.setStarting(true);
    emu.clearRequests();
    try {
      const r = await createProbe('info+stats', deps).probe(backendAt(emu.url), signal);
      expect(r).toEqual({ state: 'PENDING', detail: 'starting' });
      expect(emu.requests.map((q) => q.url)).toEqual(['/v1/info']);
    } finally {
      emu.setStarting(false);
    }
  });

  it.each(['nope', 'toString'])('refuses an unknown name (%s), listing the known ones', (name) => {
    expect(() => createProbe(name, deps)).toThrow(`unknown health probe "${name}" (known: info, info+stats)`);
  });

  it('fails at start on an unknown name in config, naming the YAML path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-probe-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'health:\n  probe: ping\n');
    expect(() => loadConfig(file)).toThrow(/health\.probe: .*"info"\|"info\+stats"/);
  });
});
