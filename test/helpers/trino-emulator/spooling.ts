/**
 * The spooling protocol of Trino 466+ (io.trino.server.protocol.spooling): encoding negotiation on
 * X-Trino-Query-Data-Encoding, `inline` and `spooled` segments with `metadata` and `headers`, the PUBLIC
 * CoordinatorSegmentResource (GET /v1/spooled/download/{id}, GET /v1/spooled/ack/{id}) answering per
 * protocol.spooling.retrieval-mode, and a side server standing for both object storage (direct, pre-signed
 * URIs) and the workers (WorkerSegmentResource) that WORKER_PROXY redirects to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { text } from './http-util.js';
import type { RetrievalMode } from './options.js';

/** The header the emulator's segments need back on download (as an encrypting spooling manager's key is). */
export const SEGMENT_KEY_HEADER = 'X-Trino-Segment-Key';
/** The only encoding the emulator speaks (QueryDataEncoder "json"; json+zstd and json+lz4 are skipped). */
const SUPPORTED = ['json'];

interface Segment {
  bytes: Buffer;
  key: string;
  rowOffset: number;
  rowsCount: number;
  sig: string;
}

/** negotiate picks the first encoding of the client's list the cluster supports; undefined: direct protocol. */
export function negotiate(requested: string | string[] | undefined): string | undefined {
  const v = Array.isArray(requested) ? requested.join(',') : requested;
  if (!v) return undefined;
  return v
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .find((e) => SUPPORTED.includes(e));
}

export class SegmentStore {
  private readonly segments = new Map<string, Segment>();
  private side: http.Server | undefined;
  private sidePort = 0;
  /** Downloads the side server (storage or a worker) served. */
  sideDownloads = 0;
  acks = 0;

  constructor(private readonly mode: RetrievalMode) {}

  get size(): number {
    return this.segments.size;
  }

  has(id: string): boolean {
    return this.segments.has(id);
  }

  clear(): void {
    this.segments.clear();
  }

  put(id: string, bytes: Buffer, rowOffset: number, rowsCount: number): void {
    const key = randomBytes(12).toString('base64url');
    this.segments.set(id, { bytes, key, rowOffset, rowsCount, sig: randomBytes(12).toString('hex') });
  }

  /** json is the segment as QueryResults carries it; `base` is the URL base the request was seen with. */
  json(id: string, base: string): Record<string, unknown> {
    const s = this.segments.get(id)!;
    const metadata = { rowOffset: s.rowOffset, rowsCount: s.rowsCount, segmentSize: s.bytes.length };
    return {
      type: 'spooled',
      uri: this.mode === 'STORAGE' ? this.storageUri(id) : `${base}/v1/spooled/download/${id}`,
      ackUri: `${base}/v1/spooled/ack/${id}`,
      metadata,
      headers: { [SEGMENT_KEY_HEADER]: [s.key] },
    };
  }

  /** download is CoordinatorSegmentResource.download for retrieval mode `mode`. */
  download(req: http.IncomingMessage, res: http.ServerResponse, id: string): void {
    if (this.mode === 'STORAGE')
      return text(res, 503, 'Retrieval mode is STORAGE but segment resource was called');
    const s = this.segments.get(id);
    if (!s) return text(res, 404, 'Segment not found');
    if (this.mode === 'WORKER_PROXY') {
      res.writeHead(303, { location: `http://127.0.0.1:${this.sidePort}${req.url}` }).end();
      return;
    }
    if (this.mode === 'COORDINATOR_STORAGE_REDIRECT') {
      res.writeHead(303, { location: this.storageUri(id) }).end();
      return;
    }
    this.serve(req, res, s);
  }

  /** ack is the GET acknowledge: the segment may be deleted (acknowledging an unknown one is no error). */
  ack(res: http.ServerResponse, id: string): void {
    this.acks++;
    this.segments.delete(id);
    res.writeHead(200).end();
  }

  /** startSide starts the storage/worker stand-in when the retrieval mode sends clients elsewhere. */
  async startSide(host: string): Promise<void> {
    if (this.mode === 'COORDINATOR_PROXY' || this.side) return;
    const side = http.createServer((req, res) => this.onSide(req, res));
    this.side = side;
    await new Promise<void>((r) => side.listen(0, host, () => r()));
    this.sidePort = (side.address() as AddressInfo).port;
  }

  stopSide(): Promise<void> {
    const s = this.side;
    this.side = undefined;
    if (!s) return Promise.resolve();
    s.closeAllConnections();
    return new Promise((r) => s.close(() => r()));
  }

  private storageUri(id: string): string {
    return `http://127.0.0.1:${this.sidePort}/spool/${id}?X-Amz-Signature=${this.segments.get(id)?.sig ?? ''}`;
  }

  private onSide(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const worker = /^\/v1\/spooled\/download\/([^/]+)$/.exec(url.pathname);
    const storage = /^\/spool\/([^/]+)$/.exec(url.pathname);
    const s = this.segments.get((worker ?? storage)?.[1] ?? '');
    if (!s) return text(res, 404, 'Segment not found');
    if (storage && url.searchParams.get('X-Amz-Signature') !== s.sig) return text(res, 403, 'AccessDenied');
    this.sideDownloads++;
    this.serve(req, res, s);
  }

  /** serve sends the bytes to a request that carries the segment's headers back. */
  private serve(req: http.IncomingMessage, res: http.ServerResponse, s: Segment): void {
    if (req.headers[SEGMENT_KEY_HEADER.toLowerCase()] !== s.key)
      return text(res, 400, `Missing or wrong ${SEGMENT_KEY_HEADER} header`);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': s.bytes.length });
    res.end(s.bytes);
  }
}

/** inlineSegment is a page's rows carried in the response itself (base64 of the encoded rows). */
export function inlineSegment(rows: unknown[][], rowOffset: number): Record<string, unknown> {
  const bytes = Buffer.from(JSON.stringify(rows));
  return {
    type: 'inline',
    data: bytes.toString('base64'),
    metadata: { rowOffset, rowsCount: rows.length, segmentSize: bytes.length },
  };
}
