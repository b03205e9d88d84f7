import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** One request the gateway itself makes to a backend (a probe, a stats read, its own SQL, a catalog call). */
export interface BackendCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path and query on the backend's origin. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Epoch ms by which the whole answer must have arrived. */
  deadline: number;
  /** Ends the call early (the gateway stops). */
  signal?: AbortSignal;
  /** Bytes of body read at most; a longer answer is a failure. Default 16 MiB. */
  maxBytes?: number;
}

export type BackendAnswer =
  | { ok: true; status: number; headers: IncomingHttpHeaders; body: string }
  | { ok: false; errorName: 'BACKEND_UNREACHABLE' | 'BACKEND_TIMEOUT'; message: string };

const MAX_BYTES = 16 * 1024 * 1024;
const IDEMPOTENT = new Set(['GET', 'DELETE']);

/**
 * BackendClient is the gateway's one HTTP client for its own requests to a backend, on the backend's
 * connection pool (the same undici pool its proxied statement exchanges use). `call` reads the whole answer
 * as text; a transport failure, the deadline or an abort is an outcome (`ok: false`), never an exception.
 * A GET or DELETE whose keep-alive connection is found closed before any answer is sent once more on a
 * fresh one (the server closed an idle connection; what OkHttp does for Trino's clients); a POST is never
 * repeated, it may have been acted on.
 */
export class BackendClient {
  constructor(
    private readonly dispatcher: Dispatcher,
    /** The backend's origin, for messages. */
    readonly origin: string,
  ) {}

  async call(c: BackendCall): Promise<BackendAnswer> {
    const first = await this.once(c);
    return first.stale && IDEMPOTENT.has(c.method) ? (await this.once(c)).answer : first.answer;
  }

  private async once(c: BackendCall): Promise<{ answer: BackendAnswer; stale?: boolean }> {
    const where = `${c.method} ${c.path.split('?')[0]}`;
    const remaining = c.deadline - Date.now();
    if (remaining <= 0 || c.signal?.aborted) return { answer: ended(where, !c.signal?.aborted) };
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, remaining);
    const onAbort = () => ac.abort();
    c.signal?.addEventListener('abort', onAbort, { once: true });
    let answered = false;
    try {
      const res = await this.dispatcher.request({
        method: c.method,
        path: c.path,
        headers: c.headers,
        body: c.body,
        signal: ac.signal,
      });
      answered = true;
      const body = await readText(res.body, c.maxBytes ?? MAX_BYTES);
      if (body === undefined)
        return {
          answer: { ok: false, errorName: 'BACKEND_UNREACHABLE', message: `${where}: response too large` },
        };
      return { answer: { ok: true, status: res.statusCode, headers: res.headers, body } };
    } catch (e) {
      if (timedOut || c.signal?.aborted) return { answer: ended(where, timedOut) };
      const code = (e as NodeJS.ErrnoException).code;
      const stale = !answered && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET');
      return { answer: transportFailure(where, e as NodeJS.ErrnoException), stale };
    } finally {
      clearTimeout(timer);
      c.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** readText reads a body whole as UTF-8, or undefined (and the rest dropped) once it passes max bytes. */
async function readText(
  body: AsyncIterable<Buffer> & { destroy(): void },
  max: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function ended(where: string, timedOut: boolean): BackendAnswer {
  return timedOut
    ? { ok: false, errorName: 'BACKEND_TIMEOUT', message: `${where}: timed out` }
    : { ok: false, errorName: 'BACKEND_UNREACHABLE', message: `${where}: aborted` };
}

function transportFailure(where: string, e: NodeJS.ErrnoException): BackendAnswer {
  const what =
    e.code === 'ECONNREFUSED'
      ? 'connection refused'
      : e.code === 'ECONNRESET' || e.code === 'UND_ERR_SOCKET'
        ? 'connection reset'
        : e.message || e.code || 'transport error';
  return { ok: false, errorName: 'BACKEND_UNREACHABLE', message: `${where}: ${what}` };
}
