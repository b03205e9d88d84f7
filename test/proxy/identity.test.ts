import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { anonymous, applyPrincipal, isStatusPath } from '../../src/proxy/identity.js';
import type { UserResolver } from '../../src/proxy/seams.js';

const me: Principal = { name: 'ops', groups: ['*'], roles: ['user'], method: 'basic' };
/** ops may become svc_* users; nobody else. */
const resolve: UserResolver = (p, u) =>
  u === undefined || u === p.name || /^svc_/.test(u)
    ? { ok: true, user: u ?? p.name }
    : { ok: false, status: 403, message: `may not act as ${u}` };
const req = (headers: Record<string, string>) => ({ headers: { ...headers } }) as unknown as IncomingMessage;

describe('the user a cluster sees', () => {
  it('is the principal when the request names no one', () => {
    const r = req({ 'x-trino-source': 'cli' });
    expect(applyPrincipal(r, me, resolve)).toBe('ops');
    expect(r.headers['x-trino-user']).toBe('ops');
  });

  it('is a user the principal may impersonate, directly or through the original user (Trino’s chain)', () => {
    expect(applyPrincipal(req({ 'x-trino-user': 'svc_etl' }), me, resolve)).toBe('svc_etl');
    const chained = req({ 'x-trino-original-user': 'svc_a', 'x-trino-user': 'svc_a' });
    expect(applyPrincipal(chained, me, resolve)).toBe('svc_a');
    expect(applyPrincipal(req({ 'x-trino-original-user': 'svc_a' }), me, resolve)).toBe('svc_a');
  });

  it('refuses anyone else with 403, and a name that is no text with 400', () => {
    expect(() => applyPrincipal(req({ 'x-trino-user': 'root' }), me, resolve)).toThrow(/may not act as root/);
    expect(() => applyPrincipal(req({ 'x-trino-original-user': 'root' }), me, resolve)).toThrow(/root/);
    expect(() => applyPrincipal(req({ 'x-trino-user': 'a\u0001' }), me, resolve)).toThrow(/neither UTF-8/);
  });

  it('is nobody on the public /v1/info paths, while /v1/status needs a principal', () => {
    const r = req({ 'x-trino-user': 'a', 'x-presto-user': 'b', 'x-trino-original-user': 'c' });
    anonymous(r.headers);
    expect(r.headers).toEqual({});
    expect([isStatusPath('/v1/status'), isStatusPath('/v1/status?x'), isStatusPath('/v1/info')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
