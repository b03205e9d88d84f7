import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import * as answers from '../../src/admin/docs/response-schemas.js';
import { DOCUMENTED } from '../../src/admin/openapi.js';
import { createApp } from '../../src/compose/create-app.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const ADMIN = 'Basic ' + Buffer.from('ops:ops-password').toString('base64');
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'];

/** `/api/v1/backends/:name` → `/api/v1/backends/{name}`, and the names of its path parameters. */
const openApiPath = (p: string) => ({
  path: p.replace(/:([A-Za-z_]\w*)(\{[^}]*\})?/g, '{$1}'),
  params: [...p.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1]),
});

describe('the OpenAPI document', () => {
  let t1: TrinoEmulator;
  let gw: TestGateway;
  let doc: any;

  beforeAll(async () => {
    t1 = await TrinoEmulator.start({ name: 't1' });
    gw = await startGateway(
      testConfig([{ name: 't1', url: t1.url }], {
        auth: await passwordAuth(['ops', 'ops-password', ['admin']]),
      }),
    );
    const res = await fetch(gw.url + '/api/v1/openapi.json', { headers: { authorization: ADMIN } });
    expect(res.status).toBe(200);
    doc = await res.json();
  });
  afterAll(async () => {
    await gw?.stop();
    await t1?.stop();
  });

  it("carries the package's version", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(pkg.version);
  });

  it('documents every mounted admin, history, catalog and compatibility route with its path parameters', () => {
    // The same factory the gateway serves from builds the app whose routes are checked.
    const app = createApp(gw.services, { isReady: () => true });
    const routes = app.routes.filter((r) => METHODS.includes(r.method) && DOCUMENTED.test(r.path));
    const seen = new Set<string>();
    for (const r of routes) {
      const { path, params } = openApiPath(r.path);
      const key = `${r.method} ${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      expect(op, `${key} is not in the document`).toBeDefined();
      expect(op.summary, `${key} has no summary`).toBeTruthy();
      const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      expect(declared.sort(), `${key} path parameters`).toEqual([...params].sort());
      expect(Object.keys(op.responses).length, `${key} responses`).toBeGreaterThan(0);
    }
    // The walk found the routes (a filter that matched nothing would pass the loop above).
    expect(seen.size).toBeGreaterThanOrEqual(45);
    expect(JSON.stringify(doc.paths)).not.toMatch(/\/:/);
  });

  it('declares the real status codes and schemas of the answers', () => {
    const codes = (p: string, m: string) => Object.keys(doc.paths[p][m].responses).sort();
    expect(codes('/api/v1/backends', 'post')).toEqual(['201', '400', '401', '403', '409', '413']);
    expect(codes('/api/v1/catalogs', 'post')).toEqual(
      expect.arrayContaining(['201', '202', '207', '400', '404', '409']),
    );
    expect(codes('/api/v1/groups/{name}', 'put')).toEqual(expect.arrayContaining(['200', '201']));
    expect(codes('/api/v1/backends/{name}', 'delete')).toContain('409');
    const ok = doc.paths['/api/v1/backends/{name}'].get.responses['200'].content['application/json'].schema;
    expect(ok.properties.drained.type).toBe('boolean');
    const body = doc.paths['/api/v1/backends'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['name', 'url', 'group']));
    expect(body.properties.weight).toMatchObject({ minimum: 1, maximum: 1000 });
    expect(body.additionalProperties).toBe(false);
  });

  it('lists the filters of /api/v1/queries, and each is one the route accepts', async () => {
    const params = doc.paths['/api/v1/queries'].get.parameters.filter((p: any) => p.in === 'query');
    const names = params.map((p: any) => p.name).sort();
    expect(names).toEqual(['backend', 'cursor', 'from', 'group', 'limit', 'q', 'state', 'to', 'user']);
    const sample: Record<string, string> = {
      backend: 't1',
      from: '2020-01-01T00:00:00Z',
      group: 'adhoc',
      limit: '10',
      q: 'select',
      state: 'finished',
      to: String(Date.now()),
      user: 'ops',
    };
    for (const [k, v] of Object.entries(sample)) {
      const res = await fetch(`${gw.url}/api/v1/queries?${k}=${encodeURIComponent(v)}`, {
        headers: { authorization: ADMIN },
      });
      expect(res.status, k).toBe(200);
    }
    // A value the document forbids is refused by the route too.
    const bad = await fetch(`${gw.url}/api/v1/queries?limit=100000`, { headers: { authorization: ADMIN } });
    expect(bad.status).toBe(400);
  });

  it.each([
    ['/api/v1/backends/t1', answers.backendView],
    ['/api/v1/groups/adhoc', answers.groupView],
    ['/api/v1/users/ops', answers.userView],
    ['/api/v1/queries?limit=5', answers.historyPage],
  ] as const)('describes what %s really answers, field for field', async (path, schema) => {
    const res = await fetch(gw.url + path, { headers: { authorization: ADMIN } });
    const body = await res.json();
    expect(schema.safeParse(body).error).toBeUndefined();
    const shape = (schema as z.ZodObject).shape;
    expect(Object.keys(body).filter((k) => !(k in shape))).toEqual([]);
  });
});
