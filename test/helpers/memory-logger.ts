import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.js';

/** memoryLogger: a real logger at debug whose lines a test reads back, parsed. */
export function memoryLogger(): {
  logger: Logger;
  lines(): Array<{ level: number; msg: string; [k: string]: unknown }>;
} {
  let text = '';
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _e, cb) {
        text += chunk.toString();
        cb();
      },
    }),
  });
  return {
    logger,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}
