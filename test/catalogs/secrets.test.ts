import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SECRET_PATTERNS,
  SecretSealer,
  generateSealKey,
  maskProperties,
  parseSealKey,
  secretKeyMatcher,
} from '../../src/catalogs/secrets.js';

const isSecret = secretKeyMatcher(DEFAULT_SECRET_PATTERNS);

describe('secretKeyMatcher', () => {
  it('matches patterns as case-insensitive substrings of the key', () => {
    for (const k of [
      'connection-password',
      'PASSWORD',
      's3.aws-secret-key',
      'bigquery.credentials-key',
      'oauth.Token',
      'hive.metastore.client.keytab',
      'credential-provider',
    ])
      expect(isSecret(k), k).toBe(true);
    for (const k of ['connection-url', 'connection-user', 'hive.metastore.uri', 'pass', ''])
      expect(isSecret(k), k).toBe(false);
    expect(secretKeyMatcher(['PaSs'])('my-password')).toBe(true);
    expect(secretKeyMatcher([])('password')).toBe(false);
    expect(secretKeyMatcher([''])('anything')).toBe(false);
  });
});

describe('maskProperties', () => {
  it('replaces secret values with ***', () => {
    expect(
      maskProperties({ 'connection-url': 'jdbc:x', 'connection-password': 'hunter2' }, isSecret),
    ).toEqual({
      'connection-url': 'jdbc:x',
      'connection-password': '***',
    });
  });
});

describe('SecretSealer', () => {
  const key = randomBytes(32);

  it('seals and unseals round trip, with a marker and fresh IVs', async () => {
    const s = await SecretSealer.fromKey(key);
    const plain = "pä$$w'ord \u{1F511}";
    const a = await s.seal(plain);
    const b = await s.seal(plain);
    expect(a.startsWith('jwe:')).toBe(true);
    expect(a).not.toContain(plain);
    expect(a).not.toBe(b);
    expect(s.isSealed(a)).toBe(true);
    expect(await s.unseal(a)).toBe(plain);
    expect(await s.unseal(await s.seal(''))).toBe('');
  });

  it('does not take plain values for sealed ones', async () => {
    const s = await SecretSealer.fromKey(key);
    const jwe = (await s.seal('x')).slice(4);
    for (const v of ['hunter2', 'jwe:', 'jwe:abc', jwe, 'eyJhbGciOiJkaXIifQ..a.b.c', ''])
      expect(s.isSealed(v), v).toBe(false);
    await expect(s.unseal('hunter2')).rejects.toThrow(/not a sealed secret/);
  });

  it('rejects a tampered value', async () => {
    const s = await SecretSealer.fromKey(key);
    const sealed = await s.seal('secret value');
    const parts = sealed.split('.');
    const flip = (t: string) => (t[0] === 'A' ? 'B' : 'A') + t.slice(1);
    for (const i of [0, 2, 3, 4]) {
      const bad = [...parts];
      bad[i] = i === 0 ? 'jwe:' + flip(bad[0].slice(4)) : flip(bad[i]);
      await expect(s.unseal(bad.join('.')), `part ${i}`).rejects.toThrow(/could not be unsealed/);
    }
  });

  it('rejects a value sealed with another key', async () => {
    const a = await SecretSealer.fromKey(key);
    const b = await SecretSealer.fromKey(randomBytes(32));
    await expect(b.unseal(await a.seal('x'))).rejects.toThrow(/wrong key or modified/);
  });

  it('needs a 32-byte key', async () => {
    await expect(SecretSealer.fromKey(randomBytes(16))).rejects.toThrow(/32 bytes/);
    await expect(SecretSealer.fromKey(new Uint8Array(33))).rejects.toThrow(/32 bytes/);
  });

  it('seals only secret properties, idempotently, and unseals them back', async () => {
    const s = await SecretSealer.fromKey(key);
    const props = { 'connection-url': 'jdbc:x', 'connection-password': 'hunter2', 'oauth.token': 't' };
    const sealed = await s.sealProperties(props, isSecret);
    expect(sealed['connection-url']).toBe('jdbc:x');
    expect(s.isSealed(sealed['connection-password'])).toBe(true);
    expect(s.isSealed(sealed['oauth.token'])).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain('hunter2');
    const twice = await s.sealProperties(sealed, isSecret);
    expect(twice).toEqual(sealed);
    expect(await s.unsealProperties(twice)).toEqual(props);
    expect(maskProperties(sealed, isSecret)['connection-password']).toBe('***');
  });
});

describe('parseSealKey / generateSealKey', () => {
  it('accepts base64 and base64url of 32 bytes', () => {
    const raw = Buffer.alloc(32, 0xfb); // encodes with + / in base64 and - _ in base64url
    expect(Buffer.from(parseSealKey(raw.toString('base64')))).toEqual(raw);
    expect(Buffer.from(parseSealKey(raw.toString('base64url')))).toEqual(raw);
    expect(Buffer.from(parseSealKey(`  ${raw.toString('base64')}\n`))).toEqual(raw);
    const g = generateSealKey();
    expect(g).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parseSealKey(g)).toHaveLength(32);
    expect(generateSealKey()).not.toBe(g);
  });

  it('rejects other text without echoing it', () => {
    const candidates = [
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64url'),
      'not a key at all, hunter2!',
      randomBytes(32).toString('hex'),
      '',
      randomBytes(32).toString('base64').replace(/=+$/, '') + '_-+/',
    ];
    for (const text of candidates) {
      let message = '';
      try {
        parseSealKey(text);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, text).toMatch(/exactly 32 bytes/);
      if (text) expect(message).not.toContain(text.slice(0, 8));
    }
  });

  it('a parsed key works with the sealer', async () => {
    const s = await SecretSealer.fromKey(parseSealKey(generateSealKey()));
    expect(await s.unseal(await s.seal('ok'))).toBe('ok');
  });
});
