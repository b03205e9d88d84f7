import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../trino/errors.js';

/**
 * readBody collects a request body up to `limit` bytes. Larger bodies are refused with 413 before they
 * are read whole (Content-Length checked first, then while streaming).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(413, 'QUERY_TEXT_TOO_LARGE', `query text exceeds ${limit} bytes`);
}
