import type { ServerResponse } from 'node:http';
import { GatewayError, writeTrinoError } from '../trino/errors.js';
import type { ResponseBody, UpstreamResponse } from './forward.js';

/** Bytes of a cluster's non-JSON error answer kept for the message. */
const KEEP = 2048;

/**
 * Statuses a cluster answers the gateway's request with when the gateway is set up wrongly for it: 401 (a
 * password it will not take), 403 (authentication over http disabled), 406 (forwarded headers). Passed on
 * as they are, a client would ask its user for a password or show HTML; they become 502 naming the
 * cluster, its answer and the setting to look at.
 */
const MISCONFIGURED: Record<number, string> = {
  401: 'backends[].forwardAuthorization',
  403: "backends[].forwardAuthorization and the cluster's http-server.authentication.allow-insecure-over-http",
  406: 'backends[].processForwarded',
};

/** isClusterTextError tells whether a statement answer is an error that is not Trino JSON (text, HTML). */
export function isClusterTextError(up: UpstreamResponse): boolean {
  return up.statusCode >= 400 && !/json/i.test(String(up.headers['content-type'] ?? ''));
}

/**
 * ClusterErrorBody turns a cluster's plain-text or HTML error answer on a statement path into Trino's
 * error JSON with the cluster's words in it, keeping the status unless the gateway's own setup caused it.
 */
export class ClusterErrorBody implements ResponseBody {
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  constructor(
    private readonly up: UpstreamResponse,
    private readonly res: ServerResponse,
    private readonly backend: string,
    private readonly done: () => void,
    /** How the error is answered: by default with its status (a submission may fail the query instead). */
    private readonly answer: (err: GatewayError) => void = (err) => writeTrinoError(res, err),
  ) {}

  data(chunk: Buffer): void {
    if (this.kept >= KEEP) return;
    this.chunks.push(chunk);
    this.kept += chunk.length;
  }

  end(): void {
    const status = this.up.statusCode;
    const said = textOf(Buffer.concat(this.chunks).subarray(0, KEEP).toString('utf8'));
    const setting = MISCONFIGURED[status];
    const message = `backend ${this.backend} answered ${status}${said ? `: ${said}` : ''}${setting ? ` (see ${setting})` : ''}`;
    const err = setting
      ? new GatewayError(502, 'BACKEND_REFUSED', message, 'EXTERNAL')
      : new GatewayError(
          status,
          status === 404 || status === 410 ? 'QUERY_NOT_FOUND' : 'BACKEND_ERROR',
          message,
        );
    this.answer(err);
    this.done();
  }

  abort(): void {
    this.res.destroy();
  }

  discard(): void {
    this.chunks.length = 0;
  }
}

/** textOf reduces an HTML or text body to one line of its words (Jetty's page repeats its message). */
function textOf(body: string): string {
  const h2 = /<h2>([^<]*)<\/h2>/i.exec(body)?.[1];
  const t = (h2 ?? body)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t.slice(0, 300);
}
