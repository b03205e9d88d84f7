import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { openResources, type Resources } from '../../src/compose/open-resources.js';
import { parseConfig } from '../../src/config/load.js';
import { SettingsRepo } from '../../src/db/settings-repo.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { testConfig, type ConfigObject } from '../helpers/start-gateway.js';
import { selfSignedCert } from '../helpers/tls.js';

function open(extra: ConfigObject, baseDir = process.cwd()): Promise<Resources> {
  const cfg = parseConfig(
    stringify(testConfig([{ name: 't1', url: 'http://127.0.0.1:9', group: 'etl' }], extra)),
    {
      baseDir,
    },
  );
  return openResources(cfg, silentLogger(), new Metrics(), new AbortController().signal);
}

describe('openResources', () => {
  it('seeds the config’s groups and backends into the database', async () => {
    const r = await open({});
    const repo = new BackendRepo(r.db!.db);
    expect(
      repo
        .listGroups()
        .map((g) => g.name)
        .sort(),
    ).toEqual(['adhoc', 'etl']);
    expect(repo.listBackends().map((b) => [b.name, b.group])).toEqual([['t1', 'etl']]);
    r.db!.close();
  });

  it('keeps its secrets across restarts on one database file, and makes no OIDC secret without OIDC', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-res-'));
    const first = await open({ database: { path: 'gw.db' } }, dir);
    const secrets = first.secrets;
    first.db!.close();
    const again = await open({ database: { path: 'gw.db' } }, dir);
    expect(again.secrets).toEqual(secrets);
    expect(secrets.affinity).not.toBe(secrets.consoleSession);
    expect(secrets.oidc).toBeUndefined();
    expect(new SettingsRepo(again.db!.db).get('oidc-secret')).toBeUndefined();
    expect(again.dbPath).toBe(join(dir, 'gw.db'));
    again.db!.close();
  });

  it('takes server.affinitySecret over the stored one', async () => {
    const r = await open({
      server: { host: '127.0.0.1', port: 0, affinitySecret: 'a-configured-secret-of-32-chars!!' },
    });
    expect(r.secrets.affinity).toBe('a-configured-secret-of-32-chars!!');
    r.db!.close();
  });

  it('reads the TLS files before anything listens', async () => {
    const cert = selfSignedCert();
    const r = await open({
      server: { host: '127.0.0.1', port: 0, tls: { cert: cert.certFile, key: cert.keyFile } },
    });
    expect(r.tls?.cert.toString()).toBe(readFileSync(cert.certFile, 'utf8'));
    expect(r.tls?.key.length).toBeGreaterThan(0);
    r.db!.close();
  });

  it('refuses an invalid rules directory, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-rules-'));
    writeFileSync(join(dir, 'bad.yaml'), 'rules: [{ name: x }]\n');
    await expect(open({ routing: { defaultGroup: 'adhoc', rulesDir: dir } })).rejects.toThrow(/bad\.yaml/);
  });
});
