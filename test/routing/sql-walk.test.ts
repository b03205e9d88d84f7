import { describe, expect, it } from 'vitest';
import type { SqlFacts, StatementType } from '../../src/routing/sql-facts.js';
import { lexSql } from '../../src/routing/sql-lexer.js';
import { SqlWalk, type Session } from '../../src/routing/sql-walk.js';

const session = { catalog: 'hive', schema: 'web' };
const walk = (sql: string, s: Session = session, prepared?: ReadonlyMap<string, string>): SqlFacts =>
  new SqlWalk(lexSql(sql), s, prepared).run();

interface Row {
  sql: string;
  type: StatementType;
  tables?: string[];
  catalogs?: string[];
  schemas?: string[];
  ddl?: boolean;
}

// The shapes of FROM lists, joins, subqueries, CTEs and TABLE(...) are RelationReader's (sql-relations.test.ts);
// these rows are the statement forms: the type, the DDL flag and the names each form takes.
const rows: Row[] = [
  { sql: 'SELECT 1', type: 'SELECT', ddl: false, tables: [] },
  { sql: 'select * from events', type: 'SELECT', tables: ['hive.web.events'] },
  { sql: 'SELECT * FROM Sales.Orders', type: 'SELECT', tables: ['hive.sales.orders'] },
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
  // A CTE hides only an unqualified name: s.x is a table even when x is a CTE.
  { sql: 'WITH x AS (SELECT 1) SELECT * FROM x, s.x', type: 'SELECT', tables: ['hive.s.x'] },
  { sql: 'WITH "X" AS (SELECT 1) SELECT * FROM x', type: 'SELECT', tables: [] },
  { sql: 'TABLE iceberg.s.t', type: 'SELECT', tables: ['iceberg.s.t'] },
  { sql: '(SELECT * FROM a) UNION (SELECT * FROM b)', type: 'SELECT', tables: ['hive.web.a', 'hive.web.b'] },
  { sql: 'VALUES (1, 2), (3, 4)', type: 'SELECT', tables: [] },
  // The same table twice is one table.
  { sql: 'SELECT * FROM t JOIN hive.web.t ON true', type: 'SELECT', tables: ['hive.web.t'] },
  {
    sql: 'INSERT INTO iceberg.dw.facts (a, b) SELECT a, b FROM hive.raw.facts',
    type: 'INSERT',
    ddl: false,
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
  { sql: 'CREATE SCHEMA IF NOT EXISTS s2', type: 'CREATE', catalogs: ['hive'], schemas: ['hive.s2'] },
  {
    sql: 'CREATE CATALOG pg USING postgresql WITH ("connection-url" = \'jdbc:x\')',
    type: 'CREATE',
    catalogs: ['pg'],
    schemas: [],
  },
  { sql: 'CREATE FUNCTION f() RETURNS int RETURN 1', type: 'CREATE', ddl: true, tables: [] },
  { sql: 'DROP TABLE IF EXISTS t', type: 'DROP', ddl: true, tables: ['hive.web.t'] },
  { sql: 'DROP MATERIALIZED VIEW s.mv', type: 'DROP', tables: ['hive.s.mv'] },
  { sql: 'DROP CATALOG IF EXISTS pg', type: 'DROP', catalogs: ['pg'] },
  { sql: 'DROP SCHEMA old CASCADE', type: 'DROP', schemas: ['hive.old'] },
  { sql: 'DROP SCHEMA IF EXISTS ice.old', type: 'DROP', catalogs: ['ice'], schemas: ['ice.old'] },
  { sql: 'ALTER TABLE t RENAME TO u', type: 'ALTER', ddl: true, tables: ['hive.web.t', 'hive.web.u'] },
  { sql: 'ALTER TABLE iceberg.a.t RENAME TO b.u', type: 'ALTER', tables: ['iceberg.a.t', 'iceberg.b.u'] },
  { sql: 'ALTER TABLE iceberg.a.t RENAME TO c.b.u', type: 'ALTER', tables: ['iceberg.a.t', 'c.b.u'] },
  { sql: 'ALTER VIEW IF EXISTS a.v RENAME TO w', type: 'ALTER', tables: ['hive.a.v', 'hive.a.w'] },
  { sql: 'ALTER TABLE t ADD COLUMN c int', type: 'ALTER', tables: ['hive.web.t'] },
  {
    sql: 'ALTER SCHEMA ice.a RENAME TO b',
    type: 'ALTER',
    ddl: true,
    catalogs: ['ice'],
    schemas: ['ice.a', 'ice.b'],
  },
  { sql: 'ALTER SCHEMA a RENAME TO b', type: 'ALTER', schemas: ['hive.a', 'hive.b'] },
  { sql: 'ALTER SCHEMA a SET AUTHORIZATION bob', type: 'ALTER', schemas: ['hive.a'] },
  { sql: 'TRUNCATE TABLE t', type: 'DDL', ddl: true, tables: ['hive.web.t'] },
  { sql: "COMMENT ON COLUMN iceberg.s.t.c IS 'x'", type: 'DDL', tables: ['iceberg.s.t'] },
  { sql: "COMMENT ON COLUMN c IS 'x'", type: 'DDL', tables: [] },
  { sql: "COMMENT ON TABLE s.t IS 'x'", type: 'DDL', tables: ['hive.s.t'] },
  { sql: "COMMENT ON VIEW v IS 'x'", type: 'DDL', tables: ['hive.web.v'] },
  { sql: "COMMENT ON SCHEMA ice.s IS 'x'", type: 'DDL', tables: [], schemas: ['ice.s'] },
  { sql: 'REFRESH MATERIALIZED VIEW ice.s.mv', type: 'DDL', ddl: true, tables: ['ice.s.mv'] },
  {
    sql: 'SHOW TABLES FROM iceberg.sales',
    type: 'SHOW',
    ddl: false,
    catalogs: ['iceberg'],
    schemas: ['iceberg.sales'],
  },
  { sql: 'SHOW TABLES IN sales', type: 'SHOW', schemas: ['hive.sales'] },
  { sql: 'SHOW TABLES', type: 'SHOW', catalogs: ['hive'], schemas: ['hive.web'] },
  { sql: 'SHOW FUNCTIONS FROM ice.s', type: 'SHOW', schemas: ['ice.s'] },
  { sql: 'SHOW FUNCTIONS', type: 'SHOW', catalogs: [], schemas: [] },
  { sql: 'SHOW SCHEMAS FROM pg', type: 'SHOW', catalogs: ['pg'] },
  { sql: 'SHOW SCHEMAS', type: 'SHOW', catalogs: ['hive'], schemas: [] },
  { sql: 'SHOW COLUMNS FROM t', type: 'SHOW', tables: ['hive.web.t'] },
  { sql: 'SHOW COLUMNS t', type: 'SHOW', tables: [] },
  { sql: 'SHOW CREATE TABLE ice.s.t', type: 'SHOW', tables: ['ice.s.t'] },
  { sql: 'SHOW CREATE MATERIALIZED VIEW mv', type: 'SHOW', tables: ['hive.web.mv'] },
  { sql: 'SHOW CREATE SCHEMA ice.s', type: 'SHOW', tables: [], schemas: ['ice.s'] },
  { sql: 'SHOW STATS FOR ice.s.t', type: 'SHOW', tables: ['ice.s.t'] },
  { sql: 'SHOW STATS FOR (SELECT * FROM t WHERE a = 1)', type: 'SHOW', tables: ['hive.web.t'] },
  { sql: 'SHOW GRANTS ON TABLE ice.s.t', type: 'SHOW', tables: ['ice.s.t'] },
  { sql: 'SHOW CATALOGS', type: 'SHOW', catalogs: [] },
  { sql: 'DESCRIBE iceberg.s.t', type: 'DESCRIBE', ddl: false, tables: ['iceberg.s.t'] },
  { sql: 'DESC t', type: 'DESCRIBE', tables: ['hive.web.t'] },
  { sql: 'DESCRIBE OUTPUT my_query', type: 'DESCRIBE', tables: [] },
  { sql: 'DESCRIBE INPUT my_query', type: 'DESCRIBE', tables: [] },
  { sql: 'EXPLAIN SELECT * FROM t', type: 'EXPLAIN', tables: ['hive.web.t'] },
  {
    sql: 'EXPLAIN ANALYZE VERBOSE INSERT INTO a SELECT * FROM b',
    type: 'EXPLAIN',
    ddl: false,
    tables: ['hive.web.a', 'hive.web.b'],
  },
  // EXPLAIN of DDL is no DDL: nothing changes.
  { sql: 'EXPLAIN DROP TABLE t', type: 'EXPLAIN', ddl: false, tables: ['hive.web.t'] },
  { sql: 'EXPLAIN (TYPE DISTRIBUTED, FORMAT JSON) DELETE FROM t', type: 'EXPLAIN', tables: ['hive.web.t'] },
  { sql: 'USE iceberg.sales', type: 'USE', catalogs: ['iceberg'], schemas: ['iceberg.sales'] },
  { sql: 'USE sales', type: 'USE', catalogs: ['hive'], schemas: ['hive.sales'] },
  { sql: "SET SESSION query_max_run_time = '1h'", type: 'SET', ddl: false },
  { sql: 'RESET SESSION query_max_run_time', type: 'RESET' },
  {
    sql: "CALL iceberg.system.rollback_to_snapshot('s', 't', 1)",
    type: 'CALL',
    catalogs: ['iceberg'],
    schemas: ['iceberg.system'],
  },
  { sql: 'CALL system.p()', type: 'CALL', catalogs: ['hive'], schemas: ['hive.system'] },
  { sql: 'CALL p()', type: 'CALL', catalogs: ['hive'], schemas: ['hive.web'] },
  {
    sql: 'GRANT SELECT ON TABLE iceberg.s.t TO ROLE analyst',
    type: 'GRANT',
    ddl: true,
    tables: ['iceberg.s.t'],
  },
  { sql: 'GRANT ALL PRIVILEGES ON SCHEMA ice.s TO alice', type: 'GRANT', tables: [], schemas: ['ice.s'] },
  { sql: 'GRANT analyst TO USER alice', type: 'GRANT', tables: [], schemas: [] },
  { sql: 'REVOKE SELECT ON t FROM alice', type: 'REVOKE', ddl: true, tables: ['hive.web.t'] },
  { sql: 'DENY DELETE ON VIEW s.v TO bob', type: 'DDL', ddl: true, tables: ['hive.s.v'] },
  { sql: 'START TRANSACTION ISOLATION LEVEL READ COMMITTED', type: 'START TRANSACTION', ddl: false },
  { sql: 'START x', type: 'OTHER' },
  { sql: 'COMMIT WORK', type: 'COMMIT' },
  { sql: 'ROLLBACK', type: 'ROLLBACK' },
  { sql: 'PREPARE q FROM SELECT * FROM t WHERE id = ?', type: 'PREPARE', ddl: false, tables: ['hive.web.t'] },
  { sql: 'PREPARE q FROM DROP TABLE t', type: 'PREPARE', ddl: false, tables: ['hive.web.t'] },
  { sql: 'DEALLOCATE PREPARE q', type: 'DEALLOCATE' },
  { sql: "EXECUTE IMMEDIATE 'DELETE FROM t WHERE id = 1'", type: 'DELETE', tables: ['hive.web.t'] },
  { sql: "EXECUTE IMMEDIATE 'DROP TABLE t'", type: 'DROP', ddl: true, tables: ['hive.web.t'] },
  { sql: 'EXECUTE unknown_statement USING 1', type: 'EXECUTE', ddl: false, tables: [] },
  { sql: 'ANALYZE hive.web.events', type: 'OTHER', ddl: false, tables: ['hive.web.events'] },
  { sql: '((SELECT * FROM t))', type: 'SELECT', tables: ['hive.web.t'] },
];

describe('statement forms', () => {
  it.each(rows)('reads $sql as $type', ({ sql, type, tables, catalogs, schemas, ddl }) => {
    const facts = walk(sql);
    expect(facts.statementType).toBe(type);
    if (tables) expect(facts.tables).toEqual(tables);
    if (catalogs) expect(facts.catalogs).toEqual(catalogs);
    if (schemas) expect(facts.schemas).toEqual(schemas);
    if (ddl !== undefined) expect(facts.ddl).toBe(ddl);
  });
});

describe('qualification', () => {
  it('derives catalogs and schemas from the tables, in order of appearance', () => {
    const facts = walk('SELECT * FROM iceberg.crm.c JOIN orders o ON 1 = 1 JOIN sales.x ON 1 = 1');
    expect(facts.catalogs).toEqual(['iceberg', 'hive']);
    expect(facts.schemas).toEqual(['iceberg.crm', 'hive.web', 'hive.sales']);
  });

  it('leaves out names the session cannot qualify', () => {
    expect(walk('SELECT * FROM a JOIN s.b ON true JOIN c.s.d ON true', {}).tables).toEqual(['c.s.d']);
    expect(walk('SELECT * FROM a JOIN s.b ON true', { catalog: 'hive' }).tables).toEqual(['hive.s.b']);
    // RENAME TO needs the source qualified to place the target.
    expect(walk('ALTER TABLE t RENAME TO u', {}).tables).toEqual([]);
    expect(walk('SHOW TABLES', { catalog: 'hive' }).schemas).toEqual([]);
  });
});

describe('EXECUTE', () => {
  const prepared = new Map([
    ['MyInsert', 'INSERT INTO iceberg.dw.t SELECT * FROM hive.raw.t'],
    ['a', 'EXECUTE b'],
    ['b', 'SELECT * FROM ice.s.deep'],
    ['c', 'EXECUTE a'],
    ['self', 'EXECUTE self'],
  ]);

  it('reports the prepared statement, matching an unquoted name in any case', () => {
    expect(walk('EXECUTE myinsert USING 1', session, prepared)).toMatchObject({
      statementType: 'INSERT',
      tables: ['iceberg.dw.t', 'hive.raw.t'],
    });
    expect(walk('EXECUTE MYINSERT', session, prepared).statementType).toBe('INSERT');
  });

  it('matches a quoted name exactly', () => {
    expect(walk('EXECUTE "MyInsert"', session, prepared).statementType).toBe('INSERT');
    expect(walk('EXECUTE "myinsert"', session, prepared).statementType).toBe('EXECUTE');
  });

  it('stays EXECUTE without prepared statements', () => {
    expect(walk('EXECUTE myinsert', session)).toMatchObject({ statementType: 'EXECUTE', tables: [] });
  });

  it('follows an EXECUTE in a prepared statement once, and stops at the next', () => {
    expect(walk('EXECUTE a', session, prepared)).toMatchObject({
      statementType: 'SELECT',
      tables: ['ice.s.deep'],
    });
    expect(walk('EXECUTE c', session, prepared)).toMatchObject({ statementType: 'EXECUTE', tables: [] });
    expect(walk('EXECUTE self', session, prepared).statementType).toBe('EXECUTE');
  });

  it('resolves EXECUTE IMMEDIATE without prepared statements, and needs a string', () => {
    expect(walk("EXECUTE IMMEDIATE 'SHOW TABLES FROM ice.s'").schemas).toEqual(['ice.s']);
    expect(walk('EXECUTE IMMEDIATE x').statementType).toBe('EXECUTE');
  });
});
