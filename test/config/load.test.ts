import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';

const issueShape = `
server:   { host: 0.0.0.0, port: 8080, publicUrl: http://localhost:8080 }
database: { path: ./data/switchyard.db }
routing:  { defaultGroup: adhoc }
groups:   [ { name: adhoc }, { name: etl } ]
backends:
  - { name: trino-1, url: http://localhost:8081, group: adhoc, active: true }
  - { name: trino-2, url: http://localhost:8082, group: adhoc, active: true, externalUrl: https://trino-2.example.com }
`;

function errorOf(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(text, { env });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('accepts the documented shape and fills defaults', () => {
    const cfg = parseConfig(issueShape);
    expect(cfg.backends[1]).toMatchObject({
      name: 'trino-2',
      weight: 1,
      catalogDriver: 'sql',
      externalUrl: 'https://trino-2.example.com',
    });
    expect(cfg.groups[0].policy).toBe('least-loaded');
    expect(cfg.proxy.upstreamTimeoutMs).toBe(120_000);
    expect(Object.isFrozen(cfg.backends[0])).toBe(true);
  });

  it('loads the shipped gateway.config.yaml', () => {
    expect(loadConfig('gateway.config.yaml').routing.defaultGroup).toBe('adhoc');
  });

  it('substitutes ${ENV:NAME} and ${ENV:NAME:-default}', () => {
    const cfg = parseConfig('server: { publicUrl: "${ENV:PUB}", host: "${ENV:HOST:-127.0.0.1}" }', {
      env: { PUB: 'https://gw.example' },
    });
    expect(cfg.server.publicUrl).toBe('https://gw.example');
    expect(cfg.server.host).toBe('127.0.0.1');
  });

  it.each([
    ['server: { port: "eighty" }', 'server.port'],
    ['server: { prot: 1 }', 'server'],
    ['backends: [ { name: a, url: ftp://x, group: adhoc } ]', 'backends[0].url'],
    [
      'groups: [{name: adhoc}]\nbackends: [ { name: a, url: "http://x", group: nope } ]',
      'backends[0].group: unknown group "nope"',
    ],
    [
      'groups: [{name: adhoc}]\nbackends: [ { name: a, url: "http://x", group: adhoc }, { name: a, url: "http://y", group: adhoc } ]',
      'backends[1].name: duplicate backend',
    ],
    ['groups: [{name: adhoc, policy: fastest}]', 'groups[0].policy'],
    ['groups: [{name: adhoc, fallback: etl}]', 'groups[0].fallback: unknown group "etl"'],
    ['groups: [{name: etl}]', 'routing.defaultGroup: unknown group "adhoc"'],
    ['server: { publicUrl: "${ENV:MISSING}" }', 'environment variable MISSING is not set'],
    ['server: [1, 2', 'line 1'],
    ['- just\n- a list', '(root)'],
  ])('rejects %j naming %s', (text, want) => {
    expect(errorOf(text)).toContain(want);
  });

  it('reports an unreadable file by name, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server: { port: -1 }');
    expect(() => loadConfig(file)).toThrow(/bad\.yaml[\s\S]*server\.port/);
    expect(() => loadConfig(join(dir, 'missing.yaml'))).toThrow(/cannot read/);
    expect(readFileSync(file, 'utf8')).toContain('port');
  });
});
