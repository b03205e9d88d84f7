import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const ALICE = basic('alice', 'alice-pw');
const BOB = basic('bob', 'bob-pw');
const OPS = basic('ops', 'ops-pw');
const OPS2 = basic('ops2', 'ops2-pw');

type Page = { id: string; nextUri?: string; data?: unknown[][]; stats?: { state: string } };

/**
 * One identity rule on every path, and follow-ups bound to the query's owner: bob, holding alice's nextUri
 * or guessing her query id, can neither read, cancel, look at, nor disturb her query; the cluster's UI and
 * /v1/status take the user from the principal too.
 */
describe('follow-ups bound to the query owner, and one identity rule for /ui and /v1/status', () => {
  let emu: TrinoEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1', queuedPages: 1, executingPages: 4 });
    const user = async (name: string, impersonate: string[] = []) => ({
      name,
      passwordHash: await hashPassword(`${name}-pw`),
      groups: ['adhoc'],
      roles: ['user'],
      impersonate,
    });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
        auth: {
          mode: 'password',
          forwardAuthorization: 'never',
          users: [
            await user('alice'),
            await user('bob'),
            await user('ops', ['svc_.*']),
            await user('ops2', ['svc_.*']),
          ],
        },
        proxy: { lostQueryGraceSeconds: 0.2 },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });
  beforeEach(() => {
    emu.requests = [];
  });

  const get = (url: string, auth: string, init: RequestInit = {}) =>
    fetch(url.startsWith('http') ? url : `${gw.url}${url}`, {
      ...init,
      headers: { authorization: auth, ...(init.headers as Record<string, string>) },
    });

  async function submit(auth: string, sql = 'SELECT 1', as?: string): Promise<Page> {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: sql,
      headers: { authorization: auth, ...(as ? { 'x-trino-user': as } : {}) },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  }

  async function drain(first: Page, auth: string): Promise<Page> {
    let page = first;
    while (page.nextUri) {
      const res = await get(page.nextUri, auth);
      expect(res.status).toBe(200);
      page = (await res.json()) as Page;
    }
    return page;
  }

  it("refuses bob's poll and cancel of alice's nextUri, before the cluster sees them; alice finishes", async () => {
    const q = await submit(ALICE);
    const next = await (await get(q.nextUri!, ALICE)).json();
    for (const method of ['GET', 'DELETE']) {
      const res = await get(next.nextUri, BOB, { method });
      expect(res.status, method).toBe(403);
      expect(((await res.json()) as { errorName: string }).errorName).toBe('PERMISSION_DENIED');
    }
    expect(emu.requests.filter((r) => r.headers['x-trino-user'] === 'bob')).toEqual([]);
    const last = await drain(next, ALICE);
    expect(last.stats?.state).toBe('FINISHED');
  });

  it("refuses bob's /v1/query/{id} (GET and DELETE) of alice's query; alice sees her session", async () => {
    const q = await submit(ALICE);
    for (const method of ['GET', 'DELETE'])
      expect((await get(`/v1/query/${q.id}`, BOB, { method })).status, method).toBe(403);
    const mine = await get(`/v1/query/${q.id}`, ALICE);
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as { session: { user: string } }).session.user).toBe('alice');
    expect((await get(`/ui/query.html?${q.id}`, BOB)).status).toBe(403);
    // The cluster UI's API for one query (view, kill) is bound the same way.
    expect((await get(`/ui/api/query/${q.id}`, BOB)).status).toBe(403);
    expect((await get(`/ui/api/query/${q.id}/killed`, BOB, { method: 'PUT' })).status).toBe(403);
    await drain(q, ALICE);
  });

  it("cannot make the gateway take alice's query for lost with a forged poll (his own handle, her id)", async () => {
    const mine = await submit(BOB);
    const hers = await submit(ALICE);
    const live = gw.services.tracker.usage('alice').inFlight;
    // bob's nextUri with alice's query id and a slug the cluster never issued: it would answer 404.
    const forged = mine.nextUri!.replace(mine.id, hers.id).replace(/\/(\w+)(~[^/]+)\/(\d+)$/, '/forged$2/$3');
    expect(forged).toContain(hers.id);
    for (let i = 0; i < 3; i++) expect((await get(forged, BOB)).status).toBe(403);
    await new Promise((r) => setTimeout(r, 1500)); // past the lost-query grace and a sweep
    expect(gw.services.tracker.usage('alice').inFlight).toBe(live);
    await drain(hers, ALICE);
    await drain(mine, BOB);
  });

  it('lets those who may act as the query user follow it: the submitter, and other principals who may impersonate it', async () => {
    const q = await submit(OPS, 'SELECT 1', 'svc_etl');
    const next = await (await get(q.nextUri!, OPS2, { headers: { 'x-trino-user': 'svc_etl' } })).json();
    expect(next.id).toBe(q.id);
    expect((await get(next.nextUri, BOB)).status).toBe(403);
    expect((await get(next.nextUri, ALICE)).status).toBe(403);
    await drain(next, OPS);
  });

  it('never lets a /ui request or a UI login form act as a user the principal may not act as', async () => {
    const asAdmin = await get('/ui/api/stats', ALICE, { headers: { 'x-trino-user': 'admin' } });
    expect(asAdmin.status).toBe(403);
    const form = (username: string, path = '/ui/login') =>
      get(path, ALICE, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password: '', redirectPath: '' }).toString(),
      });
    const forged = await form('admin');
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie')).toBeNull();
    // Spellings of the login path the cluster's HTTP server takes for it are checked too.
    for (const path of ['/ui/%6Cogin', '/ui//login/', '/ui/login;jsessionid=1'])
      expect((await form('admin', path)).status, path).toBe(403);
    expect(emu.requests.filter((r) => r.url.startsWith('/ui/login'))).toEqual([]);
    // alice's own name, or none (the gateway logs in for the principal): a token for alice.
    for (const name of ['alice', '']) {
      const ok = await form(name);
      expect(ok.status, name).toBe(303);
      // The cluster's cookie, under a name of its own at the gateway (cluster-cookies.ts).
      expect(ok.headers.get('set-cookie')).toMatch(/^sy[0-9a-f]{8}-Trino-UI-Token=/);
    }
    expect(
      emu.requests.filter((r) => r.url.startsWith('/ui/')).map((r) => r.headers['x-trino-user']),
    ).toEqual(['alice', 'alice']);
  });

  it('needs a principal for /v1/status and sends it on as the user; /v1/info stays public and names no one', async () => {
    expect((await fetch(`${gw.url}/v1/status`, { headers: { 'x-trino-user': 'admin' } })).status).toBe(401);
    expect((await get('/v1/status', ALICE, { headers: { 'x-trino-user': 'admin' } })).status).toBe(403);
    // Marked, so the health monitor's own /v1/info and stats requests meanwhile are told apart.
    const mark = { 'x-test-mark': 'status-and-info' };
    await get('/v1/status', ALICE, { headers: mark });
    const info = await fetch(`${gw.url}/v1/info`, { headers: { 'x-trino-user': 'admin', ...mark } });
    expect(info.status).toBe(200);
    const marked = emu.requests.filter((r) => r.headers['x-test-mark'] === mark['x-test-mark']);
    expect(marked.map((r) => [r.url, r.headers['x-trino-user']])).toEqual([
      ['/v1/status', 'alice'],
      ['/v1/info', undefined],
    ]);
  });
});

