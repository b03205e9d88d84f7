import { EventEmitter } from 'node:events';
import pg from 'pg';
import { CHANGE_CHANNEL, CHANGE_VERSION_KEY, type ChangeArea } from './change-notice.js';

export interface ChangeFeedOptions {
  url: string;
  /** Time between version checks (a notice can be lost: NOTIFY is not durable). Default 30 s. */
  checkIntervalMs?: number;
  /** Time between reconnect attempts after the LISTEN connection failed. Default 1 s. */
  retryMs?: number;
  connectTimeoutMs?: number;
}

interface Events {
  /** Another replica (or this one) committed a change to one area: reload that area. */
  change: [area: ChangeArea];
  /** Changes may have been missed (a reconnect, the version moved unannounced): reload everything. */
  reload: [];
}

/** How long a moved version waits for its notice before it counts as missed. */
const NOTICE_GRACE_MS = 100;

const AREAS = new Set<string>(['backends', 'users', 'catalogs', 'rules']);

/**
 * ChangeFeed tells a replica about admin changes made by any replica: LISTEN on a dedicated connection
 * for the notices announce() sends, plus a check of the change version every interval; a reconnect (the
 * connection failed, PostgreSQL restarted) and a version that moved without a notice both ask for a full
 * reload, since notices sent meanwhile are gone. Never throws; reconnects on its own until stopped.
 */
export class ChangeFeed extends EventEmitter<Events> {
  private client: pg.Client | undefined;
  private version: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private connecting: Promise<void> | undefined;
  private connectedOnce = false;

  constructor(private readonly o: ChangeFeedOptions) {
    super();
  }

  /** seenVersion: the newest change version this feed knows of (a check finding more reloads). */
  seenVersion(): string | undefined {
    return this.version;
  }

  /** connected: whether the LISTEN connection is up now. */
  connected(): boolean {
    return this.client !== undefined;
  }

  /** start connects (resolving once listening, or once the first attempt failed) and keeps checking. */
  start(): Promise<void> {
    this.stopped = false;
    this.schedule();
    return this.ensure();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const ms = this.client ? (this.o.checkIntervalMs ?? 30_000) : (this.o.retryMs ?? 1000);
    this.timer = setTimeout(
      () =>
        void this.ensure()
          .then(() => this.check())
          .finally(() => this.schedule()),
      ms,
    );
    this.timer.unref();
  }

  private ensure(): Promise<void> {
    if (this.client || this.stopped) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({
      connectionString: this.o.url,
      connectionTimeoutMillis: this.o.connectTimeoutMs ?? 5000,
    });
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    c.on('notification', (n) => this.noticed(n.channel, n.payload));
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGE_CHANNEL}`);
      this.version = await readVersion(c);
    } catch {
      c.end().catch(() => undefined);
      return;
    }
    if (this.stopped) return void c.end().catch(() => undefined);
    this.client = c;
    if (this.connectedOnce) this.emit('reload');
    this.connectedOnce = true;
    this.schedule();
  }

  /** noticed passes an announced change on; its version is seen, so the next check does not reload for it. */
  private noticed(channel: string, payload: string | undefined): void {
    const [area, version] = (payload ?? '').split(':');
    if (channel !== CHANGE_CHANNEL || !area || !AREAS.has(area)) return;
    if (version && /^\d+$/.test(version) && BigInt(version) > BigInt(this.version ?? '0'))
      this.version = version;
    this.emit('change', area as ChangeArea);
  }

  /** check compares the change version with the last one seen: moved means a notice was missed. */
  private async check(): Promise<void> {
    const c = this.client;
    if (!c) return;
    try {
      const v = await readVersion(c);
      if (BigInt(v) <= BigInt(this.version ?? '0')) return;
      // The notice of a change that committed just now may still be on its way: give it a moment.
      await new Promise((r) => setTimeout(r, NOTICE_GRACE_MS));
      if (BigInt(v) <= BigInt(this.version ?? '0')) return;
      this.version = v;
      this.emit('reload');
    } catch {
      this.lost(c);
    }
  }

  /** lost forgets a failed LISTEN connection; the next attempt comes after retryMs. */
  private lost(c: pg.Client): void {
    if (c !== this.client) return;
    this.client = undefined;
    c.end().catch(() => undefined);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.connecting;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}

async function readVersion(c: pg.Client): Promise<string> {
  const r = await c.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [
    CHANGE_VERSION_KEY,
  ]);
  return r.rows[0]?.value ?? '0';
}
