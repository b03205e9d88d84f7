/** Small HTTP helpers the emulator's endpoint families share. */
import type http from 'node:http';
import { gzipSync } from 'node:zlib';

/** json answers a JSON document (gzip-compressed above 1 KB when the client accepts it, as Airlift does). */
export function json(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  doc: unknown,
  raw?: Buffer,
  extra: Record<string, string> = {},
): void {
  let b = raw ?? Buffer.from(JSON.stringify(doc));
  const headers: Record<string, string | number> = { 'content-type': 'application/json', ...extra };
  if (b.length > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    b = gzipSync(b);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = b.length;
  res.writeHead(status, headers);
  res.end(b);
}

/** text answers a plain-text message (what JAX-RS resources and Trino's filters send for their errors). */
export function text(
  res: http.ServerResponse,
  status: number,
  message: string,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain;charset=utf-8', ...extra });
  res.end(message);
}

/**
 * jettyError answers as Jetty's ErrorHandler does for a BadMessageException thrown by a request
 * customizer (before any servlet runs): an HTML page naming status and message.
 */
export function jettyError(res: http.ServerResponse, status: number, message: string, uri: string): void {
  const body = jettyPage(status, message, uri);
  res.writeHead(status, {
    'content-type': 'text/html;charset=iso-8859-1',
    'content-length': Buffer.byteLength(body, 'latin1'),
    connection: 'close',
  });
  res.end(body, 'latin1');
}

/** jettyPage is the HTML of Jetty's ErrorHandler for a status and message. */
export function jettyPage(status: number, message: string, uri: string): string {
  const m = escapeHtml(message);
  return (
    `<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n` +
    `<title>Error ${status} ${m}</title>\n</head>\n<body>\n<h2>HTTP ERROR ${status} ${m}</h2>\n<table>\n` +
    `<tr><th>URI:</th><td>${escapeHtml(uri)}</td></tr>\n<tr><th>STATUS:</th><td>${status}</td></tr>\n` +
    `<tr><th>MESSAGE:</th><td>${m}</td></tr>\n</table>\n</body>\n</html>\n`
  );
}

export function body(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** firstValue is the first comma-separated value of a header (X-Forwarded-* may be lists). */
export function firstValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  const f = s?.split(',')[0].trim();
  return f ? f : undefined;
}
