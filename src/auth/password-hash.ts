import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes: scrypt from node:crypto (memory-hard, runs in the libuv threadpool, no native
 * dependency to build), stored self-describing as scrypt$N$r$p$salt$hash (base64url).
 */
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scrypt(pw: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(pw, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * A hash of a random password nobody knows, with the parameters new hashes get: checked instead of a
 * missing user's hash, so an unknown name costs the same time as a known one.
 */
export const DUMMY_HASH =
  'scrypt$16384$8$1$rfPGq2FLLZclj5WFQHFCvQ$Hh5jER-a39cLjDdxQPXwMD_E-r4Pp1QiO5cuferWt8M';

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** verifyPassword never throws: a malformed hash simply does not verify. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = /^scrypt\$(\d{1,7})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{8,})\$([A-Za-z0-9_-]{16,})$/.exec(hash);
  if (!m) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (n < 2 || n > 1 << 20 || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const want = Buffer.from(m[5], 'base64url');
  if (want.length !== KEYLEN) return false;
  try {
    const got = await scrypt(password, Buffer.from(m[4], 'base64url'), want.length, {
      N: n,
      r,
      p,
      maxmem: 256 * 1024 * 1024,
    });
    return timingSafeEqual(got, want);
  } catch {
    return false;
  }
}
