import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { HandleCodec } from '../../src/proxy/handle-codec.js';
import { RewriteContexts } from '../../src/proxy/rewrite-contexts.js';

const codec = new HandleCodec('secret');
const backend = (name: string) =>
  ({ name, origin: `http://${name}:8080`, advertisedOrigins: ['https://lb:8443'] }) as unknown as Backend;

describe('URL-rewrite contexts', () => {
  it("list the backend's origins, the one it saw the client at, what it advertises and the gateway's", () => {
    const ctx = new RewriteContexts('https://gw.example', codec).of(backend('t1'), 'https://client.example');
    expect(ctx.origins).toEqual([
      'http://t1:8080',
      'https://client.example',
      'https://lb:8443',
      'https://gw.example',
    ]);
    expect(ctx.handle).toBe(codec.encode('t1'));
    expect(ctx.publicUrl).toBe('https://gw.example');
  });

  it('are built once per backend and origin, and stay bounded whatever Host clients send', () => {
    const contexts = new RewriteContexts('https://gw.example', codec);
    const t1 = backend('t1');
    const first = contexts.of(t1, 'http://t1:8080');
    expect(contexts.of(t1, 'http://t1:8080')).toBe(first);
    expect(contexts.of(backend('t2'), 'http://t1:8080')).not.toBe(first);
    for (let i = 0; i < 300; i++) contexts.of(t1, `http://host${i}`);
    // Past the bound the cache starts over: the first context is built anew (equal, not the same object).
    const again = contexts.of(t1, 'http://t1:8080');
    expect(again).not.toBe(first);
    expect(again.origins).toEqual(first.origins);
  });
});
