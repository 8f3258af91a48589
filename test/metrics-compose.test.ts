// examples/jaeger/docker-compose.yml with Prometheus and Grafana, checked without Docker: every file a
// service mounts exists, and the names that tie the services together agree (the gateway's port and
// metrics path in the scrape config, Prometheus' address in Grafana's data source, the dashboard's
// folder in Grafana's provisioning, the data source type the dashboard asks for).
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPOSE = join(ROOT, 'examples/jaeger/docker-compose.yml');
const METRICS_PATH = '/metrics'; // where `switchyard serve --metrics` and examples/jaeger/start.js serve them

interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly depends_on?: readonly string[];
}

async function yamlFile<T>(path: string): Promise<T> {
  return parse(await readFile(path, 'utf8')) as T;
}

async function compose(): Promise<Record<string, Service>> {
  return (await yamlFile<{ services: Record<string, Service> }>(COMPOSE)).services;
}

/** `host:container[:ro]` volumes as absolute host paths (relative to the compose file) and container paths. */
function mounts(service: Service): { host: string; container: string }[] {
  return (service.volumes ?? []).map((volume) => {
    const [host, container] = volume.split(':');
    return { host: resolve(dirname(COMPOSE), host!), container: container! };
  });
}

/** The host path mounted at `container`, or the host path of the directory mount that holds it. */
function hostPathOf(service: Service, container: string): string | undefined {
  for (const m of mounts(service)) {
    if (m.container === container) return m.host;
    if (container.startsWith(`${m.container}/`)) return join(m.host, container.slice(m.container.length + 1));
  }
  return undefined;
}

describe('the compose file of examples/jaeger', () => {
  it('should run Jaeger, the gateway, Prometheus and Grafana, each from a pinned image or this repository', async () => {
    const services = await compose();
    expect(Object.keys(services).sort()).toEqual(['gateway', 'grafana', 'jaeger', 'prometheus']);
    for (const [name, service] of Object.entries(services)) {
      if (name === 'gateway') expect(service.build).toBeDefined();
      else expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
    }
    expect(services.prometheus!.depends_on).toContain('gateway');
    expect(services.grafana!.depends_on).toContain('prometheus');
  });

  it('should mount only files and folders that exist', async () => {
    for (const [name, service] of Object.entries(await compose())) {
      for (const { host } of mounts(service)) expect(existsSync(host), `${name}: ${host}`).toBe(true);
    }
  });

  it("should have Prometheus scrape the gateway's metrics where the gateway serves them", async () => {
    const services = await compose();
    const prometheus = services.prometheus!;
    const configFlag = prometheus.command?.find((c) => c.startsWith('--config.file='));
    expect(configFlag).toBeDefined();
    const configPath = hostPathOf(prometheus, configFlag!.slice('--config.file='.length));
    expect(configPath).toBeDefined();
    const config = await yamlFile<{
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    }>(configPath!);
    const gateway = services.gateway!.environment!;
    expect(gateway.SWITCHYARD_METRICS).toBe('1');
    expect(gateway.HOST).toBe('0.0.0.0');
    const job = config.scrape_configs.find((j) => j.static_configs.some((s) => s.targets.includes(`gateway:${gateway.PORT}`)));
    expect(job, `a job scraping gateway:${gateway.PORT}`).toBeDefined();
    expect(job!.metrics_path ?? '/metrics').toBe(METRICS_PATH);
  });

  it('should give Grafana Prometheus as its data source and the dashboard in the folder its provisioning reads', async () => {
    const services = await compose();
    const grafana = services.grafana!;
    const provisioning = hostPathOf(grafana, '/etc/grafana/provisioning');
    expect(provisioning && statSync(provisioning).isDirectory()).toBe(true);

    const { datasources } = await yamlFile<{ datasources: { type: string; url: string; isDefault?: boolean }[] }>(
      join(provisioning!, 'datasources/prometheus.yml'),
    );
    const prometheusPort = services.prometheus!.ports!.map((p) => p.split(':')[1]!.split(' ')[0])[0];
    expect(datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: `http://prometheus:${prometheusPort}`, isDefault: true }),
    ]);

    const { providers } = await yamlFile<{ providers: { type: string; options: { path: string } }[] }>(
      join(provisioning!, 'dashboards/switchyard.yml'),
    );
    expect(providers).toHaveLength(1);
    const folder = providers[0]!.options.path;
    const dashboardMount = mounts(grafana).find((m) => posix.dirname(m.container) === folder);
    expect(dashboardMount?.host).toBe(join(ROOT, 'examples/grafana/switchyard.json'));
    expect(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(dashboardMount!.container);

    const dashboard = JSON.parse(await readFile(dashboardMount!.host, 'utf8')) as {
      uid: string;
      templating: { list: { type: string; name: string; query: string }[] };
      panels: { id: number; datasource?: { type: string; uid: string }; gridPos: { x: number; w: number } }[];
    };
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toMatchObject({ query: 'prometheus' });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      if (panel.datasource) expect(panel.datasource).toEqual({ type: 'prometheus', uid: `\${${variable!.name}}` });
    }
  });
});
