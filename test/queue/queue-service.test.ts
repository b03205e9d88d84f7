import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { queueConfigs } from '../../src/queue/queue-service.js';

const yaml = (queue: string, extra = '') =>
  `${extra}groups:\n  - name: adhoc\n  - name: etl\n    queue: ${queue}\n`;

describe('queueConfigs', () => {
  it('is off unless configured, and fills in documented defaults', () => {
    const cfg = parseConfig(yaml('{maxRunningPerBackend: 4}'));
    const qs = queueConfigs(cfg);
    expect([...qs.keys()]).toEqual(['etl']);
    expect(qs.get('etl')).toEqual({
      maxRunningPerBackend: 4,
      perUserMaxRunning: undefined,
      maxQueued: 1000,
      maxQueuedMs: 600_000,
      clientTimeoutMs: 300_000, // proxy.abandonAfterMinutes, Trino's query.client.timeout
    });
    const all = parseConfig(
      yaml(
        '{maxRunningPerBackend: 4, perUserMaxRunning: 2, maxQueued: 50, maxQueuedSeconds: 30, clientTimeoutSeconds: 60}',
      ),
    );
    expect(queueConfigs(all).get('etl')).toEqual({
      maxRunningPerBackend: 4,
      perUserMaxRunning: 2,
      maxQueued: 50,
      maxQueuedMs: 30_000,
      clientTimeoutMs: 60_000,
    });
  });

  it('takes the client timeout from proxy.abandonAfterMinutes when the queue does not set one', () => {
    const cfg = parseConfig(yaml('{perUserMaxRunning: 1}', 'proxy: { abandonAfterMinutes: 2 }\n'));
    expect(queueConfigs(cfg).get('etl')?.clientTimeoutMs).toBe(120_000);
  });

  it('is empty when no group has a queue', () => {
    expect(queueConfigs(parseConfig('groups: [{ name: adhoc }]')).size).toBe(0);
  });
});
