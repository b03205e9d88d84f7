import { describe, expect, it } from 'vitest';
import { FailureLimiter, addressKey } from '../../src/auth/failure-limiter.js';

describe('FailureLimiter', () => {
  const limiter = (now: { t: number }) =>
    new FailureLimiter({ maxFailures: 2, windowSeconds: 10, blockSeconds: 5 }, () => now.t);
  /** A failed login, and a successful one, as the authenticator reports them. */
  const failed = (l: FailureLimiter, address: string, user: string) => l.fail(l.attempt(address, user));
  const passed = (l: FailureLimiter, address: string, user: string) => l.succeed(l.attempt(address, user));

  it('blocks a user guessed at from one address there only, and lifts the block after its time', () => {
    const now = { t: 0 };
    const l = limiter(now);
    failed(l, '10.0.0.1', 'x');
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(0);
    failed(l, '10.0.0.1', 'x');
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(5);
    expect(l.blockedFor('10.0.0.1', 'y')).toBe(0); // another user behind the same address
    expect(l.blockedFor('10.0.0.2', 'x')).toBe(0); // the same user elsewhere
    now.t = 6000;
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(0);
  });

  it('blocks a user guessed at from many addresses, except where it logged in lately', () => {
    const now = { t: 0 };
    const l = limiter(now);
    passed(l, '10.0.0.9', 'x'); // the real user, at its usual address
    for (let i = 1; i <= 8; i++) failed(l, `10.0.1.${i}`, 'x'); // 8 = 4 × maxFailures, one per address
    expect(l.blockedFor('10.0.1.200', 'x')).toBe(5);
    expect(l.blockedFor('10.0.0.9', 'x')).toBe(0);
    expect(l.blockedFor('10.0.1.200', 'y')).toBe(0);
  });

  it('blocks an address spraying many users, except for users who logged in from it lately', () => {
    const now = { t: 0 };
    const l = limiter(now);
    passed(l, '10.0.0.1', 'colleague');
    for (let i = 1; i <= 8; i++) failed(l, '10.0.0.1', `u${i}`);
    expect(l.blockedFor('10.0.0.1', 'newcomer')).toBe(5);
    expect(l.blockedFor('10.0.0.1', 'colleague')).toBe(0);
    expect(l.blockedFor('10.0.0.2', 'newcomer')).toBe(0);
  });

  it('keeps a block for its whole time, whatever happens at familiar addresses meanwhile', () => {
    const now = { t: 0 };
    const l = new FailureLimiter({ maxFailures: 2, windowSeconds: 60, blockSeconds: 900 }, () => now.t);
    passed(l, '10.0.0.9', 'x');
    for (let i = 1; i <= 8; i++) failed(l, `10.0.1.${i}`, 'x');
    expect(l.blockedFor('10.0.1.200', 'x')).toBe(900);
    now.t = 61_000; // the window has passed, the block has not
    failed(l, '10.0.0.9', 'x'); // the real user mistypes at home
    expect(l.blockedFor('10.0.1.200', 'x')).toBeGreaterThan(800);
  });

  it('never lengthens or starts a block for a login that succeeds', () => {
    const now = { t: 0 };
    const l = limiter(now);
    passed(l, '10.0.0.1', 'bob'); // bob is familiar with the NAT address
    for (let i = 1; i <= 8; i++) failed(l, '10.0.0.1', `u${i}`); // a spray blocks it for 5 s
    expect(l.blockedFor('10.0.0.1', 'carol')).toBe(5);
    now.t = 4000;
    passed(l, '10.0.0.1', 'bob'); // bob keeps working there
    now.t = 5001;
    expect(l.blockedFor('10.0.0.1', 'carol')).toBe(0); // the block ended on time
    for (let i = 0; i < 10; i++) passed(l, `10.0.2.${i}`, 'y'); // ten successes are no failures
    expect(l.blockedFor('10.0.3.1', 'y')).toBe(0);
  });

  it('counts logins being checked against the limits, and lets them go when they end', () => {
    const now = { t: 0 };
    const l = limiter(now);
    const a1 = l.attempt('10.0.0.1', 'x');
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(0);
    const a2 = l.attempt('10.0.0.1', 'x'); // two checks in flight: a third guess must wait
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(1);
    l.succeed(a1);
    l.succeed(a2);
    expect(l.blockedFor('10.0.0.1', 'x')).toBe(0);
  });

  it('counts an IPv6 client by its /64, which it usually holds whole', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    const l = limiter({ t: 0 });
    failed(l, '2001:db8:1:2::a', 'x');
    failed(l, '2001:db8:1:2::b', 'x'); // the same pair, from another address of the same /64
    expect(l.blockedFor('2001:db8:1:2::c', 'x')).toBe(5);
    expect(l.blockedFor('2001:db8:1:3::c', 'x')).toBe(0);
  });

  it('never lets a success withdraw a failure of a later window', () => {
    const now = { t: 0 };
    const l = new FailureLimiter(
      { maxFailures: 10, addressMaxFailures: 3, windowSeconds: 10, blockSeconds: 60 },
      () => now.t,
    );
    const early = l.attempt('10.0.0.1', 'mallory'); // her own valid login, in flight across the window's end
    now.t = 11_000;
    for (const u of ['a', 'b']) failed(l, '10.0.0.1', u);
    l.succeed(early);
    failed(l, '10.0.0.1', 'c'); // the third failure of the new window blocks the address
    expect(l.blockedFor('10.0.0.1', 'd')).toBe(60);
  });
});
