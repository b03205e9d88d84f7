import { describe, expect, it } from 'vitest';
import { workerCount } from '../../src/cluster/supervisor.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';

const base = `
server: { port: 8080, publicUrl: http://localhost:8080 }
groups: [ { name: adhoc } ]
`;

function errorOf(text: string): string {
  try {
    parseConfig(text, { env: {} });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('server.workers and configAuthority', () => {
  it('default to one process and seed mode', () => {
    const c = parseConfig(base, { env: {} });
    expect(c.server.workers).toBe(1);
    expect(c.configAuthority).toBe('seed');
  });

  it('take a count or auto (one per core)', () => {
    expect(
      parseConfig(`${base.replace('port: 8080', 'port: 8080, workers: 3')}`, { env: {} }).server.workers,
    ).toBe(3);
    const auto = parseConfig(base.replace('port: 8080', 'port: 8080, workers: auto'), { env: {} });
    expect(workerCount(auto.server.workers, () => 6)).toBe(6);
    expect(workerCount(2, () => 6)).toBe(2);
  });

  it.each([
    ['workers: 0', /server\.workers: .*1/],
    ['workers: many', /server\.workers: a whole number from 1 to 256, or auto/],
    ['workers: 1.5', /server\.workers: a whole number from 1 to 256, or auto/],
  ])('names server.workers for %s', (setting, message) => {
    expect(errorOf(base.replace('port: 8080', `port: 8080, ${setting}`))).toMatch(message);
  });

  it('refuses several workers on a database private to each process', () => {
    const text = `${base.replace('port: 8080', 'port: 8080, workers: 2')}database: { path: ':memory:' }\n`;
    expect(errorOf(text)).toMatch(
      /server\.workers: needs a database the workers share: database\.path is :memory:/,
    );
  });

  it('refuses several workers with a group queue, which holds queries in one process', () => {
    const text = `server: { port: 8080, workers: 2 }\ngroups: [ { name: adhoc, queue: { maxRunningPerBackend: 2 } } ]\n`;
    expect(errorOf(text)).toMatch(
      /groups\[0\]\.queue: holds waiting queries in one process, so it needs server\.workers: 1/,
    );
  });

  it('names configAuthority when it is neither seed nor file', () => {
    expect(errorOf(`${base}configAuthority: database\n`)).toMatch(
      /configAuthority: Invalid option: expected one of "seed"\|"file"/,
    );
  });
});
