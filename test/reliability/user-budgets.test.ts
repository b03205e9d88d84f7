import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

describe("one user's flood of never-polled submissions", () => {
  let emu: TrinoEmulator;
  let gw: TestGateway;
  const basic = (u: string, p: string) => ({
    authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
  });
  const mallory = basic('mallory', 'm-pw');
  const bob = basic('bob', 'b-pw');
  const admin = basic('admin', 'a-pw');

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1', queuedPages: 3 });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
        proxy: { maxUnpolledPerUser: 5, maxInFlightPerUser: 8, unpolledAbandonSeconds: 5 },
        health: { enabled: false },
        auth: {
          ...(await passwordAuth(['mallory', 'm-pw'], ['bob', 'b-pw'], ['admin', 'a-pw', ['admin']])),
          forwardAuthorization: 'never',
        },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  const submit = (headers: Record<string, string>) =>
    fetch(`${gw.url}/v1/statement`, { method: 'POST', body: 'SELECT 1', headers });

  it('is refused past the per-user budget with a Trino error, while other users go on', async () => {
    const ids: string[] = [];
    let refusal: { errorName?: string; message?: string } = {};
    for (let i = 0; i < 30; i++) {
      const r = await submit(mallory);
      // Refused as Trino refuses a query over its queue: HTTP 200, a QUEUED page leading to the error.
      expect(r.status).toBe(200);
      const page = (await r.json()) as { id: string; nextUri: string };
      ids.push(page.id);
      if (page.id.startsWith('gateway_failed_') && !refusal.errorName) {
        const last = (await (await fetch(page.nextUri, { headers: mallory })).json()) as {
          error: typeof refusal;
        };
        refusal = last.error;
      }
    }
    expect(ids.filter((id) => !id.startsWith('gateway_failed_'))).toHaveLength(5);
    expect(ids.filter((id) => id.startsWith('gateway_failed_'))).toHaveLength(25);
    expect(refusal.errorName).toBe('QUERY_QUEUE_FULL');
    expect(refusal.message).toMatch(/never polled/);
    expect(gw.services.tracker.usage('mallory')).toEqual({ inFlight: 5, unpolled: 5 });
    expect((await submit(bob)).status).toBe(200);
  });

  it('lets a drain complete: never-polled queries stop counting after proxy.unpolledAbandonSeconds', async () => {
    const off = await fetch(`${gw.url}/api/v1/backends/trino-1/deactivate`, {
      method: 'POST',
      headers: admin,
    });
    expect(off.status).toBe(200);
    const deadline = Date.now() + 15_000;
    let drained = false;
    while (!drained && Date.now() < deadline) {
      const r = await fetch(`${gw.url}/api/v1/backends/trino-1`, { headers: admin });
      drained = ((await r.json()) as { drained: boolean }).drained;
      if (!drained) await new Promise((res) => setTimeout(res, 100));
    }
    expect(drained).toBe(true);
    expect(gw.services.tracker.usage('mallory')).toEqual({ inFlight: 0, unpolled: 0 });
    await gw.services.recorder.flush();
    const rows = await gw.services.history.list({ user: 'mallory', limit: 100 });
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.state === 'ABANDONED')).toBe(true);
  }, 20_000);
});
