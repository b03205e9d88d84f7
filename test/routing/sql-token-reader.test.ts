import { describe, expect, it } from 'vitest';
import { lexSql, Tok } from '../../src/routing/sql-lexer.js';
import {
  PUNCT,
  QUOTED,
  STRING,
  TokenReader,
  WORD,
  type Found,
  type Session,
} from '../../src/routing/sql-token-reader.js';

/** Reader opens TokenReader's protected helpers to the test, over one statement's tokens. */
class Reader extends TokenReader {
  readonly out: Found;
  constructor(sql: string, session: Session = {}) {
    const found: Found = { names: [], ctes: new Set(), catalogs: new Set(), schemas: new Set() };
    super(lexSql(sql), session, found);
    this.out = found;
  }
  nameAt = (i: number) => this.name(i);
  objectAt = (i: number) => this.object(i);
  addNameAt = (i: number) => this.addName(i);
  qualifyParts = (parts: string[]) => this.qualify(parts);
  schemaRefOf = (parts: string[] | undefined) => this.schemaRef(parts);
  catalogRefOf = (name: string | undefined) => this.catalogRef(name);
  identAt = (i: number) => this.ident(i);
  wordAt = (i: number) => this.word(i);
  punctAt = (i: number, p: string) => this.punct(i, p);
  skipIfExistsAt = (i: number) => this.skipIfExists(i);
  renameToAt = (i: number) => this.renameTo(i);
  isDistinctFromAt = (k: number) => this.isDistinctFrom(k);
  closeAt = (i: number) => this.close(i);
}

describe('token kinds', () => {
  it('are the lexer kinds', () => {
    expect([WORD, QUOTED, STRING, PUNCT]).toEqual([Tok.Word, Tok.Quoted, Tok.String, Tok.Punct]);
  });
});

describe('name', () => {
  it.each([
    ['t', ['t'], 1],
    ['s.t', ['s', 't'], 3],
    ['c.s.t x', ['c', 's', 't'], 5],
    ['"My ""T""".u', ['My "T"', 'u'], 3],
    ['Cat."Sch".T', ['cat', 'Sch', 't'], 5],
    // A dot not followed by an identifier ends the name before the dot.
    ['a.', ['a'], 1],
    ["a.'s'", ['a'], 1],
    ['a.5', ['a'], 1],
  ])('reads %j as %j ending at token %i', (sql, parts, next) => {
    expect(new Reader(sql).nameAt(0)).toEqual({ parts, next });
  });

  it('reads reserved words after a dot as parts (t.select is a name), but never first', () => {
    expect(new Reader('s.select').nameAt(0)?.parts).toEqual(['s', 'select']);
    expect(new Reader('select').nameAt(0)).toBeUndefined();
  });

  it('is undefined at a string, a number, punctuation and past the end', () => {
    for (const sql of ["'x'", '5', '(', '']) expect(new Reader(sql).nameAt(0)).toBeUndefined();
    expect(new Reader('t').nameAt(1)).toBeUndefined();
  });

  it('addName records the parts and returns the next index, or records nothing', () => {
    const r = new Reader('from a.b where');
    expect(r.addNameAt(1)).toBe(4);
    expect(r.addNameAt(0)).toBeUndefined();
    expect(r.out.names).toEqual([['a', 'b']]);
  });
});

describe('ident', () => {
  it.each(['from', 'select', 'join', 'table', 'with', 'values', 'unnest', 'json_table', 'current_user'])(
    'refuses the reserved word %s unquoted, takes it quoted',
    (w) => {
      expect(new Reader(w).identAt(0)).toBeUndefined();
      expect(new Reader(`"${w}"`).identAt(0)).toBe(w);
    },
  );

  it.each(['lateral', 'tables', 'schema', 'view', 'limit', 'data', 'date', 'if', 'rename'])(
    'takes the non-reserved word %s',
    (w) => expect(new Reader(w).identAt(0)).toBe(w),
  );

  it('refuses strings and numbers', () => {
    expect(new Reader("'t'").identAt(0)).toBeUndefined();
    expect(new Reader('42').identAt(0)).toBeUndefined();
  });
});

describe('object', () => {
  it.each([
    ['TABLE t', ['t'], 2],
    ['VIEW s.v', ['s', 'v'], 4],
    ['MATERIALIZED VIEW c.s.mv', ['c', 's', 'mv'], 7],
    ['TABLE IF EXISTS t', ['t'], 4],
    ['TABLE IF NOT EXISTS t', ['t'], 5],
  ])('reads %j', (sql, parts, next) => {
    expect(new Reader(sql).objectAt(0)).toEqual({ parts, next });
  });

  it('is undefined for other kinds and MATERIALIZED without VIEW', () => {
    for (const sql of ['SCHEMA s', 'FUNCTION f', 'MATERIALIZED t', 't']) {
      expect(new Reader(sql).objectAt(0)).toBeUndefined();
    }
  });
});

