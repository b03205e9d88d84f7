import { lexSql, Tok, type SqlTokens } from './sql-lexer.js';
import type { SqlFacts, StatementType } from './sql-facts.js';

/** The session's default catalog and schema (X-Trino-Catalog, X-Trino-Schema). */
export interface Session {
  catalog?: string;
  schema?: string;
}

// Token kinds as module constants: hot loops should not reach through another module's export object.
const { Word: WORD, Quoted: QUOTED, String: STRING, Punct: PUNCT } = Tok;

interface Found {
  /** Table names as written (1 to 3 parts), qualified at the end once all CTE names are known. */
  names: string[][];
  ctes: Set<string>;
  catalogs: Set<string>;
  schemas: Set<string>;
}

interface Stmt {
  type: StatementType;
  ddl?: boolean;
}

/** Trino's reserved words: never an unquoted table name (SqlBase.g4, nonReserved is the complement). */
const RESERVED = new Set(
  (
    'alter and as between by case cast constraint create cross cube current_catalog current_date current_path ' +
    'current_role current_schema current_time current_timestamp current_user deallocate delete describe ' +
    'distinct drop else end escape except execute exists extract false for from full group grouping having in ' +
    'inner insert intersect into is join json_array json_exists json_object json_query json_table json_value ' +
    'left like listagg localtime localtimestamp natural normalize not null on or order outer prepare recursive ' +
    'right rollup select skip table then trim true uescape union unnest using values when where with'
  ).split(' '),
);
/** Words that open a query: '(' followed by one of them is a subquery, not a parenthesised join. */
const QUERY_START = new Set(['select', 'with', 'values', 'table']);
/** Words that end a FROM list at their depth, so that a later ',' does not start another relation. */
const FROM_END = new Set(
  'where group having order limit offset fetch union intersect except window select values set when'.split(
    ' ',
  ),
);
/** Functions whose arguments use FROM (EXTRACT(x FROM y), SUBSTRING, TRIM): that FROM is no clause. */
const FROM_FUNCTIONS = new Set(['extract', 'substring', 'trim']);
const DDL_TYPES = new Set<StatementType>(['CREATE', 'DROP', 'ALTER', 'DDL', 'GRANT', 'REVOKE']);
/** EXECUTE of a prepared statement that itself is EXECUTE is not valid Trino; stop there. */
const MAX_NESTING = 2;

/**
 * SqlWalk reads a token stream the way Trino's grammar would, as far as routing needs: the statement type
 * from the leading keywords, and the relations after FROM, JOIN, ',', INTO, UPDATE, USING (MERGE), TABLE
 * and the DDL forms. It does not build a tree; unknown shapes are skipped, never thrown on.
 */
export class SqlWalk {
  private readonly found: Found;

