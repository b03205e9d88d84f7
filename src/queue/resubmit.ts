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
