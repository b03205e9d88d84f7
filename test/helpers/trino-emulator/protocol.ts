/**
 * Protocol facts of a Trino coordinator, as the emulator needs them. Follows Trino's
 * QueryIdGenerator (yyyyMMdd_HHmmss_NNNNN_xxxxx, the last part random per coordinator start),
 * Slug (an HMAC of the context and token, so a URL cannot be forged or replayed for another token),
 * QueryResults/StatementStats field order and QueryError's shape.
 */
import { createHmac, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export class QueryIdGenerator {
  private counter = 0;
  readonly coordinatorId: string;

  constructor() {
    const b = randomBytes(5);
    this.coordinatorId = [...b].map((x) => ALPHABET[x % ALPHABET.length]).join('');
  }

  next(now = new Date()): string {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const ts = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}_${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
    this.counter = (this.counter + 1) % 100_000;
    return `${ts}_${p(this.counter, 5)}_${this.coordinatorId}`;
  }
}

export type SlugContext = 'QUEUED_QUERY' | 'EXECUTING_QUERY';

export class Slug {
  private readonly key = randomBytes(16);

  make(context: SlugContext, token: number): string {
    return 'y' + createHmac('sha1', this.key).update(`${context}:${token}`).digest('hex');
  }

  isValid(context: SlugContext, slug: string, token: number): boolean {
    return slug === this.make(context, token);
  }
}

export interface Column {
  name: string;
  type: string;
  typeSignature: { rawType: string; arguments: unknown[] };
}

export const column = (name: string, type: string): Column => ({
  name,
  type,
  typeSignature: { rawType: type.replace(/\(.*/, ''), arguments: [] },
});

export interface QueryErrorJson {
  message: string;
  errorCode: number;
  errorName: string;
  errorType: 'USER_ERROR' | 'INTERNAL_ERROR' | 'INSUFFICIENT_RESOURCES' | 'EXTERNAL';
  errorLocation?: { lineNumber: number; columnNumber: number };
  failureInfo: {
    type: string;
    message: string;
    suppressed: unknown[];
    stack: string[];
    errorLocation?: unknown;
  };
}

/** Codes from io.trino.spi.StandardErrorCode. */
export const ERRORS = {
  SYNTAX_ERROR: [1, 'USER_ERROR'],
  USER_CANCELED: [3, 'USER_ERROR'],
  NOT_FOUND: [5, 'USER_ERROR'],
  ADMINISTRATIVELY_KILLED: [38, 'USER_ERROR'],
  NOT_SUPPORTED: [13, 'USER_ERROR'],
  UNKNOWN_TRANSACTION: [20, 'USER_ERROR'],
  CATALOG_NOT_FOUND: [44, 'USER_ERROR'],
  TABLE_NOT_FOUND: [46, 'USER_ERROR'],
  MISSING_CATALOG_NAME: [56, 'USER_ERROR'],
  CATALOG_ALREADY_EXISTS: [87, 'USER_ERROR'],
  CONNECTOR_NOT_FOUND: [129, 'USER_ERROR'],
  GENERIC_INTERNAL_ERROR: [65536, 'INTERNAL_ERROR'],
  NO_NODES_AVAILABLE: [65541, 'INTERNAL_ERROR'],
  SERVER_STARTING_UP: [65548, 'INTERNAL_ERROR'],
} as const;

export type ErrorName = keyof typeof ERRORS;

export function queryError(
  name: ErrorName,
  message: string,
  location?: { line: number; column: number },
): QueryErrorJson {
  const [code, type] = ERRORS[name];
  const errorLocation = location ? { lineNumber: location.line, columnNumber: location.column } : undefined;
  return {
    message,
    errorCode: code,
    errorName: name,
    errorType: type,
    ...(errorLocation ? { errorLocation } : {}),
    failureInfo: {
      type: name === 'SYNTAX_ERROR' ? 'io.trino.sql.parser.ParsingException' : 'io.trino.spi.TrinoException',
      message,
      suppressed: [],
      stack: [],
      ...(errorLocation ? { errorLocation } : {}),
    },
  };
}

export function stats(state: string, extra: Partial<Record<string, number | boolean>> = {}) {
  return {
    state,
    queued: state === 'QUEUED',
    scheduled: state !== 'QUEUED',
    progressPercentage: state === 'FINISHED' ? 100 : undefined,
    runningPercentage: 0,
    nodes: state === 'QUEUED' ? 0 : 1,
    totalSplits: 0,
    queuedSplits: 0,
    runningSplits: 0,
    completedSplits: 0,
    cpuTimeMillis: 0,
    wallTimeMillis: 0,
    queuedTimeMillis: 0,
    elapsedTimeMillis: 0,
    processedRows: 0,
    processedBytes: 0,
    physicalInputBytes: 0,
    physicalWrittenBytes: 0,
    peakMemoryBytes: 0,
    spilledBytes: 0,
    ...extra,
  };
}
