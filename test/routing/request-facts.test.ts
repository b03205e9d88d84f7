import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { buildRequestFacts, parsePreparedStatements } from '../../src/routing/request-facts.js';

const alice: Principal = { name: 'alice', roles: ['user'], groups: ['adhoc', 'etl'], method: 'basic' };

describe('buildRequestFacts', () => {
  it('takes the user from the principal, never from X-Trino-User', () => {
    const facts = buildRequestFacts({ 'x-trino-user': 'mallory' }, alice, 'SELECT 1');
    expect(facts.user).toBe('alice');
    expect(facts.groups).toEqual(['adhoc', 'etl']);
  });

  it('reads source, client tags, client info and the session catalog and schema from Trino headers', () => {
    const facts = buildRequestFacts(
      {
        'x-trino-source': 'airflow',
        'x-trino-client-tags': ' etl, nightly ,,',
        'x-trino-client-info': '{"dag":"x"}',
        'x-trino-catalog': 'hive',
        'x-trino-schema': 'web',
      },
      alice,
      'SELECT 1',
    );
    expect(facts).toMatchObject({
      source: 'airflow',
      clientTags: ['etl', 'nightly'],
      clientInfo: '{"dag":"x"}',
      catalog: 'hive',
      schema: 'web',
      sqlText: 'SELECT 1',
    });
  });

  it('falls back to the X-Presto-* twins of older clients', () => {
    const facts = buildRequestFacts(
      { 'x-presto-source': 'presto-cli', 'x-presto-catalog': 'hive', 'x-presto-client-tags': 'a' },
      alice,
      '',
    );
    expect(facts).toMatchObject({ source: 'presto-cli', catalog: 'hive', clientTags: ['a'] });
  });

  it('keeps every header by lower-cased name, joining repeated ones', () => {
    const facts = buildRequestFacts({ 'X-My-Header': 'v', 'x-list': ['a', 'b'] }, alice, '');
    expect(facts.headers).toEqual({ 'x-my-header': 'v', 'x-list': 'a, b' });
    expect(facts.header('X-MY-HEADER')).toBe('v');
    expect(facts.source).toBeUndefined();
    expect(facts.clientTags).toEqual([]);
  });

  it('analyses the SQL only when asked, and only once', () => {
    const facts = buildRequestFacts(
      { 'x-trino-catalog': 'hive', 'x-trino-schema': 'web' },
      alice,
      'SELECT * FROM t',
    );
    expect(facts.sqlAnalysed).toBe(false);
    const first = facts.sql;
    expect(facts.sqlAnalysed).toBe(true);
    expect(facts.sql).toBe(first);
    expect(first.tables).toEqual(['hive.web.t']);
  });

  it('resolves EXECUTE with the prepared statement from X-Trino-Prepared-Statement', () => {
    const sql = encodeURIComponent('INSERT INTO iceberg.dw.t SELECT * FROM hive.raw.t');
    const facts = buildRequestFacts(
      { 'x-trino-prepared-statement': `other=SELECT+1,ins=${sql}` },
      alice,
      'EXECUTE ins',
    );
    expect(facts.sql).toMatchObject({ statementType: 'INSERT', tables: ['iceberg.dw.t', 'hive.raw.t'] });
  });
});

describe('parsePreparedStatements', () => {
  it.each([
    ['q1=SELECT+1', [['q1', 'SELECT 1']]],
    [
      'a=SELECT%201, b = SELECT+%272%27',
      [
        ['a', 'SELECT 1'],
        ['b', "SELECT '2'"],
      ],
    ],
    ['my%20q=SELECT+x%3Dy', [['my q', 'SELECT x=y']]],
    ['broken, =nameless, bad=%E0%A4%A, ok=1', [['ok', '1']]],
    ['z=$zstd:KLUv', []],
    ['', []],
  ])('reads %j', (header, expected) => {
    expect([...parsePreparedStatements(header)]).toEqual(expected);
  });
});
