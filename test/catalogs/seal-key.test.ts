import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadSealKey } from '../../src/catalogs/seal-key.js';
import { generateSealKey, parseSealKey } from '../../src/catalogs/secrets.js';
import { createLogger } from '../../src/observability/logger.js';

function logger() {
  let text = '';
  const destination = new Writable({
    write(chunk, _e, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { log: createLogger({ level: 'info', destination }), text: () => text };
}
const dir = () => mkdtempSync(join(tmpdir(), 'sy-seal-'));

describe('loadSealKey', () => {
  it('takes catalogs.sealKey first, and never touches a file then', () => {
    const d = dir();
    const key = generateSealKey();
    const l = logger();
    const got = loadSealKey({ sealKey: key, baseDir: d, databasePath: join(d, 'g.db') }, l.log);
    expect(Buffer.from(got).toString('base64url')).toBe(key);
    expect(existsSync(join(d, 'catalog-seal.key'))).toBe(false);
    expect(l.text()).toBe('');
  });

  it('refuses a malformed inline key with the parse error', () => {
    expect(() =>
      loadSealKey({ sealKey: 'short', baseDir: '/', databasePath: ':memory:' }, logger().log),
    ).toThrow(/exactly 32 bytes/);
  });

  it('generates catalog-seal.key beside the database, mode 0600, and reads the same key back', () => {
    const d = dir();
    const l = logger();
    const o = { baseDir: '/', databasePath: join(d, 'data', 'g.db') };
    const first = loadSealKey(o, l.log);
    const file = join(d, 'data', 'catalog-seal.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseSealKey(readFileSync(file, 'utf8'))).toEqual(first);
    expect(l.text()).toMatch(/NO CATALOG SEAL KEY CONFIGURED/);
    expect(l.text()).toContain(file);
    expect(l.text()).not.toContain(Buffer.from(first).toString('base64url'));
    const again = logger();
    expect(loadSealKey(o, again.log)).toEqual(first);
    expect(again.text()).toBe('');
  });

  it('reads sealKeyFile relative to the config directory, and warns when others may read it', () => {
    const d = dir();
    const key = generateSealKey();
    writeFileSync(join(d, 'my.key'), `  ${key}\n`);
    chmodSync(join(d, 'my.key'), 0o644);
    const l = logger();
    const got = loadSealKey({ sealKeyFile: 'my.key', baseDir: d, databasePath: ':memory:' }, l.log);
    expect(Buffer.from(got).toString('base64url')).toBe(key);
    expect(l.text()).toMatch(/can be read by other users; chmod 600 it/);
    expect(l.text()).toContain('"mode":"644"');
  });

  it('says nothing about a key file only its owner can read', () => {
    const d = dir();
    writeFileSync(join(d, 'k'), generateSealKey(), { mode: 0o600 });
    const l = logger();
    loadSealKey({ sealKeyFile: 'k', baseDir: d, databasePath: ':memory:' }, l.log);
    expect(l.text()).toBe('');
  });

  it('keeps a generated key in memory only for an in-memory database', () => {
    const l = logger();
    const a = loadSealKey({ baseDir: '/nonexistent', databasePath: ':memory:' }, l.log);
    expect(a).toHaveLength(32);
    expect(l.text()).toContain('(memory only)');
    expect(loadSealKey({ baseDir: '/nonexistent', databasePath: ':memory:' }, logger().log)).not.toEqual(a);
  });

  it('refuses a key file that holds no valid key', () => {
    const d = dir();
    writeFileSync(join(d, 'bad.key'), 'not a key', { mode: 0o600 });
    expect(() =>
      loadSealKey({ sealKeyFile: 'bad.key', baseDir: d, databasePath: ':memory:' }, logger().log),
    ).toThrow(/malformed/);
  });
});
