import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { queueConfigs } from '../../src/queue/queue-service.js';

const yaml = (queue: string) => `groups:\n  - name: adhoc\n  - name: etl\n    queue: ${queue}\n`;

describe('groups[].queue', () => {
  it.each([
    ['{maxRunningPerBackend: 0}', 'groups[1].queue.maxRunningPerBackend: must be a whole number above 0'],
    ['{maxRunningPerBackend: -3}', 'groups[1].queue.maxRunningPerBackend: must be a whole number above 0'],
    ['{maxRunningPerBackend: 1.5}', 'groups[1].queue.maxRunningPerBackend'],
    ['{perUserMaxRunning: 0}', 'groups[1].queue.perUserMaxRunning: must be a whole number above 0'],
    ['{maxRunningPerBackend: 2, maxQueued: 0}', 'groups[1].queue.maxQueued: must be a whole number above 0'],
    ['{perUserMaxRunning: 2, maxQueued: 10}', 'groups[1].queue.maxQueued: needs maxRunningPerBackend'],
    ['{maxRunningPerBackend: 2, maxQueuedSeconds: 0}', 'groups[1].queue.maxQueuedSeconds: must be above 0'],
    ['{maxRunningPerBackend: 2, maxQueuedSeconds: -1}', 'groups[1].queue.maxQueuedSeconds: must be above 0'],
    ['{}', 'groups[1].queue: set maxRunningPerBackend or perUserMaxRunning'],
    ['{maxRunningPerBackend: 2, maxRunning: 3}', 'groups[1].queue'],
  ])('refuses %s at load, naming the YAML path', (q, message) => {
    expect(() => parseConfig(yaml(q))).toThrow(message);
  });

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
});
