import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError } from '../app-error.js';
import type { Principal } from '../auth/principal.js';

/** Hono environment of the gateway's own routes: the authentication middleware sets the principal. */
export type AppEnv = { Variables: { principal: Principal; requestId: string } };

/** Largest JSON body the admin API reads. */
export const MAX_ADMIN_BODY = 64 * 1024;

/** issuesMessage names each field at fault: `weight: Too big: expected number to be <=1000`. */
export function issuesMessage(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

/** readBody reads and validates a JSON object body; anything else is a 400 (413) naming the problem. */
export async function readBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  /** What the caller is told when the body is no JSON at all. */
  notJson = 'body: expected a JSON object (the body is not valid JSON)',
): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.length > MAX_ADMIN_BODY) throw new AppError(413, `body: larger than ${MAX_ADMIN_BODY} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError(400, notJson);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new AppError(400, 'body: expected a JSON object');
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError(400, issuesMessage(parsed.error));
  return parsed.data;
}
