import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { doc, queryParameters } from '../../../src/admin/docs/describe.js';
import { openApiDocument } from '../../../src/admin/openapi.js';

/** The OpenAPI operation doc() gives one route, as the gateway's document shows it. */
async function operation(d: Parameters<typeof doc>[0], method: 'get' | 'post' = 'post') {
  const app = new Hono();
  app[method]('/api/v1/thing', doc(d), (c) => c.json({}));
  const spec = (await openApiDocument(app)()) as { paths: Record<string, Record<string, any>> };
  return spec.paths['/api/v1/thing']![method];
}

describe('doc', () => {
  it('adds 401 and 403 to an admin route, and 413 when it takes a body', async () => {
    const op = await operation({
      tag: 'backends',
      summary: 'Add one',
      body: z.object({ name: z.string() }),
      responses: { 201: 'added', 400: 'bad input' },
    });
    expect(op.tags).toEqual(['backends']);
    expect(op.summary).toBe('Add one');
    expect(Object.keys(op.responses).sort()).toEqual(['201', '400', '401', '403', '413']);
    expect(op.responses['201']).toEqual({ description: 'added' }); // a success without schema: no body
    expect(op.responses['400'].content['application/json'].schema).toBeDefined(); // errors: {message}
    expect(op.requestBody.required).toBe(true);
    expect(op.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      properties: { name: { type: 'string' } },
    });
    expect(op.security).toBeUndefined();
  });

  it('gives a user route no 403, and a public one neither 401 nor security', async () => {
    const user = await operation(
      { tag: 'reference', summary: 's', access: 'user', responses: { 200: 'ok' } },
      'get',
    );
    expect(Object.keys(user.responses).sort()).toEqual(['200', '401']);
    const open = await operation(
      { tag: 'reference', summary: 's', access: 'public', responses: { 200: 'ok' } },
      'get',
    );
    expect(Object.keys(open.responses)).toEqual(['200']);
    expect(open.security).toEqual([]);
  });

  it('describes a plain-text body, and a JSON answer with its schema', async () => {
    const op = await operation({
      tag: 'compatibility',
      summary: 'Delete',
      textBody: 'the backend name',
      responses: { 200: ['the rows', z.array(z.object({ n: z.number() }))] },
    });
    expect(op.requestBody.content['text/plain'].schema).toEqual({
      type: 'string',
      description: 'the backend name',
    });
    expect(op.responses['200'].description).toBe('the rows');
    expect(op.responses['200'].content['application/json'].schema).toMatchObject({ type: 'array' });
    expect(op.responses['413']).toBeDefined();
  });
});

describe('queryParameters', () => {
  it('lists each field as a query parameter, required unless optional, with its description', () => {
    const params = queryParameters(
      z.object({
        group: z.string().describe('a routing group'),
        limit: z.coerce.number().int().max(500).optional().describe('rows per page'),
      }),
    );
    expect(params).toEqual([
      {
        in: 'query',
        name: 'group',
        required: true,
        description: 'a routing group',
        schema: expect.objectContaining({ type: 'string' }),
      },
      {
        in: 'query',
        name: 'limit',
        required: false,
        description: 'rows per page',
        schema: expect.objectContaining({ type: 'integer', maximum: 500 }),
      },
    ]);
    expect(params[0]!.schema).not.toHaveProperty('description');
  });
});
