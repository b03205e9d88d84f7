import type { Hono } from 'hono';
import { generateSpecs } from 'hono-openapi';
import { VERSION } from '../version.js';

/** The prefixes of the documented surface: the admin, history, catalog and compatibility routes. */
export const DOCUMENTED = /^\/(api|gateway|entity|v1\/catalog)(\/|$)/;
const UNDOCUMENTED = /^(?!\/(api|gateway|entity|v1\/catalog)(\/|$))/;

/**
 * openApiDocument generates the OpenAPI 3.1 document from the routes mounted on `app` (hono-openapi walks
 * them and collects each route's description; path parameters come from the paths, bodies from the zod
 * schemas the routes validate with). Generated on first use, after every route is mounted, then kept.
 */
export function openApiDocument(app: Hono<any>): () => Promise<object> {
  let doc: Promise<object> | undefined;
  return () =>
    (doc ??= generateSpecs(app, {
      documentation: {
        info: {
          title: 'Switchyard API',
          version: VERSION,
          description:
            'Admin, history, catalog and trino-gateway-compatible API of the Switchyard gateway. Errors ' +
            'answer JSON `{"message"}` naming what was wrong.',
        },
        components: {
          securitySchemes: {
            basic: { type: 'http', scheme: 'basic' },
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          },
        },
        security: [{ basic: [] }, { bearer: [] }],
        // The order of the sections in the reference page.
        tags: [
          'backends',
          'routing groups',
          'users',
          'catalogs',
          'routing',
          'query history',
          'compatibility',
          'reference',
        ].map((name) => ({ name })),
      },
      exclude: UNDOCUMENTED,
      excludeStaticFile: false,
    }));
}
