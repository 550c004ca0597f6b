/**
 * Scanning several clusters at once (`scan --contexts`, `--all-contexts`,
 * `--fleet`; and `serve`): which clusters, collecting each with a bound on how
 * many run at once, and one report in which every finding names its cluster.
 *
 * Each cluster is collected and evaluated on its own (the rules reason about
 * one cluster's objects and cloud state); only the results are merged. A
 * cluster that cannot be reached is reported and the others still are: the
 * caller exits 3 only when no cluster was collected.
 */
import pLimit from 'p-limit';
import { CliError, EXIT } from '../exit.js';
import type { Config } from '../config/config.js';
import type { EngineResult } from '../engine.js';
import type { ClusterStatus } from '../reporters/report.js';
import { DATA } from '../snapshot/data-keys.js';
import { SNAPSHOT_API_VERSION, SNAPSHOT_KIND, type CollectionError, type Snapshot } from '../snapshot/types.js';
import { TOOL } from '../version.js';
import type { CommonOptions } from './options.js';
import { collectCluster, type LiveCollection, type LiveOptions } from './live.js';
import { evaluate } from './evaluate.js';

export interface ClusterSelection {
  /** --contexts a,b,c */
  contexts: string[];
  /** --all-contexts */
  allContexts: boolean;
  /** --fleet P1,P2: GKE projects whose clusters are discovered through the Container API. */
  fleet: string[];
  /** --internal-ip: connect to fleet clusters' private endpoints. */
  internalIp: boolean;
  /** Clusters collected at once (--concurrency). */
  concurrency: number;
}

export function selectsSeveralClusters(selection: Pick<ClusterSelection, 'contexts' | 'allContexts' | 'fleet'>): boolean {
  return selection.contexts.length > 0 || selection.allContexts || selection.fleet.length > 0;
}

export interface ClusterTarget {
  /** The cluster's name in reports: the kube context, or projects/P/locations/L/clusters/C. */
  id: string;
  live: LiveOptions;
}

/** A cluster (or a whole project) that could not even be tried: no endpoint, the project's clusters not listable. */
export interface TargetFailure {
  id: string;
  message: string;
}

export interface ClusterCollection {
  id: string;
  collection: LiveCollection;
}

/** Single-cluster flags that make no sense with several clusters: a usage error rather than a silent choice. */
export function checkSelectionFlags(live: LiveOptions, selection: ClusterSelection, extra: { snapshot?: string; files?: string[] } = {}): void {
  if (selection.internalIp && selection.fleet.length === 0) throw new CliError('--internal-ip applies to --fleet discovery only', EXIT.usage);
  if (!selectsSeveralClusters(selection)) return;
  const flags = [
    live.context !== undefined && '--context',
    live.project !== undefined && '--project',
    live.location !== undefined && '--location',
    live.cluster !== undefined && '--cluster',
    extra.snapshot !== undefined && '--snapshot',
    (extra.files?.length ?? 0) > 0 && '-f',
  ].filter(Boolean) as string[];
  if (flags.length) {
    throw new CliError(`${flags.join(', ')} ${flags.length === 1 ? 'names' : 'name'} one cluster and cannot be combined with --contexts, --all-contexts or --fleet`, EXIT.usage);
  }
}

/** The clusters to scan: the kubeconfig contexts asked for, then those found in the --fleet projects. */
export async function resolveTargets(live: LiveOptions, selection: ClusterSelection): Promise<{ targets: ClusterTarget[]; failures: TargetFailure[] }> {
  const targets: ClusterTarget[] = [];
  const failures: TargetFailure[] = [];
  if (selection.contexts.length || selection.allContexts) {
    const { listKubeContexts } = await import('../collectors/kube/index.js');
    const listed = listKubeContexts(live.kubeconfig);
    if ('failure' in listed) throw new CliError(`nothing could be collected — ${listed.failure}`, EXIT.unreachable);
    const wanted = selection.allContexts ? listed.contexts : [...new Set(selection.contexts)];
    const unknown = wanted.filter((c) => !listed.contexts.includes(c));
    if (unknown.length) {
      throw new CliError(`${unknown.map((c) => `context "${c}"`).join(', ')} not found in ${listed.source} (contexts: ${listed.contexts.join(', ') || 'none'})`, EXIT.usage);
    }
    if (wanted.length === 0) throw new CliError(`nothing could be collected — ${listed.source} has no contexts`, EXIT.unreachable);
    for (const context of wanted) targets.push({ id: context, live: { ...live, context } });
  }
  if (selection.fleet.length) {
    const { discoverClusters } = await import('../collectors/gcp/discover.js');
    const discovery = await discoverClusters({
      projects: [...new Set(selection.fleet)],
      internalIp: selection.internalIp,
      timeoutMs: Math.min(30_000, Math.max(1_000, live.timeoutSec * 1000)),
    });
    failures.push(...discovery.failures);
    for (const found of discovery.clusters) {
      targets.push({
        id: found.id,
        live: {
          ...live,
          project: found.project,
          location: found.location,
          cluster: found.name,
          connection: {
            name: found.id,
            server: found.server,
            ...(found.caData ? { caData: found.caData } : {}),
            token: discovery.token!,
            source: 'the Container API',
          },
        },
      });
    }
  }
  return { targets, failures };
}

