import { lexSql, type SqlTokens } from './sql-lexer.js';
import type { SqlFacts, StatementType } from './sql-facts.js';
import { RelationReader } from './sql-relations.js';
import { QUOTED, STRING, WORD, type Found, type Session } from './sql-token-reader.js';

export type { Session } from './sql-token-reader.js';

interface Stmt {
  type: StatementType;
  ddl?: boolean;
}

const DDL_TYPES = new Set<StatementType>(['CREATE', 'DROP', 'ALTER', 'DDL', 'GRANT', 'REVOKE']);
/** EXECUTE of a prepared statement that itself is EXECUTE is not valid Trino; stop there. */
const MAX_NESTING = 2;

/**
 * SqlWalk reads a token stream the way Trino's grammar would, as far as routing needs: the statement type
 * from the leading keywords, the names each statement form takes (DDL, SHOW, USE, CALL, GRANT, ...), and
 * the relations of queries (RelationReader). It builds no tree; unknown shapes are skipped, never thrown on.
 */
export class SqlWalk extends RelationReader {
  constructor(
    t: SqlTokens,
    session: Session,
    private readonly prepared: ReadonlyMap<string, string> | undefined,
    private readonly nesting = 0,
    found: Found = { names: [], ctes: new Set(), catalogs: new Set(), schemas: new Set() },
  ) {
    super(t, session, found);
  }

  run(): SqlFacts {
    const stmt = this.statement(0);
    const { names, ctes, catalogs, schemas } = this.found;
    const tables = new Set<string>();
    for (const parts of names) {
      if (parts.length === 1 && ctes.has(parts[0].toLowerCase())) continue;
      const q = this.qualify(parts);
      if (!q) continue;
      tables.add(q.join('.'));
      catalogs.add(q[0]);
      schemas.add(`${q[0]}.${q[1]}`);
    }
    return {
      statementType: stmt.type,
      ddl: stmt.ddl ?? DDL_TYPES.has(stmt.type),
      catalogs: [...catalogs],
      schemas: [...schemas],
      tables: [...tables],
    };
  }

  private statement(i: number): Stmt {
    while (this.punct(i, '(')) i++;
    switch (this.word(i)) {
      case 'select':
      case 'with':
      case 'values':
      case 'table':
        this.scan(i);
        return { type: 'SELECT' };
      case 'insert':
        this.scan(i);
        return { type: 'INSERT' };
      case 'delete':
        this.scan(i);
        return { type: 'DELETE' };
      case 'update':
        this.scan(this.addName(i + 1) ?? i + 1);
        return { type: 'UPDATE' };
      case 'merge':
        this.scan(i, true);
        return { type: 'MERGE' };
      case 'create':
        return this.create(i + 1);
      case 'drop':
        return this.drop(i + 1);
      case 'alter':
        return this.alter(i + 1);
      case 'truncate':
      case 'comment':
      case 'refresh':
        this.otherDdl(i + 1);
        return { type: 'DDL' };
      case 'analyze':
        this.addName(i + 1);
        return { type: 'OTHER' };
      case 'show':
        this.show(i + 1);
        return { type: 'SHOW' };
      case 'describe':
      case 'desc':
        if (this.word(i + 1) !== 'input' && this.word(i + 1) !== 'output') this.addName(i + 1);
        return { type: 'DESCRIBE' };
      case 'explain':
        this.statement(this.explainBody(i + 1));
        return { type: 'EXPLAIN', ddl: false };
      case 'use':
        this.schemaRef(this.name(i + 1)?.parts);
        return { type: 'USE' };
      case 'set':
        return { type: 'SET' };
      case 'reset':
        return { type: 'RESET' };
      case 'call':
        this.call(i + 1);
        return { type: 'CALL' };
      case 'grant':
      case 'revoke':
      case 'deny':
        this.grantTarget(i + 1);
        return { type: this.word(i) === 'grant' ? 'GRANT' : this.word(i) === 'revoke' ? 'REVOKE' : 'DDL' };
      case 'start':
        return { type: this.word(i + 1) === 'transaction' ? 'START TRANSACTION' : 'OTHER' };
      case 'commit':
        return { type: 'COMMIT' };
      case 'rollback':
        return { type: 'ROLLBACK' };
      case 'prepare':
        if (this.ident(i + 1) !== undefined && this.word(i + 2) === 'from') this.statement(i + 3);
        return { type: 'PREPARE', ddl: false };
      case 'execute':
        return this.execute(i + 1);
      case 'deallocate':
        return { type: 'DEALLOCATE' };
      default:
        this.scan(i);
        return { type: 'OTHER' };
    }
  }

  /** CREATE [OR REPLACE] TABLE|VIEW|MATERIALIZED VIEW|SCHEMA|CATALOG ... */
  private create(i: number): Stmt {
    if (this.word(i) === 'or' && this.word(i + 1) === 'replace') i += 2;
    const kind = this.word(i);
    if (kind === 'schema') this.schemaRef(this.name(this.skipIfExists(i + 1))?.parts);
    else if (kind === 'catalog') this.catalogRef(this.ident(this.skipIfExists(i + 1)));
    else {
      const obj = this.object(i);
      if (obj) this.found.names.push(obj.parts);
      this.scan(obj ? obj.next : i);
    }
    return { type: 'CREATE' };
  }

  private drop(i: number): Stmt {
    const kind = this.word(i);
    if (kind === 'schema') this.schemaRef(this.name(this.skipIfExists(i + 1))?.parts);
    else if (kind === 'catalog') this.catalogRef(this.ident(this.skipIfExists(i + 1)));
    else {
      const obj = this.object(i);
      if (obj) this.found.names.push(obj.parts);
    }
    return { type: 'DROP' };
  }

