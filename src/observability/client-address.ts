import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

const CLIENT = Symbol('clientAddress');
const PROTO = Symbol('clientProto');
type Tagged = IncomingMessage & { [CLIENT]?: string; [PROTO]?: 'http' | 'https' };

/** normalize turns an IPv4-mapped IPv6 address into IPv4 and drops a port or IPv6 brackets. */
function normalize(a: string): string {
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) return a.slice(7);
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(a);
  if (v4port) return v4port[1];
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(a);
  return v6 ? v6[1] : a;
}

/** parseTrusted reads an address or CIDR (`10.0.0.0/8`, `fd00::/8`), or throws naming what is wrong. */
export function parseTrusted(entry: string, into = new BlockList()): BlockList {
  const [addr, bits, extra] = entry.split('/');
  const family = isIP(addr);
  if (!family || extra !== undefined) throw new Error(`not an IP address or CIDR: ${entry}`);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) into.addAddress(addr, type);
  else {
    const n = Number(bits);
    if (!/^\d{1,3}$/.test(bits) || n > (family === 6 ? 128 : 32))
      throw new Error(`not an IP address or CIDR: ${entry}`);
    if (n === 0) throw new Error(`${entry} would trust every client's X-Forwarded-For`);
    into.addSubnet(addr, n, type);
  }
  return into;
}

/**
 * ClientAddressResolver finds the address a request came from. Without trusted proxies it is the TCP peer.
 * When the peer is a trusted proxy (server.trustedProxies: a load balancer or ingress in front of the
 * gateway), it is the rightmost X-Forwarded-For entry that is not a trusted proxy: entries left of it were
 * written by the client and are never believed.
 */
export class ClientAddressResolver {
  private readonly trusted = new BlockList();
  readonly enabled: boolean;

  constructor(trustedProxies: readonly string[]) {
    for (const t of trustedProxies) parseTrusted(t, this.trusted);
    this.enabled = trustedProxies.length > 0;
  }

  private isTrusted(a: string): boolean {
    const family = isIP(a);
    return family !== 0 && this.trusted.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }

  resolve(req: IncomingMessage): string {
    const peer = normalize(req.socket.remoteAddress ?? '');
    const xff = req.headers['x-forwarded-for'];
    if (!this.isTrusted(peer) || !xff) return peer;
    const hops = (Array.isArray(xff) ? xff.join(',') : xff).split(',');
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const a = normalize(hops[i].trim());
      if (!isIP(a)) break; // garbage: the last address vouched for stands
      client = a;
      if (!this.isTrusted(a)) break;
    }
    return client;
  }

  /**
   * tag resolves and remembers a request's client address (called once, where the request arrives), and
   * the scheme a trusted proxy says the client used (X-Forwarded-Proto, its last value): behind a
   * TLS-terminating balancer the client spoke https though the gateway was reached over http.
   */
  tag(req: IncomingMessage): void {
    const r = req as Tagged;
    r[CLIENT] = this.resolve(req);
    const xfp = req.headers['x-forwarded-proto'];
    if (typeof xfp === 'string' && this.isTrusted(normalize(req.socket.remoteAddress ?? ''))) {
      const last = xfp
        .slice(xfp.lastIndexOf(',') + 1)
        .trim()
        .toLowerCase();
      if (last === 'https' || last === 'http') r[PROTO] = last;
    }
  }
}

/** clientAddress is the request's client address: as resolved at arrival, else the TCP peer's. */
export function clientAddress(req: IncomingMessage): string {
  return (req as Tagged)[CLIENT] ?? req.socket.remoteAddress ?? '';
}

/** forwardedProto is the scheme a trusted proxy reported for the request, if any. */
export function forwardedProto(req: IncomingMessage): 'http' | 'https' | undefined {
  return (req as Tagged)[PROTO];
}
