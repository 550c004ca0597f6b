/**
 * `negdoctor gather`: the read-only kubectl and gcloud commands that capture
 * everything `scan` reads, for someone who can run commands but cannot give
 * negdoctor credentials. Printed by default; with `--run DIR` they are run and
 * their output written as an evidence bundle (src/collectors/bundle.ts) that
 * `negdoctor lint DIR` judges like `scan` judges the live cluster.
 *
 * The list is derived from the collectors: every list of the kube collector
 * (KUBE_LIST_PLAN) and every Google Cloud call it makes (GCP_IAM_PERMISSIONS,
 * checked by a test), plus effective firewalls and subnetworks. Only `get`,
 * `list` and `describe` verbs are used (and `get-health`,
 * `list-network-endpoints`, `get-effective-firewalls`, which only read).
 * Kubernetes output is redacted as scan redacts it: no env values, no
 * managedFields, no last-applied annotation; Secrets and ConfigMaps are never
 * asked for.
 */
import { redactLogEntry } from '../collectors/logs/entries.js';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { CliError, EXIT } from '../exit.js';
import { BUNDLE_KIND, BUNDLE_MANIFEST, type BundleEntry, type BundleManifest } from '../collectors/bundle.js';
import type { GcpNeg, KubeObject } from '../snapshot/types.js';
import { isRecord } from '../util/values.js';
import { TOOL } from '../version.js';
import { INPUT_TYPES_BY_NAME } from '../collectors/shapes.js';
import { regionOf, shouldInspect } from '../collectors/gcp/index.js';
import { lastSegment } from '../util/text.js';
import { negKeyOfGroup } from '../model/neg-index.js';
import { apiName, prepareBundleDir, redactGcloud, writeBundleFile } from './gather-files.js';
import { notice } from '../util/notice.js';

export interface GatherOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  project?: string;
  location?: string;
  cluster?: string;
  cloud: boolean;
  /** Run the commands and write the bundle here; otherwise print them. */
  run?: string;
  quiet: boolean;
  timeoutSec: number;
  /** --logs: also capture the request and health-check logs of the last `sinceMs`. */
  logs?: { sinceMs: number; maxEntries: number };
}

/** One capture: a command and the typed file it fills. */
export interface Capture {
  tool: 'kubectl' | 'gcloud';
  args: string[];
  /** Explicit input type of the output, TYPE[:QUALIFIER]. */
  type: string;
  file: string;
  /** The collector call it stands for (GCP_IAM_PERMISSIONS `call`, or the kube resource). */
  covers: string;
  /** A custom resource: "no such resource type" means none exist (the CRD is not installed), as scan takes it. */
  crd?: boolean;
}

interface Target {
  context?: string;
  namespace?: string;
  project?: string;
  location?: string;
  cluster?: string;
}

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
export const commandLine = (c: Pick<Capture, 'tool' | 'args'>) => [c.tool, ...c.args].map(quote).join(' ');
const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_');

/** The kubectl captures: the kube-system Namespace (the cluster UID) and every list scan makes. */
export async function kubeCaptures(options: Pick<GatherOptions, 'kubeconfig' | 'allNamespaces'>, target: Target): Promise<Capture[]> {
  const { KUBE_LIST_PLAN } = await import('../collectors/kube/index.js');
  const common = [...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []), ...(target.context ? ['--context', target.context] : [])];
  const scope = options.allNamespaces ? ['--all-namespaces'] : ['--namespace', target.namespace ?? 'default'];
  const captures: Capture[] = [
    { tool: 'kubectl', args: [...common, 'get', 'namespace', 'kube-system', '-o', 'json'], type: 'k8s:namespaces', file: 'k8s.namespace-kube-system.json', covers: 'namespaces/kube-system' },
  ];
  for (const list of KUBE_LIST_PLAN) {
    // A kind with no input type yet is still captured; lint reads it by its kind.
    const known = INPUT_TYPES_BY_NAME.has(`k8s:${list.plural}`);
    captures.push({
      tool: 'kubectl',
      args: [...common, 'get', list.resource, ...(list.namespaced ? scope : []), '-o', 'json'],
      type: known ? `k8s:${list.plural}${list.namespaced && !options.allNamespaces && target.namespace ? `:${target.namespace}` : ''}` : '',
      file: `k8s.${safe(list.resource)}.json`,
      covers: list.resource,
      ...(list.crd ? { crd: true } : {}),
    });
  }
  return captures;
}

