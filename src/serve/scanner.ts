/**
 * The scans behind `negdoctor serve`: one round collects every cluster (the
 * targets are resolved again each round, so a fleet's new clusters and a
 * fresh access token are picked up), keeps each cluster's last good
 * collection, and serves the merged report of those. A cluster that fails a
 * round keeps its last good findings, with their age in
 * negdoctor_last_successful_scan_timestamp_seconds, and raises
 * negdoctor_scan_errors_total{cluster,stage}. Every cluster to scan has that
 * series from the moment it is known (0 until its first success), and serve is
 * ready once every cluster has been collected at least once.
 */
import type { Config } from '../config/config.js';
import type { CommonOptions } from '../pipeline/options.js';
import type { LiveOptions } from '../pipeline/live.js';
import {
  collectClusters,
  evaluateClusters,
  resolveTargets,
  selectsSeveralClusters,
  type ClusterCollection,
  type ClusterSelection,
  type ClusterTarget,
  type TargetFailure,
} from '../pipeline/clusters.js';
import { renderJson } from '../reporters/json.js';
import type { ClusterStatus } from '../reporters/report.js';
import { RULES } from '../rules/index.js';
import { TOOL } from '../version.js';
import type { ServeMetrics } from './metrics.js';

export interface ScannerOptions {
  live: LiveOptions;
  selection: ClusterSelection;
  config: Config;
  rules: Pick<CommonOptions, 'enable' | 'disable'>;
  metrics: ServeMetrics;
  log: (line: string) => void;
}

/** The `cluster` label of errors that concern no one cluster (the kubeconfig cannot be read, say). */
const NO_CLUSTER = '';

export class Scanner {
  /** The last served report, rendered as `--format json` renders it. */
  reportJson: string | undefined;
  /** Completed rounds, successful or not. */
  rounds = 0;
  /**
   * Every cluster of a round has been collected at least once (partly counts;
   * a cluster nothing could be collected from does not). Once true, it stays:
   * later failures show in the metrics (stale scans), not in readiness.
   */
  everyClusterScanned = false;
  private readonly lastGood = new Map<string, ClusterCollection>();
  private running: Promise<void> | undefined;

  constructor(private readonly options: ScannerOptions) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Starts a round unless one is running; resolves when that round ends. */
  scan(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
      this.rounds++;
    });
    return this.running;
  }

  /** The running round, if any (for shutdown). */
  current(): Promise<void> | undefined {
    return this.running;
  }

  private async round(): Promise<void> {
    const { metrics, log } = this.options;
    const started = process.hrtime.bigint();
    let targets: ClusterTarget[];
    let failures: TargetFailure[];
    try {
      ({ targets, failures } = await this.targets());
    } catch (error) {
      metrics.scanError(NO_CLUSTER, 'discovery');
      log(`scan: no cluster to scan: ${(error as Error).message}`);
      metrics.observeScan(Number(process.hrtime.bigint() - started) / 1e9);
      return;
    }
    for (const failure of failures) {
      metrics.scanError(failure.id, 'discovery');
      log(`scan: ${failure.id}: ${failure.message}`);
    }
    for (const target of targets) metrics.clusterKnown(target.id);

    const collections = await collectClusters(targets, this.options.selection.concurrency);
    const now: ClusterCollection[] = [];
    const stale = new Map<string, string>();
    for (const collected of collections) {
      const { id, collection } = collected;
      if (collection.unreachable) {
        metrics.scanError(id, 'kube');
        log(`scan: ${id}: nothing could be collected — ${collection.unreachable}`);
        const previous = this.lastGood.get(id);
        if (previous) {
          now.push(previous);
          stale.set(id, collection.unreachable);
        } else {
          now.push(collected);
        }
        continue;
      }
      this.lastGood.set(id, collected);
      now.push(collected);
      metrics.scanSucceeded(id, new Date(collection.snapshot.collectedAt));
      if (collection.snapshot.errors.some((e) => e.source === 'kube')) metrics.scanError(id, 'kube');
      if (collection.snapshot.errors.some((e) => e.source === 'gcp')) metrics.scanError(id, 'gcp');
    }
    // Clusters gone from the fleet are dropped, unless their project could not be listed this round.
    const listed = new Set(targets.map((t) => t.id));
    for (const id of [...this.lastGood.keys()]) {
      if (listed.has(id) || failures.some((f) => id.startsWith(`${f.id}/`))) continue;
      this.lastGood.delete(id);
      metrics.forgetCluster(id);
    }
    for (const [id, collected] of this.lastGood) {
      if (listed.has(id)) continue;
      now.push(collected);
      stale.set(id, 'its project could not be listed');
    }

    if (failures.length === 0 && targets.length > 0 && targets.every((t) => this.lastGood.has(t.id))) this.everyClusterScanned = true;

    const merged = evaluateClusters(now, failures, this.options.config, this.options.rules);
    for (const n of merged.result.notEvaluated) {
      if (n.reason.startsWith('internal error in the rule')) metrics.scanError(n.cluster ?? NO_CLUSTER, 'evaluate');
    }
    const clusters: ClusterStatus[] = merged.clusters.map((c) => (stale.has(c.cluster) ? { ...c, error: `this scan failed (${stale.get(c.cluster)}); serving the last good collection` } : c));
    this.reportJson = renderJson({ tool: TOOL, snapshot: merged.snapshot, result: merged.result, rules: RULES, clusters });
    metrics.showReport(merged.result.findings, merged.result.notEvaluated);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.observeScan(seconds);
    const collected = collections.filter((c) => !c.collection.unreachable).length;
    log(`scan: ${collected} of ${collections.length + failures.length} ${collections.length + failures.length === 1 ? 'cluster' : 'clusters'} collected, ${merged.result.findings.length} findings served, ${seconds.toFixed(1)} s`);
  }

  /** Before the first round: a single cluster's last-success series exists from start-up (a fleet's, once listed). */
  async announceClusters(): Promise<void> {
    if (selectsSeveralClusters(this.options.selection)) return;
    try {
      this.options.metrics.clusterKnown(await singleClusterId(this.options.live));
    } catch {
      // The round reports it (stage discovery).
    }
  }

  /** --contexts/--all-contexts/--fleet as for scan; otherwise the one cluster of the kubeconfig or the pod's service account. */
  private async targets(): Promise<{ targets: ClusterTarget[]; failures: TargetFailure[] }> {
    const { live, selection } = this.options;
    if (selectsSeveralClusters(selection)) return resolveTargets(live, selection);
    return { targets: [{ id: await singleClusterId(live), live }], failures: [] };
  }
}

/**
 * The cluster label of a single-cluster serve: the GKE cluster when named
 * (--project, --location, --cluster), else the kube context, else
 * "in-cluster" for the pod's own service account.
 */
async function singleClusterId(live: LiveOptions): Promise<string> {
  if (live.project && live.location && live.cluster) return `projects/${live.project}/locations/${live.location}/clusters/${live.cluster}`;
  if (live.context) return live.context;
  const { listKubeContexts } = await import('../collectors/kube/index.js');
  const listed = listKubeContexts(live.kubeconfig);
  return 'current' in listed && listed.current ? listed.current : 'in-cluster';
}
