import { describe, expect, it } from 'vitest';
import { lexSql, Tok } from '../../src/routing/sql-lexer.js';

const NAMES = Object.fromEntries(Object.entries(Tok).map(([k, v]) => [v, k]));

/** tokens renders lexSql's parallel arrays as `Kind:text` strings, the depth appended when above zero. */
function tokens(sql: string): string[] {
  const t = lexSql(sql);
  expect(t.texts).toHaveLength(t.kinds.length);
  expect(t.depths).toHaveLength(t.kinds.length);
  return t.kinds.map((k, i) => `${NAMES[k]}:${t.texts[i]}${t.depths[i] ? `@${t.depths[i]}` : ''}`);
}

describe('lexSql', () => {
  it.each([
    ['', []],
    ['  \t\r\n\u00a0\ufeff ', []],
    ['SELECT Foo_1', ['Word:select', 'Word:foo_1']],
    ['Straße', ['Word:straße']],
    ['SELECT \u0130x', ['Word:select', 'Word:i\u0307x']],
    ['"My ""Table"""', ['Quoted:My "Table"']],
    ['`back`', ['Quoted:back']],
    ["'it''s'", ["String:it's"]],
    ["U&'caf\\00E9'", ['String:caf\\00E9']],
    ['u&"Ident"', ['Quoted:Ident']],
    ['U&x', ['Word:u', 'Punct:&', 'Word:x']],
    ["'unterminated", ['String:unterminated']],
    ['"unterminated', ['Quoted:unterminated']],
    [
      '1 2.5 .5 1e10 1.5e-3 2E+7',
      ['Number:1', 'Number:2.5', 'Number:.5', 'Number:1e10', 'Number:1.5e-3', 'Number:2E+7'],
    ],
    ['x-1', ['Word:x', 'Punct:-', 'Number:1']],
    ['a -- comment\nb', ['Word:a', 'Word:b']],
    ['a -- comment to the end', ['Word:a']],
    ['a /* block -- */ b', ['Word:a', 'Word:b']],
    ['a /* /* not nesting */ b */', ['Word:a', 'Word:b', 'Punct:*', 'Punct:/']],
    ['a /* unterminated', ['Word:a']],
    ['\'-- no comment\' "/* none */"', ['String:-- no comment', 'Quoted:/* none */']],
    ['a<>b', ['Word:a', 'Punct:<', 'Punct:>', 'Word:b']],
  ])('lexes %j', (sql, want) => {
    expect(tokens(sql)).toEqual(want);
  });

  it.each([
    [
      'f((a), b)',
      ['Word:f', 'Punct:(', 'Punct:(@1', 'Word:a@2', 'Punct:)@1', 'Punct:,@1', 'Word:b@1', 'Punct:)'],
    ],
    ['a) b', ['Word:a', 'Punct:)', 'Word:b']],
    ['(a', ['Punct:(', 'Word:a@1']],
  ])('gives each token its parenthesis depth, never below zero: %j', (sql, want) => {
    expect(tokens(sql)).toEqual(want);
  });

  it('never throws, whatever the text', () => {
    for (const sql of ['\u0000', '\ud800', "U&'", 'U&', '"', "'", '/*', '--', '.', 'e+', ')'.repeat(50)])
      expect(() => lexSql(sql)).not.toThrow();
  });
});

describe('lexSql on a whole statement', () => {
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
