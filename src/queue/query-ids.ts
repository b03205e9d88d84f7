import { randomBytes } from 'node:crypto';

/** The alphabet of Trino's QueryIdGenerator coordinator ids (base 32 without l, o, 0, 1). */
const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789';

function base32(n: number): string {
  let s = '';
  for (const byte of randomBytes(n)) s += BASE32[byte & 31];
  return s;
}

/**
 * QueryIds issues the gateway's own ids for queries it holds, in Trino's format (io.trino.execution
 * QueryIdGenerator): `yyyyMMdd_HHmmss_NNNNN_ccccc`, UTC time, a counter that restarts every second, and a
 * per-process id of five base-32 letters. Clients that parse or print query ids see nothing unusual.
 */
export class QueryIds {
  private readonly instance = base32(5);
  private second = '';
  private counter = 0;

  next(now = Date.now()): string {
    const iso = new Date(now).toISOString(); // 2026-12-02T05:46:39.123Z
    const second = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
    if (second !== this.second) {
      this.second = second;
      this.counter = 0;
    }
    const n = this.counter++ % 100_000;
    return `${second}_${String(n).padStart(5, '0')}_${this.instance}`;
  }
}

/** newSlug is the secret path segment of a held query's nextUri (as Trino's slug): 128 random bits. */
export function newSlug(): string {
  return `y${randomBytes(16).toString('hex')}`;
}
