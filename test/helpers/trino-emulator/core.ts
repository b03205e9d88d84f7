/** The state an emulated coordinator's endpoint families share. */
import type { QueryErrorJson, QueryIdGenerator, Slug } from './protocol.js';
import type { Cluster, Plan } from './sql.js';
import type { Settings } from './options.js';
import type { SegmentStore } from './spooling.js';
import type { Page } from './results.js';

export interface EmulatedQuery {
  id: string;
  sql: string;
  /** The session user (X-Trino-User, else the authenticated user). */
  user: string | undefined;
  /** The authenticated user. */
  principal?: string;
  state: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Query extends EmulatedQuery {
  /** Header prefix the client used (x-trino-, or the alternate family's). */
  family: string;
  plan: Plan;
  /** The negotiated spooling encoding; undefined: the direct protocol. */
  encoding: string | undefined;
  created: number;
  queuedLeft: number;
  emptyLeft: number;
  offset: number;
  expect: { phase: 'queued' | 'executing'; token: number };
  last?: { key: string; page: Page };
  canceled: boolean;
  /** The failure kill_query gave it. */
  killed?: QueryErrorJson;
}

export interface EmulatorCore {
  readonly name: string;
  readonly settings: Settings;
  readonly cluster: Cluster;
  readonly queries: Map<string, Query>;
  readonly ids: QueryIdGenerator;
  readonly slug: Slug;
  readonly segments: SegmentStore | undefined;
  /**
   * The coordinator is still starting (StartupStatus not complete; AccessControlManager not yet loaded):
   * /v1/info says `starting`, and a statement fails when it is dispatched (its first queued poll) with
   * SERVER_STARTING_UP, "Trino server is still initializing". Default false (a started coordinator).
   */
  readonly starting: boolean;
  /** Large pages end their connection (`Connection: close`), as a cluster shutting down would. */
  closeLargePages: boolean;
  /** Bytes of large_page bodies handed to the socket so far (for back-pressure tests). */
  largeBytesWritten: number;
  /** Writes large_page bodies instead of the filler (the bench's lineitem rows, compressed as Trino does). */
  largePageWriter?: LargePageWriter;
}

/** LargePageWriter answers a large_page request: the page document without its rows, and the size asked for. */
export type LargePageWriter = (
  res: import('node:http').ServerResponse,
  headers: Record<string, string>,
  doc: Record<string, unknown>,
  bytes: number,
) => void;
