import { pino, type Logger } from 'pino';
import { prettyStream } from './pretty-log.js';

export type { Logger };

/**
 * Paths redacted from every log line. Secrets must never reach a log: credentials, tokens, cookies and
 * catalog properties are masked here as a last line of defence (callers mask too).
 */
const REDACT = [
  'password',
  'passwordHash',
  'token',
  'secret',
  'authorization',
  'cookie',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

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
      redact: { paths: REDACT, censor: '***' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (opts.format === 'pretty' ? prettyStream(out) : out) as pino.DestinationStream,
  );
}

/** A logger that drops everything; for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
