import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isUiLogin, uiQueryId } from '../../src/proxy/ui-paths.js';

const req = (method: string, url: string) => ({ method, url, headers: {} }) as unknown as IncomingMessage;

describe('isUiLogin', () => {
  it.each([
    '/ui/login',
    '/ui/login/',
    '/UI/Login',
    '//ui//login',
    '/ui/%6Cogin',
    '/ui/login;jsessionid=1',
    '/ui;x=1/login',
    '/ui/login?next=/ui/',
    // A path that cannot be decoded is checked as a login, never waved through.
    '/ui/%E0%A4%A',
  ])('takes POST %s for the login', (url) => {
    expect(isUiLogin(req('POST', url))).toBe(true);
  });

  it.each(['/ui/logout', '/ui/login.html', '/ui/api/login', '/ui/', '/uilogin', '/v1/ui/login'])(
    'does not take POST %s',
    (url) => expect(isUiLogin(req('POST', url))).toBe(false),
  );

  it('is a POST only', () => {
    expect(isUiLogin(req('GET', '/ui/login'))).toBe(false);
    expect(isUiLogin(req('PUT', '/ui/login'))).toBe(false);
  });
});

describe('uiQueryId', () => {
  const id = '20261202_054639_00000_abcde';
  it.each([
    `/ui/api/query/${id}`,
    `/ui/api/query/${id}/killed`,
    `/ui/api/query/${id}/preempted`,
    `/UI/API/Query/${id.toUpperCase()}`,
    `//ui/api//query/${id}?pretty`,
    `/ui/api/query/${id};x=1`,
    `/ui/api/query/${id.replace('_', '%5F')}`,
  ])('reads the query of %s', (url) => {
    expect(uiQueryId(req('GET', url))).toBe(id);
  });

  it.each([
    '/ui/api/query',
    '/ui/api/query/',
    '/ui/api/stats',
    '/ui/api/query/not-a-query-id!',
    '/ui/query.html',
  ])('is undefined for %s', (url) => expect(uiQueryId(req('GET', url))).toBeUndefined());

  it('is undefined for a path that cannot be decoded', () => {
    expect(uiQueryId(req('GET', '/ui/api/query/%E0%A4%A'))).toBeUndefined();
  });
});
