import { matchOrigin, rewritePath, type UrlRewriteContext } from './url-rewrite.js';

const NEEDLE = Buffer.from('"http');
const QUOTE = 0x22;
const MAX_URL = 8192;
const NEXT_URI = Buffer.from('nextUri');
/**
 * The protocol's URL fields (QueryResults nextUri/infoUri/partialCancelUri, a spooled segment's
 * uri/ackUri): the only strings rewritten. Result values, column names, warnings and error texts are data
 * and pass byte-identical, whatever they start with.
 */
const URL_FIELDS = ['nextUri', 'infoUri', 'partialCancelUri', 'uri', 'ackUri'].map((k) => Buffer.from(k));
const TAIL_KEEP = 256 * 1024;
/** Bytes kept before a held-back URL so its key ("nextUri":) is still visible in the next chunk. */
const LOOKBEHIND = 16;

/** What the gateway learns from a statement response while it passes through. */
export interface StatementFacts {
  /** Query id from the first follow-up URL seen. */
  queryId?: string;
  /** The first bytes of the body (its "id" field is there), when its first chunk had no follow-up URL. */
  head?: string;
  /** Whether the page carried a nextUri (the query goes on). */
  hasNext: boolean;
  /** The nextUri points at none of the backend's origins (the page is not passed on). */
  foreignNext?: boolean;
  /** For a final page: its last ≤ 256 KB (all of it when `finalComplete`), to read state and error. */
  finalBody?: Buffer;
  finalComplete?: boolean;
}

/**
 * StatementScanner rewrites backend URLs in a statement JSON body chunk by chunk, binary-safe and
 * without parsing JSON: it looks only at string values that start with "http. Bytes of a possibly
 * split URL are held back until the next chunk. Memory held is bounded by MAX_URL plus the tail kept
 * for parsing a final page.
 */
export class StatementScanner {
  readonly facts: StatementFacts = { hasNext: false };
  private pending: Buffer | undefined;
  /** The last bytes before what was held back, for a key split across chunks. */
  private prevTail: Buffer | undefined;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private truncated = false;
  private started = false;

  constructor(private readonly ctx: UrlRewriteContext) {}

  /** push returns the bytes ready to send for this chunk. */
  push(chunk: Buffer): Buffer[] {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const first = !this.started;
    this.started = true;
    this.pending = undefined;
    const out: Buffer[] = [];
    let emitted = 0;
    let from = 0;
    for (;;) {
      const i = buf.indexOf(NEEDLE, from);
      if (i < 0) {
        // Hold back only a tail that could begin the needle (`"`, `"h`, `"ht`, `"htt`): copying
        // every chunk to glue a few bytes on would cost a full copy of a large page.
        const keep = Math.min(needlePrefixAtEnd(buf), buf.length - emitted);
        const end = buf.length - keep;
        if (end > emitted) out.push(buf.subarray(emitted, end));
        if (keep > 0) this.pending = buf.subarray(end);
        this.rollTail(buf, end);
        break;
      }
      const j = buf.indexOf(QUOTE, i + 1);
      if (j < 0) {
        if (buf.length - i > MAX_URL) {
          from = i + 1;
          continue;
        }
        const hold = Math.max(emitted, i - LOOKBEHIND);
        if (hold > emitted) out.push(buf.subarray(emitted, hold));
        this.pending = buf.subarray(hold);
        this.rollTail(buf, hold);
        break;
      }
      const rest = j - i - 1 <= MAX_URL ? matchOrigin(buf, i + 1, j, this.ctx) : -1;
      if (rest >= 0 && this.isUrlField(buf, i)) {
        out.push(buf.subarray(emitted, i + 1));
        const queryId = rewritePath(buf, rest, j, this.ctx, out);
        if (queryId && !this.facts.queryId) this.facts.queryId = queryId;
        emitted = j;
      }
      if (!this.facts.hasNext && this.isNextUri(buf, i)) {
        this.facts.hasNext = true;
        // A nextUri on no origin of the backend's: the client must not be sent there (see foreignNext).
        if (rest < 0) this.facts.foreignNext = true;
      }
      from = j + 1;
    }
    // The head is only wanted when the first chunk named no query (a page without follow-up URLs).
    if (first && !this.facts.queryId) this.facts.head = buf.toString('latin1', 0, Math.min(buf.length, 512));
    this.keepTail(out);
    return out;
  }

