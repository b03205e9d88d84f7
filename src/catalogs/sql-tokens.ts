/**
 * A small SQL tokenizer for redaction: whitespace, comments (`--` to end of line, `/* *\/`), string
 * literals (`'…'` with `''`; the `U&`/`X` prefixes are separate words), quoted identifiers (`"…"` with
 * `""`), words and single punctuation characters. An unterminated literal, identifier or comment runs to
 * the end of the text, so nothing after an opening quote is ever taken for structure. One pass over char
 * codes; linear in the text.
 */
export type TokenKind = 'space' | 'comment' | 'string' | 'quoted' | 'word' | 'punct';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
}

const isSpace = (c: number) =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0xfeff ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x3000 ||
  c === 0x1680 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x85;

/** Word characters: ASCII letters, digits, `_`, `$`, `@`. */
const isWord = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 64;

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  const quotedEnd = (q: string): number => {
    let j = i + 1;
    for (;;) {
      const k = sql.indexOf(q, j);
      if (k < 0) return n;
      if (sql[k + 1] === q) j = k + 2;
      else return k + 1;
    }
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    let kind: TokenKind;
    let end: number;
    if (isSpace(c)) {
      end = i + 1;
      while (end < n && isSpace(sql.charCodeAt(end))) end++;
      kind = 'space';
    } else if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      const k = sql.indexOf('\n', i);
      end = k < 0 ? n : k;
      kind = 'comment';
    } else if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      const k = sql.indexOf('*/', i + 2);
      end = k < 0 ? n : k + 2;
      kind = 'comment';
    } else if (c === 39 /* ' */) {
      end = quotedEnd("'");
      kind = 'string';
    } else if (c === 34 /* " */) {
      end = quotedEnd('"');
      kind = 'quoted';
    } else if (isWord(c)) {
      end = i + 1;
      while (end < n && isWord(sql.charCodeAt(end))) end++;
      kind = 'word';
    } else {
      end = i + 1;
      kind = 'punct';
    }
    // Whitespace and comments never need their text.
    out.push({ kind, start: i, end, text: kind === 'space' || kind === 'comment' ? '' : sql.slice(i, end) });
    i = end;
  }
  return out;
}
