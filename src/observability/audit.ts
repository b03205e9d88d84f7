import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from './logger.js';

/**
 * The audit trail of admin changes: one info line per change, written where the change is made (the
 * backend registry, the user directory, the catalog service), naming who made it, what changed, and the
 * state before and after. Who is the principal of the admin request (or console session) the change
 * runs in, carried by AsyncLocalStorage from one middleware, so no route handler passes it along;
 * outside any request (config seeding, background loops) it is "system".
 */
const actor = new AsyncLocalStorage<string>();

/** actingAs runs fn (and everything it awaits) as the named principal. */
export function actingAs<T>(who: string, fn: () => T): T {
  return actor.run(who, fn);
}

/** currentActor names the principal the current change runs for, or "system". */
export function currentActor(): string {
  return actor.getStore() ?? 'system';
}

export interface AuditChange {
  /** What was done, as noun.verb: backend.add, backend.deactivate, group.update, user.delete, catalog.create… */
  what: string;
  /** The name of the thing changed. */
  target: string;
  /** State before the change (undefined: it did not exist). Never holds a secret. */
  before?: unknown;
  /** State after the change (undefined: it is gone). Never holds a secret. */
  after?: unknown;
  /** Who, when the caller knows better than the request context. */
  who?: string;
}

/** audit writes the one line of a change: `audit: ops backend.deactivate trino-2`, with before and after. */
export function audit(logger: Logger, c: AuditChange): void {
  const who = c.who ?? currentActor();
  logger.info(
    { audit: true, who, what: c.what, target: c.target, before: c.before ?? null, after: c.after ?? null },
    `audit: ${who} ${c.what} ${c.target}`,
  );
}
