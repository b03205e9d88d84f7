import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { queueConfigs } from '../../src/queue/queue-service.js';
import { proxyFixture, type ProxyFixture } from '../helpers/proxy-context.js';

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

describe('QueueService.wouldWait', () => {
  let f: ProxyFixture;
  beforeAll(async () => {
    f = await proxyFixture(
      [
        { name: 'q1', url: 'http://127.0.0.1:9', group: 'q' },
        { name: 'q2', url: 'http://127.0.0.1:10', group: 'q' },
      ],
      {
        groups: [
          { name: 'adhoc' },
          { name: 'q', queue: { maxRunningPerBackend: 1, perUserMaxRunning: 2 } },
          { name: 'empty', queue: { maxRunningPerBackend: 1 } },
        ],
      },
    );
    await f.s.queue!.open(); // startLoops opens it once the start-up history repair has counted
  });
  afterAll(async () => f?.close());
  const queue = () => f.s.queue!;
  const store = () => queue().admission.store;

  it('says a query would wait while the queue is closed at start', async () => {
    const closed = await proxyFixture([{ name: 'q1', url: 'http://127.0.0.1:9', group: 'q' }], {
      groups: [{ name: 'adhoc' }, { name: 'q', queue: { maxRunningPerBackend: 1 } }],
    });
    try {
      expect(closed.s.queue!.wouldWait('q', 'alice')).toEqual({
        queued: true,
        reason: 'the gateway is counting the queries that ran before its start',
      });
    } finally {
      await closed.close();
    }
  });

  it('knows nothing of a group without a queue', () => {
    expect(queue().wouldWait('adhoc', 'alice')).toBeUndefined();
    expect(queue().wouldWait('nope', 'alice')).toBeUndefined();
  });

  it('says a query would run while a backend has a slot and the user is under the limit', async () => {
    expect(queue().wouldWait('q', 'alice')).toEqual({ queued: false });
    await store().take('q', 'q1', 'alice', {});
    expect(queue().wouldWait('q', 'alice')).toEqual({ queued: false });
  });

  it('says why a query would wait: every backend full', async () => {
    await store().take('q', 'q2', 'bob', {});
    expect(queue().wouldWait('q', 'carol')).toEqual({
      queued: true,
      reason: 'every available backend runs maxRunningPerBackend (1) queries',
    });
  });

  it('says why a query would wait: the user at perUserMaxRunning', async () => {
    await store().force('q', 'q1', 'alice');
    expect(queue().wouldWait('q', 'alice')).toEqual({
      queued: true,
      reason: 'the user runs perUserMaxRunning (2) queries',
    });
  });

  it('says why a query would wait: no backend available', () => {
    expect(queue().wouldWait('empty', 'alice')).toEqual({
      queued: true,
      reason: 'no backend of the group is available',
    });
  });
});
