/**
 * Statements about the session, as Trino answers them: `current_user`, `current_catalog` and
 * `current_schema` (the session's, from the request headers of the family Trino detected), `USE`
 * (UseTask: X-Trino-Set-Catalog / X-Trino-Set-Schema response headers, never a change on the server) and
 * `SHOW SESSION LIKE '…'` (ShowQueriesRewrite), `PREPARE name FROM …` and `DEALLOCATE PREPARE name`
 * (X-Trino-Added-Prepare / X-Trino-Deallocated-Prepare; the client sends its prepared statements back in
 * X-Trino-Prepared-Statement, which `EXECUTE name` reads: sql.ts). Unlike Trino, SHOW SESSION lists only the
 * properties the request sets (X-Trino-Session), not every known one with its default.
 */
import { column, queryError } from './protocol.js';
import type { Plan } from './sql.js';

/** The session a request carries (HttpRequestSessionContextFactory reads it from the headers). */
export interface SessionFacts {
  user: string;
  catalog?: string;
  schema?: string;
  /** X-Trino-Session: name=url-encoded value, comma-separated and possibly repeated. */
  properties: Record<string, string>;
  /** X-Trino-Prepared-Statement: the client's prepared statements by name. */
  prepared: Record<string, string>;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)`;
const name = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase());
const USE = new RegExp(String.raw`^use\s+(${IDENT})(?:\s*\.\s*(${IDENT}))?$`, 'i');

/** URLDecoder.decode, as Trino reads these headers ('+' is a space). */
const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
/** URLEncoder.encode, as Trino writes them. */
const formEncode = (s: string) =>
  encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/**
 * sessionMap parses X-Trino-Session or X-Trino-Prepared-Statement values (`a=1,b=x+y`, comma-separated and
 * possibly repeated), each side URL-decoded.
 */
export function sessionMap(v: string | string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (Array.isArray(v) ? v.join(',') : (v ?? '')).split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out[formDecode(part.slice(0, i).trim())] = formDecode(part.slice(i + 1).trim());
  }
  return out;
}

/** planSession answers a statement about the session, or undefined when it is none. */
export function planSession(sql: string, s: SessionFacts): Plan | undefined {
  const one = (col: string, v: string | null): Plan => ({
    kind: 'rows',
    columns: [column(col, 'varchar')],
    rows: [[v]],
  });
  if (/^select\s+current_user$/i.test(sql)) return one('_col0', s.user);
  if (/^select\s+current_catalog$/i.test(sql)) return one('_col0', s.catalog ?? null);
  if (/^select\s+current_schema$/i.test(sql)) return one('_col0', s.schema ?? null);
  let m: RegExpExecArray | null;
  if ((m = USE.exec(sql))) {
    const catalog = m[2] ? name(m[1]) : s.catalog;
    const schema = name(m[2] ?? m[1]);
    if (!catalog)
      return {
        kind: 'error',
        error: queryError(
          'MISSING_CATALOG_NAME',
          'Catalog must be specified when session catalog is not set',
        ),
      };
    return { kind: 'update', updateType: 'USE', headers: { 'set-catalog': catalog, 'set-schema': schema } };
  }
  if ((m = /^prepare\s+([A-Za-z_][A-Za-z0-9_]*)\s+from\s+([\s\S]+)$/i.exec(sql)))
    return {
      kind: 'update',
      updateType: 'PREPARE',
      headers: { 'added-prepare': `${formEncode(m[1].toLowerCase())}=${formEncode(m[2])}` },
    };
  if ((m = /^deallocate\s+prepare\s+([A-Za-z_][A-Za-z0-9_]*)$/i.exec(sql))) {
    const name = m[1].toLowerCase();
    if (!(name in s.prepared))
      return { kind: 'error', error: queryError('NOT_FOUND', `Prepared statement not found: ${name}`) };
    return { kind: 'update', updateType: 'DEALLOCATE', headers: { 'deallocated-prepare': formEncode(name) } };
  }
  if ((m = /^show\s+session\s+like\s+'((?:[^']|'')*)'$/i.exec(sql))) {
    const like = new RegExp(
      '^' +
        m[1]
          .replace(/''/g, "'")
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')
          .replace(/_/g, '.') +
        '$',
    );
    const found = Object.entries(s.properties).filter(([k]) => like.test(k));
    return {
      kind: 'rows',
      columns: ['Name', 'Value', 'Default', 'Type', 'Description'].map((c) => column(c, 'varchar')),
      rows: found.map(([k, v]) => [k, v, '', 'varchar', '']),
    };
  }
  return undefined;
}
