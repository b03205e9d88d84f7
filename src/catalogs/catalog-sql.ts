/**
 * SQL text for catalog broadcast (Trino's `CREATE CATALOG name USING connector WITH (...)` and
 * `DROP CATALOG name`), and redaction of secret property values out of such text before it is logged
 * or shown. Inputs are validated by identifiers.ts first; everything is still quoted/escaped here so a
 * missed validation cannot become SQL injection.
 */

/** Trino's reserved keywords (docs: language/reserved.html); as identifiers they must be double-quoted. */
const RESERVED = new Set(
  (
    'ALTER AND AS AUTO BETWEEN BY CASE CAST CONSTRAINT CREATE CROSS CUBE CURRENT_CATALOG CURRENT_DATE ' +
    'CURRENT_PATH CURRENT_ROLE CURRENT_SCHEMA CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEALLOCATE DELETE ' +
    'DESCRIBE DISTINCT DROP ELSE END ESCAPE EXCEPT EXECUTE EXISTS EXTRACT FALSE FOR FROM FULL GROUP GROUPING ' +
    'HAVING IN INNER INSERT INTERSECT INTO IS JOIN JSON_ARRAY JSON_EXISTS JSON_OBJECT JSON_QUERY JSON_TABLE ' +
    'JSON_VALUE LEFT LIKE LISTAGG LOCALTIME LOCALTIMESTAMP NATURAL NORMALIZE NOT NULL ON OR ORDER OUTER ' +
    'PREPARE RECURSIVE RIGHT ROLLUP SELECT SKIP TABLE THEN TRIM TRUE UESCAPE UNION UNNEST USING VALUES WHEN ' +
    'WHERE WITH'
  ).split(' '),
);

/** quoteIdentifier always double-quotes, doubling embedded `"`. */
function quoteIdentifier(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * identifier writes a catalog or connector name: bare when it is a plain lower-case identifier that is not
 * a reserved word (the usual case, and what Trino echoes back), double-quoted otherwise.
 */
function identifier(s: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(s) && !RESERVED.has(s.toUpperCase()) ? s : quoteIdentifier(s);
}

/** stringLiteral writes a SQL string literal, doubling embedded `'`. */
function stringLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** createCatalogSql → `CREATE CATALOG name USING connector WITH ("k" = 'v', ...)` (no WITH when empty). */
export function createCatalogSql(name: string, connector: string, props: Record<string, string>): string {
  const entries = Object.entries(props);
  const head = `CREATE CATALOG ${identifier(name)} USING ${identifier(connector)}`;
  if (entries.length === 0) return head;
  return `${head} WITH (${entries.map(([k, v]) => `${quoteIdentifier(k)} = ${stringLiteral(v)}`).join(', ')})`;
}

/** dropCatalogSql → `DROP CATALOG name`. */
export function dropCatalogSql(name: string): string {
  return `DROP CATALOG ${identifier(name)}`;
}

// ---- redaction ----

type TokenKind = 'space' | 'comment' | 'string' | 'quoted' | 'word' | 'punct';
interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
}

/**
 * tokenize splits SQL into whitespace, comments (`--` to end of line, `/* *\/`), string literals (`'…'`
 * with `''`, including the `U&'…'`/`X'…'` prefixes as separate words), quoted identifiers (`"…"` with
 * `""`), words and single punctuation characters. An unterminated literal, identifier or comment runs to
 * the end of the text, so nothing after an opening quote is ever taken for structure.
 */