/** Collects every target, at most `concurrency` at once; results in target order. */
export async function collectClusters(
  targets: ClusterTarget[],
  concurrency: number,
  onCollected?: (collected: ClusterCollection) => void,
): Promise<ClusterCollection[]> {
  const limit = pLimit(Math.max(1, concurrency));
  return Promise.all(
    targets.map((target) =>
      limit(async () => {
        const collected = { id: target.id, collection: await collectCluster(target.live) };
        onCollected?.(collected);
        return collected;
      }),
    ),
  );
}

export interface ClustersReport {
  /** A stand-in snapshot for the reporters: every cluster's objects and errors (tagged), no data keys. */
  snapshot: Snapshot;
  result: EngineResult;
  clusters: ClusterStatus[];
  /** At least one cluster was collected (exit 3 otherwise). */
  anyCollected: boolean;
}

/**
 * Evaluates each collected cluster on its own snapshot (rules take "now"
 * from its collection time) and merges the results, every finding, rule not
 * evaluated and collection error tagged with its cluster.
 */
export function evaluateClusters(
  collections: ClusterCollection[],
  failures: TargetFailure[],
  config: Config,
  options: Pick<CommonOptions, 'enable' | 'disable'>,
): ClustersReport {
  const result: EngineResult = { findings: [], suppressed: [], notEvaluated: [], evaluated: [], disabled: [], crashed: [], incidents: [] };
  const evaluated = new Set<string>();
  const errors: CollectionError[] = [];
  const objects: Snapshot['objects'] = [];
  const clusters: ClusterStatus[] = [];
  let collectedAt = '';
  for (const { id, collection } of collections) {
    const { snapshot } = collection;
    for (const error of snapshot.errors) errors.push({ ...error, cluster: id });
    clusters.push({ cluster: id, collected: !collection.unreachable, ...(collection.unreachable ? { error: collection.unreachable } : {}) });
    if (collection.unreachable) continue;
    if (snapshot.collectedAt > collectedAt) collectedAt = snapshot.collectedAt;
    for (const object of snapshot.objects) objects.push({ ...object, id: objects.length });
    const one = evaluate(snapshot, config, options, { now: new Date(snapshot.collectedAt) });
    result.findings.push(...one.findings.map((f) => ({ ...f, cluster: id })));
    result.suppressed.push(...one.suppressed.map((f) => ({ ...f, cluster: id })));
    result.notEvaluated.push(...one.notEvaluated.map((n) => ({ ...n, cluster: id })));
    // Causes are found within a cluster: one cluster's firewall explains nothing in another.
    result.incidents.push(...one.incidents.map((i) => ({ ...i, id: `${id}/${i.id}`, cluster: id })));
    result.crashed.push(...one.crashed.map((c) => ({ ...c, error: `${c.error} (cluster ${id})` })));
    for (const ruleId of one.evaluated) evaluated.add(ruleId);
    if (result.disabled.length === 0) result.disabled.push(...one.disabled);
  }
  for (const failure of failures) {
    clusters.push({ cluster: failure.id, collected: false, error: failure.message });
    errors.push({ source: 'gcp', data: DATA.gcpClusters, message: failure.message, cluster: failure.id });
  }
  result.evaluated = [...evaluated];
  const snapshot: Snapshot = {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: SNAPSHOT_KIND,
    collectedAt: collectedAt || new Date().toISOString(),
    source: 'live',
    tool: { ...TOOL },
    objects,
    data: {},
    errors,
    inputs: { files: 0, documents: 0, nonKubernetes: 0, skippedFiles: 0, problems: [], notices: [] },
  };
  return { snapshot, result, clusters, anyCollected: clusters.some((c) => c.collected) };
}

/** A file name for a cluster's snapshot: gcloud's context name for fleet clusters, the context name made safe otherwise. */
export function snapshotFileName(id: string, taken: Set<string>): string {
  const fleet = /^projects\/([^/]+)\/locations\/([^/]+)\/clusters\/([^/]+)$/.exec(id);
  const base = (fleet ? `gke_${fleet[1]}_${fleet[2]}_${fleet[3]}` : id).replace(/[^A-Za-z0-9._-]+/g, '_') || 'cluster';
  let name = `${base}.json`;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}.json`;
  taken.add(name);
  return name;
}