describe('skipIfExists', () => {
  it.each([
    ['IF EXISTS x', 2],
    ['IF NOT EXISTS x', 3],
    ['x', 0],
    // IF without EXISTS is left alone: "if" is then the name.
    ['IF x', 0],
    ['IF NOT x', 0],
  ])('skips %j to token %i', (sql, next) => expect(new Reader(sql).skipIfExistsAt(0)).toBe(next));
});

describe('qualify', () => {
  const full = new Reader('', { catalog: 'hive', schema: 'web' });
  const catalogOnly = new Reader('', { catalog: 'hive' });
  const none = new Reader('');

  it('keeps three parts whatever the session', () => {
    expect(none.qualifyParts(['c', 's', 't'])).toEqual(['c', 's', 't']);
  });

  it('adds the session catalog to two parts, and needs it', () => {
    expect(catalogOnly.qualifyParts(['s', 't'])).toEqual(['hive', 's', 't']);
    expect(none.qualifyParts(['s', 't'])).toBeUndefined();
  });

  it('adds catalog and schema to one part, and needs both', () => {
    expect(full.qualifyParts(['t'])).toEqual(['hive', 'web', 't']);
    expect(catalogOnly.qualifyParts(['t'])).toBeUndefined();
    expect(new Reader('', { schema: 'web' }).qualifyParts(['t'])).toBeUndefined();
  });

  it('refuses no parts and more than three', () => {
    expect(full.qualifyParts([])).toBeUndefined();
    expect(full.qualifyParts(['a', 'b', 'c', 'd'])).toBeUndefined();
  });
});

describe('schemaRef and catalogRef', () => {
  it('records a two-part schema and its catalog', () => {
    const r = new Reader('');
    r.schemaRefOf(['ice', 'sales']);
    expect([...r.out.catalogs]).toEqual(['ice']);
    expect([...r.out.schemas]).toEqual(['ice.sales']);
  });

  it('puts a one-part schema in the session catalog, or records nothing without one', () => {
    const r = new Reader('', { catalog: 'hive' });
    r.schemaRefOf(['x']);
    expect([...r.out.schemas]).toEqual(['hive.x']);
    const bare = new Reader('');
    bare.schemaRefOf(['x']);
    bare.schemaRefOf(undefined);
    bare.schemaRefOf(['a', 'b', 'c']);
    bare.catalogRefOf(undefined);
    expect(bare.out).toEqual({ names: [], ctes: new Set(), catalogs: new Set(), schemas: new Set() });
  });

  it('catalogRef records a catalog once', () => {
    const r = new Reader('');
    r.catalogRefOf('pg');
    r.catalogRefOf('pg');
    expect([...r.out.catalogs]).toEqual(['pg']);
  });
});

describe('keywords and punctuation', () => {
  it('word is the lower-cased text of a Word only', () => {
    const r = new Reader('SELECT "Q" \'s\' 1 (');
    expect([0, 1, 2, 3, 4, 5].map(r.wordAt)).toEqual([
      'select',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('punct matches the exact punctuation only', () => {
    const r = new Reader("( '(' x");
    expect(r.punctAt(0, '(')).toBe(true);
    expect(r.punctAt(0, ')')).toBe(false);
    expect(r.punctAt(1, '(')).toBe(false);
    expect(r.punctAt(2, 'x')).toBe(false);
  });

  it('renameTo needs RENAME followed by TO', () => {
    expect(new Reader('RENAME TO x').renameToAt(0)).toBe(true);
    expect(new Reader('RENAME x').renameToAt(0)).toBe(false);
    expect(new Reader('TO x').renameToAt(0)).toBe(false);
  });

  it('isDistinctFrom knows IS DISTINCT FROM and IS NOT DISTINCT FROM at the FROM', () => {
    expect(new Reader('a IS DISTINCT FROM b').isDistinctFromAt(3)).toBe(true);
    expect(new Reader('a IS NOT DISTINCT FROM b').isDistinctFromAt(4)).toBe(true);
    expect(new Reader('SELECT DISTINCT FROM b').isDistinctFromAt(2)).toBe(false);
    expect(new Reader('x FROM b').isDistinctFromAt(1)).toBe(false);
  });
});

describe('close', () => {
  it('finds the parenthesis closing the one at i, skipping nested ones', () => {
    //                 0 1 2 3 4 5 6 7 8
    const r = new Reader('( a ( b ) c ) d )');
    expect(r.closeAt(0)).toBe(6);
    expect(r.closeAt(2)).toBe(4);
  });

  it('is the end of the tokens when the parenthesis is never closed', () => {
    const r = new Reader('( a ( b )');
    expect(r.closeAt(0)).toBe(5);
  });
});
