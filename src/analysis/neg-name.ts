/**
 * GKE NEG names and descriptions, computed the way the ingress-gce NEG
 * controller does (kubernetes/ingress-gce: pkg/utils/namer/namer.go `NEG`,
 * `negSuffix`, `NonDefaultSubnetNEG`; pkg/utils/namer/utils.go
 * `TrimFieldsEvenly`; pkg/utils/negdescription.go).
 *
 * Name: `k8s1-<uid8>-<namespace>-<service>-<service port>-<hash8>` where
 *   - uid8 is the first 8 characters of the *namer* UID, i.e. the `uid` key of
 *     the kube-system/ingress-uid ConfigMap (or the controller's --cluster-uid
 *     flag). That is not the kube-system Namespace UID, which is what the
 *     description's `cluster-uid` holds;
 *   - hash8 is the first 8 hex digits of sha256("<uid8>;<namespace>;<service>;<port>"),
 *     computed from the untrimmed fields but the *shortened* UID;
 *   - namespace, service and port are trimmed together to at most 38
 *     characters, each in proportion to its length.
 * NEGs in a non-default subnet insert a 6-hex subnet hash before hash8 and
 * trim the fields to 31 characters; hash8 is the same as in the default subnet.
 *
 * Kubernetes names and port numbers are ASCII, so string length equals the
 * byte length Go works with.
 */
import { createHash } from 'node:crypto';

/** GCE resource names are at most 63 characters. */
export const MAX_NEG_NAME_LENGTH = 63;
/** 63 − "k8s1-" (5) − uid8 (8) − hash8 (8) − 4 hyphens. */
export const MAX_NEG_DESCRIPTIVE_LABEL = 38;
const NEG_PREFIX = 'k8s1';
const SHORT_UID_LENGTH = 8;
const HASH_LENGTH = 8;
const SUBNET_HASH_LENGTH = 6;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function shortUid(clusterUid: string): string {
  return clusterUid.slice(0, SHORT_UID_LENGTH);
}

/**
 * Shortens `fields` so their summed length is at most `max`, taking from each
 * in proportion to its length; leftover room from rounding goes to the
 * earliest fields. Integer arithmetic matches the Go implementation exactly.
 */
export function trimFieldsEvenly(max: number, fields: readonly string[]): string[] {
  if (max <= 0) return [...fields];
  const total = fields.reduce((sum, field) => sum + field.length, 0);
  if (total <= max) return [...fields];
  const excess = total - max;
  const lengths = fields.map((field) => field.length - Math.floor((field.length * excess) / total) - 1);
  let remaining = max - lengths.reduce((sum, length) => sum + length, 0);
  for (let i = 0; remaining > 0 && i < lengths.length; i++, remaining--) lengths[i]! += 1;
  return fields.map((field, i) => field.slice(0, Math.max(0, lengths[i]!)));
}

/** hash8 of a NEG name: it depends on the 8-character UID and the untrimmed fields. */
export function negNameHash(clusterUid: string, namespace: string, service: string, port: number | string): string {
  return sha256Hex([shortUid(clusterUid), namespace, service, String(port)].join(';')).slice(0, HASH_LENGTH);
}

/**
 * The name the NEG controller gives the NEG of `namespace/service` port
 * `port` (the Service port, not the target port).
 * `clusterUid` is the ingress-uid ConfigMap's `uid` (only its first 8 characters matter).
 */
export function negName(clusterUid: string, namespace: string, service: string, port: number | string): string {
  const portText = String(port);
  const [ns, svc, p] = trimFieldsEvenly(MAX_NEG_DESCRIPTIVE_LABEL, [namespace, service, portText]);
  return `${NEG_PREFIX}-${shortUid(clusterUid)}-${ns}-${svc}-${p}-${negNameHash(clusterUid, namespace, service, portText)}`;
}

/** 6-hex subnet hash used in NEG names for non-default subnets. */
export function negSubnetHash(subnetName: string): string {
  return sha256Hex(subnetName).slice(0, SUBNET_HASH_LENGTH);
}

/** The name of the NEG for the same Service port in a non-default subnet (multi-subnet clusters). */
export function nonDefaultSubnetNegName(
  clusterUid: string,
  namespace: string,
  service: string,
  port: number | string,
  subnetName: string,
): string {
  const portText = String(port);
  const [ns, svc, p] = trimFieldsEvenly(MAX_NEG_DESCRIPTIVE_LABEL - SUBNET_HASH_LENGTH - 1, [namespace, service, portText]);
  return `${NEG_PREFIX}-${shortUid(clusterUid)}-${ns}-${svc}-${p}-${negSubnetHash(subnetName)}-${negNameHash(clusterUid, namespace, service, portText)}`;
}