  constructor(
    private readonly t: SqlTokens,
    private readonly session: Session,
    private readonly prepared: ReadonlyMap<string, string> | undefined,
    private readonly nesting = 0,
    found?: Found,
  ) {
    this.found = found ?? { names: [], ctes: new Set(), catalogs: new Set(), schemas: new Set() };
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

  // ---- statements ----

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

  // ---- relations in queries ----

  /**
   * scan walks from token i to the end, recording relations: after FROM and JOIN, after ',' in a FROM list,
   * INTO, TABLE t / TABLE(fn(...)) / TABLE(t), (LIKE t) in CREATE TABLE, USING in MERGE, and CTE names.
   */
  private scan(i: number, merge = false): void {
    const { kinds, texts, depths } = this.t;
    const fromList: boolean[] = [];
    const fnParen: boolean[] = [];
    const base = depths[i] ?? 0;
    for (let k = i; k < kinds.length; k++) {
      const text = texts[k];
      const d = depths[k];
      if (kinds[k] === PUNCT) {
        if (text === ',' && fromList[d]) this.relation(k + 1, fromList);
        else if (text === '(') fnParen[d + 1] = kinds[k - 1] === WORD && FROM_FUNCTIONS.has(texts[k - 1]);
        else if (text === ')') fromList[d + 1] = false;
        continue;
      }
      if (kinds[k] !== WORD) continue;
      switch (text) {
        case 'from':
          if (fnParen[d] || this.isDistinctFrom(k)) break;
          fromList[d] = true;
          this.relation(k + 1, fromList);
          break;
        case 'join':
          this.relation(k + 1, fromList);
          break;
        case 'into':
          this.addName(k + 1);
          break;
        case 'table':
          this.tableKeyword(k);
          break;
        case 'using':
          if (merge && d === base) this.relation(k + 1, fromList);
          break;
        case 'with':
          this.cte(k);
          break;
        case 'like':
          if (this.punct(k - 1, '(') || this.punct(k - 1, ',')) this.addName(k + 1);
          break;
        default:
          if (FROM_END.has(text)) fromList[d] = false;
      }
    }
  }

  /** A relation at i: a table name, a subquery (walked by scan), or a parenthesised join. */
  private relation(i: number, fromList: boolean[]): void {
    if (this.punct(i, '(')) {
      let n = i + 1;
      while (this.punct(n, '(')) n++;
      const w = this.word(n);
      if (w !== undefined && QUERY_START.has(w)) return;
      fromList[this.t.depths[i] + 1] = true;
      this.relation(i + 1, fromList);
      return;
    }
    const w = this.word(i);
    if (w === 'lateral') return;
    const n = this.name(i);
    if (n && !this.punct(n.next, '(')) this.found.names.push(n.parts);
  }

  /** TABLE t (a query), TABLE(t) (a table argument), TABLE(catalog.schema.fn(...)) (a table function). */
  private tableKeyword(k: number): void {
    if (!this.punct(k + 1, '(')) {
      this.addName(k + 1);
      return;
    }
    const n = this.name(k + 2);
    if (!n) return;
    // Unqualified table functions are built-ins (sequence, exclude_columns): no catalog to route by.
    if (!this.punct(n.next, '(') || n.parts.length >= 2) this.found.names.push(n.parts);
  }

  /** WITH [RECURSIVE] name [(columns)] AS (...), ...: records the CTE names. */
  private cte(k: number): void {
    let j = k + 1;
    if (this.word(j) === 'recursive') j++;
    for (;;) {
      const name = this.ident(j);
      if (name === undefined) return;
      j++;
      if (this.punct(j, '(')) j = this.close(j) + 1;
      if (this.word(j) !== 'as' || !this.punct(j + 1, '(')) return;
      this.found.ctes.add(name.toLowerCase());
      j = this.close(j + 1) + 1;
      if (!this.punct(j, ',')) return;
      j++;
    }
  }

  // ---- names ----

  /** TABLE|VIEW|MATERIALIZED VIEW [IF [NOT] EXISTS] name. */
  private object(i: number): { parts: string[]; next: number } | undefined {
    const kind = this.word(i);
    if (kind === 'materialized' && this.word(i + 1) === 'view') i++;
    else if (kind !== 'table' && kind !== 'view') return undefined;
    return this.name(this.skipIfExists(i + 1));
  }

  /** A qualified name at i: identifier ('.' identifier)*. */
  private name(i: number): { parts: string[]; next: number } | undefined {
    const first = this.ident(i);
    if (first === undefined) return undefined;
    const parts = [first];
    let j = i + 1;
    while (this.punct(j, '.')) {
      const kind = this.t.kinds[j + 1];
      if (kind !== WORD && kind !== QUOTED) break;
      parts.push(this.t.texts[j + 1]);
      j += 2;
    }
    return { parts, next: j };
  }

  private addName(i: number): number | undefined {
    const n = this.name(i);
    if (n) this.found.names.push(n.parts);
    return n?.next;
  }

  private qualify(parts: string[]): string[] | undefined {
    const { catalog, schema } = this.session;
    if (parts.length === 3) return parts;
    if (parts.length === 2) return catalog ? [catalog, ...parts] : undefined;
    if (parts.length === 1) return catalog && schema ? [catalog, schema, parts[0]] : undefined;
    return undefined;
  }

  /** A schema name of one (session catalog) or two parts. */
  private schemaRef(parts: string[] | undefined): void {
    const q =
      parts?.length === 2
        ? parts
        : parts?.length === 1 && this.session.catalog
          ? [this.session.catalog, parts[0]]
          : undefined;
    if (!q) return;
    this.found.catalogs.add(q[0]);
    this.found.schemas.add(`${q[0]}.${q[1]}`);
  }

  private catalogRef(name: string | undefined): void {
    if (name !== undefined) this.found.catalogs.add(name);
  }

  // ---- tokens ----

  private word(i: number): string | undefined {
    return this.t.kinds[i] === WORD ? this.t.texts[i] : undefined;
  }

  private punct(i: number, p: string): boolean {
    return this.t.kinds[i] === PUNCT && this.t.texts[i] === p;
  }

  /** An identifier: a quoted one, or an unquoted word that is not reserved. */
  private ident(i: number): string | undefined {
    const kind = this.t.kinds[i];
    if (kind === QUOTED) return this.t.texts[i];
    if (kind === WORD && !RESERVED.has(this.t.texts[i])) return this.t.texts[i];
    return undefined;
  }

  private skipIfExists(i: number): number {
    if (this.word(i) !== 'if') return i;
    if (this.word(i + 1) === 'exists') return i + 2;
    return this.word(i + 1) === 'not' && this.word(i + 2) === 'exists' ? i + 3 : i;
  }

  private renameTo(i: number): boolean {
    return this.word(i) === 'rename' && this.word(i + 1) === 'to';
  }

  private isDistinctFrom(k: number): boolean {
    return this.word(k - 1) === 'distinct' && (this.word(k - 2) === 'is' || this.word(k - 2) === 'not');
  }

  /** The index of the ')' closing the '(' at i, or the end of the tokens. */
  private close(i: number): number {
    const { kinds, texts, depths } = this.t;
    const d = depths[i];
    for (let k = i + 1; k < kinds.length; k++) {
      if (depths[k] === d && kinds[k] === PUNCT && texts[k] === ')') return k;
    }
    return kinds.length;
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
