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

  private once(c: BackendCall): Promise<Attempt> {
    const where = `${c.method} ${c.path.split('?')[0]}`;
    const remaining = c.deadline - Date.now();
    if (remaining <= 0 || c.signal?.aborted)
      return Promise.resolve({ answer: ended(where, !c.signal?.aborted) });
    return new Promise<Attempt>((resolve) => {
      const call = new Call(where, c.maxBytes ?? MAX_BYTES, c.signal, remaining, resolve);
      try {
        this.dispatcher.dispatch(
          { method: c.method, path: c.path, headers: c.headers, body: c.body ?? null },
          call,
        );
      } catch (e) {
        call.onResponseError(undefined, e as Error); // a request undici refuses to build
      }
    });
  }
}

type Attempt = { answer: BackendAnswer; stale?: boolean };

/**
 * Call is one attempt as an undici dispatch handler: it gathers the body (up to max bytes) and settles
 * once, on the answer's end, a failure, the deadline or the caller's signal. A handler, not `request()`:
 * no body stream, no promise per chunk (a probe round is a thousand of these at once).
 */
class Call implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private started = false;
  private done = false;
  private ending: 'timeout' | 'abort' | 'too-large' | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly where: string,
    private readonly max: number,
    private readonly signal: AbortSignal | undefined,
    remaining: number,
    private readonly settle: (a: Attempt) => void,
  ) {
    this.timer = setTimeout(() => this.end('timeout'), remaining);
    signal?.addEventListener('abort', this.onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.ending) controller.abort(new Error(this.ending));
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.started = true;
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.max) this.end('too-large');
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const body = Buffer.concat(this.chunks).toString('utf8');
    this.finish({ answer: { ok: true, status: this.status, headers: this.headers, body } });
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.ending) return this.finish({ answer: this.endedAnswer() });
    const code = (err as NodeJS.ErrnoException).code;
    const stale = !this.started && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET');
    this.finish({ answer: transportFailure(this.where, err as NodeJS.ErrnoException), stale });
  }

  private readonly onAbort = () => this.end('abort');

  /** end stops the attempt for a reason of ours; the handler's error callback then settles it. */
  private end(why: 'timeout' | 'abort' | 'too-large'): void {
    if (this.done || this.ending) return;
    this.ending = why;
    if (this.controller) this.controller.abort(new Error(why));
    else this.finish({ answer: this.endedAnswer() }); // still waiting for a connection
  }

  private endedAnswer(): BackendAnswer {
    if (this.ending === 'too-large')
      return { ok: false, errorName: 'BACKEND_UNREACHABLE', message: `${this.where}: response too large` };
    return ended(this.where, this.ending === 'timeout');
  }

  private finish(a: Attempt): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.settle(a);
  }
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
