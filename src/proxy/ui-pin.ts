import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { isAvailable, type Backend } from '../backends/backend.js';
import type { BackendPicker } from '../backends/picker.js';
import type { BackendRegistry } from '../backends/registry.js';
import { mayUse } from '../routing/group-choice.js';
import type { HandleCodec } from './handle-codec.js';
import { readCookie } from './request-parts.js';

/** The gateway's cookie pinning a browser's /ui to one cluster: a signed backend handle, never a plain name. */
export const UI_PIN = 'switchyard_ui';

/** pinCookie is the Set-Cookie line pinning the browser's /ui to the backend of `handle`. */
export function pinCookie(handle: string, secure: boolean, prefix = ''): string {
  return `${UI_PIN}=${handle}; Path=${prefix}/ui; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/**
 * UiPins decides which cluster a browser's /ui talks to: the pin cookie when it names a cluster the
 * principal may still use; else the only cluster the principal may use; else none (the caller shows the
 * picker, or lets the group's routing choose). The cluster list names clusters only, never their URLs.
 */
export class UiPins {
  constructor(
    private readonly registry: BackendRegistry,
    private readonly picker: BackendPicker,
    private readonly codec: HandleCodec,
    private readonly defaultGroup: string,
  ) {}

  /** pinned is the backend the request's pin cookie names, when it exists and the principal may use it. */
  pinned(req: IncomingMessage, principal: Principal | undefined): Backend | undefined {
    const v = readCookie(req.headers.cookie, UI_PIN);
    return v ? this.usable(v, principal) : undefined;
  }

  /** usable is the backend a signed handle names, when the principal may use its group. */
  usable(handle: string, principal: Principal | undefined): Backend | undefined {
    const name = this.codec.decode(handle);
    const b = name ? this.registry.get(name) : undefined;
    return b && (!principal || mayUse(principal, b.group)) ? b : undefined;
  }

  /** candidates lists the active clusters of the groups the principal may use (all of them in mode none). */
  candidates(principal: Principal | undefined): Backend[] {
    return this.registry
      .all()
      .filter((b) => b.active && (!principal || mayUse(principal, b.group)))
      .sort((a, b) => a.group.localeCompare(b.group) || a.name.localeCompare(b.name));
  }

  /** routed is what the group's routing picks for the principal: its default group, else the gateway's. */
  routed(principal: Principal | undefined): Backend | undefined {
    const groups = principal?.groups.filter((g) => g !== '*') ?? [];
    const group =
      !principal || mayUse(principal, this.defaultGroup)
        ? this.defaultGroup
        : (groups[0] ?? this.defaultGroup);
    return this.picker.pick(group, { user: principal?.name ?? '' })?.backend;
  }

  handle(b: Backend): string {
    return this.codec.encode(b.name);
  }

  /** available tells whether the backend can serve its UI now (the one availability rule). */
  available(b: Backend): boolean {
    return isAvailable(b);
  }
}
