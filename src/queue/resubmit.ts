/**
 * mayRunTwice tells whether a statement can be sent again to another cluster after the first cluster
 * accepted it and then died: only a statement that reads (SELECT, WITH … SELECT, VALUES, TABLE, SHOW,
 * DESCRIBE, EXPLAIN without ANALYZE) — it cannot have had effects, however far the dead cluster got.
 * Anything else may have written before the cluster went, so it is never sent twice.
 */
export function mayRunTwice(sql: string): boolean {
  const head = sql
    .slice(0, 4096)
    .replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()+/, '')
    .toLowerCase();
  const m = /^([a-z]+)(?:\s+([a-z]+))?/.exec(head);
  if (!m) return false;
  const [, first, second] = m;
  if (first === 'explain') return second !== 'analyze';
  return ['select', 'with', 'values', 'table', 'show', 'describe'].includes(first!);
}

/**
 * mayResubmitAfter tells whether a query its cluster failed with `errorName` before the client saw more
 * than QUEUED pages can go to another backend. Both are Trino's cluster-level errors (StandardErrorCode,
 * INTERNAL_ERROR), not the statement's fault:
 * - SERVER_STARTING_UP: a starting coordinator's access control refuses the session when the query is
 *   dispatched (its first queued poll), before the statement is even analysed: any statement may go again.
 * - NO_NODES_AVAILABLE: scheduling found no worker, after planning, where a write may have begun (a
 *   connector's beginCreateTable): only a statement that reads goes again.
 */
export function mayResubmitAfter(errorName: string | undefined, sql: string): boolean {
  if (errorName === 'SERVER_STARTING_UP') return true;
  if (errorName === 'NO_NODES_AVAILABLE') return mayRunTwice(sql);
  return false;
}
