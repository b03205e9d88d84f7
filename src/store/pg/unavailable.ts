/** Node's socket errors that mean the server cannot be reached now. */
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE']);
/** SQLSTATEs of a server going away or refusing sessions: shutdown, crash, starting up, too many. */
const SERVER = new Set(['57P01', '57P02', '57P03', '53300']);
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i;

/**
 * pgUnavailable: the error (or an error it wraps, as drizzle's query errors do) says PostgreSQL cannot be
 * reached or took no session, as opposed to a statement it refused. Undefined when it is not such an error,
 * else a short reason for a message.
 */
export function pgUnavailable(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (typeof code === 'string' && (SOCKET.has(code) || SERVER.has(code) || code.startsWith('08')))
      return text || code;
    if (MESSAGES.test(text)) return text;
  }
  return undefined;
}
