/**
 * Redaction of catalog secrets out of SQL text before it is stored or shown. Catalog properties reach a
 * cluster in `CREATE CATALOG … WITH (k = v, …)` wherever that statement stands: on its own, after EXPLAIN
 * [ANALYZE], in `PREPARE p FROM …`, or inside a string literal run by `EXECUTE IMMEDIATE '…'` (what JDBC
 * prepared statements send); and in `ALTER CATALOG … SET PROPERTIES k = v`. Secrets also hide inside values
 * whose key is not secret (`connection-url = 'jdbc:…?password=…'`, `http://user:pass@host`).
 * Cost is linear in the text (one pass of a char-code tokenizer); callers bound the text first.
 */
import { scrubEmbeddedSecrets } from './embedded-secrets.js';
import { tokenize, type Token } from './sql-tokens.js';

export interface Redaction {
  /** The text with every secret value replaced by `'***'`. */
  text: string;
  /** The secret values removed (literal contents), so a cluster's error text echoing one can be scrubbed. */
  secrets: string[];
}

const CATALOG = /catalog/i;
/** How deep string literals holding SQL are followed (EXECUTE IMMEDIATE of EXECUTE IMMEDIATE …). */
const MAX_DEPTH = 3;

/** redactCatalogSql is redactSqlSecrets for callers that need only the text. */
export function redactCatalogSql(sql: string, isSecretKey: (key: string) => boolean): string {
  return redactSqlSecrets(sql, isSecretKey).text;
}

/**
 * redactSqlSecrets replaces secret values in every statement that names a catalog (the word CATALOG outside
 * comments), keeping everything else byte for byte. Text that never mentions "catalog" is returned as it is.
 * When a property list cannot be parsed, every string literal from that point on is redacted: leaking is
 * worse than over-redacting.
 */
export function redactSqlSecrets(sql: string, isSecretKey: (key: string) => boolean, depth = 0): Redaction {
  const secrets: string[] = [];
  if (!CATALOG.test(sql)) return { text: sql, secrets };
  const sig = tokenize(sql).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const edits = new Map<number, { end: number; text: string }>();
  let s = 0;
  while (s < sig.length) {
    let e = s;
    let depthParen = 0;
    while (e < sig.length && !(depthParen === 0 && sig[e].text === ';')) {
      if (sig[e].text === '(') depthParen++;
      else if (sig[e].text === ')') depthParen = Math.max(0, depthParen - 1);
      e++;
    }
    redactStatement(sig.slice(s, e), isSecretKey, depth, edits, secrets);
    s = e + 1;
  }
  if (edits.size === 0) return { text: sql, secrets };
  let out = '';
  let pos = 0;
  for (const [a, { end, text }] of [...edits].sort((x, y) => x[0] - y[0])) {
    if (a < pos) continue;
    out += sql.slice(pos, a) + text;
    pos = end;
  }
  return { text: out + sql.slice(pos), secrets };
}

type Edits = Map<number, { end: number; text: string }>;

const kw = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toUpperCase() === w;

