import { afterEach, describe, expect, it } from 'vitest';
import { buildTestServices, releaseServices } from '../helpers/built-services.js';
import { passwordAuth } from '../helpers/start-gateway.js';

afterEach(releaseServices);

describe('buildBackends', () => {
  it('warns at start, and for a backend added later, when clients’ credentials would go to it in cleartext', async () => {
    const auth = { ...(await passwordAuth(['ops', 'ops-pw', ['admin']])), forwardAuthorization: 'always' };
    const b = await buildTestServices([{ name: 'plain', url: 'http://127.0.0.1:9' }], { auth });
    const warned = () => b.lines().filter((l) => l.level === 40 && /clients' credentials go to/.test(l.msg));
    expect(warned().map((l) => l.msg)).toEqual([expect.stringMatching(/^backend plain: /)]);
    await b.s.registry.add({
      name: 'later',
      url: 'http://127.0.0.1:10',
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
    expect(warned().map((l) => l.msg.split(':')[0])).toEqual(['backend plain', 'backend later']);
    await b.s.registry.add({
      name: 'tls',
      url: 'https://127.0.0.1:11',
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
    expect(warned()).toHaveLength(2);
  });

  it('says nothing when credentials are not forwarded', async () => {
    const b = await buildTestServices([{ name: 'plain', url: 'http://127.0.0.1:9' }], {
      auth: await passwordAuth(['ops', 'ops-pw', ['admin']]),
    });
    expect(b.lines().filter((l) => /clients' credentials/.test(l.msg))).toEqual([]);
  });

  it('audits each change of a backend', async () => {
    const b = await buildTestServices([{ name: 't1', url: 'http://127.0.0.1:9' }]);
    await b.s.registry.setActive('t1', false);
    expect(b.lines().filter((l) => l.audit === true)).toEqual([
      expect.objectContaining({
        who: 'system',
        what: 'backend.deactivate',
        target: 't1',
        before: expect.objectContaining({ active: true }),
        after: expect.objectContaining({ active: false }),
        msg: 'audit: system backend.deactivate t1',
      }),
    ]);
  });

  it('runs health checks by default, and counts every backend healthy when they are off', async () => {
    const on = await buildTestServices([{ name: 't1', url: 'http://127.0.0.1:9' }], { health: {} });
    expect(on.s.monitor).toBeDefined();
    expect(on.s.registry.get('t1')!.health).toBe('UNKNOWN');
    const off = await buildTestServices([{ name: 't1', url: 'http://127.0.0.1:9' }]);
    expect(off.s.monitor).toBeUndefined();
    expect(off.s.registry.get('t1')!.health).toBe('HEALTHY');
  });

  it('picks among the registry’s backends', async () => {
    const b = await buildTestServices([{ name: 't1', url: 'http://127.0.0.1:9' }]);
    expect(b.s.picker.pick('adhoc', { user: 'alice' })?.backend.name).toBe('t1');
    await b.s.registry.setActive('t1', false);
    expect(b.s.picker.pick('adhoc', { user: 'alice' })).toBeUndefined();
  });
});
