import { z } from 'zod';
import { backendInput, backendPatch, groupInput, userInput, userPatch } from './schemas.js';

const json = (schema: z.ZodType) => ({
  content: {
    'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
  },
});
const ok = (description: string) => ({ description });
const errors = {
  '400': ok('invalid input; `message` names the field'),
  '401': ok('not authenticated'),
  '403': ok('not an admin'),
  '404': ok('unknown name'),
  '409': ok('conflict (exists, in use, defined in config)'),
};
const op = (summary: string, body?: z.ZodType) => ({
  summary,
  ...(body ? { requestBody: { required: true, ...json(body) } } : {}),
  responses: { '200': ok('done'), ...errors },
});

let doc: object | undefined;

/** The OpenAPI 3.1 description of the admin API, built once from the same zod schemas that validate bodies. */
export function openApiDocument(): object {
  doc ??= {
    openapi: '3.1.0',
    info: { title: 'Switchyard admin API', version: '1' },
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ basic: [] }, { bearer: [] }],
    paths: {
      '/api/v1/backends': { get: op('list backends (?group=)'), post: op('add a backend', backendInput) },
      '/api/v1/backends/{name}': {
        get: op('one backend with health, load, in-flight and drained'),
        put: op('replace a backend', backendInput.omit({ name: true })),
        patch: op('change some fields of a backend', backendPatch),
        delete: op('delete a backend (409 while queries are in flight unless ?force=true)'),
      },
      '/api/v1/backends/{name}/activate': { post: op('let the backend take new queries') },
      '/api/v1/backends/{name}/deactivate': { post: op('drain: no new queries; running ones finish') },
      '/api/v1/groups': { get: op('list routing groups') },
      '/api/v1/groups/{name}': {
        get: op('one routing group'),
        put: op('create or change a routing group', groupInput),
        delete: op('delete an empty routing group'),
      },
      '/api/v1/users': { get: op('list users (never hashes)'), post: op('add a user', userInput) },
      '/api/v1/users/{name}': {
        get: op('one user'),
        patch: op('change a user', userPatch),
        delete: op('delete a user'),
      },
      '/api/v1/catalogs': {
        get: op('catalogs with per-backend deployment state'),
        post: op('create a catalog'),
      },
      '/api/v1/catalogs/{group}/{name}': {
        get: op('one catalog'),
        put: op('replace its properties'),
        delete: op('drop it from every backend of the group'),
      },
      '/api/v1/queries': { get: op('query history (filters, cursor paging)') },
      '/api/v1/queries/{id}': { get: op('one query of the history') },
      '/api/v1/routing/explain': { post: op('dry-run routing for a user, headers and SQL') },
    },
  };
  return doc;
}