/** The gcloud captures that need nothing but the project, location and cluster name. */
export function gcpCaptures(target: Required<Pick<Target, 'project' | 'location' | 'cluster'>>): Capture[] {
  const p = ['--project', target.project, '--format=json'];
  return [
    { tool: 'gcloud', args: ['container', 'clusters', 'describe', target.cluster, '--location', target.location, ...p], type: 'gcp:cluster', file: 'gcp.cluster.json', covers: 'container projects.locations.clusters.get' },
    { tool: 'gcloud', args: ['container', 'clusters', 'list', ...p], type: `gcp:clusters:${target.project}`, file: 'gcp.clusters.json', covers: 'container projects.locations.clusters.list' },
    { tool: 'gcloud', args: ['compute', 'network-endpoint-groups', 'list', ...p], type: `gcp:negs:${target.project}`, file: 'gcp.negs.json', covers: 'compute networkEndpointGroups.aggregatedList' },
    // The node VMs, as scan reads them: the network tags and service accounts the nodes really carry.
    {
      tool: 'gcloud',
      args: ['compute', 'instances', 'list', `--filter=labels.goog-k8s-cluster-name=${target.cluster}`, ...p],
      type: 'gcp:instances',
      file: 'gcp.instances.json',
      covers: 'compute instances.aggregatedList',
    },
    {
      tool: 'gcloud',
      args: ['compute', 'instance-templates', 'list', `--filter=name ~ ^gke-${target.cluster}-`, ...p],
      type: 'gcp:instance-templates',
      file: 'gcp.instance-templates.json',
      covers: 'compute instanceTemplates.list',
    },
    // As scan: the global backend services, and the regional ones of the cluster's region (internal Ingress).
    { tool: 'gcloud', args: ['compute', 'backend-services', 'list', '--global', ...p], type: `gcp:backend-services:${target.project}`, file: 'gcp.backend-services.json', covers: 'compute backendServices.list' },
    {
      tool: 'gcloud',
      args: ['compute', 'backend-services', 'list', `--regions=${regionOf(target.location)}`, ...p],
      type: `gcp:backend-services:${target.project}`,
      file: 'gcp.backend-services.regional.json',
      covers: 'compute regionBackendServices.list',
    },
  ];
}

/** The captures of the cluster's network: known once the cluster is described. */
export function networkCaptures(project: string, network: string, region: string): Capture[] {
  const p = ['--project', project, '--format=json'];
  return [
    { tool: 'gcloud', args: ['compute', 'networks', 'describe', network, ...p], type: 'gcp:network', file: 'gcp.network.json', covers: 'compute networks.get' },
    { tool: 'gcloud', args: ['compute', 'firewall-rules', 'list', `--filter=network:${network}`, ...p], type: `gcp:firewalls:${network}`, file: 'gcp.firewalls.json', covers: 'compute firewalls.list' },
    { tool: 'gcloud', args: ['compute', 'networks', 'get-effective-firewalls', network, ...p], type: `gcp:effective-firewalls:${network}`, file: 'gcp.effective-firewalls.json', covers: 'compute networks.getEffectiveFirewalls' },
    // The regional answer repeats the global policies and adds the region's network firewall policies.
    { tool: 'gcloud', args: ['compute', 'network-firewall-policies', 'get-effective-firewalls', `--network=${network}`, `--region=${region}`, ...p], type: `gcp:effective-firewalls:${network}`, file: 'gcp.effective-firewalls-regional.json', covers: 'compute regionNetworkFirewallPolicies.getEffectiveFirewalls' },
    { tool: 'gcloud', args: ['compute', 'networks', 'subnets', 'list', `--network=${network}`, `--regions=${region}`, ...p], type: `gcp:subnetworks:${region}`, file: 'gcp.subnetworks.json', covers: 'compute subnetworks.list' },
  ];
}

