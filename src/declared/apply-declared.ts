import type { GatewayConfig } from '../config/gateway-config.js';
import type { Logger } from '../observability/logger.js';
import type { BackendStore, SettingsStore } from '../store/ports.js';
import { seedDifferences } from './seed-differences.js';

/** The settings row naming what the file owned when it was last applied (so what it dropped is deleted). */
export const OWNED_KEY = 'config-owned';

export interface DeclaredStores {
  backends: BackendStore;
  settings: SettingsStore;
}

type Declared = Pick<GatewayConfig, 'configAuthority' | 'groups' | 'backends' | 'routing'>;

/**
 * applyDeclared writes the config file's groups and backends to the store, by configAuthority:
 * - `seed`: only names never stored are inserted; the database wins, and one warning names each
 *   difference between the file and what is stored (an edited URL is no longer silently ignored);
 * - `file`: the file wins: its entries are written over the stored ones, and the entries it owned at the
 *   last apply that it no longer declares are deleted (a group only once nothing uses it).
 * The default group is stored when missing, in both modes. Runs at start and, under `file`, on reload.
 */
export async function applyDeclared(cfg: Declared, st: DeclaredStores, logger: Logger): Promise<void> {
  if (!cfg.groups.some((g) => g.name === cfg.routing.defaultGroup))
    await st.backends.seedGroup({ name: cfg.routing.defaultGroup, policy: 'least-loaded' });
  if (cfg.configAuthority === 'file') return enforce(cfg, st, logger);
  const inserted = { groups: new Set<string>(), backends: new Set<string>() };
  for (const g of cfg.groups)
    if (await st.backends.seedGroup({ name: g.name, policy: g.policy, fallback: g.fallback }))
      inserted.groups.add(g.name);
  for (const b of cfg.backends) if (await st.backends.seedBackend(b)) inserted.backends.add(b.name);
  const stored = { groups: await st.backends.listGroups(), backends: await st.backends.listBackends() };
  const diffs = seedDifferences(cfg, stored, inserted);
  if (diffs.length > 0)
    logger.warn(
      `the config file and the database disagree, and the database wins (configAuthority: seed); change these through the admin API, or set configAuthority: file to make the file win: ${diffs.join('; ')}`,
    );
}

async function enforce(cfg: Declared, st: DeclaredStores, logger: Logger): Promise<void> {
  const before = await ownedBefore(st.settings);
  for (const g of cfg.groups)
    await st.backends.upsertGroup({ name: g.name, policy: g.policy, fallback: g.fallback });
  for (const b of cfg.backends) await st.backends.upsertBackend(b);
  const names = { backends: cfg.backends.map((b) => b.name), groups: cfg.groups.map((g) => g.name) };
  const dropped: string[] = [];
  for (const name of before.backends)
    if (!names.backends.includes(name) && (await st.backends.deleteBackend(name)))
      dropped.push(`backend ${name}`);
  const backends = await st.backends.listBackends();
  const groups = await st.backends.listGroups();
  const kept: string[] = [];
  for (const name of before.groups) {
    if (names.groups.includes(name) || !groups.some((g) => g.name === name)) continue;
    const users = [
      ...backends.filter((b) => b.group === name).map((b) => `backend ${b.name}`),
      ...groups.filter((g) => g.fallback === name).map((g) => `group ${g.name}'s fallback`),
    ];
    if (users.length > 0 || name === cfg.routing.defaultGroup)
      kept.push(`${name} (${users.join(', ') || 'routing.defaultGroup'})`);
    else if (await st.backends.deleteGroup(name)) dropped.push(`group ${name}`);
  }
  await st.settings.set(OWNED_KEY, JSON.stringify(names));
  if (dropped.length > 0)
    logger.info(
      { deleted: dropped },
      'entries the config file no longer declares were deleted (configAuthority: file)',
    );
  if (kept.length > 0)
    logger.warn(`groups the config file no longer declares are kept while still in use: ${kept.join('; ')}`);
}

async function ownedBefore(settings: SettingsStore): Promise<{ backends: string[]; groups: string[] }> {
  try {
    const v = JSON.parse((await settings.get(OWNED_KEY)) ?? '{}') as { backends?: unknown; groups?: unknown };
    const names = (x: unknown) =>
      Array.isArray(x) ? x.filter((n): n is string => typeof n === 'string') : [];
    return { backends: names(v.backends), groups: names(v.groups) };
  } catch {
    return { backends: [], groups: [] };
  }
}