/**
 * Whether `name` has the shape of a controller-generated NEG name:
 * `k8s1-<up to 8 chars>-…-<8 hex>`, a valid GCE name of at most 63 characters.
 * Custom names from `exposed_ports[].name` do not have this shape; recognise
 * those by their description instead.
 */
export function isGkeNegName(name: string): boolean {
  if (name.length > MAX_NEG_NAME_LENGTH) return false;
  // Go's namer uses the UID's first 8 characters; a UID may be shorter (or, on very old clusters, empty).
  return /^k8s1-[a-z0-9]{0,8}-[-a-z0-9]*-[0-9a-f]{8}$/.test(name);
}

/** The (up to) 8-character cluster UID prefix of a controller-generated NEG name, or undefined. */
export function negNameClusterPrefix(name: string): string | undefined {
  if (!isGkeNegName(name)) return undefined;
  const rest = name.slice(NEG_PREFIX.length + 1);
  return rest.slice(0, rest.indexOf('-'));
}

export interface NegDescription {
  /** UID of the kube-system Namespace of the cluster that created the NEG. */
  clusterUid: string;
  namespace: string;
  serviceName: string;
  /** The Service port, as the decimal string the controller writes. */
  port: string;
}

/**
 * Parses a NEG description written by the controller:
 * `{"cluster-uid":"…","namespace":"…","service-name":"…","port":"…"}`.
 * Returns undefined for anything else (empty, not JSON, not an object, no
 * `cluster-uid`); never throws. The controller omits empty fields, so missing
 * namespace/service/port come back as "".
 */
export function parseNegDescription(text: string | undefined | null): NegDescription | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  // Rules match every NEG against every Service port: parse each description once. Results are never mutated.
  if (descriptionCache.has(text)) return descriptionCache.get(text);
  if (descriptionCache.size >= DESCRIPTION_CACHE_LIMIT) descriptionCache.clear();
  const result = parseNegDescriptionUncached(text);
  descriptionCache.set(text, result);
  return result;
}

const descriptionCache = new Map<string, NegDescription | undefined>();
const DESCRIPTION_CACHE_LIMIT = 50_000;

function parseNegDescriptionUncached(text: string): NegDescription | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const field = (key: string): string => {
    const value = record[key];
    return typeof value === 'string' ? value : '';
  };
  const clusterUid = field('cluster-uid');
  if (clusterUid === '') return undefined;
  const rawPort = record['port'];
  // Be lenient with hand-made descriptions that store the port as a number.
  const port = typeof rawPort === 'number' && Number.isInteger(rawPort) ? String(rawPort) : field('port');
  return { clusterUid, namespace: field('namespace'), serviceName: field('service-name'), port };
}

export interface NegServiceCandidate {
  namespace: string;
  service: string;
  port: number | string;
}

export interface NegServiceMatch {
  candidate: NegServiceCandidate;
  /** Whether the name is the default-subnet form or the non-default-subnet form (subnet hash before hash8). */
  subnet: 'default' | 'non-default';
}

/**
 * Which candidate Service port produced `name`, for the cluster whose namer
 * UID is `clusterUid` (ingress-uid ConfigMap). Returns undefined when none did.
 * Non-default-subnet names are recognised too (any 6-hex subnet hash), because
 * their hash8 is the same as the default-subnet one.
 */
export function matchNegToService(
  name: string,
  clusterUid: string,
  candidates: readonly NegServiceCandidate[],
): NegServiceMatch | undefined {
  if (!isGkeNegName(name) || negNameClusterPrefix(name) !== shortUid(clusterUid)) return undefined;
  for (const candidate of candidates) {
    if (negName(clusterUid, candidate.namespace, candidate.service, candidate.port) === name) {
      return { candidate, subnet: 'default' };
    }
  }
  // `<labels>-<subnet6>-<hash8>`: compare with the subnet hash taken from the name itself.
  const subnetMatch = /-([0-9a-f]{6})-[0-9a-f]{8}$/.exec(name);
  if (subnetMatch) {
    const subnetHash = subnetMatch[1]!;
    for (const candidate of candidates) {
      const portText = String(candidate.port);
      const [ns, svc, p] = trimFieldsEvenly(MAX_NEG_DESCRIPTIVE_LABEL - SUBNET_HASH_LENGTH - 1, [
        candidate.namespace,
        candidate.service,
        portText,
      ]);
      const expected = `${NEG_PREFIX}-${shortUid(clusterUid)}-${ns}-${svc}-${p}-${subnetHash}-${negNameHash(clusterUid, candidate.namespace, candidate.service, portText)}`;
      if (expected === name) return { candidate, subnet: 'non-default' };
    }
  }
  return undefined;
}
