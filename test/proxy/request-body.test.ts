import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { readBody } from '../../src/proxy/request-body.js';

function request(chunks: string[], headers: Record<string, string> = {}) {
  const s = new PassThrough();
  Object.assign(s, { headers });
  queueMicrotask(() => {
    for (const c of chunks) s.write(c);
    s.end();
  });
  return s as unknown as IncomingMessage;
}

describe('a request body', () => {
  it('is read whole up to the limit', async () => {
    expect((await readBody(request(['SELECT ', '1']), 16)).toString()).toBe('SELECT 1');
  });

  it('is refused with 413 from a Content-Length over the limit, before it is read', async () => {
    await expect(readBody(request(['x'], { 'content-length': '100' }), 16)).rejects.toMatchObject({
      status: 413,
      errorName: 'QUERY_TEXT_TOO_LARGE',
    });
  });

  it('is refused with 413 once more than the limit arrived without a length', async () => {
    await expect(readBody(request(['x'.repeat(10), 'x'.repeat(10)]), 16)).rejects.toMatchObject({
      status: 413,
    });
  });
});