  /** ALTER ... [RENAME TO target]: the target is qualified like the source (Trino's RenameTable). */
  private alter(i: number): Stmt {
    if (this.word(i) === 'schema') {
      const src = this.name(this.skipIfExists(i + 1));
      this.schemaRef(src?.parts);
      const to = src && this.renameTo(src.next) ? this.ident(src.next + 2) : undefined;
      if (src && to !== undefined) this.schemaRef(src.parts.length === 2 ? [src.parts[0], to] : [to]);
      return { type: 'ALTER' };
    }
    const obj = this.object(i);
    if (!obj) return { type: 'ALTER' };
    this.found.names.push(obj.parts);
    const to = this.renameTo(obj.next) ? this.name(obj.next + 2) : undefined;
    const src = this.qualify(obj.parts);
    if (to && src) this.found.names.push([...src.slice(0, 3 - to.parts.length), ...to.parts]);
    return { type: 'ALTER' };
  }

  /** TRUNCATE TABLE t, COMMENT ON TABLE|VIEW|COLUMN x, REFRESH MATERIALIZED VIEW v. */
  private otherDdl(i: number): void {
    if (this.word(i) !== 'on') {
      const obj = this.object(i);
      if (obj) this.found.names.push(obj.parts);
    } else if (this.word(i + 1) === 'column') {
      const col = this.name(i + 2);
      if (col && col.parts.length > 1) this.found.names.push(col.parts.slice(0, -1));
    } else if (this.word(i + 1) === 'schema') {
      this.schemaRef(this.name(i + 2)?.parts);
    } else {
      const obj = this.object(i + 1);
      if (obj) this.found.names.push(obj.parts);
    }
  }

  private show(i: number): void {
    const what = this.word(i);
    const from = this.word(i + 1) === 'from' || this.word(i + 1) === 'in';
    if (what === 'tables' || what === 'functions') {
      if (from) this.schemaRef(this.name(i + 2)?.parts);
      else if (what === 'tables') this.schemaRef(this.session.schema ? [this.session.schema] : undefined);
    } else if (what === 'schemas') {
      this.catalogRef(from ? this.ident(i + 2) : this.session.catalog);
    } else if (what === 'columns') {
      if (from) this.addName(i + 2);
    } else if (what === 'create') {
      if (this.word(i + 1) === 'schema') this.schemaRef(this.name(i + 2)?.parts);
      else {
        const obj = this.object(i + 1);
        if (obj) this.found.names.push(obj.parts);
      }
    } else if (what === 'stats' && this.word(i + 1) === 'for') {
      if (this.punct(i + 2, '(')) this.statement(i + 3);
      else this.addName(i + 2);
    } else if (what === 'grants') {
      this.grantTarget(i + 1);
    }
  }

  /** EXPLAIN [ANALYZE] [VERBOSE] [(option, ...)] statement: returns where the statement starts. */
  private explainBody(i: number): number {
    if (this.word(i) === 'analyze') i++;
    if (this.word(i) === 'verbose') i++;
    return this.punct(i, '(') ? this.close(i) + 1 : i;
  }

  /** CALL catalog.schema.procedure(...): the procedure's catalog and schema. */
  private call(i: number): void {
    const n = this.name(i);
    if (!n) return;
    if (n.parts.length === 3) this.schemaRef(n.parts.slice(0, 2));
    else if (n.parts.length === 2) this.schemaRef([n.parts[0]]);
    else this.schemaRef(this.session.schema ? [this.session.schema] : undefined);
  }

  /** GRANT/REVOKE/DENY ... ON [SCHEMA|TABLE|VIEW] name ...; role grants have no ON. */
  private grantTarget(i: number): void {
    const { kinds, texts, depths } = this.t;
    for (let k = i; k < kinds.length; k++) {
      if (kinds[k] !== WORD || texts[k] !== 'on' || depths[k] !== 0) continue;
      const kind = this.word(k + 1);
      if (kind === 'schema') this.schemaRef(this.name(k + 2)?.parts);
      else this.addName(kind === 'table' || kind === 'view' ? k + 2 : k + 1);
      return;
    }
  }

  /** EXECUTE name [USING ...] and EXECUTE IMMEDIATE 'sql' report the statement they run. */
  private execute(i: number): Stmt {
    let sql: string | undefined;
    if (this.word(i) === 'immediate' && this.t.kinds[i + 1] === STRING) sql = this.t.texts[i + 1];
    else {
      const name = this.ident(i);
      if (name !== undefined) sql = lookup(this.prepared, name, this.t.kinds[i] === QUOTED);
    }
    if (sql === undefined || this.nesting >= MAX_NESTING) return { type: 'EXECUTE', ddl: false };
    return new SqlWalk(lexSql(sql), this.session, this.prepared, this.nesting + 1, this.found).statement(0);
  }
}

/**
 * Finds a prepared statement by name. Unquoted names were lower-cased by the lexer while the client keeps
 * the case it prepared with, so those match case-insensitively.
 */
function lookup(
  prepared: ReadonlyMap<string, string> | undefined,
  name: string,
  quoted: boolean,
): string | undefined {
  if (!prepared) return undefined;
  const exact = prepared.get(name);
  if (exact !== undefined || quoted) return exact;
  for (const [key, sql] of prepared) if (key.toLowerCase() === name) return sql;
  return undefined;
}