/** Endpoints of one NEG, and the health of one backend service's NEG backends. */
export function negEndpointCapture(project: string, zone: string, neg: string): Capture {
  return {
    tool: 'gcloud',
    args: ['compute', 'network-endpoint-groups', 'list-network-endpoints', neg, '--zone', zone, '--project', project, '--format=json'],
    type: `gcp:neg-endpoints:${zone}/${neg}`,
    file: `gcp.neg-endpoints.${safe(zone)}.${safe(neg)}.json`,
    covers: 'compute networkEndpointGroups.listNetworkEndpoints',
  };
}

export function backendHealthCapture(project: string, service: string, region: string | undefined): Capture {
  return {
    tool: 'gcloud',
    args: ['compute', 'backend-services', 'get-health', service, ...(region ? ['--region', region] : ['--global']), '--project', project, '--format=json'],
    type: `gcp:backend-health:${service}`,
    file: `gcp.backend-health.${safe(region ?? 'global')}.${safe(service)}.json`,
    covers: region ? 'compute regionBackendServices.getHealth' : 'compute backendServices.getHealth',
  };
}

/** `gcloud logging read` of the cluster's 5xx request logs or its NEGs' health-check logs (see collectors/gcp/logs.ts for the filters scan sends). */
export async function logCaptures(project: string, logs: NonNullable<GatherOptions['logs']>, backendServices: string[], negIds: string[]): Promise<Capture[]> {
  const { requestLogFilter, probeLogFilter } = await import('../collectors/gcp/logs.js');
  const since = new Date(Date.now() - logs.sinceMs).toISOString();
  const common = [`--limit=${logs.maxEntries}`, '--order=desc', '--project', project, '--format=json'];
  const out: Capture[] = [];
  if (backendServices.length) {
    out.push({ tool: 'gcloud', args: ['logging', 'read', requestLogFilter(backendServices, since), ...common], type: 'gcp:lb-request-logs', file: 'gcp.request-logs.json', covers: 'logging entries.list (only with `scan --logs`)' });
  }
  if (negIds.length) {
    out.push({ tool: 'gcloud', args: ['logging', 'read', probeLogFilter(project, negIds, since), ...common], type: 'gcp:health-check-logs', file: 'gcp.health-check-logs.json', covers: 'logging entries.list (only with `scan --logs`)' });
  }
  return out;
}

async function resolveTarget(options: GatherOptions): Promise<Target> {
  let context = options.context;
  if (!context) {
    // The current context, as kubectl itself reads it (a read of the kubeconfig, nothing sent).
    const answer = await run('kubectl', [...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []), 'config', 'current-context'], 10_000);
    if (answer.code === 0) context = answer.stdout.trim() || undefined;
  }
  let namespace = options.namespace;
  if (!options.allNamespaces && !namespace) {
    // The context's namespace, as scan uses it (again a read of the kubeconfig).
    const kubeconfig = options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : [];
    const answer = await run('kubectl', [...kubeconfig, ...(context ? ['--context', context] : []), 'config', 'view', '--minify', '-o', 'jsonpath={.contexts[0].context.namespace}'], 10_000);
    if (answer.code === 0) namespace = answer.stdout.trim() || undefined;
  }
  const { parseGkeContext } = await import('../collectors/kube/index.js');
  const gke = parseGkeContext(context);
  const project = options.project ?? gke.project;
  const location = options.location ?? gke.location;
  const cluster = options.cluster ?? gke.name;
  return {
    ...(context ? { context } : {}),
    namespace: options.allNamespaces ? undefined : (namespace ?? 'default'),
    ...(project ? { project } : {}),
    ...(location ? { location } : {}),
    ...(cluster ? { cluster } : {}),
  };
}

