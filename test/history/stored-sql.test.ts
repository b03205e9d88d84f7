import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { MAX_ERROR_CHARS, storedError, storedSql, utf8Prefix } from '../../src/history/stored-sql.js';

const isSecret = secretKeyMatcher(['password']);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const CREATE = `CREATE CATALOG pg USING postgresql WITH ("connection-url" = 'jdbc:postgresql://db/x', "connection-password" = 'hunter2')`;

describe('storedSql', () => {
  it('keeps a short statement whole, with its length and hash', () => {
    expect(storedSql('SELECT 1', 100, isSecret)).toEqual({
      sql: 'SELECT 1',
      sqlBytes: 8,
      sqlSha256: sha('SELECT 1'),
      secrets: [],
      unseenCatalogText: false,
    });
  });

  it('keeps a prefix of at most maxBytes of UTF-8, measuring and hashing the whole', () => {
    const full = 'SELECT ' + "'é'".repeat(100);
    const s = storedSql(full, 20, isSecret);
    expect(Buffer.byteLength(s.sql)).toBeLessThanOrEqual(20);
    expect(full.startsWith(s.sql)).toBe(true);
    expect(s.sqlBytes).toBe(Buffer.byteLength(full));
    expect(s.sqlSha256).toBe(sha(full));
  });

  it('redacts secret catalog properties, reports the values removed, and keeps no hash', () => {
    const s = storedSql(CREATE, 10_000, isSecret);
    expect(s.sql).not.toContain('hunter2');
    expect(s.sql).toContain('"connection-password" = ');
    expect(s.sql).toContain("'jdbc:postgresql://db/x'");
    expect(s.secrets).toEqual(['hunter2']);
    expect(s.sqlSha256).toBeNull(); // a hash of a short secret could be brute-forced
    expect(s.unseenCatalogText).toBe(false);
  });

  it('says when "catalog" appears past the kept prefix, where secrets were never looked for', () => {
    const full = 'SELECT 1 /* ' + 'x'.repeat(100) + ' */; ' + CREATE;
    const s = storedSql(full, 50, isSecret);
    expect(s.unseenCatalogText).toBe(true);
    expect(s.sqlSha256).toBeNull();
    expect(storedSql(CREATE + ' -- ' + 'x'.repeat(100), CREATE.length + 2, isSecret).unseenCatalogText).toBe(
      false,
    );
  });

  it('counts a "catalog" cut in two by the prefix end as unseen', () => {
    const full = 'x'.repeat(45) + ' CATALOG y';
    expect(storedSql(full, 49, isSecret).unseenCatalogText).toBe(true);
  });
});

describe('storedError', () => {
  it('passes null and undefined through as null', () => {
    expect(storedError(null, undefined, isSecret)).toBeNull();
    expect(storedError(undefined, undefined, isSecret)).toBeNull();
  });

  it('removes the secrets the statement carried, and embedded ones', () => {
    const s = storedSql(CREATE, 10_000, isSecret);
    expect(storedError("bad value 'hunter2' for //u:pw@db", s, isSecret)).toBe(
      "bad value '***' for //u:***@db",
    );
  });

  it('withholds the message when the statement named a catalog beyond the stored prefix', () => {
    expect(storedError('hunter2', { secrets: [], unseenCatalogText: true }, isSecret)).toBe(
      '(message withheld: the statement names a catalog beyond the stored prefix)',
    );
  });

  it(`bounds the text at ${MAX_ERROR_CHARS} characters`, () => {
    const at = 'e'.repeat(MAX_ERROR_CHARS);
    expect(storedError(at, undefined, isSecret)).toBe(at);
    expect(storedError(at + 'e', undefined, isSecret)).toBe(at + '…');
  });
});

describe('utf8Prefix', () => {
  it('never splits a character', () => {
    expect(utf8Prefix('aé', 2)).toBe('a'); // é is two bytes
    expect(utf8Prefix('aé', 3)).toBe('aé');
    expect(utf8Prefix('😀x', 3)).toBe('');
    expect(utf8Prefix('😀x', 4)).toBe('😀');
    expect(utf8Prefix('😀x', 5)).toBe('😀x');
  });

  it('keeps a real U+FFFD of the text', () => {
    expect(utf8Prefix('a\uFFFDb', 4)).toBe('a\uFFFD');
  });
});
