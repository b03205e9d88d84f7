import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetFromEnv, type AdminTarget } from '../../src/cli/admin-client.js';
import { runAdmin } from '../../src/cli/admin.js';
import { runTrino } from '../helpers/clients.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

/** The admin CLI against a started gateway and two emulated clusters, through the real REST API. */
describe('switchyard-admin', () => {
  let t1: TrinoEmulator;
  let t2: TrinoEmulator;
  let gw: TestGateway;
  let ops: AdminTarget;
  const env = () => ({ SWITCHYARD_URL: gw.url, SWITCHYARD_USER: 'ops', SWITCHYARD_PASSWORD: 'ops-pw' });

  beforeAll(async () => {
    [t1, t2] = await Promise.all([TrinoEmulator.start({ name: 't1' }), TrinoEmulator.start({ name: 't2' })]);
    const auth = {
      ...(await passwordAuth(['ops', 'ops-pw', ['admin', 'user']], ['alice', 'alice-pw', ['user']])),
      forwardAuthorization: 'never',
    };
    gw = await startGateway(
      testConfig([{ name: 't1', url: t1.url }], {
        auth,
        health: { intervalSeconds: 0.2, timeoutSeconds: 5, healthyThreshold: 1, unhealthyThreshold: 1 },
      }),
    );
    ops = targetFromEnv(env());
  });
  afterAll(async () => {
    await gw.stop();
    await Promise.all([t1.stop(), t2.stop()]);
  });

  /** cli runs the real program in a child process; resolves with its exit code and output. */
  function cli(args: string[], extraEnv: Record<string, string> = {}) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', ...args], {
      env: { ...process.env, ...env(), ...extraEnv },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
      child.on('exit', (code) => resolve({ code, out, err })),
    );
  }

  it('lists backends from the process, with credentials from the environment', async () => {
    const r = await cli(['backends', 'list']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^NAME +GROUP +URL +ACTIVE +HEALTH +IN FLIGHT\nt1 +adhoc +http:\/\/127\.0\.0\.1:\d+ +active +HEALTHY +0\n$/,
    );
  });

  it('says in one line what the API refused, and exits 1', async () => {
    const anon = await cli(['backends', 'list'], { SWITCHYARD_USER: '', SWITCHYARD_PASSWORD: '' });
    expect(anon.code).toBe(1);
    expect(anon.err).toMatch(/^switchyard-admin: GET \/api\/v1\/backends: 401 .*SWITCHYARD_USER/);
    const user = await cli(['backends', 'list'], {
      SWITCHYARD_USER: 'alice',
      SWITCHYARD_PASSWORD: 'alice-pw',
    });
    expect(user).toMatchObject({ code: 1, err: expect.stringContaining('403 the admin role is required') });
  });

  it('refuses a usage mistake with exit 2, naming it', async () => {
    const r = await cli(['backends', 'frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^switchyard-admin: backends: unknown action "frobnicate"/);
  });

  it('adds a backend, drains it and activates it again', async () => {
    const added = await runAdmin(['backends', 'add', 't2', t2.url, '--group', 'adhoc'], ops);
    expect(added).toMatch(/t2 +adhoc/);
    expect(gw.services.registry.get('t2')?.url).toBe(t2.url);
    await expect.poll(() => gw.services.registry.get('t2')!.health).toBe('HEALTHY');
    expect(await runAdmin(['backends', 'drain', 't2'], ops)).toMatch(/t2 +adhoc +\S+ +drained/);
    expect(gw.services.registry.get('t2')!.active).toBe(false);
    expect(await runAdmin(['backends', 'activate', 't2'], ops)).toMatch(/t2 +adhoc +\S+ +active/);
    expect(gw.services.registry.get('t2')!.active).toBe(true);
    await expect(runAdmin(['backends', 'add', 't2', t2.url, '--group', 'adhoc'], ops)).rejects.toThrow(
      /409 backend "t2" already exists/,
    );
  });

  it('adds a catalog to every cluster of a group, lists it, drops it', async () => {
    const add = await runAdmin(
      ['catalogs', 'add', 'lake', 'memory', '--property', 'memory.max-data-per-node=64MB'],
      ops,
    );
    expect(add).toMatch(/^adhoc\/lake\n/);
    expect(add).toMatch(/t1 +applied/);
    expect(add).toMatch(/t2 +applied/);
    expect(t1.catalogs()).toContain('lake');
    expect(t2.catalogs()).toContain('lake');
    expect(await runAdmin(['catalogs', 'list'], ops)).toMatch(
      /adhoc +lake +memory +present +t1:applied t2:applied/,
    );
    const json = JSON.parse(await runAdmin(['catalogs', 'list', '--json'], ops));
    expect(json[0]).toMatchObject({ name: 'lake', properties: { 'memory.max-data-per-node': '64MB' } });
    expect(await runAdmin(['catalogs', 'drop', 'lake'], ops)).toMatch(/t1 +dropped/);
    expect(t1.catalogs()).not.toContain('lake');
  });

  it('shows query history with filters', async () => {
    const r = await runTrino(gw.url, 'SELECT 1', { user: 'alice', password: 'alice-pw' });
    await gw.services.recorder.flush();
    const text = await runAdmin(['queries', '--user', 'alice', '--limit', '5'], ops);
    expect(text.split('\n')[0]).toMatch(/^QUERY ID +USER +GROUP +BACKEND +STATE +ELAPSED +SQL$/);
    expect(text).toContain(r.queryId!);
    expect(r.error).toBeUndefined();
    expect(text).toMatch(/alice +adhoc +t[12] +FINISHED/);
    await expect(runAdmin(['queries', '--state', 'NOPE'], ops)).rejects.toThrow(/400/);
  });
});
