import { sql } from 'drizzle-orm';
import type { PgDb } from '../../db/open-pg.js';

/** The channel replicas LISTEN on for admin changes. */
export const CHANGE_CHANNEL = 'switchyard_changes';
/** The settings row counting admin changes: a replica that missed a notice sees the count move. */
export const CHANGE_VERSION_KEY = 'config-version';

/** The data areas a notice names; a replica reloads that area's small tables. */
export type ChangeArea = 'backends' | 'users' | 'catalogs' | 'rules';

type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

/**
 * announce, inside the transaction of an admin write, bumps the change version and queues a NOTIFY
 * (payload `area:version`):
 * PostgreSQL delivers the notice only if the transaction commits, so a replica never hears of a change
 * that did not happen, nor a change before it is visible.
 */
export async function announce(tx: Tx, area: ChangeArea): Promise<void> {
  const r = await tx.execute<{ value: string }>(sql`
    INSERT INTO settings (key, value) VALUES (${CHANGE_VERSION_KEY}, '1')
    ON CONFLICT (key) DO UPDATE SET value = (settings.value::bigint + 1)::text
    RETURNING value`);
  await tx.execute(sql`SELECT pg_notify(${CHANGE_CHANNEL}, ${`${area}:${r.rows[0]!.value}`})`);
}

/** announced runs one admin write and its announcement in one transaction. */
export function announced<T>(db: PgDb, area: ChangeArea, write: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const out = await write(tx);
    await announce(tx, area);
    return out;
  });
}