export async function gatherCommand(options: GatherOptions): Promise<number> {
  const target = await resolveTarget(options);
  const kube = await kubeCaptures(options, target);
  const cloudTarget = options.cloud && target.project && target.location && target.cluster ? (target as Required<Pick<Target, 'project' | 'location' | 'cluster'>>) : undefined;
  if (options.cloud && !cloudTarget) {
    notice('the Google Cloud project, location and cluster are unknown (no gke_PROJECT_LOCATION_CLUSTER context); give --project, --location and --cluster, or --no-cloud');
    if (options.run) throw new CliError('cannot gather Google Cloud state without --project, --location and --cluster', EXIT.usage);
  }
  if (!options.run) {
    await printPlan(kube, cloudTarget, options.logs);
    return EXIT.ok;
  }
  return runPlan(options, target, kube, cloudTarget);
}

async function printPlan(kube: Capture[], cloud: Required<Pick<Target, 'project' | 'location' | 'cluster'>> | undefined, logs: GatherOptions['logs']): Promise<void> {
  const out: string[] = [
    '# Read-only commands that capture what `negdoctor scan` reads. Run them, then: negdoctor lint gather/',
    '# `negdoctor gather --run gather/` runs them for you, removes env values, managedFields and the',
    '# last-applied annotation from the Kubernetes output (as scan does), and writes negdoctor-bundle.json',
    '# so that lint types every file. Run by hand, give each file its type: negdoctor lint TYPE=FILE.',
    'mkdir -p gather',
  ];
  const line = (c: Capture) => `${commandLine(c)} > gather/${c.file}    # ${c.type}`;
  for (const c of kube) out.push(line(c));
  if (cloud) {
    for (const c of gcpCaptures(cloud)) out.push(line(c));
    out.push('# The cluster network (networkConfig.network in gather/gcp.cluster.json), NET below:');
    for (const c of networkCaptures(cloud.project, 'NET', regionOf(cloud.location))) out.push(line(c));
    out.push("# For each NEG of this cluster (k8s1-… names, or a description with this cluster's cluster-uid) in gather/gcp.negs.json:");
    out.push(line(negEndpointCapture(cloud.project, 'ZONE', 'NEG')));
    out.push('# For each backend service in gather/gcp.backend-services.json with NEG backends (add --region R for regional ones):');
    out.push(line(backendHealthCapture(cloud.project, 'BACKEND_SERVICE', undefined)));
    if (logs) {
      out.push("# --logs: the 5xx request logs of this cluster's backend services and the health-check logs of its NEGs (ids from gather/gcp.negs.json);");
      out.push('# `gather --run` fills in the names and ids. The snapshot keeps no client IP, user agent, query string or trace id.');
      for (const c of await logCaptures(cloud.project, logs, ['BACKEND_SERVICE'], ['NEG_ID'])) out.push(line(c));
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

interface Answer {
  code: number;
  stdout: string;
  stderr: string;
}

function run(tool: string, args: string[], timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    execFile(tool, args, { timeout: timeoutMs, maxBuffer: 512 << 20, env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (error && code === 127 ? (error as Error).message : '') });
    });
  });
}

