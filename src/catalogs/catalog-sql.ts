/**
 * SQL text for catalog broadcast (Trino's `CREATE CATALOG name USING connector WITH (...)` and
 * `DROP CATALOG name`); redaction of secrets out of SQL text lives in sql-redaction.ts. Inputs are validated by identifiers.ts first; everything is still quoted/escaped here so a
 * missed validation cannot become SQL injection.
 */

/** Trino's reserved keywords (docs: language/reserved.html); as identifiers they must be double-quoted. */
const RESERVED = new Set(
  (
    'ALTER AND AS AUTO BETWEEN BY CASE CAST CONSTRAINT CREATE CROSS CUBE CURRENT_CATALOG CURRENT_DATE ' +
    'CURRENT_PATH CURRENT_ROLE CURRENT_SCHEMA CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEALLOCATE DELETE ' +
    'DESCRIBE DISTINCT DROP ELSE END ESCAPE EXCEPT EXECUTE EXISTS EXTRACT FALSE FOR FROM FULL GROUP GROUPING ' +
    'HAVING IN INNER INSERT INTERSECT INTO IS JOIN JSON_ARRAY JSON_EXISTS JSON_OBJECT JSON_QUERY JSON_TABLE ' +
    'JSON_VALUE LEFT LIKE LISTAGG LOCALTIME LOCALTIMESTAMP NATURAL NORMALIZE NOT NULL ON OR ORDER OUTER ' +
    'PREPARE RECURSIVE RIGHT ROLLUP SELECT SKIP TABLE THEN TRIM TRUE UESCAPE UNION UNNEST USING VALUES WHEN ' +
    'WHERE WITH'
  ).split(' '),
);

/** quoteIdentifier always double-quotes, doubling embedded `"`. */
function quoteIdentifier(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * identifier writes a catalog or connector name: bare when it is a plain lower-case identifier that is not
 * a reserved word (the usual case, and what Trino echoes back), double-quoted otherwise.
 */
function identifier(s: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(s) && !RESERVED.has(s.toUpperCase()) ? s : quoteIdentifier(s);
}

/** stringLiteral writes a SQL string literal, doubling embedded `'`. */
function stringLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** createCatalogSql → `CREATE CATALOG name USING connector WITH ("k" = 'v', ...)` (no WITH when empty). */
export function createCatalogSql(name: string, connector: string, props: Record<string, string>): string {
  const entries = Object.entries(props);
  const head = `CREATE CATALOG ${identifier(name)} USING ${identifier(connector)}`;
  if (entries.length === 0) return head;
  return `${head} WITH (${entries.map(([k, v]) => `${quoteIdentifier(k)} = ${stringLiteral(v)}`).join(', ')})`;
}

/** dropCatalogSql → `DROP CATALOG name`. */
export function dropCatalogSql(name: string): string {
  return `DROP CATALOG ${identifier(name)}`;
}

export { redactCatalogSql } from './sql-redaction.js';
