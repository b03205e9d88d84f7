import { PUNCT, TokenReader, WORD } from './sql-token-reader.js';

/** Words that open a query: '(' followed by one of them is a subquery, not a parenthesised join. */
const QUERY_START = new Set(['select', 'with', 'values', 'table']);
/** Words that end a FROM list at their depth, so that a later ',' does not start another relation. */
const FROM_END = new Set([
  ...['where', 'group', 'having', 'order', 'limit', 'offset', 'fetch', 'union', 'intersect', 'except'],
  ...['window', 'select', 'values', 'set', 'when'],
]);
/** Functions whose arguments use FROM (EXTRACT(x FROM y), SUBSTRING, TRIM): that FROM is no clause. */
const FROM_FUNCTIONS = new Set(['extract', 'substring', 'trim']);

/**
 * RelationReader finds the relations a query reads or writes: after FROM and JOIN, after ',' in a FROM list,
 * INTO, TABLE, USING in MERGE, and the CTE names that are not tables.
 */
export class RelationReader extends TokenReader {
  /**
   * scan walks from token i to the end, recording relations: after FROM and JOIN, after ',' in a FROM list,
   * INTO, TABLE t / TABLE(fn(...)) / TABLE(t), (LIKE t) in CREATE TABLE, USING in MERGE, and CTE names.
   */
  protected scan(i: number, merge = false): void {
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
  protected relation(i: number, fromList: boolean[]): void {
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
  protected tableKeyword(k: number): void {
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
  protected cte(k: number): void {
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
}