  /** rollTail remembers the last LOOKBEHIND bytes before `end` (spanning earlier chunks when short). */
  private rollTail(buf: Buffer, end: number): void {
    if (end >= LOOKBEHIND) this.prevTail = Buffer.from(buf.subarray(end - LOOKBEHIND, end));
    else {
      const joined = Buffer.concat([this.prevTail ?? Buffer.alloc(0), buf.subarray(0, end)]);
      this.prevTail = joined.subarray(Math.max(0, joined.length - LOOKBEHIND));
    }
  }

  /** isUrlField tells whether the string at i is the value of one of the protocol's URL fields. */
  private isUrlField(buf: Buffer, i: number): boolean {
    const joined = i >= LOOKBEHIND || !this.prevTail?.length;
    const b = joined ? buf : Buffer.concat([this.prevTail!, buf.subarray(0, i + 1)]);
    const at = joined ? i : this.prevTail!.length + i;
    for (const key of URL_FIELDS) if (keyBefore(b, at, key)) return true;
    return false;
  }

  /** isNextUri tells whether the URL at i is the value of "nextUri", looking into the previous chunk's tail when needed. */
  private isNextUri(buf: Buffer, i: number): boolean {
    if (i >= LOOKBEHIND || !this.prevTail?.length) return keyBefore(buf, i, NEXT_URI);
    const joined = Buffer.concat([this.prevTail, buf.subarray(0, i + 1)]);
    return keyBefore(joined, this.prevTail.length + i, NEXT_URI);
  }

  /** end flushes held bytes and settles the facts. */
  end(): Buffer[] {
    const out = this.pending ? [this.pending] : [];
    this.pending = undefined;
    this.keepTail(out);
    if (!this.facts.hasNext) {
      this.facts.finalBody = Buffer.concat(this.tail);
      this.facts.finalComplete = !this.truncated;
    }
    this.tail = [];
    return out;
  }

  private keepTail(out: Buffer[]): void {
    // Only a final page (no nextUri) is read back; holding chunks of a page that goes on would keep
    // their buffers alive across garbage collections for nothing.
    if (this.facts.hasNext) {
      if (this.tail.length) this.tail = [];
      return;
    }
    for (const b of out) {
      this.tailBytes += b.length;
      this.tail.push(b);
    }
    while (this.tailBytes > TAIL_KEEP && this.tail.length > 1) {
      this.tailBytes -= this.tail.shift()!.length;
      this.truncated = true;
    }
  }
}

/** keyBefore tells whether the JSON string starting at quote index q is the value of key `"key":`. */
function keyBefore(buf: Buffer, q: number, key: Buffer): boolean {
  let k = q - 1;
  while (k >= 0 && (buf[k] === 0x20 || buf[k] === 0x0a || buf[k] === 0x0d || buf[k] === 0x09)) k--;
  if (k < 0 || buf[k] !== 0x3a /* : */) return false;
  k--;
  while (k >= 0 && (buf[k] === 0x20 || buf[k] === 0x0a || buf[k] === 0x0d || buf[k] === 0x09)) k--;
  if (k < key.length + 1 || buf[k] !== QUOTE) return false;
  const start = k - key.length;
  return buf[start - 1] === QUOTE && buf.compare(key, 0, key.length, start, k) === 0;
}

/** needlePrefixAtEnd returns how many trailing bytes of buf are a proper prefix of the needle. */
function needlePrefixAtEnd(buf: Buffer): number {
  // Byte by byte: this runs for every chunk, and native compare calls cost more than 4 byte reads.
  const len = buf.length;
  outer: for (let n = Math.min(NEEDLE.length - 1, len); n > 0; n--) {
    const at = len - n;
    for (let k = 0; k < n; k++) if (buf[at + k] !== NEEDLE[k]) continue outer;
    return n;
  }
  return 0;
}
