import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Server {
  url: string;
  port: number;
  /** The handler the next requests get (tests change it per case). */
  handle: Handler;
  /** Every request's method, url and headers, as received. */
  seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close: () => Promise<void>;
}

/**
 * listen starts a plain HTTP server on 127.0.0.1 whose handler a test sets (a scripted cluster, or the
 * gateway side of a forwarding test), recording what it receives.
 */
export async function listen(handle: Handler = (_q, s) => s.end()): Promise<Server> {
  const server = http.createServer();
  const out: Server = {
    url: '',
    port: 0,
    handle,
    seen: [],
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    const record = { method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body: '' };
    out.seen.push(record);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => (record.body = Buffer.concat(chunks).toString()));
    out.handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  out.port = (server.address() as AddressInfo).port;
  out.url = `http://127.0.0.1:${out.port}`;
  return out;
}
