import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError } from '../app-error.js';
import type { Logger } from '../observability/logger.js';
import { pgUnavailable } from '../store/pg/unavailable.js';
import type { AppEnv } from './http.js';

/**
 * appErrorHandler is the app's one onError: an AppError answers with its status and message; a database
 * that cannot take the change (SQLite locked or full, PostgreSQL away) answers 503/507 saying nothing was changed (every admin change writes the
 * database before memory); anything else is logged and answers a bare 500.
 */
export function appErrorHandler(logger: Pick<Logger, 'error'>): ErrorHandler<AppEnv> {
  return (err, c) => {
    if (err instanceof AppError) return c.json({ message: err.message, ...err.extra }, err.status);
    if (err instanceof HTTPException) return err.getResponse();
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY'))
      return c.json({ message: 'the database is busy (locked by another process); try again' }, 503);
    if (code === 'SQLITE_FULL')
      return c.json(
        { message: 'the database disk is full; nothing was changed (free space and retry)' },
        507,
      );
    if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN')
      return c.json({ message: `the database cannot be written (${code}); nothing was changed` }, 503);
    const away = pgUnavailable(err);
    if (away !== undefined)
      return c.json(
        {
          message: `the database (database.url) cannot be reached: ${away.slice(0, 200)}; nothing was changed, try again once it is back`,
        },
        503,
      );
    logger.error({ reqId: c.get('requestId'), err: err.stack }, 'app request failed');
    return c.json({ message: 'internal error' }, 500);
  };
}
