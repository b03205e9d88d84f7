import { describe, expect, it } from 'vitest';
import { AdmissionQueue } from '../../../src/queue/admission.js';
import { consoleQueue } from '../../../src/queue/queue-service.js';
import { MemorySlotStore } from '../../../src/queue/slot-store.js';
import { Client, consoleFixture } from '../../helpers/console-fixture.js';

async function heldQueue() {
  const q = new AdmissionQueue<unknown>(
    new Map([['adhoc', { maxRunningPerBackend: 1, maxQueued: 10, maxQueuedMs: 1e6, clientTimeoutMs: 1e6 }]]),
    new MemorySlotStore(),
    () => ['trino-1'],
  );
  await q.admit('adhoc', 'alice', 0, 'running');
  const ids = [];
  for (const [user, prio] of [
    ['alice', 0],
    ['alice', 0],
    ['bob', 0],
    ['carol', 3],
  ] as const) {
    const a = await q.admit('adhoc', user, prio, user);
    if (a.kind !== 'queued') throw new Error('expected queued');
    ids.push(a.held.id);
  }
  return { q, ids };
}

describe('the console queue page', () => {
  it('lists held queries in serving order (position, user, group, waiting since) and cancels one', async () => {
    const { q, ids } = await heldQueue();
    const { app } = consoleFixture({ queue: consoleQueue(q) });
    const browser = new Client(app);
    expect((await browser.login('root', 's3cret')).status).toBe(303);
    const page = await (await browser.get('/console/queue')).text();
    const order = [...page.matchAll(/<tr data-query="([^"]+)"/g)].map((m) => m[1]);
    // carol's priority 3 first, then alice and bob in turn, then alice's second.
    expect(order).toEqual([ids[3], ids[0], ids[2], ids[1]]);
    expect(page).toContain('Waiting since');
    // The page is in the top navigation, marked as the one shown.
    expect(page).toMatch(/<nav>.*<a href="\/console\/queue" aria-current="page">Queue<\/a>.*<\/nav>/s);
    expect(await (await browser.get('/console/backends')).text()).toMatch(
      /<nav>.*<a href="\/console\/queue">Queue<\/a>.*<\/nav>/s,
    );
    const csrf = await browser.csrf('/console/queue');
    const r = await browser.post(`/console/queue/${ids[2]}/cancel`, { _csrf: csrf });
    expect(r.status).toBe(303);
    expect(q.get(ids[2]!)?.state).toBe('gone');
    const again = await browser.post(`/console/queue/${ids[2]}/cancel`, { _csrf: csrf });
    expect(again.status).toBe(404);
    const after = await (await browser.get('/console/queue')).text();
    expect(after).not.toContain(`data-query="${ids[2]}"`);
  });

  it('refuses a cancel without the form token and is for admins only', async () => {
    const { q, ids } = await heldQueue();
    const { app } = consoleFixture({ queue: consoleQueue(q) });
    const browser = new Client(app);
    await browser.login('root', 's3cret');
    const r = await browser.post(`/console/queue/${ids[0]}/cancel`, { _csrf: 'forged' });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(q.get(ids[0]!)?.state).toBe('waiting');
    const user = new Client(app);
    await user.login('bob', 'hunter2');
    const denied = await user.get('/console/queue');
    expect(denied.status).not.toBe(200);
    expect(await denied.text()).not.toContain(ids[0]);
  });

  it('leaves the Queue page out of the navigation when no group has a queue', async () => {
    const { app } = consoleFixture({});
    const browser = new Client(app);
    await browser.login('root', 's3cret');
    const page = await (await browser.get('/console/backends')).text();
    expect(page).toContain('<nav>');
    expect(page).not.toContain('/console/queue');
  });

  it('says which query was cancelled only for a query id, and that nothing waits when nothing does', async () => {
    const { q, ids } = await heldQueue();
    const { app } = consoleFixture({ queue: consoleQueue(q) });
    const browser = new Client(app);
    await browser.login('root', 's3cret');
    const said = await (await browser.get(`/console/queue?canceled=${ids[0]}`)).text();
    expect(said).toContain(`Query ${ids[0]} was cancelled.`);
    const forged = await (await browser.get('/console/queue?canceled=%3Cb%3Ex')).text();
    expect(forged).not.toContain('was cancelled');
    expect(said).not.toContain('No query is waiting.');
    const empty = consoleFixture({
      queue: { list: () => [], cancel: () => false },
    });
    const other = new Client(empty.app);
    await other.login('root', 's3cret');
    expect(await (await other.get('/console/queue')).text()).toContain('No query is waiting.');
  });

  it('answers 404 naming the query when the id is not one or the queue no longer holds it', async () => {
    const { q } = await heldQueue();
    const { app } = consoleFixture({ queue: consoleQueue(q) });
    const browser = new Client(app);
    await browser.login('root', 's3cret');
    const csrf = await browser.csrf('/console/queue');
    const r = await browser.post('/console/queue/not-a-query-id/cancel', { _csrf: csrf });
    expect(r.status).toBe(404);
    expect(await r.text()).toContain(
      'The queue holds no query not-a-query-id (it may have started or ended).',
    );
  });
});
