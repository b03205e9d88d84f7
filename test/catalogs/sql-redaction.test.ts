import { describe, expect, it } from 'vitest';
import { scrubEmbeddedSecrets, scrubKnownSecrets } from '../../src/catalogs/embedded-secrets.js';
import { redactSqlSecrets } from '../../src/catalogs/sql-redaction.js';
import { DEFAULT_SECRET_PATTERNS, secretKeyMatcher } from '../../src/catalogs/secrets.js';

const secret = secretKeyMatcher(DEFAULT_SECRET_PATTERNS);
const r = (sql: string) => redactSqlSecrets(sql, secret);
const PROPS = `WITH ("connection-url" = 'jdbc:postgresql://db/x', "connection-password" = 'S3CRET-1')`;

describe('redactSqlSecrets: every statement form that carries catalog properties', () => {
  it.each([
    [`EXPLAIN CREATE CATALOG pg USING postgresql ${PROPS}`],
    [`EXPLAIN ANALYZE CREATE CATALOG pg USING postgresql ${PROPS}`],
    [`PREPARE p FROM CREATE CATALOG pg USING postgresql ${PROPS}`],
    [`EXECUTE IMMEDIATE 'CREATE CATALOG pg USING postgresql ${PROPS.replace(/'/g, "''")}'`],
    [
      `EXECUTE IMMEDIATE 'EXECUTE IMMEDIATE ''CREATE CATALOG pg USING postgresql ${PROPS.replace(/'/g, "''''")}'''`,
    ],
    [`ALTER CATALOG pg SET PROPERTIES "connection-password" = 'S3CRET-1'`],
    [`/* c */ create   catalog pg using postgresql ${PROPS.toLowerCase().replace('s3cret-1', 'S3CRET-1')}`],
  ])('%s', (sql) => {
    const out = r(sql);
    expect(out.text).not.toContain('S3CRET-1');
    expect(out.secrets).toContain('S3CRET-1');
    expect(out.text).toMatch(/catalog/i);
  });

  it('keeps the rest of an EXECUTE IMMEDIATE text readable', () => {
    const out = r(
      `EXECUTE IMMEDIATE 'CREATE CATALOG pg USING postgresql WITH ("password" = ''p1'', "user" = ''bob'')'`,
    );
    expect(out.text).toBe(
      `EXECUTE IMMEDIATE 'CREATE CATALOG pg USING postgresql WITH ("password" = ''***'', "user" = ''bob'')'`,
    );
  });

  it('removes passwords inside values whose key is not secret', () => {
    const out = r(
      `CREATE CATALOG pg USING postgresql WITH ("connection-url" = 'jdbc:postgresql://db:5432/x?user=a&password=PW-IN-URL', "hive.metastore.uri" = 'thrift://u:PW-USERINFO@h:9083', "oauth-client-passphrase" = 'PASSPHRASE-1')`,
    );
    for (const s of ['PW-IN-URL', 'PW-USERINFO', 'PASSPHRASE-1']) {
      expect(out.text).not.toContain(s);
      expect(out.secrets).toContain(s);
    }
    expect(out.text).toContain('jdbc:postgresql://db:5432/x?user=a&password=***');
  });

  it('leaves statements that never name a catalog alone', () => {
    for (const sql of [`SELECT 'password=x' FROM t`, `SELECT 'http://u:p@h'`])
      expect(r(sql)).toEqual({ text: sql, secrets: [] });
  });
});

describe('scrubbing secrets out of other text', () => {
  it('replaces known values and embedded ones in an error message', () => {
    const msg = `Invalid connection-password 'S3CRET-1' for jdbc:postgresql://db/x?password=OTHER (http://u:UI@h)`;
    const out = scrubKnownSecrets(msg, ['S3CRET-1'], secret);
    expect(out).toBe(
      `Invalid connection-password '***' for jdbc:postgresql://db/x?password=*** (http://u:***@h)`,
    );
  });

  it('leaves text without secrets as it is', () => {
    expect(scrubEmbeddedSecrets('line 1:8: mismatched input', secret)).toBe('line 1:8: mismatched input');
  });
});
