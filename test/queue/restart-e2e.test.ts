import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

interface Page {
  id: string;
  nextUri?: string;
  stats: { state: string };
}

const H = { 'x-trino-user': 'alice' };

/** waitFor polls a condition (no fixed sleeps: the machine may be slow). */
async function waitFor(f: () => boolean, what: string, tries = 600): Promise<void> {
  for (let i = 0; i < tries && !f(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!f()) throw new Error(`timed out waiting for ${what}`);
}

async function get(url: string): Promise<Page> {
  const r = await fetch(url, { headers: H });
  expect(r.status).toBe(200);
  return (await r.json()) as Page;
}

async function post(gw: TestGateway, sql: string): Promise<Page> {
  const r = await fetch(`${gw.url}/v1/statement`, { method: 'POST', body: sql, headers: H });
  expect(r.status).toBe(200);
  return (await r.json()) as Page;
}

/** onto points a URL a gateway issued at another gateway (the same signed path). */
const onto = (url: string, gw: TestGateway) => gw.url + new URL(url).pathname;

describe('slot counting across a gateway restart', () => {
  let trino: TrinoEmulator;
  let dir: string;
  let config: Record<string, unknown>;
  let gw: TestGateway | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sy-restart-'));
    trino = await TrinoEmulator.start({ name: 'trino-1' });
    config = testConfig([{ name: 'trino-1', url: trino.url }], {
      database: { path: join(dir, 'gateway.db') },
      groups: [{ name: 'adhoc', queue: { maxRunningPerBackend: 2 } }],
      health: { enabled: false },
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await trino?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the queries still running on the cluster against maxRunningPerBackend after the restart', async () => {
    const first = await startGateway(config);
    gw = first;
    // Two queries take both slots and reach their cluster's executing pages.
    const running: Page[] = [];
    for (let i = 0; i < 2; i++) {
      let p = await post(first, 'SELECT sleep(1500)');
      while (p.stats.state !== 'RUNNING') p = await get(p.nextUri!);
      running.push(p);
    }
    expect(first.services.queue!.admission.store.running('trino-1')).toBe(2);
    await first.stop();

    const second = await startGateway(config);
    gw = second;
    const statements = () => trino.queries.size;
    const before = statements();
    // A new query right after the restart waits: the cluster still runs the two.
    const held = await post(second, 'SELECT 1');
    expect(held.stats.state).toBe('QUEUED');
    await waitFor(
      () => second.services.queue!.admission.store.running('trino-1') === 2,
      'the running queries counted again',
    );
    const again = await get(held.nextUri!);
    expect(again.stats.state).toBe('QUEUED');
    expect(statements()).toBe(before);

    // The two clients carry on through the new gateway; as they end, the held query gets its slot.
    const ends = running.map(async (p) => {
      while (p.nextUri) p = await get(onto(p.nextUri, second));
      return p.stats.state;
    });
    let last = again;
    while (last.nextUri) last = await get(last.nextUri);
    expect(last.stats.state).toBe('FINISHED');
    expect(await Promise.all(ends)).toEqual(['FINISHED', 'FINISHED']);
    await waitFor(
      () => second.services.queue!.admission.store.running('trino-1') === 0,
      'every slot given back',
    );
  });
});