function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    out.push({ kind, start: i, end, text: sql.slice(i, end) });
    i = end;
  };
  const quotedEnd = (q: string): number => {
    let j = i + 1;
    for (;;) {
      const k = sql.indexOf(q, j);
      if (k < 0) return sql.length;
      if (sql[k + 1] === q) j = k + 2;
      else return k + 1;
    }
  };
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /\s/.test(sql[j])) j++;
      push('space', j);
    } else if (c === '-' && sql[i + 1] === '-') {
      const k = sql.indexOf('\n', i);
      push('comment', k < 0 ? sql.length : k);
    } else if (c === '/' && sql[i + 1] === '*') {
      const k = sql.indexOf('*/', i + 2);
      push('comment', k < 0 ? sql.length : k + 2);
    } else if (c === "'") push('string', quotedEnd("'"));
    else if (c === '"') push('quoted', quotedEnd('"'));
    else if (/[A-Za-z0-9_$@]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$@]/.test(sql[j])) j++;
      push('word', j);
    } else push('punct', i + 1);
  }
  return out;
}

/** identifierText gives an identifier's name: quoted ones unquoted, bare ones as written. */
function identifierText(t: Token): string {
  return t.kind === 'quoted'
    ? t.text.slice(1, t.text.endsWith('"') ? -1 : undefined).replace(/""/g, '"')
    : t.text;
}

/**
 * redactCatalogSql replaces the value of every secret property of each CREATE CATALOG statement in `sql`
 * with `'***'` (the whole value expression, up to the next top-level `,` or `)`), keeping everything else
 * byte for byte. Other statements are returned unchanged. When the property list cannot be parsed, every
 * string literal from that point on is redacted: leaking is worse than over-redacting.
 */
export function redactCatalogSql(sql: string, isSecretKey: (key: string) => boolean): string {
  const tokens = tokenize(sql);
  const sig = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const spans: Array<[number, number]> = [];
  let s = 0;
  while (s < sig.length) {
    let e = s;
    let depth = 0;
    while (e < sig.length && !(depth === 0 && sig[e].text === ';')) {
      if (sig[e].text === '(') depth++;
      else if (sig[e].text === ')') depth = Math.max(0, depth - 1);
      e++;
    }
    redactStatement(sig.slice(s, e), isSecretKey, spans);
    s = e + 1;
  }
  if (spans.length === 0) return sql;
  let out = '';
  let pos = 0;
  for (const [a, b] of spans.sort((x, y) => x[0] - y[0])) {
    if (a < pos) continue;
    out += sql.slice(pos, a) + "'***'";
    pos = b;
  }
  return out + sql.slice(pos);
}

function redactStatement(
  st: Token[],
  isSecretKey: (key: string) => boolean,
  spans: Array<[number, number]>,
): void {
  const kw = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toUpperCase() === w;
  if (!kw(st[0], 'CREATE') || !kw(st[1], 'CATALOG')) return;
  // The property list follows the first top-level WITH (COMMENT literals are string tokens, never WITH).
  let i = 2;
  while (i < st.length && !kw(st[i], 'WITH')) i++;
  if (i >= st.length) return;
  i++;
  const redactRest = (from: number) => {
    for (let k = from; k < st.length; k++) if (st[k].kind === 'string') spans.push([st[k].start, st[k].end]);
  };
  if (st[i]?.text !== '(') return redactRest(i);
  i++;
  while (i < st.length) {
    // key: everything up to `=` (quoted identifiers, or bare words joined by `.`/`-`)
    let key = '';
    const keyStart = i;
    while (i < st.length && st[i].text !== '=' && st[i].text !== ',' && st[i].text !== ')') {
      if (st[i].kind === 'string') return redactRest(keyStart);
      key += identifierText(st[i]);
      i++;
    }
    if (st[i]?.text !== '=' || key === '') return redactRest(keyStart);
    i++;
    // value: up to the next top-level `,` or the closing `)`
    const valueStart = i;
    let depth = 0;
    while (i < st.length && !(depth === 0 && (st[i].text === ',' || st[i].text === ')'))) {
      if (st[i].text === '(') depth++;
      else if (st[i].text === ')') depth--;
      i++;
    }
    if (i > valueStart && isSecretKey(key)) spans.push([st[valueStart].start, st[i - 1].end]);
    if (i >= st.length) return; // unterminated list: the value (if secret) ran to the end and is redacted
    if (st[i].text === ')') return redactRest(i + 1);
    i++;
  }
}
