import { Tok, type SqlTokens } from './sql-lexer.js';

/** The session's default catalog and schema (X-Trino-Catalog, X-Trino-Schema). */
export interface Session {
  catalog?: string;
  schema?: string;
}

// Token kinds as module constants: hot loops should not reach through another module's export object.
export const { Word: WORD, Quoted: QUOTED, String: STRING, Punct: PUNCT } = Tok;

/** What a walk has found so far; nested walks (EXECUTE) add to the same. */
export interface Found {
  /** Table names as written (1 to 3 parts), qualified at the end once all CTE names are known. */
  names: string[][];
  ctes: Set<string>;
  catalogs: Set<string>;
  schemas: Set<string>;
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

/** TokenReader reads names and keywords at token positions, and records what they name. */
export class TokenReader {
  constructor(
    protected readonly t: SqlTokens,
    protected readonly session: Session,
    protected readonly found: Found,
  ) {}

  /** TABLE|VIEW|MATERIALIZED VIEW [IF [NOT] EXISTS] name. */
  protected object(i: number): { parts: string[]; next: number } | undefined {
    const kind = this.word(i);
    if (kind === 'materialized' && this.word(i + 1) === 'view') i++;
    else if (kind !== 'table' && kind !== 'view') return undefined;
    return this.name(this.skipIfExists(i + 1));
  }

  /** A qualified name at i: identifier ('.' identifier)*. */
  protected name(i: number): { parts: string[]; next: number } | undefined {
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

  protected addName(i: number): number | undefined {
    const n = this.name(i);
    if (n) this.found.names.push(n.parts);
    return n?.next;
  }

  protected qualify(parts: string[]): string[] | undefined {
    const { catalog, schema } = this.session;
    if (parts.length === 3) return parts;
    if (parts.length === 2) return catalog ? [catalog, ...parts] : undefined;
    if (parts.length === 1) return catalog && schema ? [catalog, schema, parts[0]] : undefined;
    return undefined;
  }

  /** A schema name of one (session catalog) or two parts. */
  protected schemaRef(parts: string[] | undefined): void {
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

  protected catalogRef(name: string | undefined): void {
    if (name !== undefined) this.found.catalogs.add(name);
  }

  // ---- tokens ----

  protected word(i: number): string | undefined {
    return this.t.kinds[i] === WORD ? this.t.texts[i] : undefined;
  }

  protected punct(i: number, p: string): boolean {
    return this.t.kinds[i] === PUNCT && this.t.texts[i] === p;
  }

  /** An identifier: a quoted one, or an unquoted word that is not reserved. */
  protected ident(i: number): string | undefined {
    const kind = this.t.kinds[i];
    if (kind === QUOTED) return this.t.texts[i];
    if (kind === WORD && !RESERVED.has(this.t.texts[i])) return this.t.texts[i];
    return undefined;
  }

  protected skipIfExists(i: number): number {
    if (this.word(i) !== 'if') return i;
    if (this.word(i + 1) === 'exists') return i + 2;
    return this.word(i + 1) === 'not' && this.word(i + 2) === 'exists' ? i + 3 : i;
  }

  protected renameTo(i: number): boolean {
    return this.word(i) === 'rename' && this.word(i + 1) === 'to';
  }

  protected isDistinctFrom(k: number): boolean {
    return this.word(k - 1) === 'distinct' && (this.word(k - 2) === 'is' || this.word(k - 2) === 'not');
  }

  /** The index of the ')' closing the '(' at i, or the end of the tokens. */
  protected close(i: number): number {
    const { kinds, texts, depths } = this.t;
    const d = depths[i];
    for (let k = i + 1; k < kinds.length; k++) {
      if (depths[k] === d && kinds[k] === PUNCT && texts[k] === ')') return k;
    }
    return kinds.length;
  }
}
