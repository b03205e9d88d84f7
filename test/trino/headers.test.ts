import { describe, expect, it } from 'vitest';
import { decodeHeaderText, encodeHeaderText, header } from '../../src/trino/headers.js';

/** A header value as Node hands it over: one character per byte. */
const wire = (bytes: Buffer) => bytes.toString('latin1');

describe('Trino protocol headers', () => {
  it('are read from the Trino family first, then the Presto one, first value of a list', () => {
    expect(header({ 'x-trino-user': 'a', 'x-presto-user': 'b' }, 'user')).toBe('a');
    expect(header({ 'x-presto-user': 'b' }, 'user')).toBe('b');
    expect(header({ 'x-trino-source': ['s1', 's2'] }, 'source')).toBe('s1');
    expect(header({}, 'transactionId')).toBeUndefined();
  });

  it.each([
    ['plain ASCII', 'alice', 'alice'],
    ['UTF-8 bytes', wire(Buffer.from('José', 'utf8')), 'José'],
    ['ISO-8859-1 bytes', wire(Buffer.from('José', 'latin1')), 'José'],
    ['UTF-8 beyond Latin-1', wire(Buffer.from('łukasz', 'utf8')), 'łukasz'],
  ])('read names as text: %s', (_, v, text) => {
    expect(decodeHeaderText(v)).toBe(text);
  });

  it.each(['a\u0000b', 'a\u001fb', wire(Buffer.from('a\u0085b', 'utf8'))])(
    'refuse control characters: %j',
    (v) => {
      expect(decodeHeaderText(v)).toBeUndefined();
    },
  );

  it('write names back so a cluster reads them as the client meant', () => {
    expect(encodeHeaderText('José')).toBe('José');
    expect(encodeHeaderText('łukasz')).toBe(wire(Buffer.from('łukasz', 'utf8')));
    for (const name of ['alice', 'José', 'łukasz'])
      expect(decodeHeaderText(encodeHeaderText(name))).toBe(name);
  });
});
