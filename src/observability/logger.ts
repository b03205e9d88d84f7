import { pino, type Logger } from 'pino';

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
  /** Destination stream; defaults to stdout. Tests pass a buffer to assert what was logged. */
  destination?: NodeJS.WritableStream;
}

/** createLogger returns a structured JSON logger (pino) with secret redaction. */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: 'switchyard' },
      redact: { paths: REDACT, censor: '***' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (opts.destination ?? process.stdout) as pino.DestinationStream,
  );
}

/** A logger that drops everything; for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
