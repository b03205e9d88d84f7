import { pino, type Logger } from 'pino';
import { prettyStream } from './pretty-log.js';

export type { Logger };

/**
 * Secrets must never reach a log: credentials, tokens, cookies, keys and catalog properties are masked here
 * as a last line of defence (callers mask too). A field is masked when its name, in any case and at any depth
 * up to MAX_DEPTH, contains one of these words: `Authorization`, `connection-password`, `clientSecret`,
 * `refresh_token`, `Set-Cookie` and `x-trino-extra-credential` all are.
 */
const SECRET_KEY = /pass(word|wd)|secret|token|authorization|cookie|credential|api[-_]?key|seal[-_]?key/i;
const MAX_DEPTH = 8;
const CENSOR = '***';

/** maskSecrets returns `v` with every secret-named field masked (a copy where something changed). */
export function maskSecrets(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Error) return v;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const m = maskSecrets(v[i], depth + 1);
      if (m !== v[i]) (out ??= v.slice())[i] = m;
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    const m = SECRET_KEY.test(k) && holdsSecret(x) ? CENSOR : maskSecrets(x, depth + 1);
    if (m !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = m;
  }
  return out ?? v;
}

/** A flag or a count under a secret's name (`passwordChanged: true`) is no secret. */
const holdsSecret = (x: unknown) => typeof x === 'string' || (typeof x === 'object' && x !== null);
const mask = (o: Record<string, unknown>) => maskSecrets(o) as Record<string, unknown>;

export interface LoggerOptions {
  level: string;
  /** `json` (default) or `pretty` (one readable line per entry). */
  format?: 'json' | 'pretty';
  /** Destination stream; defaults to stdout. Tests pass a buffer to assert what was logged. */
  destination?: NodeJS.WritableStream;
}

/** createLogger returns a structured logger (pino) with secret redaction, as JSON lines or pretty text. */
export function createLogger(opts: LoggerOptions): Logger {
  const out = opts.destination ?? process.stdout;
  return pino(
    {
      level: opts.level,
      base: { service: 'switchyard' },
      // No child loggers are made, so the log formatter sees every field there is.
      formatters: { log: mask },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (opts.format === 'pretty' ? prettyStream(out) : out) as pino.DestinationStream,
  );
}

/** A logger that drops everything; for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
