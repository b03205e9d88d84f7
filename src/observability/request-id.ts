import { randomBytes } from 'node:crypto';

const BOOT = randomBytes(4).toString('hex');
let counter = 0;
const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * requestId keeps a caller's X-Request-Id when it is a short token of safe characters (so a request can be
 * followed through a load balancer), and otherwise makes one: this process's random prefix and a counter,
 * unique per process lifetime and cheap enough for every poll.
 */
export function requestId(incoming: string | string[] | undefined): string {
  if (typeof incoming === 'string' && SAFE.test(incoming)) return incoming;
  return `${BOOT}-${(++counter).toString(36)}`;
}
