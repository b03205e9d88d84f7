import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { sqlFacts, type SqlFacts } from './sql-facts.js';

/**
 * RequestFacts is what routing rules may look at for one new query: built once per submission from the
 * HTTP request and the principal. The SQL is analysed lazily, at most once, and only when a rule asks for
 * a fact that needs it (statementType, catalogs, schemas, tables).
 */
export class RequestFacts {
  /** The authenticated user (the principal's name, never a client header). */
  readonly user: string;
  /** Routing groups the principal may use. */
  readonly groups: readonly string[];
  /** X-Trino-Source (or X-Presto-Source). */
  readonly source: string | undefined;
  /** X-Trino-Client-Tags, split on ',' and trimmed, empty tags dropped. */
  readonly clientTags: readonly string[];
  /** X-Trino-Client-Info. */
  readonly clientInfo: string | undefined;
  /** Session catalog and schema (X-Trino-Catalog, X-Trino-Schema). */
  readonly catalog: string | undefined;
  readonly schema: string | undefined;
  /** Every request header, by lower-cased name; repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  /** The statement text as submitted. */
  readonly sqlText: string;
  private preparedCache: ReadonlyMap<string, string> | undefined;
  private sqlCache: SqlFacts | undefined;

  constructor(headers: Readonly<Record<string, string>>, principal: Principal, sqlText: string) {
    this.headers = headers;
    this.user = principal.name;
    this.groups = principal.groups;
    this.source = trinoHeader(headers, 'source');
    this.clientTags = splitTags(trinoHeader(headers, 'client-tags'));
    this.clientInfo = trinoHeader(headers, 'client-info');
    this.catalog = trinoHeader(headers, 'catalog');
    this.schema = trinoHeader(headers, 'schema');
    this.sqlText = sqlText;
  }

  /** Prepared statements from X-Trino-Prepared-Statement (name=urlencoded-sql,...), parsed on first use. */
  get preparedStatements(): ReadonlyMap<string, string> {
    return (this.preparedCache ??= parsePreparedStatements(trinoHeader(this.headers, 'prepared-statement')));
  }

  /** Facts about the SQL text; computed on first use, then cached. */
  get sql(): SqlFacts {
    return (this.sqlCache ??= sqlFacts(
      this.sqlText,
      { catalog: this.catalog, schema: this.schema },
      this.preparedStatements,
    ));
  }

  /** Whether the SQL has been analysed (the rules asked for it). */
  get sqlAnalysed(): boolean {
    return this.sqlCache !== undefined;
  }

  /** A header value by name, any case. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }
}

/** buildRequestFacts gathers the routing facts of a new query. Cheap: the SQL is not looked at here. */
export function buildRequestFacts(
  headers: IncomingHttpHeaders,
  principal: Principal,
  sql: string,
): RequestFacts {
  return new RequestFacts(normaliseHeaders(headers), principal, sql);
}

/** Header names lower-cased (node:http already does; other callers may not), arrays joined with ', '. */
function normaliseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    out[hasUpper(name) ? name.toLowerCase() : name] = typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}

const hasUpper = (s: string): boolean => s !== s.toLowerCase();

/** X-Trino-<suffix>, else its X-Presto-<suffix> twin (older clients). */
function trinoHeader(headers: Readonly<Record<string, string>>, suffix: string): string | undefined {
  return headers[`x-trino-${suffix}`] ?? headers[`x-presto-${suffix}`];
}

function splitTags(value: string | undefined): string[] {
  if (!value) return [];
  const tags: string[] = [];
  for (const tag of value.split(',')) {
    const t = tag.trim();
    if (t) tags.push(t);
  }
  return tags;
}

/**
 * Parses X-Trino-Prepared-Statement: comma-separated name=value pairs, both URL-encoded the way Java's
 * URLEncoder does ('+' for space), as Trino's ProtocolHeaders/HttpRequestSessionContextFactory read them.
 * Malformed pairs are skipped. Values compressed by Trino ("$zstd:...") are skipped too: Node 20 has no
 * zstd, and such an EXECUTE then reports statementType EXECUTE.
 */
export function parsePreparedStatements(value: string | undefined): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = formDecode(pair.slice(0, eq).trim());
    const sql = formDecode(pair.slice(eq + 1).trim());
    if (name && sql !== undefined && !sql.startsWith('$zstd:')) out.set(name, sql);
  }
  return out;
}

function formDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
