import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_LEN = 16; // base64url chars of HMAC-SHA256: 96 bits, plenty against guessing
/** Entries each cache keeps before it starts over: far above any real count of backends, and bounded. */
const MAX_CACHED = 10_000;

/**
 * A signed, stateless "backend handle" carried in rewritten follow-up URLs: base64url(name) "." mac.
 * Any gateway replica holding the same secret routes the follow-up to its owner without a lookup, also
 * after a restart. The signature keeps clients from steering follow-ups to backends of their choosing.
 */
export class HandleCodec {
  private readonly encoded = new Map<string, string>();
  private readonly verified = new Map<string, string>();

  constructor(private readonly secret: string) {}

  encode(backend: string): string {
    let h = this.encoded.get(backend);
    if (!h) {
      h = `${Buffer.from(backend, 'utf8').toString('base64url')}.${this.mac(backend)}`;
      if (this.encoded.size >= MAX_CACHED) this.encoded.clear();
      this.encoded.set(backend, h);
    }
    return h;
  }

  /** decode returns the backend name a handle was issued for, or undefined when it is forged or malformed. */
  decode(handle: string): string | undefined {
    const hit = this.verified.get(handle);
    if (hit !== undefined) return hit;
    const dot = handle.indexOf('.');
    if (dot <= 0 || handle.length > 512) return undefined;
    const name = Buffer.from(handle.slice(0, dot), 'base64url').toString('utf8');
    const given = Buffer.from(handle.slice(dot + 1));
    const want = Buffer.from(this.mac(name));
    if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
    if (this.verified.size >= MAX_CACHED) this.verified.clear();
    this.verified.set(handle, name);
    return name;
  }

  private mac(name: string): string {
    return createHmac('sha256', this.secret).update(name).digest('base64url').slice(0, MAC_LEN);
  }
}
