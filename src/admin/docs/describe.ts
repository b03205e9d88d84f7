import { describeRoute, resolver } from 'hono-openapi';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { errorBody } from './response-schemas.js';

/** What an answer carries: a description, and the schema of its JSON body when it has one. */
export type Answer = string | [description: string, schema: z.ZodType];

export interface OperationDoc {
  tag: string;
  summary: string;
  description?: string;
  /** Who may call: the admin role (default), any authenticated principal, or anyone. */
  access?: 'admin' | 'user' | 'public';
  /** The JSON body, validated by the route with this same schema. */
  body?: z.ZodType;
  /** A plain-text body (trino-gateway's delete takes the backend name as text). */
  textBody?: string;
  /** Query-string parameters, one per field; each field's description is the parameter's. */
  query?: z.ZodObject;
  /** The answers of this route by status, besides the ones every route shares (401, 403, 413). */
  responses: Record<number, Answer>;
}

const jsonContent = (schema: z.ZodType) => ({ 'application/json': { schema: resolver(schema) } });

/** A bare description of an error status is a `{message}` body; of a success, an empty one. */
const answer = (status: number, a: Answer) =>
  typeof a !== 'string'
    ? { description: a[0], content: jsonContent(a[1]) }
    : status >= 400
      ? { description: a, content: jsonContent(errorBody) }
      : { description: a };

/** queryParameters lists the fields of a zod object as OpenAPI query parameters (zod's own JSON Schema). */
export function queryParameters(query: z.ZodObject) {
  return Object.entries(query.shape).map(([name, field]) => {
    const schema = z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' });
    const { description, ...rest } = schema as { description?: string };
    return {
      in: 'query' as const,
      name,
      required: !(field as z.ZodType).safeParse(undefined).success,
      description,
      schema: rest,
    };
  });
}

/**
 * doc describes one route for the OpenAPI document (hono-openapi's describeRoute: a middleware that only
 * records the description; the route's behaviour is its handler's). Path parameters are added from the
 * route's path when the document is generated.
 */
export function doc(o: OperationDoc): MiddlewareHandler {
  const access = o.access ?? 'admin';
  const shared: Record<number, Answer> = {};
  if (access !== 'public') shared[401] = 'not authenticated (WWW-Authenticate names the schemes)';
  if (access === 'admin') shared[403] = 'the caller is not an admin';
  if (o.body || o.textBody) shared[413] = 'body larger than 64 KiB';
  const responses = Object.fromEntries(
    Object.entries({ ...o.responses, ...shared }).map(([status, a]) => [status, answer(Number(status), a)]),
  );
  return describeRoute({
    tags: [o.tag],
    summary: o.summary,
    description: o.description,
    ...(access === 'public' ? { security: [] } : {}),
    ...(o.query ? { parameters: queryParameters(o.query) } : {}),
    ...(o.body ? { requestBody: { required: true, content: jsonContent(o.body) } } : {}),
    ...(o.textBody
      ? {
          requestBody: {
            required: true,
            content: { 'text/plain': { schema: { type: 'string', description: o.textBody } } },
          },
        }
      : {}),
    responses,
  });
}
