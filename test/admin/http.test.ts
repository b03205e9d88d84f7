import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appErrorHandler } from '../../src/admin/on-error.js';
import { issuesMessage, MAX_ADMIN_BODY, readBody, type AppEnv } from '../../src/admin/http.js';
import { silentLogger } from '../../src/observability/logger.js';

const schema = z.object({ name: z.string().min(1), weight: z.number().int().max(1000).optional() }).strict();

describe('issuesMessage', () => {
  it('names each field at fault with its path, "body" for the whole', () => {
    const r = z.object({ a: z.object({ b: z.number() }), c: z.string() }).safeParse({ a: { b: 'x' } });
    expect(issuesMessage(r.error!)).toMatch(/^a\.b: .+; c: .+$/);
    expect(issuesMessage(z.string().safeParse(1).error!)).toMatch(/^body: /);
  });

  it('names at most five', () => {
    const r = z.array(z.number()).safeParse(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(issuesMessage(r.error!).split('; ')).toHaveLength(5);
    expect(issuesMessage(r.error!)).toMatch(/^0: .*; 4: [^;]+$/);
  });
});

describe('readBody', () => {
  const app = new Hono<AppEnv>()
    .post('/b', async (c) => c.json(await readBody(c, schema)))
    .post('/custom', async (c) => c.json(await readBody(c, schema, 'body: expected the thing')))
    .onError(appErrorHandler(silentLogger()));
  const post = async (path: string, body: string) => {
    const r = await app.request(path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };

  it('answers the parsed, validated object', async () => {
    expect(await post('/b', '{"name":"t1","weight":3}')).toEqual({
      status: 200,
      json: { name: 't1', weight: 3 },
    });
  });

  it('refuses what is not JSON with the message given, or the default one', async () => {
    expect(await post('/b', '{"name":')).toEqual({
      status: 400,
      json: { message: 'body: expected a JSON object (the body is not valid JSON)' },
    });
    expect((await post('/custom', 'oops')).json).toEqual({ message: 'body: expected the thing' });
    expect((await post('/b', '')).status).toBe(400);
  });

  it('refuses JSON that is not an object', async () => {
    for (const body of ['[1]', '"s"', '1', 'null', 'true'])
      expect(await post('/b', body), body).toEqual({
        status: 400,
        json: { message: 'body: expected a JSON object' },
      });
  });

  it('refuses an object the schema refuses, naming the field', async () => {
    const r = await post('/b', '{"name":"t1","weight":1001}');
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/^weight: /);
    expect((await post('/b', '{"name":"t1","bogus":1}')).json.message).toMatch(/bogus/);
  });

  it(`refuses a body over ${MAX_ADMIN_BODY} characters with 413, and takes one at the limit`, async () => {
    const at = JSON.stringify({ name: 'x'.repeat(MAX_ADMIN_BODY - '{"name":""}'.length) });
    expect(at.length).toBe(MAX_ADMIN_BODY);
    expect((await post('/b', at)).status).toBe(200);
    const over = JSON.stringify({ name: 'x'.repeat(MAX_ADMIN_BODY) });
    expect(await post('/b', over)).toEqual({
      status: 413,
      json: { message: `body: larger than ${MAX_ADMIN_BODY} bytes` },
    });
  });
});
