import { createServer, request, type ClientRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { untilAnswered, type Answered } from '../../src/queue/until-answered.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** serve answers one request with `handle`, over a real HTTP connection; resolves with the response. */
function serve(handle: (res: ServerResponse) => void, abortClient = false): Promise<ServerResponse> {
  let req: ClientRequest;
  return new Promise((resolve) => {
    server = createServer((_req, res) => {
      resolve(res);
      handle(res);
      // The client goes away once the request arrived (never before: the handler would not run).
      if (abortClient) req.destroy();
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server!.address() as AddressInfo;
      req = request({ host: '127.0.0.1', port, path: '/' }, (r) => r.resume());
      req.on('error', () => undefined);
      req.end();
    });
  });
}

const settled = (a: Answered) =>
  Promise.race([a.promise.then(() => true), new Promise((r) => setImmediate(() => r(false)))]);

describe('untilAnswered', () => {
  it('resolves once the response finished, not at its head', async () => {
    let answered!: Answered;
    const res = await serve((res) => {
      answered = untilAnswered(res);
      res.writeHead(200);
      res.write('{"id":');
    });
    expect(await settled(answered)).toBe(false);
    res.end('"q1"}');
    await answered.promise;
    answered.dispose();
  });

  it('resolves when the client goes away before the answer', async () => {
    let answered!: Answered;
    await serve((res) => (answered = untilAnswered(res)), true);
    await answered.promise;
    expect(answered).toBeDefined();
  });

  it('resolves on wake, and at once for a response already over', async () => {
    let answered!: Answered;
    const res = await serve((res) => (answered = untilAnswered(res)));
    expect(await settled(answered)).toBe(false);
    answered.wake();
    await answered.promise;
    res.end();
    await new Promise((r) => res.once('finish', r));
    expect(await settled(untilAnswered(res))).toBe(true);
  });

  it('dispose removes its listeners from the response', async () => {
    const res = await serve(() => undefined);
    const before = [res.listenerCount('finish'), res.listenerCount('close')];
    const answered = untilAnswered(res);
    answered.dispose();
    expect([res.listenerCount('finish'), res.listenerCount('close')]).toEqual(before);
    res.end();
  });
});
