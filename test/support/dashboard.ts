/**
 * The Grafana dashboard (manifests/monitoring/dashboard.json) as tests read it: its panels and
 * queries, and each query as Prometheus would receive it from Grafana.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { type: string; uid: string };
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly targets?: { expr: string; refId: string; legendFormat: string }[];
}

export const DASHBOARD = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'manifests', 'monitoring', 'dashboard.json'), 'utf8'),
) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
};

/** Every query of the dashboard, as written. */
export function dashboardQueries(): { panel: string; expr: string }[] {
  return DASHBOARD.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

/** A query with Grafana's variables replaced as Grafana would: every namespace, a rate window of `rateInterval`. */
export function asSent(expr: string, rateInterval = '1m'): string {
  return expr.replaceAll('$namespace', '.*').replaceAll('$__rate_interval', rateInterval);
}
