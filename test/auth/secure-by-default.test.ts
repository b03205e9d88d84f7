import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { startGateway, testConfig } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

describe('secure by default', () => {
  it.each([
    ['an empty config', ''],
    ['a config without an auth section', 'groups: [{ name: adhoc }]\nrouting: { defaultGroup: adhoc }\n'],
    ['an empty auth section', 'auth: {}\n'],
  ])('parses %s to auth mode password', (_what, text) => {
    const cfg = parseConfig(text, { env: {} });
    expect(cfg.auth.mode).toBe('password');
    expect(cfg.auth.basic.enabled).toBe(true);
  });

  it('loads the shipped gateway.config.yaml with authentication on', () => {
    const cfg = loadConfig('gateway.config.yaml', {});
    expect(cfg.auth.mode).not.toBe('none');
    expect(cfg.auth.mode).toBe('password');
  });

  it('refuses a query that only names its user when the config says nothing about auth', async () => {
    const emu = await TrinoEmulator.start({ name: 'trino-open' });
    const { auth: _none, ...config } = testConfig([{ name: 'trino-open', url: emu.url }], {
      health: { enabled: false },
    });
    const gw = await startGateway(config);
    try {
      expect(gw.services.config.auth.mode).toBe('password');
      const res = await fetch(`${gw.url}/v1/statement`, {
        method: 'POST',
        body: 'SELECT 1',
        headers: { 'X-Trino-User': 'alice' },
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ message: 'Authentication required' });
      expect(emu.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    } finally {
      await gw.stop();
      await emu.stop();
    }
  });
});
