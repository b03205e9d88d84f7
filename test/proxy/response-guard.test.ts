import { describe, expect, it } from 'vitest';
import { foreignOrigin, guardResponse } from '../../src/proxy/response-guard.js';

const origins = ['http://10.0.0.5:8080', 'https://gw.example'];
const guard = (h: Record<string, unknown>, status = 303) => {
  const headers = { ...h } as Record<string, string | string[] | undefined>;
  return { status: guardResponse(status, headers, origins, 'https://gw.example/'), headers };
};

describe("a backend's response head", () => {
  it("loses the gateway's own cookies and keeps the cluster's", () => {
    const { headers } = guard({ 'set-cookie': ['sy_console=x', 'Trino-UI-Token=t', 'switchyard_ui=y'] }, 200);
    expect(headers['set-cookie']).toEqual(['Trino-UI-Token=t']);
    expect(guard({ 'set-cookie': 'sy_login=1' }, 200).headers['set-cookie']).toBeUndefined();
  });

  it.each([
    ['http://10.0.0.5:8080/ui/?a=1#h', 'https://gw.example/ui/?a=1#h'],
    ['https://gw.example/ui/', 'https://gw.example/ui/'],
    ['/ui/login.html', '/ui/login.html'],
  ])('keeps a redirect on its own or the gateway origin, pointed at the gateway: %s', (loc, to) => {
    expect(guard({ location: loc })).toEqual({ status: 303, headers: { location: to } });
  });

  it.each(['https://evil.example/x', '//evil.example/x', 'http://[bad'])(
    'turns a redirect anywhere else into a 502 without the Location: %s',
    (loc) => {
      expect(guard({ location: loc })).toEqual({ status: 502, headers: {} });
    },
  );

  it('is refused naming the backend, never its URL', () => {
    expect(foreignOrigin('t1', 'redirect')).toMatchObject({
      status: 502,
      message: expect.stringContaining('backend t1'),
    });
  });
});
