import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { runTrino } from '../helpers/clients.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

/** A statement the emulator answers with rows 1..n. */
const seq = (n: number) => `SELECT * FROM UNNEST(sequence(1, ${n}))`;

interface Page {
  id: string;
  nextUri?: string;
  stats: { state: string };
}

/** waitFor polls a condition (no fixed sleeps: the machine may be slow). */
async function waitFor(f: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !f(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!f()) throw new Error(`timed out waiting for ${what}`);
}

const RULES = `
- name: urgent-first
  condition: { source: { equals: urgent } }
  actions: { routeTo: adhoc, queuePriority: 10 }
`;

describe('a queue priority set by a routing rule', () => {
  let trino: TrinoEmulator;
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sy-rules-'));
    writeFileSync(join(dir, 'urgent.yaml'), RULES);
    trino = await TrinoEmulator.start({ name: 'trino-1' });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: trino.url }], {
        groups: [{ name: 'adhoc', queue: { maxRunningPerBackend: 1 } }],
        routing: { defaultGroup: 'adhoc', rulesDir: dir },
        health: { enabled: false },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await trino?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function submit(sql: string, user: string, source?: string): Promise<Page> {
    const headers: Record<string, string> = { 'x-trino-user': user };
    if (source) headers['x-trino-source'] = source;
    const r = await fetch(`${gw.url}/v1/statement`, { method: 'POST', body: sql, headers });
    expect(r.status).toBe(200);
    return (await r.json()) as Page;
  }

  async function follow(p: Page, user: string): Promise<string> {
    while (p.nextUri) {
      const r = await fetch(p.nextUri, { headers: { 'x-trino-user': user } });
      expect(r.status).toBe(200);
      p = (await r.json()) as Page;
    }
    return p.stats.state;
  }

  it('serves the higher priority first, then users in turn, each user first in, first out', async () => {
    const queue = gw.gateway.services.queue!;
    const long = runTrino(gw.url, 'SELECT sleep(1000)', { user: 'alice' });
    await waitFor(() => queue.admission.store.running('trino-1') === 1, 'the slot taken');
    const held = [
      { user: 'bob', sql: seq(101) },
      { user: 'bob', sql: seq(102) },
      { user: 'dave', sql: seq(201) },
      { user: 'carol', sql: seq(301), source: 'urgent' },
    ];
    const firsts = [];
    for (const h of held) firsts.push(await submit(h.sql, h.user, h.source));
    expect(firsts.map((p) => p.stats.state)).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'QUEUED']);
    expect(
      queue
        .consoleView()
        .list(10)
        .map((q) => [q.user, q.priority]),
    ).toEqual([
      ['carol', 10],
      ['bob', 0],
      ['dave', 0],
      ['bob', 0],
    ]);
    const states = await Promise.all(firsts.map((p, i) => follow(p, held[i]!.user)));
    expect(states).toEqual(['FINISHED', 'FINISHED', 'FINISHED', 'FINISHED']);
    expect((await long).rows).toEqual([[true]]);
    // The order the cluster received them in (its query ids count up).
    const order = [...trino.queries.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((q) => q.sql)
      .filter((s) => s !== 'SELECT sleep(1000)');
    expect(order).toEqual([seq(301), seq(101), seq(201), seq(102)]);
  });
});
