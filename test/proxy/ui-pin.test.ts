import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pinCookie, UI_PIN, UiPins } from '../../src/proxy/ui-pin.js';
import { proxyFixture, type ProxyFixture } from '../helpers/proxy-context.js';
import { principal } from '../helpers/routing-fixtures.js';

const withCookie = (cookie?: string) => ({ headers: cookie ? { cookie } : {} }) as unknown as IncomingMessage;

describe('pinCookie', () => {
  it('pins /ui under the prefix, HttpOnly and SameSite=Lax, Secure over https', () => {
    expect(pinCookie('h.sig', false)).toBe(`${UI_PIN}=h.sig; Path=/ui; HttpOnly; SameSite=Lax`);
    expect(pinCookie('h.sig', true, '/trino')).toBe(
      'switchyard_ui=h.sig; Path=/trino/ui; HttpOnly; SameSite=Lax; Secure',
    );
  });
});

describe('UiPins', () => {
  let f: ProxyFixture;
  let pins: UiPins;
  const alice = principal('alice', ['*']);
  const etlOnly = principal('bob', ['etl']);
  const nobody = principal('eve', []);

  beforeAll(async () => {
    f = await proxyFixture([
      { name: 'a1', url: 'http://127.0.0.1:9' },
      { name: 'a2', url: 'http://127.0.0.1:10' },
      { name: 'e1', url: 'http://127.0.0.1:11', group: 'etl' },
      // Named before the adhoc ones, listed after them: candidates go by group first.
      { name: 'a0', url: 'http://127.0.0.1:12', group: 'etl' },
    ]);
    pins = new UiPins(f.s.registry, f.s.picker, f.s.codec, 'adhoc');
  });
  afterAll(async () => f?.close());
  beforeEach(() => {
    for (const b of f.s.registry.all()) {
      b.health = 'HEALTHY';
      b.active = true;
    }
  });

  const cookie = (name: string) => `other=1; ${UI_PIN}=${f.s.codec.encode(name)}`;

  it('follows a pin cookie to its cluster when the principal may use its group', () => {
    expect(pins.pinned(withCookie(cookie('e1')), etlOnly)?.name).toBe('e1');
    expect(pins.pinned(withCookie(cookie('a2')), alice)?.name).toBe('a2');
    // Mode none: no principal, any cluster.
    expect(pins.pinned(withCookie(cookie('a1')), undefined)?.name).toBe('a1');
  });

  it('ignores a pin the principal may not use, a forged one, one of a removed cluster, and none', () => {
    expect(pins.pinned(withCookie(cookie('a1')), etlOnly)).toBeUndefined();
    expect(pins.pinned(withCookie(`${UI_PIN}=a1`), alice)).toBeUndefined();
    expect(pins.pinned(withCookie(cookie('gone')), alice)).toBeUndefined();
    expect(pins.pinned(withCookie(), alice)).toBeUndefined();
  });

  it('lists the active clusters of the groups the principal may use, by group then name', () => {
    expect(pins.candidates(alice).map((b) => b.name)).toEqual(['a1', 'a2', 'a0', 'e1']);
    expect(pins.candidates(etlOnly).map((b) => b.name)).toEqual(['a0', 'e1']);
    expect(pins.candidates(nobody)).toEqual([]);
    f.s.registry.get('a2')!.active = false;
    expect(pins.candidates(undefined).map((b) => b.name)).toEqual(['a1', 'a0', 'e1']);
  });

  it("routes to the gateway's default group, or the principal's first group when it may not use that", () => {
    expect(['a1', 'a2']).toContain(pins.routed(alice)?.name);
    expect(['a0', 'e1']).toContain(pins.routed(etlOnly)?.name);
    expect(['a1', 'a2']).toContain(pins.routed(undefined)?.name);
    for (const n of ['a1', 'a2']) f.s.registry.get(n)!.health = 'UNHEALTHY';
    expect(pins.routed(alice)).toBeUndefined();
  });

  it('signs a handle the pin reads back, and tells availability by the one rule', () => {
    const e1 = f.s.registry.get('e1')!;
    expect(pins.usable(pins.handle(e1), alice)).toBe(e1);
    expect(pins.available(e1)).toBe(true);
    e1.health = 'UNHEALTHY';
    expect(pins.available(e1)).toBe(false);
    e1.health = 'HEALTHY';
    e1.active = false;
    expect(pins.available(e1)).toBe(false);
  });
});
