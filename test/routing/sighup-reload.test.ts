import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { freePort, spawnGateway, testConfig, type GatewayProcess } from '../helpers/start-gateway.js';
import { until } from '../helpers/routing-fixtures.js';

/**
 * The rules directory is a symlink to a versioned directory, and a new version is put in force by
 * replacing the symlink (as Kubernetes does with a ConfigMap's `..data`). The gateway's fs.watch resolved
 * the symlink when it started watching, so it only sees changes inside the old target: the swap is invisible
 * to it, and only SIGHUP can put the new version in force. The test checks that the watcher indeed did not
 * act before sending SIGHUP.
 */
describe('SIGHUP reloads the routing rules of a running gateway process', () => {
  const clusters: Record<string, TrinoEmulator> = {};
  let gw: GatewayProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sy-sighup-'));
  const rulesDir = join(dir, 'rules');

  /** version writes a rules directory dir/<name> holding one rule file with the given text. */
  const version = (name: string, text: string) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, '10-route.yaml'), text);
  };
  /** use points dir/rules at dir/<name> atomically (a new symlink renamed over the old). */
  const use = (name: string) => {
    const tmp = join(dir, `rules.${name}.tmp`);
    symlinkSync(name, tmp);
    renameSync(tmp, rulesDir);
  };
  const routeAll = (rule: string, group: string) =>
    `- name: ${rule}\n  condition: {}\n  actions: { routeTo: ${group} }\n`;

  /** cluster runs a query through the gateway and says which cluster answered it. */
  async function cluster(): Promise<string> {
    let res = await fetch(`${gw!.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT current_cluster()',
      headers: { 'X-Trino-User': 'alice' },
    });
    let rows: unknown[][] = [];
    for (;;) {
      expect(res.status).toBe(200);
      const page = (await res.json()) as { nextUri?: string; data?: unknown[][]; error?: unknown };
      expect(page.error).toBeUndefined();
      if (page.data) rows = rows.concat(page.data);
      if (!page.nextUri) break;
      res = await fetch(page.nextUri, { headers: { 'X-Trino-User': 'alice' } });
    }
    expect(rows).toHaveLength(1);
    return String(rows[0][0]);
  }

  const reloads = async (outcome: 'ok' | 'error'): Promise<number> => {
    const text = await (await fetch(`${gw!.url}/metrics`)).text();
    const m = new RegExp(`^switchyard_rules_reloads_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  const logLines = (msg: string) =>
    gw!
      .output()
      .split('\n')
      .filter((l) => l.includes(`"msg":"${msg}"`));

  beforeAll(async () => {
    for (const name of ['adhoc', 'etl', 'reporting'])
      clusters[name] = await TrinoEmulator.start({ name: `trino-${name}` });
    version('v1', routeAll('everything-to-etl', 'etl'));
    version('v2', routeAll('everything-to-reporting', 'reporting'));
    version('v3', routeAll('broken', 'adhoc') + '  bogus: 1\n');
    use('v1');
    const port = await freePort();
    const config = testConfig(
      Object.entries(clusters).map(([group, c]) => ({ name: c.name, url: c.url, group })),
      {
        server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
        database: { path: join(dir, 'switchyard.db') },
        routing: { defaultGroup: 'adhoc', rulesDir },
        health: { enabled: false },
        log: { level: 'info' },
      },
    );
    gw = await spawnGateway(config, dir);
  });
  afterAll(async () => {
    await gw?.kill('SIGKILL');
    await Promise.all(Object.values(clusters).map((c) => c.stop()));
  });

  it('puts rules swapped in behind the watcher in force on SIGHUP, and keeps running', async () => {
    expect(await cluster()).toBe('trino-etl');

    use('v2');
    // Well past the watcher's 200 ms debounce: nothing reloaded the rules on its own.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await cluster()).toBe('trino-etl');
    expect(logLines('routing rules reloaded')).toHaveLength(0);
    expect(await reloads('ok')).toBe(0);

    gw!.child.kill('SIGHUP');
    await until(async () => (await cluster()) === 'trino-reporting');
    expect(gw!.child.exitCode).toBeNull();
    expect(gw!.child.signalCode).toBeNull();
    expect(logLines('reload requested')).toHaveLength(1);
    const reloaded = logLines('routing rules reloaded');
    expect(reloaded).toHaveLength(1);
    expect(JSON.parse(reloaded[0])).toMatchObject({ dir: rulesDir, rules: 1 });
    expect(await reloads('ok')).toBe(1);
    expect(await cluster()).toBe('trino-reporting');
  });

  it('keeps the rules in force when the version SIGHUP finds is invalid, and says so', async () => {
    use('v3');
    gw!.child.kill('SIGHUP');
    await until(() => logLines('routing rules reload failed; the previous rules stay in force').length === 1);
    expect(logLines('reload requested')).toHaveLength(2);
    expect(gw!.output()).toContain('unknown field \\"bogus\\"');
    expect(await reloads('error')).toBe(1);
    expect(await reloads('ok')).toBe(1);
    expect(await cluster()).toBe('trino-reporting');
    expect(gw!.child.exitCode).toBeNull();

    // A SIGHUP with nothing changed since the last good version is a no-op, not a second reload.
    use('v2');
    gw!.child.kill('SIGHUP');
    await until(() => logLines('reload requested').length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await reloads('ok')).toBe(1);
    expect(await cluster()).toBe('trino-reporting');
  });
});
