import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { openGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { startGateway, testConfig } from '../helpers/start-gateway.js';

const minimal = (extra = '') => `
server: { port: 0 }
database: { path: ':memory:' }
groups: [{ name: adhoc }]
backends:
  - { name: trino-1, url: http://127.0.0.1:9, group: adhoc }
${extra}`;

function problem(text: string, baseDir: string): string {
  try {
    parseConfig(text, { baseDir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('config mistakes caught at start, one line naming the key and the fix', () => {
  const empty = mkdtempSync(join(tmpdir(), 'sy-cfg-'));

  it('starts a minimal config in a new directory: the default rules directory, missing, means no rules', async () => {
    const cfg = parseConfig(minimal().replace('port: 0', "port: 0, host: '127.0.0.1'"), { baseDir: empty });
    expect(cfg.routing.rulesDir).toBeUndefined();
    let logs = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logs += chunk.toString();
        cb();
      },
    });
    const gw = await openGateway(cfg, {
      logger: createLogger({ level: 'info', destination: sink }),
      metrics: new Metrics(),
    });
    try {
      expect(logs).toContain('no routing rules directory');
    } finally {
      await gw.stop(100);
    }
  });

  it('refuses a configured rules directory that does not exist', () => {
    const msg = problem(minimal('routing: { rulesDir: ./nope }'), empty);
    expect(msg).toContain('routing.rulesDir: directory');
    expect(msg).toContain('remove routing.rulesDir to run without rules');
  });

  it('refuses a backend URL with a path', () => {
    const msg = problem(minimal().replace('http://127.0.0.1:9', 'http://127.0.0.1:9/trino'), empty);
    expect(msg).toContain('backends[0].url: scheme://host:port without a path');
  });

  it('refuses a TLS file that is not there', () => {
    const msg = problem(
      minimal().replace('server: { port: 0 }', 'server: { port: 0, tls: { cert: c.pem, key: k.pem } }'),
      empty,
    );
    expect(msg).toContain('server.tls.cert: file');
    expect(msg).toContain('server.tls.key: file');
  });

  it('warns at start of a rule that routes to an undeclared group, naming rule, file and fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-rules-'));
    writeFileSync(
      join(dir, '10.yaml'),
      '- name: to-nowhere\n  condition: {}\n  actions: { routeTo: nowhere }\n',
    );
    const gw = await startGateway({ ...testConfig([]), routing: { defaultGroup: 'adhoc', rulesDir: dir } });
    try {
      expect(gw.logs()).toContain('rule \\"to-nowhere\\": routeTo \\"nowhere\\" is no routing group');
    } finally {
      await gw.stop();
    }
  });
});
