import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import {
  validateCatalogName,
  validateConnectorName,
  validateProperties,
} from '../../src/catalogs/identifiers.js';

function errorOf(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).status).toBe(400);
    return e as AppError;
  }
  throw new Error('expected an AppError');
}

describe('validateCatalogName', () => {
  it('accepts identifiers and lower-cases them like Trino', () => {
    expect(validateCatalogName('sales')).toBe('sales');
    expect(validateCatalogName('pg_eu_1')).toBe('pg_eu_1');
    expect(validateCatalogName('Sales_DB')).toBe('sales_db');
    expect(validateCatalogName('a'.repeat(128))).toBe('a'.repeat(128));
  });

  it.each([
    ['x; DROP CATALOG y'],
    ['a"b'],
    ["a'b"],
    ['a;b'],
    ['a b'],
    ['a.b'],
    ['a-b'],
    ['1abc'],
    ['_abc'],
    [''],
    ['café'],
    ['ｓａｌｅｓ'],
    ['İx'],
    ['a\nb'],
    ['a'.repeat(129)],
  ])('rejects %j', (name) => {
    const e = errorOf(() => validateCatalogName(name));
    expect(e.message).toMatch(/^catalogName: /);
    expect(e.message).toContain('catalogName: ');
    expect(e.message).toContain('is not a valid catalog name (letters, digits and _, starting with a letter');
  });

  it('rejects non-strings without crashing', () => {
    for (const v of [undefined, null, 42, {}, ['a']])
      expect(errorOf(() => validateCatalogName(v)).message).toMatch(/^catalogName: /);
  });

  it('quotes the rejected name in the message and cuts long ones', () => {
    expect(errorOf(() => validateCatalogName('a;b')).message).toBe(
      'catalogName: "a;b" is not a valid catalog name (letters, digits and _, starting with a letter, at most 128)',
    );
    expect(errorOf(() => validateCatalogName('x'.repeat(1000))).message.length).toBeLessThan(250);
  });
});

describe('validateConnectorName', () => {
  it('accepts connector names', () => {
    for (const n of ['postgresql', 'tpch', 'memory', 'delta_lake', 'google-sheets'])
      expect(validateConnectorName(n)).toBe(n);
    expect(validateConnectorName('PostgreSQL')).toBe('postgresql');
  });
  it('rejects others', () => {
    for (const n of ['', 'a b', 'pg;drop', '"x"', '-x', '1x', 'x'.repeat(129), 7])
      expect(errorOf(() => validateConnectorName(n)).message).toMatch(/^connectorName: /);
  });
});

describe('validateProperties', () => {
  it('accepts typical properties and copies them', () => {
    const input = {
      'connection-url': 'jdbc:postgresql://db:5432/x',
      'hive.metastore.uri': 'thrift://hms:9083',
      connection_user: "o'brien",
    };
    const out = validateProperties(input);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(validateProperties({})).toEqual({});
  });

  it('keeps a __proto__ key as an ordinary key', () => {
    const out = validateProperties(JSON.parse('{"__proto__": "x"}'));
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('requires a plain object', () => {
    for (const v of [null, undefined, 'a=b', ['a'], new Map(), 3])
      expect(errorOf(() => validateProperties(v)).message).toMatch(/^properties: /);
  });

  it('names the property whose value is wrong', () => {
    const e = errorOf(() => validateProperties({ 'connection-url': '' }));
    expect(e.message).toMatch(/^properties\.connection-url: /);
    expect(e.message).toBe('properties.connection-url: expected a non-empty string');
    expect(errorOf(() => validateProperties({ a: 5 })).message).toBe(
      'properties.a: expected a non-empty string',
    );
    expect(errorOf(() => validateProperties({ a: null })).message).toMatch(/^properties.a: /);
    expect(errorOf(() => validateProperties({ a: 'x\0y' })).message).toContain('NUL');
    expect(errorOf(() => validateProperties({ a: 'x'.repeat(64 * 1024 + 1) })).message).toMatch(
      /^properties.a: /,
    );
    expect(validateProperties({ a: 'x'.repeat(64 * 1024) }).a.length).toBe(64 * 1024);
    // 64 KB is counted in UTF-8 bytes
    expect(errorOf(() => validateProperties({ a: 'é'.repeat(40_000) })).message).toMatch(/^properties.a: /);
  });

  it('rejects bad keys, including injection attempts', () => {
    for (const k of ['a b', 'a"b', "a'b", 'a=b', 'x) WITH (y', '', 'k'.repeat(257), 'clé'])
      expect(errorOf(() => validateProperties({ [k]: 'v' })).message).toMatch(/^properties: /);
    expect(validateProperties({ ['k'.repeat(256)]: 'v' })).toHaveProperty('k'.repeat(256));
  });

  it('allows at most 200 properties', () => {
    const make = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, 'v']));
    expect(Object.keys(validateProperties(make(200)))).toHaveLength(200);
    expect(errorOf(() => validateProperties(make(201))).message).toContain('at most 200');
  });
});
