import { describe, expect, it } from 'vitest';
import { parseProperties } from '../../src/ui/properties-text.js';

describe('parseProperties', () => {
  it.each([
    ['', {}],
    ['# a comment\n\n   \n', {}],
    ['connector.name=tpch', { 'connector.name': 'tpch' }],
    ['  a = 1 \r\nb=2\n', { a: '1', b: '2' }],
    ['url=jdbc:x://h/db?a=b&c=d', { url: 'jdbc:x://h/db?a=b&c=d' }],
    ['empty=', { empty: '' }],
    ['x=#not a comment', { x: '#not a comment' }],
    ['__proto__=p\nconstructor=c', { ['__proto__']: 'p', constructor: 'c' }],
  ])('reads %j', (text, want) => {
    const r = parseProperties(text);
    expect(r).toEqual({ ok: true, properties: want });
    if (r.ok) expect(Object.keys(r.properties)).toEqual(Object.keys(want));
  });

  it.each([
    ['novalue', 'line 1: expected key=value'],
    ['a=1\n\njust text', 'line 3: expected key=value'],
    ['=value', 'line 1: the key is empty'],
    ['  = value', 'line 1: the key is empty'],
    ['a=1\nb=2\na=3', 'line 3: "a" is set twice'],
    ['a=1\n a =2', 'line 2: "a" is set twice'],
    ['__proto__=1\n__proto__=2', 'line 2: "__proto__" is set twice'],
  ])('refuses %j naming the line', (text, error) => {
    expect(parseProperties(text)).toEqual({ ok: false, error });
  });

  it('keeps a property named __proto__ as data, never as the prototype', () => {
    const r = parseProperties('__proto__=x');
    expect(r.ok && Object.getPrototypeOf(r.properties)).toBe(Object.prototype);
    expect(r.ok && Object.hasOwn(r.properties, '__proto__')).toBe(true);
  });
});

describe('catalog properties typed as lines', () => {
  it.each([
    ['', {}],
    ['a=1', { a: '1' }],
    [' a = 1 \r\nb=x=y\n\n# comment\n', { a: '1', b: 'x=y' }],
    ['url=jdbc:postgresql://h/db?x=1', { url: 'jdbc:postgresql://h/db?x=1' }],
    ['empty=', { empty: '' }],
  ])('reads %j', (text, properties) => {
    expect(parseProperties(text)).toEqual({ ok: true, properties });
  });

  it.each([
    ['novalue', 'line 1: expected key=value'],
    ['a=1\n=2', 'line 2: the key is empty'],
    ['a=1\na=2', 'line 2: "a" is set twice'],
    ['__proto__=1\n__proto__=2', 'line 2: "__proto__" is set twice'],
  ])('refuses %j', (text, error) => {
    expect(parseProperties(text)).toEqual({ ok: false, error });
  });
});
