import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { queueSchema } from '../../src/config/queue-schema.js';

const problems = (value: unknown): string[] => {
  const r = queueSchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('queueSchema', () => {
  it('takes either limit alone, and keeps what is given without filling defaults', () => {
    expect(queueSchema.parse({ maxRunningPerBackend: 1 })).toEqual({ maxRunningPerBackend: 1 });
    expect(queueSchema.parse({ perUserMaxRunning: 1 })).toEqual({ perUserMaxRunning: 1 });
    const all = {
      maxRunningPerBackend: 4,
      perUserMaxRunning: 2,
      maxQueued: 50,
      maxQueuedSeconds: 0.5,
      clientTimeoutSeconds: 86_400,
    };
    expect(queueSchema.parse(all)).toEqual(all);
  });

  it('needs one of the two limits: a queue without one holds nothing', () => {
    expect(problems({})).toEqual([
      ': set maxRunningPerBackend or perUserMaxRunning, or remove queue (no queue is the default)',
    ]);
    expect(problems({ maxQueuedSeconds: 5 })).toEqual([
      ': set maxRunningPerBackend or perUserMaxRunning, or remove queue (no queue is the default)',
    ]);
  });

  it('needs maxRunningPerBackend for maxQueued, also beside perUserMaxRunning', () => {
    expect(problems({ perUserMaxRunning: 2, maxQueued: 10 })).toEqual([
      'maxQueued: needs maxRunningPerBackend: without a per-backend limit no query waits for a backend',
    ]);
    expect(problems({ maxQueued: 10 })).toHaveLength(2);
  });

  it.each(['maxRunningPerBackend', 'perUserMaxRunning', 'maxQueued'])(
    '%s is a whole number above 0',
    (key) => {
      const base = key === 'maxRunningPerBackend' ? {} : { maxRunningPerBackend: 1 };
      for (const bad of [0, -1, 1.5]) {
        expect(problems({ ...base, [key]: bad })[0]).toMatch(new RegExp(`^${key}: `));
      }
      expect(problems({ ...base, [key]: 0 })).toContain(
        `${key}: must be a whole number above 0 (remove it for no limit)`,
      );
    },
  );

  it.each(['maxQueuedSeconds', 'clientTimeoutSeconds'])('%s is above 0 and at most a day', (key) => {
    const base = { maxRunningPerBackend: 1 };
    expect(problems({ ...base, [key]: 0 })).toEqual([`${key}: must be above 0 seconds`]);
    expect(problems({ ...base, [key]: 86_401 })).toHaveLength(1);
    expect(problems({ ...base, [key]: 0.001 })).toEqual([]);
  });

  it('refuses an unknown key', () => {
    expect(problems({ maxRunningPerBackend: 2, maxRunning: 3 })[0]).toMatch(/Unrecognized key: "maxRunning"/);
  });
});

describe('groups[].queue in a config file', () => {
  const yaml = (queue: string) => `groups:\n  - name: adhoc\n  - name: etl\n    queue: ${queue}\n`;
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
});
