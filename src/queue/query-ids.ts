import { randomBytes, randomFillSync } from 'node:crypto';

/** The alphabet of Trino's QueryIdGenerator coordinator ids (base 32 without l, o, 0, 1). */
const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789';

function base32(n: number): string {
  let s = '';
  for (const byte of randomBytes(n)) s += BASE32[byte & 31];
  return s;
}

/** Random bytes drawn 4 KiB at a time: one system call per 256 slugs instead of one each. */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;

/**
 * QueryIds issues the gateway's own ids for queries it holds, in Trino's format (io.trino.execution
 * QueryIdGenerator): `yyyyMMdd_HHmmss_NNNNN_ccccc`, UTC time, a counter that restarts every second, and a
 * per-process id of five base-32 letters. Clients that parse or print query ids see nothing unusual.
 */
export class QueryIds {
  private readonly instance = base32(5);
  private second = '';
  /** The UTC second `second` was formatted for (formatted again only when it changes). */
  private secondOf = -1;
  private counter = 0;

  next(now = Date.now()): string {
    const sec = Math.floor(now / 1000);
    if (sec !== this.secondOf) {
      const iso = new Date(now).toISOString(); // 2026-12-02T05:46:39.123Z
      const second = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
      this.secondOf = sec;
      if (second !== this.second) {
        this.second = second;
        this.counter = 0;
      }
    }
    const n = this.counter++ % 100_000;
    return `${this.second}_${String(n).padStart(5, '0')}_${this.instance}`;
  }
}

/** newSlug is the secret path segment of a held query's nextUri (as Trino's slug): 128 random bits. */
export function newSlug(): string {
  if (poolAt + 16 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const slug = `y${POOL.toString('hex', poolAt, poolAt + 16)}`;
  POOL.fill(0, poolAt, poolAt + 16); // each byte is used once, and not kept once used
  poolAt += 16;
  return slug;
}
