import { QUERY_ID } from './paths.js';

/**
 * `CALL system.runtime.kill_query(query_id => '…', message => '…')` (KillQueryProcedure), named or
 * positional, as Superset sends it to cancel. Leading comments and a trailing semicolon are allowed;
 * identifiers may be quoted.
 */
const KILL_QUERY = new RegExp(
  String.raw`^\s*call\s+(?:"?system"?\s*\.\s*)?"?runtime"?\s*\.\s*"?kill_query"?\s*\(\s*` +
    String.raw`(?:query_id\s*=>\s*)?'([^']{1,128})'`,
  'i',
);
const LEADING_COMMENTS = /^(?:\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/;

/** killQueryTarget returns the query id a kill_query call names, or undefined for any other statement. */
export function killQueryTarget(sql: string): string | undefined {
  if (sql.length > 4096) return undefined;
  const body = sql.replace(LEADING_COMMENTS, '');
  if (!/^call\s/i.test(body)) return undefined;
  const id = KILL_QUERY.exec(body)?.[1];
  return id !== undefined && QUERY_ID.test(id) ? id : undefined;
}
