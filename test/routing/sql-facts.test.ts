import { describe, expect, it } from 'vitest';
import { MAX_ANALYZED_SQL_CHARS, STATEMENT_TYPES, sqlFacts } from '../../src/routing/sql-facts.js';

// The statement forms are SqlWalk's (sql-walk.test.ts), the relations RelationReader's (sql-relations.test.ts);
// here is sqlFacts' own contract: a default session, the bound on the text read, and never a throw.
const session = { catalog: 'hive', schema: 'web' };

describe('sqlFacts', () => {
  it('reads the statement with the session and the prepared statements', () => {
    const prepared = new Map([['q', 'DELETE FROM t']]);
    expect(sqlFacts('EXECUTE q', session, prepared)).toEqual({
      statementType: 'DELETE',
      ddl: false,
      catalogs: ['hive'],
      schemas: ['hive.web'],
      tables: ['hive.web.t'],
    });
  });

  it('has no session by default: unqualified names are left out', () => {
    expect(sqlFacts('SELECT * FROM a JOIN c.s.d ON true').tables).toEqual(['c.s.d']);
  });

  it('reads the first MAX_ANALYZED_SQL_CHARS characters, to the character', () => {
    // ' FROM x.y.z' ends exactly at the bound when the text before it is MAX - 11 characters long.
    const at = (n: number) => `SELECT 1${' '.repeat(n - 'SELECT 1'.length)} FROM x.y.z`;
    expect(sqlFacts(at(MAX_ANALYZED_SQL_CHARS - 11)).tables).toEqual(['x.y.z']);
    // One character later the cut leaves "x.y.", a two-part name that no session qualifies.
    expect(sqlFacts(at(MAX_ANALYZED_SQL_CHARS - 10)).tables).toEqual([]);
    expect(sqlFacts(at(MAX_ANALYZED_SQL_CHARS - 10), { catalog: 'c' }).tables).toEqual(['c.x.y']);
    const pad = ' '.repeat(MAX_ANALYZED_SQL_CHARS);
    const facts = sqlFacts(`SELECT * FROM hive.a.t1 ${pad} JOIN hive.b.t2 ON true`);
    expect(facts).toMatchObject({ statementType: 'SELECT', tables: ['hive.a.t1'] });
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
