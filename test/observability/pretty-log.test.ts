import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { prettyLine, prettyStream } from '../../src/observability/pretty-log.js';

const line = (o: Record<string, unknown>) =>
  JSON.stringify({ time: '2026-12-02T12:00:01.234Z', pid: 1, hostname: 'h', service: 's', ...o });

describe('prettyLine', () => {
  it.each([
    [
      line({ level: 30, msg: 'query finished', queryId: 'q1', user: 'alice' }),
      '12:00:01.234 INFO  query finished queryId=q1 user=alice',
    ],
    [line({ level: 50, msg: 'boom' }), '12:00:01.234 ERROR boom'],
    [line({ level: 10, msg: 'x' }), '12:00:01.234 TRACE x'],
    [line({ level: 35, msg: 'x' }), '12:00:01.234 35 x'],
    [line({ level: 40, msg: 'w', reason: 'two words' }), '12:00:01.234 WARN  w reason="two words"'],
    [line({ level: 40, msg: 'w', sql: 'a=b' }), '12:00:01.234 WARN  w sql="a=b"'],
    [line({ level: 40, msg: 'w', q: 'say "hi"' }), '12:00:01.234 WARN  w q="say \\"hi\\""'],
    [
      line({ level: 30, msg: 'm', n: 3, ok: true, o: { a: [1] } }),
      '12:00:01.234 INFO  m n=3 ok=true o={"a":[1]}',
    ],
    [JSON.stringify({ level: 30, msg: 'no time' }), 'INFO  no time'],
    ['not json at all', 'not json at all'],
  ])('renders %s', (json, want) => {
    expect(prettyLine(json)).toBe(want);
  });
});

describe('prettyStream', () => {
  it('writes whole lines only, holding a partial line until its end arrives', async () => {
    const out: string[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c.toString());
        cb();
      },
    });
    const s = prettyStream(sink);
    const a = line({ level: 30, msg: 'one' });
    const b = line({ level: 30, msg: 'two' });
    const write = (t: string) => new Promise<void>((r) => s.write(t, () => r()));
    await write(a + '\n' + b.slice(0, 10));
    expect(out).toEqual(['12:00:01.234 INFO  one\n']);
    await write(b.slice(10) + '\n');
    expect(out).toEqual(['12:00:01.234 INFO  one\n', '12:00:01.234 INFO  two\n']);
  });
});
