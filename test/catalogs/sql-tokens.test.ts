import { describe, expect, it } from 'vitest';
import { tokenize, type Token } from '../../src/catalogs/sql-tokens.js';

const kinds = (sql: string) => tokenize(sql).map((t) => [t.kind, t.text]);

describe('tokenize', () => {
  it('splits words, punctuation, strings and quoted identifiers, with their spans', () => {
    const sql = `SELECT "a b", 'x' FROM t;`;
    const tokens = tokenize(sql);
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ['word', 'SELECT'],
      ['space', ''],
      ['quoted', '"a b"'],
      ['punct', ','],
      ['space', ''],
      ['string', "'x'"],
      ['space', ''],
      ['word', 'FROM'],
      ['space', ''],
      ['word', 't'],
      ['punct', ';'],
    ]);
    // Spans cover the text without gaps or overlaps.
    expect(tokens.map((t) => sql.slice(t.start, t.end)).join('')).toBe(sql);
    expect(tokens.every((t, i) => i === 0 || t.start === tokens[i - 1]!.end)).toBe(true);
  });

  it('keeps doubled quotes inside a literal or identifier (\'it\'\'s\', "a""b")', () => {
    expect(kinds(`'it''s' "a""b"`)).toEqual([
      ['string', "'it''s'"],
      ['space', ''],
      ['quoted', '"a""b"'],
    ]);
  });

  it('runs an unterminated literal, identifier or block comment to the end of the text', () => {
    expect(kinds("x = 'open ; DROP")).toEqual([
      ['word', 'x'],
      ['space', ''],
      ['punct', '='],
      ['space', ''],
      ['string', "'open ; DROP"],
    ]);
    expect(kinds('"open')).toEqual([['quoted', '"open']]);
    const c = tokenize('a /* never closed');
    expect(c.at(-1)).toMatchObject({ kind: 'comment', start: 2, end: 17 });
  });

  it('ends a line comment at the newline, which is whitespace of its own', () => {
    const t = tokenize("-- 'not a string\nb");
    expect(t.map((x) => x.kind)).toEqual(['comment', 'space', 'word']);
    expect(t[0]).toMatchObject({ start: 0, end: 16, text: '' });
    expect(t[2]!.text).toBe('b');
  });

  it('reads a single - or / as punctuation, not as a comment', () => {
    expect(kinds('a-b/c')).toEqual([
      ['word', 'a'],
      ['punct', '-'],
      ['word', 'b'],
      ['punct', '/'],
      ['word', 'c'],
    ]);
  });

  it('takes the U& and X prefixes as words of their own before the literal', () => {
    expect(kinds("U&'x' X'00'")).toEqual([
      ['word', 'U'],
      ['punct', '&'],
      ['string', "'x'"],
      ['space', ''],
      ['word', 'X'],
      ['string', "'00'"],
    ]);
  });

  it('counts _, $ and @ as word characters, and Unicode spaces as whitespace', () => {
    expect(kinds('a_$@1\u00a0\u2003\u3000b')).toEqual([
      ['word', 'a_$@1'],
      ['space', ''],
      ['word', 'b'],
    ]);
  });

  it('answers no tokens for an empty text', () => {
    expect(tokenize('')).toEqual<Token[]>([]);
  });
});
