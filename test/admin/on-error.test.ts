import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { appErrorHandler } from '../../src/admin/on-error.js';
import type { AppEnv } from '../../src/admin/http.js';
import { AppError } from '../../src/app-error.js';

/** An app whose one route throws what the test gives it; `logged` holds what the handler logged. */
function throwing(err: unknown) {
  const logged: unknown[] = [];
  const app = new Hono<AppEnv>();
  app.get('/x', () => {
    throw err;
  });
  app.onError(appErrorHandler({ error: (o: unknown) => void logged.push(o) } as never));
  return { app, logged };
}

const sqlite = (code: string) => Object.assign(new Error(code), { code });

describe('the app’s one onError', () => {
  it('answers an AppError with its status, its message and its extra fields', async () => {
    const { app, logged } = throwing(new AppError(409, 'rules: saved meanwhile', { issues: [] }));
    const res = await app.request('/x');
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ message: 'rules: saved meanwhile', issues: [] });
    expect(logged).toEqual([]);
  });

  it('answers an AppError thrown from a mounted sub-app too', async () => {
    const sub = new Hono<AppEnv>().get('/sub', () => {
      throw new AppError(404, 'backend "x" not found');
    });
    const app = new Hono<AppEnv>().route('/', sub);
    app.onError(appErrorHandler({ error: () => undefined } as never));
    const res = await app.request('/sub');
    expect([res.status, await res.json()]).toEqual([404, { message: 'backend "x" not found' }]);
  });

  it('keeps the response of another HTTPException', async () => {
    const res = await throwing(new HTTPException(418, { message: 'teapot' })).app.request('/x');
    expect([res.status, await res.text()]).toEqual([418, 'teapot']);
  });

  it.each([
    ['SQLITE_BUSY', 503, /busy/],
    ['SQLITE_BUSY_SNAPSHOT', 503, /busy/],
    ['SQLITE_FULL', 507, /disk is full; nothing was changed/],
    ['SQLITE_IOERR_WRITE', 503, /cannot be written \(SQLITE_IOERR_WRITE\); nothing was changed/],
    ['SQLITE_READONLY', 503, /cannot be written/],
    ['SQLITE_CANTOPEN', 503, /cannot be written/],
  ])(
    'answers a database that takes no write (%s) with %i, saying nothing changed',
    async (code, status, text) => {
      const res = await throwing(sqlite(code)).app.request('/x');
      expect(res.status).toBe(status);
      expect(((await res.json()) as { message: string }).message).toMatch(text);
    },
  );

  it('logs anything else and answers a bare 500 without the stack', async () => {
    const { app, logged } = throwing(new TypeError('x is undefined'));
    const res = await app.request('/x');
    expect([res.status, await res.json()]).toEqual([500, { message: 'internal error' }]);
    expect(JSON.stringify(logged)).toContain('x is undefined');
  });
});
