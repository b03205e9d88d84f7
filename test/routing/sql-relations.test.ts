import { describe, expect, it } from 'vitest';
import { lexSql } from '../../src/routing/sql-lexer.js';
import { RelationReader } from '../../src/routing/sql-relations.js';
import type { Found } from '../../src/routing/sql-token-reader.js';

/** Relations runs RelationReader's scan over a whole text and returns the names as written, and the CTEs. */
class Relations extends RelationReader {
  readonly out: Found;
  constructor(sql: string) {
    const found: Found = { names: [], ctes: new Set(), catalogs: new Set(), schemas: new Set() };
    super(lexSql(sql), {}, found);
    this.out = found;
  }
  static of(sql: string, merge = false): { names: string[]; ctes: string[] } {
    const r = new Relations(sql);
    r.scan(0, merge);
    return { names: r.out.names.map((p) => p.join('.')), ctes: [...r.out.ctes] };
  }
}
const names = (sql: string, merge = false): string[] => Relations.of(sql, merge).names;

describe('relations after FROM and JOIN', () => {
  it.each([
    ['SELECT 1', []],
    ['select * from events', ['events']],
    ['SELECT * FROM Sales.Orders', ['sales.orders']],
    ['SELECT * FROM iceberg.crm."Customers"', ['iceberg.crm.Customers']],
    ['SELECT * FROM "My ""Table"""', ['My "Table"']],
    ['SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id)', ['a', 'b', 'c']],
    ['SELECT * FROM a, x.b AS bb, hive.y.c cc WHERE a.k IN (1, 2)', ['a', 'x.b', 'hive.y.c']],
    ['SELECT * FROM (a CROSS JOIN b), c', ['a', 'b', 'c']],
    ['SELECT * FROM ((a JOIN b ON true)), c', ['a', 'b', 'c']],
    [
      'SELECT (SELECT max(x) FROM m), y FROM n WHERE EXISTS (SELECT 1 FROM o WHERE o.k = n.k)',
      ['m', 'n', 'o'],
    ],
    ['SELECT * FROM (SELECT * FROM inner_t) sub, outer_t', ['inner_t', 'outer_t']],
    ['SELECT * FROM ((SELECT * FROM deep)) d', ['deep']],
    ['(SELECT * FROM a) UNION (SELECT * FROM b)', ['a', 'b']],
    ['VALUES (1, 2), (3, 4)', []],
  ])('%s', (sql, want) => expect(names(sql)).toEqual(want));
});

describe('the FROM list', () => {
  it.each([
    'where',
    'group',
    'having',
    'order',
    'limit',
    'offset',
    'fetch',
    'union',
    'intersect',
    'except',
    'window',
  ])('ends at %s, so a later comma starts no relation', (word) => {
    expect(names(`SELECT * FROM a ${word} f(x, y)`)).toEqual(['a']);
  });

  it('ends at the closing parenthesis of a subquery', () => {
    expect(names('SELECT * FROM (SELECT * FROM a) s JOIN b ON f(s.x, b.y) = 1')).toEqual(['a', 'b']);
  });

  it('ends in an INSERT ... VALUES list and an UPDATE SET list', () => {
    expect(names('INSERT INTO t SELECT * FROM a UNION VALUES (1, 2)')).toEqual(['t', 'a']);
    expect(names('MERGE INTO t USING s ON true WHEN MATCHED THEN UPDATE SET a = 1, b = 2', true)).toEqual([
      't',
      's',
    ]);
  });

  it('is per depth: a comma inside a function call in a subquery is no relation', () => {
    expect(names('SELECT * FROM a, (SELECT f(x, y) FROM b WHERE c IN (1, 2)) s, d')).toEqual(['a', 'b', 'd']);
  });
});

describe('FROM that is no clause', () => {
  it.each([
    ["SELECT extract(year FROM ts), substring(s FROM 2), trim(BOTH ' ' FROM s) FROM t", ['t']],
    ['SELECT * FROM t WHERE a IS DISTINCT FROM b', ['t']],
    ['SELECT * FROM t WHERE a IS NOT DISTINCT FROM b', ['t']],
    ['-- FROM commented.out\nSELECT /* FROM also.not */ * FROM real_one', ['real_one']],
    ["SELECT 'it''s FROM x.y' AS s FROM t", ['t']],
  ])('%s', (sql, want) => expect(names(sql)).toEqual(want));

  it('a FROM after a function call closed is a clause again', () => {
    expect(names('SELECT extract(year FROM ts) FROM t')).toEqual(['t']);
    expect(names('SELECT * FROM (SELECT f(x) FROM a) s')).toEqual(['a']);
  });
});

