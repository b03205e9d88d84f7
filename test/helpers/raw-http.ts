import net from 'node:net';

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/**
 * rawRequest writes bytes exactly as given (for malformed requests, smuggling variants, invalid UTF-8)
 * and reads the first response. Resolves status 0 when the server closed without answering.
 */
export function rawRequest(port: number, bytes: Buffer | string, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: m ? Number(m[1]) : 0,
        head: split >= 0 ? text.slice(0, split) : text,
        body: split >= 0 ? text.slice(split + 4) : '',
      });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (c) => {
      chunks.push(c);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const len = /content-length:\s*(\d+)/i.exec(text.slice(0, split));
      if (len && text.length - split - 4 >= Number(len[1])) finish();
    });
    sock.on('end', finish);
    sock.on('error', finish);
    sock.write(bytes);
  });
}
