import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errors } from 'undici';
import { ConnectionPool } from '../../src/backends/connection-pool.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

describe('ConnectionPool against the emulator', () => {
  let emu: TrinoEmulator;
  const pools: ConnectionPool[] = [];
  const pool = (connections: number) => {
    const p = new ConnectionPool(new URL(emu.url).origin, connections);
    pools.push(p);
    return p;
  };
  const info = (p: ConnectionPool) =>
    p
      .request({ method: 'GET', path: '/v1/info' })
      .then(async (r) => ({ status: r.statusCode, body: await r.body.json() }));

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'pool' });
  });
  afterEach(async () => {
    emu.setDelay(0);
    await emu.setMode('ok');
    await Promise.all(pools.splice(0).map((p) => p.destroy()));
  });
  afterAll(() => emu?.stop());

  it('answers requests through keep-alive connections, reusing free ones', async () => {
    const p = pool(8);
    for (let i = 0; i < 20; i++)
      expect(await info(p)).toMatchObject({ status: 200, body: { starting: false } });
    // A connection is free again just after its answer was read, so one request in turn needs at most two.
    expect(p.stats.connected).toBeLessThanOrEqual(2);
    expect(p.stats).toMatchObject({ running: 0, queued: 0 });
  });

  it('runs one request at a time per connection and queues the rest in order', async () => {
    const p = pool(2);
    emu.setDelay(200);
    const done: number[] = [];
    const all = Array.from({ length: 5 }, (_, i) => info(p).then((r) => (done.push(i), r.status)));
    expect(p.stats).toMatchObject({ queued: 3 });
    await expect.poll(() => p.stats.running).toBe(2);
    expect(await Promise.all(all)).toEqual([200, 200, 200, 200, 200]);
    expect(done.slice(0, 2).sort()).toEqual([0, 1]);
    expect(done.slice(2).sort()).toEqual([2, 3, 4]);
    expect(p.stats.connected).toBe(2);
  });

  it('reports a refused connection to its request and connects anew for the next', async () => {
    const p = pool(1);
    await emu.setMode('refuse');
    await expect(info(p)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await emu.setMode('ok');
    expect(await info(p)).toMatchObject({ status: 200 });
  });

  it('does not leave a request waiting for a connection that failed', async () => {
    const p = pool(1);
    await emu.setMode('refuse');
    const first = info(p).catch((e: NodeJS.ErrnoException) => e.code);
    const second = info(p).then(
      (r) => r.status,
      (e: NodeJS.ErrnoException) => e.code,
    );
    // The second waited for the one connection; once that failed, it got a connection of its own.
    expect([await first, await second]).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    await emu.setMode('ok');
    expect(await info(p)).toMatchObject({ status: 200 });
  });

  it('closes after the queued requests are answered, and refuses new ones meanwhile', async () => {
    const p = pool(1);
    emu.setDelay(100);
    const queued = [info(p), info(p)];
    const closed = p.close();
    await expect(info(p)).rejects.toBeInstanceOf(errors.ClientClosedError);
    expect((await Promise.all(queued)).map((r) => r.status)).toEqual([200, 200]);
    await closed;
  });

  it('fails what waits and what runs when destroyed', async () => {
    const p = pool(1);
    await emu.setMode('hang');
    const running = info(p).catch((e: Error) => e);
    const waiting = info(p).catch((e: Error) => e);
    await expect.poll(() => p.stats.running).toBe(1);
    await p.destroy();
    expect(await running).toBeInstanceOf(errors.ClientDestroyedError);
    expect(await waiting).toBeInstanceOf(errors.ClientDestroyedError);
  });
});
