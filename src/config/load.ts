import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { crossCheck, gatewayConfigSchema, type ConfigIssue, type GatewayConfig } from './gateway-config.js';

/** A config that cannot be used. The message names every YAML path at fault; never a stack trace. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `invalid configuration in ${source}:\n` + issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const ENV_REF = /\$\{ENV:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** substituteEnv replaces ${ENV:NAME} (or ${ENV:NAME:-default}) in every string value, recording misses. */
function substituteEnv(value: unknown, path: string, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string, dflt: string | undefined) => {
      const v = env[name];
      if (v !== undefined) return v;
      if (dflt !== undefined) return dflt;
      issues.push({ path: path || '(root)', message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, `${path}[${i}]`, env, issues));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = substituteEnv(v, path ? `${path}.${k}` : k, env, issues);
    return out;
  }
  return value;
}

function zodPath(path: PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(root)';
}

function zodIssues(err: z.ZodError): ConfigIssue[] {
  return err.issues.map((i) => ({ path: zodPath(i.path), message: i.message }));
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !(o instanceof RegExp)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** parseConfig validates YAML text into a frozen GatewayConfig, or throws ConfigError. */
export function parseConfig(
  text: string,
  opts: { source?: string; baseDir?: string; env?: NodeJS.ProcessEnv } = {},
): GatewayConfig {
  const source = opts.source ?? '(inline)';
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return {
          path: pos ? `line ${pos.line}, column ${pos.col}` : '(yaml)',
          message: e.message.split('\n')[0],
        };
      }),
    );
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(source, [{ path: '(root)', message: 'expected a mapping of sections' }]);
  const issues: ConfigIssue[] = [];
  const substituted = substituteEnv(raw, '', opts.env ?? process.env, issues);
  if (issues.length) throw new ConfigError(source, issues);
  const parsed = gatewayConfigSchema.safeParse(substituted);
  if (!parsed.success) throw new ConfigError(source, zodIssues(parsed.error));
  const cross = crossCheck(parsed.data);
  if (cross.length) throw new ConfigError(source, cross);
  const cfg = parsed.data;
  const files = fileChecks(cfg, opts.baseDir ?? process.cwd());
  if (files.length) throw new ConfigError(source, files);
  const publicUrl = (cfg.server.publicUrl ?? `http://localhost:${cfg.server.port}`).replace(/\/+$/, '');
  return deepFreeze({
    ...cfg,
    server: { ...cfg.server, publicUrl },
    baseDir: opts.baseDir ?? process.cwd(),
  });
}

/**
 * fileChecks finds configured files and directories that are not there, each named with the fix. A
 * rulesDir left at its default may be missing (no rules); one that is configured must exist.
 */
function fileChecks(cfg: z.infer<typeof gatewayConfigSchema>, baseDir: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const dir = cfg.routing.rulesDir;
  if (dir !== undefined && !isDirectory(resolve(baseDir, dir)))
    issues.push({
      path: 'routing.rulesDir',
      message: `directory ${resolve(baseDir, dir)} does not exist: create it, or remove routing.rulesDir to run without rules`,
    });
  for (const k of ['cert', 'key'] as const) {
    const f = cfg.server.tls?.[k];
    const why = f === undefined ? undefined : unreadable(resolve(baseDir, f));
    if (why)
      issues.push({
        path: `server.tls.${k}`,
        message: `file ${resolve(baseDir, f!)} ${why}: give the path of a PEM file (relative to the config file), or remove server.tls for plain HTTP`,
      });
  }
  return issues;
}

/** unreadable says why a file cannot be read ('does not exist', 'is not readable: EACCES'), or undefined. */
function unreadable(p: string): string | undefined {
  try {
    accessSync(p, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : `is not readable (${code})`;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** loadConfig reads and validates a config file; relative paths in it resolve against its directory. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '(file)', message: `cannot read: ${(e as Error).message}` }]);
  }
  return parseConfig(text, { source: file, baseDir: dirname(resolve(file)), env });
}

/** configPath: `--config FILE`, else SWITCHYARD_CONFIG, else ./gateway.config.yaml. */
export function configPath(argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  const i = argv.indexOf('--config');
  if (i >= 0 && argv[i + 1]) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith('--config='));
  if (eq) return eq.slice('--config='.length);
  return env.SWITCHYARD_CONFIG || 'gateway.config.yaml';
}
