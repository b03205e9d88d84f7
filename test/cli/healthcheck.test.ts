import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { selfSignedCert, type TestCert } from '../helpers/tls.js';

/** The Dockerfile's HEALTHCHECK: src/cli/healthcheck.ts reads the gateway's own config for scheme and port. */
describe('healthcheck CLI', () => {
  let plain: TestGateway;
  let tls: TestGateway;
  let cert: TestCert;
  const dir = mkdtempSync(join(tmpdir(), 'sy-health-'));

  beforeAll(async () => {
    cert = selfSignedCert();
    plain = await startGateway(testConfig([{ name: 'trino-1', url: 'http://127.0.0.1:1' }]));
    tls = await startGateway(
      testConfig([{ name: 'trino-1', url: 'http://127.0.0.1:1' }], {
        server: { host: '127.0.0.1', port: 0, tls: { cert: cert.certFile, key: cert.keyFile } },
      }),
    );
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), tls?.stop()]);
  });

  /**
   * check writes a config for the given server section and runs the CLI on it (asynchronously: the
   * gateways run in this process and must answer meanwhile).
   */
  function check(server: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<number | null> {
    const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stringify(testConfig([{ name: 'trino-1', url: 'http://127.0.0.1:1' }], { server })));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/healthcheck.ts', '--config', file], {
      stdio: 'ignore',
      env: { ...process.env, ...env },
    });
    return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }
  const port = (gw: TestGateway) => Number(new URL(gw.url).port);

  it('passes for a plain HTTP gateway listening on all interfaces', async () => {
    expect(await check({ host: '0.0.0.0', port: port(plain) })).toBe(0);
  });

  it('passes for a TLS gateway (its certificate is for the public name, not the loopback address)', async () => {
    expect(
      await check({ host: '127.0.0.1', port: port(tls), tls: { cert: cert.certFile, key: cert.keyFile } }),
    ).toBe(0);
  });

  it('fails when nothing answers, or when the scheme does not match the listener', async () => {
    expect(await check({ host: '127.0.0.1', port: await freePort() })).toBe(1);
    expect(await check({ host: '127.0.0.1', port: port(tls) })).toBe(1);
  });

  it('takes SWITCHYARD_HEALTHCHECK_URL over the config when set', async () => {
    const wrong = { host: '127.0.0.1', port: await freePort() };
    expect(await check(wrong, { SWITCHYARD_HEALTHCHECK_URL: `${plain.url}/healthz` })).toBe(0);
    expect(
      await check(
        { host: '127.0.0.1', port: port(plain) },
        { SWITCHYARD_HEALTHCHECK_URL: `${plain.url}/nope` },
      ),
    ).toBe(1);
  });
});
