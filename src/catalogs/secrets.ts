/**
 * Secret catalog properties (passwords, tokens, keys): which keys are secret, sealing their values at rest
 * with a 32-byte key (JWE compact, `dir` + A256GCM), and masking them for display.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { scrubEmbeddedSecrets } from './embedded-secrets.js';

/** Key fragments that make a catalog property secret; `passphrase` and `passwd` are not spelled `password`. */
export const DEFAULT_SECRET_PATTERNS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'key',
  'credential',
];

/** secretKeyMatcher: a key is secret when it contains any pattern, case-insensitively. */
export function secretKeyMatcher(patterns: readonly string[]): (key: string) => boolean {
  const lower = patterns.map((p) => p.toLowerCase()).filter((p) => p !== '');
  return (key: string) => {
    const k = key.toLowerCase();
    return lower.some((p) => k.includes(p));
  };
}

/** holdsSecret: the key is secret, or the value carries a password of its own. */
export function holdsSecret(key: string, value: string, isSecret: (key: string) => boolean): boolean {
  return isSecret(key) || scrubEmbeddedSecrets(value, isSecret) !== value;
}

/** maskProperties replaces secret values with `***`. */
export function maskProperties(
  props: Record<string, string>,
  isSecret: (key: string) => boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) define(out, k, isSecret(k) ? '***' : v);
  return out;
}

/** define sets an own enumerable property, so a `__proto__` key stays an ordinary key. */
function define(o: Record<string, string>, k: string, v: string): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const MARKER = 'jwe:';
/** `jwe:` + a compact JWE with an empty encrypted key (`dir`): header..iv.ciphertext.tag */
const SEALED = /^jwe:[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
const PROTECTED_HEADER = { alg: 'dir', enc: 'A256GCM' } as const;

/**
 * Seals strings with one 32-byte key. A sealed value is `jwe:<compact JWE>`; the marker keeps plain
 * values from being taken for sealed ones. Unsealing fails (throws) on a wrong key or any tampering.
 */
export class SecretSealer {
  private constructor(private readonly key: webcrypto.CryptoKey) {}

  static async fromKey(key: Uint8Array): Promise<SecretSealer> {
    if (!(key instanceof Uint8Array) || key.length !== 32)
      throw new Error('seal key must be exactly 32 bytes');
    const cryptoKey = await webcrypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    return new SecretSealer(cryptoKey);
  }

  async seal(plain: string): Promise<string> {
    const jwe = await new CompactEncrypt(new TextEncoder().encode(plain))
      .setProtectedHeader(PROTECTED_HEADER)
      .encrypt(this.key);
    return MARKER + jwe;
  }

  async unseal(jwe: string): Promise<string> {
    if (!this.isSealed(jwe)) throw new Error('value is not a sealed secret');
    try {
      const { plaintext } = await compactDecrypt(jwe.slice(MARKER.length), this.key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
    } catch {
      throw new Error('sealed secret could not be unsealed (wrong key or modified value)');
    }
  }

  isSealed(value: string): boolean {
    return typeof value === 'string' && SEALED.test(value);
  }

  /**
   * sealProperties seals the values of secret keys, and values holding an embedded password (a JDBC URL
   * with `password=`, `//user:pass@`); others are copied. Values already sealed are kept
   * as they are, so sealing twice is harmless.
   */
  async sealProperties(
    props: Record<string, string>,
    isSecret: (key: string) => boolean,
  ): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(props))
      define(out, k, holdsSecret(k, v, isSecret) && !this.isSealed(v) ? await this.seal(v) : v);
    return out;
  }

  /** unsealProperties unseals every sealed value (whatever its key); plain values are copied. */
  async unsealProperties(props: Record<string, string>): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(props)) define(out, k, this.isSealed(v) ? await this.unseal(v) : v);
    return out;
  }
}

/**
 * parseSealKey reads a 32-byte key written as base64 or base64url (padding optional, surrounding
 * whitespace ignored). The error never repeats the input.
 */
export function parseSealKey(text: string): Uint8Array {
  const t = typeof text === 'string' ? text.trim() : '';
  const mixedAlphabets = /[+/]/.test(t) && /[_-]/.test(t);
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t) || mixedAlphabets)
    throw new Error('seal key must be base64 or base64url of exactly 32 bytes (malformed text)');
  const bytes = Buffer.from(t, /[_-]/.test(t) ? 'base64url' : 'base64');
  if (bytes.length !== 32)
    throw new Error(`seal key must be base64 or base64url of exactly 32 bytes (decodes to ${bytes.length})`);
  return new Uint8Array(bytes);
}

/** generateSealKey: base64url of 32 random bytes. */
export function generateSealKey(): string {
  return randomBytes(32).toString('base64url');
}
