import { describe, expect, it } from 'vitest';
import { STATEMENT_TYPES, sqlFacts, type StatementType } from '../../src/routing/sql-facts.js';
import { lexSql, Tok } from '../../src/routing/sql-lexer.js';

const session = { catalog: 'hive', schema: 'web' };

interface Row {
  sql: string;
  type: StatementType;
  tables?: string[];
  catalogs?: string[];
  schemas?: string[];
  ddl?: boolean;
}

const rows: Row[] = [
  { sql: 'SELECT 1', type: 'SELECT', tables: [] },
  { sql: 'select * from events', type: 'SELECT', tables: ['hive.web.events'] },
  { sql: 'SELECT * FROM Sales.Orders', type: 'SELECT', tables: ['hive.sales.orders'] },
  { sql: 'SELECT * FROM iceberg.crm."Customers"', type: 'SELECT', tables: ['iceberg.crm.Customers'] },
  { sql: 'SELECT * FROM "My ""Table"""', type: 'SELECT', tables: ['hive.web.My "Table"'] },
  {
    sql: 'SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id)',
    type: 'SELECT',
    tables: ['hive.web.a', 'hive.web.b', 'hive.web.c'],
  },
  {
    sql: 'SELECT * FROM a, x.b AS bb, hive.y.c cc WHERE a.k IN (1, 2)',
    type: 'SELECT',
    tables: ['hive.web.a', 'hive.x.b', 'hive.y.c'],
  },
  {
    sql: 'SELECT * FROM (a CROSS JOIN b), c',
    type: 'SELECT',
    tables: ['hive.web.a', 'hive.web.b', 'hive.web.c'],
  },
  {
    sql: 'WITH x AS (SELECT * FROM hive.raw.clicks) SELECT * FROM x',
    type: 'SELECT',
    tables: ['hive.raw.clicks'],
  },
  {
    sql: 'WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 5), u AS (SELECT * FROM v) SELECT * FROM t, u',
    type: 'SELECT',
    tables: ['hive.web.v'],
  },
  {
    sql: 'SELECT (SELECT max(x) FROM m), y FROM n WHERE EXISTS (SELECT 1 FROM o WHERE o.k = n.k)',
    type: 'SELECT',
    tables: ['hive.web.m', 'hive.web.n', 'hive.web.o'],
  },
  {
    sql: "SELECT extract(year FROM ts), substring(s FROM 2), trim(BOTH ' ' FROM s) FROM t WHERE a IS DISTINCT FROM b",
    type: 'SELECT',
    tables: ['hive.web.t'],
  },
  {
    sql: '-- FROM commented.out\nSELECT /* FROM also.not */ * FROM real_one',
    type: 'SELECT',
    tables: ['hive.web.real_one'],
  },
  { sql: "SELECT 'it''s FROM x.y' AS s FROM t", type: 'SELECT', tables: ['hive.web.t'] },
  { sql: 'SELECT * FROM t CROSS JOIN UNNEST(arr) AS u(v)', type: 'SELECT', tables: ['hive.web.t'] },
  {
    sql: "SELECT * FROM TABLE(pg.system.query(query => 'SELECT * FROM secret.table'))",
    type: 'SELECT',
    tables: ['pg.system.query'],
  },
  {
    sql: 'SELECT * FROM TABLE(exclude_columns(input => TABLE(orders), columns => DESCRIPTOR(a)))',
    type: 'SELECT',
    tables: ['hive.web.orders'],
  },
  { sql: 'TABLE iceberg.s.t', type: 'SELECT', tables: ['iceberg.s.t'] },
  { sql: '(SELECT * FROM a) UNION (SELECT * FROM b)', type: 'SELECT', tables: ['hive.web.a', 'hive.web.b'] },
  { sql: 'VALUES (1, 2), (3, 4)', type: 'SELECT', tables: [] },
  {
    sql: 'INSERT INTO iceberg.dw.facts (a, b) SELECT a, b FROM hive.raw.facts',
    type: 'INSERT',
    tables: ['iceberg.dw.facts', 'hive.raw.facts'],
  },
  { sql: 'INSERT INTO t VALUES (1, 2), (3, 4)', type: 'INSERT', tables: ['hive.web.t'] },
  {
    sql: 'UPDATE t SET a = (SELECT max(a) FROM u) WHERE b = 1',
    type: 'UPDATE',
    tables: ['hive.web.t', 'hive.web.u'],
  },
  { sql: "DELETE FROM hive.web.old WHERE day < DATE '2020-01-01'", type: 'DELETE', tables: ['hive.web.old'] },
  {
    sql: 'MERGE INTO tgt t USING (SELECT * FROM src) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v',
    type: 'MERGE',
    tables: ['hive.web.tgt', 'hive.web.src'],
  },
  {
    sql: 'MERGE INTO tgt USING other.src ON tgt.id = src.id WHEN NOT MATCHED THEN INSERT VALUES (src.id)',
    type: 'MERGE',
    tables: ['hive.web.tgt', 'hive.other.src'],
  },
  {
    sql: "CREATE TABLE IF NOT EXISTS iceberg.s.t WITH (format = 'ORC') AS SELECT * FROM hive.x.y",
    type: 'CREATE',
    ddl: true,
    tables: ['iceberg.s.t', 'hive.x.y'],
  },
  { sql: 'CREATE TABLE t (id bigint, name varchar)', type: 'CREATE', ddl: true, tables: ['hive.web.t'] },
  {
    sql: 'CREATE TABLE t2 (LIKE t1 INCLUDING PROPERTIES, extra int)',
    type: 'CREATE',
    tables: ['hive.web.t2', 'hive.web.t1'],
  },
  {
    sql: 'CREATE OR REPLACE VIEW v AS SELECT * FROM w',
    type: 'CREATE',
    tables: ['hive.web.v', 'hive.web.w'],
  },
  {
    sql: 'CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT * FROM w',
    type: 'CREATE',
    tables: ['hive.web.mv', 'hive.web.w'],
  },
  {
    sql: 'CREATE SCHEMA iceberg.new_schema',
    type: 'CREATE',
    tables: [],
    catalogs: ['iceberg'],
    schemas: ['iceberg.new_schema'],
  },
  {
    sql: 'CREATE CATALOG pg USING postgresql WITH ("connection-url" = \'jdbc:x\')',
    type: 'CREATE',
    catalogs: ['pg'],
    schemas: [],
  },
  { sql: 'DROP TABLE IF EXISTS t', type: 'DROP', ddl: true, tables: ['hive.web.t'] },
  { sql: 'DROP CATALOG IF EXISTS pg', type: 'DROP', catalogs: ['pg'] },
  { sql: 'DROP SCHEMA old CASCADE', type: 'DROP', schemas: ['hive.old'] },
  { sql: 'ALTER TABLE t RENAME TO u', type: 'ALTER', ddl: true, tables: ['hive.web.t', 'hive.web.u'] },
  { sql: 'ALTER TABLE iceberg.a.t RENAME TO b.u', type: 'ALTER', tables: ['iceberg.a.t', 'iceberg.b.u'] },
  { sql: 'ALTER TABLE t ADD COLUMN c int', type: 'ALTER', tables: ['hive.web.t'] },
  { sql: 'TRUNCATE TABLE t', type: 'DDL', ddl: true, tables: ['hive.web.t'] },
  { sql: "COMMENT ON COLUMN iceberg.s.t.c IS 'x'", type: 'DDL', tables: ['iceberg.s.t'] },
  {
    sql: 'SHOW TABLES FROM iceberg.sales',
    type: 'SHOW',
    ddl: false,
    catalogs: ['iceberg'],
    schemas: ['iceberg.sales'],
  },
  { sql: 'SHOW TABLES', type: 'SHOW', catalogs: ['hive'], schemas: ['hive.web'] },
  { sql: 'SHOW SCHEMAS FROM pg', type: 'SHOW', catalogs: ['pg'] },
  { sql: 'SHOW COLUMNS FROM t', type: 'SHOW', tables: ['hive.web.t'] },
  { sql: 'SHOW CATALOGS', type: 'SHOW', catalogs: [] },
  { sql: 'DESCRIBE iceberg.s.t', type: 'DESCRIBE', tables: ['iceberg.s.t'] },
  { sql: 'DESCRIBE OUTPUT my_query', type: 'DESCRIBE', tables: [] },
  { sql: 'EXPLAIN SELECT * FROM t', type: 'EXPLAIN', tables: ['hive.web.t'] },
  {
    sql: 'EXPLAIN ANALYZE VERBOSE INSERT INTO a SELECT * FROM b',
    type: 'EXPLAIN',
    ddl: false,
    tables: ['hive.web.a', 'hive.web.b'],
  },
  { sql: 'EXPLAIN (TYPE DISTRIBUTED, FORMAT JSON) DELETE FROM t', type: 'EXPLAIN', tables: ['hive.web.t'] },
  { sql: 'USE iceberg.sales', type: 'USE', catalogs: ['iceberg'], schemas: ['iceberg.sales'] },
  { sql: "SET SESSION query_max_run_time = '1h'", type: 'SET' },
  { sql: 'RESET SESSION query_max_run_time', type: 'RESET' },
  {
    sql: "CALL iceberg.system.rollback_to_snapshot('s', 't', 1)",
    type: 'CALL',
    catalogs: ['iceberg'],
    schemas: ['iceberg.system'],
  },
  {
    sql: 'GRANT SELECT ON TABLE iceberg.s.t TO ROLE analyst',
    type: 'GRANT',
    ddl: true,
    tables: ['iceberg.s.t'],
  },
  { sql: 'REVOKE SELECT ON t FROM alice', type: 'REVOKE', tables: ['hive.web.t'] },
  { sql: 'START TRANSACTION ISOLATION LEVEL READ COMMITTED', type: 'START TRANSACTION' },
  { sql: 'COMMIT WORK', type: 'COMMIT' },
  { sql: 'ROLLBACK', type: 'ROLLBACK' },
  { sql: 'PREPARE q FROM SELECT * FROM t WHERE id = ?', type: 'PREPARE', ddl: false, tables: ['hive.web.t'] },
  { sql: 'DEALLOCATE PREPARE q', type: 'DEALLOCATE' },
  { sql: "EXECUTE IMMEDIATE 'DELETE FROM t WHERE id = 1'", type: 'DELETE', tables: ['hive.web.t'] },
  { sql: 'EXECUTE unknown_statement USING 1', type: 'EXECUTE', tables: [] },
  { sql: 'ANALYZE hive.web.events', type: 'OTHER', tables: ['hive.web.events'] },
];

