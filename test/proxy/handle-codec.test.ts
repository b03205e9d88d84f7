import { describe, expect, it } from 'vitest';
import { HandleCodec } from '../../src/proxy/handle-codec.js';

describe('HandleCodec', () => {
  const codec = new HandleCodec('a-secret-of-sufficient-length');

  it('round-trips backend names, including non-ASCII ones', () => {
    for (const name of ['trino-1', 'etl.b', 'ünï-ç']) expect(codec.decode(codec.encode(name))).toBe(name);
  });

  it('refuses handles signed with another secret or tampered with', () => {
    const other = new HandleCodec('another-secret-entirely').encode('trino-1');
    expect(codec.decode(other)).toBeUndefined();
    const h = codec.encode('trino-1');
    const forged = `${Buffer.from('trino-2').toString('base64url')}.${h.split('.')[1]}`;
    expect(codec.decode(forged)).toBeUndefined();
    expect(codec.decode('garbage')).toBeUndefined();
    expect(codec.decode('.')).toBeUndefined();
    expect(codec.decode('x'.repeat(10_000))).toBeUndefined();
  });

  it('is stable across instances with the same secret (restart, other replicas)', () => {
    expect(new HandleCodec('a-secret-of-sufficient-length').decode(codec.encode('trino-1'))).toBe('trino-1');
  });
});
