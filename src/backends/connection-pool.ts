import { Client, Dispatcher, errors } from 'undici';

type Waiting = { opts: Dispatcher.DispatchOptions; handler: Dispatcher.DispatchHandler };

/** What the pool holds now, in undici's PoolStats shape. */
export interface ConnectionPoolStats {
  connected: number;
  free: number;
  pending: number;
  queued: number;
  running: number;
  size: number;
}

/**
 * ConnectionPool keeps up to `connections` keep-alive HTTP/1.1 connections to one origin (an undici Client
 * each, one request at a time: a Trino long poll must never wait behind another) and hands a request to a
 * free one in constant time. Free connections wait on a stack, the most recently used on top, so a surplus
 * goes idle and is closed by keep-alive (and then forgotten); a request beyond the limit waits in FIFO
 * order for the next one to finish.
 *
 * Why not undici's Pool: its dispatch walks the list of clients for the first free one (twice when that one
 * turns busy), so with N long polls in flight every request costs O(N) (issue 20, bench/pool-bench.ts).
 * The contract is Pool's otherwise: `dispatch`, `request` & co., `close` (after what is queued), `destroy`,
 * the `connect`/`disconnect`/`connectionError` events, `stats`.
 */
export class ConnectionPool extends Dispatcher {
  private readonly free: Client[] = [];
  private readonly clients = new Set<Client>();
  private waiting: (Waiting | undefined)[] = [];
  private head = 0;
  private busy = false;
  private closing: Promise<void> | undefined;
  private onIdle: (() => void) | undefined;
  private destroyed = false;

  constructor(
    private readonly origin: string,
    private readonly connections: number,
    private readonly clientOptions: Client.Options = {},
  ) {
    super();
  }

  dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.destroyed || this.closing) {
      fail(handler, this.destroyed ? new errors.ClientDestroyedError() : new errors.ClientClosedError());
      return false;
    }
    const c = this.take();
    if (!c) {
      this.waiting.push({ opts, handler });
      this.busy = true;
      return false;
    }
    if (c.dispatch(opts, handler)) this.free.push(c); // still free (it never is with one request at a time)
    return true;
  }

  get stats(): ConnectionPoolStats {
    const s = {
      connected: 0,
      free: 0,
      pending: this.queued,
      queued: this.queued,
      running: 0,
      size: this.queued,
    };
    for (const c of this.clients) {
      const cs = c.stats;
      s.connected += cs.connected ? 1 : 0;
      s.pending += cs.pending;
      s.running += cs.running;
      s.size += cs.size;
    }
    for (const c of this.free) if (this.clients.has(c) && c.stats.connected) s.free++;
    return s;
  }

  close(): Promise<void>;
  close(callback: () => void): void;
  close(callback?: () => void): Promise<void> | void {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.queued === 0) resolve();
      else this.onIdle = resolve;
    }).then(() =>
      Promise.all([...this.clients].map((c) => c.close().catch(() => undefined))).then(() => undefined),
    );
    if (!callback) return this.closing;
    void this.closing.then(callback);
  }

  destroy(): Promise<void>;
  destroy(err: Error | null): Promise<void>;
  destroy(callback: () => void): void;
  destroy(err: Error | null, callback: () => void): void;
  destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === 'function' ? a : b;
    const err = (typeof a === 'function' ? null : a) ?? new errors.ClientDestroyedError();
    this.destroyed = true;
    for (let i = this.head; i < this.waiting.length; i++)
      if (this.waiting[i]) fail(this.waiting[i]!.handler, err);
    this.waiting = [];
    this.head = 0;
    this.onIdle?.();
    const done = Promise.all([...this.clients].map((c) => c.destroy(err).catch(() => undefined))).then(
      () => undefined,
    );
    this.clients.clear();
    this.free.length = 0;
    if (!callback) return done;
    void done.then(callback);
  }

  private get queued(): number {
    return this.waiting.length - this.head;
  }

  /** take pops a free connection, or opens one while under the limit. */
  private take(): Client | undefined {
    while (this.free.length > 0) {
      const c = this.free.pop()!;
      if (this.clients.has(c) && !c.destroyed && !c.closed) return c;
    }
    return this.clients.size < this.connections ? this.open() : undefined;
  }

  private open(): Client {
    const c = new Client(this.origin, { ...this.clientOptions, pipelining: 1 });
    this.clients.add(c);
    c.on('drain', () => this.drained(c));
    c.on('connect', (origin, targets) => this.emit('connect', origin, [this, ...targets]));
    c.on('disconnect', (origin, targets, e) => {
      // An idle connection that closed (keep-alive ran out) is forgotten: what the pool holds follows what
      // is open, not the busiest moment it had. take() skips it if it is still on the free stack.
      if (c.stats.size === 0) this.clients.delete(c);
      this.emit('disconnect', origin, [this, ...targets], e);
    });
    c.on('connectionError', (origin, targets, e) => {
      // As undici's Pool does: a client whose connection failed is not used again; the next one connects anew.
      this.clients.delete(c);
      this.emit('connectionError', origin, [this, ...targets], e);
      queueMicrotask(() => this.serveWaiting());
    });
    return c;
  }

  /** drained: connection c finished its request; it takes the oldest waiting one, else becomes free. */
  private drained(c: Client): void {
    if (!this.clients.has(c) || this.destroyed) return;
    let stillFree = true;
    while (stillFree && this.queued > 0) {
      const w = this.shift();
      stillFree = c.dispatch(w.opts, w.handler);
    }
    if (stillFree) this.free.push(c);
    if (this.queued > 0) return;
    if (this.busy) {
      this.busy = false;
      this.emit('drain', new URL(this.origin));
    }
    this.onIdle?.();
    this.onIdle = undefined;
  }

  /** serveWaiting opens connections for waiting requests after a failed one left room. */
  private serveWaiting(): void {
    while (this.queued > 0 && !this.destroyed && this.clients.size < this.connections) {
      const c = this.open();
      const w = this.shift();
      if (c.dispatch(w.opts, w.handler)) this.free.push(c);
    }
  }

  private shift(): Waiting {
    const w = this.waiting[this.head]!;
    this.waiting[this.head++] = undefined;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return w;
  }
}

/** fail reports err to a handler of either of undici's handler shapes. */
function fail(handler: Dispatcher.DispatchHandler, err: Error): void {
  if (handler.onResponseError) handler.onResponseError(undefined as never, err);
  else handler.onError?.(err);
}
