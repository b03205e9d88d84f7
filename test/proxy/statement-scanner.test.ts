import { describe, expect, it } from 'vitest';
import { StatementScanner } from '../../src/proxy/statement-scanner.js';
import { makeRewriteContext } from '../../src/proxy/url-rewrite.js';

const ctx = makeRewriteContext(
  ['http://10.0.0.5:8080', 'http://gw.example:8080'],
  'https://gw.example',
  'H.sig',
);

const page = (next: boolean) =>
  JSON.stringify({
    id: 'q_1',
    infoUri: 'http://10.0.0.5:8080/ui/query.html?q_1',
    ...(next ? { nextUri: 'http://10.0.0.5:8080/v1/statement/executing/q_1/yabc/2' } : {}),
    columns: [{ name: 'u', type: 'varchar' }],
    data: [
      ['http://not-a-backend/x'],
      ['plain "quoted" text'],
      ['http://10.0.0.5:8080/v1/statement/queued/q_9/y/1'],
    ],
    stats: { state: next ? 'RUNNING' : 'FINISHED', processedRows: 3 },
  });

function scan(body: string, chunkSize: number) {
  const s = new StatementScanner(ctx);
  const buf = Buffer.from(body);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) out.push(...s.push(buf.subarray(i, i + chunkSize)));
  out.push(...s.end());
  return { text: Buffer.concat(out).toString(), facts: s.facts };
}

describe('StatementScanner', () => {
  const whole = scan(page(true), 1 << 20);

  it('rewrites the URL fields, and leaves a result value that starts with the backend URL byte-identical', () => {
    const json = JSON.parse(whole.text);
    expect(json.data[2][0]).toBe('http://10.0.0.5:8080/v1/statement/queued/q_9/y/1');
    expect(whole.text).toContain('"http://10.0.0.5:8080/v1/statement/queued/q_9/y/1"');
    expect(json.nextUri).toBe('https://gw.example/v1/statement/executing/q_1/yabc~H.sig/2');
    expect(json.infoUri).toBe('https://gw.example/ui/query.html?q_1');
    expect(json.data[0][0]).toBe('http://not-a-backend/x');
    expect(whole.facts).toMatchObject({ queryId: 'q_1', hasNext: true });
  });

  it('looks for the query string and the handle separator only inside the URL', () => {
    // A `?` or `~` later in the body must not be taken for part of a URL that has none.
    const body = JSON.stringify({
      segments: [{ uri: 'http://10.0.0.5:8080/v1/spooled/download/abc' }],
      nextUri: 'http://10.0.0.5:8080/v1/statement/executing/q_1/yabc/2',
      note: 'a?b~c',
    });
    const json = JSON.parse(scan(body, 1 << 20).text);
    expect(json.segments[0].uri).toBe('https://gw.example/v1/spooled/download/abc~H.sig');
    expect(json.nextUri).toBe('https://gw.example/v1/statement/executing/q_1/yabc~H.sig/2');
  });

  it.each([1, 2, 3, 5, 7, 13, 64])(
    'gives the same bytes and facts when the body arrives in %i-byte chunks',
    (n) => {
      const r = scan(page(true), n);
      expect(r.text).toBe(whole.text);
      expect(r.facts.hasNext).toBe(true);
      expect(r.facts.queryId).toBe('q_1');
    },
  );

  it.each([1, 4, 1 << 20])(
    'marks a page without nextUri as final and keeps its body (%i-byte chunks)',
    (n) => {
      const r = scan(page(false), n);
      expect(r.facts.hasNext).toBe(false);
      expect(JSON.parse(r.facts.finalBody!.toString()).stats.state).toBe('FINISHED');
      expect(r.facts.finalComplete).toBe(true);
    },
  );

  it('passes arbitrary binary bytes through unchanged', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const s = new StatementScanner(ctx);
    const out = Buffer.concat([
      ...s.push(bytes.subarray(0, 1000)),
      ...s.push(bytes.subarray(1000)),
      ...s.end(),
    ]);
    expect(out.equals(bytes)).toBe(true);
  });
});
