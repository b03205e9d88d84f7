import { describe, expect, it } from 'vitest';
import { createCatalogSql, dropCatalogSql, redactCatalogSql } from '../../src/catalogs/catalog-sql.js';
import { DEFAULT_SECRET_PATTERNS, secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { parseProperties } from '../helpers/trino-emulator/sql.js';

const secret = secretKeyMatcher(DEFAULT_SECRET_PATTERNS);

describe('createCatalogSql / dropCatalogSql', () => {
  it('writes CREATE CATALOG with quoted keys and literal values', () => {
    expect(
      createCatalogSql('pg', 'postgresql', {
        'connection-url': 'jdbc:postgresql://db/x',
        'connection-password': "it's",
      }),
    ).toBe(
      `CREATE CATALOG pg USING postgresql WITH ("connection-url" = 'jdbc:postgresql://db/x', "connection-password" = 'it''s')`,
    );
  });

  it('omits WITH when there are no properties', () => {
    expect(createCatalogSql('mem', 'memory', {})).toBe('CREATE CATALOG mem USING memory');
    expect(dropCatalogSql('mem')).toBe('DROP CATALOG mem');
  });

  it('quotes names that are reserved words or not plain identifiers', () => {
    expect(dropCatalogSql('table')).toBe('DROP CATALOG "table"');
    expect(createCatalogSql('with', 'google-sheets', {})).toBe('CREATE CATALOG "with" USING "google-sheets"');
    expect(dropCatalogSql('x; DROP CATALOG y')).toBe('DROP CATALOG "x; DROP CATALOG y"');
    expect(dropCatalogSql('a"b')).toBe('DROP CATALOG "a""b"');
  });

  it('escapes hostile keys and values so they stay one property', () => {
    const props = { 'k") , ("x': 'v\'), ("y" = \'z', plain: '--not a comment' };
    const sql = createCatalogSql('c', 'memory', props);
    expect(sql).toBe(
      `CREATE CATALOG c USING memory WITH ("k"") , (""x" = 'v''), ("y" = ''z', "plain" = '--not a comment')`,
    );
    // the emulator's parser (Trino's quoting rules) reads back exactly what went in
    const inner = /WITH \(([\s\S]*)\)$/.exec(sql)![1];
    expect(parseProperties(inner)).toEqual(props);
  });
});

describe('redactCatalogSql', () => {
  const r = (sql: string) => redactCatalogSql(sql, secret);

  it('replaces secret values and keeps the rest byte for byte', () => {
    const sql = `CREATE CATALOG pg USING postgresql WITH ("connection-url" = 'jdbc:x', "connection-password" = 'hunter2', "connection-user" = 'bob')`;
    expect(r(sql)).toBe(
      `CREATE CATALOG pg USING postgresql WITH ("connection-url" = 'jdbc:x', "connection-password" = '***', "connection-user" = 'bob')`,
    );
  });

  it('round-trips with createCatalogSql', () => {
    const sql = createCatalogSql('c', 'x', { 'a.token': "t'o''k", url: 'u', 's3.aws-secret-key': 'AKIA,)' });
    expect(r(sql)).toBe(
      `CREATE CATALOG c USING x WITH ("a.token" = '***', "url" = 'u', "s3.aws-secret-key" = '***')`,
    );
  });

  it('handles doubled quotes, commas and parentheses inside literals', () => {
    const sql = `create catalog c using x with ("password" = 'a'', "user" = ''b), ("token" = ''c', "note" = 'x')`;
    const out = r(sql);
    expect(out).toBe(`create catalog c using x with ("password" = '***', "note" = 'x')`);
    expect(out).not.toContain('b)');
  });

  it('handles arbitrary whitespace, case, comments and unquoted keys', () => {
    const sql = `  /* setup */ Create\n\tCATALOG  "My Cat"\nUSING postgresql -- comment 'x'\n WITH(\n  connection_password='p1' , -- the password\n  "Connection-PASSWORD"  =  'p2'\n  ,"hive.metastore.uri"='thrift://h'\n);`;
    const out = r(sql);
    expect(out).not.toContain('p1');
    expect(out).not.toContain('p2');
    expect(out).toContain(`connection_password='***' , -- the password`);
    expect(out).toContain(`"Connection-PASSWORD"  =  '***'`);
    expect(out).toContain(`"hive.metastore.uri"='thrift://h'`);
    expect(out.startsWith('  /* setup */ Create\n\tCATALOG')).toBe(true);
  });

  it('redacts whole value expressions, not just the first literal', () => {
    const out = r(`CREATE CATALOG c USING x WITH ("password" = 'a' || concat('b', 'c'), "u" = 'v')`);
    expect(out).toBe(`CREATE CATALOG c USING x WITH ("password" = '***', "u" = 'v')`);
    expect(r(`CREATE CATALOG c USING x WITH ("password" = U&'\\0041bc')`)).toBe(
      `CREATE CATALOG c USING x WITH ("password" = '***')`,
    );
  });

  it('ignores WITH inside COMMENT literals and quoted names', () => {
    const sql = `CREATE CATALOG "with" USING x COMMENT 'made WITH ("password" = ''no'')' WITH ("secret" = 's')`;
    expect(r(sql)).toBe(
      `CREATE CATALOG "with" USING x COMMENT 'made WITH ("password" = ''no'')' WITH ("secret" = '***')`,
    );
  });

  it('redacts every CREATE CATALOG of a multi-statement text', () => {
    const out = r(
      `SELECT 1; CREATE CATALOG a USING x WITH ("password" = 'one'); create catalog b using y with ("token"='two')`,
    );
    expect(out).toBe(
      `SELECT 1; CREATE CATALOG a USING x WITH ("password" = '***'); create catalog b using y with ("token"='***')`,
    );
  });

  it('errs on the side of redaction when the statement is malformed', () => {
    expect(r(`CREATE CATALOG c USING x WITH ("password" = 'unterminated, "u" = 'v')`)).not.toContain(
      'unterminated',
    );
    expect(r(`CREATE CATALOG c USING x WITH ("password" 'noequals', "u" = 'v')`)).toBe(
      `CREATE CATALOG c USING x WITH ("password" '***', "u" = '***')`,
    );
    expect(r(`CREATE CATALOG c USING x WITH "password" = 'x'`)).toBe(
      `CREATE CATALOG c USING x WITH "password" = '***'`,
    );
    expect(r(`CREATE CATALOG c USING x WITH ("password" = 'x'`)).toBe(
      `CREATE CATALOG c USING x WITH ("password" = '***'`,
    );
  });

  it('leaves other SQL unchanged', () => {
    for (const sql of [
      `SELECT 'password' AS password FROM t WHERE token = 'x'`,
      `DROP CATALOG c`,
      `SET SESSION password = 'x'`,
      `-- CREATE CATALOG c USING x WITH ("password" = 'x')\nSELECT 1`,
      `CREATE TABLE t WITH (password = 'x') AS SELECT 1`,
      `CREATE CATALOG c USING memory`,
      ``,
    ])
      expect(r(sql)).toBe(sql);
  });

  it('uses the matcher it is given', () => {
    const sql = `CREATE CATALOG c USING x WITH ("password" = 'p', "magic" = 'm')`;
    expect(redactCatalogSql(sql, (k) => k === 'magic')).toBe(
      `CREATE CATALOG c USING x WITH ("password" = 'p', "magic" = '***')`,
    );
  });
});
