import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../trino/errors.js';
import { readBody } from './request-body.js';
import type { UserResolver } from './seams.js';

/** A UI login form is a few short fields; anything larger is refused before it is read whole. */
const MAX_FORM_BYTES = 16 * 1024;

/** The checked form: its body as the cluster will get it. */
export interface UiLoginForm {
  body(withPassword: boolean): Buffer;
}

/**
 * uiLoginForm reads a UI login form and checks its username as X-Trino-User is checked: the principal, a
 * user it may impersonate, or (empty) the user the principal's headers decided. A form naming anyone else
 * is refused with 403, so a UI token is only ever issued for a user the caller may act as.
 */
export async function uiLoginForm(
  req: IncomingMessage,
  principal: Principal,
  user: string,
  resolve: UserResolver,
): Promise<UiLoginForm> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type))
    throw new GatewayError(
      415,
      'BAD_REQUEST',
      'the UI login takes an application/x-www-form-urlencoded form',
    );
  const raw = await readBody(req, MAX_FORM_BYTES).catch(() => {
    throw new GatewayError(413, 'BAD_REQUEST', `the UI login form is larger than ${MAX_FORM_BYTES} bytes`);
  });
  const form = new URLSearchParams(raw.toString('utf8'));
  const named = form.get('username');
  let as = user;
  if (named) {
    const who = resolve(principal, named);
    if (!who.ok) throw new GatewayError(403, 'PERMISSION_DENIED', who.message);
    as = who.user;
  }
  form.set('username', as);
  return {
    body(withPassword) {
      const out = new URLSearchParams(form);
      if (!withPassword) out.delete('password');
      return Buffer.from(out.toString());
    },
  };
}
