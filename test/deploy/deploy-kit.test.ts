import { readFileSync, readdirSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { generateSealKey } from '../../src/catalogs/secrets.js';
import { parseConfig } from '../../src/config/load.js';
import { Metrics } from '../../src/observability/metrics.js';
import { parseRuleText } from '../../src/routing/rule-loader.js';

const read = (p: string) => readFileSync(p, 'utf8');

describe('the Grafana dashboard', () => {
  it('asks only for metrics the gateway serves', async () => {
    const text = await new Metrics({ processMetrics: true }).registry.metrics();
    const served = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
    const dash = JSON.parse(read('deploy/grafana/switchyard-dashboard.json')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const used = new Set<string>();
    for (const p of dash.panels)
      for (const t of p.targets)
        for (const m of t.expr.matchAll(/\bswitchyard_[a-z0-9_]+/g)) used.add(m[0].replace(/_bucket$/, ''));
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((n) => !served.has(n))).toEqual([]);
  });
});

describe('the Kubernetes manifests', () => {
  const docs = readdirSync('deploy/kubernetes')
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(read(`deploy/kubernetes/${f}`)).map((d) => d.toJS() as any))
    .filter((d) => d.kind !== 'Kustomization');
  const configMap = docs.find((d) => d.kind === 'ConfigMap');

  it('hold a gateway config that loads, with its secrets from the environment', async () => {
    const env = {
      SWITCHYARD_ADMIN_PASSWORD_HASH: await hashPassword('pw'),
      SWITCHYARD_SEAL_KEY: generateSealKey(),
      SWITCHYARD_AFFINITY_SECRET: 'a-long-random-affinity-secret',
    };
    const cfg = parseConfig(configMap.data['gateway.config.yaml'], { env });
    expect(cfg.database.path).toBe('/var/lib/switchyard/switchyard.db');
    expect(cfg.groups.map((g) => g.name)).toEqual(['adhoc', 'etl']);
    expect(cfg.auth.users.map((u) => u.name)).toEqual(['admin']);
  });

  it('reject a misspelt key, and need the seal key once database.url is set (several replicas)', async () => {
    const env = {
      SWITCHYARD_ADMIN_PASSWORD_HASH: await hashPassword('pw'),
      SWITCHYARD_SEAL_KEY: generateSealKey(),
      SWITCHYARD_AFFINITY_SECRET: 'a-long-random-affinity-secret',
    };
    const text: string = configMap.data['gateway.config.yaml'];
    expect(() => parseConfig(text.replace('trustedProxies:', 'trustedProxy:'), { env })).toThrow(
      /trustedProxy/,
    );
    const pg = text.replace(
      'path: /var/lib/switchyard/switchyard.db',
      'url: postgres://switchyard:pw@postgres.switchyard.svc:5432/switchyard',
    );
    expect(parseConfig(pg, { env }).database.url).toContain('postgres.switchyard.svc');
    expect(() => parseConfig(pg.replace(/\ncatalogs:\n\s+sealKey: .*\n/, '\n'), { env })).toThrow(
      /catalogs\.sealKey/,
    );
  });

  it('expose the port the config listens on', async () => {
    const env = {
      SWITCHYARD_ADMIN_PASSWORD_HASH: await hashPassword('pw'),
      SWITCHYARD_SEAL_KEY: generateSealKey(),
      SWITCHYARD_AFFINITY_SECRET: 'a-long-random-affinity-secret',
    };
    const port = parseConfig(configMap.data['gateway.config.yaml'], { env }).server.port;
    const dep = docs.find((d) => d.kind === 'Deployment');
    expect(dep.spec.template.spec.containers[0].ports[0].containerPort).toBe(port);
    expect(Number(dep.spec.template.metadata.annotations['prometheus.io/port'])).toBe(port);
  });

  it("ship the repository's rules, unchanged", () => {
    for (const f of readdirSync('rules').filter((x) => x.endsWith('.yaml')))
      expect(parseRuleText(configMap.data[f], f)).toEqual(parseRuleText(read(`rules/${f}`), f));
  });

  it('probe /readyz and /healthz, mount the rules and keep data on a volume', () => {
    const dep = docs.find((d) => d.kind === 'Deployment');
    const c = dep.spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(
      expect.arrayContaining(['/etc/switchyard/rules', '/var/lib/switchyard']),
    );
    expect(docs.map((d) => d.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'Namespace', 'PersistentVolumeClaim', 'Secret', 'Service'].sort(),
    );
    const kustomization = parse(read('deploy/kubernetes/kustomization.yaml'));
    for (const r of kustomization.resources) expect(readdirSync('deploy/kubernetes')).toContain(r);
  });
});

describe('the image', () => {
  it('runs compiled JavaScript, with a healthcheck that needs no TypeScript loader', () => {
    const docker = read('Dockerfile');
    expect(docker).toMatch(/^CMD \[.*"dist\/src\/main\.js"\]$/m);
    expect(docker).toMatch(/CMD \["node", "dist\/src\/cli\/healthcheck\.js"\]/);
    expect(docker).toContain('npm run build');
    expect(docker).not.toMatch(/--import", "tsx"/);
  });
});