async function runPlan(
  options: GatherOptions,
  target: Target,
  kube: Capture[],
  cloud: Required<Pick<Target, 'project' | 'location' | 'cluster'>> | undefined,
): Promise<number> {
  const dir = path.resolve(options.run!);
  prepareBundleDir(dir);
  const capturedAt = new Date().toISOString();
  const deadline = Date.now() + options.timeoutSec * 1000;
  const entries: BundleEntry[] = [];
  const outputs = new Map<string, unknown>();
  const { default: pLimit } = await import('p-limit');
  const limit = pLimit(4);
  const { redactInPlace } = await import('../collectors/kube/redact.js');

  const capture = (c: Capture) =>
    limit(async () => {
      const timeout = Math.max(1000, deadline - Date.now());
      const answer = await run(c.tool, c.args, timeout);
      const command = commandLine(c);
      let value: unknown;
      if (answer.code === 0) {
        try {
          value = answer.stdout.trim() === '' ? [] : JSON.parse(answer.stdout);
        } catch (error) {
          entries.push({ type: c.type, command, ok: false, error: `output is not JSON: ${(error as Error).message}` });
          return;
        }
      } else if (c.crd && /doesn't have a resource type|the server could not find the requested resource/i.test(answer.stderr)) {
        // As scan: a custom resource whose CRD is not installed has no objects.
        value = { apiVersion: 'v1', kind: 'List', items: [] };
      } else {
        entries.push({ type: c.type, command, ok: false, error: firstLine(answer.stderr) || `exit code ${answer.code}` });
        return;
      }
      value = c.tool === 'kubectl' ? redactKube(value, redactInPlace) : redactGcloud(value);
      if (c.type === 'gcp:lb-request-logs' || c.type === 'gcp:health-check-logs') value = asArray(value).map(redactLogEntry);
      outputs.set(c.file, value);
      writeBundleFile(dir, c.file, `${JSON.stringify(value, null, 2)}\n`);
      const items = Array.isArray(value) ? value.length : isRecord(value) && Array.isArray(value.items) ? value.items.length : 1;
      entries.push({
        file: c.file,
        type: c.type,
        command,
        ok: true,
        items,
        ...(answer.code !== 0 ? { note: 'the resource type is not installed in the cluster: none exist' } : {}),
      });
      if (!options.quiet) notice(`captured ${c.type} (${items} ${items === 1 ? 'item' : 'items'})`);
    });

  const gcpFirst = cloud ? gcpCaptures(cloud) : [];
  await Promise.all([...kube, ...gcpFirst].map(capture));

  if (cloud) {
    const second: Capture[] = [];
    const cluster = outputs.get('gcp.cluster.json');
    const network = isRecord(cluster) ? networkNameOf(cluster) : undefined;
    if (network && network.invalid) entries.push({ type: 'gcp:network', command: '(not run)', ok: false, error: `the cluster's network ${JSON.stringify(network.invalid)} is not a valid Google Cloud name; not passed to gcloud` });
    else if (network) second.push(...networkCaptures(network.project ?? cloud.project, network.name, regionOf(cloud.location)));
    else entries.push({ type: 'gcp:network', command: '(needs the cluster description)', ok: false, error: 'the cluster could not be described, so its network is unknown' });
    const uid = kubeSystemUid(outputs.get('k8s.namespace-kube-system.json'));
    const negs = asArray(outputs.get('gcp.negs.json')).filter(isRecord) as GcpNeg[];
    const inspected = negs.filter((n) => shouldInspect(n, uid));
    const refused = (what: string, value: unknown) =>
      entries.push({ type: what, command: '(not run)', ok: false, error: `${JSON.stringify(value)} from the API answer is not a valid Google Cloud name; not passed to gcloud` });
    for (const neg of inspected) {
      const zone = apiName(lastSegment(neg.zone));
      const name = apiName(neg.name);
      if (zone && name) second.push(negEndpointCapture(cloud.project, zone, name));
      else refused('gcp:neg-endpoints', zone ? neg.name : neg.zone);
    }
    const wanted = new Set(inspected.map((n) => `${lastSegment(n.zone)}/${n.name}`));
    const services = [...asArray(outputs.get('gcp.backend-services.json')), ...asArray(outputs.get('gcp.backend-services.regional.json'))];
    for (const service of services.filter(isRecord)) {
      const groups = asArray(service.backends).filter(isRecord).map((b) => String(b.group ?? ''));
      if (!groups.some((g) => wanted.has(negKeyOfGroup(g) ?? ''))) continue;
      const serviceRegion = typeof service.region === 'string' ? lastSegment(service.region) : undefined;
      if (serviceRegion && serviceRegion !== regionOf(cloud.location)) continue;
      const name = apiName(service.name);
      if (name) second.push(backendHealthCapture(cloud.project, name, serviceRegion));
      else refused('gcp:backend-health', service.name);
    }
    if (options.logs) {
      const serviceNames = services.filter(isRecord).filter((s) => asArray(s.backends).filter(isRecord).some((b) => wanted.has(negKeyOfGroup(String(b.group ?? '')) ?? ''))).map((s) => String(s.name));
      const negIds = inspected.map((n) => n.id).filter((id) => typeof id === 'string' || typeof id === 'number').map(String);
      second.push(...(await logCaptures(cloud.project, options.logs, serviceNames, negIds)));
    }
    await Promise.all(second.map(capture));
  }

  const manifest: BundleManifest = {
    apiVersion: 'negdoctor.dev/v1',
    kind: BUNDLE_KIND,
    capturedAt,
    finishedAt: new Date().toISOString(),
    tool: TOOL,
    ...(target.context ? { context: target.context } : {}),
    ...(target.namespace ? { namespace: target.namespace } : {}),
    ...(cloud ? { project: cloud.project, location: cloud.location, cluster: cloud.cluster } : {}),
    captures: entries.sort((a, b) => (a.file ?? a.type).localeCompare(b.file ?? b.type)),
  };
  writeBundleFile(dir, BUNDLE_MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  const failed = entries.filter((e) => !e.ok);
  if (!options.quiet) {
    for (const f of failed) notice(`warning: ${f.type} not captured: ${f.error}`);
    notice(`wrote ${entries.length - failed.length} captures to ${dir} (${failed.length} failed); diagnose with: negdoctor lint ${options.run}`);
  }
  const kubeOk = entries.some((e) => e.ok && e.type.startsWith('k8s:'));
  return kubeOk ? EXIT.ok : EXIT.unreachable;
}

function redactKube(value: unknown, redactInPlace: (o: KubeObject) => KubeObject): unknown {
  if (isRecord(value) && Array.isArray(value.items)) {
    value.items = value.items.filter((i) => !(isRecord(i) && (i.kind === 'Secret' || i.kind === 'ConfigMap'))).map((i) => (isRecord(i) ? redactInPlace(i as KubeObject) : i));
    return value;
  }
  return isRecord(value) ? redactInPlace(value as KubeObject) : value;
}

/** The cluster's network; `invalid` when the answer names one that is not a valid name (it never reaches gcloud). */
function networkNameOf(cluster: Record<string, unknown>): { project?: string; name: string; invalid?: string } | undefined {
  const config = isRecord(cluster.networkConfig) ? cluster.networkConfig : {};
  const match = typeof config.network === 'string' ? /projects\/([^/]+)\/global\/networks\/([^/]+)$/.exec(config.network) : null;
  const found = match ? { project: match[1]!, name: match[2]! } : typeof cluster.network === 'string' && cluster.network ? { name: lastSegment(cluster.network) } : undefined;
  if (!found) return undefined;
  const name = apiName(found.name);
  const project = found.project === undefined ? undefined : apiName(found.project, 'project');
  if (!name || (found.project !== undefined && !project)) return { name: found.name, invalid: name ? found.project! : found.name };
  return { name, ...(project ? { project } : {}) };
}

function kubeSystemUid(value: unknown): string | undefined {
  const uid = isRecord(value) && isRecord(value.metadata) ? value.metadata.uid : undefined;
  return typeof uid === 'string' && uid ? uid : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function firstLine(text: string): string {
  return text.trim().split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}
