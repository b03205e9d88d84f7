import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { kindOf } from './upstream-error.js';
import type { ForwardOptions, ForwardOutcome, ResponseBody, UpstreamFlow } from './forward.js';

/** The reason an exchange is aborted when its client went away. */
const CLIENT_GONE = new Error('client went away');

/**
 * Exchange is one self-handled request's state, and its undici handler. Nothing it calls may throw into
 * undici's parser callbacks: a failure of the gateway's own code closes the client's response instead.
 */
export class Exchange implements Dispatcher.DispatchHandler, UpstreamFlow {
  private settled = false;
  private clientGone = false;
  private controller: Dispatcher.DispatchController | undefined;
  private body: ResponseBody | undefined;
  private pauseTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: ForwardOptions,
    private readonly onSettle: (o: ForwardOutcome) => void,
    private readonly timeoutMs: number,
  ) {}

  private settle(o: ForwardOutcome): void {
    if (this.settled) return;
    this.settled = true;
    try {
      this.onSettle(o);
    } catch {
      this.res.destroy();
    }
  }

  /** broken ends an exchange whose own handling threw: the client's connection closes, the upstream request ends. */
  private broken(err: unknown): void {
    this.clearPauseTimer();
    this.res.destroy();
    this.controller?.abort(err instanceof Error ? err : new Error(String(err)));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(CLIENT_GONE);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.settled) return;
    if (this.opts.refuse503 && statusCode === 503) {
      // Its body is dropped (no consumer): the caller retries elsewhere or answers itself.
      this.settle({ ok: false, kind: 'unavailable' });
      return;
    }
    this.settle({ ok: true, status: statusCode });
    try {
      this.body = this.opts.onResponse!({ statusCode, headers }, this.res, this);
    } catch (e) {
      this.broken(e);
    }
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    try {
      this.body?.data(chunk);
    } catch (e) {
      this.broken(e);
    }
  }

  onResponseEnd(): void {
    this.clearPauseTimer();
    try {
      this.body?.end();
    } catch (e) {
      this.broken(e);
    }
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    this.clearPauseTimer();
    try {
      const gone = this.clientGone || this.res.destroyed;
      if (!this.body) {
        if (gone) this.settle({ ok: false, kind: 'client-gone', error: err });
        else this.settle({ ok: false, kind: kindOf(err as NodeJS.ErrnoException, false), error: err });
      } else if (!gone && !this.res.headersSent && this.opts.onLateFailure) {
        this.body.discard();
        this.opts.onLateFailure(kindOf(err as NodeJS.ErrnoException, false), this.res);
      } else this.body.abort();
    } catch {
      this.res.destroy();
    }
  }

  clientClosed(): void {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.controller?.abort(CLIENT_GONE);
  }

  /**
   * pause holds the backend's response back while the client catches up. undici's body timeout does not
   * run while paused, so the exchange keeps its own: a client that reads nothing for timeoutMs is cut off,
   * and the backend connection is freed.
   */
  pause(): void {
    this.controller?.pause();
    this.clearPauseTimer();
    this.pauseTimer = setTimeout(() => this.broken(new Error('client stopped reading')), this.timeoutMs);
    this.pauseTimer.unref();
  }

  resume(): void {
    this.clearPauseTimer();
    this.controller?.resume();
  }

  private clearPauseTimer(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
  }
}
