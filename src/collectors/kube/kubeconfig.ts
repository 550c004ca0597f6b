/** Which cluster to talk to and as whom: the kubeconfig kubectl would use, or a direct connection. */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterInfo } from '../../snapshot/types.js';
import { errorText } from './call-errors.js';

/** How the collector finds its cluster. */
export interface KubeconfigChoice {
  /** Path given with --kubeconfig; otherwise KUBECONFIG (colon-separated) or ~/.kube/config, as kubectl finds it. */
  kubeconfig?: string;
  context?: string;
  /**
   * Connect directly instead of through a kubeconfig, the way `gcloud container
   * clusters get-credentials` would configure it (fleet discovery): nothing is written to disk.
   */
  connection?: KubeConnection;
}

/** An API server reached without a kubeconfig: its URL, the CA that signed its certificate, and a bearer token. */
export interface KubeConnection {
  /** Names the cluster in messages and in the snapshot's `cluster.context`. */
  name: string;
  /** https://HOST[:PORT] */
  server: string;
  /** Base64 PEM of the cluster CA (GKE's masterAuth.clusterCaCertificate); the server's certificate is verified against it. */
  caData?: string;
  token: string;
  /** Where the connection came from, for messages (e.g. "the Container API"). */
  source: string;
}

/** The context names of the kubeconfig kubectl would use (for `scan --all-contexts`), or why it cannot be read. */
export function listKubeContexts(kubeconfig: string | undefined): { contexts: string[]; current: string; source: string } | { failure: string } {
  const loaded = loadKubeconfig(kubeconfig ? { kubeconfig } : {}, false);
  if ('failure' in loaded) return loaded;
  return { contexts: loaded.kc.getContexts().map((c) => c.name), current: loaded.kc.getCurrentContext(), source: loaded.source };
}

export const IN_CLUSTER = 'in-cluster service account';

/** Loads the kubeconfig the way kubectl finds it, and selects the context; or builds one from a direct connection. */
export function loadKubeconfig(options: KubeconfigChoice, needCurrent = true): { kc: KubeConfig; source: string } | { failure: string } {
  const kc = new KubeConfig();
  if (options.connection) {
    const { name, server, caData, token, source } = options.connection;
    kc.loadFromOptions({
      clusters: [{ name, server, skipTLSVerify: false, ...(caData ? { caData } : {}) }],
      users: [{ name, token }],
      contexts: [{ name, cluster: name, user: name }],
      currentContext: name,
    });
    return { kc, source };
  }
  let source: string;
  try {
    if (options.kubeconfig) {
      source = options.kubeconfig;
      kc.loadFromFile(options.kubeconfig);
    } else if (process.env.KUBECONFIG) {
      source = `$KUBECONFIG (${process.env.KUBECONFIG})`;
      kc.loadFromDefault();
    } else {
      const defaultPath = path.join(os.homedir(), '.kube', 'config');
      source = defaultPath;
      // loadFromDefault silently falls back to in-cluster config or to localhost:8080; say plainly when there is no file.
      if (!process.env.KUBERNETES_SERVICE_HOST && !fileExists(defaultPath)) {
        return { failure: `no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ${defaultPath} (for GKE: gcloud container clusters get-credentials)` };
      }
      kc.loadFromDefault();
      if (process.env.KUBERNETES_SERVICE_HOST && !fileExists(defaultPath)) source = IN_CLUSTER;
    }
  } catch (error) {
    return { failure: `cannot read kubeconfig ${options.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'}: ${errorText(error)}` };
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      return { failure: `context "${options.context}" not found in ${source}${known.length ? ` (contexts: ${known.join(', ')})` : ''}` };
    }
    kc.setCurrentContext(options.context);
  }
  if (needCurrent && (!kc.getCurrentContext() || !kc.getCurrentCluster())) {
    return { failure: `kubeconfig ${source} has no current context with a cluster; pass --context` };
  }
  return { kc, source };
}

function fileExists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** project/location/name from GKE's context naming, gke_PROJECT_LOCATION_CLUSTER. */
export function parseGkeContext(context: string | undefined): Pick<ClusterInfo, 'project' | 'location' | 'name'> {
  const match = context ? /^gke_([^_]+)_([^_]+)_(.+)$/.exec(context) : null;
  return match ? { project: match[1]!, location: match[2]!, name: match[3]! } : {};
}
