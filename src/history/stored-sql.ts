import { createHash } from 'node:crypto';
import { scrubKnownSecrets } from '../catalogs/embedded-secrets.js';
import { redactSqlSecrets } from '../catalogs/sql-redaction.js';

/** What a history row keeps of a statement: a bounded, redacted prefix, the whole text's length and hash. */
export interface StoredSql {
  /** The first maxBytes (UTF-8) of the statement, secrets redacted. */
  sql: string;
  /** UTF-8 length of the whole statement. */
  sqlBytes: number;
  /** SHA-256 of the whole statement, hex; null when the statement names a catalog anywhere. */
  sqlSha256: string | null;
  /** Secret values the redaction removed, to scrub a cluster's error text echoing one. */
  secrets: string[];
  /** The statement mentions "catalog" beyond the kept prefix: secrets there were never seen, nor removed. */
  unseenCatalogText: boolean;
}

const CATALOG = /catalog/i;
/** Longest error text a history row keeps (Trino's messages are short; a cluster may echo a statement). */
export const MAX_ERROR_CHARS = 4096;

/**
 * storedSql bounds the work and the storage of one statement: redaction runs on at most maxBytes of it,
 * whatever the statement's size (Trino's limit is 1,000,000 characters; the gateway's 4 MB), so its cost
 * on the event loop is bounded. The whole text is only measured, tested for "catalog" and hashed (native
 * code, about 2 ms per MB).
 */
export function storedSql(full: string, maxBytes: number, isSecretKey: (key: string) => boolean): StoredSql {
  const sqlBytes = Buffer.byteLength(full);
  const prefix = sqlBytes > maxBytes ? utf8Prefix(full, maxBytes) : full;
  const names = CATALOG.test(full);
  const red = names ? redactSqlSecrets(prefix, isSecretKey) : { text: prefix, secrets: [] };
  return {
    sql: red.text,
    sqlBytes,
    sqlSha256: names ? null : createHash('sha256').update(full).digest('hex'),
    secrets: red.secrets,
    unseenCatalogText: names && prefix.length < full.length && CATALOG.test(full.slice(prefix.length - 7)),
  };
}

/**
 * storedError bounds a cluster's error text and removes secrets the statement carried. When the
 * statement named a catalog past the kept prefix its secrets are unknown, so the text is withheld.
 */
export function storedError(
  message: string | null | undefined,
  s: Pick<StoredSql, 'secrets' | 'unseenCatalogText'> | undefined,
  isSecretKey: (key: string) => boolean,
): string | null {
  if (message === undefined || message === null) return null;
  if (s?.unseenCatalogText)
    return '(message withheld: the statement names a catalog beyond the stored prefix)';
  const bounded = message.length > MAX_ERROR_CHARS ? message.slice(0, MAX_ERROR_CHARS) + '…' : message;
  return scrubKnownSecrets(bounded, s?.secrets ?? [], isSecretKey);
}

/** utf8Prefix: the longest prefix of `s` whose UTF-8 form fits in maxBytes, never splitting a character. */
export function utf8Prefix(s: string, maxBytes: number): string {
  let cut = Buffer.from(s.slice(0, maxBytes)).subarray(0, maxBytes).toString('utf8');
  if (cut.endsWith('\uFFFD') && !s.startsWith(cut)) cut = cut.slice(0, -1);
  return cut;
}
