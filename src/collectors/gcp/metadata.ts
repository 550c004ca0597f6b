/**
 * The GKE cluster a pod runs in, from the GCE metadata server: the project
 * (`project/project-id`) and GKE's node attributes `cluster-name` and
 * `cluster-location`. Used only when negdoctor runs in a pod with its
 * service account (`serve` in deploy/), so that the Google Cloud part needs
 * no --project/--location/--cluster.
 *
 * Honours what google-auth-library honours: GCE_METADATA_HOST (or
 * GCE_METADATA_IP) moves the server, METADATA_SERVER_DETECTION=none forbids
 * asking it. Any failure (no server, not a GKE node) is "unknown", never an error.
 */
export interface GkeIdentity {
  project: string;
  location: string;
  name: string;
}

const PATHS = { project: 'project/project-id', name: 'instance/attributes/cluster-name', location: 'instance/attributes/cluster-location' } as const;

export async function gkeClusterFromMetadata(env: NodeJS.ProcessEnv, timeoutMs = 2_000): Promise<GkeIdentity | undefined> {
  if (env.METADATA_SERVER_DETECTION === 'none') return undefined;
  const host = env.GCE_METADATA_HOST || env.GCE_METADATA_IP || 'metadata.google.internal';
  const signal = AbortSignal.timeout(timeoutMs);
  const read = async (path: string): Promise<string | undefined> => {
    const response = await fetch(`http://${host}/computeMetadata/v1/${path}`, { headers: { 'Metadata-Flavor': 'Google' }, signal });
    // A proxy or captive portal answers too: only the metadata server sets this header.
    if (!response.ok || response.headers.get('metadata-flavor') !== 'Google') return undefined;
    return (await response.text()).trim() || undefined;
  };
  try {
    const [project, name, location] = await Promise.all([read(PATHS.project), read(PATHS.name), read(PATHS.location)]);
    return project && name && location ? { project, name, location } : undefined;
  } catch {
    return undefined;
  }
}