describe('the owner binding after a restart', () => {
  it("still refuses bob's poll of alice's query when memory is gone (the owner comes from history)", async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const emu = await TrinoEmulator.start({ name: 'trino-1', queuedPages: 1, executingPages: 4 });
    const users = await Promise.all(
      ['alice', 'bob'].map(async (name) => ({
        name,
        passwordHash: await hashPassword(`${name}-pw`),
        groups: ['adhoc'],
        roles: ['user'],
      })),
    );
    const cfg = testConfig([{ name: 'trino-1', url: emu.url }], {
      database: { path: join(mkdtempSync(join(tmpdir(), 'sy-owner-')), 'gw.db') },
      auth: { mode: 'password', forwardAuthorization: 'never', users },
    });
    let gw = await startGateway(cfg);
    try {
      const res = await fetch(`${gw.url}/v1/statement`, {
        method: 'POST',
        body: 'SELECT 1',
        headers: { authorization: ALICE },
      });
      const q = (await res.json()) as Page;
      await gw.stop(); // flushes history
      gw = await startGateway(cfg);
      // The same follow-up URL on the restarted gateway (it listens on another port).
      const next = `${gw.url}${new URL(q.nextUri!).pathname}`;
      const poll = (auth: string) => fetch(next, { headers: { authorization: auth } });
      expect((await poll(BOB)).status).toBe(403);
      expect((await fetch(`${gw.url}/v1/query/${q.id}`, { headers: { authorization: BOB } })).status).toBe(
        403,
      );
      expect((await poll(ALICE)).status).toBe(200);
    } finally {
      await gw.stop();
      await emu.stop();
    }
  });
});