function redactStatement(
  st: Token[],
  isSecretKey: (key: string) => boolean,
  depth: number,
  edits: Edits,
  secrets: string[],
): void {
  if (
    !st.some((t) => (t.kind === 'word' && kw(t, 'CATALOG')) || (t.kind === 'string' && CATALOG.test(t.text)))
  )
    return;
  const mask = (a: Token, b: Token) => {
    for (const t of st)
      if (t.start >= a.start && t.end <= b.end && t.kind === 'string') secrets.push(literalText(t));
    edits.set(a.start, { end: b.end, text: "'***'" });
  };
  const maskFrom = (from: number) => {
    for (let k = from; k < st.length; k++) if (st[k].kind === 'string') mask(st[k], st[k]);
  };
  for (let i = 0; i < st.length; i++) {
    if (kw(st[i], 'CATALOG') && kw(st[i - 1], 'CREATE'))
      createCatalog(st, i + 1, isSecretKey, mask, maskFrom);
    else if (kw(st[i], 'PROPERTIES') && kw(st[i - 1], 'SET')) propertyPairs(st, i + 1, isSecretKey, mask);
  }
  // Literals not masked as a whole: SQL inside (EXECUTE IMMEDIATE) is redacted in turn, and any value may
  // carry a password of its own (a JDBC URL).
  for (const t of st) {
    if (t.kind !== 'string' || edits.has(t.start)) continue;
    const inner = literalText(t);
    const nested =
      depth < MAX_DEPTH ? redactSqlSecrets(inner, isSecretKey, depth + 1) : { text: inner, secrets: [] };
    secrets.push(...nested.secrets);
    const scrubbed = scrubEmbeddedSecrets(nested.text, isSecretKey, secrets);
    if (scrubbed !== inner) edits.set(t.start, { end: t.end, text: `'${scrubbed.replace(/'/g, "''")}'` });
  }
}

/** createCatalog masks the secret values of the property list after the statement's first WITH. */
function createCatalog(
  st: Token[],
  from: number,
  isSecretKey: (key: string) => boolean,
  mask: (a: Token, b: Token) => void,
  maskFrom: (from: number) => void,
): void {
  let i = from;
  while (i < st.length && !kw(st[i], 'WITH')) i++;
  if (i >= st.length) return;
  i++;
  if (st[i]?.text !== '(') return maskFrom(i);
  i++;
  while (i < st.length) {
    // key: everything up to `=` (quoted identifiers, or bare words joined by `.`/`-`)
    let key = '';
    const keyStart = i;
    while (i < st.length && st[i].text !== '=' && st[i].text !== ',' && st[i].text !== ')') {
      if (st[i].kind === 'string') return maskFrom(keyStart);
      key += identifierText(st[i]);
      i++;
    }
    if (st[i]?.text !== '=' || key === '') return maskFrom(keyStart);
    i++;
    const valueStart = i;
    i = valueEnd(st, i);
    if (i > valueStart && isSecretKey(key)) mask(st[valueStart], st[i - 1]);
    if (i >= st.length) return; // unterminated list: the value (if secret) ran to the end and is masked
    if (st[i].text === ')') return maskFrom(i + 1);
    i++;
  }
}

/** propertyPairs masks secret values of `k = v, k2 = v2` (ALTER CATALOG … SET PROPERTIES). */
function propertyPairs(
  st: Token[],
  from: number,
  isSecretKey: (key: string) => boolean,
  mask: (a: Token, b: Token) => void,
): void {
  let i = from;
  while (i < st.length) {
    let key = '';
    while (i < st.length && st[i].text !== '=' && st[i].text !== ',') key += identifierText(st[i++]);
    if (st[i]?.text !== '=') return;
    const valueStart = ++i;
    i = valueEnd(st, i);
    if (i > valueStart && isSecretKey(key)) mask(st[valueStart], st[i - 1]);
    i++;
  }
}

/** valueEnd: index of the next top-level `,` or unmatched `)` from i (or the end). */
function valueEnd(st: Token[], i: number): number {
  let depth = 0;
  while (i < st.length && !(depth === 0 && (st[i].text === ',' || st[i].text === ')'))) {
    if (st[i].text === '(') depth++;
    else if (st[i].text === ')') depth--;
    i++;
  }
  return i;
}

/** identifierText gives an identifier's name: quoted ones unquoted, bare ones as written. */
function identifierText(t: Token): string {
  return t.kind === 'quoted'
    ? t.text.slice(1, t.text.endsWith('"') || t.text.length === 1 ? -1 : undefined).replace(/""/g, '"')
    : t.text;
}

/** literalText: a string literal's content, quotes removed and `''` undoubled (unterminated: to the end). */
function literalText(t: Token): string {
  const closed = t.text.length > 1 && t.text.endsWith("'");
  return t.text.slice(1, closed ? -1 : undefined).replace(/''/g, "'");
}
