import type * as pg from './schema.pg.js';
import type * as sqlite from './schema.js';

/**
 * Compile-time check that the two dialects' schemas agree: every table exists in both, and reads
 * ($inferSelect) and writes ($inferInsert) the same TypeScript shape. A column added, renamed, retyped or
 * made nullable in one schema only fails `tsc` here, naming the table. Nothing runs at run time.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Tables<S> = { [K in keyof S as S[K] extends { $inferSelect: unknown } ? K : never]: S[K] };
type Check<T extends true> = T;

type SqliteTables = Tables<typeof sqlite>;
type PgTables = Tables<typeof pg>;

/** Both schemas export the same table names. */
export type SameTables = Check<Equal<keyof SqliteTables, keyof PgTables>>;

type SameRows = {
  [K in keyof SqliteTables & keyof PgTables]: Equal<
    SqliteTables[K] extends { $inferSelect: infer R } ? R : never,
    PgTables[K] extends { $inferSelect: infer R } ? R : never
  >;
};
type SameInserts = {
  [K in keyof SqliteTables & keyof PgTables]: Equal<
    SqliteTables[K] extends { $inferInsert: infer R } ? R : never,
    PgTables[K] extends { $inferInsert: infer R } ? R : never
  >;
};

/** Tables whose shape differs between the dialects: `never` when none does (the check below). */
type Differing<M> = { [K in keyof M]: M[K] extends true ? never : K }[keyof M];
export type SameRowShapes = Check<Equal<Differing<SameRows>, never>>;
export type SameInsertShapes = Check<Equal<Differing<SameInserts>, never>>;
