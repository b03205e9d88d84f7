import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { actingAs, audit, currentActor } from '../../src/observability/audit.js';
import { createLogger } from '../../src/observability/logger.js';

/** A JSON logger whose lines are kept, parsed. */
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('audit', () => {
  it('writes one info line naming who, what and target, with before and after (null when absent)', () => {
    const { lines, logger } = capture();
    audit(logger, {
      what: 'backend.deactivate',
      target: 'trino-2',
      before: { active: true },
      after: { active: false },
    });
    audit(logger, { what: 'backend.add', target: 'trino-3', after: { url: 'http://x' } });
    expect(lines).toMatchObject([
      {
        level: 30,
        msg: 'audit: system backend.deactivate trino-2',
        audit: true,
        who: 'system',
        what: 'backend.deactivate',
        target: 'trino-2',
        before: { active: true },
        after: { active: false },
      },
      { msg: 'audit: system backend.add trino-3', before: null, after: { url: 'http://x' } },
    ]);
  });

  it('names the principal a change runs for, across awaits, and an explicit who over it', async () => {
    const { lines, logger } = capture();
    expect(currentActor()).toBe('system');
    await actingAs('ops', async () => {
      await new Promise((r) => setImmediate(r));
      expect(currentActor()).toBe('ops');
      audit(logger, { what: 'user.delete', target: 'bob' });
      audit(logger, { what: 'user.add', target: 'eve', who: 'config' });
    });
    expect(currentActor()).toBe('system');
    expect(lines.map((l) => l.msg)).toEqual(['audit: ops user.delete bob', 'audit: config user.add eve']);
  });

  it('keeps two concurrent requests apart', async () => {
    const seen: string[] = [];
    const step = () => new Promise((r) => setImmediate(r));
    await Promise.all(
      ['a', 'b'].map((who) =>
        actingAs(who, async () => {
          await step();
          seen.push(`${who}:${currentActor()}`);
          await step();
          seen.push(`${who}:${currentActor()}`);
        }),
      ),
    );
    expect(seen.sort()).toEqual(['a:a', 'a:a', 'b:b', 'b:b']);
  });
});
