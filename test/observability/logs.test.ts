import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';
import { prettyLine } from '../../src/observability/pretty-log.js';
import { runTrino } from '../helpers/clients.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

type Line = Record<string, any>;

describe('logs worth reading', () => {
  let t: TrinoEmulator;
  let gw: TestGateway;
  const lines = (): Line[] =>
    gw
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  const ops = { authorization: `Basic ${Buffer.from('ops:pw-ops').toString('base64')}` };
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: { ...ops, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await TrinoEmulator.start({ name: 't1', executingPages: 2 });
    const auth = {
      ...(await passwordAuth(['ops', 'pw-ops', ['admin', 'user']])),
      forwardAuthorization: 'never',
    };
    gw = await startGateway(testConfig([{ name: 't1', url: t.url }], { auth }));
  });
  afterAll(async () => {
    await gw.stop();
    await t.stop();
  });

  it('one info line per finished query: id, user, source, group, rule, backend, state, elapsed, rows', async () => {
    const r = await runTrino(gw.url, 'SELECT * FROM UNNEST(sequence(1, 7))', {
      user: 'ops',
      password: 'pw-ops',
      headers: { 'X-Trino-Source': 'logs-test' },
    });
    expect(r.error).toBeUndefined();
    await expect.poll(() => lines().filter((l) => l.msg === 'query finished').length).toBe(1);
    const line = lines().find((l) => l.msg === 'query finished')!;
    expect(line).toMatchObject({
      level: 30,
      queryId: r.queryId,
      user: 'ops',
      source: 'logs-test',
      group: 'adhoc',
      backend: 't1',
      state: 'FINISHED',
      elapsedMs: expect.any(Number),
    });
    expect('errorName' in line).toBe(false);
    expect(JSON.stringify(line)).not.toContain('UNNEST'); // no SQL in the line
  });

  it('a failed query names its error', async () => {
    const r = await runTrino(gw.url, 'SELECT fail()', { user: 'ops', password: 'pw-ops' });
    expect(r.error).toBeDefined();
    const mine = () => lines().find((l) => l.msg === 'query finished' && l.queryId === r.queryId);
    await expect.poll(() => mine()?.state).toBe('FAILED');
    expect(mine()!.errorName).toBe(r.error!.errorName);
  });

  it('debug lines of a query carry its query id and backend', async () => {
    const r = await runTrino(gw.url, 'SELECT 1', { user: 'ops', password: 'pw-ops' });
    const mine = lines().filter((l) => l.msg === 'protocol request' && l.queryId === r.queryId);
    expect(mine.length).toBeGreaterThanOrEqual(2); // the submission and its polls
    expect(mine.every((l) => l.backend === 't1')).toBe(true);
    expect(mine.map((l) => l.route)).toContain('statement');
    expect(mine.map((l) => l.route)).toContain('followup');
  });

  it('one audit line per admin change: who, what, before and after', async () => {
    expect((await api('POST', '/api/v1/backends/t1/deactivate')).status).toBe(200);
    expect((await api('PUT', '/api/v1/groups/etl', { policy: 'round-robin' })).status).toBeLessThan(300);
    const user = { name: 'bob', password: 'secret-pw-1', roles: ['user'], groups: ['adhoc'] };
    expect((await api('POST', '/api/v1/users', user)).status).toBe(201);
    expect((await api('POST', '/api/v1/backends/t1/activate')).status).toBe(200);
    const audits = lines().filter((l) => l.audit === true);
    expect(audits.map((l) => [l.who, l.what, l.target])).toEqual([
      ['ops', 'backend.deactivate', 't1'],
      ['ops', 'group.add', 'etl'],
      ['ops', 'user.add', 'bob'],
      ['ops', 'backend.activate', 't1'],
    ]);
    expect(audits[0]).toMatchObject({
      before: { active: true },
      after: { active: false },
      msg: 'audit: ops backend.deactivate t1',
    });
    expect(audits[1]).toMatchObject({ before: null, after: { name: 'etl', policy: 'round-robin' } });
    expect(audits[2]!.after).toMatchObject({ name: 'bob', roles: ['user'], passwordChanged: true });
    expect(JSON.stringify(audits)).not.toMatch(/scrypt|secret-pw-1|passwordHash/);
  });

  it('a catalog change is audited with its property keys, never their values', async () => {
    const r = await api('POST', '/api/v1/catalogs', {
      name: 'lake',
      connector: 'memory',
      properties: { 'connection-password': 'hunter2-xyz' },
    });
    expect(r.status).toBe(201);
    const line = lines().find((l) => l.what === 'catalog.create')!;
    expect(line).toMatchObject({
      who: 'ops',
      target: 'adhoc/lake',
      after: { properties: ['connection-password'] },
    });
    expect(gw.logs()).not.toContain('hunter2-xyz');
  });
});

describe('the pretty format', () => {
  it('is what createLogger writes with format pretty, secrets still redacted', () => {
    let text = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    });
    const log = createLogger({ level: 'info', format: 'pretty', destination: sink });
    log.info({ backend: 't1', password: 'hunter2' }, 'hello there');
    log.debug('not at info');
    expect(text).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  hello there backend=t1 password=\*\*\*\n$/);
  });

  it.each([
    [
      '{"level":30,"time":"2026-12-02T00:30:01.234Z","service":"switchyard","queryId":"q1","user":"alice","elapsedMs":12,"msg":"query finished"}',
      '00:30:01.234 INFO  query finished queryId=q1 user=alice elapsedMs=12',
    ],
    [
      '{"level":40,"time":"2026-12-02T00:30:01.234Z","msg":"no backend","backends":["a","b"],"detail":"connect refused"}',
      '00:30:01.234 WARN  no backend backends=["a","b"] detail="connect refused"',
    ],
    ['not json', 'not json'],
  ])('renders %s', (json, want) => {
    expect(prettyLine(json)).toBe(want);
  });
});