describe('what is not a table', () => {
  it('a function call after FROM or JOIN (UNNEST, a table function by name)', () => {
    expect(names('SELECT * FROM t CROSS JOIN UNNEST(arr) AS u(v)')).toEqual(['t']);
    expect(names('SELECT * FROM s.fn(1) JOIN t ON true')).toEqual(['t']);
  });

  it('a LATERAL subquery', () => {
    expect(names('SELECT * FROM t, LATERAL (SELECT * FROM u) l')).toEqual(['t', 'u']);
    expect(names('SELECT * FROM t CROSS JOIN LATERAL (VALUES 1) l')).toEqual(['t']);
  });

  it('a reserved word after FROM', () => {
    expect(names('SELECT * FROM select')).toEqual([]);
  });
});

describe('TABLE', () => {
  it.each([
    ['TABLE iceberg.s.t', ['iceberg.s.t']],
    ["SELECT * FROM TABLE(pg.system.query(query => 'SELECT * FROM secret.table'))", ['pg.system.query']],
    ['SELECT * FROM TABLE(s.fn(1))', ['s.fn']],
    // Unqualified table functions are built-ins with no catalog: not names; their TABLE(t) argument is.
    ['SELECT * FROM TABLE(exclude_columns(input => TABLE(orders), columns => DESCRIPTOR(a)))', ['orders']],
    ['SELECT * FROM TABLE(sequence(start => 1, stop => 5))', []],
    ['SELECT * FROM TABLE(t)', ['t']],
    ['SELECT * FROM TABLE(', []],
  ])('%s', (sql, want) => expect(names(sql)).toEqual(want));
});

describe('INTO, LIKE and USING', () => {
  it('INTO names its target', () => {
    expect(names('INSERT INTO iceberg.dw.facts (a, b) SELECT a, b FROM hive.raw.facts')).toEqual([
      'iceberg.dw.facts',
      'hive.raw.facts',
    ]);
  });

  it('LIKE names a table only right after "(" or "," (CREATE TABLE ... (LIKE t))', () => {
    // TABLE t2 is a name too (TABLE t is a query); SqlWalk starts the scan after the created object.
    expect(names('CREATE TABLE t2 (LIKE t1 INCLUDING PROPERTIES, extra int)')).toEqual(['t2', 't1']);
    expect(names('(a int, LIKE t1)')).toEqual(['t1']);
    expect(names("SELECT * FROM t WHERE s LIKE 'x%'")).toEqual(['t']);
  });

  it('USING names a relation only in MERGE, at the statement depth', () => {
    expect(names('MERGE INTO tgt t USING (SELECT * FROM src) s ON t.id = s.id', true)).toEqual([
      'tgt',
      'src',
    ]);
    expect(names('MERGE INTO tgt USING other.src ON tgt.id = src.id', true)).toEqual(['tgt', 'other.src']);
    expect(names('MERGE INTO tgt USING other.src ON true', false)).toEqual(['tgt']);
    // A JOIN ... USING (id) inside the MERGE source is deeper than the statement: no relation.
    expect(names('MERGE INTO t USING (SELECT * FROM a JOIN b USING (id)) s ON true', true)).toEqual([
      't',
      'a',
      'b',
    ]);
  });
});

describe('common table expressions', () => {
  it('records CTE names in lower case, with columns and RECURSIVE', () => {
    const r = Relations.of(
      'WITH RECURSIVE T(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 5), "U" AS (SELECT * FROM v) SELECT * FROM t, "U"',
    );
    expect(r.ctes).toEqual(['t', 'u']);
    // CTE references are names here; SqlWalk leaves them out once all CTE names are known.
    expect(r.names).toEqual(['t', 'v', 't', 'U']);
  });

  it('stops at a shape that is no CTE list', () => {
    expect(Relations.of('WITH x (SELECT 1) SELECT * FROM y').ctes).toEqual([]);
    expect(Relations.of('WITH x AS (SELECT 1) y AS (SELECT 2) SELECT 1').ctes).toEqual(['x']);
    expect(Relations.of('WITH select AS (SELECT 1) SELECT 1').ctes).toEqual([]);
    expect(Relations.of('WITH x AS SELECT 1').ctes).toEqual([]);
  });

  it('reads CTEs nested in a subquery', () => {
    expect(Relations.of('SELECT * FROM (WITH a AS (SELECT * FROM b) SELECT * FROM a) s').ctes).toEqual(['a']);
  });
});

describe('bad input', () => {
  it.each([
    'SELECT * FROM',
    'SELECT * FROM ((((',
    ')))) FROM x',
    'WITH',
    'WITH x AS',
    'SELECT * FROM a.',
    ',',
  ])('never throws on %j', (sql) => {
    expect(() => Relations.of(sql)).not.toThrow();
  });
});
