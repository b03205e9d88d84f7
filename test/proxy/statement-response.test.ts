import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { sendStatementResponse } from '../../src/proxy/statement-response.js';
import { makeRewriteContext } from '../../src/proxy/url-rewrite.js';

/** A client response whose socket accepts nothing more: `queued` bytes already wait for it. */
function stuckClient(queued: number) {
  const calls: string[] = [];
  const res = {
    writableLength: queued,
    writableFinished: false,
    writeHead: () => calls.push('writeHead'),
    write: () => false,
    end: () => calls.push('end'),
    once: () => undefined,
    on: () => undefined,
    destroy: () => calls.push('destroy'),
  };
  return { res: res as unknown as ServerResponse, calls };
}

function stream(headers: IncomingHttpHeaders, queued: number) {
  const { res, calls } = stuckClient(queued);
  const flow = { pause: () => calls.push('pause'), resume: () => calls.push('resume') };
  const body = sendStatementResponse({ statusCode: 200, headers }, res, flow, {
    ctx: makeRewriteContext(['http://10.0.0.5:8080'], 'https://gw.example', 'H.sig'),
    clientGzip: false,
    done: () => calls.push('done'),
  });
  body.data(Buffer.from('{"id":"q_1","data":[[1],[2]'));
  return calls;
}

describe('streamed statement responses and a client that stops reading', () => {
  it('pause a keep-alive response of the cluster once 1 MB waits for the client', () => {
    expect(stream({ 'transfer-encoding': 'chunked' }, 2 << 20)).toContain('pause');
    expect(stream({ 'transfer-encoding': 'chunked' }, 512 << 10)).not.toContain('pause');
  });

  it('never pause a response that ends its connection, and cut the client off past 64 MB instead', () => {
    // undici 7 throws out of a socket handler when such a response ends while paused (nodejs/undici#5360).
    for (const headers of [{ connection: 'close', 'transfer-encoding': 'chunked' }, {}]) {
      expect(stream(headers, 2 << 20)).not.toContain('pause');
      expect(stream(headers, 2 << 20)).not.toContain('destroy');
      const cut = stream(headers, 65 << 20);
      expect(cut).not.toContain('pause');
      expect(cut).toContain('destroy');
    }
  });
});
