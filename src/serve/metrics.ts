/**
 * The metrics `negdoctor serve` exposes on /metrics, through prom-client.
 *
 * The finding and not-evaluated gauges are recomputed from the served report
 * after every scan, so they always describe /report.json exactly; counters
 * and the histogram accumulate over the process' life.
 *
 * prom-client's process and Node.js defaults are included except the three
 * `nodejs_active_{handles,requests,resources}_total` gauges: `promtool check
 * metrics` rejects a gauge whose name ends in `_total` ("non-counter metrics
 * should not have "_total" suffix"), and the same counts are already exported
 * without the suffix (`nodejs_active_handles`… by type).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Finding, NotEvaluated } from '../findings.js';

/** Default metrics whose names promtool's lint rejects (see the header). */
export const REJECTED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Where in a scan an error happened: the `stage` label of negdoctor_scan_errors_total. */
export type ScanStage = 'discovery' | 'kube' | 'gcp' | 'evaluate';

export interface ServeMetrics {
  registry: Registry;
  /** Replaces the finding and not-evaluated gauges with what the served report holds. */
  showReport(findings: Finding[], notEvaluated: NotEvaluated[]): void;
  scanError(cluster: string, stage: ScanStage): void;
  /** A cluster to scan: its last-success series exists from now on, 0 until its first successful scan. */
  clusterKnown(cluster: string): void;
  scanSucceeded(cluster: string, at: Date): void;
  /** Forgets a cluster that is no longer scanned (left the fleet). */
  forgetCluster(cluster: string): void;
  observeScan(seconds: number): void;
}

/** `intervalSec`: --interval, exported so that alert thresholds follow it (deploy/: stale after 3 intervals). */
export function createMetrics(intervalSec: number): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of REJECTED_DEFAULT_METRICS) registry.removeSingleMetric(name);

  const findings = new Gauge({
    name: 'negdoctor_findings',
    help: 'Findings of the last successful scan of each cluster, by namespace, rule and severity (namespace is empty for findings about no namespaced object).',
    labelNames: ['cluster', 'namespace', 'rule', 'severity'] as const,
    registers: [registry],
  });
  const notEvaluated = new Gauge({
    name: 'negdoctor_rule_not_evaluated',
    help: 'Rules that could not be evaluated on a cluster in its last successful scan (1), for lack of the data they need.',
    labelNames: ['cluster', 'rule'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'negdoctor_scan_duration_seconds',
    help: 'Duration of a scan of all clusters: collection, rules and report.',
    buckets: [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'negdoctor_scan_errors_total',
    help: 'Scans in which a stage failed for a cluster, wholly or in part (discovery, kube, gcp, evaluate).',
    labelNames: ['cluster', 'stage'] as const,
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: 'negdoctor_last_successful_scan_timestamp_seconds',
    help: 'Unix time of the last scan that collected the cluster; the served findings are that old. 0 until the first successful scan.',
    labelNames: ['cluster'] as const,
    registers: [registry],
  });
  const interval = new Gauge({
    name: 'negdoctor_scan_interval_seconds',
    help: 'Configured time between two scheduled scans (--interval).',
    registers: [registry],
  });
  interval.set(intervalSec);
  const known = new Set<string>();

  return {
    registry,
    showReport(list, skipped) {
      findings.reset();
      notEvaluated.reset();
      for (const f of list) {
        findings.inc({ cluster: f.cluster ?? '', namespace: f.object?.namespace ?? '', rule: f.ruleId, severity: f.severity });
      }
      for (const n of skipped) notEvaluated.set({ cluster: n.cluster ?? '', rule: n.ruleId }, 1);
    },
    scanError(cluster, stage) {
      errors.inc({ cluster, stage });
    },
    clusterKnown(cluster) {
      if (known.has(cluster)) return;
      known.add(cluster);
      lastSuccess.set({ cluster }, 0);
    },
    scanSucceeded(cluster, at) {
      known.add(cluster);
      lastSuccess.set({ cluster }, at.getTime() / 1000);
    },
    forgetCluster(cluster) {
      known.delete(cluster);
      lastSuccess.remove({ cluster });
    },
    observeScan(seconds) {
      duration.observe(seconds);
    },
  };
}
