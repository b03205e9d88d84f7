import { lexSql } from './sql-lexer.js';
import { SqlWalk, type Session } from './sql-walk.js';

export type { Session } from './sql-walk.js';

/** Statement types, named after the SQL keyword that starts them (DDL: other metadata statements). */
export const STATEMENT_TYPES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'CREATE',
  'DROP',
  'ALTER',
  'DDL',
  'SHOW',
  'DESCRIBE',
  'EXPLAIN',
  'USE',
  'SET',
  'RESET',
  'CALL',
  'GRANT',
  'REVOKE',
  'START TRANSACTION',
  'COMMIT',
  'ROLLBACK',
  'PREPARE',
  'EXECUTE',
  'DEALLOCATE',
  'OTHER',
] as const;

export type StatementType = (typeof STATEMENT_TYPES)[number];

/** What the routing rules may know about a statement, without running it. */
export interface SqlFacts {
  /**
   * The statement's type. EXECUTE and EXECUTE IMMEDIATE report the type of the statement they run (as
   * trino-gateway does); EXECUTE stays only when the prepared statement is not in the request.
   */
  statementType: StatementType;
  /** True for statements that change metadata: CREATE, DROP, ALTER, DDL (COMMENT, TRUNCATE, ...), GRANT, REVOKE. */
  ddl: boolean;
  /** Catalogs the statement names, in order of appearance. */
  catalogs: string[];
  /** Schemas the statement names, as catalog.schema. */
  schemas: string[];
  /**
   * Tables (and views) the statement reads or writes, as catalog.schema.table: unqualified names take the
   * session catalog and schema, and are left out when the session does not have them. Unquoted names are
   * lower-cased, quoted ones kept as written; parts are joined with '.' without quoting. CTE names are not tables.
   */
  tables: string[];
}

/**
 * How much of a statement the analysis reads: its first 262,144 characters (256 Ki). Tables named only
 * past this point are not seen by the rules; the bound keeps one user's 4 MB statement from holding the
 * event loop (about 65 ms at this size on a 2-core machine, against 320 ms for 4 MB; bench/bounded-input.ts).
 */
export const MAX_ANALYZED_SQL_CHARS = 262_144;

/**
 * sqlFacts extracts the statement type and the catalogs, schemas and tables a Trino statement names.
 * `prepared` maps prepared statement names to their SQL (from X-Trino-Prepared-Statement) so that
 * `EXECUTE name` can be resolved. Never throws: text it cannot make sense of gives statementType OTHER
 * with whatever names could be found.
 */
export function sqlFacts(
  sql: string,
  session: Session = {},
  prepared?: ReadonlyMap<string, string>,
): SqlFacts {
  const text = sql.length > MAX_ANALYZED_SQL_CHARS ? sql.slice(0, MAX_ANALYZED_SQL_CHARS) : sql;
  try {
    return new SqlWalk(lexSql(text), session, prepared).run();
  } catch {
    // The walker is written not to throw; this is the contract's last line of defence.
    return { statementType: 'OTHER', ddl: false, catalogs: [], schemas: [], tables: [] };
  }
}
