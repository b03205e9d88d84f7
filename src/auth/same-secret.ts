import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * sameSecret compares a presented secret with the expected one in constant time: both are hashed first,
 * so neither the content nor the length of the expected secret shows in the comparison's timing.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
