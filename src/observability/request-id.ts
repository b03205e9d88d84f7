import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

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

const REQUEST_ID = Symbol('requestId');
type Tagged = ServerResponse & { [REQUEST_ID]?: string };

/**
 * tagResponse remembers the request id an answer must carry. Whoever writes the answer adds it to the
 * header object it passes to writeHead (requestIdOf), instead of a res.setHeader up front: one setHeader
 * makes Node merge every later writeHead header one by one, a cost paid by every poll.
 */
export function tagResponse(res: ServerResponse, id: string): void {
  (res as Tagged)[REQUEST_ID] = id;
}

/** requestIdOf returns the id tagResponse gave an answer, if any. */
export function requestIdOf(res: ServerResponse): string | undefined {
  return (res as Tagged)[REQUEST_ID];
}

const QUERY = Symbol('query');
type WithQuery = ServerResponse & { [QUERY]?: { queryId: string; backend: string } };

/** noteQuery remembers which query and backend a protocol answer belongs to, for its debug log line. */
export function noteQuery(res: ServerResponse, queryId: string, backend: string): void {
  (res as WithQuery)[QUERY] = { queryId, backend };
}

/** queryOf returns what noteQuery remembered, if anything. */
export function queryOf(res: ServerResponse): { queryId: string; backend: string } | undefined {
  return (res as WithQuery)[QUERY];
}