describe('sqlFacts', () => {
  it.each(rows)('reads $sql as $type', ({ sql, type, tables, catalogs, schemas, ddl }) => {
    const facts = sqlFacts(sql, session);
    expect(facts.statementType).toBe(type);
    if (tables) expect(facts.tables).toEqual(tables);
    if (catalogs) expect(facts.catalogs).toEqual(catalogs);
    if (schemas) expect(facts.schemas).toEqual(schemas);
    if (ddl !== undefined) expect(facts.ddl).toBe(ddl);
  });

  it('derives catalogs and schemas from the tables', () => {
    const facts = sqlFacts(
      'SELECT * FROM iceberg.crm.c JOIN orders o ON 1 = 1 JOIN sales.x ON 1 = 1',
      session,
    );
    expect(facts.catalogs).toEqual(['iceberg', 'hive']);
    expect(facts.schemas).toEqual(['iceberg.crm', 'hive.web', 'hive.sales']);
  });

  it('leaves out unqualified tables when the session has no catalog or schema', () => {
    expect(sqlFacts('SELECT * FROM a JOIN s.b ON true JOIN c.s.d ON true', {}).tables).toEqual(['c.s.d']);
    expect(sqlFacts('SELECT * FROM a JOIN s.b ON true', { catalog: 'hive' }).tables).toEqual(['hive.s.b']);
  });

  it('resolves EXECUTE through the prepared statements, matching unquoted names in any case', () => {
    const prepared = new Map([['MyInsert', 'INSERT INTO iceberg.dw.t SELECT * FROM hive.raw.t']]);
    const facts = sqlFacts('EXECUTE myinsert USING 1', session, prepared);
    expect(facts).toMatchObject({ statementType: 'INSERT', tables: ['iceberg.dw.t', 'hive.raw.t'] });
    expect(sqlFacts('EXECUTE "myinsert"', session, prepared).statementType).toBe('EXECUTE');
  });

  it.each([
    '',
    '   ',
    'this is not sql',
    'SELECT * FROM',
    'SELECT * FROM ((((',
    ')))) FROM x',
    "SELECT 'unterminated",
    'SELECT "unterminated',
    'SELECT /* unterminated',
    'WITH',
    'WITH x AS',
    'CREATE',
    'EXPLAIN',
    'EXECUTE',
    'INSERT INTO',
    'SELECT * FROM a.',
    'U&',
    '\u0000\uffff\ud800',
  ])('never throws, even on %j', (sql) => {
    const facts = sqlFacts(sql, session, new Map([['x', 'EXECUTE x']]));
    expect(STATEMENT_TYPES).toContain(facts.statementType);
  });

  it('reports garbage as OTHER with whatever tables it could find', () => {
    expect(sqlFacts('FROBNICATE everything FROM known.table', session)).toMatchObject({
      statementType: 'OTHER',
      tables: ['hive.known.table'],
    });
  });
});

describe('lexSql', () => {
  it('folds unquoted words to lower case and keeps quoted identifiers as written', () => {
    const { kinds, texts } = lexSql('SeLeCt "Mixed ""Case""", \'a\'\'b\', U&\'x\' FROM t -- c\n/* d */');
    expect(texts).toEqual(['select', 'Mixed "Case"', ',', "a'b", ',', 'x', 'from', 't']);
    expect(kinds).toEqual([
      Tok.Word,
      Tok.Quoted,
      Tok.Punct,
      Tok.String,
      Tok.Punct,
      Tok.String,
      Tok.Word,
      Tok.Word,
    ]);
  });

  it('records the parenthesis depth of every token', () => {
    expect(lexSql('a ( b ( c ) ) d').depths).toEqual([0, 0, 1, 1, 2, 1, 0, 0]);
  });

  it('reads numbers with decimals and exponents as one token', () => {
    expect(lexSql('1.5e-3 .5 1_000 0x1F').texts).toEqual(['1.5e-3', '.5', '1_000', '0x1F']);
  });
});
