import type { GatewayConfig } from '../config/gateway-config.js';

/** The backends and groups a config file owns: those it declares under configAuthority: file, else none. */
export interface FileOwned {
  backends: ReadonlySet<string>;
  groups: ReadonlySet<string>;
}

/** fileOwned: what the admin API may not change (409) under this config. */
export function fileOwned(cfg: Pick<GatewayConfig, 'configAuthority' | 'backends' | 'groups'>): FileOwned {
  if (cfg.configAuthority !== 'file') return { backends: new Set(), groups: new Set() };
  return {
    backends: new Set(cfg.backends.map((b) => b.name)),
    groups: new Set(cfg.groups.map((g) => g.name)),
  };
}
